"""Fixtures: the stores each test runs against, and one loaded encoder.

Every store-touching test runs on two backends:

- `local`: Milvus Lite and SQLite, in a temporary folder; always available.
- `servers`: a real Milvus server and MariaDB, one of each per test session, each test in
  its own collection and table prefix. The servers come from `TEST_MILVUS_URI` and
  `TEST_MYSQL_URL` when set; otherwise the session starts them itself on loopback (Debian's
  `mariadb-server` binaries, the `milvus` package). Where that is impossible these tests skip
  with the reason; with `TEST_REQUIRE_SERVICES=1` (as in CI) they fail instead.

The queue tests add Redis: `TEST_REDIS_URL`, or Debian's `redis-server` started the same way.

Run only the local half with `pytest -m "not services"`.
"""

import itertools
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from pymilvus import MilvusClient

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder, load_encoder
from {{ cookiecutter.package_name }}.records import EncoderInput

from examples import extra_settings
from helpers import running_app, wait_for_job
from servers import MariaDB, MilvusServer, Redis, mariadb_missing, milvus_missing, redis_missing

PROJECT_ROOT = Path(__file__).resolve().parents[1]
BACKENDS = ["local", pytest.param("servers", marks=pytest.mark.services)]
_names = itertools.count(1)


def make_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings that keep both stores under `folder` and ignore any local .env file."""
    values: dict[str, Any] = {
        "milvus_uri": str(folder / "milvus.db"),
        "database_url": f"sqlite+aiosqlite:///{folder / 'metadata.db'}",
        "data_root": PROJECT_ROOT / "data",
        **extra_settings(folder),
        **overrides,
    }
    return Settings(_env_file=None, **values)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Say how many server tests skipped, and how to run them: a skip is easy to miss."""
    skipped = [
        report
        for report in terminalreporter.stats.get("skipped", [])
        if "services" in getattr(report, "keywords", {})
    ]
    if skipped:
        tests = "1 test" if len(skipped) == 1 else f"{len(skipped)} tests"
        terminalreporter.write_line(
            f"{tests} on a Milvus server, MariaDB and Redis skipped: run `make services` "
            "(Debian or Ubuntu, as root), then `make test` again.",
            yellow=True,
            bold=True,
        )


def unavailable(reason: str) -> None:
    """Skip, or fail where the services are required."""
    if os.environ.get("TEST_REQUIRE_SERVICES") == "1":
        pytest.fail(f"TEST_REQUIRE_SERVICES=1 but {reason}", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def mariadb() -> Iterator[MariaDB]:
    """A MariaDB this session started, so that tests may also stop and restart it."""
    if reason := mariadb_missing():
        unavailable(reason)
    server = MariaDB()
    server.start()
    print(f"\nMariaDB started in {server.startup_seconds:.2f} s on port {server.port}")
    yield server
    server.remove()


@pytest.fixture(scope="session")
def mysql_url(request: pytest.FixtureRequest) -> str:
    """A MySQL/MariaDB database of this session's own."""
    if url := os.environ.get("TEST_MYSQL_URL"):
        return url
    server: MariaDB = request.getfixturevalue("mariadb")
    suffix = uuid.uuid4().hex[:8]
    return server.create_database(f"test_{suffix}", f"test_{suffix}", uuid.uuid4().hex)


@pytest.fixture(scope="session")
def milvus_server() -> Iterator[MilvusServer]:
    """A Milvus server this session started, on a fresh data folder."""
    if reason := milvus_missing():
        unavailable(reason)
    server = MilvusServer()
    server.start()
    print(f"\nMilvus server started in {server.startup_seconds:.1f} s at {server.uri}")
    yield server
    server.remove()


@pytest.fixture(scope="session")
def milvus_uri(request: pytest.FixtureRequest) -> str:
    if uri := os.environ.get("TEST_MILVUS_URI"):
        return uri
    server: MilvusServer = request.getfixturevalue("milvus_server")
    return server.uri


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A Redis for the load queue: TEST_REDIS_URL, or one this session started."""
    if url := os.environ.get("TEST_REDIS_URL"):
        yield url
        return
    if reason := redis_missing():
        unavailable(reason)
    server = Redis()
    server.start()
    print(f"\nRedis started in {server.startup_seconds:.2f} s at {server.url}")
    yield server.url
    server.remove()


@pytest.fixture(scope="session")
def encoder() -> Encoder[EncoderInput]:
    """The demo's real encoder, loaded once: models take seconds to load."""
    settings = Settings(_env_file=None)
    return load_encoder(settings.encoder, settings.encoder_options)


def server_settings(
    request: pytest.FixtureRequest, folder: Path, **overrides: Any
) -> Iterator[Settings]:
    """Settings on the session's servers, in a collection and table prefix of their own."""
    name = f"test_{next(_names)}_{uuid.uuid4().hex[:6]}"
    settings = make_settings(
        folder,
        milvus_uri=request.getfixturevalue("milvus_uri"),
        database_url=request.getfixturevalue("mysql_url"),
        collection=name,
        table_prefix=f"{name}_",
        **overrides,
    )
    yield settings
    client = MilvusClient(uri=settings.milvus_uri)
    try:
        # And those a reindex made beside it (`<collection>_2`, ...).
        for name in client.list_collections():
            if name == settings.collection or name.startswith(f"{settings.collection}_"):
                client.drop_collection(name)
    finally:
        client.close()


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def settings(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if backend == "local":
        yield make_settings(tmp_path)
    else:
        yield from server_settings(request, tmp_path)


@pytest.fixture
def lite_settings(tmp_path: Path) -> Settings:
    """For what only Milvus Lite does."""
    return make_settings(tmp_path)


@pytest.fixture
async def client(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings, encoder) as client:
        yield client


@pytest.fixture(scope="module")
async def loaded_client(
    backend: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    encoder: Encoder[EncoderInput],
) -> AsyncIterator[httpx.AsyncClient]:
    """A service that has loaded the sample data; tests using it must not change it."""
    folder = tmp_path_factory.mktemp("loaded")
    if backend == "local":
        settings_source: Iterator[Settings] = iter([make_settings(folder)])
    else:
        settings_source = server_settings(request, folder)
    settings = next(settings_source)
    async with running_app(settings, encoder) as client:
        response = await client.post("/items/sample")
        assert response.status_code == 202, response.text
        job = await wait_for_job(client, response.json()["job_id"])
        assert job["state"] == "succeeded", job
        yield client
    for _ in settings_source:  # drops the server collection
        pass
