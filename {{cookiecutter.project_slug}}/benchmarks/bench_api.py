"""Measure the service through its API, in-process: accept time, load rate, search latency.

    python benchmarks/bench_api.py [--searches 200]

Loads the sample data into fresh Milvus Lite and SQLite stores in a temporary folder, then
searches with stored items as queries. Prints figures; asserts nothing.
"""

import argparse
import asyncio
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import load_encoder
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.records import SearchRequest, parse_files, sample_data
from {{ cookiecutter.package_name }}.uploads import files_at


async def benchmark(folder: Path, searches: int) -> None:
    settings = Settings(
        _env_file=None,
        milvus_uri=str(folder / "milvus.db"),
        database_url=f"sqlite+aiosqlite:///{folder / 'metadata.db'}",
    )
    started = time.perf_counter()
    encoder = load_encoder(settings.encoder, settings.encoder_options)
    print(f"encoder loaded in {time.perf_counter() - started:.2f} s")
    app = create_app(settings, encoder=encoder)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://bench") as client,
    ):
        await load_sample(client)
        await search(client, settings, searches)


async def load_sample(client: httpx.AsyncClient) -> None:
    started = time.perf_counter()
    response = await client.post("/items/sample")
    accepted = time.perf_counter() - started
    job = await finished_job(client, response.json()["status_url"])
    elapsed = time.perf_counter() - started
    print(f"sample load: 202 after {accepted * 1000:.0f} ms; {job['state']} after {elapsed:.2f} s")
    print(
        f"  {job['loaded']} loaded, {job['failed']} skipped of {job['total']}: "
        f"{job['total'] / elapsed:,.0f} items/s"
    )


async def finished_job(client: httpx.AsyncClient, url: str) -> dict[str, Any]:
    while True:
        job: dict[str, Any] = (await client.get(url)).json()
        if job["state"] in {"succeeded", "failed"}:
            return job
        await asyncio.sleep(0.05)


async def search(client: httpx.AsyncClient, settings: Settings, searches: int) -> None:
    path = sample_data(settings)
    parsed = parse_files(files_at(path, path.name), settings)
    queries = [SearchRequest.like(record, 10) for _, record in parsed.records[:searches]]
    latencies = []
    for query in queries:
        started = time.perf_counter()
        response = await client.post("/search", **query.http_body())
        latencies.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    latencies.sort()
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"search top-10 x {len(latencies)}: median {statistics.median(latencies):.1f} ms, "
        f"p95 {p95:.1f} ms, {len(latencies) / (sum(latencies) / 1000):.0f} searches/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--searches", type=int, default=200)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(benchmark(Path(folder), args.searches))


if __name__ == "__main__":
    main()
