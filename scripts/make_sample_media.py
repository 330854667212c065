"""Make the image and video demos' sample media from scikit-image's bundled photographs.

Run from the repository root:  python scripts/make_sample_media.py

Writes
  {{cookiecutter.project_slug}}/_demos/image/data/gallery/*.jpg + gallery-LICENSE.txt beside it
  {{cookiecutter.project_slug}}/_demos/video/data/clips/*.mp4 (+ one .webm), clips-README.txt

Every picture comes from a real photograph inside scikit-image's wheel (`skimage.data`), so
nothing is downloaded and the licences are known (see LICENSE_NOTE). The output is
deterministic: the crops are fixed boxes, the camera moves fixed keys and the encoders get
fixed settings, so a re-run gives the same file list and the same pictures.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import av
import numpy as np
from PIL import Image
from skimage import data as skdata

ROOT = Path(__file__).resolve().parent.parent
PROJECT = ROOT / "{{cookiecutter.project_slug}}"
GALLERY_DIR = PROJECT / "_demos" / "image" / "data" / "gallery"
CLIPS_DIR = PROJECT / "_demos" / "video" / "data" / "clips"

JPEG_QUALITY = 85
# Gallery pictures stay small so ~100 of them fit well under 2.5 MB and load fast in the demo.
MAX_SHORT_SIDE = 256
MAX_LONG_SIDE = 384

FPS = 12
FRAME_SIZE = (320, 240)  # 4:3; every Ken Burns window below has this aspect ratio.


# --------------------------------------------------------------------------------------
# Sources
# --------------------------------------------------------------------------------------


def _motorcycle_left() -> np.ndarray:
    left, _right, _disparity = skdata.stereo_motorcycle()
    return left


# Real photographs in the wheel, with the licence each docstring in skimage/data/_fetchers.py
# states. Left out: synthetic pictures (chessboard, checkerboard, logo, horse, colorwheel,
# binary_blobs, shepp_logan_phantom), page (a scanned document with no licence given),
# clock (motion-blurred: to a CNN it looks like cell), microaneurysms (102 px), lfw_subset
# (25 px faces), motorcycle_right (a second view of motorcycle_left: near duplicates) and
# photos that need a download (eagle, skin, ...).
SOURCES: dict[str, tuple[Callable[[], np.ndarray], str]] = {
    "astronaut": (skdata.astronaut, "astronaut Eileen Collins, NASA Great Images; public domain"),
    "chelsea": (skdata.chelsea, "Chelsea the cat, photo by Stefan van der Walt; CC0"),
    "coffee": (skdata.coffee, "a cup of coffee, photo by Rachel Michetti; CC0"),
    "rocket": (skdata.rocket, "Falcon 9 launching DSCOVR, SpaceX photo; public domain"),
    "motorcycle": (
        _motorcycle_left,
        "left view of the 'motorcycle' scene of the Middlebury 2014 stereo benchmark\n"
        "    (Scharstein et al., GCPR 2014); scikit-image states no licence for it",
    ),
    "camera": (skdata.camera, "cameraman, photo by Lav Varshney; CC0"),
    "hubble": (skdata.hubble_deep_field, "Hubble eXtreme Deep Field, NASA; public domain"),
    "retina": (
        skdata.retina,
        "fundus photograph of a normal left eye, Mikael Häggström, Wikimedia Commons; CC0",
    ),
    "ihc": (
        skdata.immunohistochemistry,
        "immunohistochemistry of colonic glands, CMMI; no known copyright restrictions",
    ),
    "coins": (skdata.coins, "Greek coins, Brooklyn Museum; no known copyright restrictions"),
    "moon": (skdata.moon, "surface of the moon; scikit-image states no licence for it"),
    "text": (skdata.text, "handwritten text, Wikipedia 'File:Corner.png'; public domain"),
    "brick": (skdata.brick, "brick wall, CC0Textures; CC0"),
    "grass": (skdata.grass, "grass, by linolafett on DeviantArt; CC0"),
    "gravel": (skdata.gravel, "gravel, CC0Textures; CC0"),
    "cell": (
        skdata.cell,
        "cell in saline, quantitative phase image (Müller et al., Optics Express 2018); CC0",
    ),
}


def load_source(name: str) -> np.ndarray:
    """The photo as uint8, H x W (gray) or H x W x 3 (colour)."""
    image = SOURCES[name][0]()
    return np.ascontiguousarray(image[..., :3] if image.ndim == 3 else image)


# --------------------------------------------------------------------------------------
# Image gallery
# --------------------------------------------------------------------------------------


# A crop is (top, left, height, width) in source pixels.
Box = tuple[int, int, int, int]

# The crops per photo; where a photo's first box covers all of it (or its central 4:3 part),
# NAME-01.jpg is the whole scene and the others are details. They were picked from grid
# cells at several scales and offsets, so that:
#   - crops of one photo overlap by at most 20% of the smaller one: each shows another part;
#   - no crop is nearly blank (flat sky, bare floor, black space, retina's black corners);
#   - textures (brick, grass, gravel) and the low-contrast moon give at most two;
#   - for every picture, an edited copy (80% centre crop, horizontal flip, +40% brightness,
#     96 px thumbnail and JPEG quality 20, all at once, in two different orders) has
#     EfficientNet-Lite0's pooled ImageNet features closer to its original than to any other
#     picture here, by a cosine margin of 0.05 or more. The image demo's reverse-search test
#     applies those edits one at a time, which is easier. Checked offline, with the
#     encoder's (x - 127) / 128 scaling: with ImageNet mean/std instead, some would fail.
# Fixed boxes, not random ones, so every run writes exactly the same pictures.
# A table reads better than one box per line, hence fmt: off.
# fmt: off
GALLERY_CROPS: dict[str, tuple[Box, ...]] = {
    "astronaut": (
        (0, 0, 512, 512), (0, 0, 128, 128), (0, 192, 128, 128), (0, 384, 128, 128),
        (85, 85, 128, 128), (128, 192, 128, 128), (128, 384, 128, 128), (192, 64, 128, 128),
        (227, 299, 170, 128), (256, 192, 128, 128), (299, 85, 128, 128), (384, 0, 128, 128),
        (384, 192, 128, 128),
    ),
    "chelsea": (
        (0, 25, 300, 400), (0, 0, 150, 150), (0, 150, 150, 150), (75, 300, 150, 150),
        (150, 0, 150, 150),
    ),
    "coffee": (
        (0, 33, 400, 533), (0, 180, 133, 120), (66, 300, 133, 150), (66, 480, 133, 120),
        (89, 40, 133, 120), (133, 180, 133, 120), (199, 0, 133, 120), (222, 100, 133, 150),
        (222, 400, 133, 120), (266, 300, 133, 120),
    ),
    "rocket": (
        (0, 35, 427, 569), (284, 80, 142, 160), (284, 240, 142, 160), (284, 480, 142, 160),
    ),
    "motorcycle": (
        (0, 37, 500, 667), (0, 40, 125, 167), (0, 379, 125, 167), (0, 592, 125, 148),
        (42, 256, 125, 167), (83, 132, 125, 167), (83, 493, 125, 148), (125, 9, 125, 167),
        (125, 370, 125, 148), (167, 247, 125, 148), (187, 471, 125, 167), (208, 122, 125, 167),
        (249, 0, 166, 148), (250, 370, 125, 148), (250, 592, 125, 148), (292, 205, 125, 167),
        (333, 441, 125, 167), (375, 101, 125, 167), (375, 296, 125, 148), (375, 564, 125, 167),
    ),
    "camera": (
        (0, 0, 512, 512), (0, 128, 128, 128), (85, 0, 170, 128), (85, 227, 128, 170),
        (128, 128, 128, 128), (128, 384, 128, 128), (213, 299, 128, 128), (256, 192, 128, 128),
        (341, 85, 128, 128), (384, 192, 128, 128), (384, 320, 128, 128),
    ),
    "hubble": (
        (0, 0, 872, 1000), (41, 331, 124, 142), (348, 581, 174, 166), (496, 639, 124, 142),
    ),
    "retina": (
        (0, 0, 1411, 1411), (0, 502, 201, 201), (0, 940, 235, 235), (94, 313, 282, 235),
        (94, 1097, 282, 235), (376, 94, 282, 282), (658, 94, 282, 282), (670, 536, 201, 201),
        (904, 0, 201, 201), (987, 141, 282, 282), (1072, 1072, 201, 201), (1175, 353, 235, 235),
        (1175, 705, 235, 235),
    ),
    "ihc": (
        (0, 0, 512, 512), (0, 0, 128, 128), (0, 128, 128, 128), (0, 256, 128, 128),
        (0, 384, 128, 128), (113, 171, 170, 128), (128, 0, 128, 128), (213, 299, 128, 128),
        (256, 192, 128, 128), (341, 299, 128, 128), (384, 0, 128, 128),
    ),
    "coins": (
        (0, 0, 303, 384), (101, 213, 151, 128), (151, 0, 151, 128),
    ),
    "moon": (
        (64, 256, 128, 128), (384, 192, 128, 128),
    ),
    "text": (
        (0, 109, 172, 229),
    ),
    "brick": (
        (0, 0, 512, 512),
    ),
    "grass": (
        (64, 128, 128, 128), (192, 320, 128, 128),
    ),
    "gravel": (
        (57, 227, 170, 170), (128, 384, 128, 128),
    ),
    "cell": (
        (0, 0, 660, 550),
    ),
}
# fmt: on


def to_gallery_image(pixels: np.ndarray) -> Image.Image:
    """Shrink (never enlarge) to fit MAX_SHORT_SIDE x MAX_LONG_SIDE; gray stays gray."""
    image = Image.fromarray(pixels)
    short, long = sorted(image.size)
    scale = min(1.0, MAX_SHORT_SIDE / short, MAX_LONG_SIDE / long)
    if scale < 1.0:
        size = (round(image.width * scale), round(image.height * scale))
        image = image.resize(size, Image.Resampling.LANCZOS)
    return image


def write_gallery(out_dir: Path) -> list[Path]:
    """Write every crop as NAME-NN.jpg (NN from 01, in GALLERY_CROPS order)."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.jpg"):  # a re-run must not leave pictures from older versions
        old.unlink()
    written = []
    for name, boxes in GALLERY_CROPS.items():
        photo = load_source(name)
        for number, (top, left, height, width) in enumerate(boxes, start=1):
            crop = photo[top : top + height, left : left + width]
            path = out_dir / f"{name}-{number:02d}.jpg"
            to_gallery_image(crop).save(path, quality=JPEG_QUALITY, optimize=True)
            written.append(path)
    # Beside the folder, not in it: everything in the gallery is loaded as a picture.
    (out_dir.parent / "gallery-LICENSE.txt").write_text(gallery_licence(), encoding="utf-8")
    return written


