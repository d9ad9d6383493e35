"""The city-hall kiosk: a Gradio app mounted at /kiosk on the one FastAPI process.

Rendering lives in pure functions (``render_answer``, ``render_contact``,
``render_intro``) that tests call directly; the Gradio callbacks only ask
(``app.asking``: the answer, logged for the kiosk) and render. When a model composes, the
verified evidence answer is shown at once with a notice that the wording is being improved;
the model's checked answer replaces it. The model's unchecked draft never reaches the screen. Everything that comes from
documents or the model is HTML-escaped, and links are shown only for the city's
own domains.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Iterable, Mapping
from urllib.parse import urlparse

from assistant.answering.events import EvidenceAnswer, Final
from assistant.answering.pipeline import can_explain
from assistant.app import App
from assistant.records import Answer, Contact, Document, Evidence, Explanation, Feedback, Source, TicketRequest
from assistant.transports.admission import BUSY_MESSAGE, RATE_LIMITED_MESSAGE, Busy
from assistant.transports.protection import trim_history

# Nothing leaves the machine: no usage analytics, no hub calls, no web fonts from a CDN.
for _name, _value in (
    ("GRADIO_ANALYTICS_ENABLED", "False"),
    ("HF_HUB_OFFLINE", "1"),
    ("HF_HUB_DISABLE_TELEMETRY", "1"),
):
    os.environ.setdefault(_name, _value)

log = logging.getLogger(__name__)
LANGUAGES = [("Deutsch", "de"), ("English", "en")]
CONTEXT_CHARS = 160  # document text shown around a quoted sentence
PENDING_MAX_S = 300  # an answer in progress keeps the idle reset away for at most this long
TEXT: dict[str, dict[str, str]] = {
    "de": {
        "disclosure_title": "Sie sprechen mit einem KI-Assistenten.",
        "disclosure": (
            "Er beantwortet Fragen zu Leistungen der Stadt nur aus den Unterlagen der Stadt und zeigt "
            "zu jeder Antwort die Quellen. Er kann sich irren, gibt keine Rechtsberatung und keine "
            "politischen Empfehlungen. Ihr Gespräch wird nicht mit Ihrer Person verknüpft und nach "
            "kurzer Zeit ohne Eingabe gelöscht. Bitte geben Sie keine persönlichen Daten ein."
        ),
        "question": "Ihre Frage",
        "placeholder": "z. B. Was kostet ein Personalausweis?",
        "ask": "Fragen",
        "reset": "Neu beginnen",
        "language": "Sprache / Language",
        "sources": "Quellen",
        "disagreeing": "Abweichende oder veraltete Quellen",
        "updated": "Stand",
        "no_date": "ohne Datum",
        "verified": "Von Mitarbeitenden der Stadt geprüfte Antwort",
        "follows": "Die Antwort folgt Quelle [{n}].",
        "helpful": "War diese Antwort hilfreich?",
        "yes": "👍 Ja",
        "no": "👎 Nein",
        "reason": "Was hat nicht gepasst?",
        "comment": "Anmerkung (freiwillig, ohne persönliche Daten)",
        "send": "Rückmeldung senden",
        "thanks": "Danke für Ihre Rückmeldung!",
        "feedback_failed": "Die Rückmeldung konnte nicht gespeichert werden.",
        "person": "Mit einem Menschen sprechen",
        "contact": "Hier hilft man Ihnen persönlich weiter",
        "room": "Raum",
        "phone": "Telefon",
        "email": "E-Mail",
        "hours": "Öffnungszeiten",
        "from": "Quelle",
        "thinking": "Einen Moment, ich suche in den Unterlagen der Stadt …",
        "improving": "Das sind die geprüften Stellen aus den Unterlagen. Die Formulierung wird noch verbessert …",
        "you": "Ihre Frage",
        "why": "Warum diese Antwort?",
        "why_intro": (
            "Für jede Stelle gemessen: Wie viel unwahrscheinlicher das Modell diese Antwort findet, wenn die "
            "Stelle fehlt. Stellen, auf denen die Antwort beruht, stehen oben."
        ),
        "supports": "trägt die Antwort",
        "pulls against": "spricht dagegen",
        "neutral": "ohne Einfluss",
        "why_none": "Diese Antwort beruht auf keiner Stelle aus den Unterlagen.",
        "why_unavailable": "Diese Erklärung gibt es nur mit einem lokalen Sprachmodell.",
        "ticket_contact": "Ihre E-Mail oder Telefonnummer, damit die Stelle Ihnen antwortet (freiwillig)",
        "ticket_message": "Was möchten Sie wissen? (freiwillig)",
        "ticket_send": "Anfrage an die Stelle senden",
        "ticket_sent": (
            "Ihre Anfrage ist bei den Mitarbeitenden der Stadt. Ihre Kontaktangabe wird nur dafür genutzt und "
            "mit dem Gesprächsprotokoll gelöscht."
        ),
        "ticket_failed": "Die Anfrage konnte nicht gespeichert werden. Bitte wenden Sie sich direkt an die Stelle.",
    },
    "en": {
        "disclosure_title": "You are talking to an AI assistant.",
        "disclosure": (
            "It answers questions about the city's services only from the city's own documents and shows "
            "the sources of every answer. It can be wrong, gives no legal advice and no political "
            "recommendations. Your conversation is not linked to you and is deleted after a short time "
            "without input. Please do not enter personal data."
        ),
        "question": "Your question",
        "placeholder": "e.g. How much is an ID card?",
        "ask": "Ask",
        "reset": "Start over",
        "language": "Sprache / Language",
        "sources": "Sources",
        "disagreeing": "Disagreeing or outdated sources",
        "updated": "as of",
        "no_date": "no date",
        "verified": "Answer verified by city staff",
        "follows": "The answer follows source [{n}].",
        "helpful": "Was this answer helpful?",
        "yes": "👍 Yes",
        "no": "👎 No",
        "reason": "What was wrong?",
        "comment": "Comment (optional, no personal data)",
        "send": "Send feedback",
        "thanks": "Thank you for your feedback!",
        "feedback_failed": "Your feedback could not be saved.",
        "person": "Talk to a person",
        "contact": "Where you can get help in person",
        "room": "Room",
        "phone": "Phone",
        "email": "E-mail",
        "hours": "Opening hours",
        "from": "Source",
        "thinking": "One moment, searching the city's documents …",
        "improving": "These are the verified passages from the documents. The wording is still being improved …",
        "you": "Your question",
        "why": "Why this answer?",
        "why_intro": (
            "Measured for every passage: how much less likely the model finds this answer without it. "
            "The passages the answer rests on come first."
        ),
        "supports": "the answer rests on it",
        "pulls against": "speaks against it",
        "neutral": "no effect",
        "why_none": "This answer rests on no passage from the documents.",
        "why_unavailable": "This explanation needs a local language model.",
        "ticket_contact": "Your e-mail or phone number, so that the office can reply (optional)",
        "ticket_message": "What would you like to know? (optional)",
        "ticket_send": "Send the request to the office",
        "ticket_sent": (
            "Your request is with the city's staff. Your contact is used only for this and deleted with the "
            "conversation log."
        ),
        "ticket_failed": "The request could not be saved. Please contact the office directly.",
    },
}
REASONS: dict[str, list[tuple[str, str]]] = {
    "de": [
        ("Falsch", "wrong"),
        ("Veraltet", "outdated"),
        ("Unvollständig", "incomplete"),
        ("Hat mich nicht verstanden", "not_understood"),
        ("Anderes", "other"),
    ],
    "en": [
        ("Wrong", "wrong"),
        ("Outdated", "outdated"),
        ("Incomplete", "incomplete"),
        ("Did not understand me", "not_understood"),
        ("Other", "other"),
    ],
}


def t(language: str, key: str) -> str:
    return TEXT.get(language, TEXT["en"])[key]


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def safe_link(url: str, label: str, link_domains: Iterable[str]) -> str:
    """A link only to the city's own domains over https; anything else is plain text."""
    parsed = urlparse(url or "")
    host = (parsed.hostname or "").lower()
    if parsed.scheme == "https" and any(host == d or host.endswith("." + d) for d in link_domains):
        return f'<a href="{_esc(url)}" target="_blank" rel="noopener noreferrer">{_esc(label)}</a>'
    return _esc(label)


