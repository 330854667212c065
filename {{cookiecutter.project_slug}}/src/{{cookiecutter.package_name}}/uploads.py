"""Turning uploaded bytes into records: the checks every demo's parser shares."""

from dataclasses import dataclass, field
from typing import Generic, TypeVar

from pydantic import ValidationError

from .schemas import ItemError

RecordT = TypeVar("RecordT")


class InvalidUploadError(ValueError):
    """The file as a whole cannot be loaded; the message tells the person why."""


@dataclass
class ParsedUpload(Generic[RecordT]):
    """Records found in a file, keyed by their line, and the lines that could not be used."""

    records: list[tuple[int, RecordT]] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.records) + len(self.errors)


def decode_text(data: bytes, filename: str) -> str:
    """Decode an uploaded text file as UTF-8, or say where it is not."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidUploadError(
            f"{filename} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            "save it as UTF-8 and upload it again"
        ) from None
    if not text.strip():
        raise InvalidUploadError(f"{filename} is empty")
    return text


def describe_invalid(exc: ValidationError) -> str:
    """The first problem pydantic found in a record, as a short sentence."""
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}" if where else error["msg"]
