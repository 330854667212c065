"""The template's test environment holds what every baked project declares it needs, at the
versions constraints.txt pins, and each baked project pins the same versions."""

import tomllib
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

from conftest import TEMPLATE, Bake


def pins(constraints: Path) -> dict[str, Version]:
    """name -> version of each `name==version` line of a constraints file."""
    pinned = {}
    for line in constraints.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith((" ", "#")):
            name, _, pin = line.partition("==")
            pinned[canonicalize_name(name)] = Version(pin)
    return pinned


def group(name: str) -> list[Requirement]:
    """A dependency group of the template's pyproject.toml, its included groups expanded."""
    groups = tomllib.loads((TEMPLATE / "pyproject.toml").read_text())["dependency-groups"]
    found: list[Requirement] = []
    for entry in groups[name]:
        found.extend(
            group(entry["include-group"]) if isinstance(entry, dict) else [Requirement(entry)]
        )
    return found


def unpinned(requirements: list[Requirement], pinned: dict[str, Version]) -> list[str]:
    """The requirements that no pin satisfies."""
    return [
        f"{requirement} (pinned {pinned.get(canonicalize_name(requirement.name))})"
        for requirement in requirements
        if not requirement.specifier.contains(
            pinned.get(canonicalize_name(requirement.name), Version("0")), prereleases=True
        )
    ]


def declared(bake: Bake) -> list[Requirement]:
    project = tomllib.loads((bake.path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    return [
        Requirement(line)
        for line in (
            *project["dependencies"],
            *(r for extra in project["optional-dependencies"].values() for r in extra),
        )
    ]


def test_every_declared_requirement_is_installed_here(bake: Bake) -> None:
    missing = []
    for requirement in declared(bake):
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            missing.append(f"{requirement} (not installed)")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            missing.append(f"{requirement} (have {installed})")
    assert not missing, f"add to the test group in pyproject.toml: {missing}"


def test_the_test_environment_is_the_pinned_one() -> None:
    pinned = pins(TEMPLATE / "constraints.txt")
    assert not unpinned(group("test"), pinned), "run `make lock`"
    # Installed from the pins: the CPU build of torch is 2.13.0+cpu, pinned as 2.13.0.
    drift = {
        name: version(name)
        for name, pin in pinned.items()
        if Version(version(name)).public != str(pin)
    }
    assert not drift, f"installed, not as pinned in constraints.txt: {drift}"


def test_each_project_pins_what_the_template_tests_ran(bake: Bake) -> None:
    project = pins(bake.path / "constraints.txt")
    assert not unpinned(declared(bake), project), "run `make lock`"
    template = pins(TEMPLATE / "constraints.txt")
    differ = {
        name: (pin, template.get(name))
        for name, pin in project.items()
        if template.get(name) != pin
    }
    assert not differ, f"the project's pin, the template's: {differ}"
    # PyPI serves releases, not local builds such as 2.13.0+cpu.
    assert not [pin for pin in project.values() if pin.local]
