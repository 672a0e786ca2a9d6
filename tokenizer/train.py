"""Training: count pre-split chunks once, then learn merges incrementally, stage by stage.

The corpus is read once, as a stream, into counts of distinct chunks (memory grows with the
number of distinct chunks, not with the corpus). Each merge then touches only the chunks that
contain the merged pair: a merge at position i changes just the pairs (left, a), (a, b) and
(b, right) around it. A lazy max-heap yields the most frequent pair.

Where the time goes, and what keeps it down: each stage re-encodes its distinct chunks with the
merges so far, done by tiktoken's compiled merge loop (core.piece_encoder; exact for merges this
trainer learns, see there); the first pair counts of a stage are grouped with numpy; the merge
loop keys pairs by one int and edits the chunks in place. The merges are exactly those of the
brute-force specification, `tokenizer.reference.train_merges` (and of the trainer before these changes).

A recipe (tokenizer.registry.RECIPES) trains in stages, each with its own pre-split, from fine to
coarse (a curriculum): the shipped models first spend ~10% of the merges inside single aksharas,
then learn words, then phrases of same-script words. Without a recipe, training uses the recipe of
the language its text is written in (registry.detect on the first texts). Each stage starts from its chunks encoded with the merges
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

A recipe's `seed` characters are whole tokens before the first stage (bpe.character_merges): the
merges BPE would learn first for a character it sees, and for one it never sees, one token instead
of two or three bytes in the text that writes it.
"""

from __future__ import annotations

import heapq
import math
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import TYPE_CHECKING

from tqdm.auto import tqdm

from .bpe import Merges, Pair, build_vocab, character_merges, encode_ids, whole_characters_ok
from .core import piece_encoder, tiktoken_exact
from .encoding import ENDOFTEXT, Tokenizer, check_saveable
from .errors import TrainingError, UnencodableTextError
from .pretokenize import Pattern, get_pattern
from .registry import DEFAULT_PATTERN, PLAIN_BPE, Recipe, Stage, detect, get_recipe

if TYPE_CHECKING:
    import numpy as np
    from .corpus import Corpus

VOCAB_CAP = 5000  # the project's hard cap on the total vocabulary (bytes + merges + specials)
ENGINES = ("local", "dask")  # where chunks are counted: tokenizer.count or tokenizer.dask_count


def count_chunks(texts: Iterable[str], pattern: Pattern | str = DEFAULT_PATTERN) -> Counter[str]:
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


def learn_merges(
    chunk_counts: dict[str, int],
    n_merges: int,
    *,
    merges: Merges | None = None,
    whole_characters: bool = False,
    quiet: bool = False,
) -> list[Pair]:
    """Learn up to n_merges new merges from chunk counts, on top of `merges` (applied first).

    The k-th new merge creates id 256 + len(merges) + k. Merges that this trainer did not learn
    (a token whose bytes encode to something else) are applied with the Python loop instead.
    """
    merges = merges or {}
    vocab = build_vocab(sorted(merges.items(), key=lambda kv: kv[1]))
    encode = piece_encoder(vocab) if tiktoken_exact(vocab, merges, range(256)) is None else None
    return _learn(chunk_counts, n_merges, vocab, merges, encode, whole_characters, quiet, None)


# A pair (left, right) is the int left << SHIFT | right: hashing and comparing one int is cheaper
# than a tuple, and the order of keys is the order of (left, right) tuples, so ties still go to
# the smallest pair. Ids stay below 2**SHIFT (a vocabulary of a million is far above any cap).
SHIFT = 20
LOW = (1 << SHIFT) - 1


