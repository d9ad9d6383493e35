import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex, IndexMismatchError, current_version_path, sentence_contexts
from assistant.ingest.pipeline import ingest
from tests.conftest import ROOT, make_settings, markdown, write

DOCS = {
    "pass.md": ("Reisepass", "Ein Reisepass kostet 70,00 Euro für Personen ab 24 Jahren."),
    "hund.md": ("Hundesteuer", "Für den ersten Hund zahlen Sie 120,00 Euro im Jahr."),
    "muell.md": ("Sperrmüll", "Sperrmüll wird zweimal im Jahr kostenlos abgeholt."),
}


def make_corpus(folder: Path) -> Path:
    for name, (title, body) in DOCS.items():
        write(folder / name, markdown(title, body))
    return folder


def test_reingest_embeds_only_changed_documents_and_removes_deleted(tmp_path, embedder):
    corpus = make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "index")
    first = ingest([corpus], settings, embedder)
    assert sorted(first.added) == ["hund", "muell", "pass"] and first.chunks_embedded == 3

    again = ingest([corpus], settings, embedder)
    assert again.chunks_embedded == 0 and again.unchanged == 3
    assert again.index_version == first.index_version  # nothing changed: no new version

    write(corpus / "hund.md", markdown("Hundesteuer", "Für den ersten Hund zahlen Sie 132,00 Euro im Jahr."))
    (corpus / "muell.md").unlink()
    write(corpus / "kita.md", markdown("Kita-Platz", "Einen Kita-Platz beantragen Sie online."))
    third = ingest([corpus], settings, embedder)
    assert third.updated == ["hund"] and third.removed == ["muell"] and third.added == ["kita"]
    assert third.chunks_embedded == 2  # the changed and the new document, nothing else

    index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
    assert sorted(index.documents) == ["hund", "kita", "pass"]
    assert "132,00 Euro" in index.documents["hund"].text
    assert len(index.vectors) == len(index.chunks) == 3
    # carried-over vectors are still the right ones: each chunk is its own nearest neighbour
    fresh = embedder.embed_passages([c.embedding_text() for c in index.chunks])
    assert np.allclose(fresh, index.vectors, atol=1e-4)


def test_stored_sentence_and_title_vectors_line_up_after_reingest_and_deletions(tmp_path, embedder):
    corpus = make_corpus(tmp_path / "corpus")
    write(
        corpus / "kita.md", markdown("Kita-Platz", "Einen Kita-Platz beantragen Sie online. Die Zusage kommt per Post.")
    )
    settings = make_settings(tmp_path / "index")
    ingest([corpus], settings, embedder)
    write(corpus / "hund.md", markdown("Hundesteuer", "Der erste Hund kostet 132,00 Euro. Jeder weitere 180,00 Euro."))
    (corpus / "pass.md").unlink()
    ingest([corpus], settings, embedder)

    index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
    assert sorted(index.documents) == ["hund", "kita", "muell"]
    contexts = [text for chunk in index.chunks for text in sentence_contexts(chunk)]
    assert len(index.sentence_vectors) == len(contexts) == sum(len(c.sentences) for c in index.chunks)
    # each stored row is the vector of its own sentence (in context), carried over or new
    assert np.allclose(embedder.embed_passages(contexts), index.sentence_vectors, atol=1e-4)
    titles = embedder.embed_passages([doc.title for doc in index.documents.values()])
    assert np.allclose(titles, index.title_vectors, atol=1e-4)
    # a quote's vector is found by its offsets: the changed fee sentence of the new version
    hund = index.documents["hund"]
    start = hund.text.index("Der erste Hund")
    end = hund.text.index("132,00 Euro.") + len("132,00 Euro.")
    vector = index.span_vector("hund", start, end)
    row = next(i for i, text in enumerate(contexts) if text.endswith("Der erste Hund kostet 132,00 Euro."))
    assert np.allclose(vector, index.sentence_vectors[row], atol=1e-4)
    assert index.span_vector("pass", 0, 10) is None  # the deleted document is gone


class RecordingEmbedder(E5Embeddings):
    """The real embedding model, recording every text it is asked to embed."""

    def __init__(self, inner: E5Embeddings) -> None:
        self.__dict__.update(inner.__dict__)
        self.texts: list[str] = []

    def embed_passages(self, texts):
        self.texts.extend(texts)
        return super().embed_passages(texts)


