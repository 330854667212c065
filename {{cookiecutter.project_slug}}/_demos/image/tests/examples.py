"""Image inputs for the tests every demo shares: photographs from the sample gallery."""

from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.records import Record

GALLERY = Path(__file__).resolve().parents[1] / "data" / "gallery"
PHOTOS = sorted(GALLERY.glob("*.jpg"))
PHOTO = PHOTOS[0].read_bytes()
# A JPEG cut off halfway: its header reads fine, its pixels do not.
TRUNCATED = PHOTOS[1].read_bytes()[: len(PHOTOS[1].read_bytes()) // 2]

# Seven photographs spread over the gallery, each from another source picture.
PICTURES = [PHOTOS[n * len(PHOTOS) // 7].read_bytes() for n in range(7)]

QUERY_FIELD = "image"
INVALID_SEARCH: dict[str, Any] = {"files": {"image": ("notes.jpg", b"not a picture")}}
MISSING_SEARCH: dict[str, Any] = {"data": {"top_k": "3"}}

# Small enough that loading the sample gallery takes a dozen batches.
SAMPLE_BATCH_SIZE = 8
# The outage tests stop a store in the middle of a sample load: smaller batches make it last.
OUTAGE_SETTINGS: dict[str, Any] = {"batch_size": max(1, SAMPLE_BATCH_SIZE // 4)}

UPLOAD = [
    ("first.jpg", PHOTO),
    ("broken.jpg", TRUNCATED),
    ("second.jpg", PHOTOS[2].read_bytes()),
]
UPLOAD_BAD_ITEM = "broken.jpg"

BAD_UPLOADS = [
    ([("empty.jpg", b"")], "empty file"),
    ([("notes.jpg", b"these are words, not pixels\n")], "not an image Pillow can read"),
    ([("a.jpg", b""), ("b.png", b"%PDF-1.4")], "no image could be read"),
]

ENCODER_INPUTS = [path.read_bytes() for path in PHOTOS[:3]]

HOSTILE_RECORD = Record(
    name="'); DROP TABLE items; --.jpg", media_type="image/jpeg", width=1, height=1, file="x"
)


def extra_settings(folder: Path) -> dict[str, Any]:
    """Where this demo keeps loaded files: inside the test's folder."""
    return {"media_root": folder / "media"}


def search(top_k: object = None) -> dict[str, Any]:
    """The request for a search, as httpx arguments."""
    form = {} if top_k is None else {"top_k": str(top_k)}
    return {"files": {"image": ("query.jpg", PHOTO)}, "data": form}


def cli_query(folder: Path) -> str:
    """The search query as typed on the command line: a picture's path."""
    query = folder / "query.jpg"
    query.write_bytes(PHOTO)
    return str(query)
