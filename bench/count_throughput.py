"""Chunk-counting throughput on the Wikipedia code path: MB of text counted per second, and peak memory.

A local parquet shaped like `wikimedia/wikipedia` (columns id, url, title, text; one article =
25 lines of the embedded corpus data/{lang}.txt.gz, the corpus repeated to about --mb MB; row
groups of 500 rows) is loaded with `load_corpus(None, [file])` and counted under the `indic`
pattern by `tokenizer.count.count_stages(corpus, ...)` (or `tokenizer.dask_count.count_stages_dask`), as `python -m tokenizer train` does: this
process reads the rows, the --workers processes decide the split, clean and count (local engine),
or (--dask) a LocalCluster of --workers processes reads the row groups itself. "read" only decodes
the documents: the ceiling that reading in one process puts on the local engine; "read+clean"
also cleans them, the old serial path. MB and MB/s are of training text after cleaning.

Each configuration runs in a fresh process, so its peak RSS is its own; for workers > 1 the peak
of the largest worker process is reported too.

Run from the repository root:
    python -m bench.count_throughput --dask           # ~50 MB, workers 1 and 2 -> bench/results/count_throughput.json
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


def run_one(parquet: str, config: str, workers: int) -> dict:
    """One configuration, in this (fresh) process.

    read: decode the documents only (what the local engine leaves to this process); read+clean: also
    split and clean them here (the serial ceiling before cleaning moved into the workers); local /
    dask: count with `workers` processes, which split and clean themselves.
    """
    from tokenizer.corpus import load_corpus
    from tokenizer.count import count_stages
    from tokenizer.dask_count import count_stages_dask

    corpus = load_corpus(None, [parquet])
    n_bytes = sum(len(t.encode("utf-8")) for t in corpus.train_texts())  # training text, untimed
    start = time.perf_counter()
    distinct = None
    if config == "read":
        for _ in corpus.read():
            pass
    elif config == "read+clean":
        for _ in corpus.train_texts():
            pass
    else:
        count = count_stages_dask if config == "dask" else count_stages
        counts = count(corpus, ["indic"], workers, budgets=[None], quiet=True)
        distinct = len(counts[0])
    seconds = time.perf_counter() - start
    return {
        "workers": workers if config in ("local", "dask") else None,
        "MB": round(n_bytes / 1e6, 2),
        "seconds": round(seconds, 2),
        "MB/s": round(n_bytes / 1e6 / seconds, 2),
        "distinct chunks": distinct,
        "peak RSS MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        # forkserver workers (pyarrow runs threads) are not our children: then None, not 0
        "worker peak RSS MB": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024, 1) or None,
    }


def main() -> None:
    p = common.parser(__doc__)
    p.set_defaults(lang=["hi"])
    p.add_argument("--mb", type=float, default=50.0, help="approximate size of the parquet's text (default: %(default)s)")
    p.add_argument("--workers", type=int, nargs="+", default=[1, 2], help="worker counts to time (default: 1 2)")
    p.add_argument("--repeats", type=int, default=2, help="runs per configuration; the fastest is kept (default: 2)")
    p.add_argument("--dask", action="store_true", help="also time the dask engine (a LocalCluster of each --workers)")
    p.add_argument("--run", nargs=3, metavar=("PARQUET", "CONFIG", "WORKERS"), help=argparse_hidden())
    args = p.parse_args()
    if args.run:
        print(json.dumps(run_one(args.run[0], args.run[1], int(args.run[2]))))
        return

    common.report_load()
    rows = []
    with tempfile.TemporaryDirectory(prefix="count-throughput-") as tmp:
        for lang in args.lang:
            path = Path(tmp) / f"{lang}-train-00000-of-00001.parquet"
            n_rows, size = write_parquet(lang, path, args.mb)
            print(f"[{lang}] wrote {n_rows:,} rows, {size / 1e6:.1f} MB of text, parquet {path.stat().st_size / 1e6:.1f} MB")
            configs = [("read", 1), ("read+clean", 1)] + [("local", w) for w in args.workers]
            configs += [("dask", w) for w in args.workers] if args.dask else []
            for config, workers in configs:
                runs = []
                for _ in range(args.repeats):
                    out = subprocess.run(
                        [sys.executable, "-m", "bench.count_throughput", "--run", str(path), config, str(workers)],
                        cwd=common.ROOT, capture_output=True, text=True, check=True,
                    )  # fmt: skip
                    runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
                best = min(runs, key=lambda r: r["seconds"])
                label = config if config in ("read", "read+clean") else f"{config} workers={workers}"
                best = {"lang": lang, "config": label} | best
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
