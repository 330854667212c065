"""The API against its own OpenAPI schema: schemathesis generates requests from the schema,
ones it allows and ones it does not, and every answer must be one the schema declares: no 5xx,
and each status, content type, header and body as declared for its route.

The run is bounded (a few cases per operation and kind) and derandomized: the same cases each
time, in seconds. It guards the contract; it does not hunt for days. It runs the app in process
on Milvus Lite and SQLite, in a throwaway folder whose data root holds the example upload, twice:

- without an API key: every operation, with the ones that delete run last (a drop empties
  the store the item routes read). The sample load is left out: each case would start the
  demo's whole sample, and the API tests load it already.
- with a key set and not sent (schemathesis sends a wrong one, or none): only the operations
  that need it, each of which must refuse, leaving both stores as they were.
"""

import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from pydantic import SecretStr
from schemathesis import Case, GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.openapi import from_asgi
from schemathesis.python import asgi
from schemathesis.schemas import APIOperation, BaseSchema
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.main import create_app
from {{ cookiecutter.package_name }}.records import EncoderInput

from examples import UPLOAD
from helpers import FINISHED, JOB_TIMEOUT, multipart, write_files

Operation = APIOperation[Any, Any, Any, Any]
FuzzCase = Case[Operation]

KEY = "fuzz-key"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Cases per operation and kind (valid, invalid): enough to reach every status this API
# declares, few enough for seconds. A drop recreates the collection, half a second each.
EXAMPLES = 10
FEWER = {("DELETE", "/collection"): 2}
# Deleting last: what empties the store runs after everything that reads it.
LAST = [("DELETE", "/items/{item_id}"), ("DELETE", "/collection")]
LEFT_OUT = {("POST", "/items/sample")}


@dataclass
class Fuzzed:
    schema: BaseSchema
    client: requests.Session
    key: str | None
    item_ids: list[int]


def name(operation: Operation) -> tuple[str, str]:
    return operation.method.upper(), operation.path


def needs_key(operation: Operation) -> bool:
    return bool(operation.definition.raw.get("security"))


def store_upload(client: requests.Session, headers: dict[str, str]) -> None:
    """Store the example upload, so that item routes find items."""
    response = client.post("/items", files=multipart(UPLOAD), headers=headers)
    assert response.status_code == 202, response.text
    deadline = time.monotonic() + JOB_TIMEOUT
    while time.monotonic() < deadline:
        job = client.get(f"/jobs/{response.json()['job_id']}").json()
        if job["state"] in FINISHED:
            assert job["state"] == "succeeded", job
            return
        time.sleep(0.05)
    raise AssertionError(f"the upload did not finish in {JOB_TIMEOUT} s")


@pytest.fixture(params=[None, KEY], ids=["open", "keyed"])
def fuzzed(
    request: pytest.FixtureRequest,
    lite_settings: Settings,
    tmp_path: Path,
    encoder: Encoder[EncoderInput],
) -> Iterator[Fuzzed]:
    """A running app, its schema, and a client: the same in-process transport the fuzzer
    uses, so the app's stores open once, on the event loop every request runs on."""
    key: str | None = request.param
    data_root = write_files(tmp_path / "data", UPLOAD)
    api_key = SecretStr(key) if key else None
    app = create_app(
        lite_settings.model_copy(update={"data_root": data_root, "api_key": api_key}),
        encoder=encoder,
    )
    try:
        # schemathesis types an ASGI app's messages as dicts, Starlette as mutable mappings.
        with asgi.get_client(app) as client:  # type: ignore[arg-type]
            store_upload(client, {"X-API-Key": key} if key else {})
            item_ids = [item["id"] for item in client.get("/items").json()]
            yield Fuzzed(from_asgi("/openapi.json", app), client, key, item_ids)
    finally:
        asgi.shutdown_lifespans()


def operations(fuzzed: Fuzzed) -> list[Operation]:
    """What to fuzz, in the order to fuzz it."""
    found = [operation for methods in fuzzed.schema.values() for operation in methods.values()]
    if fuzzed.key is not None:
        return [operation for operation in found if needs_key(operation)]
    kept = [operation for operation in found if name(operation) not in LEFT_OUT]
    return sorted(kept, key=lambda op: LAST.index(name(op)) + 1 if name(op) in LAST else 0)


def cases(
    operation: Operation, mode: GenerationMode, item_ids: list[int]
) -> st.SearchStrategy[FuzzCase]:
    generated = operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.NEGATIVE or "item_id" not in operation.path_parameters:
        return generated
    # A generated id names no stored item: half the valid cases name one that does.
    stored = [operation.as_strategy(path_parameters={"item_id": id_}) for id_ in item_ids]
    return st.one_of(generated, st.one_of(stored))


def fuzz(operation: Operation, item_ids: list[int], send: Callable[[FuzzCase], None]) -> None:
    """Send the operation's valid cases, then its invalid ones."""
    bounded = settings(
        max_examples=FEWER.get(name(operation), EXAMPLES),
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

        @bounded
        @given(cases(operation, mode, item_ids))
        def run(case: FuzzCase) -> None:
            send(case)

        try:
            run()
        except Unsatisfiable:
            # No invalid value exists: the operation takes nothing, or only free text.
            if mode is GenerationMode.POSITIVE:
                raise


def test_every_answer_is_one_the_schema_declares(fuzzed: Fuzzed) -> None:
    statuses: Counter[int] = Counter()

    def send(case: FuzzCase) -> None:
        response = case.call()
        statuses[response.status_code] += 1
        case.validate_response(response, checks=CHECKS)
        if fuzzed.key is not None:
            assert response.status_code >= 400, f"{case.operation.label} ran without the key"

    stored = fuzzed.client.get("/items/count").json()
    started = time.monotonic()
    fuzzing = operations(fuzzed)
    for operation in fuzzing:
        fuzz(operation, fuzzed.item_ids, send)
    server_errors = sum(count for status, count in statuses.items() if status >= 500)
    print(
        f"fuzzed {len(fuzzing)} operations ({'API key set' if fuzzed.key else 'no API key'}): "
        f"{statuses.total()} cases in {time.monotonic() - started:.1f} s, "
        f"5xx found: {server_errors}; statuses {dict(sorted(statuses.items()))}"
    )
    assert server_errors == 0
    if fuzzed.key is not None:
        assert fuzzed.client.get("/items/count").json() == stored
