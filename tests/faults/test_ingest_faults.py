"""Ingest against a read-only folder, a full disk, and a second ingest running at the same time.

The file systems are real (a 16 MB tmpfs, remounted read-only or filled up), so the errors
are the kernel's EROFS and ENOSPC, not mocks. A killed ingest is covered by
``tests/ingest/test_pipeline.py::test_killed_ingest_leaves_a_loadable_index``.
"""

from __future__ import annotations

import errno
import threading
import time

import pytest

from assistant.components.index import HybridIndex, current_version_path
from assistant.components.locking import IndexLocked, index_lock
from assistant.ingest.pipeline import ingest
from tests.conftest import make_settings, markdown, write
from tests.faults.conftest import error_line, remount, run_cli, small_corpus


def test_read_only_index_folder_gives_one_line_and_keeps_the_index(tmp_path, small_disk, embedder):
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(small_disk / "index")
    first = ingest([corpus], settings, embedder)
    write(corpus / "neu.md", markdown("Standesamt", "Das Standesamt ist montags geschlossen."))
    remount(small_disk, "ro")
    try:
        result = run_cli("ingest", "--index", str(settings.index_dir), str(corpus))
        assert result.exit_code == 2
        line = error_line(result)
        assert f"cannot write the index to {settings.index_dir}" in line and "Read-only file system" in line
        index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
        assert index.version == first.index_version and "neu" not in index.documents
    finally:
        remount(small_disk, "rw")


def fill(folder, name="filler.bin") -> None:
    """Write zeros until the file system says it is full."""
    block = b"\0" * (1 << 16)
    with open(folder / name, "wb") as handle:
        try:
            while True:
                handle.write(block)
                handle.flush()
        except OSError as exc:
            assert exc.errno == errno.ENOSPC


def test_disk_full_while_ingesting_keeps_the_previous_version_current(tmp_path, small_disk, embedder):
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(small_disk / "index")
    first = ingest([corpus], settings, embedder)
    for i in range(30):
        write(corpus / f"seite{i}.md", markdown(f"Seite {i}", "Ein Satz über städtische Leistungen. " * 40))
    fill(small_disk)

    with pytest.raises(OSError) as failure:
        ingest([corpus], settings, embedder)
    assert failure.value.errno == errno.ENOSPC
    assert current_version_path(settings.index_dir).name == first.index_version
    assert not list((settings.index_dir / "versions").glob(".tmp-*"))  # the half-written version is gone
    index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
    assert sorted(index.documents) == ["fundbuero", "hund", "personalausweis"]

    result = run_cli("ingest", "--index", str(settings.index_dir), str(corpus))  # what an operator sees
    assert result.exit_code == 2 and "No space left on device" in error_line(result)

    (small_disk / "filler.bin").unlink()  # space again: the next run completes
    report = ingest([corpus], settings, embedder)
    assert report.documents_total == 33 and report.ok
    assert current_version_path(settings.index_dir).name == report.index_version


def test_a_second_ingest_on_the_same_index_stops_with_a_clear_message(tmp_path, embedder):
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "index")
    first = ingest([corpus], settings, embedder)
    half_written = settings.index_dir / "versions" / ".tmp-other-run"
    half_written.mkdir()  # what the running ingest is writing right now
    write(corpus / "neu.md", markdown("Standesamt", "Das Standesamt ist montags geschlossen."))

    with index_lock(settings.index_dir):  # the other `assistant ingest`, holding the lock
        result = run_cli("ingest", "--index", str(settings.index_dir), str(corpus))
        with pytest.raises(IndexLocked):
            ingest([corpus], settings, embedder)

    assert result.exit_code == 2
    assert "Another `assistant ingest`" in error_line(result) and "is writing the index" in error_line(result)
    assert half_written.is_dir()  # the other run's folder was not pruned under its feet
    assert current_version_path(settings.index_dir).name == first.index_version


def test_with_a_wait_the_second_ingest_runs_after_the_first(tmp_path, embedder):
    corpus = small_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "index")
    settings.ingest.lock_wait_s = 30
    held = threading.Event()

    def other_ingest() -> None:
        with index_lock(settings.index_dir):
            held.set()
            time.sleep(1.0)

    thread = threading.Thread(target=other_ingest)
    thread.start()
    held.wait(10)
    report = ingest([corpus], settings, embedder)  # waits for the lock, then runs
    thread.join()
    assert report.ok and report.documents_total == 3
