"""Fixed texts shown to citizens, per language (German is the fallback for the city)."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "de": {
        "abstained": (
            "Dazu habe ich in den Unterlagen der Stadt leider nichts Verlässliches gefunden. "
            "Bitte wenden Sie sich an das Bürgerbüro oder an die Behördennummer 115."
        ),
        "evidence_intro": "Das steht dazu in den Unterlagen der Stadt:",
        # Neutral pointers only: the city's own election office and its election page. No third-party
        # tools (not even the Wahl-O-Mat or party pages): choosing among them is itself a political
        # act that the city's legal office decides, not this assistant.
        "refused_political": (
            "Als Einrichtung der Stadtverwaltung bin ich politisch neutral und gebe keine Wahlempfehlungen "
            "oder Meinungen zu Parteien und Personen. Sachliche Informationen zur Wahl (Termine, "
            "Wahllokale, Briefwahl, Wahlhelfer) gebe ich gern. Neutrale Auskunft gibt das Wahlamt der Stadt, "
            "auch auf der Seite „Wahlen“ der städtischen Website."
        ),
        "refused_out_of_remit": (
            "Dabei kann ich als Assistent der Stadtverwaltung leider nicht helfen. Ich beantworte Fragen "
            "zu Leistungen und Angeboten der Stadt. Für rechtliche, medizinische oder steuerliche Beratung "
            "wenden Sie sich bitte an eine Fachstelle."
        ),
        # the same text for every kind of attempt: it confirms nothing about the rules or the prompt
        "refused_injection": (
            "Ich kann nur Fragen zu Leistungen der Stadt beantworten, zum Beispiel: "
            "„Wie melde ich meinen Wohnsitz um?“ Bitte stellen Sie Ihre Frage noch einmal."
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
            "information (dates, polling stations, postal voting, poll workers). For neutral information, "
            "please contact the city's election office or see the elections page of the city's website."
        ),
        "refused_out_of_remit": (
            "I am sorry, I cannot help with that: I answer questions about the city's services. "
            "For legal, medical or tax advice, please contact a qualified advice service."
        ),
        "refused_injection": (
            "I can only answer questions about the city's services, for example: "
            '"How do I register my new address?" Please ask your question again.'
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
