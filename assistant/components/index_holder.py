"""A running app picks up a new index version without a restart.

``assistant ingest`` (a job, on any machine that shares the index folder) writes a new,
immutable version under ``index/versions/`` and then switches ``index/CURRENT`` with an
atomic rename. Every app instance holds its answer service in an :class:`IndexHolder`:

* at most every ``settings.index_reload_s`` seconds a request checks ``CURRENT`` (one
  ``stat``; the file is read only when it changed);
* when it names another version, that one request loads it and builds a new
  ``AnswerPipeline`` on it, then swaps the reference (one assignment: atomic in Python).
  Requests arriving meanwhile are not blocked: they keep getting the old service;
* a request that already holds the old service keeps it to the end (its generator
  references the service, the service its index), so an answer never mixes versions.
  A loaded index lives in memory (FAISS, BM25 and vectors are read, not memory-mapped),
  so the old version's folder may be pruned by the next ingest while answers still use it;
* a version that cannot be loaded (half copied to a shared disk, pruned during the load,
  built with another embedding model) is logged and the old one stays in use; the next
  check tries again.

Interplay with ``ingest.keep_versions`` (default 2): a prune deletes all but the newest
versions. An instance only needs the folder of a version while it *loads* it, so the
version in use is safe unless two more ingests finish during one load (seconds); keep
``keep_versions`` >= 2 whenever app instances read the index folder.

>>> holder = IndexHolder(Path("index"), index, build=lambda ix: AnswerPipeline(settings, ix, emb))  # doctest: +SKIP
>>> holder.current().answer("Wo ist das Fundbüro?").index_version  # doctest: +SKIP
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Generic, TypeVar

from assistant.components.index import HybridIndex

log = logging.getLogger(__name__)

Service = TypeVar("Service")


class IndexHolder(Generic[Service]):
    """The service built on the index version ``index_dir/CURRENT`` names, swapped when it changes."""

    def __init__(
        self,
        index_dir: Path,
        index: HybridIndex,
        build: Callable[[HybridIndex], Service],
        reload_s: float = 5.0,
        load: Callable[[Path], HybridIndex] | None = None,
        on_swap: Callable[[HybridIndex], None] | None = None,
    ) -> None:
        self.index_dir = Path(index_dir)
        self.reload_s = reload_s  # 0: never check (a restart picks up a new version)
        self._build = build
        self._load = load or HybridIndex.load
        self._on_swap = on_swap
        self._index = index
        self._service = build(index)
        self._pointer = self._pointer_stat()
        self._checked = time.monotonic()
        self._loading = threading.Lock()

    @property
    def index(self) -> HybridIndex:
        return self._index

    def current(self) -> Service:
        """The service to answer this request with (checks for a new version at most every ``reload_s``)."""
        if self.reload_s > 0 and time.monotonic() - self._checked >= self.reload_s:
            self.refresh()
        return self._service

    def refresh(self) -> bool:
        """Check ``CURRENT`` now; load and swap when it names another version. True when swapped.

        Only one caller loads; the others return at once and keep using the current service.
        """
        if not self._loading.acquire(blocking=False):
            return False
        try:
            self._checked = time.monotonic()
            pointer = self._pointer_stat()
            if pointer is None or pointer == self._pointer:
                return False
            version = self._read_pointer()
            if not version or version == self._index.version:
                self._pointer = pointer
                return False
            started = time.perf_counter()
            try:
                index = self._load(self.index_dir)
                service = self._build(index)
            except Exception as exc:  # noqa: BLE001 - the old version keeps answering
                log.warning(
                    "index version %s could not be loaded (%s: %s); still answering from %s",
                    version,
                    type(exc).__name__,
                    exc,
                    self._index.version,
                )
                return False
            old = self._index.version
            self._index, self._service, self._pointer = index, service, pointer
            if self._on_swap is not None:
                self._on_swap(index)
            log.info(
                "index switched from %s to %s (%d documents, loaded in %.1f s)",
                old,
                index.version,
                len(index.documents),
                time.perf_counter() - started,
            )
            return True
        finally:
            self._loading.release()

    def _pointer_stat(self) -> tuple[int, int, int] | None:
        try:
            stat = os.stat(self.index_dir / "CURRENT")
        except OSError:
            return None
        # os.replace gives the pointer a new inode; mtime and size catch an in-place rewrite
        return stat.st_ino, stat.st_mtime_ns, stat.st_size

    def _read_pointer(self) -> str:
        try:
            return (self.index_dir / "CURRENT").read_text(encoding="utf-8").strip()
        except OSError:
            return ""
