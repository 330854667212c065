"""Measure decoding and encoding of the sample data, with each runtime of the image encoder.

    python benchmarks/bench_encoder.py [--repeat 3]

Decodes the sample data the way a load job does (pictures, or the frames sampled from
videos), then encodes every decoded picture with onnxruntime and with torch. Prints figures;
asserts nothing.
"""

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from PIL import Image

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders.image import EfficientNetEncoder
from {{ cookiecutter.package_name }}.records import Record, item_files, parse_files, sample_data
from {{ cookiecutter.package_name }}.uploads import files_at


def decode(settings: Settings) -> list[Image.Image]:
    path = sample_data(settings)
    started = time.perf_counter()
    parsed = parse_files(files_at(path, path.name), settings)
    # As a load task carries them: each file staged in the media store, then decoded.
    files = item_files(settings)
    tasks = [files.stage(r.model_dump(), parsed.files.get(p)) for p, r in parsed.records]
    records = [Record.from_task(task, settings) for task in tasks]
    pictures = [p for record in records for p in record.encoder_inputs()]
    elapsed = time.perf_counter() - started
    print(
        f"decode: {len(parsed.records)} files -> {len(pictures)} pictures in {elapsed:.2f} s "
        f"({len(pictures) / elapsed:,.0f} pictures/s)"
    )
    return [p for p in pictures if isinstance(p, Image.Image)]


def encode(runtime: str, pictures: list[Image.Image], repeat: int, cache: Path) -> None:
    started = time.perf_counter()
    encoder = EfficientNetEncoder(runtime=runtime, cache_dir=str(cache))
    print(f"{runtime}: loaded in {time.perf_counter() - started:.2f} s")
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        encoder.encode_batch(pictures)
        runs.append(time.perf_counter() - started)
    best, median = min(runs), statistics.median(runs)
    print(
        f"  {len(pictures)} pictures x {repeat}: median {median * 1000 / len(pictures):.1f} ms "
        f"per picture ({len(pictures) / median:,.1f}/s), best {best * 1000 / len(pictures):.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(_env_file=None, media_root=Path(folder) / "media")
        pictures = decode(settings)
        for runtime in ("onnx", "torch"):
            encode(runtime, pictures, args.repeat, Path(folder) / "models")


if __name__ == "__main__":
    main()
