"""Sets and named configurations from the checked-in TOML files."""

from pathlib import Path

import pytest

from assistant.evaluation.configs import ConfigError, apply_overrides, cache_dir, load_configs, load_sets, resolve_set
from assistant.evaluation.records import Note
from assistant.evaluation.runner import plan_configs
from assistant.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_configurations_apply_to_the_current_settings():
    configs = load_configs(ROOT / "eval" / "configs.toml")
    assert {"full", "bm25-only", "dense-only", "naive"} <= set(configs)
    notes: list[Note] = []
    planned = {p.config.name: p.settings for p in plan_configs([], configs, Settings(), notes)}
    assert planned["bm25-only"].retrieval.mode == "bm25"
    assert planned["dense-only"].retrieval.mode == "dense"
    assert planned["full"] == Settings()
    # a configuration is either runnable or skipped with a note that names the setting
    for name in configs:
        assert name in planned or any(n.subject == name for n in notes)


def test_a_configuration_naming_a_missing_setting_is_skipped_with_a_note(tmp_path):
    path = tmp_path / "configs.toml"
    path.write_text(
        '[full]\n[future]\nsettings.reranker.model = "x"\n[typo]\nsettings.retrieval.modus = "bm25"\n'
        '[bad]\nsettings.retrieval.mode = "magic"\n',
        encoding="utf-8",
    )
    notes: list[Note] = []
    planned = plan_configs([], load_configs(path), Settings(), notes)
    assert [p.config.name for p in planned] == ["full"]
    texts = {n.subject: n.text for n in notes}
    assert "'reranker.model' does not exist" in texts["future"]
    assert "'retrieval.modus' does not exist" in texts["typo"]
    assert "retrieval.mode" in texts["bad"] and "invalid value" in texts["bad"]
    with pytest.raises(ConfigError, match="unknown configuration"):
        plan_configs(["nope"], load_configs(path), Settings(), [])


def test_overrides_leave_the_base_settings_untouched():
    base = Settings()
    changed = apply_overrides(base, {"retrieval": {"mode": "dense", "top_k": 3}})
    assert (changed.retrieval.mode, changed.retrieval.top_k) == ("dense", 3)
    assert base.retrieval.mode == "hybrid"


def test_sets_are_found_by_name_or_file_and_cached_per_corpus(monkeypatch):
    monkeypatch.chdir(ROOT)  # paths in sets.toml are relative to the working directory
    sets = load_sets(ROOT / "eval" / "sets.toml")
    spec, note = resolve_set("munich", sets, Path("corpus"))
    assert note is None and spec.corpus == [Path("../shared/data/munich-dldb")]
    by_file, _ = resolve_set("eval/sets/sample_golden.jsonl", sets, Path("corpus"))
    assert by_file.name == "sample"
    assert cache_dir(Path("index"), "sample", by_file, by_file.corpus) == Path("index/eval-sample")
    other = cache_dir(Path("index"), "sample", by_file, [Path("elsewhere")])
    assert other.name.startswith("eval-sample-") and other != Path("index/eval-sample")
    with pytest.raises(ConfigError, match="no set named"):
        resolve_set("nonexistent", sets, Path("corpus"))
