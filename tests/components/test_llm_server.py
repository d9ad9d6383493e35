"""The OpenAI-compatible backend against a real server: llama-cpp-python's own, on loopback."""

import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from assistant.components.llm import bundled_model_path, create_chat_model
from assistant.settings import Settings

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server_url():
    port = free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "llama_cpp.server",
            "--model",
            str(bundled_model_path()),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--n_ctx",
            "2048",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}/v1"
    try:
        for _ in range(120):
            try:
                urllib.request.urlopen(f"{url}/models", timeout=1)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail("llama_cpp.server exited during start-up")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def test_openai_mode_streams_from_a_real_server(server_url, tmp_path):
    settings = Settings(index_dir=tmp_path)
    settings.llm.mode = "openai"
    settings.llm.base_url = server_url
    settings.llm.max_tokens = 20
    model = create_chat_model(settings)
    chunks = [c.content for c in model.stream("Name a colour.")]
    assert len(chunks) > 1 and "".join(chunks).strip()


def test_answer_path_through_the_server_is_the_same_gate(server_url, corpus_app):
    from assistant.app import App

    settings = corpus_app.settings.model_copy(deep=True)
    settings.llm.mode = "openai"
    settings.llm.base_url = server_url
    app = App(settings, embedder=corpus_app.embedder, index=corpus_app.index)
    answer = app.answers.answer("Was kostet ein Personalausweis?")
    assert answer.status == "answered" and answer.model != "extractive"
    assert "28,80" not in answer.answer
    assert any("37,00 Euro" in e.quote for e in answer.supporting)


def test_server_down_degrades_to_the_evidence(corpus_app):
    from assistant.app import App

    settings = corpus_app.settings.model_copy(deep=True)
    settings.llm.mode = "openai"
    settings.llm.base_url = f"http://127.0.0.1:{free_port()}/v1"  # nothing listens there
    settings.llm.timeout_s = 2
    app = App(settings, embedder=corpus_app.embedder, index=corpus_app.index)
    answer = app.answers.answer("Wo ist das Fundbüro?")
    assert answer.status == "answered" and answer.supporting
    assert answer.answer.startswith("Das steht dazu in den Unterlagen der Stadt")
