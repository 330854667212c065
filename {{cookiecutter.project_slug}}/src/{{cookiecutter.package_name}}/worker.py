"""`{{ cookiecutter.package_name }} worker`: runs the load chunks that web processes queue in Redis.

Start as many as the machines allow, on any machine that reaches Redis and the same stores as
the web processes; each opens the stores and loads the model once, then runs
`worker_concurrency` chunks at a time. Stop one with Ctrl-C or SIGTERM: it finishes nothing
half-way that another worker will not redo, since every chunk is idempotent.
"""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import Any

from saq import Job, Status, Worker
from saq.types import Context, TimersDict

from .config import Settings
from .ingest import WORKER_NAME
from .load_queue import LOAD_CHUNK, Chunk, saq_queue
from .services import Services, close_services, open_services

logger = logging.getLogger(__name__)
# Heartbeats per heartbeat period: a few, so one late beat does not get a live chunk swept.
BEATS_PER_PERIOD = 4


class WorkerContext(Context, total=False):
    services: Services


async def chunk_ended(ctx: WorkerContext) -> None:
    """After a chunk's last attempt failed in a way the task itself cannot see (SAQ cancelled
    it at its timeout), fail its job with the reason instead of leaving it running."""
    job = ctx["job"]
    if job.status is Status.FAILED and job.kwargs:
        chunk = Chunk.from_payload(job.kwargs)
        reason = ctx.get("exception")
        message = f"{type(reason).__name__}: {reason}" if reason else "the chunk failed"
        await ctx["services"].metadata.fail_chunk(chunk.job_id, chunk.index, message)


async def load_chunk(ctx: WorkerContext, **payload: Any) -> None:
    """The task: one chunk, with heartbeats while it runs."""
    services, job = ctx["services"], ctx["job"]
    chunk = Chunk.from_payload(payload)
    async with _heartbeats(job, services.settings.chunk_heartbeat / BEATS_PER_PERIOD):
        await services.ingestor.run_chunk(chunk, WORKER_NAME, last_try=not job.retryable)


@contextlib.asynccontextmanager
async def _heartbeats(job: Job, every: float) -> AsyncIterator[None]:
    async def beat() -> None:
        while True:
            await asyncio.sleep(every)
            await job.update()

    task = asyncio.create_task(beat())
    try:
        yield
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task


async def run_worker(settings: Settings) -> None:
    """Run chunks until stopped by SIGINT or SIGTERM."""
    queue = saq_queue(settings)

    async def startup(ctx: WorkerContext) -> None:
        ctx["services"] = await open_services(settings)
        logger.info("worker %s ready on queue %s", WORKER_NAME, queue.name)

    async def shutdown(ctx: WorkerContext) -> None:
        if "services" in ctx:
            await close_services(ctx["services"])

    worker: Worker[WorkerContext] = Worker(
        queue,
        functions=[(LOAD_CHUNK, load_chunk)],
        concurrency=settings.worker_concurrency,
        startup=startup,
        shutdown=shutdown,
        after_process=chunk_ended,
        # SAQ's own periods, but for the sweep: how often each worker looks for chunks whose
        # worker stopped sending heartbeats (SAQ's default is a minute).
        timers=TimersDict(
            schedule=1, worker_info=10, abort=1, sweep=max(1, settings.chunk_heartbeat // 2)
        ),
        shutdown_grace_period_s=settings.chunk_heartbeat,
    )
    await queue.connect()
    try:
        await worker.start()
    finally:
        await queue.disconnect()
