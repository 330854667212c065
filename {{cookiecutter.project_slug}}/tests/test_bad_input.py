"""Bad input, end to end: each refusal says why in words, and the stores hold exactly what they
held before, the loaded files a demo keeps included; a bad item among good ones is a job error
while the rest loads; a file's name is only a label, whatever it holds.

One service per module, loaded with the demo's small upload first, so that "nothing changed"
is checked against stores that hold something. The demo's own inputs are in examples.py.
"""

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from conftest import make_settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.records import EncoderInput

from examples import (
    BAD_SEARCHES,
    BAD_UPLOADS,
    FILE_NAME_FIELD,
    NAMED_ITEM,
    NAMED_ITEM_SEARCH,
    NAMED_ITEM_STORED,
    PARTLY_BAD_UPLOADS,
    UPLOAD,
    files_root,
)
from helpers import counts, multipart, running_app, wait_for_job

BOUNDARY = "bad-input-boundary"


@dataclass
class Service:
    client: httpx.AsyncClient
    folder: Path  # every file the service writes belongs under here
    files_root: Path | None  # where it keeps loaded files, for a demo that keeps them


@dataclass(frozen=True)
class State:
    """What a load may change: both stores' counts and items, and the files written."""

    counts: dict[str, int]
    items: list[dict[str, Any]]
    kept: frozenset[str]  # the loaded files kept under the files root
    other_files: frozenset[str]  # anywhere else in the service's folder


def files_under(folder: Path | None) -> frozenset[str]:
    if folder is None:
        return frozenset()
    return frozenset(str(path) for path in folder.rglob("*") if path.is_file())


async def state(service: Service) -> State:
    response = await service.client.get("/items", params={"limit": 1000})
    assert response.status_code == 200, response.text
    kept = files_under(service.files_root)
    return State(
        await counts(service.client),
        response.json(),
        kept,
        files_under(service.folder) - kept,
    )


@pytest.fixture(scope="module")
async def service(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder[EncoderInput]
) -> AsyncIterator[Service]:
    folder = tmp_path_factory.mktemp("bad-input")
    async with running_app(make_settings(folder), encoder) as client:
        response = await client.post("/items", files=multipart(UPLOAD))
        assert response.status_code == 202, response.text
        job = await wait_for_job(client, response.json()["job_id"])
        assert job["loaded"] > 0, job
        yield Service(client, folder, files_root(folder))


def raw_multipart(files: Sequence[tuple[str, bytes]]) -> dict[str, Any]:
    """An upload as httpx arguments, each file name sent as its UTF-8 bytes, unescaped: what a
    browser sends for a name it can represent, and what a hand-made request sends for any
    other (httpx itself would percent-encode a control character)."""
    parts = [
        b'--%s\r\nContent-Disposition: form-data; name="file"; filename="%s"\r\n'
        b"Content-Type: application/octet-stream\r\n\r\n%s\r\n"
        % (BOUNDARY.encode(), name.encode(), content)
        for name, content in files
    ]
    return {
        "content": b"".join(parts) + f"--{BOUNDARY}--\r\n".encode(),
        "headers": {"content-type": f"multipart/form-data; boundary={BOUNDARY}"},
    }


def kept_files(service: Service, items: Sequence[dict[str, Any]]) -> frozenset[str]:
    """Where the items' files are kept, for a demo that keeps them (named by content)."""
    root = service.files_root
    if root is None:
        return frozenset()
    return frozenset(str(root / item["file"][:2] / item["file"]) for item in items)


@pytest.mark.parametrize(("files", "message"), BAD_UPLOADS)
async def test_bad_files_are_refused_and_change_nothing(
    service: Service, files: list[tuple[str, bytes]], message: str
) -> None:
    before = await state(service)
    response = await service.client.post("/items", **raw_multipart(files))
    assert response.status_code == 422, response.text
    assert message in response.json()["detail"]
    assert await state(service) == before


@pytest.mark.parametrize(("files", "loaded", "errors"), PARTLY_BAD_UPLOADS)
async def test_bad_items_are_job_errors_and_the_rest_loads(
    service: Service, files: list[tuple[str, bytes]], loaded: int, errors: dict[str, str]
) -> None:
    before = await state(service)
    response = await service.client.post("/items", **raw_multipart(files))
    assert response.status_code == 202, response.text
    job = await wait_for_job(service.client, response.json()["job_id"])
    assert (job["state"], job["loaded"], job["failed"]) == ("succeeded", loaded, len(errors))
    reasons = {error["item"]: error["reason"] for error in job["errors"]}
    assert reasons.keys() == errors.keys()
    for item, reason in errors.items():
        assert reason in reasons[item], (item, reasons[item])
    after = await state(service)
    new = after.items[len(before.items) :]
    assert after.items[: len(before.items)] == before.items
    assert len(new) == loaded
    assert after.counts == {store: total + loaded for store, total in before.counts.items()}
    # A bad item's file is not kept: only the loaded items' files are new.
    assert after.kept - before.kept == kept_files(service, new) - before.kept
    assert after.other_files == before.other_files


