import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.records import Record, SearchRequest, parse_upload
from {{ cookiecutter.package_name }}.uploads import InvalidUploadError, ParsedUpload


def records(parsed: ParsedUpload[Record]) -> list[tuple[int, Record]]:
    return [
        (line, Record.model_validate(row)) for block in parsed.blocks for line, row in block.read()
    ]


def test_quoted_fields_extra_columns_and_header_case() -> None:
    content = (
        b'ID,Question,Answer\n1,"Why, and how?","First line\nsecond line"\n2, Padded? , Yes. \n'
    )
    assert records(parse_upload("faq.csv", content)) == [
        (3, Record(question="Why, and how?", answer="First line\nsecond line")),
        (4, Record(question="Padded?", answer="Yes.")),
    ]


def test_rows_with_an_empty_question_or_answer_are_bad_lines() -> None:
    parsed = parse_upload("faq.csv", b"question,answer\n  ,orphan answer\nQ?,\nOK?,Yes\n")
    assert parsed.total == 3
    [(_, empty_question), (_, empty_answer), (line, fine)] = [
        row for block in parsed.blocks for row in block.read()
    ]
    with pytest.raises(ValidationError, match="question"):
        Record.model_validate(empty_question)
    with pytest.raises(ValidationError, match="answer"):
        Record.model_validate(empty_answer)
    assert (line, Record.model_validate(fine)) == (4, Record(question="OK?", answer="Yes"))


def test_a_utf8_bom_is_ignored() -> None:
    parsed = parse_upload("faq.csv", "\ufeffquestion,answer\nQ?,A\n".encode())
    assert records(parsed) == [(2, Record(question="Q?", answer="A"))]


def test_a_large_file_is_cut_into_blocks_between_rows() -> None:
    # Every third answer spans two lines: a block must never end inside one.
    rows = [(f"Q{n}?", f"A{n}\nmore" if n % 3 == 0 else f"A{n}") for n in range(25)]
    content = "question,answer\n" + "".join(f'{q},"{a}"\n' for q, a in rows)
    parsed = parse_upload("faq.csv", content.encode(), 10)
    assert [block.rows for block in parsed.blocks] == [10, 10, 5]
    found = records(parsed)
    assert [(r.question, r.answer) for _, r in found] == rows
    # A row's position is the line it ends on, as the csv module counts lines.
    assert [line for line, _ in found][:4] == [3, 4, 5, 7]


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
