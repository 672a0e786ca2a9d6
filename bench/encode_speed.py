"""Encoding throughput (MB/s of UTF-8 input) on held-out text: the default API against its anchors.

Each line of the valid and test splits is encoded on its own (no newline), as in the metrics.
Every encoder gets one untimed pass (its ids are compared with the reference encoder's), then
timed passes until at least --min-passes passes and --min-seconds seconds. All rows are measured in
one run, interleaved pass by pass, so the ratios hold even on a busy machine.
Encoders, all with our merges (models/{lang}.model) unless named otherwise:
  ours             tokenizer.load(model).encode, the default API (the compiled core), one line per call
  ours-batch-1     tok.encode_ordinary_batch(lines, num_threads=1): all lines in one call
  ours-batch-N     the same on every core (N = the cores available)
  reference        the pure-Python reference encoder (the specification), a cold chunk cache each pass
  tiktoken         tiktoken.Encoding built from our token bytes, ids and original regex: the anchor
  hf               the Hugging Face export (tokenizer.json in `tokenizers`), one line per call
  o200k            tiktoken's o200k_base (GPT-4o) on the same text (other merges, other ids)
Then the CLI: `python -m tokenizer encode` on a 1,000,000-character run of one consonant followed
by `ि ं ्` repeated (one akshara, one chunk of 3 MB), wall time of the whole process, best of 3.

Run from the repository root:
    python -m bench.encode_speed                # hi and kn -> bench/results/encode_speed.json
    python -m bench.encode_speed --lang kn --min-seconds 5 --encoders ours tiktoken
    python -m bench.encode_speed --lang hi ur sd ks si sa mni --results encode_speed-new-languages
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import tiktoken

from tokenizer import Tokenizer, openai
from tokenizer.processes import usable_cpus

from . import common

EncodeAll = Callable[[Sequence[str]], list[list[int]]]


def per_line(encode: Callable[[str], list[int]]) -> EncodeAll:
    return lambda lines: [encode(line) for line in lines]


def ours(tok: Tokenizer) -> EncodeAll:
    return per_line(tok.encode)


def batch(threads: int) -> Callable[[Tokenizer], EncodeAll]:
    return lambda tok: lambda lines: tok.encode_ordinary_batch(lines, num_threads=threads)


def reference(tok: Tokenizer) -> EncodeAll:
    return lambda lines: per_line(tok.reference().encode_ordinary)(lines)  # a new (cold) cache each pass


def tiktoken_same_merges(tok: Tokenizer) -> EncodeAll:
    enc = tiktoken.Encoding(
        f"{tok.name or 'ours'}-as-tiktoken",
        pat_str=tok.pattern.regex,
        mergeable_ranks={token: i for i, token in tok.vocab.items()},
        special_tokens=tok.special_tokens,
    )
    return per_line(enc.encode_ordinary)


def hf(tok: Tokenizer) -> EncodeAll:
    from tokenizer.hf import to_hf

    exported = to_hf(tok, special_tokens=False)
    return per_line(lambda line: exported.encode_batch_fast([line], add_special_tokens=False)[0].ids)


def o200k(tok: Tokenizer) -> EncodeAll:
    return per_line(openai.load_encoding("o200k_base").encode_ordinary)


CORES = usable_cpus()
ENCODERS: dict[str, Callable[[Tokenizer], EncodeAll]] = {
    "ours": ours,
    "ours-batch-1": batch(1),
    f"ours-batch-{CORES}": batch(CORES),
    "reference": reference,
    "tiktoken": tiktoken_same_merges,
    "hf": hf,
    "o200k": o200k,
}
# Encoders whose ids must be the reference's ("reference" itself is the expected answer, not checked).
SAME_IDS = {"ours", "ours-batch-1", f"ours-batch-{CORES}", "tiktoken", "hf"}


def differing_lines(got: list[list[int]], expected: list[list[int]]) -> int:
    """Lines whose ids differ from the expected ones; a missing or extra line counts as differing."""
    return sum(a != b for a, b in zip(got, expected)) + abs(len(got) - len(expected))


def bench(encoders: dict[str, EncodeAll], lines: Sequence[str], min_passes: int, min_seconds: float):
    """{name: (ids of the untimed first pass, timed passes, timed seconds)}, passes interleaved."""
    first = {name: enc(lines) for name, enc in encoders.items()}
    passes = {name: 0 for name in encoders}
    seconds = {name: 0.0 for name in encoders}
    while min(passes.values()) < min_passes or min(seconds.values()) < min_seconds:
        for name, enc in encoders.items():
            start = time.perf_counter()
            enc(lines)
            seconds[name] += time.perf_counter() - start
            passes[name] += 1
    return {name: (first[name], passes[name], seconds[name]) for name in encoders}


def storm_cli(model: Path, repeats: int = 3) -> dict:
    """Wall time of `python -m tokenizer encode` on the 1M-character mark storm (whole process)."""
    storm = "क" + "\u093f\u0902\u094d" * 333_333
    with tempfile.TemporaryDirectory() as tmp:
        src = Path(tmp) / "storm.txt"
        src.write_text(storm, encoding="utf-8")
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            with open(src, "rb") as stdin:
                subprocess.run([sys.executable, "-m", "tokenizer", "encode", "--model", str(model)],
                               stdin=stdin, stdout=subprocess.DEVNULL, check=True, cwd=common.ROOT)  # fmt: skip
            times.append(time.perf_counter() - start)
    return {"chars": len(storm), "MB": round(len(storm.encode()) / 1e6, 2), "best_s": round(min(times), 2),
            "median_s": round(sorted(times)[len(times) // 2], 2)}  # fmt: skip


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--encoders", nargs="+", choices=list(ENCODERS), default=list(ENCODERS))
    p.add_argument("--min-seconds", type=float, default=2.0, help="timed seconds per encoder (default: %(default)s)")
    p.add_argument("--min-passes", type=int, default=3, help="timed passes per encoder (default: %(default)s)")
    p.add_argument("--no-storm", action="store_true", help="skip the CLI mark-storm timing")
    p.add_argument("--results", default="encode_speed", help="results file bench/results/NAME.json (default: %(default)s)")
    args = p.parse_args()

    common.report_load()
    rows, storms = [], {}
    for lang in args.lang:
        model = common.model_path(lang)
        tok, _ = common.our_model(lang, args.vocab_size, args.pattern)
        lines = common.held_out(lang, "valid") + common.held_out(lang, "test")
        size = common.utf8_size(lines)
        expected = tok.reference().encode_ordinary_batch(lines)
        print(f"[{lang}] {len(lines)} lines, {size / 1e6:.2f} MB; backend {tok.backend} ...", flush=True)
        results = bench({n: ENCODERS[n](tok) for n in args.encoders}, lines, args.min_passes, args.min_seconds)
        speed = {n: size * passes / secs / 1e6 for n, (_, passes, secs) in results.items()}
        anchor = speed.get("tiktoken")
        for name, (first, passes, secs) in results.items():
            rows.append({
                "lang": lang, "encoder": name, "MB": round(size / 1e6, 3), "passes": passes,
                "MB/s": round(speed[name], 2),
                "vs tiktoken (our merges)": round(speed[name] / anchor, 2) if anchor else None,
                "lines differing from reference": differing_lines(first, expected) if name in SAME_IDS else None,
                "tokens": sum(map(len, first)),
            })  # fmt: skip
        if not args.no_storm:
            print(f"[{lang}] CLI mark storm ...", flush=True)
            storms[lang] = storm_cli(model)

    columns = ["lang", "encoder", "MB", "passes", "MB/s", "vs tiktoken (our merges)", "lines differing from reference",
               "tokens"]  # fmt: skip
    common.print_table(rows, columns, "Encoding throughput, held-out valid+test lines (one line at a time unless batch)")
    if storms:
        common.print_table([{"lang": k, **v} for k, v in storms.items()], ["lang", "chars", "MB", "best_s", "median_s"],
                           "python -m tokenizer encode on a 1,000,000-character mark storm (whole process)")  # fmt: skip
    common.write_results(args.results, {"rows": rows, "cli_storm": storms, "cores": CORES})


if __name__ == "__main__":
    main()
