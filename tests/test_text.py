from assistant.text import detect_language, split_sentences, strip_markup


def sentences(text: str, language: str = "de") -> list[str]:
    return [text[s.start : s.end] for s in split_sentences(text, 0, len(text), language)]


def test_german_abbreviations_and_dates_do_not_end_a_sentence():
    text = (
        "Bitte bringen Sie z. B. Ihre Geburtsurkunde mit. Ab dem 1. November 2026 gilt das. "
        "Sie erreichen uns unter Tel. 0761 555-1234 bzw. per E-Mail."
    )
    assert sentences(text) == [
        "Bitte bringen Sie z. B. Ihre Geburtsurkunde mit.",
        "Ab dem 1. November 2026 gilt das.",
        "Sie erreichen uns unter Tel. 0761 555-1234 bzw. per E-Mail.",
    ]


def test_headings_and_list_items_are_units_with_verbatim_offsets():
    text = "# Gebühren\n\nDie Gebühr beträgt:\n\n- unter 24 Jahren: 22,80 Euro\n- ab 24 Jahren: 37,00 Euro\n"
    assert sentences(text) == [
        "# Gebühren",
        "Die Gebühr beträgt:",
        "- unter 24 Jahren: 22,80 Euro",
        "- ab 24 Jahren: 37,00 Euro",
    ]
    assert strip_markup("- ab 24 Jahren: **37,00 Euro**") == "ab 24 Jahren: 37,00 Euro"


def test_language_detection_on_short_questions():
    assert detect_language("Was kostet ein Reisepass für Kinder?") == "de"
    assert detect_language("How much does a passport cost?") == "en"
    assert detect_language("Pasaport başvurusu için ne gerekiyor?", ("de", "en", "tr")) == "tr"
    assert detect_language("", default="de") == "de"
