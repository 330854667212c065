"""The command line, run in-process against real stores in a temporary folder."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.cli import main

from examples import BAD_UPLOADS, UPLOAD, UPLOAD_BAD_ITEM, cli_query
from helpers import write_files

PREFIX = "{{ cookiecutter.package_name|upper }}_"


@pytest.fixture(autouse=True)
def stores_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # and so away from any .env in the project
    monkeypatch.setenv(PREFIX + "MILVUS_URI", str(tmp_path / "milvus.db"))
    monkeypatch.setenv(PREFIX + "DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'meta.db'}")


def test_load_count_and_search(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    upload = write_files(tmp_path / "upload", UPLOAD)

    assert main(["load", str(upload)]) == 0
    out = capsys.readouterr().out
    assert "3/3" in out
    assert "loaded 2, skipped 1 of 3: succeeded" in out
    assert f"{UPLOAD_BAD_ITEM}: " in out

    assert main(["load", str(upload), "--if-empty"]) == 0
    assert "already holds 2 items; nothing loaded" in capsys.readouterr().out

    assert main(["count"]) == 0
    assert capsys.readouterr().out == "milvus: 2\nmetadata: 2\n"

    assert main(["search", cli_query(tmp_path), "--top-k", "1"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    score, item_id, *_ = line.split()
    assert 0.0 < float(score) <= 1.0
    assert item_id.startswith("#")

    # Every item encoded again into a new collection, which then serves; Milvus Lite drops the
    # old one (no other process can be using it), so nothing is left to say about it.
    assert main(["reindex"]) == 0
    bar, summary = capsys.readouterr().out.splitlines()
    assert bar.startswith("encoding the items again")
    assert "2/2" in bar
    assert re.fullmatch(r"2 items encoded again into \w+_2, which serves from now on", summary)
    assert main(["count"]) == 0
    assert capsys.readouterr().out == "milvus: 2\nmetadata: 2\n"
    assert main(["search", cli_query(tmp_path), "--top-k", "1"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split()[:2] == [score, item_id]


def test_a_bad_file_is_refused_with_a_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    files, message = BAD_UPLOADS[0]
    bad = write_files(tmp_path / "bad", files)
    assert main(["load", str(bad)]) == 2
    assert message in capsys.readouterr().err


def test_a_missing_file_is_refused_with_a_message(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "no-such-file.csv"]) == 2
    assert "no-such-file.csv: no such file or folder" in capsys.readouterr().err


def test_serve_refuses_several_workers_on_milvus_lite(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--workers", "2"]) == 2
    assert "Milvus Lite is opened by one process only" in capsys.readouterr().err


# Holds a store's lock as a server running on it would, until killed.
HOLD_THE_STORE = """
import sys, time
from pathlib import Path
from {{ cookiecutter.package_name }}.store_lock import StoreLock
StoreLock.acquire(Path(sys.argv[1]))
print("held", flush=True)
time.sleep(120)
"""


def test_a_store_another_process_holds_is_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    store = tmp_path / "milvus.db"
    src = Path({{ cookiecutter.package_name }}.__file__).parents[1]
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_STORE, str(store)],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(src)},
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        refusal = (
            f"error: {store} is in use by another process (pid {holder.pid}): stop it, or "
            "reach the server running on it with --url\n"
        )
        for command in (["serve"], ["count"], ["check"], ["repair"], ["load", "--sample"]):
            assert main(command) == 2, command
            assert capsys.readouterr().err == refusal, command
    finally:
        holder.kill()
        holder.wait()
    # The lock went with its process.
    assert main(["count"]) == 0
    assert capsys.readouterr().out == "milvus: 0\nmetadata: 0\n"
