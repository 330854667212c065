"""Command line: load files, search and count through the same code the API uses, serve, or
bring the database schema up to date (db upgrade).

With --url, every command but serve, worker and db goes through a running service's HTTP API
instead (with the API key from the settings, when one is set); use that while a server holds a
Milvus Lite store, which one process at a time may open.
"""

import argparse
import asyncio
import copy
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, Protocol

import httpx
import uvicorn
from pydantic import ValidationError
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from . import consistency
from .config import Settings
from .consistency import DriftReport
from .encoders import InvalidQueryError
from .ingest import ProgressCallback, TooManyJobsError
from .metadata_store import LoadRunningError, ReindexRunningError
from .migrations import SchemaError, ensure_current, upgrade
from .milvus_store import SchemaMismatchError
from .records import Hit, SearchRequest, parse_files, sample_data
from .reindex import ReindexFailedError
from .remote import RemoteError, RemoteService
from .schemas import Counts, Job, JobState
from .services import Services, close_services, open_services, reindex_stores
from .store_lock import StoreInUseError, StoreLock
from .uploads import InvalidUploadError, describe_invalid, files_at
from .worker import run_worker


class Backend(Protocol):
    async def load(self, path: Path | None, on_progress: ProgressCallback) -> Job: ...
    async def search(self, request: SearchRequest) -> list[Hit]: ...
    async def count(self) -> Counts: ...
    async def check(self) -> DriftReport: ...
    async def repair(self) -> DriftReport: ...


class LocalService:
    """The stores opened in this process, driven by the same code the API runs."""

    def __init__(self, services: Services) -> None:
        self._services = services

    async def load(self, path: Path | None, on_progress: ProgressCallback) -> Job:
        path = path or sample_data(self._services.settings)
        files = await asyncio.to_thread(files_at, path, path.name)
        parsed = await asyncio.to_thread(parse_files, files, self._services.settings)
        return await self._services.ingestor.load_now("cli", str(path), parsed, on_progress)

    async def search(self, request: SearchRequest) -> list[Hit]:
        return await self._services.searcher.search(request)

    async def count(self) -> Counts:
        return Counts(
            milvus=await self._services.milvus.count(),
            metadata=await self._services.metadata.count_items(),
        )

    async def check(self) -> DriftReport:
        services = self._services
        return await consistency.check(services.milvus, services.metadata, services.files)

    async def repair(self) -> DriftReport:
        services = self._services
        return await consistency.repair(services.milvus, services.metadata, services.files)


@asynccontextmanager
async def backend(settings: Settings, url: str | None) -> AsyncIterator[Backend]:
    if url:
        key = settings.api_key
        headers = {"X-API-Key": key.get_secret_value()} if key else {}
        async with httpx.AsyncClient(base_url=url, headers=headers, timeout=60) as client:
            yield RemoteService(client)
        return
    async with opened_services(settings) as services:
        yield LocalService(services)


