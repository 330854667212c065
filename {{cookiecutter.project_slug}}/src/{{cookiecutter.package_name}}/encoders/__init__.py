"""Encoders: the model that turns this demo's inputs into vectors."""

from importlib import import_module
from typing import Any

from .base import (
    Encoder,
    EncodingError,
    InvalidQueryError,
    Metric,
    Vector,
    VectorType,
    file_digest,
    identity,
)

__all__ = [
    "Encoder",
    "EncodingError",
    "InvalidQueryError",
    "Metric",
    "Vector",
    "VectorType",
    "file_digest",
    "identity",
    "load_encoder",
]


def load_encoder(import_path: str, options: dict[str, Any]) -> Encoder[Any]:
    """Build the encoder named by `module:Class`, passing `options` as keyword arguments."""
    module_name, _, class_name = import_path.partition(":")
    if not module_name or not class_name:
        raise ValueError(f"encoder must look like 'package.module:Class', got {import_path!r}")
    encoder = getattr(import_module(module_name), class_name)(**options)
    if not isinstance(encoder, Encoder):
        raise TypeError(f"{import_path} does not implement the Encoder protocol")
    return encoder
