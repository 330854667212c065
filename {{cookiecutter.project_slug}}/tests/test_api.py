"""End to end through the HTTP API, against real Milvus Lite and SQLite stores."""

import asyncio
import os
from pathlib import Path
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.records import EncoderInput

from examples import (
    INVALID_SEARCH,
    MISSING_SEARCH,
    QUERY_FIELD,
    SAMPLE_BATCH_SIZE,
    UPLOAD,
    UPLOAD_BAD_ITEM,
    search,
)
from helpers import counts, multipart, running_app, wait_for_job, write_files


async def test_health_and_docs(client: httpx.AsyncClient) -> None:
    assert (await client.get("/health")).json() == {
        "status": "ok",
        "milvus": "ok",
        "metadata": "ok",
        "worker": os.getpid(),
    }
    assert (await client.get("/docs")).status_code == 200
    assert (await client.get("/redoc")).status_code == 200
    spec = (await client.get("/openapi.json")).json()
    search_response = spec["paths"]["/search"]["post"]["responses"]["200"]
    assert search_response["content"]["application/json"]["schema"]["$ref"].endswith(
        "SearchResponse"
    )
    assert "Hit" in spec["components"]["schemas"]


async def test_sample_load_is_a_job_that_fills_both_stores(
    loaded_client: httpx.AsyncClient,
) -> None:
    totals = await counts(loaded_client)
    assert totals["milvus"] == totals["metadata"] > 0


async def test_search_returns_ranked_hits(loaded_client: httpx.AsyncClient) -> None:
    response = await loaded_client.post("/search", **search(top_k=5))
    assert response.status_code == 200, response.text
    hits = response.json()["results"]
    assert len(hits) == 5
    scores = [hit["score"] for hit in hits]
    assert scores == sorted(scores, reverse=True)
    for hit in hits:
        # A hit is the stored item plus what the search found out about it.
        stored = (await loaded_client.get(f"/items/{hit['id']}")).json()
        assert {key: hit[key] for key in stored} == stored


async def test_default_top_k_applies(loaded_client: httpx.AsyncClient) -> None:
    response = await loaded_client.post("/search", **search())
    total = (await counts(loaded_client))["metadata"]
    assert len(response.json()["results"]) == min(10, total)


async def test_list_items_pages(loaded_client: httpx.AsyncClient) -> None:
    first = (await loaded_client.get("/items", params={"limit": 3})).json()
    second = (await loaded_client.get("/items", params={"offset": 3, "limit": 3})).json()
    assert len(first) == len(second) == 3
    assert [item["id"] for item in first] < [item["id"] for item in second]


