"""Each page format yields its date: front matter, HTML metadata, <time>, a visible line, PDF; or none."""

from __future__ import annotations

import os
from datetime import UTC, date

from fpdf import FPDF

from assistant.ingest.loaders import load_file
from tests.conftest import write


def loaded_date(path):
    os.utime(path, (1_900_000_000, 1_900_000_000))  # a fresh checkout's file time must never be the page's date
    return load_file(path, path.stem, 10_000_000)[0].updated


def test_markdown_front_matter_and_a_visible_line(tmp_path):
    dated = write(tmp_path / "a.md", "---\ntitle: Reisepass\nupdated: 2024-05-02\n---\nDer Pass kostet 70 Euro.\n")
    visible = write(tmp_path / "b.md", "# Reisepass\n\nStand: 01.03.2021\n\nDer Pass kostet 60 Euro.\n")
    undated = write(tmp_path / "c.md", "# Reisepass\n\nDer Pass kostet 60 Euro.\n")
    assert [loaded_date(p) for p in (dated, visible, undated)] == [date(2024, 5, 2), date(2021, 3, 1), None]


def test_front_matter_with_an_unquoted_colon_is_still_read(tmp_path):
    page = write(tmp_path / "d.md", "---\ntitle: Fundbüro: Fragen\nupdated: 2022-12-01\n---\nText mit 5 Euro.\n")
    document = load_file(page, "d", 10_000_000)[0]
    assert document.title == "Fundbüro: Fragen" and document.updated == date(2022, 12, 1)


def test_html_metadata_time_and_visible_lines(tmp_path):
    pages = {
        '<meta name="dcterms.modified" content="2022-05-10">': date(2022, 5, 10),
        '<meta property="article:modified_time" content="2021-09-30T08:00:00+02:00">': date(2021, 9, 30),
        "": None,
    }
    for n, (head, expected) in enumerate(pages.items()):
        html = f"<html><head><title>Gebühren</title>{head}</head><body><p>Die Gebühr beträgt 20 Euro.</p></body></html>"
        assert loaded_date(write(tmp_path / f"p{n}.html", html)) == expected
    time_tag = '<html><body><p>Gebühr 20 Euro.</p><time datetime="2020-11-02">2. November 2020</time></body></html>'
    assert loaded_date(write(tmp_path / "t.html", time_tag)) == date(2020, 11, 2)
    english = "<html><body><p>Fee: 20 pounds.</p><p>Last updated: 3 March 2021</p></body></html>"
    assert loaded_date(write(tmp_path / "e.html", english)) == date(2021, 3, 3)


def test_pdf_visible_line_first_then_its_metadata(tmp_path):
    from datetime import datetime

    for name, line, expected in (
        ("stand", "Stand: 15.10.2022", date(2022, 10, 15)),
        ("plain", "Gebuehren", date(2020, 1, 2)),
    ):
        pdf = FPDF()
        pdf.set_creation_date(datetime(2020, 1, 2, tzinfo=UTC))
        pdf.add_page()
        pdf.set_font("helvetica", size=12)
        pdf.cell(text=line)
        pdf.ln()
        pdf.cell(text="Die Gebuehr betraegt 20 Euro.")
        path = tmp_path / f"{name}.pdf"
        pdf.output(str(path))
        assert loaded_date(path) == expected, name
