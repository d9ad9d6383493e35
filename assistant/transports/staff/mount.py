"""Mounting the staff review app on the FastAPI app: middleware, routes, the Gradio app."""

from __future__ import annotations

import logging

import gradio as gr
from fastapi import FastAPI

from assistant.app import App
from assistant.feedback.auth import HOW_TO_CONFIGURE, StaffAuth
from assistant.transports.security import GradioFileGuard, SameOriginWrites
from assistant.transports.staff.api import add_api_routes
from assistant.transports.staff.blocks import build_staff_blocks
from assistant.transports.staff.login import StaffGate, add_login_routes, user_of

log = logging.getLogger(__name__)


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
    add_login_routes(api, auth, path)
    add_api_routes(api, app, auth, path)
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
