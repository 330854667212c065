"""Bake each variant once per session; every template test reads the same bakes."""

import io
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

TEMPLATE = Path(__file__).resolve().parents[1]
# cookiecutter imports local_extensions.py from the template folder, but pytest-cookies renders
# the context before cookiecutter puts that folder on sys.path.
sys.path.insert(0, str(TEMPLATE))


def pytest_configure(config: pytest.Config) -> None:
    config.option.template = str(TEMPLATE)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The baked suites that start a Milvus server go first: under pytest-xdist (make test,
    --dist loadfile) their file is the longest stretch of the run, and one worker starts on it
    while the other takes everything else."""
    suites = [item for item in items if item.path.name == "test_baked_suites.py"]
    items[:] = suites + [item for item in items if item not in suites]


# demo types -> the words that belong to them alone; no other demo's project may hold them.
DEMO_WORDS = {
    ("molecule",): ("smiles", "rdkit", "tanimoto", "molecule"),
    ("qa",): ("question", "faq", "minilm", "sentence_transformers"),
    ("image",): ("gallery", "image_url"),
    ("video",): ("frame_times", "pyav", "clips"),
    ("image", "video"): ("efficientnet", "media_root", "picture_search"),
}
WORKING_DEMOS = ("molecule", "qa", "image", "video")
# A sample clip, and the second its query frame is grabbed from.
SAMPLE_CLIP = "data/clips/01-cat-closeups.mp4"


def frame_of(clip: Path, at: float = 3.0) -> bytes:
    """The frame a clip shows `at` seconds in, as a JPEG (the video demo's query)."""
    import av  # only the video cases need it
    from PIL import Image

    with av.open(str(clip)) as container:
        for frame in container.decode(video=0):
            if frame.time is not None and frame.time >= at - 1e-3:
                out = io.BytesIO()
                Image.fromarray(frame.to_ndarray(format="rgb24")).save(out, "JPEG", quality=90)
                return out.getvalue()
    raise ValueError(f"{clip} ends before {at} s")


# Answers a user might give beside the defaults: quotes, unicode, short names.
AWKWARD_ANSWERS = {
    "project_name": 'Lab "Search" über-service',
    "project_slug": "lab-search",
    "package_name": "labsearch",
    "description": (
        'It\'s a "quoted" \\ description with ünïcode that runs on longer than one line of code.'
    ),
    "author": "Zoë O'Brien",
}


@dataclass(frozen=True)
class Bake:
    demo: str
    answers: dict[str, str]
    path: Path
    package: str


VARIANTS = [(demo, label) for demo in WORKING_DEMOS for label in ("defaults", "awkward")]


def _answers(demo: str, label: str) -> dict[str, str]:
    return {"demo_type": demo, **(AWKWARD_ANSWERS if label == "awkward" else {})}


@pytest.fixture(scope="session")
def bakes(cookies_session: Any) -> dict[tuple[str, str], Bake]:
    baked: dict[tuple[str, str], Bake] = {}
    for demo, label in VARIANTS:
        answers = _answers(demo, label)
        result = cookies_session.bake(extra_context=answers)
        assert result.exit_code == 0, result.exception
        package = answers.get("package_name", f"milvus_{demo}_search")
        baked[demo, label] = Bake(demo, answers, Path(result.project_path), package)
    return baked


@pytest.fixture(params=VARIANTS, ids=["-".join(v) for v in VARIANTS])
def bake(request: pytest.FixtureRequest, bakes: dict[tuple[str, str], Bake]) -> Bake:
    return bakes[request.param]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(bake: Bake, tmp_path: Path) -> Iterator[str]:
    """The baked service under uvicorn on a free loopback port, its stores in tmp_path."""
    port = free_port()
    prefix = bake.package.upper() + "_"
    env = {
        **os.environ,
        "PYTHONPATH": "src",
        prefix + "MILVUS_URI": str(tmp_path / "milvus.db"),
        prefix + "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'metadata.db'}",
    }
    log = (tmp_path / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", bake.package, "serve", "--host", "127.0.0.1", "--port", str(port)],
        cwd=bake.path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(url, process, tmp_path / "server.log")
        yield url
    finally:
        process.terminate()
        # uvicorn shuts down gracefully, then re-raises the signal as its exit status.
        assert process.wait(timeout=30) in {0, -signal.SIGTERM}
        assert "Application shutdown complete" in (tmp_path / "server.log").read_text()


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        assert process.poll() is None, f"server exited: {log.read_text()}"
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.25)
    pytest.fail(f"server not healthy in time: {log.read_text()}")


@pytest.fixture
def server(bake: Bake, tmp_path: Path) -> Iterator[str]:
    with serving(bake, tmp_path) as url:
        yield url


def run(
    bake: Bake, *command: str, timeout: float = 900, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", *command],
        cwd=bake.path,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, "PYTHONPATH": "src", **env},
    )


def assert_passed(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
    summary = result.stdout.strip().splitlines()[-1]
    assert " passed" in summary
    assert "skipped" not in summary
    assert "failed" not in summary
