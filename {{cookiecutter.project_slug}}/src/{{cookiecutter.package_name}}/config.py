"""Service settings: one class, read from the environment and a .env file."""

import re
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Milvus collection names and SQL table prefixes end up in requests and DDL: keep them plain.
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="{{ cookiecutter.package_name|upper }}_",
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
    )

    milvus_uri: str = Field(
        "var/milvus.db",
        description="A Milvus Lite file (ends in .db) or a server/cluster URI such as http://host:19530.",
    )
    milvus_token: SecretStr | None = Field(None, description="Token for a server or Zilliz Cloud.")
    collection: str = Field(
        "{{ cookiecutter.package_name }}",
        description="Milvus collection name.",
    )
    index_type: str | None = Field(
        None, description="Milvus index type; empty means exact search (FLAT or BIN_FLAT)."
    )
    index_params: dict[str, Any] = Field(
        default_factory=dict, description='Index build parameters, e.g. {"M": 16}.'
    )
    search_params: dict[str, Any] = Field(
        default_factory=dict, description='Search parameters, e.g. {"ef": 64}.'
    )

    database_url: str = Field(
        "sqlite+aiosqlite:///var/metadata.db",
        description="SQLAlchemy async URL: SQLite file, mysql+asyncmy:// or mysql+aiomysql://.",
    )
    table_prefix: str = Field("", description="Prefix for the metadata tables.")

    encoder: str = Field(
        "{{ cookiecutter.package_name }}.encoders.{{ cookiecutter._encoder[cookiecutter.demo_type] }}",
        description="Import path of the encoder class, module:Class.",
    )
    encoder_options: dict[str, Any] = Field(
        default_factory=dict, description="Keyword arguments for the encoder class."
    )

    default_top_k: int = Field(10, ge=1)
    query_batch_size: int = Field(
        32, ge=1, description="Searches whose queries the model encodes in one call, at most."
    )
    query_batch_wait_ms: float = Field(
        0.0,
        ge=0,
        le=1000,
        description="How long a search's query waits for others to fill its batch, at most "
        "(0: a batch is the queries that arrived while the model was busy).",
    )
    max_top_k: int = Field(100, ge=1)
    batch_size: int = Field({{ cookiecutter._batch_size[cookiecutter.demo_type] }}, ge=1, description="Items encoded and written per batch.")
    max_upload_bytes: int = Field(
        50 * 1024 * 1024, ge=1, description="Bytes of files one request may upload."
    )
    max_json_bytes: int = Field(
        1024 * 1024, ge=1, description="Bytes a request body that is not an upload may hold."
    )
    max_items_per_job: int = Field(
        1_000_000, ge=1, description="A load of more items is refused (413): split it."
    )
    max_running_jobs: int = Field(
        4,
        ge=1,
        description="A load asked for while this many are queued or running is refused (429).",
    )
    data_root: Path = Field(
        Path("data"), description="Server-side folder that POST /items/load may read from."
    )
{%- if "files" in cookiecutter._overlays[cookiecutter.demo_type] %}
    media_root: Path = Field(
        Path("var/media"), description="Folder where loaded files are kept, named by content."
    )
{%- endif %}
{% include "settings/" ~ cookiecutter.demo_type ~ ".py.jinja" ignore missing %}    queue_url: str | None = Field(
        None,
        description="redis://host:6379/0: load chunks go through Redis to `worker` processes "
        "(SAQ); empty: the web process runs them itself.",
    )
    worker_concurrency: int = Field(1, ge=1, description="Chunks one worker runs at once.")
    chunk_retries: int = Field(5, ge=1, description="Attempts a chunk gets before its job fails.")
    chunk_timeout: int = Field(600, ge=1, description="Seconds one chunk may run.")
    chunk_heartbeat: int = Field(
        10,
        ge=2,
        description="A chunk whose worker sends no heartbeat for this long (it died) is run "
        "again by another worker.",
    )
    job_stall_seconds: float = Field(
        300, gt=0, description="A job none of whose chunks finishes for this long is stalled."
    )
    api_key: SecretStr | None = Field(
        None, description="When set, mutating endpoints require this value in X-API-Key."
    )

    allowed_origins: list[str] = Field(
        default_factory=list,
        description='Other sites whose pages may write here, e.g. ["https://admin.example.org"]; '
        "a write from any other site's page is refused.",
    )

    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    workers: int = Field(1, ge=1)

    @field_validator("collection")
    @classmethod
    def _collection_is_identifier(cls, value: str) -> str:
        if not _IDENTIFIER.match(value):
            raise ValueError("must start with a letter or _ and hold only letters, digits and _")
        return value

    @field_validator("table_prefix")
    @classmethod
    def _prefix_is_identifier(cls, value: str) -> str:
        if value and not _IDENTIFIER.match(value):
            raise ValueError("must start with a letter or _ and hold only letters, digits and _")
        return value

    @model_validator(mode="after")
    def _lite_runs_one_worker(self) -> "Settings":
        if self.uses_milvus_lite and self.workers > 1:
            raise ValueError(
                "Milvus Lite is opened by one process only: run one worker, "
                "or point milvus_uri at a Milvus server to run several."
            )
        if self.uses_milvus_lite and self.queue_url:
            raise ValueError(
                "queue workers are other processes, and Milvus Lite is opened by one process "
                "only: point milvus_uri at a Milvus server to use queue_url."
            )
        if self.default_top_k > self.max_top_k:
            raise ValueError("default_top_k must not exceed max_top_k")
        return self

    @property
    def uses_milvus_lite(self) -> bool:
        return not self.milvus_uri.startswith(("http://", "https://", "tcp://", "unix:"))
