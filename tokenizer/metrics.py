"""How good a tokenization is: compression, and how often tokens cut an akshara apart.

The one measuring module: the library's evaluation, `build`, the CLI, the Space and the benchmarks
all count with these functions. Definitions used everywhere in this project:
- compression ratio: UTF-8 bytes / tokens, on held-out text, each line encoded on its own
  without its newline; also characters per token and tokens per (whitespace-separated) word;
- mid-akshara boundary: a boundary between two tokens that falls inside a character's UTF-8
  bytes, or inside an akshara: before a combining mark (category M), ZWJ or ZWNJ, or right after
  a virama that joins the next letter into a conjunct. Whether a virama joins is its script's
  fact (tokenizer.registry.Script; docs/scripts.md): Tamil's pulli and Sinhala's bare al-lakuna
  end a syllable (தமிழ்|நாடு is no cut, but க்|ஷ is), virama + ZWJ joins in Devanagari and
  Sinhala but makes a chillu or khanda ta, which ends one, in Malayalam and Bengali. The
  mid-akshara rate is their share of all boundaries.

The functions take the tokens as byte strings, so they measure any tokenizer (ours, tiktoken's).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass
from itertools import islice

from .bpe import Pair, merge
from .encoding import Tokenizer
from .pretokenize import Pattern
from .registry import SCRIPTS, Script

_ZWJ, _ZWNJ = "\u200d", "\u200c"
VIRAMA_CLASS = 9  # canonical combining class of a virama: one of a script outside the registry joins
_VIRAMAS: dict[str, Script] = {v: s for s in SCRIPTS.values() for v in s.viramas}


def _is_mark(ch: str) -> bool:
    return ch == _ZWJ or ch == _ZWNJ or unicodedata.category(ch).startswith("M")


def _joins(text: str, at: int) -> bool:
    """Whether the virama text[at] joins the letter after it (text[at + 1]) into one akshara."""
    script = _VIRAMAS.get(text[at])
    if script is None:
        return unicodedata.combining(text[at]) == VIRAMA_CLASS
    if script.zwj_conjuncts and at >= 1 and text[at - 1] == _ZWJ:  # ZWJ + virama: Sinhala's touching letters
        return True
    return script.conjuncts or any(
        at >= cluster.index(text[at]) and text.startswith(cluster, at - cluster.index(text[at]))
        for cluster in script.clusters
        if text[at] in cluster
    )


def is_mid_akshara(text: str, char_index: int) -> bool:
    """Whether a boundary just before text[char_index] (a character start) cuts an akshara."""
    if char_index <= 0 or char_index >= len(text):
        return False
    if _is_mark(text[char_index]):
        return True
    if not unicodedata.category(text[char_index]).startswith("L"):
        return False
    before = text[char_index - 1]
    if before == _ZWJ and char_index >= 2:  # virama + ZWJ + letter: a half form, or a dead consonant
        script = _VIRAMAS.get(text[char_index - 2])
        return script is not None and script.zwj_conjuncts
    return (before in _VIRAMAS or unicodedata.combining(before) == VIRAMA_CLASS) and _joins(text, char_index - 1)


def char_starts(text: str) -> dict[int, int]:
    """Byte offset of each character start -> character index (and the end offset -> len)."""
    starts: dict[int, int] = {}
    offset = 0
    for i, ch in enumerate(text):
        starts[offset] = i
        o = ord(ch)
        offset += 1 if o < 0x80 else 2 if o < 0x800 else 3 if o < 0x10000 else 4
    starts[offset] = len(text)
    return starts


def cut_flags(text: str, pieces: Sequence[bytes]) -> list[bool]:
    """For each token, whether the boundary before it falls inside an akshara (or a character);
    the first token's is always False."""
    starts = char_starts(text)
    flags = [False] * len(pieces)
    offset = 0
    for k in range(1, len(pieces)):
        offset += len(pieces[k - 1])
        char_index = starts.get(offset)
        flags[k] = char_index is None or is_mid_akshara(text, char_index)
    end = offset + len(pieces[-1]) if pieces else 0
    if starts.get(end) != len(text):
        raise ValueError("the token bytes do not add up to the text")
    return flags


def chunk_flags(text: str, chunks: Sequence[str]) -> list[bool]:
    """For each pre-split chunk, whether it starts inside an akshara (e.g. with a matra or after a virama)."""
    flags = []
    index = 0
    for chunk in chunks:
        flags.append(is_mid_akshara(text, index))
        index += len(chunk)
    return flags


