"""The one content hash: SHA-256 of UTF-8 text as hex digits.

Indexes store these hashes (a document's ``content_hash``, a manifest's
``corpus_hash``), so the way one is computed must never change: a different
hash for the same text makes every document re-embed.

>>> sha256_hex("")
'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
>>> sha256_hex("Reisepass", length=16)
'9bb8b2bda27bbf32'
"""

from __future__ import annotations

import hashlib


def sha256_hex(text: str, length: int = 64) -> str:
    """The first ``length`` hex digits of the SHA-256 of ``text`` encoded as UTF-8."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length]
