"""Video frames for the image encoder: sampled with PyAV at a steady rate, kept small.

A video is searched by its frames: each sampled frame is encoded like a picture and stored as
one row, so a search by image finds the moments that look like it.
"""

import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any, BinaryIO

import av
import av.container
import av.video
from PIL import Image

from .image import DECODES

# The image encoder looks at a 224 px square: a frame kept any larger only costs memory.
SHORT_SIDE = 224
# A frame counts as on time if it is this close before the moment asked for (float rounding).
EPSILON = 1e-3

Source = str | Path | BinaryIO

# FFmpeg's container names -> the media type a browser knows and a file extension.
_CONTAINERS = {
    "mp4": ("video/mp4", "mp4"),
    "mov": ("video/quicktime", "mov"),
    "webm": ("video/webm", "webm"),
    "matroska": ("video/x-matroska", "mkv"),
    "avi": ("video/x-msvideo", "avi"),
    "ogg": ("video/ogg", "ogv"),
    "mpegts": ("video/mp2t", "ts"),
    "mpeg": ("video/mpeg", "mpg"),
    "flv": ("video/x-flv", "flv"),
    "asf": ("video/x-ms-asf", "asf"),
    "gif": ("image/gif", "gif"),
}
_WEBM_CODECS = {"vp8", "vp9", "av1"}


class InvalidVideoError(ValueError):
    """A file PyAV cannot read as a video; the message says why."""


@dataclass(frozen=True)
class VideoInfo:
    media_type: str
    extension: str
    width: int
    height: int
    duration: float | None  # seconds; some containers do not say


@dataclass(frozen=True)
class Frame:
    at: float  # seconds from the start of the video
    image: Image.Image


@contextmanager
def _video(source: Source) -> Iterator[tuple[av.container.InputContainer, av.video.VideoStream]]:
    """The container and its first video stream, with FFmpeg's errors as InvalidVideoError."""
    try:
        container = av.open(str(source) if isinstance(source, Path) else source, "r")
    except av.FFmpegError as error:
        raise InvalidVideoError(f"not a video PyAV can read ({_reason(error)})") from None
    with container:
        # An image file opens too, as a one-frame "video" from FFmpeg's image readers.
        if container.format.name.endswith("_pipe") or container.format.name == "image2":
            raise InvalidVideoError("a still image, not a video")
        if not container.streams.video:
            raise InvalidVideoError("the file has no video stream")
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        try:
            yield container, stream
        except av.FFmpegError as error:
            raise InvalidVideoError(f"corrupt video: {_reason(error)}") from None


def _reason(error: av.FFmpegError) -> str:
    return str(error.strerror or error).rstrip(".")


def probe(source: Source) -> VideoInfo:
    """What kind of video this is, from its header: no frame is decoded."""
    with _video(source) as (container, stream):
        media_type, extension = _media_type(container, stream)
        if not stream.width or not stream.height:
            raise InvalidVideoError("the video stream has no picture size")
        return VideoInfo(
            media_type, extension, stream.width, stream.height, _duration(container, stream)
        )


def _media_type(
    container: av.container.InputContainer, stream: av.video.VideoStream
) -> tuple[str, str]:
    names = container.format.name.split(",")
    if "mp4" in names:
        # MP4 and QuickTime share a reader; the file's brand tells them apart.
        brand = container.metadata.get("major_brand", "").strip()
        return _CONTAINERS["mov" if brand == "qt" else "mp4"]
    if "matroska" in names:
        return _CONTAINERS["webm" if stream.codec_context.name in _WEBM_CODECS else "matroska"]
    for name in names:
        if name in _CONTAINERS:
            return _CONTAINERS[name]
    return "application/octet-stream", "bin"


def _duration(container: av.container.InputContainer, stream: av.video.VideoStream) -> float | None:
    if stream.duration is not None and stream.time_base is not None:
        return float(stream.duration * stream.time_base)
    # WebM, for one, gives only the whole file's length.
    if container.duration is not None:
        return container.duration / av.time_base
    return None


def _start(stream: av.video.VideoStream) -> Fraction:
    if stream.start_time is None or stream.time_base is None:
        return Fraction(0)
    return Fraction(stream.start_time * stream.time_base)


class FrameSampler:
    """Frames at a steady rate, `per_second` of them, and never more than `max_frames`.

    A video longer than `max_frames / per_second` seconds is sampled more sparsely instead of
    cut short, so every part of it can be found.
    """

    def __init__(self, per_second: float = 1.0, max_frames: int = 600) -> None:
        if per_second <= 0 or max_frames < 1:
            raise ValueError("per_second must be positive and max_frames at least 1")
        self.per_second = per_second
        self.max_frames = max_frames

    def sample(self, source: Source) -> list[Frame]:
        frames: list[Frame] = []
        # Each frame is decoded full-size before it is made small: one of the process's few
        # decode slots for the whole video.
        with DECODES, _video(source) as (container, stream):
            duration, start = _duration(container, stream), _start(stream)
            rate = self.per_second
            if duration:
                rate = min(rate, self.max_frames / duration)
            step, due = 1.0 / rate, 0.0
            for frame in container.decode(stream):
                if frame.time is None:
                    continue
                at = float(frame.time - start)
                if at + EPSILON < due:
                    continue
                frames.append(Frame(round(at, 3), _small(frame)))
                if len(frames) == self.max_frames:
                    break
                due = (math.floor((at + EPSILON) / step) + 1) * step
        if not frames:
            raise InvalidVideoError("no frame could be decoded")
        if duration and len(frames) < self.max_frames and frames[-1].at + step + 1.0 < duration:
            raise InvalidVideoError(
                f"truncated video: frames end at {frames[-1].at:.1f} s of {duration:.1f} s"
            )
        return frames


def _small(frame: av.VideoFrame) -> Image.Image:
    scale = SHORT_SIDE / min(frame.width, frame.height)
    if scale >= 1:
        return _picture(frame)
    width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    return _picture(frame, width=width, height=height, interpolation="AREA")


def _picture(frame: av.VideoFrame, **reformat: Any) -> Image.Image:
    """The frame as an RGB picture, scaled by FFmpeg on the way (see VideoFrame.reformat)."""
    return Image.fromarray(frame.to_ndarray(format="rgb24", **reformat))


def frame_at(source: Source, at: float, fit: int | None = None) -> Image.Image:
    """The picture shown `at` seconds into the video (the last one, past its end), scaled by
    FFmpeg to fit a `fit` pixel square when given: no full-size copy is made."""
    with DECODES, _video(source) as (container, stream):
        start = _start(stream)
        if stream.time_base is not None:
            # Jump to the keyframe before the moment, then decode up to it.
            container.seek(int((Fraction(at) + start) / stream.time_base), stream=stream)
        shown: av.VideoFrame | None = None
        for frame in container.decode(stream):
            shown = frame
            if frame.time is not None and frame.time - float(start) + EPSILON >= at:
                break
        if shown is None:
            raise InvalidVideoError("no frame could be decoded")
        return _fitted(shown, fit) if fit else _picture(shown)


def _fitted(frame: av.VideoFrame, fit: int) -> Image.Image:
    scale = min(1.0, fit / max(frame.width, frame.height))
    width, height = max(1, round(frame.width * scale)), max(1, round(frame.height * scale))
    return _picture(frame, width=width, height=height, interpolation="AREA")
