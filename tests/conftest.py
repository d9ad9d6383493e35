"""Shared fixtures: the real embedding model and a real index of the sample corpus.

Both are session-scoped: the model loads once, the corpus is embedded once
(into a temporary folder, never into the project's index/).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.app import App
from assistant.components.embeddings import E5Embeddings, SecondEncoder
from assistant.ingest.pipeline import ingest
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture(scope="session")
def embedder() -> E5Embeddings:
    return E5Embeddings()


@pytest.fixture(scope="session")
def second_encoder() -> SecondEncoder:
    return SecondEncoder()


def make_settings(index_dir: Path, **overrides) -> Settings:
    """Settings for a test: the index and the database in temporary places, never the project's."""
    settings = Settings(index_dir=index_dir, **overrides)
    if "store" not in overrides:
        settings.store.url = f"sqlite:///{index_dir.parent / (index_dir.name + '-store.sqlite3')}"
        settings.store.spool_path = index_dir.parent / (index_dir.name + "-spool.jsonl")
    return settings


@pytest.fixture(scope="session")
def corpus_app(tmp_path_factory, embedder) -> App:
    """An App over a real index of the bundled sample corpus (extractive answers)."""
    settings = make_settings(tmp_path_factory.mktemp("corpus-index"))
    settings.llm.mode = "extractive"  # status and evidence tests must not depend on a model's mood
    report = ingest([CORPUS], settings, embedder)
    assert not report.skipped, report.skipped
    return App(settings, embedder=embedder)  # shares the session's loaded model


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def markdown(
    title: str, body: str, language: str = "de", updated: str = "2025-01-01", department: str = "Bürgerbüro"
) -> str:
    return (
        f"---\ntitle: {title}\nurl: https://www.musterstadt.de/{title.lower().replace(' ', '-')}\n"
        f"department: {department}\nupdated: {updated}\nlanguage: {language}\n---\n"
        f"# {title}\n\n{body}\n"
    )


@pytest.fixture(scope="session")
def chat_model():
    """The real bundled model (SmolLM2-135M-Instruct GGUF) in llama.cpp."""
    from assistant.components.llm import LlamaCppChatModel, bundled_model_path

    return LlamaCppChatModel.load(bundled_model_path(), n_ctx=2048, max_tokens=60)


@pytest.fixture(scope="session")
def llm_app(corpus_app, chat_model) -> App:
    """The sample-corpus App with the real model composing answers."""
    settings = corpus_app.settings.model_copy(deep=True)
    settings.llm.mode = "llamacpp"
    return App(settings, embedder=corpus_app.embedder, index=corpus_app.index, chat_model=chat_model)