# Names a client may send, and the name the service shows. A name is only a label: the stored
# file is named by its content, so a path in a name leads nowhere. What would not show as
# written (a control character, a bidirectional override) becomes U+FFFD, and a long name keeps
# its last 252 characters, the end with the extension that says what the file is.
EXT = NAMED_ITEM[0]
ESCAPE = "bad-input-escape"  # in the names that point somewhere: nothing may be written there
LONG = "long-" + "x" * 300 + EXT
NAMES = [
    pytest.param(f"café-naïve-Ångström{EXT}", f"café-naïve-Ångström{EXT}", id="accents"),
    pytest.param(f"写真-データ{EXT}", f"写真-データ{EXT}", id="cjk"),
    pytest.param(f"🚀-👨‍👩‍👧-✨{EXT}", f"🚀-👨‍👩‍👧-✨{EXT}", id="emoji"),
    pytest.param(f"صورة-תמונה{EXT}", f"صورة-תמונה{EXT}", id="right-to-left"),
    pytest.param(f"../../{ESCAPE}{EXT}", f"../../{ESCAPE}{EXT}", id="dot-dot"),
    pytest.param(f"..\\..\\{ESCAPE}{EXT}", f"..\\..\\{ESCAPE}{EXT}", id="backslashes"),
    pytest.param(f"/etc/{ESCAPE}{EXT}", f"/etc/{ESCAPE}{EXT}", id="absolute"),
    pytest.param(f"nul\x00byte{EXT}", f"nul\ufffdbyte{EXT}", id="nul"),
    pytest.param(
        f"bell\x07tab\tesc\x1b[31mred\x7f{EXT}",
        f"bell\ufffdtab\ufffdesc\ufffd[31mred\ufffd{EXT}",
        id="controls",
    ),
    pytest.param(f"photo\u202egpj{EXT}", f"photo\ufffdgpj{EXT}", id="bidi-override"),
    pytest.param(LONG, "..." + LONG[-252:], id="long"),
]


@pytest.mark.parametrize(("name", "shown"), NAMES)
async def test_a_file_name_is_only_a_label(service: Service, name: str, shown: str) -> None:
    before = await state(service)
    response = await service.client.post("/items", **raw_multipart([(name, NAMED_ITEM[1])]))
    assert response.status_code == 202, response.text
    job = await wait_for_job(service.client, response.json()["job_id"])
    assert (job["state"], job["loaded"], job["source"]) == ("succeeded", 1, shown), job
    after = await state(service)
    [item] = after.items[len(before.items) :]
    try:
        await check_the_item_is_the_upload(service, item, shown)
        # Nothing was written where the name points, nor anywhere but the files root.
        assert after.other_files == before.other_files
        assert after.kept - before.kept <= kept_files(service, [item])
        if ESCAPE in name:
            for base in (Path.cwd(), service.folder, service.files_root or service.folder):
                assert not (base / name).exists(), base / name
    finally:
        # The next name uploads the same content: its search must find only its own item.
        assert (await service.client.delete(f"/items/{item['id']}")).status_code == 204


async def check_the_item_is_the_upload(service: Service, item: dict[str, Any], shown: str) -> None:
    """The item is stored under the name shown, with the upload's content and its vector."""
    stored = (await service.client.get(f"/items/{item['id']}")).json()
    assert stored == item
    assert {key: stored[key] for key in NAMED_ITEM_STORED} == NAMED_ITEM_STORED
    if FILE_NAME_FIELD is not None:
        assert stored[FILE_NAME_FIELD] == shown
    response = await service.client.post("/search", **NAMED_ITEM_SEARCH)
    assert response.status_code == 200, response.text
    assert response.json()["results"][0]["id"] == item["id"]


@pytest.mark.parametrize(("arguments", "message"), BAD_SEARCHES)
async def test_bad_searches_are_refused_with_a_reason(
    service: Service, arguments: dict[str, Any], message: str
) -> None:
    before = await state(service)
    response = await service.client.post("/search", **arguments)
    assert response.status_code == 422, response.text
    assert message in str(response.json()["detail"])
    assert await state(service) == before
