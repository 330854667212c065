"""What a demo type provides (its records.py), as a contract mypy checks.

The shared code imports these names from `records`; the two functions at the end make mypy
compare that module with the `Demo` protocol, so a demo that lacks a name, or gives one another
shape, fails type-checking here, naming the member, rather than at run time in whichever route
uses it first.
"""

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Column

from . import records
from .config import Settings
from .item_files import ItemFiles
from .milvus_store import Match
from .uploads import ParsedUpload, SourceFile


class DemoRecord(Protocol):
    """One item as loaded: plain data, what the encoder reads, and how a load task carries it.

    A load task carries its fields (with the key of a file its item keeps, which `item_files`
    stores beforehand); `from_task` rebuilds the record, which may then read that stored file,
    but writes and removes nothing.
    """

    def encoder_inputs(self) -> Sequence[Any]: ...

    def model_dump(self) -> dict[str, Any]: ...

    @classmethod
    def from_task(cls, data: dict[str, Any], settings: Settings) -> "DemoRecord": ...


class DemoHit(Protocol):
    """A search result: a stored item's fields and its score."""

    @classmethod
    def found(cls, item: dict[str, Any], match: Match) -> "DemoHit": ...


class DemoSearch(Protocol):
    """A search as a client asks it: over HTTP, from the command line, or in a benchmark."""

    top_k: int | None

    def encoder_input(self) -> Any: ...

    def http_body(self) -> dict[str, Any]: ...


class Demo(Protocol):
    """The module records.py, as the shared code uses it."""

    VECTORS_PER_ITEM: int

    # Read-only: a module's class is not something the shared code assigns.
    @property
    def Record(self) -> type[DemoRecord]: ...

    @property
    def Hit(self) -> type[DemoHit]: ...

    def item_columns(self) -> list[Column[Any]]: ...

    def parse_files(self, files: Sequence[SourceFile], settings: Settings) -> ParsedUpload[Any]: ...

    def sample_data(self, settings: Settings) -> Path: ...

    def item_files(self, settings: Settings) -> ItemFiles: ...


# Never called: mypy checks here that records.py and its search request keep the contract.
def _demo() -> Demo:
    return records


def _search(search: records.SearchRequest) -> DemoSearch:
    return search
