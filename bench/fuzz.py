"""Fuzzing with Hypothesis at large example counts (not a timed test): counts, failures, seconds.

Properties (both shipped models, models/{hi,kn}.model, where a model is involved):
  roundtrip-{lang}   reference encoder: decode(encode_ordinary(s)) == s (strict UTF-8), and the same with
                     allowed_special="all"
  presplit           every registered pattern: "".join(split(s)) == s, no empty chunk
  stream-{lang}      concat(encode_iter(s cut at random places)) == encode(s), allowed_special="all"
  model-load         a model file (format v2, with its checksum) mutated (random truncations, byte flips,
                     inserted/deleted bytes, line swaps, deletions and duplications) either loads the same
                     model (ids-wise: merges, specials, regex) or raises ModelFileError naming the file,
                     never another exception; a load of a *different* model is a failure (the checksum
                     must catch it). Outcomes are counted.
  parity-{lang}      the default Tokenizer (its compiled core: encode and encode_ordinary) and the exported HF
                     tokenizer (tokenizer.json as written by export-hf) give the reference ids
Strings mix the letters and marks of every registry script (tests/strategies.py, extended here), Latin,
emoji ZWJ sequences, storms of combining marks, control and format characters, very long words and
special-token look-alikes.

A property does not stop at its first failure: every example runs, failures are counted and the first
few kept. Settings profile "fuzz" (100,000 examples per property, as in tests/conftest.py);
--examples N overrides it.

Run from the repository root (takes long at 100,000: run it in the background):
    python -m bench.fuzz                                   # -> bench/results/fuzz.json
    python -m bench.fuzz --examples 2000 --only roundtrip-hi presplit   # -> fuzz_presplit_roundtrip-hi.json
"""

from __future__ import annotations

import argparse
import time
import traceback
import unicodedata
from collections import Counter
from collections.abc import Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

import tokenizer
from tests.strategies import EMOJI, SCRIPT_CHARS, SPECIAL, WORDS
from tests.strategies import text as base_text
from tokenizer import ENDOFTEXT, ModelFileError, Tokenizer
from tokenizer.model_file import dumps, loads
from tokenizer.pretokenize import PATTERNS

from . import common

settings.register_profile("fuzz", max_examples=100_000, deadline=None)

# ----- strings ---------------------------------------------------------------------------------------
# The letters and combining marks of every registry script (tests/strategies.py), and a few of no script.
LETTERS = [c for chars in SCRIPT_CHARS.values() for c in chars if unicodedata.category(c) == "Lo"]
MARKS = [c for chars in SCRIPT_CHARS.values() for c in chars if unicodedata.category(c) in ("Mn", "Mc")]
MARKS += ["\u0300", "\u0301", "\u20dd", "\ufe0f", "\u200c", "\u200d"]

