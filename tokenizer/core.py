"""The compiled encoder behind `Tokenizer`: tiktoken's CoreBPE (Rust) running our merges and regex.

`Tokenizer` is a facade, as tiktoken's `Encoding` is over its `CoreBPE`: it applies the
special-token policy and the error checks once, and hands ordinary text to a core chosen when it
is built. `make_core` picks the compiled core whenever it gives exactly the reference ids
(tokenizer/reference.py, the specification), and otherwise falls back to the reference with a
one-time warning saying why.

Why tiktoken's BPE gives our ids. tiktoken merges the adjacent parts whose concatenated bytes form
the lowest-ranked token; our rule (minbpe's) merges the adjacent pair that is the lowest-ranked
*merge*. They differ only if some state of our encoder has adjacent tokens x, y whose bytes spell a
token t that is not made from (x, y). That cannot happen when every token's bytes encode, by our
rule, to that one token (`tiktoken_exact`), because:
  1. while no merge crosses the edges of the span of x+y, the tokens inside it evolve exactly as
     when bytes(t) is encoded alone (merges inside a span depend only on the span's content);
  2. a merge crossing an edge would take bytes from x or y, so up to the moment x and y exist,
     none has happened: the span is in a state of the encoding of bytes(t) alone;
  3. token boundaries only ever disappear, and encoding bytes(t) alone ends as [t] by the merge
     (a, b); so its every state has the boundary between a and b, and x|y is that boundary.
Hence both rules see the same candidate pairs with the same ranks (rank = the new token's id) and
take the leftmost lowest one: the same ids on every input. Every merge list our trainer learns has
the property (each stage encodes its chunks with the merges so far); a hand-made or foreign list
may not, and then the reference runs it.

The regex is rewritten by `unicode_regex.rust_regex` (explicit code point ranges, lookaheads folded
into classes) so that Rust's Unicode tables and syntax cannot change a split.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Protocol

import regex
from tiktoken._tiktoken import CoreBPE

from . import bpe, cache
from .bpe import Merges, encode_ids
from .errors import ExportError
from .pretokenize import Pattern
from .processes import usable_cpus
from .reference import ReferenceCore
from .unicode_regex import rust_regex

# Below this many characters in a batch, threads cost more than they save.
_PARALLEL_MIN_CHARS = 20_000
_SLICES_PER_THREAD = 8
# fancy-regex's backtracking VM keeps a stack entry per repetition and gives up (a Rust panic)
# somewhere between 400,000 and 1,000,000 repetitions in one match (a run of marks, letters or
# spaces). Texts longer than this are cut at safe line breaks first; a piece still longer is split
# by Python's `regex` (linear, the specification) and only its BPE runs in Rust.
ONE_CALL_CHARS = 100_000

# Text may be cut right after a line break followed by a character that is neither whitespace nor
# a mark (nor ZWJ/ZWNJ). In these patterns only whitespace alternatives match a line break, and the
# whitespace run that ends at the cut is one chunk both in the whole text (`\s*[\r\n]+`) and in
# the text before the cut (the same, or GPT-4's `\s++$`); no alternative or MARK* suffix continues
# into such a character, and nothing looks behind a chunk's start. So the chunks of the whole text
# are the chunks of the two sides (tests/test_hostile.py checks this). GPT-2 (`\s+(?!\S)`, no
# line-break rule) and GPT-4o (`[\r\n/]*` after punctuation) fail it: the registry's `streamable`
# says which pattern may be cut (tests/test_hostile.py checks each). Used by encode_iter too.
CUT = r"[\r\n](?=[^\s\p{M}\u200c\u200d])"
_CUT_FORWARD = regex.compile(CUT)
# Lines of a batch are joined with a line break where that provably changes no chunk
# (TiktokenCore._encode_lines): under our patterns (the registry's `joinable`), not GPT-4's
# (`[^\s\p{L}\p{N}]++[\r\n]*+` takes a line break after punctuation).
_JOIN_CHARS = 50_000  # characters per joined call: far below ONE_CALL_CHARS
_SPACE = regex.compile(r"\s")
_SPACE_OR_MARK = regex.compile(r"[\s\p{M}\u200c\u200d]")


class Core(Protocol):
    """What the facade needs from an encoder: ordinary text (no special tokens) to ids."""

    name: str

    def encode_ordinary(self, text: str) -> list[int]: ...

    def encode_ordinary_batch(self, texts: Sequence[str], num_threads: int = 1) -> list[list[int]]: ...


def tiktoken_exact(vocab: dict[int, bytes], merges: Merges, byte_ids: Sequence[int]) -> str | None:
    """None if tiktoken's BPE gives our ids for this vocabulary (see the module doc), else why not."""
    if len(set(vocab.values())) != len(vocab):
        return "two tokens have the same bytes"
    for token, data in vocab.items():
        if len(data) > 1 and encode_ids([byte_ids[b] for b in data], merges) != [token]:
            return f"token {token} does not encode to itself (it is not reachable by BPE on its own bytes)"
    return None


