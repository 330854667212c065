"""Every command the READMEs show works as written.

The template README's commands run for real in a scratch folder where that is cheap (rendering
a project); the rest, and every command of each generated README and deploy guide, must name
what exists: a make target (and the variables it is given), a subcommand of the package's
command line with its options, a route of the app, a service of compose.yaml, a file. A command
of a kind this test does not know fails it, so a new one gets a check too.
"""

import json
import os
import re
import shlex
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import TEMPLATE, Bake

FENCED_SHELL = re.compile(r"^```(?:bash|sh|shell)\n(.*?)^```", re.MULTILINE | re.DOTALL)
OPERATORS = {"&&", "||", ";", "|"}


def shell_commands(markdown: str) -> Iterator[list[str]]:
    """Each simple command of the Markdown's shell blocks, as words (comments dropped, lines
    continued with a backslash joined, `a && b` split in two)."""
    for block in FENCED_SHELL.findall(markdown):
        for line in block.replace("\\\n", " ").splitlines():
            command: list[str] = []
            for word in shlex.split(line, comments=True):
                if word in OPERATORS:
                    yield command
                    command = []
                else:
                    command.append(word)
            if command:
                yield command


def make_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", makefile.read_text(), re.MULTILINE))


def check_make(words: list[str], folder: Path) -> None:
    targets = [w for w in words[1:] if "=" not in w]
    variables = [w.split("=")[0] for w in words[1:] if "=" in w]
    makefile = folder / "Makefile"
    assert set(targets) <= make_targets(makefile), f"{words}: no such target in {makefile}"
    for name in variables:
        assert re.search(rf"^{name} \??=", makefile.read_text(), re.MULTILINE), (
            f"{words}: {makefile} does not read {name}"
        )


def test_the_template_readme_runs_as_written(tmp_path: Path) -> None:
    """The commands run in the template folder, except that `cookiecutter .` writes its project
    into a scratch folder (from there, `.` is the template), where a later `cd` finds it."""
    here = TEMPLATE
    for words in shell_commands((TEMPLATE / "README.md").read_text()):
        match words:
            case ["make", *_]:
                check_make(words, here)
            case ["pip", "install", *packages]:
                pins = (TEMPLATE / "constraints.txt").read_text()
                for package in packages:
                    assert re.search(rf"^{package}==", pins, re.MULTILINE), package
            case ["cookiecutter", ".", *answers]:
                # Without --no-input it asks each question: take every default.
                result = subprocess.run(
                    [sys.executable, "-m", "cookiecutter", str(TEMPLATE), *answers],
                    cwd=tmp_path,
                    input="\n" * 20,
                    capture_output=True,
                    text=True,
                    timeout=120,
                )
                assert result.returncode == 0, f"{words}: {result.stderr[-2000:]}"
            case ["cd", path]:
                here = tmp_path / path
                assert here.is_dir(), f"{words}: no such folder (rendered: {list_dir(tmp_path)})"
            case _:
                pytest.fail(f"no check for the command {words}")
    assert (tmp_path / "milvus-molecule-search" / "Makefile").exists()  # the interactive one


def list_dir(path: Path) -> list[str]:
    return sorted(child.name for child in path.iterdir())


# Run in the baked project: for each command line given as JSON words on stdin, the reason
# its package's parser refuses it (or null); then the app's routes, as "METHOD path".
CLI_AND_ROUTES = """
import contextlib, importlib, io, json, sys
package = sys.argv[1]
parser = importlib.import_module(package + ".cli")._parser()
refusals = []
for words in json.load(sys.stdin):
    err = io.StringIO()
    try:
        with contextlib.redirect_stderr(err):
            parser.parse_args(words)
        refusals.append(None)
    except SystemExit:
        refusals.append(err.getvalue().strip() or "refused")
app = importlib.import_module(package + ".main").create_app()
routes = sorted(
    f"{method} {path}"
    for path, operations in app.openapi()["paths"].items()
    for method in operations
)
print(json.dumps({"refusals": refusals, "routes": routes}))
"""


def cli_refusals_and_routes(bake: Bake, commands: list[list[str]]) -> tuple[list[str], set[str]]:
    result = subprocess.run(
        [sys.executable, "-c", CLI_AND_ROUTES, bake.package],
        cwd=bake.path,
        input=json.dumps(commands),
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": "src"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    found = json.loads(result.stdout.splitlines()[-1])
    answers = zip(commands, found["refusals"], strict=True)
    refused = [f"{words}: {why}" for words, why in answers if why]
    return refused, {route.lower() for route in found["routes"]}


def route_of(words: list[str]) -> str:
    """`curl ... URL` as "method /path/{param}": upper-case words in the path are parameters."""
    [url] = [w for w in words if w.startswith("http")]
    method = "get"
    if any(w in {"-F", "-d"} for w in words):
        method = "post"
    if "-X" in words:
        method = words[words.index("-X") + 1].lower()
    path = re.sub(r"/[A-Z][A-Z_]*(?=/|$)", "/{}", urlsplit(url).path)
    return f"{method} {path}"


def matches(route: str, routes: set[str]) -> bool:
    return any(re.sub(r"\{[^}]*\}", "{}", known) == route for known in routes)


def test_the_generated_readme_and_guides_name_what_exists(bake: Bake) -> None:
    compose = (bake.path / "compose.yaml").read_text()
    services = set(re.findall(r"^  ([a-z][a-z-]*):$", compose, re.MULTILINE))
    cli: list[list[str]] = []
    curls: list[list[str]] = []
    documents = [bake.path / "README.md", *sorted((bake.path / "docs").glob("*.md"))]
    for document in documents:
        for words in shell_commands(document.read_text()):
            if words[:2] == ["docker", "compose"]:
                named = [w for w in words[2:] if w in services or w.startswith("worker=")]
                assert named or words[2] in {"up", "down", "logs", "ps"}, words
                if "exec" in words:  # docker compose exec SERVICE COMMAND...
                    words = words[words.index("exec") + 2 :]
                else:
                    continue
            match words:
                case ["make", *_]:
                    check_make(words, bake.path)
                case [program, *arguments] if Path(program).name == bake.package:
                    cli.append(arguments)
                case ["curl", *_]:
                    curls.append(words)
                case ["cp", source, _]:
                    assert (bake.path / source).exists(), words
                case _:
                    pytest.fail(f"{document.name}: no check for the command {words}")
    refused, routes = cli_refusals_and_routes(bake, cli)
    assert refused == []
    assert [w for w in curls if not matches(route_of(w), routes)] == []
    # The READMEs show both kinds, so both were checked.
    assert cli
    assert curls
