"""Shared fixtures: the real embedding model and a real index of the sample corpus.

Both are session-scoped: the model loads once, the corpus is embedded once
(into a temporary folder, never into the project's index/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import App
from assistant.components.embeddings import E5Embeddings
from assistant.services.ingest import ingest
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def embedder() -> E5Embeddings:
    return E5Embeddings()


def make_settings(index_dir: Path, **overrides) -> Settings:
    return Settings(index_dir=index_dir, **overrides)


@pytest.fixture(scope="session")
def corpus_app(tmp_path_factory, embedder) -> App:
    """An App over a real index of the bundled sample corpus."""
    settings = make_settings(tmp_path_factory.mktemp("corpus-index"))
    report = ingest([CORPUS], settings, embedder)
    assert not report.skipped, report.skipped
    app = App(settings)
    app.__dict__["embedder"] = embedder  # share the loaded model (cached_property slot)
    return app


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def markdown(title: str, body: str, language: str = "de", updated: str = "2025-01-01",
             department: str = "Bürgerbüro") -> str:
    return (f"---\ntitle: {title}\nurl: https://www.musterstadt.de/{title.lower().replace(' ', '-')}\n"
            f"department: {department}\nupdated: {updated}\nlanguage: {language}\n---\n"
            f"# {title}\n\n{body}\n")
