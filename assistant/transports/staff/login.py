"""Staff login: the session cookie, the gate in front of every ``/staff`` path, the login form."""

from __future__ import annotations

import html
import logging
from typing import Any

from fastapi import FastAPI, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from assistant.feedback.auth import HOW_TO_CONFIGURE, StaffAuth
from assistant.transports.security import CSRF_COOKIE, csrf_token_for, csrf_valid

log = logging.getLogger(__name__)

COOKIE = "assistant_staff_session"
REFRESH_AFTER_S = 60  # an active session's cookie is re-issued (sliding expiry) at most this often
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"x-content-type-options", b"nosniff"),
]


def user_of(auth: StaffAuth, request: Request) -> str | None:
    return auth.user_from_token(request.cookies.get(COOKIE))


def add_login_routes(api: FastAPI, auth: StaffAuth, path: str) -> None:
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