def piece_encoder(vocab: dict[int, bytes]) -> Callable[[bytes], list[int]]:
    """BPE of one already pre-split chunk's bytes by tiktoken's merge loop (no regex): the trainer's
    re-encoding of each stage's chunks. Exact when `tiktoken_exact` holds (true of learned merges)."""
    if len(vocab) == 256:
        return list
    piece = CoreBPE({data: i for i, data in vocab.items()}, {}, ".").encode_single_piece
    return lambda data: piece(data) if data else []  # CoreBPE panics on b""


class TiktokenCore:
    """tiktoken's CoreBPE with our vocabulary and our regex for Rust; releases the GIL while it works."""

    name = "tiktoken"

    def __init__(self, vocab: dict[int, bytes], pattern: Pattern) -> None:
        self.pattern = pattern
        self.regex = rust_regex(pattern.regex)
        self._bpe = CoreBPE({data: i for i, data in vocab.items()}, {}, self.regex)
        self._cuttable = pattern.streamable
        self._newline = next((i for i, data in vocab.items() if data == b"\n"), -1)
        self._joinable = pattern.joinable and self._newline >= 0

    def encode_ordinary(self, text: str) -> list[int]:
        if len(text) <= ONE_CALL_CHARS:
            return self._bpe.encode_ordinary(text)
        ids: list[int] = []
        for piece in self._pieces(text):
            if len(piece) <= ONE_CALL_CHARS:
                ids += self._bpe.encode_ordinary(piece)
            else:
                for chunk in self.pattern.compiled.findall(piece):
                    ids += self._bpe.encode_single_piece(chunk.encode("utf-8"))
        return ids

    def _pieces(self, text: str) -> list[str]:
        """text cut at safe line breaks into pieces of at most ONE_CALL_CHARS where it can be."""
        if not self._cuttable:
            return [text]
        pieces, start, last = [], 0, 0
        for m in _CUT_FORWARD.finditer(text):
            cut = m.end()
            if cut - start > ONE_CALL_CHARS and last > start:
                pieces.append(text[start:last])
                start = last
            last = cut
        if len(text) - start > ONE_CALL_CHARS and last > start:
            pieces.append(text[start:last])
            start = last
        pieces.append(text[start:])
        return pieces

    def encode_ordinary_batch(self, texts: Sequence[str], num_threads: int = 1) -> list[list[int]]:
        """Contiguous slices of about equal size, several per thread so that a slower one (more bytes
        per character, longer chunks) is balanced by the others (CoreBPE runs without the GIL)."""
        if num_threads <= 1 or len(texts) < 2 or sum(map(len, texts)) < _PARALLEL_MIN_CHARS:
            return self._encode_lines(texts)
        bounds = _slices(texts, _SLICES_PER_THREAD * num_threads)
        futures = [_pool().submit(self._encode_lines, texts[a:b]) for a, b in bounds]
        return [ids for f in futures for ids in f.result()]

    def _encode_lines(self, texts: Sequence[str]) -> list[list[int]]:
        r"""encode_ordinary of each text, with runs of joinable lines encoded in one call.

        Why: every call returns into Python and takes the GIL back, so with one call per line the
        threads of a batch queue for it once per line. Lines l1, l2 are joinable when l1 ends with
        a character that is not whitespace, l2 starts with one that is neither whitespace nor a mark
        (nor ZWJ/ZWNJ), and neither holds a line break; then under our patterns (joinable)
            chunks(l1 + "\n" + l2) == chunks(l1) + ["\n"] + chunks(l2):
        after the line break it is the safe cut of encode_iter (see CUT); before it, only the
        whitespace alternatives of these patterns match a line break, and no whitespace chunk can
        start inside l1 and reach it because l1's last character is not whitespace; no alternative
        looks past a chunk's end except `\s+(?!\S)` (whitespace), and the only lookbehinds (the
        akshara patterns) look for a virama. The "\n" chunk is the one byte token, which no line's
        ids contain, so the ids of the joined run are cut back into lines at it.
        """
        out: list[list[int]] = []
        encode, newline = self._bpe.encode_ordinary, self._newline
        i, n = 0, len(texts)
        while i < n:
            text = texts[i]
            j, size = i + 1, len(text)
            if self._joinable and _joinable_end(text):
                while j < n and _joinable_start(texts[j]) and size + len(texts[j]) < _JOIN_CHARS:
                    size += len(texts[j]) + 1
                    j += 1
                    if not _joinable_end(texts[j - 1]):
                        break
            if j == i + 1:
                out.append(encode(text) if len(text) <= ONE_CALL_CHARS else self.encode_ordinary(text))
            else:
                out += _cut_at(encode("\n".join(texts[i:j])), newline, j - i) or [encode(t) for t in texts[i:j]]
            i = j
        return out


