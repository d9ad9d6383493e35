"""Answers and disagreeing sources by fact: the fee row that fits the question, every conflict shown.

The rows of fee tables and opening-hour lists (:mod:`assistant.answering.facts.rows`) are slots:
(service, item, qualifier) -> value. For a question this module

* finds the service it is about (the page titles whose words the question names, English
  names through the glossary; else the best evidence page),
* picks the rows whose qualifier fits ("Ich bin 30" -> "ab 24 Jahren"; "für einen Hund"
  -> "erster Hund", not "jeder weitere Hund"), or all plain rows when the question does not say,
* compares each fact it cites with the same slot on every other page of that service: a
  different value is a conflict. The newer page (a notice in force before a page) answers;
  each older page becomes one disagreeing entry with both dates and the reason in the
  citizen's language ("Ältere Angabe ... vom 28.11.2019: 144,00 Euro – heute gilt 180,00 Euro
  laut ... vom 10.01.2025"). Pages about another service are never compared.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

from assistant.answering.citations import cite
from assistant.answering.facts.questions import Ask, choose_rows, question_ask
from assistant.answering.facts.rows import SlotFact, compatible, document_facts, same_service, service_of
from assistant.answering.facts.words import same_word, words
from assistant.records import Disagreement, Document, Evidence, SearchHit

MAX_ROWS = 4  # rows quoted when the question does not say which one it means


class FactBook:
    """The slot facts of one index version, read from the stored documents when first needed."""

    def __init__(self, documents: dict[str, Document]) -> None:
        self.documents = documents
        self._facts: dict[str, list[SlotFact]] = {}

    @cached_property
    def services(self) -> dict[str, frozenset[str]]:
        return {doc_id: service_of(doc.title) for doc_id, doc in self.documents.items()}

    @cached_property
    def keywords(self) -> dict[str, list[set[str]]]:
        out = {}
        for doc_id, doc in self.documents.items():
            phrases = [words(p) for p in doc.metadata.get("keywords", "").split(",")]
            out[doc_id] = [p for p in phrases if p]
        return out

    def without(self, doc_ids: set[str]) -> FactBook:
        """The same book without ``doc_ids`` (documents staff flagged); the parsed rows are shared."""
        if not doc_ids & self.documents.keys():
            return self
        view = FactBook({k: v for k, v in self.documents.items() if k not in doc_ids})
        view._facts = self._facts
        view.__dict__["services"] = {k: v for k, v in self.services.items() if k not in doc_ids}
        view.__dict__["keywords"] = {k: v for k, v in self.keywords.items() if k not in doc_ids}
        return view

    def facts(self, doc_id: str, today: date | None = None) -> list[SlotFact]:
        if doc_id not in self._facts:
            doc = self.documents.get(doc_id)
            self._facts[doc_id] = (
                document_facts(doc) if doc is not None and doc.metadata.get("kind") != "office" else []
            )
        today = today or date.today()
        return [f for f in self._facts[doc_id] if f.valid_until is None or f.valid_until >= today]

    def service_facts(self, service: frozenset[str], language: str = "") -> list[SlotFact]:
        """Every fact of every page about ``service`` named in ``language`` (a page about several
        services: its rows about this one; a page in another language may name it in its own words)."""
        out = []
        for doc_id, title_service in self.services.items():
            if any(same_word(a, b) for a in title_service for b in service):
                out += [
                    f
                    for f in self.facts(doc_id)
                    if same_service(f.service, service, across_languages=bool(language) and f.language != language)
                ]
        return out

    def question_service(self, ask: Ask, ranked_docs: list[str]) -> tuple[frozenset[str], str]:
        """The service whose name the question says (longest name wins, then the better-ranked page)."""
        rank = {doc_id: i for i, doc_id in reversed(list(enumerate(ranked_docs)))}
        best: tuple | None = None
        for doc_id, service in self.services.items():
            said = sum(_named(w, ask.words) for w in service)
            # a long name may be said in part ("Halter- und Datenbestätigung" for "... für Kraftfahrzeuge")
            named = bool(service) and (said == len(service) or (len(service) >= 3 and said >= len(service) - 1))
            by_keyword = max(
                (len(p) for p in self.keywords[doc_id] if _specific(p) and all(_named(w, ask.words) for w in p)),
                default=0,
            )
            if not named and not by_keyword:
                continue
            if not any(f.kind == "fee" for f in self.facts(doc_id)):
                continue
            score = (said == len(service), said if named else 0, by_keyword, -rank.get(doc_id, len(rank) + 1))
            if best is None or score > best[0]:
                best = (score, service, self.documents[doc_id].language)
        return (best[1], best[2]) if best else (frozenset(), "")


def _specific(phrase: set[str]) -> bool:
    """A search keyword that names a service, not a common word ("Ausland")."""
    return len(phrase) >= 2 or any(len(w) >= 8 for w in phrase)


def _named(word: str, question_words: set[str]) -> bool:
    """The question says ``word``, also inside a compound ("Gewerbeanmeldung" names "Anmeldung")."""
    return any(same_word(word, q) or (len(word) >= 5 and word in q) for q in question_words)


@dataclass(frozen=True)
class PageConflict:
    """For the web team: two pages of one service that give different values for one slot."""

    row: str  # the row as the current page words it ("ab 24 Jahren")
    current: SlotFact
    older: SlotFact


def page_conflicts(book: FactBook, today: date | None = None) -> list[PageConflict]:
    """Every slot on which two pages of one service disagree, the page that wins first."""
    today = today or date.today()
    found: dict[tuple, PageConflict] = {}
    for doc_id in book.documents:
        for fact in book.facts(doc_id, today):
            for other in book.service_facts(fact.service, fact.language):
                if other.doc_id == fact.doc_id or other.value == fact.value or not compatible(fact, other):
                    continue
                order = lambda f: _precedence(f, book, f.language, {}, today)  # noqa: E731
                current, older = sorted((fact, other), key=order, reverse=True)
                key = (current.doc_id, current.start, older.doc_id, older.start)
                found.setdefault(key, PageConflict(current.label or current.title, current, older))
    return sorted(found.values(), key=lambda c: (c.current.title, c.older.title, c.current.start))


@dataclass
class FactResult:
    evidence: list[Evidence]
    disagreeing: list[Disagreement]
    more_rows: list[str] = field(default_factory=list)  # labels of fitting fee rows left out (ask back)


def fee_rows_for(question: str, language: str, hits: list[SearchHit], book: FactBook) -> list[Evidence]:
    """The cited rows that fit ``question`` from the fee table of the service it names ([] when it names none)."""
    ask = question_ask(question, language)
    if not ask.cost:
        return []
    service, service_language = book.question_service(ask, [h.chunk.doc_id for h in hits])
    rows = choose_rows([f for f in book.service_facts(service, service_language) if f.kind == "fee"], ask)
    rows = sorted(rows, key=lambda f: (f.language != language, -(f.updated or date.min).toordinal()))
    return [_cite(book, f, n) for n, f in enumerate(rows[:MAX_ROWS], start=1)] if service else []


def _is_notice(doc: Document | None, today: date) -> bool:
    return doc is not None and doc.valid_until is not None and doc.valid_until >= today


def _precedence(fact: SlotFact, book: FactBook, language: str, rank: dict[str, int], today: date) -> tuple:
    doc = book.documents.get(fact.doc_id)
    return (
        _is_notice(doc, today),
        fact.updated or date.min,
        fact.language == language,
        -rank.get(fact.doc_id, 999),
        not fact.prose,
    )


def answer_by_facts(
    question: str,
    language: str,
    evidence: list[Evidence],
    hits: list[SearchHit],
    book: FactBook,
    max_sentences: int = MAX_ROWS,
    today: date | None = None,
) -> FactResult:
    """Evidence with the fitting fee rows and the newest value of every cited slot; the disagreeing pages."""
    today = today or date.today()
    ask = question_ask(question, language)
    ranked = [e.doc_id for e in evidence] + [h.chunk.doc_id for h in hits]
    rank = {doc_id: i for i, doc_id in reversed(list(enumerate(ranked)))}
    order = lambda f: _precedence(f, book, language, rank, today)  # noqa: E731

    service, service_language = _asked_service(ask, ranked, evidence, book, today)
    chosen = _chosen_facts(ask, evidence, book, service, service_language, today)
    winners, losers = _slot_winners(chosen, book, language, order)
    fee_winners = [w for w in winners if w.kind == "fee"]
    if service and fee_winners:
        new_evidence, more_rows = _rows_as_evidence(
            fee_winners, evidence, book, service, losers, language, max_sentences
        )
    else:
        new_evidence, more_rows = _with_winners(evidence, winners, losers, book), []
    disagreeing = _disagreements(losers, new_evidence, book, language)
    return FactResult(new_evidence, disagreeing, more_rows)


def _asked_service(
    ask: Ask, ranked: list[str], evidence: list[Evidence], book: FactBook, today: date
) -> tuple[frozenset[str], str]:
    """The service a cost question is about (and its pages' language): named by the question, else the
    first evidence page's when that page has fee rows; none for other questions."""
    service, service_language = book.question_service(ask, ranked) if ask.cost else (frozenset(), "")
    if not service and ask.cost and evidence:
        first = book.services.get(evidence[0].doc_id, frozenset())
        if any(f.kind == "fee" and same_service(f.service, first) for f in book.facts(evidence[0].doc_id, today)):
            service, service_language = first, book.documents[evidence[0].doc_id].language
    return service, service_language


def _chosen_facts(
    ask: Ask, evidence: list[Evidence], book: FactBook, service: frozenset[str], service_language: str, today: date
) -> list[SlotFact]:
    """The service's fee rows that fit the question, then the facts the evidence already cites (when no
    fee table answers) and the opening hours of an asked day on the evidence pages."""
    chosen: list[SlotFact] = []
    if service:
        rows = [f for f in book.service_facts(service, service_language) if f.kind == "fee"]
        chosen = choose_rows(rows, ask)
    table_answers = bool(chosen)
    for item in evidence:
        for fact in book.facts(item.doc_id, today):
            inside = fact.start >= item.start and fact.end <= item.end and not table_answers
            asked_day = fact.kind == "hours" and fact.qualifier.days & ask.days
            if inside or asked_day:
                chosen.append(fact)
    return chosen


def _slot_winners(
    chosen: list[SlotFact], book: FactBook, language: str, order: Callable[[SlotFact], tuple]
) -> tuple[list[SlotFact], dict[str, list[tuple[SlotFact, SlotFact]]]]:
    """Per chosen fact, the value its slot has on the page that answers (the highest ``order``), each row
    once; and per other page, its facts that disagree with the winner (doc -> (its fact, the winning fact))."""
    winners: list[SlotFact] = []
    losers: dict[str, list[tuple[SlotFact, SlotFact]]] = {}
    done: set[tuple[str, int]] = set()
    for fact in chosen:
        if (fact.doc_id, fact.start) in done:
            continue
        slot = [fact] + [
            other
            for other in book.service_facts(fact.service, fact.language)
            if other.doc_id != fact.doc_id and compatible(fact, other)
        ]
        slot = sorted(slot, key=order, reverse=True)
        winner = slot[0]
        done.update((f.doc_id, f.start) for f in slot)
        twin = next((i for i, w in enumerate(winners) if _same_row(winner, w)), None)
        if twin is None:
            winners.append(winner)
        elif winner.language == language != winners[twin].language:
            winners[twin] = winner  # the same row on the page in the citizen's language
        for other in slot[1:]:
            if other.value != winner.value and other.doc_id != winner.doc_id:
                losers.setdefault(other.doc_id, []).append((other, winner))
    return winners, losers


def _rows_as_evidence(
    fee_winners: list[SlotFact],
    evidence: list[Evidence],
    book: FactBook,
    service: frozenset[str],
    losers: dict[str, list],
    language: str,
    max_sentences: int,
) -> tuple[list[Evidence], list[str]]:
    """The fee rows cited first (at most ``max_sentences``), then the other evidence kept beside them; and
    the labels of the rows left out."""
    kept = _other_evidence(evidence, book, service, losers)
    # rows in the question's language first (the same row may stand on a German and an English page)
    ordered = sorted(fee_winners, key=lambda f: f.language != language)
    rows, left_out = ordered[:max_sentences], ordered[max_sentences:]
    more_rows = list(dict.fromkeys(label for f in left_out if (label := _row(f, language).rstrip(": "))))
    cited = [_cite(book, f, n) for n, f in enumerate(rows, start=1)]
    cited += [e.model_copy(update={"n": len(cited) + i}) for i, e in enumerate(kept, start=1)]
    return _dedupe(cited)[: max(max_sentences, len(rows))], more_rows


def _same_row(a: SlotFact, b: SlotFact) -> bool:
    """Two pages' rows with the same value and slot are said once."""
    return a.value == b.value and a.kind == b.kind and a.qualifier.key() == b.qualifier.key() and compatible(a, b)


def _cite(book: FactBook, fact: SlotFact, n: int) -> Evidence:
    return cite(book.documents[fact.doc_id], fact.quote, fact.start, 1.0, n)


def _other_evidence(
    evidence: list[Evidence], book: FactBook, service: frozenset[str], losers: dict[str, list]
) -> list[Evidence]:
    """Evidence kept beside the rows: sentences of the service's current pages without an amount of their own."""
    kept = []
    for item in evidence:
        page_service = book.services.get(item.doc_id, frozenset())
        about_it = same_service(page_service, service) or any(
            same_service(f.service, service) for f in book.facts(item.doc_id)
        )  # a page about several services ("ID card and passport") has rows about each
        if item.doc_id in losers or not about_it:
            continue
        if any(f.start < item.end and f.end > item.start for f in book.facts(item.doc_id) if f.kind == "fee"):
            continue  # another row of the table: the chosen rows say which ones apply
        kept.append(item)
    return kept


def _with_winners(
    evidence: list[Evidence], winners: list[SlotFact], losers: dict[str, list], book: FactBook
) -> list[Evidence]:
    """The evidence with each outdated fact replaced by the current one (same place, same number)."""
    lost = {(f.doc_id, f.start): w for pairs in losers.values() for f, w in pairs}
    out: list[Evidence] = []
    for item in evidence:
        inside = [w for (doc_id, start), w in lost.items() if doc_id == item.doc_id and item.start <= start < item.end]
        replaced = inside[0] if inside else None
        out.append(_cite(book, replaced, item.n) if replaced else item)
    beaten = [w for pairs in losers.values() for _, w in pairs]
    for winner in winners:
        cited = any(e.doc_id == winner.doc_id and e.start <= winner.start < e.end for e in out)
        if not cited and any(w is winner for w in beaten):
            out.insert(0, _cite(book, winner, 0))  # the current value the outdated one was cited for
    return [e.model_copy(update={"n": n}) for n, e in enumerate(_dedupe(out), start=1)]


def _dedupe(evidence: Iterable[Evidence]) -> list[Evidence]:
    seen: set[tuple[str, int]] = set()
    out = []
    for item in evidence:
        if (item.doc_id, item.start) not in seen:
            seen.add((item.doc_id, item.start))
            out.append(item)
    return out


def _disagreements(
    losers: dict[str, list[tuple[SlotFact, SlotFact]]], evidence: list[Evidence], book: FactBook, language: str
) -> list[Disagreement]:
    """One entry per disagreeing page: its first conflicting line quoted, every differing value in the reason."""
    out = []
    for doc_id, pairs in losers.items():
        doc = book.documents[doc_id]
        first, winner = pairs[0]
        target = next((e.n for e in evidence if e.doc_id == winner.doc_id and e.start <= winner.start < e.end), None)
        if target is None:
            target = next((e.n for e in evidence if e.doc_id == winner.doc_id), evidence[0].n if evidence else 1)
        out.append(
            Disagreement(
                doc_id=doc_id,
                title=doc.title,
                url=doc.url,
                updated=doc.updated,
                quote=first.quote,
                start=first.start,
                end=first.end,
                conflicts_with=target,
                reason=reason(pairs, book, language),
            )
        )
    return out


def reason(pairs: list[tuple[SlotFact, SlotFact]], book: FactBook, language: str) -> str:
    """Plain words in the citizen's language: which page is older, what it says, what applies today."""
    old, new = pairs[0]
    old_doc, new_doc = book.documents[old.doc_id], book.documents[new.doc_id]
    unique = []
    for pair in pairs:
        if not any(pair[0].value == u[0].value and pair[1].value == u[1].value for u in unique):
            unique.append(pair)
    if language == "de":
        values = "; ".join(f"{_row(o, 'de')}{_value(o, 'de')} – heute gilt {_value(n, 'de')}" for o, n in unique)
        older = "Ältere Angabe" if _older(old_doc, new_doc) else "Andere Angabe"
        return f"{older} „{old_doc.title}“ vom {_de_date(old_doc.updated)}: {values} laut „{new_doc.title}“ vom {_de_date(new_doc.updated)}."  # noqa: E501
    values = "; ".join(f"{_row(o, 'en')}{_value(o, 'en')} – today {_value(n, 'en')} applies" for o, n in unique)
    older = "Older information" if _older(old_doc, new_doc) else "Other information"
    return f"{older} on “{old_doc.title}” of {_en_date(old_doc.updated)}: {values}, according to “{new_doc.title}” of {_en_date(new_doc.updated)}."  # noqa: E501


def _older(old: Document, new: Document) -> bool:
    return old.updated is not None and new.updated is not None and old.updated < new.updated


def _row(fact: SlotFact, language: str) -> str:
    label = fact.label.strip()
    if fact.prose or not label or len(label) > 60:
        return ""
    return f"{label}: "


def _value(fact: SlotFact, language: str) -> str:
    if fact.value == "free":
        return "gebührenfrei" if language == "de" else "free of charge"
    if fact.value == "closed":
        return "geschlossen" if language == "de" else "closed"
    return fact.raw


def _de_date(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value else "ohne Datum"


def _en_date(value: date | None) -> str:
    return f"{value.day} {value.strftime('%B %Y')}" if value else "undated"
