"""FAQ inputs for the tests every demo shares."""

from {{ cookiecutter.package_name }}.records import Record

SEARCH = {"question": "How do I start the service?"}
INVALID_SEARCH = {"question": "   "}

# Small enough that loading the sample data takes about twenty batches.
SAMPLE_BATCH_SIZE = 4

UPLOAD_NAME = "faq.csv"
UPLOAD = (
    b"question,answer\n"
    b"What is Milvus?,A vector database.\n"
    b",An answer whose question is missing.\n"
    b'What is an embedding?,"A list of numbers that stands for a text, so that similar texts'
    b' get similar numbers."\n'
)
UPLOAD_BAD_LINE = "line 3"

BAD_UPLOADS = [
    ("faq.csv", "question,answer\nWas ist größer?,Das hier.\n".encode("latin-1"), "not UTF-8"),
    ("faq.csv", b"title,body\nWhat?,That.\n", "missing question, answer"),
    ("faq.csv", b"question,answer\n", "has a header but no rows"),
    ("faq.csv", b"", "is empty"),
]

ENCODER_INPUTS = ["What is Milvus?", "How do I delete an item?", "Which port does it use?"]

HOSTILE_RECORD = Record(question="'); DROP TABLE items; --", answer='Robert"); DELETE FROM jobs;')
