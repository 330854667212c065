"""Quoting what a client sent in a message back to it: only the start, so errors stay small.

A 10 MB query that fails validation must not come back as a 10 MB error, nor a file read by
mistake be shown line by line in a job's report.
"""

import json
from typing import Any

from fastapi.encoders import jsonable_encoder

# Enough to recognise the input by; a person who needs more has it already.
QUOTE_LIMIT = 80


def shorten(text: str, limit: int = QUOTE_LIMIT) -> str:
    """`text` when it is short, else its first `limit` characters and an ellipsis."""
    return text if len(text) <= limit else f"{text[:limit]}..."


def shorten_input(value: Any) -> Any:
    """An echoed input, as it is when short; else the start of it as JSON text."""
    if isinstance(value, str):
        return shorten(value)
    encoded = jsonable_encoder(value)
    text = json.dumps(encoded)
    return encoded if len(text) <= QUOTE_LIMIT else shorten(text)
