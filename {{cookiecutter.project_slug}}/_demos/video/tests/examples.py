"""Video inputs for the tests every demo shares: the sample clips, and frames grabbed from them."""

import io
from hashlib import sha256
from pathlib import Path
from typing import Any

import av
from PIL import Image

from bad_pictures import HUGE, PDF, bad_picture_searches
from {{ cookiecutter.package_name }}.records import Record

CLIPS_FOLDER = Path(__file__).resolve().parents[1] / "data" / "clips"
CLIPS = sorted(CLIPS_FOLDER.glob("*.*"))
CLIP = CLIPS[0].read_bytes()
# An MP4 cut off halfway: its header reads fine, its frames stop at 3 s of 9 s.
TRUNCATED = CLIPS[1].read_bytes()[: len(CLIPS[1].read_bytes()) // 2]


def grab(clip: Path, at: float) -> bytes:
    """The frame shown `at` seconds into a clip, as a JPEG: decoded here with PyAV alone, so
    the tests do not lean on the code they check."""
    with av.open(str(clip)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= at - 1e-3:
                out = io.BytesIO()
                Image.fromarray(frame.to_ndarray(format="rgb24")).save(out, "JPEG", quality=90)
                return out.getvalue()
    raise ValueError(f"{clip.name} ends before {at} s")


# Five different pictures, one from each of five clips.
PICTURES = [grab(clip, 4.0) for clip in CLIPS[:5]]

QUERY_FIELD = "image"
INVALID_SEARCH: dict[str, Any] = {"files": {"image": ("notes.jpg", b"not a picture")}}
MISSING_SEARCH: dict[str, Any] = {"data": {"top_k": "3"}}

# Small enough that loading the sample clips takes four batches.
SAMPLE_BATCH_SIZE = 2
# The outage tests stop a store in the middle of a sample load: one clip per batch and more
# frames per clip make it last a few seconds.
OUTAGE_SETTINGS: dict[str, Any] = {"batch_size": 1, "frames_per_second": 8.0}

UPLOAD = [
    ("first.mp4", CLIP),
    ("broken.mp4", TRUNCATED),
    ("second.webm", CLIPS[-1].read_bytes()),
]
UPLOAD_BAD_ITEM = "broken.mp4"

# Files refused whole (422), and what the refusal says: none of them is a video at all.
BAD_UPLOADS = [
    ([("empty.mp4", b"")], "empty file"),
    ([("notes.mp4", b"these are words, not frames\n")], "not a video PyAV can read"),
    ([("a.mp4", b""), ("photo.jpg", PICTURES[0])], "no video could be read"),
    ([("doc.mp4", PDF)], "no video could be read (doc.mp4: not a video PyAV can read"),
    ([("photo.mp4", PICTURES[0])], "no video could be read (photo.mp4: a still image, not a"),
    # Cut off inside its header, before the video stream is described.
    ([("start.mp4", CLIP[:64])], "no video could be read (start.mp4: the file has no video"),
    ([("huge.png", HUGE)], "no video could be read (huge.png: a still image, not a video)"),
]

# Files accepted whose bad items become the job's errors: the files, how many items load, and
# what the job says of each bad one. A video whose header reads is decoded by the job, not the
# request: a video cut off is found there.
PARTLY_BAD_UPLOADS = [
    ([("half.mp4", TRUNCATED)], 0, {"half.mp4": "truncated video: frames end at 3.0 s of 9.0 s"}),
    (
        [
            ("good.mp4", CLIPS[3].read_bytes()),
            ("empty.mp4", b""),
            ("half.mp4", TRUNCATED),
            ("doc.mp4", PDF),
            ("photo.mp4", PICTURES[0]),
        ],
        1,
        {
            "empty.mp4": "empty file",
            "half.mp4": "truncated video",
            "doc.mp4": "not a video PyAV can read",
            "photo.mp4": "a still image, not a video",
        },
    ),
]

# One item to upload under any file name, how it is stored, and the search that finds it first.
NAMED_ITEM = (".mp4", CLIPS[5].read_bytes())
NAMED_ITEM_STORED = {
    "media_type": "video/mp4",
    "file": f"{sha256(NAMED_ITEM[1]).hexdigest()}.mp4",  # named by content: these bytes
}
NAMED_ITEM_SEARCH: dict[str, Any] = {"files": {"image": ("query.jpg", grab(CLIPS[5], 4.0))}}
# The item field that shows the uploaded file's name.
FILE_NAME_FIELD = "name"

# Searches refused (422), and what the refusal says.
BAD_SEARCHES = [
    *bad_picture_searches(PICTURES[1][: len(PICTURES[1]) // 2]),
    ({"files": {"image": ("clip.jpg", CLIP)}}, "not an image Pillow can read"),
]

ENCODER_INPUTS = PICTURES[:3]

HOSTILE_RECORD = Record(
    name="'); DROP TABLE items; --.mp4",
    media_type="video/mp4",
    width=1,
    height=1,
    file="x",
    frame_times=[0.0],
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
    return {"files": {"image": ("query.jpg", PICTURES[0])}, "data": form}


def cli_query(folder: Path) -> str:
    """The search query as typed on the command line: a picture's path."""
    query = folder / "query.jpg"
    query.write_bytes(PICTURES[0])
    return str(query)
