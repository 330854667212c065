"""A search by picture: the request, and the multipart form it arrives as."""

from pathlib import Path
from typing import Annotated, Any, Protocol

from fastapi import Depends, File, Form, HTTPException, Request, UploadFile, status
from pydantic import BaseModel, Field

from .encoders.image import ImageInput


class Pictured(Protocol):
    def picture(self) -> bytes:
        """A picture of the item, as an image file's bytes."""
        ...


class SearchRequest(BaseModel):
    image: bytes = Field(description="The picture to search with: an image file's bytes.")
    top_k: int | None = Field(None, ge=1, description="How many results; the default if empty.")

    @classmethod
    def of(cls, query: str, top_k: int | None = None) -> "SearchRequest":
        """A search with the image file at this path (the command line's way to ask)."""
        return cls(image=Path(query).read_bytes(), top_k=top_k)

    @classmethod
    def like(cls, record: Pictured, top_k: int | None = None) -> "SearchRequest":
        """A search with a picture of a record (the benchmark's queries)."""
        return cls(image=record.picture(), top_k=top_k)

    def encoder_input(self) -> ImageInput:
        return self.image

    def http_body(self) -> dict[str, Any]:
        """How this search travels to a running service: as a multipart form."""
        form = {} if self.top_k is None else {"top_k": str(self.top_k)}
        return {"files": {"image": ("query", self.image)}, "data": form}


async def search_form(
    request: Request,
    image: Annotated[UploadFile, File(description="The picture to search with.")],
    top_k: Annotated[int | None, Form(ge=1, description="How many results.")] = None,
) -> SearchRequest:
    """A search arrives as a multipart form: the picture and, optionally, top_k."""
    limit: int = request.app.state.services.settings.max_upload_bytes
    data = await image.read(limit + 1)
    if len(data) > limit:
        raise HTTPException(
            status.HTTP_413_CONTENT_TOO_LARGE, f"the picture is larger than {limit:,} bytes"
        )
    return SearchRequest(image=data, top_k=top_k)


SearchBody = Annotated[SearchRequest, Depends(search_form)]
