"""Each baked project lints, type-checks, passes its own tests, and serves its demo."""

import asyncio
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SAMPLE_CLIP, WORKING_DEMOS, Bake, assert_passed, frame_of, run

# For each demo: a search (the query as the command line takes it, and the request's httpx
# arguments, for the project at the given path) and what its best hit must be in the sample data.
GALLERY_PHOTO = "data/gallery/chelsea-01.jpg"
EXPECTED_SEARCH: dict[str, tuple[Callable[[Path], tuple[str, dict[str, Any]]], str, str]] = {
    "molecule": (
        lambda path: ("CC1=CC(=O)C=CC1=O", {"json": {"smiles": "CC1=CC(=O)C=CC1=O", "top_k": 3}}),
        "name",
        "1",
    ),
    "qa": (
        lambda path: (
            "What command executes the automated tests?",
            {"json": {"question": "What command executes the automated tests?", "top_k": 3}},
        ),
        "question",
        "How do I run the test suite?",
    ),
    "image": (
        lambda path: (
            str(path / GALLERY_PHOTO),
            {"files": {"image": (path / GALLERY_PHOTO).read_bytes()}, "data": {"top_k": "3"}},
        ),
        "name",
        "gallery/chelsea-01.jpg",
    ),
    "video": (
        lambda path: (
            str(write_frame(path)),
            {"files": {"image": write_frame(path).read_bytes()}, "data": {"top_k": "3"}},
        ),
        "name",
        "clips/01-cat-closeups.mp4",
    ),
}


def write_frame(path: Path) -> Path:
    """A frame from second 3 of a sample clip, saved beside the project as a picture file."""
    frame = path / "var" / "frame.jpg"
    if not frame.exists():
        frame.parent.mkdir(parents=True, exist_ok=True)
        frame.write_bytes(frame_of(path / SAMPLE_CLIP))
    return frame


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_lints_clean(bake: Bake, command: tuple[str, ...]) -> None:
    result = run(bake, *command)
    assert result.returncode == 0, result.stdout + result.stderr


AWKWARD = [(demo, "awkward") for demo in WORKING_DEMOS]


@pytest.mark.parametrize("bake", AWKWARD, indirect=True, ids=["-".join(v) for v in AWKWARD])
def test_own_local_tests_pass(bake: Bake) -> None:
    """The awkward-answer bakes run the local half of their suite (Milvus Lite, SQLite): names
    do not touch the servers. test_baked_suites.py runs the default bakes' whole suites."""
    result = run(bake, "pytest", "-q", "-p", "no:cacheprovider", "-m", "not services")
    print(result.stdout[-20000:])
    assert_passed(result)


# The load test: rounds of this many searches at once while the sample loads, at most this many
# rounds and seconds (the load may end sooner; the rounds stop with it).
CLIENTS, ROUNDS, SECONDS = 32, 20, 60.0


async def search_while_loading(
    server: str, job_url: str, arguments: dict[str, Any]
) -> tuple[list[float], int, list[str]]:
    """Rounds of CLIENTS concurrent searches until the job ends: each search's seconds, the
    rounds that started before it ended, and any answer other than 200."""
    latencies: list[float] = []
    errors: list[str] = []
    rounds_while_running = 0

    async def one(client: httpx.AsyncClient) -> None:
        started = time.perf_counter()
        response = await client.post("/search", **arguments)
        latencies.append(time.perf_counter() - started)
        if response.status_code != 200:
            errors.append(f"{response.status_code} {response.text[:200]}")

    deadline = time.monotonic() + SECONDS
    limits = httpx.Limits(max_connections=CLIENTS)
    async with httpx.AsyncClient(base_url=server, timeout=60, limits=limits) as client:
        for _ in range(ROUNDS):
            if (await client.get(job_url)).json()["state"] in {"succeeded", "failed"}:
                break
            rounds_while_running += 1
            await asyncio.gather(*(one(client) for _ in range(CLIENTS)))
            if time.monotonic() > deadline:
                break
    return latencies, rounds_while_running, errors


def test_serves_its_sample_data(bake: Bake, server: str) -> None:
    """Served under uvicorn on loopback: the sample loads while rounds of 32 concurrent searches
    answer (p50 and p99 printed: a figure, not an assertion), then the CLI reaches it too."""
    request, field, expected = EXPECTED_SEARCH[bake.demo]
    query, arguments = request(bake.path)
    with httpx.Client(base_url=server, timeout=30) as client:
        assert client.get("/docs").status_code == 200
        accepted = client.post("/items/sample")
        assert accepted.status_code == 202, accepted.text
        job_url = accepted.json()["status_url"]
        latencies, rounds, errors = asyncio.run(search_while_loading(server, job_url, arguments))
        deadline = time.monotonic() + 120
        while (job := client.get(job_url).json())["state"] not in {"succeeded", "failed"}:
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["state"] == "succeeded", job
        assert errors == []
        assert rounds > 0  # a load takes far longer than one status request
        p50, p99 = (statistics.quantiles(latencies, n=100)[i] * 1000 for i in (49, 98))
        print(
            f"{bake.demo}: {len(latencies)} searches, {CLIENTS} at once in {rounds} rounds "
            f"while the sample loaded: p50 {p50:.0f} ms, p99 {p99:.0f} ms"
        )
        assert client.get("/items/count").json() == {
            "milvus": job["loaded"],
            "metadata": job["loaded"],
        }

        response = client.post("/search", **arguments)
        assert response.status_code == 200, response.text
        best = response.json()["results"][0]
        assert best[field] == expected
        assert best["score"] > 0.5

    # The command line reaches the same running service with --url.
    counted = run(bake, bake.package, "count", "--url", server)
    assert counted.stdout == f"milvus: {job['loaded']}\nmetadata: {job['loaded']}\n", counted.stderr
    searched = run(bake, bake.package, "search", query, "--top-k", "1", "--url", server)
    assert searched.returncode == 0, searched.stderr
    assert str(expected) in searched.stdout