def _learn(
    chunk_counts: dict[str, int],
    n_merges: int,
    vocab: dict[int, bytes],
    merges: Merges,
    encode: Callable[[bytes], list[int]] | None,
    whole_characters: bool,
    quiet: bool,
    tick: Callable[[list[Pair]], None] | None,
) -> list[Pair]:
    """The merge loop; `encode` is an exact compiled chunk encoder, or None for the Python one.

    tick(learned) is called often: every few thousand chunks encoded and after every merge (an
    exception from it stops training at once).
    """
    if len(vocab) + n_merges > 1 << SHIFT:
        raise TrainingError(f"at most {1 << SHIFT:,} ids can be trained, asked for {len(vocab) + n_merges:,}")
    words: list[list[int]] = []
    freqs: list[int] = []
    for n, (chunk, freq) in enumerate(chunk_counts.items()):
        if tick is not None and not n % 4096:
            tick([])
        try:
            data = chunk.encode("utf-8")
        except UnicodeEncodeError as e:
            raise UnencodableTextError(
                f"the training text contains a lone surrogate (U+{ord(chunk[e.start]):04X}, in the chunk "
                f"{chunk[:40]!r}), which UTF-8 cannot encode: remove it, or decode the text with errors='replace'"
            ) from None
        if len(data) > 1:
            ids = encode(data) if encode is not None else encode_ids(list(data), merges)
            if len(ids) > 1:
                words.append(ids)
                freqs.append(freq)

    counts, where = _pair_index(words, freqs)
    get = counts.get
    heap = [(-c, key) for key, c in counts.items()]
    heapq.heapify(heap)

    token_bytes = [vocab[i] for i in range(len(vocab))]
    known = set(token_bytes)
    learned: list[Pair] = []
    progress = tqdm(total=n_merges, disable=quiet, unit="merge", desc="merges")
    while len(learned) < n_merges and heap:
        neg, key = heapq.heappop(heap)
        current = get(key, 0)
        if current <= 0:
            continue
        if -neg != current:  # stale entry: counts only fall for old pairs, so re-queue and retry
            heapq.heappush(heap, (-current, key))
            continue
        a, b = key >> SHIFT, key & LOW
        left, right = token_bytes[a], token_bytes[b]
        if left + right in known or (whole_characters and not whole_characters_ok(left, right)):
            del counts[key]  # never merged: a duplicate token, or a part of a character mixed in
            continue
        new_id = len(token_bytes)
        token_bytes.append(left + right)
        known.add(left + right)
        learned.append((a, b))
        _apply_merge(a, b, new_id, words, freqs, counts, where, heap)
        progress.update(1)
        if tick is not None:
            tick(learned)
    progress.close()
    return learned


class _Where:
    """Pair -> the words that have it (each once; some may have lost it since), as `dict.pop`.

    The first pairs of a stage, hundreds of thousands, are kept in numpy arrays (pair keys sorted,
    and the words of each key in one flat array) and only the few thousand merged are ever turned
    into lists; pairs a merge creates are kept in a dict.
    """

    def __init__(self, keys: np.ndarray, offsets: np.ndarray, word_ids: np.ndarray) -> None:
        self.keys, self.offsets, self.word_ids = keys, offsets, word_ids
        self.new: dict[int, list[int]] = {}

    def pop(self, key: int) -> list[int]:
        found = self.new.pop(key, None)
        if found is not None:
            return found
        j = int(self.keys.searchsorted(key))
        return self.word_ids[self.offsets[j] : self.offsets[j + 1]].tolist()

    def update(self, new: dict[int, list[int]]) -> None:
        self.new.update(new)


