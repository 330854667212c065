"""`reindex`: every item encoded again into a new collection while the old one serves, then
the switch; the old encoder is refused afterwards, as the new one was before."""

import asyncio
import os
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import httpx
import pytest

import {{ cookiecutter.package_name }}
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder, EncodingError, Vector, identity
from {{ cookiecutter.package_name }}.ingest import encode_items, new_job
from {{ cookiecutter.package_name }}.metadata_store import MetadataStore, ReindexRunningError
from {{ cookiecutter.package_name }}.milvus_store import SchemaMismatchError, identity_mismatch
from {{ cookiecutter.package_name }}.records import EncoderInput, item_columns
from {{ cookiecutter.package_name }}.services import close_services, open_services, reindex_stores

from examples import UPLOAD, search
from helpers import counts, multipart, running_app, wait_for_job
from servers import free_port


class Renamed:
    """The demo's encoder under another identity: the vectors are the same, so what a search
    finds before and after the reindex can be compared."""

    def __init__(self, encoder: Encoder[EncoderInput]) -> None:
        self._encoder = encoder
        self.dim = encoder.dim
        self.metric = encoder.metric
        self.vector_type = encoder.vector_type
        self.cheap = encoder.cheap
        self.model_id = f"{encoder.model_id} renamed"

    def encode_batch(self, inputs: Sequence[EncoderInput]) -> list[Vector | EncodingError]:
        return self._encoder.encode_batch(inputs)

    def encode_query(self, query: EncoderInput) -> Vector:
        return self._encoder.encode_query(query)


async def load_upload(client: httpx.AsyncClient) -> None:
    response = await client.post("/items", files=multipart(UPLOAD))
    assert response.status_code == 202, response.text
    assert (await wait_for_job(client, response.json()["job_id"]))["state"] == "succeeded"


def found(response: httpx.Response) -> list[tuple[int, float]]:
    assert response.status_code == 200, response.text
    return [(hit["id"], hit["score"]) for hit in response.json()["results"]]


