"""FAQ inputs for the tests every demo shares."""

from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.records import Record

QUERY_FIELD = "question"
SEARCH = {"question": "How do I start the service?"}
INVALID_SEARCH = {"json": {"question": "   "}}
MISSING_SEARCH: dict[str, Any] = {"json": {}}

# Small enough that loading the sample data takes about twenty batches.
SAMPLE_BATCH_SIZE = 4
# The outage tests stop a store in the middle of a sample load: smaller batches make it last.
OUTAGE_SETTINGS: dict[str, Any] = {"batch_size": max(1, SAMPLE_BATCH_SIZE // 4)}

UPLOAD = [
    (
        "faq.csv",
        b"question,answer\n"
        b"What is Milvus?,A vector database.\n"
        b",An answer whose question is missing.\n"
        b'What is an embedding?,"A list of numbers that stands for a text, so that similar texts'
        b' get similar numbers."\n',
    )
]
UPLOAD_BAD_ITEM = "line 3"

BAD_UPLOADS = [
    ([("faq.csv", "question,answer\nWas ist größer?,Das hier.\n".encode("latin-1"))], "not UTF-8"),
    ([("faq.csv", b"title,body\nWhat?,That.\n")], "missing question, answer"),
    ([("faq.csv", b"question,answer\n")], "has a header but no rows"),
    ([("faq.csv", b"")], "is empty"),
    ([("a.csv", b"question,answer\nQ?,A\n"), ("b.csv", b"question,answer\nR?,B\n")], "one file"),
]

ENCODER_INPUTS = ["What is Milvus?", "How do I delete an item?", "Which port does it use?"]

HOSTILE_RECORD = Record(question="'); DROP TABLE items; --", answer='Robert"); DELETE FROM jobs;')


def search(top_k: object = None) -> dict[str, Any]:
    """The request for a search, as httpx arguments."""
    body: dict[str, Any] = dict(SEARCH) if top_k is None else {**SEARCH, "top_k": top_k}
    return {"json": body}


def cli_query(folder: Path) -> str:
    """The search query as typed on the command line."""
    return SEARCH[QUERY_FIELD]


def extra_settings(folder: Path) -> dict[str, Any]:
    """This demo keeps nothing beyond the two stores."""
    return {}
