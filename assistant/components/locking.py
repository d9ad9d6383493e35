"""One writer per index folder: an advisory ``flock`` on ``<index>/.ingest.lock``.

Two ``assistant ingest`` runs on the same index would otherwise each build from
the same previous version (the later one silently dropping the other's
documents) and prune each other's half-written ``versions/.tmp-*`` folders.
The kernel releases the lock when the holder exits, however it exits (a killed
ingest never leaves a stale lock behind); the file itself only records who
holds it, for the message.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> with index_lock(folder):
...     with index_lock(folder, wait_s=0):
...         pass
Traceback (most recent call last):
...
assistant.components.locking.IndexLocked: Another `assistant ingest` (process ...) is writing the index at ...
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_NAME = ".ingest.lock"


class IndexLocked(RuntimeError):
    pass


@contextmanager
def index_lock(index_dir: Path, wait_s: float = 0.0) -> Iterator[None]:
    """Hold the index folder's write lock; wait at most ``wait_s`` for it, then raise ``IndexLocked``.

    Within one process each call opens its own file description, so a second
    ``index_lock`` on the same folder conflicts with the first, as another process would.
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        deadline = time.monotonic() + max(0.0, wait_s)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    holder = _holder(fd)
                    raise IndexLocked(
                        f"Another `assistant ingest` (process {holder or '?'}) is writing the index at "
                        f"{index_dir}. Wait until it has finished and run this one again (or set "
                        "ASSISTANT_INGEST__LOCK_WAIT_S to wait for it)."
                    ) from None
                time.sleep(0.1)
        try:  # who holds it, for the message of the next run (a full disk must not stop the ingest here)
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        except OSError:
            pass
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _holder(fd: int) -> str:
    try:
        return os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return ""
