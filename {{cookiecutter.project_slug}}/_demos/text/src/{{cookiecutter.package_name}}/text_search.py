"""A search by one text field: the request, and the JSON body it arrives as."""

from typing import Any, Protocol, Self

from pydantic import BaseModel, ConfigDict, Field


class Texted(Protocol):
    def encoder_inputs(self) -> list[str]: ...


class TextSearchRequest(BaseModel):
    """What a search by text needs besides the text's own rules.

    A demo subclasses it to declare `query`: its constraints, and under `alias` the name a
    client sends it by, which the API docs and validation errors show.
    """

    # By alias from clients; by name from the code here, which does not know the alias.
    model_config = ConfigDict(
        validate_by_alias=True, validate_by_name=True, serialize_by_alias=True
    )

    query: str
    top_k: int | None = Field(None, ge=1, description="How many results; the default if empty.")

    @classmethod
    def of(cls, query: str, top_k: int | None = None) -> Self:
        """A search for the given text (the command line's way to ask)."""
        return cls(query=query, top_k=top_k)

    @classmethod
    def like(cls, record: Texted, top_k: int | None = None) -> Self:
        """A search for a stored record's twin (the benchmark's queries)."""
        return cls.of(record.encoder_inputs()[0], top_k)

    def encoder_input(self) -> str:
        return self.query

    def http_body(self) -> dict[str, Any]:
        """How this search travels to a running service: as a JSON body."""
        return {"json": self.model_dump(exclude_none=True)}
