"""Concurrent queries are encoded together, and each search gets its own query's vector."""

import asyncio
from collections.abc import Sequence

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.encoders import Encoder, EncodingError, InvalidQueryError, Vector
from {{ cookiecutter.package_name }}.query_batcher import QueryBatcher
from {{ cookiecutter.package_name }}.records import EncoderInput

from examples import ENCODER_INPUTS


class Recording:
    """The real encoder, noting the size of each batch it is given; `refused` inputs come back
    as an encoding error (to see that one bad query fails only its own search)."""

    def __init__(self, encoder: Encoder[EncoderInput], refused: EncoderInput | None = None) -> None:
        self.encoder = encoder
        self.refused = refused
        self.batches: list[int] = []
        self.dim, self.metric = encoder.dim, encoder.metric
        self.vector_type, self.cheap = encoder.vector_type, encoder.cheap
        self.model_id = encoder.model_id

    def encode_query(self, query: EncoderInput) -> Vector:
        return self.encoder.encode_query(query)

    def encode_batch(self, inputs: Sequence[EncoderInput]) -> list[Vector | EncodingError]:
        self.batches.append(len(inputs))
        vectors = self.encoder.encode_batch(inputs)
        return [
            EncodingError("refused") if query == self.refused else vector
            for query, vector in zip(inputs, vectors, strict=True)
        ]


def same(a: Vector, b: Vector) -> bool:
    if isinstance(a, bytes) or isinstance(b, bytes):
        return a == b
    return bool(np.allclose(a, b, atol=1e-5))


async def test_concurrent_queries_share_batches_and_each_gets_its_own_vector(
    encoder: Encoder[EncoderInput],
) -> None:
    recording = Recording(encoder)
    batcher: QueryBatcher[EncoderInput] = QueryBatcher(recording, max_batch=8, max_wait=0.05)
    queries = [ENCODER_INPUTS[n % len(ENCODER_INPUTS)] for n in range(12)]
    try:
        vectors = await asyncio.gather(*(batcher.encode(query) for query in queries))
    finally:
        await batcher.close()
    assert recording.batches == [8, 4]
    for query, vector in zip(queries, vectors, strict=True):
        assert same(vector, encoder.encode_query(query))


async def test_a_query_the_model_refuses_fails_only_its_own_search(
    encoder: Encoder[EncoderInput],
) -> None:
    bad, *good = ENCODER_INPUTS
    recording = Recording(encoder, refused=bad)
    batcher: QueryBatcher[EncoderInput] = QueryBatcher(recording, max_batch=8, max_wait=0.05)
    try:
        results = await asyncio.gather(
            *(batcher.encode(query) for query in [bad, *good]), return_exceptions=True
        )
    finally:
        await batcher.close()
    assert recording.batches == [len(ENCODER_INPUTS)]
    assert isinstance(results[0], InvalidQueryError)
    assert str(results[0]) == "refused"
    for query, vector in zip(good, results[1:], strict=True):
        assert not isinstance(vector, BaseException)
        assert same(vector, encoder.encode_query(query))


async def test_a_search_that_gives_up_leaves_the_others_their_answers(
    encoder: Encoder[EncoderInput],
) -> None:
    batcher: QueryBatcher[EncoderInput] = QueryBatcher(encoder, max_batch=8, max_wait=0.05)
    try:
        leaving = asyncio.create_task(batcher.encode(ENCODER_INPUTS[0]))
        staying = asyncio.create_task(batcher.encode(ENCODER_INPUTS[1]))
        await asyncio.sleep(0)
        leaving.cancel()
        assert same(await staying, encoder.encode_query(ENCODER_INPUTS[1]))
        with pytest.raises(asyncio.CancelledError):
            await leaving
    finally:
        await batcher.close()
