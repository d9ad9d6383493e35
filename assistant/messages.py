"""Fixed texts shown to citizens, per language (German is the fallback for the city)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "abstained": (
            "Dazu habe ich in den Unterlagen der Stadt leider nichts Verlässliches gefunden. "
            "Bitte wenden Sie sich an das Bürgerbüro oder an die Behördennummer 115."
        ),
        "evidence_intro": "Das steht dazu in den Unterlagen der Stadt:",
    },
    "en": {
        "abstained": (
            "I could not find reliable information on this in the city's documents. "
            "Please contact the Citizens' Office or call the public service number 115."
        ),
        "evidence_intro": "This is what the city's documents say (original wording):",
    },
}


def message(key: str, language: str) -> str:
    """The text ``key`` in ``language``; English for other languages, German as last resort."""
    for lang in (language, "en", "de"):
        if key in MESSAGES.get(lang, {}):
            return MESSAGES[lang][key]
    raise KeyError(key)
