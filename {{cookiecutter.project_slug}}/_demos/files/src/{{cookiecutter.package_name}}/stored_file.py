"""The file of the stored item a route's path names: what the routes that serve files share."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, HTTPException, status

from .deps import ServicesDep, StoredItem
from .media import MediaStore


async def stored_file(item: StoredItem, services: ServicesDep) -> tuple[dict[str, Any], Path]:
    """The item and its file, or a 404 when either is gone."""
    path = MediaStore(services.settings.media_root).path(item["file"])
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the file of item {item['id']} is missing")
    return item, path


ItemFile = Annotated[tuple[dict[str, Any], Path], Depends(stored_file)]
