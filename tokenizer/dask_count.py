"""The count stage on a Dask cluster: workers read, split, clean, pre-split and count partitions.

    python -m tokenizer train --input 'hf://datasets/wikimedia/wikipedia/20231101.hi/*.parquet' \\
        --engine dask --scheduler tcp://HOST:8786 --out hi.model

Each task is one Partition of the corpus (a text or jsonl file, or one parquet row group, local or
through fsspec), read on the worker itself, so the client never touches the text. A worker applies
the corpus's SplitRule (the document-level split, by the same hash as everywhere), cleans the train
documents and counts them with tokenizer.count.count_items, the same function the local engine
runs; the client adds the partitions' counts up as they arrive. Budgeted stages are pruned by the
same sampling levels on the workers and on the client, so the counts, and hence the model, equal
the local engine's. Only the merge loop (tokenizer.train) then runs on the client.

Dask is an optional extra (requirements-scale.txt); importing this module does not need it, using
it does. Workers of a remote cluster need this package (same version) and the input's fsspec
protocol (hf:// comes with huggingface_hub) installed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import ExitStack
from typing import TYPE_CHECKING

from .count import BATCH_CHARS, Budget, Job, LevelCounts, StageResult, Totals, count_items, stage_jobs
from .errors import TrainingError
from .processes import batches

if TYPE_CHECKING:
    from .corpus import Corpus, Partition
    from .pretokenize import Pattern


def count_partition(partition: Partition, job: Job, chunk_chars: int) -> tuple[list[StageResult], int]:
    """Worker task: the stage counts of one partition (pruned to the budgets) and its training bytes."""
    results: list[StageResult] = [Counter() if b is None else LevelCounts(b) for b in job.budgets]
    n_bytes = 0
    docs = ((d.id, d.text) for d in partition.documents())
    for batch in batches(docs, lambda item: len(item[1]), chunk_chars):
        levels = tuple(r.min_level if isinstance(r, LevelCounts) else 0 for r in results)
        part, size = count_items(Job(job.regexes, job.budgets, levels, job.split), batch)
        for total, counts in zip(results, part):
            if isinstance(total, LevelCounts):
                total.merge(counts)  # type: ignore[arg-type]
            else:
                total.update(counts)
        n_bytes += size
    return results, n_bytes


def count_stages_dask(
    corpus: Corpus | Iterable[str],
    patterns: Sequence[Pattern | str],
    workers: int | None = None,
    batch_size: int = BATCH_CHARS,
    *,
    budgets: Sequence[Budget | int | None] | None = None,
    scheduler: str | None = None,
    quiet: bool = False,
) -> list[Counter[str]]:
    """tokenizer.count.count_stages of a Corpus, on the Dask cluster at `scheduler` (None: a
    LocalCluster of `workers` single-threaded processes on this machine): the same counts."""
    from .corpus import Corpus

    if not isinstance(corpus, Corpus):
        raise TrainingError(
            "the dask engine reads the corpus on the workers: pass a Corpus (tokenizer.corpus.load_corpus), not texts"
        )
    resolved, regexes, stage_budgets = stage_jobs(patterns, budgets)
    totals = Totals(stage_budgets, quiet)
    try:
        _count_partitions(corpus, Job(regexes, stage_budgets, totals.min_levels(), corpus.split_rule), totals,
                          workers, batch_size, scheduler)  # fmt: skip
    finally:
        totals.progress.close()
    return totals.finish([p.name for p in resolved])


def _count_partitions(
    corpus: Corpus, job: Job, totals: Totals, workers: int | None, batch_size: int, scheduler: str | None
) -> None:
    """Count every partition of `corpus` on the cluster and add the results into `totals`."""
    try:
        from distributed import Client, LocalCluster, as_completed
    except ImportError:
        raise TrainingError(
            "the dask engine needs the optional scale requirements: pip install -r requirements-scale.txt"
        ) from None
    partitions = corpus.read_partitions()
    with ExitStack() as stack:
        if scheduler is None:
            cluster = stack.enter_context(
                LocalCluster(
                    n_workers=workers,
                    threads_per_worker=1,  # the work is pure-Python regex: threads would share one GIL
                    processes=True,
                    host="127.0.0.1",
                    dashboard_address=":0",  # any free port: several clusters may run at once
                )
            )
            client = stack.enter_context(Client(cluster))
        else:
            try:
                client = stack.enter_context(Client(scheduler, timeout="10s"))
            except OSError as e:
                raise TrainingError(f"could not reach the Dask scheduler at {scheduler} ({e})") from None
        # (client.map has a batch_size of its own, hence chunk_chars)
        futures = client.map(count_partition, partitions, job=job, chunk_chars=batch_size, pure=False)
        for future in as_completed(futures):
            totals.add(*future.result())
            future.release()
