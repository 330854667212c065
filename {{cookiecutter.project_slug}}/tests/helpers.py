"""Helpers for tests that drive the service through its HTTP API."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.records import EncoderInput, Record
from {{ cookiecutter.package_name }}.uploads import ParsedUpload, SourceFile

FINISHED = {"succeeded", "failed"}
JOB_TIMEOUT = 120.0  # seconds; the sample loads take a few


@asynccontextmanager
async def running_app(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its lifespan run, and a client that talks to it in-process."""
    app = create_app(settings, encoder=encoder)
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://testserver") as client,
    ):
        yield client


@asynccontextmanager
async def unstarted_app(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    """The app with its stores left closed: enough for its schema, and for what it refuses
    before a route runs."""
    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
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


def records_of(parsed: ParsedUpload[Record], settings: Settings) -> list[tuple[int, Record]]:
    """A load's records by position, the rows of its blocks read as their chunks read them
    (the rows that are not a valid record left out, as a load leaves them out)."""
    found = list(parsed.records)
    for block in parsed.blocks:
        for line, row in block.read():
            with contextlib.suppress(ValidationError):
                found.append((line, Record.from_task(row, settings)))
    return found


def multipart(files: Sequence[tuple[str, bytes]]) -> list[tuple[str, tuple[str, bytes]]]:
    """Files as the `file` fields of a multipart upload."""
    return [("file", named) for named in files]


def source_files(files: Sequence[tuple[str, bytes]]) -> list[SourceFile]:
    return [SourceFile(name, data=content) for name, content in files]


def write_files(folder: Path, files: Sequence[tuple[str, bytes]]) -> Path:
    """Write the files into `folder` (created); return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, content in files:
        (folder / name).write_bytes(content)
    return folder


async def counts(client: httpx.AsyncClient) -> dict[str, int]:
    response = await client.get("/items/count")
    assert response.status_code == 200, response.text
    result: dict[str, int] = response.json()
    return result
