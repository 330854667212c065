"""Measure the service as its clients meet it, beside the limits measured in the same run.

    python benchmarks/bench_api.py [--scale 10] [--searches 256] [--port 8765]

Starts the real service (uvicorn, one process) on 127.0.0.1 over fresh Milvus Lite and SQLite
stores in a temporary folder, loads the sample data `--scale` times over, and prints:
- searches through HTTP with 1, 8 and 32 clients at once: p50, p99 and throughput;
- the limits: the encoder alone (one query at a time, and a batch of 32 at once) and raw
  pymilvus searching the same collection (after the service stopped: Lite has one owner);
- the load rate against the encoder-only rate; search p99 during a load against idle;
- the service's resident memory.
Each figure beside a limit is given as a ratio, which means something on a shared machine
where the seconds alone do not. Asserts nothing.
"""

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from pymilvus import MilvusClient

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder, Vector, load_encoder
from {{ cookiecutter.package_name }}.milvus_store import VECTOR_FIELD
from {{ cookiecutter.package_name }}.records import (
    EncoderInput,
    Record,
    SearchRequest,
    item_files,
    parse_files,
    sample_data,
)
from {{ cookiecutter.package_name }}.uploads import files_at

PACKAGE = "{{ cookiecutter.package_name }}"
PREFIX = PACKAGE.upper() + "_"
PROJECT_ROOT = Path(__file__).resolve().parents[1]
CLIENTS = (1, 8, 32)
TOP_K = 10
QUERY_BATCH = 32


