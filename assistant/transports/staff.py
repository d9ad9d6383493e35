"""The staff review app: login, the review queue, corrections, flagged documents, dashboard, CSV.

``mount_staff(api, app)`` adds to the FastAPI app ``api`` (paths below ``/staff``):

- ``GET/POST /staff/login``  a small HTML form; success sets a signed session cookie
- ``POST /staff/logout``     ends the session
- ``GET /staff/export.csv``  interactions with their ratings (same filters as the queue)
- ``GET /staff/api/queue``   the review queue as JSON (Interaction records; same filters)
- ``GET /staff/api/items/{id}``          one item (with its review tags and ticket)
- ``POST /staff/api/items/{id}/route``   ``{"route": "crisis"}``: correct the question router's route
- ``POST /staff/api/items/{id}/tags``    ``{"tags": ["wrong_fact", "outdated_source"]}``: set the review tags
- ``/staff/app/``            the Gradio review app

Every route except the login form refuses anonymous visitors: an ASGI gate in
front of all ``/staff`` paths checks the session cookie (pages redirect to the
login form, everything else gets 401), and Gradio's ``auth_dependency`` checks
it again. Rendering lives in pure functions (``render_item``,
``render_dashboard``, ...) that tests call; callbacks fetch from the
ReviewService and render.
"""

from __future__ import annotations

import html
import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, get_args
from urllib.parse import urlencode

import gradio as gr
from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.answering.facts.answers import PageConflict, page_conflicts
from assistant.app import App
from assistant.feedback.auth import HOW_TO_CONFIGURE, StaffAuth
from assistant.records import TICKET_TAG, Channel, Interaction, Reason, ReviewState, ReviewTag, Route
from assistant.transports.security import (
    CSRF_COOKIE,
    GradioFileGuard,
    SameOriginWrites,
    csrf_token_for,
    csrf_valid,
)

if TYPE_CHECKING:
    from assistant.feedback.review.dashboard import Dashboard
    from assistant.feedback.review.service import ReviewService
    from assistant.records import FlaggedDocument

log = logging.getLogger(__name__)

COOKIE = "assistant_staff_session"
REFRESH_AFTER_S = 60  # an active session's cookie is re-issued (sliding expiry) at most this often
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]
ANY = "alle / all"
CHANNELS: list[str] = list(get_args(Channel))
REASONS: list[str] = list(get_args(Reason))
STATES: list[str] = list(get_args(ReviewState))
ROUTES: list[str] = list(get_args(Route))
REVIEW_TAGS: list[str] = list(get_args(ReviewTag))
FILTER_TAGS: list[str] = [*REVIEW_TAGS, TICKET_TAG]
ROUTE_LABELS = {
    "answer": "beantworten / answer",
    "other_authority": "andere Behörde / other authority",
    "political_opinion": "politische Meinung / political opinion",
    "personal_advice": "persönliche Beratung / personal advice",
    "crisis": "Krise / crisis",
    "abuse": "Beleidigung / abuse",
    "out_of_scope": "nicht zuständig / out of scope",
    "injection": "Manipulation / injection",
}
TAG_LABELS = {
    "wrong_fact": "falsche Angabe / wrong fact",
    "outdated_source": "veraltete Quelle / outdated source",
    "missing_source": "Quelle fehlt / missing source",
    "wrong_page": "falsche Seite / wrong page",
    "incomplete": "unvollständig / incomplete",
    "too_long": "zu lang / too long",
    "not_understood": "nicht verstanden / not understood",
    "should_have_referred": "hätte verweisen sollen / should have referred",
    TICKET_TAG: "Rückruf-Wunsch / ticket",
}
QUEUE_HEADERS = [
    "Zeit / Time",
    "Kanal / Channel",
    "Sprache / Language",
    "Status",
    "Bewertung / Rating",
    "Grund / Reason",
    "Frage / Question",
    "ID",
]
STATUS_LABELS = {
    "answered": "beantwortet / answered",
    "abstained": "nicht beantwortet / abstained",
    "referred": "verwiesen / referred",
    "clarify": "Rückfrage / clarify",
    "refused": "abgelehnt / refused",
}


# -- mounting ------------------------------------------------------------------------------------------------
def mount_staff(api: FastAPI, app: App, path: str = "/staff") -> FastAPI:
    """Add the staff login, CSV export and the Gradio review app below ``path``."""
    from assistant.transports.web import local_theme

    path = "/" + path.strip("/")
    auth = StaffAuth(app.settings.staff)
    if not auth.login_possible:
        log.warning("staff review at %s: %s", path, HOW_TO_CONFIGURE)
    api.add_middleware(GradioFileGuard, prefix=f"{path}/app")  # no file components in the staff app
    api.add_middleware(StaffGate, prefix=path, auth=auth)  # added later = runs first
    api.add_middleware(SameOriginWrites, prefix=path)  # CSRF: with the SameSite=Strict session cookie
    _add_routes(api, app, auth, path)
    blocks = build_staff_blocks(app, path)
    return gr.mount_gradio_app(
        api,
        blocks,
        path=f"{path}/app",
        theme=local_theme(),
        show_error=True,
        footer_links=[],
        auth_dependency=lambda request: user_of(auth, request),
    )


def user_of(auth: StaffAuth, request: Request) -> str | None:
    return auth.user_from_token(request.cookies.get(COOKIE))


class RouteCorrection(BaseModel):
    route: str = Field(max_length=40)


