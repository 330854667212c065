"""What one FAQ entry is, how an uploaded CSV becomes entries, and how a search asks and answers."""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints
from sqlalchemy import Column, Text

from .config import Settings
from .item_files import NoItemFiles
from .milvus_store import Match
from .quoting import shorten
from .text_search import TextSearchRequest
from .uploads import (
    InvalidUploadError,
    ParsedUpload,
    SourceFile,
    csv_blocks,
    csv_header,
    decode_text,
    only_file,
)

Question = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Answer = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]

REQUIRED_COLUMNS = ("question", "answer")


# The encoder reads text, and each FAQ entry is one vector.
EncoderInput = str
VECTORS_PER_ITEM = 1


class Record(BaseModel):
    """One FAQ entry, as loaded and stored."""

    question: Question
    answer: Answer

    def encoder_inputs(self) -> list[EncoderInput]:
        return [self.question]

    @classmethod
    def from_task(cls, data: dict[str, Any], settings: Settings) -> "Record":
        """The record a load task carried."""
        return cls.model_validate(data)


class Item(Record):
    id: int


class Hit(Item):
    score: float = Field(description="Cosine similarity of the two questions (1 is identical).")

    @classmethod
    def found(cls, item: dict[str, Any], match: Match) -> "Hit":
        return cls(**item, score=match.score)


class SearchRequest(TextSearchRequest):
    query: Question = Field(alias="question", examples=["How do I start the service?"])


# A search arrives as a JSON body.
SearchBody = SearchRequest


def item_columns() -> list[Column[Any]]:
    """The metadata table's columns for an FAQ entry."""
    return [Column("question", Text, nullable=False), Column("answer", Text, nullable=False)]


def item_files(settings: Settings) -> NoItemFiles:
    """What an item keeps beside the two stores: nothing."""
    return NoItemFiles()


def sample_data(settings: Settings) -> Path:
    return settings.data_root / "faq.csv"


def parse_files(files: Sequence[SourceFile], settings: Settings) -> ParsedUpload[Record]:
    """The rows of the one file of a load, in blocks of a batch each."""
    file = only_file(files)
    return parse_upload(file.name, file.read(), settings.batch_size)


def parse_upload(filename: str, data: bytes, block_size: int = 1000) -> ParsedUpload[Record]:
    """Read a CSV with a header row naming the columns question and answer.

    Only the file as a whole is checked here; each row is checked when its block is loaded.
    """
    text = decode_text(data, filename)
    header, columns = csv_header(filename, text)
    missing = [name for name in REQUIRED_COLUMNS if name not in columns]
    if missing:
        found = shorten(", ".join(header)) or "nothing"
        raise InvalidUploadError(
            f"{filename} needs a header row with the columns question and answer "
            f"(missing {', '.join(missing)}; found {found})"
        )
    parsed: ParsedUpload[Record] = ParsedUpload(
        blocks=csv_blocks(filename, text, columns, block_size)
    )
    if not parsed.total:
        raise InvalidUploadError(f"{filename} has a header but no rows")
    return parsed
