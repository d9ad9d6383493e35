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
>>> ask = question_ask("Was kostet der Ausweis? Ich bin 30.", "de")
>>> [r.value for r in choose_rows(rows, ask)]
['37']
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache

from Stemmer import Stemmer

from assistant.facts import extract_facts
from assistant.records import Document
from assistant.text import split_sentences, strip_markup

# -- vocabulary --------------------------------------------------------------------------------------
# English (and colloquial) names of services and items -> the German word the pages use.
# Longest phrases first, so that "dog tax" is not read as "dog" + "tax".
GLOSSARY: dict[str, str] = {
    "identity card": "personalausweis",
    "id card": "personalausweis",
    "perso": "personalausweis",
    "ausweis": "personalausweis",
    "passport": "reisepass",
    "pass": "reisepass",
    "children's passport": "kinderreisepass",
    "child passport": "kinderreisepass",
    "dog tax": "hundesteuer",
    "dogs": "hund",
    "dog": "hund",
    "bulky waste": "sperrmüll",
    "collection": "abholung",
    "collections": "abholung",
    "pick-up": "abholung",
    "pickup": "abholung",
    "citizens' office": "bürgerbüro",
    "citizens office": "bürgerbüro",
    "opening hours": "öffnungszeiten",
    "certificate of good conduct": "führungszeugnis",
    "police certificate": "führungszeugnis",
    "criminal record certificate": "führungszeugnis",
    "registration certificate": "meldebescheinigung",
    "proof of residence": "meldebescheinigung",
    "business registration": "gewerbe-anmeldung",
    "register a business": "gewerbe-anmeldung",
    "register my business": "gewerbe-anmeldung",
    "deregister my business": "gewerbe-abmeldung",
    "deregister a business": "gewerbe-abmeldung",
    "business deregistration": "gewerbe-abmeldung",
    "change of business": "gewerbe-ummeldung",
    "settlement permit": "niederlassungserlaubnis",
    "permanent residence": "niederlassungserlaubnis",
    "leaving the church": "kirchenaustritt",
    "leave the church": "kirchenaustritt",
    "church exit": "kirchenaustritt",
    "death certificate": "sterbeurkunde",
    "birth certificate": "geburtsurkunde",
    "marriage": "eheschließung",
    "get married": "eheschließung",
    "residence registration": "wohnsitzanmeldung",
    "register my address": "wohnsitzanmeldung",
    "register my residence": "wohnsitzanmeldung",
    "deregister my residence": "wohnsitz abmelden",
    "certification of signatures": "beglaubigung unterschriften",
    "certify a signature": "beglaubigung unterschriften",
    "certify my signature": "beglaubigung unterschriften",
    "certify documents": "beglaubigung dokumenten",
    "certified copies": "beglaubigung dokumenten",
    "fireworks": "feuerwerk",
    "taxi licence": "taxigenehmigung",
    "taxi license": "taxigenehmigung",
    "rental car licence": "mietwagengenehmigung",
    "itinerant trade": "reisegewerbe",
    "photo": "passfoto",
    "passport photo": "passfoto",
    "naturalisation": "einbürgerung",
    "naturalization": "einbürgerung",
    "resident parking permit": "bewohnerparkausweis",
    "residents' parking permit": "bewohnerparkausweis",
    "deregister a vehicle": "fahrzeug abmelden",
    "deregister my car": "fahrzeug abmelden",
    "deregister my vehicle": "fahrzeug abmelden",
    "vehicle register": "fahrzeugregister",
    "information from the vehicle register": "auskunft aus dem fahrzeugregister",
    "export number plates": "ausfuhrkennzeichen",
    "export plates": "ausfuhrkennzeichen",
    "auto": "kraftfahrzeug",
    "international driving licence": "internationaler führerschein",
    "international driving license": "internationaler führerschein",
    "international driving permit": "internationaler führerschein",
    "driving instructor licence": "fahrlehrerlaubnis",
    "driving instructor license": "fahrlehrerlaubnis",
    "household certificate": "haushaltsbescheinigung",
    "eid card": "eid-karte",
    "residence title": "aufenthaltstitel",
    "transfer": "übertrag",
    "travel document for stateless persons": "reiseausweis für staatenlose",
    "refugee travel document": "reiseausweis für flüchtlinge",
    "travel document for foreigners": "reiseausweis für ausländer",
    "driver qualification card": "fahrerqualifizierungsnachweis",
    "passenger transport licence": "personenbeförderungsschein",
    "passenger transport license": "personenbeförderungsschein",
    "family members of germans": "familienangehörige von deutschen",
    "eu long-term residence permit": "erlaubnis zum daueraufenthalt-eu",
    "registering my residence": "wohnsitzanmeldung",
    "residence permit": "aufenthaltserlaubnis",
    "school attendance and exchange": "schulbesuch und austausch",
    "minors": "minderjährige",
    "vehicle holder confirmation": "halter- und datenbestätigung",
    "short-term number plates": "kurzzeitkennzeichen",
    "short-term number plate": "kurzzeitkennzeichen",
    "gestohlen": "diebstahl",
    "stolen": "diebstahl",
    "verloren": "verlust",
    "short-term plates": "kurzzeitkennzeichen",
    "historic number plate": "historisches kennzeichen",
    "health certificate": "gesundheitszeugnis",
    "temporary passport": "vorläufiger reisepass",
    "driving school licence": "fahrschulerlaubnis",
    "driving school license": "fahrschulerlaubnis",
    "legal person": "juristische person",
    "natural person": "natürliche person",
    "pawnbroker licence": "pfandleihergewerbe erlaubnis",
    "pawnbroking licence": "pfandleihergewerbe erlaubnis",
    "vehicle imported from abroad": "aus dem ausland eingeführtes fahrzeug",
    "change of name in the vehicle documents": "namensänderung in den fahrzeugpapieren",
    "vehicle documents": "fahrzeugpapiere",
    "parking permit": "parkausweis",
    "social services": "soziale dienste",
    "eu driving licence": "eu/ewr-führerschein",
    "exchange": "umschreibung",
    "probationary period": "probezeit",
    "applicants": "antragsteller",
    "applicant": "antragsteller",
}
# words that say nothing about which row or service: dropped from items and service names (stop words,
# fee words, and how a page names the procedure, "beantragen", not which service it is)
# fmt: off
GENERIC = frozenset((
    "antragsteller", "antragstellerinnen", "antragstellerin", "gebühr", "gebühren", "gebührenordnung", "kosten",
    "steuersätze", "steuersatz", "steuer", "preis", "preise", "fee", "fees", "cost", "costs", "tax", "rates",
    "rate", "hund", "hunde", "person", "personen", "euro", "eur", "jahr", "jahre", "jahren", "year", "years",
    "aged", "and", "over", "und", "oder", "für", "den", "die", "der", "das", "des", "dem", "ein", "eine", "einen",
    "einem", "einer", "eines", "im", "in", "am", "an", "zum", "zur", "mit", "von", "vom", "bei", "pro", "per", "je",
    "the", "a", "of", "for", "to", "with", "each", "every", "jeder", "jede", "jeden", "jedes", "stand", "hinweis",
    "notice", "satzung", "über", "erhebung", "neue", "neuer", "neues", "geänderte", "geänderter", "changed", "new",
    "ab", "bis", "unter", "beträgt", "kostet", "is", "are", "ist", "sind", "wird", "werden", "neu", "neuen", "dann",
    "bzw", "beziehungsweise", "gebührenfrei", "kostenfrei", "kostenlos", "free", "charge", "regel", "grundsätzlich",
    "etwa", "ca", "rund", "only", "nur", "german", "deutsche", "deutscher", "musterstadt", "münchen", "munich",
    "stadt", "city", "archiv", "archive", "seite", "page", "zusätzlich", "zuzüglich", "plus", "aufpreis", "fällt",
    "fallen", "erhoben", "january", "januar", "dieses", "this", "ihr", "ihre", "your", "sie", "you", "man", "wir",
    "we", "bitte", "please", "auch", "also", "noch", "still", "weiterhin", "bereits", "already", "aus", "auf",
    "nach", "vor", "als", "wie", "was", "wer", "wann", "welche", "welcher", "ich", "mein", "meine", "meinen",
    "meinem", "meiner", "mich", "mir", "uns", "unser", "kann", "muss", "soll", "viel", "how", "much", "what",
    "which", "does", "did", "my", "our", "can", "must", "should", "there", "its", "that", "from", "about", "when",
    "who", "will", "would", "have", "has", "had", "get", "pay", "need", "nicht", "kein", "keine", "eigentlich",
    "gibt", "habe", "hat", "haben", "bin", "ihrer", "ihren", "ihrem", "ihres", "ohne", "sein", "seine", "seinen",
    "einmal", "beantragen", "beantragung", "antrag", "anmelden", "apply", "application", "applying",
))
# fmt: on
AGE_MIN = re.compile(
    r"\b(?:ab|über|von|aged|over|from)\s+(\d{1,2})(?:\s*(?:jahren|jahre|years?)|\s+and\s+over)"
    r"|\b(\d{1,2})\s*(?:jahre|years?)?\s+(?:und älter|and over|and older)"
    r"|nach\s+vollendung\s+des\s+(\d{1,2})\.",
    re.IGNORECASE,
)
AGE_MAX = re.compile(
    r"\b(?:unter|bis|under|below|younger than)\s+(\d{1,2})(?:\s*(?:jahren|jahre|years?))?"
    r"|bis\s+zur\s+vollendung\s+des\s+(\d{1,2})\.",
    re.IGNORECASE,
)
ADULT = re.compile(r"\b(erwachsene[nr]?|volljährige|adults?|grown-ups?)\b", re.IGNORECASE)
CHILD = re.compile(
    r"\b(kinder[n]?|kind|minderjährige[ns]?|jugendliche[n]?|children|child|minors?|kids?)\b", re.IGNORECASE
)
ORDINALS = (
    (
        "further",
        re.compile(r"\b(jede[nrm]?\s+weitere[nrm]?|weitere[nrm]?|each additional|additional|further|another)\b", re.I),
    ),
    ("1", re.compile(r"\b(erste[nrm]?|first|1\.)\b", re.IGNORECASE)),
    ("2", re.compile(r"\b(zweite[nrm]?|second|2\.)\b", re.IGNORECASE)),
    ("3", re.compile(r"\b(dritte[nrm]?|third|3\.)\b", re.IGNORECASE)),
)
VARIANTS = {
    "express": re.compile(r"express", re.IGNORECASE),
    "temporary": re.compile(r"vorläufig|temporary|provisional", re.IGNORECASE),
    "dangerous": re.compile(r"gefährlich|listenhund|kampfhund|dangerous|list dog", re.IGNORECASE),
    "surcharge": re.compile(r"zuschlag|aufpreis|zuzüglich|surcharge|extra charge", re.IGNORECASE),
    "renewal": re.compile(r"verlängerung|renewal|renew", re.IGNORECASE),
    "replacement": re.compile(r"\bersatz|verlust|replacement|\blost\b", re.IGNORECASE),
    "online": re.compile(r"\bonline", re.IGNORECASE),
    "on_site": re.compile(r"vor[- ]ort|on site|in person", re.IGNORECASE),
    "48_pages": re.compile(r"48 seiten|48 pages|vielreisende|frequent travel", re.IGNORECASE),
    "reduced": re.compile(r"ermäßigt|reduced|concession", re.IGNORECASE),
    "conditional": re.compile(r"^\s*,\s*(?:wenn|falls|if|when)\b", re.IGNORECASE),  # "31,40 Euro, wenn ..."
}
# how long a permit is valid tells rows apart too ("12 Monate gültig: 30 Euro", "24 Monate gültig: 60 Euro")
DURATION = re.compile(r"\b(\d{1,2})\s*(?:monate|monaten|months?)\b", re.IGNORECASE)
DAYS = {
    "mo": r"montags?|monday",
    "di": r"dienstags?|tuesday",
    "mi": r"mittwochs?|wednesday",
    "do": r"donnerstags?|thursday",
    "fr": r"freitags?|friday",
    "sa": r"samstags?|saturdays?",
    "so": r"sonntags?|sundays?",
}
DAY = {key: re.compile(rf"\b({pattern})(?!\w)", re.IGNORECASE) for key, pattern in DAYS.items()}
DAY_ORDER = list(DAYS)
_WEEKDAYS = r"(?:mon|diens|mitt|donners|frei|sams|sonn)tag|(?:mon|tues|wednes|thurs|fri|satur|sun)day"
DAY_RANGE = re.compile(rf"\b({_WEEKDAYS})\s+(?:bis|to|-|–)\s+({_WEEKDAYS})\b", re.IGNORECASE)
FREE = re.compile(
    r"gebührenfrei\w*|kostenfrei\w*|kostenlos\w*|steuerfrei\w*|unentgeltlich\w*"
    r"|free of charge|\bfree\b|no charge|exempt|(?<=: )frei\b",
    re.IGNORECASE,
)
CLOSED = re.compile(r"geschlossen|entfällt|closed|no longer open", re.IGNORECASE)
# a sentence reporting that something changed or ended is no row ("die bisherigen kostenlosen ... entfallen")
CHANGED = re.compile(r"\bbisherige|entfall|entfällt|nicht mehr|no longer|previously|früher", re.IGNORECASE)
COST_QUESTION = re.compile(
    r"kost|gebühr|preis|teuer|zahl|steuer|euro|€|\bcost|\bfee|\bprice|how much|pay|charge|\bfree\b|\btax",
    re.IGNORECASE,
)
HEADING_LINE = re.compile(r"^#{1,6}\s+(.+)$")
ARTICLE_ONE = re.compile(r"\b(?:ein|einen|einem|eine|one|a|single|1)\s+(\w+)", re.IGNORECASE)


