"""The metadata side of the service: items (sharing their ids with Milvus) and load jobs.

The tables below are the models; migrations/ holds the revisions that make a database's tables
match them (a test checks that the two agree).

SQLAlchemy 2 async Core with bound parameters only; a SQLite file by default, MySQL or
MariaDB by URL (mysql+asyncmy:// or mysql+aiomysql://).

A job's progress lives in its chunks' rows: each chunk saves its counts with its end state in
one transaction, so the job's figures are right whichever worker ran which chunk, and a chunk
that runs twice counts once.
"""

import json
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
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
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from .config import Settings
from .database import open_engine
from .migrations import ensure_current
from .schemas import ChunkAttempts, ItemError, Job, JobState

# SQLite only auto-increments an INTEGER PRIMARY KEY; elsewhere ids are 64-bit like Milvus's.
_ID_TYPE = BigInteger().with_variant(Integer(), "sqlite")
# MySQL and MariaDB drop fractions of a second unless asked to keep them.
_TIME_TYPE = DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")
# A job keeps the first errors it meets; the failed count still covers every bad item.
MAX_JOB_ERRORS = 100


_UNFINISHED = (JobState.QUEUED.value, JobState.RUNNING.value)


class LoadRunningError(RuntimeError):
    """A change that would race a load job still writing; the message says what to wait for."""


class ReindexRunningError(RuntimeError):
    """A change that would race a reindex still building its collection."""


@dataclass(frozen=True)
class CollectionRecord:
    """The row of `collections` for one configured COLLECTION."""

    name: str
    active: str
    identity: str | None
    generation: int
    building: str | None