class TagsUpdate(BaseModel):
    tags: list[str] = Field(default_factory=list, max_length=20)


def _add_routes(api: FastAPI, app: App, auth: StaffAuth, path: str) -> None:
    @api.get(path, include_in_schema=False)
    @api.get(f"{path}/", include_in_schema=False)
    def staff_home() -> RedirectResponse:
        return RedirectResponse(f"{path}/app/", status_code=303)  # the gate sends anonymous visitors to login

    @api.get(f"{path}/login", include_in_schema=False)
    def login_form(request: Request) -> Response:
        if user_of(auth, request):
            return RedirectResponse(f"{path}/app/", status_code=303)
        token, new = csrf_token_for(request.cookies.get(CSRF_COOKIE))
        return _with_csrf(_page(render_login(path, auth.login_possible, csrf=token), 200), token, new, path)

    @api.post(f"{path}/login", include_in_schema=False)
    def login(request: Request, username: str = Form(""), password: str = Form(""), csrf: str = Form("")) -> Response:
        client = request.client.host if request.client else ""
        if not csrf_valid(request.cookies.get(CSRF_COOKIE), csrf):  # login CSRF: the form must be ours
            token, new = csrf_token_for(request.cookies.get(CSRF_COOKIE))
            error = "Das Formular ist abgelaufen, bitte erneut anmelden. / The form has expired, please log in again."
            page = render_login(path, auth.login_possible, error=error, username=username, csrf=token)
            return _with_csrf(_page(page, 403), token, new, path)
        user = auth.verify(username, password, client=client) if auth.login_possible else None
        if user is None:
            log.info("failed staff login for %r from %s", username[:100], client)
            error = (
                "Benutzername oder Passwort falsch. / Wrong user name or password."
                if auth.login_possible
                else HOW_TO_CONFIGURE
            )
            return _page(render_login(path, auth.login_possible, error=error, username=username), 401)
        log.info("staff login: %s", user)
        response = RedirectResponse(f"{path}/app/", status_code=303)
        response.set_cookie(COOKIE, auth.issue(user), **cookie_options(auth, path, request.url.scheme == "https"))
        return response

    @api.post(f"{path}/logout", include_in_schema=False)
    def logout() -> Response:
        response = RedirectResponse(f"{path}/login", status_code=303)
        response.delete_cookie(COOKIE, path=path, httponly=True, samesite="strict")
        return response

    @api.get(f"{path}/export.csv", include_in_schema=False)
    def export_csv(
        request: Request,
        channel: str = "",
        language: str = "",
        reason: str = "",
        since: str = "",
        until: str = "",
        state: str = "",
        queue: bool = False,
        route: str = "",
        tag: str = "",
    ) -> Response:
        if not user_of(auth, request):
            return JSONResponse({"detail": "login required"}, status_code=401)
        try:
            filters = queue_filters(channel, language, reason, since, until, state, route, tag)
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        text = app.review.export_csv(**filters, queue_only=queue)
        name = f"interactions-{date.today().isoformat()}.csv"
        return Response(
            text,
            media_type="text/csv; charset=utf-8",
            headers={"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"},
        )

    _add_api_routes(api, app, auth, path)


def _add_api_routes(api: FastAPI, app: App, auth: StaffAuth, path: str) -> None:
    """The staff JSON API: the same session cookie (StaffGate) and same-origin check (SameOriginWrites)
    as every other staff action; each handler checks the session once more."""
    from starlette.concurrency import run_in_threadpool

    from assistant.feedback.review.errors import NotFoundError, ReviewError

    def refused(request: Request) -> JSONResponse | None:
        return None if user_of(auth, request) else JSONResponse({"detail": "login required"}, status_code=401)

    async def run(action, *args) -> JSONResponse:
        try:
            item = await run_in_threadpool(action, *args)
        except NotFoundError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=404)
        except ReviewError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        return JSONResponse(item.model_dump(mode="json"))

    @api.get(f"{path}/api/queue", include_in_schema=False)
    async def queue(
        request: Request,
        channel: str = "",
        language: str = "",
        reason: str = "",
        since: str = "",
        until: str = "",
        state: str = "open",
        route: str = "",
        tag: str = "",
        limit: int = 200,
    ) -> JSONResponse:
        if (refusal := refused(request)) is not None:
            return refusal
        try:
            filters = queue_filters(channel, language, reason, since, until, state, route, tag)
        except ValueError as exc:
            return JSONResponse({"detail": str(exc)}, status_code=422)
        items = await run_in_threadpool(lambda: app.review.queue(**filters, limit=max(1, min(limit, 1000))))
        return JSONResponse([item.model_dump(mode="json") for item in items])

    @api.get(f"{path}/api/items/{{interaction_id}}", include_in_schema=False)
    async def item(request: Request, interaction_id: str) -> JSONResponse:
        return refused(request) or await run(app.review.item, interaction_id)

    @api.post(f"{path}/api/items/{{interaction_id}}/route", include_in_schema=False)
    async def correct_route(request: Request, interaction_id: str, body: RouteCorrection) -> JSONResponse:
        if (refusal := refused(request)) is not None:
            return refusal
        return await run(app.review.correct_route, interaction_id, body.route, user_of(auth, request))

    @api.post(f"{path}/api/items/{{interaction_id}}/tags", include_in_schema=False)
    async def set_tags(request: Request, interaction_id: str, body: TagsUpdate) -> JSONResponse:
        if (refusal := refused(request)) is not None:
            return refusal
        return await run(app.review.set_tags, interaction_id, body.tags, user_of(auth, request))


