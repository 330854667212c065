"""Request and response models shared by every endpoint; the demo's own are in records.py."""

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from fastapi import Path, Query
from pydantic import BaseModel, Field

# Both stores keep ids as signed 64-bit integers: a larger number is refused up front, where
# it would otherwise reach the database driver and fail there (a 500).
INT64_MAX = 2**63 - 1
ItemId = Annotated[int, Path(ge=1, le=INT64_MAX, description="The item's id.")]
Offset = Annotated[int, Query(ge=0, le=INT64_MAX, description="How many items to skip.")]


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    # Queued or running, but no chunk has finished for longer than the stall setting: its
    # worker may be gone. Shown, not stored: the job goes on if a chunk finishes after all.
    STALLED = "stalled"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ItemError(BaseModel):
    item: str = Field(description="Where the bad item was, e.g. 'line 12'.")
    reason: str


class ChunkAttempts(BaseModel):
    chunk: int = Field(description="Which chunk of the job, from 0.")
    attempts: int = Field(description="How many times a worker started it.")
    worker: str | None = Field(None, description="The worker that ran it last (host:pid).")


class Job(BaseModel):
    id: str
    kind: str = Field(description="What started the job: upload, load or sample.")
    source: str = Field(description="The file or folder being loaded.")
    state: JobState
    total: int = Field(description="Items found in the source.")
    done: int = Field(0, description="Items processed so far, loaded or failed.")
    loaded: int = Field(0, description="Items written to both stores.")
    failed: int = Field(0, description="Items skipped as bad; the first ones are listed in errors.")
    errors: list[ItemError] = Field(default_factory=list)
    message: str | None = Field(None, description="Why the job failed, when it did.")
    chunks: int = Field(0, description="Tasks the load is split into, a batch of items each.")
    chunks_done: int = Field(0, description="Chunks written to both stores.")
    workers: list[str] = Field(
        default_factory=list,
        description="The processes that ran its chunks (host:pid), the last to run each.",
    )
    running_on: list[str] = Field(
        default_factory=list,
        description="The processes running one of its chunks now (host:pid).",
    )
    retried: list[ChunkAttempts] = Field(
        default_factory=list,
        description="Chunks started more than once: after their worker died, or an error.",
    )
    created_at: datetime
    updated_at: datetime


class JobAccepted(BaseModel):
    job_id: str
    status_url: str


class Counts(BaseModel):
    milvus: int = Field(description="Items in the Milvus collection: different ids, not rows.")
    metadata: int = Field(description="Rows in the metadata store.")


class Health(BaseModel):
    status: str = Field(description="ok when every dependency answers, else degraded.")
    milvus: str = Field(description="ok, or down (the reason is in the service's log).")
    metadata: str = Field(description="ok, or down (the reason is in the service's log).")
    worker: int = Field(description="Process id of the worker that answered.")


class LoadRequest(BaseModel):
    # No longer than the job's source column, which records it.
    path: str = Field(
        max_length=1024, description="A file under the configured data root, relative to it."
    )


class DemoInfo(BaseModel):
    """What the web page needs to know to show this demo: its nouns and its fields."""

    title: str
    description: str
    items_noun: str = Field(description="What the items are called, plural.")
    upload_hint: str = Field(description="Which files an upload takes.")
    upload_accept: str = Field(description="File types for the upload picker.")
    upload_multiple: bool = Field(False, description="Whether one upload takes several files.")
    query_field: str = Field(description="The search request's field.")
    query_label: str
    query_example: str = Field("", description="A query to start from, for a text query.")
    query_accept: str | None = Field(
        None, description="For a search by file: the file types the picker offers."
    )
    score_label: str = Field(description="What the score of a hit measures.")
    title_field: str = Field(description="The hit field shown as its title.")
    text_field: str = Field(description="The hit field shown under the title.")
    picture_url: str | None = Field(
        None, description="URL of a hit's picture, with {field} standing for a hit's field."
    )
    link_url: str | None = Field(
        None, description="Where a hit's picture leads, with {field} as in picture_url."
    )
