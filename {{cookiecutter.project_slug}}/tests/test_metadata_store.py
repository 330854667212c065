import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.metadata_store import (
    MAX_JOB_ERRORS,
    ChunkResult,
    MetadataStore,
    now,
)
from {{ cookiecutter.package_name }}.records import Record, item_columns, parse_files
from {{ cookiecutter.package_name }}.schemas import ChunkAttempts, ItemError, Job, JobState

from examples import HOSTILE_RECORD, UPLOAD
from helpers import records_of, source_files


@pytest.fixture
async def store(settings: Settings) -> AsyncIterator[MetadataStore]:
    store = await MetadataStore.open(settings, item_columns)
    yield store
    await store.close()


@pytest.fixture
def records(settings: Settings) -> list[tuple[int, Record]]:
    return records_of(parse_files(source_files(UPLOAD), settings), settings)


def make_job(
    job_id: str = "job1", chunks: int = 0, moment: datetime = datetime(2026, 1, 2, tzinfo=UTC)
) -> Job:
    return Job(
        id=job_id,
        kind="upload",
        source="test",
        state=JobState.QUEUED,
        total=3,
        chunks=chunks,
        created_at=moment,
        updated_at=moment,
    )


async def test_ids_come_back_in_the_order_given(
    store: MetadataStore, records: list[tuple[int, Record]]
) -> None:
    ids = await store.add_items("job1", list(reversed(records)))
    assert len(set(ids)) == len(records)
    assert all(i > 0 for i in ids)
    stored = await store.get_items(ids)
    for item_id, (_, record) in zip(ids, reversed(records), strict=True):
        assert stored[item_id] == {"id": item_id, **record.model_dump()}


async def test_count_list_delete_and_clear(
    store: MetadataStore, records: list[tuple[int, Record]]
) -> None:
    ids = await store.add_items("job1", records)
    assert await store.count_items() == len(records)
    assert [item["id"] for item in await store.list_items(0, 100)] == sorted(ids)
    assert [item["id"] for item in await store.list_items(1, 1)] == sorted(ids)[1:2]
    assert await store.delete_items([ids[0], 10**12]) == 1
    assert await store.count_items() == len(records) - 1
    await store.clear_items()
    assert await store.count_items() == 0


async def test_text_is_stored_as_data_not_sql(store: MetadataStore) -> None:
    [item_id] = await store.add_items("job1", [(1, HOSTILE_RECORD)])
    stored = (await store.get_items([item_id]))[item_id]
    assert stored == {"id": item_id, **HOSTILE_RECORD.model_dump()}
    assert await store.count_items() == 1


async def test_a_job_adds_up_its_chunks_whichever_worker_ran_them(store: MetadataStore) -> None:
    job = make_job(chunks=2, moment=now())
    job.done = job.failed = 1
    job.errors = [ItemError(item="line 1", reason="does not parse")]
    await store.create_job(job)

    assert await store.start_chunk(job.id, 0, "host-a:1")
    first = ChunkResult(done=2, loaded=1, failed=1, errors=[ItemError(item="line 3", reason="bad")])
    assert not await store.finish_chunk(job.id, 0, first)
    running = await store.get_job(job.id)
    assert running is not None
    assert running.state is JobState.RUNNING
    assert (running.done, running.loaded, running.failed, running.chunks_done) == (3, 1, 2, 1)

    # Chunk 1's first worker died; its second attempt, elsewhere, finishes the job.
    assert await store.start_chunk(job.id, 1, "host-a:1")
    assert await store.start_chunk(job.id, 1, "host-b:2")
    again = await store.get_job(job.id)
    assert again is not None
    assert again.running_on == ["host-b:2"]
    assert await store.finish_chunk(job.id, 1, ChunkResult(done=1, loaded=1))
    # A third delivery of a finished chunk finds nothing to do, and counts nothing twice.
    assert not await store.start_chunk(job.id, 1, "host-b:2")

    saved = await store.get_job(job.id)
    assert saved is not None
    assert saved.state is JobState.SUCCEEDED
    assert (saved.done, saved.loaded, saved.failed) == (4, 2, 2)
    assert [e.item for e in saved.errors] == ["line 1", "line 3"]
    assert (saved.chunks, saved.chunks_done) == (2, 2)
    assert saved.workers == ["host-a:1", "host-b:2"]
    assert saved.running_on == []
    assert saved.retried == [ChunkAttempts(chunk=1, attempts=2, worker="host-b:2")]
    assert saved.created_at == job.created_at
    assert saved.updated_at.tzinfo is not None


