import numpy as np
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

from {{ cookiecutter.package_name }}.encoders import EncodingError, InvalidQueryError, Metric, VectorType
from {{ cookiecutter.package_name }}.encoders.molecule import MorganFingerprintEncoder

PAIRS = [
    ("CC(=O)Oc1ccccc1C(=O)O", "OC(=O)c1ccccc1O"),
    ("c1ccccc1", "Cc1ccccc1"),
    ("CCO", "CCN"),
    ("CN1CCC[C@H]1c1cccnc1", "CN1C=NC2=C1C(=O)N(C(=O)N2C)C"),
]


def jaccard_similarity(a: bytes, b: bytes) -> float:
    bits_a = np.unpackbits(np.frombuffer(a, dtype=np.uint8))
    bits_b = np.unpackbits(np.frombuffer(b, dtype=np.uint8))
    return float((bits_a & bits_b).sum() / (bits_a | bits_b).sum())


def test_declares_a_binary_jaccard_vector() -> None:
    encoder = MorganFingerprintEncoder()
    assert (encoder.dim, encoder.metric, encoder.vector_type) == (
        2048,
        Metric.JACCARD,
        VectorType.BINARY,
    )
    vector = encoder.encode_query("CCO")
    assert isinstance(vector, bytes)
    assert len(vector) == 2048 // 8


@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_jaccard_on_the_bits_is_rdkit_tanimoto(first: str, second: str) -> None:
    encoder = MorganFingerprintEncoder()
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    expected = DataStructs.TanimotoSimilarity(
        generator.GetFingerprint(Chem.MolFromSmiles(first)),
        generator.GetFingerprint(Chem.MolFromSmiles(second)),
    )
    a, b = encoder.encode_query(first), encoder.encode_query(second)
    assert isinstance(a, bytes)
    assert isinstance(b, bytes)
    assert jaccard_similarity(a, b) == pytest.approx(expected, abs=1e-9)


def test_bad_smiles_in_a_batch_are_errors_and_the_rest_encode() -> None:
    vectors = MorganFingerprintEncoder().encode_batch(["CCO", "C1CC(=O", "[Xx]", "c1ccccc1"])
    assert isinstance(vectors[0], bytes)
    assert vectors[1] == EncodingError("invalid SMILES 'C1CC(=O'")
    assert isinstance(vectors[2], EncodingError)
    assert isinstance(vectors[3], bytes)


@pytest.mark.parametrize("smiles", ["not-a-molecule", "C1CC", "[H+].[Cl-]extra"])
def test_a_bad_query_raises(smiles: str) -> None:
    with pytest.raises(InvalidQueryError, match="invalid SMILES"):
        MorganFingerprintEncoder().encode_query(smiles)


def test_a_long_bad_smiles_is_quoted_only_at_its_start() -> None:
    # A job's report and a 422 carry the reason: it must not carry a 3,000-character input.
    smiles = "C1" * 1500
    [error] = MorganFingerprintEncoder().encode_batch([smiles])
    assert error == EncodingError(f"invalid SMILES '{'C1' * 40}...'")
    with pytest.raises(InvalidQueryError) as caught:
        MorganFingerprintEncoder().encode_query(smiles)
    assert len(str(caught.value)) < 120


def test_options_change_the_fingerprint_size() -> None:
    assert len(MorganFingerprintEncoder(radius=3, bits=1024).encode_query("CCO")) == 128
    with pytest.raises(ValueError, match="multiple of 8"):
        MorganFingerprintEncoder(bits=1001)
