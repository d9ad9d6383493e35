"""The OpenAI-compatible backend when its server is down or too slow: time-outs, retries, fast degrade.

The servers here are real sockets on loopback: one port where nothing listens (down) and one
that accepts connections and reads the request but never answers (hung). A working server
(llama_cpp.server) is tested in test_llm_server.py.
"""

from __future__ import annotations

import socket
import threading

import pytest

from assistant.app import App
from assistant.components.llm import create_chat_model
from assistant.components.remote_llm import ModelServerDown, ServerChatModel

QUESTION = "Wo ist das Fundbüro?"
EVIDENCE_INTRO = "Das steht dazu in den Unterlagen der Stadt"


class HungServer:
    """Accepts HTTP connections, reads the request, never answers; counts the requests."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.requests = 0
        self._open: list[socket.socket] = []
        threading.Thread(target=self._serve, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}/v1"

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            conn.recv(65536)
            self.requests += 1
            self._open.append(conn)  # kept open: the client waits for a response that never comes

    def close(self) -> None:
        for conn in self._open:
            conn.close()
        self.sock.close()


@pytest.fixture
def hung_server():
    server = HungServer()
    yield server
    server.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def openai_app(corpus_app, base_url: str, **llm) -> App:
    settings = corpus_app.settings.model_copy(deep=True)
    settings.llm.mode = "openai"
    settings.llm.base_url = base_url
    for key, value in llm.items():
        setattr(settings.llm, key, value)
    return App(settings, embedder=corpus_app.embedder, index=corpus_app.index)


def test_settings_reach_the_client(tmp_path):
    from assistant.settings import Settings

    settings = Settings(index_dir=tmp_path)
    settings.llm.mode = "openai"
    settings.llm.base_url = "http://127.0.0.1:9/v1"
    settings.llm.timeout_s, settings.llm.connect_timeout_s, settings.llm.max_retries = 7.0, 2.0, 4
    model = create_chat_model(settings)
    assert isinstance(model, ServerChatModel)
    assert model.inner.max_retries == 4
    assert model.inner.request_timeout.read == 7.0 and model.inner.request_timeout.connect == 2.0


def test_a_server_that_is_down_gives_the_evidence_answer_and_is_then_skipped(corpus_app, caplog):
    app = openai_app(corpus_app, f"http://127.0.0.1:{free_port()}/v1", max_retries=1, down_for_s=60)

    answer = app.answers.answer(QUESTION)

    assert answer.status == "answered" and answer.supporting
    assert answer.answer.startswith(EVIDENCE_INTRO)
    assert "first_token" not in answer.timings_ms  # the model wrote nothing
    assert any(
        "failed after 1 retries" in r.getMessage() and "ASSISTANT_LLM__BASE_URL" in r.getMessage()
        for r in caplog.records
    )
    assert app.chat_model.is_down
    with pytest.raises(ModelServerDown):  # no new connection attempt while it is marked down
        app.chat_model.invoke("hello")


def test_a_hung_server_hits_the_time_out_is_retried_then_skipped(corpus_app, hung_server):
    app = openai_app(corpus_app, hung_server.url, timeout_s=1.0, max_retries=2, down_for_s=60)

    first = app.answers.answer(QUESTION)
    asked = hung_server.requests
    second = app.answers.answer(QUESTION)

    assert asked == 3  # the request and its two retries, each ending in the time-out
    assert hung_server.requests == 3  # the next answer did not wait for the server again
    for answer in (first, second):
        assert answer.status == "answered" and answer.answer.startswith(EVIDENCE_INTRO)
        assert answer.supporting[0].doc_id == first.supporting[0].doc_id


def test_without_a_down_period_every_answer_asks_the_server(corpus_app, hung_server):
    app = openai_app(corpus_app, hung_server.url, timeout_s=0.5, max_retries=0, down_for_s=0)

    app.answers.answer(QUESTION)
    app.answers.answer(QUESTION)

    assert hung_server.requests == 2
