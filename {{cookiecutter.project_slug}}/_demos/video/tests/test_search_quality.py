"""A frame grabbed from a sample clip finds that clip first, at the right moment (the demo's
acceptance check)."""

from pathlib import Path

import httpx
import pytest

from examples import CLIPS, grab


@pytest.mark.parametrize("clip", CLIPS, ids=[clip.name for clip in CLIPS])
async def test_a_frame_from_second_3_finds_its_clip_at_3_s(
    loaded_client: httpx.AsyncClient, clip: Path
) -> None:
    response = await loaded_client.post(
        "/search", files={"image": ("frame.jpg", grab(clip, 3.0))}, data={"top_k": "3"}
    )
    assert response.status_code == 200, response.text
    hits = response.json()["results"]
    assert len({hit["id"] for hit in hits}) == 3
    best = hits[0]
    assert best["name"] == f"clips/{clip.name}"
    assert abs(best["at"] - 3.0) <= 1.0, best["moments"]