def _pair_index(words: list[list[int]], freqs: list[int]) -> tuple[dict[int, int], _Where]:
    """The count of every adjacent pair (weighted by word frequency), and the words that have it.

    Vectorised: the words are laid end to end, pairs that would cross from one word into the next
    are dropped, and a stable sort groups the rest by pair. (numpy is imported here, not with the
    module: `import tokenizer` for encoding alone should not pay for it.)
    """
    import numpy as np

    if not words:
        empty = np.zeros(0, dtype=np.int64)
        return {}, _Where(empty, np.zeros(1, dtype=np.int64), empty)
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    flat = np.fromiter(chain.from_iterable(words), dtype=np.int64, count=int(lengths.sum()))
    inside = np.ones(len(flat) - 1, dtype=bool)
    inside[np.cumsum(lengths)[:-1] - 1] = False  # from the last id of a word to the first of the next
    keys = ((flat[:-1] << SHIFT) | flat[1:])[inside]
    word_of = np.repeat(np.arange(len(words), dtype=np.int64), lengths - 1)
    order = np.argsort(keys, kind="stable")  # grouped by pair; words stay ascending in a group
    keys, word_of = keys[order], word_of[order]
    first = np.ones(len(keys), dtype=bool)  # the first entry of each pair
    first[1:] = keys[1:] != keys[:-1]
    starts = np.flatnonzero(first)
    unique = keys[starts]
    totals = np.add.reduceat(np.asarray(freqs, dtype=np.int64)[word_of], starts)
    keep = first.copy()  # each (pair, word) once
    keep[1:] |= word_of[1:] != word_of[:-1]
    offsets = np.append((np.cumsum(keep) - keep)[starts], keep.sum())
    where = _Where(unique, offsets, word_of[keep])
    return dict(zip(unique.tolist(), totals.tolist(), strict=True)), where


def _apply_merge(
    a: int,
    b: int,
    new_id: int,
    words: list[list[int]],
    freqs: list[int],
    counts: dict[int, int],
    where: _Where,
    heap: list,
) -> None:
    """Merge (a, b) in place in every word that has it, updating only the pair counts around each
    merge: (left, a) and (b, right) lose the word's count, (left, new) and (new, right) gain it.

    Pairs that gain all contain new_id, so they are new: their word lists start empty and get each
    word once (a word's occurrences are visited together), and they go on the heap once, at the
    end. Counts that fall to 0 stay in `counts` (the heap skips them); rejected pairs, deleted from
    `counts`, stay deleted.
    """
    key = a << SHIFT | b
    new_where: dict[int, list[int]] = {}
    get, nget = counts.get, new_where.get
    b_left, new_left = b << SHIFT, new_id << SHIFT
    for w in where.pop(key):
        ids = words[w]
        todo = ids.count(a)  # the a's left to look at: no exception to end the scan (they are slow)
        if not todo:
            continue  # a stale entry: an earlier merge took the pair away from this word
        freq = freqs[w]
        i = 0
        while todo:
            i = ids.index(a, i)
            todo -= 1
            if i + 1 == len(ids) or ids[i + 1] != b:
                i += 1
                continue
            if a == b:
                todo -= 1  # the right half was one of the a's
            if i:  # the left neighbour may itself be new_id from the previous merge here
                left = ids[i - 1] << SHIFT
                c = get(left | a)
                if c is not None:
                    counts[left | a] = c - freq
                k = left | new_id
                counts[k] = get(k, 0) + freq
                ws = nget(k)
                if ws is None:
                    new_where[k] = [w]
                elif ws[-1] != w:
                    ws.append(w)
            if i + 2 < len(ids):
                right = ids[i + 2]
                c = get(b_left | right)
                if c is not None:
                    counts[b_left | right] = c - freq
                k = new_left | right
                counts[k] = get(k, 0) + freq
                ws = nget(k)
                if ws is None:
                    new_where[k] = [w]
                elif ws[-1] != w:
                    ws.append(w)
            ids[i] = new_id
            del ids[i + 1]
            i += 1
    counts.pop(key, None)
    for k in new_where:
        c = counts[k]
        if c > 0:
            heapq.heappush(heap, (-c, k))
    where.update(new_where)


