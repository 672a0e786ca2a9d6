"""The Tokenizer: special tokens, then pre-split, then BPE per chunk; and back to text.

This is the pipeline of Hugging Face `tokenizers` (pre-tokenizer, model, decoder) with
tiktoken's public surface (`encode`, `encode_ordinary`, `decode`, `allowed_special`).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from typing import Literal

import regex

from .bpe import Merges, build_vocab, encode_ids, render_token
from .pretokenize import Pattern, get_pattern

ENDOFTEXT = "<|endoftext|>"
_SURROGATE = regex.compile(r"[\ud800-\udfff]")
_CACHE_LIMIT = 200_000  # distinct chunks kept; a repeated word costs one dict lookup


class Tokenizer:
    """A byte-level BPE tokenizer: merges + a pre-split pattern + special tokens."""

    def __init__(
        self,
        merges: Merges,
        pattern: Pattern | str,
        special_tokens: dict[str, int] | None = None,
        *,
        byte_ids: list[int] | None = None,
        name: str = "",
    ) -> None:
        self.name = name
        self.pattern = get_pattern(pattern) if isinstance(pattern, str) else pattern
        self.merges: Merges = dict(merges)
        self.byte_ids = list(range(256)) if byte_ids is None else list(byte_ids)
        self._identity_bytes = self.byte_ids == list(range(256))
        ordered = sorted(self.merges.items(), key=lambda item: item[1])
        self.vocab: dict[int, bytes] = build_vocab(ordered, self.byte_ids)
        if special_tokens is None:
            special_tokens = {ENDOFTEXT: max(self.vocab) + 1}
        self.special_tokens: dict[str, int] = dict(special_tokens)
        self.inverse_special = {i: s for s, i in self.special_tokens.items()}
        clash = set(self.inverse_special) & set(self.vocab)
        if clash:
            raise ValueError(f"special token ids {sorted(clash)} collide with byte or merge ids")
        self._special_re = (
            regex.compile("|".join(regex.escape(s) for s in sorted(self.special_tokens, key=len, reverse=True)))
            if self.special_tokens
            else None
        )
        self._cache: dict[str, list[int]] = {}

    # ----- sizes -----------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        """Every id the tokenizer can emit: bytes + merges + special tokens."""
        return len(self.vocab) + len(self.special_tokens)

    @property
    def n_merges(self) -> int:
        return len(self.merges)

    # ----- encoding --------------------------------------------------------------------------
    def encode_ordinary(self, text: str) -> list[int]:
        """Encode text with no special-token handling: '<|endoftext|>' is just text here."""
        ids: list[int] = []
        for chunk in self.pattern.compiled.findall(text):
            ids.extend(self._encode_chunk(chunk, text))
        return ids

    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | Collection[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        """Encode text; special-token text follows tiktoken's policy.

        Special-token text in `allowed_special` becomes its special id; text in
        `disallowed_special` (by default every special token not allowed) raises ValueError;
        anything else is encoded as ordinary text.
        """
        allowed = set(self.special_tokens) if allowed_special == "all" else set(allowed_special)
        unknown = allowed - set(self.special_tokens)
        if unknown:
            raise ValueError(f"not special tokens of this tokenizer: {sorted(unknown)}")
        disallowed = set(self.special_tokens) - allowed if disallowed_special == "all" else set(disallowed_special)
        if self._special_re is None or not (allowed or disallowed):
            return self.encode_ordinary(text)
        ids: list[int] = []
        start = 0
        for match in self._special_re.finditer(text):
            special = match.group()
            if special in disallowed:
                raise ValueError(
                    f"text contains the special token {special!r} at index {match.start()}; pass "
                    f"allowed_special={{{special!r}}} to encode it as a special token, or "
                    "disallowed_special=() to encode it as plain text"
                )
            if special in allowed:
                ids.extend(self.encode_ordinary(text[start : match.start()]))
                ids.append(self.special_tokens[special])
                start = match.end()
        ids.extend(self.encode_ordinary(text[start:]))
        return ids

    def encode_batch(self, texts: Iterable[str], **kwargs) -> list[list[int]]:
        return [self.encode(t, **kwargs) for t in texts]

    def encode_stream(self, lines: Iterable[str], **kwargs) -> Iterator[list[int]]:
        """Encode an iterable of pieces (lines of a file, say) one at a time, holding one in memory."""
        for line in lines:
            yield self.encode(line, **kwargs)

    def _encode_chunk(self, chunk: str, text: str) -> list[int]:
        ids = self._cache.get(chunk)
        if ids is None:
            try:
                data = chunk.encode("utf-8")
            except UnicodeEncodeError:
                bad = _SURROGATE.search(text)
                where = f" at index {bad.start()} (U+{ord(bad.group()):04X})" if bad else ""
                raise ValueError(f"text contains a lone surrogate{where}, which UTF-8 cannot encode") from None
            start = list(data) if self._identity_bytes else [self.byte_ids[b] for b in data]
            ids = encode_ids(start, self.merges)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[chunk] = ids
        return ids

    # ----- decoding --------------------------------------------------------------------------
    def token_bytes(self, token_id: int) -> bytes:
        """The bytes of one token (a special token's are its text)."""
        if token_id in self.vocab:
            return self.vocab[token_id]
        if token_id in self.inverse_special:
            return self.inverse_special[token_id].encode("utf-8")
        raise ValueError(f"token id {token_id} is not in the vocabulary (valid: 0..{self.vocab_size - 1})")

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        return b"".join(self.token_bytes(i) for i in ids)

    def decode(self, ids: Iterable[int], errors: Literal["replace", "strict"] = "replace") -> str:
        """Ids back to text. Ids that end inside a character give U+FFFD ("replace") or raise ("strict")."""
        if errors not in ("replace", "strict"):
            raise ValueError(f"errors must be 'replace' or 'strict', not {errors!r}")
        data = self.decode_bytes(ids)
        try:
            return data.decode("utf-8", errors=errors)
        except UnicodeDecodeError as e:
            raise ValueError(
                f"ids decode to bytes that are not valid UTF-8 at byte {e.start} "
                f"({data[e.start:e.end].hex(' ')}); use errors='replace' to decode anyway"
            ) from None

    def render(self, token_id: int) -> str:
        """A display form of a token; partial characters show as <E0 A4>."""
        return render_token(self.token_bytes(token_id))

    def __repr__(self) -> str:
        return f"Tokenizer(name={self.name!r}, vocab_size={self.vocab_size}, pattern={self.pattern.name!r})"