def gallery_licence() -> str:
    used = list(GALLERY_CROPS)
    return (
        "Sample gallery for the image demo\n"
        "=================================\n\n"
        "Every picture in gallery/ is a crop or a reduced copy of a photograph that ships inside\n"
        "scikit-image's wheel (the skimage/data directory, loaded with skimage.data).\n"
        "NAME-01.jpg is mostly the whole photo; the other numbers are crops of different,\n"
        "barely overlapping parts of it. Made by scripts/make_sample_media.py in the\n"
        "template repository.\n\n" + LICENSE_NOTE + "\n" + source_lines(used)
    )


# --------------------------------------------------------------------------------------
# Video clips
# --------------------------------------------------------------------------------------

# A camera position on a photo: centre (x, y) and window height, all as fractions of the
# photo's height/width; the window is 4:3 like the frame. (t, x, y, h) adds the time in
# seconds from the start of the shot.
Key = tuple[float, float, float, float]


@dataclass(frozen=True)
class Shot:
    """One continuous Ken Burns move over one photo; the camera eases between keys."""

    source: str
    keys: tuple[Key, ...]
    note: str

    @property
    def seconds(self) -> float:
        return self.keys[-1][0]


@dataclass(frozen=True)
class Clip:
    """Shots joined by hard cuts. No photo appears in two clips, so clips never look alike."""

    name: str
    shots: tuple[Shot, ...]
    codec: str = "libx264"

    @property
    def suffix(self) -> str:
        return ".webm" if self.codec == "libvpx-vp9" else ".mp4"

    @property
    def filename(self) -> str:
        return self.name + self.suffix

    def cut_times(self) -> list[float]:
        times, elapsed = [], 0.0
        for shot in self.shots[:-1]:
            elapsed += shot.seconds
            times.append(elapsed)
        return times


