"""Each baked project lints, type-checks, passes its own tests, and serves its demo."""

import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import SAMPLE_CLIP, Bake, frame_of

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


def run(
    bake: Bake, *command: str, timeout: float = 900, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=bake.path,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": "src", **env},
    )


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_lints_clean(bake: Bake, command: tuple[str, ...]) -> None:
    result = run(bake, *command)
    assert result.returncode == 0, result.stdout + result.stderr


def test_own_tests_pass(bake: Bake) -> None:
    """The default bakes run everything, a real Milvus server and MariaDB included (their
    fixtures start both; missing ones fail the run rather than skip). The awkward-answer bakes
    run the local half (Milvus Lite, SQLite) to keep CI short: names do not touch the servers."""
    if bake.answers.keys() == {"demo_type"}:
        result = run(
            bake, "pytest", "-q", "-p", "no:cacheprovider", "-rA", TEST_REQUIRE_SERVICES="1"
        )
    else:
        result = run(bake, "pytest", "-q", "-p", "no:cacheprovider", "-m", "not services")
    print(result.stdout[-20000:])
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "skipped" not in summary
    assert "failed" not in summary
    if bake.answers.keys() == {"demo_type"}:
        for test in ("test_api.py::test_health_and_docs[servers]", "test_faults.py::test_"):
            assert f"PASSED tests/{test}" in result.stdout, f"{test} did not run"


def test_serves_its_sample_data(bake: Bake, server: str) -> None:
    with httpx.Client(base_url=server, timeout=30) as client:
        assert client.get("/docs").status_code == 200
        accepted = client.post("/items/sample")
        assert accepted.status_code == 202, accepted.text
        job_url = accepted.json()["status_url"]
        deadline = time.monotonic() + 120
        while (job := client.get(job_url).json())["state"] not in {"succeeded", "failed"}:
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert job["state"] == "succeeded", job
        assert client.get("/items/count").json() == {
            "milvus": job["loaded"],
            "metadata": job["loaded"],
        }

        request, field, expected = EXPECTED_SEARCH[bake.demo]
        query, arguments = request(bake.path)
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