def render_intro(language: str) -> str:
    return (
        f'<div class="disclosure" role="note"><strong>{_esc(t(language, "disclosure_title"))}</strong> '
        f"{_esc(t(language, 'disclosure'))}</div>"
    )


def in_context(evidence: Evidence, documents: Mapping[str, Document]) -> str:
    """The quote highlighted inside the text around it (the quote alone when the document is unknown)."""
    doc = documents.get(evidence.doc_id)
    if doc is None or doc.text[evidence.start : evidence.end] != evidence.quote:
        return f"<mark>{_esc(evidence.quote)}</mark>"
    before = doc.text[max(0, evidence.start - CONTEXT_CHARS) : evidence.start]
    after = doc.text[evidence.end : evidence.end + CONTEXT_CHARS]
    before = before[before.find(" ") + 1 :] if evidence.start > CONTEXT_CHARS else before
    after = after[: after.rfind(" ")] if len(doc.text) > evidence.end + CONTEXT_CHARS else after
    lead = "… " if evidence.start > CONTEXT_CHARS else ""
    tail = " …" if len(doc.text) > evidence.end + CONTEXT_CHARS else ""
    return f"{lead}{_esc(before)}<mark>{_esc(evidence.quote)}</mark>{_esc(after)}{tail}"


def _lines_in_context(quotes: list[Evidence], documents: Mapping[str, Document]) -> str:
    """Several quoted lines of one document highlighted in one passage ("" when they stand far apart)."""
    doc = documents.get(quotes[0].doc_id)
    ordered = sorted(quotes, key=lambda e: e.start)
    if len(quotes) < 2 or doc is None or any(doc.text[e.start : e.end] != e.quote for e in quotes):
        return ""
    if ordered[-1].end - ordered[0].start > 4 * CONTEXT_CHARS or any(
        a.end > b.start for a, b in zip(ordered, ordered[1:], strict=False)
    ):
        return ""
    first = ordered[0].start
    before = doc.text[max(0, first - CONTEXT_CHARS) : first]
    before = before[before.find(" ") + 1 :] if first > CONTEXT_CHARS else before
    parts = ["… " if first > CONTEXT_CHARS else "", _esc(before)]
    for item, following in zip(ordered, [*ordered[1:], None], strict=True):
        parts.append(f"<mark>{_esc(item.quote)}</mark>")
        parts.append(_esc(doc.text[item.end : following.start]) if following else "")
    after = doc.text[ordered[-1].end : ordered[-1].end + CONTEXT_CHARS]
    cut = len(doc.text) > ordered[-1].end + CONTEXT_CHARS
    parts += [_esc(after[: after.rfind(" ")] if cut else after), " …" if cut else ""]
    return "".join(parts)


