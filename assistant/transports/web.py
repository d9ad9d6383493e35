"""A thin Gradio app over the answer service (the kiosk grows from here).

Rendering lives in pure functions (``render_answer``) that tests call
directly; the Gradio callbacks only fetch an Answer and render it.
"""

from __future__ import annotations

import html

from assistant.app import App
from assistant.records import Answer

DISCLOSURE = (
    "**Sie sprechen mit einem KI-Assistenten / You are talking to an AI assistant.** "
    "Er antwortet nur aus den Unterlagen der Stadt und zeigt die Quellen. "
    "Gespräche werden nicht mit Ihrer Person verknüpft."
)


def render_answer(answer: Answer) -> str:
    """Markdown for one answer: the text, then the quoted sources with their dates.

    Everything from documents is HTML-escaped, so a page cannot inject markup.
    """
    parts = [html.escape(answer.answer).replace("\n", "  \n")]
    if answer.supporting:
        parts.append("\n**Quellen / Sources**")
        for ev in answer.supporting:
            date = ev.updated.isoformat() if ev.updated else "ohne Datum"
            title = html.escape(ev.title)
            link = f"[{title}]({html.escape(ev.url)})" if ev.url.startswith("https://") else title
            quote = html.escape(ev.quote).replace("\n", " ")
            parts.append(f"{ev.n}. {link} (Stand {date})  \n   > {quote}")
    return "\n".join(parts)


def build_blocks(app: App):
    import gradio as gr

    def on_ask(question: str) -> str:
        if not question or not question.strip():
            return ""
        return render_answer(app.answers.answer(question.strip()))

    with gr.Blocks(title="Bürgerassistent") as blocks:
        gr.Markdown(DISCLOSURE)
        question = gr.Textbox(label="Ihre Frage / Your question", lines=2, autofocus=True)
        ask = gr.Button("Fragen / Ask", variant="primary")
        answer = gr.Markdown()
        ask.click(on_ask, inputs=question, outputs=answer)
        question.submit(on_ask, inputs=question, outputs=answer)
    return blocks


def launch(app: App, host: str, port: int) -> None:
    build_blocks(app).launch(server_name=host, server_port=port, show_error=True)