def _with_csrf(response: Response, token: str, new: bool, path: str) -> Response:
    if new:
        response.set_cookie(CSRF_COOKIE, token, path=path, httponly=True, samesite="strict")
    return response


def cookie_options(auth: StaffAuth, path: str, secure: bool) -> dict[str, Any]:
    return {"max_age": auth.max_age_s, "path": path, "httponly": True, "samesite": "strict", "secure": secure}


def _page(body: str, status: int) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={"cache-control": "no-store"})


class StaffGate:
    """ASGI middleware: every path below the staff prefix, except the login form, needs a session.

    Anonymous page visits are redirected to the login form, other requests get 401;
    an active session's cookie is re-issued so it expires ``session_minutes`` after
    the last request rather than after the login.
    """

    def __init__(self, app: ASGIApp, prefix: str, auth: StaffAuth) -> None:
        self.app = app
        self.prefix = prefix
        self.login = f"{prefix}/login"
        self.auth = auth

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] not in ("http", "websocket") or not (
            path == self.prefix or path.startswith(self.prefix + "/")
        ):
            await self.app(scope, receive, send)
            return
        if path == self.login:
            await self.app(scope, receive, _with_headers(send, SECURITY_HEADERS))
            return
        session = self.auth.session(_cookie(scope, COOKIE))
        if session is None:
            await self._refuse(scope, receive, send)
            return
        user, age = session
        extra = list(SECURITY_HEADERS)
        if age > REFRESH_AFTER_S and scope["type"] == "http" and path != f"{self.prefix}/logout":
            extra += _set_cookie_headers(self.auth, user, self.prefix, scope.get("scheme") == "https")
        await self.app(scope, receive, _with_headers(send, extra))

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})
            return
        accept = dict(scope["headers"]).get(b"accept", b"").decode("latin-1")
        if scope["method"] == "GET" and "text/html" in accept:
            response: Response = RedirectResponse(self.login, status_code=303)
        else:
            response = JSONResponse({"detail": "login required", "login": self.login}, status_code=401)
        await response(scope, receive, send)


def _cookie(scope: Scope, name: str) -> str | None:
    from http.cookies import SimpleCookie

    for key, value in scope["headers"]:
        if key == b"cookie":
            jar = SimpleCookie()
            try:
                jar.load(value.decode("latin-1"))
            except Exception:  # a malformed cookie header is an anonymous visitor
                return None
            if name in jar:
                return jar[name].value
    return None


def _set_cookie_headers(auth: StaffAuth, user: str, path: str, secure: bool) -> list[tuple[bytes, bytes]]:
    response = Response()
    response.set_cookie(COOKIE, auth.issue(user), **cookie_options(auth, path, secure))
    return [(key, value) for key, value in response.raw_headers if key == b"set-cookie"]


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def sending(message: Message) -> None:
        if message["type"] == "http.response.start":
            present = {key.lower() for key, _ in message.get("headers", [])}
            message["headers"] = list(message.get("headers", [])) + [
                (key, value) for key, value in extra if key == b"set-cookie" or key not in present
            ]
        await send(message)

    return sending


# -- pure rendering ----------------------------------------------------------------------------------------
def render_login(path: str, login_possible: bool, error: str = "", username: str = "", csrf: str = "") -> str:
    """The login page: a plain, accessible HTML form (German and English labels)."""
    esc = html.escape
    notice = "" if login_possible else f'<p class="notice" role="status">{esc(HOW_TO_CONFIGURE)}</p>'
    alert = f'<p class="error" role="alert" id="login-error">{esc(error)}</p>' if error else ""
    described = ' aria-describedby="login-error"' if error else ""
    return f"""<!doctype html>
<html lang="de"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Anmeldung Mitarbeitende / Staff login</title>
<style>body{{font-family:system-ui,Arial,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem;line-height:1.5}}
label{{display:block;margin-top:1rem;font-weight:600}}input{{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box}}
button{{margin-top:1.5rem;font-size:1rem;padding:.6rem 1.2rem}}.error{{color:#a00000;font-weight:600}}
.notice{{background:#fff4cc;padding:.75rem}}</style></head>
<body><main>
<h1>Anmeldung für Mitarbeitende <span lang="en">/ Staff login</span></h1>
{notice}{alert}
<form method="post" action="{esc(path)}/login">
<input type="hidden" name="csrf" value="{esc(csrf)}">
<label for="username">Benutzername <span lang="en">/ User name</span></label>
<input id="username" name="username" autocomplete="username" required value="{esc(username)}"{described}>
<label for="password">Passwort <span lang="en">/ Password</span></label>
<input id="password" name="password" type="password" autocomplete="current-password" required{described}>
<button type="submit" id="login-submit">Anmelden <span lang="en">/ Log in</span></button>
</form></main></body></html>"""


def queue_filters(
    channel: str = "",
    language: str = "",
    reason: str = "",
    since: str | date | None = "",
    until: str | date | None = "",
    state: str = "",
    route: str = "",
    tag: str = "",
) -> dict[str, Any]:
    """ReviewService filter arguments from form values ("" and "alle / all" mean any)."""

    def value(text: str | None, allowed: list[str] | None = None) -> str | None:
        text = (text or "").strip()
        if not text or text == ANY:
            return None
        if allowed is not None and text not in allowed:
            raise ValueError(f"unknown value {text!r} (one of {', '.join(allowed)})")
        return text

    return {
        "channel": value(channel, CHANNELS),
        "language": value(language),
        "reason": value(reason, REASONS),
        "since": _day(since),
        "until": _day(until),
        "state": value(state, STATES),
        "route": value(route, ROUTES),
        "tag": value(tag, FILTER_TAGS),
    }


