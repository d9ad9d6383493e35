"""The staff review service over a real SQLite file, the sample corpus index and the e5 model."""

from __future__ import annotations

import pytest

from assistant.components.store import Store
from assistant.feedback.review.service import ReviewService


@pytest.fixture
def review(tmp_path, corpus_app) -> ReviewService:
    settings = corpus_app.settings.model_copy(deep=True)
    settings.store.url = f"sqlite:///{tmp_path / 'review.sqlite3'}"
    settings.staff.curated_eval_path = tmp_path / "eval" / "curated.jsonl"
    settings.staff.eval_reports_dir = tmp_path / "reports"
    store = Store(settings.store.url)
    store.migrate()
    return ReviewService(settings, store, corpus_app.index, corpus_app.embedder)
