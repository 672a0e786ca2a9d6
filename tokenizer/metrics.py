"""How good a tokenization is: compression, and how often tokens cut an akshara apart.

Definitions used everywhere in this project:
- compression ratio: UTF-8 bytes / tokens, on held-out text, each line encoded on its own
  without its newline; also characters per token and tokens per (whitespace-separated) word;
- mid-akshara boundary: a boundary between two tokens that falls inside a character's UTF-8
  bytes, or before a combining mark (category M), ZWJ or ZWNJ, or right after a virama that is
  followed by a letter. The mid-akshara rate is their share of all boundaries.

The functions take the tokens as byte strings, so they measure any tokenizer (ours, tiktoken's).
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass

from .bpe import merge
from .encoding import Tokenizer

_JOINERS = {"\u200c", "\u200d"}
VIRAMA_CLASS = 9  # canonical combining class of every virama (all of languages.SCRIPTS; a test checks)


def is_mid_akshara(text: str, char_index: int) -> bool:
    """Whether a boundary just before text[char_index] (a character start) cuts an akshara."""
    if char_index <= 0 or char_index >= len(text):
        return False
    after = text[char_index]
    if after in _JOINERS or unicodedata.category(after).startswith("M"):
        return True
    before = text[char_index - 1]
    return unicodedata.combining(before) == VIRAMA_CLASS and unicodedata.category(after).startswith("L")


def boundary_counts(text: str, pieces: Sequence[bytes]) -> tuple[int, int]:
    """(boundaries, mid-akshara boundaries) of text cut into the given token bytes."""
    data = text.encode("utf-8")
    # byte offset of each character start -> character index
    starts: dict[int, int] = {}
    offset = 0
    for i, ch in enumerate(text):
        starts[offset] = i
        offset += len(ch.encode("utf-8"))
    boundaries = mid = 0
    offset = 0
    for piece in pieces[:-1]:
        offset += len(piece)
        boundaries += 1
        char_index = starts.get(offset)
        if char_index is None or is_mid_akshara(text, char_index):
            mid += 1
    if offset + (len(pieces[-1]) if pieces else 0) != len(data):
        raise ValueError("the token bytes do not add up to the text")
    return boundaries, mid


@dataclass
class Metrics:
    vocab_size: int
    lines: int
    tokens: int
    bytes: int
    chars: int
    words: int
    bytes_per_token: float
    chars_per_token: float
    tokens_per_word: float
    boundaries: int
    mid_akshara_boundaries: int
    mid_akshara_rate: float

    def as_dict(self) -> dict:
        return asdict(self)


def measure(
    lines: Iterable[str],
    tokenize: Callable[[str], Sequence[bytes]],
    vocab_size: int,
) -> Metrics:
    """Metrics of a tokenizer over lines; `tokenize` returns each line's tokens as bytes."""
    n_lines = tokens = n_bytes = chars = words = boundaries = mid = 0
    for line in lines:
        line = line.rstrip("\r\n")
        if not line:
            continue
        pieces = tokenize(line)
        b, m = boundary_counts(line, pieces)
        n_lines += 1
        tokens += len(pieces)
        n_bytes += len(line.encode("utf-8"))
        chars += len(line)
        words += len(line.split())
        boundaries += b
        mid += m
    return Metrics(
        vocab_size=vocab_size,
        lines=n_lines,
        tokens=tokens,
        bytes=n_bytes,
        chars=chars,
        words=words,
        bytes_per_token=round(n_bytes / tokens, 4) if tokens else 0.0,
        chars_per_token=round(chars / tokens, 4) if tokens else 0.0,
        tokens_per_word=round(tokens / words, 4) if words else 0.0,
        boundaries=boundaries,
        mid_akshara_boundaries=mid,
        mid_akshara_rate=round(mid / boundaries, 6) if boundaries else 0.0,
    )


_BATCH = 4096  # lines encoded per call by evaluate


def evaluate(tok: Tokenizer, lines: Iterable[str]) -> Metrics:
    """Metrics of one of our tokenizers; special-token text in the lines counts as plain text.

    Lines go to the tokenizer a few thousand at a time, so that every core works and memory stays
    bounded by one batch of ids.
    """
    kept = [s for s in (line.rstrip("\r\n") for line in lines) if s]  # the lines `measure` tokenizes

    def batches() -> Iterator[list[int]]:
        for k in range(0, len(kept), _BATCH):
            yield from tok.encode_ordinary_batch(kept[k : k + _BATCH])

    ids = batches()
    return measure(kept, lambda line: [tok.token_bytes(i) for i in next(ids)], tok.vocab_size)


def compression_curve(tok: Tokenizer, lines: Iterable[str], every: int = 100) -> list[tuple[int, float]]:
    """(total vocabulary size, bytes/token on lines) after every `every` merges, and at the end.

    A vocabulary of k merges is a prefix of the merge list, and encoding with it equals applying
    those k merges in order; so the merges are applied one by one to the lines' chunk counts,
    touching only chunks that hold the merged pair. One pass gives the whole curve.
    """
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(tok.pattern.split(line.rstrip("\r\n")))
    words = [list(chunk.encode("utf-8")) for chunk in counts]
    freqs = list(counts.values())
    total_bytes = sum(len(w) * f for w, f in zip(words, freqs))
    if not total_bytes:
        raise ValueError("no text to measure the compression curve on")
    tokens = total_bytes
    where: dict[tuple[int, int], set[int]] = {}
    for w, ids in enumerate(words):
        for pair in zip(ids, ids[1:]):
            where.setdefault(pair, set()).add(w)
    extra = len(tok.special_tokens)
    curve = [(256 + extra, round(total_bytes / tokens, 4))]
    ordered = sorted(tok.merges.items(), key=lambda kv: kv[1])
    for k, (pair, new_id) in enumerate(ordered, 1):
        for w in where.pop(pair, ()):
            old = words[w]
            new = merge(old, pair, new_id)
            if len(new) == len(old):
                continue
            tokens -= (len(old) - len(new)) * freqs[w]
            words[w] = new
            for p in zip(new, new[1:]):
                if new_id in p:
                    where.setdefault(p, set()).add(w)
        if k % every == 0 or k == len(ordered):
            curve.append((256 + k + extra, round(total_bytes / tokens, 4)))
    return curve
