"""A thin Gradio app over the answer service (the kiosk grows from here).

Rendering lives in pure functions (``render_answer``) that tests call
directly; the Gradio callbacks only fetch an Answer and render it.
"""

from __future__ import annotations

import html
import os

from assistant.app import App
from assistant.records import Answer

# Nothing leaves the machine: no usage analytics, no hub calls, no web fonts from a CDN.
for _name, _value in (("GRADIO_ANALYTICS_ENABLED", "False"), ("HF_HUB_OFFLINE", "1"),
                      ("HF_HUB_DISABLE_TELEMETRY", "1")):
    os.environ.setdefault(_name, _value)

DISCLOSURE = (
    "**Sie sprechen mit einem KI-Assistenten / You are talking to an AI assistant.** "
    "Er antwortet nur aus den Unterlagen der Stadt und zeigt die Quellen. "
    "Gespräche werden nicht mit Ihrer Person verknüpft."
)


def _source_line(number: str, title: str, url: str, updated, quote: str) -> str:
    date = updated.isoformat() if updated else "ohne Datum"
    title = html.escape(title)
    link = f"[{title}]({html.escape(url)})" if url.startswith("https://") else title
    return f"{number} {link} (Stand {date})\n\n> {html.escape(quote).replace(chr(10), ' ')}\n"


def render_answer(answer: Answer) -> str:
    """Markdown for one answer: the text, the quoted sources with their dates, and,
    separately, the disagreeing or outdated sources.

    Everything from documents and the model is HTML-escaped, so a page cannot inject markup.
    """
    parts = [html.escape(answer.answer).replace("\n", "  \n")]
    if answer.supporting:
        parts.append("\n### Quellen / Sources")
        parts += [_source_line(f"[{ev.n}]", ev.title, ev.url, ev.updated, ev.quote) for ev in answer.supporting]
    if answer.disagreeing:
        parts.append('\n<h3 class="disagreeing">Abweichende oder veraltete Quellen / '
                     'Disagreeing or outdated sources</h3>\n')
        for item in answer.disagreeing:
            parts.append(_source_line("⚠", item.title, item.url, item.updated, item.quote)
                         + f"\n*{html.escape(item.reason)}*\n")
    return "\n".join(parts)


def build_blocks(app: App):
    import gradio as gr

    def on_ask(question: str):
        if not question or not question.strip():
            yield ""
            return
        draft = ""
        for kind, payload in app.answers.stream(question.strip()):
            if kind == "token":
                draft += str(payload)
                yield html.escape(draft) + " …"
            else:
                yield render_answer(payload)

    with gr.Blocks(title="Bürgerassistent") as blocks:
        gr.Markdown(DISCLOSURE, elem_id="ai-disclosure")
        question = gr.Textbox(label="Ihre Frage / Your question", lines=2, autofocus=True)
        ask = gr.Button("Fragen / Ask", variant="primary")
        answer = gr.Markdown(elem_id="answer")
        ask.click(on_ask, inputs=question, outputs=answer)
        question.submit(on_ask, inputs=question, outputs=answer)
    return blocks


def local_theme():
    """Gradio's default theme with the system's fonts (the default loads Google Fonts)."""
    import gradio as gr

    return gr.themes.Default(font=["system-ui", "Arial", "sans-serif"],
                             font_mono=["ui-monospace", "monospace"])


def mount_kiosk(api, app: App, path: str = "/kiosk"):
    """Mount the kiosk Gradio app on the FastAPI app ``api`` at ``path``."""
    import gradio as gr

    css = app.settings.ui_dir / "kiosk.css"
    return gr.mount_gradio_app(api, build_blocks(app), path=path, theme=local_theme(), show_error=True,
                               css_paths=[css] if css.is_file() else None, footer_links=[])
