"""Fixtures: real Milvus Lite and SQLite stores in a temporary folder, one loaded encoder."""

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder, load_encoder

from helpers import running_app, wait_for_job

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def make_settings(folder: Path, **overrides: Any) -> Settings:
    """Settings that keep both stores under `folder` and ignore any local .env file."""
    values: dict[str, Any] = {
        "milvus_uri": str(folder / "milvus.db"),
        "database_url": f"sqlite+aiosqlite:///{folder / 'metadata.db'}",
        "data_root": PROJECT_ROOT / "data",
        **overrides,
    }
    return Settings(_env_file=None, **values)


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    """The demo's real encoder, loaded once: models take seconds to load."""
    settings = Settings(_env_file=None)
    return load_encoder(settings.encoder, settings.encoder_options)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture
async def client(settings: Settings, encoder: Encoder) -> AsyncIterator[httpx.AsyncClient]:
    async with running_app(settings, encoder) as client:
        yield client


@pytest.fixture(scope="module")
async def loaded_client(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder
) -> AsyncIterator[httpx.AsyncClient]:
    """A service that has loaded the sample data; tests using it must not change it."""
    settings = make_settings(tmp_path_factory.mktemp("loaded"))
    async with running_app(settings, encoder) as client:
        response = await client.post("/items/sample")
        assert response.status_code == 202, response.text
        job = await wait_for_job(client, response.json()["job_id"])
        assert job["state"] == "succeeded", job
        yield client