def _dated(title: str, url: str, updated, language: str, link_domains: Iterable[str]) -> str:
    date = updated.isoformat() if updated else t(language, "no_date")
    return f'{safe_link(url, title, link_domains)} <span class="date">({t(language, "updated")} {date})</span>'


def _source_item(
    source: Source, by_n: Mapping[int, Evidence], documents: Mapping[str, Document], language: str, link_domains
) -> str:
    """One supporting document: its citation numbers, title and date, then each quoted line in context."""
    numbers = "".join(f'<span class="n" id="source-{q.n}">[{q.n}]</span> ' for q in source.quotes)
    together = _lines_in_context([by_n[q.n] for q in source.quotes], documents)
    quotes = (
        f'<blockquote class="quote">{together}</blockquote>'
        if together
        else "".join(
            f'<blockquote class="quote">{in_context(by_n[q.n], documents)}</blockquote>' for q in source.quotes
        )
    )
    return f"<li>{numbers}{_dated(source.title, source.url, source.updated, language, link_domains)}{quotes}</li>"


def render_answer(
    answer: Answer,
    language: str | None = None,
    documents: Mapping[str, Document] | None = None,
    link_domains: Iterable[str] = ("musterstadt.de",),
) -> str:
    """HTML for one answer: the text, the supporting sources with each quote highlighted in context,
    and, separated and labelled, the disagreeing or outdated sources with their dates and reasons."""
    language = language or answer.language
    documents = documents or {}
    parts = [
        f'<div class="answer-text status-{_esc(answer.status)}">'
        + "<br>".join(_esc(line) for line in answer.answer.splitlines())
        + "</div>"
    ]
    if answer.verified_by_staff:
        parts.insert(0, f'<p class="verified">✔ {_esc(t(language, "verified"))}</p>')
    if answer.supporting:
        # one entry per document, each quoted line highlighted in it ("[1] [2] Hundesteuer")
        by_n = {ev.n: ev for ev in answer.supporting}
        items = "".join(_source_item(source, by_n, documents, language, link_domains) for source in answer.sources)
        parts.append(
            f'<section class="sources" aria-label="{_esc(t(language, "sources"))}">'
            f"<h3>{_esc(t(language, 'sources'))}</h3><ol>{items}</ol></section>"
        )
    if answer.disagreeing:
        items = "".join(
            f"<li>⚠ {_dated(item.title, item.url, item.updated, language, link_domains)}"
            f'<blockquote class="quote"><mark>{_esc(item.quote)}</mark></blockquote>'
            f'<p class="reason">{_esc(item.reason.rstrip("."))}. '
            f"{_esc(t(language, 'follows').format(n=item.conflicts_with))}"
            f"</p></li>"
            for item in answer.disagreeing
        )
        parts.append(
            f'<section class="disagreeing" aria-label="{_esc(t(language, "disagreeing"))}">'
            f"<h3>{_esc(t(language, 'disagreeing'))}</h3><ul>{items}</ul></section>"
        )
    return "\n".join(parts)


