"""Each baked project lints, type-checks, passes its own tests, and serves its demo."""

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import Bake

# For each demo: a search body and what its best hit must be, in the sample data.
EXPECTED_SEARCH = {
    "molecule": ({"smiles": "CC1=CC(=O)C=CC1=O", "top_k": 3}, "name", "1"),
    "qa": (
        {"question": "What command executes the automated tests?", "top_k": 3},
        "question",
        "How do I run the test suite?",
    ),
}


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(bake: Bake, tmp_path: Path) -> Iterator[str]:
    """The baked service under uvicorn on a free loopback port, its stores in tmp_path."""
    port = free_port()
    prefix = bake.package.upper() + "_"
    env = {
        **os.environ,
        "PYTHONPATH": "src",
        prefix + "MILVUS_URI": str(tmp_path / "milvus.db"),
        prefix + "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'metadata.db'}",
    }
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", bake.package, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=bake.path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, tmp_path / "server.log")
        yield url
    finally:
        process.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal as its exit status.
        assert process.wait(timeout=30) in {0, -signal.SIGTERM}
        assert "Application shutdown complete" in (tmp_path / "server.log").read_text()


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited: {log.read_text()}"
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"server not healthy in time: {log.read_text()}")


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

        body, field, expected = EXPECTED_SEARCH[bake.demo]
        response = client.post("/search", json=body)
        assert response.status_code == 200, response.text
        best = response.json()["results"][0]
        assert best[field] == expected
        assert best["score"] > 0.5