# In each clip the seconds around 3 s show something the rest of the clip does not (another
# photo, or a close-up far from the other shots), so a frame from 3 s finds 2-4 s.
CLIPS = (
    Clip(
        "01-cat-closeups",
        (
            Shot("chelsea", ((0, 0.5, 0.5, 1.0), (2.5, 0.52, 0.45, 0.75)), "zoom in on the cat"),
            Shot(
                "chelsea",
                ((0, 0.36, 0.4, 0.45), (2.5, 0.7, 0.4, 0.45)),
                "close-up pan from the left eye to the right eye",
            ),
            Shot(
                "chelsea",
                ((0, 0.75, 0.75, 0.35), (4.0, 0.3, 0.75, 0.55)),
                "pan and zoom out along the chin, whiskers and chest",
            ),
        ),
    ),
    Clip(
        "02-coffee-and-coins",
        (
            Shot("coffee", ((0, 0.5, 0.5, 1.0), (2.5, 0.5, 0.35, 0.6)), "zoom in on the cup"),
            Shot("coins", ((0, 0.3, 0.35, 0.55), (2.5, 0.7, 0.6, 0.55)), "pan across the coins"),
            Shot(
                "coffee",
                ((0, 0.35, 0.75, 0.4), (4.0, 0.75, 0.7, 0.5)),
                "pan along the saucer and spoon",
            ),
        ),
    ),
    Clip(
        "03-launch-and-deep-space",
        (
            Shot("rocket", ((0, 0.5, 0.5, 1.0), (2.0, 0.5, 0.55, 0.8)), "slow zoom on the pad"),
            Shot(
                "hubble",
                ((0, 0.5, 0.5, 0.7), (2.5, 0.4, 0.45, 0.3)),
                "zoom into the deep field",
            ),
            Shot(
                "rocket",
                ((0, 0.53, 0.85, 0.3), (4.5, 0.53, 0.3, 0.3)),
                "tilt up the rocket from the pad lights to its nose",
            ),
        ),
    ),
    Clip(
        "04-astronaut-and-moon",
        (
            Shot(
                "astronaut",
                ((0, 0.4, 0.25, 0.35), (2.5, 0.4, 0.4, 0.7)),
                "zoom out from the astronaut's face",
            ),
            Shot("moon", ((0, 0.3, 0.3, 0.5), (2.5, 0.6, 0.6, 0.5)), "pan over the moon's surface"),
            Shot(
                "astronaut",
                ((0, 0.75, 0.85, 0.3), (4.0, 0.8, 0.3, 0.3)),
                "tilt up from the helmet to the space shuttle",
            ),
        ),
    ),
    Clip(
        "05-garage-motorcycle",
        (
            Shot(
                "motorcycle",
                ((0, 0.3, 0.5, 0.9), (2.5, 0.65, 0.5, 0.9)),
                "pan across the garage",
            ),
            Shot("brick", ((0, 0.5, 0.5, 0.8), (2.0, 0.5, 0.5, 0.4)), "zoom into a brick wall"),
            Shot(
                "motorcycle",
                ((0, 0.2, 0.75, 0.4), (4.5, 0.8, 0.7, 0.4)),
                "close pan along the bike from the front wheel to the rear wheel",
            ),
        ),
    ),
    Clip(
        "06-cameraman-and-grass",
        (
            Shot(
                "camera",
                ((0, 0.5, 0.5, 1.0), (2.5, 0.45, 0.3, 0.5)),
                "zoom in on the cameraman",
            ),
            Shot("grass", ((0, 0.3, 0.5, 0.5), (2.5, 0.7, 0.5, 0.5)), "pan over grass"),
            Shot(
                "camera",
                ((0, 0.55, 0.8, 0.35), (4.0, 0.8, 0.3, 0.4)),
                "pan from the tripod legs up to the buildings",
            ),
        ),
    ),
    Clip(
        "07-microscopy",
        (
            Shot(
                "ihc",
                ((0, 0.3, 0.3, 0.5), (2.5, 0.7, 0.3, 0.5)),
                "pan across stained glands",
            ),
            Shot("cell", ((0, 0.5, 0.5, 0.9), (2.5, 0.55, 0.6, 0.45)), "zoom in on a cell"),
            Shot(
                "ihc",
                ((0, 0.5, 0.8, 0.35), (4.0, 0.5, 0.5, 1.0)),
                "zoom out from the lower gland to the whole slide",
            ),
        ),
    ),
    Clip(
        "08-retina-journey",
        (
            Shot(
                "retina",
                (
                    (0, 0.5, 0.5, 1.0),
                    (2.5, 0.2, 0.47, 0.3),
                    (3.5, 0.22, 0.47, 0.28),
                    (5.0, 0.5, 0.5, 0.3),
                    (9.0, 0.75, 0.25, 0.35),
                ),
                "one continuous move: whole eye, zoom to the optic disc (2.5-3.5 s), "
                "quick pan to the macula (5 s), then up along the vessels",
            ),
        ),
        codec="libvpx-vp9",
    ),
)


