"""Make the image and video demos' sample media from scikit-image's bundled photographs.

Run from the repository root:  python scripts/make_sample_media.py

Writes
  {{cookiecutter.project_slug}}/_demos/image/data/gallery/*.jpg + LICENSE.txt
  {{cookiecutter.project_slug}}/_demos/video/data/clips/*.mp4 (+ one .webm) + README.txt

Every picture comes from a real photograph inside scikit-image's wheel (`skimage.data`), so
nothing is downloaded and the licences are known (see LICENSE_NOTE). The output is
deterministic: crops use a seeded generator and the encoders get fixed settings, so a re-run
gives the same file list and the same pictures.
"""

from __future__ import annotations

import itertools
import zlib
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

SEED = 20240611
JPEG_QUALITY = 85
# Gallery pictures stay small so ~110 of them fit in ~2.5 MB and load fast in the demo.
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
# microaneurysms (102 px), lfw_subset (25 px faces), motorcycle_right (a second view of
# motorcycle_left: near duplicates) and photos that need a download (eagle, skin, ...).
SOURCES: dict[str, tuple[Callable[[], np.ndarray], str]] = {
    "astronaut": (skdata.astronaut, "Eileen Collins, NASA; public domain"),
    "chelsea": (skdata.chelsea, "Chelsea the cat, Stefan van der Walt; CC0"),
    "coffee": (skdata.coffee, "a cup of coffee, Rachel Michetti; CC0"),
    "rocket": (skdata.rocket, "Falcon 9 / DSCOVR launch, SpaceX; public domain"),
    "motorcycle": (
        _motorcycle_left,
        "left view of the Middlebury 2014 stereo 'motorcycle' scene (Scharstein et al.); "
        "scikit-image states no licence for it",
    ),
    "camera": (skdata.camera, "cameraman, Lav Varshney; CC0"),
    "hubble": (skdata.hubble_deep_field, "Hubble eXtreme Deep Field, NASA; public domain"),
    "retina": (skdata.retina, "fundus photograph, Mikael Haggstrom, Wikimedia; CC0"),
    "ihc": (skdata.immunohistochemistry, "IHC-stained colonic glands, CMMI; no known copyright"),
    "coins": (skdata.coins, "Greek coins, Brooklyn Museum; no known copyright restrictions"),
    "moon": (skdata.moon, "surface of the moon; scikit-image states no licence for it"),
    "text": (skdata.text, "handwritten text (Wikimedia 'Corner.png'); public domain"),
    "brick": (skdata.brick, "brick wall, CC0Textures; CC0"),
    "grass": (skdata.grass, "grass, linolafett on DeviantArt; CC0"),
    "gravel": (skdata.gravel, "gravel, CC0Textures; CC0"),
    "cell": (skdata.cell, "a cell in saline, quantitative phase image, Paul Mueller; CC0"),
    "clock": (skdata.clock, "motion-blurred clock, Stefan van der Walt; public domain"),
}


def load_source(name: str) -> np.ndarray:
    """The photo as uint8, H x W (gray) or H x W x 3 (colour)."""
    image = SOURCES[name][0]()
    return np.ascontiguousarray(image[..., :3] if image.ndim == 3 else image)


# --------------------------------------------------------------------------------------
# Image gallery
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GalleryPlan:
    """How many pictures one photo gives: its full view plus one crop per grid cell.

    The cells do not overlap, so every crop shows a different part of the scene; within its
    cell a crop gets a random size and place, so the crops also differ in scale.
    """

    source: str
    rows: int
    cols: int
    full_view: bool = True


# Textures (brick, grass, gravel) and the nearly empty cell/clock give one picture each:
# two crops of the same texture look alike to a CNN and would confuse reverse image search.
GALLERY_PLANS = (
    GalleryPlan("astronaut", 4, 4),
    GalleryPlan("chelsea", 3, 3),
    GalleryPlan("coffee", 4, 4),
    GalleryPlan("rocket", 4, 4),
    GalleryPlan("motorcycle", 4, 4),
    GalleryPlan("camera", 4, 4),
    GalleryPlan("hubble", 3, 3),
    GalleryPlan("retina", 4, 4),
    GalleryPlan("ihc", 4, 4),
    GalleryPlan("coins", 3, 3),
    GalleryPlan("moon", 2, 2, full_view=False),
    GalleryPlan("text", 1, 2),
    GalleryPlan("brick", 1, 1, full_view=False),
    GalleryPlan("grass", 1, 1, full_view=False),
    GalleryPlan("gravel", 1, 1, full_view=False),
    GalleryPlan("cell", 1, 1, full_view=False),
    GalleryPlan("clock", 1, 1, full_view=False),
)

# A box is (top, left, height, width) in source pixels.
Box = tuple[int, int, int, int]


