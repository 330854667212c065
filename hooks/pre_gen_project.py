"""Reject answers that would give a broken project, with a message a person can act on."""

import keyword
import re
import sys

DEMO_TYPE = {{ cookiecutter.demo_type|tojson }}
PROJECT_SLUG = {{ cookiecutter.project_slug|tojson }}
PACKAGE_NAME = {{ cookiecutter.package_name|tojson }}
PROJECT_NAME = {{ cookiecutter.project_name|tojson }}

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
PACKAGE_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


def problems() -> list[str]:
    found = []
    if not SLUG_PATTERN.match(PROJECT_SLUG):
        found.append(
            f"project_slug {PROJECT_SLUG!r} is not a valid folder name: use lowercase letters, "
            "digits and single dashes, starting with a letter (e.g. 'milvus-qa-search')."
        )
    if not PACKAGE_PATTERN.match(PACKAGE_NAME) or keyword.iskeyword(PACKAGE_NAME):
        found.append(
            f"package_name {PACKAGE_NAME!r} is not a valid Python package name: use lowercase "
            "letters, digits and underscores, starting with a letter (e.g. 'milvus_qa_search')."
        )
    elif PACKAGE_NAME in sys.stdlib_module_names:
        found.append(
            f"package_name {PACKAGE_NAME!r} would shadow the standard library module of that name."
        )
    if not PROJECT_NAME.strip() or len(PROJECT_NAME) > 60:
        found.append("project_name must be 1 to 60 characters: it titles the API docs and README.")
    if len(PACKAGE_NAME) > 40:
        found.append(f"package_name {PACKAGE_NAME!r} is over 40 characters; choose a shorter one.")
    return found


if __name__ == "__main__":
    errors = problems()
    for error in errors:
        print(f"ERROR: {error}", file=sys.stderr)
    if errors:
        sys.exit(1)
