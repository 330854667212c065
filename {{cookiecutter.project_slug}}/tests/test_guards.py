"""Changes that would race a running load are refused (409), and so are writes sent by another
site's page through a visitor's browser (403)."""

from typing import Any

import httpx
import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.metadata_store import LoadRunningError, MetadataStore, now
from {{ cookiecutter.package_name }}.records import EncoderInput, item_columns, parse_files
from {{ cookiecutter.package_name }}.schemas import Job, JobState

from examples import UPLOAD
from helpers import counts, multipart, records_of, running_app, source_files, wait_for_job

FOREIGN = "https://attacker.example"


async def test_a_drop_during_a_load_is_refused_and_loses_nothing(
    client: httpx.AsyncClient,
) -> None:
    job_id = (await client.post("/items/sample")).json()["job_id"]
    refused = await client.delete("/collection")
    assert refused.status_code == 409, refused.text
    assert "queued or running" in refused.json()["detail"]
    job = await wait_for_job(client, job_id)
    assert job["state"] == "succeeded", job
    assert await counts(client) == {"milvus": job["loaded"], "metadata": job["loaded"]}
    assert (await client.delete("/collection")).status_code == 204
    assert await counts(client) == {"milvus": 0, "metadata": 0}


async def test_an_item_its_job_may_still_write_cannot_be_deleted(settings: Settings) -> None:
    store = await MetadataStore.open(settings, item_columns)
    try:
        moment = now()
        job = Job(
            id="loading", kind="upload", source="test", state=JobState.RUNNING, total=2,
            chunks=2, created_at=moment, updated_at=moment,
        )  # fmt: skip
        await store.create_job(job)
        records = records_of(parse_files(source_files(UPLOAD), settings), settings)
        [item_id, *_] = await store.add_items(job.id, records)
        with pytest.raises(LoadRunningError, match="still queued or running"):
            await store.refuse_while_writing(item_id)
        with pytest.raises(LoadRunningError, match="1 load job"):
            await store.refuse_while_loading("drop the collection")
        await store.fail_job(job.id, "stopped")
        await store.refuse_while_writing(item_id)
        await store.refuse_while_loading("drop the collection")
    finally:
        await store.close()


@pytest.mark.parametrize(
    "headers",
    [{"Origin": FOREIGN}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}],
    ids=["other-origin", "opaque-origin", "cross-site"],
)
async def test_writes_from_another_site_are_refused(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    writes: list[tuple[str, str, dict[str, Any]]] = [
        ("POST", "/items/sample", {}),
        ("POST", "/items", {"files": multipart(UPLOAD)}),
        ("DELETE", "/collection", {}),
        ("POST", "/admin/consistency/repair", {}),
    ]
    for method, path, body in writes:
        response = await client.request(method, path, headers=headers, **body)
        assert response.status_code == 403, (path, response.text)
        assert "another site" in response.json()["detail"]
    assert await counts(client) == {"milvus": 0, "metadata": 0}
    # Reads stay open: a page elsewhere may show results.
    assert (await client.get("/items/count", headers=headers)).status_code == 200


async def test_the_service_s_own_page_and_allowed_origins_may_write(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    allowed = settings.model_copy(update={"allowed_origins": ["https://admin.example.org/"]})
    async with running_app(allowed, encoder) as client:
        for origin in ("http://testserver", "https://admin.example.org"):
            headers = {"Origin": origin, "Sec-Fetch-Site": "same-origin"}
            response = await client.post("/items", files=multipart(UPLOAD), headers=headers)
            assert response.status_code == 202, response.text
            await wait_for_job(client, response.json()["job_id"])