def boundary_counts(text: str, pieces: Sequence[bytes]) -> tuple[int, int]:
    """(boundaries, mid-akshara boundaries) of text cut into the given token bytes."""
    return max(len(pieces) - 1, 0), sum(cut_flags(text, pieces))


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

    @classmethod
    def of(cls, vocab_size: int, lines: int, tokens: int, n_bytes: int, chars: int, words: int,
           boundaries: int, mid: int) -> Metrics:  # fmt: skip
        """The ratios from the counts (0.0 where a ratio has nothing to divide by)."""
        return cls(
            vocab_size=vocab_size,
            lines=lines,
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

    def as_dict(self) -> dict:
        return asdict(self)


def summarize(text: str, pieces: Sequence[bytes], flags: Sequence[bool] | None = None, vocab_size: int = 0) -> Metrics:
    """The metrics of one text cut into token bytes, as a whole (line breaks included); `flags`
    from cut_flags when the caller has them already."""
    if flags is None:
        flags = cut_flags(text, pieces)
    n_bytes = len(text.encode("utf-8", "surrogatepass"))
    return Metrics.of(vocab_size, 1 if text else 0, len(pieces), n_bytes, len(text), len(text.split()),
                      max(len(pieces) - 1, 0), sum(flags))  # fmt: skip


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
    return Metrics.of(vocab_size, n_lines, tokens, n_bytes, chars, words, boundaries, mid)


_BATCH = 4096  # lines encoded per call by evaluate


def evaluate(tok: Tokenizer, lines: Iterable[str]) -> Metrics:
    """Metrics of one of our tokenizers; special-token text in the lines counts as plain text.

    Lines are read as they come (a file of any size) and go to the tokenizer a few thousand at a
    time, so that every core works and memory stays bounded by one batch of lines and their ids.
    """
    kept = (s for s in (line.rstrip("\r\n") for line in lines) if s)  # the lines `measure` tokenizes
    pending: deque[list[int]] = deque()  # ids of the batch's lines `measure` has not reached yet

    def batched() -> Iterator[str]:
        while batch := list(islice(kept, _BATCH)):
            pending.extend(tok.encode_ordinary_batch(batch))
            yield from batch

    return measure(batched(), lambda line: tok.decode_tokens_bytes(pending.popleft()), tok.vocab_size)


class CompressionCurve:
    """Bytes/token of lines under a growing prefix of a merge list, updated merge by merge.

    A vocabulary of k merges is a prefix of the merge list, and encoding with it equals applying
    those k merges in order; so each merge is applied to the lines' chunk counts, touching only
    the chunks that hold its pair. Used for a finished model (compression_curve) and live, while a
    model trains (the Space's Train view), with `max_bytes` of the lines.
    """

    def __init__(self, lines: Iterable[str], pattern: Pattern, n_special: int, max_bytes: int | None = None) -> None:
        counts: Counter[str] = Counter()
        size = 0
        for line in lines:
            line = line.rstrip("\r\n")
            counts.update(pattern.split(line))
            size += len(line.encode("utf-8"))
            if max_bytes is not None and size >= max_bytes:
                break
        self.words = [list(chunk.encode("utf-8")) for chunk in counts]
        self.freqs = list(counts.values())
        self.bytes = sum(len(w) * f for w, f in zip(self.words, self.freqs, strict=True))
        self.tokens = self.bytes
        self.where: dict[Pair, set[int]] = {}
        for w, ids in enumerate(self.words):
            for pair in zip(ids, ids[1:]):
                self.where.setdefault(pair, set()).add(w)
        self.n_special = n_special
        self.applied = 0  # merges applied so far
        self.points: list[tuple[int, float]] = [(256 + n_special, 1.0)] if self.bytes else []

    def apply(self, pair: Pair, new_id: int) -> None:
        """Apply the next merge of the list."""
        for w in self.where.pop(pair, ()):
            old = self.words[w]
            new = merge(old, pair, new_id)
            if len(new) == len(old):
                continue
            self.tokens -= (len(old) - len(new)) * self.freqs[w]
            self.words[w] = new
            for p in zip(new, new[1:]):
                if new_id in p:
                    self.where.setdefault(p, set()).add(w)
        self.applied += 1

    def point(self) -> tuple[int, float]:
        """(total vocabulary size, bytes/token) now; recorded in `points`."""
        p = (256 + self.applied + self.n_special, round(self.bytes / self.tokens, 4) if self.tokens else 1.0)
        if not self.points or self.points[-1] != p:
            self.points.append(p)
        return p

    def advance(self, merges: Sequence[Pair], every: int = 0) -> None:
        """Apply the merges of a trained list not applied yet (merges[k] makes id 256 + k), with a
        point after every `every`-th merge of the list (0: none) and one at the end: merges that
        arrive in a burst (a stage learns hundreds between two polls) still draw the curve."""
        if not self.bytes or len(merges) <= self.applied:
            return
        for k in range(self.applied, len(merges)):
            self.apply(merges[k], 256 + k)
            if every and (k + 1) % every == 0:
                self.point()
        self.point()


def compression_curve(tok: Tokenizer, lines: Iterable[str], every: int = 100) -> list[tuple[int, float]]:
    """(total vocabulary size, bytes/token on lines) after every `every` merges, and at the end; one pass."""
    curve = CompressionCurve(lines, tok.pattern, len(tok.special_tokens))
    if not curve.bytes:
        raise ValueError("no text to measure the compression curve on")
    ordered = sorted(tok.merges.items(), key=lambda kv: kv[1])
    for k, (pair, new_id) in enumerate(ordered, 1):
        curve.apply(pair, new_id)
        if k % every == 0 or k == len(ordered):
            curve.point()
    return curve.points
