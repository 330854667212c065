"""Several uvicorn workers on a Milvus server and MariaDB: any worker answers for any job."""

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from conftest import PROJECT_ROOT

from servers import free_port

pytestmark = pytest.mark.services
PREFIX = "{{ cookiecutter.package_name|upper }}_"


@pytest.fixture
def two_workers(milvus_uri: str, mysql_url: str, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    name = f"workers_{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT / "src"),
        PREFIX + "MILVUS_URI": milvus_uri,
        PREFIX + "DATABASE_URL": mysql_url,
        PREFIX + "COLLECTION": name,
        PREFIX + "TABLE_PREFIX": f"{name}_",
        PREFIX + "DATA_ROOT": str(PROJECT_ROOT / "data"),
    }
    log_path = tmp_path / "server.log"
    with log_path.open("w") as log:
        command = ["{{ cookiecutter.package_name }}", "serve", "--port", str(port), "--workers", "2"]
        process = subprocess.Popen(
            [sys.executable, "-m", *command],
            cwd=tmp_path,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while log_path.read_text().count("Application startup complete") < 2:
            assert process.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, log_path.read_text()
            time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=60)


def test_a_job_started_through_one_worker_is_seen_through_the_other(two_workers: str) -> None:
    with httpx.Client(base_url=two_workers, timeout=60) as client:
        job_id = client.post("/items/sample").json()["job_id"]
    # A new client is a new connection, which either worker may accept; on one connection,
    # /health names the worker that also answers for the job.
    seen_by: set[int] = set()
    deadline = time.monotonic() + 120
    while len(seen_by) < 2:
        assert time.monotonic() < deadline, f"only workers {seen_by} answered"
        with httpx.Client(base_url=two_workers, timeout=60) as fresh:
            worker = fresh.get("/health").json()["worker"]
            answer = fresh.get(f"/jobs/{job_id}")
        assert answer.status_code == 200, answer.text
        seen_by.add(worker)
    with httpx.Client(base_url=two_workers, timeout=60) as client:
        while (job := client.get(f"/jobs/{job_id}").json())["state"] not in {"succeeded", "failed"}:
            assert time.monotonic() < deadline, job
            time.sleep(0.1)
        assert job["state"] == "succeeded", job
        assert client.get("/items/count").json() == {
            "milvus": job["loaded"],
            "metadata": job["loaded"],
        }
