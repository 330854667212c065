"""Turning uploaded bytes into records: the checks every demo's parser shares.

A text file (CSV, or lines of fields) is checked whole and cut into blocks of rows when it arrives,
which is quick; its rows become records only when their block's chunk runs, so a load of a
million rows is accepted in about a second and holds its text, not a million records.
"""

import codecs
import csv
import io
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, BinaryIO, Generic, TypeVar

from pydantic import ValidationError

from .quoting import shorten
from .schemas import ItemError

RecordT = TypeVar("RecordT")


class InvalidUploadError(ValueError):
    """The file as a whole cannot be loaded; the message tells the person why."""


class InvalidItemError(ValueError):
    """One item of a load cannot be used; the load goes on without it."""


@dataclass(frozen=True)
class SourceFile:
    """One file to load: uploaded bytes, or a file on this machine read when needed."""

    name: str
    data: bytes | None = None
    path: Path | None = None

    def read(self) -> bytes:
        with self.open() as stream:
            return stream.read()

    def open(self) -> BinaryIO:
        """The content as a stream, so a reader can stop early (after a header, say)."""
        if self.data is not None:
            return io.BytesIO(self.data)
        if self.path is None:
            raise ValueError(f"{self.name} has neither data nor a path")
        return self.path.open("rb")


@dataclass(frozen=True)
class KeptFile:
    """The file an item keeps beside the two stores, as its load found it: where to read it,
    and the extension it is stored under (what the content turned out to be, not its name)."""

    source: SourceFile
    extension: str


@dataclass(frozen=True)
class RowBlock:
    """Rows of a text file, read into fields when their chunk runs.

    `text` starts at line `first_line`. With `columns` it is CSV whose header named them; with
    `fields` each line holds those fields separated by white space, the last taking the rest
    of the line, and a line starting with "#" is a comment.
    """

    first_line: int
    text: str
    rows: int
    columns: tuple[str, ...] = ()
    fields: tuple[str, ...] = ()

    def read(self) -> Iterator[tuple[int, dict[str, str]]]:
        """Each row as its line number and its fields (missing ones empty)."""
        if self.fields:
            yield from self._read_lines()
            return
        reader = csv.reader(io.StringIO(self.text, newline=""), strict=True)
        for row in reader:
            if row:
                values = dict(zip(self.columns, row, strict=False))
                line = self.first_line - 1 + reader.line_num
                yield line, {name: values.get(name, "") for name in self.columns}

    def _read_lines(self) -> Iterator[tuple[int, dict[str, str]]]:
        for line, content in enumerate(self.text.splitlines(), start=self.first_line):
            if _is_row(content):
                values = content.split(maxsplit=len(self.fields) - 1)
                values += [""] * (len(self.fields) - len(values))
                yield line, dict(zip(self.fields, values, strict=True))

    def payload(self) -> dict[str, Any]:
        """The block as a queue message carries it (JSON)."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> "RowBlock":
        return cls(
            int(payload["first_line"]),
            str(payload["text"]),
            int(payload["rows"]),
            columns=tuple(payload["columns"]),
            fields=tuple(payload["fields"]),
        )


def _is_row(line: str) -> bool:
    stripped = line.lstrip()
    return bool(stripped) and not stripped.startswith("#")


def csv_header(filename: str, text: str) -> tuple[list[str], list[str]]:
    """The names in a CSV file's header row as written, and as matched (trimmed, lower case)."""
    try:
        names = next(csv.reader(io.StringIO(text, newline=""), strict=True), [])
    except csv.Error as exc:
        raise invalid_csv(filename, exc) from None
    return names, [name.strip().lower() for name in names]


def csv_blocks(filename: str, text: str, columns: Sequence[str], size: int) -> list[RowBlock]:
    """The rows after the header in blocks of `size` rows, cut between rows (a quoted field
    may span lines). The whole file is read once here, so a broken one is refused now."""
    # Lines as the csv module counts them (\n, \r or \r\n), so row numbers agree.
    lines = io.StringIO(text, newline="").readlines()
    # Strict: a quote left open is an error, not a field that swallows the rest of the file.
    reader = csv.reader(iter(lines), strict=True)
    blocks: list[RowBlock] = []
    try:
        next(reader, None)  # the header
        start, rows = reader.line_num, 0
        for row in reader:
            rows += bool(row)
            if rows == size:
                blocks.append(_csv_block(lines, start, reader.line_num, rows, columns))
                start, rows = reader.line_num, 0
    except csv.Error as exc:
        raise invalid_csv(filename, exc) from None
    if rows:
        blocks.append(_csv_block(lines, start, len(lines), rows, columns))
    return blocks


def _csv_block(
    lines: list[str], start: int, end: int, rows: int, columns: Sequence[str]
) -> RowBlock:
    """Lines [start, end) (counted from 0) as a block."""
    return RowBlock(start + 1, "".join(lines[start:end]), rows, columns=tuple(columns))


