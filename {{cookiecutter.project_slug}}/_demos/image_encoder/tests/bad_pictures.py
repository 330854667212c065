"""Files that are not the pictures they claim to be, for the image and video demos' tables."""

import struct
import zlib
from typing import Any

# A PDF's first lines: a document named as a picture or a video.
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int) -> bytes:
    """A PNG that says how large it is and holds no pixels: its header and an empty IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(b""))
        + _chunk(b"IEND", b"")
    )


# 88 million pixels claimed in 65 bytes: refused from the header, before any decoding.
HUGE = png_header(9400, 9400)


def bad_picture_searches(truncated: bytes) -> list[tuple[dict[str, Any], str]]:
    """Searches with a picture that is not one (422), and what the refusal says."""
    return [
        ({"files": {"image": ("empty.jpg", b"")}}, "empty file"),
        ({"files": {"image": ("half.jpg", truncated)}}, "truncated or corrupt image"),
        ({"files": {"image": ("doc.jpg", PDF)}}, "not an image Pillow can read"),
        ({"files": {"image": ("huge.png", HUGE)}}, "image too large: 9400x9400 pixels"),
    ]
