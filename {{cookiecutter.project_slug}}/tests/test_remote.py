"""The --url path of the command line: a running service driven through its HTTP API."""

from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.records import SearchRequest
from {{ cookiecutter.package_name }}.remote import RemoteError, RemoteService
from {{ cookiecutter.package_name }}.schemas import Counts, Job, JobState

from examples import BAD_UPLOADS, UPLOAD, UPLOAD_BAD_ITEM, cli_query
from helpers import write_files


async def test_load_follows_the_job_then_search_and_count(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    upload = write_files(tmp_path / "upload", UPLOAD)
    remote = RemoteService(client, poll_seconds=0.01)
    seen: list[Job] = []

    job = await remote.load(upload, seen.append)

    assert job.state is JobState.SUCCEEDED
    assert (job.loaded, job.failed) == (2, 1)
    [error] = job.errors
    assert error.item.endswith(UPLOAD_BAD_ITEM)  # a folder's files are named below it
    assert seen[-1] == job
    assert await remote.count() == Counts(milvus=2, metadata=2)
    report = await remote.check()
    assert (report.milvus, report.metadata, report.consistent) == (2, 2, True)
    assert (await remote.repair()).repaired
    hits = await remote.search(SearchRequest.of(cli_query(tmp_path), 1))
    assert len(hits) == 1
    assert 0.0 < hits[0].score <= 1.0
    # Reindexed inside the service, which then searches the new collection.
    done = await remote.reindex(restart=False)
    assert (done.collection.endswith("_2"), done.items) == (True, 2)
    assert await remote.count() == Counts(milvus=2, metadata=2)
    assert await remote.search(SearchRequest.of(cli_query(tmp_path), 1)) == hits


async def test_the_service_s_refusal_is_raised_with_its_reason(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    files, message = BAD_UPLOADS[0]
    bad = write_files(tmp_path / "bad", files)
    with pytest.raises(RemoteError, match=f"422: .*{message}"):
        await RemoteService(client).load(bad, lambda job: None)
    with pytest.raises(RemoteError, match="top_k must be between"):
        await RemoteService(client).search(SearchRequest.of(cli_query(tmp_path), 1000))
