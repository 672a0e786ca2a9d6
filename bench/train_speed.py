"""Training end to end: `python -m tokenizer train` (default recipe) against Hugging Face's BpeTrainer.

Both sides are whole fresh processes timed from the outside, so both pay for the interpreter,
the imports and reading + cleaning the embedded corpus (the same `Corpus.train_texts()` stream):
  ours  `python -m tokenizer train --lang L --out TMP --quiet` (the language's recipe; the CLI
        also writes the model and measures it on the valid split, as users run it)
  hf    a child that streams the same cleaned lines into HF `BpeTrainer` with the core pre-split of
        the language's recipe (or --pattern) and the same total vocabulary (bytes + merges + <|endoftext|>), and saves tokenizer.json
Each side runs --runs times, interleaved (ours, hf, ours, hf, ...), and the best wall time counts:
on a loaded machine the best run is the least disturbed one. Peak memory is each child's own max
RSS (os.wait4), the largest over its runs; CPU seconds (user + sys) are shown too, since HF's
trainer uses every core, and ours counts on every core (the CLI's default) and learns merges on
one. `--baseline REV` adds the CLI of an older git revision (exported with `git archive`) to the
same interleaving: before/after in one run.

A third child trains in-process with a progress callback and prints the per-stage breakdown:
reading + counting, then each stage (re-encoding its chunks and learning its merges).

Targets: ours / hf wall time <= 2x (moonshot 1x); our peak RSS not above the baseline's.

Run from the repository root:
    python -m bench.train_speed                          # hi and kn -> bench/results/train_speed.json
    python -m bench.train_speed --lang hi --runs 3 --baseline 1c73395
    python -m bench.train_speed --lang hi ur sd ks si sa mni --results train_speed-new-languages
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

import tokenizer
from tokenizer import build
from tokenizer.registry import LANGUAGES, get_recipe
from tokenizer.train import TrainProgress

from . import common

MAX_RATIO = 2.0


def run_process(cmd: list[str], cwd: Path) -> dict:
    """Run cmd to the end; its wall seconds, CPU seconds and peak RSS (of this child alone)."""
    with tempfile.TemporaryFile() as err:  # a file, not a pipe: a full stderr pipe would block the child
        start = time.perf_counter()
        child = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=err)
        out = child.stdout.read()  # type: ignore[union-attr]
        _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - start
        child.returncode = os.waitstatus_to_exitcode(status)
        if child.returncode:
            err.seek(0)
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{err.read().decode(errors='replace')}")
    return {
        "seconds": seconds,
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "peak_rss_mb": usage.ru_maxrss / 1024,  # Linux reports KiB
        "stdout": out.decode(errors="replace").strip().splitlines()[-1:],
    }


def hf_worker(lang: str, vocab_size: int, pattern: str, out: str) -> None:
    """The child that trains HF: the same cleaned lines, streamed, with our pre-split (`indic`)."""
    texts = common.corpus(lang).train_texts()
    hf = build.hf_bpe(tokenizer.get_pattern(pattern))
    from tokenizers import pre_tokenizers, trainers

    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[tokenizer.ENDOFTEXT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    hf.train_from_iterator(texts, trainer=trainer)
    hf.save(out)
    print(json.dumps({"vocab_size": hf.get_vocab_size()}))


def stages_worker(lang: str, vocab_size: int) -> None:
    """The child that prints where the time goes: seconds from train() start to each stage's end."""
    marks: dict[str, tuple[float, float]] = {}  # stage -> (wall, cpu) of its first and last call
    cpu0 = time.process_time()

    def record(p: TrainProgress) -> None:
        cpu = time.process_time() - cpu0
        first = marks.get(p.stage, (p.elapsed, cpu))
        marks[p.stage] = first
        marks[p.stage + "/end"] = (p.elapsed, cpu)

    recipe = get_recipe(LANGUAGES[lang].recipe)  # as `train --lang` (detection would pick the script's default)
    tok = tokenizer.train(common.corpus(lang).train_texts(), vocab_size, recipe=recipe, progress=record)
    stages = [s.pattern for s in recipe.stages]
    row: dict[str, float] = {"read + count s": marks[stages[0]][0]}
    for s in stages:
        row[f"{s} s"] = marks[s + "/end"][0] - marks[s][0]
    row["train() s"] = marks[stages[-1] + "/end"][0]
    row["train() cpu s"] = marks[stages[-1] + "/end"][1]
    row["peak MB"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    row["merges"] = tok.n_merges
    print(json.dumps(row))


def export_revision(rev: str, into: Path) -> Path:
    """The tree of git revision `rev` (code, data) unpacked into a directory, to run its CLI."""
    archive = subprocess.run(["git", "archive", rev], cwd=common.ROOT, capture_output=True, check=True).stdout
    tar_path = into / "rev.tar"
    tar_path.write_bytes(archive)
    with tarfile.open(tar_path) as tar:
        tar.extractall(into / "tree", filter="data")
    return into / "tree"


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--runs", type=int, default=2, help="fresh-process runs per side, interleaved; best time counts")
    p.add_argument("--baseline", metavar="REV", help="also time the CLI of this git revision (before/after)")
    p.add_argument("--worker", choices=("hf", "stages"), help=argparse.SUPPRESS)  # internal: the children
    p.add_argument("--out", help=argparse.SUPPRESS)
    p.add_argument("--results", default="train_speed", help="results file bench/results/NAME.json (default: %(default)s)")
    args = p.parse_args()
    if args.worker == "hf":
        return hf_worker(args.lang[0], args.vocab_size, common.pattern_for(args.lang[0], args.pattern), args.out)
    if args.worker == "stages":
        return stages_worker(args.lang[0], args.vocab_size)

    common.report_load()
    py = sys.executable
    rows, stage_rows, runs = [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmpdir = Path(tmp)
        baseline = export_revision(args.baseline, tmpdir) if args.baseline else None
        for lang in args.lang:
            cli = ["-m", "tokenizer", "train", "--lang", lang, "--vocab-size", str(args.vocab_size), "--quiet"]
            sides = {
                "ours": ([py, *cli, "--out", str(tmpdir / f"{lang}.model")], common.ROOT),
                "hf": ([py, "-m", "bench.train_speed", "--worker", "hf", "--lang", lang, "--pattern", common.pattern_for(lang, args.pattern),
                        "--vocab-size", str(args.vocab_size), "--out", str(tmpdir / f"{lang}.json")], common.ROOT),
            }  # fmt: skip
            if baseline is not None:
                sides["baseline"] = ([py, *cli, "--out", str(tmpdir / f"{lang}.base.model")], baseline)
            results: dict[str, list[dict]] = {side: [] for side in sides}
            for run in range(args.runs):
                for side, (cmd, cwd) in sides.items():
                    print(f"[{lang}] {side} run {run + 1}/{args.runs} ...", flush=True)
                    result = run_process(cmd, cwd)
                    result["stdout"] = [line.replace(f"{tmpdir}/", "") for line in result["stdout"]]  # no machine paths
                    results[side].append(result)
                    runs.append({"lang": lang, "side": side, "run": run + 1, **result})
            if baseline is not None:
                ours, base = (tokenizer.load(tmpdir / f"{lang}{x}.model") for x in ("", ".base"))
                same = ours.merges == base.merges and ours.special_tokens == base.special_tokens
                print(f"[{lang}] merges identical to the baseline's: {same}")
            best = {s: min(r["seconds"] for r in rs) for s, rs in results.items()}
            cpu = {s: min(r["cpu_seconds"] for r in rs) for s, rs in results.items()}
            peak = {s: max(r["peak_rss_mb"] for r in rs) for s, rs in results.items()}
            row = {
                "lang": lang,
                "train MB": round(common.utf8_size(common.train_lines(lang)) / 1e6, 2),
                "ours s": round(best["ours"], 2), "hf s": round(best["hf"], 2),
                "ours/hf": round(best["ours"] / best["hf"], 2),
                "ours cpu s": round(cpu["ours"], 2), "hf cpu s": round(cpu["hf"], 2),
                "ours/hf cpu": round(cpu["ours"] / cpu["hf"], 2),
                "ours peak MB": round(peak["ours"], 1), "hf peak MB": round(peak["hf"], 1),
            }  # fmt: skip
            if baseline is not None:
                row |= {"baseline s": round(best["baseline"], 2),
                        "ours/baseline": round(best["ours"] / best["baseline"], 2),
                        "baseline peak MB": round(peak["baseline"], 1)}  # fmt: skip
            row["ratio ok"] = row["ours/hf"] <= MAX_RATIO
            rows.append(row)
            print(f"[{lang}] per-stage breakdown ...", flush=True)
            staged = run_process([py, "-m", "bench.train_speed", "--worker", "stages", "--lang", lang,
                                  "--vocab-size", str(args.vocab_size)], common.ROOT)  # fmt: skip
            stage_row = json.loads(staged["stdout"][0])
            stage_rows.append({"lang": lang, **{k: round(v, 2) for k, v in stage_row.items()}})

    title = f"CLI training end to end (best of {args.runs} fresh processes, interleaved)"
    common.print_table(rows, list(rows[0]), title)
    print(f"target: ours/hf <= {MAX_RATIO:g}x wall time (moonshot 1x)")
    print(f"(HF BpeTrainer uses all {os.cpu_count()} cores; ours counts on all of them, then learns merges on one)")
    common.print_table(stage_rows, list(stage_rows[0]), "Where our time goes (train() in one process, one run)")
    common.write_results(args.results, {"vocab_size": args.vocab_size, "recipe": "each language's (tokenizer.registry)",
                                         "hf_pattern": args.pattern, "baseline": args.baseline,
                                         "targets": {"max_ratio": MAX_RATIO},
                                         "rows": rows, "stages": stage_rows, "runs": runs})  # fmt: skip


if __name__ == "__main__":
    main()
