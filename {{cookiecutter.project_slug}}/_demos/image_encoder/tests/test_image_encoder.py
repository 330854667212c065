"""The image encoder with the real model on real pictures: robust to edits, strict about bad
files, the same answers from torch and ONNX."""

import io
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest
from PIL import Image, ImageEnhance, ImageOps

from {{ cookiecutter.package_name }}.encoders import Encoder, EncodingError, InvalidQueryError
from {{ cookiecutter.package_name }}.encoders.base import Metric, VectorType
from {{ cookiecutter.package_name }}.encoders.image import (
    EfficientNetEncoder,
    InvalidImageError,
    open_image,
)

from examples import PICTURES


def to_jpeg(image: Image.Image, quality: int = 90, **params: object) -> bytes:
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality, **params)
    return out.getvalue()


@pytest.fixture(scope="module")
def torch_encoder() -> EfficientNetEncoder:
    return EfficientNetEncoder(runtime="torch")


@pytest.fixture(scope="module")
def onnx_encoder(tmp_path_factory: pytest.TempPathFactory) -> EfficientNetEncoder:
    return EfficientNetEncoder(runtime="onnx", cache_dir=str(tmp_path_factory.mktemp("models")))


@pytest.fixture(params=["torch", "onnx"])
def any_encoder(request: pytest.FixtureRequest) -> EfficientNetEncoder:
    found: EfficientNetEncoder = request.getfixturevalue(f"{request.param}_encoder")
    return found


def matrix(vectors: Sequence[object]) -> npt.NDArray[np.float64]:
    assert all(isinstance(vector, list) for vector in vectors), vectors
    return np.array(vectors, dtype=np.float64)


def test_unit_vectors_of_the_declared_shape(any_encoder: EfficientNetEncoder) -> None:
    assert isinstance(any_encoder, Encoder)
    assert (any_encoder.dim, any_encoder.metric, any_encoder.vector_type) == (
        1280,
        Metric.COSINE,
        VectorType.FLOAT,
    )
    vectors = matrix(any_encoder.encode_batch(PICTURES))
    assert vectors.shape == (len(PICTURES), 1280)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    # Pictures decoded elsewhere (video frames) give the same vectors as their files.
    decoded = [open_image(data) for data in PICTURES]
    np.testing.assert_allclose(matrix(any_encoder.encode_batch(decoded)), vectors, atol=1e-5)


def crop_80(image: Image.Image) -> Image.Image:
    width, height = image.size
    dx, dy = width // 10, height // 10
    return image.crop((dx, dy, width - dx, height - dy))


def thumbnail(image: Image.Image) -> Image.Image:
    small = image.copy()
    small.thumbnail((96, 96))
    return small


EDITS: dict[str, Callable[[Image.Image], bytes]] = {
    "crop 80%": lambda image: to_jpeg(crop_80(image)),
    "JPEG quality 20": lambda image: to_jpeg(image, quality=20),
    "horizontal flip": lambda image: to_jpeg(ImageOps.mirror(image)),
    "brightness +40%": lambda image: to_jpeg(ImageEnhance.Brightness(image).enhance(1.4)),
    "96 px thumbnail": lambda image: to_jpeg(thumbnail(image)),
}


@pytest.mark.parametrize("edit", EDITS)
def test_an_edited_picture_stays_closest_to_its_original(
    onnx_encoder: EfficientNetEncoder, edit: str
) -> None:
    originals = matrix(onnx_encoder.encode_batch(PICTURES))
    edited = [EDITS[edit](open_image(data)) for data in PICTURES]
    similarity = matrix(onnx_encoder.encode_batch(edited)) @ originals.T
    assert list(similarity.argmax(axis=1)) == list(range(len(PICTURES))), similarity.round(2)


def test_exif_orientation_is_applied(onnx_encoder: EfficientNetEncoder) -> None:
    upright = open_image(PICTURES[0])
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the stored pixels need a quarter turn clockwise
    turned = to_jpeg(upright.transpose(Image.Transpose.ROTATE_90), exif=exif.tobytes())
    a, b = matrix([onnx_encoder.encode_query(to_jpeg(upright)), onnx_encoder.encode_query(turned)])
    assert a @ b > 0.99


