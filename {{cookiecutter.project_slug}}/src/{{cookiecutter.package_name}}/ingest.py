"""Load jobs: accepted at once, split into chunks, each chunk written to both stores.

A job is a row in the metadata store and a list of chunks, a batch of records each, that the
queue (load_queue.py) hands to whoever runs them: the web process itself, or `worker` processes.
Every chunk runs `Ingestor.run_chunk`, wherever it runs.

A chunk may run twice (its worker died after writing, or before the queue heard it finished),
so it first removes whatever an earlier attempt left: items are keyed by (job, position). Then
it encodes its records off the event loop and writes them metadata-then-Milvus; if the Milvus
write fails, the batch is removed from both stores again, so neither keeps an item the other
lacks. A removal that cannot reach its store (it is down) is retried in the background until it
can. Each chunk saves its counts with its end state in one transaction, so a job's progress is
right whichever worker ran which chunk.
"""

import asyncio
import functools
import logging
import os
import socket
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import ValidationError
from tenacity import AsyncRetrying, stop_after_delay, wait_exponential

from .config import Settings
from .encoders import Encoder, EncodingError, Vector
from .item_files import ItemFiles
from .load_queue import Chunk, ChunkQueue, QueueUnavailableError
from .metadata_store import (
    MAX_JOB_ERRORS,
    ChunkResult,
    MetadataStore,
    ReindexRunningError,
    now,
)
from .milvus_store import MilvusStore
from .records import EncoderInput, Record
from .schemas import ItemError, Job, JobState
from .uploads import InvalidItemError, InvalidUploadError, ParsedUpload, describe_invalid

logger = logging.getLogger(__name__)
T = TypeVar("T")

ProgressCallback = Callable[[Job], None]
INTERRUPTED = "interrupted: the service stopped during the load"
# How long to keep trying to reach a store that is down, for a write that must happen.
RETRY_FOR = 600.0
# How often a caller following a job reads its progress, in seconds.
FOLLOW_EVERY = 0.2
# This process, as a job names the workers that ran its chunks.
WORKER_NAME = f"{socket.gethostname()}:{os.getpid()}"


def new_job(kind: str, source: str, total: int, errors: list[ItemError], chunks: int) -> Job:
    """A queued job; items that could not be read already count as done and failed. A job of
    no chunk (every item was bad) has nothing left to do."""
    created = now()
    return Job(
        id=uuid.uuid4().hex,
        kind=kind,
        source=source,
        state=JobState.QUEUED if chunks else JobState.SUCCEEDED,
        total=total,
        done=len(errors),
        failed=len(errors),
        errors=errors[:MAX_JOB_ERRORS],
        chunks=chunks,
        created_at=created,
        updated_at=created,
    )


class TooManyItemsError(InvalidUploadError):
    """A load larger than one job may be: the message says the limit."""


class TooManyJobsError(RuntimeError):
    """As many loads as may run at once are queued or running already."""


