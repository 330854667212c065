"""The Milvus side of the service: one collection of (id, vector) rows.

An item has one row, whose id is the item's, or up to `rows_per_item` rows (a video's frames)
with ids `item id * rows_per_item + part`, so the collection needs no field beyond the vector.
Works the same against Milvus Lite, a standalone server or a cluster; the URI decides.
Scores leave this module as "higher is more similar", whatever the metric.
"""

import functools
import logging
import math
import warnings
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pymilvus import AsyncMilvusClient, DataType, MilvusException
from tenacity import AsyncRetrying, RetryCallState, retry_if_exception, stop_after_attempt

from .config import Settings
from .encoders import Encoder, Metric, Vector, VectorType, identity

# milvus-lite 2.5 imports pkg_resources and warns about it at every start; setuptools<81 (pinned
# in pyproject.toml) keeps that import working, so the warning says nothing actionable.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

T = TypeVar("T")
logger = logging.getLogger(__name__)
# Milvus's error code for a read on a collection that is not loaded into memory.
_NOT_LOADED = 101

ID_FIELD = "id"
VECTOR_FIELD = "vector"

# Exact search for each vector type: the default on Milvus Lite.
_EXACT_INDEX = {VectorType.FLOAT: "FLAT", VectorType.BINARY: "BIN_FLAT"}
# The default on a server: (index type, build parameters, search parameters) per vector type.
SERVER_INDEX: dict[VectorType, tuple[str, dict[str, Any], dict[str, Any]]] = {
    VectorType.FLOAT: ("HNSW", {"M": 16, "efConstruction": 200}, {"ef": 64}),
    VectorType.BINARY: ("BIN_IVF_FLAT", {"nlist": 64}, {"nprobe": 16}),
}
# The most rows one Milvus search or query may return.
MAX_LIMIT = 16_384
# How a collection's description starts when it records the encoder that made it.
IDENTITY_MARK = "vectors of: "
# Bytes of vectors one insert carries, at most: Milvus Lite runs a larger insert 20-40 times
# slower (a 7 MB one, measured), and a server refuses a request over its gRPC limit.
MAX_INSERT_BYTES = 4 * 1024 * 1024
# Per metric: how a distance Milvus reports becomes a score where higher is more similar, and
# the range that score lies in by definition (None: unbounded). Milvus computes in float32, so
# two identical unit vectors can score 1.0000001: clamp to the range, then round.
_SCORES: dict[Metric, tuple[Callable[[float], float], tuple[float, float] | None]] = {
    Metric.COSINE: (lambda similarity: similarity, (-1.0, 1.0)),
    Metric.IP: (lambda product: product, None),
    Metric.L2: (lambda distance: -distance, (-math.inf, 0.0)),
    Metric.JACCARD: (lambda distance: 1.0 - distance, (0.0, 1.0)),  # the bit sets' similarity
    Metric.HAMMING: (lambda distance: -distance, (-math.inf, 0.0)),
}
# Significant digits a float32 carries (its 24-bit mantissa holds about 7.2), less one for the
# rounding error of the sum behind a distance: 0.6666666567325592 reads 0.666667.
SCORE_DIGITS = 6


