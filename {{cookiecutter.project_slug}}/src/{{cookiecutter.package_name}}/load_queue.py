"""Where a load job's chunks run: in this process, or on `worker` processes through Redis.

Without QUEUE_URL, the web process runs each job's chunks itself, one after another, and needs
no service (Milvus Lite is one process anyway). With it, SAQ carries each chunk over Redis to
`<package> worker` processes on any number of machines. A worker sends heartbeats while a chunk
runs; when they stop (the worker died), the other workers' sweep hands the chunk to one of them
after `CHUNK_HEARTBEAT` seconds, with no new message needed. A chunk that fails is retried with
a growing pause, `CHUNK_RETRIES` times in all.
"""

import asyncio
import contextlib
from collections.abc import Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from redis.exceptions import RedisError
from saq import Job, Queue

from .config import Settings
from .uploads import RowBlock

# The task name workers know a chunk by.
LOAD_CHUNK = "load_chunk"


class QueueUnavailableError(RuntimeError):
    """The queue cannot take chunks: Redis is down or out of reach."""


@dataclass(frozen=True)
class Chunk:
    """One task of a job: records as (position, label, the record as a task carries it), or a
    block of a text file's rows, read when the chunk runs."""

    job_id: str
    index: int
    records: list[tuple[int, str, dict[str, Any]]] = field(default_factory=list)
    block: RowBlock | None = None

    def items(self) -> list[tuple[int, str, dict[str, Any]]]:
        """The chunk's records, a block's rows read (the line is the position)."""
        if self.block is None:
            return self.records
        return [(line, f"line {line}", row) for line, row in self.block.read()]

    def payload(self) -> dict[str, Any]:
        """The chunk as a queue message (JSON)."""
        block = None if self.block is None else self.block.payload()
        return {"job_id": self.job_id, "index": self.index, "records": self.records, "block": block}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "Chunk":
        records = [(int(p), str(label), dict(data)) for p, label, data in payload["records"]]
        block = payload.get("block")
        return cls(
            str(payload["job_id"]),
            int(payload["index"]),
            records,
            None if block is None else RowBlock.from_payload(block),
        )


class ChunkQueue(Protocol):
    async def enqueue(self, chunks: Sequence[Chunk]) -> None:
        """Hand over one job's chunks, in order."""
        ...

    async def close(self) -> None: ...


class InProcessQueue:
    """Runs each job's chunks in a background task of this process."""

    def __init__(self, run: Callable[[str, Sequence[Chunk]], Coroutine[Any, Any, None]]) -> None:
        self._run = run
        self._running: set[asyncio.Task[None]] = set()

    async def enqueue(self, chunks: Sequence[Chunk]) -> None:
        if not chunks:
            return
        task = asyncio.create_task(self._run(chunks[0].job_id, chunks))
        self._running.add(task)
        task.add_done_callback(self._running.discard)

    async def close(self) -> None:
        """Stop the running jobs; each marks itself failed as interrupted."""
        for task in self._running:
            task.cancel()
        await asyncio.gather(*self._running, return_exceptions=True)


class RedisQueue:
    """Puts chunks on a SAQ queue in Redis, one per collection, for `worker` processes."""

    def __init__(self, settings: Settings) -> None:
        if not settings.queue_url:
            raise ValueError("queue_url is not set")
        self.saq = saq_queue(settings)
        self._settings = settings

    async def enqueue(self, chunks: Sequence[Chunk]) -> None:
        try:
            for chunk in chunks:
                await self._enqueue(chunk)
        except RedisError as exc:
            raise QueueUnavailableError(
                f"the load queue is unavailable ({type(exc).__name__})"
            ) from exc

    async def _enqueue(self, chunk: Chunk) -> None:
        settings = self._settings
        await self.saq.enqueue(
            Job(
                function=LOAD_CHUNK,
                kwargs=chunk.payload(),
                # One message per chunk, however often it is queued.
                key=f"{chunk.job_id}:{chunk.index}",
                timeout=settings.chunk_timeout,
                heartbeat=settings.chunk_heartbeat,
                retries=settings.chunk_retries,
                retry_delay=1.0,
                retry_backoff=60.0,
            )
        )

    async def close(self) -> None:
        # With Redis gone, disconnecting fails on the way (it says goodbye over the wire);
        # there is nothing left to close then.
        with contextlib.suppress(RedisError):
            await self.saq.disconnect()


def saq_queue(settings: Settings) -> Queue:
    """The SAQ queue of this collection's chunks (services sharing one Redis stay apart)."""
    return Queue.from_url(str(settings.queue_url), name=f"{settings.collection}_load")
