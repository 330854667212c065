"""The tables of the first revision, which each demo's versions/v0001_initial.py creates with
its own item columns.

A copy of metadata_store.py's tables as they were then, frozen: a later change to the tables is
a new revision, never an edit here (a database already upgraded would not see it).
"""

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

from . import prefixed

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TIME = sa.DateTime(timezone=True).with_variant(mysql.DATETIME(fsp=6), "mysql", "mariadb")


def create_tables(item_columns: list[sa.Column[Any]]) -> None:
    create_items(item_columns)
    create_jobs()
    create_chunks()


def create_items(item_columns: list[sa.Column[Any]]) -> None:
    items = prefixed("items")
    op.create_table(
        items,
        sa.Column("id", ID, primary_key=True, autoincrement=True),
        sa.Column("job_id", sa.String(32), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        *item_columns,
        sa.Column("created_at", TIME, nullable=False),
        sa.UniqueConstraint("job_id", "position"),
        # Ids are never handed out twice (see metadata_store.py).
        sqlite_autoincrement=True,
    )
    op.create_index(f"ix_{items}_job_id", items, ["job_id"])


def create_jobs() -> None:
    op.create_table(
        prefixed("jobs"),
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("source", sa.String(1024), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("total", sa.Integer, nullable=False),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("loaded", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("errors", sa.Text, nullable=False),
        sa.Column("message", sa.Text),
        sa.Column("created_at", TIME, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )


def create_chunks() -> None:
    op.create_table(
        prefixed("job_chunks"),
        sa.Column("job_id", sa.String(32), primary_key=True),
        sa.Column("chunk", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("worker", sa.String(255)),
        sa.Column("done", sa.Integer, nullable=False),
        sa.Column("loaded", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("errors", sa.Text, nullable=False),
        sa.Column("updated_at", TIME, nullable=False),
    )


def drop_tables() -> None:
    for name in ("job_chunks", "jobs", "items"):
        op.drop_table(prefixed(name))
