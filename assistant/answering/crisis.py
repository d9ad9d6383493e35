"""Emergency and crisis numbers as the city's own pages state them (shown first on the crisis route).

A sentence counts when it names an emergency or crisis service and one of the nationwide
numbers (112, 110, TelefonSeelsorge, the helplines for violence against women, children and
young people). Sentences with 112/110 come first, then the helplines, each page's wording
quoted verbatim with its offsets, like any other evidence.
"""

from __future__ import annotations

import re

from assistant.answering.citations import cite
from assistant.components.index import HybridIndex
from assistant.records import Evidence

CUE = re.compile(
    r"notruf|notfall|notfällen|rettungsdienst|polizei|feuerwehr|seelsorge|krisen|hilfetelefon|gewalt|"
    r"emergency|crisis|helpline|police|ambulance",
    re.IGNORECASE,
)
EMERGENCY = re.compile(r"(?<!\d)(?:112|110)(?!\d)")
HELPLINE = re.compile(
    r"(?<!\d)(?:0800[\s/-]?111[\s/-]?0[\s/-]?(?:111|222)|0800[\s/-]?1110(?:111|222)|116[\s/-]?123|116[\s/-]?111|"
    r"0800[\s/-]?116[\s/-]?016|08000[\s/-]?116[\s/-]?016|116[\s/-]?016|116[\s/-]?006)(?!\d)"
)
MAX_LINES = 4


def emergency_lines(index: HybridIndex) -> list[Evidence]:
    """The corpus sentences that give emergency (first) and crisis-helpline numbers, numbered 1, 2, ..."""
    emergency: dict[str, Evidence] = {}
    helplines: dict[str, Evidence] = {}
    for doc in index.documents.values():
        for start, end in index.sentence_spans(doc.doc_id):
            sentence = doc.text[start:end]
            if not CUE.search(sentence):
                continue
            if EMERGENCY.search(sentence) and not re.search(r"\b[A-Z]\s?11[02]\b", sentence):  # "L 112" is a road
                emergency.setdefault(sentence.strip(), cite(doc, sentence, start, 1.0))
            elif HELPLINE.search(sentence):
                helplines.setdefault(sentence.strip(), cite(doc, sentence, start, 1.0))
    lines = [*emergency.values()][:2] + [*helplines.values()]
    return [line.model_copy(update={"n": n}) for n, line in enumerate(lines[:MAX_LINES], start=1)]
