"""Developer files of the template and of each baked project are valid and name real commands."""

import re
import tomllib
from pathlib import Path

import yaml

from conftest import TEMPLATE, Bake


def make_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", makefile.read_text(encoding="utf-8"), re.MULTILINE))


def workflow_commands(workflow: Path) -> list[str]:
    document = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    return [
        step["run"] for job in document["jobs"].values() for step in job["steps"] if "run" in step
    ]


def test_pre_commit_runs_local_tools_the_project_installs(bake: Bake) -> None:
    config = yaml.safe_load((bake.path / ".pre-commit-config.yaml").read_text(encoding="utf-8"))
    [repo] = config["repos"]
    assert repo["repo"] == "local"
    project = tomllib.loads((bake.path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    dev_tools = {re.split(r"[<>=\[]", r)[0] for r in project["optional-dependencies"]["dev"]}
    entries = {hook["id"]: hook["entry"] for hook in repo["hooks"]}
    assert set(entries) == {"ruff", "ruff-format", "mypy"}
    for entry in entries.values():
        tool = entry.split()[0].removeprefix(".venv/bin/")
        assert tool in dev_tools, f"{entry!r} runs {tool}, which the dev extra does not install"


def test_project_workflow_runs_make_targets_that_exist(bake: Bake) -> None:
    targets = make_targets(bake.path / "Makefile")
    commands = workflow_commands(bake.path / ".github" / "workflows" / "ci.yml")
    assert "make test" in commands
    for command in commands:
        if command.startswith("make "):
            assert command.split()[1] in targets


def test_template_workflow_runs_the_readme_test_command() -> None:
    commands = workflow_commands(TEMPLATE / ".github" / "workflows" / "ci.yml")
    assert "make test" in commands
    assert "test" in make_targets(TEMPLATE / "Makefile")
    assert "make test" in (TEMPLATE / "README.md").read_text(encoding="utf-8")
    assert "make test" in (TEMPLATE / ".ci" / "run").read_text(encoding="utf-8")
