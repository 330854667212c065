"""Loads through Redis on `worker` processes, against a Milvus server and MariaDB: workers
share a load, a worker killed in the middle of a chunk costs nothing but time, and so does the
web process that accepted the job."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import PROJECT_ROOT

from examples import OUTAGE_SETTINGS, extra_settings, search
from servers import free_port

pytestmark = pytest.mark.services
PREFIX = "{{ cookiecutter.package_name|upper }}_"
# Seconds without a heartbeat before a dead worker's chunk goes to another worker: short, so
# the kill test is quick (the default is 10).
HEARTBEAT = 4
# The acceptance bound: a killed worker's job still ends this soon after the kill.
RECOVERY = 60.0
STARTUP = 180.0


class Cluster:
    """A web process and workers sharing one Milvus collection, metadata tables and queue."""

    def __init__(self, folder: Path, env: dict[str, str]) -> None:
        self.folder = folder
        self.env = env
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.url = ""

    def start(self, name: str, *command: str, ready: str) -> subprocess.Popen[bytes]:
        log_path = self.folder / f"{name}.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "{{ cookiecutter.package_name }}", *command],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self.processes[name] = process
        deadline = time.monotonic() + STARTUP
        while ready not in log_path.read_text():
            assert process.poll() is None, f"{name} exited: {log_path.read_text()}"
            assert time.monotonic() < deadline, f"{name} not ready: {log_path.read_text()}"
            time.sleep(0.1)
        return process

    def web(self, name: str = "web") -> None:
        port = free_port()
        self.start(name, "serve", "--port", str(port), ready="Application startup complete")
        self.url = f"http://127.0.0.1:{port}"

    def worker(self, name: str) -> subprocess.Popen[bytes]:
        return self.start(name, "worker", ready="ready on queue")

    def kill(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text()

    def stop(self) -> None:
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture
def cluster(milvus_uri: str, mysql_url: str, redis_url: str, tmp_path: Path) -> Iterator[Cluster]:
    name = f"queue_{uuid.uuid4().hex[:8]}"
    settings: dict[str, Any] = {
        "milvus_uri": milvus_uri,
        "database_url": mysql_url,
        "queue_url": redis_url,
        "collection": name,
        "table_prefix": f"{name}_",
        "data_root": PROJECT_ROOT / "data",
        "chunk_heartbeat": HEARTBEAT,
        # Small chunks: many of them, so the workers share the load and a kill meets one.
        **OUTAGE_SETTINGS,
        **extra_settings(tmp_path),
    }
    env = {
        **os.environ,
        "PYTHONPATH": str(PROJECT_ROOT / "src"),
        **{PREFIX + key.upper(): str(value) for key, value in settings.items()},
    }
    cluster = Cluster(tmp_path, env)
    try:
        yield cluster
    finally:
        cluster.stop()


def follow(
    client: httpx.Client, job_id: str, timeout: float, until: Callable[[dict[str, Any]], bool]
) -> dict[str, Any]:
    """Poll a job until `until` holds for it; return it."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(f"/jobs/{job_id}")
        assert response.status_code == 200, response.text
        job: dict[str, Any] = response.json()
        if until(job):
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.1)


def ended(job: dict[str, Any]) -> bool:
    return job["state"] in {"succeeded", "failed"}


def assert_loaded_once(client: httpx.Client, job: dict[str, Any]) -> None:
    """Succeeded, every item in both stores exactly once: Milvus would count an id written
    twice twice, and the metadata store keys items by (job, position)."""
    assert job["state"] == "succeeded", job
    assert job["loaded"] == job["total"] - job["failed"]
    assert client.get("/items/count").json() == {"milvus": job["loaded"], "metadata": job["loaded"]}
    checked = client.get("/admin/consistency")
    assert checked.status_code == 200, checked.text
    report = checked.json()
    assert (report["only_in_milvus"], report["only_in_metadata"]) == (0, 0), report


def test_two_workers_share_a_load_while_searches_answer(cluster: Cluster) -> None:
    cluster.web()
    cluster.worker("worker-1")
    cluster.worker("worker-2")
    with httpx.Client(base_url=cluster.url, timeout=60) as client:
        accepted = client.post("/items/sample")
        assert accepted.status_code == 202, accepted.text
        job_id = accepted.json()["job_id"]
        searched = 0
        deadline = time.monotonic() + 300
        while not ended(job := client.get(f"/jobs/{job_id}").json()):
            assert time.monotonic() < deadline, job
            response = client.post("/search", **search(top_k=3))
            assert response.status_code == 200, response.text
            searched += 1
        assert_loaded_once(client, job)
        assert job["chunks_done"] == job["chunks"] > 2
    assert len(job["workers"]) == 2, job["workers"]
    print(f"\n{job['chunks']} chunks on {job['workers']}; {searched} searches answered meanwhile")


def stopped_in_a_chunk(client: httpx.Client, job_id: str, worker: subprocess.Popen[bytes]) -> str:
    """Freeze `worker` (SIGSTOP) at a moment the job says it runs a chunk, and return its name:
    a stopped process cannot finish that chunk between the look and a kill, as a running one
    with small chunks may."""
    suffix = f":{worker.pid}"
    deadline = time.monotonic() + STARTUP
    while True:
        running = follow(
            client,
            job_id,
            STARTUP,
            lambda job: any(w.endswith(suffix) for w in job["running_on"]) or ended(job),
        )
        assert not ended(running), running
        worker.send_signal(signal.SIGSTOP)
        job: dict[str, Any] = client.get(f"/jobs/{job_id}").json()
        names: list[str] = job["running_on"]
        if name := next((w for w in names if w.endswith(suffix)), None):
            return name
        worker.send_signal(signal.SIGCONT)  # it was between two chunks: look again
        assert time.monotonic() < deadline, job


def test_a_worker_killed_in_the_middle_of_a_chunk(cluster: Cluster) -> None:
    cluster.web()
    victim = cluster.worker("worker-1")
    cluster.worker("worker-2")
    with httpx.Client(base_url=cluster.url, timeout=60) as client:
        job_id = client.post("/items/sample").json()["job_id"]
        victim_name = stopped_in_a_chunk(client, job_id, victim)
        cluster.kill("worker-1")
        killed = time.monotonic()
        job = follow(client, job_id, RECOVERY, ended)
        recovered = time.monotonic() - killed
        assert_loaded_once(client, job)
    # The chunk the victim held was started again, by the other worker.
    assert job["retried"], job
    assert all(retried["worker"] != victim_name for retried in job["retried"]), job
    print(f"\n{victim_name} killed; the job succeeded {recovered:.1f} s later: {job['retried']}")


def test_the_web_process_killed_after_accepting_a_load(cluster: Cluster) -> None:
    cluster.web("web-1")
    cluster.worker("worker-1")
    with httpx.Client(base_url=cluster.url, timeout=60) as client:
        job_id = client.post("/items/sample").json()["job_id"]
    cluster.kill("web-1")
    cluster.web("web-2")
    with httpx.Client(base_url=cluster.url, timeout=60) as client:
        job = follow(client, job_id, 300, ended)
        assert_loaded_once(client, job)
