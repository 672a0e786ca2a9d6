"""Training at scale: our default recipe against HF BpeTrainer on large generated corpora.

The corpora come from a word-level Markov chain (order 1) fitted on the cleaned training lines of
the embedded corpus data/{lang}.txt.gz: every word and every word pair is real, with its real
frequency, while phrases (runs of same-script words, the chunks of the last training stage) are
new, as they are in more text of the same kind. The script first checks that claim: the share of
distinct phrase chunks, and of those seen once, on an equal-size sample of real and generated text.
(What a Markov chain cannot produce is new words: its vocabulary is the embedded corpus's, so the
word tables stay small; real text at scale has more distinct words, see docs/scale.md.)

For each size, in fresh processes, on the same .txt file:
- ours: `tokenizer.train(load_corpus(None, [file]), 5000, workers=W)` with the language's recipe
  and the default budgets (tokenizer.registry.BUDGETS), as `python -m tokenizer train --lang` does;
- hf: `tokenizers` BpeTrainer with the recipe's core pre-split (tokenizer.build.hf_bpe), 5,000 ids,
  on the file's lines;
- optionally (--unbounded) ours without any budget, to measure what the budgets cost in
  held-out compression (bytes per token on the generated file's valid split, and on the embedded
  corpus's real valid split).
Wall time, CPU time and peak RSS (the main process; counting workers are reported apart) for each,
ours / hf ratios measured in the same run, and growth per doubling between sizes.

Targets at 1 GB: ours peak RSS <= 3 GB; ours wall time <= 2x HF BpeTrainer.

Run from the repository root (the machine should be otherwise idle; say so if it was not):
    python -m bench.scale --sizes 64 256            # -> bench/results/scale_64_256.json
    python -m bench.scale --sizes 64 --unbounded    # adds the unbounded run at each size
    python -m bench.scale --sizes 1024 --keep /tmp/corpora   # keep the generated files
    python -m bench.scale --file /tmp/ml-wiki.txt --lang ml  # real text instead (bench/wikiextractor.py)
"""

from __future__ import annotations

import argparse
import json
import math
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from tokenizer import build
from tokenizer.pretokenize import get_pattern
from tokenizer.registry import LANGUAGES, RECIPES

from . import common

END = -1  # successor of the last word of a line
MAX_WORDS = 2000  # a generated line stops here at the latest


class MarkovChain:
    """Word -> list of successor words (with repeats, so a uniform pick follows the pair counts)."""

    def __init__(self, lines: list[str]) -> None:
        self.words: list[str] = []
        index: dict[str, int] = {}
        self.starts: list[int] = []
        successors: dict[int, list[int]] = {}
        for line in lines:
            prev = None
            for word in line.split(" "):
                i = index.get(word)
                if i is None:
                    i = index[word] = len(self.words)
                    self.words.append(word)
                if prev is None:
                    self.starts.append(i)
                else:
                    successors.setdefault(prev, []).append(i)
                prev = i
            if prev is not None:
                successors.setdefault(prev, []).append(END)
        self.successors = successors

    def line(self, rng: random.Random) -> str:
        cur = rng.choice(self.starts)
        out = [self.words[cur]]
        while len(out) < MAX_WORDS:
            nxt = self.successors.get(cur)
            cur = rng.choice(nxt) if nxt else END
            if cur == END:
                break
            out.append(self.words[cur])
        return " ".join(out)

    def generate(self, n_bytes: int, seed: int):
        """Lines until about n_bytes of UTF-8 (deterministic for a seed)."""
        rng = random.Random(seed)
        size = 0
        while size < n_bytes:
            line = self.line(rng)
            size += len(line.encode("utf-8")) + 1
            yield line


def phrase_stats(lines) -> dict:
    """How repetitive the last stage's chunks are: distinct / all, and the share seen once."""
    findall = get_pattern("indic-phrases").compiled.findall
    counts: Counter[str] = Counter()
    for line in lines:
        counts.update(findall(line))
    n = sum(counts.values())
    return {
        "phrase chunks": n,
        "distinct": len(counts),
        "distinct / all": round(len(counts) / n, 3),
        "seen once / distinct": round(sum(1 for v in counts.values() if v == 1) / len(counts), 3),
    }


