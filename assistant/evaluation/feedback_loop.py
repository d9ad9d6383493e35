"""The replayable feedback loop (``eval/bench/bench_feedback.py``): does staff review make the next answer better?

1. Every golden case is asked through the citizen's use case (``App.asking``, so it is
   logged like a kiosk question) and scored with the evaluation's own ``score_case``.
2. Of the questions answered wrongly, those in the staff half (fixed per case by the parity
   of a hash of its id, ``in_staff_half``) go to a simulated staff member: the citizen rates it 👎 (abstentions are in
   the queue anyway); a few right answers get a noise 👎 ("blabla").
3. The staff member logs in and works through the real review queue
   (``ReviewService.queue``): corrects an item with the right document and a verbatim
   quote from it (``ReviewService.correct``), flags the older page the answer rested on
   when the golden case names it as the outdated side of a conflict, and dismisses noise
   and what a curated answer cannot fix (a question that should be referred or abstained).
4. Then the same questions, paraphrases of the corrected ones (other wording, other
   language) and every other question are asked again and scored the same way.

A case counts as **right** when its behaviour (status) is the expected one, every key fact
is stated, no forbidden fact is, and an answer that states facts cites one of the expected
documents (when the case names any). The answer's language is not part of it (an English
question answered with a German staff answer is counted right, and reported separately).

>>> cases = [GoldenCase(id=f"c{n}", question="Was kostet X?", language="de", expected_status="answered",
...     expected_docs=["x"]) for n in range(4)]
>>> [case.id for case in staff_half(cases)], [case.id for case in staff_half(cases[2:])], can_be_curated(cases[0])
(['c3', 'c2', 'c1'], ['c3', 'c2'], True)
>>> can_be_curated(GoldenCase(id="v", question="Wen soll ich wählen?", language="de", expected_status="refused"))
False
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from assistant.app import App
from assistant.evaluation.golden import GoldenCase
from assistant.evaluation.metrics import FACT_STATUSES, score_case
from assistant.evaluation.records import CaseMetrics
from assistant.feedback.auth import StaffAuth
from assistant.feedback.review.curated import verbatim_quote
from assistant.feedback.review.errors import ReviewError
from assistant.records import Answer, Feedback

Log = Callable[[str], None]
NOISE_SHARE = 0.2  # noise 👎 per corrected item (trolls, "blabla"), on answers that are right
STAFF_USER = "bench-staff"


class Paraphrase(BaseModel):
    """Another wording of a golden question; the expectations are the original case's."""

    model_config = ConfigDict(extra="forbid")

    of: str  # the golden case id
    question: str
    language: str
    kind: str = "same"  # "same": same language, other wording; "other": the other language
    split: str = "test"  # "dev": used to choose curated-answer thresholds; "test": reported


def load_paraphrases(path: Path) -> list[Paraphrase]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [Paraphrase.model_validate_json(line) for line in lines if line.strip()]


def paraphrase_case(original: GoldenCase, paraphrase: Paraphrase) -> GoldenCase:
    return original.model_copy(
        update={
            "id": f"{original.id}~{paraphrase.kind}~{paraphrase.question[:24]}",
            "question": paraphrase.question,
            "language": paraphrase.language,
        }
    )


@dataclass
class Asked:
    case: GoldenCase
    answer: Answer | None
    metrics: CaseMetrics
    right: bool


def is_right(case: GoldenCase, answer: Answer | None, metrics: CaseMetrics) -> bool:
    """Behaviour, key facts, no forbidden fact, and a fact-stating answer cites an expected page."""
    if answer is None or not metrics.behaviour_ok or metrics.key_facts_ok is False or metrics.forbidden_hit:
        return False
    if case.expected_docs and answer.status in FACT_STATUSES:
        return any(evidence.doc_id in case.expected_docs for evidence in answer.supporting)
    return True


def ask(app: App, case: GoldenCase, languages: tuple[str, ...]) -> Asked:
    """The case asked as a citizen would (logged), scored as ``assistant eval`` scores it."""
    answer, error = None, None
    try:
        answer = app.asking.ask(case.question, case.history_dicts(), channel="api")
    except Exception as exc:  # noqa: BLE001 - one broken case must not end the benchmark
        error = f"{type(exc).__name__}: {exc}"
    metrics = score_case(case, answer, None, languages, error=error)
    return Asked(case, answer, metrics, is_right(case, answer, metrics))


def stable_order(case_id: str) -> str:
    return hashlib.sha256(case_id.encode()).hexdigest()


def in_staff_half(case_id: str) -> bool:
    """Whether staff review this case when it is answered wrongly: fixed by the parity of a hash
    of its own id, so a change elsewhere (another case turning wrong or right) moves no other
    case in or out of the half, and paraphrases written for the half stay in it."""
    return int(stable_order(case_id), 16) % 2 == 0


def staff_half(wrong: list[GoldenCase]) -> list[GoldenCase]:
    """The wrong cases staff review (``in_staff_half``), in a fixed order (by a hash of the id).

    Follow-ups (cases with history) stay out: their question alone does not say what is asked.
    """
    candidates = sorted((case for case in wrong if not case.history), key=lambda case: stable_order(case.id))
    return [case for case in candidates if in_staff_half(case.id)]