def rows_per_insert(dim: int, vector_type: VectorType) -> int:
    """How many rows of vectors of this shape one insert may carry (MAX_INSERT_BYTES)."""
    vector_bytes = dim // 8 if vector_type is VectorType.BINARY else dim * 4
    return max(1, MAX_INSERT_BYTES // vector_bytes)


def score_of(metric: Metric, distance: float) -> float:
    """What Milvus reported for a hit as a score: higher is more similar, within the metric's
    range, rounded to the digits float32 arithmetic gets right."""
    to_score, bounds = _SCORES[metric]
    score = to_score(distance)
    if bounds is not None:
        score = min(max(score, bounds[0]), bounds[1])
    return float(f"{score:.{SCORE_DIGITS}g}") + 0.0  # + 0.0 turns -0.0 into 0.0


def _not_loaded(exc: BaseException) -> bool:
    """A read failed because the collection is not loaded into memory."""
    return isinstance(exc, MilvusException) and (
        exc.code == _NOT_LOADED or "not loaded" in str(exc.message)
    )


class SchemaMismatchError(RuntimeError):
    """The collection exists but was built for another encoder."""


def identity_mismatch(collection: str, recorded: str, configured: str) -> str:
    """The one line that refuses a collection of another encoder, naming both."""
    return (
        f"collection {collection!r} holds vectors of {recorded}, not of the configured "
        f"encoder {configured}: run {{ cookiecutter.package_name }} reindex to encode every "
        "item again with it, or choose another COLLECTION"
    )


@dataclass(frozen=True)
class Part:
    """One row of an item that matched: which part of the item it is, and how well it matched."""

    index: int
    score: float


@dataclass(frozen=True)
class Match:
    """An item that matched, with its best score and every part of it that was found."""

    id: int
    score: float
    parts: list[Part]


class MilvusStore:
    def __init__(
        self,
        client: AsyncMilvusClient,
        collection: str,
        encoder: Encoder[Any],
        index_type: str | None = None,
        index_params: dict[str, Any] | None = None,
        search_params: dict[str, Any] | None = None,
        rows_per_item: int = 1,
        lite_file: str | None = None,
    ) -> None:
        self._client = client
        self._lite_file = lite_file
        self.collection = collection
        self._encoder = encoder
        self._index_type = index_type or _EXACT_INDEX[encoder.vector_type]
        self._index_params = index_params or {}
        self._search_params = search_params or {}
        self._rows_per_item = rows_per_item

    @classmethod
    async def open(
        cls,
        settings: Settings,
        encoder: Encoder[Any],
        rows_per_item: int = 1,
        collection: str | None = None,
    ) -> "MilvusStore":
        """The store on `collection` (by default the configured COLLECTION), made if missing."""
        store = cls.connect(settings, encoder, rows_per_item, collection)
        await store.ensure_collection()
        await store.warm_up()
        return store

    @classmethod
    def connect(
        cls,
        settings: Settings,
        encoder: Encoder[Any],
        rows_per_item: int = 1,
        collection: str | None = None,
    ) -> "MilvusStore":
        """The store on `collection`, not yet made or checked."""
        if settings.uses_milvus_lite:
            Path(settings.milvus_uri).parent.mkdir(parents=True, exist_ok=True)
        token = settings.milvus_token.get_secret_value() if settings.milvus_token else ""
        client = AsyncMilvusClient(uri=settings.milvus_uri, token=token)
        index_type, index_params, search_params = (
            settings.index_type,
            settings.index_params,
            settings.search_params,
        )
        if index_type is None and not settings.uses_milvus_lite:
            index_type, default_build, default_search = SERVER_INDEX[encoder.vector_type]
            index_params = index_params or default_build
            search_params = search_params or default_search
        return cls(
            client,
            collection or settings.collection,
            encoder,
            index_type,
            index_params,
            search_params,
            rows_per_item,
            settings.milvus_uri if settings.uses_milvus_lite else None,
        )

    def sibling(self, collection: str) -> "MilvusStore":
        """A store on another collection through this store's client (one process may hold
        one Milvus Lite file once); close this one, never the sibling."""
        return MilvusStore(
            self._client,
            collection,
            self._encoder,
            self._index_type,
            self._index_params,
            self._search_params,
            self._rows_per_item,
        )

    def switch_to(self, collection: str) -> None:
        """Serve another collection of the same encoder from now on (after a reindex)."""
        self.collection = collection

    async def ensure_collection(self) -> None:
        """Create the collection and its index if missing; refuse one built for another encoder."""
        if await self._client.has_collection(self.collection):
            await self._check_schema()
        else:
            await self._create_collection()
        await self._client.load_collection(self.collection)

    async def _create_collection(self) -> None:
        schema = AsyncMilvusClient.create_schema(
            auto_id=False, enable_dynamic_field=False, description=self._identity
        )
        schema.add_field(ID_FIELD, DataType.INT64, is_primary=True)
        schema.add_field(VECTOR_FIELD, DataType[self._encoder.vector_type], dim=self._encoder.dim)
        index = AsyncMilvusClient.prepare_index_params()
        index.add_index(
            field_name=VECTOR_FIELD,
            index_type=self._index_type,
            metric_type=self._encoder.metric.value,
            params=self._index_params,
        )
        await self._client.create_collection(
            self.collection, schema=schema, index_params=index, consistency_level="Strong"
        )

    async def _check_schema(self) -> None:
        description = await self._client.describe_collection(self.collection)
        vector = next(
            (f for f in description["fields"] if f["name"] == VECTOR_FIELD),
            None,
        )
        expected_type = DataType[self._encoder.vector_type]
        if (
            vector is None
            or vector["type"] != expected_type
            or int(vector["params"].get("dim", -1)) != self._encoder.dim
        ):
            raise SchemaMismatchError(
                f"collection {self.collection!r} exists with another vector field than this "
                f"encoder needs ({expected_type.name}, dim {self._encoder.dim}); "
                "drop it or choose another collection name"
            )
        self._check_identity(str(description.get("description", "")))

    def _check_identity(self, recorded: str) -> None:
        """Refuse to mix two models' vectors: the collection records the encoder that made it."""
        if not recorded.startswith(IDENTITY_MARK):
            # Made before collections recorded their encoder: nothing to compare with.
            logger.warning("collection %r does not record its encoder", self.collection)
            return
        if recorded != self._identity:
            raise SchemaMismatchError(
                identity_mismatch(
                    self.collection,
                    recorded.removeprefix(IDENTITY_MARK),
                    self._identity.removeprefix(IDENTITY_MARK),
                )
            )

    @property
    def _identity(self) -> str:
        return IDENTITY_MARK + identity(self._encoder)

    async def insert(self, ids: Sequence[int], vectors: Sequence[Sequence[Vector]]) -> None:
        """Write each item's vectors: `vectors[i]` holds the parts of item `ids[i]`."""
        rows = [
            {ID_FIELD: item * self._rows_per_item + part, VECTOR_FIELD: vector}
            for item, parts in zip(ids, vectors, strict=True)
            for part, vector in enumerate(parts)
        ]
        step = rows_per_insert(self._encoder.dim, self._encoder.vector_type)
        for start in range(0, len(rows), step):
            await self._client.insert(self.collection, rows[start : start + step])

    async def search(self, vector: Vector, top_k: int) -> list[Match]:
        """The `top_k` items nearest to `vector`, best first.

        An item with many rows counts once: the search asks for more rows until it has
        `top_k` different items, so one long video cannot crowd the others out.
        """
        limit = top_k
        while True:
            rows = await self._search_rows(vector, limit)
            matches = self._group(rows)
            if len(matches) >= top_k or len(rows) < limit or limit >= MAX_LIMIT:
                return matches[:top_k]
            limit = min(limit * 4, MAX_LIMIT)

    async def _search_rows(self, vector: Vector, limit: int) -> list[tuple[int, float]]:
        params = dict(self._search_params)
        if "ef" in params:  # HNSW answers at most ef hits
            params["ef"] = max(int(params["ef"]), limit)
        hits = await self._loaded(
            lambda: self._client.search(
                self.collection,
                data=[vector],
                limit=limit,
                anns_field=VECTOR_FIELD,
                search_params={
                    "metric_type": self._encoder.metric.value,
                    "params": params,
                },
            )
        )
        return [(int(hit["id"]), self._score(float(hit["distance"]))) for hit in hits[0]]

    def _group(self, rows: list[tuple[int, float]]) -> list[Match]:
        """Rows (best first) gathered per item, items in the order of their best row."""
        parts: dict[int, list[Part]] = {}
        for row, score in rows:
            item, index = divmod(row, self._rows_per_item)
            parts.setdefault(item, []).append(Part(index, score))
        return [Match(item, found[0].score, found) for item, found in parts.items()]

    def _score(self, distance: float) -> float:
        return score_of(self._encoder.metric, distance)

    async def delete(self, ids: Sequence[int]) -> None:
        """Remove these items, every row of each."""
        if not ids:
            return
        if self._rows_per_item == 1:
            await self._client.delete(self.collection, ids=list(ids))
            return
        span = self._rows_per_item
        for start in range(0, len(ids), 100):  # keep each filter expression short
            ranges = (
                f"({ID_FIELD} >= {item * span} and {ID_FIELD} < {(item + 1) * span})"
                for item in ids[start : start + 100]
            )
            await self._client.delete(self.collection, filter=" or ".join(ranges))

    async def count(self) -> int:
        """How many items the collection holds: different ids, not rows.

        Milvus keeps primary keys as they come: an id inserted twice (an insert retried after
        its first try landed, an id a metadata store handed out again) is two rows, both
        counted by `count(*)`, while a search or a query shows one.
        """
        return len(await self.list_ids())

    async def list_ids(self, page_size: int = MAX_LIMIT) -> set[int]:
        """Every item id in the collection, read in pages of ascending row ids."""
        ids: set[int] = set()
        last = -1
        while True:
            page_filter = f"{ID_FIELD} > {last}"
            rows = await self._loaded(
                functools.partial(
                    self._client.query,
                    self.collection,
                    filter=page_filter,
                    output_fields=[ID_FIELD],
                    limit=page_size,
                    consistency_level="Strong",
                )
            )
            page = sorted(int(row[ID_FIELD]) for row in rows)
            ids.update(row // self._rows_per_item for row in page)
            if len(page) < page_size:
                return ids
            last = page[-1]

    async def _loaded(self, read: Callable[[], Awaitable[T]]) -> T:
        """Run a read; if the collection is not loaded, load it and read again.

        A restarted server loads its collections back in its own time, and a read that comes
        first would fail.
        """
        retrying = AsyncRetrying(
            retry=retry_if_exception(_not_loaded),
            stop=stop_after_attempt(2),
            before_sleep=self._load_collection,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                return await read()
        raise AssertionError("unreachable: the last failure is raised")

    async def _load_collection(self, retry_state: RetryCallState) -> None:
        await self._client.load_collection(self.collection)

    @property
    def encoder(self) -> Encoder[Any]:
        return self._encoder

    @property
    def index_type(self) -> str:
        return self._index_type

    async def flush(self) -> None:
        """Seal what was inserted: Lite scans unflushed rows one by one, servers index them."""
        await self._client.flush(self.collection)
        await self.warm_up()

    async def warm_up(self) -> None:
        """One search, so the first search a client makes does not pay for readying the newly
        sealed data (150 ms for a few hundred pictures on Milvus Lite, measured)."""
        dim, binary = self._encoder.dim, self._encoder.vector_type is VectorType.BINARY
        probe: Vector = b"\x01" + bytes(dim // 8 - 1) if binary else [1.0] + [0.0] * (dim - 1)
        await self._search_rows(probe, 1)

    async def reset(self) -> None:
        """Drop the collection and create it again, empty."""
        await self.drop()
        await self.ensure_collection()

    async def drop(self) -> None:
        """Drop the collection, if there is one."""
        if await self._client.has_collection(self.collection):
            await self._client.drop_collection(self.collection)

    async def ping(self) -> None:
        await self._client.has_collection(self.collection)

    async def close(self) -> None:
        await self._client.close()
        if self._lite_file is not None:
            # Milvus Lite runs each file in a child process that outlives its clients: stop it,
            # or a long-lived process that opens many stores (a test session) keeps them all.
            from milvus_lite.server_manager import server_manager_instance

            server_manager_instance.release_server(self._lite_file)
