"""Search results match RDKit's own Tanimoto ranking on the sample data."""

from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from rdkit import Chem, DataStructs
from rdkit.Chem import rdFingerprintGenerator

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.records import parse_upload, sample_data

from examples import ASPIRIN
from helpers import records_of

TOP_K = 10


@dataclass
class Reference:
    """The sample molecules RDKit can parse, with RDKit's own fingerprints."""

    names: list[str]
    smiles: list[str]
    fingerprints: list[DataStructs.ExplicitBitVect]


@pytest.fixture(scope="module")
def reference() -> Reference:
    settings = Settings(_env_file=None)
    path: Path = sample_data(settings)
    generator = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    found = Reference([], [], [])
    for _, record in records_of(parse_upload(path.name, path.read_bytes()), settings):
        mol = Chem.MolFromSmiles(record.smiles)
        if mol is not None:
            found.names.append(record.name)
            found.smiles.append(record.smiles)
            found.fingerprints.append(generator.GetFingerprint(mol))
    return found


async def search(client: httpx.AsyncClient, smiles: str, top_k: int) -> list[dict[str, object]]:
    response = await client.post("/search", json={"smiles": smiles, "top_k": top_k})
    assert response.status_code == 200, response.text
    hits: list[dict[str, object]] = response.json()["results"]
    return hits


async def test_aspirin_finds_five_by_tanimoto(loaded_client: httpx.AsyncClient) -> None:
    hits = await search(loaded_client, ASPIRIN, 5)
    assert len(hits) == 5
    scores = [float(str(hit["score"])) for hit in hits]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 < score <= 1.0 for score in scores)


async def test_a_stored_molecule_finds_itself_first(loaded_client: httpx.AsyncClient) -> None:
    [first, *_] = (await loaded_client.get("/items", params={"offset": 100, "limit": 1})).json()
    [best, *_] = await search(loaded_client, first["smiles"], 3)
    assert best["score"] == pytest.approx(1.0)
    assert best["smiles"] == first["smiles"]


async def test_top_10_equals_rdkit_ranking_for_20_queries(
    loaded_client: httpx.AsyncClient, reference: Reference
) -> None:
    count = (await loaded_client.get("/items/count")).json()
    assert count == {"milvus": len(reference.names), "metadata": len(reference.names)}
    step = len(reference.names) // 20
    for index in range(0, 20 * step, step):
        expected = DataStructs.BulkTanimotoSimilarity(
            reference.fingerprints[index], reference.fingerprints
        )
        by_name = dict(zip(reference.names, expected, strict=True))
        hits = await search(loaded_client, reference.smiles[index], TOP_K)

        # Same scores in the same order; ties may list different molecules of equal score.
        scores = [float(str(hit["score"])) for hit in hits]
        assert scores == pytest.approx(sorted(expected, reverse=True)[:TOP_K], abs=1e-6)
        for hit, score in zip(hits, scores, strict=True):
            assert by_name[str(hit["name"])] == pytest.approx(score, abs=1e-6)
