"""The metadata tables come from Alembic revisions: `db upgrade` makes them, from nothing or from
an older schema, without losing a row; a process on an old schema refuses in one line."""

import asyncio
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Column, Connection, MetaData, String, inspect, text

import {{ cookiecutter.package_name }} as package
from {{ cookiecutter.package_name }}.cli import main
from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.database import open_engine
from {{ cookiecutter.package_name }}.encoders import Encoder
from {{ cookiecutter.package_name }}.metadata_store import MetadataStore
from {{ cookiecutter.package_name }}.migrations import (
    SchemaError,
    ensure_current,
    head,
    upgrade,
    version_table,
)
from {{ cookiecutter.package_name }}.milvus_store import MilvusStore
from {{ cookiecutter.package_name }}.records import (
    VECTORS_PER_ITEM,
    EncoderInput,
    item_columns,
    parse_files,
)

from examples import UPLOAD
from helpers import multipart, records_of, running_app, source_files, wait_for_job

# What a later version adds: a revision, and the item column it makes in the models.
ADD_A_NOTE = '''"""Items get a note."""

import sqlalchemy as sa
from alembic import op

from {package}.migrations import prefixed

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        prefixed("items"), sa.Column("note", sa.String(200), nullable=False, server_default="")
    )


def downgrade() -> None:
    op.drop_column(prefixed("items"), "note")
'''


Columns = Callable[[], Sequence[Column[Any]]]


def with_a_note() -> list[Column[Any]]:
    return [*item_columns(), Column("note", String(200), nullable=False, server_default="")]


def store_without_checks(settings: Settings, columns: Columns = item_columns) -> MetadataStore:
    """A store on the database as it is: `MetadataStore.open` would check the schema first."""
    return MetadataStore(open_engine(settings), columns, settings.table_prefix)


async def model_differences(settings: Settings, columns: Columns = item_columns) -> list[Any]:
    """What `alembic revision --autogenerate` would write to make the database's tables the
    models' (with these item columns)."""
    store = store_without_checks(settings, columns)
    try:
        return await _differences(settings, store.metadata)
    finally:
        await store.close()


async def _differences(settings: Settings, metadata: MetaData) -> list[Any]:
    engine = open_engine(settings)
    try:
        async with engine.connect() as conn:
            differences: list[Any] = await conn.run_sync(_compare, settings, metadata)
    finally:
        await engine.dispose()
    return differences


def _compare(connection: Connection, settings: Settings, metadata: MetaData) -> list[Any]:
    def ours(name: str | None, kind: str, parents: Any) -> bool:
        # On a server other tests' tables share the database, under other prefixes.
        return kind != "table" or bool(name and name.startswith(settings.table_prefix))

    opts = {"version_table": version_table(settings), "include_name": ours}
    return list(compare_metadata(MigrationContext.configure(connection, opts=opts), metadata))


async def table_names(settings: Settings) -> set[str]:
    engine = open_engine(settings)
    try:
        async with engine.connect() as conn:
            names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await engine.dispose()
    return {name for name in names if name.startswith(settings.table_prefix)}


async def test_upgrade_from_empty_creates_the_tables_at_head(settings: Settings) -> None:
    done = await upgrade(settings)
    assert (done.before, done.after) == (None, head(settings))
    prefix = settings.table_prefix
    assert await table_names(settings) == {
        f"{prefix}{name}"
        for name in ("items", "jobs", "job_chunks", "collections", "alembic_version")
    }
    again = await upgrade(settings)
    assert (again.before, again.after) == (head(settings), head(settings))


async def test_the_migrations_make_exactly_the_models_tables(settings: Settings) -> None:
    await upgrade(settings)
    assert await model_differences(settings) == []


async def test_processes_upgrading_at_once_upgrade_once(settings: Settings) -> None:
    done = await asyncio.gather(*(upgrade(settings) for _ in range(4)))
    assert sorted((d.before or "", d.after) for d in done) == [
        ("", head(settings)),
        *[(head(settings), head(settings))] * 3,
    ]


async def test_ids_are_never_reused(settings: Settings) -> None:
    # SQLite hands a deleted newest id out again unless the table says AUTOINCREMENT: a
    # vector left behind under that id would attach to the new item.
    records = records_of(parse_files(source_files(UPLOAD), settings), settings)
    store = await MetadataStore.open(settings, item_columns)
    try:
        first = await store.add_items("job1", records)
        await store.delete_items([max(first)])
        second = await store.add_items("job2", records)
    finally:
        await store.close()
    assert min(second) > max(first)


