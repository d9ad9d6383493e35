"""A page's date, from wherever a city's page states it.

In this order: metadata meant for machines (HTML ``dcterms.modified`` and its Dublin Core
spellings, ``article:modified_time``, ``dateModified``, the first ``<time datetime>``; a PDF's
modification or creation date), then a visible line ("Stand: 01.03.2021", "Zuletzt aktualisiert:
3. März 2021", "Last updated: 3 March 2021", "Mise à jour : 3 mars 2021"). A page with none of
these has no date (``None``): the answer says so, and a file's modification time (the day it was
copied or checked out) is never taken for it.

>>> visible_date("Reisepass\\nStand: 01.03.2021\\nGebühren ...")
datetime.date(2021, 3, 1)
>>> visible_date("Last updated: 3 March 2021"), visible_date("Stand: Dezember 2022")
(datetime.date(2021, 3, 3), datetime.date(2022, 12, 1))
"""

from __future__ import annotations

import re
from datetime import date, datetime

MONTHS = {
    "januar": 1, "jänner": 1, "january": 1, "janvier": 1, "februar": 2, "february": 2, "février": 2,
    "märz": 3, "maerz": 3, "march": 3, "mars": 3, "april": 4, "avril": 4, "mai": 5, "may": 5,
    "juni": 6, "june": 6, "juin": 6, "juli": 7, "july": 7, "juillet": 7, "august": 8, "août": 8,
    "september": 9, "septembre": 9, "oktober": 10, "october": 10, "octobre": 10, "november": 11,
    "novembre": 11, "dezember": 12, "december": 12, "décembre": 12,
}  # fmt: skip
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
LABEL = re.compile(
    r"(?:\bStand|Zuletzt aktualisiert|Zuletzt geändert|Letzte Änderung|Letzte Aktualisierung|Aktualisiert|"
    r"Last updated|Last modified|Updated|Mise à jour|Dernière mise à jour)\s*(?:am|on|le)?\s*:?\s*(?:am|on|le)?\s*",
    re.IGNORECASE,
)
_FORMS = [
    (re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})"), lambda m: (int(m[3]), int(m[2]), int(m[1]))),
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), lambda m: (int(m[1]), int(m[2]), int(m[3]))),
    (
        re.compile(rf"(\d{{1,2}})\.?\s+({_MONTH})\s+(\d{{4}})", re.IGNORECASE),
        lambda m: (int(m[3]), MONTHS[m[2].lower()], int(m[1])),
    ),
    (
        re.compile(rf"({_MONTH})\s+(\d{{1,2}}),\s+(\d{{4}})", re.IGNORECASE),
        lambda m: (int(m[3]), MONTHS[m[1].lower()], int(m[2])),
    ),
    (re.compile(rf"({_MONTH})\s+(\d{{4}})", re.IGNORECASE), lambda m: (int(m[2]), MONTHS[m[1].lower()], 1)),
]
META_NAMES = ("dcterms.modified", "dc.date.modified", "dcterms.date", "dc.date", "last-modified", "date")
META_PROPERTIES = ("article:modified_time", "og:updated_time", "article:published_time")


def parse_date(text: str) -> date | None:
    """The first date written at the start of ``text`` in one of the usual forms (None: none)."""
    text = text.strip()
    for pattern, parts in _FORMS:
        match = pattern.match(text)
        if match:
            try:
                return date(*parts(match))
            except ValueError:
                return None
    return None


def visible_date(text: str) -> date | None:
    """The date of a visible "Stand:" / "Last updated:" line (the first such line)."""
    for match in LABEL.finditer(text):
        found = parse_date(text[match.end() : match.end() + 40])
        if found:
            return found
    return None


def html_date(html: str) -> date | None:
    """The page's date from its metadata or a ``<time datetime>``, else from a visible line."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "lxml")
    candidates = []
    for meta in soup.find_all("meta"):
        name = (meta.get("name") or meta.get("itemprop") or "").lower()
        prop = (meta.get("property") or "").lower()
        if name in META_NAMES or name == "datemodified" or prop in META_PROPERTIES:
            rank = META_NAMES.index(name) if name in META_NAMES else len(META_NAMES)
            if prop in META_PROPERTIES:
                rank = META_PROPERTIES.index(prop)
            candidates.append((rank, meta.get("content") or ""))
    for _, content in sorted(candidates, key=lambda c: c[0]):
        found = parse_date(content)
        if found:
            return found
    time_tag = soup.find("time", attrs={"datetime": True})
    if time_tag is not None:
        found = parse_date(str(time_tag["datetime"]))
        if found:
            return found
    return visible_date(soup.get_text("\n"))


def pdf_date(text: str, metadata) -> date | None:
    """A PDF's visible "Stand:" line first (what the city wrote), then its modification or creation date."""
    found = visible_date(text)
    if found or metadata is None:
        return found
    for attribute in ("modification_date", "creation_date"):
        try:
            value = getattr(metadata, attribute)
        except (ValueError, TypeError, KeyError):  # a malformed date string in the PDF
            continue
        if isinstance(value, datetime):
            return value.date()
    return None
