"""Counting pre-split chunks at scale: the corpus cut into batches, counted in worker processes.

    from tokenizer.count import count_chunks_parallel, count_stages
    counts = count_chunks_parallel(corpus.train_texts(), "indic", workers=2)   # == count_chunks(...)
    per_stage = count_stages(corpus, ["akshara", "indic-words"], workers=2)   # one pass, two counts

The input is either texts (already cleaned lines) or a Corpus. A Corpus is read (files decoded,
parquet rows decoded) in this process as a stream of documents; the workers decide each document's
split by the same hash as Corpus.train_texts, clean it and pre-split it, so reading is the only
serial step. tokenizer.dask_count instead reads the corpus's partitions on a Dask cluster with the
same Job and LevelCounts, and gives the same counts (tokenizer.train chooses the engine).

Bounded memory. Words repeat (Zipf), so a table of distinct words grows far slower than the
corpus, but it still grows; phrase chunks do not repeat: 94% of them are seen once, so their table
is as large as the corpus. Every stage has a Budget (its pattern's, tokenizer.registry.BUDGETS), and
keeps its counts per
*sampling level*: a line's level is the number of leading zero bits of a hash of its text, so a
share 2**-l of the lines has level >= l. While the kept levels hold more than the budget (characters
of distinct chunks, or of text counted), the lowest level is dropped: the stage is then counted,
exactly, on the deterministic sample of lines with level >= l (a rate of 2**-l, between half the
budget and the budget in size), and lines below the level are not even pre-split. The sample does
not depend on the order, batching or partitioning of the input, so every engine and worker count
gives the same result; below the budgets (the embedded 8 MB corpora use a third of the phrase
budget, a sixth of the word budget, a twentieth of the akshara one) nothing is dropped: the counts
are the whole corpus's.

Memory of counting: at most WORD_BUDGET characters of distinct words, PHRASE_BUDGET of phrase
chunks, the aksharas of at most AKSHARA_BUDGET of text, and `in_flight` batches in flight.

Worker processes (tokenizer.processes) are forked when this process runs no other thread than tqdm's
idle monitor (cheap, and scripts need no `if __name__ == "__main__":` guard); when other threads
exist (`datasets` streaming, HF `tokenizers`' thread pool) they are started by a "forkserver"
instead, because forking a threaded process can deadlock the child. That path re-imports the main
script in the workers, as multiprocessing always does, so a script must then guard its entry point.
Workers die with this process, also when it is killed.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass
from typing import TYPE_CHECKING, Union

from tqdm.auto import tqdm

from .pretokenize import Pattern, _compile, get_pattern
from .processes import batches, usable_cpus, worker_pool
from .registry import DEFAULT_PATTERN, WORD_BUDGET, Budget

if TYPE_CHECKING:
    from .corpus import Corpus, SplitRule

BATCH_CHARS = 1_000_000  # characters per batch: ~1-3 MB of UTF-8, a few hundred ms of regex work


_SALT = b"phrase-sample"  # keys the level hash, so it is independent of the split's hash


def level(data: bytes) -> int:
    """The sampling level of a line's UTF-8 bytes: P(level >= l) = 2**-l, the same in every process."""
    digest = hashlib.blake2b(data, digest_size=8, key=_SALT).digest()
    return 64 - int.from_bytes(digest, "big").bit_length()


class LevelCounts:
    """Chunk counts of one stage, kept per sampling level within a Budget.

    Adding data only ever raises `min_level`, and levels are dropped whole, so the final sample is
    the same however the data is cut up and in whatever order the pieces are added.
    """

    def __init__(self, budget: Budget, min_level: int = 0) -> None:
        self.budget = budget
        self.min_level = min_level
        self.levels: dict[int, Counter[str]] = {}
        self.sizes: dict[int, int] = {}  # characters of each level: its distinct chunks, or its text

    def add(self, lvl: int, counts: Counter[str], text_chars: int) -> None:
        """Add the counts of lines of level `lvl`, `text_chars` characters of text (takes ownership of `counts`)."""
        if lvl < self.min_level:
            return
        if self.budget.of == "text":
            self.sizes[lvl] = self.sizes.get(lvl, 0) + text_chars
            if lvl in self.levels:
                self.levels[lvl].update(counts)
            else:
                self.levels[lvl] = counts
            return
        kept = self.levels.get(lvl)
        if kept is None:
            self.levels[lvl] = counts
            self.sizes[lvl] = sum(map(len, counts))
            return
        grown = 0
        get = kept.get
        for chunk, n in counts.items():
            old = get(chunk)
            if old is None:
                grown += len(chunk)
                kept[chunk] = n
            else:
                kept[chunk] = old + n
        self.sizes[lvl] += grown

    def merge(self, other: LevelCounts) -> None:
        self.min_level = max(self.min_level, other.min_level)
        for lvl, counts in other.levels.items():
            self.add(lvl, counts, other.sizes[lvl])
        self.prune()

    def prune(self) -> None:
        """Drop the levels below min_level (a merged piece may have raised it), then the lowest
        levels until the kept ones fit the budget."""
        for lvl in [k for k in self.levels if k < self.min_level]:
            del self.levels[lvl], self.sizes[lvl]
        total = sum(self.sizes.values())
        while total > self.budget.chars:
            if self.min_level in self.levels:
                del self.levels[self.min_level]
                total -= self.sizes.pop(self.min_level)
            self.min_level += 1

    def total(self) -> SampledCounter:
        self.prune()
        out = SampledCounter()
        out.sample_level = self.min_level
        for lvl in sorted(self.levels, reverse=True):
            out.update(self.levels.pop(lvl))
        self.sizes.clear()
        return out


