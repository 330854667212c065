"""The first tables: items holding a picture's name, media type, size and stored file;
load jobs and their chunks.

Revision ID: 0001
Revises:
Create Date: 2026-11-30
"""

import sqlalchemy as sa

from {{ cookiecutter.package_name }}.migrations.initial import create_tables, drop_tables

revision = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    create_tables(
        [
            sa.Column("name", sa.String(255), nullable=False),
            sa.Column("media_type", sa.String(64), nullable=False),
            sa.Column("width", sa.Integer, nullable=False),
            sa.Column("height", sa.Integer, nullable=False),
            sa.Column("file", sa.String(80), nullable=False),
        ]
    )


def downgrade() -> None:
    drop_tables()
