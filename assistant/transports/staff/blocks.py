"""The Gradio review app: its tabs, controls and which callback each control calls."""

from __future__ import annotations

import html

import gradio as gr

from assistant.app import App
from assistant.transports.staff.conflicts import ConflictsPage
from assistant.transports.staff.dashboard import DashboardPage
from assistant.transports.staff.flagged import FlaggedPage
from assistant.transports.staff.labels import (
    ANY,
    CHANNELS,
    FILTER_TAGS,
    REASONS,
    REVIEW_TAGS,
    ROUTE_LABELS,
    ROUTES,
    STATES,
    TAG_LABELS,
)
from assistant.transports.staff.queue import QueuePage, csv_link, frame


def build_staff_blocks(app: App, path: str = "/staff"):
    """The review app's layout and wiring; the callbacks live with their page (queue, dashboard, flagged,
    conflicts), fetch from ``app.review`` and render."""
    languages = [ANY, *app.settings.languages]
    queue_page, dashboard_page = QueuePage(app, path), DashboardPage(app)
    flagged_page, conflicts_page = FlaggedPage(app), ConflictsPage(app)

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
                    frame([]), interactive=False, wrap=True, elem_id="staff-queue", label="Warteschlange / Queue"
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
        blocks.load(queue_page.refresh, filters, queue_outputs)
        reload.click(queue_page.refresh, filters, queue_outputs)
        for control in (channel, language, reason, state, route_filter, tag_filter):
            control.input(queue_page.refresh, filters, queue_outputs)
        for control in (since, until):
            control.submit(queue_page.refresh, filters, queue_outputs)
        table.select(queue_page.select_row, None, chosen)
        chosen.change(queue_page.show, chosen, [item_view, correct_doc, flag_doc, route_choice, tag_choice])
        route_button.click(queue_page.correct_route, [chosen, route_choice], [action_note, item_view])
        tags_button.click(queue_page.save_tags, [chosen, tag_choice], [action_note, item_view])
        correct_button.click(
            queue_page.correct,
            [chosen, correct_text, correct_doc, correct_quote],
            [action_note, correct_text, correct_quote],
        ).then(queue_page.refresh, filters, queue_outputs)
        dismiss_button.click(queue_page.dismiss, chosen, action_note).then(queue_page.refresh, filters, queue_outputs)
        flag_button.click(flagged_page.flag, [flag_doc, flag_problem, flag_note], action_note).then(
            flagged_page.view, None, [flagged_html, unflag_doc]
        )
        dashboard_tab.select(dashboard_page.view, days, [dashboard_view_html, plot])  # fresh figures on every visit
        dashboard_button.click(dashboard_page.view, days, [dashboard_view_html, plot])
        flagged_tab.select(flagged_page.view, None, [flagged_html, unflag_doc])
        conflicts_tab.select(conflicts_page.view, None, conflicts_html)
        unflag_button.click(flagged_page.unflag, unflag_doc, flag_note_out).then(
            flagged_page.view, None, [flagged_html, unflag_doc]
        )
    return blocks