class Ingestor:
    def __init__(
        self,
        metadata: MetadataStore,
        milvus: MilvusStore,
        encoder: Encoder[EncoderInput],
        settings: Settings,
        files: ItemFiles,
        queue: Callable[["Ingestor"], ChunkQueue],
    ) -> None:
        """`files` stores what items keep beside the two stores; `queue` makes the queue that
        runs the chunks, given this ingestor to run them."""
        self._metadata = metadata
        self._milvus = milvus
        self._encoder = encoder
        self._settings = settings
        self._files = files
        self.queue = queue(self)
        self._retrying: set[asyncio.Task[None]] = set()

    async def submit(self, kind: str, source: str, parsed: ParsedUpload[Record]) -> Job:
        """Record a job and queue its chunks; return it while still queued."""
        await self._refuse_beyond_limits(source, parsed.total)
        job, chunks = await self._plan(kind, source, parsed)
        try:
            # Again now that the job counts as unfinished: a reindex that starts meanwhile
            # sees this job, or this sees the reindex (each marks itself, then looks).
            await self._refuse_during_reindex()
        except ReindexRunningError as exc:
            await _must(functools.partial(self._metadata.fail_job, job.id, str(exc)))
            raise
        try:
            await self.queue.enqueue(chunks)
        except QueueUnavailableError as exc:
            # Chunks that made it into the queue find their job ended and do nothing.
            fail = functools.partial(self._metadata.fail_job, job.id, str(exc))
            await _must(fail)
            raise
        return job

    async def _refuse_during_reindex(self) -> None:
        """A load written while a reindex builds would miss the new collection; one written
        by a process still on the replaced collection would too."""
        record = await self._metadata.refuse_while_reindexing(self._settings.collection, "load")
        if record is not None and record.active != self._milvus.collection:
            raise ReindexRunningError(
                f"the collection was reindexed into {record.active!r}: restart this process "
                "(with the encoder it was reindexed with) to load into it"
            )

    async def _refuse_beyond_limits(self, source: str, total: int) -> None:
        await self._refuse_during_reindex()
        # Every running job shares the encoder, and a job's chunks are held (in this process
        # or in Redis) until they run: both are bounded by the settings.
        running = await self._metadata.count_unfinished_jobs()
        if running >= self._settings.max_running_jobs:
            raise TooManyJobsError(
                f"{running} load job(s) queued or running, as many as may be at once "
                "(MAX_RUNNING_JOBS): try again when one has finished"
            )
        limit = self._settings.max_items_per_job
        if total > limit:
            raise TooManyItemsError(
                f"{source} holds {total:,} items; one load may hold {limit:,} "
                "(MAX_ITEMS_PER_JOB): split it"
            )

    async def load_now(
        self,
        kind: str,
        source: str,
        parsed: ParsedUpload[Record],
        on_progress: ProgressCallback | None = None,
    ) -> Job:
        """Submit a job and follow it until it ends or stalls (the CLI's way): the chunks run
        wherever the queue sends them, in this process or on the workers."""
        job = await self.submit(kind, source, parsed)
        read = functools.partial(self._job, job.id)
        while job.state in (JobState.QUEUED, JobState.RUNNING):
            await asyncio.sleep(FOLLOW_EVERY)
            job = await _must(read)
            if on_progress:
                on_progress(job)
        return job

    async def _job(self, job_id: str) -> Job:
        job = await self._metadata.get_job(job_id)
        if job is None:
            raise LookupError(f"job {job_id} is gone")
        return job

    async def _plan(
        self, kind: str, source: str, parsed: ParsedUpload[Record]
    ) -> tuple[Job, list[Chunk]]:
        """Stage the records for their tasks (a file an item keeps is stored), cut them into
        chunks of a batch each, and record the job."""
        staged, unreadable = await asyncio.to_thread(_stage, parsed, self._files)
        size = self._settings.batch_size
        batches = [staged[start : start + size] for start in range(0, len(staged), size)]
        errors = [*parsed.errors, *unreadable]
        job = new_job(kind, source, parsed.total, errors, len(batches) + len(parsed.blocks))
        chunks = [Chunk(job.id, index, batch) for index, batch in enumerate(batches)]
        chunks += [
            Chunk(job.id, index, block=block)
            for index, block in enumerate(parsed.blocks, start=len(batches))
        ]
        await self._metadata.create_job(job)
        return job, chunks

    async def run_in_order(self, job_id: str, chunks: Sequence[Chunk]) -> None:
        """Run a job's chunks one after another in this process; the first that fails ends
        the job failed."""
        current: asyncio.Task[Prepared] | None = None
        ahead: asyncio.Task[Prepared] | None = None
        try:
            for index, chunk in enumerate(chunks):
                current = ahead or asyncio.create_task(self._prepare(chunk))
                await asyncio.wait({current})
                # The next chunk is read and encoded while this one is written: the model and
                # the stores work at once, one chunk ahead at most.
                following = chunks[index + 1 : index + 2]
                ahead = asyncio.create_task(self._prepare(following[0])) if following else None
                await self.run_chunk(chunk, prepared=current)
        except asyncio.CancelledError:
            await asyncio.shield(self._metadata.fail_job(job_id, INTERRUPTED))
            raise
        except Exception:
            logger.exception("load job %s failed", job_id)
        finally:
            left = [task for task in (current, ahead) if task is not None and not task.done()]
            for task in left:
                task.cancel()
            await asyncio.gather(*left, return_exceptions=True)

    async def run_chunk(
        self,
        chunk: Chunk,
        worker: str = WORKER_NAME,
        last_try: bool = True,
        prepared: Awaitable["Prepared"] | None = None,
    ) -> None:
        """Load one chunk, unless its job has ended or an earlier attempt finished it;
        `prepared` is the chunk already read and encoded, if it was.

        On failure the exception propagates (for the queue to retry); on the `last_try` the
        job is first marked failed with the reason.
        """
        if not await _must(lambda: self._metadata.start_chunk(chunk.job_id, chunk.index, worker)):
            return
        try:
            result = await self._load(chunk, await (prepared or self._prepare(chunk)))
        except Exception as exc:
            if last_try:
                message = f"{type(exc).__name__}: {exc}"
                await _must(lambda: self._metadata.fail_chunk(chunk.job_id, chunk.index, message))
            raise
        finished = await _must(
            lambda: self._metadata.finish_chunk(chunk.job_id, chunk.index, result)
        )
        if finished:
            await self._milvus.flush()

    async def _prepare(self, chunk: Chunk) -> "Prepared":
        """Read the chunk's records and encode them, off the event loop (no store touched)."""
        items = await asyncio.to_thread(chunk.items)
        return Prepared(items, await asyncio.to_thread(self._encode, items))

    async def _load(self, chunk: Chunk, prepared: "Prepared") -> ChunkResult:
        items, encoded = prepared.items, prepared.encoded
        positions = [position for position, _, _ in items]
        await self._forget_earlier_attempt(chunk.job_id, positions)
        result = ChunkResult(done=len(items), failed=len(encoded.errors))
        result.errors = [ItemError(item=label, reason=reason) for label, reason in encoded.errors]
        try:
            ids = await self._metadata.add_items(chunk.job_id, encoded.records)
        except Exception:
            # The connection may have dropped after the commit went through: take out whatever
            # of the batch landed, once the database answers again.
            remove = functools.partial(self._metadata.delete_batch, chunk.job_id, positions)
            self._retry(remove, "removing a half-known batch from the metadata store")
            raise
        if not ids:
            return result
        try:
            await self._milvus.insert(ids, encoded.vectors)
        except BaseException:
            await self._undo(ids)
            raise
        result.loaded = len(ids)
        return result

    async def _forget_earlier_attempt(self, job_id: str, positions: Sequence[int]) -> None:
        """Remove from both stores what an earlier attempt of this chunk wrote, if anything."""
        ids = await self._metadata.batch_ids(job_id, positions)
        if ids:
            logger.info("job %s: removing %d items an earlier attempt wrote", job_id, len(ids))
            await self._milvus.delete(ids)
            await self._metadata.delete_items(ids)

    def _encode(self, items: Sequence[tuple[int, str, dict[str, Any]]]) -> "EncodedBatch":
        encoded = encode_items(items, self._encoder, self._settings)
        # A file this load wrote for an item it could not read is held by no item: the load
        # leaves nothing behind.
        for task in encoded.unreadable:
            self._files.abandon(task)
        return encoded

    async def _undo(self, ids: list[int]) -> None:
        """Take a half-written batch out of both stores: Milvus may or may not hold it.

        A store that is down gets the removal later, retried in the background.
        """
        for remove, store in (
            (self._milvus.delete, "Milvus"),
            (self._metadata.delete_items, "the metadata store"),
        ):
            try:
                await remove(ids)
            except Exception:
                logger.warning("removing %d ids from %s failed; retrying", len(ids), store)
                self._retry(functools.partial(remove, ids), f"removing ids from {store}")

    def _retry(self, attempt: Callable[[], Awaitable[object]], what: str) -> None:
        task = asyncio.create_task(_until_done(attempt, what))
        self._retrying.add(task)
        task.add_done_callback(self._retrying.discard)

    async def settled(self) -> None:
        """Wait until the background removals have reached their stores."""
        await asyncio.gather(*self._retrying, return_exceptions=True)

    async def shutdown(self) -> None:
        """Stop this process's chunks, their jobs marking themselves failed as interrupted,
        and pending removals (what they leave behind, `repair` removes)."""
        await self.queue.close()
        for task in self._retrying:
            task.cancel()
        await asyncio.gather(*self._retrying, return_exceptions=True)