def _word_pieces(chars: list[str]) -> list[str]:
    """Four letters spread over a script, its viramas and two of its marks: long words of these
    stress the akshara rules."""
    letters = [c for c in chars if unicodedata.category(c) == "Lo"]
    viramas = [c for c in chars if unicodedata.combining(c) == 9]
    marks = [c for c in chars if unicodedata.category(c) in ("Mn", "Mc") and c not in viramas]
    return letters[:: max(1, len(letters) // 4)][:4] + viramas + marks[:: max(1, len(marks) // 2)][:2]


WORD_PIECES = sorted({c for chars in SCRIPT_CHARS.values() for c in _word_pieces(chars)} | set("ab"))
ZWJ_EMOJI = ["👩🏽\u200d💻", "🏳️\u200d🌈", "👁️\u200d🗨️", "🧑\u200d🤝\u200d🧑", "❤️\u200d🔥", "👨\u200d👩\u200d👧\u200d👦"]
LOOK_ALIKES = [
    ENDOFTEXT,
    ENDOFTEXT * 2,
    "<|endoftext|",
    "<|endoftext|>>",
    "<<|endoftext|>",
    "<|ENDOFTEXT|>",
    "<|endo\u200dftext|>",
    "< |endoftext|>",
    "<|endoftext|\u093f>",
    "<|pad|>",
    "<|",
    "|>",
]
CONTROLS = st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Co"))
consonant = st.sampled_from(LETTERS)
mark_storm = st.tuples(consonant, st.lists(st.sampled_from(MARKS), min_size=1, max_size=300)).map(
    lambda t: t[0] + "".join(t[1])
)
long_word = st.lists(st.sampled_from(WORD_PIECES), min_size=50, max_size=1500).map("".join)
piece = st.one_of(
    *(st.sampled_from(chars) for chars in SCRIPT_CHARS.values()),
    st.sampled_from(SPECIAL),
    st.sampled_from(EMOJI + ZWJ_EMOJI),
    st.sampled_from(WORDS),
    st.sampled_from(LOOK_ALIKES),
    st.sampled_from(MARKS),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.characters(blacklist_categories=("Cs",)),
    CONTROLS,
    mark_storm,
)
mixed = st.lists(piece, max_size=60).map("".join)
hostile_text = st.one_of(
    base_text, mixed, mixed, mark_storm, long_word, st.lists(st.one_of(long_word, piece), max_size=4).map("".join)
)


# ----- properties --------------------------------------------------------------------------------------
class Failure(AssertionError):
    pass


def check_roundtrip(tok: Tokenizer) -> Callable[[str], None]:
    def check(s: str) -> None:
        if tok.decode(tok.encode_ordinary(s), errors="strict") != s:
            raise Failure("encode_ordinary round trip")
        if tok.decode(tok.encode(s, allowed_special="all"), errors="strict") != s:
            raise Failure("encode(allowed_special='all') round trip")

    return check


def check_presplit(s: str) -> None:
    for name, pattern in PATTERNS.items():
        chunks = pattern.split(s)
        if "".join(chunks) != s or "" in chunks:
            raise Failure(f"pattern {name} loses or adds text")


def check_stream(tok: Tokenizer) -> Callable[[tuple[str, list[int]]], None]:
    def check(arg: tuple[str, list[int]]) -> None:
        s, points = arg
        cuts = sorted({p % (len(s) + 1) for p in points})
        blocks = [s[a:b] for a, b in zip([0, *cuts], [*cuts, len(s)], strict=True)]
        got = [i for piece in tok.encode_iter(blocks, allowed_special="all") for i in piece]
        if got != tok.encode(s, allowed_special="all"):
            raise Failure(f"encode_iter differs for blocks {blocks!r}")

    return check


def check_parity(tok: Tokenizer) -> Callable[[str], None]:
    from tokenizers import Tokenizer as HfTokenizer

    from tokenizer.hf import to_hf

    ref = tok.reference()
    exported = HfTokenizer.from_str(to_hf(tok).to_str())  # what tokenizer.json holds

    def check(s: str) -> None:
        expected = ref.encode(s, allowed_special="all")
        if tok.encode(s, allowed_special="all") != expected:
            raise Failure("Tokenizer.encode(allowed_special='all') differs from the reference")
        if tok.encode_ordinary(s) != ref.encode_ordinary(s):
            raise Failure("Tokenizer.encode_ordinary differs from the reference")
        if exported.encode(s, add_special_tokens=False).ids != expected:
            raise Failure("exported tokenizer.json differs")

    return check


MUTATION = st.lists(
    st.tuples(
        st.sampled_from(["truncate", "flip", "set", "insert", "delete", "swap-lines", "drop-line", "dup-line", "crlf"]),
        st.integers(min_value=0),
        st.integers(min_value=0),
        st.integers(min_value=0, max_value=255),
    ),
    min_size=1,
    max_size=4,
)


def mutate(data: bytes, ops: list[tuple[str, int, int, int]]) -> bytes:
    for op, i, j, byte in ops:
        n = max(len(data), 1)
        if op == "truncate":
            data = data[: i % n]
        elif op == "flip":
            k = i % n
            data = data[:k] + bytes([data[k] ^ (1 << (byte % 8))]) + data[k + 1 :] if data else data
        elif op == "set":
            k = i % n
            data = data[:k] + bytes([byte]) + data[k + 1 :]
        elif op == "insert":
            k = i % (n + 1)
            data = data[:k] + bytes([byte]) * (1 + j % 3) + data[k:]
        elif op == "delete":
            k = i % n
            data = data[:k] + data[k + 1 + j % 8 :]
        else:
            lines = data.split(b"\n")
            a, b = i % len(lines), j % len(lines)
            if op == "swap-lines":
                lines[a], lines[b] = lines[b], lines[a]
            elif op == "drop-line":
                del lines[a]
            elif op == "dup-line":
                lines.insert(b, lines[a])
            else:
                lines[a] += b"\r"
            data = b"\n".join(lines)
    return data


def check_model_load(base: bytes, original: Tokenizer, outcomes: Counter) -> Callable[[list], None]:
    def check(ops: list) -> None:
        data = mutate(base, ops)
        try:
            tok = loads(data, "fuzz.model")
        except ModelFileError as e:
            if not str(e).startswith("fuzz.model"):
                raise Failure(f"ModelFileError without the file name: {e}") from None
            outcomes["rejected (ModelFileError)"] += 1
            return
        same = tok.merges == original.merges and tok.special_tokens == original.special_tokens
        same = same and tok.pattern.regex == original.pattern.regex
        outcomes["loaded, same model" if same else "loaded, a different model"] += 1
        if not same:
            raise Failure("a mutated file loaded as a different model")

    return check


def run_property(name: str, strategy, check: Callable, examples: int) -> dict:
    stats: dict = {"property": name, "examples": 0, "failures": 0, "seconds": 0.0, "first_failures": []}

    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def prop(x) -> None:
        stats["examples"] += 1
        if stats["examples"] % 10_000 == 0:  # progress, so that a run cut short still has exact counts
            seconds = time.perf_counter() - start
            print(
                f"{name:>14}: {stats['examples']:>7,} so far, {stats['failures']} failures, {seconds:.0f} s", flush=True
            )
        try:
            check(x)
        except Exception as e:  # noqa: BLE001 - counted, not raised: the run goes on to the full example count
            stats["failures"] += 1
            if len(stats["first_failures"]) < 5:
                detail = "".join(traceback.format_exception_only(type(e), e)).strip()
                stats["first_failures"].append({"input": repr(x)[:400], "error": detail[:400]})

    start = time.perf_counter()
    prop()
    stats["seconds"] = round(time.perf_counter() - start, 1)
    print(
        f"{name:>14}: {stats['examples']:>7,} examples, {stats['failures']} failures, {stats['seconds']:.1f} s",
        flush=True,
    )
    for f in stats["first_failures"]:
        print(f"    {f['error']}\n      on {f['input'][:200]}")
    return stats


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--examples", type=int, help="examples per property (default: profile 'fuzz', 100,000)")
    p.add_argument("--only", nargs="+", help="run only these properties")
    p.add_argument("--mutate-merges", type=int, default=300, help="merges kept in the model file that is mutated")
    args = p.parse_args()
    settings.load_profile("fuzz")
    examples = args.examples or settings.get_profile("fuzz").max_examples
    common.report_load()

    models = {}
    for lang in ("hi", "kn"):
        models[lang], source = common.our_model(lang, tokenizer.VOCAB_CAP, "indic-phrases")
        print(f"{lang}: {source}")
    # The mutated file: the Hindi model cut to its first --mutate-merges merges (a valid model), so
    # that a load costs milliseconds and 100,000 of them fit in minutes.
    hi = models["hi"]
    keep = dict(sorted(hi.merges.items(), key=lambda kv: kv[1])[: args.mutate_merges])
    small = Tokenizer(keep, hi.pattern, {ENDOFTEXT: 256 + len(keep)}, name="hi-fuzz")
    base = dumps(small).encode()
    outcomes: Counter = Counter()

    properties: list[tuple[str, object, Callable]] = []
    for lang, tok in models.items():
        properties.append((f"roundtrip-{lang}", hostile_text, check_roundtrip(tok)))
    properties.append(("presplit", hostile_text, check_presplit))
    for lang, tok in models.items():
        properties.append(
            (f"stream-{lang}", st.tuples(hostile_text, st.lists(st.integers(0), max_size=12)), check_stream(tok))
        )
    properties.append(("model-load", MUTATION, check_model_load(base, small, outcomes)))
    for lang, tok in models.items():
        properties.append((f"parity-{lang}", hostile_text, check_parity(tok)))
    if args.only:
        unknown = set(args.only) - {name for name, _, _ in properties}
        if unknown:
            p.error(f"unknown properties {sorted(unknown)}")
        properties = [x for x in properties if x[0] in args.only]

    # A partial run (--only) gets its own file, so it never replaces the record of a full run.
    results_name = "fuzz" if not args.only else "fuzz_" + "_".join(sorted(args.only))
    results = []
    start = time.perf_counter()
    for name, strategy, check in properties:
        results.append(run_property(name, strategy, check, examples))
        if name == "model-load":
            results[-1]["outcomes"] = dict(outcomes)
            print("    " + ", ".join(f"{k}: {v:,}" for k, v in sorted(outcomes.items())), flush=True)
        payload = {"examples_per_property": examples, "mutated_model_merges": len(keep), "properties": results}
        common.write_results(results_name, payload)  # after every property: a run cut short keeps what it did
    total = time.perf_counter() - start
    common.print_table(results, ["property", "examples", "failures", "seconds"], f"fuzz, {examples:,} per property")
    print(f"total {total / 60:.1f} min")


if __name__ == "__main__":
    main()