@dataclass
class ChunkResult:
    """What one chunk did: items processed, written to both stores, and skipped as bad."""

    done: int = 0
    loaded: int = 0
    failed: int = 0
    errors: list[ItemError] = field(default_factory=list)


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
        stalled_after: float = 300.0,
    ) -> None:
        self._engine = engine
        self.metadata = MetaData()
        self._stalled_after = timedelta(seconds=stalled_after)
        self.items = Table(
            f"{table_prefix}items",
            self.metadata,
            Column("id", _ID_TYPE, primary_key=True, autoincrement=True),
            Column("job_id", String(32), nullable=False, index=True),
            Column("position", Integer, nullable=False),
            *item_columns(),
            Column("created_at", _TIME_TYPE, nullable=False),
            UniqueConstraint("job_id", "position"),
            # Ids are never handed out twice, even after the newest items are deleted: a vector
            # left behind under an old id must not attach to a new item.
            sqlite_autoincrement=True,
        )
        self.jobs = Table(
            f"{table_prefix}jobs",
            self.metadata,
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
        self.chunks = Table(
            f"{table_prefix}job_chunks",
            self.metadata,
            Column("job_id", String(32), primary_key=True),
            Column("chunk", Integer, primary_key=True, autoincrement=False),
            Column("state", String(16), nullable=False),
            Column("attempts", Integer, nullable=False),
            Column("worker", String(255)),
            Column("done", Integer, nullable=False),
            Column("loaded", Integer, nullable=False),
            Column("failed", Integer, nullable=False),
            Column("errors", Text, nullable=False),
            Column("updated_at", _TIME_TYPE, nullable=False),
        )
        # Which Milvus collection serves each configured COLLECTION, and the encoder that made
        # its vectors (NULL: not recorded yet). `reindex` builds the next one beside it, named
        # in `building`, and switches here: every process opening the stores reads this row.
        self.collections = Table(
            f"{table_prefix}collections",
            self.metadata,
            Column("name", String(255), primary_key=True),
            Column("active", String(255), nullable=False),
            Column("identity", Text),
            Column("generation", Integer, nullable=False),
            Column("building", String(255)),
            Column("updated_at", _TIME_TYPE, nullable=False),
        )
        self._record_fields = [c.name for c in item_columns()]

    @classmethod
    async def open(
        cls, settings: Settings, item_columns: Callable[[], Sequence[Column[Any]]]
    ) -> "MetadataStore":
        """The store on the settings' database, once its schema is this version's (an empty
        database gets its tables; an older schema raises SchemaError: run `db upgrade`)."""
        await ensure_current(settings)
        engine = open_engine(settings)
        return cls(engine, item_columns, settings.table_prefix, settings.job_stall_seconds)

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

    async def batch_ids(self, job_id: str, positions: Sequence[int]) -> list[int]:
        """The ids a job's items at these positions got: what an earlier attempt wrote."""
        if not positions:
            return []
        query = select(self.items.c.id).where(
            self.items.c.job_id == job_id, self.items.c.position.in_(list(positions))
        )
        async with self._engine.connect() as conn:
            return list((await conn.execute(query)).scalars())

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

    async def items_after(self, after: int, limit: int) -> list[dict[str, Any]]:
        """Up to `limit` items of ids above `after`, by id: a walk through every item that a
        deletion meanwhile cannot make skip one (as an offset would)."""
        query = (
            select(self.items).where(self.items.c.id > after).order_by(self.items.c.id).limit(limit)
        )
        async with self._engine.connect() as conn:
            rows = (await conn.execute(query)).mappings().all()
        return [self._item(row) for row in rows]

    def _item(self, row: Any) -> dict[str, Any]:
        return {"id": row["id"], **{name: row[name] for name in self._record_fields}}

    async def list_ids(self) -> set[int]:
        async with self._engine.connect() as conn:
            return set((await conn.execute(select(self.items.c.id))).scalars())

    async def values_in_use(self, column: str, among: Collection[Any] | None = None) -> set[Any]:
        """The distinct values items hold in `column`; only those in `among`, when given."""
        if among is not None and not among:
            return set()
        query = select(self.items.c[column]).distinct()
        if among is not None:
            query = query.where(self.items.c[column].in_(list(among)))
        async with self._engine.connect() as conn:
            return set((await conn.execute(query)).scalars())

    async def count_items(self) -> int:
        async with self._engine.connect() as conn:
            return int(
                (await conn.execute(select(func.count()).select_from(self.items))).scalar_one()
            )

    async def clear_items(self) -> None:
        async with self._engine.begin() as conn:
            await conn.execute(delete(self.items))

    # Collections

    async def get_collection(self, name: str) -> CollectionRecord | None:
        query = select(self.collections).where(self.collections.c.name == name)
        async with self._engine.connect() as conn:
            row = (await conn.execute(query)).mappings().first()
        return None if row is None else _collection_record(row)

    async def record_identity(self, name: str, identity: str) -> None:
        """Record the encoder of the collection serving `name` where nothing is recorded yet:
        the first collection keeps `name` itself."""
        table = self.collections
        row = {"name": name, "active": name, "identity": identity, "generation": 1}
        try:
            async with self._engine.begin() as conn:
                if await self._has_collection_row(conn, name):
                    query = update(table).where(table.c.name == name, table.c.identity.is_(None))
                    await conn.execute(query.values(identity=identity, updated_at=now()))
                else:
                    await conn.execute(insert(table).values(**row, updated_at=now()))
        except IntegrityError:
            pass  # another process starting at the same time inserted the same row

    async def start_building(self, name: str, restart: bool = False) -> CollectionRecord:
        """Claim the next collection of `name` for a reindex; the record as it was before
        the claim, its `building` set to that next name.

        Refused (ReindexRunningError) while another reindex builds, unless `restart`: for a
        reindex that was interrupted.
        """
        table = self.collections
        async with self._engine.begin() as conn:
            if not await self._has_collection_row(conn, name):
                row = {"name": name, "active": name, "identity": None, "generation": 1}
                await conn.execute(insert(table).values(**row, updated_at=now()))
            # A write first: the row stays locked to the end of the transaction, so of two
            # reindexes starting at once the second sees the first's claim (see _lock_job).
            await conn.execute(update(table).where(table.c.name == name).values(updated_at=now()))
            query = select(table).where(table.c.name == name)
            record = _collection_record((await conn.execute(query)).mappings().one())
            if record.building is not None and not restart:
                raise ReindexRunningError(
                    f"a reindex into {record.building!r} is running, or was interrupted: "
                    "run reindex --restart if none runs"
                )
            building = f"{name}_{record.generation + 1}"
            await conn.execute(
                update(table)
                .where(table.c.name == name)
                .values(building=building, updated_at=now())
            )
        return CollectionRecord(**{**record.__dict__, "building": building})

    async def finish_building(self, name: str, identity: str) -> None:
        """The collection being built serves `name` from now on: the switch."""
        table = self.collections
        async with self._engine.begin() as conn:
            await conn.execute(
                update(table)
                .where(table.c.name == name, table.c.building.is_not(None))
                .values(
                    active=table.c.building,
                    identity=identity,
                    generation=table.c.generation + 1,
                    building=None,
                    updated_at=now(),
                )
            )

    async def abandon_building(self, name: str) -> None:
        table = self.collections
        async with self._engine.begin() as conn:
            await conn.execute(
                update(table).where(table.c.name == name).values(building=None, updated_at=now())
            )

    async def refuse_while_reindexing(self, name: str, action: str) -> CollectionRecord | None:
        """Raise ReindexRunningError while a reindex of `name` builds: `action` would write
        to the collection it is replacing, and its writes would be lost at the switch. The
        record it read, otherwise."""
        record = await self.get_collection(name)
        if record is not None and record.building is not None:
            raise ReindexRunningError(
                f"a reindex into {record.building!r} is running: {action} when it has finished "
                "(or, if it was interrupted, after reindex --restart)"
            )
        return record

    async def _has_collection_row(self, conn: AsyncConnection, name: str) -> bool:
        query = select(self.collections.c.name).where(self.collections.c.name == name)
        return (await conn.execute(query)).first() is not None

    # Jobs

    async def create_job(self, job: Job) -> None:
        """Record a job with its `job.chunks` chunks, queued; a job of no chunk is finished."""
        chunks = [
            {"job_id": job.id, "chunk": index, "state": JobState.QUEUED.value, "attempts": 0,
             "done": 0, "loaded": 0, "failed": 0, "errors": "[]", "updated_at": job.created_at}
            for index in range(job.chunks)
        ]  # fmt: skip
        async with self._engine.begin() as conn:
            await conn.execute(insert(self.jobs), self._job_row(job))
            if chunks:
                await conn.execute(insert(self.chunks), chunks)

    async def start_chunk(self, job_id: str, chunk: int, worker: str) -> bool:
        """Mark a chunk started by `worker`; False when there is nothing to do: its job has
        ended (failed, or the chunk was the last) or an earlier attempt already finished it."""
        async with self._engine.begin() as conn:
            if await self._lock_job(conn, job_id) not in _UNFINISHED:
                return False
            started = await conn.execute(
                update(self.chunks)
                .where(self._chunk(job_id, chunk), self.chunks.c.state != JobState.SUCCEEDED.value)
                .values(
                    state=JobState.RUNNING.value,
                    attempts=self.chunks.c.attempts + 1,
                    worker=worker[:255],
                    updated_at=now(),
                )
            )
            if started.rowcount == 0:
                return False
            await conn.execute(
                update(self.jobs)
                .where(self.jobs.c.id == job_id, self.jobs.c.state == JobState.QUEUED.value)
                .values(state=JobState.RUNNING.value)
            )
        return True

    async def finish_chunk(self, job_id: str, chunk: int, result: ChunkResult) -> bool:
        """Save a chunk's counts as done; True when that finished its job (the last chunk)."""
        async with self._engine.begin() as conn:
            await self._lock_job(conn, job_id)
            await conn.execute(
                update(self.chunks)
                .where(self._chunk(job_id, chunk))
                .values(
                    state=JobState.SUCCEEDED.value,
                    done=result.done,
                    loaded=result.loaded,
                    failed=result.failed,
                    errors=_errors_json(result.errors),
                    updated_at=now(),
                )
            )
            left = await conn.execute(
                select(func.count())
                .select_from(self.chunks)
                .where(
                    self.chunks.c.job_id == job_id,
                    self.chunks.c.state != JobState.SUCCEEDED.value,
                )
            )
            if left.scalar_one():
                return False
            ended = await conn.execute(
                update(self.jobs)
                .where(self.jobs.c.id == job_id, self.jobs.c.state.in_(_UNFINISHED))
                .values(state=JobState.SUCCEEDED.value, updated_at=now())
            )
        return bool(ended.rowcount)

    async def fail_chunk(self, job_id: str, chunk: int, message: str) -> None:
        """A chunk gave up: its job fails with the reason, and its other chunks are skipped."""
        async with self._engine.begin() as conn:
            await self._lock_job(conn, job_id)
            await conn.execute(
                update(self.chunks)
                .where(self._chunk(job_id, chunk))
                .values(state=JobState.FAILED.value, updated_at=now())
            )
            await conn.execute(
                update(self.jobs)
                .where(self.jobs.c.id == job_id, self.jobs.c.state.in_(_UNFINISHED))
                .values(state=JobState.FAILED.value, message=message, updated_at=now())
            )

    async def fail_job(self, job_id: str, message: str) -> None:
        """End an unfinished job as failed, with the reason."""
        async with self._engine.begin() as conn:
            await conn.execute(
                update(self.jobs)
                .where(self.jobs.c.id == job_id, self.jobs.c.state.in_(_UNFINISHED))
                .values(state=JobState.FAILED.value, message=message, updated_at=now())
            )

    async def _lock_job(self, conn: AsyncConnection, job_id: str) -> str | None:
        """The job's state, its row locked to the end of the transaction: chunks of one job
        that finish at once take turns, so exactly one of them sees that none is left.

        A write rather than SELECT ... FOR UPDATE: SQLite knows no row locks, but a write
        takes its database lock at once (a read first could deadlock on the upgrade).
        """
        jobs = self.jobs
        await conn.execute(update(jobs).where(jobs.c.id == job_id).values(state=jobs.c.state))
        query = select(jobs.c.state).where(jobs.c.id == job_id)
        state: str | None = (await conn.execute(query)).scalar_one_or_none()
        return state

    def _chunk(self, job_id: str, chunk: int) -> Any:
        return (self.chunks.c.job_id == job_id) & (self.chunks.c.chunk == chunk)

    async def get_job(self, job_id: str) -> Job | None:
        async with self._engine.connect() as conn:
            row = (
                (await conn.execute(select(self.jobs).where(self.jobs.c.id == job_id)))
                .mappings()
                .first()
            )
            if row is None:
                return None
            chunks = (
                await conn.execute(
                    select(self.chunks).where(self.chunks.c.job_id == job_id).order_by("chunk")
                )
            ).mappings().all()  # fmt: skip
        job = self._job(row, chunks)
        if job.state in _UNFINISHED and now() - job.updated_at > self._stalled_after:
            job.state = JobState.STALLED
        return job

    @staticmethod
    def _job(row: Any, chunks: Sequence[Any]) -> Job:
        """The job row with its chunks' progress added up."""
        data = dict(row)
        errors = json.loads(data.pop("errors"))
        for chunk in chunks:
            data["done"] += chunk["done"]
            data["loaded"] += chunk["loaded"]
            data["failed"] += chunk["failed"]
            if chunk["failed"] and len(errors) < MAX_JOB_ERRORS:
                errors.extend(json.loads(chunk["errors"]))
        updated = [_as_utc(data["updated_at"]), *(_as_utc(c["updated_at"]) for c in chunks)]
        return Job.model_validate(
            {
                **data,
                "errors": errors[:MAX_JOB_ERRORS],
                "chunks": len(chunks),
                "chunks_done": sum(c["state"] == JobState.SUCCEEDED.value for c in chunks),
                "workers": sorted({c["worker"] for c in chunks if c["worker"]}),
                "running_on": sorted(
                    {c["worker"] for c in chunks if c["state"] == JobState.RUNNING.value}
                ),
                "retried": [
                    ChunkAttempts(chunk=c["chunk"], attempts=c["attempts"], worker=c["worker"])
                    for c in chunks
                    if c["attempts"] > 1
                ],
                "created_at": _as_utc(data["created_at"]),
                # Progress is the last time the job or any of its chunks moved.
                "updated_at": max(updated),
            }
        )

    async def count_unfinished_jobs(self, job_id: str | None = None) -> int:
        """Jobs queued or running (or just this one), stalled ones aside: a dead worker's job
        blocks nothing."""
        moving = now() - self._stalled_after
        query = (
            select(self.jobs.c.id)
            .where(self.jobs.c.state.in_(_UNFINISHED))
            .where(
                (self.jobs.c.updated_at > moving)
                | self.jobs.c.id.in_(
                    select(self.chunks.c.job_id).where(self.chunks.c.updated_at > moving)
                )
            )
        )
        if job_id is not None:
            query = query.where(self.jobs.c.id == job_id)
        async with self._engine.connect() as conn:
            return len((await conn.execute(query)).all())

    async def refuse_while_loading(self, action: str) -> None:
        """Raise LoadRunningError while any load job may still write: `action` would race it
        (a drop or a repair would leave its next writes in one store only)."""
        if unfinished := await self.count_unfinished_jobs():
            raise LoadRunningError(
                f"{unfinished} load job(s) queued or running: {action} when they have finished"
            )

    async def refuse_while_writing(self, item_id: int) -> None:
        """Raise LoadRunningError while the job that wrote this item may write it again (a
        chunk that runs once more replaces its items)."""
        query = select(self.items.c.job_id).where(self.items.c.id == item_id)
        async with self._engine.connect() as conn:
            job_id = (await conn.execute(query)).scalar_one_or_none()
        if job_id is not None and await self.count_unfinished_jobs(job_id):
            raise LoadRunningError(
                f"item {item_id} belongs to a load job still queued or running: delete it when "
                "the job has finished"
            )

    async def fail_unfinished_jobs(self, message: str) -> int:
        """Mark queued and running jobs failed: for a restart where no other process runs them."""
        unfinished = self.jobs.c.state.in_(_UNFINISHED)
        async with self._engine.begin() as conn:
            result = await conn.execute(
                update(self.jobs)
                .where(unfinished)
                .values(state=JobState.FAILED.value, message=message, updated_at=now())
            )
        return result.rowcount

    @staticmethod
    def _job_row(job: Job) -> dict[str, Any]:
        """The jobs table's row: what the job knew before any chunk ran (the lines that did not
        parse); the chunks' rows hold the rest."""
        row = job.model_dump(include=_JOB_COLUMNS)
        row["errors"] = _errors_json(job.errors)
        row["state"] = job.state.value
        return row


_JOB_COLUMNS = {
    "id", "kind", "source", "state", "total", "done", "loaded", "failed", "message",
    "created_at", "updated_at",
}  # fmt: skip


def _collection_record(row: Any) -> CollectionRecord:
    return CollectionRecord(
        row["name"], row["active"], row["identity"], row["generation"], row["building"]
    )


def _errors_json(errors: Sequence[ItemError]) -> str:
    return json.dumps([e.model_dump() for e in errors[:MAX_JOB_ERRORS]])