def window(shape: tuple[int, ...], x: float, y: float, h: float) -> tuple[float, ...]:
    """The 4:3 box (left, top, right, bottom) for a camera key, kept inside the photo."""
    height, width = shape[:2]
    box_h = min(h * height, height, width * 3 / 4)
    box_w = box_h * 4 / 3
    left = min(max(x * width - box_w / 2, 0), width - box_w)
    top = min(max(y * height - box_h / 2, 0), height - box_h)
    return left, top, left + box_w, top + box_h


def camera_at(keys: Sequence[Key], t: float) -> tuple[float, float, float]:
    """Camera (x, y, h) at time t, eased between keys so moves start and stop gently."""
    for (t0, *a), (t1, *b) in itertools.pairwise(keys):
        if t <= t1:
            u = (t - t0) / (t1 - t0)
            u = u * u * (3 - 2 * u)  # smoothstep
            x, y, h = (p + (q - p) * u for p, q in zip(a, b, strict=True))
            return x, y, h
    _, x, y, h = keys[-1]
    return x, y, h


def shot_frames(shot: Shot, photos: dict[str, Image.Image]) -> Iterator[np.ndarray]:
    photo = photos[shot.source]
    shape = (photo.height, photo.width)
    for index in range(round(shot.seconds * FPS)):
        box = window(shape, *camera_at(shot.keys, index / FPS))
        # resize with a float box samples sub-pixel windows, so slow pans do not judder.
        frame = photo.resize(FRAME_SIZE, Image.Resampling.BICUBIC, box=box)
        yield np.asarray(frame)


