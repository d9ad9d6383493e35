"""Words of fee rows, service names and questions: glossed into the pages' German, stemmed, compared.

English (and colloquial) names of services and items are mapped to the German words the pages
use by a small glossary, so that "dog tax" and "Hundesteuer" name the same service.

>>> words("How much is the dog tax?") == words("Was kostet die Hundesteuer?") == {"hundesteu"}
True
>>> same_word("sperrmüll", "sperrmüllabholung")
True
"""

from __future__ import annotations

import re
from functools import cache

from Stemmer import Stemmer

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
    return {stem(w) for w in kept}


def stem(word: str) -> str:
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
