"""What one stored video is, how uploaded files become frames to encode, and how a search asks."""

import io
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field, PrivateAttr, computed_field
from sqlalchemy import JSON, Column, Float, Integer, String

from .config import Settings
from .encoders.image import ImageInput
from .encoders.video import FrameSampler, InvalidVideoError, frame_at, probe
from .media import MediaStore
from .media import item_files as item_files
from .milvus_store import Match
from .picture_search import SearchBody as SearchBody
from .picture_search import SearchRequest as SearchRequest
from .schemas import ItemError
from .uploads import InvalidItemError, InvalidUploadError, KeptFile, ParsedUpload, SourceFile

# The encoder reads pictures: a video is the frames sampled from it, one Milvus row each.
EncoderInput = ImageInput
# Row ids are `video id * VECTORS_PER_ITEM + frame number`, so a video has at most this many
# frames (settings.max_frames_per_video may not exceed it).
VECTORS_PER_ITEM = 10_000
# A hit lists the video's frames that scored within MOMENT_MARGIN of its best frame, at most
# MAX_MOMENTS of them: the moments worth jumping to, not every frame Milvus happened to return.
MOMENT_MARGIN = 0.1
MAX_MOMENTS = 10


class Record(BaseModel):
    """One video, as loaded and stored; its bytes live in the media store under `file`."""

    name: str = Field(max_length=255, description="The file name it was loaded under.")
    media_type: str = Field(max_length=64, examples=["video/mp4"])
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    duration: float | None = Field(None, description="Seconds, when the container says.")
    file: str = Field("", max_length=80, description="The stored file's key (content hash).")
    frame_times: list[float] = Field(
        default_factory=list, description="When each sampled frame is shown, in seconds."
    )

    # Where a load task's stored file is read from, and how its frames are sampled (see
    # `from_task`).
    _stored: Path | None = PrivateAttr(None)
    _sampler: FrameSampler | None = PrivateAttr(None)

    @classmethod
    def from_task(cls, data: dict[str, Any], settings: Settings) -> "Record":
        """The record a load task carried, its file found in the media store."""
        record = cls.model_validate(data)
        if record.file:
            record._stored = MediaStore(settings.media_root).path(record.file)
        record._sampler = FrameSampler(settings.frames_per_second, settings.max_frames_per_video)
        return record

    def encoder_inputs(self) -> list[EncoderInput]:
        """Decode the stored video's sampled frames (a broken file fails here)."""
        if self._stored is None or self._sampler is None:
            raise InvalidItemError(f"{self.name} has no stored file")
        try:
            with self._stored.open("rb") as stream:
                frames = self._sampler.sample(stream)
        except OSError as exc:  # its strerror, not str(): that names the path on this machine
            raise InvalidItemError(f"cannot read the stored file: {exc.strerror}") from None
        except InvalidVideoError as exc:
            raise InvalidItemError(str(exc)) from None
        self.frame_times = [frame.at for frame in frames]
        return [frame.image for frame in frames]

    def picture(self) -> bytes:
        """A frame from a third of the way in, as a JPEG (what the benchmark searches with)."""
        if self._stored is None:
            raise InvalidItemError(f"{self.name} has no stored file")
        with self._stored.open("rb") as stream:
            image = frame_at(stream, (self.duration or 0) / 3)
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=90)
        return out.getvalue()


class Item(Record):
    id: int
    # Stored for the search to turn frame numbers into times; too long to list with every video.
    frame_times: list[float] = Field(default_factory=list, exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def video_url(self) -> str:
        return f"/items/{self.id}/video"


class Moment(BaseModel):
    at: float = Field(description="Seconds from the start of the video.")
    score: float = Field(description="Cosine similarity of the query and this frame.")


class Hit(Item):
    score: float = Field(description="The best frame's cosine similarity to the query.")
    at: float = Field(description="When the best frame is shown, in seconds.")
    moments: list[Moment] = Field(
        description="The frames that matched almost as well as the best, best first."
    )

    @computed_field  # type: ignore[prop-decorator]
    @property
    def thumbnail_url(self) -> str:
        return f"/items/{self.id}/frame?at={self.at}"

    @computed_field  # type: ignore[prop-decorator]
    @property
    def found_at(self) -> str:
        """The matching moments as m:ss, best first (what the web page shows)."""
        return ", ".join(f"{int(m.at // 60)}:{int(m.at % 60):02d}" for m in self.moments)

    @classmethod
    def found(cls, item: dict[str, Any], match: Match) -> "Hit":
        times: list[float] = item["frame_times"]
        # A part beyond the stored times cannot happen unless the stores drifted: skip it.
        moments = [
            Moment(at=times[part.index], score=part.score)
            for part in match.parts
            if part.index < len(times) and part.score >= match.score - MOMENT_MARGIN
        ][:MAX_MOMENTS]
        at = moments[0].at if moments else 0.0
        return cls(**item, score=match.score, at=at, moments=moments)


def item_columns() -> list[Column[Any]]:
    """The metadata table's columns for a video."""
    return [
        Column("name", String(255), nullable=False),
        Column("media_type", String(64), nullable=False),
        Column("width", Integer, nullable=False),
        Column("height", Integer, nullable=False),
        Column("duration", Float, nullable=True),
        Column("file", String(80), nullable=False),
        Column("frame_times", JSON, nullable=False),
    ]


def sample_data(settings: Settings) -> Path:
    """Short clips made from scikit-image's sample pictures: pans, zooms and cuts."""
    return settings.data_root / "clips"


def parse_files(files: Sequence[SourceFile], settings: Settings) -> ParsedUpload[Record]:
    """One video per file, told apart by content rather than by name.

    Only the header is read here, so a request answers at once; the job decodes each video's
    frames and reports the ones that turn out broken.
    """
    parsed: ParsedUpload[Record] = ParsedUpload()
    for position, file in enumerate(files, start=1):
        parsed.labels[position] = file.name
        try:
            record, extension = _probe(file, settings.max_picture_pixels)
        except InvalidItemError as exc:
            parsed.errors.append(ItemError(item=file.name, reason=str(exc)))
            continue
        parsed.records.append((position, record))
        parsed.files[position] = KeptFile(file, extension)
    if not parsed.records:
        reasons = "; ".join(f"{error.item}: {error.reason}" for error in parsed.errors[:5])
        raise InvalidUploadError(f"no video could be read ({reasons})")
    return parsed


def _probe(file: SourceFile, max_pixels: int) -> tuple[Record, str]:
    """The video's kind, size and length, from its header, and the extension of its kind: no
    frame is decoded yet, and one whose frames are too large to decode is refused before any
    is."""
    try:
        with file.open() as stream:
            if not stream.read(1):
                raise InvalidItemError("empty file")
            stream.seek(0)
            info = probe(stream)
    except OSError as exc:
        raise InvalidItemError(f"cannot read the file: {exc.strerror}") from None
    except InvalidVideoError as exc:
        raise InvalidItemError(str(exc)) from None
    if info.width * info.height > max_pixels:
        raise InvalidItemError(
            f"video too large: {info.width}x{info.height} pixels a frame, "
            f"the limit is {max_pixels:,}"
        )
    record = Record(
        name=file.name[-255:],
        media_type=info.media_type,
        width=info.width,
        height=info.height,
        duration=info.duration,
    )
    return record, info.extension
