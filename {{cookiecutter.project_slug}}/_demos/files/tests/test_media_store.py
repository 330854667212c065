"""The media store's own side of removing files: which files are its own, which are too new to
sweep, and what a removal that fails leaves."""

import os
import time
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.media import (
    KEY_COLUMN,
    SWEEP_AFTER,
    WRITTEN,
    MediaFiles,
    MediaStore,
)
from {{ cookiecutter.package_name }}.uploads import InvalidItemError, KeptFile, SourceFile

from examples import UPLOAD, files_root
from helpers import multipart, wait_for_job

LONG_AGO = time.time() - 2 * SWEEP_AFTER


def test_storing_bytes_again_marks_the_file_fresh(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    key, written = store.put(b"bytes", "JPEG")
    assert written
    os.utime(store.path(key), (LONG_AGO, LONG_AGO))
    assert store.settled(key)
    # A second load of the same bytes counts on the file: no sweep may take it now.
    assert store.put(b"bytes", "jpeg") == (key, False)
    assert not store.settled(key)
    store.remove([key])
    assert store.path(key).read_bytes() == b"bytes"


def test_a_staged_file_is_stored_once_and_abandoned_only_by_the_load_that_wrote_it(
    tmp_path: Path,
) -> None:
    files = MediaFiles(MediaStore(tmp_path))
    photo = KeptFile(SourceFile("a.jpg", data=b"bytes"), "jpeg")
    first = files.stage({"name": "a.jpg"}, photo)
    again = files.stage({"name": "copy.jpg"}, photo)
    assert (first["name"], again["name"]) == ("a.jpg", "copy.jpg")
    assert first[KEY_COLUMN] == again[KEY_COLUMN]
    assert (first[WRITTEN], again[WRITTEN]) == (True, False)
    path = files.store.path(first[KEY_COLUMN])
    # The second load found the file here, perhaps another item's: it stays.
    files.abandon(again)
    assert path.read_bytes() == b"bytes"
    files.abandon(first)
    assert not path.exists()


def test_a_file_that_cannot_be_read_is_not_staged(tmp_path: Path) -> None:
    files = MediaFiles(MediaStore(tmp_path / "media"))
    gone = KeptFile(SourceFile("gone.jpg", path=tmp_path / "gone.jpg"), "jpeg")
    with pytest.raises(InvalidItemError, match=r"^cannot read the file: No such file"):
        files.stage({"name": "gone.jpg"}, gone)
    with pytest.raises(InvalidItemError, match="no file to read"):
        files.stage({"name": "gone.jpg"}, None)
    assert not (tmp_path / "media").exists()


def test_only_the_store_s_own_files_are_listed_and_removed(tmp_path: Path) -> None:
    store = MediaStore(tmp_path)
    key, _ = store.put(b"bytes", "png")
    half = tmp_path / key[:2] / f".{'0' * 32}.part"
    half.write_bytes(b"by")
    foreign = [tmp_path / "notes.txt", tmp_path / key[:2] / "copy.png", tmp_path / "zz" / key]
    for path in foreign:
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(b"mine")
    for path in [store.path(key), half, *foreign]:
        os.utime(path, (LONG_AGO, LONG_AGO))
    names = sorted(store.names())
    assert names == sorted([key, f"{key[:2]}/{half.name}"])
    store.remove(names)
    assert not store.path(key).exists()
    assert not half.exists()
    assert all(path.exists() for path in foreign)


def test_a_missing_root_holds_nothing(tmp_path: Path) -> None:
    assert list(MediaStore(tmp_path / "absent").names()) == []


async def test_a_file_a_delete_fails_to_remove_is_left_to_repair(
    client: httpx.AsyncClient, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = files_root(tmp_path)
    assert root is not None
    response = await client.post("/items", files=multipart(UPLOAD[:1]))
    await wait_for_job(client, response.json()["job_id"])
    [item] = (await client.get("/items")).json()
    path = root / item["file"][:2] / item["file"]

    def fail(store: MediaStore, names: Sequence[str], older_than: float = SWEEP_AFTER) -> None:
        raise PermissionError(13, "Permission denied")

    with monkeypatch.context() as patch:
        patch.setattr(MediaStore, "remove", fail)
        assert (await client.delete(f"/items/{item['id']}")).status_code == 204
    # The item is gone from both stores all the same; only its file is left, held by nothing.
    assert (await client.get(f"/items/{item['id']}")).status_code == 404
    assert (await client.get("/items/count")).json() == {"milvus": 0, "metadata": 0}
    assert path.is_file()
    os.utime(path, (LONG_AGO, LONG_AGO))
    assert (await client.get("/admin/consistency")).json()["orphan_files"] == 1
    assert (await client.post("/admin/consistency/repair")).json()["orphan_files"] == 1
    assert not path.exists()
