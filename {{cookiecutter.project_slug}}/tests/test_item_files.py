"""Files that items keep beside the two stores go with them: with the last item that holds
one, with the collection, and by `repair` when a failure left one behind. A demo whose items
keep no files runs the same deletes, drops and repairs, and must come out with none."""

from pathlib import Path

import httpx

from examples import UPLOAD, files_root
from helpers import age, consistency, counts, items, kept, load, owned


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
