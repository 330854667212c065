"""Jinja filters for the template (cookiecutter loads this module through `_extensions`)."""

import json

from cookiecutter.utils import simple_filter


@simple_filter
def pystr(value: str) -> str:
    """A Python string literal for `value`, quoted the way ruff format prefers."""
    if '"' in value and "'" not in value:
        return "'" + json.dumps(value, ensure_ascii=False)[1:-1].replace('\\"', '"') + "'"
    return json.dumps(value, ensure_ascii=False)
