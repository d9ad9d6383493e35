"""The answer path: ``answer(question, history) -> Answer`` and its streaming form, as a list of stages.

Evidence first, so that a weak model cannot do harm: every stage before the model either
enriches the :class:`AnswerContext` or ends the answer with a status; the model only
rephrases the selected evidence, and the grounding gate keeps what the evidence supports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from langchain_core.language_models.chat_models import BaseChatModel

from assistant.answering.compose import system_prompts
from assistant.answering.contact import ContactBook
from assistant.answering.context import AnswerContext, Ending, History, Resources
from assistant.answering.curated import CuratedMatcher
from assistant.answering.events import Event, EvidenceAnswer, Final, Token
from assistant.answering.quality import answer_quality
from assistant.answering.rating_priors import QuestionPrior
from assistant.answering.stages import (
    answerable,
    clarify,
    compose,
    conflicts,
    curated,
    evidence,
    links,
    naive,
    output,
    question,
    referral,
    relevance,
    respond,
    retrieve,
    route,
    value_conflicts,
    verify,
)
from assistant.answering.stages.fee_table import unless_a_fee_table_answers
from assistant.components.embeddings import E5Embeddings
from assistant.components.index import HybridIndex
from assistant.records import Answer, AnswerSentence, Contact, Evidence, Explanation
from assistant.safety.output_check import OutputCheck
from assistant.settings import Settings
from assistant.text import detect_language

Stage = Callable[[AnswerContext, Resources], Ending | None]


class ExplainUnavailable(RuntimeError):
    """The loaded model cannot give log-probabilities (extractive, or a remote server)."""


def can_explain(settings: Settings) -> bool:
    """Whether answers can be explained: a local llama.cpp model composes (the kiosk and the widget offer
    "why this answer?" then). From the settings alone: the UIs ask before any index or model is loaded."""
    return settings.llm.mode == "llamacpp" and settings.answer.strategy == "grounded"


Composer = Callable[[AnswerContext, Resources], Iterator[Token]]

# -- the path, in order ----------------------------------------------------------------------------------
BEFORE_MODEL: tuple[Stage, ...] = (
    question.embed_question,  # the searched text (follow-ups with the last question) and its vector
    route.route_question,  # one route per question; refused / crisis numbers first (reuses the vector)
    curated.answer_if_verified,  # answered: a staff-verified answer
    retrieve.retrieve,  # hybrid search, flagged documents removed
    curated.answer_if_verified_for_page,  # answered: a verified answer whose page the search ranks high
    # the three gates give way when a cost question names a service whose fee table has fitting rows
    unless_a_fee_table_answers(relevance.abstain_if_irrelevant),  # abstained: nothing close enough
    unless_a_fee_table_answers(evidence.select),  # the answering sentences (abstained: none)
    unless_a_fee_table_answers(answerable.abstain_if_unanswerable),  # abstained: no amount, subject missing
    clarify.ask_back_if_ambiguous,  # clarify: two different topics fit equally well
    referral.find_referral,  # the best page says another authority is responsible
    conflicts.find_disagreeing,  # disagreeing sources; the newer side answers
    value_conflicts.settle_values,  # supporting quotes of two documents with different values: the newer answers
    links.drop_foreign_links,  # evidence linking outside the city's domains is dropped
    referral.refer,  # referred: the sentence naming the responsible authority
)
COMPOSE: Composer = compose.compose  # the model writes from the evidence (streamed)
AFTER_MODEL: tuple[Stage, ...] = (
    verify.keep_supported,  # grounding gate: only supported sentences
    output.check_output,  # no prompt text, foreign links or unknown contact data
    respond.answer,  # answered: the checked sentences, or the evidence itself
)
STAGES = (BEFORE_MODEL, COMPOSE, AFTER_MODEL)
# the benchmark baseline: top chunks into the prompt, no evidence selection, no gate
NAIVE_BEFORE_MODEL = BEFORE_MODEL[:5]
NAIVE_AFTER_MODEL: tuple[Stage, ...] = (naive.answer,)


class AnswerPipeline:
    """Runs the stages for one index version (see :class:`~assistant.components.index_holder.IndexHolder`)."""

    def __init__(
        self,
        settings: Settings,
        index: HybridIndex,
        embedder: E5Embeddings,
        chat_model: BaseChatModel | None = None,
        curated: CuratedMatcher | None = None,
        flagged: Callable[[], set[str]] | None = None,
        rating_weights: Callable[[], dict[str, float]] | None = None,
        question_prior: QuestionPrior | None = None,
    ) -> None:
        self.settings = settings
        self.resources = Resources(
            settings=settings,
            index=index,
            embedder=embedder,
            chat_model=chat_model,
            contacts=ContactBook.build(index.documents),
            curated=curated,
            flagged=flagged,
            rating_weights=rating_weights,
            question_prior=question_prior,
            output_check=(
                OutputCheck.build(index.documents.values(), settings.web.link_domains, system_prompts())
                if settings.guard.safety
                else None
            ),
        )
        self.naive = settings.answer.strategy == "naive"
        self.stages = (NAIVE_BEFORE_MODEL, naive.compose, NAIVE_AFTER_MODEL) if self.naive else STAGES

    @property
    def model_name(self) -> str:
        return self.resources.model_name

    @property
    def contacts(self) -> ContactBook:
        return self.resources.contacts

    @property
    def index(self) -> HybridIndex:
        return self.resources.index

    def answer(self, question: str, history: History | None = None) -> Answer:
        """The finished answer (the stream's last event)."""
        *_, final = self.stream(question, history)
        assert isinstance(final, Final)
        return final.answer

    def explain(self, question: str, history: History | None = None) -> Explanation:
        """Why this answer? The answer (as ``answer`` gives it) and each evidence sentence's effect on it.

        Needs a llama.cpp model (profile small or quality): it measures log-probabilities.
        """
        self._explaining_model()  # refused before answering, not after
        return self.explain_given(self.answer(question, history))

    def explain_given(self, answer: Answer) -> Explanation:
        """Why this answer? for an answer already on screen (the kiosk's) or logged (the widget's, by its
        interaction id): the same measurement without answering the question a second time."""
        from assistant.answering.explain import explain_answer

        return explain_answer(self._explaining_model(), answer)

    def _explaining_model(self):
        from assistant.components.llm import LlamaCppChatModel

        model = self.resources.chat_model
        if not isinstance(model, LlamaCppChatModel):
            raise ExplainUnavailable(
                "explaining an answer needs a llama.cpp model (ASSISTANT_LLM__PROFILE=small or quality); "
                f"this assistant runs with {self.settings.llm.mode!r}"
            )
        return model

    def stream(self, question: str, history: History | None = None) -> Iterator[Event]:
        """Tokens of the model's draft while it writes, then the checked answer."""
        res = self.resources
        question = question.strip()
        language = detect_language(question, tuple(self.settings.languages), self.settings.default_language)
        ctx = AnswerContext(question=question, history=history, language=language)
        before_model, composer, after_model = self.stages
        ending = _run(before_model, ctx, res)
        if ending is None and res.chat_model is not None and not self.naive:
            ctx.timings["first_text"] = ctx.elapsed_ms()  # the evidence answer can be shown now
            yield EvidenceAnswer(self._finish(ctx, respond.answer(ctx, res)))
        if ending is None:
            yield from composer(ctx, res)
            ending = _run(after_model, ctx, res)
        yield Final(self._finish(ctx, ending))

    def _finish(self, ctx: AnswerContext, ending: Ending) -> Answer:
        ctx.timings["total"] = ctx.elapsed_ms()
        ctx.timings.setdefault("first_text", ctx.timings["total"])
        if ctx.crisis_first:
            ending = route.numbers_first(ending, self.resources.crisis_lines)
        confidence = ctx.relevance if ending.confidence is None else ending.confidence
        answer = Answer(
            question=ctx.question,
            language=ctx.language,
            status=ending.status,
            answer=ending.text,
            sentences=ending.sentences or [AnswerSentence(text=ending.text)],
            supporting=ending.supporting,
            disagreeing=ending.disagreeing,
            confidence=round(confidence, 3),
            timings_ms=dict(ctx.timings),
            model=self.model_name,
            index_version=self.index.version,
            prompt_tokens=ctx.prompt_tokens,
            contact=self._contact(ending.supporting),
            verified_by_staff=ending.verified_by_staff,
            curated_id=ending.curated_id,
            route=ctx.route,
            model_sentences=ctx.drafted_sentences,
            model_sentences_kept=None if ctx.drafted_sentences is None else len(ctx.sentences),
            reader_confidence=None if ctx.reader_confidence is None else round(ctx.reader_confidence, 3),
        )
        answer.quality = answer_quality(answer, self.settings.evidence.min_dense_score)
        return answer

    def _contact(self, supporting: list[Evidence]) -> Contact | None:
        doc_ids = [e.doc_id for e in supporting]
        documents = self.index.documents
        departments = [documents[d].department for d in doc_ids if d in documents]
        return self.contacts.for_documents(doc_ids, departments)


def _run(stages: tuple[Stage, ...], ctx: AnswerContext, res: Resources) -> Ending | None:
    """Run ``stages`` in order until one ends the answer."""
    for stage in stages:
        ending = stage(ctx, res)
        if ending is not None:
            return ending
    return None
