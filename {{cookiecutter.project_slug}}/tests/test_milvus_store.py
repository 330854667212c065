import math
import random
import struct
from collections.abc import AsyncIterator

import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import (
    Encoder,
    EncodingError,
    Metric,
    Vector,
    VectorType,
    identity,
)
from {{ cookiecutter.package_name }}.milvus_store import (
    MilvusStore,
    SchemaMismatchError,
    rows_per_insert,
    score_of,
)
from {{ cookiecutter.package_name }}.records import EncoderInput

from examples import ENCODER_INPUTS


@pytest.fixture
async def store(settings: Settings, encoder: Encoder[EncoderInput]) -> AsyncIterator[MilvusStore]:
    store = await MilvusStore.open(settings, encoder)
    yield store
    await store.close()


@pytest.fixture
def vectors(encoder: Encoder[EncoderInput]) -> list[Vector]:
    encoded = encoder.encode_batch(ENCODER_INPUTS)
    assert not any(isinstance(v, EncodingError) for v in encoded)
    return [v for v in encoded if not isinstance(v, EncodingError)]


async def test_insert_search_count_delete(store: MilvusStore, vectors: list[Vector]) -> None:
    ids = [101 + n for n in range(len(vectors))]
    await store.insert(ids, [[v] for v in vectors])
    await store.flush()
    assert await store.count() == len(vectors)

    for item_id, vector in zip(ids, vectors, strict=True):
        matches = await store.search(vector, top_k=len(vectors))
        assert matches[0].id == item_id
        assert matches[0].score == 1.0
        scores = [m.score for m in matches]
        assert scores == sorted(scores, reverse=True)
        assert all(score <= 1.0 for score in scores)

    await store.delete(ids[:1])
    assert await store.count() == len(vectors) - 1
    assert ids[0] not in [m.id for m in await store.search(vectors[0], top_k=len(vectors))]


async def test_count_counts_items_not_rows(store: MilvusStore, vectors: list[Vector]) -> None:
    # An insert retried after its first try landed writes the id's row again: Milvus keeps
    # both, and a count of rows would count the item twice.
    await store.insert([7], [vectors[:1]])
    await store.insert([7, 8], [vectors[:1], vectors[1:2]])
    assert await store.count() == 2
    await store.delete([7])
    assert await store.count() == 1


def float32(number: float) -> float:
    return float(struct.unpack("f", struct.pack("f", number))[0])


def float32_dot(a: list[float], b: list[float]) -> float:
    """A dot product summed in float32, as Milvus computes a cosine similarity."""
    total = 0.0
    for x, y in zip(a, b, strict=True):
        total = float32(total + float32(x * y))
    return total


def float32_unit_vector_whose_square_exceeds_one() -> list[float]:
    for seed in range(1000):
        rng = random.Random(seed)
        raw = [rng.gauss(0, 1) for _ in range(384)]
        norm = math.sqrt(sum(x * x for x in raw))
        vector = [float32(x / norm) for x in raw]
        if float32_dot(vector, vector) > 1.0:
            return vector
    raise AssertionError("no float32 unit vector squares above 1 in 1000 tries")


def test_identical_float32_unit_vectors_score_exactly_one() -> None:
    vector = float32_unit_vector_whose_square_exceeds_one()
    similarity = float32_dot(vector, vector)
    assert similarity > 1.0  # what Milvus can report: float32 rounding, not a closer match
    assert score_of(Metric.COSINE, similarity) == 1.0


@pytest.mark.parametrize(
    ("metric", "distance", "score"),
    [
        (Metric.COSINE, 0.6666666567325592, 0.666667),
        (Metric.COSINE, -1.0000001192092896, -1.0),
        (Metric.JACCARD, -1.1920929e-07, 1.0),  # a Jaccard distance a hair below 0
        (Metric.JACCARD, 1.0000001192092896, 0.0),
        (Metric.JACCARD, 0.33333334, 0.666667),  # two bit sets, 2/3 alike
        (Metric.L2, 2.2500001, -2.25),
        (Metric.L2, -1e-9, 0.0),
        (Metric.HAMMING, 12.0, -12.0),
        (Metric.IP, 3.1415927, 3.14159),
    ],
)
def test_scores_stay_in_their_metric_range_at_float32_precision(
    metric: Metric, distance: float, score: float
) -> None:
    assert score_of(metric, distance) == score


