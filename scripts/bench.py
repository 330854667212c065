"""`make bench`: bake each demo, run its benchmark, and write every figure to docs/benchmarks.md.

    python scripts/bench.py [molecule qa image video]

Each demo's `benchmarks/bench_api.py` starts the real service on 127.0.0.1 and prints its
figures beside the limits measured in the same run, as ratios; this collects them, with the
machine and the command, and says which of the targets are met.
"""

import datetime
import os
import platform
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "benchmarks.md"
BUILD = ROOT / "build" / "bench"
# Copies of each sample: about 100,000 molecules, 10,000 questions, 1,000 pictures, 32 clips.
SCALE = {"molecule": 20, "qa": 134, "image": 10, "video": 4}
RATIO = re.compile(r"^  (?P<label>\S.*?)\s+(?P<value>[\d.]+)x$")


@dataclass(frozen=True)
class Target:
    demo: str
    label: str  # the ratio's label, as bench_api.py prints it
    most: float | None = None
    least: float | None = None
    # What bounds the figure on a small machine: shown when the target is missed.
    limit: str = ""

    def met(self, value: float) -> bool:
        return (self.most is None or value <= self.most) and (
            self.least is None or value >= self.least
        )

    def wanted(self) -> str:
        return f"<= {self.most}" if self.most is not None else f">= {self.least}"


SHARED_CORES = (
    "the model and Milvus Lite need the same cores: see 'encoder and Milvus in turn', the "
    "limit when both must run for every search"
)
DURING_A_LOAD = (
    "a load's encoding and writes take the cores the searches need; on 2 cores any load "
    "costs searches their share"
)
TARGETS = [
    Target("molecule", "HTTP p50, 1 client / raw pymilvus p50", most=2),
    Target("molecule", "HTTP throughput, 32 clients / raw pymilvus, one at a time", least=0.6),
    Target(
        "qa", "HTTP throughput, 32 clients / encoder, batches of 32", least=0.8, limit=SHARED_CORES
    ),
    Target("qa", "HTTP p99 / p50, 32 clients", most=3),
    Target(
        "image",
        "HTTP p50, 1 client / encoder alone p50",
        most=1.3,
        limit="a search also parses a multipart body, searches Milvus (see raw pymilvus) "
        "and reads SQLite: a few milliseconds beside a 7 ms model",
    ),
    Target(
        "image",
        "HTTP throughput, 8 clients / encoder, batches of 32",
        least=0.8,
        limit=SHARED_CORES,
    ),
    Target("qa", "load rate / encoder-only rate", least=0.9),
    Target(
        "image",
        "load rate / encoder-only rate",
        least=0.9,
        limit="the encoder-only rate starts from decoded pictures; a load also reads, "
        "decodes and shrinks each file (Pillow) and writes it to the media store, on the "
        "same cores",
    ),
    Target("qa", "search p99 during a load / idle, 8 clients", most=1.5, limit=DURING_A_LOAD),
    Target("image", "search p99 during a load / idle, 8 clients", most=1.5, limit=DURING_A_LOAD),
    Target("qa", "first search after start / steady p50, 1 client", most=2),
    Target("image", "first search after start / steady p50, 1 client", most=2),
]


def bake(demo: str) -> Path:
    subprocess.run(
        [ROOT / ".venv/bin/cookiecutter", ROOT, "--no-input", "--overwrite-if-exists",
         "--output-dir", BUILD, f"demo_type={demo}"],
        check=True,
    )  # fmt: skip
    return BUILD / f"milvus-{demo}-search"


def run(demo: str) -> tuple[str, str]:
    """The command, and what it printed."""
    project = bake(demo)
    command = f"PYTHONPATH=src python benchmarks/bench_api.py --scale {SCALE[demo]}"
    print(f"== {demo}: {command}", flush=True)
    result = subprocess.run(
        [ROOT / ".venv/bin/python", "benchmarks/bench_api.py", "--scale", str(SCALE[demo])],
        cwd=project,
        env={**os.environ, "PYTHONPATH": "src"},
        capture_output=True,
        text=True,
        check=False,
    )
    printed = result.stdout + (f"\n(exit {result.returncode})\n{result.stderr[-2000:]}"
                               if result.returncode else "")  # fmt: skip
    print(printed, flush=True)
    return command, printed


def ratios(printed: str) -> dict[str, float]:
    found = (RATIO.match(line) for line in printed.splitlines())
    return {match["label"]: float(match["value"]) for match in found if match}


def machine() -> str:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    memory = next(
        int(line.split()[1]) // 1024**2
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return f"{os.cpu_count()} cores ({cpu}), {memory} GiB, Python {platform.python_version()}"


def write(results: dict[str, tuple[str, str]]) -> None:
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` on {datetime.date.today()}: {machine()}. Each demo's",
        "`benchmarks/bench_api.py` serves the demo with uvicorn on 127.0.0.1 (one process, Milvus",
        "Lite and SQLite), loads its sample data scaled up, and times searches through HTTP beside",
        "the limits measured in the same run: the encoder alone and raw pymilvus on the same",
        "collection. Ratios mean more than seconds on a shared machine.",
        "",
        "## Targets",
        "",
        "| demo | figure | target | measured | met |",
        "|---|---|---|---|---|",
    ]
    missed = []
    for target in TARGETS:
        if target.demo not in results:
            continue
        value = ratios(results[target.demo][1]).get(target.label)
        shown, met = ("-", "not measured") if value is None else (
            f"{value:.2f}x", "yes" if target.met(value) else "no")  # fmt: skip
        lines.append(f"| {target.demo} | {target.label} | {target.wanted()} | {shown} | {met} |")
        if met == "no" and target.limit:
            missed.append(f"- {target.demo}, {target.label}: {target.limit}.")
    if missed:
        lines += ["", "Where a target is missed, what bounds it on this machine:", "", *missed]
    for demo, (command, printed) in results.items():
        lines += ["", f"## {demo}", "", "```", f"$ {command}", printed.rstrip(), "```"]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT.relative_to(ROOT)}")


def main() -> None:
    demos = sys.argv[1:] or list(SCALE)
    write({demo: run(demo) for demo in demos})


if __name__ == "__main__":
    main()
