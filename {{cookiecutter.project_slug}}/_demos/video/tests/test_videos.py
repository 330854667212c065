"""The video endpoints: stored files and frames served back, bad files in a batch, hit shapes."""

import io

import httpx
from PIL import Image

from examples import CLIP, CLIPS, PICTURES, TRUNCATED, search
from helpers import counts, multipart, wait_for_job


async def load(client: httpx.AsyncClient, files: list[tuple[str, bytes]]) -> dict[str, object]:
    accepted = await client.post("/items", files=multipart(files))
    assert accepted.status_code == 202, accepted.text
    job: dict[str, object] = await wait_for_job(client, accepted.json()["job_id"])
    return job


async def test_a_stored_video_and_its_frames_are_served(client: httpx.AsyncClient) -> None:
    job = await load(client, [("cats.mp4", CLIP)])
    assert job["loaded"] == 1
    [hit] = (await client.post("/search", **search(top_k=1))).json()["results"]
    assert hit["name"] == "cats.mp4"
    assert "frame_times" not in hit
    served = await client.get(hit["video_url"])
    assert served.status_code == 200
    assert served.headers["content-type"] == "video/mp4"
    assert served.content == CLIP
    # Browsers seek with byte ranges.
    part = await client.get(hit["video_url"], headers={"Range": "bytes=0-99"})
    assert part.status_code == 206
    assert part.content == CLIP[:100]
    thumbnail = await client.get(hit["thumbnail_url"])
    assert thumbnail.status_code == 200
    assert thumbnail.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(thumbnail.content)) as image:
        assert max(image.size) <= 320


async def test_a_hit_lists_its_matching_moments_best_first(client: httpx.AsyncClient) -> None:
    await load(client, [("cats.mp4", CLIP)])
    [hit] = (await client.post("/search", **search(top_k=3))).json()["results"]
    moments = hit["moments"]
    assert 1 <= len(moments) <= 9
    assert all(moment["score"] >= hit["score"] - 0.1 for moment in moments)
    scores = [moment["score"] for moment in moments]
    assert scores == sorted(scores, reverse=True)
    assert (hit["score"], hit["at"]) == (moments[0]["score"], moments[0]["at"])
    assert all(0 <= moment["at"] < 9 for moment in moments)
    assert hit["thumbnail_url"] == f"/items/{hit['id']}/frame?at={hit['at']}"


async def test_one_video_never_crowds_others_out(client: httpx.AsyncClient) -> None:
    # Nine frames of the same clip are nearer to its own frame than any other clip's, yet a
    # top 2 still holds two videos.
    await load(client, [("cats.mp4", CLIP), ("other.webm", CLIPS[-1].read_bytes())])
    hits = (await client.post("/search", **search(top_k=2))).json()["results"]
    assert [hit["name"] for hit in hits] == ["cats.mp4", "other.webm"]


async def test_only_stored_items_are_served(client: httpx.AsyncClient) -> None:
    assert (await client.get("/items/424242/video")).status_code == 404
    assert (await client.get("/items/424242/frame?at=1")).status_code == 404
    assert (await client.get("/items/..%2F..%2Fetc%2Fpasswd/video")).status_code in (404, 422)
    await load(client, [("cats.mp4", CLIP)])
    [item] = (await client.get("/items")).json()
    assert (await client.get(f"/items/{item['id']}/frame?at=-1")).status_code == 422


async def test_bad_files_in_a_batch_are_per_item_errors(client: httpx.AsyncClient) -> None:
    files = [
        ("empty.mp4", b""),
        ("notes.mp4", b"words"),
        ("photo.mp4", PICTURES[0]),
        ("cut.mp4", TRUNCATED),
        ("good.mp4", CLIP),
    ]
    job = await load(client, files)
    assert job["state"] == "succeeded"
    assert (job["loaded"], job["failed"]) == (1, 4)
    errors = job["errors"]
    assert isinstance(errors, list)
    reasons = {error["item"]: error["reason"] for error in errors}
    assert reasons["empty.mp4"] == "empty file"
    assert reasons["notes.mp4"].startswith("not a video PyAV can read")
    assert reasons["photo.mp4"] == "a still image, not a video"
    assert reasons["cut.mp4"].startswith("truncated video")
    assert await counts(client) == {"milvus": 1, "metadata": 1}


async def test_a_search_with_a_broken_picture_gets_422(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/search", files={"image": ("clip.mp4", CLIP)}, data={"top_k": "3"}
    )
    assert response.status_code == 422
    assert "not an image Pillow can read" in response.json()["detail"]