def encode_items(
    items: Sequence[tuple[int, str, dict[str, Any]]],
    encoder: Encoder[EncoderInput],
    settings: Settings,
) -> "EncodedBatch":
    """Read each record's inputs and encode them all at once; runs in a worker thread. Items
    are (position, label, the record as a task carries it)."""
    encoded = EncodedBatch()
    readable: list[tuple[int, str, Record, int]] = []
    inputs: list[EncoderInput] = []
    for position, label, data in items:
        try:
            record = Record.from_task(data, settings)
            parts = record.encoder_inputs()
        except InvalidItemError as exc:
            encoded.errors.append((label, str(exc)))
            encoded.unreadable.append(data)
            continue
        except ValidationError as exc:
            encoded.errors.append((label, describe_invalid(exc)))
            encoded.unreadable.append(data)
            continue
        readable.append((position, label, record, len(parts)))
        inputs.extend(parts)
    # A block's rows may all be bad: nothing to encode then.
    results = iter(encoder.encode_batch(inputs) if inputs else [])
    for position, label, record, size in readable:
        vectors = [next(results) for _ in range(size)]
        failure = next((v for v in vectors if isinstance(v, EncodingError)), None)
        if failure is not None:
            encoded.errors.append((label, failure.reason))
        else:
            encoded.records.append((position, record))
            encoded.vectors.append([v for v in vectors if not isinstance(v, EncodingError)])
    return encoded


