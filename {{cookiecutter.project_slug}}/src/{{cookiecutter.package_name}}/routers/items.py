import asyncio
import logging
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, File, HTTPException, Query, Request, UploadFile, status

from ..deps import ServicesDep, StoredItem, read_uploads, require_api_key
from ..problems import problems
from ..quoting import shorten
from ..records import Item, parse_files, sample_data
from ..schemas import Counts, Job, JobAccepted, LoadRequest, Offset
from ..services import Services
from ..uploads import SourceFile, files_at

logger = logging.getLogger(__name__)
# Every route here reads the metadata store.
router = APIRouter(prefix="/items", tags=["items"], responses=problems(503))
Guarded = [Depends(require_api_key)]


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=Guarded,
    response_model=JobAccepted,
    responses=problems(400, 401, 403, 409, 413, 422, 429),
)
async def upload(
    file: Annotated[list[UploadFile], File(description="One or more files to load.")],
    services: ServicesDep,
    request: Request,
) -> JobAccepted:
    """Upload files to load; answers at once with the job that loads them."""
    files = await read_uploads(file, services.settings.max_upload_bytes)
    source = files[0].name if len(files) == 1 else f"{len(files)} files"
    job = await _start_load(services, "upload", source, files)
    return _accepted(request, job)


@router.post(
    "/load",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=Guarded,
    response_model=JobAccepted,
    responses=problems(400, 401, 403, 404, 409, 413, 422, 429),
)
async def load(body: LoadRequest, services: ServicesDep, request: Request) -> JobAccepted:
    """Load a file or folder that is already on the server, under the configured data root."""
    root = services.settings.data_root
    path = _under_data_root(root, body.path)
    # A folder may hold links: each file in it must lie under the data root as well.
    files = await asyncio.to_thread(files_at, path, body.path, root=root)
    job = await _start_load(services, "load", body.path, files)
    return _accepted(request, job)


@router.post(
    "/sample",
    status_code=status.HTTP_202_ACCEPTED,
    dependencies=Guarded,
    response_model=JobAccepted,
    responses=problems(401, 403, 409, 413, 422, 429),
)
async def load_sample(services: ServicesDep, request: Request) -> JobAccepted:
    """Load this demo's sample data."""
    path = sample_data(services.settings)
    files = await asyncio.to_thread(files_at, path, path.name)
    job = await _start_load(services, "sample", path.name, files)
    return _accepted(request, job)


@router.get("", response_model=list[Item], responses=problems(422))
async def list_items(
    services: ServicesDep,
    offset: Offset = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 50,
) -> list[Item]:
    rows = await services.metadata.list_items(offset, limit)
    return [Item(**row) for row in rows]


@router.get("/count", response_model=Counts)
async def count(services: ServicesDep) -> Counts:
    """Items in each store; the two agree unless a failure left them apart."""
    return Counts(
        milvus=await services.milvus.count(), metadata=await services.metadata.count_items()
    )


@router.get("/{item_id}", response_model=Item, responses=problems(404, 422))
async def get_item(item: StoredItem) -> Item:
    return Item(**item)


@router.delete(
    "/{item_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=Guarded,
    responses=problems(401, 403, 404, 409, 422),
)
async def delete_item(item: StoredItem, services: ServicesDep) -> None:
    """Remove an item from both stores, then any file it kept that no other item holds."""
    item_id: int = item["id"]
    await services.metadata.refuse_while_writing(item_id)
    # Milvus first: if it fails, nothing changed; search ignores vectors without metadata.
    await services.milvus.delete([item_id])
    await services.metadata.delete_items([item_id])
    # Files last, once no item can point at them: a failure here leaves a file no item holds,
    # which `repair` removes, and the item is deleted all the same.
    try:
        await services.files.release(services.metadata, [item])
    except Exception:
        logger.exception("item %d is deleted, but not its files: run repair", item_id)


async def _start_load(services: Services, kind: str, source: str, files: list[SourceFile]) -> Job:
    parsed = await asyncio.to_thread(parse_files, files, services.settings)
    return await services.ingestor.submit(kind, source, parsed)


def _accepted(request: Request, job: Job) -> JobAccepted:
    return JobAccepted(job_id=job.id, status_url=str(request.url_for("get_job", job_id=job.id)))


def _under_data_root(root: Path, relative: str) -> Path:
    """Resolve a client-given path, refusing anything outside the data root."""
    base = root.resolve()
    quoted = repr(shorten(relative))
    try:
        path = (base / relative).resolve()
        found = path.exists()
    except (OSError, ValueError) as exc:  # a name too long for the file system, a NUL byte
        reason = exc.strerror if isinstance(exc, OSError) else str(exc)
        raise HTTPException(
            status.HTTP_400_BAD_REQUEST, f"{quoted} is not a path the server can open ({reason})"
        ) from None
    if not path.is_relative_to(base):
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"{quoted} is outside the data folder")
    if not found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no file {quoted} in the data folder")
    return path
