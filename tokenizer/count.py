"""Counting pre-split chunks at scale: the training corpus cut into batches, counted in a process pool.

    from tokenizer.count import count_chunks_parallel
    counts = count_chunks_parallel(corpus.train_texts(), "indic", workers=2)   # == count_chunks(...)
    per_stage = count_stages(corpus.train_texts(), ["akshara", "indic-words"])  # one pass, two counts

The texts are read (and cleaned) in this process, which is a stream: Wikipedia through `datasets`
streaming, or local files. They are grouped into batches of about `batch_size` characters; each
worker process pre-splits a batch with the pattern and returns the Counter of its chunks; this
process adds the Counters up. Memory stays bounded: at most `in_flight` batches are queued or being
counted at any time (reading pauses until one comes back), and the total is one entry per
distinct chunk, which grows far slower than the corpus (Zipf).

Worker processes are forked when this process runs no other thread than tqdm's idle monitor (cheap, and scripts need no
`if __name__ == "__main__":` guard); when other threads exist (`datasets` streaming, HF
`tokenizers`' thread pool) they are started by a "forkserver" instead, because forking a threaded
process can deadlock the child. That path re-imports the main script in the workers, as
multiprocessing always does, so a script must then guard its entry point.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait

from tqdm._monitor import TMonitor
from tqdm.auto import tqdm

from .pretokenize import Pattern, _compile, get_pattern

BATCH_CHARS = 1_000_000  # characters per batch: ~1-3 MB of UTF-8, a few hundred ms of regex work


def _count_batch(regexes: tuple[str, ...], texts: list[str]) -> tuple[list[Counter[str]], int]:
    """Worker: the chunk counts of a batch of texts under each regex, and the batch's UTF-8 size."""
    finders = [_compile(r).findall for r in regexes]
    counts: list[Counter[str]] = [Counter() for _ in regexes]
    n_bytes = 0
    for text in texts:
        for findall, c in zip(finders, counts):
            c.update(findall(text))
        n_bytes += len(text.encode("utf-8", "surrogatepass"))
    return counts, n_bytes


def _batches(texts: Iterable[str], batch_size: int) -> Iterator[list[str]]:
    batch: list[str] = []
    size = 0
    for text in texts:
        batch.append(text)
        size += len(text)
        if size >= batch_size:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _other_threads() -> int | None:
    """Threads of this process besides the main one and tqdm's idle monitor, counting those Python does
    not know about (Rust, C); None if the OS does not tell."""
    try:
        n = len(os.listdir("/proc/self/task"))
    except OSError:
        return None
    return n - 1 - sum(isinstance(t, TMonitor) for t in threading.enumerate())


def _context() -> multiprocessing.context.BaseContext:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _other_threads() == 0:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def count_chunks_parallel(
    texts: Iterable[str],
    pattern: Pattern | str = "indic",
    workers: int | None = None,
    batch_size: int = BATCH_CHARS,
    *,
    in_flight: int | None = None,
    quiet: bool = False,
) -> Counter[str]:
    """Pre-split every text and count the distinct chunks, in `workers` processes (default: all cores).

    Equal to `tokenizer.train.count_chunks(texts, pattern)`.
    """
    return count_stages(texts, [pattern], workers, batch_size, in_flight=in_flight, quiet=quiet)[0]


def count_stages(
    texts: Iterable[str],
    patterns: Sequence[Pattern | str],
    workers: int | None = None,
    batch_size: int = BATCH_CHARS,
    *,
    in_flight: int | None = None,
    quiet: bool = False,
) -> list[Counter[str]]:
    """The chunk counts of every text under each pattern, reading the texts once.

    `workers` processes (default: all cores; 1 counts in this process); `batch_size` is in
    characters; `in_flight` (default 2 x workers) bounds the batches held in memory at once. A
    progress bar shows the megabytes counted unless `quiet`.
    """
    regexes = tuple((get_pattern(p) if isinstance(p, str) else p).regex for p in patterns)
    workers = (os.cpu_count() or 1) if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be at least 1, got {workers}")
    if batch_size < 1:
        raise ValueError(f"batch_size must be at least 1, got {batch_size}")
    in_flight = max(1, in_flight if in_flight is not None else 2 * workers)
    progress = tqdm(desc="counting chunks", unit="B", unit_scale=True, unit_divisor=1000, disable=quiet)
    totals: list[Counter[str]] = [Counter() for _ in regexes]

    def add(counts: list[Counter[str]], n_bytes: int) -> None:
        for total, c in zip(totals, counts):
            total.update(c)
        progress.update(n_bytes)

    try:
        if workers == 1:
            for batch in _batches(texts, batch_size):
                add(*_count_batch(regexes, batch))
            return totals
        with ProcessPoolExecutor(max_workers=workers, mp_context=_context()) as pool:
            pending: set[Future] = set()
            try:
                for batch in _batches(texts, batch_size):
                    if len(pending) >= in_flight:
                        done, pending = wait(pending, return_when=FIRST_COMPLETED)
                        for future in done:
                            add(*future.result())
                    pending.add(pool.submit(_count_batch, regexes, batch))
                for future in wait(pending)[0]:
                    add(*future.result())
                pending = set()
            except BaseException:
                for future in pending:
                    future.cancel()
                raise
        return totals
    finally:
        progress.close()
