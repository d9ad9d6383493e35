"""Fee and opening-hour rows of a document as typed facts: one slot, one value.

A fee table ("ab 24 Jahren: 37,00 Euro", "jeder weitere Hund: 180,00 Euro",
"Online-Ausweisfunktion: gebührenfrei") and an opening-hours list ("Samstag: 9:00 bis
12:00 Uhr", "samstags geschlossen") become :class:`SlotFact` records. A slot is
(service, item, qualifier): the service is the page's subject (its title, without
"Gebühren", "Hinweis", "(Stand 2021)"; English names mapped to the German ones by a small
glossary), the item what the row is about besides the service ("Passfoto"), the
qualifier which row of the table it is (age band, first/further, express, temporary, ...).
Two documents that give different values for the same slot disagree.

>>> rows = fee_facts_of_text("- ab 24 Jahren: 37,00 Euro\\n- unter 24 Jahren: 22,80 Euro", "Personalausweis")
>>> [(r.qualifier.age_min, r.qualifier.age_max, r.value) for r in rows]
[(24, None, '37'), (None, 24, '22.8')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from assistant.answering.facts.qualifiers import (
    ADULT,
    AGE_MAX,
    AGE_MIN,
    CHILD,
    DAY,
    DAYS,
    DURATION,
    ORDINALS,
    VARIANTS,
    Qualifier,
    days_of,
    qualifier_of,
    qualifier_stems,
)
from assistant.answering.facts.values import Fact, extract_facts
from assistant.answering.facts.words import covers, same_word, words
from assistant.records import Document
from assistant.text import split_sentences, strip_markup

FREE = re.compile(
    r"gebührenfrei\w*|kostenfrei\w*|kostenlos\w*|steuerfrei\w*|unentgeltlich\w*"
    r"|free of charge|\bfree\b|no charge|exempt|(?<=: )frei\b",
    re.IGNORECASE,
)
CLOSED = re.compile(r"geschlossen|entfällt|closed|no longer open", re.IGNORECASE)
# a sentence reporting that something changed or ended is no row ("die bisherigen kostenlosen ... entfallen")
CHANGED = re.compile(r"\bbisherige|entfall|entfällt|nicht mehr|no longer|previously|früher", re.IGNORECASE)
HEADING_LINE = re.compile(r"^#{1,6}\s+(.+)$")


@dataclass(frozen=True)
class SlotFact:
    """One row: a value for (service, item, qualifier), with where it stands."""

    kind: str  # "fee" or "hours"
    service: frozenset[str]  # normalised service words
    item: frozenset[str]  # what besides the service the row is about ("passfoto"); empty: the service itself
    qualifier: Qualifier
    value: str  # fee: "37", "free"; hours: "9:00-12:00", "closed"
    raw: str  # the value as written ("37,00 Euro", "gebührenfrei")
    label: str  # the row's label as written ("ab 24 Jahren")
    quote: str  # the verbatim line or sentence
    start: int
    end: int
    doc_id: str = ""
    title: str = ""
    updated: date | None = None
    language: str = "de"
    prose: bool = False  # from a running sentence, not a table row: its item words are loose
    valid_until: date | None = None  # "Abholungen bis zum 31. Dezember 2025 bleiben kostenlos"

    def slot(self) -> tuple:
        return (self.kind, self.qualifier.key())


def service_of(title: str) -> frozenset[str]:
    """The service a page is about, from its title: "Gebühren Personalausweis (Stand 2021)" -> {personalausweis}."""
    title = re.sub(r"\([^)]*\b(stand|archiv|archive|version|fassung)\b[^)]*\)", " ", title, flags=re.I)
    title = re.sub(r"\([^)]*\)", " ", title)  # "(Hundesteuersatzung)" repeats the name
    title = re.sub(r"\b(?:öffnungszeiten|opening hours|räume|rooms)\b", " ", title, flags=re.I)
    title = re.sub(r"\b(?:am|on)\s+(?:" + "|".join(DAYS.values()) + r")\b", " ", title, flags=re.I)
    service = set()
    for word in words(title):
        for suffix in ("satzung", "gebühr", "gebuhr"):
            if word.endswith(suffix) and len(word) > len(suffix) + 3:
                word = word[: -len(suffix)]
        service.add(word)
    return frozenset(service)


def same_service(a: frozenset[str], b: frozenset[str], across_languages: bool = False) -> bool:
    """The same words. Across languages (a translation names a service in its own words) one more
    word on one side is allowed if it names no row of its own ("Sperrmüll anmelden" / "Bulky waste
    collection", but never "Personalausweis" / "Vorläufiger Personalausweis")."""
    if not a or not b:
        return False
    if covers(a, b) and covers(b, a):
        return True
    if not across_languages:
        return False
    short, long = sorted((a, b), key=len)
    extra = {w for w in long if not any(same_word(w, s) for s in short)}
    return covers(short, long) and len(extra) == 1 and not extra & qualifier_stems()


def _item(label: str, service: frozenset[str], heading_service: frozenset[str]) -> frozenset[str]:
    """Label words that are neither qualifier words nor the service's name."""
    text = label
    for pattern in (
        AGE_MIN,
        AGE_MAX,
        ADULT,
        CHILD,
        DURATION,
        *(p for _, p in ORDINALS),
        *VARIANTS.values(),
        *DAY.values(),
        FREE,
    ):
        text = re.sub(rf"\w*(?:{pattern.pattern})\w*", " ", text, flags=re.IGNORECASE)
    text = re.sub(r"\b(?:" + "|".join(_MONTHS) + r")\b", " ", text, flags=re.I)
    text = re.sub(r"\b\d+\s+[^\W\d_]+", " ", text)  # a quantity describes the row ("mit 32 Seiten"), names no item
    item = {w for w in words(text) if not any(same_word(w, s) for s in service | heading_service)}
    return frozenset(item)


_MONTHS = (
    "januar",
    "februar",
    "märz",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "dezember",
    "january",
    "february",
    "march",
    "may",
    "june",
    "july",
    "october",
    "december",
)


def _lines(doc_text: str, language: str) -> list[tuple[int, int, str]]:
    """(start, end, heading) of every line of every sentence, headings tracked."""
    out = []
    heading = ""
    for span in split_sentences(doc_text, 0, len(doc_text), language):
        text = doc_text[span.start : span.end]
        if match := HEADING_LINE.match(text):
            heading = match.group(1)
            continue
        offset = span.start
        for line in text.split("\n"):
            stripped = line.strip()
            if stripped:
                lead = line.index(stripped[0])
                out.append((offset + lead, offset + lead + len(stripped), heading))
            offset += len(line) + 1
    return out


def fee_facts_of_text(
    text: str, title: str, language: str = "de", doc_id: str = "", updated: date | None = None
) -> list[SlotFact]:
    """Fee and opening-hour rows of a document's text (offsets into ``text``)."""
    service = service_of(title)
    facts: list[SlotFact] = []
    for start, end, heading in _lines(text, language):
        line = text[start:end]
        clean = strip_markup(line)
        if CHANGED.search(clean):
            continue
        heading_service = _heading_service(heading, service)
        row_service = heading_service or service
        is_row = line.lstrip().startswith(("-", "*", "•")) or (":" in clean and len(clean) < 160)
        until = _valid_until(clean)
        common = dict(
            quote=line,
            start=start,
            end=end,
            doc_id=doc_id,
            title=title,
            updated=updated,
            language=language,
            prose=not is_row,
            service=row_service,
            valid_until=until,
        )
        amounts = [f for f in extract_facts(clean) if f.kind == "amount"]
        times = [f for f in extract_facts(clean) if f.kind == "time"]
        facts += _amount_rows(line, clean, amounts, is_row, common, service, heading_service)
        if not amounts:
            facts += _free_row(clean, common, service, heading_service) + _hours_row(clean, times, common)
    return facts


def _amount_rows(
    line: str,
    clean: str,
    amounts: list[Fact],
    is_row: bool,
    common: dict,
    service: frozenset[str],
    heading_service: frozenset[str],
) -> list[SlotFact]:
    """One fee row per amount of a line (``clean``: the line without markup), each with its label."""
    facts: list[SlotFact] = []
    previous = first_start = previous_end = 0
    for position, fact in enumerate(amounts):
        label = clean[previous : fact.start]
        if not words(label) and qualifier_of(label) == Qualifier():
            # "70 Euro (Erwachsene ab 24 Jahre)": the label follows the amount
            until = amounts[position + 1].start if position + 1 < len(amounts) else len(clean)
            after = clean[fact.end + _currency_len(clean[fact.end :]) : until]
            if after.lstrip().startswith("(") and qualifier_of(after) != Qualifier():
                label = after
            elif not previous and re.match(r"\s*,\s*(?:wenn|falls|if|when)\b", after):
                label = after  # "31,40 Euro, wenn eine neue Zulassungsbescheinigung ... erforderlich ist"
        elif previous and not words(label) and qualifier_of(label) == Qualifier():
            label = clean[:first_start]  # "10 Euro, beziehungsweise 15 Euro": the first amount's label
        else:
            first_start = fact.start
        previous = fact.end
        raw = clean[fact.start : fact.end + _currency_len(clean[fact.end :])]
        label = re.sub(r"(?:€|\beur\b|\beuro\b|\s|:)+$", "", label, flags=re.IGNORECASE)
        where = common
        if len(amounts) > 1 and is_row and line.find(clean) >= 0:
            # several rows on one line: each quotes its own part, so that no other value is cited
            shift = common["start"] + line.find(clean)
            seg_start = previous_end if position else 0
            while seg_start < fact.start and clean[seg_start] in " ,;|":
                seg_start += 1
            seg_end = fact.end + len(raw) - len(clean[fact.start : fact.end])
            where = {**common, "quote": clean[seg_start:seg_end].rstrip(), "start": shift + seg_start}
            where["end"] = where["start"] + len(where["quote"])
        facts.append(
            SlotFact(
                kind="fee",
                item=_item(label, service, heading_service),
                qualifier=qualifier_of(label),
                value=fact.value,
                raw=raw.strip(),
                label=label.strip(" :–-"),
                **where,
            )
        )
        previous_end = fact.end + len(raw) - len(clean[fact.start : fact.end])
    return facts


def _free_row(clean: str, common: dict, service: frozenset[str], heading_service: frozenset[str]) -> list[SlotFact]:
    """A line without an amount that says the service is free of charge: a fee row with the value "free"."""
    if not (free := FREE.search(clean)):
        return []
    label = clean[: free.start()] + clean[free.end() :]
    return [
        SlotFact(
            kind="fee",
            item=_item(label, service, heading_service),
            qualifier=qualifier_of(label),
            value="free",
            raw=free.group(0),
            label=label.strip(" :–-."),
            **common,
        )
    ]


def _hours_row(clean: str, times: list[Fact], common: dict) -> list[SlotFact]:
    """A line without an amount that names weekdays and two times, or says closed: an opening-hours row."""
    days = days_of(clean)
    if not (days and (len(times) >= 2 or CLOSED.search(clean))):
        return []
    value = "closed" if CLOSED.search(clean) and len(times) < 2 else "-".join(f.value for f in times[:2])
    label = clean[: times[0].start] if times and value != "closed" else clean
    return [
        SlotFact(
            kind="hours",
            item=frozenset(),
            qualifier=Qualifier(days=days),
            value=value,
            raw="geschlossen" if value == "closed" else clean[times[0].start : times[-1].end].strip(),
            label=label.strip(" :–-"),
            **common,
        )
    ]


FEE_HEADING = re.compile(r"\b(?:fees?|gebühren?|kosten|costs?|preise?|tarife?|charges?)\b", re.IGNORECASE)
UNTIL = re.compile(r"\b(?:bis zum|bis einschließlich|until|up to and including)\s+$", re.IGNORECASE)


def _valid_until(text: str) -> date | None:
    """The end date a line gives for itself ("... bis zum 31. Dezember 2025 ... kostenlos")."""
    for fact in extract_facts(text):
        if fact.kind == "date" and "?" not in fact.value and UNTIL.search(text[: fact.start]):
            return date.fromisoformat(fact.value)
    return None


def _currency_len(after: str) -> int:
    match = re.match(r"\s*(?:€|euro\b|eur\b|euros\b)", after, re.IGNORECASE)
    return match.end() if match else 0


def _heading_service(heading: str, service: frozenset[str]) -> frozenset[str]:
    """A fee heading naming one of the page's services ("Fees for the passport") narrows the rows below it."""
    if not FEE_HEADING.search(heading):
        return frozenset()
    named = words(heading)
    inside = frozenset(w for w in named if any(same_word(w, s) for s in service))
    return inside if inside and inside != service else frozenset()


def document_facts(doc: Document) -> list[SlotFact]:
    return fee_facts_of_text(doc.text, doc.title, doc.language, doc.doc_id, doc.updated)


def compatible(a: SlotFact, b: SlotFact) -> bool:
    """Same slot: same kind and row, same service, and the same item (a running sentence's loose
    words cover any item)."""
    if a.kind != b.kind or a.qualifier.key() != b.qualifier.key():
        return False
    if not same_service(a.service, b.service, across_languages=a.language != b.language):
        return False
    if a.kind == "hours":
        return True
    if covers(a.item, b.item) and covers(b.item, a.item):
        return True
    # a running sentence ("Jeder Haushalt kann zweimal ... kostenlos anmelden") names the service
    # in loose words: it fits the service's plain row, never a qualified one
    return any(x.prose and x.qualifier == Qualifier() and not y.item for x, y in ((a, b), (b, a)))
