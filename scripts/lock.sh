#!/usr/bin/env bash
# Re-pin what `make test` installs (constraints.txt) and what each demo's `make install`
# installs (_demos/<demo>/constraints.txt) to the newest releases pyproject.toml allows.
# A refresh is a change like any other: run `make test` on it before it lands.
# Arguments replace the default --upgrade: `scripts/lock.sh --upgrade-package NAME` pins a newly
# added dependency and keeps every other pin where it is.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
upgrade=(--upgrade)
# torch is always re-resolved: kept as a preference, the label-less pin picks PyPI's CUDA build.
[ $# -gt 0 ] && upgrade=("$@" --upgrade-package torch)

# Where torch's CPU build lies on disk (pip's PIP_FIND_LINKS), resolve against it, then pin it
# without its local build label: PyPI serves `torch==2.13.0`, never `torch==2.13.0+cpu`.
links=()
for dir in ${PIP_FIND_LINKS:-}; do links+=(--find-links "$dir"); done
compile() {
    local out=$1; shift
    # For the Python that runs the tests: some pins apply only to older ones.
    "$BIN/uv" pip compile --quiet --python "$BIN/python" "${links[@]}" --no-emit-find-links \
        "${upgrade[@]}" --custom-compile-command "make lock" --output-file "$out" "$@"
    sed -i -E 's/^([A-Za-z0-9._-]+==[^+ ]+)\+[^ ]*/\1/' "$out"
}

compile constraints.txt --group pyproject.toml:test

# Each demo is pinned to the versions the template's tests ran, so a user installs what CI
# tested. No annotations: they would name the default project, not the user's.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
demos=$("$BIN/python" -c 'import json; print(*json.load(open("cookiecutter.json"))["demo_type"])')
for demo in $demos; do
    "$BIN/cookiecutter" . --no-input --output-dir "$scratch" demo_type="$demo" project_slug="$demo"
    compile "{{cookiecutter.project_slug}}/_demos/$demo/constraints.txt" --no-annotate \
        --constraint constraints.txt --extra dev --extra mysql "$scratch/$demo/pyproject.toml"
done
