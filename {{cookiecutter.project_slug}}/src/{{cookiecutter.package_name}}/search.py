"""A search: query -> encoder -> Milvus -> metadata -> ranked hits."""

from .encoders import Encoder, InvalidQueryError, Vector
from .metadata_store import MetadataStore
from .milvus_store import MAX_LIMIT, MilvusStore
from .query_batcher import QueryBatcher
from .records import EncoderInput, Hit, SearchRequest


class Searcher:
    def __init__(
        self,
        encoder: Encoder[EncoderInput],
        milvus: MilvusStore,
        metadata: MetadataStore,
        batcher: QueryBatcher[EncoderInput],
        default_top_k: int,
        max_top_k: int,
    ) -> None:
        self._encoder = encoder
        self._batcher = batcher
        self._milvus = milvus
        self._metadata = metadata
        self._default_top_k = default_top_k
        self._max_top_k = max_top_k

    async def search(self, request: SearchRequest) -> list[Hit]:
        top_k = request.top_k or self._default_top_k
        if top_k > self._max_top_k:
            raise InvalidQueryError(f"top_k must be between 1 and {self._max_top_k}, got {top_k}")
        return await self._stored_nearest(await self._encode(request.encoder_input()), top_k)

    async def _encode(self, query: EncoderInput) -> Vector:
        # A cheap encoder takes less time than a hand-off to a thread would.
        if self._encoder.cheap:
            return self._encoder.encode_query(query)
        return await self._batcher.encode(query)

    async def close(self) -> None:
        await self._batcher.close()

    async def _stored_nearest(self, vector: Vector, top_k: int) -> list[Hit]:
        """The `top_k` nearest items the metadata store holds, best first.

        A vector whose metadata row is gone (a delete or a load caught halfway, until a repair)
        is not shown, and does not take a stored item's place: Milvus is asked for more items
        until `top_k` stored ones are found or it has no more to give.
        """
        limit = top_k
        while True:
            matches = await self._milvus.search(vector, limit)
            items = await self._metadata.get_items([match.id for match in matches])
            hits = [Hit.found(items[m.id], m) for m in matches if m.id in items]
            if len(hits) >= top_k or len(matches) < limit or limit >= MAX_LIMIT:
                return hits[:top_k]
            limit = min(limit * 4, MAX_LIMIT)
