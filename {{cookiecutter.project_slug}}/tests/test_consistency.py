"""check and repair, on drift made on purpose: through the admin endpoint and the CLI."""

import asyncio

import httpx
import pytest

from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.encoders import Encoder, EncodingError
from {{ cookiecutter.package_name }}.records import EncoderInput, parse_files
from {{ cookiecutter.package_name }}.services import close_services, open_services

from examples import ENCODER_INPUTS, UPLOAD
from helpers import running_app, source_files, wait_for_job

ORPHAN_VECTOR_ID = 10**9


async def make_drift(settings: Settings, encoder: Encoder[EncoderInput]) -> tuple[int, int]:
    """Load the upload, then give each store an id the other lacks; return (orphan, lost)."""
    services = await open_services(settings, encoder)
    try:
        job = await services.ingestor.load_now(
            "upload", "upload", parse_files(source_files(UPLOAD), settings)
        )
        assert job.loaded == 2
        [vector] = encoder.encode_batch(ENCODER_INPUTS[:1])
        assert not isinstance(vector, EncodingError)
        await services.milvus.insert([ORPHAN_VECTOR_ID], [[vector]])
        lost = min(await services.metadata.list_ids())
        await services.milvus.delete([lost])
        await services.milvus.flush()
    finally:
        await close_services(services)
    return ORPHAN_VECTOR_ID, lost


async def test_the_endpoint_reports_and_repairs_drift(
    settings: Settings, encoder: Encoder[EncoderInput]
) -> None:
    orphan, lost = await make_drift(settings, encoder)
    async with running_app(settings, encoder) as client:
        report = (await client.get("/admin/consistency")).json()
        assert report["only_in_milvus_ids"] == [orphan]
        assert report["only_in_metadata_ids"] == [lost]
        assert report["repaired"] is False

        repaired = await client.post("/admin/consistency/repair")
        assert repaired.status_code == 200, repaired.text
        assert repaired.json()["repaired"] is True

        after = (await client.get("/admin/consistency")).json()
        assert (after["only_in_milvus"], after["only_in_metadata"]) == (0, 0)
        assert after["milvus"] == after["metadata"] == 1
        assert (await client.get(f"/items/{lost}")).status_code == 404


async def test_repair_waits_for_running_jobs(client: httpx.AsyncClient) -> None:
    accepted = await client.post("/items/sample")
    refused = await client.post("/admin/consistency/repair")
    assert refused.status_code == 409
    assert "queued or running" in refused.json()["detail"]
    await wait_for_job(client, accepted.json()["job_id"])


async def test_the_cli_checks_and_repairs(
    settings: Settings,
    encoder: Encoder[EncoderInput],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    orphan, lost = await make_drift(settings, encoder)
    prefix = "{{ cookiecutter.package_name|upper }}_"
    for name, value in settings.model_dump(mode="json").items():
        if value is not None and isinstance(value, str | int):
            monkeypatch.setenv(prefix + name.upper(), str(value))
    # The CLI runs its own event loop: give it a thread of its own.
    assert await asyncio.to_thread(main, ["check"]) == 1
    out = capsys.readouterr().out
    assert f'"only_in_milvus_ids": [\n    {orphan}\n  ]' in out
    assert f'"only_in_metadata_ids": [\n    {lost}\n  ]' in out
    assert await asyncio.to_thread(main, ["repair"]) == 0
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["check"]) == 0
    assert '"only_in_metadata": 0' in capsys.readouterr().out
