"""Molecule inputs for the tests every demo shares."""

from {{ cookiecutter.package_name }}.records import Record

ASPIRIN = "CC(=O)Oc1ccccc1C(=O)O"

SEARCH = {"smiles": ASPIRIN}
INVALID_SEARCH = {"smiles": "C1CC(=O"}

# Small enough that loading the sample data takes about twenty batches.
SAMPLE_BATCH_SIZE = 250

UPLOAD_NAME = "molecules.smi"
UPLOAD = b"CCO ethanol\nC1CC(=O broken ring\nc1ccccc1 benzene\n"
UPLOAD_BAD_LINE = "line 2"

BAD_UPLOADS = [
    ("molecules.smi", "CCO éthanol\n".encode("latin-1"), "not UTF-8"),
    ("molecules.csv", b"name,formula\nethanol,C2H6O\n", "needs a header row with a smiles column"),
    ("molecules.smi", b"# only a comment\n\n", "holds no molecules"),
    ("molecules.smi", b"", "is empty"),
]

ENCODER_INPUTS = ["CCO", "c1ccccc1", ASPIRIN]

HOSTILE_RECORD = Record(smiles="CCO", name="'); DROP TABLE items; --")