def _day(value: str | date | datetime | float | None) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value).date()
    try:
        return date.fromisoformat(str(value).strip()[:10])
    except ValueError:
        raise ValueError(f"not a date: {value!r} (write YYYY-MM-DD / JJJJ-MM-TT)") from None


def queue_rows(items: list[Interaction]) -> list[list[str]]:
    """The queue table: one row per item, the id last (selecting a row opens it)."""
    return [
        [
            item.created_at.strftime("%Y-%m-%d %H:%M"),
            item.channel,
            item.language,
            item.status,
            {"down": "👎 down", "up": "👍 up"}.get(item.rating or "", ""),
            item.reason or "",
            _shorten(item.question, 120),
            item.id,
        ]
        for item in items
    ]


def item_choices(items: list[Interaction]) -> list[tuple[str, str]]:
    return [(f"{item.created_at:%Y-%m-%d %H:%M} · {_shorten(item.question, 70)}", item.id) for item in items]


def render_item(item: Interaction) -> str:
    """HTML of one queue item: question, answer, status, rating, supporting and disagreeing sources.

    Everything citizens, documents or the model wrote is escaped (a question cannot inject markup).
    """
    esc = html.escape
    rating = {"down": "👎 negativ / thumbs down", "up": "👍 positiv / thumbs up"}.get(item.rating or "", "keine / none")
    parts = [
        f'<article class="staff-item" data-interaction-id="{esc(item.id)}">',
        f"<h3>Frage / Question ({esc(item.language)}, {esc(item.channel)}, {item.created_at:%Y-%m-%d %H:%M} UTC)</h3>",
        f"<blockquote>{esc(item.question)}</blockquote>",
        f"<p><strong>Status:</strong> {esc(STATUS_LABELS.get(item.status, item.status))} · "
        f"<strong>Bewertung / Rating:</strong> {rating}"
        + (f" · <strong>Grund / Reason:</strong> {esc(item.reason)}" if item.reason else "")
        + f" · <strong>Bearbeitung / Review:</strong> {esc(item.review_state)}</p>",
    ]
    route = f'<span class="staff-route">{esc(ROUTE_LABELS.get(item.route, item.route))}</span>'
    if item.corrected_route:
        corrected = esc(ROUTE_LABELS.get(item.corrected_route, item.corrected_route))
        route += f' → <span class="staff-corrected-route">korrigiert / corrected: {corrected}</span>'
    parts.append(f"<p><strong>Route:</strong> {route}</p>")
    if item.tags:
        tags = ", ".join(esc(TAG_LABELS.get(tag, tag)) for tag in item.tags)
        parts.append(f'<p class="staff-tags"><strong>Stichworte / Tags:</strong> {tags}</p>')
    if item.ticket is not None:
        parts.append(
            '<section class="staff-ticket"><h4>Rückruf-Wunsch / Ticket '
            f"({item.ticket.created_at:%Y-%m-%d %H:%M} UTC)</h4>"
            f"<p><strong>Kontakt / Contact:</strong> {esc(item.ticket.contact) or '–'}</p>"
            + (
                f"<p><strong>Nachricht / Message:</strong> {esc(item.ticket.message)}</p>"
                if item.ticket.message
                else ""
            )
            + "</section>"
        )
    if item.comment:
        parts.append(f"<p><strong>Kommentar / Comment:</strong> {esc(item.comment)}</p>")
    parts.append(f"<h4>Antwort / Answer</h4><p>{esc(item.answer).replace(chr(10), '<br>')}</p>")
    if item.supporting:
        parts.append("<h4>Quellen / Supporting sources</h4><ol>")
        parts += [
            f'<li value="{ev.n}">{_source(ev.title, ev.doc_id, ev.url, ev.updated)}'
            f"<blockquote>{esc(ev.quote)}</blockquote></li>"
            for ev in item.supporting
        ]
        parts.append("</ol>")
    if item.disagreeing:
        parts.append("<h4>Abweichende Quellen / Disagreeing sources</h4><ul>")
        parts += [
            f"<li>{_source(d.title, d.doc_id, d.url, d.updated)} (zu / against [{d.conflicts_with}]: "
            f"{esc(d.reason)})<blockquote>{esc(d.quote)}</blockquote></li>"
            for d in item.disagreeing
        ]
        parts.append("</ul>")
    if item.curated_id is not None:
        parts.append(f"<p>Korrigiert / corrected: curated answer {item.curated_id}</p>")
    parts.append("</article>")
    return "\n".join(parts)


def _source(title: str, doc_id: str, url: str, updated: date | None) -> str:
    esc = html.escape
    name = (
        f'<a href="{esc(url)}" target="_blank" rel="noopener">{esc(title)}</a>'
        if url.startswith("https://")
        else esc(title)
    )
    return f"{name} <code>{esc(doc_id)}</code> (Stand {updated.isoformat() if updated else 'ohne Datum'})"


def source_doc_choices(item: Interaction) -> list[str]:
    """The item's documents, supporting first, each once."""
    return list(dict.fromkeys([ev.doc_id for ev in item.supporting] + [d.doc_id for d in item.disagreeing]))


