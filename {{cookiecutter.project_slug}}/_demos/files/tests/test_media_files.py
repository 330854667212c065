"""Files the pictures and videos keep under the media root: a sweep removes only what no item
holds, and never a file a running load may count on."""

from pathlib import Path

import httpx

from examples import UPLOAD, files_root
from helpers import age, consistency, items, kept, load, owned, wait_for_job


async def test_check_counts_and_repair_removes_files_no_item_holds(
    client: httpx.AsyncClient, tmp_path: Path
) -> None:
    root = files_root(tmp_path)
    assert root is not None
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
    assert root is not None
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
