"""What one stored image is, how uploaded files become images, and how a search asks."""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from PIL import Image, UnidentifiedImageError
from pydantic import BaseModel, Field, PrivateAttr, computed_field
from sqlalchemy import Column, Integer, String

from .config import Settings
from .encoders.image import ImageInput, InvalidImageError, open_image
from .media import MediaStore
from .media import item_files as item_files
from .milvus_store import Match
from .picture_search import SearchBody as SearchBody
from .picture_search import SearchRequest as SearchRequest
from .schemas import ItemError
from .uploads import InvalidItemError, InvalidUploadError, KeptFile, ParsedUpload, SourceFile

# The encoder reads image files or decoded pictures, and each image is one vector.
EncoderInput = ImageInput
VECTORS_PER_ITEM = 1


class Record(BaseModel):
    """One image, as loaded and stored; its bytes live in the media store under `file`."""

    name: str = Field(max_length=255, description="The file name it was loaded under.")
    media_type: str = Field(max_length=64, examples=["image/jpeg"])
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    file: str = Field("", max_length=80, description="The stored file's key (content hash).")

    # Where a load task's stored file is read from (see `from_task`).
    _stored: Path | None = PrivateAttr(None)

    @classmethod
    def from_task(cls, data: dict[str, Any], settings: Settings) -> "Record":
        """The record a load task carried, its file found in the media store."""
        record = cls.model_validate(data)
        if record.file:
            record._stored = MediaStore(settings.media_root).path(record.file)
        return record

    def encoder_inputs(self) -> list[EncoderInput]:
        """Decode the whole stored file (a truncated one fails here)."""
        try:
            image = open_image(self._stored_file().read_bytes())
        except OSError as exc:  # its strerror, not str(): that names the path on this machine
            raise InvalidItemError(f"cannot read the stored file: {exc.strerror}") from None
        except InvalidImageError as exc:
            raise InvalidItemError(str(exc)) from None
        return [image]

    def picture(self) -> bytes:
        """The image file itself (what the benchmark searches with)."""
        return self._stored_file().read_bytes()

    def _stored_file(self) -> Path:
        if self._stored is None:
            raise InvalidItemError(f"{self.name} has no stored file")
        return self._stored


class Item(Record):
    id: int

    @computed_field  # type: ignore[prop-decorator]
    @property
    def image_url(self) -> str:
        return f"/items/{self.id}/image"


class Hit(Item):
    score: float = Field(description="Cosine similarity of the two pictures' features.")

    @classmethod
    def found(cls, item: dict[str, Any], match: Match) -> "Hit":
        return cls(**item, score=match.score)


def item_columns() -> list[Column[Any]]:
    """The metadata table's columns for an image."""
    return [
        Column("name", String(255), nullable=False),
        Column("media_type", String(64), nullable=False),
        Column("width", Integer, nullable=False),
        Column("height", Integer, nullable=False),
        Column("file", String(80), nullable=False),
    ]


def sample_data(settings: Settings) -> Path:
    """A gallery of photographs cut from scikit-image's sample pictures."""
    return settings.data_root / "gallery"


def parse_files(files: Sequence[SourceFile], settings: Settings) -> ParsedUpload[Record]:
    """One image per file, told apart by content rather than by name.

    Only the header is read here, so a request answers at once; the job decodes each file
    in full and reports the ones that turn out broken.
    """
    parsed: ParsedUpload[Record] = ParsedUpload()
    for position, file in enumerate(files, start=1):
        parsed.labels[position] = file.name
        try:
            record = _probe(file, settings.max_picture_pixels)
        except InvalidItemError as exc:
            parsed.errors.append(ItemError(item=file.name, reason=str(exc)))
            continue
        parsed.records.append((position, record))
        # Stored under the extension of what it is: a PNG named .jpg is kept as .png.
        parsed.files[position] = KeptFile(file, record.media_type.rpartition("/")[2])
    if not parsed.records:
        reasons = "; ".join(f"{error.item}: {error.reason}" for error in parsed.errors[:5])
        raise InvalidUploadError(f"no image could be read ({reasons})")
    return parsed


def _probe(file: SourceFile, max_pixels: int) -> Record:
    """The image's kind and size, from its header: a file on the server is not read whole,
    and one too large to decode is refused before any of it is."""
    try:
        with file.open() as stream:
            if not stream.read(1):
                raise InvalidItemError("empty file")
            stream.seek(0)
            media_type, width, height = _header(stream)
    except OSError as exc:
        raise InvalidItemError(f"cannot read the file: {exc.strerror}") from None
    if not media_type.startswith("image/"):
        raise InvalidItemError(f"not an image type a browser shows ({media_type or 'unknown'})")
    if width * height > max_pixels:
        raise InvalidItemError(
            f"image too large: {width}x{height} pixels, the limit is {max_pixels:,}"
        )
    return Record(name=file.name[-255:], media_type=media_type, width=width, height=height)


def _header(stream: BinaryIO) -> tuple[str, int, int]:
    try:
        with Image.open(stream) as image:
            return Image.MIME.get(image.format or "", ""), image.width, image.height
    except (UnidentifiedImageError, Image.DecompressionBombError):
        raise InvalidItemError("not an image Pillow can read") from None
    except Exception as exc:  # a known format with a broken header: plugins raise anything
        raise InvalidItemError(f"corrupt image: {exc}") from None
