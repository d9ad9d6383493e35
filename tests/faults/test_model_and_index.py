"""Missing or corrupt model file, missing or mismatched index: one clear line, nothing changed.

(``tests/components/test_llm.py`` checks the ``ModelLoadError`` messages themselves; these
tests check what an operator sees: the command's exit code and its one ``error:`` line, and
that the index on disk is untouched.)
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.app import App
from assistant.components.index import HybridIndex, current_version_path
from assistant.components.llm import bundled_model_path
from assistant.transports.http import create_http_app
from tests.faults.conftest import error_line, run_cli


def fingerprint(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def copy_index(corpus_app: App, target: Path) -> Path:
    shutil.copytree(corpus_app.settings.index_dir, target)
    return target


def model_env(path: Path) -> dict[str, str]:
    return {"ASSISTANT_LLM__MODE": "llamacpp", "ASSISTANT_LLM__MODEL_PATH": str(path)}


def test_missing_model_file_stops_with_one_line_naming_the_setting(corpus_app, tmp_path):
    result = run_cli(
        "ask",
        "--index",
        str(corpus_app.settings.index_dir),
        "Wo ist das Fundbüro?",
        env=model_env(tmp_path / "gone.gguf"),
    )
    assert result.exit_code == 2
    line = error_line(result)
    assert "Language model file not found" in line and "ASSISTANT_LLM__MODEL_PATH" in line


def test_truncated_model_file_stops_with_one_line_saying_it_is_corrupt(corpus_app, tmp_path):
    truncated = tmp_path / "truncated.gguf"
    truncated.write_bytes(bundled_model_path().read_bytes()[:200_000])  # a download cut short
    result = run_cli(
        "ask", "--index", str(corpus_app.settings.index_dir), "Wo ist das Fundbüro?", env=model_env(truncated)
    )
    assert result.exit_code == 2
    assert "corrupt" in error_line(result) and str(truncated) in error_line(result)


def test_missing_index_names_the_ingest_command_in_cli_and_api(tmp_path, corpus_app):
    result = run_cli(
        "ask", "--index", str(tmp_path / "no-index"), "Wo ist das Fundbüro?", env={"ASSISTANT_LLM__MODE": "extractive"}
    )
    assert result.exit_code == 2
    assert "assistant ingest --index" in error_line(result)

    settings = corpus_app.settings.model_copy(deep=True)
    settings.index_dir = tmp_path / "no-index"
    settings.store.url = f"sqlite:///{tmp_path / 'store.sqlite3'}"
    app = App(settings, embedder=corpus_app.embedder, chat_model=None)
    with TestClient(create_http_app(app)) as client:
        asked = client.post("/api/ask", json={"question": "Wo ist das Fundbüro?"})
        assert asked.status_code == 503 and "assistant ingest --index" in asked.json()["detail"]
        assert client.get("/healthz").json()["status"] == "unavailable"


def test_index_of_another_embedding_model_is_refused_and_left_untouched(corpus_app, tmp_path):
    index = copy_index(corpus_app, tmp_path / "index")
    manifest = current_version_path(index) / "manifest.json"
    data = json.loads(manifest.read_text())
    data["embedding_model"] = "intfloat/multilingual-e5-large"  # as if built with another model
    manifest.write_text(json.dumps(data))
    before = fingerprint(index)

    asked = run_cli("ask", "--index", str(index), "Wo ist das Fundbüro?", env={"ASSISTANT_LLM__MODE": "extractive"})
    ingested = run_cli("ingest", "--index", str(index), str(tmp_path / "nothing"))

    for result in (asked, ingested):
        assert result.exit_code == 2
        line = error_line(result)
        assert "intfloat/multilingual-e5-large" in line and "assistant ingest --rebuild" in line
    assert fingerprint(index) == before  # neither command wrote anything
    data["embedding_model"] = corpus_app.embedder.model_id
    manifest.write_text(json.dumps(data))
    assert len(HybridIndex.load(index, embedding_model=corpus_app.embedder.model_id).documents) > 60
