"""Command line: load files, search and count through the same code the API uses, or serve."""

import argparse
import asyncio
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import uvicorn
from pydantic import ValidationError

from . import consistency
from .config import Settings
from .encoders import InvalidQueryError
from .records import SearchRequest, parse_upload, sample_data
from .schemas import Job, JobState
from .services import close_services, open_services
from .uploads import InvalidUploadError, describe_invalid


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            overrides = {"host": args.host, "port": args.port, "workers": args.workers}
            return serve(Settings(**{k: v for k, v in overrides.items() if v is not None}))
        return int(asyncio.run(args.run(Settings(), args)))
    except ValidationError as exc:
        print(f"error: {describe_invalid(exc)}", file=sys.stderr)
    except (InvalidUploadError, InvalidQueryError, OSError) as exc:
        print(f"error: {exc}", file=sys.stderr)
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="{{ cookiecutter.package_name }}", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    load = commands.add_parser("load", help="load a file, or the sample data with --sample")
    source = load.add_mutually_exclusive_group(required=True)
    source.add_argument("path", nargs="?", type=Path, help="the file to load")
    source.add_argument("--sample", action="store_true", help="load this demo's sample data")
    load.add_argument(
        "--if-empty", action="store_true", help="do nothing when the store already holds items"
    )
    load.set_defaults(run=_load)

    search = commands.add_parser("search", help="print the items most similar to a query")
    search.add_argument("query", help="what to search for")
    search.add_argument("--top-k", type=int, default=None)
    search.set_defaults(run=_search)

    count = commands.add_parser("count", help="print how many items each store holds")
    count.set_defaults(run=_count)

    serve_cmd = commands.add_parser("serve", help="run the HTTP service")
    serve_cmd.add_argument("--host", default=None)
    serve_cmd.add_argument("--port", type=int, default=None)
    serve_cmd.add_argument("--workers", type=int, default=None)

    check = commands.add_parser("check", help="report ids that only one store holds")
    check.set_defaults(run=_check)

    repair = commands.add_parser("repair", help="remove ids that only one store holds")
    repair.set_defaults(run=_repair)
    return parser


async def _load(settings: Settings, args: argparse.Namespace) -> int:
    path: Path = sample_data(settings) if args.sample else args.path
    data = await asyncio.to_thread(path.read_bytes)
    parsed = await asyncio.to_thread(parse_upload, path.name, data)
    services = await open_services(settings)
    try:
        if args.if_empty and (existing := await services.metadata.count_items()):
            print(f"the store already holds {existing} items; nothing loaded")
            return 0
        job = await services.ingestor.load_now("cli", str(path), parsed, ProgressPrinter())
    finally:
        await close_services(services)
    print(f"\nloaded {job.loaded}, skipped {job.failed} of {job.total}: {job.state.value}")
    for error in job.errors[:10]:
        print(f"  {error.item}: {error.reason}")
    if job.message:
        print(f"error: {job.message}", file=sys.stderr)
    return 0 if job.state is JobState.SUCCEEDED else 1


class ProgressPrinter:
    """Prints done/total and the rate on one line, rewritten as a job advances."""

    def __init__(self) -> None:
        self._started = time.monotonic()

    def __call__(self, job: Job) -> None:
        rate = job.done / max(time.monotonic() - self._started, 1e-9)
        print(f"\r{job.done}/{job.total} items, {rate:,.0f}/s", end="", flush=True)


async def _search(settings: Settings, args: argparse.Namespace) -> int:
    request = SearchRequest.of(args.query, args.top_k)
    services = await open_services(settings)
    try:
        hits = await services.searcher.search(request)
    finally:
        await close_services(services)
    for hit in hits:
        fields = hit.model_dump(exclude={"id", "score"}).values()
        print(f"{hit.score:.4f}  #{hit.id}  " + "  ".join(str(value) for value in fields))
    return 0


async def _count(settings: Settings, args: argparse.Namespace) -> int:
    services = await open_services(settings)
    try:
        milvus, metadata = await services.milvus.count(), await services.metadata.count_items()
    finally:
        await close_services(services)
    print(f"milvus: {milvus}\nmetadata: {metadata}")
    return 0


async def _check(settings: Settings, args: argparse.Namespace) -> int:
    """Exit 0 when the stores agree, 1 when they drift."""
    services = await open_services(settings)
    try:
        report = await consistency.check(services.milvus, services.metadata)
    finally:
        await close_services(services)
    print(report.model_dump_json(indent=2))
    return 0 if report.consistent else 1


async def _repair(settings: Settings, args: argparse.Namespace) -> int:
    services = await open_services(settings)
    try:
        report = await consistency.repair(services.milvus, services.metadata)
    finally:
        await close_services(services)
    print(report.model_dump_json(indent=2))
    return 0


def serve(settings: Settings) -> int:
    uvicorn.run(
        "{{ cookiecutter.package_name }}.main:create_app",
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
    )
    return 0
