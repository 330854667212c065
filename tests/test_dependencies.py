"""The template's test environment holds what every baked project declares it needs."""

import tomllib
from importlib.metadata import PackageNotFoundError, version

from packaging.requirements import Requirement

from conftest import Bake


def test_every_declared_requirement_is_installed_here(bake: Bake) -> None:
    project = tomllib.loads((bake.path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [
        *project["dependencies"],
        *(r for e in project["optional-dependencies"].values() for r in e),
    ]
    missing = []
    for line in declared:
        requirement = Requirement(line)
        try:
            installed = version(requirement.name)
        except PackageNotFoundError:
            missing.append(f"{line} (not installed)")
            continue
        if not requirement.specifier.contains(installed, prereleases=True):
            missing.append(f"{line} (have {installed})")
    assert not missing, f"add to the test group in pyproject.toml: {missing}"