async def test_tables_made_before_migrations_are_refused_then_adopted(
    lite_settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """A database that create_all made, before this project had migrations: every process
    refuses it until `db upgrade` records it at the first revision (its tables are that one's)."""
    settings = lite_settings
    records = records_of(parse_files(source_files(UPLOAD), settings), settings)
    engine = open_engine(settings)
    old = MetadataStore(engine, item_columns, settings.table_prefix)
    # The tables there were then: `collections` came with revision 0002.
    first = [old.items, old.jobs, old.chunks]
    async with engine.begin() as conn:
        await conn.run_sync(lambda sync: old.metadata.create_all(sync, tables=first))
    await old.add_items("job1", records)
    await old.close()
    use_settings(monkeypatch, settings, tmp_path)

    assert await asyncio.to_thread(main, ["count"]) == 2
    assert capsys.readouterr().err == (
        "error: the database schema is at revision none (tables made before migrations), this "
        f"version needs {head(settings)}: run {package.__name__} db upgrade\n"
    )
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert capsys.readouterr().out == (
        f"database schema upgraded from revision none to {head(settings)}\n"
    )
    store = await MetadataStore.open(settings, item_columns)
    try:
        assert await store.count_items() == len(records)
    finally:
        await store.close()


async def test_a_schema_newer_than_the_code_is_refused(lite_settings: Settings) -> None:
    """After a rollback of the code, say: the database is at a revision this version lacks."""
    settings = lite_settings
    await upgrade(settings)
    engine = open_engine(settings)
    async with engine.begin() as conn:
        await conn.execute(text(f"UPDATE {version_table(settings)} SET version_num = '9999'"))
    await engine.dispose()
    with pytest.raises(SchemaError, match=r"^the database schema is at revision 9999, which this"):
        await MetadataStore.open(settings, item_columns)


# What the command line needs to find the stores a test's settings name.
SHARED_SETTINGS = ("database_url", "table_prefix", "milvus_uri", "collection")


def use_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings, folder: Path) -> None:
    """The command line reads its settings from the environment (and a .env file, which
    `folder` lacks): give it these."""
    prefix = package.__name__.upper() + "_"
    for name in SHARED_SETTINGS:
        monkeypatch.setenv(prefix + name.upper(), str(getattr(settings, name)))
    monkeypatch.chdir(folder)


def later_version(folder: Path) -> Path:
    """This project's package with one more revision: the `src` folder of a later version."""
    source = folder / "src"
    shutil.copytree(
        Path(package.__file__).parent,
        source / package.__name__,
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    versions = source / package.__name__ / "migrations" / "versions"
    (versions / "v0003_add_a_note.py").write_text(ADD_A_NOTE.format(package=package.__name__))
    return source


def run_version(
    source: Path, settings: Settings, *command: str
) -> subprocess.CompletedProcess[str]:
    """A command of the version whose package is under `source`, on these settings' stores."""
    prefix = package.__name__.upper() + "_"
    environment = {
        **os.environ,
        "PYTHONPATH": str(source),
        **{prefix + name.upper(): str(getattr(settings, name)) for name in SHARED_SETTINGS},
    }
    return subprocess.run(
        [sys.executable, "-m", package.__name__, *command],
        cwd=source,  # no .env there
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


async def test_db_upgrade_adds_an_item_column_and_keeps_every_item_and_job(
    settings: Settings, encoder: Encoder[EncoderInput], tmp_path: Path
) -> None:
    """The acceptance test: a service with data, then a later version that adds an item
    column, applied by that version's `db upgrade`."""
    async with running_app(settings, encoder) as client:
        jobs = []
        for _ in range(2):
            response = await client.post("/items", files=multipart(UPLOAD))
            assert response.status_code == 202, response.text
            jobs.append((await wait_for_job(client, response.json()["job_id"]))["id"])
    store = await MetadataStore.open(settings, item_columns)
    items = await store.list_items(0, 1000)
    before = [await store.get_job(job) for job in jobs]
    await store.close()
    assert items
    vectors = await milvus_count(settings, encoder)
    assert await model_differences(settings, with_a_note)  # the compare sees a missing column

    later = later_version(tmp_path / "later")
    # Before its `db upgrade`, the later version refuses to run on the older schema.
    refused = run_version(later, settings, "count")
    assert (refused.returncode, refused.stderr) == (
        2,
        f"error: the database schema is at revision {head(settings)}, this version needs 0003: "
        f"run {package.__name__} db upgrade\n",
    )
    result = run_version(later, settings, "db", "upgrade")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"database schema upgraded from revision {head(settings)} to 0003\n"

    upgraded = store_without_checks(settings, with_a_note)
    try:
        assert await upgraded.list_items(0, 1000) == [{**item, "note": ""} for item in items]
        assert [await upgraded.get_job(job) for job in jobs] == before
        assert await model_differences(settings, with_a_note) == []
    finally:
        await upgraded.close()
    assert await milvus_count(settings, encoder) == vectors
    # This version does not know the new revision: it refuses to run on it.
    with pytest.raises(SchemaError, match="at revision 0003, which this version does not know"):
        await ensure_current(settings)


async def milvus_count(settings: Settings, encoder: Encoder[EncoderInput]) -> int:
    milvus = await MilvusStore.open(settings, encoder, VECTORS_PER_ITEM)
    try:
        return await milvus.count()
    finally:
        await milvus.close()