def render_dashboard(board: Dashboard) -> str:
    esc = html.escape
    rates = "".join(
        f"<tr><td>{esc(STATUS_LABELS[status])}</td><td>{board.status_counts.get(status, 0)}</td>"
        f"<td>{rate:.0%}</td></tr>"
        for status, rate in board.status_rates.items()
    )
    topics = "".join(
        f"<tr><td>{group.count}</td><td>{esc(group.representative)}</td>"
        f"<td>{esc(', '.join(group.languages))}</td>"
        f"<td>{esc(' | '.join(q for q in group.questions if q != group.representative)[:400])}</td></tr>"
        for group in board.unanswered_topics[:30]
    )
    return f"""<section class="staff-dashboard-figures">
<h3>{board.since.isoformat()} – {board.until.isoformat()} ({board.days} Tage / days)</h3>
<p><strong>{board.questions}</strong> Fragen / questions · <strong>{board.open_items}</strong> offen in der
Warteschlange / open in the queue · Daumen runter / thumbs down: <strong>{board.down_rate:.0%}</strong>
({board.down} von / of {board.rated} bewerteten / rated)</p>
<table><caption>Ergebnis / Outcome</caption><tr><th>Status</th><th>Anzahl / Count</th><th>Anteil / Share</th></tr>
{rates}</table>
<table><caption>Sprachen / Languages</caption>{_count_rows(board.per_language)}</table>
<table><caption>Kanäle / Channels</caption>{_count_rows(board.per_channel)}</table>
<table class="staff-tag-counts"><caption>Stichworte der Prüfung / Review tags</caption>
{_count_rows({TAG_LABELS.get(tag, tag): count for tag, count in board.tag_counts.items() if count})}</table>
{render_accuracy(board)}
<h3>Häufige unbeantwortete Themen / Frequent unanswered topics</h3>
<table><tr><th>Anzahl / Count</th><th>Typische Frage / Typical question</th><th>Sprachen / Languages</th>
<th>Ähnliche Fragen / Similar questions</th></tr>{topics or '<tr><td colspan="4">–</td></tr>'}</table>
</section>"""


def render_accuracy(board: Dashboard) -> str:
    """Accuracy over time: per week, the reviewed answers judged right (dismissed) and corrected; then
    the key figures of the evaluation runs by date."""
    weeks = "".join(
        f'<tr><th scope="row">{week.week.isoformat()}</th><td>{week.reviewed}</td><td>{week.right}</td>'
        f"<td>{week.corrected}</td><td>{_share(week.right_share)}</td></tr>"
        for week in board.accuracy
    )
    runs = "".join(
        f'<tr><th scope="row">{run.created:%Y-%m-%d %H:%M}</th><td>{html.escape(run.report)}</td>'
        f"<td>{html.escape(run.set_name)}</td><td>{html.escape(run.config)}</td>"
        f"<td>{'–' if run.cases is None else run.cases}</td><td>{_share(run.behaviour_accuracy)}</td>"
        f"<td>{_share(run.key_fact_accuracy)}</td><td>{_share(run.recall_at_5)}</td>"
        f"<td>{_share(run.grounded_number_rate)}</td></tr>"
        for run in reversed(board.eval_runs)
    )
    return (
        '<h3 id="staff-accuracy">Genauigkeit über die Zeit / Accuracy over time</h3>'
        '<table class="staff-accuracy"><caption>Geprüfte Antworten nach Woche der Antwort / Reviewed answers by '
        "week answered (richtig = verworfen, nichts zu korrigieren / right = dismissed, nothing to correct)</caption>"
        "<tr><th>Woche ab / Week of</th><th>geprüft / reviewed</th><th>richtig / right</th>"
        "<th>korrigiert / corrected</th><th>Anteil richtig / share right</th></tr>"
        f"{weeks or '<tr><td colspan=5>–</td></tr>'}</table>"
        '<table class="staff-eval-runs"><caption>Auswertungsläufe / Evaluation runs (assistant eval), newest first'
        "</caption><tr><th>Datum / Date</th><th>Bericht / Report</th><th>Satz / Set</th><th>Konfiguration / Config"
        "</th><th>Fälle / Cases</th><th>Verhalten / Behaviour</th><th>Kernfakten / Key facts</th>"
        "<th>Recall@5</th><th>belegte Zahlen / Grounded numbers</th></tr>"
        f"{runs or '<tr><td colspan=9>–</td></tr>'}</table>"
    )


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _count_rows(counts: dict[str, int]) -> str:
    ordered = sorted(counts.items(), key=lambda pair: -pair[1])
    return (
        "".join(f"<tr><td>{html.escape(key)}</td><td>{count}</td></tr>" for key, count in ordered)
        or "<tr><td>–</td></tr>"
    )


def render_per_day(board: Dashboard) -> str:
    """Questions per day as a bar chart in plain HTML (no script, readable by screen readers)."""
    most = max((d.questions for d in board.per_day), default=0) or 1
    rows = "".join(
        f'<tr><th scope="row">{d.day.isoformat()}</th><td>{d.questions}</td><td>{d.abstained}</td><td>{d.down}</td>'
        f'<td style="width:60%"><div style="background:#2f6fb3;height:.8em;width:{100 * d.questions / most:.1f}%">'
        f"</div></td></tr>"
        for d in board.per_day
    )
    return (
        '<table class="staff-per-day"><caption>Fragen pro Tag / Questions per day</caption><tr><th>Tag / Day</th>'
        "<th>Fragen / Questions</th><th>nicht beantwortet / abstained</th><th>👎</th><th></th></tr>"
        f"{rows}</table>"
    )


