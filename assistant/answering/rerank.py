"""The cross-encoder's second look at the reader's best lines.

The reader (:mod:`assistant.answering.reader`) scores every line of the candidate pages with
cheap features; the cross-encoder (:mod:`assistant.relevance.cross`) reads question and line
together, which is better and dearer. So it scores a shortlist: the reader's best quotable lines
and the neighbours of the best two (an answer on a real page runs over several lines). Lines
outside the shortlist get probability 0; the reader's line choice (:func:`~assistant.answering.reader.choose`)
then works on the cross-encoder's probabilities with a selection calibrated for them.
"""

from __future__ import annotations

import numpy as np

from assistant.answering.reader import Candidates

SHORTLIST = 8


def shortlist(found: Candidates, probabilities: np.ndarray, size: int = SHORTLIST) -> list[int]:
    """The reader's ``size`` best quotable lines, then the quotable neighbours of the best two on their page.

    >>> found = Candidates(page=[0, 0, 0, 1], quotable=[True, True, False, True])
    >>> shortlist(found, np.array([0.1, 0.9, 0.8, 0.3]), size=1)
    [1, 0]
    """
    quotable = found.quotable or [True] * len(found.page)
    order = [int(i) for i in np.argsort(-probabilities, kind="stable") if quotable[i]][:size]
    chosen = list(order)
    for best in order[:2]:
        for neighbour in (best - 1, best + 1):
            if (
                0 <= neighbour < len(found.page)
                and quotable[neighbour]
                and found.page[neighbour] == found.page[best]
                and neighbour not in chosen
            ):
                chosen.append(neighbour)
    return chosen


def rerank(encoder, question: str, found: Candidates, probabilities: np.ndarray, size: int = SHORTLIST) -> np.ndarray:
    """The cross-encoder's probabilities for the shortlist, 0 elsewhere."""
    scored = np.zeros(len(found.page), dtype=np.float64)
    chosen = shortlist(found, probabilities, size)
    if chosen:
        scored[chosen] = encoder.probabilities(question, [found.texts[i] for i in chosen])
    return scored