BAD_FILES: dict[str, tuple[bytes, str]] = {
    "zero bytes": (b"", "empty file"),
    "text named .jpg": (b"name,value\nwater,1\n", "not an image Pillow can read"),
    "truncated JPEG": (PICTURES[1][: len(PICTURES[1]) // 2], "truncated or corrupt image"),
    "JPEG header only": (PICTURES[1][:300], "truncated or corrupt image"),
}


def test_bad_files_yield_errors_and_the_rest_of_the_batch_encodes(
    any_encoder: EfficientNetEncoder,
) -> None:
    bad = [data for data, _ in BAD_FILES.values()]
    results = any_encoder.encode_batch([PICTURES[0], *bad, PICTURES[2]])
    for result, (_, reason) in zip(results[1:-1], BAD_FILES.values(), strict=True):
        assert isinstance(result, EncodingError)
        assert result.reason.startswith(reason)
    alone = matrix(any_encoder.encode_batch([PICTURES[0], PICTURES[2]]))
    np.testing.assert_allclose(matrix([results[0], results[-1]]), alone, atol=1e-5)


@pytest.mark.parametrize("bad_file", BAD_FILES)
def test_a_search_with_a_bad_file_is_refused(
    onnx_encoder: EfficientNetEncoder, bad_file: str
) -> None:
    data, reason = BAD_FILES[bad_file]
    with pytest.raises(InvalidQueryError, match=reason):
        onnx_encoder.encode_query(data)


def one_colour_png(width: int, height: int) -> bytes:
    """A picture that is tiny on disk and huge decoded."""
    out = io.BytesIO()
    Image.new("1", (width, height)).save(out, "PNG")
    return out.getvalue()


def test_pictures_over_the_pixel_limit_are_refused_before_decoding(
    onnx_encoder: EfficientNetEncoder,
) -> None:
    bomb = one_colour_png(9400, 9400)  # 88 MP: under Pillow's own limit, 265 MB as RGB
    assert len(bomb) < 200_000
    refusal = "image too large: 9400x9400 pixels, the limit is 40,000,000"
    [result] = onnx_encoder.encode_batch([bomb])
    assert isinstance(result, EncodingError)
    assert result.reason == refusal
    with pytest.raises(InvalidQueryError, match=refusal):
        onnx_encoder.encode_query(bomb)
    with pytest.raises(InvalidImageError, match="1500x1000 pixels, the limit is 1,000,000"):
        open_image(one_colour_png(1500, 1000), max_pixels=1_000_000)


@pytest.mark.parametrize("kind", ["JPEG", "PNG"])
def test_a_large_picture_is_decoded_small_and_encodes_as_its_full_decode(
    onnx_encoder: EfficientNetEncoder, kind: str
) -> None:
    """A JPEG decodes at a fraction of its size (draft), anything else shrinks right after
    decoding: a load never holds full-size pictures, and the vector barely moves."""
    full = Image.open(io.BytesIO(PICTURES[0])).convert("RGB").resize((4000, 3000))
    out = io.BytesIO()
    full.save(out, kind)
    decoded = open_image(out.getvalue())
    assert 448 <= min(decoded.size) < 2 * 448
    small, whole = onnx_encoder.encode_batch([decoded, full])
    assert np.dot(small, whole) > 0.98  # type: ignore[arg-type]


def test_torch_and_onnx_agree(
    torch_encoder: EfficientNetEncoder, onnx_encoder: EfficientNetEncoder
) -> None:
    torch_vectors = matrix(torch_encoder.encode_batch(PICTURES))
    onnx_vectors = matrix(onnx_encoder.encode_batch(PICTURES))
    assert (torch_vectors * onnx_vectors).sum(axis=1).min() > 0.9999


def test_concurrent_calls_give_the_serial_answers(any_encoder: EfficientNetEncoder) -> None:
    # The service calls the encoder from several asyncio.to_thread workers at once.
    serial = matrix([any_encoder.encode_query(data) for data in PICTURES])
    with ThreadPoolExecutor(max_workers=4) as pool:
        parallel = matrix(list(pool.map(any_encoder.encode_query, PICTURES)))
    np.testing.assert_allclose(parallel, serial, atol=1e-5)


def test_the_onnx_export_is_made_once_and_reused(onnx_encoder: EfficientNetEncoder) -> None:
    path = onnx_encoder.onnx_path
    assert path is not None
    assert os.path.isfile(path)
    exported_at = os.stat(path).st_mtime_ns
    again = EfficientNetEncoder(cache_dir=os.path.dirname(path))  # "auto" picks onnxruntime
    assert (again.runtime, again.onnx_path) == ("onnx", path)
    assert os.stat(path).st_mtime_ns == exported_at


def test_other_weights_get_their_own_export(
    onnx_encoder: EfficientNetEncoder, tmp_path: Path
) -> None:
    weights = tmp_path / "weights.pth"
    weights.write_bytes(Path(onnx_encoder.weights_path).read_bytes())
    other = EfficientNetEncoder(weights_path=str(weights), cache_dir=str(tmp_path))
    assert other.onnx_path is not None
    assert other.onnx_path != onnx_encoder.onnx_path
    np.testing.assert_allclose(
        matrix(other.encode_batch(PICTURES[:2])),
        matrix(onnx_encoder.encode_batch(PICTURES[:2])),
        atol=1e-5,
    )


def test_bad_options_are_refused() -> None:
    with pytest.raises(ValueError, match="runtime must be"):
        EfficientNetEncoder(runtime="tensorflow")
    with pytest.raises(ValueError, match="device must be"):
        EfficientNetEncoder(device="tpu")
