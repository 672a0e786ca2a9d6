"""The reference encoder: pre-split with Python's `regex`, then BPE per chunk in pure Python.

This is the specification of our ids, short enough to read top to bottom: every compiled backend
must give exactly these ids (tests/test_core.py checks it on held-out text and fuzzed strings). It
also runs models the compiled core cannot represent (`core.make_core` falls back to it with a
warning). A chunk cache makes repeated words cost one dict lookup.
"""

from __future__ import annotations

from collections.abc import Sequence

from .bpe import Merges, encode_ids
from .pretokenize import Pattern

_CACHE_LIMIT = 200_000  # distinct chunks kept


class ReferenceCore:
    """encode_ordinary for one tokenizer's merges, pattern and byte ids, in pure Python."""

    name = "reference"

    def __init__(self, merges: Merges, pattern: Pattern, byte_ids: Sequence[int]) -> None:
        self.merges = merges
        self.pattern = pattern
        self.byte_ids = list(byte_ids)
        self._identity_bytes = self.byte_ids == list(range(256))
        self._cache: dict[str, list[int]] = {}

    def encode_ordinary(self, text: str) -> list[int]:
        """Ids of text with no special tokens; UnicodeEncodeError for a lone surrogate."""
        ids: list[int] = []
        for chunk in self.pattern.compiled.findall(text):
            ids.extend(self.encode_chunk(chunk))
        return ids

    def encode_ordinary_batch(self, texts: Sequence[str], num_threads: int = 1) -> list[list[int]]:
        return [self.encode_ordinary(t) for t in texts]

    def encode_chunk(self, chunk: str) -> list[int]:
        """BPE of one pre-split chunk: its UTF-8 bytes merged in rank order (bpe.encode_ids)."""
        ids = self._cache.get(chunk)
        if ids is None:
            data = chunk.encode("utf-8")
            start = list(data) if self._identity_bytes else [self.byte_ids[b] for b in data]
            ids = encode_ids(start, self.merges)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[chunk] = ids
        return ids

    def clear_cache(self) -> None:
        """Forget cached chunks (benchmarks of cold-cache speed)."""
        self._cache.clear()
