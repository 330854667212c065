"""One process at a time on a Milvus Lite store.

A Milvus Lite file and the SQLite database beside it belong to the process that opened them:
a second one (another `serve`, or the command line under a running server) would sweep the
first one's running jobs as interrupted and race its writes. An advisory lock on a file next
to the Milvus Lite file says which process holds the store; a second opener stops with one
line. The lock goes with the process, however it ends: a crash leaves nothing to clean up.
"""

import fcntl
import os
from pathlib import Path


class StoreInUseError(RuntimeError):
    """Another process holds the store; the message says which and what to do."""


class StoreLock:
    def __init__(self, fd: int) -> None:
        self._fd = fd

    @classmethod
    def acquire(cls, store: Path) -> "StoreLock":
        path = store.with_name(store.name + ".lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 20).decode(errors="replace").strip() or "unknown"
            os.close(fd)
            raise StoreInUseError(
                f"{store} is in use by another process (pid {holder}): stop it, or reach the "
                "server running on it with --url"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, str(os.getpid()).encode())
        return cls(fd)

    def release(self) -> None:
        os.close(self._fd)  # closing the last descriptor drops the lock