@dataclass(frozen=True)
class TrainProgress:
    """Where a training run is, as given to train()'s `progress` callback."""

    done: int  # merges learned so far, all stages together
    total: int  # merges this run will learn (lowered to `done` at the end if the corpus ran out)
    stage: str  # pattern name of the stage running now ("" while the corpus is read and counted)
    merges: tuple[Pair, ...]  # merges learned so far, in rank order (id 256 + k for the k-th)
    elapsed: float  # seconds since train() started


PROGRESS_EVERY = 0.1  # seconds between two progress calls (besides those at stage boundaries)


class _Reporter:
    """Calls `progress` at most every PROGRESS_EVERY seconds, and whenever forced."""

    def __init__(self, progress: Callable[[TrainProgress], None], total: int) -> None:
        self.progress, self.total = progress, total
        self.start = self.last = time.perf_counter()
        self.stage = ""
        self.merges: tuple[Pair, ...] = ()  # those of the stages before this one

    def __call__(self, learned: Sequence[Pair] = (), force: bool = False) -> None:
        now = time.perf_counter()
        if force or now - self.last >= PROGRESS_EVERY:
            self.last = now
            merges = self.merges + tuple(learned)
            self.progress(TrainProgress(len(merges), self.total, self.stage, merges, now - self.start))

    def reading(self, texts: Iterable[str]) -> Iterator[str]:
        """The texts, reporting while they are read: a callback can stop training during counting."""
        for text in texts:
            self()
            yield text


DETECT_CHARS = 20_000  # characters of the first texts that decide the language (and so the recipe)


def recipe_for(texts: Iterable[str] | Corpus) -> tuple[Recipe, Iterable[str] | Corpus]:
    """The recipe of the language the first texts are written in (registry.detect), and the texts
    to train on (the same texts: those read to decide are put back in front)."""
    from .corpus import Corpus

    head: list[str] = []
    size = 0
    source = (doc.text for doc in texts.read()) if isinstance(texts, Corpus) else iter(texts)
    for text in source:
        head.append(text)
        size += len(text)
        if size >= DETECT_CHARS:
            break
    language, _ = detect("\n".join(head)[:DETECT_CHARS])
    return get_recipe(language.recipe), texts if isinstance(texts, Corpus) else chain(head, source)
def count_by_engine(
    source: Iterable[str] | Corpus,
    patterns: Sequence[Pattern | str],
    workers: int | None = None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
    quiet: bool = False,
) -> list[Counter[str]]:
    """The chunk counts of every stage, by the engine asked for: local processes
    (tokenizer.count) or a Dask cluster at `scheduler` (tokenizer.dask_count); the same counts."""
    if engine not in ENGINES:
        raise TrainingError(f"unknown counting engine {engine!r}; known: {', '.join(ENGINES)}")
    if engine == "dask":
        from .dask_count import count_stages_dask

        return count_stages_dask(source, patterns, workers, scheduler=scheduler, quiet=quiet)
    if scheduler is not None:
        raise TrainingError("a scheduler address needs engine='dask'")
    from .count import count_stages

    return count_stages(source, patterns, workers, quiet=quiet)


def damp(counts: Counter[str]) -> Counter[str]:
    """Each chunk counted ceil(sqrt(occurrences)) times (a damped stage, registry.Stage)."""
    return Counter({chunk: math.isqrt(n - 1) + 1 for chunk, n in counts.items()})