def render_flagged(flagged: list[FlaggedDocument]) -> str:
    """The list for the web team: which pages to fix."""
    if not flagged:
        return "<p>Keine markierten Dokumente. / No flagged documents.</p>"
    esc = html.escape
    rows = "".join(
        f"<tr><td>{_source(f.title, f.doc_id, f.url, None).split(' (Stand')[0]}</td>"
        f"<td>{'veraltet / outdated' if f.problem == 'outdated' else 'falsch / wrong'}</td>"
        f"<td>{esc(f.note)}</td><td>{esc(f.flagged_by)}</td>"
        f"<td>{f.created_at.date().isoformat() if f.created_at else ''}</td></tr>"
        for f in flagged
    )
    return (
        "<table><tr><th>Dokument / Document</th><th>Problem</th><th>Notiz / Note</th>"
        f"<th>Von / By</th><th>Datum / Date</th></tr>{rows}</table>"
    )


def render_conflicts(conflicts: list[PageConflict]) -> str:
    """Pages that disagree about a fee or opening hours: which fact, which values, which dates."""
    if not conflicts:
        return "<p>Keine widersprüchlichen Seiten. / No conflicting pages.</p>"
    esc = html.escape

    def side(fact) -> str:
        updated = fact.updated.isoformat() if fact.updated else "–"
        doc = f"{esc(fact.title)} <small>({esc(fact.doc_id)}, {updated})</small>"
        return f"<td>{doc}</td><td><mark>{esc(fact.raw)}</mark></td>"

    rows = "".join(f"<tr><td>{esc(c.row)}</td>{side(c.current)}{side(c.older)}</tr>" for c in conflicts)
    return (
        f"<p>{len(conflicts)} Widersprüche / conflicts. Die Antworten folgen der aktuellen Seite; bitte die ältere "
        "korrigieren oder entfernen. / Answers follow the current page; please fix or remove the older one.</p>"
        '<table class="staff-conflicts"><tr><th>Angabe / Fact</th><th>Aktuelle Seite / Current page</th>'
        "<th>Wert / Value</th><th>Ältere Seite / Older page</th><th>Wert / Value</th></tr>"
        f"{rows}</table>"
    )