def render_explanation(explanation: Explanation, language: str) -> str:
    """Why this answer? Each passage with its measured effect on the answer, strongest support first."""
    parts = [f'<section class="explanation" aria-label="{_esc(t(language, "why"))}">']
    parts.append(f"<h3>{_esc(t(language, 'why'))}</h3>")
    if not explanation.attributions:
        parts.append(f"<p>{_esc(t(language, 'why_none'))}</p></section>")
        return "".join(parts)
    parts.append(f'<p class="why-intro">{_esc(t(language, "why_intro"))}</p><ol class="attributions">')
    for item in explanation.attributions:
        role = f" · {_esc(t(language, 'disagreeing'))}" if item.role == "disagreeing" else ""
        css = item.effect.replace(" ", "-")
        parts.append(
            f'<li class="attribution {css}" data-n="{item.n}"><strong class="effect">{_esc(t(language, item.effect))}'
            f"</strong> [{item.n}] {_esc(item.title)}{role}<blockquote>{_esc(item.quote)}</blockquote></li>"
        )
    parts.append("</ol></section>")
    return "".join(parts)


def render_contact(contact: Contact | None, language: str, link_domains: Iterable[str] = ("musterstadt.de",)) -> str:
    if contact is None:
        return ""
    rows = [("room", contact.room), ("phone", contact.phone), ("email", contact.email)]
    details = "".join(f"<dt>{_esc(t(language, key))}</dt><dd>{_esc(value)}</dd>" for key, value in rows if value)
    if contact.hours:
        hours = "".join(f"<li>{_esc(line)}</li>" for line in contact.hours)
        details += f"<dt>{_esc(t(language, 'hours'))}</dt><dd><ul>{hours}</ul></dd>"
    source = safe_link(contact.url, contact.title, link_domains) if contact.title else ""
    return (
        f'<section class="contact"><h3>{_esc(t(language, "contact"))}</h3>'
        f'<p class="office">{_esc(contact.office)}</p><dl>{details}</dl>'
        + (f'<p class="from">{_esc(t(language, "from"))}: {source}</p>' if source else "")
        + "</section>"
    )


def asked_line(question: str, language: str) -> str:
    return f'<p class="asked"><strong>{_esc(t(language, "you"))}:</strong> {_esc(question)}</p>'


def improving_notice(language: str) -> str:
    """Shown above the evidence answer while the model rewords it (the draft itself is never shown)."""
    return f'<p class="improving" role="status">{_esc(t(language, "improving"))}</p>'


def busy_notice(language: str) -> str:
    text = BUSY_MESSAGE.get(language, BUSY_MESSAGE["en"])
    return f'<p class="busy" role="status">{_esc(text)}</p>'


def admission_refusal(app: App, request, language: str) -> str | None:
    """The kiosk's notice when this client address asked too often (None: go ahead)."""
    client = request.client.host if request is not None and request.client else ""
    allowed, _wait = app.rate_limiter.check(client, "answer")
    if allowed:
        return None
    text = RATE_LIMITED_MESSAGE.get(language, RATE_LIMITED_MESSAGE["en"])
    return f'<p class="busy" role="status">{_esc(text)}</p>'


