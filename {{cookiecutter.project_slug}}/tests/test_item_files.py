"""Files that items keep beside the two stores go with them: with the last item that holds
one, with the collection, and by `repair` when a failure left one behind. A demo whose items
keep no files runs the same deletes, drops and repairs, and must come out with none."""

import os
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import httpx
import pytest

from examples import UPLOAD, files_root
from helpers import counts, multipart, wait_for_job

# Older than any grace a sweep gives files a load may be writing.
LONG_AGO = time.time() - 2 * 24 * 3600


def kept(root: Path | None) -> set[Path]:
    """Every file under the demo's files root (none for a demo that keeps no files)."""
    if root is None:
        return set()
    return {path for path in root.rglob("*") if path.is_file()}


def owned(root: Path | None, items: Iterable[dict[str, Any]]) -> set[Path]:
    """The files these items hold, named by content."""
    if root is None:
        return set()
    return {root / item["file"][:2] / item["file"] for item in items}


def age(paths: Iterable[Path]) -> None:
    for path in paths:
        os.utime(path, (LONG_AGO, LONG_AGO))


async def load(client: httpx.AsyncClient, files: Sequence[tuple[str, bytes]]) -> None:
    response = await client.post("/items", files=multipart(files))
    assert response.status_code == 202, response.text
    job = await wait_for_job(client, response.json()["job_id"])
    assert (job["state"], job["loaded"] > 0) == ("succeeded", True), job


async def items(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    response = await client.get("/items", params={"limit": 1000})
    assert response.status_code == 200, response.text
    found: list[dict[str, Any]] = response.json()
    return found


async def consistency(client: httpx.AsyncClient, repair: bool = False) -> dict[str, Any]:
    if repair:
        response = await client.post("/admin/consistency/repair")
    else:
        response = await client.get("/admin/consistency")
    assert response.status_code == 200, response.text
    report: dict[str, Any] = response.json()
    return report


async def test_a_deleted_item_takes_its_file_unless_another_item_holds_it(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    root = files_root(tmp_path)
    await load(client, UPLOAD)
    first = await items(client)
    await load(client, UPLOAD)
    second = [item for item in await items(client) if item not in first]
    files = kept(root)
    # The same files loaded twice: two items hold each file, one of each load.
    assert files == owned(root, first) == owned(root, second)
    assert root is None or len(files) == len(first) > 1

    for item in first:
        assert (await client.delete(f"/items/{item['id']}")).status_code == 204
    assert kept(root) == files

    for item in second:
        assert (await client.delete(f"/items/{item['id']}")).status_code == 204
        files -= owned(root, [item])
        assert kept(root) == files
    assert kept(root) == set()
    assert await counts(client) == {"milvus": 0, "metadata": 0}


async def test_dropping_the_collection_removes_every_file(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    root = files_root(tmp_path)
    await load(client, UPLOAD)
    assert root is None or kept(root)
    assert (await client.delete("/collection")).status_code == 204
    assert kept(root) == set()
    assert await counts(client) == {"milvus": 0, "metadata": 0}
    # A load after the drop stores its files again.
    await load(client, UPLOAD)
    assert kept(root) == owned(root, await items(client))


async def test_files_items_hold_are_no_orphans(client: httpx.AsyncClient, tmp_path: Path) -> None:
    root = files_root(tmp_path)
    await load(client, UPLOAD)
    stored = kept(root)
    # Old files: a sweep must spare them because items hold them, not because they are new.
    age(stored)
    report = await consistency(client)
    assert (report["orphan_files"], report["only_in_metadata"]) == (0, 0)
    assert (await consistency(client, repair=True))["orphan_files"] == 0
    assert kept(root) == stored


async def test_check_counts_and_repair_removes_files_no_item_holds(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    root = files_root(tmp_path)
    if root is None:
        pytest.skip("this demo keeps no files beside the two stores")
    await load(client, UPLOAD)
    stored = kept(root)
    # What a delete or a drop that failed halfway leaves (a stored file no item holds), and
    # what a load killed while writing leaves (half a file).
    orphan = root / "ab" / f"{'ab' * 32}.jpeg"
    half = root / "cd" / f".{'cd' * 16}.part"
    # Just written, as by a load whose job is not recorded yet: too new to sweep.
    fresh = root / "ef" / f"{'ef' * 32}.jpeg"
    # Not a name the store makes: never its to remove.
    foreign = root / "notes.txt"
    for path in (orphan, half, fresh, foreign):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"left behind")
    age([*stored, orphan, half, foreign])

    report = await consistency(client)
    assert report["orphan_files"] == 2
    assert report["only_in_milvus"] == report["only_in_metadata"] == 0
    assert kept(root) == stored | {orphan, half, fresh, foreign}

    repaired = await consistency(client, repair=True)
    assert (repaired["orphan_files"], repaired["repaired"]) == (2, True)
    assert kept(root) == stored | {fresh, foreign}
    assert (await consistency(client))["orphan_files"] == 0


async def test_a_delete_while_a_load_runs_leaves_its_file_to_repair(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    root = files_root(tmp_path)
    if root is None:
        pytest.skip("this demo keeps no files beside the two stores")
    await load(client, UPLOAD)
    deleted = await items(client)
    # The sample holds the same files: a load that copied them in, and whose items are not
    # stored yet, may count on the very files these items held.
    accepted = await client.post("/items/sample")
    assert accepted.status_code == 202, accepted.text
    job_id = accepted.json()["job_id"]
    assert (await client.get(f"/jobs/{job_id}")).json()["state"] in {"queued", "running"}
    for item in deleted:
        assert (await client.delete(f"/items/{item['id']}")).status_code == 204
    assert owned(root, deleted) <= kept(root)

    job = await wait_for_job(client, job_id)
    assert (job["state"], job["failed"]) == ("succeeded", 0), job
    held = owned(root, await items(client))
    age(kept(root))
    await consistency(client, repair=True)
    assert kept(root) == held
