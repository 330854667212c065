"""Load jobs against the real stores; one test swaps in a Milvus that fails, to check the undo."""

from collections.abc import AsyncIterator, Sequence

import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder, Vector
from {{ cookiecutter.package_name }}.ingest import INTERRUPTED, new_job
from {{ cookiecutter.package_name }}.records import EncoderInput, parse_files
from {{ cookiecutter.package_name }}.schemas import JobState
from {{ cookiecutter.package_name }}.services import Services, close_services, open_services

from examples import UPLOAD, UPLOAD_BAD_ITEM
from helpers import source_files


@pytest.fixture
async def services(settings: Settings, encoder: Encoder[EncoderInput]) -> AsyncIterator[Services]:
    services = await open_services(settings.model_copy(update={"batch_size": 1}), encoder)
    yield services
    await close_services(services)


async def test_bad_items_are_reported_and_the_rest_loads(services: Services) -> None:
    parsed = parse_files(source_files(UPLOAD), services.settings)
    progress: list[int] = []
    job = await services.ingestor.load_now(
        "upload", "upload", parsed, lambda j: progress.append(j.done)
    )
    assert job.state is JobState.SUCCEEDED
    assert (job.total, job.loaded, job.failed, job.done) == (3, 2, 1, 3)
    assert [error.item for error in job.errors] == [UPLOAD_BAD_ITEM]
    assert progress == sorted(progress)
    assert progress[-1] == job.total
    assert await services.milvus.count() == await services.metadata.count_items() == 2
    assert job.chunks_done == job.chunks >= 2  # batches of one item
    saved = await services.metadata.get_job(job.id)
    assert saved is not None
    assert saved.model_dump(exclude={"updated_at"}) == job.model_dump(exclude={"updated_at"})


class MilvusDown(Exception):
    pass


async def test_a_failed_milvus_write_leaves_neither_store_with_the_batch(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    inserted = 0
    real_insert = services.milvus.insert

    async def insert_then_fail(ids: Sequence[int], vectors: Sequence[Sequence[Vector]]) -> None:
        nonlocal inserted
        if inserted:
            raise MilvusDown("connection refused")
        inserted += len(ids)
        await real_insert(ids, vectors)

    monkeypatch.setattr(services.milvus, "insert", insert_then_fail)
    job = await services.ingestor.load_now(
        "upload", "upload", parse_files(source_files(UPLOAD), services.settings)
    )

    assert job.state is JobState.FAILED
    assert job.message == "MilvusDown: connection refused"
    assert job.loaded == 1
    assert await services.milvus.count() == await services.metadata.count_items() == 1


async def test_a_restart_on_milvus_lite_fails_jobs_left_running(
    lite_settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    settings = lite_settings
    services = await open_services(settings, encoder)
    job = new_job("upload", "upload", total=3, errors=[], chunks=1)
    job.state = JobState.RUNNING
    await services.metadata.create_job(job)
    await close_services(services)

    services = await open_services(settings, encoder)
    try:
        saved = await services.metadata.get_job(job.id)
    finally:
        await close_services(services)
    assert saved is not None
    assert saved.state is JobState.FAILED
    assert saved.message == INTERRUPTED
