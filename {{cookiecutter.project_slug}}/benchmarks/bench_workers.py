"""Measure how loads scale with `worker` processes: the same load with 1 worker, then with 2.

    python benchmarks/bench_workers.py [--copies 4] [--workers 1 2]

Loads the sample data, `--copies` times over as one job, through Redis to `--workers` worker
processes, into a fresh collection each run.
Needs a Milvus server, MySQL/MariaDB and Redis: BENCH_MILVUS_URI, BENCH_DATABASE_URL and
BENCH_QUEUE_URL, or else it starts its own from the tests' helpers (Debian's mariadb-server
and redis-server, the `milvus` package). Prints figures; asserts nothing.
"""

import argparse
import asyncio
import os
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, replace
from pathlib import Path

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.records import Record, parse_files, sample_data
from {{ cookiecutter.package_name }}.schemas import JobState
from {{ cookiecutter.package_name }}.services import close_services, open_services
from {{ cookiecutter.package_name }}.uploads import ParsedUpload, files_at

PROJECT_ROOT = Path(__file__).resolve().parents[1]
PREFIX = "{{ cookiecutter.package_name|upper }}_"
# Positions (line numbers, file indexes) of one copy of the sample stay below this.
COPY_SPAN = 1_000_000


@dataclass(frozen=True)
class Worker:
    process: subprocess.Popen[bytes]
    log: Path

    def ready(self) -> bool:
        """Whether it has loaded the model and listens on the queue."""
        assert self.process.poll() is None, self.log.read_text()
        return "ready on queue" in self.log.read_text()


def servers(stack: ExitStack) -> tuple[str, str, str]:
    """Milvus, database and queue URLs: from the environment, or servers started here."""
    urls = [os.environ.get(f"BENCH_{name}") for name in ("MILVUS_URI", "DATABASE_URL", "QUEUE_URL")]
    if all(urls):
        return urls[0] or "", urls[1] or "", urls[2] or ""
    sys.path.insert(0, str(PROJECT_ROOT / "tests"))
    from servers import MariaDB, MilvusServer, Redis

    milvus, mariadb, redis = MilvusServer(), MariaDB(), Redis()
    for server in (milvus, mariadb, redis):
        server.start()
        stack.callback(server.remove)
    database = mariadb.create_database("bench", "bench", uuid.uuid4().hex)
    return milvus.uri, database, redis.url


def copies_of(parsed: ParsedUpload[Record], copies: int) -> ParsedUpload[Record]:
    """The sample `copies` times over, each copy at positions (lines) of its own."""
    many: ParsedUpload[Record] = ParsedUpload()
    for copy in range(copies):
        offset = copy * COPY_SPAN
        for position, record in parsed.records:
            many.records.append((offset + position, record))
            many.labels[offset + position] = parsed.label(position)
            if position in parsed.files:
                many.files[offset + position] = parsed.files[position]
        many.blocks += [replace(b, first_line=offset + b.first_line) for b in parsed.blocks]
    return many


def start_workers(settings: Settings, folder: Path, count: int) -> list[Worker]:
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT / "src"),
        **{PREFIX + key.upper(): str(value) for key, value in settings.model_dump().items()
           if value is not None and key in {"milvus_uri", "database_url", "queue_url",
                                            "collection", "table_prefix", "batch_size"}},
    }  # fmt: skip
    workers = []
    for number in range(count):
        log = folder / f"{settings.collection}-{number}.log"
        with log.open("w") as out:
            process = subprocess.Popen(
                [sys.executable, "-m", "{{ cookiecutter.package_name }}", "worker"],
                cwd=folder,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        workers.append(Worker(process, log))
    # Time the load, not the workers' start (each loads the model).
    while not all(worker.ready() for worker in workers):
        time.sleep(0.2)
    return workers


async def one_run(settings: Settings, folder: Path, count: int, copies: int) -> float:
    """Seconds from accepting the load to its end, with `count` worker processes."""
    workers = start_workers(settings, folder, count)
    services = await open_services(settings)
    try:
        files = files_at(sample_data(settings), "sample")
        parsed = copies_of(parse_files(files, settings), copies)
        started = time.perf_counter()
        job = await services.ingestor.load_now("bench", "sample", parsed)
        elapsed = time.perf_counter() - started
    finally:
        await close_services(services)
        for worker in workers:
            worker.process.terminate()
            worker.process.wait(timeout=60)
    assert job.state is JobState.SUCCEEDED, job.message
    print(
        f"{count} worker(s): {job.loaded:,} items in {elapsed:.1f} s "
        f"({job.loaded / elapsed:,.0f} items/s), {job.chunks} chunks on {len(job.workers)} workers"
    )
    return elapsed


async def benchmark(copies: int, counts: list[int]) -> None:
    with ExitStack() as stack:
        milvus_uri, database_url, queue_url = servers(stack)
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        times = {}
        for workers in counts:
            name = f"bench_{uuid.uuid4().hex[:8]}"
            settings = Settings(
                _env_file=None,
                milvus_uri=milvus_uri,
                database_url=database_url,
                queue_url=queue_url,
                collection=name,
                table_prefix=f"{name}_",
            )
            times[workers] = await one_run(settings, folder, workers, copies)
        first = counts[0]
        for workers in counts[1:]:
            print(f"{workers} workers load {times[first] / times[workers]:.2f}x as fast as {first}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=1, help="load the sample this many times")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    asyncio.run(benchmark(args.copies, args.workers))


if __name__ == "__main__":
    main()
