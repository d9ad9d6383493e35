"""Running a staff action from a Gradio callback as the logged-in user, and the message it shows."""

from __future__ import annotations

import html
from collections.abc import Callable

import gradio as gr


def act(action: Callable[..., str], *args, request: gr.Request) -> tuple[str, bool]:
    """Run a staff action as the logged-in user; returns (message HTML, success)."""
    user = request.username if request else None
    if not user:
        return message("Nicht angemeldet. / Not logged in.", error=True), False
    try:
        return message(action(user, *args)), True
    except (ValueError, LookupError) as exc:
        return message(str(exc), error=True), False


def message(text: str, error: bool = False) -> str:
    role = "alert" if error else "status"
    css = "staff-error" if error else "staff-ok"
    return f'<p role="{role}" class="{css}">{html.escape(text)}</p>'
