"""Which sets run over which corpus (``eval/sets.toml``) and named configurations
(``eval/configs.toml``: a name -> overrides of ``assistant.settings.Settings``).

Paths in both files are relative to the working directory, like every path in
the settings, so the defaults work from the root of a clone.

>>> base = Settings()
>>> apply_overrides(base, {"retrieval": {"mode": "bm25"}}).retrieval.mode
'bm25'
>>> apply_overrides(base, {"answer": {"tone": "casual"}})
Traceback (most recent call last):
...
assistant.evaluation.configs.ConfigError: setting 'answer.tone' does not exist in this version of Settings
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.hashing import sha256_hex
from assistant.settings import Settings

DEFAULT_SETS_FILE = Path("eval/sets.toml")
DEFAULT_CONFIGS_FILE = Path("eval/configs.toml")
# settings that change what is indexed: a configuration that overrides them gets its own index
INDEX_SETTINGS = ("ingest", "embedding_model", "embedding_threads")


class ConfigError(ValueError):
    """A set or configuration that cannot be used (the message says why)."""


class OmosqaSource(BaseModel):
    """A set made from the OMoS-QA dataset (``assistant/evaluation/omosqa.py``): the
    questions of one split and language over all pages of that split in one language."""

    model_config = ConfigDict(extra="forbid")

    data: Path = Path("../shared/data/omosqa")  # folder with {train,dev}_{de,en}.jsonl
    split: Literal["train", "dev"]
    questions: Literal["de", "en"]  # language of the questions
    pages: Literal["de", "en"]  # language of the pages indexed (en questions over de pages)

    @property
    def index_key(self) -> str:
        """Sets over the same pages share one index (and one generated page folder)."""
        return f"omosqa-{self.split}-{self.pages}"


class SetSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    files: list[Path] = Field(default_factory=list)
    corpus: list[Path] = Field(default_factory=list)
    optional: bool = False  # skipped quietly while its files do not exist (curated.jsonl)
    run_by_default: bool = True  # false: only run when named with --set (large benchmark sets)
    omosqa: OmosqaSource | None = None  # cases and corpus generated from OMoS-QA (no files, no corpus)
    description: str = ""

    def is_default_corpus(self, corpus: list[Path]) -> bool:
        return sorted(p.resolve() for p in corpus) == sorted(p.resolve() for p in self.corpus)

    @property
    def index_key(self) -> str:
        """The name of the set's cached index (``index/eval-<key>``)."""
        return self.omosqa.index_key if self.omosqa else self.name


class EvalConfig(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str
    description: str = ""
    settings: dict = Field(default_factory=dict)  # nested overrides, e.g. {"retrieval": {"mode": "bm25"}}

    def flat_overrides(self) -> dict[str, object]:
        return flatten(self.settings)

    def changes_index(self) -> bool:
        return any(key.split(".")[0] in INDEX_SETTINGS for key in self.flat_overrides())


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from exc


def load_sets(path: Path = DEFAULT_SETS_FILE) -> dict[str, SetSpec]:
    """``{name: SetSpec}`` in file order."""
    try:
        return {name: SetSpec(name=name, **body) for name, body in _read_toml(path).items()}
    except (ValidationError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def load_configs(path: Path = DEFAULT_CONFIGS_FILE) -> dict[str, EvalConfig]:
    """``{name: EvalConfig}`` in file order."""
    try:
        return {name: EvalConfig(name=name, **body) for name, body in _read_toml(path).items()}
    except (ValidationError, TypeError) as exc:
        raise ConfigError(f"{path}: {exc}") from exc


def flatten(nested: dict, prefix: str = "") -> dict[str, object]:
    """``{"retrieval": {"mode": "bm25"}}`` -> ``{"retrieval.mode": "bm25"}``."""
    flat: dict[str, object] = {}
    for key, value in nested.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, path + "."))
        else:
            flat[path] = value
    return flat


def _check_exists(settings: Settings, dotted: str) -> None:
    target: object = settings
    parts = dotted.split(".")
    for depth, part in enumerate(parts):
        fields = type(target).model_fields if isinstance(target, BaseModel) else {}
        if part not in fields:
            raise ConfigError(f"setting '{dotted}' does not exist in this version of Settings")
        target = getattr(target, part)
        if depth < len(parts) - 1 and not isinstance(target, BaseModel):
            raise ConfigError(f"setting '{'.'.join(parts[: depth + 1])}' has no sub-settings")


def _merge(base: dict, overrides: dict) -> dict:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def apply_overrides(base: Settings, overrides: dict) -> Settings:
    """A copy of ``base`` with nested ``overrides``; every key must exist in Settings
    (Settings ignores unknown keys, which would make a configuration silently equal
    to the defaults) and every value must validate."""
    for dotted in flatten(overrides):
        _check_exists(base, dotted)
    try:
        return Settings(**_merge(base.model_dump(), overrides))
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise ConfigError(f"invalid value: {problems}") from exc


def resolve_set(argument: str, sets: dict[str, SetSpec], default_corpus: Path) -> tuple[SetSpec, str | None]:
    """A ``--set`` argument (a name from sets.toml or a JSONL path) -> ``(spec, note)``.

    A file that sets.toml does not list runs over ``default_corpus`` (the
    settings' corpus folder), with a note saying so.
    """
    if argument in sets:
        return sets[argument], None
    path = Path(argument)
    for spec in sets.values():
        if any(path.resolve() == f.resolve() for f in spec.files):
            return spec.model_copy(update={"files": [path]}), None
    if not path.exists():
        known = ", ".join(sets) or "none"
        raise ConfigError(f"no set named '{argument}' and no such file (sets in sets.toml: {known})")
    spec = SetSpec(name=path.stem, files=[path], corpus=[default_corpus])
    return spec, f"{path} is not listed in sets.toml: using corpus {default_corpus} (override with --corpus)"


def cache_dir(
    index_root: Path, set_name: str, spec: SetSpec, corpus: list[Path], config: EvalConfig | None = None
) -> Path:
    """``index/eval-<set>``: the cached index of a set's corpus (another corpus or a
    configuration that changes indexing gets a folder of its own)."""
    name = f"eval-{set_name}"
    if not spec.is_default_corpus(corpus):
        digest = sha256_hex("\n".join(sorted(str(p.resolve()) for p in corpus)))
        name += f"-{digest[:8]}"
    if config is not None and config.changes_index():
        name += f"--{config.name}"
    return index_root / name
