"""Training time and peak memory: our trainer against Hugging Face's BpeTrainer, side by side.

Both train a --vocab-size total vocabulary on the same full training split of the embedded
corpus (the cleaned lines, loaded into memory before the clock starts) with the same pre-split
regex. Each run is a fresh subprocess, so nothing is cached between runs; each trainer runs
--runs times (interleaved) and the best wall time counts. Peak memory is the child's max RSS
(getrusage RUSAGE_SELF: interpreter + training lines + training), the largest over its runs.
CPU seconds (user + sys) are shown too: HF's trainer is multi-threaded, ours is one thread.

Targets: ours / HF wall time <= 3x, and peak memory < 2 GB.

Run from the repository root:
    python -m bench.train_speed                 # hi and kn -> bench/results/train_speed.json
    python -m bench.train_speed --lang hi --runs 3
    python -m bench.train_speed --recipe curriculum   # the shipped recipe -> train_speed_curriculum.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys

import psutil

import tokenizer
from tokenizer.train import get_recipe

from . import common

TRAINERS = ("ours", "hf")
MAX_RATIO = 3.0
MAX_PEAK_MB = 2048.0


def worker(trainer: str, lang: str, vocab_size: int, pattern: str, recipe: str | None) -> dict:
    """Runs in the child: train once and report seconds and memory as one JSON line.

    With a recipe, ours trains that recipe's stages and HF trains on the recipe's final pre-split.
    """
    lines = common.train_lines(lang)
    if recipe:
        pattern = get_recipe(recipe).stages[-1].pattern
    rss_before_mb = psutil.Process().memory_info().rss / 2**20
    start = resource.getrusage(resource.RUSAGE_SELF)
    if trainer == "ours" and recipe:
        tok, seconds = common.timed(lambda: tokenizer.train(lines, vocab_size, recipe=recipe, quiet=True))
        size = tok.vocab_size
    elif trainer == "ours":
        tok, seconds = common.train_ours(lang, vocab_size, pattern)
        size = tok.vocab_size
    else:
        hf, seconds = common.timed(lambda: common.train_hf(lines, tokenizer.get_pattern(pattern).regex, vocab_size))
        size = hf.get_vocab_size()
    end = resource.getrusage(resource.RUSAGE_SELF)
    return {
        "seconds": seconds,
        "cpu_seconds": (end.ru_utime + end.ru_stime) - (start.ru_utime + start.ru_stime),
        "peak_rss_mb": end.ru_maxrss / 1024,  # Linux reports KiB
        "rss_before_training_mb": rss_before_mb,
        "vocab_size": size,
    }


def run_child(trainer: str, lang: str, vocab_size: int, pattern: str, recipe: str | None) -> dict:
    cmd = [sys.executable, "-m", "bench.train_speed", "--worker", trainer,
           "--lang", lang, "--vocab-size", str(vocab_size), "--pattern", pattern]  # fmt: skip
    if recipe:
        cmd += ["--recipe", recipe]
    done = subprocess.run(cmd, cwd=common.ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{trainer} on {lang} failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--runs", type=int, default=2, help="fresh-process runs per trainer; best time counts")
    p.add_argument("--recipe", help="train ours with this recipe (e.g. curriculum); HF uses its final pre-split")
    p.add_argument("--worker", choices=TRAINERS, help=argparse.SUPPRESS)  # internal: the child process
    args = p.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.lang[0], args.vocab_size, args.pattern, args.recipe)))
        return

    common.report_load()
    rows, runs = [], []
    for lang in args.lang:
        by_trainer: dict[str, list[dict]] = {t: [] for t in TRAINERS}
        for run in range(args.runs):
            for trainer in TRAINERS:
                print(f"[{lang}] {trainer} run {run + 1}/{args.runs} ...", flush=True)
                result = run_child(trainer, lang, args.vocab_size, args.pattern, args.recipe)
                by_trainer[trainer].append(result)
                runs.append({"lang": lang, "trainer": trainer, "run": run + 1, **result})
        best = {t: min(r["seconds"] for r in rs) for t, rs in by_trainer.items()}
        peak = {t: max(r["peak_rss_mb"] for r in rs) for t, rs in by_trainer.items()}
        cpu = {t: min(r["cpu_seconds"] for r in rs) for t, rs in by_trainer.items()}
        ratio = best["ours"] / best["hf"]
        rows.append({
            "lang": lang,
            "train MB": round(common.utf8_size(common.train_lines(lang)) / 1e6, 2),
            "ours s": round(best["ours"], 2), "hf s": round(best["hf"], 2), "ours/hf": round(ratio, 2),
            "ours cpu s": round(cpu["ours"], 2), "hf cpu s": round(cpu["hf"], 2),
            "ours/hf cpu": round(cpu["ours"] / cpu["hf"], 2),
            "ours peak MB": round(peak["ours"], 1), "hf peak MB": round(peak["hf"], 1),
            "ratio ok": ratio <= MAX_RATIO, "memory ok": peak["ours"] < MAX_PEAK_MB,
        })  # fmt: skip

    common.print_table(rows, list(rows[0]), f"Training time (best of {args.runs} fresh processes) and peak RSS")
    print(f"targets: ours/hf <= {MAX_RATIO:g}x wall time; our peak RSS < {MAX_PEAK_MB / 1024:g} GB")
    print(f"(HF BpeTrainer may use all {psutil.cpu_count()} cores; ours is single-threaded: compare cpu s too)")
    name = f"train_speed_{args.recipe}" if args.recipe else "train_speed"
    common.write_results(name, {"vocab_size": args.vocab_size, "pattern": args.pattern, "recipe": args.recipe,
                                         "targets": {"max_ratio": MAX_RATIO, "max_peak_mb": MAX_PEAK_MB},
                                         "rows": rows, "runs": runs})  # fmt: skip


if __name__ == "__main__":
    main()
