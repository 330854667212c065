"""What a client must not get: a 500 for a number too large, its own input back in full, the
stores' driver messages, or a file that a link in the data folder points to."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest
from pydantic import TypeAdapter, ValidationError
from pymilvus import MilvusException
from sqlalchemy.exc import OperationalError

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.ingest import new_job
from {{ cookiecutter.package_name }}.metadata_store import MetadataStore
from {{ cookiecutter.package_name }}.milvus_store import MilvusStore
from {{ cookiecutter.package_name }}.problems import Problem
from {{ cookiecutter.package_name }}.records import (
    EncoderInput,
    SearchRequest,
    item_columns,
    parse_files,
)
from {{ cookiecutter.package_name }}.services import close_services, open_services
from {{ cookiecutter.package_name }}.uploads import describe_invalid

from examples import UPLOAD, cli_query
from helpers import counts, running_app, source_files, unstarted_app, wait_for_job, write_files

INT64_MAX = 2**63 - 1
# What a driver's message gives away: where the store runs.
DRIVER_MESSAGE = "connection refused by 10.1.2.3:19530"
SECRET = "root:x:0:0:root:/root:/bin/bash\n"
# Error bodies quote the start of an input: far less than this.
SMALL = 1000


def failing(error: Exception) -> Callable[..., Awaitable[NoReturn]]:
    """A store method that fails as a driver would."""

    async def fail(*args: object, **kwargs: object) -> NoReturn:
        raise error

    return fail


async def item_routes(client: httpx.AsyncClient) -> list[tuple[str, str]]:
    """Every method and path that takes an item's id, this demo's own routes included."""
    paths = (await client.get("/openapi.json")).json()["paths"]
    return [
        (method, path)
        for path, methods in paths.items()
        if "{item_id}" in path
        for method in methods
    ]


async def test_ids_beyond_int64_get_422_on_every_item_route(client: httpx.AsyncClient) -> None:
    routes = await item_routes(client)
    assert {("get", "/items/{item_id}"), ("delete", "/items/{item_id}")} <= set(routes)
    for method, path in routes:
        response = await client.request(method, path.replace("{item_id}", str(INT64_MAX + 1)))
        assert response.status_code == 422, (method, path, response.text)
        assert f"less than or equal to {INT64_MAX}" in response.text
        largest = await client.request(method, path.replace("{item_id}", str(INT64_MAX)))
        assert largest.status_code == 404, (method, path, largest.text)


async def test_offsets_beyond_int64_get_422(client: httpx.AsyncClient) -> None:
    response = await client.get("/items", params={"offset": INT64_MAX + 1})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "offset"]
    assert (await client.get("/items", params={"offset": INT64_MAX})).json() == []


LONG = "x" * 10_000  # long, and still a URL httpx sends


@pytest.mark.parametrize(
    ("request_args", "loc"),
    [
        ({"method": "GET", "url": "/items", "params": {"offset": LONG}}, ["query", "offset"]),
        ({"method": "POST", "url": "/items/load", "json": {"path": LONG}}, ["body", "path"]),
        ({"method": "POST", "url": "/items/load", "json": {"path": [LONG]}}, ["body", "path"]),
        # A missing field's input is the whole body.
        ({"method": "POST", "url": "/items/load", "json": {"other": LONG}}, ["body", "path"]),
    ],
    ids=["query", "string", "list", "whole-body"],
)
async def test_validation_errors_quote_only_the_start_of_the_input(
    client: httpx.AsyncClient, request_args: dict[str, Any], loc: list[str]
) -> None:
    response = await client.request(**request_args)
    assert response.status_code == 422
    assert len(response.content) < SMALL
    Problem.model_validate_json(response.content)
    # Still FastAPI's shape: a list of errors, each saying where, what, and the input's start.
    [error] = response.json()["detail"]
    assert error["loc"] == loc
    assert {"type", "msg", "input"} <= error.keys()
    assert "xxxxxxxxxx" in str(error["input"])


def test_record_errors_quote_only_the_start_of_the_input() -> None:
    # A dict's key is the client's own text, and pydantic names it in the location.
    with pytest.raises(ValidationError) as caught:
        TypeAdapter(dict[str, int]).validate_python({"k" * 100_000: "not a number"})
    reason = describe_invalid(caught.value)
    assert reason.startswith("kkkkkkkkkk")
    assert len(reason) < 300


async def test_unknown_job_ids_are_quoted_short(client: httpx.AsyncClient) -> None:
    response = await client.get(f"/jobs/{'f' * 10_000}")
    assert response.status_code == 404
    assert len(response.json()["detail"]) < 200


@pytest.mark.parametrize(
    ("store", "field", "error"),
    [
        (MilvusStore, "milvus", MilvusException(message=DRIVER_MESSAGE)),
        (MetadataStore, "metadata", OperationalError("SELECT 1", {}, Exception(DRIVER_MESSAGE))),
    ],
    ids=["milvus", "metadata"],
)
async def test_health_says_which_store_is_down_and_logs_why(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    store: type,
    field: str,
    error: Exception,
) -> None:
    monkeypatch.setattr(store, "ping", failing(error))
    with caplog.at_level(logging.WARNING):
        response = await client.get("/health")
    assert response.status_code == 503
    report = response.json()
    assert (report["status"], report[field]) == ("degraded", "down")
    assert DRIVER_MESSAGE not in response.text
    assert DRIVER_MESSAGE in caplog.text


@pytest.mark.parametrize(
    ("store", "method", "error", "url", "detail"),
    [
        (
            MilvusStore,
            "count",
            MilvusException(message=DRIVER_MESSAGE),
            "/items/count",
            "Milvus is unavailable",
        ),
        (
            MetadataStore,
            "get_items",
            OperationalError("SELECT 1", {}, Exception(DRIVER_MESSAGE)),
            "/items/1",
            "the metadata store is unavailable",
        ),
    ],
    ids=["milvus", "metadata"],
)
async def test_a_store_outage_is_a_503_that_names_only_the_store(
    client: httpx.AsyncClient,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    store: type,
    method: str,
    error: Exception,
    url: str,
    detail: str,
) -> None:
    monkeypatch.setattr(store, method, failing(error))
    with caplog.at_level(logging.WARNING):
        response = await client.get(url)
    assert response.status_code == 503
    assert response.json() == {"detail": detail}
    assert DRIVER_MESSAGE in caplog.text


@pytest.mark.parametrize(
    ("path", "reason"), [("x" * 300, "too long"), ("a\0b", "null byte")], ids=["long", "nul"]
)
async def test_paths_the_system_cannot_open_get_400(
    client: httpx.AsyncClient, path: str, reason: str
) -> None:
    response = await client.post("/items/load", json={"path": path})
    assert response.status_code == 400
    detail = response.json()["detail"]
    assert "is not a path the server can open" in detail
    assert reason in detail
    assert len(detail) < 200


async def test_a_link_out_of_the_data_root_is_refused(
    settings: Settings, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    secret = tmp_path / "passwd"
    secret.write_text(SECRET, encoding="utf-8")
    (root / "only-link").mkdir(parents=True)
    (root / "only-link" / "passwd").symlink_to(secret)
    write_files(root / "mixed", UPLOAD)
    (root / "mixed" / "zz-passwd").symlink_to(secret)
    async with running_app(settings.model_copy(update={"data_root": root}), encoder) as client:
        for folder, link in [("only-link", "passwd"), ("mixed", "zz-passwd")]:
            response = await client.post("/items/load", json={"path": folder})
            assert response.status_code == 422, response.text
            assert response.json() == {"detail": f"{folder}/{link} leads outside the data folder"}
        assert await counts(client) == {"milvus": 0, "metadata": 0}


async def test_links_within_the_data_root_still_load(
    settings: Settings, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    root = tmp_path / "data"
    write_files(root / "kept", UPLOAD)
    (root / "batch").mkdir()
    for name, _ in UPLOAD:
        (root / "batch" / name).symlink_to(root / "kept" / name)
    async with running_app(settings.model_copy(update={"data_root": root}), encoder) as client:
        response = await client.post("/items/load", json={"path": "batch"})
        assert response.status_code == 202, response.text
        job = await wait_for_job(client, response.json()["job_id"])
        assert job["loaded"] == 2


async def test_vectors_without_metadata_do_not_crowd_stored_items_out_of_a_search(
    settings: Settings, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    services = await open_services(settings, encoder)
    try:
        job = await services.ingestor.load_now(
            "upload", "upload", parse_files(source_files(UPLOAD), settings)
        )
        stored = await services.metadata.list_ids()
        assert job.loaded == len(stored) == 2
        query = cli_query(tmp_path)
        vector = encoder.encode_query(SearchRequest.of(query).encoder_input())
        # What a drop or a delete caught halfway leaves: vectors nearer the query than any
        # stored item, more of them than one search asks Milvus for at first.
        orphans = range(10**9, 10**9 + 30)
        await services.milvus.insert(orphans, [[vector]] * len(orphans))
        for top_k in (1, 2, 5):
            hits = await services.searcher.search(SearchRequest.of(query, top_k=top_k))
            assert {hit.id for hit in hits} <= stored
            assert len(hits) == min(top_k, len(stored))
    finally:
        await close_services(services)


# Small limits, so that a body over them is cheap to send.
LIMITS = {"max_upload_bytes": 3000, "max_json_bytes": 1000}
# Each kind of body: a route that takes it, its content type, the start of a body of its kind,
# and how the refusal names the kind and its limit (an upload's form may add the JSON limit).
BODIES = [
    ("/items/load", "application/json", b'{"path": "', "a JSON body", 1000),
    (
        "/items",
        "multipart/form-data; boundary=b",
        b'--b\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\n',
        "an upload",
        4000,
    ),
]


class Body:
    """A request body sent in chunks as the app asks for them, counting what it sent."""

    def __init__(self, start: bytes, size: int) -> None:
        self.start, self.size, self.sent = start, size, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        chunk = self.start
        while self.sent < self.size:
            self.sent += len(chunk)
            yield chunk
            chunk = b"x" * 256


@pytest.mark.parametrize(("path", "content_type", "start", "kind", "limit"), BODIES)
async def test_a_body_declared_too_large_is_refused_before_it_is_read(
    lite_settings: Settings, path: str, content_type: str, start: bytes, kind: str, limit: int
) -> None:
    body = Body(start, 10 * limit)
    headers = {"content-type": content_type, "content-length": str(body.size)}
    async with unstarted_app(lite_settings.model_copy(update=LIMITS)) as client:
        response = await client.post(path, content=body, headers=headers)
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"the request body ({body.size:,} bytes) is larger than the limit of "
        f"{limit:,} bytes for {kind}"
    }
    assert body.sent == 0


@pytest.mark.parametrize(("path", "content_type", "start", "kind", "limit"), BODIES)
async def test_a_streamed_body_is_cut_off_at_the_limit(
    lite_settings: Settings, path: str, content_type: str, start: bytes, kind: str, limit: int
) -> None:
    body = Body(start, 100 * limit)  # no Content-Length: sent chunked
    async with unstarted_app(lite_settings.model_copy(update=LIMITS)) as client:
        response = await client.post(path, content=body, headers={"content-type": content_type})
    assert response.status_code == 413
    assert response.json() == {
        "detail": f"the request body is larger than the limit of {limit:,} bytes for {kind}"
    }
    assert body.sent <= limit + 256


WRITES = {"post", "put", "patch", "delete"}
# What a route answers that its schema does not show: a path parameter names something that may
# not exist (404), a body may be unreadable (400), too large (413) or invalid (422), parameters
# invalid (422), a write come from another site's page (403), the API key be wrong (401), and
# every route but these reads a store that may be down (503).
READS_NO_STORE = {("get", "/demo")}
OWN_PROBLEMS = {
    ("post", "/items"): {409, 429},  # a reindex builds; as many loads as may be are running
    ("post", "/items/load"): {404, 409, 429},  # no such file
    ("post", "/items/sample"): {409, 413, 422, 429},  # the sample data is missing or too large
    ("delete", "/items/{item_id}"): {409},  # the item's load job is running
    ("delete", "/collection"): {409},  # a load job or a reindex is running
    ("post", "/admin/consistency/repair"): {409},  # a load job is running
    ("post", "/admin/reindex"): {409},  # a load job or another reindex is running
}
# Answers with a status of an error whose body is a report, not a Problem.
REPORTS = {("get", "/health", "503"): "Health"}


def expected_problems(method: str, path: str, operation: dict[str, Any]) -> set[int]:
    expected = set(OWN_PROBLEMS.get((method, path), set()))
    if "{" in path:
        expected.add(404)
    if "requestBody" in operation:
        expected |= {400, 413, 422}
    if operation.get("parameters"):
        expected.add(422)
    if method in WRITES:
        expected.add(403)
    if "security" in operation:
        expected.add(401)
    if (method, path) not in READS_NO_STORE:
        expected.add(503)
    return expected


async def test_every_error_a_route_answers_is_declared_with_one_model(
    lite_settings: Settings,
) -> None:
    async with unstarted_app(lite_settings) as client:
        spec = (await client.get("/openapi.json")).json()
        foreign = await client.post("/search", headers={"origin": "https://elsewhere.example"})
        too_large = await client.post("/search", content=b"x" * (lite_settings.max_json_bytes + 1))
    for method, path, operation in (
        (method, path, operation)
        for path, methods in spec["paths"].items()
        for method, operation in methods.items()
    ):
        responses = operation["responses"]
        declared = {int(status) for status in responses if int(status) >= 400}
        assert declared == expected_problems(method, path, operation), (method, path)
        for status in declared:
            schema = responses[str(status)]["content"]["application/json"]["schema"]
            model = REPORTS.get((method, path, str(status)), "Problem")
            assert schema["$ref"] == f"#/components/schemas/{model}", (method, path, status)
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    assert (foreign.status_code, too_large.status_code) == (403, 413)
    for response in (foreign, too_large):
        Problem.model_validate_json(response.content)


async def test_a_load_beyond_the_limits_is_refused_and_starts_nothing(
    lite_settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    settings = lite_settings.model_copy(update={"max_items_per_job": 2, "max_running_jobs": 1})
    upload = [("file", named) for named in UPLOAD]
    async with running_app(settings, encoder) as client:
        too_many_items = await client.post("/items", files=upload)
        assert too_many_items.status_code == 413
        assert too_many_items.json()["detail"].endswith(
            " holds 3 items; one load may hold 2 (MAX_ITEMS_PER_JOB): split it"
        )
        # Another process's load, still queued.
        other = await MetadataStore.open(settings, item_columns)
        try:
            await other.create_job(new_job("upload", "elsewhere", 10, [], chunks=1))
            busy = await client.post("/items/sample")
        finally:
            await other.close()
        assert busy.status_code == 429
        assert busy.headers["retry-after"] == "60"
        assert busy.json() == {
            "detail": "1 load job(s) queued or running, as many as may be at once "
            "(MAX_RUNNING_JOBS): try again when one has finished"
        }
        assert await counts(client) == {"milvus": 0, "metadata": 0}