def test_a_sentence_repeated_across_pages_is_embedded_once_and_stored_for_each(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    contact = "Telefon: 0621 293-0."
    # the same title, hence the same sentence in context, on two pages
    write(corpus / "a.md", markdown("Bürgerbüro", f"Termine gibt es online. {contact}"))
    write(corpus / "b.md", markdown("Bürgerbüro", f"Anträge stellen Sie vor Ort. {contact}"))
    recording = RecordingEmbedder(embedder)
    ingest([corpus], make_settings(tmp_path / "index"), recording)

    assert len(recording.texts) == len(set(recording.texts))  # nothing embedded twice
    index = HybridIndex.load(tmp_path / "index", embedding_model=embedder.model_id)
    contexts = [text for chunk in index.chunks for text in sentence_contexts(chunk)]
    assert sum(text.endswith(contact) for text in contexts) == 2  # but stored for both pages
    assert np.allclose(embedder.embed_passages(contexts), index.sentence_vectors, atol=1e-4)


def test_documents_from_other_paths_are_kept(tmp_path, embedder):
    settings = make_settings(tmp_path / "index")
    ingest([make_corpus(tmp_path / "a")], settings, embedder)
    other = write(tmp_path / "b" / "notice.md", markdown("Hinweis", "Das Rathaus ist am Montag geschlossen."))
    report = ingest([other], settings, embedder)
    assert report.added == ["notice"] and report.removed == []
    assert report.documents_total == 4


def test_bad_files_are_skipped_with_reasons_and_the_rest_is_ingested(tmp_path, embedder):
    corpus = make_corpus(tmp_path / "corpus")
    (corpus / "kaputt.pdf").write_bytes(b"%PDF-1.4 broken")
    (corpus / "leer.txt").write_bytes(b"")
    (corpus / "foto.jpg").write_bytes(b"\xff\xd8\xff")
    settings = make_settings(tmp_path / "index")
    settings.ingest.max_file_bytes = 5_000
    write(corpus / "riesig.txt", "Wort " * 2_000)
    report = ingest([corpus, tmp_path / "fehlt"], settings, embedder)
    reasons = {Path(s.path).name: s.reason for s in report.skipped}
    assert set(reasons) == {"kaputt.pdf", "leer.txt", "foto.jpg", "riesig.txt", "fehlt"}
    assert reasons["kaputt.pdf"].startswith("corrupt PDF")
    assert reasons["fehlt"] == "not found"
    assert report.documents_total == 3 and not report.ok


def test_index_built_with_another_model_fails_with_the_rebuild_command(tmp_path, embedder):
    settings = make_settings(tmp_path / "index")
    ingest([make_corpus(tmp_path / "corpus")], settings, embedder)
    with pytest.raises(IndexMismatchError, match=r"assistant ingest --rebuild"):
        HybridIndex.load(settings.index_dir, embedding_model="other/model-768")


def test_failure_while_writing_leaves_the_previous_index_in_use(tmp_path, embedder, monkeypatch):
    corpus = make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "index")
    first = ingest([corpus], settings, embedder)
    write(corpus / "neu.md", markdown("Fundbuero", "Fundsachen werden sechs Monate aufbewahrt."))

    import faiss

    def disk_full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(faiss, "write_index", disk_full)
    with pytest.raises(OSError, match="No space left"):
        ingest([corpus], settings, embedder)
    monkeypatch.undo()
    assert current_version_path(settings.index_dir).name == first.index_version
    assert not list((settings.index_dir / "versions").glob(".tmp-*"))  # no half-written folder left
    index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
    assert "neu" not in index.documents and len(index.documents) == 3


@pytest.mark.slow
def test_killed_ingest_leaves_a_loadable_index(tmp_path, embedder):
    corpus = make_corpus(tmp_path / "corpus")
    settings = make_settings(tmp_path / "index")
    first = ingest([corpus], settings, embedder)
    for i in range(40):
        write(corpus / f"extra{i}.md", markdown(f"Seite {i}", "Ein Satz über städtische Leistungen. " * 30))
    proc = subprocess.Popen(
        [sys.executable, "-m", "assistant.cli", "ingest", "--index", str(settings.index_dir), str(corpus)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if list((settings.index_dir / "versions").glob(".tmp-*")) or time.time() > deadline - 110:
            break  # kill while writing if we catch it, else mid-embedding
        time.sleep(0.005)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    index = HybridIndex.load(settings.index_dir, embedding_model=embedder.model_id)
    assert index.version == first.index_version or len(index.documents) == 43
    report = ingest([corpus], settings, embedder)  # the next run completes normally
    assert report.documents_total == 43 and report.ok
