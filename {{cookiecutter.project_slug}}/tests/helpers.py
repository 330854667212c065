"""Helpers for tests that drive the service through its HTTP API."""

import asyncio
import contextlib
import os
import time
from collections.abc import AsyncIterator, Iterable, Sequence
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


# Older than any grace a sweep gives files a load may be writing.
LONG_AGO = time.time() - 2 * 24 * 3600


def kept(root: Path | None) -> set[Path]:
    """Every file under the demo's files root (none for a demo that keeps no files)."""
    if root is None:
        return set()
    return {path for path in root.rglob("*") if path.is_file()}


def owned(root: Path | None, items: Iterable[dict[str, Any]]) -> set[Path]:
    """The files these items hold, named by content."""
    if root is None:
        return set()
    return {root / item["file"][:2] / item["file"] for item in items}


def age(paths: Iterable[Path]) -> None:
    for path in paths:
        os.utime(path, (LONG_AGO, LONG_AGO))


async def load(client: httpx.AsyncClient, files: Sequence[tuple[str, bytes]]) -> None:
    response = await client.post("/items", files=multipart(files))
    assert response.status_code == 202, response.text
    job = await wait_for_job(client, response.json()["job_id"])
    assert (job["state"], job["loaded"] > 0) == ("succeeded", True), job


async def items(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/items", params={"limit": 1000})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def consistency(client: httpx.AsyncClient, repair: bool = False) -> dict[str, Any]:
    if repair:
        response = await client.post("/admin/consistency/repair")
    else:
        response = await client.get("/admin/consistency")
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report