@dataclass(frozen=True)
class Qualifier:
    """Which row of a table: an age band, first/further, and variants (express, temporary, ...)."""

    age_min: int | None = None  # inclusive
    age_max: int | None = None  # exclusive
    ordinal: str = ""  # "1", "2", "3", "further"
    variants: frozenset[str] = frozenset()
    days: frozenset[str] = frozenset()  # opening hours: mo ... so

    def key(self) -> tuple:
        return (self.age_min, self.age_max, self.ordinal, self.variants, self.days)

    def describe(self) -> str:
        parts = []
        if self.age_min is not None:
            parts.append(f"≥{self.age_min}")
        if self.age_max is not None:
            parts.append(f"<{self.age_max}")
        if self.ordinal:
            parts.append(f"#{self.ordinal}")
        return " ".join(parts + sorted(self.variants) + sorted(self.days))


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


@dataclass
class Ask:
    """What a question says about the row it wants."""

    cost: bool = False
    age: int | None = None
    adult: bool = False
    child: bool = False
    ordinal: str = ""
    one_of: set[str] = field(default_factory=set)  # nouns after "ein/einen/one/a": "ein Hund" = the first
    variants: set[str] = field(default_factory=set)
    days: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)  # normalised words of the question


# -- words ---------------------------------------------------------------------------------------------


