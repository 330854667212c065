from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from ..problems import problems
from ..schemas import DemoInfo
from ..stored_file import ItemFile

router = APIRouter(tags=["demo"])


@router.get("/demo", response_model=DemoInfo)
async def demo(request: Request) -> DemoInfo:
    """How the web page presents images."""
    return DemoInfo(
        title=request.app.title,
        description=request.app.description,
        items_noun="images",
        upload_hint="One or more pictures: JPEG, PNG, GIF, WebP, BMP or TIFF.",
        upload_accept="image/*",
        upload_multiple=True,
        query_field="image",
        query_label="Search with a picture",
        query_accept="image/*",
        score_label="cosine similarity",
        title_field="name",
        text_field="media_type",
        picture_url="items/{id}/image",
        link_url="items/{id}/image",
    )


@router.get(
    "/items/{item_id}/image",
    response_class=FileResponse,
    responses={
        200: {"content": {"image/*": {}}, "description": "The stored picture."},
        **problems(404, 422, 503),
    },
)
async def image(stored: ItemFile) -> FileResponse:
    """A stored image's file, exactly as it was loaded."""
    item, path = stored
    return FileResponse(
        path, media_type=item["media_type"], headers={"Cache-Control": "max-age=3600"}
    )