def write_corpus(chain: MarkovChain, path: Path, mb: float, seed: int) -> int:
    with path.open("w", encoding="utf-8") as f:
        for line in chain.generate(int(mb * 1e6), seed):
            f.write(line + "\n")
    return path.stat().st_size


def _held_out_bpt(tok, path: str, lang: str, max_lines: int) -> dict:
    from tokenizer.corpus import load_corpus
    from tokenizer.metrics import evaluate

    generated = load_corpus(None, [path]).held_out_lines("valid")[:max_lines]
    real = common.held_out(lang, "valid")
    return {
        "bpt generated valid": round(evaluate(tok, generated).bytes_per_token, 4),
        "bpt real valid": round(evaluate(tok, real).bytes_per_token, 4),
    }


def child(trainer: str, path: str, lang: str, workers: int, max_lines: int) -> dict:
    """One training run in this fresh process; one JSON line of results."""
    start_usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    extra: dict = {}
    if trainer == "hf":
        hf = build.hf_bpe(get_pattern(RECIPES[LANGUAGES[lang].recipe].core))
        from tokenizers import pre_tokenizers, trainers

        trainer_obj = trainers.BpeTrainer(
            vocab_size=5000,
            special_tokens=["<|endoftext|>"],
            initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
            show_progress=False,
        )
        hf.train([path], trainer=trainer_obj)
        seconds = time.perf_counter() - start
        extra["vocab_size"] = hf.get_vocab_size()
    else:
        import tokenizer
        from tokenizer import count
        from tokenizer.corpus import load_corpus

        if trainer == "ours-unbounded":  # every stage counted whole (this child process only)
            count.resolve_budgets = lambda patterns, budgets: (None,) * len(patterns)
        tok = tokenizer.train(load_corpus(None, [path]), 5000, recipe=LANGUAGES[lang].recipe, quiet=True,
                              workers=workers, name=lang)
        seconds = time.perf_counter() - start
        extra = {"vocab_size": tok.vocab_size} | _held_out_bpt(tok, path, lang, max_lines)
    end = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "seconds": round(seconds, 1),
        "cpu seconds": round(end.ru_utime + end.ru_stime - start_usage.ru_utime - start_usage.ru_stime
                             + children.ru_utime + children.ru_stime, 1),
        "peak RSS MB": round(end.ru_maxrss / 1024),
        "worker peak RSS MB": round(children.ru_maxrss / 1024) if children.ru_maxrss else None,
    } | extra  # fmt: skip


