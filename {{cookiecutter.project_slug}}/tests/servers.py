"""Real MariaDB, Milvus and Redis servers for the tests, started on loopback in temporary folders.

MariaDB: Debian's `mariadb-server` binaries, started by hand (no systemd needed), ready in
well under a second. Milvus: the `milvus` PyPI package, a Milvus standalone server that picks
its own free ports; a fresh data folder starts in seconds, so each server gets a new one.
Redis: Debian's `redis-server`, without persistence, answering in a fraction of a second.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

_SBIN = ("/usr/sbin", "/usr/local/sbin")


def _binary(name: str) -> str | None:
    return shutil.which(name) or shutil.which(name, path=os.pathsep.join(_SBIN))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def mariadb_missing() -> str | None:
    """Why MariaDB cannot be started here, or None when it can."""
    missing = [name for name in ("mariadbd", "mariadb-install-db", "mariadb") if not _binary(name)]
    if missing:
        return f"{', '.join(missing)} not found: install Debian's mariadb-server"
    return None


class MariaDB:
    """A private mariadbd: its own data folder, socket and loopback port."""

    def __init__(self) -> None:
        # A short folder: the socket path must fit in 108 bytes.
        self.folder = Path(tempfile.mkdtemp(prefix="mariadb-"))
        self.socket = self.folder / "mysqld.sock"
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        subprocess.run(
            [
                str(_binary("mariadb-install-db")),
                "--no-defaults",
                *as_root,
                f"--datadir={self.folder / 'data'}",
                "--auth-root-authentication-method=socket",
                "--skip-test-db",
            ],
            check=True,
            capture_output=True,
        )

    def start(self) -> None:
        started = time.monotonic()
        as_root = ["--user=root"] if os.geteuid() == 0 else []
        log = (self.folder / "mariadbd.log").open("ab")
        self._process = subprocess.Popen(
            [
                str(_binary("mariadbd")),
                "--no-defaults",
                *as_root,
                f"--datadir={self.folder / 'data'}",
                f"--socket={self.socket}",
                "--bind-address=127.0.0.1",
                f"--port={self.port}",
                "--skip-name-resolve",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 30
        while self.sql("SELECT 1", check=False).returncode != 0:
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "mariadbd did not start: " + (self.folder / "mariadbd.log").read_text()
                )
            time.sleep(0.05)
        self.startup_seconds = time.monotonic() - started

    def sql(self, statement: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        """Run SQL as root over the socket."""
        return subprocess.run(
            [str(_binary("mariadb")), "--no-defaults", f"--socket={self.socket}", "-e", statement],
            check=check,
            capture_output=True,
        )

    def create_database(self, name: str, user: str, password: str) -> str:
        """A database and a user owning it; returns its SQLAlchemy async URL."""
        self.sql(
            f"CREATE DATABASE {name}; "
            f"CREATE USER '{user}'@'127.0.0.1' IDENTIFIED BY '{password}'; "
            f"GRANT ALL ON {name}.* TO '{user}'@'127.0.0.1';"
        )
        return f"mysql+asyncmy://{user}:{password}@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=60)
        self._process = None

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def milvus_missing() -> str | None:
    """Why a Milvus server cannot be started here, or None when it can."""
    try:
        import milvus  # noqa: F401
    except ImportError:
        return "the milvus package (an embedded Milvus server) is not installed: pip install milvus"
    return None


def _bind_reusing(port: int) -> socket.socket | None:
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(("127.0.0.1", port))
        sock.listen()
    except OSError:
        sock.close()
        return None
    return sock


class MilvusServer:
    """A Milvus standalone server from the `milvus` package, with a fresh data folder."""

    def __init__(self) -> None:
        from milvus import MilvusServer as Server

        self.folder = Path(tempfile.mkdtemp(prefix="milvus-"))
        self._server: Any = Server()
        self._server.set_base_dir(str(self.folder))
        # Coordinators wait out their predecessors' etcd leases on a restart: 30 s by default.
        self._server.config.set("common.session.ttl", 3)
        # The package checks a port is free by binding it without SO_REUSEADDR, which fails for
        # a minute after a stop (TIME_WAIT), though Milvus itself could bind it: check as Milvus.
        self._server.config.try_bind_port = _bind_reusing
        self.startup_seconds = 0.0

    @property
    def uri(self) -> str:
        # It listens on every interface; talk to it on loopback only. Its port may move off
        # 19530 when that one is taken, so read it.
        return f"http://127.0.0.1:{self._server.listen_port}"

    @property
    def running(self) -> bool:
        return bool(self._server.running)

    def start(self) -> None:
        started = time.monotonic()
        self._server.start()
        self.startup_seconds = time.monotonic() - started

    def stop(self) -> None:
        self._server.stop()

    def restart(self) -> None:
        """Start again on the same data and the same port, as a restarted server would."""
        self._server.config.update(proxy_port=self._server.listen_port)
        self.start()
        print(f"\nMilvus server restarted in {self.startup_seconds:.1f} s at {self.uri}")

    def remove(self) -> None:
        self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


def redis_missing() -> str | None:
    """Why Redis cannot be started here, or None when it can."""
    if not _binary("redis-server"):
        return "redis-server not found: install Debian's redis-server"
    return None


class Redis:
    """A private redis-server: its own folder and loopback port, nothing saved to disk."""

    def __init__(self) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="redis-"))
        self.port = free_port()
        self._process: subprocess.Popen[bytes] | None = None
        self.startup_seconds = 0.0

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        started = time.monotonic()
        log = (self.folder / "redis.log").open("ab")
        self._process = subprocess.Popen(
            [
                str(_binary("redis-server")),
                "--bind", "127.0.0.1",
                "--port", str(self.port),
                "--dir", str(self.folder),
                "--save", "",
                "--appendonly", "no",
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )  # fmt: skip
        deadline = time.monotonic() + 30
        while not self._answers():
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("redis-server did not start: " + self._log())
            time.sleep(0.02)
        self.startup_seconds = time.monotonic() - started

    def _answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def _log(self) -> str:
        return (self.folder / "redis.log").read_text(errors="replace")

    def remove(self) -> None:
        if self._process is not None and self._process.poll() is None:
            self._process.terminate()
            self._process.wait(timeout=30)
        shutil.rmtree(self.folder, ignore_errors=True)