class SampledCounter(Counter):
    """Counts taken on the lines of sampling level >= sample_level (0: every line)."""

    sample_level: int = 0


StageResult = Union[Counter, LevelCounts]


@dataclass(frozen=True)
class Job:
    """What a worker needs to count a batch: picklable, sent with every batch."""

    regexes: tuple[str, ...]
    budgets: tuple[Budget | None, ...]
    min_levels: tuple[int, ...]
    split: SplitRule | None = None  # documents to split and clean; None: the items are clean texts


def count_items(job: Job, items: Sequence) -> tuple[list[StageResult], int]:
    """Worker: the chunk counts of a batch under each regex, and the UTF-8 size of its training text.

    Items are texts, or (document id, raw text) pairs when job.split is set.
    """
    finders = [_compile(r).findall for r in job.regexes]
    plain: list[Counter[str]] = [Counter() for _ in job.regexes]
    by_level: list[dict[int, Counter[str]]] = [{} for _ in job.regexes]
    level_chars: list[Counter[int]] = [Counter() for _ in job.regexes]
    sampled = [b is not None for b in job.budgets]
    n_bytes = 0
    for item in items:
        for text in (item,) if job.split is None else job.split.training_lines(*item):
            data = text.encode("utf-8", "surrogatepass")
            n_bytes += len(data)
            lvl = level(data) if any(sampled) else 0
            for k, findall in enumerate(finders):
                if not sampled[k]:
                    plain[k].update(findall(text))
                elif lvl >= job.min_levels[k]:  # lines below it are dropped anyway: skip their regex work
                    counts = by_level[k].get(lvl)
                    if counts is None:
                        counts = by_level[k][lvl] = Counter()
                    counts.update(findall(text))
                    level_chars[k][lvl] += len(text)
    results: list[StageResult] = []
    for k, budget in enumerate(job.budgets):
        if budget is None:
            results.append(plain[k])
            continue
        counts = LevelCounts(budget, job.min_levels[k])
        for lvl, c in by_level[k].items():
            counts.add(lvl, c, level_chars[k][lvl])
        counts.prune()
        results.append(counts)
    return results, n_bytes


class Totals:
    """The running totals of every stage; prune after each batch so memory stays within budget."""

    def __init__(self, budgets: Sequence[Budget | None], quiet: bool) -> None:
        self.budgets = budgets
        self.quiet = quiet
        self.results: list[StageResult] = [Counter() if b is None else LevelCounts(b) for b in budgets]
        self.progress = tqdm(desc="counting chunks", unit="B", unit_scale=True, unit_divisor=1000, disable=quiet)

    def min_levels(self) -> tuple[int, ...]:
        return tuple(r.min_level if isinstance(r, LevelCounts) else 0 for r in self.results)

    def add(self, results: list[StageResult], n_bytes: int) -> None:
        for total, part in zip(self.results, results):
            if isinstance(total, LevelCounts):
                total.merge(part)  # type: ignore[arg-type]
            else:
                total.update(part)
        self.progress.update(n_bytes)

    def finish(self, names: Sequence[str]) -> list[Counter[str]]:
        self.progress.close()
        out: list[Counter[str]] = []
        for name, budget, r in zip(names, self.budgets, self.results):
            if isinstance(r, LevelCounts):
                r = r.total()
                if r.sample_level and not self.quiet:
                    tqdm.write(
                        f"{name}: {len(r):,} distinct chunks counted on the 1/{2**r.sample_level:,} sample of "
                        f"lines (level >= {r.sample_level}) that fits the budget of {budget.chars:,} characters "
                        f"of {'distinct chunks' if budget.of == 'distinct' else 'text'}",
                        file=sys.stderr,  # stdout may be the CLI's JSON summary
                    )
            out.append(r)
        return out


