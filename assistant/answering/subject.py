"""What a question is about: its words minus the words that only ask ("what", "cost", "apply").

>>> sorted(subject_terms("Wie beantrage ich Kindergeld?", "de"))
['kindergeld']
"""

from __future__ import annotations

from functools import cache

from assistant.components.index import bm25_tokens

# words that say what kind of answer is wanted, not what it is about
QUESTION_WORDS = (
    "was wie wo wann wer welche welcher welches warum wieviel viel hoch lange kostet kosten kosten "
    "gebühr gebühren preis beantragen beantrage antrag brauche benötige bekomme erhalte muss kann "
    "darf gibt informationen info frage stadt musterstadt "
    "what how where when who which why much many long cost costs fee fees price apply need get "
    "must can may is are there information city"
)


@cache
def _question_words(language: str) -> frozenset[str]:
    return frozenset(bm25_tokens(QUESTION_WORDS, language))


def subject_terms(text: str, language: str) -> set[str]:
    """Stemmed content words of ``text`` that are not question words."""
    return set(bm25_tokens(text, language)) - _question_words(language)
