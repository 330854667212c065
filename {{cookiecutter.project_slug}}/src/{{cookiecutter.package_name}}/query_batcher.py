"""Concurrent searches' queries encoded together, on one inference thread.

A model answers a batch of 32 queries in little more than the time it takes for one, but each
search asks alone. The batcher gathers the queries that arrive while the model is busy (and, if
`max_wait` is set, for up to that long after the first when the batch is not full), encodes
them in one `encode_batch` call on its own thread, and answers each search with its own vector.
A query the model cannot encode fails only its own search.

One thread is enough: the model spreads each batch over the cores itself (torch, onnxruntime),
and more threads calling it at once only make them fight over the same cores.
"""

import asyncio
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Generic, TypeVar

from .encoders import Encoder, EncodingError, InvalidQueryError, Vector

InputT = TypeVar("InputT")


class QueryBatcher(Generic[InputT]):
    def __init__(self, encoder: Encoder[InputT], max_batch: int, max_wait: float) -> None:
        self._encoder = encoder
        self._max_batch = max_batch
        self._max_wait = max_wait
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inference")
        self._pending: list[tuple[InputT, asyncio.Future[Vector]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def encode(self, query: InputT) -> Vector:
        """The query's vector; raises InvalidQueryError if the model cannot encode it."""
        future: asyncio.Future[Vector] = asyncio.get_running_loop().create_future()
        self._pending.append((query, future))
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        """Encode batches until no query is waiting."""
        while self._pending:
            if len(self._pending) < self._max_batch and self._max_wait > 0:
                await asyncio.sleep(self._max_wait)
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            # A search whose client went away needs no vector.
            live = [(query, future) for query, future in batch if not future.done()]
            if live:
                await self._encode([query for query, _ in live], [f for _, f in live])

    async def _encode(
        self, queries: list[InputT], futures: Sequence[asyncio.Future[Vector]]
    ) -> None:
        loop = asyncio.get_running_loop()
        encode = self._encoder.encode_batch
        try:
            results = await loop.run_in_executor(self._executor, encode, queries)
        except Exception as exc:  # the model itself failed: every search of the batch says so
            for future in futures:
                if not future.done():
                    future.set_exception(exc)
            return
        for future, result in zip(futures, results, strict=True):
            if future.done():
                continue
            if isinstance(result, EncodingError):
                future.set_exception(InvalidQueryError(result.reason))
            else:
                future.set_result(result)

    async def close(self) -> None:
        """Let the batch in hand finish, then stop the inference thread."""
        if self._runner is not None:
            await asyncio.gather(self._runner, return_exceptions=True)
        self._executor.shutdown(wait=True)