def encode_clip(clip: Clip, path: Path, photos: dict[str, Image.Image]) -> None:
    """Encode at FPS; H.264 in MP4 (or VP9 in WebM) with fixed settings, yuv420p.

    Byte-for-byte reproducible: bitexact keeps version strings and WebM's random segment id out
    of the file, and one encoder thread keeps libx264's decisions from depending on timing.
    """
    options = {"fflags": "+bitexact"}
    if clip.suffix == ".mp4":
        options["movflags"] = "+faststart"  # index first, so a browser can start playing early
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(clip.codec, rate=FPS)
        stream.width, stream.height = FRAME_SIZE
        stream.pix_fmt = "yuv420p"
        stream.codec_context.thread_count = 1
        # A keyframe at least every 2 s keeps seeking to a timestamp cheap.
        stream.codec_context.gop_size = 2 * FPS
        if clip.codec == "libx264":
            stream.options = {"crf": "28", "preset": "medium"}
        else:  # VP9 constant quality needs a zero target bitrate
            stream.options = {"crf": "40", "b": "0", "deadline": "good", "cpu-used": "2"}
        # Rendering every frame before encoding (about 25 MB a clip) is not only simpler:
        # interleaving Pillow's resizing with libx264 made the H.264 bytes vary between runs.
        frames = [pixels for shot in clip.shots for pixels in shot_frames(shot, photos)]
        for pixels in frames:
            container.mux(stream.encode(av.VideoFrame.from_ndarray(pixels, format="rgb24")))
        container.mux(stream.encode())


@dataclass(frozen=True)
class ClipInfo:
    seconds: float
    frames: int
    frame_at_3s: float  # timestamp of the frame a seek to 3.0 s decodes


