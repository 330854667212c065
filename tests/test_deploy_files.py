"""compose.yaml and the Dockerfile: no Docker engine here, so check what can be checked."""

import json
import os
import subprocess
import sys

import yaml

from conftest import Bake

SERVICES = {"etcd", "minio", "milvus", "mariadb", "redis", "app", "worker"}
# Nothing waits on a queue worker, and it has no port to ask: it goes without a healthcheck.
UNCHECKED = {"worker"}


def settings_fields(bake: Bake) -> set[str]:
    code = f"import json; from {bake.package}.config import Settings; "
    code += "print(json.dumps(list(Settings.model_fields)))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=bake.path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": "src"},
        check=True,
    )
    return set(json.loads(result.stdout))


def test_compose_names_the_services_and_the_settings(bake: Bake) -> None:
    compose = yaml.safe_load((bake.path / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    assert set(services) == SERVICES
    assert all("healthcheck" in services[name] for name in SERVICES - UNCHECKED)
    app = services["app"]
    assert app["depends_on"] == {
        "milvus": {"condition": "service_healthy"},
        "mariadb": {"condition": "service_healthy"},
        "redis": {"condition": "service_healthy"},
    }
    assert services["milvus"]["depends_on"] == {
        "etcd": {"condition": "service_healthy"},
        "minio": {"condition": "service_healthy"},
    }
    assert app["env_file"] == ".env"

    prefix = bake.package.upper() + "_"
    environment = app["environment"]
    assert all(name.startswith(prefix) for name in environment)
    named = {name.removeprefix(prefix).lower() for name in environment}
    assert named <= settings_fields(bake)
    assert {"milvus_uri", "database_url", "workers", "host"} <= named
    assert environment[prefix + "MILVUS_URI"] == "http://milvus:19530"
    assert environment[prefix + "DATABASE_URL"].startswith("mysql+asyncmy://")
    assert environment[prefix + "QUEUE_URL"] == "redis://redis:6379/0"


def test_compose_runs_queue_workers_beside_the_app(bake: Bake) -> None:
    compose = yaml.safe_load((bake.path / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    redis, app, worker = services["redis"], services["app"], services["worker"]
    assert redis["image"].startswith("redis:")
    assert "redis-cli" in redis["healthcheck"]["test"]

    assert worker["build"] == app["build"]
    assert worker["env_file"] == app["env_file"]
    assert worker["command"] == [bake.package, "worker"]
    # The app upgrades the schema before it reports healthy: the workers start on that one.
    assert worker["depends_on"] == {
        name: {"condition": "service_healthy"} for name in ("app", "milvus", "mariadb", "redis")
    }
    assert "replicas" in worker["deploy"]
    # The workers reach the same stores and queue as the app that hands them its loads.
    prefix = bake.package.upper() + "_"
    shared = {prefix + name for name in ("MILVUS_URI", "DATABASE_URL", "QUEUE_URL")}
    assert set(worker["environment"]) == shared
    assert all(worker["environment"][name] == app["environment"][name] for name in shared)
    # An image or video load's files wait for its workers in the volume they share with the app.
    assert worker.get("volumes") == app.get("volumes")


def test_env_example_names_only_settings(bake: Bake) -> None:
    prefix = bake.package.upper() + "_"
    lines = (bake.path / ".env.example").read_text(encoding="utf-8").splitlines()
    names = {
        line.lstrip("# ").split("=", 1)[0]
        for line in lines
        if "=" in line and line.lstrip("# ").startswith(prefix)
    }
    assert {name.removeprefix(prefix).lower() for name in names} <= settings_fields(bake)


def test_dockerfile_serves_the_package(bake: Bake) -> None:
    dockerfile = (bake.path / "Dockerfile").read_text(encoding="utf-8")
    # The schema is brought up to date first, by this one process.
    command = f"{bake.package} db upgrade && exec {bake.package} serve"
    assert f'CMD ["sh", "-c", "{command}"]' in dockerfile
    assert 'pip install --constraint constraints.txt ".[mysql]"' in dockerfile
