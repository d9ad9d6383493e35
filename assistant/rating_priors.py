"""What citizens' ratings say about pages, counted the same way for the whole corpus and for one question.

Each client counts once per page (its latest rating of an answer citing the page); a page needs
``staff.rating_prior_min_clients`` distinct clients rating it down, and more than rating it up,
before its retrieval weight drops, by ``staff.rating_prior_step`` per net thumbs-down client, at
most ``staff.rating_prior_max``. One client's 20 ratings change nothing.

>>> from assistant.settings import StaffSettings
>>> rated = [RatedAnswer(interaction_id=str(n), question="q", doc_ids=("a",), rating="down", client=c)
...     for n, c in enumerate("xyzx")]
>>> {p.doc_id: (p.down_clients, p.weight) for p in page_priors(rated, StaffSettings()).values()}
{'a': (3, 0.7)}
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from assistant.records import DocumentPrior, RatedAnswer
from assistant.settings import StaffSettings


def page_priors(
    rated: Iterable[RatedAnswer], staff: StaffSettings, counts_down: Callable[[RatedAnswer], bool] | None = None
) -> dict[str, DocumentPrior]:
    """Per page, the clients rating it down and up (``rated`` oldest first: the latest rating of a
    client counts) and its weight; ``counts_down`` says which thumbs-down lower the weight (all by
    default), the others are still counted and listed."""
    votes: dict[tuple[str, str], RatedAnswer] = {}  # (page, client) -> its latest rating
    for item in rated:
        for doc_id in set(item.doc_ids) - {""}:
            votes[(doc_id, item.client)] = item
    priors: dict[str, DocumentPrior] = {}
    weighing: dict[str, int] = {}  # page -> thumbs-down clients that lower its weight
    for (doc_id, _client), item in votes.items():
        prior = priors.setdefault(doc_id, DocumentPrior(doc_id=doc_id))
        down = item.rating == "down"
        prior.up_clients += not down
        prior.down_clients += down
        prior.outdated_clients += down and item.reason == "outdated"
        weighing[doc_id] = weighing.get(doc_id, 0) + (down and (counts_down is None or counts_down(item)))
    for doc_id, prior in priors.items():
        net = weighing[doc_id] - prior.up_clients
        if weighing[doc_id] >= staff.rating_prior_min_clients and net > 0:
            prior.weight = round(1.0 - min(staff.rating_prior_max, staff.rating_prior_step * net), 3)
    return priors
