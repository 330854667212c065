"""Error answers: one body for all of them, and the OpenAPI declaration of each status.

Every error the service answers is `{"detail": ...}`: a sentence, or, where a request does not
fit its schema, FastAPI's list of what does not. Each route declares every error status it can
answer with `responses=problems(...)`: a client generated from the schema, or a fuzzer checking
answers against it, then meets no status and no body the schema does not name. Declaring 422
also replaces FastAPI's own declaration of it, which names a list only.
"""

from typing import Any

from pydantic import BaseModel, Field


class FieldProblem(BaseModel):
    """One way a request does not fit its schema, as FastAPI reports it."""

    loc: list[str | int] = Field(description="Where: body, query or path, then the field.")
    msg: str
    type: str = Field(description="What kind of problem, e.g. missing or int_parsing.")
    input: Any = Field(None, description="The start of what was sent there.")
    ctx: dict[str, Any] | None = Field(None, description="Details, such as the limit broken.")


class Problem(BaseModel):
    """The body of every error answer."""

    detail: str | list[FieldProblem] = Field(
        description="What went wrong, as a sentence; for a request that does not fit the "
        "schema, each part that does not."
    )


_MEANINGS = {
    400: "The request cannot be read or used as sent.",
    401: "An API key is configured and X-API-Key does not hold it.",
    403: "A write sent from another site's page.",
    404: "What the request names does not exist.",
    409: "A running load job or reindex would race this (try again once it has finished), or "
    "stored items cannot be encoded again; the detail says which.",
    413: "The request body, or the load it asks for, is larger than its configured limit.",
    422: "A parameter or the body is not valid.",
    429: "As many loads as may run at once are queued or running; try again later.",
    503: "A store the request needs is unavailable; the detail names it.",
}


def problems(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A route's `responses` for these error statuses."""
    return {status: {"model": Problem, "description": _MEANINGS[status]} for status in statuses}
