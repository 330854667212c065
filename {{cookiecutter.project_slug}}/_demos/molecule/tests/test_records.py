import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.records import Record, SearchRequest, parse_upload
from {{ cookiecutter.package_name }}.uploads import InvalidUploadError, ParsedUpload


def rows(parsed: ParsedUpload[Record]) -> list[tuple[int, dict[str, str]]]:
    return [row for block in parsed.blocks for row in block.read()]


def test_smiles_lines_with_names_comments_and_a_header() -> None:
    text = b"SMILES Name\n# a comment\nCCO ethanol\n\nc1ccccc1\tbenzene ring\nCC\n"
    parsed = parse_upload("in.smi", text)
    assert parsed.total == 3
    assert rows(parsed) == [
        (3, {"smiles": "CCO", "name": "ethanol"}),
        (5, {"smiles": "c1ccccc1", "name": "benzene ring"}),
        (6, {"smiles": "CC", "name": ""}),
    ]


def test_csv_with_smiles_and_name_columns_in_any_case() -> None:
    parsed = parse_upload("in.csv", b"ID,Name,SMILES\n1,ethanol,CCO\n2,nothing,\n")
    [(line, first), (second_line, second)] = rows(parsed)
    assert (line, Record.model_validate(first)) == (2, Record(smiles="CCO", name="ethanol"))
    assert second_line == 3
    with pytest.raises(ValidationError, match="smiles"):
        Record.model_validate(second)


def test_an_over_long_name_is_a_bad_line_not_a_bad_file() -> None:
    parsed = parse_upload("in.smi", b"CCO " + b"x" * 300 + b"\nCC ok\n")
    [(_, long_name), (line, fine)] = rows(parsed)
    with pytest.raises(ValidationError, match="name"):
        Record.model_validate(long_name)
    assert (line, Record.model_validate(fine)) == (2, Record(smiles="CC", name="ok"))


def test_a_utf8_bom_is_ignored() -> None:
    assert rows(parse_upload("in.smi", "\ufeffCCO e\n".encode()))[0][1]["smiles"] == "CCO"


def test_a_large_file_is_cut_into_blocks_of_whole_rows() -> None:
    lines = [f"{'C' * (n % 7 + 1)} m{n}" for n in range(25)]
    parsed = parse_upload("in.smi", ("\n".join(["# comment", *lines]) + "\n").encode(), 10)
    assert [block.rows for block in parsed.blocks] == [10, 10, 5]
    assert rows(parsed) == [
        (n + 2, {"smiles": "C" * (n % 7 + 1), "name": f"m{n}"}) for n in range(25)
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("in.smi", b"\xff\xfe", "not UTF-8"),
        ("in.csv", b"name\nx\n", "smiles column"),
        ("in.smi", b"   \n", "is empty"),
        ("in.smi", b"smiles\n# nothing else\n", "holds no molecules"),
        ("in.csv", b"smiles,name\nCCO," + b"x" * 200_000 + b"\n", "not a valid CSV file"),
    ],
)
def test_unusable_files_are_refused(name: str, content: bytes, message: str) -> None:
    with pytest.raises(InvalidUploadError, match=message):
        parse_upload(name, content)


def test_a_long_header_is_quoted_only_at_its_start() -> None:
    with pytest.raises(InvalidUploadError, match="smiles column") as caught:
        parse_upload("in.csv", b"x" * 100_000 + b"\nCCO\n")
    assert len(str(caught.value)) < 200


def test_search_request_refuses_blank_smiles() -> None:
    with pytest.raises(ValueError, match="at least 1 character"):
        SearchRequest.of("   ")
