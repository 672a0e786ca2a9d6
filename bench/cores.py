"""The ceiling of any multi-core speedup on this machine: how much slower a core works when all are busy.

Every parallel target (encode_ordinary_batch on 2 threads, encode-corpus on 2 processes, counting
on 2 workers) is a ratio to one core's speed. On a virtual machine the cores may share more than
it seems (caches, memory bandwidth, a host's hyperthreads or clock), so the same work can take more
CPU time when every core is busy. This measures that directly, with no Python threads, GIL, pickling
or I/O involved: each of N processes encodes the same held-out lines (our compiled core, one call
per line) in a loop for --seconds, all starting together, and each reports its throughput; then
one process does the same alone. Rounds alternate (alone, together, ...) and the best of each
counts.

    ceiling = sum of the N processes' MB/s / the lone process's MB/s

A speedup measured elsewhere should be read against this ceiling, not against N.

Run from the repository root (on an otherwise idle machine):
    python -m bench.cores                 # hi, all cores -> bench/results/cores.json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time

import tokenizer
from tokenizer.processes import usable_cpus

from . import common


def child(lang: str, start_at: float, seconds: float) -> float:
    """MB/s of encoding lang's held-out lines over `seconds`, starting at the wall-clock time start_at."""
    tok = tokenizer.load(common.model_path(lang))
    lines = list(common.held_out(lang, "valid")) + list(common.held_out(lang, "test"))
    mb = common.utf8_size(lines) / 1e6
    for line in lines:  # warm: the core is built and the regex caches are filled
        tok.encode_ordinary(line)
    while time.time() < start_at:
        time.sleep(0.001)
    start, passes = time.perf_counter(), 0
    while time.perf_counter() - start < seconds:
        for line in lines:
            tok.encode_ordinary(line)
        passes += 1
    return mb * passes / (time.perf_counter() - start)


def run(lang: str, processes: int, seconds: float) -> list[float]:
    """Each process's MB/s when `processes` of them run at once."""
    start_at = time.time() + 3  # after every child has loaded the model and warmed up
    cmd = [sys.executable, "-m", "bench.cores", "--child", lang, str(start_at), str(seconds)]
    procs = [subprocess.Popen(cmd, cwd=common.ROOT, stdout=subprocess.PIPE, text=True) for _ in range(processes)]
    return [float(p.communicate()[0].strip().splitlines()[-1]) for p in procs]


def main() -> None:
    p = common.parser(__doc__)
    p.set_defaults(lang=["hi"])
    p.add_argument("--processes", type=int, default=usable_cpus(), help="processes at once (default: all cores)")
    p.add_argument("--seconds", type=float, default=6.0, help="encoding time per run (default: %(default)s)")
    p.add_argument("--rounds", type=int, default=3, help="alternating rounds; the best of each counts (default: %(default)s)")
    p.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(child(args.child[0], float(args.child[1]), float(args.child[2])))
        return
    common.report_load()
    rows = []
    for lang in args.lang:
        alone, together = 0.0, [0.0]
        for _ in range(args.rounds):
            alone = max(alone, run(lang, 1, args.seconds)[0])
            now = run(lang, args.processes, args.seconds)
            together = max(together, now, key=sum)
        rows.append({
            "lang": lang, "alone MB/s": round(alone, 2), "processes": args.processes,
            "each MB/s": " ".join(f"{v:.2f}" for v in together), "sum MB/s": round(sum(together), 2),
            "ceiling": round(sum(together) / alone, 2), "one core's slowdown": round(alone * len(together) / sum(together), 2),
        })  # fmt: skip
        print(json.dumps(rows[-1]), flush=True)
    columns = ["lang", "alone MB/s", "processes", "each MB/s", "sum MB/s", "ceiling", "one core's slowdown"]
    common.print_table(rows, columns, f"The same encoding work alone and on {args.processes} cores at once")
    common.write_results("cores", {"rows": rows, "cores": usable_cpus()})


if __name__ == "__main__":
    main()
