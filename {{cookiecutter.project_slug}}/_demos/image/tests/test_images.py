"""The image endpoints: stored files served back, and bad files in a batch."""

import httpx

from examples import PHOTO, TRUNCATED, search
from helpers import counts, multipart, wait_for_job


async def test_a_stored_image_is_served_as_loaded(client: httpx.AsyncClient) -> None:
    accepted = await client.post("/items", files=multipart([("cat.jpg", PHOTO)]))
    job = await wait_for_job(client, accepted.json()["job_id"])
    assert job["loaded"] == 1
    [hit] = (await client.post("/search", **search(top_k=1))).json()["results"]
    assert hit["name"] == "cat.jpg"
    assert hit["score"] > 0.99
    served = await client.get(hit["image_url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "image/jpeg"
    assert served.content == PHOTO


async def test_only_stored_items_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/items/424242/image")).status_code == 404
    assert (await client.get("/items/..%2F..%2Fetc%2Fpasswd/image")).status_code in (404, 422)


async def test_bad_files_in_a_batch_are_per_item_errors(client: httpx.AsyncClient) -> None:
    files = [
        ("empty.jpg", b""),
        ("notes.jpg", b"words"),
        ("cut.jpg", TRUNCATED),
        ("good.jpg", PHOTO),
    ]
    accepted = await client.post("/items", files=multipart(files))
    assert accepted.status_code == 202, accepted.text
    job = await wait_for_job(client, accepted.json()["job_id"])
    assert job["state"] == "succeeded"
    assert (job["loaded"], job["failed"]) == (1, 3)
    reasons = {error["item"]: error["reason"] for error in job["errors"]}
    assert reasons["empty.jpg"] == "empty file"
    assert reasons["notes.jpg"] == "not an image Pillow can read"
    assert reasons["cut.jpg"].startswith("truncated or corrupt image")
    assert await counts(client) == {"milvus": 1, "metadata": 1}


async def test_a_search_with_a_broken_picture_gets_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/search", files={"image": ("cut.jpg", TRUNCATED)}, data={"top_k": "3"}
    )
    assert response.status_code == 422
    assert "truncated or corrupt image" in response.json()["detail"]
