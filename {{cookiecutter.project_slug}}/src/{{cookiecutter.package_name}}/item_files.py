"""Files that items keep beside the two stores: stored when a load is accepted, removed after
the items that held them.

Each demo says in records.py (`item_files`) what its items keep. A load stages each record
through it before the job is recorded (the file stored, its key in the fields the load task
carries), and hands back the task of an item it then could not read, so that a file no item
will hold goes at once. Deleting an item, dropping the collection and `repair` call it the same
way for every demo, always after the metadata store has committed: a failure then leaves a file
no item holds, which `repair` removes later, and never an item whose file is gone. A demo whose
items live wholly in the two stores keeps nothing (`NoItemFiles`).
"""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .metadata_store import MetadataStore
from .uploads import KeptFile


class ItemFiles(Protocol):
    def stage(self, fields: dict[str, Any], file: KeptFile | None) -> dict[str, Any]:
        """A record's fields as its load task carries them, the file its item keeps stored
        first (the task names it, and says whether this load wrote it). Runs in a worker
        thread; an unreadable file raises `InvalidItemError`."""
        ...

    def abandon(self, task: Mapping[str, Any]) -> None:
        """Remove the file that this load task's own load wrote: its item could not be read,
        so no item will hold it. Runs in a worker thread."""
        ...

    async def release(self, metadata: MetadataStore, items: Sequence[Mapping[str, Any]]) -> None:
        """Remove the files of `items`, just deleted from the metadata store, that no item
        still holds."""
        ...

    async def clear(self) -> None:
        """Remove every file: both stores have just been emptied."""
        ...

    async def unused(self, metadata: MetadataStore) -> list[str]:
        """The files no item holds, by name, leaving out any that a load may be writing."""
        ...

    async def remove(self, names: Sequence[str]) -> None:
        """Remove files that `unused` named."""
        ...


class NoItemFiles:
    """Items that live wholly in the two stores: nothing to store or remove."""

    def stage(self, fields: dict[str, Any], file: KeptFile | None) -> dict[str, Any]:
        return fields

    def abandon(self, task: Mapping[str, Any]) -> None:
        return None

    async def release(self, metadata: MetadataStore, items: Sequence[Mapping[str, Any]]) -> None:
        return None

    async def clear(self) -> None:
        return None

    async def unused(self, metadata: MetadataStore) -> list[str]:
        return []

    async def remove(self, names: Sequence[str]) -> None:
        return None
