"""The HTTP app: JSON API, widget script and the mounted kiosk and staff apps, in one process.

Routes (documented with curl examples in ``docs/api.md``):

- ``POST /api/ask``          question -> Answer JSON (logged; ``interaction_id`` set)
- ``POST /api/ask/stream``   the same as NDJSON: ``{"type": "evidence", ...}`` (the verified evidence answer,
                             when a model composes), then ``{"type": "answer", ...}`` (the checked answer)
- ``POST /api/feedback``     a citizen's rating of a logged answer
- ``POST /api/ticket``       a citizen asks for a person to get back to them about a logged answer
- ``GET  /healthz``          model, index version, documents, store status
- ``GET  /widget.js``        the embeddable widget (``ui/widget.js``, configured inline)
- ``GET  /widget/demo``      an example page embedding the widget

The answer service is synchronous and CPU-bound, so it always runs in a worker
thread; the event loop keeps serving other requests (and the kiosk) meanwhile.

Pages of other sites may call ``/api/*`` only when their origin is listed in
``settings.web.widget_origins``: the check is made here, on the server, not left
to the browser's CORS enforcement (a script or curl can send any ``Origin``).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from typing import Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.answering.events import EvidenceAnswer, Final
from assistant.answering.pipeline import can_explain
from assistant.app import App
from assistant.components.index import IndexMismatchError, IndexNotFoundError
from assistant.records import Answer, Feedback, TicketRequest
from assistant.settings import WebSettings
from assistant.transports.openai_api import create_openai_router
from assistant.transports.protection import (
    admitted_stream,
    check_history,
    check_question,
    install_limits,
    limit,
    run_admitted,
)
from assistant.transports.security import GradioFileGuard, SecurityHeaders

log = logging.getLogger(__name__)

API_PREFIX = "/api/"
NDJSON = "application/x-ndjson"
# replaced in ui/widget.js when it is served, so the widget needs no extra request for its settings
WIDGET_CONFIG_PLACEHOLDER = "/*WIDGET_CONFIG*/{}/*END*/"
DISCLOSURE = {
    "de": "Sie sprechen mit einem KI-Assistenten. Er antwortet nur aus den Unterlagen der Stadt und zeigt "
    "die Quellen. Bitte prüfen Sie wichtige Angaben; verbindlich ist die Auskunft der Verwaltung.",
    "en": "You are talking to an AI assistant. It answers only from the city's documents and shows its "
    "sources. Please check important details; the city administration's information is binding.",
}
SETUP_ERRORS = (IndexNotFoundError, IndexMismatchError)


class Turn(BaseModel):
    """One earlier message of the conversation, for follow-up questions."""

    role: Literal["user", "assistant"]
    content: str = Field(max_length=4000)


class AskRequest(BaseModel):
    question: str
    history: list[Turn] = Field(default_factory=list, max_length=20)
    channel: Literal["api", "widget", "kiosk"] = "api"


class ExplainRequest(BaseModel):
    """Why this answer? Either a logged answer (``interaction_id``, as the widget sends: nothing is answered
    twice) or a question to answer and explain."""

    question: str = ""
    history: list[Turn] = Field(default_factory=list, max_length=20)
    interaction_id: str | None = Field(default=None, max_length=64)


# -- origin allow-list ------------------------------------------------------------------------------------


def normalise_origin(origin: str) -> str:
    """``scheme://host[:port]`` in lower case, without a trailing slash."""
    return origin.strip().rstrip("/").lower()


def _own_origin(scope: Scope, headers: dict[str, str]) -> str:
    host = headers.get("host", "")
    return normalise_origin(f"{scope.get('scheme', 'http')}://{host}")


class WidgetOriginGuard:
    """ASGI middleware for ``/api/*``: foreign origins get 403 unless allowed; allowed ones get CORS headers.

    Requests without an ``Origin`` header (curl, servers) and same-origin requests pass untouched.
    The widget sends no cookies, so credentials are never allowed.
    """

    def __init__(self, app: ASGIApp, allowed_origins: list[str]) -> None:
        self.app = app
        self.allowed = {normalise_origin(origin) for origin in allowed_origins}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not scope["path"].startswith(API_PREFIX):
            await self.app(scope, receive, send)
            return
        headers = {key.decode("latin-1"): value.decode("latin-1") for key, value in scope["headers"]}
        origin = headers.get("origin")
        if origin is None or normalise_origin(origin) == _own_origin(scope, headers):
            await self.app(scope, receive, self._with_headers(send, {"vary": "Origin"}))
            return
        if normalise_origin(origin) not in self.allowed:
            await self._forbidden(origin, scope, receive, send)
            return
        cors = {"access-control-allow-origin": origin, "vary": "Origin"}
        if scope["method"] == "OPTIONS" and "access-control-request-method" in headers:
            await Response(
                status_code=204,
                headers=cors
                | {
                    "access-control-allow-methods": "GET, POST, OPTIONS",
                    "access-control-allow-headers": "Content-Type",
                    "access-control-max-age": "600",
                },
            )(scope, receive, send)
            return
        await self.app(scope, receive, self._with_headers(send, cors))

    @staticmethod
    async def _forbidden(origin: str, scope: Scope, receive: Receive, send: Send) -> None:
        log.warning("refused an API request from origin %s (not in web.widget_origins)", origin)
        detail = (
            f"Origin {origin} may not use this assistant: add it to the setting web.widget_origins "
            "(ASSISTANT_WEB__WIDGET_ORIGINS) to embed the widget on that site."
        )
        await JSONResponse({"detail": detail}, status_code=403, headers={"vary": "Origin"})(scope, receive, send)

    @staticmethod
    def _with_headers(send: Send, extra: dict[str, str]) -> Send:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {key.lower() for key, _ in message.get("headers", [])}
                added = [
                    (k.encode("latin-1"), v.encode("latin-1"))
                    for k, v in extra.items()
                    if k.encode("latin-1") not in present
                ]
                message = {**message, "headers": [*message.get("headers", []), *added]}
            await send(message)

        return send_with_headers