@dataclass
class Timings:
    """Latencies of requests made in `wall` seconds."""

    latencies: list[float]
    wall: float

    @property
    def p50(self) -> float:
        return statistics.median(self.latencies)

    @property
    def p99(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[max(0, round(len(ordered) * 0.99) - 1)]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.wall


def report(label: str, timings: Timings) -> None:
    print(
        f"  {label:<34} p50 {timings.p50 * 1000:7.1f} ms  p99 {timings.p99 * 1000:7.1f} ms  "
        f"{timings.rate:8.1f}/s"
    )


def ratio(label: str, value: float, limit: float) -> None:
    print(f"  {label:<58} {value / limit:6.2f}x")


def time_calls(call: Callable[[int], object], count: int) -> Timings:
    latencies, started = [], time.perf_counter()
    for n in range(count):
        begun = time.perf_counter()
        call(n)
        latencies.append(time.perf_counter() - begun)
    return Timings(latencies, time.perf_counter() - started)


async def concurrently(
    clients: int, per_client: int, request: Callable[[int], Awaitable[None]]
) -> Timings:
    """`clients` loops at once, each making `per_client` requests one after another."""
    latencies: list[float] = []

    async def client(number: int) -> None:
        for n in range(per_client):
            begun = time.perf_counter()
            await request(number * per_client + n)
            latencies.append(time.perf_counter() - begun)

    started = time.perf_counter()
    await asyncio.gather(*(client(number) for number in range(clients)))
    return Timings(latencies, time.perf_counter() - started)


@dataclass
class Sample:
    """The sample data read as a load reads it: its records (the rows that are not records
    left out), and what the encoder is given for them."""

    records: list[Record]
    inputs: list[EncoderInput]

    @classmethod
    def read(cls, settings: Settings) -> "Sample":
        path = sample_data(settings)
        parsed = parse_files(files_at(path, path.name), settings)
        # As a load task carries them (a file an item keeps staged), then read.
        files = item_files(settings)
        tasks = [files.stage(r.model_dump(), parsed.files.get(p)) for p, r in parsed.records]
        for block in parsed.blocks:
            tasks += [row for _, row in block.read()]
        carried: list[Record] = []
        for task in tasks:
            with contextlib.suppress(ValueError):
                carried.append(Record.from_task(task, settings))
        return cls(carried, [part for record in carried for part in record.encoder_inputs()])


def scaled_copy(settings: Settings, root: Path, scale: int) -> str:
    """The sample data `scale` times over, under `root`; the path a load names it by."""
    source = sample_data(settings)
    target = root / "bench"
    target.mkdir(parents=True)
    if source.is_dir():
        for copy in range(scale):
            shutil.copytree(source, target / f"copy{copy}")
        return "bench"
    # A text file: its first line may be a header, so it is written once and the rest repeated.
    first, _, rest = source.read_bytes().partition(b"\n")
    rest = rest if rest.endswith(b"\n") else rest + b"\n"
    (target / source.name).write_bytes(first + b"\n" + rest * scale)
    return f"bench/{source.name}"


class Service:
    """The service, started as a user starts it (`<package> serve`), in `folder`."""

    def __init__(self, folder: Path, port: int) -> None:
        self.url = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "PYTHONPATH": str(PROJECT_ROOT / "src"),
            PREFIX + "PORT": str(port),
            PREFIX + "HOST": "127.0.0.1",
            PREFIX + "WORKERS": "1",
        }
        self._log = (folder / "service.log").open("w")
        self._process = subprocess.Popen(
            [sys.executable, "-m", PACKAGE, "serve"],
            cwd=folder,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    async def ready(self, client: httpx.AsyncClient) -> None:
        while True:
            if self._process.poll() is not None:
                raise RuntimeError(f"the service exited; see {self._log.name}")
            with contextlib.suppress(httpx.HTTPError):
                if (await client.get("/health")).status_code == 200:
                    return
            await asyncio.sleep(0.5)

    def resident_mb(self) -> float:
        status = Path(f"/proc/{self._process.pid}/status").read_text()
        line = next(line for line in status.splitlines() if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def stop(self) -> None:
        self._process.terminate()
        self._process.wait(timeout=60)
        self._log.close()


async def load(client: httpx.AsyncClient, path: str) -> tuple[dict[str, Any], float]:
    """Load a file or folder under the data root; the finished job and the seconds it took."""
    started = time.perf_counter()
    response = await client.post("/items/load", json={"path": path})
    response.raise_for_status()
    while True:
        job: dict[str, Any] = (await client.get(response.json()["status_url"])).json()
        if job["state"] in {"succeeded", "failed"}:
            return job, time.perf_counter() - started
        await asyncio.sleep(0.1)


def encoder_limits(
    encoder: Encoder[EncoderInput], sample: Sample, queries: Sequence[SearchRequest]
) -> dict[str, float]:
    """What the encoder alone manages: queries one at a time and in batches of 32 (queries
    per second), and the sample's items as a load encodes them (items per second)."""
    inputs = [query.encoder_input() for query in queries]
    single = time_calls(lambda n: encoder.encode_query(inputs[n]), len(inputs))
    batches = [inputs[start : start + QUERY_BATCH] for start in range(0, len(inputs), QUERY_BATCH)]
    batched = time_calls(lambda n: encoder.encode_batch(batches[n]), len(batches))
    loading = time_calls(lambda n: encoder.encode_batch(sample.inputs), 1)
    print("the encoder alone:")
    report("one query at a time", single)
    print(f"  {'batches of 32 queries':<34} {len(inputs) / batched.wall:8.1f} queries/s")
    items = len(sample.records)
    print(f"  {'the sample, as a load encodes it':<34} {items / loading.wall:8.1f} items/s")
    return {
        "single": single.p50,
        "batched": len(inputs) / batched.wall,
        "load": items / loading.wall,
    }


def raw_pymilvus(
    settings: Settings,
    folder: Path,
    encoder: Encoder[EncoderInput],
    queries: Sequence[SearchRequest],
) -> Timings:
    """The same searches straight to Milvus, one after another, with vectors ready."""
    vectors: list[Vector] = [encoder.encode_query(query.encoder_input()) for query in queries]
    client = MilvusClient(str(folder / settings.milvus_uri))
    try:
        client.load_collection(settings.collection)
        params = {"metric_type": encoder.metric.value, "params": settings.search_params}

        def search(n: int) -> None:
            client.search(
                settings.collection,
                data=[vectors[n % len(vectors)]],
                limit=TOP_K,
                anns_field=VECTOR_FIELD,
                search_params=params,
            )

        return time_calls(search, len(vectors))
    finally:
        client.close()


@dataclass
class ThroughHttp:
    """Searches by number of clients ("during": 8 during a load), and the load's items/s."""

    searches: dict[str, Timings]
    load_rate: float


async def through_http(
    service: Service, data_path: str, queries: Sequence[SearchRequest]
) -> ThroughHttp:
    """Load the data, then search with 1, 8 and 32 clients, and with 8 during a second load."""
    bodies = [query.http_body() for query in queries]
    found: dict[str, Timings] = {}
    async with httpx.AsyncClient(base_url=service.url, timeout=300) as client:
        await service.ready(client)
        print(f"service started: {service.resident_mb():.0f} MB resident")
        job, seconds = await load(client, data_path)
        print(
            f"load: {job['loaded']:,} of {job['total']:,} items in {seconds:.1f} s "
            f"({job['total'] / seconds:,.1f} items/s); {service.resident_mb():.0f} MB resident"
        )
        load_rate = job["total"] / seconds

        async def search(n: int) -> None:
            response = await client.post("/search", **bodies[n % len(bodies)])
            response.raise_for_status()

        print("searches through HTTP:")
        first = await concurrently(1, 1, search)
        found["first"] = first
        report("the first search after the load", first)
        await concurrently(1, 8, search)  # a few more, as a client would have made
        for clients in CLIENTS:
            found[f"{clients}"] = await concurrently(clients, len(bodies) // clients, search)
            report(f"{clients} client(s)", found[f"{clients}"])
        loading = asyncio.create_task(load(client, data_path))
        found["during"] = await concurrently(8, len(bodies) // 8, search)
        report("8 clients during a load", found["during"])
        still_loading = not loading.done()
        await loading
        if not still_loading:
            print("  (the load ended before the searches: use a larger --scale)")
        print(f"after it: {service.resident_mb():.0f} MB resident")
    return ThroughHttp(found, load_rate)


def summary(measured: ThroughHttp, raw: Timings, limits: dict[str, float]) -> None:
    http = measured.searches
    print("ratios (1 is the limit):")
    ratio("HTTP p50, 1 client / raw pymilvus p50", http["1"].p50, raw.p50)
    ratio("HTTP p50, 1 client / encoder alone p50", http["1"].p50, limits["single"])
    ratio("HTTP p50, 1 client / encoder alone p50 + raw pymilvus p50", http["1"].p50,
          limits["single"] + raw.p50)  # fmt: skip
    ratio("HTTP throughput, 32 clients / raw pymilvus, one at a time", http["32"].rate, raw.rate)
    ratio("HTTP throughput, 32 clients / 1 client", http["32"].rate, http["1"].rate)
    ratio("HTTP throughput, 32 clients / encoder, batches of 32", http["32"].rate,
          limits["batched"])  # fmt: skip
    ratio("HTTP throughput, 8 clients / encoder, batches of 32", http["8"].rate, limits["batched"])
    # The model and Milvus share the machine's cores: together they manage at most this.
    shared = 1 / (1 / limits["batched"] + 1 / raw.rate)
    ratio("HTTP throughput, 32 clients / encoder and Milvus in turn",
          http["32"].rate, shared)  # fmt: skip
    ratio("HTTP p99 / p50, 32 clients", http["32"].p99, http["32"].p50)
    ratio("first search after start / steady p50, 1 client", http["first"].p50, http["1"].p50)
    ratio("load rate / encoder-only rate", measured.load_rate, limits["load"])
    ratio("search p99 during a load / idle, 8 clients", http["during"].p99, http["8"].p99)


async def benchmark(folder: Path, scale: int, searches: int, port: int) -> None:
    defaults = Settings(_env_file=None)
    # The sample is read from this project; whatever this process and the service write (the
    # stores, staged files, a model export) goes to the scratch folder, their working folder.
    settings = defaults.model_copy(update={"data_root": defaults.data_root.resolve()})
    os.chdir(folder)
    sample = Sample.read(settings)
    records = sample.records
    queries = [SearchRequest.like(records[n % len(records)], TOP_K) for n in range(searches)]
    data_path = scaled_copy(settings, folder / defaults.data_root, scale)
    encoder = load_encoder(settings.encoder, settings.encoder_options)
    limits = encoder_limits(encoder, sample, queries)
    service = Service(folder, port)
    try:
        measured = await through_http(service, data_path, queries)
    finally:
        service.stop()
    raw = raw_pymilvus(settings, folder, encoder, queries)
    print("raw pymilvus on the same collection:")
    report("one search at a time", raw)
    summary(measured, raw, limits)


@contextlib.contextmanager
def scratch_folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="bench-") as folder:
        yield Path(folder)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--scale", type=int, default=10, help="copies of the sample data")
    parser.add_argument("--searches", type=int, default=256, help="searches per round")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    with scratch_folder() as folder:
        asyncio.run(benchmark(folder, args.scale, args.searches, args.port))


if __name__ == "__main__":
    main()