async def test_upload_reports_bad_lines_and_loads_the_rest(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", files=multipart(UPLOAD))
    assert response.status_code == 202, response.text
    accepted = response.json()
    assert accepted["status_url"].endswith(f"/jobs/{accepted['job_id']}")
    job = await wait_for_job(client, accepted["job_id"])
    assert job["state"] == "succeeded"
    assert (job["total"], job["done"], job["loaded"], job["failed"]) == (3, 3, 2, 1)
    assert [error["item"] for error in job["errors"]] == [UPLOAD_BAD_ITEM]
    assert await counts(client) == {"milvus": 2, "metadata": 2}


async def test_searches_answer_during_a_load(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    async with running_app(
        settings.model_copy(update={"batch_size": SAMPLE_BATCH_SIZE}), encoder
    ) as client:
        job_id = (await client.post("/items/sample")).json()["job_id"]
        answered_while_running = 0
        seen_done: list[int] = []
        while True:
            job = (await client.get(f"/jobs/{job_id}")).json()
            seen_done.append(job["done"])
            if job["state"] in {"succeeded", "failed"}:
                break
            response = await client.post("/search", **search())
            assert response.status_code == 200, response.text
            answered_while_running += job["state"] == "running"
            await asyncio.sleep(0)
        assert job["state"] == "succeeded"
        assert answered_while_running > 0
        assert seen_done == sorted(seen_done)
        assert len(set(seen_done)) > 2, "progress should be visible as the job advances"


async def test_delete_an_item_from_both_stores(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", files=multipart(UPLOAD))
    await wait_for_job(client, response.json()["job_id"])
    [first, *_] = (await client.get("/items")).json()
    assert (await client.delete(f"/items/{first['id']}")).status_code == 204
    assert (await client.get(f"/items/{first['id']}")).status_code == 404
    assert await counts(client) == {"milvus": 1, "metadata": 1}
    hits = (await client.post("/search", **search())).json()["results"]
    assert first["id"] not in [hit["id"] for hit in hits]


async def test_drop_collection_empties_both_stores(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", files=multipart(UPLOAD))
    await wait_for_job(client, response.json()["job_id"])
    assert (await client.delete("/collection")).status_code == 204
    assert await counts(client) == {"milvus": 0, "metadata": 0}
    assert (await client.post("/search", **search())).json() == {"results": []}


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (search(top_k=0), "greater than or equal to 1"),
        (search(top_k=101), "top_k must be between 1 and 100"),
        (search(top_k="many"), "valid integer"),
        (INVALID_SEARCH, ""),
        (MISSING_SEARCH, "Field required"),
    ],
)
async def test_bad_searches_get_422(
    client: httpx.AsyncClient, arguments: dict[str, Any], message: str
) -> None:
    response = await client.post("/search", **arguments)
    assert response.status_code == 422
    assert message in response.text


async def test_unknown_ids_get_404(client: httpx.AsyncClient) -> None:
    assert (await client.get("/jobs/0123456789abcdef")).json() == {
        "detail": "no job with id '0123456789abcdef'"
    }
    assert (await client.get("/items/424242")).status_code == 404
    assert (await client.delete("/items/424242")).status_code == 404
    assert (await client.get("/items/not-a-number")).status_code == 422


async def test_too_large_uploads_get_413(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    small = settings.model_copy(update={"max_upload_bytes": 10})
    async with running_app(small, encoder) as client:
        response = await client.post("/items", files=multipart(UPLOAD))
        assert response.status_code == 413
        assert "larger than the limit of 10 bytes" in response.json()["detail"]
        assert await counts(client) == {"milvus": 0, "metadata": 0}


async def test_server_files_load_only_from_the_data_root(
    settings: Settings, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    write_files(root / "batch", UPLOAD)
    (tmp_path / "secret.txt").write_text("not for you", encoding="utf-8")
    async with running_app(settings.model_copy(update={"data_root": root}), encoder) as client:
        outside = await client.post("/items/load", json={"path": "../secret.txt"})
        assert outside.status_code == 400
        assert "outside the data folder" in outside.json()["detail"]
        absolute = await client.post("/items/load", json={"path": str(tmp_path / "secret.txt")})
        assert absolute.status_code == 400
        assert (await client.post("/items/load", json={"path": "nope"})).status_code == 404
        inside = await client.post("/items/load", json={"path": "batch"})
        assert inside.status_code == 202
        job = await wait_for_job(client, inside.json()["job_id"])
        assert job["loaded"] == 2


async def test_api_key_guards_what_changes_data(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    guarded = settings.model_copy(update={"api_key": SecretStr("s3cret")})
    async with running_app(guarded, encoder) as client:
        refused = await client.post("/items", files=multipart(UPLOAD))
        assert refused.status_code == 401
        assert "X-API-Key" in refused.json()["detail"]
        wrong = await client.delete("/collection", headers={"X-API-Key": "guess"})
        assert wrong.status_code == 401
        assert (await client.post("/search", **search())).status_code == 200
        accepted = await client.post(
            "/items", files=multipart(UPLOAD), headers={"X-API-Key": "s3cret"}
        )
        assert accepted.status_code == 202


async def test_the_page_and_its_description(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert 'src="static/app.js"' in page.text
    for asset in ("static/app.js", "static/style.css"):
        assert (await client.get(f"/{asset}")).status_code == 200
    demo = (await client.get("/demo")).json()
    assert demo["query_field"] == QUERY_FIELD
    spec = (await client.get("/openapi.json")).json()
    assert demo["title"] == spec["info"]["title"]