def cell_crop(rng: np.random.Generator, cell: Box) -> Box:
    """A random crop inside one grid cell: square, 4:3 or 3:4, filling 70-95% of it."""
    top, left, cell_h, cell_w = cell
    aspect = rng.choice([1.0, 4 / 3, 3 / 4])  # width / height
    scale = rng.uniform(0.70, 0.95)
    height = min(cell_h, cell_w / aspect) * scale
    width = height * aspect
    y = top + rng.uniform(0, cell_h - height)
    x = left + rng.uniform(0, cell_w - width)
    return round(y), round(x), round(height), round(width)


def plan_boxes(plan: GalleryPlan, shape: tuple[int, ...]) -> list[Box]:
    """The full view (if wanted) followed by one crop per grid cell, row by row."""
    height, width = shape[:2]
    # One generator per photo, seeded by its name: adding a photo leaves the others alone.
    rng = np.random.default_rng([SEED, zlib.crc32(plan.source.encode())])
    boxes = [(0, 0, height, width)] if plan.full_view else []
    if plan.rows == plan.cols == 1:
        return boxes or [(0, 0, height, width)]
    cell_h, cell_w = height // plan.rows, width // plan.cols
    for row in range(plan.rows):
        for col in range(plan.cols):
            boxes.append(cell_crop(rng, (row * cell_h, col * cell_w, cell_h, cell_w)))
    return boxes


def is_blank(pixels: np.ndarray) -> bool:
    """Too little to see: flat (retina's black corners, sky) or mostly black (deep space)."""
    gray = pixels.mean(axis=2) if pixels.ndim == 3 else pixels.astype(float)
    return bool(gray.std() < 18 or (gray < 40).mean() > 0.5)


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
    """Write every plan's pictures as NAME-NN.jpg, numbered per photo without gaps."""
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("*.jpg"):  # a re-run must not leave pictures from older plans
        old.unlink()
    written = []
    for plan in GALLERY_PLANS:
        photo = load_source(plan.source)
        crops = [photo[y : y + h, x : x + w] for y, x, h, w in plan_boxes(plan, photo.shape)]
        kept = [crop for crop in crops if not is_blank(crop)]
        for number, crop in enumerate(kept, start=1):
            path = out_dir / f"{plan.source}-{number:02d}.jpg"
            to_gallery_image(crop).save(path, quality=JPEG_QUALITY, optimize=True)
            written.append(path)
    # Beside the folder, not in it: everything in the gallery is loaded as a picture.
    (out_dir.parent / "gallery-LICENSE.txt").write_text(gallery_licence(), encoding="utf-8")
    return written


def gallery_licence() -> str:
    used = [plan.source for plan in GALLERY_PLANS]
    return (
        "Sample gallery for the image demo\n"
        "=================================\n\n"
        "Every picture here is a crop or a reduced copy of a photograph that ships inside\n"
        "scikit-image's wheel (the skimage/data directory, loaded with skimage.data).\n"
        "NAME-01.jpg is usually the whole photo; the other numbers are crops of different,\n"
        "non-overlapping parts of it. Made by scripts/make_sample_media.py in the template\n"
        "repository.\n\n" + LICENSE_NOTE + "\n" + source_lines(used)
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
            Shot("gravel", ((0, 0.5, 0.5, 0.8), (2.0, 0.5, 0.5, 0.4)), "zoom into gravel"),
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
                    (6.0, 0.5, 0.5, 0.3),
                    (9.0, 0.7, 0.25, 0.35),
                ),
                "one continuous move: whole eye, zoom to the optic disc (2.5-3.5 s), "
                "pan to the macula (6 s), then up along the vessels",
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
    """Encode at FPS; H.264 in MP4 (or VP9 in WebM) with fixed settings, yuv420p."""
    options = {"movflags": "+faststart"} if clip.suffix == ".mp4" else {}
    with av.open(str(path), "w", options=options) as container:
        stream = container.add_stream(clip.codec, rate=FPS)
        stream.width, stream.height = FRAME_SIZE
        stream.pix_fmt = "yuv420p"
        # A keyframe at least every 2 s keeps seeking to a timestamp cheap.
        stream.codec_context.gop_size = 2 * FPS
        if clip.codec == "libx264":
            stream.options = {"crf": "28", "preset": "medium"}
        else:  # VP9 constant quality needs a zero target bitrate
            stream.options = {"crf": "40", "b": "0", "deadline": "good", "cpu-used": "2"}
        for shot in clip.shots:
            for pixels in shot_frames(shot, photos):
                frame = av.VideoFrame.from_ndarray(pixels, format="rgb24")
                container.mux(stream.encode(frame))
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
    (out_dir / "README.txt").write_text(clips_readme(), encoding="utf-8")
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
them. Drop them (GALLERY_PLANS and CLIPS in the script) if that is not good enough for you.
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
