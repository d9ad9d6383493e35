"""An OpenAI-compatible chat endpoint, so existing chat front ends and scripts can use the assistant.

- ``POST /v1/chat/completions`` (``"stream": true`` for server-sent events) and
- ``GET /v1/models`` (one model, :data:`MODEL_ID`).

The last ``user`` message is the question; earlier ``user``/``assistant`` messages are the
history (for follow-ups). ``system`` messages are ignored: a client cannot change the rules
the answer path follows. Sampling parameters (``temperature``, ``max_tokens``, ``n``,
``tools`` ...) are accepted and ignored; any ``model`` value is accepted.

The reply's ``content`` is the answer text followed, for plain clients, by a
"Quellen / Sources" block (``[n] title (date) – „quote“ url``, the disagreeing sources and
an AI-assistant note). The whole ``Answer`` record (the same JSON as ``/api/ask``: status,
supporting, disagreeing, ``interaction_id``, ``ai_generated: true`` ...) travels in the extra
field ``assistant`` of the completion object and of the last stream chunk (official clients
keep unknown fields: ``completion.model_extra["assistant"]`` in the Python ``openai``
package). Every answer is logged with channel ``api``; rate it with ``POST /api/feedback``.

Streaming sends the role at once, then, when a model composes, the verified evidence
answer's text as the first content delta as soon as it exists; the model's checked answer
follows below a short marker line only when it differs (a delta cannot be taken back), then
the sources. The model's unchecked draft is never streamed: the grounding gate may still drop
sentences of it. See ``docs/api.md`` ("OpenAI-compatible endpoint").
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from assistant.answering.events import EvidenceAnswer, Final
from assistant.app import App
from assistant.components.index import IndexMismatchError, IndexNotFoundError
from assistant.records import Answer
from assistant.transports.protection import admitted_stream, check_question, limit, run_admitted, trim_history

log = logging.getLogger(__name__)

MODEL_ID = "municipal-assistant"
SSE = "text/event-stream"
SETUP_ERRORS = (IndexNotFoundError, IndexMismatchError)
AI_NOTE = {
    "de": "KI-Assistent: Antwort aus den Unterlagen der Stadt; verbindlich ist die Auskunft der Verwaltung.",
    "en": "AI assistant: answer from the city's documents; the city administration's information is binding.",
}
REWORDED = {  # introduces the model's checked answer after the evidence answer already sent
    "de": "Geprüfte Neufassung der Antwort:",
    "en": "Checked rewording of the answer:",
}
STREAM_PIECE = re.compile(r"\S+\s*|\s+")  # words with their following space: deltas that join to the text


class ContentPart(BaseModel):
    model_config = ConfigDict(extra="allow")
    type: str = "text"
    text: str = ""


class ChatMessage(BaseModel):
    model_config = ConfigDict(extra="allow")
    role: Literal["system", "developer", "user", "assistant", "tool", "function"]
    content: str | list[ContentPart] | None = None

    def text(self) -> str:
        if isinstance(self.content, list):
            return "".join(part.text for part in self.content if part.type == "text")
        return self.content or ""


class ChatCompletionRequest(BaseModel):
    model_config = ConfigDict(extra="allow")  # temperature, max_tokens, n, tools ...: accepted, ignored
    model: str = MODEL_ID
    messages: list[ChatMessage] = Field(min_length=1, max_length=100)
    stream: bool = False


def question_and_history(request: ChatCompletionRequest, app: App) -> tuple[str, list[dict[str, str]]]:
    """The last user message, checked like ``/api/ask``; the earlier user/assistant turns, most recent kept."""
    web = app.settings.web
    if request.messages[-1].role != "user":
        raise HTTPException(422, "The last message must come from the user: it is the question.")
    question = check_question(request.messages[-1].text(), web)
    turns = [{"role": m.role, "content": m.text()} for m in request.messages[:-1] if m.role in ("user", "assistant")]
    return question, trim_history(turns, web)  # the most recent turns within the kiosk's limits


def sources_block(answer: Answer) -> str:
    """The plain-text sources for clients that show only ``content``."""
    lines: list[str] = []
    if answer.supporting:
        lines.append("Quellen / Sources:")
        for evidence in answer.supporting:
            date = f" ({evidence.updated.isoformat()})" if evidence.updated else ""
            url = f" {evidence.url}" if evidence.url else ""
            lines.append(f"[{evidence.n}] {evidence.title}{date} – „{_one_line(evidence.quote)}“{url}")
    if answer.disagreeing:
        lines.append("Abweichende Quellen / Disagreeing sources:")
        for other in answer.disagreeing:
            date = f" ({other.updated.isoformat()})" if other.updated else ""
            reason = f" – {other.reason}" if other.reason else ""
            lines.append(f"- {other.title}{date} – „{_one_line(other.quote)}“ (vs. [{other.conflicts_with}]){reason}")
    lines.append(AI_NOTE.get(answer.language, AI_NOTE["en"]))
    return "\n".join(lines)


def reply_text(answer: Answer) -> str:
    return f"{answer.answer}\n\n{sources_block(answer)}"


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _usage(answer: Answer, text: str) -> dict[str, int]:
    completion = max(1, len(text) // 4)  # about four characters a token: the answer is not all model output
    return {
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": completion,
        "total_tokens": answer.prompt_tokens + completion,
    }


def completion_body(answer: Answer, completion_id: str, created: int) -> dict[str, Any]:
    text = reply_text(answer)
    return {
        "id": completion_id,
        "object": "chat.completion",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text}, "finish_reason": "stop"}],
        "usage": _usage(answer, text),
        "assistant": answer.model_dump(mode="json"),
    }


def _chunk(completion_id: str, created: int, delta: dict[str, Any], finish: str | None = None, **extra: Any) -> str:
    body = {
        "id": completion_id,
        "object": "chat.completion.chunk",
        "created": created,
        "model": MODEL_ID,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
        **extra,
    }
    return f"data: {json.dumps(body, ensure_ascii=False)}\n\n"


def error_response(status: int, message: str, kind: str = "invalid_request_error") -> JSONResponse:
    """OpenAI's error shape (clients show ``error.message``), plus ``detail`` as in the rest of the API."""
    return JSONResponse(
        {"error": {"message": message, "type": kind, "param": None, "code": None}, "detail": message},
        status_code=status,
    )