@cache
def _stemmer(language: str) -> Stemmer:
    return Stemmer("english" if language == "en" else "german")


def glossed(text: str) -> str:
    """``text`` with English/colloquial service names replaced by the German page words."""
    out = text.casefold()
    for phrase in sorted(GLOSSARY, key=len, reverse=True):
        out = re.sub(rf"(?<![\w-]){re.escape(phrase)}(?![\w-])", GLOSSARY[phrase], out)
    return out


def words(text: str) -> set[str]:
    """Content words, glossed and stemmed (German stemming for the glossed German words)."""
    raw = re.findall(r"[^\W\d_]{3,}", glossed(text).replace("-", " "))
    kept = [w for w in raw if w not in GENERIC]
    return {_stem(w) for w in kept}


def _stem(word: str) -> str:
    stemmed = _stemmer("de").stemWord(word)
    return stemmed if len(stemmed) >= 3 else word


def same_word(a: str, b: str) -> bool:
    """Stems equal, or one a long prefix of the other ("sperrmüll" / "sperrmüllabholung")."""
    if a == b:
        return True
    short, long = sorted((a, b), key=len)
    return len(short) >= 5 and long.startswith(short)


def covers(needles: frozenset[str] | set[str], haystack: frozenset[str] | set[str]) -> bool:
    return all(any(same_word(n, h) for h in haystack) for n in needles)


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
    return covers(short, long) and len(extra) == 1 and not extra & _qualifier_stems()


