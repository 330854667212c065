"""The Milvus side of the service: one collection of (id, vector) rows.

Works the same against Milvus Lite, a standalone server or a cluster; the URI decides.
Scores leave this module as "higher is more similar", whatever the metric.
"""

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymilvus import AsyncMilvusClient, DataType

from .config import Settings
from .encoders import Encoder, Metric, Vector, VectorType

# milvus-lite 2.5 imports pkg_resources and warns about it at every start; setuptools<81 (pinned
# in pyproject.toml) keeps that import working, so the warning says nothing actionable.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated", category=UserWarning)

ID_FIELD = "id"
VECTOR_FIELD = "vector"

# Exact search for each vector type: the default on Milvus Lite.
_EXACT_INDEX = {VectorType.FLOAT: "FLAT", VectorType.BINARY: "BIN_FLAT"}
# The default on a server: (index type, build parameters, search parameters) per vector type.
SERVER_INDEX: dict[VectorType, tuple[str, dict[str, Any], dict[str, Any]]] = {
    VectorType.FLOAT: ("HNSW", {"M": 16, "efConstruction": 200}, {"ef": 64}),
    VectorType.BINARY: ("BIN_IVF_FLAT", {"nlist": 64}, {"nprobe": 16}),
}
# Metrics that Milvus reports as distances (lower is closer) rather than similarities.
_DISTANCE_METRICS = {Metric.L2, Metric.HAMMING, Metric.JACCARD}


class SchemaMismatchError(RuntimeError):
    """The collection exists but was built for another encoder."""


@dataclass(frozen=True)
class Match:
    id: int
    score: float


class MilvusStore:
    def __init__(
        self,
        client: AsyncMilvusClient,
        collection: str,
        encoder: Encoder,
        index_type: str | None = None,
        index_params: dict[str, Any] | None = None,
        search_params: dict[str, Any] | None = None,
    ) -> None:
        self._client = client
        self.collection = collection
        self._encoder = encoder
        self._index_type = index_type or _EXACT_INDEX[encoder.vector_type]
        self._index_params = index_params or {}
        self._search_params = search_params or {}

    @classmethod
    async def open(cls, settings: Settings, encoder: Encoder) -> "MilvusStore":
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
        store = cls(client, settings.collection, encoder, index_type, index_params, search_params)
        await store.ensure_collection()
        return store

    async def ensure_collection(self) -> None:
        """Create the collection and its index if missing; refuse one built for another encoder."""
        if await self._client.has_collection(self.collection):
            await self._check_schema()
        else:
            await self._create_collection()
        await self._client.load_collection(self.collection)

    async def _create_collection(self) -> None:
        schema = AsyncMilvusClient.create_schema(auto_id=False, enable_dynamic_field=False)
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

    async def insert(self, ids: Sequence[int], vectors: Sequence[Vector]) -> None:
        rows = [{ID_FIELD: i, VECTOR_FIELD: v} for i, v in zip(ids, vectors, strict=True)]
        await self._client.insert(self.collection, rows)

    async def search(self, vector: Vector, top_k: int) -> list[Match]:
        params = dict(self._search_params)
        if "ef" in params:  # HNSW answers at most ef hits
            params["ef"] = max(int(params["ef"]), top_k)
        hits = await self._client.search(
            self.collection,
            data=[vector],
            limit=top_k,
            anns_field=VECTOR_FIELD,
            search_params={
                "metric_type": self._encoder.metric.value,
                "params": params,
            },
        )
        return [Match(int(hit["id"]), self._score(float(hit["distance"]))) for hit in hits[0]]

    def _score(self, distance: float) -> float:
        if self._encoder.metric is Metric.JACCARD:
            return 1.0 - distance  # the Jaccard similarity of the two bit sets
        if self._encoder.metric in _DISTANCE_METRICS:
            return -distance
        return distance

    async def delete(self, ids: Sequence[int]) -> None:
        if ids:
            await self._client.delete(self.collection, ids=list(ids))

    async def count(self) -> int:
        result = await self._client.query(
            self.collection, filter="", output_fields=["count(*)"], consistency_level="Strong"
        )
        return int(result[0]["count(*)"])

    async def list_ids(self, page_size: int = 10_000) -> set[int]:
        """Every id in the collection, read in pages of ascending ids."""
        ids: set[int] = set()
        last = -1
        while True:
            rows = await self._client.query(
                self.collection,
                filter=f"{ID_FIELD} > {last}",
                output_fields=[ID_FIELD],
                limit=page_size,
                consistency_level="Strong",
            )
            page = sorted(int(row[ID_FIELD]) for row in rows)
            ids.update(page)
            if len(page) < page_size:
                return ids
            last = page[-1]

    @property
    def index_type(self) -> str:
        return self._index_type

    async def flush(self) -> None:
        """Seal what was inserted: Lite scans unflushed rows one by one, servers index them."""
        await self._client.flush(self.collection)

    async def reset(self) -> None:
        """Drop the collection and create it again, empty."""
        await self._client.drop_collection(self.collection)
        await self.ensure_collection()

    async def ping(self) -> None:
        await self._client.has_collection(self.collection)

    async def close(self) -> None:
        await self._client.close()
