"""FastAPI dependencies: the opened services, the API key check, the item a path names,
bounded uploads."""

import secrets
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, UploadFile, status
from fastapi.security import APIKeyHeader

from .schemas import ItemId
from .services import Services
from .uploads import SourceFile, upload_name

_api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False)
_CHUNK = 1024 * 1024


# Async although they never wait: FastAPI runs a plain `def` dependency in its thread pool, a
# thread hop on every request for a dictionary lookup.
async def get_services(request: Request) -> Services:
    services: Services = request.app.state.services
    return services


ServicesDep = Annotated[Services, Depends(get_services)]


async def require_api_key(
    services: ServicesDep, api_key: Annotated[str | None, Depends(_api_key_header)]
) -> None:
    """Guard mutating endpoints when an API key is configured."""
    expected = services.settings.api_key
    if expected is None:
        return
    if api_key is None or not secrets.compare_digest(api_key, expected.get_secret_value()):
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED, "a valid X-API-Key header is required for this endpoint"
        )


async def stored_item(item_id: ItemId, services: ServicesDep) -> dict[str, Any]:
    """The stored item whose id the route's path holds, or a 404 that names the id."""
    found = await services.metadata.get_items([item_id])
    if item_id not in found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no item with id {item_id}")
    return found[item_id]


StoredItem = Annotated[dict[str, Any], Depends(stored_item)]


async def read_uploads(uploads: list[UploadFile], limit: int) -> list[SourceFile]:
    """The uploaded files, refused as soon as together they pass `limit` bytes."""
    files: list[SourceFile] = []
    size = 0
    for number, upload in enumerate(uploads, start=1):
        chunks: list[bytes] = []
        while chunk := await upload.read(_CHUNK):
            size += len(chunk)
            if size > limit:
                raise HTTPException(
                    status.HTTP_413_CONTENT_TOO_LARGE,
                    f"the upload ({upload.filename or 'a file'} and any before it) is larger "
                    f"than the limit of {limit:,} bytes",
                )
            chunks.append(chunk)
        files.append(SourceFile(upload_name(upload.filename, number), data=b"".join(chunks)))
    return files
