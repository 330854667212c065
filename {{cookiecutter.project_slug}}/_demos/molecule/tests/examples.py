"""Molecule inputs for the tests every demo shares."""

from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.records import Record

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"

QUERY_FIELD = "smiles"
SEARCH = {"smiles": ASPIRIN}
INVALID_SEARCH = {"json": {"smiles": "C1CC(=O"}}
MISSING_SEARCH: dict[str, Any] = {"json": {}}

# Small enough that loading the sample data takes about twenty batches.
SAMPLE_BATCH_SIZE = 250
# The outage tests stop a store in the middle of a sample load: smaller batches make it last.
OUTAGE_SETTINGS: dict[str, Any] = {"batch_size": max(1, SAMPLE_BATCH_SIZE // 4)}

UPLOAD = [("molecules.smi", b"CCO ethanol\nC1CC(=O broken ring\nc1ccccc1 benzene\n")]
UPLOAD_BAD_ITEM = "line 2"

# The first bytes of a PNG file: what a picture named .smi or .csv starts with.
PNG_START = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02"
LINES = "CCO ethanol\nc1ccccc1 benzene\n"

# Files refused whole (422), and what the refusal says.
BAD_UPLOADS = [
    ([("molecules.smi", "CCO éthanol\n".encode("latin-1"))], "not UTF-8"),
    (
        [("molecules.csv", b"name,formula\nethanol,C2H6O\n")],
        "needs a header row with a smiles column",
    ),
    ([("molecules.smi", b"# only a comment\n\n")], "holds no molecules"),
    ([("molecules.smi", b"")], "molecules.smi is empty"),
    ([("a.smi", b"CCO\n"), ("b.smi", b"CCC\n")], "load one file at a time"),
    ([("molecules.smi", LINES.encode("utf-16"))], "molecules.smi is UTF-16 text, not UTF-8"),
    ([("molecules.smi", LINES.encode("utf-16-le"))], "molecules.smi is not UTF-8 text: it holds"),
    ([("molecules.smi", PNG_START)], "molecules.smi is not UTF-8 text: it holds NUL bytes"),
    ([("molecules.csv", PNG_START)], "molecules.csv is not UTF-8 text: it holds NUL bytes"),
    (
        [("molecules.csv", b'smiles,name\nCCO,ethanol\nc1ccccc1,"benz')],
        "molecules.csv is not a valid CSV file: it ends inside a quoted field",
    ),
    (
        [("molecules.csv", b'smiles,name\nCCO,"ethanol\nc1ccccc1,benzene\nCCC,propane\n')],
        "molecules.csv is not a valid CSV file: it ends inside a quoted field",
    ),
]

# Files accepted whose bad items become the job's errors: the files, how many items load, and
# what the job says of each bad one. A .smi cut off mid-line is a shorter file: its whole lines
# load, and its cut last line is a bad line when it is no longer a molecule (cut to one that
# still is, it loads as that: nothing in the file can tell).
PARTLY_BAD_UPLOADS = [
    ([("molecules.smi", b"CCO ethanol\nc1ccc")], 1, {"line 2": "invalid SMILES 'c1ccc'"}),
    ([("molecules.csv", b"smiles,name\nCCO,ethanol\nC1CC(=")], 1, {"line 3": "invalid SMILES"}),
]

# One item to upload under any file name, how it is stored, and the search that finds it first.
NAMED_ITEM = (".smi", b"CC(C)Cc1ccc(cc1)C(C)C(=O)O ibuprofen\n")
NAMED_ITEM_STORED = {"smiles": "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "name": "ibuprofen"}
NAMED_ITEM_SEARCH: dict[str, Any] = {"json": {"smiles": "CC(C)Cc1ccc(cc1)C(C)C(=O)O"}}
# The item field that shows the uploaded file's name: none, a molecule's name is its own.
FILE_NAME_FIELD = None

# Searches refused (422), and what the refusal says.
BAD_SEARCHES: list[tuple[dict[str, Any], str]] = [
    ({"json": {"smiles": "C1CC(=O"}}, "invalid SMILES"),
    ({"json": {"smiles": "C\u0000C"}}, "invalid SMILES"),
    ({"json": {"smiles": "CC O"}}, "String should match pattern"),
]

ENCODER_INPUTS = ["CCO", "c1ccccc1", ASPIRIN]

HOSTILE_RECORD = Record(smiles="CCO", name="'); DROP TABLE items; --")


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
