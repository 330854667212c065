"""The encoder slot: what any model must offer to serve this project.

An encoder turns inputs into vectors of one type and dimension, compared by one metric.
To plug another model, implement this protocol and point the `encoder` setting at the class.
"""

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol, TypeVar, runtime_checkable

# A float vector as a list of floats, or a binary vector packed 8 bits per byte.
Vector = list[float] | bytes
# What the model reads: text for some demos, a file's bytes for others.
InputT = TypeVar("InputT", contravariant=True)


class VectorType(StrEnum):
    FLOAT = "FLOAT_VECTOR"
    BINARY = "BINARY_VECTOR"


class Metric(StrEnum):
    COSINE = "COSINE"
    IP = "IP"
    L2 = "L2"
    JACCARD = "JACCARD"
    HAMMING = "HAMMING"


@dataclass(frozen=True)
class EncodingError:
    """An input the model cannot encode, with a reason a person understands."""

    reason: str


class InvalidQueryError(ValueError):
    """A search query the model cannot encode."""


@runtime_checkable
class Encoder(Protocol[InputT]):
    dim: int
    metric: Metric
    vector_type: VectorType
    # True when a query encodes in well under a millisecond: a search then encodes it on the
    # event loop, where a hand-off to a thread would cost more than the work.
    cheap: bool
    # What computes the vectors: a model's name and a fingerprint of its weights, or an
    # algorithm and its parameters. Two encoders whose vectors differ must differ here.
    model_id: str

    def encode_batch(self, inputs: Sequence[InputT]) -> list[Vector | EncodingError]:
        """Encode many inputs; an input that cannot be encoded yields an EncodingError."""
        ...

    def encode_query(self, query: InputT) -> Vector:
        """Encode one search query; raise InvalidQueryError when it cannot be encoded."""
        ...


def identity(encoder: Encoder[Any]) -> str:
    """The encoder as a collection records it: vectors of another identity never join it."""
    kind = type(encoder)
    return (
        f"{kind.__module__}.{kind.__qualname__} {encoder.model_id} "
        f"{encoder.metric.value} {encoder.vector_type.value}/{encoder.dim}"
    )


def file_digest(*paths: Path) -> str:
    """A short fingerprint of files' contents (a model's weights)."""
    digest = hashlib.sha256()
    for path in paths:
        with path.open("rb") as stream:
            digest.update(hashlib.file_digest(stream, "sha256").digest())
    return f"sha256:{digest.hexdigest()[:16]}"
