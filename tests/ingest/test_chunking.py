from assistant.ingest.chunking import chunk_document
from assistant.records import Document


def doc(text: str) -> Document:
    return Document(doc_id="d", title="Reisepass", text=text, source="d.md", language="de")


def test_chunks_keep_headings_and_are_verbatim():
    text = (
        "# Reisepass\n\nEin Reisepass ist zehn Jahre gültig.\n\n## Gebühren\n\n"
        "- ab 24 Jahren: 70,00 Euro\n- unter 24 Jahren: 37,50 Euro\n\n## Unterlagen\n\n"
        "Bitte bringen Sie ein biometrisches Passfoto mit."
    )
    chunks = chunk_document(doc(text), max_chars=80, min_chars=10)
    for chunk in chunks:
        assert chunk.text == text[chunk.start : chunk.end]
        assert all(chunk.start <= s.start < s.end <= chunk.end for s in chunk.sentences)
    fee_chunk = next(c for c in chunks if "70,00 Euro" in c.text)
    assert fee_chunk.headings == ["Reisepass", "Gebühren"]
    assert "## Gebühren" in fee_chunk.text  # the heading travels with its list
    assert "Reisepass > Gebühren" in fee_chunk.embedding_text()


def test_a_chunk_never_cuts_a_sentence():
    sentence = "Dies ist ein recht langer Satz über die Abfallentsorgung in der Stadt. "
    text = "# Müll\n\n" + sentence * 40
    chunks = chunk_document(doc(text), max_chars=300, min_chars=50)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text.startswith(("# Müll", "Dies ist"))
        assert chunk.text.rstrip().endswith(".")
        assert len(chunk.text) <= 300
    covered = "".join(c.text for c in chunks).replace(" ", "").replace("\n", "")
    assert covered == text.replace(" ", "").replace("\n", "")


def test_short_sections_are_merged_with_the_next():
    text = "# A\n\nKurz.\n\n## B\n\nAuch kurz.\n\n## C\n\nNoch ein Satz."
    chunks = chunk_document(doc(text), max_chars=900, min_chars=200)
    assert len(chunks) == 1
    assert chunks[0].text == text
