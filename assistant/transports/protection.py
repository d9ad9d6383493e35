"""Abuse limits for the HTTP API: per-client rate limit, busy answers, history size.

``install_limits(api, app)`` registers the responses; the routes in ``http.py`` and
``openai_api.py`` declare ``dependencies=[Depends(limit(app, "answer"))]`` and answer
through ``run_admitted`` (a JSON reply) or ``admitted_stream`` (a streamed one), which
hold an answer slot of ``app.admission`` while the answer is computed. What a client sees:

- ``429`` with ``Retry-After`` and ``{"detail": ..., "rate_limited": true, "retry_after_s": n}``
  when one client address sends more than ``web.rate_limit_per_minute`` questions
  (ratings are counted in their own bucket);
- ``503`` with ``Retry-After`` and ``{"detail": ..., "busy": true, "retry_after_s": n}`` when
  every answer slot is taken and the queue is full, or a question waited longer
  than ``web.queue_wait_s``;
- ``422`` when the history has more turns or characters than ``web.max_history_turns``
  / ``web.max_history_chars``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse, StreamingResponse
from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.types import Receive, Scope, Send

from assistant.app import App
from assistant.settings import WebSettings
from assistant.transports.admission import (
    BUSY_MESSAGE,
    RATE_LIMITED_MESSAGE,
    Admission,
    Busy,
    Ticket,
    retry_after_header,
)

log = logging.getLogger(__name__)
T = TypeVar("T")
STREAM_HEADERS = {"cache-control": "no-store", "x-accel-buffering": "no"}


class RateLimited(Exception):
    def __init__(self, retry_after_s: float) -> None:
        super().__init__(RATE_LIMITED_MESSAGE["en"])
        self.retry_after_s = retry_after_s


def client_address(request: Request) -> str:
    """The client's address as uvicorn sees it (``X-Forwarded-For`` only from trusted proxies)."""
    return request.client.host if request.client else ""


def limit(app: App, kind: str) -> Callable[[Request], Awaitable[None]]:
    """A FastAPI dependency taking one token from the client's ``kind`` bucket, or ``RateLimited``."""

    async def check(request: Request) -> None:
        allowed, wait = app.rate_limiter.check(client_address(request), kind)
        if not allowed:
            raise RateLimited(wait)

    return check


def check_question(question: str, web: WebSettings) -> str:
    """The stripped question; 422 when it is empty or longer than ``web.max_question_chars``."""
    text = question.strip()
    if not text:
        raise HTTPException(422, "The question is empty: send the question (the last user message).")
    if len(text) > web.max_question_chars:
        raise HTTPException(
            422,
            f"The question is too long ({len(text)} characters); at most "
            f"{web.max_question_chars} characters are accepted. Please ask it more briefly.",
        )
    return text


def check_history(turns: Sequence[Any], web: WebSettings) -> None:
    """422 when the earlier turns sent with a question exceed the configured size."""
    if len(turns) > web.max_history_turns:
        raise HTTPException(
            422,
            f"The history has {len(turns)} turns; at most {web.max_history_turns} are accepted. "
            "Send only the last turns of the conversation.",
        )
    chars = sum(len(turn.content) for turn in turns)
    if chars > web.max_history_chars:
        raise HTTPException(
            422,
            f"The history is too long ({chars} characters); at most {web.max_history_chars} are "
            "accepted. Send only the last turns of the conversation.",
        )


def trim_history(turns: list[dict[str, str]], web: WebSettings) -> list[dict[str, str]]:
    """The most recent turns within the configured size (the kiosk keeps its conversation this short)."""
    kept: list[dict[str, str]] = []
    chars = 0
    for turn in reversed(turns[-web.max_history_turns :] if web.max_history_turns > 0 else []):
        chars += len(turn.get("content", ""))
        if chars > web.max_history_chars:
            break
        kept.append(turn)
    return kept[::-1]


def busy_response(exc: Busy) -> JSONResponse:
    return JSONResponse(
        {
            "detail": BUSY_MESSAGE["en"],
            "busy": True,
            "retry_after_s": round(exc.retry_after_s, 1),
            "messages": BUSY_MESSAGE,
        },
        status_code=503,
        headers={"retry-after": retry_after_header(exc.retry_after_s), "cache-control": "no-store"},
    )


def install_limits(api: FastAPI) -> None:
    async def on_busy(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, Busy)
        log.warning("answer refused: busy (every answer slot taken and the queue full)")
        return busy_response(exc)

    async def on_rate_limited(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, RateLimited)
        return JSONResponse(
            {
                "detail": RATE_LIMITED_MESSAGE["en"],
                "rate_limited": True,
                "retry_after_s": round(exc.retry_after_s, 1),
                "messages": RATE_LIMITED_MESSAGE,
            },
            status_code=429,
            headers={"retry-after": retry_after_header(exc.retry_after_s)},
        )

    api.add_exception_handler(Busy, on_busy)
    api.add_exception_handler(RateLimited, on_rate_limited)


class AdmittedStream(StreamingResponse):
    """A streaming response holding an answer slot until it ends, fails or the client goes away."""

    def __init__(self, *args: Any, ticket: Ticket, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ticket = ticket

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.ticket.release()


async def run_admitted(admission: Admission, work: Callable[..., T], *args: Any) -> T:
    """``work(*args)`` in a worker thread holding an answer slot; ``Busy`` (503) when none is to be had.

    The place in the queue is reserved at once (``Busy`` without waiting when the queue is
    full); the worker thread then waits for a free slot and releases it when ``work`` returns.
    """
    ticket = admission.reserve()
    return await run_in_threadpool(_holding_slot, ticket, work, *args)


def _holding_slot(ticket: Ticket, work: Callable[..., T], *args: Any) -> T:
    with ticket.running():  # waits for a free answer slot (or raises Busy)
        return work(*args)


async def admitted_stream(admission: Admission, lines: Iterator[str], media_type: str) -> AdmittedStream:
    """A response streaming ``lines`` (computed in a worker thread) while it holds an answer slot.

    The slot is taken before the 200 line is sent, so "busy" can still be a 503; the response
    releases it when the stream ends, fails or the client goes away.
    """
    ticket = admission.reserve()  # Busy (503) at once when the queue is full
    await run_in_threadpool(ticket.start)  # before the 200 line, so "busy" can still be a 503
    try:
        # ``lines`` runs in a worker thread, one ``next()`` at a time: the event loop stays free
        return AdmittedStream(
            iterate_in_threadpool(lines), media_type=media_type, headers=dict(STREAM_HEADERS), ticket=ticket
        )
    except BaseException:
        ticket.release()
        raise
