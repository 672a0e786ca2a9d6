"""Would more non-Wikipedia text close the gap? Each OOD source held out in turn (issue 19, goal 2).

Training on a source's other lines lifts that source by 4-14% (`sources x1` in bench.generalise),
but that is in-source: a new source of text, the only kind more data could bring, is another
publisher's. So for a language whose OOD set has several sources, each source S is left out in
turn and the set lines of the *other* sources train, as a new source would:

    x1   ours trains on them once, as the baseline does (what the recipe makes of more text)
    x3   ours trains on them three times, the baseline once (weighting the new source)

The baseline is bench.ood's (HF BpeTrainer, our core pre-split, 5,000 ids) trained on the whole
corpus plus those lines; S is measured on its own against it, as is the in-domain valid split.
`today` is the shipped recipe on the training split, against the whole-corpus baseline, on the
same lines. S never trains: neither its set lines nor its other lines (the corpus excludes them).

    python -m bench.cross_source --lang ta te      # -> bench/results/cross-source.json
    python -m bench.cross_source --markdown        # docs/compression.md's table from the results
"""

from __future__ import annotations

from collections.abc import Sequence

import tokenizer
from tokenizer.build import measure_hf
from tokenizer.metrics import Metrics, evaluate
from tokenizer.registry import LANGUAGES

from . import common, ood
from . import generalise as g
from . import validation_sets as vs

WEIGHTS = (1, 3)
NAME = "cross-source"  # bench/results/cross-source.json


def multi_source_langs() -> list[str]:
    """The shipped languages whose OOD set has more than one source."""
    return [lang for lang in LANGUAGES if len(vs.ood_by_source(lang)) > 1]


def other_lines(lang: str, held: str) -> tuple[str, ...]:
    """The OOD set lines of every source but `held`, in the set's order."""
    return tuple(line for label, lines in vs.ood_by_source(lang).items() if label != held for line in lines)


def ours(lang: str, extra: Sequence[str], weight: int, vocab_size: int = tokenizer.VOCAB_CAP) -> tokenizer.Tokenizer:
    """The shipped recipe trained on the training split plus `extra` `weight` times (cached)."""
    docs = g.train_documents(lang) + g.pseudo_documents(extra) * weight
    return g.cached_training(lang, g.experiment_named("today"), docs, vocab_size)[0]


def ratio(a: Metrics, b: Metrics) -> float:
    return round(a.bytes_per_token / b.bytes_per_token, 4)


def fold(lang: str, held: str, today: tokenizer.Tokenizer, base_today: dict[str, Metrics],
         vocab_size: int = tokenizer.VOCAB_CAP) -> dict:
    """One held-out source: today, x1 and x3 against their baselines, on the source and on valid."""
    sets = {held: vs.ood_by_source(lang)[held], "valid": vs.corpus_lines(lang, "valid")}
    extra = other_lines(lang, held)
    assert not set(extra) & set(sets[held]), f"{lang}: {held} would train"
    base = ood.hf_bpe(lang, vs.corpus_lines(lang, "all") + extra, ood.baseline_pattern(lang), vocab_size)
    base_m = {s: measure_hf(base, list(lines)) for s, lines in sets.items()}
    row: dict = {"lang": lang, "held": held, "lines": len(sets[held]), "added lines": len(extra),
                 "baseline b/t": base_today[held].bytes_per_token, "baseline+ b/t": base_m[held].bytes_per_token}
    today_m = {s: evaluate(today, lines) for s, lines in sets.items()}
    row["today b/t"] = today_m[held].bytes_per_token
    row["today ratio"] = ratio(today_m[held], base_today[held])
    row["today valid ratio"] = ratio(today_m["valid"], base_today["valid"])
    for w in WEIGHTS:
        tok = ours(lang, extra, w, vocab_size)
        m = {s: evaluate(tok, lines) for s, lines in sets.items()}
        row[f"x{w} b/t"] = m[held].bytes_per_token
        row[f"x{w} ratio"] = ratio(m[held], base_m[held])
        row[f"x{w} valid ratio"] = ratio(m["valid"], base_m["valid"])
    return row


def run(lang: str, vocab_size: int = tokenizer.VOCAB_CAP) -> list[dict]:
    today = ours(lang, (), 0, vocab_size)
    sources = vs.ood_by_source(lang)
    base = ood.baseline(lang, vocab_size)
    base_today = {s: measure_hf(base, list(lines)) for s, lines in sources.items()}
    base_today["valid"] = measure_hf(base, list(vs.corpus_lines(lang, "valid")))
    rows = []
    for held in sources:
        rows.append(fold(lang, held, today, base_today, vocab_size))
        r = rows[-1]
        print(f"  {lang} -{held}: today {r['today ratio']}, x1 {r['x1 ratio']}, x3 {r['x3 ratio']}", flush=True)
    return rows


def save(rows: list[dict]) -> None:
    old = common.read_results(NAME)
    done = {(r["lang"], r["held"]): r for r in old.get("rows", [])}
    done.update({(r["lang"], r["held"]): r for r in rows})
    order = list(LANGUAGES)
    data = {"rows": sorted(done.values(), key=lambda r: (order.index(r["lang"]), r["held"]))}
    common.write_results(NAME, data)


def markdown(rows: list[dict]) -> str:
    """Per language, the mean over its left-out sources (the folds are in the results file)."""
    out = ["| language | sources left out | lines added | left-out source: today / x1 / x3 | valid: today / x1 / x3 |"
           " x1 ÷ today: worst / best fold |",
           "|---|---:|---|---|---|---|"]
    for lang in dict.fromkeys(r["lang"] for r in rows):
        folds = [r for r in rows if r["lang"] == lang]

        def mean(key: str) -> str:
            return f"{sum(r[key] for r in folds) / len(folds):.3f}"

        added = sorted(r["added lines"] for r in folds)
        gains = sorted(r["x1 ratio"] / r["today ratio"] - 1 for r in folds)
        out.append(f"| {lang} | {len(folds)} | {added[0]:,}-{added[-1]:,} | {mean('today ratio')} / {mean('x1 ratio')} / "
                   f"{mean('x3 ratio')} | {mean('today valid ratio')} / {mean('x1 valid ratio')} / "
                   f"{mean('x3 valid ratio')} | {gains[0]:+.1%} / {gains[-1]:+.1%} |")
    return "\n".join(out)


def main() -> None:
    langs = multi_source_langs()
    p = common.parser(__doc__, langs, langs)
    p.add_argument("--markdown", action="store_true", help="print the table from bench/results/cross-source.json")
    args = p.parse_args()
    if args.markdown:
        print(markdown(common.read_results(NAME)["rows"]))
        return
    common.report_load()
    rows = []
    for lang in args.lang:
        rows += run(lang, args.vocab_size)
        save(rows)
    print(markdown(rows))


if __name__ == "__main__":
    main()
