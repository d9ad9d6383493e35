"""Fixed texts shown to citizens, per language (German is the fallback for the city)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "abstained": (
            "Dazu habe ich in den Unterlagen der Stadt leider nichts Verlässliches gefunden. "
            "Bitte wenden Sie sich an das Bürgerbüro oder an die Behördennummer 115."
        ),
        "evidence_intro": "Das steht dazu in den Unterlagen der Stadt:",
        "refused_political": (
            "Als Einrichtung der Stadtverwaltung bin ich politisch neutral und gebe keine Wahlempfehlungen "
            "oder Meinungen zu Parteien und Personen. Sachliche Informationen zur Wahl (Termine, "
            "Wahllokale, Briefwahl) gebe ich gern; Auskunft gibt auch das Wahlamt der Stadt."
        ),
        "refused_out_of_remit": (
            "Dabei kann ich als Assistent der Stadtverwaltung leider nicht helfen. Ich beantworte Fragen "
            "zu Leistungen und Angeboten der Stadt. Für rechtliche oder medizinische Beratung wenden Sie "
            "sich bitte an eine Fachstelle."
        ),
        "referred": "Dafür ist nicht die Stadt zuständig:",
        "clarify": "Ihre Frage passt zu mehreren Themen. Meinen Sie {options}?",
        "or": "oder",
        "conflict_note": "Hinweis: Andere Quellen nennen abweichende Angaben (siehe unten).",
    },
    "en": {
        "abstained": (
            "I could not find reliable information on this in the city's documents. "
            "Please contact the Citizens' Office or call the public service number 115."
        ),
        "evidence_intro": "This is what the city's documents say (original wording):",
        "refused_political": (
            "As a service of the city administration I stay politically neutral and do not recommend "
            "parties or candidates or give opinions on them. I am happy to give factual election "
            "information (dates, polling stations, postal voting); the city's election office can help too."
        ),
        "refused_out_of_remit": (
            "I am sorry, I cannot help with that: I answer questions about the city's services. "
            "For legal or medical advice, please contact a qualified advice service."
        ),
        "referred": "The city is not responsible for this:",
        "clarify": "Your question fits several topics. Do you mean {options}?",
        "or": "or",
        "conflict_note": "Note: other sources give different information (see below).",
    },
}


def message(key: str, language: str) -> str:
    """The text ``key`` in ``language``; English for other languages, German as last resort."""
    for lang in (language, "en", "de"):
        if key in MESSAGES.get(lang, {}):
            return MESSAGES[lang][key]
    raise KeyError(key)
