import numpy as np
import pytest

from {{ cookiecutter.package_name }}.encoders import Encoder, InvalidQueryError, Metric, VectorType


def test_declares_a_normalised_384_float_cosine_vector(encoder: Encoder[str]) -> None:
    assert (encoder.dim, encoder.metric, encoder.vector_type) == (
        384,
        Metric.COSINE,
        VectorType.FLOAT,
    )
    vector = encoder.encode_query("What is Milvus?")
    assert isinstance(vector, list)
    assert len(vector) == 384
    assert float(np.linalg.norm(vector)) == pytest.approx(1.0, abs=1e-5)


def test_a_paraphrase_is_closer_than_another_topic(encoder: Encoder[str]) -> None:
    query, paraphrase, other = (
        np.asarray(v)
        for v in encoder.encode_batch(
            [
                "How do I start the server?",
                "What command launches the service?",
                "Which bakery sells the best croissants in town?",
            ]
        )
    )
    assert float(query @ paraphrase) > float(query @ other) + 0.2


def test_batch_and_query_agree(encoder: Encoder[str]) -> None:
    [batch] = encoder.encode_batch(["Where are the settings?"])
    single = encoder.encode_query("Where are the settings?")
    assert np.allclose(np.asarray(batch), np.asarray(single), atol=1e-5)


def test_a_blank_query_raises(encoder: Encoder[str]) -> None:
    with pytest.raises(InvalidQueryError, match="empty"):
        encoder.encode_query("   ")
