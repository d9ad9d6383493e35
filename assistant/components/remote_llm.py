"""The OpenAI-compatible backend (vLLM, llama.cpp's server, llama-cpp-python's server) with a fast degrade.

``ChatOpenAI`` (langchain-openai) does the protocol, streaming, time-outs and retries
with exponential back-off (the ``openai`` client: 0.5 s, 1 s, 2 s ... with jitter,
on connection errors, time-outs, 408/409/429 and 5xx). Around it,
:class:`ServerChatModel` adds what a citizen-facing service needs when the model
fleet is down: after a request failed even with its retries, the model is marked
down for ``llm.down_for_s`` seconds and every answer in that time skips it at once
(:class:`ModelServerDown`), so the answer path returns the cited evidence in
milliseconds instead of each question waiting for its own time-outs. One warning
names the server and the setting; one info line says when it answers again.

>>> from assistant.settings import LLMSettings
>>> model = create_openai_chat_model(LLMSettings(mode="openai", base_url="http://127.0.0.1:8080/v1"))
>>> model.model_name, model.max_retries
('default', 2)
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Iterator
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatGenerationChunk
from pydantic import ConfigDict, PrivateAttr

from assistant.components.llm import StreamingChatModel

log = logging.getLogger(__name__)


class ModelServerDown(RuntimeError):
    """The model server failed recently; the answer uses the evidence without asking it."""


class ServerChatModel(StreamingChatModel):
    """A chat model on a server, skipped for ``down_for_s`` seconds after a failed request."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel
    base_url: str = ""
    down_for_s: float = 10.0
    max_retries: int = 2
    _down_until: float = PrivateAttr(default=0.0)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return "openai-compatible-server"

    @property
    def model_name(self) -> str:
        return str(getattr(self.inner, "model_name", "") or "default")

    @property
    def is_down(self) -> bool:
        return time.monotonic() < self._down_until

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        if self.is_down:
            raise ModelServerDown(
                f"model server {self.base_url} marked down; retried after {self._down_until - time.monotonic():.0f} s"
            )
        try:
            for chunk in self.inner.stream(messages, stop=stop, **kwargs):
                generation = ChatGenerationChunk(message=chunk)
                if run_manager and chunk.content:
                    run_manager.on_llm_new_token(str(chunk.content), chunk=generation)
                yield generation
        except Exception as exc:
            self._mark_down(exc)
            raise
        self._mark_up()

    def _mark_down(self, exc: Exception) -> None:
        if self.down_for_s <= 0:
            return
        with self._lock:
            was_up = not self.is_down
            self._down_until = time.monotonic() + self.down_for_s
        if was_up:
            log.warning(
                "model server %s failed after %d retries (%s: %s); answering with the cited evidence "
                "for %.0f s, then asking it again (settings ASSISTANT_LLM__BASE_URL, __TIMEOUT_S, "
                "__MAX_RETRIES, __DOWN_FOR_S)",
                self.base_url,
                self.max_retries,
                type(exc).__name__,
                exc,
                self.down_for_s,
            )

    def _mark_up(self) -> None:
        if self._down_until:
            with self._lock:
                self._down_until = 0.0
            log.info("model server %s answers again", self.base_url)


def create_openai_chat_model(llm) -> ServerChatModel:
    """``ChatOpenAI`` for ``settings.llm`` (mode ``openai``), wrapped in :class:`ServerChatModel`."""
    import httpx
    from langchain_openai import ChatOpenAI

    timeout = httpx.Timeout(llm.timeout_s, connect=min(llm.connect_timeout_s, llm.timeout_s))
    inner = ChatOpenAI(
        base_url=llm.base_url,
        model=llm.model_name or "default",
        api_key=os.environ.get(llm.api_key_env, "not-needed"),
        temperature=llm.temperature,
        max_tokens=llm.max_tokens,
        timeout=timeout,
        max_retries=llm.max_retries,
        streaming=True,
    )
    return ServerChatModel(inner=inner, base_url=llm.base_url, down_for_s=llm.down_for_s, max_retries=llm.max_retries)