def run_child(trainer: str, path: Path, lang: str, workers: int, max_lines: int) -> dict:
    cmd = [sys.executable, "-m", "bench.scale", "--child", trainer, str(path), "--lang", lang,
           "--workers", str(workers), "--max-lines", str(max_lines)]  # fmt: skip
    done = subprocess.run(cmd, cwd=common.ROOT, capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"{trainer} on {path} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def growth(rows: list[dict], trainer: str, key: str) -> float | None:
    """Factor per doubling of the corpus between the smallest and largest size measured."""
    pts = [(r["MB"], r[key]) for r in rows if r["trainer"] == trainer and r.get(key)]
    if len(pts) < 2 or pts[-1][0] == pts[0][0]:
        return None
    return round((pts[-1][1] / pts[0][1]) ** (1 / math.log2(pts[-1][0] / pts[0][0])), 2)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", default="hi", help="embedded corpus the chain is fitted on (default: %(default)s)")
    p.add_argument("--sizes", type=float, nargs="+", default=[64, 256], help="corpus sizes in MB (default: 64 256)")
    p.add_argument("--workers", type=int, default=2, help="counting processes for ours (default: %(default)s)")
    p.add_argument("--unbounded", action="store_true", help="also train ours without the phrase budget")
    p.add_argument("--max-lines", type=int, default=3000, help="generated valid lines to evaluate (default: %(default)s)")
    p.add_argument("--keep", help="folder to write the generated corpora to and keep (default: a temporary one)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--file", type=Path, help="train on this text file instead of generated ones (real text at scale)")
    p.add_argument("--child", nargs=2, metavar=("TRAINER", "FILE"), help=argparse.SUPPRESS)
    args = p.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], args.child[1], args.lang, args.workers, args.max_lines)))
        return

    common.report_load()
    if args.file:
        run_on_file(args)
        return
    real_lines = list(common.train_lines(args.lang))
    chain = MarkovChain(real_lines)
    real_mb = common.utf8_size(real_lines) / 1e6
    sample = list(chain.generate(int(real_mb * 1e6), args.seed + 1))
    realism = [{"text": f"real ({args.lang} train split)", "MB": round(real_mb, 1)} | phrase_stats(real_lines),
               {"text": "generated, same size", "MB": round(real_mb, 1)} | phrase_stats(sample)]  # fmt: skip
    common.print_table(realism, list(realism[0]), "Phrase chunks of real and generated text")
    del sample

    name = f"scale_{args.lang}_" + "_".join(f"{mb:g}" for mb in args.sizes) + ("_unbounded" if args.unbounded else "")
    trainers = ["ours", "hf"] + (["ours-unbounded"] if args.unbounded else [])
    rows: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="scale-") as tmp:
        folder = Path(args.keep or tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for mb in args.sizes:
            path = folder / f"{args.lang}-markov-{mb:g}mb.txt"
            if not path.is_file():
                t = time.perf_counter()
                size = write_corpus(chain, path, mb, args.seed)
                print(f"wrote {path} ({size / 1e6:.0f} MB) in {time.perf_counter() - t:.0f} s", flush=True)
            size_mb = round(path.stat().st_size / 1e6)
            by: dict[str, dict] = {}
            for trainer in trainers:
                print(f"[{size_mb} MB] {trainer} ...", flush=True)
                by[trainer] = run_child(trainer, path, args.lang, args.workers, args.max_lines)
                print(f"[{size_mb} MB] {trainer}: {by[trainer]}", flush=True)
            for trainer, r in by.items():
                ratio = {"ours/hf s": round(r["seconds"] / by["hf"]["seconds"], 2)} if trainer != "hf" else {}
                rows.append({"MB": size_mb, "trainer": trainer} | r | ratio)
            common.write_results(name, {"lang": args.lang, "realism": realism, "rows": rows})
    columns = ["MB", "trainer", "seconds", "ours/hf s", "cpu seconds", "peak RSS MB", "worker peak RSS MB",
               "bpt generated valid", "bpt real valid"]  # fmt: skip
    title = f"Training 5,000 ids on generated {args.lang} text ({args.workers} counting workers)"
    common.print_table(rows, columns, title)
    per_doubling = {f"{t} {k}": growth(rows, t, k) for t in trainers for k in ("seconds", "peak RSS MB")}
    print("growth per doubling:", per_doubling)
    common.write_results(name, {"lang": args.lang, "workers": args.workers, "realism": realism, "rows": rows,
                                   "growth per doubling": per_doubling,
                                   "targets at 1 GB": {"peak RSS MB": 3072, "ours/hf s": 2.0}})  # fmt: skip


def run_on_file(args: argparse.Namespace) -> None:
    """Ours and HF on one given file, in one run; "bpt file valid" is measured on the file's own valid split."""
    size_mb = round(args.file.stat().st_size / 1e6)
    rows, by = [], {}
    for trainer in ["ours", "hf"]:
        print(f"[{args.file.name}, {size_mb} MB] {trainer} ...", flush=True)
        by[trainer] = run_child(trainer, args.file, args.lang, args.workers, args.max_lines)
        print(f"[{args.file.name}] {trainer}: {by[trainer]}", flush=True)
    for trainer, r in by.items():
        ratio = {"ours/hf s": round(r["seconds"] / by["hf"]["seconds"], 2)} if trainer != "hf" else {}
        held_out = {"bpt file valid": r.pop("bpt generated valid")} if "bpt generated valid" in r else {}
        rows.append({"file": args.file.name, "MB": size_mb, "trainer": trainer} | r | held_out | ratio)
    columns = ["file", "MB", "trainer", "seconds", "ours/hf s", "cpu seconds", "peak RSS MB", "worker peak RSS MB",
               "bpt file valid", "bpt real valid"]  # fmt: skip
    common.print_table(rows, columns, f"Training 5,000 ids on {args.file.name} ({args.workers} counting workers)")
    common.write_results(f"scale_{args.file.stem}", {"lang": args.lang, "workers": args.workers, "rows": rows})


if __name__ == "__main__":
    main()