def idle_reset_script(seconds: int) -> str:
    """Client side: after ``seconds`` without input and without anything changing on screen,
    press "start over" (which also cancels an answer still being written).

    An answer in progress counts as activity: the screen does not change while the model
    writes (its draft is never shown), so the "searching" or "wording is being improved"
    notice keeps the kiosk awake, for at most ``PENDING_MAX_S`` (a stuck answer still resets)."""
    return f"""<script>
(() => {{
  const limit = {int(seconds) * 1000};
  const pendingMax = {PENDING_MAX_S * 1000};
  let last = Date.now();
  let pendingSince = null;
  for (const kind of ["pointerdown", "keydown", "touchstart", "wheel", "input"]) {{
    window.addEventListener(kind, () => {{ last = Date.now(); }}, {{capture: true, passive: true}});
  }}
  // an answer still arriving counts as activity: the reset never cuts into it
  new MutationObserver(() => {{ last = Date.now(); }}).observe(document.body,
    {{subtree: true, childList: true, characterData: true}});
  setInterval(() => {{
    const pending = document.querySelector("#answer .thinking, #answer .improving");
    pendingSince = pending ? (pendingSince ?? Date.now()) : null;
    if (pending && Date.now() - pendingSince < pendingMax) last = Date.now();
    if (Date.now() - last < limit) return;
    last = Date.now();
    const button = document.querySelector("#reset button, button#reset");
    if (button) button.click();
  }}, 1000);
}})();
</script>"""