def can_be_curated(case: GoldenCase) -> bool:
    """A curated answer answers; a question that should be abstained, referred or refused
    is not fixed by writing an answer for it."""
    return case.expected_status == "answered" and bool(case.expected_docs)


def staff_answer(case: GoldenCase, app: App) -> tuple[str, str, str]:
    """What the staff member writes: (answer text, document id, verbatim quote or "").

    The text is the golden evidence (the sentences a correct answer quotes) with any key
    fact they lack; the quote is the first evidence sentence found verbatim in the page.
    """
    doc_id = next((d for d in case.expected_docs if d in app.index.documents), case.expected_docs[0])
    document = app.index.documents.get(doc_id)
    quote = ""
    for sentence in case.expected_evidence:
        if document is None:
            break
        try:
            quote = verbatim_quote(document, sentence)
            break
        except ReviewError:
            continue
    parts = list(case.expected_evidence)
    text = " ".join(parts)
    missing = [fact for fact in case.key_facts if fact.casefold() not in text.casefold()]
    parts += missing
    title = document.title if document is not None else ""
    body = " ".join(part.strip().rstrip(".") + "." for part in parts if part.strip())
    return (f"{title}: {body}" if title else body), doc_id, quote


@dataclass
class StaffWork:
    """What the simulated staff member did, per golden case id."""

    corrected: dict[str, int] = field(default_factory=dict)  # case id -> curated answer id
    flagged: dict[str, list[str]] = field(default_factory=dict)  # case id -> doc ids flagged outdated
    dismissed: list[str] = field(default_factory=list)  # case ids (or "noise:<id>") dismissed
    items: int = 0  # queue items handled (one unit of effort each)
    actions: int = 0  # corrections + flags + dismissals


def rate_down(app: App, asked: list[Asked], reason: str, comment: str = "", client: str = "") -> int:
    """👎 for every answer of ``asked`` that is in the queue only when rated (not abstained), from
    ``client`` (one client for all of them, as a troll would rate). Returns the number of ratings."""
    given = 0
    for item in asked:
        if item.answer is not None and item.answer.interaction_id and item.answer.status != "abstained":
            app.feedback.rate(
                Feedback(interaction_id=item.answer.interaction_id, rating="down", reason=reason, comment=comment),
                client=client,
            )
            given += 1
    return given


def rate_as_citizens(app: App, asked: list[Asked], raters: int) -> int:
    """``raters`` citizens (distinct clients) rate each fact-stating answer as they would find it:
    👍 when it is right, 👎 when it is wrong ("outdated" when it quotes the older page of a
    conflict, else "wrong"). Returns the number of ratings. No staff member takes part: the
    ratings move the pages' rank on their own (``ReviewService.document_priors``)."""
    given = 0
    for item in asked:
        answer = item.answer
        if answer is None or not answer.interaction_id or answer.status not in FACT_STATUSES:
            continue
        cited = {evidence.doc_id for evidence in answer.supporting}
        outdated = bool(cited & (set(item.case.conflict_docs) - set(item.case.expected_docs)))
        reason = None if item.right else "outdated" if outdated else "wrong"
        for rater in range(raters):
            rating = "up" if item.right else "down"
            feedback = Feedback(interaction_id=answer.interaction_id, rating=rating, reason=reason)
            app.feedback.rate(feedback, client=f"citizen-{item.case.id}-{rater}")
            given += 1
    return given


def work_queue(app: App, staff_cases: dict[str, GoldenCase], noise: set[str], password: str, log: Log) -> StaffWork:
    """The simulated staff member logs in and handles the queue items of ``staff_cases``
    (interaction id of the logged answer -> its golden case) and the noise ratings
    (interaction ids in ``noise``); other items stay open."""
    auth = StaffAuth(app.settings.staff)
    user = auth.verify(STAFF_USER, password)
    if user is None:
        raise RuntimeError("the simulated staff member could not log in")
    review = app.review
    work = StaffWork()
    for item in review.queue(limit=100_000):
        case = staff_cases.get(item.id)
        if item.id in noise:
            review.dismiss(item.id, staff=user)
            work.items += 1
            work.actions += 1
            work.dismissed.append(f"noise:{item.id}")
            continue
        if case is None or case.id in work.corrected or case.id in work.dismissed:
            continue  # not this staff member's share (or a repeat of a question already handled)
        work.items += 1
        outdated = [
            e.doc_id for e in item.supporting if e.doc_id in case.conflict_docs and e.doc_id not in case.expected_docs
        ]
        for doc_id in dict.fromkeys(outdated):
            review.flag_document(doc_id, "outdated", note=f"older page (golden case {case.id})", staff=user)
            work.flagged.setdefault(case.id, []).append(doc_id)
            work.actions += 1
        if can_be_curated(case):
            text, doc_id, quote = staff_answer(case, app)
            try:
                curated = review.correct(item.id, text, doc_id, quote, staff=user)
            except ReviewError as exc:
                log(f"correction of {case.id} refused: {exc}")
                review.dismiss(item.id, staff=user)
                work.dismissed.append(case.id)
            else:
                work.corrected[case.id] = curated.id or 0
        else:
            review.dismiss(item.id, staff=user)
            work.dismissed.append(case.id)
        work.actions += 1
    return work