async def test_reindex_moves_every_item_to_another_encoder(
    lite_settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    """The acceptance test: a service with data, then ENCODER changed (the same model under
    another identity): refused in one line naming reindex; after `reindex` the new encoder
    serves every item, finding what the old one found, and the old one is refused."""
    settings, renamed = lite_settings, Renamed(encoder)
    async with running_app(settings, encoder) as client:
        await load_upload(client)
        before = found(await client.post("/search", **search()))
        loaded = await counts(client)
    assert before
    assert loaded["milvus"] == loaded["metadata"] > 0

    with pytest.raises(SchemaMismatchError, match="reindex") as refused:
        await open_services(settings, renamed)
    assert identity(renamed) in str(refused.value)
    assert identity(encoder) in str(refused.value)

    progress: list[tuple[int, int]] = []
    done = await reindex_stores(settings, lambda *moved: progress.append(moved), loaded=renamed)
    assert (done.collection, done.replaced) == (f"{settings.collection}_2", settings.collection)
    assert done.replaced_dropped
    assert done.items == loaded["metadata"]
    assert progress[-1] == (loaded["metadata"], loaded["metadata"])

    async with running_app(settings, renamed) as client:
        assert found(await client.post("/search", **search())) == before
        assert await counts(client) == loaded
        report = (await client.get("/admin/consistency")).json()
        assert (report["only_in_milvus"], report["only_in_metadata"]) == (0, 0)
    await each_item_finds_itself(settings, renamed)
    with pytest.raises(SchemaMismatchError, match="reindex"):
        await open_services(settings, encoder)
    # The metadata store records the new encoder too: it refuses the old one by itself.
    store = await MetadataStore.open(settings, item_columns)
    try:
        record = await store.get_collection(settings.collection)
    finally:
        await store.close()
    assert record is not None
    assert (record.active, record.identity) == (done.collection, identity(renamed))


async def test_serve_refuses_another_encoder_in_one_line(
    lite_settings: Settings, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    """`serve` with ENCODER changed under a collection: the refusal is one line, no traceback."""
    settings, renamed = lite_settings, Renamed(encoder)
    await close_services(await open_services(settings, renamed))  # the collection's encoder
    prefix = "{{ cookiecutter.package_name|upper }}_"
    environment = {
        **os.environ,
        "PYTHONPATH": str(Path({{ cookiecutter.package_name }}.__file__).parents[1]),
        **{prefix + name.upper(): str(getattr(settings, name)) for name in SERVE_SETTINGS},
    }
    served = await asyncio.to_thread(
        subprocess.run,
        [sys.executable, "-m", "{{ cookiecutter.package_name }}", "serve", "--port", str(free_port())],
        cwd=tmp_path,  # no .env here
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert served.returncode == 3, served.stderr  # uvicorn's code for a failed start-up
    assert "Traceback" not in served.stderr
    refusal = identity_mismatch(settings.collection, identity(renamed), identity(encoder))
    assert [line for line in served.stderr.splitlines() if line.startswith("ERROR")] == [
        f"ERROR:    {refusal}",
        "ERROR:    Application startup failed. Exiting.",
    ]


# What `serve` needs to find the stores a test's settings name.
SERVE_SETTINGS = ("milvus_uri", "database_url", "table_prefix", "collection", "data_root")


async def each_item_finds_itself(settings: Settings, encoder: Encoder[EncoderInput]) -> None:
    """Every stored item, encoded again, is found first (or tied first) by its own vector."""
    services = await open_services(settings, encoder)
    try:
        items = await services.metadata.list_items(0, 1000)
        tasks = [(item["id"], str(item["id"]), item) for item in items]
        encoded = await asyncio.to_thread(encode_items, tasks, encoder, settings)
        assert not encoded.errors
        for (item_id, _), vectors in zip(encoded.records, encoded.vectors, strict=True):
            matches = await services.milvus.search(vectors[0], len(items))
            mine = next(match for match in matches if match.id == item_id)
            assert mine.score == matches[0].score
    finally:
        await close_services(services)


async def test_searches_answer_while_the_service_reindexes(
    lite_settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    """The admin endpoint rebuilds beside the collection that serves: a search at any moment
    finds what it found before."""
    settings = lite_settings.model_copy(update={"batch_size": 1})
    async with running_app(settings, encoder) as client:
        await load_upload(client)
        before = found(await client.post("/search", **search()))
        reindexing = asyncio.create_task(client.post("/admin/reindex"))
        answered = 0
        while not reindexing.done():
            assert found(await client.post("/search", **search())) == before
            answered += 1
        response = await reindexing
        assert response.status_code == 200, response.text
        assert response.json()["collection"] == f"{settings.collection}_2"
        assert answered > 0
        assert found(await client.post("/search", **search())) == before
        loaded = await counts(client)
        assert loaded["milvus"] == loaded["metadata"] == response.json()["items"]


async def test_loads_and_a_second_reindex_are_refused_while_one_builds(
    lite_settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    settings = lite_settings
    async with running_app(settings, encoder) as client:
        await load_upload(client)
        # A reindex in another process (on a server), as the metadata store records it.
        other = await MetadataStore.open(settings, item_columns)
        try:
            await other.start_building(settings.collection)
            refused = await client.post("/items", files=multipart(UPLOAD))
            assert refused.status_code == 409, refused.text
            assert "a reindex into" in refused.json()["detail"]
            second = await client.post("/admin/reindex")
            assert second.status_code == 409
            assert "--restart" in second.json()["detail"]
            with pytest.raises(ReindexRunningError):
                await other.start_building(settings.collection)
            taken_over = await client.post("/admin/reindex", params={"restart": True})
            assert taken_over.status_code == 200, taken_over.text
        finally:
            await other.close()
        await load_upload(client)  # loads go on once it has switched
        loaded = await counts(client)
        assert loaded["milvus"] == loaded["metadata"]


async def test_a_reindex_waits_for_loads(
    lite_settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    """While a load job is unfinished, reindex is refused and the collection stays as it was."""
    settings = lite_settings
    async with running_app(settings, encoder) as client:
        await load_upload(client)
        store = await MetadataStore.open(settings, item_columns)
        try:
            await store.create_job(new_job("test", "unfinished", 1, [], 1))
            refused = await client.post("/admin/reindex")
            assert refused.status_code == 409, refused.text
            assert "load job(s) queued or running" in refused.json()["detail"]
            record = await store.get_collection(settings.collection)
            assert record is not None
            assert (record.active, record.building) == (settings.collection, None)
        finally:
            await store.close()
