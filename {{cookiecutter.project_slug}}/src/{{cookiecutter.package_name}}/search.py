"""A search: query -> encoder -> Milvus -> metadata -> ranked hits."""

import asyncio

from .encoders import Encoder, InvalidQueryError
from .metadata_store import MetadataStore
from .milvus_store import MilvusStore
from .records import EncoderInput, Hit, SearchRequest


class Searcher:
    def __init__(
        self,
        encoder: Encoder[EncoderInput],
        milvus: MilvusStore,
        metadata: MetadataStore,
        default_top_k: int,
        max_top_k: int,
    ) -> None:
        self._encoder = encoder
        self._milvus = milvus
        self._metadata = metadata
        self._default_top_k = default_top_k
        self._max_top_k = max_top_k

    async def search(self, request: SearchRequest) -> list[Hit]:
        top_k = request.top_k or self._default_top_k
        if top_k > self._max_top_k:
            raise InvalidQueryError(f"top_k must be between 1 and {self._max_top_k}, got {top_k}")
        vector = await asyncio.to_thread(self._encoder.encode_query, request.encoder_input())
        matches = await self._milvus.search(vector, top_k)
        items = await self._metadata.get_items([match.id for match in matches])
        # A vector whose metadata row is gone (a delete caught halfway) is not shown.
        return [Hit.found(items[m.id], m) for m in matches if m.id in items]
