"""Stored media: the bytes of every loaded file, kept under the media root.

A file is named by the SHA-256 of its content, so loading it twice stores it once, and a name
from the database can only ever point inside the folder.
"""

import os
import re
import uuid
from hashlib import sha256
from pathlib import Path

_KEY = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
# The key a staged record carries (beside its fields) to say that its load wrote its file.
WRITTEN = "file_written"


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, extension: str) -> tuple[str, bool]:
        """Store the bytes (once); return the key that finds them again, and whether this call
        wrote them (False: they were here already, perhaps another item's)."""
        key = f"{sha256(data).hexdigest()}.{extension.lower()}"
        path = self.path(key)
        if path.exists():
            return key, False
        path.parent.mkdir(parents=True, exist_ok=True)
        # Write aside and rename, so a reader never sees half a file.
        partial = path.with_name(f".{uuid.uuid4().hex}.part")
        partial.write_bytes(data)
        os.replace(partial, path)
        return key, True

    def discard(self, key: str) -> None:
        """Remove a stored file that no item may keep: one its load wrote and then found it
        could not decode. A file that was here before is left alone, since another item
        (loaded under other settings, say) may hold it."""
        self.path(key).unlink(missing_ok=True)

    def path(self, key: str) -> Path:
        """Where a stored file lives; a key this store did not make is refused."""
        if not _KEY.match(key):
            raise ValueError(f"not a media key: {key!r}")
        return self.root / key[:2] / key
