"""Encoding throughput (MB/s of UTF-8 input) on the held-out validation split, per encoder.

Each line of the split is encoded on its own (no newline), as in the metrics. Every encoder gets
one untimed pass (whose ids are compared with our reference encoder's), then timed passes until
at least --min-passes passes and --min-seconds seconds; throughput = bytes encoded / seconds.
Encoders, all with the same merges and ids (models/{lang}.model if it exists, else trained now):
  ours-cold   tok.encode_ordinary on a new Tokenizer for every pass (empty chunk cache)
  ours-warm   tok.encode_ordinary with its chunk cache filled by the previous passes
  tiktoken    tiktoken.Encoding built from our pattern, token bytes and ids; it merges the
              lowest-ranked adjacent pair whose bytes form a token, which can in principle differ
              from applying our explicit merge rules, so lines with different ids are counted.
  hf-fast     HF tokenizers (fast path): tokenizer.fast.FastEncoder.encode_ordinary, the Rust
              pipeline exported by tokenizer.hf (same ids by construction; checked here too).
Add an encoder by adding a factory to ENCODERS (name -> Tokenizer -> Encoder).

Run from the repository root:
    python -m bench.encode_speed                # hi and kn -> bench/results/encode_speed.json
    python -m bench.encode_speed --lang kn --min-seconds 5 --encoders ours-warm tiktoken
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import tiktoken

from tokenizer import Tokenizer

from . import common


@dataclass
class Encoder:
    encode: Callable[[str], list[int]]
    reset: Callable[[], None] = lambda: None  # called, untimed, before every timed pass


def ours_warm(tok: Tokenizer) -> Encoder:
    return Encoder(tok.encode_ordinary)


def ours_cold(tok: Tokenizer) -> Encoder:
    def fresh() -> Tokenizer:
        return Tokenizer(tok.merges, tok.pattern, tok.special_tokens, byte_ids=tok.byte_ids, name=tok.name)

    current = [fresh()]

    def reset() -> None:
        current[0] = fresh()

    return Encoder(lambda text: current[0].encode_ordinary(text), reset)


def tiktoken_same_merges(tok: Tokenizer) -> Encoder:
    enc = tiktoken.Encoding(
        f"{tok.name or 'ours'}-as-tiktoken",
        pat_str=tok.pattern.regex,
        mergeable_ranks={token: i for i, token in tok.vocab.items()},
        special_tokens=tok.special_tokens,
    )
    return Encoder(enc.encode_ordinary)


def hf_fast(tok: Tokenizer) -> Encoder:
    from tokenizer.fast import FastEncoder

    return Encoder(FastEncoder(tok).encode_ordinary)


ENCODERS: dict[str, Callable[[Tokenizer], Encoder]] = {
    "ours-cold": ours_cold,
    "ours-warm": ours_warm,
    "tiktoken": tiktoken_same_merges,
    "hf-fast": hf_fast,  # HF tokenizers (fast path)
}


Timing = tuple[list[list[int]], int, float]  # ids of the untimed first pass, timed passes, timed seconds


def bench(encoder: Encoder, lines: Sequence[str], min_passes: int, min_seconds: float) -> Timing:
    first = [encoder.encode(line) for line in lines]
    passes, elapsed = 0, 0.0
    while passes < min_passes or elapsed < min_seconds:
        encoder.reset()
        start = time.perf_counter()
        for line in lines:
            encoder.encode(line)
        elapsed += time.perf_counter() - start
        passes += 1
    return first, passes, elapsed


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--encoders", nargs="+", choices=list(ENCODERS), default=list(ENCODERS))
    p.add_argument("--min-seconds", type=float, default=2.0, help="timed seconds per encoder (default: %(default)s)")
    p.add_argument("--min-passes", type=int, default=3, help="timed passes per encoder (default: %(default)s)")
    p.add_argument("--no-saved", action="store_true", help="train ours now even if models/{lang}.model exists")
    args = p.parse_args()

    common.report_load()
    rows, sources = [], {}
    for lang in args.lang:
        tok, sources[lang] = common.our_model(lang, args.vocab_size, args.pattern, use_saved=not args.no_saved)
        lines = common.held_out(lang, "valid")
        size = common.utf8_size(lines)
        reference = [tok.encode_ordinary(line) for line in lines]
        for name in args.encoders:
            print(f"[{lang}] {name} ...", flush=True)
            first, passes, seconds = bench(ENCODERS[name](tok), lines, args.min_passes, args.min_seconds)
            differing = [i for i, (a, b) in enumerate(zip(first, reference)) if a != b]
            rows.append({
                "lang": lang, "encoder": name, "lines": len(lines), "MB": round(size / 1e6, 3),
                "passes": passes, "seconds": round(seconds, 2), "MB/s": round(size * passes / seconds / 1e6, 3),
                "lines differing from ours": len(differing),
                "tokens": sum(map(len, first)), "tokens (ours)": sum(map(len, reference)),
                "first differing line": lines[differing[0]] if differing else None,
            })  # fmt: skip

    columns = ["lang", "encoder", "lines", "MB", "passes", "seconds", "MB/s", "lines differing from ours",
               "tokens", "tokens (ours)"]  # fmt: skip
    common.print_table(rows, columns, "Encoding throughput on the validation split (one line at a time, one thread)")
    for lang, source in sources.items():
        print(f"note: [{lang}] model: {source}")
    common.write_results("encode_speed", {"pattern": args.pattern, "models": sources, "rows": rows})


if __name__ == "__main__":
    main()