@cache
def _qualifier_stems() -> frozenset[str]:
    return frozenset(_stem(w) for w in QUALIFIER_WORDS)


# fmt: off
QUALIFIER_WORDS = (
    "vorläufig", "vorläufiger", "vorläufige", "kinder", "kind", "express", "verlust", "ersatz", "verlängerung",
    "gefährlich", "gefährlicher", "online", "temporary", "child", "children", "replacement", "renewal", "lost",
    "minderjährige", "jugendliche", "erwachsene", "abmelden", "abmeldung", "ummelden", "ummeldung", "änderung",
    "ändern", "weitere", "zweite", "erste",
)
# fmt: on


# -- rows ----------------------------------------------------------------------------------------------


def qualifier_of(label: str) -> Qualifier:
    age_min = age_max = None
    if match := AGE_MIN.search(label):
        age_min = int(next(g for g in match.groups() if g))
    if match := AGE_MAX.search(label):
        age_max = int(next(g for g in match.groups() if g))
    if age_min is None and age_max is None:
        if CHILD.search(label):
            age_max = 18
        elif ADULT.search(label):
            age_min = 18
    ordinal = ordinal_of(label)
    variants = {name for name, pattern in VARIANTS.items() if pattern.search(label)}
    variants |= {f"{m.group(1)}_months" for m in DURATION.finditer(label)}
    return Qualifier(age_min, age_max, ordinal, frozenset(variants), days_of(label))


