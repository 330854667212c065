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

BAD_UPLOADS = [
    ([("molecules.smi", "CCO éthanol\n".encode("latin-1"))], "not UTF-8"),
    (
        [("molecules.csv", b"name,formula\nethanol,C2H6O\n")],
        "needs a header row with a smiles column",
    ),
    ([("molecules.smi", b"# only a comment\n\n")], "holds no molecules"),
    ([("molecules.smi", b"")], "is empty"),
    ([("a.smi", b"CCO\n"), ("b.smi", b"CCC\n")], "load one file at a time"),
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
