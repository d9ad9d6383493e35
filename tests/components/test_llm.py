"""The real bundled model in llama.cpp: streaming, chat template, budget, load errors."""

import pytest
from langchain_core.messages import HumanMessage, SystemMessage

from assistant.answering.compose import build_messages
from assistant.components.llm import LlamaCppChatModel, ModelLoadError, create_chat_model
from assistant.records import Evidence
from assistant.settings import Settings


def test_streams_tokens_through_the_langchain_interface(chat_model):
    chunks = [
        c.content
        for c in chat_model.stream([SystemMessage(content="You are brief."), HumanMessage(content="Name a colour.")])
    ]
    assert len(chunks) > 1 and "".join(chunks).strip()


def test_uses_the_chat_template_stored_in_the_gguf(chat_model):
    # SmolLM2's template wraps turns in <|im_start|> ... <|im_end|>
    template = chat_model._llama.metadata.get("tokenizer.chat_template", "")
    assert "<|im_start|>" in template
    assert chat_model._llama.chat_format == "chat_template.default"


def test_prompt_fits_the_budget_and_keeps_recent_history(chat_model):
    evidence = [
        Evidence(
            n=i, doc_id=f"d{i}", title="Seite", quote="Ein langer Satz über Gebühren. " * 20, start=0, end=10, score=0.9
        )
        for i in range(1, 9)
    ]
    history = [
        {"role": "user", "content": "Was kostet ein Reisepass?"},
        {"role": "assistant", "content": "Ein Reisepass kostet 70,00 Euro."},
    ]
    messages, used = build_messages(
        "Und für Kinder?",
        evidence,
        "de",
        history,
        budget_tokens=600,
        history_turns=2,
        count_tokens=chat_model.get_num_tokens,
    )
    real = sum(chat_model.get_num_tokens(str(m.content)) for m in messages)
    assert real <= 600 and used <= 600
    assert [m.type for m in messages] == ["system", "human", "ai", "human"]
    assert "70,00 Euro" in messages[2].content and "Und für Kinder?" in messages[-1].content
    assert "[1]" in messages[-1].content and "[8]" not in messages[-1].content  # cut to fit


def test_missing_model_file_names_the_setting_and_the_fix(tmp_path):
    settings = Settings(index_dir=tmp_path)
    settings.llm.model_path = tmp_path / "nope.gguf"
    with pytest.raises(ModelLoadError, match="ASSISTANT_LLM__MODEL_PATH") as info:
        create_chat_model(settings)
    assert "not found" in str(info.value)


def test_corrupt_model_files_give_a_clear_error(tmp_path):
    not_gguf = tmp_path / "model.gguf"
    not_gguf.write_bytes(b"<html>404</html>")
    with pytest.raises(ModelLoadError, match="not a GGUF"):
        LlamaCppChatModel.load(not_gguf)
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(b"GGUF" + b"\x03\x00\x00\x00" + b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="could not be loaded"):
        LlamaCppChatModel.load(truncated)
