"""The metadata side of the service: items (sharing their ids with Milvus) and load jobs.

SQLAlchemy 2 async Core with bound parameters only; a SQLite file by default, MySQL or
MariaDB by URL (mysql+asyncmy:// or mysql+aiomysql://).
"""

import asyncio
import json
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
    delete,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import mysql
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .config import Settings
from .schemas import Job, JobState

# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere ids are 64-bit like Milvus's.
_ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")
# MySQL and MariaDB drop fractions of a second unless asked to keep them.
_TIME_TYPE = DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# A job keeps the first errors it meets; the failed count still covers every bad item.
MAX_JOB_ERRORS = 100


def now() -> datetime:
    return datetime.now(UTC)


def _as_utc(value: datetime) -> datetime:
    # SQLite and MySQL hand datetimes back without a zone; they were stored as UTC.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


class MetadataStore:
    def __init__(
        self,
        engine: AsyncEngine,
        item_columns: Callable[[], Sequence[Column[Any]]],
        table_prefix: str = "",
    ) -> None:
        self._engine = engine
        self._metadata = MetaData()
        self.items = Table(
            f"{table_prefix}items",
            self._metadata,
            Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
            Column("job_id", String(32), nullable=False, index=True),
            Column("position", Integer, nullable=False),
            *item_columns(),
            Column("created_at", _TIME_TYPE, nullable=False),
            UniqueConstraint("job_id", "position"),
        )
        self.jobs = Table(
            f"{table_prefix}jobs",
            self._metadata,
            Column("id", String(32), primary_key=True),
            Column("kind", String(16), nullable=False),
            Column("source", String(1024), nullable=False),
            Column("state", String(16), nullable=False),
            Column("total", Integer, nullable=False),
            Column("done", Integer, nullable=False),
            Column("loaded", Integer, nullable=False),
            Column("failed", Integer, nullable=False),
            Column("errors", Text, nullable=False),
            Column("message", Text),
            Column("created_at", _TIME_TYPE, nullable=False),
            Column("updated_at", _TIME_TYPE, nullable=False),
        )
        self._record_fields = [c.name for c in item_columns()]

    @classmethod
    async def open(
        cls, settings: Settings, item_columns: Callable[[], Sequence[Column[Any]]]
    ) -> "MetadataStore":
        url = make_url(settings.database_url)
        connect_args: dict[str, Any] = {}
        if url.get_backend_name() == "sqlite":
            if url.database and url.database != ":memory:":
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            # A load job and a delete may write at once: wait for the lock instead of failing.
            connect_args["timeout"] = 30
        engine = create_async_engine(url, connect_args=connect_args, pool_pre_ping=True)
        store = cls(engine, item_columns, settings.table_prefix)
        await store.create_tables()
        return store

    async def create_tables(self) -> None:
        # Several workers starting at once all see a table missing, and the ones that lose the
        # race to create it fail; looking again finds it there. One retry per table suffices.
        for attempt in range(len(self._metadata.tables) + 1):
            try:
                async with self._engine.begin() as conn:
                    await conn.run_sync(self._metadata.create_all)
                return
            except DBAPIError:
                if attempt == len(self._metadata.tables):
                    raise
                await asyncio.sleep(0.2)

    async def close(self) -> None:
        await self._engine.dispose()

    async def ping(self) -> None:
        async with self._engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    # Items

    async def add_items(self, job_id: str, records: Sequence[tuple[int, BaseModel]]) -> list[int]:
        """Insert records of one job; return their new ids in the order given."""
        if not records:
            return []
        created_at = now()
        rows = [
            {
                "job_id": job_id,
                "position": position,
                "created_at": created_at,
                **record.model_dump(),
            }
            for position, record in records
        ]
        positions = [position for position, _ in records]
        # Read the ids back by (job, position): portable to databases without INSERT RETURNING.
        async with self._engine.begin() as conn:
            await conn.execute(insert(self.items), rows)
            result = await conn.execute(
                select(self.items.c.id, self.items.c.position).where(
                    self.items.c.job_id == job_id, self.items.c.position.in_(positions)
                )
            )
            id_by_position = {row.position: row.id for row in result}
        return [id_by_position[position] for position in positions]

    async def delete_items(self, ids: Sequence[int]) -> int:
        if not ids:
            return 0
        async with self._engine.begin() as conn:
            result = await conn.execute(delete(self.items).where(self.items.c.id.in_(list(ids))))
        return result.rowcount

    async def delete_batch(self, job_id: str, positions: Sequence[int]) -> int:
        """Remove what a job wrote for these positions: for a write whose outcome is unknown."""
        if not positions:
            return 0
        query = delete(self.items).where(
            self.items.c.job_id == job_id, self.items.c.position.in_(list(positions))
        )
        async with self._engine.begin() as conn:
            result = await conn.execute(query)
        return result.rowcount

    async def get_items(self, ids: Sequence[int]) -> dict[int, dict[str, Any]]:
        if not ids:
            return {}
        query = select(self.items).where(self.items.c.id.in_(list(ids)))
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return {row["id"]: self._item(row) for row in rows}

    async def list_items(self, offset: int, limit: int) -> list[dict[str, Any]]:
        query = select(self.items).order_by(self.items.c.id).offset(offset).limit(limit)
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [self._item(row) for row in rows]

    def _item(self, row: Any) -> dict[str, Any]:
        return {"id": row["id"], **{name: row[name] for name in self._record_fields}}

    async def list_ids(self) -> set[int]:
        async with self._engine.connect() as conn:
            return set((await conn.execute(select(self.items.c.id))).scalars())

    async def count_items(self) -> int:
        async with self._engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(self.items))).scalar_one()
            )

    async def clear_items(self) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(self.items))

    # Jobs

    async def create_job(self, job: Job) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(insert(self.jobs), self._job_row(job))

    async def save_job(self, job: Job) -> None:
        job.updated_at = now()
        row = self._job_row(job)
        del row["id"]
        async with self._engine.begin() as conn:
            await conn.execute(update(self.jobs).where(self.jobs.c.id == job.id), row)

    async def get_job(self, job_id: str) -> Job | None:
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(select(self.jobs).where(self.jobs.c.id == job_id)))
                .mappings()
                .first()
            )
        if row is None:
            return None
        data = dict(row)
        data["errors"] = json.loads(data["errors"])
        data["created_at"] = _as_utc(data["created_at"])
        data["updated_at"] = _as_utc(data["updated_at"])
        return Job.model_validate(data)

    async def count_unfinished_jobs(self) -> int:
        unfinished = self.jobs.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value])
        query = select(func.count()).select_from(self.jobs).where(unfinished)
        async with self._engine.connect() as conn:
            return int((await conn.execute(query)).scalar_one())

    async def fail_unfinished_jobs(self, message: str) -> int:
        """Mark queued and running jobs failed: for a restart where no other process runs them."""
        unfinished = self.jobs.c.state.in_([JobState.QUEUED.value, JobState.RUNNING.value])
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(self.jobs)
                .where(unfinished)
                .values(state=JobState.FAILED.value, message=message, updated_at=now())
            )
        return result.rowcount

    @staticmethod
    def _job_row(job: Job) -> dict[str, Any]:
        row = job.model_dump(exclude={"errors"})
        row["errors"] = json.dumps([e.model_dump() for e in job.errors[:MAX_JOB_ERRORS]])
        row["state"] = job.state.value
        return row
