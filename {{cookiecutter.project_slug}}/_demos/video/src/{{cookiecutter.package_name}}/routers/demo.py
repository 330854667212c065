import asyncio
import io
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import FileResponse

from ..deps import ServicesDep
from ..encoders.video import InvalidVideoError, frame_at
from ..media import MediaStore
from ..problems import problems
from ..schemas import DemoInfo, ItemId

router = APIRouter(tags=["demo"])
# Thumbnails fit in this square, in pixels.
THUMBNAIL = 320


@router.get("/demo", response_model=DemoInfo)
async def demo(request: Request) -> DemoInfo:
    """How the web page presents videos."""
    return DemoInfo(
        title=request.app.title,
        description=request.app.description,
        items_noun="videos",
        upload_hint="One or more videos: MP4, WebM, MOV, AVI, MKV or anything else FFmpeg reads.",
        upload_accept="video/*",
        upload_multiple=True,
        query_field="image",
        query_label="Search with a picture",
        query_accept="image/*",
        score_label="cosine similarity of the best frame",
        title_field="name",
        text_field="found_at",
        picture_url="items/{id}/frame?at={at}",
        link_url="items/{id}/video#t={at}",
    )


async def _stored(services: ServicesDep, item_id: int) -> tuple[dict[str, Any], Path]:
    found = await services.metadata.get_items([item_id])
    if item_id not in found:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no item with id {item_id}")
    item = found[item_id]
    path = MediaStore(services.settings.media_root).path(item["file"])
    if not path.is_file():
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"the file of item {item_id} is missing")
    return item, path


@router.get(
    "/items/{item_id}/video",
    response_class=FileResponse,
    responses={
        200: {"content": {"video/*": {}}, "description": "The stored video."},
        **problems(404, 422, 503),
    },
)
async def video(item_id: ItemId, services: ServicesDep) -> FileResponse:
    """A stored video's file, exactly as it was loaded (byte ranges work, for seeking)."""
    item, path = await _stored(services, item_id)
    return FileResponse(
        path, media_type=item["media_type"], headers={"Cache-Control": "max-age=3600"}
    )


@router.get(
    "/items/{item_id}/frame",
    response_class=Response,
    responses={
        200: {"content": {"image/jpeg": {}}, "description": "The frame, made small."},
        **problems(404, 422, 503),
    },
)
async def frame(
    item_id: ItemId,
    services: ServicesDep,
    at: Annotated[float, Query(ge=0, le=86_400, description="Seconds into the video.")] = 0.0,
) -> Response:
    """A thumbnail of the frame shown `at` seconds into a stored video (a hit's best frame)."""
    _, path = await _stored(services, item_id)
    try:
        data = await asyncio.to_thread(_thumbnail, path, at)
    except InvalidVideoError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return Response(data, media_type="image/jpeg", headers={"Cache-Control": "max-age=3600"})


def _thumbnail(path: Path, at: float) -> bytes:
    image = frame_at(path, at, fit=THUMBNAIL)
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()