def build_blocks(app: App):
    import gradio as gr

    settings = app.settings
    domains = settings.web.link_domains
    default = settings.default_language if settings.default_language in TEXT else "de"

    def documents() -> Mapping[str, Document]:
        return app.index.documents

    def on_ask(question: str, language: str, history: list[dict[str, str]], request: gr.Request):
        question = (question or "").strip()[: settings.web.max_question_chars]
        if not question:
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        refusal = admission_refusal(app, request, language)
        if refusal:
            yield refusal, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            ticket = app.admission.reserve()
        except Busy:
            yield busy_notice(language), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        try:
            yield from _answering(question, language, trim_history(history, settings.web), ticket)
        finally:
            ticket.release()  # also when "start over" cancels the answer

    # gradio is imported inside this function, so the string annotation cannot be resolved by name:
    # Gradio finds the gr.Request parameter (the client address for the rate limit) by its type
    on_ask.__annotations__["request"] = gr.Request

    def _answering(question: str, language: str, history: list[dict[str, str]], ticket):
        yield (
            f'<p class="thinking">{_esc(t(language, "thinking"))}</p>',
            history,
            None,
            gr.update(visible=False),
            "",
            "",
        )
        try:
            ticket.start()
        except Busy:
            yield busy_notice(language), gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
            return
        for event in app.asking.stream(question, history[-2 * settings.answer.history_turns :], "kiosk"):
            match event:
                case EvidenceAnswer(answer=answer):  # verified quotes: on screen at once, no rating yet
                    shown = asked_line(question, language) + improving_notice(language)
                    shown += render_answer(answer, language, documents(), domains)
                    yield shown, gr.skip(), gr.skip(), gr.skip(), gr.skip(), gr.skip()
                case Final(answer=answer):  # replaces the evidence answer
                    yield _answered(question, language, history, answer)
                # Token: the model's unchecked draft is never put on screen

    def _answered(question: str, language: str, history: list[dict[str, str]], answer: Answer):
        """The outputs once the logged answer is there: rendered answer, new history, rating and contact."""
        turns = trim_history(
            [*history, {"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}],
            settings.web,
        )
        return (
            asked_line(question, language) + render_answer(answer, language, documents(), domains),
            turns,
            answer.model_dump(mode="json"),
            gr.update(visible=True),
            "",
            render_contact(answer.contact, language, domains),
        )

    def on_rate(rating: str, reason: str | None, comment: str, answer: dict | None, language: str):
        if not answer or not answer.get("interaction_id"):
            return gr.skip()
        try:
            app.feedback.rate(
                Feedback(
                    interaction_id=answer["interaction_id"],
                    rating=rating,
                    reason=reason if rating == "down" else None,
                    comment=(comment or "")[:1000],
                )
            )
        except Exception:  # noqa: BLE001 - the citizen sees a message, the log has the cause
            return f'<p role="status">{_esc(t(language, "feedback_failed"))}</p>'
        return f'<p role="status" class="thanks">{_esc(t(language, "thanks"))}</p>'

    def on_explain(answer: dict | None, language: str):
        from assistant.answering.pipeline import ExplainUnavailable

        if not answer:
            return gr.skip()
        try:
            with app.admission.reserve().running():  # one model pass per passage: it takes an answer slot
                explanation = app.answers.explain_given(Answer.model_validate(answer))
        except Busy:
            return busy_notice(language)
        except ExplainUnavailable:
            return f'<p role="status">{_esc(t(language, "why_unavailable"))}</p>'
        return render_explanation(explanation, language)

    def on_language(language: str):
        reasons = REASONS.get(language, REASONS["en"])
        return (
            render_intro(language),
            gr.update(label=t(language, "question"), placeholder=t(language, "placeholder")),
            gr.update(value=t(language, "ask")),
            gr.update(value=t(language, "reset")),
            gr.update(value=f"**{t(language, 'helpful')}**"),
            gr.update(value=t(language, "yes")),
            gr.update(value=t(language, "no")),
            gr.update(choices=reasons, label=t(language, "reason")),
            gr.update(label=t(language, "comment")),
            gr.update(value=t(language, "send")),
            gr.update(value=t(language, "person")),
            gr.update(value=t(language, "why")),
            gr.update(label=t(language, "ticket_contact")),
            gr.update(label=t(language, "ticket_message")),
            gr.update(value=t(language, "ticket_send")),
        )

    def on_person(answer: dict | None, language: str):
        contact = (
            Contact.model_validate(answer["contact"])
            if answer and answer.get("contact")
            else app.answers.contacts.default
        )
        logged = bool(answer and answer.get("interaction_id"))  # a request refers to a logged answer
        return render_contact(contact, language, domains), gr.update(visible=logged), ""

    def on_ticket(contact: str, note: str, answer: dict | None, language: str):
        """Talk to a person: the question, answer and sources go to the review queue as a ticket."""
        from assistant.feedback.log import StoreUnavailable, UnknownInteraction

        if not answer or not answer.get("interaction_id"):
            return gr.skip(), gr.skip()
        request = TicketRequest(
            interaction_id=answer["interaction_id"], contact=(contact or "")[:300], message=(note or "")[:1000]
        )
        try:
            app.feedback.open_ticket(request)
        except (UnknownInteraction, StoreUnavailable) as exc:  # the answer expired, or the store is down
            log.warning("ticket not stored: %s", exc)
            return f'<p role="status">{_esc(t(language, "ticket_failed"))}</p>', gr.skip()
        return f'<p role="status" class="thanks">{_esc(t(language, "ticket_sent"))}</p>', gr.update(visible=False)

    with gr.Blocks(title="Bürgerassistent / Citizen assistant", elem_id="kiosk") as blocks:
        history = gr.State([])
        current = gr.State(None)  # the last Answer as JSON (never shared between browser sessions)
        with gr.Row(elem_id="kiosk-header"):
            gr.HTML('<h1 class="kiosk-title">Bürgerassistent · Citizen assistant</h1>')
            language = gr.Radio(LANGUAGES, value=default, label=t(default, "language"), elem_id="language-picker")
        intro = gr.HTML(render_intro(default), elem_id="ai-disclosure")
        question = gr.Textbox(
            label=t(default, "question"),
            placeholder=t(default, "placeholder"),
            lines=1,
            max_lines=4,
            max_length=settings.web.max_question_chars,
            elem_id="question",
            autofocus=True,
        )
        with gr.Row():
            ask = gr.Button(t(default, "ask"), variant="primary", elem_id="ask")
            reset = gr.Button(t(default, "reset"), variant="secondary", elem_id="reset")
        answer_html = gr.HTML(elem_id="answer")
        with gr.Group(visible=False, elem_id="feedback") as feedback_box:
            helpful = gr.Markdown(f"**{t(default, 'helpful')}**")
            with gr.Row():
                up = gr.Button(t(default, "yes"), elem_id="thumbs-up")
                down = gr.Button(t(default, "no"), elem_id="thumbs-down")
            reason = gr.Radio(REASONS[default], label=t(default, "reason"), elem_id="feedback-reason", visible=False)
            comment = gr.Textbox(
                label=t(default, "comment"), max_length=1000, elem_id="feedback-comment", visible=False
            )
            send = gr.Button(t(default, "send"), elem_id="feedback-send", visible=False)
            # shown with the answer when a local model can measure it (one model pass per passage)
            why = gr.Button(t(default, "why"), elem_id="explain", visible=can_explain(app.settings))
        thanks = gr.HTML(elem_id="feedback-thanks")
        explanation = gr.HTML(elem_id="explanation")
        person = gr.Button(t(default, "person"), elem_id="talk-to-person")
        contact = gr.HTML(elem_id="contact")
        with gr.Group(visible=False, elem_id="ticket") as ticket_box:
            ticket_contact = gr.Textbox(label=t(default, "ticket_contact"), max_length=300, elem_id="ticket-contact")
            ticket_note = gr.Textbox(label=t(default, "ticket_message"), max_length=1000, elem_id="ticket-message")
            ticket_send = gr.Button(t(default, "ticket_send"), elem_id="ticket-send")
        ticket_status = gr.HTML(elem_id="ticket-status")

        asked = [answer_html, history, current, feedback_box, thanks, contact]
        asking = [
            # no Gradio limit: app.admission bounds answering for the kiosk and the API together
            ask.click(on_ask, [question, language, history], asked, concurrency_limit=None),
            question.submit(on_ask, [question, language, history], asked, concurrency_limit=None),
        ]
        for event in asking:
            event.then(lambda: "", None, question)
        for trigger in (ask.click, question.submit):  # a new question: the last explanation and request form go
            trigger(
                lambda: ("", gr.update(visible=False), ""), None, [explanation, ticket_box, ticket_status], queue=False
            )
        up.click(lambda *a: on_rate("up", *a), [reason, comment, current, language], thanks)
        send.click(lambda *a: on_rate("down", *a), [reason, comment, current, language], thanks)
        down.click(lambda: [gr.update(visible=True)] * 3, None, [reason, comment, send])
        person.click(on_person, [current, language], [contact, ticket_box, ticket_status])
        ticket_send.click(on_ticket, [ticket_contact, ticket_note, current, language], [ticket_status, ticket_box])
        why.click(on_explain, [current, language], explanation, concurrency_limit=None)
        language.change(
            on_language,
            language,
            [intro, question, ask, reset, helpful, up, down, reason, comment, send, person, why]
            + [ticket_contact, ticket_note, ticket_send],
        )

        def on_reset():
            # the next citizen sees nothing of the last one: question, answer, rating, contact, language
            hidden = gr.update(value=None, visible=False)
            return (
                "",
                "",
                [],
                None,
                gr.update(visible=False),
                "",
                "",
                hidden,
                gr.update(value="", visible=False),
                gr.update(visible=False),
                default,
                "",
                gr.update(visible=False),  # the contact typed for a ticket goes with the session
                "",
                "",
                "",
            )

        reset.click(
            on_reset,
            None,
            [question, answer_html, history, current, feedback_box, thanks, contact]
            + [reason, comment, send, language, explanation, ticket_box, ticket_contact, ticket_note, ticket_status],
            cancels=asking,
        )
    return blocks


def local_theme():
    """Gradio's default theme with the system's fonts (the default loads Google Fonts)."""
    import gradio as gr

    return gr.themes.Default(font=["system-ui", "Arial", "sans-serif"], font_mono=["ui-monospace", "monospace"])


def mount_kiosk(api, app: App, path: str = "/kiosk"):
    """Mount the kiosk Gradio app on the FastAPI app ``api`` at ``path``."""
    import gradio as gr

    css = app.settings.ui_dir / "kiosk.css"
    return gr.mount_gradio_app(
        api,
        build_blocks(app),
        path=path,
        theme=local_theme(),
        show_error=True,
        css_paths=[css] if css.is_file() else None,
        footer_links=[],
        head=idle_reset_script(app.settings.web.idle_reset_s),
    )
