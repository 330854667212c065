"""The metadata tables' schema, versioned by Alembic: `db upgrade` brings a database to head.

The revisions live in versions/; the first is this demo's schema as it was when migrations
began. Each names its tables through `prefixed`, so one revision serves every TABLE_PREFIX, and
the version table is `<prefix>alembic_version`. Alembic is configured here from Settings: no
alembic.ini.

An upgrade holds a lock (MySQL's GET_LOCK; on SQLite a write transaction opened before the
version is read), so processes that start together upgrade one after another, and the later ones
find nothing left to do. A process that opens an empty database creates the tables that way; one
that finds an older schema refuses in one line until `db upgrade` has run, because changing
tables that hold data is a step to take on purpose, once, not in every process that starts.
"""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from alembic import command, context
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from ..config import Settings
from ..database import is_sqlite, open_engine

# What tables made by create_all, before this project had migrations, are at.
FIRST_REVISION = "0001"
# How long an upgrade waits for another process's upgrade to finish.
LOCK_SECONDS = 300


class SchemaError(RuntimeError):
    """The database's schema is not the one this version runs on; the message says what to do."""


@dataclass(frozen=True)
class Upgrade:
    """The revisions a database was at before and after `upgrade` (None: no tables of ours)."""

    before: str | None
    after: str | None


def prefixed(name: str) -> str:
    """A table's name under the configured TABLE_PREFIX, for revisions (they run inside
    Alembic's environment, which holds the prefix)."""
    prefix: str = context.config.attributes["table_prefix"]
    return prefix + name


def alembic_config(settings: Settings) -> Config:
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent))
    config.attributes["table_prefix"] = settings.table_prefix
    config.attributes["version_table"] = version_table(settings)
    return config


def version_table(settings: Settings) -> str:
    return f"{settings.table_prefix}alembic_version"


def head(settings: Settings) -> str:
    """The revision this version of the code runs on."""
    revision = ScriptDirectory.from_config(alembic_config(settings)).get_current_head()
    assert revision is not None, "versions/ holds no revision"
    return revision


async def upgrade(settings: Settings) -> Upgrade:
    """Bring the database to head under the upgrade lock; a database whose tables were made
    before migrations is first recorded as at the first revision."""
    engine = _migration_engine(settings)
    try:
        async with engine.connect() as conn, _upgrade_lock(conn, settings):
            done = await conn.run_sync(_upgrade, settings)
            await conn.commit()
    finally:
        await engine.dispose()
    return done


async def ensure_current(settings: Settings) -> None:
    """Return once the database is at head: an empty one is upgraded (the tables created); an
    older or unknown schema raises SchemaError."""
    engine = open_engine(settings)
    try:
        async with engine.connect() as conn:
            current, has_tables = await conn.run_sync(_state, settings)
    finally:
        await engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(settings))
    target = script.get_current_head()
    if current == target:
        return
    if current is None and not has_tables:
        await upgrade(settings)
        return
    known = {revision.revision for revision in script.walk_revisions()}
    raise SchemaError(_refusal(current, target, known))


def _refusal(current: str | None, target: str | None, known: set[str]) -> str:
    if current is not None and current not in known:
        return (
            f"the database schema is at revision {current}, which this version does not know "
            f"(it needs {target}): run the version that upgraded it"
        )
    at = current or "none (tables made before migrations)"
    return (
        f"the database schema is at revision {at}, this version needs {target}: "
        "run {{ cookiecutter.package_name }} db upgrade"
    )


def _state(connection: Connection, settings: Settings) -> tuple[str | None, bool]:
    """The database's revision, and whether it holds this prefix's items table."""
    return _current(connection, settings), _has_tables(connection, settings)


def _current(connection: Connection, settings: Settings) -> str | None:
    opts = {"version_table": version_table(settings)}
    return MigrationContext.configure(connection, opts=opts).get_current_revision()


def _has_tables(connection: Connection, settings: Settings) -> bool:
    return inspect(connection).has_table(f"{settings.table_prefix}items")


def _upgrade(connection: Connection, settings: Settings) -> Upgrade:
    before = _current(connection, settings)
    config = alembic_config(settings)
    config.attributes["connection"] = connection
    if before is None and _has_tables(connection, settings):
        command.stamp(config, FIRST_REVISION)
    command.upgrade(config, "head")
    return Upgrade(before, _current(connection, settings))


@asynccontextmanager
async def _upgrade_lock(conn: AsyncConnection, settings: Settings) -> AsyncIterator[None]:
    if is_sqlite(conn.engine.url):
        # The migration engine's BEGIN IMMEDIATE is the lock (see _migration_engine).
        yield
        return
    # A named lock is the server's, not the database's: name the database too. MySQL takes
    # 64 characters; two names cut to the same ones only make their upgrades take turns.
    name = f"{conn.engine.url.database}.{version_table(settings)}"[:64]
    query = text("SELECT GET_LOCK(:name, :seconds)")
    taken = (await conn.execute(query, {"name": name, "seconds": LOCK_SECONDS})).scalar()
    if taken != 1:
        raise SchemaError(
            f"another process has been upgrading the database schema for {LOCK_SECONDS} s "
            f"(lock {name}): wait for it, then run {{ cookiecutter.package_name }} db upgrade"
        )
    try:
        yield
    finally:
        await conn.execute(text("SELECT RELEASE_LOCK(:name)"), {"name": name})


def _migration_engine(settings: Settings) -> AsyncEngine:
    engine = open_engine(settings)
    if is_sqlite(engine.url):
        event.listen(engine.sync_engine, "connect", _driver_leaves_transactions_alone)
        event.listen(engine.sync_engine, "begin", _begin_immediate)
    return engine


def _driver_leaves_transactions_alone(dbapi_connection: Any, _record: Any) -> None:
    # Python's sqlite3 would open its transaction only at the first write, after Alembic has
    # read the version: two processes would both read "empty" and both create the tables.
    dbapi_connection.isolation_level = None


def _begin_immediate(connection: Connection) -> None:
    # SQLite's write lock before anything is read: a second upgrader waits here (up to the
    # connection's timeout), then reads the version the first one wrote. The DDL is inside this
    # transaction too, so a revision that fails leaves nothing half done.
    connection.exec_driver_sql("BEGIN IMMEDIATE")
