"""The quality profile's 1.1 GB model (Qwen2.5-Coder-1.5B-Instruct), for the tests that need it.

It is installed by `make model`, never by the test suite (nor in CI's default run): without it
these tests are skipped with the reason.
"""

from __future__ import annotations

import pytest

from assistant.components.model_install import QUALITY, default_models_dir, is_installed

MODEL_PATH = default_models_dir() / QUALITY.filename
SKIP_REASON = f"the quality model is not installed at {MODEL_PATH} (run `make model`, 1.1 GB)"


def needs_quality_model(test):
    """Mark a test ``quality_model`` and skip it when the model file is missing or incomplete."""
    skip = pytest.mark.skipif(not is_installed(QUALITY, default_models_dir()), reason=SKIP_REASON)
    return pytest.mark.quality_model(skip(test))


def load_quality_model(**kwargs):
    from assistant.components.llm import LlamaCppChatModel

    options = {"n_ctx": 2048, "max_tokens": 120} | kwargs
    return LlamaCppChatModel.load(MODEL_PATH, **options)
