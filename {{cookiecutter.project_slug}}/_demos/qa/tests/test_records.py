import pytest

from {{ cookiecutter.package_name }}.records import Record, SearchRequest, parse_upload
from {{ cookiecutter.package_name }}.uploads import InvalidUploadError


def test_quoted_fields_extra_columns_and_header_case() -> None:
    content = (
        b'ID,Question,Answer\n1,"Why, and how?","First line\nsecond line"\n2, Padded? , Yes. \n'
    )
    parsed = parse_upload("faq.csv", content)
    assert parsed.errors == []
    assert parsed.records == [
        (3, Record(question="Why, and how?", answer="First line\nsecond line")),
        (4, Record(question="Padded?", answer="Yes.")),
    ]


def test_rows_with_an_empty_question_or_answer_are_bad_lines() -> None:
    parsed = parse_upload("faq.csv", b"question,answer\n  ,orphan answer\nQ?,\nOK?,Yes\n")
    assert [(error.item, error.reason.split(":")[0]) for error in parsed.errors] == [
        ("line 2", "question"),
        ("line 3", "answer"),
    ]
    assert parsed.records == [(4, Record(question="OK?", answer="Yes"))]
    assert parsed.total == 3


def test_a_utf8_bom_is_ignored() -> None:
    parsed = parse_upload("faq.csv", "\ufeffquestion,answer\nQ?,A\n".encode())
    assert parsed.records == [(2, Record(question="Q?", answer="A"))]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("question,answer\nÜber?,Ja\n".encode("cp1252"), "not UTF-8 text"),
        (b"q,a\nx,y\n", "needs a header row with the columns question and answer"),
        (b"question\nx\n", "missing answer"),
        (b"question,answer\n", "has a header but no rows"),
        (b"\n\n", "is empty"),
        (b"question,answer\nQ?," + b"x" * 200_000 + b"\n", "not a valid CSV file"),
    ],
)
def test_unusable_files_are_refused(content: bytes, message: str) -> None:
    with pytest.raises(InvalidUploadError, match=message):
        parse_upload("faq.csv", content)


def test_a_long_header_is_quoted_only_at_its_start() -> None:
    with pytest.raises(InvalidUploadError, match="missing question, answer") as caught:
        parse_upload("faq.csv", b"x" * 100_000 + b"\nQ?\n")
    assert len(str(caught.value)) < 250


def test_search_request_refuses_a_blank_question() -> None:
    with pytest.raises(ValueError, match="at least 1 character"):
        SearchRequest.of("  \n ")
