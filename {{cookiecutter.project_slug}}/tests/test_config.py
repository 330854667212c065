from pathlib import Path

import pytest
from pydantic import ValidationError

from {{ cookiecutter.package_name }}.config import Settings


def test_defaults_need_no_services() -> None:
    settings = Settings(_env_file=None)
    assert settings.uses_milvus_lite
    assert settings.milvus_uri.endswith(".db")
    assert settings.database_url.startswith("sqlite+aiosqlite:///")


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("{{ cookiecutter.package_name|upper }}_MILVUS_URI", "http://127.0.0.1:19530")
    monkeypatch.setenv("{{ cookiecutter.package_name|upper }}_INDEX_PARAMS", '{"M": 16}')
    settings = Settings(_env_file=None)
    assert not settings.uses_milvus_lite
    assert settings.index_params == {"M": 16}


def test_env_file_is_read(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("{{ cookiecutter.package_name|upper }}_MAX_TOP_K=70\n", encoding="utf-8")
    assert Settings(_env_file=env_file).max_top_k == 70


@pytest.mark.parametrize("name", ["", "1abc", "bad-name", "x; DROP TABLE items", "a" * 65])
def test_collection_name_must_be_an_identifier(name: str) -> None:
    with pytest.raises(ValidationError, match="collection"):
        Settings(_env_file=None, collection=name)


def test_table_prefix_must_be_an_identifier() -> None:
    with pytest.raises(ValidationError, match="table_prefix"):
        Settings(_env_file=None, table_prefix="x`; --")


def test_lite_refuses_several_workers() -> None:
    with pytest.raises(ValidationError, match="Milvus Lite is opened by one process only"):
        Settings(_env_file=None, workers=2)


def test_a_server_allows_several_workers() -> None:
    settings = Settings(_env_file=None, milvus_uri="http://milvus:19530", workers=4)
    assert settings.workers == 4


def test_default_top_k_within_limit() -> None:
    with pytest.raises(ValidationError, match="default_top_k"):
        Settings(_env_file=None, default_top_k=50, max_top_k=10)
