"""What one molecule is, how an uploaded SMILES or CSV file becomes molecules, how a search asks."""

from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints
from rdkit import RDConfig
from sqlalchemy import Column, String, Text

from .config import Settings
from .item_files import NoItemFiles
from .milvus_store import Match
from .quoting import shorten
from .text_search import TextSearchRequest
from .uploads import (
    InvalidUploadError,
    ParsedUpload,
    RowBlock,
    SourceFile,
    csv_blocks,
    csv_header,
    decode_text,
    line_blocks,
    only_file,
)

Smiles = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=r"^\S+$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]

# A line of a SMILES file: the SMILES, then its name (the rest of the line, if any).
FIELDS = ("smiles", "name")


# The encoder reads text, and each molecule is one vector.
EncoderInput = str
VECTORS_PER_ITEM = 1


class Record(BaseModel):
    """One molecule, as loaded and stored."""

    smiles: Smiles
    name: Name = ""

    def encoder_inputs(self) -> list[EncoderInput]:
        return [self.smiles]

    @classmethod
    def from_task(cls, data: dict[str, Any], settings: Settings) -> "Record":
        """The record a load task carried."""
        return cls.model_validate(data)


class Item(Record):
    id: int


class Hit(Item):
    score: float = Field(
        description="Tanimoto similarity of the Morgan fingerprints (1 is identical)."
    )

    @classmethod
    def found(cls, item: dict[str, Any], match: Match) -> "Hit":
        return cls(**item, score=match.score)


class SearchRequest(TextSearchRequest):
    query: Smiles = Field(alias="smiles", examples=["CC(=O)Oc1ccccc1C(=O)O"])


# A search arrives as a JSON body.
SearchBody = SearchRequest


def item_columns() -> list[Column[Any]]:
    """The metadata table's columns for a molecule."""
    return [Column("smiles", Text, nullable=False), Column("name", String(255), nullable=False)]


def item_files(settings: Settings) -> NoItemFiles:
    """What an item keeps beside the two stores: nothing."""
    return NoItemFiles()


def sample_data(settings: Settings) -> Path:
    """The 5,000 NCI molecules that ship with RDKit."""
    return Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi"


def parse_files(files: Sequence[SourceFile], settings: Settings) -> ParsedUpload[Record]:
    """The rows of the one file of a load, in blocks of a batch each."""
    file = only_file(files)
    return parse_upload(file.name, file.read(), settings.batch_size)


def parse_upload(filename: str, data: bytes, block_size: int = 1000) -> ParsedUpload[Record]:
    """Read a .csv with a smiles column (and optionally name), or SMILES lines ("SMILES [name]").

    Only the file as a whole is checked here; each row is checked when its block is loaded.
    """
    text = decode_text(data, filename)
    if filename.lower().endswith(".csv"):
        blocks = _csv_blocks(filename, text, block_size)
    else:
        blocks = _line_blocks(text, block_size)
    parsed: ParsedUpload[Record] = ParsedUpload(blocks=blocks)
    if not parsed.total:
        raise InvalidUploadError(f"{filename} holds no molecules")
    return parsed


def _line_blocks(text: str, block_size: int) -> list[RowBlock]:
    first, _, rest = text.partition("\n")
    if [field.lower() for field in first.split()[:1]] == ["smiles"]:
        return line_blocks(rest, 2, FIELDS, block_size)  # a header row
    return line_blocks(text, 1, FIELDS, block_size)


def _csv_blocks(filename: str, text: str, block_size: int) -> list[RowBlock]:
    header, columns = csv_header(filename, text)
    if "smiles" not in columns:
        found = shorten(", ".join(header)) or "nothing"
        raise InvalidUploadError(
            f"{filename} needs a header row with a smiles column (found {found})"
        )
    return csv_blocks(filename, text, columns, block_size)
