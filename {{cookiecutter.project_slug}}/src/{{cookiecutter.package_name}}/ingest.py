"""Load jobs: accepted at once, run in the background, written to both stores batch by batch.

Each batch is read and encoded off the event loop, written to the metadata store (which hands
out the ids) and then to Milvus. If the Milvus write fails the batch is removed from both stores
again, so neither keeps an item the other lacks; if the metadata write itself fails, whatever of
the batch it may have committed is removed. A removal that cannot reach its store (it is down) is
retried in the background until it can. A job's final state is saved the same way, so a job
interrupted by a database outage still ends `failed`, with the reason, once the database is back.
"""

import asyncio
import functools
import logging
import uuid
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field

from .encoders import Encoder, EncodingError, Vector
from .metadata_store import MAX_JOB_ERRORS, MetadataStore, now
from .milvus_store import MilvusStore
from .records import EncoderInput, Record
from .schemas import ItemError, Job, JobState
from .uploads import InvalidItemError, ParsedUpload

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[Job], None]
INTERRUPTED = "interrupted: the service stopped during the load"
# Pause between attempts to reach a store that is down, and how long to keep trying.
RETRY_PAUSE = 1.0
RETRY_FOR = 600.0


def new_job(kind: str, source: str, parsed: ParsedUpload[Record]) -> Job:
    """A queued job; lines that failed to parse already count as done and failed."""
    created = now()
    return Job(
        id=uuid.uuid4().hex,
        kind=kind,
        source=source,
        state=JobState.QUEUED,
        total=parsed.total,
        done=len(parsed.errors),
        failed=len(parsed.errors),
        errors=parsed.errors[:MAX_JOB_ERRORS],
        created_at=created,
        updated_at=created,
    )


class Ingestor:
    def __init__(
        self,
        metadata: MetadataStore,
        milvus: MilvusStore,
        encoder: Encoder[EncoderInput],
        batch_size: int,
    ) -> None:
        self._metadata = metadata
        self._milvus = milvus
        self._encoder = encoder
        self._batch_size = batch_size
        self._running: set[asyncio.Task[Job]] = set()
        self._retrying: set[asyncio.Task[None]] = set()

    async def submit(self, kind: str, source: str, parsed: ParsedUpload[Record]) -> Job:
        """Record a job and start it in the background; return it while still queued."""
        job = await self._create(kind, source, parsed)
        task = asyncio.create_task(self.run(job.model_copy(deep=True), parsed))
        self._running.add(task)
        task.add_done_callback(self._running.discard)
        return job

    async def load_now(
        self,
        kind: str,
        source: str,
        parsed: ParsedUpload[Record],
        on_progress: ProgressCallback | None = None,
    ) -> Job:
        """Record a job and run it to the end in the caller's task (the CLI's way)."""
        job = await self._create(kind, source, parsed)
        return await self.run(job, parsed, on_progress)

    async def _create(self, kind: str, source: str, parsed: ParsedUpload[Record]) -> Job:
        job = new_job(kind, source, parsed)
        await self._metadata.create_job(job)
        return job

    async def run(
        self,
        job: Job,
        parsed: ParsedUpload[Record],
        on_progress: ProgressCallback | None = None,
    ) -> Job:
        """Load the records batch by batch, saving progress; the job ends succeeded or failed."""
        job.state = JobState.RUNNING
        try:
            await self._metadata.save_job(job)
            for batch in _batches(parsed.records, self._batch_size):
                await self._load_batch(job, parsed, batch)
                await self._metadata.save_job(job)
                if on_progress:
                    on_progress(job)
            await self._milvus.flush()
            job.state = JobState.SUCCEEDED
        except asyncio.CancelledError:
            job.state = JobState.FAILED
            job.message = INTERRUPTED
            await asyncio.shield(self._metadata.save_job(job))
            raise
        except Exception as exc:
            logger.exception("load job %s failed", job.id)
            job.state = JobState.FAILED
            job.message = f"{type(exc).__name__}: {exc}"
        await _until_done(lambda: self._metadata.save_job(job), f"saving job {job.id}")
        return job

    async def _load_batch(
        self, job: Job, parsed: ParsedUpload[Record], batch: Sequence[tuple[int, Record]]
    ) -> None:
        encoded = await asyncio.to_thread(self._encode, batch)
        for position, reason in encoded.errors:
            _fail_item(job, parsed.label(position), reason)
        try:
            ids = await self._metadata.add_items(job.id, encoded.records)
        except Exception:
            # The connection may have dropped after the commit went through: take out whatever
            # of the batch landed, once the database answers again.
            positions = [position for position, _ in encoded.records]
            remove = functools.partial(self._metadata.delete_batch, job.id, positions)
            self._retry(remove, "removing a half-known batch from the metadata store")
            raise
        try:
            await self._milvus.insert(ids, encoded.vectors)
        except BaseException:
            await self._undo(ids)
            raise
        job.loaded += len(ids)
        job.done += len(batch)

    def _encode(self, batch: Sequence[tuple[int, Record]]) -> "EncodedBatch":
        """Read each record's inputs and encode them all at once; runs in a worker thread."""
        encoded = EncodedBatch()
        readable: list[tuple[int, Record, int]] = []
        inputs: list[EncoderInput] = []
        for position, record in batch:
            try:
                parts = record.encoder_inputs()
            except InvalidItemError as exc:
                encoded.errors.append((position, str(exc)))
                continue
            readable.append((position, record, len(parts)))
            inputs.extend(parts)
        results = iter(self._encoder.encode_batch(inputs))
        for position, record, size in readable:
            vectors = [next(results) for _ in range(size)]
            failure = next((v for v in vectors if isinstance(v, EncodingError)), None)
            if failure is not None:
                encoded.errors.append((position, failure.reason))
            else:
                encoded.records.append((position, record))
                encoded.vectors.append([v for v in vectors if not isinstance(v, EncodingError)])
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
        """Stop running jobs, each marking itself failed as interrupted, and pending removals
        (what they leave behind, `repair` removes)."""
        for task in (*self._running, *self._retrying):
            task.cancel()
        await asyncio.gather(*self._running, *self._retrying, return_exceptions=True)


async def _until_done(attempt: Callable[[], Awaitable[object]], what: str) -> None:
    """Run `attempt` until it succeeds, pausing between tries, for up to RETRY_FOR seconds."""
    deadline = asyncio.get_running_loop().time() + RETRY_FOR
    while True:
        try:
            await attempt()
            return
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                logger.exception("%s: gave up after %.0f s", what, RETRY_FOR)
                raise
            logger.warning("%s failed; retrying in %.0f s", what, RETRY_PAUSE)
            await asyncio.sleep(RETRY_PAUSE)


@dataclass
class EncodedBatch:
    """A batch after encoding: the usable records with their vectors, and why others failed."""

    records: list[tuple[int, Record]] = field(default_factory=list)
    vectors: list[list[Vector]] = field(default_factory=list)
    errors: list[tuple[int, str]] = field(default_factory=list)


def _fail_item(job: Job, item: str, reason: str) -> None:
    job.failed += 1
    if len(job.errors) < MAX_JOB_ERRORS:
        job.errors.append(ItemError(item=item, reason=reason))


def _batches(
    records: Sequence[tuple[int, Record]], size: int
) -> Iterator[Sequence[tuple[int, Record]]]:
    for start in range(0, len(records), size):
        yield records[start : start + size]