def ordinal_of(text: str) -> str:
    """The first ordinal a text names ("1", "2", "3", "further"), or ""."""
    return next((name for name, pattern in ORDINALS if pattern.search(text)), "")


def days_of(text: str) -> frozenset[str]:
    """The weekdays a text names, a range ("Montag bis Freitag") as every day in it."""
    days = {key for key, pattern in DAY.items() if pattern.search(text)}
    for match in DAY_RANGE.finditer(text):
        first, last = (_day_key(match.group(i)) for i in (1, 2))
        if first and last:
            days |= set(DAY_ORDER[DAY_ORDER.index(first) : DAY_ORDER.index(last) + 1])
    return frozenset(days)


def _day_key(word: str) -> str:
    return next((key for key, pattern in DAY.items() if pattern.fullmatch(word)), "")


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
                shift = start + line.find(clean)
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
        if not amounts and (free := FREE.search(clean)):
            label = clean[: free.start()] + clean[free.end() :]
            facts.append(
                SlotFact(
                    kind="fee",
                    item=_item(label, service, heading_service),
                    qualifier=qualifier_of(label),
                    value="free",
                    raw=free.group(0),
                    label=label.strip(" :–-."),
                    **common,
                )
            )
        days = days_of(clean)
        if days and (len(times) >= 2 or CLOSED.search(clean)) and not amounts:
            value = "closed" if CLOSED.search(clean) and len(times) < 2 else "-".join(f.value for f in times[:2])
            label = clean[: times[0].start] if times and value != "closed" else clean
            facts.append(
                SlotFact(
                    kind="hours",
                    item=frozenset(),
                    qualifier=Qualifier(days=days),
                    value=value,
                    raw="geschlossen" if value == "closed" else clean[times[0].start : times[-1].end].strip(),
                    label=label.strip(" :–-"),
                    **common,
                )
            )
    return facts


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


# -- questions -------------------------------------------------------------------------------------------


def question_ask(question: str, language: str = "de") -> Ask:
    """What the question says about the row: "Ich bin 30" -> age 30; "für einen Hund" -> one dog."""
    ask = Ask(cost=bool(COST_QUESTION.search(question)))
    age = re.search(
        r"\b(?:ich bin|bin|i am|i'm|im|er ist|sie ist|he is|she is|is)\s+(\d{1,2})\b"
        r"|\b(\d{1,2})\s*(?:jahre|jahren|years?|-year-old|j\.)\b|\b(?:mit|at|aged?)\s+(\d{1,2})\b",
        question,
        re.IGNORECASE,
    )
    if age:
        ask.age = int(next(g for g in age.groups() if g))
    ask.adult = bool(ADULT.search(question))
    ask.child = bool(CHILD.search(question)) or bool(
        re.search(r"mein(?:e|em|en)? (?:sohn|tochter)|my (?:son|daughter)", question, re.I)
    )
    ask.ordinal = ordinal_of(question)
    if re.search(r"\b(noch einen|zusätzlich|another|one more)\b", question, re.IGNORECASE) and not ask.ordinal:
        ask.ordinal = "further"
    ask.one_of = {_stem(w) for w in (m.group(1) for m in ARTICLE_ONE.finditer(glossed(question)))}
    ask.variants = {name for name, pattern in VARIANTS.items() if pattern.search(question)}
    ask.variants |= {f"{m.group(1)}_months" for m in DURATION.finditer(question)}
    ask.days = set(days_of(question))
    ask.words = words(question)
    return ask


