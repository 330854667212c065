"""The encoder slot: what any model must offer to serve this project.

An encoder turns inputs into vectors of one type and dimension, compared by one metric.
To plug another model, implement this protocol and point the `encoder` setting at the class.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, TypeVar, runtime_checkable

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

    def encode_batch(self, inputs: Sequence[InputT]) -> list[Vector | EncodingError]:
        """Encode many inputs; an input that cannot be encoded yields an EncodingError."""
        ...

    def encode_query(self, query: InputT) -> Vector:
        """Encode one search query; raise InvalidQueryError when it cannot be encoded."""
        ...
