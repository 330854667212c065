"""A fifth demo type, added by following docs/hooks.md and nothing else, bakes, lints,
type-checks and serves.

The demo is tests/fixtures/notes/: notes searched by their words, with a hashing encoder (no
model, no package beyond the shared ones). Its files are laid out as they would lie in the
template; the test copies the template, adds them, enters the demo in cookiecutter.json's
tables, and bakes it.
"""

import fnmatch
import json
import re
import shutil
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from cookiecutter.main import cookiecutter

from conftest import TEMPLATE, Bake, run, serving

DEMO = "notes"
FIXTURE = Path(__file__).resolve().parent / "fixtures" / DEMO
GUIDE = TEMPLATE / "docs" / "hooks.md"
# What a template copy needs to render: the rest (tests, docs, the venv) stays behind.
TEMPLATE_PARTS = ("cookiecutter.json", "local_extensions.py", "hooks", "templates")
PROJECT = "{{cookiecutter.project_slug}}"
PLACEHOLDERS = {"<project>": PROJECT, "<package>": "{{cookiecutter.package_name}}", "<demo>": DEMO}


def listed_paths() -> list[str]:
    """The paths docs/hooks.md's steps name for a new demo, as glob patterns for this one."""
    steps = GUIDE.read_text(encoding="utf-8").partition("## Adding a demo type")[2]
    patterns = []
    for path in re.findall(r"`([^`\s]*<demo>[^`\s]*)`", steps):
        for placeholder, value in PLACEHOLDERS.items():
            path = path.replace(placeholder, value)
        patterns.append(path + "*" if path.endswith("/") else path)
    return patterns


def demo_tables(context: dict[str, Any]) -> set[str]:
    """cookiecutter.json's tables keyed by demo type."""
    demos = set(context["demo_type"])
    return {k for k, v in context.items() if isinstance(v, dict) and set(v) == demos}


def fixture_files() -> list[str]:
    files = (p for p in FIXTURE.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return sorted(str(p.relative_to(FIXTURE)) for p in files)


def test_the_fixture_adds_only_what_the_guide_lists() -> None:
    patterns = listed_paths()
    unlisted = [
        path
        for path in fixture_files()
        if path != "cookiecutter.json" and not any(fnmatch.fnmatch(path, p) for p in patterns)
    ]
    assert not unlisted, f"docs/hooks.md does not list {unlisted}"
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    entries = json.loads((FIXTURE / "cookiecutter.json").read_text(encoding="utf-8"))
    assert set(entries) == demo_tables(context)
    guide = GUIDE.read_text(encoding="utf-8")
    assert [table for table in sorted(entries) if f"`{table}`" not in guide] == []


def add_demo(template: Path) -> None:
    """Copy the template and add the fixture demo to it, as docs/hooks.md says."""
    for part in (*TEMPLATE_PARTS, PROJECT):
        source = TEMPLATE / part
        if source.is_dir():
            shutil.copytree(source, template / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, template / part)
    shutil.copytree(FIXTURE, template, dirs_exist_ok=True)
    context = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))
    context["demo_type"].append(DEMO)
    for table, entry in json.loads((FIXTURE / "cookiecutter.json").read_text()).items():
        context[table][DEMO] = entry
    (template / "cookiecutter.json").write_text(json.dumps(context, indent=2), encoding="utf-8")
    # make lock (step 5) needs the network: the template's own pins stand in for the demo's,
    # a superset of what it installs.
    shutil.copy2(TEMPLATE / "constraints.txt", template / PROJECT / "_demos" / DEMO)


@pytest.fixture(scope="module")
def notes(tmp_path_factory: pytest.TempPathFactory) -> Bake:
    template = tmp_path_factory.mktemp("template")
    add_demo(template)
    output = tmp_path_factory.mktemp("baked")
    path = cookiecutter(
        str(template), no_input=True, output_dir=str(output), extra_context={"demo_type": DEMO}
    )
    return Bake(DEMO, {"demo_type": DEMO}, Path(path), f"milvus_{DEMO}_search")


def test_it_bakes_with_its_own_files(notes: Bake) -> None:
    assert not (notes.path / "_demos").exists()
    package = notes.path / "src" / notes.package
    assert (package / "encoders" / f"{DEMO}.py").is_file()
    assert not (package / "media.py").exists()
    readme = (notes.path / "README.md").read_text(encoding="utf-8")
    assert "## The notes demo" in readme
    assert (notes.path / "docs" / "screenshot.png").is_file()


@pytest.mark.parametrize(
    "command",
    [("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)],
    ids=["ruff", "ruff-format", "mypy"],
)
def test_it_lints_clean(notes: Bake, command: tuple[str, ...]) -> None:
    result = run(notes, *command, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_serves_an_upload_and_finds_it(notes: Bake, tmp_path: Path) -> None:
    upload = b"# two notes\nport The service listens on port 8000.\nstorage Vectors in Milvus.\n"
    with serving(notes, tmp_path) as url, httpx.Client(base_url=url, timeout=30) as client:
        assert client.get("/demo").json()["items_noun"] == "notes"
        accepted = client.post("/items", files={"file": ("notes.txt", upload)})
        assert accepted.status_code == 202, accepted.text
        deadline = time.monotonic() + 60
        while (job := client.get(accepted.json()["status_url"]).json())["state"] not in {
            "succeeded",
            "failed",
        }:
            assert time.monotonic() < deadline, job
            time.sleep(0.2)
        assert (job["state"], job["loaded"]) == ("succeeded", 2), job
        found = client.post("/search", json={"text": "which port", "top_k": 2})
        assert found.status_code == 200, found.text
        best = found.json()["results"][0]
        assert (best["topic"], best["text"]) == ("port", "The service listens on port 8000.")
        refused = client.post("/search", json={"text": "  "})
        assert refused.status_code == 422