def _joinable_end(text: str) -> bool:
    return bool(text) and "\n" not in text and not _is_space(text[-1])


def _joinable_start(text: str) -> bool:
    return bool(text) and "\n" not in text and not _is_space_or_mark(text[0])


@lru_cache(maxsize=4096)
def _is_space(ch: str) -> bool:
    return _SPACE.match(ch) is not None


@lru_cache(maxsize=4096)
def _is_space_or_mark(ch: str) -> bool:
    return _SPACE_OR_MARK.match(ch) is not None


def _cut_at(ids: list[int], newline: int, parts: int) -> list[list[int]] | None:
    """ids cut at the `parts - 1` newline ids into parts; None if they are not exactly that many."""
    out, start = [], 0
    try:
        for _ in range(parts - 1):
            end = ids.index(newline, start)
            out.append(ids[start:end])
            start = end + 1
    except ValueError:
        return None
    rest = ids[start:]
    if newline in rest:
        return None
    out.append(rest)
    return out


def _slices(texts: Sequence[str], parts: int) -> list[tuple[int, int]]:
    """Cut texts into `parts` contiguous runs of about equal total length."""
    total = sum(map(len, texts))
    bounds, start, acc, k = [], 0, 0, 1
    for i, t in enumerate(texts):
        acc += len(t)
        if acc >= total * k / parts and len(bounds) < parts - 1:
            bounds.append((start, i + 1))
            start, k = i + 1, k + 1
    bounds.append((start, len(texts)))
    return [b for b in bounds if b[0] < b[1]]


_POOL: ThreadPoolExecutor | None = None
_POOL_LOCK = threading.Lock()


def _pool() -> ThreadPoolExecutor:
    """One process-wide pool (threads are cheap to keep, costly to start per call)."""
    global _POOL
    with _POOL_LOCK:
        if _POOL is None:
            _POOL = ThreadPoolExecutor(max_workers=usable_cpus(), thread_name_prefix="tokenizer-core")
        return _POOL


_WARNED: set[str] = set()


def _exact_key(vocab: dict[int, bytes], merges: Merges, byte_ids: Sequence[int]) -> str:
    parts: list[str | bytes] = ["tiktoken_exact", cache.source_digest(__file__), cache.source_digest(bpe.__file__)]
    parts.append(" ".join(map(str, byte_ids)))
    parts.append(" ".join(f"{a},{b},{t}" for (a, b), t in sorted(merges.items(), key=lambda item: item[1])))
    parts += [b"%d:" % i + vocab[i] for i in sorted(vocab)]
    return cache.key(parts)


def cached_tiktoken_exact(vocab: dict[int, bytes], merges: Merges, byte_ids: Sequence[int]) -> str | None:
    """tiktoken_exact, kept on disk (tokenizer/cache.py): it runs our BPE on every token, ~0.15 s."""
    key = _exact_key(vocab, merges, byte_ids)
    verdict = cache.cached("exact", key, lambda: tiktoken_exact(vocab, merges, byte_ids) or "")
    return verdict or None


def forget_cached(vocab: dict[int, bytes], merges: Merges, byte_ids: Sequence[int]) -> None:
    """Remove the on-disk verdict of cached_tiktoken_exact for these merges: for a model that goes
    away for good (the Space's session models), so that each leaves nothing behind."""
    cache.forget("exact", _exact_key(vocab, merges, byte_ids))


def make_core(vocab: dict[int, bytes], merges: Merges, pattern: Pattern, byte_ids: Sequence[int], name: str) -> Core:
    """The compiled core if it is exact for this tokenizer, else the reference (warning once per reason)."""
    reason = cached_tiktoken_exact(vocab, merges, byte_ids)
    if reason is None:
        try:
            return TiktokenCore(vocab, pattern)
        except (ExportError, ValueError) as e:  # a regex the translation or fancy-regex cannot take
            reason = f"its pattern {pattern.name!r} cannot run in the compiled engine ({e})"
    message = f"tokenizer {name or '(unnamed)'}: using the pure-Python reference encoder (slow) because {reason}"
    if message not in _WARNED:
        _WARNED.add(message)
        warnings.warn(message, RuntimeWarning, stacklevel=3)
    return ReferenceCore(merges, pattern, byte_ids)
