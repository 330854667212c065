"""Which Milvus collection serves the configured COLLECTION, and the encoder that made it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-30

The same for every demo type, so it lives with the shared code; each demo's 0001 joins it in
this folder.
"""

import sqlalchemy as sa
from alembic import op

from {{ cookiecutter.package_name }}.migrations import prefixed
from {{ cookiecutter.package_name }}.migrations.initial import TIME

revision = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        prefixed("collections"),
        sa.Column("name", sa.String(255), primary_key=True),
        sa.Column("active", sa.String(255), nullable=False),
        sa.Column("identity", sa.Text),
        sa.Column("generation", sa.Integer, nullable=False),
        sa.Column("building", sa.String(255)),
        sa.Column("updated_at", TIME, nullable=False),
    )


def downgrade() -> None:
    op.drop_table(prefixed("collections"))
