"""Drift between the two stores: ids one holds and the other lacks, found and repaired.

Loads and deletes are ordered and compensated so that no drift should arise; a crash or an
outage at the wrong moment can still leave some. `check` reports it, `repair` removes every id
that only one store holds (a vector without its record cannot be shown, and a record without
its vector cannot be found, so neither is worth keeping), then every file kept beside the
stores that no item holds (item_files.py): what a delete or a drop that failed halfway left.
"""

from pydantic import BaseModel, Field

from .item_files import ItemFiles
from .metadata_store import MetadataStore
from .milvus_store import MilvusStore

# How many ids a report lists per store; the counts cover them all.
SHOWN_IDS = 100


class DriftReport(BaseModel):
    milvus: int = Field(description="Ids in Milvus.")
    metadata: int = Field(description="Ids in the metadata store.")
    only_in_milvus: int = Field(description="Ids in Milvus without a metadata record.")
    only_in_metadata: int = Field(description="Ids in the metadata store without a vector.")
    only_in_milvus_ids: list[int] = Field(description=f"The first {SHOWN_IDS} such ids.")
    only_in_metadata_ids: list[int] = Field(description=f"The first {SHOWN_IDS} such ids.")
    orphan_files: int = Field(0, description="Files kept beside the two stores that no item holds.")
    repaired: bool = Field(False, description="Whether these ids and files were removed.")

    @property
    def consistent(self) -> bool:
        return self.only_in_milvus == self.only_in_metadata == self.orphan_files == 0


async def _drift(milvus: MilvusStore, metadata: MetadataStore) -> tuple[set[int], set[int]]:
    await milvus.flush()
    vector_ids = await milvus.list_ids()
    record_ids = await metadata.list_ids()
    return vector_ids, record_ids


def _report(
    vector_ids: set[int], record_ids: set[int], orphan_files: int, repaired: bool
) -> DriftReport:
    only_milvus = sorted(vector_ids - record_ids)
    only_metadata = sorted(record_ids - vector_ids)
    return DriftReport(
        milvus=len(vector_ids),
        metadata=len(record_ids),
        only_in_milvus=len(only_milvus),
        only_in_metadata=len(only_metadata),
        only_in_milvus_ids=only_milvus[:SHOWN_IDS],
        only_in_metadata_ids=only_metadata[:SHOWN_IDS],
        orphan_files=orphan_files,
        repaired=repaired,
    )


async def check(milvus: MilvusStore, metadata: MetadataStore, files: ItemFiles) -> DriftReport:
    """Compare the ids of both stores, and count the files no item holds; changes nothing."""
    vector_ids, record_ids = await _drift(milvus, metadata)
    orphans = await files.unused(metadata)
    return _report(vector_ids, record_ids, len(orphans), repaired=False)


async def repair(milvus: MilvusStore, metadata: MetadataStore, files: ItemFiles) -> DriftReport:
    """Remove every id that only one store holds, then every file no item holds; report what
    was found. Refused while a load runs: the batch it is writing is in one store and not yet
    in the other, and the files it copied in are held by no item yet."""
    await metadata.refuse_while_loading("repair")
    vector_ids, record_ids = await _drift(milvus, metadata)
    await milvus.delete(sorted(vector_ids - record_ids))
    await metadata.delete_items(sorted(record_ids - vector_ids))
    await milvus.flush()
    # After the ids, so that a file whose record was just removed may go in this same sweep.
    orphans = await files.unused(metadata)
    await files.remove(orphans)
    return _report(vector_ids, record_ids, len(orphans), repaired=True)
