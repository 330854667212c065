"""Stored media: the bytes of every loaded file, kept under the media root.

A file is named by the SHA-256 of its content, so loading it twice stores it once, and a name
from the database can only ever point inside the folder. Two items (the same picture loaded
twice) may hold one file, so a file goes only when no item holds it any more.
"""

import asyncio
import logging
import os
import re
import time
import uuid
from collections.abc import Iterator, Mapping, Sequence
from hashlib import sha256
from pathlib import Path
from typing import Any

from .config import Settings
from .metadata_store import MetadataStore
from .uploads import InvalidItemError, KeptFile

logger = logging.getLogger(__name__)

_KEY = re.compile(r"^[0-9a-f]{64}\.[a-z0-9]{1,8}$")
_PART = re.compile(r"^\.[0-9a-f]{32}\.part$")
# The key a load task carries (beside its record's fields) to say that its load wrote its file.
WRITTEN = "file_written"
# The item column that holds a file's key.
KEY_COLUMN = "file"
# A load copies its files here before its job is recorded, and a job queued or running keeps
# `repair` away: a file written or touched this recently (seconds) may belong to a load that no
# item or job shows yet, so no sweep takes it.
SWEEP_AFTER = 3600.0


class MediaStore:
    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, extension: str) -> tuple[str, bool]:
        """Store the bytes (once); return the key that finds them again, and whether this call
        wrote them (False: they were here already, perhaps another item's)."""
        key = f"{sha256(data).hexdigest()}.{extension.lower()}"
        path = self.path(key)
        if path.exists():
            # Touched as if written: this load now counts on it, and a sweep spares fresh files.
            os.utime(path)
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

    def names(self) -> Iterator[str]:
        """Every file this store made: stored keys, and the halves of writes (`.part`). Other
        files under the root are not its own and are never listed."""
        if not self.root.is_dir():
            return
        for folder in self.root.iterdir():
            if not folder.is_dir() or len(folder.name) != 2:
                continue
            for path in folder.iterdir():
                if _KEY.match(path.name) and path.name.startswith(folder.name):
                    yield path.name
                elif _PART.match(path.name):
                    yield f"{folder.name}/{path.name}"

    def settled(self, name: str, older_than: float = SWEEP_AFTER) -> bool:
        """Whether the file is untouched for `older_than` seconds (False if it is gone)."""
        try:
            modified = self._located(name).stat().st_mtime
        except FileNotFoundError:
            return False
        return time.time() - modified >= older_than

    def remove(self, names: Sequence[str], older_than: float = SWEEP_AFTER) -> None:
        """Remove these files, each unless touched in the last `older_than` seconds: a load
        may have taken it up since it was found unused. With 0, whatever their age."""
        for name in names:
            if older_than <= 0 or self.settled(name, older_than):
                self._located(name).unlink(missing_ok=True)

    def _located(self, name: str) -> Path:
        if _KEY.match(name):
            return self.path(name)
        folder, _, part = name.partition("/")
        if len(folder) != 2 or not _PART.match(part):
            raise ValueError(f"not a media file name: {name!r}")
        return self.root / folder / part


class MediaFiles:
    """The stored files items hold by key (records.py `item_files`)."""

    def __init__(self, store: MediaStore) -> None:
        self.store = store

    def stage(self, fields: dict[str, Any], file: KeptFile | None) -> dict[str, Any]:
        """Copy the file into the store: the task names it by key, which every worker reads
        from the shared MEDIA_ROOT, and says whether this load wrote it."""
        if file is None:
            raise InvalidItemError("no file to read")
        try:
            data = file.source.read()
        except OSError as exc:  # its strerror, not str(): that names the path on this machine
            raise InvalidItemError(f"cannot read the file: {exc.strerror}") from None
        key, written = self.store.put(data, file.extension)
        return {**fields, KEY_COLUMN: key, WRITTEN: written}

    def abandon(self, task: Mapping[str, Any]) -> None:
        # Only a file this load wrote: one that was here before may be another item's.
        if task.get(WRITTEN) and task.get(KEY_COLUMN):
            self.store.discard(str(task[KEY_COLUMN]))

    async def release(self, metadata: MetadataStore, items: Sequence[Mapping[str, Any]]) -> None:
        keys = {str(item[KEY_COLUMN]) for item in items if item.get(KEY_COLUMN)}
        if not keys:
            return
        # A load may be about to store an item holding one of these files (the same bytes
        # again): while one is queued or running the files stay, for `repair` to sweep.
        if await metadata.count_unfinished_jobs():
            logger.info("a load is unfinished: %d file(s) left for repair", len(keys))
            return
        unheld = sorted(keys - await metadata.values_in_use(KEY_COLUMN, keys))
        # Any age: the item just deleted held these files until now.
        await asyncio.to_thread(self.store.remove, unheld, 0.0)

    async def clear(self) -> None:
        await asyncio.to_thread(self._clear)

    def _clear(self) -> None:
        names = list(self.store.names())
        self.store.remove([name for name in names if _KEY.match(name)], 0.0)
        # A fresh `.part` is a write under way (a load being accepted): its rename needs it.
        self.store.remove([name for name in names if not _KEY.match(name)])

    async def unused(self, metadata: MetadataStore) -> list[str]:
        found = await asyncio.to_thread(self._settled)
        held = await metadata.values_in_use(KEY_COLUMN)
        return sorted(name for name in found if name not in held)

    def _settled(self) -> list[str]:
        return [name for name in self.store.names() if self.store.settled(name)]

    async def remove(self, names: Sequence[str]) -> None:
        await asyncio.to_thread(self.store.remove, names)


def item_files(settings: Settings) -> MediaFiles:
    """What an item keeps beside the two stores: its file, under the media root."""
    return MediaFiles(MediaStore(settings.media_root))
