"""Training: count pre-split chunks once, then learn merges incrementally, stage by stage.

The corpus is read once, as a stream, into counts of distinct chunks (memory grows with the
number of distinct chunks, not with the corpus). Each merge then touches only the chunks that
contain the merged pair: a merge at position i changes just the pairs (left, a), (a, b) and
(b, right) around it. A lazy max-heap yields the most frequent pair.

A recipe trains in stages, each with its own pre-split, from fine to coarse (a curriculum):
the shipped models first spend ~10% of the merges inside single aksharas, then learn words,
then phrases of same-script words. Each stage starts from its chunks encoded with the merges
learned so far, which is exactly how the final model encodes them, so training and encoding
agree. Only the last stage's pattern is stored in the model.

Rules that hold for every merge:
- tie-break (determinism): among pairs with the same count the smallest (left id, right id) wins,
  as in Hugging Face's BpeTrainer (which compares its own ids);
- a pair whose bytes already form a token ("ab"+"c" when "a"+"bc" exists) is never merged, so
  every token's bytes are unique;
- with `whole_characters`, a token never mixes part of a character with anything else: it is
  either a piece of one character or a run of whole characters (this frees the slots that
  tokens such as "ದ್" + the first two bytes of the next letter would take).
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from tqdm.auto import tqdm

from .bpe import Merges, Pair, build_vocab, encode_ids
from .encoding import ENDOFTEXT, Tokenizer
from .errors import TrainingError
from .pretokenize import Pattern, get_pattern

VOCAB_CAP = 5000  # the project's hard cap on the total vocabulary (bytes + merges + specials)


@dataclass(frozen=True)
class Stage:
    """Learn merges on chunks of `pattern` until `until` (a share of all merges) are learned."""

    pattern: str
    until: float


@dataclass(frozen=True)
class Recipe:
    name: str
    stages: tuple[Stage, ...]
    whole_characters: bool
    description: str


RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in [
        Recipe(
            "curriculum",
            (Stage("akshara", 0.105), Stage("indic-words", 0.74), Stage("indic-phrases", 1.0)),
            True,
            "aksharas, then words, then same-script phrases; whole characters (the shipped models)",
        ),
        Recipe(
            "brahmic-curriculum",
            (Stage("brahmic-akshara", 0.105), Stage("brahmic-words", 0.74), Stage("brahmic-phrases", 1.0)),
            True,
            "the curriculum on the brahmic pre-split (every script of the registry apart; the new languages)",
        ),
        Recipe("bpe", (Stage("indic", 1.0),), False, "plain BPE on the core indic pre-split (same as HF BpeTrainer)"),
    ]
}
DEFAULT_RECIPE = "curriculum"


def get_recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; known: {', '.join(RECIPES)}") from None


def count_chunks(texts: Iterable[str], pattern: Pattern | str = "indic") -> Counter[str]:
    """Pre-split every text and count the distinct chunks (the plain, serial reference)."""
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


def _utf8_kind(data: bytes) -> str:
    """'whole' (valid UTF-8), 'part' (a proper prefix of one character) or 'mixed'."""
    try:
        data.decode("utf-8")
        return "whole"
    except UnicodeDecodeError:
        pass
    lead = data[0]
    need = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4 if lead >> 3 == 0b11110 else 0
    if len(data) < need and all(b >> 6 == 0b10 for b in data[1:]):
        return "part"
    return "mixed"


def whole_characters_ok(left: bytes, right: bytes) -> bool:
    """A merge keeps tokens either inside one character or made of whole characters."""
    return _utf8_kind(left + right) != "mixed" and (
        _utf8_kind(left) == _utf8_kind(right) == "whole" or _utf8_kind(left) == "part"
    )


def learn_merges(
    chunk_counts: dict[str, int],
    n_merges: int,
    *,
    merges: Merges | None = None,
    whole_characters: bool = False,
    quiet: bool = False,
) -> list[Pair]:
    """Learn up to n_merges new merges from chunk counts, on top of `merges` (applied first).

    The k-th new merge creates id 256 + len(merges) + k.
    """
    merges = merges or {}
    words: list[list[int]] = []
    freqs: list[int] = []
    for chunk, freq in chunk_counts.items():
        ids = encode_ids(list(chunk.encode("utf-8")), merges)
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

    vocab = build_vocab(sorted(merges.items(), key=lambda kv: kv[1]))
    token_bytes = [vocab[i] for i in range(len(vocab))]
    known = set(token_bytes)
    learned: list[Pair] = []
    progress = tqdm(total=n_merges, disable=quiet, unit="merge", desc="merges")
    while len(learned) < n_merges and heap:
        neg, pair = heapq.heappop(heap)
        current = counts.get(pair, 0)
        if current <= 0:
            continue
        if -neg != current:  # stale entry: counts only fall for old pairs, so re-queue and retry
            heapq.heappush(heap, (-current, pair))
            continue
        left, right = token_bytes[pair[0]], token_bytes[pair[1]]
        if left + right in known or (whole_characters and not whole_characters_ok(left, right)):
            counts.pop(pair)  # never merged: a duplicate token, or a part of a character mixed in
            continue
        new_id = len(token_bytes)
        token_bytes.append(left + right)
        known.add(left + right)
        learned.append(pair)
        _apply_merge(pair, new_id, words, freqs, counts, where, heap)
        progress.update(1)
    progress.close()
    return learned


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
    recipe: Recipe | str = DEFAULT_RECIPE,
    pattern: Pattern | str | None = None,
    special_tokens: Iterable[str] = (ENDOFTEXT,),
    allow_over_cap: bool = False,
    quiet: bool = False,
    name: str = "",
    workers: int = 1,
) -> Tokenizer:
    """Train a tokenizer of at most vocab_size ids in total (bytes + merges + specials).

    `recipe` names the training stages (see RECIPES); giving `pattern` instead trains plain BPE
    in one stage on that pre-split. The texts are read once; `workers` > 1 pre-splits and counts
    them in that many processes (tokenizer.count) with the same result.
    """
    from .count import count_stages

    if pattern is not None:
        recipe = Recipe("bpe", (Stage("", 1.0),), False, "one stage")
        patterns = [get_pattern(pattern) if isinstance(pattern, str) else pattern]
    else:
        recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
        patterns = [get_pattern(s.pattern) for s in recipe.stages]
    specials = list(dict.fromkeys(special_tokens))
    n_merges = check_vocab_size(vocab_size, len(specials), allow_over_cap)
    stage_counts = count_stages(texts, patterns, workers=workers, quiet=quiet)
    if not stage_counts[-1]:
        raise TrainingError("the training corpus is empty: no text to learn merges from")
    merges: Merges = {}
    for stage, counts in zip(recipe.stages, stage_counts):
        target = round(stage.until * n_merges) if stage is not recipe.stages[-1] else n_merges
        pairs = learn_merges(
            counts, target - len(merges), merges=merges, whole_characters=recipe.whole_characters, quiet=quiet
        )
        for pair in pairs:
            merges[pair] = 256 + len(merges)
    first_special = 256 + len(merges)
    return Tokenizer(merges, patterns[-1], {s: first_special + i for i, s in enumerate(specials)}, name=name)