async def test_an_item_of_many_rows_counts_once_and_crowds_out_no_other(
    settings: Settings, encoder: Encoder[EncoderInput], vectors: list[Vector]
) -> None:
    store = await MilvusStore.open(settings, encoder, rows_per_item=100)
    try:
        # Item 1 has 50 rows, all nearer to the query than any row of items 2 and 3.
        await store.insert([1, 2, 3], [[vectors[0]] * 50, [vectors[1]], [vectors[2]]])
        await store.flush()
        assert await store.count() == 3
        assert await store.list_ids() == {1, 2, 3}
        matches = await store.search(vectors[0], top_k=3)
        assert matches[0].id == 1
        assert {match.id for match in matches} == {1, 2, 3}
        assert sorted(part.index for part in matches[0].parts) == list(range(50))
        assert matches[0].score == max(part.score for part in matches[0].parts)
        await store.delete([1])
        assert await store.count() == 2
        assert {match.id for match in await store.search(vectors[0], top_k=3)} == {2, 3}
    finally:
        await store.close()


async def test_reset_empties_the_collection(store: MilvusStore, vectors: list[Vector]) -> None:
    await store.insert(list(range(1, len(vectors) + 1)), [[v] for v in vectors])
    await store.reset()
    assert await store.count() == 0
    assert await store.search(vectors[0], top_k=3) == []


async def test_reopening_keeps_the_rows(
    settings: Settings, encoder: Encoder[EncoderInput], vectors: list[Vector]
) -> None:
    store = await MilvusStore.open(settings, encoder)
    await store.insert([7], [vectors[:1]])
    await store.flush()
    await store.close()
    store = await MilvusStore.open(settings, encoder)
    try:
        assert await store.count() == 1
    finally:
        await store.close()


class OtherShape:
    """An encoder of another dimension than the collection was built for."""

    def __init__(self, encoder: Encoder[EncoderInput]) -> None:
        self.dim = encoder.dim * 2
        self.metric = encoder.metric
        self.vector_type = encoder.vector_type
        self.cheap = encoder.cheap
        self.model_id = encoder.model_id

    def encode_batch(self, inputs: object) -> list[Vector | EncodingError]:
        raise NotImplementedError

    def encode_query(self, query: object) -> Vector:
        raise NotImplementedError


class SameShapeOtherModel(OtherShape):
    """An encoder of the same shape as the demo's, but another model (say, other weights)."""

    def __init__(self, encoder: Encoder[EncoderInput]) -> None:
        super().__init__(encoder)
        self.dim = encoder.dim
        self.model_id = f"{encoder.model_id} retrained"


async def test_a_collection_of_another_model_is_refused_naming_both(
    store: MilvusStore, settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    with pytest.raises(SchemaMismatchError) as refused:
        await MilvusStore.open(settings, SameShapeOtherModel(encoder))
    message = str(refused.value)
    assert f"holds vectors of {identity(encoder)}, not of the configured encoder" in message
    assert f"{encoder.model_id} retrained" in message
    reopened = await MilvusStore.open(settings, encoder)  # the same model is welcome
    await reopened.close()


async def test_a_collection_built_for_another_encoder_is_refused(
    store: MilvusStore, settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    with pytest.raises(SchemaMismatchError, match="another vector field"):
        await MilvusStore.open(settings, OtherShape(encoder))


@pytest.mark.parametrize(
    ("dim", "vector_type", "rows"),
    [
        (1280, VectorType.FLOAT, 819),  # a video frame's vector: 5 KB
        (384, VectorType.FLOAT, 2730),
        (2048, VectorType.BINARY, 16384),  # a fingerprint: 256 bytes
        (10**8, VectorType.FLOAT, 1),  # one row, however large, still goes
    ],
)
def test_each_insert_stays_under_the_size_milvus_lite_handles_well(
    dim: int, vector_type: VectorType, rows: int
) -> None:
    assert rows_per_insert(dim, vector_type) == rows


async def test_a_batch_larger_than_one_insert_lands_whole(
    store: MilvusStore, encoder: Encoder[EncoderInput]
) -> None:
    vector = encoder.encode_query(ENCODER_INPUTS[0])
    count = rows_per_insert(encoder.dim, encoder.vector_type) + 3
    await store.insert(list(range(count)), [[vector]] * count)
    await store.flush()
    assert await store.count() == count
