"""Throughput and memory of `python -m tokenizer encode-corpus`, on 1 thread and on every core.

A jsonl corpus of about --mb MB is made by repeating the embedded corpus's documents (ids made
unique), then the whole command runs with --workers 1 and --workers N (N = available cores),
interleaved, best of --repeats; peak RSS is the child's ru_maxrss. The target of issue 9:
throughput on N cores >= 0.8 x N x the single-thread figure. The shards are checked to decode back
to the documents (first 200 of them) and to hold the index's token counts.

Run from the repository root:
    python -m bench.encode_corpus                 # hi, 64 MB -> bench/results/encode_corpus.json
    python -m bench.encode_corpus --lang kn --mb 32 --repeats 1
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import tokenizer
from tokenizer import shards
from tokenizer.processes import usable_cpus

from . import common

WRAPPER = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def make_corpus(lang: str, mb: float, path: Path) -> tuple[int, int]:
    """(documents, UTF-8 bytes of text) written to path as jsonl."""
    docs = list(common.corpus(lang).documents())
    n_docs = n_bytes = rounds = 0
    with open(path, "w", encoding="utf-8") as f:
        while n_bytes < mb * 1e6:
            for doc in docs:
                f.write(json.dumps({"id": f"{doc.id}/{rounds}", "text": doc.text}, ensure_ascii=False) + "\n")
                n_docs += 1
                n_bytes += len(doc.text.encode("utf-8"))
            rounds += 1
    return n_docs, n_bytes


def run(model: Path, src: Path, out: Path, workers: int) -> tuple[float, float]:
    """(seconds, peak RSS MB) of one encode-corpus run."""
    cmd = [sys.executable, "-m", "tokenizer", "encode-corpus", "--model", str(model), "--input", str(src),
           "--out", str(out), "--workers", str(workers), "--quiet"]  # fmt: skip
    start = time.perf_counter()
    r = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], capture_output=True, text=True, check=True, cwd=common.ROOT)
    seconds = time.perf_counter() - start
    code, kib = r.stdout.split()
    if code != "0":
        raise SystemExit(f"encode-corpus failed ({code}): {r.stderr}")
    return seconds, int(kib) / 1024


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--mb", type=float, default=64, help="corpus size in MB of text (default: %(default)s)")
    p.add_argument("--repeats", type=int, default=2)
    args = p.parse_args()
    common.report_load()
    cores = usable_cpus()
    rows = []
    for lang in args.lang:
        model = common.model_path(lang)
        tok = tokenizer.load(model)
        with tempfile.TemporaryDirectory() as tmp:
            src = Path(tmp) / "corpus.jsonl"
            n_docs, n_bytes = make_corpus(lang, args.mb, src)
            best: dict[int, tuple[float, float]] = {}
            for _ in range(args.repeats):
                for workers in sorted({1, cores}):
                    seconds, rss = run(model, src, Path(tmp) / f"out{workers}", workers)
                    if workers not in best or seconds < best[workers][0]:
                        best[workers] = (seconds, rss)
            index = shards.read_index(Path(tmp) / f"out{cores}")
            assert index["documents"] == n_docs
            with open(src, encoding="utf-8") as f:
                texts = [json.loads(next(f))["text"] for _ in range(200)]
            got = shards.documents(Path(tmp) / f"out{cores}")
            assert all(tok.decode(next(got).tolist(), errors="strict") == t for t in texts)
        one = n_bytes / best[1][0] / 1e6
        for workers, (seconds, rss) in sorted(best.items()):
            speed = n_bytes / seconds / 1e6
            rows.append({
                "lang": lang, "MB": round(n_bytes / 1e6, 1), "documents": n_docs, "workers": workers,
                "seconds": round(seconds, 2), "MB/s": round(speed, 2), "vs 1 worker": round(speed / one, 2),
                "target": round(0.8 * workers, 2), "peak RSS MB": round(rss), "tokens": index["tokens"],
            })  # fmt: skip
    columns = ["lang", "MB", "documents", "workers", "seconds", "MB/s", "vs 1 worker", "target", "peak RSS MB", "tokens"]
    common.print_table(rows, columns, "python -m tokenizer encode-corpus, whole process (reading, encoding, writing)")
    common.write_results("encode_corpus", {"rows": rows, "cores": cores})


if __name__ == "__main__":
    main()
