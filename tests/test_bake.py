"""Every working demo type bakes into a clean project for that demo alone."""

import json
import re
import tomllib
from pathlib import Path

import pytest

from conftest import DEMO_WORDS, TEMPLATE, Bake

CONTEXT = json.loads((TEMPLATE / "cookiecutter.json").read_text(encoding="utf-8"))

LEFTOVER_JINJA = re.compile(r"{{|{%|{#|cookiecutter", re.IGNORECASE)


def project_files(root: Path) -> list[Path]:
    """The generated text files (pictures such as docs/screenshot.png are left out)."""
    files = [p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts]
    return [p for p in files if b"\0" not in p.read_bytes()]


def test_no_template_syntax_is_left(bake: Bake) -> None:
    for path in project_files(bake.path):
        text = path.read_text(encoding="utf-8")
        assert not LEFTOVER_JINJA.search(text), f"{path}: {LEFTOVER_JINJA.search(text)}"
        assert not LEFTOVER_JINJA.search(str(path.relative_to(bake.path)))


def test_nothing_of_another_demo_remains(bake: Bake) -> None:
    assert not (bake.path / "_demos").exists()
    other_words = [
        w for demos, words in DEMO_WORDS.items() if bake.demo not in demos for w in words
    ]
    for path in project_files(bake.path):
        text = path.read_text(encoding="utf-8").lower()
        found = [word for word in other_words if word in text or word in path.name.lower()]
        assert not found, f"{path.relative_to(bake.path)} mentions {found}"
    encoders = sorted(p.name for p in (bake.path / "src" / bake.package / "encoders").glob("*.py"))
    encoder_module = CONTEXT["_encoder"][bake.demo].partition(":")[0]
    assert encoders == sorted({"__init__.py", "base.py", f"{bake.demo}.py", f"{encoder_module}.py"})


def test_the_demo_is_wired_in(bake: Bake) -> None:
    package = bake.path / "src" / bake.package
    for module in ("records.py", "milvus_store.py", "metadata_store.py", "ingest.py", "cli.py"):
        assert (package / module).is_file()
    assert (bake.path / "tests" / "examples.py").is_file()
    assert (bake.path / "tests" / "test_search_quality.py").is_file()


def test_pyproject_is_valid_and_names_the_project(bake: Bake) -> None:
    project = tomllib.loads((bake.path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["name"] == bake.path.name
    assert project["description"] == bake.answers.get("description", project["description"])
    assert project["authors"] == [{"name": bake.answers.get("author", "Your Name")}]
    assert project["scripts"] == {bake.package: f"{bake.package}.cli:main"}


def test_generated_docs_name_the_two_commands(bake: Bake) -> None:
    readme = (bake.path / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme
    assert "make test" in readme
    makefile = (bake.path / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.MULTILINE)
    assert re.search(r"^test:", makefile, re.MULTILINE)


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"project_slug": "Bad Slug!"}, "is not a valid folder name"),
        (
            {"project_slug": "ok-slug", "package_name": "class"},
            "is not a valid Python package name",
        ),
        ({"package_name": "9lives"}, "is not a valid Python package name"),
        ({"package_name": "json"}, "would shadow the standard library"),
    ],
)
def test_bad_answers_are_refused_with_a_reason(
    cookies: object, capfd: pytest.CaptureFixture[str], answers: dict[str, str], message: str
) -> None:
    result = cookies.bake(extra_context=answers)  # type: ignore[attr-defined]
    assert result.exit_code != 0
    assert "Hook script failed" in str(result.exception)
    assert message in capfd.readouterr().err


def test_the_readme_shows_this_demo_s_page(bake: Bake) -> None:
    screenshot = bake.path / "docs" / "screenshot.png"
    assert screenshot.read_bytes().startswith(b"\x89PNG")
    assert "](docs/screenshot.png)" in (bake.path / "README.md").read_text(encoding="utf-8")
