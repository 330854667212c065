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

# The first bytes of a PNG file: what a picture named .csv starts with.
PNG_START = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
PDF_START = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"
FAQ = "question,answer\nWhat is Milvus?,A vector database.\n"

# Files refused whole (422), and what the refusal says.
BAD_UPLOADS = [
    ([("faq.csv", "question,answer\nWas ist größer?,Das hier.\n".encode("latin-1"))], "not UTF-8"),
    ([("faq.csv", b"title,body\nWhat?,That.\n")], "missing question, answer"),
    ([("faq.csv", b"question,answer\n")], "has a header but no rows"),
    ([("faq.csv", b"")], "faq.csv is empty"),
    ([("a.csv", b"question,answer\nQ?,A\n"), ("b.csv", b"question,answer\nR?,B\n")], "one file"),
    ([("faq.csv", FAQ.encode("utf-16"))], "faq.csv is UTF-16 text, not UTF-8"),
    ([("faq.csv", FAQ.encode("utf-16-le"))], "faq.csv is not UTF-8 text: it holds NUL bytes"),
    ([("faq.csv", PNG_START)], "faq.csv is not UTF-8 text: it holds NUL bytes"),
    ([("faq.csv", PDF_START)], "faq.csv is not UTF-8 text (byte 0xe2 at offset 10)"),
    (
        [("faq.csv", FAQ.encode() + b'What is an embedding?,"A list of num')],
        "faq.csv is not a valid CSV file: it ends inside a quoted field",
    ),
    # A quote left open mid-file would swallow every row after it into one answer.
    (
        [("faq.csv", b'question,answer\nQ1?,"Stray quote\nQ2?,A2\nQ3?,A3\n')],
        "faq.csv is not a valid CSV file: it ends inside a quoted field",
    ),
    (
        [("faq.csv", b'"question,answer\nQ1?,A1\n')],
        "faq.csv is not a valid CSV file: it ends inside a quoted field",
    ),
]

# Files accepted whose bad items become the job's errors: the files, how many items load, and
# what the job says of each bad one. A CSV cut off mid-row reads as a shorter last row: a row
# cut before its answer is a bad line (a row cut inside its answer loads as a shorter answer:
# nothing in the file can tell).
PARTLY_BAD_UPLOADS = [
    ([("faq.csv", FAQ.encode() + b"What is an emb")], 1, {"line 3": "answer"}),
]

# One item to upload under any file name, how it is stored, and the search that finds it first.
NAMED_ITEM = (".csv", b"question,answer\nWhich port does the service listen on?,Port 8000.\n")
NAMED_ITEM_STORED = {"question": "Which port does the service listen on?", "answer": "Port 8000."}
NAMED_ITEM_SEARCH: dict[str, Any] = {"json": {"question": NAMED_ITEM_STORED["question"]}}
# The item field that shows the uploaded file's name: none, an FAQ entry has no file of its own.
FILE_NAME_FIELD = None

# Searches refused (422), and what the refusal says.
BAD_SEARCHES: list[tuple[dict[str, Any], str]] = [
    ({"json": {"question": " \t\n "}}, "String should have at least 1 character"),
    ({"json": {"question": "x" * 2001}}, "String should have at most 2000 characters"),
    ({"json": {"question": ["a list"]}}, "Input should be a valid string"),
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


def files_root(folder: Path) -> Path | None:
    """This demo keeps no loaded files of its own."""
    return None