def rest_of_reply(answer: Answer, shown: str | None) -> str:
    """The reply text still to stream once ``answer`` is final, after the evidence text ``shown`` (if any).

    Without an evidence answer it is the whole reply. After one, the checked answer is added
    under a marker line only when its text differs, then the sources (of the final answer).
    """
    if shown is None:
        return reply_text(answer)
    reworded = ""
    if answer.answer.strip() != shown.strip():
        reworded = f"\n\n{REWORDED.get(answer.language, REWORDED['en'])}\n{answer.answer}"
    return f"{reworded}\n\n{sources_block(answer)}"


def _events(app: App, question: str, history: list[dict[str, str]]) -> Iterator[str]:
    """SSE lines; runs in a worker thread (the answer slot is held by the response)."""
    created = int(time.time())
    completion_id = f"chatcmpl-{uuid.uuid4().hex}"
    yield _chunk(completion_id, created, {"role": "assistant", "content": ""})
    shown: str | None = None  # the evidence answer's text, once sent
    try:
        for event in app.asking.stream(question, history, "api"):
            match event:
                case EvidenceAnswer(answer=evidence):  # verified: clients show it at once
                    shown = evidence.answer
                    yield _chunk(completion_id, created, {"content": shown})
                case Final(answer=answer):
                    rest = rest_of_reply(answer, shown)
                    for piece in STREAM_PIECE.findall(rest):
                        yield _chunk(completion_id, created, {"content": piece})
                    usage = _usage(answer, (shown or "") + rest)
                    yield _chunk(
                        completion_id, created, {}, "stop", assistant=answer.model_dump(mode="json"), usage=usage
                    )
                # Token: the model's unchecked draft is never sent
    except Exception:  # the 200 line is sent: the failure goes into the stream, as OpenAI's servers do
        log.exception("answering failed while streaming (/v1/chat/completions)")
        error = {"message": "The assistant could not answer. Please try again later.", "type": "server_error"}
        yield f"data: {json.dumps({'error': error})}\n\n"
    yield "data: [DONE]\n\n"


def create_openai_router(app: App) -> APIRouter:
    router = APIRouter(prefix="/v1", tags=["OpenAI-compatible"])

    @router.get("/models")
    async def models() -> dict[str, Any]:
        return {"object": "list", "data": [{"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "city"}]}

    @router.get("/models/{model_id}")
    async def model(model_id: str) -> dict[str, Any]:
        if model_id != MODEL_ID:
            raise HTTPException(404, f"Unknown model {model_id!r}; this server has {MODEL_ID!r}.")
        return {"id": MODEL_ID, "object": "model", "created": 0, "owned_by": "city"}

    @router.post("/chat/completions", response_model=None, dependencies=[Depends(limit(app, "answer"))])
    async def chat_completions(request: ChatCompletionRequest):
        try:
            question, history = question_and_history(request, app)
        except HTTPException as exc:
            return error_response(exc.status_code, str(exc.detail))
        if request.stream:  # Busy (503) at once when the queue is full, or when no slot came free in time
            return await admitted_stream(app.admission, _events(app, question, history), SSE)
        try:
            answer = await run_admitted(app.admission, app.asking.ask, question, history, "api")
        except SETUP_ERRORS as exc:
            return error_response(503, str(exc), "server_error")
        created = int(time.time())
        return JSONResponse(completion_body(answer, f"chatcmpl-{uuid.uuid4().hex}", created))

    return router