@asynccontextmanager
async def opened_services(settings: Settings) -> AsyncIterator[Services]:
    # Loading a model takes seconds: a spinner says so (on a terminal; nothing otherwise).
    with Console(stderr=True).status("loading the encoder and opening the stores"):
        services = await open_services(settings)
    try:
        yield services
    finally:
        await close_services(services)


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            overrides = {"host": args.host, "port": args.port, "workers": args.workers}
            return serve(Settings(**{k: v for k, v in overrides.items() if v is not None}))
        if args.command == "worker":
            return work(Settings(), args.concurrency)
        return int(asyncio.run(args.run(Settings(), args)))
    except ValidationError as exc:
        print(f"error: {describe_invalid(exc)}", file=sys.stderr)
    except (
        InvalidUploadError,
        InvalidQueryError,
        LoadRunningError,
        ReindexFailedError,
        ReindexRunningError,
        RemoteError,
        SchemaError,
        SchemaMismatchError,
        StoreInUseError,
        TooManyJobsError,
        OSError,
    ) as exc:
        print(f"error: {exc}", file=sys.stderr)
    except httpx.TransportError as exc:
        print(f"error: cannot reach the service: {exc}", file=sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="{{ cookiecutter.package_name }}", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    url_help = "use the service running at this URL (e.g. http://127.0.0.1:8000)"

    load = commands.add_parser("load", help="load a file, or the sample data with --sample")
    source = load.add_mutually_exclusive_group(required=True)
    source.add_argument("path", nargs="?", type=Path, help="the file, or folder of files, to load")
    source.add_argument("--sample", action="store_true", help="load this demo's sample data")
    load.add_argument(
        "--if-empty", action="store_true", help="do nothing when the store already holds items"
    )
    load.add_argument("--url", help=url_help)
    load.set_defaults(run=_load)

    search = commands.add_parser("search", help="print the items most similar to a query")
    search.add_argument("query", help="what to search for")
    search.add_argument("--top-k", type=int, default=None)
    search.add_argument("--url", help=url_help)
    search.set_defaults(run=_search)

    count = commands.add_parser("count", help="print how many items each store holds")
    count.add_argument("--url", help=url_help)
    count.set_defaults(run=_count)

    serve_cmd = commands.add_parser("serve", help="run the HTTP service")
    serve_cmd.add_argument("--host", default=None)
    serve_cmd.add_argument("--port", type=int, default=None)
    serve_cmd.add_argument("--workers", type=int, default=None)

    worker = commands.add_parser(
        "worker", help="run the load chunks queued in Redis (needs QUEUE_URL); run any number"
    )
    worker.add_argument("--concurrency", type=int, default=None, help="chunks run at once")

    check = commands.add_parser(
        "check", help="report ids that only one store holds, and files no item holds"
    )
    check.add_argument("--url", help=url_help)
    check.set_defaults(run=_check)

    repair = commands.add_parser(
        "repair",
        help="remove ids that only one store holds, and files no item holds (refused while a "
        "load runs)",
    )
    repair.add_argument("--url", help=url_help)
    repair.set_defaults(run=_repair)

    reindex = commands.add_parser(
        "reindex",
        help="encode every item again with the configured encoder into a new collection, then "
        "switch to it (after changing ENCODER); refused while a load runs",
    )
    reindex.add_argument(
        "--restart", action="store_true", help="take over a reindex that was interrupted"
    )
    reindex.add_argument("--url", help=url_help)
    reindex.set_defaults(run=_reindex)

    db = commands.add_parser("db", help="the metadata database's schema")
    db_commands = db.add_subparsers(dest="db_command", required=True)
    db_upgrade = db_commands.add_parser(
        "upgrade", help="bring the tables to this version's schema (run before serving it)"
    )
    db_upgrade.set_defaults(run=_db_upgrade)
    return parser


async def _load(settings: Settings, args: argparse.Namespace) -> int:
    async with backend(settings, args.url) as service:
        if args.if_empty and (existing := (await service.count()).metadata):
            print(f"the store already holds {existing} items; nothing loaded")
            return 0
        with _progress_bar() as progress:
            what = args.path.name if args.path else "the sample data"
            bar = progress.add_task(f"loading {what}", total=None)
            job = await service.load(
                args.path,
                lambda job: progress.update(bar, total=job.total, completed=job.done),
            )
    print(f"loaded {job.loaded}, skipped {job.failed} of {job.total}: {job.state.value}")
    for error in job.errors[:10]:
        print(f"  {error.item}: {error.reason}")
    if job.message:
        print(f"error: {job.message}", file=sys.stderr)
    return 0 if job.state is JobState.SUCCEEDED else 1


class RateColumn(ProgressColumn):
    """Items per second, as rich measures them."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed:,.0f} items/s" if task.speed else "", style="progress.data.speed")


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
    )


async def _search(settings: Settings, args: argparse.Namespace) -> int:
    request = SearchRequest.of(args.query, args.top_k)
    async with backend(settings, args.url) as service:
        hits = await service.search(request)
    for hit in hits:
        fields = hit.model_dump(exclude={"id", "score"}).values()
        print(f"{hit.score:.4f}  #{hit.id}  " + "  ".join(str(value) for value in fields))
    return 0


async def _count(settings: Settings, args: argparse.Namespace) -> int:
    async with backend(settings, args.url) as service:
        counts = await service.count()
    print(f"milvus: {counts.milvus}\nmetadata: {counts.metadata}")
    return 0


async def _check(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the stores agree, 1 when they drift."""
    async with backend(settings, args.url) as service:
        report = await service.check()
    print(report.model_dump_json(indent=2))
    return 0 if report.consistent else 1


async def _repair(settings: Settings, args: argparse.Namespace) -> int:
    async with backend(settings, args.url) as service:
        report = await service.repair()
    print(report.model_dump_json(indent=2))
    return 0


async def _reindex(settings: Settings, args: argparse.Namespace) -> int:
    if args.url:
        async with backend(settings, args.url) as service:
            assert isinstance(service, RemoteService)
            done = await service.reindex(args.restart)
    else:
        with _progress_bar() as progress:
            bar = progress.add_task("encoding the items again", total=None)
            done = await reindex_stores(
                settings,
                lambda items, total: progress.update(bar, total=total, completed=items),
                args.restart,
            )
    print(f"{done.items} items encoded again into {done.collection}, which serves from now on")
    if not done.replaced_dropped:
        print(
            f"{done.replaced} is kept for processes started before the switch: restart them, "
            "then drop it"
        )
    return 0


async def _db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    done = await upgrade(settings)
    if done.before == done.after:
        print(f"database schema at revision {done.after}: nothing to do")
    else:
        print(f"database schema upgraded from revision {done.before or 'none'} to {done.after}")
    return 0


def work(settings: Settings, concurrency: int | None) -> int:
    if not settings.queue_url:
        print(
            "error: set {{ cookiecutter.package_name|upper }}_QUEUE_URL (redis://host:6379/0) "
            "for the worker to take chunks from",
            file=sys.stderr,
        )
        return 2
    # Refuse an old schema in one line here, rather than in a traceback from each chunk.
    asyncio.run(ensure_current(settings))
    if concurrency is not None:
        settings = settings.model_copy(update={"worker_concurrency": concurrency})
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    asyncio.run(run_worker(settings))
    return 0


def serve(settings: Settings) -> int:
    if settings.uses_milvus_lite:
        # Refuse in one line here, rather than in a traceback from the app's startup.
        StoreLock.acquire(Path(settings.milvus_uri)).release()
    # And an old schema, once, before uvicorn starts its workers (an empty database gets its
    # tables here, in this one process).
    asyncio.run(ensure_current(settings))
    uvicorn.run(
        "{{ cookiecutter.package_name }}.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=_log_config(),
    )
    return 0


class RefusalsInOneLine(logging.Filter):
    """uvicorn logs a failed start-up as the whole traceback; a refusal this package words for
    a person (another encoder's collection, an old schema, a store in use) needs only its line."""

    REFUSALS = (SchemaError, SchemaMismatchError, StoreInUseError)

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if message.startswith("Traceback"):
            last = message.rstrip().rpartition("\n")[2]
            for refusal in self.REFUSALS:
                name = f"{refusal.__module__}.{refusal.__qualname__}: "
                if last.startswith(name):
                    record.msg, record.args = last.removeprefix(name), ()
        return True


def _log_config() -> dict[str, Any]:
    """uvicorn's own logging, plus this package's INFO lines (the encoder loading, say), in
    every worker process uvicorn starts."""
    config: dict[str, Any] = copy.deepcopy(uvicorn.config.LOGGING_CONFIG)
    config["filters"] = {"refusals": {"()": RefusalsInOneLine}}
    config["handlers"]["default"]["filters"] = ["refusals"]
    config["loggers"]["{{ cookiecutter.package_name }}"] = {
        "handlers": ["default"],
        "level": "INFO",
        "propagate": False,
    }
    return config