def _age_fits(qualifier: Qualifier, age: int) -> bool:
    return (qualifier.age_min is None or age >= qualifier.age_min) and (
        qualifier.age_max is None or age < qualifier.age_max
    )


def _ordinal_fits(row: str, asked: str) -> bool:
    if row == asked:
        return True
    return row == "further" and asked in {"3", "further"}


def choose_rows(rows: list[SlotFact], ask: Ask) -> list[SlotFact]:
    """The rows of one table that fit the question; all plain rows when it does not say which.

    A row for an item or variant the question does not name (the photo, the express
    surcharge, the temporary card) is left out; an age band must hold the asked age, an
    ordinal row the asked position ("für einen Hund" is the first).
    """
    fees = [r for r in rows if r.kind == "fee"]
    named_variant = [r for r in fees if r.qualifier.variants & ask.variants]
    fees = named_variant or [r for r in fees if not (r.qualifier.variants - ask.variants)]
    age = ask.age if ask.age is not None else (30 if ask.adult else 10 if ask.child else None)
    if age is not None:  # before the items: "minderjähriges Kind ohne eigenes Einkommen" is the child's row
        fitting = [r for r in fees if _age_fits(r.qualifier, age)]
        banded = [r for r in fitting if r.qualifier.age_min is not None or r.qualifier.age_max is not None]
        fees = banded or fitting or fees
    # a row about an item the question names ("Passfoto") fits; one that names more ("Saisonkarte
    # Freibad" for "Eintritt ins Freibad") fits less than the plain rows; a table of named items
    # only ("Austrittserklärung", "Austrittsbescheinigung") is given whole when none is named
    named_item = [r for r in fees if r.item and not r.prose and covers(r.item, ask.words)]
    partly_named = [r for r in fees if r.item and r.item & ask.words]
    fees = named_item or [r for r in fees if not r.item or r.prose] or partly_named or fees
    ordinal = ask.ordinal
    if not ordinal and any(r.qualifier.ordinal for r in fees):
        labels = {_stem(w) for r in fees if r.qualifier.ordinal for w in re.findall(r"[^\W\d_]{3,}", glossed(r.label))}
        if any(same_word(w, label) for w in ask.one_of for label in labels):
            ordinal = "1"
    if ordinal:
        fees = [r for r in fees if not r.qualifier.ordinal or _ordinal_fits(r.qualifier.ordinal, ordinal)] or fees
        fees = [r for r in fees if r.qualifier.ordinal] or fees
    return fees


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


# -- a German fee row in English words (for English questions over German pages) -----------------------
ORDINALS_EN = {"1": "first", "2": "second", "3": "third", "further": "each further"}
VARIANTS_EN = {
    "express": "express",
    "temporary": "temporary",
    "dangerous": "dangerous",
    "surcharge": "surcharge",
    "renewal": "renewal",
    "replacement": "replacement",
    "online": "online",
    "on_site": "on site",
    "48_pages": "48 pages",
    "reduced": "reduced",
}
VALIDITY_WORDS = frozenset({"gultig", "gültig", "valid"})  # "12 Monate gültig": the months say it
UNITS_EN = (
    (re.compile(r"\b(?:im|pro|je)\s+jahr\b|\bjährlich\b", re.IGNORECASE), "per year"),
    (re.compile(r"\b(?:im|pro|je)\s+monat\b|\bmonatlich\b", re.IGNORECASE), "per month"),
    (re.compile(r"\b(?:pro|je)\s+person\b", re.IGNORECASE), "per person"),
    (re.compile(r"\b(?:pro|je)\s+antrag\b", re.IGNORECASE), "per application"),
)


