"""The reference: what our ids and our training are, in plain Python, short enough to read top to bottom.

- `ReferenceCore` encodes: pre-split with Python's `regex`, then BPE per chunk (bpe.encode_ids,
  merges in rank order). Every compiled backend must give exactly these ids (tests/test_core.py
  checks it on held-out text and fuzzed strings); it also runs models the compiled core cannot
  represent (`core.make_core` falls back to it with a warning). A chunk cache makes repeated words
  cost one dict lookup.
- `train_merges` trains: the merges `tokenizer.train` must learn, by brute force (recount every pair
  after every merge). tokenizer/train.py gets the same merges with an incremental pair index, a
  heap and the compiled core; tests/test_train.py checks every recipe of the registry against this.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

from .bpe import Merges, Pair, encode_ids, encode_ids_simple, merge, whole_characters_ok
from .pretokenize import Pattern, get_pattern
from .registry import Recipe, get_recipe

_CACHE_LIMIT = 200_000  # distinct chunks kept


class ReferenceCore:
    """encode_ordinary for one tokenizer's merges, pattern and byte ids, in pure Python."""

    name = "reference"

    def __init__(self, merges: Merges, pattern: Pattern, byte_ids: Sequence[int]) -> None:
        self.merges = merges
        self.pattern = pattern
        self.byte_ids = list(byte_ids)
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
        """BPE of one pre-split chunk: its UTF-8 bytes (as this model's byte ids) merged in rank order."""
        ids = self._cache.get(chunk)
        if ids is None:
            ids = encode_ids([self.byte_ids[b] for b in chunk.encode("utf-8")], self.merges)
            if len(self._cache) >= _CACHE_LIMIT:
                self._cache.clear()
            self._cache[chunk] = ids
        return ids

    def clear_cache(self) -> None:
        """Forget cached chunks (benchmarks of cold-cache speed)."""
        self._cache.clear()


def train_merges(texts: Iterable[str], n_merges: int, recipe: Recipe | str) -> list[Pair]:
    """The merges `tokenizer.train(texts, recipe=recipe)` learns when it has room for n_merges
    (a vocabulary of 256 bytes + n_merges + the special tokens); fewer if the text runs out of pairs.

    Each stage of the recipe, in order, learns merges until it has its share (`until` of n_merges;
    the last stage all of them) on its own pre-split: the stage's chunks are counted and encoded
    with the merges learned so far, then, one merge at a time, every adjacent pair is counted
    (weighted by how often its chunk occurs, n; in a `damped` stage by the smallest d with d * d >= n)
    and the best allowed pair is merged everywhere. The best pair has the highest count, then the
    smallest (left id, right id). A pair is not allowed if its bytes already form a token, or, in a
    recipe with `whole_characters`, if it would mix part of a character with anything else. The k-th
    merge creates id 256 + k. Before the first stage, each character of the recipe's `seed` becomes a
    token: its UTF-8 bytes joined from the left, a merge per prefix not yet a token (at most n_merges).

    Memory budgets are not part of it (every chunk is counted): compare with corpora below them.
    """
    recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
    texts = list(texts)  # every stage reads them again
    merges: Merges = {}
    vocab = {i: bytes([i]) for i in range(256)}
    known = set(vocab.values())
    for char in recipe.seed:
        data = char.encode("utf-8")
        for k in range(2, len(data) + 1):
            if data[:k] not in known and len(merges) < n_merges:
                left = next(i for i, token in vocab.items() if token == data[: k - 1])
                new_id = 256 + len(merges)
                merges[(left, data[k - 1])] = new_id
                vocab[new_id] = data[:k]
                known.add(data[:k])
    for stage in recipe.stages:
        target = n_merges if stage is recipe.stages[-1] else round(stage.until * n_merges)
        split = get_pattern(stage.pattern).compiled.findall
        chunks = Counter(chunk for text in texts for chunk in split(text))
        if stage.damped:
            chunks = Counter({chunk: next(d for d in range(1, n + 1) if d * d >= n) for chunk, n in chunks.items()})
        words = [(encode_ids_simple(list(chunk.encode("utf-8")), merges), n) for chunk, n in chunks.items()]
        while len(merges) < target:
            counts: Counter[Pair] = Counter()
            for ids, n in words:
                for pair in zip(ids, ids[1:]):
                    counts[pair] += n
            allowed = [
                (-count, pair)
                for pair, count in counts.items()
                if vocab[pair[0]] + vocab[pair[1]] not in known
                and (not recipe.whole_characters or whole_characters_ok(vocab[pair[0]], vocab[pair[1]]))
            ]
            if not allowed:
                break  # no pair left in this stage's chunks: the next stage goes on from here
            _, best = min(allowed)
            new_id = 256 + len(merges)
            merges[best] = new_id
            vocab[new_id] = vocab[best[0]] + vocab[best[1]]
            known.add(vocab[new_id])
            words = [(merge(ids, best, new_id), n) for ids, n in words]
    return list(merges)