async def test_a_chunk_that_gives_up_fails_its_job_and_skips_the_rest(
    store: MetadataStore,
) -> None:
    job = make_job(chunks=3, moment=now())
    await store.create_job(job)
    assert await store.start_chunk(job.id, 0, "w:1")
    await store.fail_chunk(job.id, 0, "MilvusException: down")
    assert not await store.start_chunk(job.id, 1, "w:1")
    saved = await store.get_job(job.id)
    assert saved is not None
    assert (saved.state, saved.message) == (JobState.FAILED, "MilvusException: down")


async def test_a_job_with_no_progress_for_a_while_is_stalled(settings: Settings) -> None:
    store = await MetadataStore.open(
        settings.model_copy(update={"job_stall_seconds": 0.2}), item_columns
    )
    try:
        job = make_job(chunks=2, moment=now())
        await store.create_job(job)
        assert await store.start_chunk(job.id, 0, "w:1")
        assert await store.count_unfinished_jobs() == 1
        await asyncio.sleep(0.3)
        saved = await store.get_job(job.id)
        assert saved is not None
        assert saved.state is JobState.STALLED
        # A stalled job blocks nothing (repair counts unfinished jobs), and a late chunk
        # that finishes after all moves it on.
        assert await store.count_unfinished_jobs() == 0
        assert not await store.finish_chunk(job.id, 0, ChunkResult(done=1, loaded=1))
        moving = await store.get_job(job.id)
        assert moving is not None
        assert moving.state is JobState.RUNNING
    finally:
        await store.close()


async def test_a_job_keeps_only_the_first_errors(store: MetadataStore) -> None:
    job = make_job()
    job.errors = [ItemError(item=f"line {n}", reason="bad") for n in range(MAX_JOB_ERRORS + 5)]
    await store.create_job(job)
    saved = await store.get_job(job.id)
    assert saved is not None
    assert len(saved.errors) == MAX_JOB_ERRORS


async def test_unknown_job_is_none(store: MetadataStore) -> None:
    assert await store.get_job("missing") is None


async def test_stores_opened_at_once_all_find_their_tables(settings: Settings) -> None:
    # Workers that start together on an empty database: one creates the tables (under the
    # upgrade lock), the others wait for it and find them; none of them may fail.
    stores = await asyncio.gather(*(MetadataStore.open(settings, item_columns) for _ in range(4)))
    try:
        assert [await store.count_items() for store in stores] == [0, 0, 0, 0]
    finally:
        for store in stores:
            await store.close()


async def test_table_prefix_names_the_tables(settings: Settings) -> None:
    store = await MetadataStore.open(
        settings.model_copy(update={"table_prefix": "demo_"}), item_columns
    )
    try:
        assert store.items.name == "demo_items"
        assert store.jobs.name == "demo_jobs"
        assert store.chunks.name == "demo_job_chunks"
    finally:
        await store.close()


async def test_fail_unfinished_jobs_leaves_finished_ones(store: MetadataStore) -> None:
    states = [JobState.QUEUED, JobState.RUNNING, JobState.SUCCEEDED, JobState.FAILED]
    for state in states:
        job = make_job(state.value)
        job.state = state
        await store.create_job(job)
    assert await store.fail_unfinished_jobs("gone") == 2
    after = {state: await store.get_job(state.value) for state in states}
    assert {state: job.state if job else None for state, job in after.items()} == {
        JobState.QUEUED: JobState.FAILED,
        JobState.RUNNING: JobState.FAILED,
        JobState.SUCCEEDED: JobState.SUCCEEDED,
        JobState.FAILED: JobState.FAILED,
    }
    queued = after[JobState.QUEUED]
    assert queued is not None
    assert queued.message == "gone"