def line_blocks(text: str, first_line: int, fields: Sequence[str], size: int) -> list[RowBlock]:
    """Lines of white-space separated fields in blocks of `size` rows (comments and blank
    lines ride along in the block they fall in, and count as no row)."""
    lines = text.splitlines(keepends=True)
    blocks, start, rows = [], 0, 0
    for index, line in enumerate(lines):
        rows += _is_row(line)
        if rows == size:
            text_of = "".join(lines[start : index + 1])
            blocks.append(RowBlock(first_line + start, text_of, rows, fields=tuple(fields)))
            start, rows = index + 1, 0
    if rows:
        text_of = "".join(lines[start:])
        blocks.append(RowBlock(first_line + start, text_of, rows, fields=tuple(fields)))
    return blocks


@dataclass
class ParsedUpload(Generic[RecordT]):
    """What a load holds: records found in the files, keyed by their position; blocks of rows
    read when their chunk runs; and the items that could not be used.

    A position is a line number unless `labels` names it (a file name, say). `files` holds,
    by position, the file a record's item keeps (item_files.py stores it when the load is
    accepted); a record of a demo that keeps no file has none.
    """

    records: list[tuple[int, RecordT]] = field(default_factory=list)
    errors: list[ItemError] = field(default_factory=list)
    labels: dict[int, str] = field(default_factory=dict)
    blocks: list[RowBlock] = field(default_factory=list)
    files: dict[int, KeptFile] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return len(self.records) + len(self.errors) + sum(block.rows for block in self.blocks)

    def label(self, position: int) -> str:
        return self.labels.get(position) or f"line {position}"


def files_at(path: Path, name: str, root: Path | None = None) -> list[SourceFile]:
    """The file at `path`, or every file under the folder at `path` (hidden ones skipped),
    named as the person knows them: `name` and the path below it.

    With `root` (the data root, for a path a client chose), a file that leads outside it
    through a link is refused, as the path itself would be.
    """
    if path.is_file():
        return [_checked(path, name, root)]
    if not path.is_dir():
        raise InvalidUploadError(f"{name}: no such file or folder")
    found = sorted(
        p
        for p in path.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(path).parts)
    )
    if not found:
        raise InvalidUploadError(f"{name} holds no files")
    return [_checked(p, f"{name}/{p.relative_to(path).as_posix()}", root) for p in found]


def _checked(path: Path, name: str, root: Path | None) -> SourceFile:
    """The file, to be read through its real path: the one checked against `root`."""
    real = path.resolve()
    if root is not None and not real.is_relative_to(root.resolve()):
        raise InvalidUploadError(f"{shorten(name)} leads outside the data folder")
    return SourceFile(name, path=real)


def only_file(files: Sequence[SourceFile]) -> SourceFile:
    """The one file of a load that takes a single file."""
    if len(files) != 1:
        raise InvalidUploadError(f"load one file at a time, not {len(files)}")
    return files[0]


_AS_UTF8 = "save it as UTF-8 and upload it again"
# Characters that would make a file name shown in a page, a log or a terminal say something
# else: the C0/C1 controls (NUL, ESC, newline...) and the bidirectional overrides and isolates
# that turn "photo\u202egpj.exe" into "photoexe.jpg" on screen.
_BIDI_CONTROLS = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")
# As long as the name columns: the end is kept, since the extension says what the file is.
NAME_LIMIT = 255


def upload_name(filename: str | None, number: int) -> str:
    """The label an uploaded file is known by: the client's file name, with what would not
    show as written replaced by U+FFFD, and at most NAME_LIMIT characters.

    It is only ever a label (stored files are named by content), so a name such as
    `../../x.jpg` is kept as sent: it names nothing on this machine.
    """
    name = "".join(
        "\ufffd" if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS else char
        for char in filename or ""
    )
    if not name.strip():
        return f"file {number}"
    return name if len(name) <= NAME_LIMIT else f"...{name[3 - NAME_LIMIT :]}"


def decode_text(data: bytes, filename: str) -> str:
    """Decode an uploaded text file as UTF-8, or say why it is not UTF-8 text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise InvalidUploadError(f"{filename} is UTF-16 text, not UTF-8; {_AS_UTF8}")
    # UTF-8 text never holds a NUL byte; a picture, a document or UTF-16 text does.
    if b"\0" in data:
        raise InvalidUploadError(
            f"{filename} is not UTF-8 text: it holds NUL bytes (a binary file, or UTF-16 text "
            f"without a byte order mark); {_AS_UTF8}"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidUploadError(
            f"{filename} is not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start}); "
            f"{_AS_UTF8}"
        ) from None
    if not text.strip():
        raise InvalidUploadError(f"{filename} is empty")
    return text


def invalid_csv(filename: str, exc: csv.Error) -> InvalidUploadError:
    """Why a CSV cannot be read, in words a person can act on."""
    reason = str(exc)
    if reason == "unexpected end of data":
        reason = "it ends inside a quoted field (a quote is never closed, or the file is cut off)"
    return InvalidUploadError(f"{filename} is not a valid CSV file: {reason}")


def describe_invalid(exc: ValidationError) -> str:
    """The first problem pydantic found in a record, as a short sentence."""
    error = exc.errors()[0]
    # A location can hold the client's own keys, and a message its own words: quote the start.
    where = shorten(".".join(str(part) for part in error["loc"]))
    message = shorten(error["msg"], 200)
    return f"{where}: {message}" if where else message
