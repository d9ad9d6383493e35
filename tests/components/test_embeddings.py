"""The second encoder (USE multilingual) that can confirm a curated match, with its real weights."""

from assistant.components.embeddings import SecondEncoder


def test_a_translation_is_closer_than_a_question_about_another_service(second_encoder):
    question = "I'm moving to Canada – when do I have to deregister?"
    assert second_encoder.similarity(question, "Ich ziehe nach Kanada. Wann muss ich mich abmelden?") > max(
        second_encoder.similarity(question, "Wann hat die Stadtbibliothek geöffnet?"),
        second_encoder.similarity(question, "Ich ziehe innerhalb der Stadt um. Wie melde ich mich um?"),
    )


def test_only_the_known_questions_are_kept_not_the_citizens():
    encoder = SecondEncoder(cache_size=8)
    curated = "Wie beantrage ich Kindergeld?"
    for asked in ("How do I apply for child benefit?", "Where do I apply for child benefit?"):
        encoder.similarity(asked, curated)
    kept = encoder._known.cache_info()
    assert kept.currsize == 1 and kept.hits == 1  # the curated question once, read again the second time
