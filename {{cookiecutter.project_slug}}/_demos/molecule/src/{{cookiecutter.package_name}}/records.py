"""What one molecule is, how an uploaded SMILES or CSV file becomes molecules, how a search asks."""

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, ValidationError
from rdkit import RDConfig
from sqlalchemy import Column, String, Text

from .config import Settings
from .milvus_store import Match
from .quoting import shorten
from .schemas import ItemError
from .uploads import (
    InvalidUploadError,
    ParsedUpload,
    SourceFile,
    csv_rows,
    decode_text,
    describe_invalid,
    invalid_csv,
    only_file,
)

Smiles = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=r"^\S+$")
]
Name = Annotated[str, StringConstraints(strip_whitespace=True, max_length=255)]


# The encoder reads text, and each molecule is one vector.
EncoderInput = str
VECTORS_PER_ITEM = 1


class Record(BaseModel):
    """One molecule, as loaded and stored."""

    smiles: Smiles
    name: Name = ""

    def encoder_inputs(self) -> list[EncoderInput]:
        return [self.smiles]

    def staged(self) -> dict[str, Any]:
        """The record as a load task carries it to whichever process runs the task."""
        return self.model_dump()

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


class SearchRequest(BaseModel):
    smiles: Smiles = Field(examples=["CC(=O)Oc1ccccc1C(=O)O"])
    top_k: int | None = Field(None, ge=1, description="How many molecules; the default if empty.")

    @classmethod
    def of(cls, query: str, top_k: int | None = None) -> "SearchRequest":
        """A search for the given text (the command line's way to ask)."""
        return cls(smiles=query, top_k=top_k)

    @classmethod
    def like(cls, record: Record, top_k: int | None = None) -> "SearchRequest":
        """A search for a stored record's twin (the benchmark's queries)."""
        return cls(smiles=record.smiles, top_k=top_k)

    def encoder_input(self) -> EncoderInput:
        return self.smiles

    def http_body(self) -> dict[str, Any]:
        """How this search travels to a running service: as a JSON body."""
        return {"json": self.model_dump(exclude_none=True)}


# A search arrives as a JSON body.
SearchBody = SearchRequest


def item_columns() -> list[Column[Any]]:
    """The metadata table's columns for a molecule."""
    return [Column("smiles", Text, nullable=False), Column("name", String(255), nullable=False)]


def sample_data(settings: Settings) -> Path:
    """The 5,000 NCI molecules that ship with RDKit."""
    return Path(RDConfig.RDDataDir) / "NCI" / "first_5K.smi"


def parse_files(files: Sequence[SourceFile], settings: Settings) -> ParsedUpload[Record]:
    """Records from the one file of a load."""
    file = only_file(files)
    return parse_upload(file.name, file.read())


def parse_upload(filename: str, data: bytes) -> ParsedUpload[Record]:
    """Read a .csv with a smiles column (and optionally name), or SMILES lines ("SMILES [name]")."""
    text = decode_text(data, filename)
    parsed = _parse_csv(filename, text) if filename.lower().endswith(".csv") else _parse_lines(text)
    if not parsed.total:
        raise InvalidUploadError(f"{filename} holds no molecules")
    return parsed


def _parse_lines(text: str) -> ParsedUpload[Record]:
    parsed: ParsedUpload[Record] = ParsedUpload()
    for line, content in enumerate(text.splitlines(), start=1):
        fields = content.split(maxsplit=1)
        if not fields or fields[0].startswith("#"):
            continue
        if line == 1 and fields[0].lower() == "smiles":
            continue  # a header row
        _add(parsed, line, fields[0], fields[1] if len(fields) > 1 else "")
    return parsed


def _parse_csv(filename: str, text: str) -> ParsedUpload[Record]:
    reader = csv_rows(text)
    try:
        return _parse_rows(filename, reader)
    except csv.Error as exc:
        raise invalid_csv(filename, exc) from None


def _parse_rows(filename: str, reader: "csv.DictReader[str]") -> ParsedUpload[Record]:
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "smiles" not in header:
        found = shorten(", ".join(reader.fieldnames or [])) or "nothing"
        raise InvalidUploadError(
            f"{filename} needs a header row with a smiles column (found {found})"
        )
    reader.fieldnames = header
    parsed: ParsedUpload[Record] = ParsedUpload()
    for row in reader:
        _add(parsed, reader.line_num, row["smiles"] or "", row.get("name") or "")
    return parsed


def _add(parsed: ParsedUpload[Record], line: int, smiles: str, name: str) -> None:
    try:
        record = Record(smiles=smiles, name=name)
    except ValidationError as exc:
        parsed.errors.append(ItemError(item=f"line {line}", reason=describe_invalid(exc)))
    else:
        parsed.records.append((line, record))
