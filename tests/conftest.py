"""Bake each variant once per session; every template test reads the same bakes."""

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

TEMPLATE = Path(__file__).resolve().parents[1]
# cookiecutter imports local_extensions.py from the template folder, but pytest-cookies renders
# the context before cookiecutter puts that folder on sys.path.
sys.path.insert(0, str(TEMPLATE))


def pytest_configure(config: pytest.Config) -> None:
    config.option.template = str(TEMPLATE)


# demo type -> the words that belong to it alone; no other demo's project may hold them.
DEMO_WORDS = {
    "molecule": ("smiles", "rdkit", "tanimoto", "molecule"),
    "qa": ("question", "faq", "minilm", "sentence_transformers"),
}
WORKING_DEMOS = tuple(DEMO_WORDS)

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