def inspect_clip(path: Path) -> ClipInfo:
    """Decode the whole clip, then seek to 3.0 s the way the video demo samples frames."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        times = [frame.time for frame in container.decode(stream)]
        container.seek(int(3.0 / stream.time_base), stream=stream)
        at_3s = next(f for f in container.decode(stream) if f.time is not None and f.time >= 3.0)
        pixels = at_3s.to_ndarray(format="rgb24")
        if pixels.shape != (FRAME_SIZE[1], FRAME_SIZE[0], 3):
            raise RuntimeError(f"{path.name}: frame at 3 s has shape {pixels.shape}")
    return ClipInfo(seconds=len(times) / FPS, frames=len(times), frame_at_3s=at_3s.time)


def write_clips(out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in [*out_dir.glob("*.mp4"), *out_dir.glob("*.webm")]:
        old.unlink()
    # RGB once per photo: the frames are all colour, gray photos just look gray.
    names = {shot.source for clip in CLIPS for shot in clip.shots}
    photos = {name: Image.fromarray(load_source(name)).convert("RGB") for name in names}
    paths = []
    for clip in CLIPS:
        path = out_dir / clip.filename
        encode_clip(clip, path, photos)
        paths.append(path)
    # Beside the folder, not in it: everything in clips/ is loaded as a video.
    (out_dir.parent / "clips-README.txt").write_text(clips_readme(), encoding="utf-8")
    return paths


def clips_readme() -> str:
    lines = [
        "Sample clips for the video demo",
        "===============================",
        "",
        f"{len(CLIPS)} short silent clips, {FRAME_SIZE[0]}x{FRAME_SIZE[1]} at {FPS} fps, yuv420p:",
        "H.264 in MP4, except one VP9 in WebM to show that other containers load too. Each is",
        "made of Ken Burns moves (pans and zooms) over still photographs, joined by hard cuts.",
        "No photograph appears in two clips, and in every clip the seconds around 3 s show",
        "something the rest of the clip does not, so a frame from 3 s finds 2-4 s.",
        "Made by scripts/make_sample_media.py in the template repository.",
        "",
    ]
    for clip in CLIPS:
        seconds = sum(shot.seconds for shot in clip.shots)
        cuts = ", ".join(f"{t:g} s" for t in clip.cut_times()) or "none"
        lines.append(f"{clip.filename}  ({seconds:g} s, cuts at: {cuts})")
        start = 0.0
        for shot in clip.shots:
            lines.append(f"  {start:g}-{start + shot.seconds:g} s  {shot.source}: {shot.note}")
            start += shot.seconds
        lines.append("")
    used = list(dict.fromkeys(shot.source for clip in CLIPS for shot in clip.shots))
    return "\n".join(lines) + "\n" + LICENSE_NOTE + "\n" + source_lines(used)


# --------------------------------------------------------------------------------------
# Licences
# --------------------------------------------------------------------------------------

LICENSE_NOTE = """\
Licences. The source photographs come from scikit-image's data directory; scikit-image is
BSD-3-Clause, and the docstrings of skimage.data (skimage/data/_fetchers.py) give each
photograph's origin and licence, summarised below. Most are CC0 or public domain. Two carry
no licence statement in scikit-image: 'moon' and the Middlebury 'motorcycle' stereo image
(D. Scharstein et al., GCPR 2014); they are redistributed here as scikit-image redistributes
them. Drop them (their entries in the template's scripts/make_sample_media.py) if that is not good
enough for you.
"""


def source_lines(names: Sequence[str]) -> str:
    return "".join(f"  {name}: {SOURCES[name][1]}\n" for name in dict.fromkeys(names))


# --------------------------------------------------------------------------------------


def directory_size(paths: Sequence[Path]) -> int:
    return sum(path.stat().st_size for path in paths)


def main() -> None:
    gallery = write_gallery(GALLERY_DIR)
    print(f"gallery: {len(gallery)} pictures, {directory_size(gallery) / 1e6:.2f} MB")

    clips = write_clips(CLIPS_DIR)
    for path in clips:
        info = inspect_clip(path)
        print(
            f"  {path.name:32} {info.seconds:5.2f} s {info.frames:4d} frames "
            f"{path.stat().st_size / 1e3:6.1f} kB, seek 3.0 s -> frame at {info.frame_at_3s:.3f} s"
        )
    print(f"clips: {len(clips)} files, {directory_size(clips) / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
