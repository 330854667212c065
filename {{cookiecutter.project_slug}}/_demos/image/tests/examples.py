"""Image inputs for the tests every demo shares: photographs from the sample gallery."""

import io
from hashlib import sha256
from pathlib import Path
from typing import Any

from PIL import Image

from bad_pictures import HUGE, PDF, bad_picture_searches
from {{ cookiecutter.package_name }}.records import Record

GALLERY = Path(__file__).resolve().parents[1] / "data" / "gallery"
PHOTOS = sorted(GALLERY.glob("*.jpg"))
PHOTO = PHOTOS[0].read_bytes()
# A JPEG cut off halfway: its header reads fine, its pixels do not.
TRUNCATED = PHOTOS[1].read_bytes()[: len(PHOTOS[1].read_bytes()) // 2]


def as_png(picture: bytes) -> bytes:
    out = io.BytesIO()
    Image.open(io.BytesIO(picture)).save(out, "PNG")
    return out.getvalue()


# A PNG cut off halfway: its header reads fine, its pixels do not.
PNG = as_png(PHOTOS[3].read_bytes())
HALF_PNG = PNG[: len(PNG) // 2]

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

# Files refused whole (422), and what the refusal says: none of them is a picture at all.
BAD_UPLOADS = [
    ([("empty.jpg", b"")], "empty file"),
    ([("notes.jpg", b"these are words, not pixels\n")], "not an image Pillow can read"),
    ([("a.jpg", b""), ("b.png", b"%PDF-1.4")], "no image could be read"),
    ([("doc.jpg", PDF)], "no image could be read (doc.jpg: not an image Pillow can read)"),
    ([("start.jpg", PHOTO[:3])], "no image could be read (start.jpg: not an image Pillow"),
    ([("huge.png", HUGE)], "no image could be read (huge.png: image too large: 9400x9400 pixels"),
]

# Files accepted whose bad items become the job's errors: the files, how many items load, and
# what the job says of each bad one. A picture whose header reads is decoded by the job, not
# the request: a picture cut off is found there.
PARTLY_BAD_UPLOADS = [
    ([("half.png", HALF_PNG)], 0, {"half.png": "truncated or corrupt image"}),
    (
        [
            ("good.jpg", PHOTOS[4].read_bytes()),
            ("empty.jpg", b""),
            ("half.jpg", TRUNCATED),
            ("doc.jpg", PDF),
        ],
        1,
        {
            "empty.jpg": "empty file",
            "half.jpg": "truncated or corrupt image: image file is truncated",
            "doc.jpg": "not an image Pillow can read",
        },
    ),
]

# One item to upload under any file name, how it is stored, and the search that finds it first.
NAMED_ITEM = (".jpg", PHOTOS[5].read_bytes())
NAMED_ITEM_STORED = {
    "media_type": "image/jpeg",
    "file": f"{sha256(NAMED_ITEM[1]).hexdigest()}.jpeg",  # named by content: these bytes
}
NAMED_ITEM_SEARCH: dict[str, Any] = {"files": {"image": ("query.jpg", NAMED_ITEM[1])}}
# The item field that shows the uploaded file's name.
FILE_NAME_FIELD = "name"

# Searches refused (422), and what the refusal says.
BAD_SEARCHES = bad_picture_searches(TRUNCATED)

ENCODER_INPUTS = [path.read_bytes() for path in PHOTOS[:3]]

HOSTILE_RECORD = Record(
    name="'); DROP TABLE items; --.jpg", media_type="image/jpeg", width=1, height=1, file="x"
)


def extra_settings(folder: Path) -> dict[str, Any]:
    """Where this demo keeps loaded files: inside the test's folder."""
    return {"media_root": folder / "media"}


def files_root(folder: Path) -> Path | None:
    """Where a service started with extra_settings(folder) keeps loaded files."""
    root: Path = extra_settings(folder)["media_root"]
    return root


def search(top_k: object = None) -> dict[str, Any]:
    """The request for a search, as httpx arguments."""
    form = {} if top_k is None else {"top_k": str(top_k)}
    return {"files": {"image": ("query.jpg", PHOTO)}, "data": form}


def cli_query(folder: Path) -> str:
    """The search query as typed on the command line: a picture's path."""
    query = folder / "query.jpg"
    query.write_bytes(PHOTO)
    return str(query)
