"""Edited copies of gallery photos find their original first (the demo's acceptance check)."""

import io
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from PIL import Image, ImageEnhance, ImageOps

from examples import PHOTOS


def crop_80(image: Image.Image) -> Image.Image:
    width, height = image.size
    dx, dy = width // 10, height // 10
    return image.crop((dx, dy, width - dx, height - dy))


def mirrored(image: Image.Image) -> Image.Image:
    return ImageOps.mirror(image)


def brighter(image: Image.Image) -> Image.Image:
    return ImageEnhance.Brightness(image).enhance(1.4)


def thumbnail(image: Image.Image) -> Image.Image:
    small = image.copy()
    small.thumbnail((96, 96))
    return small


def jpeg(image: Image.Image, quality: int = 90) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, format="JPEG", quality=quality)
    return out.getvalue()


EDITS: dict[str, Callable[[Image.Image], bytes]] = {
    "crop 80%": lambda image: jpeg(crop_80(image)),
    "JPEG quality 20": lambda image: jpeg(image, quality=20),
    "horizontal flip": lambda image: jpeg(mirrored(image)),
    "brightness +40%": lambda image: jpeg(brighter(image)),
    "96 px thumbnail": lambda image: jpeg(thumbnail(image)),
}
# Five photographs spread over the gallery, so several source pictures are covered.
CHOSEN = [PHOTOS[n * len(PHOTOS) // 5] for n in range(5)]


@pytest.mark.parametrize("photo", CHOSEN, ids=[p.name for p in CHOSEN])
async def test_every_edit_finds_the_original_first(
    loaded_client: httpx.AsyncClient, photo: Path
) -> None:
    with Image.open(photo) as original:
        original.load()
        for edit, apply in EDITS.items():
            response = await loaded_client.post(
                "/search", files={"image": ("edited.jpg", apply(original))}, data={"top_k": "3"}
            )
            assert response.status_code == 200, response.text
            best = response.json()["results"][0]
            assert best["name"] == f"gallery/{photo.name}", f"{edit} of {photo.name}"
