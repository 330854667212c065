"""Helpers for tests that drive the service through its HTTP API."""

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.main import create_app

FINISHED = {"succeeded", "failed"}
JOB_TIMEOUT = 120.0  # seconds; the sample loads take a few


@asynccontextmanager
async def running_app(settings: Settings, encoder: Encoder) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run, and a client that talks to it in-process."""
    app = create_app(settings, encoder=encoder)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


async def wait_for_job(client: httpx.AsyncClient, job_id: str) -> dict[str, Any]:
    """Poll a job until it finishes; return its last state."""
    async with asyncio.timeout(JOB_TIMEOUT):
        while True:
            response = await client.get(f"/jobs/{job_id}")
            assert response.status_code == 200, response.text
            job: dict[str, Any] = response.json()
            if job["state"] in FINISHED:
                return job
            await asyncio.sleep(0.05)


async def counts(client: httpx.AsyncClient) -> dict[str, int]:
    response = await client.get("/items/count")
    assert response.status_code == 200, response.text
    result: dict[str, int] = response.json()
    return result