def train(
    texts: Iterable[str] | Corpus,
    vocab_size: int = VOCAB_CAP,
    *,
    recipe: Recipe | str | None = None,
    pattern: Pattern | str | None = None,
    special_tokens: Iterable[str] = (ENDOFTEXT,),
    allow_over_cap: bool = False,
    quiet: bool = False,
    name: str = "",
    workers: int = 1,
    progress: Callable[[TrainProgress], None] | None = None,
    engine: str = "local",
    scheduler: str | None = None,
) -> Tokenizer:
    """Train a tokenizer of at most vocab_size ids in total (bytes + merges + specials).

    `recipe` names the training stages (tokenizer.registry.RECIPES; default: the recipe of the
    language the first texts are written in, see `recipe_for`); giving `pattern` instead trains
    plain BPE in one stage on that pre-split. The texts are read once; `workers` > 1 pre-splits and counts
    them in that many processes (tokenizer.count) with the same result. `texts` may be a Corpus, whose
    training split is then cleaned in the workers; `engine` "dask" counts a Corpus on a Dask
    cluster (`scheduler` address, default a LocalCluster of `workers`), again with the same result.

    `progress` (no progress bars then) is called about every 0.1 s while the texts are read and
    merges are learned, at the start and end of every stage, and last with done == total. An
    exception it raises propagates unchanged: that is how a caller cancels a training.
    """
    from .corpus import Corpus

    if isinstance(texts, (str, bytes)):  # an iterable too, of single characters: never what was meant
        raise TrainingError(
            f"train() takes an iterable of texts (a list of lines, a file object, a Corpus), not one "
            f"{type(texts).__name__}; pass [text] to train on a single text"
        )
    if isinstance(special_tokens, str):
        raise TrainingError(f"special_tokens is an iterable of strings, not one str; pass [{special_tokens!r}]")
    specials = list(dict.fromkeys(special_tokens))
    check_saveable(name, specials)
    recipe_name = recipe.name if isinstance(recipe, Recipe) else recipe
    if pattern is not None and recipe_name not in (None, PLAIN_BPE):  # the pattern would silently win
        raise TrainingError(
            f"a pattern trains plain BPE in one stage on it, so it cannot be combined with the recipe "
            f"{recipe_name!r}: give one of them (or recipe={PLAIN_BPE!r} with the pattern)"
        )
    n_merges = check_vocab_size(vocab_size, len(specials), allow_over_cap)
    report = _Reporter(progress, n_merges) if progress is not None else None
    quiet = quiet or report is not None
    if report is not None and not isinstance(texts, Corpus):  # a Corpus is read in the workers
        texts = report.reading(texts)
    if pattern is not None:
        recipe = Recipe(PLAIN_BPE, "", (Stage("", 1.0),), False, "one stage")
        patterns = [get_pattern(pattern) if isinstance(pattern, str) else pattern]
    else:
        if recipe is None:
            recipe, texts = recipe_for(texts)
        recipe = get_recipe(recipe) if isinstance(recipe, str) else recipe
        patterns = [get_pattern(s.pattern) for s in recipe.stages]
    stage_counts: list[Counter[str] | None] = list(
        count_by_engine(texts, patterns, workers, engine=engine, scheduler=scheduler, quiet=quiet)
    )
    if not stage_counts[-1]:
        raise TrainingError("the training corpus is empty: no text to learn merges from")
    merges: Merges = character_merges(recipe.seed, n_merges)  # whole tokens before any counting (Recipe.seed)
    for i, (stage, pat) in enumerate(zip(recipe.stages, patterns, strict=True)):
        counts, stage_counts[i] = stage_counts[i], None  # freed after its stage: a lower peak RSS
        if stage.damped:
            counts = damp(counts)
        target = round(stage.until * n_merges) if stage is not recipe.stages[-1] else n_merges
        if report is not None:
            report.stage, report.merges = pat.name, tuple(merges)
            report(force=True)
        vocab = build_vocab(sorted(merges.items(), key=lambda kv: kv[1]))
        pairs = _learn(
            counts, target - len(merges), vocab, merges, piece_encoder(vocab), recipe.whole_characters, quiet, report
        )
        del counts
        for pair in pairs:
            merges[pair] = 256 + len(merges)
        if report is not None:
            if stage is recipe.stages[-1]:
                report.total = len(merges)  # the corpus may have run out of pairs before n_merges
            report.merges = tuple(merges)
            report(force=True)
    first_special = 256 + len(merges)
    return Tokenizer(merges, patterns[-1], {s: first_special + i for i, s in enumerate(specials)}, name=name)