# -- the use cases behind the routes ---------------------------------------------------------------------


def _history(request: AskRequest | ExplainRequest) -> list[dict[str, str]]:
    return [turn.model_dump() for turn in request.history]


def _line(kind: str, answer: Answer) -> str:
    return json.dumps({"type": kind, "answer": answer.model_dump(mode="json")}, ensure_ascii=False) + "\n"


def _events(app: App, request: AskRequest, question: str) -> Iterator[str]:
    """NDJSON lines of the logged answer's events; runs in a worker thread, one ``next()`` at a time.

    The verified evidence answer goes out as soon as it exists, the checked answer replaces it;
    the model's unchecked draft (``Token`` events) never leaves the server.
    """
    try:
        for event in app.asking.stream(question, _history(request), request.channel):
            match event:
                case EvidenceAnswer(answer=answer):
                    yield _line("evidence", answer)
                case Final(answer=answer):
                    yield _line("answer", answer)
    except Exception:  # the status line is already sent: report the failure in the stream
        log.exception("answering failed while streaming")
        yield json.dumps({"type": "error", "message": "The assistant could not answer. Please try again later."}) + "\n"


def health(app: App) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body): 200 when answering works, 503 when the index cannot be loaded."""
    body: dict[str, Any] = {"status": "ok"}
    try:
        body |= {
            "model": app.answers.model_name,
            "index_version": app.index.version,
            "documents": len(app.index.documents),
        }
    except SETUP_ERRORS as exc:
        return 503, {"status": "unavailable", "error": str(exc)}
    try:
        store = app.feedback.status()
    except Exception as exc:  # a broken store does not stop answering: answers are spooled
        log.exception("feedback store status failed")
        store = {"store_reachable": False, "error": str(exc)}
    if not store.get("store_reachable", store.get("ok", True)):
        body["status"] = "degraded"  # answers still work; their log waits in the spool
    body |= {"store": store, "spooled": store.get("spooled", 0), "load": app.admission.status()}
    return 200, body


def widget_config(web: WebSettings, explain: bool = False) -> dict[str, Any]:
    """What the widget needs to know; ``explain``: it offers "why this answer?" (a local llama.cpp model)."""
    return {
        "link_domains": web.link_domains,
        "max_question_chars": web.max_question_chars,
        "disclosure": DISCLOSURE,
        "explain": explain,
    }


def widget_script(app: App) -> str:
    source = (app.settings.ui_dir / "widget.js").read_text(encoding="utf-8")
    # "<" escaped so the JSON stays inert even if someone inlines the script into a page
    config = json.dumps(widget_config(app.settings.web, can_explain(app.settings)), ensure_ascii=False)
    config = config.replace("<", "\\u003c")
    return source.replace(WIDGET_CONFIG_PLACEHOLDER, config, 1)


# -- the app ---------------------------------------------------------------------------------------------


def _add_api_routes(api: FastAPI, app: App) -> None:
    @api.post("/api/ask", response_model=None, dependencies=[Depends(limit(app, "answer"))])
    async def ask(request: AskRequest) -> JSONResponse:
        question = check_question(request.question, app.settings.web)
        check_history(request.history, app.settings.web)
        try:  # Busy (503) at once when the queue is full, or when no slot came free in time
            answer = await run_admitted(app.admission, app.asking.ask, question, _history(request), request.channel)
        except SETUP_ERRORS as exc:
            raise HTTPException(503, str(exc)) from exc
        return JSONResponse(answer.model_dump(mode="json"))

    @api.post("/api/ask/stream", response_model=None, dependencies=[Depends(limit(app, "answer"))])
    async def ask_stream(request: AskRequest) -> StreamingResponse:
        question = check_question(request.question, app.settings.web)
        check_history(request.history, app.settings.web)
        return await admitted_stream(app.admission, _events(app, request, question), NDJSON)

    @api.post("/api/explain", response_model=None, dependencies=[Depends(limit(app, "answer"))])
    async def explain(request: ExplainRequest) -> JSONResponse:
        """Why this answer? The answer and each evidence sentence's effect on it (an Explanation record);
        costs one model pass per sentence, so it is asked for on demand."""
        from assistant.answering.pipeline import ExplainUnavailable

        if request.interaction_id:
            interaction = await run_in_threadpool(app.feedback.interaction, request.interaction_id)
            if interaction is None:
                raise HTTPException(
                    404, f"No answer with interaction_id {request.interaction_id!r} (it may have expired)."
                )
            work, args = app.answers.explain_given, (interaction.as_answer(),)
        else:
            question = check_question(request.question, app.settings.web)
            check_history(request.history, app.settings.web)
            work, args = app.answers.explain, (question, _history(request))
        try:
            explanation = await run_admitted(app.admission, work, *args)
        except ExplainUnavailable as exc:
            raise HTTPException(501, str(exc)) from exc
        except SETUP_ERRORS as exc:
            raise HTTPException(503, str(exc)) from exc
        return JSONResponse(explanation.model_dump(mode="json"))

    @api.post("/api/feedback", status_code=201, dependencies=[Depends(limit(app, "feedback"))])
    async def feedback(rating: Feedback, request: Request) -> dict[str, bool]:
        from assistant.feedback.log import UnknownInteraction

        client = request.client.host if request.client else ""  # stored as a salted hash only
        try:
            await run_in_threadpool(app.feedback.rate, rating, client)
        except UnknownInteraction as exc:
            raise HTTPException(
                404, f"No answer with interaction_id {rating.interaction_id!r} (it may have expired)."
            ) from exc
        return {"stored": True}

    @api.post("/api/ticket", status_code=201, dependencies=[Depends(limit(app, "feedback"))])
    async def ticket(request: TicketRequest) -> dict[str, Any]:
        """Hand the answer over to a person: the interaction (question, answer, sources) enters the staff
        review queue tagged "ticket", with the contact the citizen typed (kept until the retention purge)."""
        from assistant.feedback.log import StoreUnavailable, UnknownInteraction

        try:
            stored = await run_in_threadpool(app.feedback.open_ticket, request)
        except UnknownInteraction as exc:
            raise HTTPException(
                404, f"No answer with interaction_id {request.interaction_id!r} (it may have expired)."
            ) from exc
        except StoreUnavailable as exc:
            raise HTTPException(503, "The request could not be stored. Please try again later.") from exc
        return {"stored": True, "ticket_id": stored.id}

    @api.get("/api/widget-config")
    async def config() -> dict[str, Any]:
        return widget_config(app.settings.web, can_explain(app.settings))


def _add_page_routes(api: FastAPI, app: App) -> None:
    @api.get("/healthz", response_model=None)
    async def healthz() -> JSONResponse:
        status, body = await run_in_threadpool(health, app)
        return JSONResponse(body, status_code=status)

    @api.get("/", include_in_schema=False)
    async def root() -> RedirectResponse:
        return RedirectResponse("/kiosk/")

    @api.get("/widget.js", include_in_schema=False)
    async def widget() -> Response:
        return Response(
            widget_script(app),
            media_type="application/javascript; charset=utf-8",
            headers={"cache-control": "public, max-age=300"},
        )

    @api.get("/widget/demo", include_in_schema=False)
    async def widget_demo() -> FileResponse:
        return FileResponse(app.settings.ui_dir / "widget-demo.html", media_type="text/html; charset=utf-8")


def _mount_staff(api: FastAPI, app: App) -> None:
    from assistant.transports.staff.mount import mount_staff  # lazily, as the kiosk: Gradio is slow to import

    mount_staff(api, app)


def create_http_app(app: App) -> FastAPI:
    """One FastAPI app: the API, the widget, the staff review app at /staff and the kiosk at /kiosk."""
    from assistant.transports.web import mount_kiosk

    api = FastAPI(
        title="Bürgerassistent API", version="1", docs_url=None, redoc_url=None, openapi_url="/api/openapi.json"
    )
    api.add_middleware(WidgetOriginGuard, allowed_origins=app.settings.web.widget_origins)
    install_limits(api)
    _add_api_routes(api, app)
    _add_page_routes(api, app)
    api.include_router(create_openai_router(app))  # /v1/chat/completions, /v1/models (docs/api.md)
    _mount_staff(api, app)
    mount_kiosk(api, app)
    api.add_middleware(GradioFileGuard, prefix="/kiosk")  # the kiosk has no file components
    api.add_middleware(SecurityHeaders)  # outermost: refusals of the other middlewares get the headers too
    return api