@cache
def _english_words() -> dict[str, str]:
    """German (stemmed) glossary word -> its shortest English name: "hund" -> "dog"."""
    english: dict[str, str] = {}
    for phrase, german in GLOSSARY.items():
        if " " in german or not phrase.isascii() or phrase in german:
            continue
        key = _stem(german)
        if key not in english or len(phrase) < len(english[key]):
            english[key] = phrase
    return english


# words of a fee label that need no translation (the row's parts or the unit say them)
# fmt: off
LABEL_FILLER = frozenset((
    "für", "den", "die", "der", "das", "dem", "des", "ein", "eine", "einen", "je", "pro", "und", "oder", "bei",
    "beim", "mit", "im", "in", "vom", "von", "zur", "zum", "antrag", "jahre", "jahren", "jahr", "alter", "gültig",
    "gebühr", "gebühren", "kosten", "person", "personen", "for", "the", "a", "an", "per", "and", "or", "of",
))
# fmt: on


def _unexplained(label: str) -> list[str]:
    """The words (and numbers) of a fee label that its qualifier, the unit and filler words do not explain."""
    text = label
    for pattern in (AGE_MIN, AGE_MAX, ADULT, CHILD, DURATION, *(p for _, p in ORDINALS), *VARIANTS.values()):
        text = pattern.sub(" ", text)
    for pattern, _ in UNITS_EN:
        text = pattern.sub(" ", text)
    return [w for w in re.findall(r"\w+", text.casefold()) if w not in LABEL_FILLER]


def english_amount(raw: str) -> str:
    """ "37,50 Euro" -> "EUR 37.50"; the raw text when it is no plain amount."""
    match = re.fullmatch(r"(?:€\s*)?(\d{1,3}(?:\.\d{3})*|\d+)(?:,(\d{2}))?\s*(?:euro|eur|€)?", raw.strip(), re.I)
    if not match:
        return raw
    whole = match.group(1).replace(".", ",")
    return f"EUR {whole}.{match.group(2)}" if match.group(2) else f"EUR {whole}"


def english_row(fact: SlotFact) -> str:
    """A fee row of a German page in English words, from its parsed parts: "Reisepass – under 24: EUR 37.50".

    The service keeps its German name (the word on the office's forms). A row whose label has words
    neither the qualifier nor the glossary covers gets its German label in quotes. "" for other facts.
    """
    if fact.kind != "fee" or (fact.prose and fact.label):
        return ""
    clean = strip_markup(fact.quote)
    at = clean.find(fact.raw)
    after = clean[at + len(fact.raw) :] if at >= 0 else clean
    for pattern, _ in UNITS_EN:
        after = pattern.sub("", after)
    if at < 0 or re.search(r"[^\W\d_]", after) or re.search(r"\b(?:ab|bis|from|up to|zu)\s*$", clean[:at], re.I):
        return ""  # words after the amount ("zuzüglich Kennzeichenschilder") or "ab 13,10 Euro": kept as written
    q = fact.qualifier
    rest = _unexplained(fact.label)
    words_en = [_english_words().get(_stem(word)) for word in rest]
    if not all(words_en):  # a word the row's parts do not cover ("Adressänderung", a date): quoted as written
        parts = [f"“{fact.label}”"]
    else:
        parts = [" ".join(filter(None, [ORDINALS_EN.get(q.ordinal, ""), *words_en]))]
        parts += [VARIANTS_EN[v] for v in sorted(q.variants) if v in VARIANTS_EN]
        parts += [f"valid {v.split('_')[0]} months" for v in sorted(q.variants) if v.endswith("_months")]
    if not re.search(r"\d", fact.label) and (q.age_min is not None or q.age_max is not None):
        parts.append("adults" if ADULT.search(fact.label) else "children")  # "Erwachsene": no age is written
    elif q.age_min is not None and q.age_max is not None:
        parts.append(f"aged {q.age_min} to {q.age_max - 1}")
    elif q.age_min is not None:
        parts.append(f"aged {q.age_min} and over")
    elif q.age_max is not None:
        parts.append(f"under {q.age_max}")
    value = "free of charge" if fact.value == "free" else english_amount(fact.raw)
    unit = next((en for pattern, en in UNITS_EN if pattern.search(fact.quote)), "")
    row = ", ".join(p for p in parts if p)
    unit = f" {unit}" if unit and fact.value != "free" else ""
    return f"{fact.title}{' – ' + row if row else ''}: {value}{unit}"
