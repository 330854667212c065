"""Outages in the middle of a load, on a real Milvus server and MariaDB.

Each test stops one server while a job runs, then checks: the job ends (`failed` with the
reason, unless it could wait the outage out), the service keeps answering, /health names the
dependency that is down, and after a restart both stores hold exactly the same ids. They need
servers the session started (they stop them): the session's Milvus server, restarted on its
data and port (a second one will not start beside it), and a MariaDB of the test's own.
"""

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import make_settings, unavailable
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.records import EncoderInput
from {{ cookiecutter.package_name }}.services import Services

from examples import OUTAGE_SETTINGS
from helpers import wait_for_job
from servers import MariaDB, MilvusServer, mariadb_missing

pytestmark = pytest.mark.services
HEAL_TIMEOUT = 120.0


@pytest.fixture
def own_milvus(request: pytest.FixtureRequest) -> Iterator[MilvusServer]:
    if os.environ.get("TEST_MILVUS_URI"):
        pytest.skip("stops the Milvus server: needs one the session started, not TEST_MILVUS_URI")
    server: MilvusServer = request.getfixturevalue("milvus_server")
    yield server
    if not server.running:  # the test failed before its restart: leave it up for the rest
        server.restart()


@pytest.fixture
def own_mariadb() -> Iterator[MariaDB]:
    if reason := mariadb_missing():
        unavailable(reason)
    server = MariaDB()
    server.start()
    yield server
    server.remove()


@asynccontextmanager
async def serving(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> AsyncIterator[tuple[httpx.AsyncClient, Services]]:
    app = create_app(settings, encoder=encoder)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client, app.state.services


def fault_settings(folder: Path, milvus_uri: str, database_url: str) -> Settings:
    name = f"fault_{uuid.uuid4().hex[:8]}"
    return make_settings(
        folder,
        milvus_uri=milvus_uri,
        database_url=database_url,
        collection=name,
        table_prefix=f"{name}_",
        **OUTAGE_SETTINGS,
    )


async def start_load_and_wait_for_progress(client: httpx.AsyncClient) -> tuple[str, float]:
    """Start the sample load; return once two batches are done, with the seconds one took."""
    accepted = await client.post("/items/sample")
    assert accepted.status_code == 202, accepted.text
    job_id: str = accepted.json()["job_id"]
    seen: list[tuple[int, float]] = []
    async with asyncio.timeout(60):
        while len(seen) < 2:
            done = (await client.get(f"/jobs/{job_id}")).json()["done"]
            if done > (seen[-1][0] if seen else 0):
                seen.append((done, time.monotonic()))
            await asyncio.sleep(0.01)
    return job_id, seen[1][1] - seen[0][1]


async def health(client: httpx.AsyncClient) -> tuple[int, dict[str, Any]]:
    response = await client.get("/health")
    return response.status_code, response.json()


async def until_healthy(client: httpx.AsyncClient) -> None:
    async with asyncio.timeout(HEAL_TIMEOUT):
        while True:
            if (await health(client))[0] == 200:
                return
            await asyncio.sleep(0.5)


async def same_ids_in_both(services: Services) -> set[int]:
    """Wait for background compensation, then compare the stores' ids."""
    await services.ingestor.settled()
    await services.milvus.flush()
    vector_ids = await services.milvus.list_ids()
    record_ids = await services.metadata.list_ids()
    assert vector_ids == record_ids
    return vector_ids


async def test_milvus_stopped_during_a_load(
    own_milvus: MilvusServer, mysql_url: str, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    settings = fault_settings(tmp_path, own_milvus.uri, mysql_url)
    async with serving(settings, encoder) as (client, services):
        job_id, _ = await start_load_and_wait_for_progress(client)
        await asyncio.to_thread(own_milvus.stop)

        job = await wait_for_job(client, job_id)
        assert job["state"] == "failed"
        assert "MilvusException" in job["message"], job["message"]
        assert 0 < job["loaded"] < job["total"]
        status, report = await health(client)
        assert status == 503
        assert report["milvus"] == "down"
        assert report["metadata"] == "ok"

        await asyncio.to_thread(own_milvus.restart)
        await until_healthy(client)
        ids = await same_ids_in_both(services)
        assert len(ids) == job["loaded"]
        print(f"\nafter the Milvus outage: {len(ids)} ids in each store, the same ones")


async def test_mariadb_stopped_during_a_load(
    own_mariadb: MariaDB, milvus_uri: str, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    database_url = own_mariadb.create_database("faults", "faults", uuid.uuid4().hex)
    settings = fault_settings(tmp_path, milvus_uri, database_url)
    async with serving(settings, encoder) as (client, services):
        job_id, batch_seconds = await start_load_and_wait_for_progress(client)
        await asyncio.to_thread(own_mariadb.stop)

        status, report = await health(client)
        assert status == 503
        assert report["metadata"] == "down"
        assert report["milvus"] == "ok"
        unavailable = await client.get(f"/jobs/{job_id}")
        assert unavailable.status_code == 503
        assert "the metadata store is unavailable" in unavailable.json()["detail"]

        # Stay down for longer than a batch takes, so the load tries to write while it is down.
        await asyncio.sleep(2 * batch_seconds)
        await asyncio.to_thread(own_mariadb.start)
        await until_healthy(client)
        job = await wait_for_job(client, job_id)
        # The outage met an item write (the job fails with the reason), or only the job's
        # bookkeeping, which waits for the database to come back and goes on.
        if job["state"] == "failed":
            assert "OperationalError" in job["message"], job["message"]
        else:
            assert job["loaded"] == job["total"] - job["failed"], job
        ids = await same_ids_in_both(services)
        assert len(ids) == job["loaded"]
        print(f"\nafter the MariaDB outage ({job['state']}): {len(ids)} ids in each store, alike")
