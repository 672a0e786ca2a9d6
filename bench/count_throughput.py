"""Chunk-counting throughput on the Wikipedia code path: MB of text counted per second, and peak memory.

A local parquet shaped like `wikimedia/wikipedia` (columns id, url, title, text; one article =
25 lines of the embedded corpus data/{lang}.txt.gz, the corpus repeated to about --mb MB) is read
exactly as `--source wikipedia` reads the Hub: `datasets.load_dataset(..., streaming=True)` ->
`corpus.stream_rows` -> `Corpus.train_texts()` (document split + cleaning), then counted by
`tokenizer.count.count_chunks_parallel` with each --workers value. "read only" streams and cleans
without counting: the ceiling that reading in one process puts on any number of workers.

Each configuration runs in a fresh process, so its peak RSS is its own; for workers > 1 the peak
of the largest worker process is reported too.

Run from the repository root:
    python -m bench.count_throughput                  # ~50 MB, workers 1 and 2 -> bench/results/count_throughput.json
    python -m bench.count_throughput --mb 10 --workers 1 2 --lang kn
"""

from __future__ import annotations

import gzip
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from . import common

LINES_PER_DOC = 25


def write_parquet(lang: str, path: Path, target_mb: float) -> tuple[int, int]:
    """The embedded corpus as Wikipedia-shaped rows, repeated to about target_mb MB; (rows, text bytes)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    with gzip.open(common.ROOT / "data" / f"{lang}.txt.gz", "rt", encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f if line.strip()]
    docs = ["\n".join(lines[k : k + LINES_PER_DOC]) for k in range(0, len(lines), LINES_PER_DOC)]
    size = sum(len(d.encode("utf-8")) for d in docs)
    repeats = max(1, round(target_mb * 1e6 / size))
    schema = pa.schema([("id", pa.string()), ("url", pa.string()), ("title", pa.string()), ("text", pa.string())])
    n = 0
    with pq.ParquetWriter(path, schema) as writer:
        for r in range(repeats):
            ids = [str(n + i) for i in range(len(docs))]
            writer.write_table(
                pa.table(
                    {
                        "id": ids,  # new ids each repeat, so the document split differs between copies
                        "url": [f"https://{lang}.wikipedia.org/wiki?curid={i}" for i in ids],
                        "title": [d.split("\n", 1)[0][:60] for d in docs],
                        "text": docs,
                    },
                    schema=schema,
                ),
                row_group_size=500,
            )
            n += len(docs)
    return n, size * repeats


def run_one(parquet: str, workers: int) -> dict:
    """One configuration, in this (fresh) process; workers 0 = read only."""
    from tokenizer.corpus import load_corpus
    from tokenizer.count import count_chunks_parallel

    corpus = load_corpus(None, [parquet])
    n_bytes = 0

    def texts():
        nonlocal n_bytes
        for text in corpus.train_texts():
            n_bytes += len(text.encode("utf-8"))
            yield text

    start = time.perf_counter()
    distinct = None
    if workers == 0:
        for _ in texts():
            pass
    else:
        distinct = len(count_chunks_parallel(texts(), "indic", workers, quiet=True))
    seconds = time.perf_counter() - start
    return {
        "workers": workers,
        "MB": round(n_bytes / 1e6, 2),
        "seconds": round(seconds, 2),
        "MB/s": round(n_bytes / 1e6 / seconds, 2),
        "distinct chunks": distinct,
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "worker peak RSS MB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1) if workers > 1 else None,
    }


def main() -> None:
    p = common.parser(__doc__)
    p.set_defaults(lang=["hi"])
    p.add_argument("--mb", type=float, default=50.0, help="approximate size of the parquet's text (default: %(default)s)")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (default: 1 2)")
    p.add_argument("--repeats", type=int, default=2, help="runs per configuration; the fastest is kept (default: 2)")
    p.add_argument("--run", nargs=2, metavar=("PARQUET", "WORKERS"), help=argparse_hidden())
    args = p.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run[0], int(args.run[1]))))
        return

    common.report_load()
    rows = []
    with tempfile.TemporaryDirectory(prefix="count-throughput-") as tmp:
        for lang in args.lang:
            path = Path(tmp) / f"{lang}-train-00000-of-00001.parquet"
            n_rows, size = write_parquet(lang, path, args.mb)
            print(f"[{lang}] wrote {n_rows:,} rows, {size / 1e6:.1f} MB of text, parquet {path.stat().st_size / 1e6:.1f} MB")
            for workers in [0, *args.workers]:
                runs = []
                for _ in range(args.repeats):
                    out = subprocess.run(
                        [sys.executable, "-m", "bench.count_throughput", "--run", str(path), str(workers)],
                        cwd=common.ROOT, capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                best = min(runs, key=lambda r: r["seconds"])
                best = {"lang": lang, "config": "read only" if workers == 0 else f"workers={workers}"} | best
                print(f"[{lang}] {best['config']}: {best['MB/s']} MB/s, peak RSS {best['peak RSS MB']} MB", flush=True)
                rows.append(best)
    columns = ["lang", "config", "MB", "seconds", "MB/s", "distinct chunks", "peak RSS MB", "worker peak RSS MB"]
    common.print_table(rows, columns, "Chunk counting on a streamed Wikipedia-shaped parquet (best of runs)")
    common.write_results("count_throughput", {"target_mb": args.mb, "lines_per_doc": LINES_PER_DOC, "rows": rows})


def argparse_hidden() -> str:
    import argparse

    return argparse.SUPPRESS


if __name__ == "__main__":
    main()
