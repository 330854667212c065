"""Alembic's environment: migrations run on the connection `upgrade` hands over (holding the
upgrade lock), with the version table under the settings' TABLE_PREFIX."""

from alembic import context


def run_migrations() -> None:
    attributes = context.config.attributes
    context.configure(
        connection=attributes["connection"], version_table=attributes["version_table"]
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations()
