"""Frame sampling with PyAV: steady rate, a cap that spreads out, clear reasons for bad files."""

import io
from pathlib import Path

import av
import numpy as np
import pytest
from PIL import Image

from {{ cookiecutter.package_name }}.encoders.video import (
    SHORT_SIDE,
    FrameSampler,
    InvalidVideoError,
    frame_at,
    probe,
)

from examples import CLIPS, PICTURES, TRUNCATED


def write_clip(path: Path, seconds: int, fps: int = 10, codec: str = "libx264") -> Path:
    """A clip whose frames count up in brightness, one step a second, so each second differs."""
    with av.open(str(path), "w") as container:
        stream = container.add_stream(codec, rate=fps)
        assert isinstance(stream, av.VideoStream)
        # Motion JPEG wants full-range pixels; the others the usual video range.
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        stream.width, stream.height = 640, 360
        for n in range(seconds * fps):
            pixels = np.full((360, 640, 3), 20 * (n // fps), dtype=np.uint8)
            frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode())
    return path


def test_one_frame_a_second_at_their_own_times(tmp_path: Path) -> None:
    frames = FrameSampler().sample(write_clip(tmp_path / "c.mp4", seconds=5))
    assert [frame.at for frame in frames] == [0.0, 1.0, 2.0, 3.0, 4.0]
    brightness = [np.asarray(frame.image).mean() for frame in frames]
    assert brightness == pytest.approx([0, 20, 40, 60, 80], abs=3)


def test_frames_are_kept_no_larger_than_the_encoder_needs(tmp_path: Path) -> None:
    [frame, *_] = FrameSampler().sample(write_clip(tmp_path / "c.mp4", seconds=1))
    assert min(frame.image.size) == SHORT_SIDE
    assert frame.image.size[0] == pytest.approx(SHORT_SIDE * 640 / 360, abs=1)


def test_a_faster_rate_takes_more_frames(tmp_path: Path) -> None:
    frames = FrameSampler(per_second=5).sample(write_clip(tmp_path / "c.mp4", seconds=2))
    assert [frame.at for frame in frames] == [0.0, 0.2, 0.4, 0.6, 0.8, 1.0, 1.2, 1.4, 1.6, 1.8]


def test_a_long_video_is_sampled_more_sparsely_not_cut_short(tmp_path: Path) -> None:
    frames = FrameSampler(per_second=1, max_frames=4).sample(
        write_clip(tmp_path / "c.mp4", seconds=8)
    )
    assert [frame.at for frame in frames] == [0.0, 2.0, 4.0, 6.0]


@pytest.mark.parametrize("clip", CLIPS, ids=[clip.name for clip in CLIPS])
def test_every_sample_clip_reads(clip: Path) -> None:
    info = probe(clip)
    assert (info.width, info.height) == (320, 240)
    assert info.media_type == ("video/webm" if clip.suffix == ".webm" else "video/mp4")
    assert info.duration == pytest.approx(9.0, abs=0.2)
    assert len(FrameSampler().sample(clip)) == 9


@pytest.mark.parametrize(
    ("name", "codec", "media_type"),
    [
        ("c.webm", "libvpx-vp9", "video/webm"),
        ("c.avi", "mjpeg", "video/x-msvideo"),
        ("c.mov", "libx264", "video/quicktime"),
        ("c.mkv", "libx264", "video/x-matroska"),
    ],
)
def test_other_containers_and_codecs_read_too(
    tmp_path: Path, name: str, codec: str, media_type: str
) -> None:
    clip = write_clip(tmp_path / name, seconds=2, codec=codec)
    assert probe(clip).media_type == media_type
    assert [f.at for f in FrameSampler().sample(clip)] == [0.0, 1.0]


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "not a video PyAV can read"),
        (b"these are words, not frames\n" * 20, "not a video PyAV can read"),
        (PICTURES[0], "a still image, not a video"),
    ],
    ids=["empty", "text", "jpeg"],
)
def test_what_is_not_a_video_says_so(data: bytes, reason: str) -> None:
    with pytest.raises(InvalidVideoError, match=reason):
        probe(io.BytesIO(data))


def test_a_truncated_video_is_refused_when_its_frames_run_out() -> None:
    assert probe(io.BytesIO(TRUNCATED)).duration == pytest.approx(9.0, abs=0.2)
    with pytest.raises(InvalidVideoError, match=r"truncated video: frames end at 3\.0 s of 9\.0 s"):
        FrameSampler().sample(io.BytesIO(TRUNCATED))


def test_a_frame_at_a_moment_is_the_one_shown_then(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.mp4", seconds=5)
    for second in range(5):
        image = frame_at(clip, second + 0.5)
        assert isinstance(image, Image.Image)
        assert image.size == (640, 360)
        assert np.asarray(image).mean() == pytest.approx(20 * second, abs=3)
    # Past the end: the last frame.
    assert np.asarray(frame_at(clip, 60)).mean() == pytest.approx(80, abs=3)


def test_a_frame_is_fitted_by_ffmpeg_when_asked(tmp_path: Path) -> None:
    clip = write_clip(tmp_path / "c.mp4", seconds=2)
    image = frame_at(clip, 1.0, fit=320)
    assert image.size == (320, 180)
    assert np.asarray(image).mean() == pytest.approx(20, abs=3)