def count_chunks_parallel(
    texts: Iterable[str],
    pattern: Pattern | str = DEFAULT_PATTERN,
    workers: int | None = None,
    batch_size: int = BATCH_CHARS,
    *,
    in_flight: int | None = None,
    quiet: bool = False,
) -> Counter[str]:
    """Pre-split every text and count the distinct chunks, in `workers` processes (default: all cores).

    Equal to `tokenizer.train.count_chunks(texts, pattern)` (no budget: every chunk is counted).
    """
    return count_stages(texts, [pattern], workers, batch_size, budgets=[None], in_flight=in_flight, quiet=quiet)[0]


def resolve_budgets(
    patterns: Sequence[Pattern], budgets: Sequence[Budget | int | None] | None
) -> tuple[Budget | None, ...]:
    """One budget per pattern: the given ones (an int is characters of distinct chunks; None: no
    budget), else each pattern's own (the word budget for a pattern that is not the registry's)."""
    if budgets is None:
        return tuple(p.budget or WORD_BUDGET for p in patterns)
    if len(budgets) != len(patterns):
        raise ValueError(f"got {len(budgets)} budgets for {len(patterns)} patterns")
    out = tuple(Budget(b) if isinstance(b, int) else b for b in budgets)
    for b in out:
        if b is not None and (b.chars < 1 or b.of not in ("distinct", "text")):
            raise ValueError(f"a budget needs at least 1 character of 'distinct' or 'text', got {b}")
    return out


def stage_jobs(
    patterns: Sequence[Pattern | str], budgets: Sequence[Budget | int | None] | None
) -> tuple[list[Pattern], tuple[str, ...], tuple[Budget | None, ...]]:
    """(the patterns, their regexes, one budget per stage) for counting `patterns` (see resolve_budgets)."""
    resolved = [get_pattern(p) if isinstance(p, str) else p for p in patterns]
    return resolved, tuple(p.regex for p in resolved), resolve_budgets(resolved, budgets)


def count_stages(
    source: Iterable[str] | Corpus,
    patterns: Sequence[Pattern | str],
    workers: int | None = None,
    batch_size: int = BATCH_CHARS,
    *,
    budgets: Sequence[Budget | int | None] | None = None,
    in_flight: int | None = None,
    quiet: bool = False,
) -> list[Counter[str]]:
    """The chunk counts of the training text under each pattern, reading the source once.

    `source`: cleaned texts, or a Corpus (its train split is cleaned in the workers). `workers`
    processes (default: all usable CPUs; 1 counts in this process); `batch_size` is in characters;
    `budgets` (default: each pattern's) caps what each stage keeps (see Budget), None = no cap;
    `in_flight` (default 2 x workers) bounds the batches held in memory at once. A progress bar
    shows the megabytes counted unless `quiet`.
    """
    from .corpus import Corpus

    resolved, regexes, stage_budgets = stage_jobs(patterns, budgets)
    if workers is not None and workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    workers = usable_cpus() if workers is None else workers
    if isinstance(source, Corpus):
        split: SplitRule | None = source.split_rule
        items: Iterable = ((d.id, d.text) for d in source.read())
        size_of: Callable = lambda item: len(item[1])  # noqa: E731
    else:
        split, items, size_of = None, source, len
    in_flight = max(1, in_flight if in_flight is not None else 2 * workers)
    totals = Totals(stage_budgets, quiet)

    def job() -> Job:
        return Job(regexes, stage_budgets, totals.min_levels(), split)

    try:
        if workers == 1:
            for batch in batches(items, size_of, batch_size):
                totals.add(*count_items(job(), batch))
        else:
            with worker_pool(workers) as pool:
                pending: set[Future] = set()
                try:
                    for batch in batches(items, size_of, batch_size):
                        if len(pending) >= in_flight:
                            done, pending = wait(pending, return_when=FIRST_COMPLETED)
                            for future in done:
                                totals.add(*future.result())
                        pending.add(pool.submit(count_items, job(), batch))
                    for future in wait(pending)[0]:
                        totals.add(*future.result())
                    pending = set()
                except BaseException:
                    for future in pending:
                        future.cancel()
                    raise
    finally:
        totals.progress.close()
    return totals.finish([p.name for p in resolved])
