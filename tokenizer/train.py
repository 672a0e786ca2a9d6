"""Training: count pre-split chunks once, then learn merges incrementally.

The corpus is read once, as a stream, into counts of distinct chunks (memory grows with the
number of distinct chunks, not with the corpus). Each merge then touches only the chunks that
contain the merged pair: a merge at position i changes just the pairs (left, a), (a, b) and
(b, right) around it. A lazy max-heap yields the most frequent pair.

Tie-break (determinism): among pairs with the same count the smallest (left id, right id) wins,
the same rule as Hugging Face's BpeTrainer applies to its own ids. A pair whose bytes already
form a token (e.g. "ab"+"c" when "a"+"bc" exists) is never merged, so every token's bytes are
unique.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable

from tqdm.auto import tqdm

from .bpe import Pair
from .encoding import ENDOFTEXT, Tokenizer
from .pretokenize import DEFAULT_PATTERN, Pattern, get_pattern

VOCAB_CAP = 5000  # the project's hard cap on the total vocabulary (bytes + merges + specials)


class TrainingError(ValueError):
    """Settings or data that cannot give a tokenizer."""


def count_chunks(texts: Iterable[str], pattern: Pattern | str = DEFAULT_PATTERN) -> Counter[str]:
    """Pre-split every text and count the distinct chunks."""
    compiled = (get_pattern(pattern) if isinstance(pattern, str) else pattern).compiled
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(compiled.findall(text))
    return counts


def check_vocab_size(vocab_size: int, n_special: int, allow_over_cap: bool = False) -> int:
    """The number of merges for a total vocabulary, or a clear error."""
    if vocab_size < 256 + n_special:
        raise TrainingError(
            f"vocab_size {vocab_size} is too small: the 256 byte tokens and {n_special} special "
            f"token(s) alone need {256 + n_special}"
        )
    if vocab_size > VOCAB_CAP and not allow_over_cap:
        raise TrainingError(
            f"vocab_size {vocab_size} is above the cap of {VOCAB_CAP} tokens; pass "
            "allow_over_cap=True (CLI: --allow-over-cap) to exceed it deliberately"
        )
    return vocab_size - 256 - n_special


def learn_merges(chunk_counts: dict[str, int], n_merges: int, *, quiet: bool = False) -> list[Pair]:
    """Learn up to n_merges merges from chunk counts; merge i creates id 256 + i."""
    words: list[list[int]] = []
    freqs: list[int] = []
    for chunk, freq in chunk_counts.items():
        ids = list(chunk.encode("utf-8"))
        if len(ids) > 1:
            words.append(ids)
            freqs.append(freq)

    counts: dict[Pair, int] = {}
    where: dict[Pair, set[int]] = {}
    for w, (ids, freq) in enumerate(zip(words, freqs)):
        for pair in zip(ids, ids[1:]):
            counts[pair] = counts.get(pair, 0) + freq
            where.setdefault(pair, set()).add(w)
    heap = [(-c, p) for p, c in counts.items()]
    heapq.heapify(heap)

    token_bytes = [bytes([b]) for b in range(256)]
    known = set(token_bytes)
    merges: list[Pair] = []
    progress = tqdm(total=n_merges, disable=quiet, unit="merge", desc="merges")
    while len(merges) < n_merges and heap:
        neg, pair = heapq.heappop(heap)
        current = counts.get(pair, 0)
        if current <= 0:
            continue
        if -neg != current:  # stale entry: counts only fall for old pairs, so re-queue and retry
            heapq.heappush(heap, (-current, pair))
            continue
        new_bytes = token_bytes[pair[0]] + token_bytes[pair[1]]
        if new_bytes in known:
            counts.pop(pair)  # a token with these bytes exists already: never a second one
            continue
        new_id = len(token_bytes)
        token_bytes.append(new_bytes)
        known.add(new_bytes)
        merges.append(pair)
        _apply_merge(pair, new_id, words, freqs, counts, where, heap)
        progress.update(1)
    progress.close()
    return merges


def _apply_merge(
    pair: Pair,
    new_id: int,
    words: list[list[int]],
    freqs: list[int],
    counts: dict[Pair, int],
    where: dict[Pair, set[int]],
    heap: list,
) -> None:
    """Merge pair in every word that has it, updating only the pair counts around each merge."""
    a, b = pair
    delta: dict[Pair, int] = {}
    for w in where.pop(pair):
        ids = words[w]
        n = len(ids)
        if n < 2:
            continue
        freq = freqs[w]
        out: list[int] = []
        i = 0
        while i < n:
            if i < n - 1 and ids[i] == a and ids[i + 1] == b:
                if out:  # the left neighbour may itself be new_id from the previous merge here
                    left = out[-1]
                    delta[(left, a)] = delta.get((left, a), 0) - freq
                    delta[(left, new_id)] = delta.get((left, new_id), 0) + freq
                    where.setdefault((left, new_id), set()).add(w)
                if i + 2 < n:
                    right = ids[i + 2]
                    delta[(b, right)] = delta.get((b, right), 0) - freq
                    delta[(new_id, right)] = delta.get((new_id, right), 0) + freq
                    where.setdefault((new_id, right), set()).add(w)
                delta[pair] = delta.get(pair, 0) - freq
                out.append(new_id)
                i += 2
            else:
                out.append(ids[i])
                i += 1
        if len(out) != n:
            words[w] = out
    for p, d in delta.items():
        if d == 0:
            continue
        c = counts.get(p, 0) + d
        if c > 0:
            counts[p] = c
            if d > 0:  # only pairs containing new_id grow; they are new, so push them once
                heapq.heappush(heap, (-c, p))
        else:
            counts.pop(p, None)
    counts.pop(pair, None)


def train(
    texts: Iterable[str],
    vocab_size: int = VOCAB_CAP,
    *,
    pattern: Pattern | str = DEFAULT_PATTERN,
    special_tokens: Iterable[str] = (ENDOFTEXT,),
    allow_over_cap: bool = False,
    quiet: bool = False,
    name: str = "",
    workers: int = 1,
) -> Tokenizer:
    """Train a tokenizer of at most vocab_size ids in total (bytes + merges + specials).

    workers > 1 counts the pre-split chunks in that many processes (tokenizer.count); the merges
    are the same either way.
    """
    specials = list(dict.fromkeys(special_tokens))
    n_merges = check_vocab_size(vocab_size, len(specials), allow_over_cap)
    pattern = get_pattern(pattern) if isinstance(pattern, str) else pattern
    if workers > 1:
        from .count import count_chunks_parallel

        chunk_counts = count_chunks_parallel(texts, pattern, workers, quiet=quiet)
    else:
        chunk_counts = count_chunks(texts, pattern)
    if not chunk_counts:
        raise TrainingError("the training corpus is empty: no text to learn merges from")
    pairs = learn_merges(chunk_counts, n_merges, quiet=quiet)
    merges = {pair: 256 + i for i, pair in enumerate(pairs)}
    first_special = 256 + len(pairs)
    return Tokenizer(
        merges,
        pattern,
        {s: first_special + i for i, s in enumerate(specials)},
        name=name,
    )