def csv_link(path: str, filters: dict[str, Any], queue_only: bool = False) -> str:
    query = {key: (value.isoformat() if isinstance(value, date) else value) for key, value in filters.items() if value}
    if queue_only:
        query["queue"] = "true"
    href = f"{path}/export.csv" + (f"?{urlencode(query)}" if query else "")
    return f'<a id="staff-csv" href="{html.escape(href)}" download>CSV herunterladen / Download CSV</a>'


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- the Gradio app -------------------------------------------------------------------------------------------
def build_staff_blocks(app: App, path: str = "/staff"):
    """The review app; callbacks fetch from ``app.review`` and render with the functions above."""
    languages = [ANY, *app.settings.languages]

    def review() -> ReviewService:
        return app.review

    def refresh(channel, language, reason, since, until, state, route, tag):
        try:
            filters = queue_filters(channel, language, reason, since, until, state, route, tag)
        except ValueError as exc:
            return gr.skip(), gr.skip(), _message(str(exc), error=True), gr.skip()
        items = review().queue(**filters)
        table = _frame(queue_rows(items))
        note = f"{len(items)} Einträge / items"
        return table, gr.update(choices=item_choices(items), value=None), _message(note), csv_link(path, filters)

    def select_row(event: gr.SelectData):
        row = event.row_value or []
        return row[-1] if row else gr.skip()

    def show(interaction_id):
        if not interaction_id:
            return (
                "<p>Bitte einen Eintrag wählen. / Please choose an item.</p>",
                gr.update(choices=[]),
                gr.update(choices=[], value=None),
                gr.update(value=None),
                gr.update(value=[]),
            )
        item = review().item(interaction_id)
        own = source_doc_choices(item)
        everything = own + sorted(doc for doc in app.index.documents if doc not in own)
        return (
            render_item(item),
            gr.update(choices=everything, value=own[0] if own else None),
            gr.update(choices=own, value=own[0] if own else None),
            gr.update(value=item.corrected_route or item.route),
            gr.update(value=[tag for tag in item.tags if tag in REVIEW_TAGS]),
        )

    def act(action, *args, request: gr.Request) -> tuple[str, bool]:
        """Run a staff action as the logged-in user; returns (message HTML, success)."""
        user = request.username if request else None
        if not user:
            return _message("Nicht angemeldet. / Not logged in.", error=True), False
        try:
            return _message(action(user, *args)), True
        except (ValueError, LookupError) as exc:
            return _message(str(exc), error=True), False

    def correct(interaction_id, text, doc_id, quote, request: gr.Request):
        def run(user, interaction_id, text, doc_id, quote):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            curated = review().correct(interaction_id, text or "", doc_id or "", quote or "", staff=user)
            return f"Gespeichert: geprüfte Antwort {curated.id}. / Saved as curated answer {curated.id}."

        message, ok = act(run, interaction_id, text, doc_id, quote, request=request)
        return (message, "", "") if ok else (message, gr.skip(), gr.skip())  # keep the text after an error

    def flag(doc_id, problem, note, request: gr.Request):
        def run(user, doc_id, problem, note):
            flagged = review().flag_document(doc_id or "", problem, note or "", staff=user)
            return f"Markiert / flagged: {flagged.doc_id} ({flagged.problem})."

        return act(run, doc_id, problem, note, request=request)[0]

    def dismiss(interaction_id, request: gr.Request):
        def run(user, interaction_id):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            review().dismiss(interaction_id, staff=user)
            return "Verworfen. / Dismissed."

        return act(run, interaction_id, request=request)[0]

    def correct_route(interaction_id, route, request: gr.Request):
        def run(user, interaction_id, route):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            item = review().correct_route(interaction_id, route or "", staff=user)
            label = ROUTE_LABELS.get(item.corrected_route or "", item.corrected_route)
            return f"Route gespeichert: {label} (Trainingsbeispiel). / Route saved as a training example."

        message, ok = act(run, interaction_id, route, request=request)
        return message, (render_item(review().item(interaction_id)) if ok else gr.skip())

    def save_tags(interaction_id, tags, request: gr.Request):
        def run(user, interaction_id, tags):
            if not interaction_id:
                raise ValueError("Bitte zuerst einen Eintrag wählen. / Choose an item first.")
            item = review().set_tags(interaction_id, list(tags or []), staff=user)
            shown = ", ".join(TAG_LABELS[tag] for tag in item.tags) or "keine / none"
            return f"Stichworte gespeichert / tags saved: {shown}."

        message, ok = act(run, interaction_id, tags, request=request)
        return message, (render_item(review().item(interaction_id)) if ok else gr.skip())

    def unflag(doc_id, request: gr.Request):
        def run(_user, doc_id):
            removed = review().unflag(doc_id or "")
            return "Markierung aufgehoben. / Flag removed." if removed else "War nicht markiert. / Was not flagged."

        return act(run, doc_id, request=request)[0]

    def conflicts_view():
        return render_conflicts(page_conflicts(app.answers.resources.facts))

    def flagged_view():
        flagged = review().flagged()
        return render_flagged(flagged), gr.update(choices=[f.doc_id for f in flagged], value=None)

    def dashboard_view(days):
        board = review().dashboard(days=int(days or 30))
        return render_dashboard(board), render_per_day(board)

    def who(request: gr.Request):
        user = html.escape(request.username or "") if request else ""
        return (
            f'<div class="staff-header">Angemeldet als / Logged in as <strong>{user}</strong> '
            f'<form method="post" action="{html.escape(path)}/logout" style="display:inline">'
            f'<button type="submit" id="staff-logout">Abmelden / Log out</button></form></div>'
        )

    with gr.Blocks(title="Bürgerassistent – Prüfung / Staff review") as blocks:
        header = gr.HTML(elem_id="staff-header")
        with gr.Tabs():
            with gr.Tab("Warteschlange / Queue", id="queue"):
                with gr.Row():
                    channel = gr.Dropdown(
                        [ANY, *CHANNELS], value=ANY, label="Kanal / Channel", elem_id="staff-filter-channel"
                    )
                    language = gr.Dropdown(
                        languages, value=ANY, label="Sprache / Language", elem_id="staff-filter-language"
                    )
                    reason = gr.Dropdown(
                        [ANY, *REASONS], value=ANY, label="Grund / Reason", elem_id="staff-filter-reason"
                    )
                    state = gr.Dropdown(STATES, value="open", label="Bearbeitung / State", elem_id="staff-filter-state")
                    since = gr.Textbox(
                        label="Von / From (JJJJ-MM-TT)", placeholder="2026-01-31", elem_id="staff-filter-since"
                    )
                    until = gr.Textbox(
                        label="Bis / Until (JJJJ-MM-TT)", placeholder="2026-02-28", elem_id="staff-filter-until"
                    )
                    route_filter = gr.Dropdown(
                        [ANY, *[(ROUTE_LABELS[route], route) for route in ROUTES]],
                        value=ANY,
                        label="Route",
                        elem_id="staff-filter-route",
                    )
                    tag_filter = gr.Dropdown(
                        [ANY, *[(TAG_LABELS[tag], tag) for tag in FILTER_TAGS]],
                        value=ANY,
                        label="Stichwort / Tag",
                        elem_id="staff-filter-tag",
                    )
                with gr.Row():
                    reload = gr.Button("Aktualisieren / Refresh", elem_id="staff-refresh")
                    queue_note = gr.HTML(elem_id="staff-queue-note")
                    link = gr.HTML(csv_link(path, {}), elem_id="staff-csv-link")
                table = gr.Dataframe(
                    _frame([]), interactive=False, wrap=True, elem_id="staff-queue", label="Warteschlange / Queue"
                )
                chosen = gr.Dropdown(
                    [],
                    label="Eintrag / Item",
                    elem_id="staff-item-select",
                    info="Oder eine Zeile der Tabelle anklicken. / Or click a row of the table.",
                )
                item_view = gr.HTML(elem_id="staff-item")
                with gr.Accordion("Richtige Antwort schreiben / Write the correct answer", open=True):
                    correct_text = gr.Textbox(label="Antwort / Answer", lines=4, elem_id="staff-correct-text")
                    correct_doc = gr.Dropdown(
                        [],
                        label="Quelle (Dokument-ID) / Source (document id)",
                        allow_custom_value=True,
                        filterable=True,
                        elem_id="staff-correct-doc",
                    )
                    correct_quote = gr.Textbox(
                        label="Zitat aus der Quelle (optional) / Quote from the source",
                        lines=2,
                        elem_id="staff-correct-quote",
                    )
                    correct_button = gr.Button(
                        "Antwort speichern / Save answer", variant="primary", elem_id="staff-correct-submit"
                    )
                with gr.Accordion("Route und Stichworte / Route and review tags", open=False):
                    with gr.Row():
                        route_choice = gr.Dropdown(
                            [(ROUTE_LABELS[route], route) for route in ROUTES],
                            label="Richtige Route / Correct route",
                            info="Wird ein Trainingsbeispiel des Fragen-Routers. / Becomes a router training example.",
                            elem_id="staff-route",
                        )
                        route_button = gr.Button("Route speichern / Save route", elem_id="staff-route-submit")
                    with gr.Row():
                        tag_choice = gr.CheckboxGroup(
                            [(TAG_LABELS[tag], tag) for tag in REVIEW_TAGS],
                            label="Stichworte / Review tags",
                            elem_id="staff-tags",
                        )
                        tags_button = gr.Button("Stichworte speichern / Save tags", elem_id="staff-tags-submit")
                with gr.Accordion("Dokument markieren / Flag a document", open=False):
                    flag_doc = gr.Dropdown(
                        [], label="Dokument / Document", allow_custom_value=True, elem_id="staff-flag-doc"
                    )
                    flag_problem = gr.Radio(
                        [("veraltet / outdated", "outdated"), ("falsch / wrong", "wrong")],
                        value="outdated",
                        label="Problem",
                        elem_id="staff-flag-problem",
                    )
                    flag_note = gr.Textbox(
                        label="Notiz für das Web-Team / Note for the web team", elem_id="staff-flag-note"
                    )
                    flag_button = gr.Button("Markieren / Flag", elem_id="staff-flag-submit")
                dismiss_button = gr.Button(
                    "Verwerfen (nichts zu tun) / Dismiss (nothing to fix)", variant="secondary", elem_id="staff-dismiss"
                )
                action_note = gr.HTML(elem_id="staff-action-status")
            with gr.Tab("Übersicht / Dashboard", id="dashboard") as dashboard_tab:
                with gr.Row():
                    days = gr.Number(
                        30, label="Tage / Days", precision=0, minimum=1, maximum=365, elem_id="staff-dashboard-days"
                    )
                    dashboard_button = gr.Button("Aktualisieren / Refresh", elem_id="staff-dashboard-refresh")
                dashboard_view_html = gr.HTML(elem_id="staff-dashboard")
                plot = gr.HTML(elem_id="staff-dashboard-per-day")
            with gr.Tab("Markierte Dokumente / Flagged documents", id="flagged") as flagged_tab:
                flagged_html = gr.HTML(elem_id="staff-flagged")
                with gr.Row():
                    unflag_doc = gr.Dropdown(
                        [], label="Markierung aufheben für / Remove flag of", elem_id="staff-unflag-doc"
                    )
                    unflag_button = gr.Button("Markierung aufheben / Remove flag", elem_id="staff-unflag-submit")
                flag_note_out = gr.HTML(elem_id="staff-flagged-status")
            with gr.Tab("Widersprüchliche Seiten / Conflicting pages", id="conflicts") as conflicts_tab:
                conflicts_html = gr.HTML(elem_id="staff-conflicts")

        filters = [channel, language, reason, since, until, state, route_filter, tag_filter]
        queue_outputs = [table, chosen, queue_note, link]
        blocks.load(who, None, header)
        blocks.load(refresh, filters, queue_outputs)
        reload.click(refresh, filters, queue_outputs)
        for control in (channel, language, reason, state, route_filter, tag_filter):
            control.input(refresh, filters, queue_outputs)
        for control in (since, until):
            control.submit(refresh, filters, queue_outputs)
        table.select(select_row, None, chosen)
        chosen.change(show, chosen, [item_view, correct_doc, flag_doc, route_choice, tag_choice])
        route_button.click(correct_route, [chosen, route_choice], [action_note, item_view])
        tags_button.click(save_tags, [chosen, tag_choice], [action_note, item_view])
        correct_button.click(
            correct, [chosen, correct_text, correct_doc, correct_quote], [action_note, correct_text, correct_quote]
        ).then(refresh, filters, queue_outputs)
        dismiss_button.click(dismiss, chosen, action_note).then(refresh, filters, queue_outputs)
        flag_button.click(flag, [flag_doc, flag_problem, flag_note], action_note).then(
            flagged_view, None, [flagged_html, unflag_doc]
        )
        dashboard_tab.select(dashboard_view, days, [dashboard_view_html, plot])  # fresh figures on every visit
        dashboard_button.click(dashboard_view, days, [dashboard_view_html, plot])
        flagged_tab.select(flagged_view, None, [flagged_html, unflag_doc])
        conflicts_tab.select(conflicts_view, None, conflicts_html)
        unflag_button.click(unflag, unflag_doc, flag_note_out).then(flagged_view, None, [flagged_html, unflag_doc])
    return blocks


def _frame(rows: list[list[str]]):
    import pandas as pd

    return pd.DataFrame(rows, columns=QUEUE_HEADERS)


def _message(text: str, error: bool = False) -> str:
    role = "alert" if error else "status"
    css = "staff-error" if error else "staff-ok"
    return f'<p role="{role}" class="{css}">{html.escape(text)}</p>'
