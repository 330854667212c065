"""Files that items keep beside the two stores, removed after the items that held them.

Each demo says in records.py (`item_files`) what its items keep. Deleting an item, dropping the
collection and `repair` call it the same way for every demo, always after the metadata store
has committed: a failure then leaves a file no item holds, which `repair` removes later, and
never an item whose file is gone. A demo whose items live wholly in the two stores keeps
nothing (`NoItemFiles`).
"""

from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .metadata_store import MetadataStore


class ItemFiles(Protocol):
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
    """Items that live wholly in the two stores: nothing to remove after them."""

    async def release(self, metadata: MetadataStore, items: Sequence[Mapping[str, Any]]) -> None:
        return None

    async def clear(self) -> None:
        return None

    async def unused(self, metadata: MetadataStore) -> list[str]:
        return []

    async def remove(self, names: Sequence[str]) -> None:
        return None
