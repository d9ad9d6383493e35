"""The profile switch (ASSISTANT_LLM__PROFILE): which model loads, with which budget and time-outs."""

from __future__ import annotations

import pytest

from assistant.components.llm import LlamaCppChatModel, ModelLoadError, bundled_model_path, create_chat_model
from assistant.components.model_install import QUALITY
from assistant.settings import Settings
from tests.quality_model import MODEL_PATH, needs_quality_model


@pytest.fixture
def profile_env(monkeypatch, tmp_path):
    def use(profile: str, models_dir=None) -> Settings:
        monkeypatch.setenv("ASSISTANT_LLM__PROFILE", profile)
        monkeypatch.setenv("ASSISTANT_LLM__MODELS_DIR", str(models_dir or tmp_path / "models"))
        return Settings(index_dir=tmp_path / "index")

    return use


def test_the_default_profile_is_small_and_loads_the_bundled_smollm2(tmp_path):
    settings = Settings(index_dir=tmp_path)
    assert settings.llm.profile == "small"
    model = create_chat_model(settings)
    assert isinstance(model, LlamaCppChatModel) and model.model_path == str(bundled_model_path())
    assert model.model_name.startswith("SmolLM2")
    assert (settings.answer.prompt_budget_tokens, settings.llm.max_tokens) == (1200, 160)  # unchanged behaviour


def test_the_extractive_profile_loads_no_model(profile_env):
    settings = profile_env("extractive")
    assert settings.llm.mode == "extractive"
    assert create_chat_model(settings) is None


def test_quality_without_the_installed_model_says_run_make_model(profile_env):
    settings = profile_env("quality")
    with pytest.raises(ModelLoadError, match="run `make model`") as info:
        create_chat_model(settings)
    assert QUALITY.filename in str(info.value)


def test_quality_refuses_an_incomplete_model_file(profile_env, tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    (models / QUALITY.filename).write_bytes(b"GGUF" + b"\0" * 1000)  # an interrupted copy, say
    with pytest.raises(ModelLoadError, match="missing or incomplete"):
        create_chat_model(profile_env("quality", models))


def test_quality_sizes_the_prompt_and_time_outs_for_a_slower_model(profile_env, monkeypatch):
    settings = profile_env("quality")
    assert settings.answer.prompt_budget_tokens == 700
    assert settings.llm.max_tokens == 120 and settings.llm.generation_timeout_s == 60
    monkeypatch.setenv("ASSISTANT_ANSWER__PROMPT_BUDGET_TOKENS", "900")  # a value set explicitly wins
    assert Settings().answer.prompt_budget_tokens == 900


@needs_quality_model
def test_quality_loads_qwen_from_the_cache(profile_env):
    model = create_chat_model(profile_env("quality", MODEL_PATH.parent))
    assert model.model_path == str(MODEL_PATH) and model.model_name == QUALITY.filename
    assert "qwen" in model._llama.metadata.get("general.name", "").lower()
    assert model.timeout_s == 60 and model.max_tokens == 120
