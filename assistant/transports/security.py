"""Web security for the one HTTP process: headers, CSRF, and what Gradio may serve.

- :class:`SecurityHeaders` adds to every response a Content-Security-Policy (strict for
  the JSON API, what Gradio needs for the kiosk and staff pages), ``nosniff``, a
  referrer policy, ``frame-ancestors 'none'`` / ``X-Frame-Options: DENY`` and a
  Permissions-Policy that switches off camera, microphone, location and the like.
  Headers a route set itself are kept.
- :class:`SameOriginWrites` refuses state-changing requests (POST, PUT, PATCH, DELETE)
  below a prefix (``/staff``) that a browser marks as coming from another site
  (``Origin`` or ``Sec-Fetch-Site``). Together with the ``SameSite=Strict`` session
  cookie this is the CSRF protection of logout, the CSV export and the Gradio staff
  actions; the login form, which has no session yet, also carries a double-submit
  token (:func:`csrf_token_for`, :func:`csrf_valid`).
- :class:`GradioFileGuard` closes the Gradio routes the kiosk does not use: uploads
  (it has no upload component, so an upload could only fill the disk) and the
  ``file=`` route for anything outside Gradio's own cache.

Why ``'unsafe-inline'`` on pages: Gradio renders inline ``<script>``/``<style>`` blocks
(its config, the theme and the kiosk's idle-reset script) and sets inline styles;
everything is still loaded from this origin only, and answers are HTML-escaped before
they reach the page.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from urllib.parse import unquote

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger(__name__)

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
# /api/docs is FastAPI's Swagger page, which loads its script and style from a CDN
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net; img-src 'self' data: "
    "https://fastapi.tiangolo.com; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"
)
# Gradio 6 renders gr.HTML through compiled templates (new Function): without 'unsafe-eval' the
# kiosk's answer area shows "Error rendering HTML" (seen in headless Chromium)
PAGE_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; font-src 'self' data:; media-src 'self' data: blob:; "
    "connect-src 'self'; worker-src 'self' blob:; frame-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
COMMON_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",  # links to the city's site do not tell it what was asked
    "x-frame-options": "DENY",
    "permissions-policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=(), serial=(), "
    "bluetooth=(), browsing-topics=()",
    "cross-origin-opener-policy": "same-origin",
}
UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_COOKIE = "assistant_staff_csrf"


def content_security_policy(path: str) -> str:
    if path.startswith("/api/docs"):
        return DOCS_CSP
    if path.startswith("/api/") or path == "/healthz":
        return API_CSP
    return PAGE_CSP


class SecurityHeaders:
    """ASGI middleware: security headers on every HTTP response (a route's own values win)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = COMMON_HEADERS | {"content-security-policy": content_security_policy(scope.get("path", ""))}

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {key.lower() for key, _ in headers}
                headers += [(k.encode(), v.encode()) for k, v in extra.items() if k.encode() not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, sending)


def _headers(scope: Scope) -> dict[str, str]:
    return {key.decode("latin-1").lower(): value.decode("latin-1") for key, value in scope.get("headers", [])}


def own_origin(scope: Scope) -> str:
    host = _headers(scope).get("host", "")
    return f"{scope.get('scheme', 'http')}://{host}".lower()


def cross_site(scope: Scope) -> bool:
    """True when the browser says the request comes from another site (or origin).

    Requests without either header (curl, scripts) are not browser CSRF and pass.
    """
    headers = _headers(scope)
    origin = headers.get("origin")
    if origin is not None:
        return origin.strip().rstrip("/").lower() != own_origin(scope)
    fetch_site = headers.get("sec-fetch-site")
    return fetch_site not in (None, "same-origin", "none")


class SameOriginWrites:
    """ASGI middleware: state-changing requests below ``prefix`` must come from this origin."""

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if (
            scope["type"] == "http"
            and scope.get("method") in UNSAFE_METHODS
            and (path == self.prefix or path.startswith(self.prefix + "/"))
            and cross_site(scope)
        ):
            log.warning("refused a cross-site %s to %s", scope.get("method"), path)
            await JSONResponse({"detail": "cross-site request refused (CSRF protection)"}, status_code=403)(
                scope, receive, send
            )
            return
        await self.app(scope, receive, send)


def csrf_token_for(cookie_value: str | None) -> tuple[str, bool]:
    """``(token, new)``: the browser's existing double-submit token, or a fresh one to set as cookie."""
    if cookie_value and 20 <= len(cookie_value) <= 100 and cookie_value.replace("-", "").replace("_", "").isalnum():
        return cookie_value, False
    return secrets.token_urlsafe(32), True


def csrf_valid(cookie_value: str | None, form_value: str | None) -> bool:
    """The form's token equals the cookie's (a page of another site can set neither)."""
    return bool(cookie_value) and bool(form_value) and hmac.compare_digest(str(cookie_value), str(form_value))


class GradioFileGuard:
    """ASGI middleware for a mounted Gradio app at ``prefix`` that has no file components.

    Refuses uploads and ``file=`` requests: the kiosk only shows HTML and text, so
    neither is needed, and each is a way to fill the disk or probe the file system.
    """

    BLOCKED = ("/gradio_api/upload", "/upload", "/gradio_api/file=", "/file=", "/gradio_api/proxy=", "/proxy=")

    def __init__(self, app: ASGIApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix.rstrip("/")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = unquote(scope.get("path", ""))
        if scope["type"] == "http" and path.startswith(self.prefix + "/"):
            rest = path[len(self.prefix) :]
            if any(rest.startswith(blocked) for blocked in self.BLOCKED):
                await JSONResponse({"detail": "Not found"}, status_code=404)(scope, receive, send)
                return
        await self.app(scope, receive, send)
