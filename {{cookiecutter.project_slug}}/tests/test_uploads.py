"""Cutting a text file into blocks of rows when it arrives, and reading them back when their
chunks run: the rows, their line numbers and the totals must be those of reading it whole."""

import csv
import io

import pytest

from {{ cookiecutter.package_name }}.uploads import (
    InvalidUploadError,
    RowBlock,
    csv_blocks,
    csv_header,
    line_blocks,
)

COLUMNS = ["key", "value"]


def read_all(blocks: list[RowBlock]) -> list[tuple[int, dict[str, str]]]:
    return [row for block in blocks for row in block.read()]


def read_whole(text: str) -> list[tuple[int, dict[str, str]]]:
    """The rows as csv.DictReader numbers them, reading the file in one go."""
    reader = csv.DictReader(io.StringIO(text, newline=""), restval="")
    reader.fieldnames = COLUMNS
    next(reader)
    return [(reader.line_num, dict(row)) for row in reader]


@pytest.mark.parametrize("size", [1, 2, 3, 100])
@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_csv_blocks_read_as_the_whole_file_does(size: int, newline: str) -> None:
    rows = ['"a, b","one\ntwo"', "", "c,d", "e", '"f ""g""","h\n\ni"', "j,k"]
    text = newline.join(["Key,Value", *rows]) + newline
    blocks = csv_blocks("rows.csv", text, COLUMNS, size)
    assert read_all(blocks) == read_whole(text)
    assert sum(block.rows for block in blocks) == 5
    assert all(block.rows <= size for block in blocks)


def test_a_header_alone_is_no_rows_and_a_broken_file_is_refused() -> None:
    assert csv_blocks("rows.csv", "key,value\n", COLUMNS, 10) == []
    with pytest.raises(InvalidUploadError, match="not a valid CSV file"):
        csv_blocks("rows.csv", "key,value\nq," + "x" * 200_000 + "\n", COLUMNS, 10)


def test_the_header_is_matched_trimmed_and_in_any_case() -> None:
    assert csv_header("rows.csv", " Key ,VALUE\nq,a\n") == (
        [" Key ", "VALUE"],
        ["key", "value"],
    )


@pytest.mark.parametrize("size", [1, 2, 100])
def test_line_blocks_skip_comments_and_blank_lines(size: int) -> None:
    text = "A1 first\n# a comment\n\n  B2\tsecond one\nC3\n"
    blocks = line_blocks(text, 3, ["code", "label"], size)
    assert read_all(blocks) == [
        (3, {"code": "A1", "label": "first"}),
        (6, {"code": "B2", "label": "second one"}),
        (7, {"code": "C3", "label": ""}),
    ]
    assert sum(block.rows for block in blocks) == 3
    assert all(0 < block.rows <= size for block in blocks)
