"""Re-embedding: every stored item encoded again, with the configured encoder, into a new
collection, while the one it replaces keeps serving; then the switch.

The items come from the metadata store (what a load stored: the item's fields, or the key of its
file in the media store, which `Record.from_task` reads back), keep their ids, and land in
`<COLLECTION>_<n>`, whose description records the new encoder. The switch is the metadata
store's `collections` row naming it, the same on Milvus Lite (which has no aliases) and on a
server: every process that opens the stores afterwards serves it; a process still serving the
old one keeps answering searches from it, refuses loads and should be restarted with the new
encoder. The old collection is dropped on Milvus Lite (one process holds the file, and it has
just switched); on a server it is kept for such processes, and the result names it (drop it once
they have restarted).

A reindex refuses to start while a load job is unfinished, and loads are refused while it
builds: a load's items would miss the new collection. Items deleted meanwhile lose their new
vectors before the switch.
"""

import asyncio
import logging
from collections.abc import Callable

from pydantic import BaseModel

from .config import Settings
from .encoders import Encoder, identity
from .ingest import encode_items
from .metadata_store import MetadataStore
from .milvus_store import MilvusStore
from .records import EncoderInput

logger = logging.getLogger(__name__)

# Called with (items done, items in all) as the reindex moves.
ReindexProgress = Callable[[int, int], None]
# How many of the items that could not be encoded a refusal names.
NAMED_FAILURES = 5


class ReindexFailedError(RuntimeError):
    """Some items could not be encoded again: nothing was switched; the message names them."""


class Reindexed(BaseModel):
    """What a reindex did."""

    collection: str
    replaced: str
    replaced_dropped: bool
    items: int


async def reindex(
    settings: Settings,
    metadata: MetadataStore,
    serving: MilvusStore,
    on_progress: ReindexProgress | None = None,
    restart: bool = False,
) -> Reindexed:
    """Build the next collection with `serving`'s encoder (the configured one) and switch to
    it: `serving` addresses it from then on. `restart` takes over an interrupted reindex."""
    claimed = await metadata.start_building(settings.collection, restart)
    assert claimed.building is not None
    target = serving.sibling(claimed.building)
    try:
        # After the claim: a load submitted from now on sees it and is refused.
        await metadata.refuse_while_loading("reindex")
        await target.reset()  # what an interrupted attempt left, gone
        await _fill(settings, metadata, serving.encoder, target, on_progress)
        await metadata.finish_building(settings.collection, identity(serving.encoder))
    except BaseException:
        await _abandon(settings, metadata, target)
        raise
    serving.switch_to(target.collection)
    return Reindexed(
        collection=target.collection,
        replaced=claimed.active,
        replaced_dropped=await _retire(settings, serving.sibling(claimed.active)),
        items=await metadata.count_items(),
    )


async def _fill(
    settings: Settings,
    metadata: MetadataStore,
    encoder: Encoder[EncoderInput],
    target: MilvusStore,
    on_progress: ReindexProgress | None,
) -> None:
    """Encode every item into `target`, a batch at a time, in the order of their ids."""
    total, done, last = await metadata.count_items(), 0, 0
    failures: list[str] = []
    written: set[int] = set()
    if on_progress:
        on_progress(0, total)
    while batch := await metadata.items_after(last, settings.batch_size):
        last = batch[-1]["id"]
        tasks = [(item["id"], f"item {item['id']}", item) for item in batch]
        encoded = await asyncio.to_thread(encode_items, tasks, encoder, settings)
        ids = [item_id for item_id, _ in encoded.records]
        await target.insert(ids, encoded.vectors)
        written.update(ids)
        failures += [f"{label}: {reason}" for label, reason in encoded.errors]
        done += len(batch)
        if on_progress:
            on_progress(done, max(total, done))
    if failures:
        # Switching would leave these items without a vector: the stores would disagree.
        raise ReindexFailedError(
            f"{len(failures)} item(s) could not be encoded again, nothing switched (first: "
            f"{'; '.join(failures[:NAMED_FAILURES])}): delete them, then reindex again"
        )
    await target.flush()
    # Items deleted since they were read must not come back in the new collection.
    await target.delete(sorted(written - await metadata.list_ids()))


async def _abandon(settings: Settings, metadata: MetadataStore, target: MilvusStore) -> None:
    """Give the claim up and drop the half-built collection; the old one serves on."""
    await metadata.abandon_building(settings.collection)
    try:
        await target.drop()
    except Exception:
        logger.exception("the half-built collection %r is left behind", target.collection)


async def _retire(settings: Settings, old: MilvusStore) -> bool:
    """Drop the replaced collection on Milvus Lite, where no other process can be serving it
    (one process holds the file, and it has switched); keep it on a server, where processes
    started before the switch still search it. True when dropped."""
    if not settings.uses_milvus_lite:
        return False
    await old.drop()
    return True
