import pytest

from {{ cookiecutter.package_name }}.records import Record, SearchRequest, parse_upload
from {{ cookiecutter.package_name }}.uploads import InvalidUploadError


def test_smiles_lines_with_names_comments_and_a_header() -> None:
    text = b"SMILES Name\n# a comment\nCCO ethanol\n\nc1ccccc1\tbenzene ring\nCC\n"
    parsed = parse_upload("in.smi", text)
    assert parsed.errors == []
    assert parsed.records == [
        (3, Record(smiles="CCO", name="ethanol")),
        (5, Record(smiles="c1ccccc1", name="benzene ring")),
        (6, Record(smiles="CC", name="")),
    ]


def test_csv_with_smiles_and_name_columns_in_any_case() -> None:
    parsed = parse_upload("in.csv", b"ID,Name,SMILES\n1,ethanol,CCO\n2,nothing,\n")
    assert parsed.records == [(2, Record(smiles="CCO", name="ethanol"))]
    assert [error.item for error in parsed.errors] == ["line 3"]
    assert "smiles" in parsed.errors[0].reason


def test_an_over_long_name_is_a_bad_line_not_a_bad_file() -> None:
    parsed = parse_upload("in.smi", b"CCO " + b"x" * 300 + b"\nCC ok\n")
    assert [error.item for error in parsed.errors] == ["line 1"]
    assert parsed.records == [(2, Record(smiles="CC", name="ok"))]


def test_a_utf8_bom_is_ignored() -> None:
    assert parse_upload("in.smi", "\ufeffCCO e\n".encode()).records[0][1].smiles == "CCO"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("in.smi", b"\xff\xfe", "not UTF-8"),
        ("in.csv", b"name\nx\n", "smiles column"),
        ("in.smi", b"   \n", "is empty"),
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
