import asyncio
import io
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from fastapi.responses import FileResponse

from ..encoders.video import InvalidVideoError, frame_at
from ..problems import problems
from ..schemas import DemoInfo
from ..stored_file import ItemFile

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


@router.get(
    "/items/{item_id}/video",
    response_class=FileResponse,
    responses={
        200: {"content": {"video/*": {}}, "description": "The stored video."},
        **problems(404, 422, 503),
    },
)
async def video(stored: ItemFile) -> FileResponse:
    """A stored video's file, exactly as it was loaded (byte ranges work, for seeking)."""
    item, path = stored
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
    stored: ItemFile,
    at: Annotated[float, Query(ge=0, le=86_400, description="Seconds into the video.")] = 0.0,
) -> Response:
    """A thumbnail of the frame shown `at` seconds into a stored video (a hit's best frame)."""
    _, path = stored
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
