"""The async engine on DATABASE_URL: a SQLite file by default, MySQL or MariaDB by URL."""

from pathlib import Path
from typing import Any

from sqlalchemy.engine import URL, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from .config import Settings


def is_sqlite(url: URL) -> bool:
    return url.get_backend_name() == "sqlite"


def open_engine(settings: Settings) -> AsyncEngine:
    url = make_url(settings.database_url)
    sqlite = is_sqlite(url)
    connect_args: dict[str, Any] = {}
    if sqlite:
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        # A load job and a delete may write at once: wait for the lock instead of failing.
        connect_args["timeout"] = 30
    # A server closes idle connections (MySQL's wait_timeout): test each before use, at
    # the cost of a round trip. A SQLite file has no connection to lose.
    return create_async_engine(url, connect_args=connect_args, pool_pre_ping=not sqlite)