def _retrying() -> AsyncRetrying:
    """Keep trying for up to RETRY_FOR seconds, waiting longer each time (at most 10 s)."""
    return AsyncRetrying(
        stop=stop_after_delay(RETRY_FOR),
        wait=wait_exponential(multiplier=0.5, max=10),
        before_sleep=lambda state: logger.warning(
            "attempt %d failed (%s); retrying", state.attempt_number, state.outcome
        ),
        reraise=True,
    )


async def _must(attempt: Callable[[], Awaitable[T]]) -> T:
    """A bookkeeping write that must land: retried while the metadata store is down."""
    async for retry in _retrying():
        with retry:
            return await attempt()
    raise AssertionError("unreachable: the last failure is raised")


async def _until_done(attempt: Callable[[], Awaitable[object]], what: str) -> None:
    """`_must`, for a background task: a final failure is logged, since nobody awaits it."""
    try:
        await _must(attempt)
    except Exception:
        logger.exception("%s: gave up after %.0f s", what, RETRY_FOR)
        raise


def _stage(
    parsed: ParsedUpload[Record], files: ItemFiles
) -> tuple[list[tuple[int, str, dict[str, Any]]], list[ItemError]]:
    """Each record as its task will carry it, and why others could not be staged."""
    staged, errors = [], []
    for position, record in parsed.records:
        try:
            task = files.stage(record.model_dump(), parsed.files.get(position))
            staged.append((position, parsed.label(position), task))
        except InvalidItemError as exc:
            errors.append(ItemError(item=parsed.label(position), reason=str(exc)))
    return staged, errors


@dataclass
class EncodedBatch:
    """A batch after encoding: the usable records with their vectors, why others failed, and
    the tasks of those that could not even be read (for their files to be abandoned)."""

    records: list[tuple[int, Record]] = field(default_factory=list)
    vectors: list[list[Vector]] = field(default_factory=list)
    errors: list[tuple[str, str]] = field(default_factory=list)
    unreadable: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class Prepared:
    """A chunk read and encoded, ready to be written."""

    items: list[tuple[int, str, dict[str, Any]]]
    encoded: EncodedBatch
