"""More training text of another genre: does it raise our lead over the baseline, or lift both? (issue 19)

Training on Common Voice raised Punjabi's and Assamese's out-of-domain ratio only because the baseline
of release 2 had seen Common Voice and the model had not (docs/compression.md). This asks the fair
question with the Pratham stories: they are split by story (sha256 of the story's file name), one
half trains and the other half is held out, whole stories, so no held-out line shares a story with
a training line. Today's recipe (bench.generalise's `today`) is trained with and without the
training half, and so is the HF BpeTrainer baseline (on the whole corpus, as bench/ood.py trains
it). All four are measured on the valid split, the held-out stories and the language's other OOD
sources. "gain" is bytes/token with the stories ÷ without; "ratio" is ours ÷ the baseline trained
on the same text.

    python -m bench.story_split                  # the twelve languages with stories
    python -m bench.story_split --lang mr hi

Results: bench/results/story-split.json (merged across runs, one row per language and set).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import tokenizer
from tokenizer.build import measure_hf
from tokenizer.files import write_atomic
from tokenizer.metrics import evaluate

from . import common, ood
from . import generalise as g
from . import validation_sets as vs


def held_out_sets(lang: str) -> dict[str, Sequence[str]]:
    """The sets measured: valid, the held-out stories, and every other source of the OOD set."""
    sets: dict[str, Sequence[str]] = {"valid": vs.corpus_lines(lang, "valid"), "stories (held out)": vs.story_halves(lang)[1]}
    sets.update({src: lines for src, lines in vs.ood_by_source(lang).items() if src != "pratham"})
    return sets


def rows_for(lang: str, vocab_size: int = tokenizer.VOCAB_CAP) -> list[dict]:
    """Train the four tokenizers and measure them on every set."""
    train_stories, _ = vs.story_halves(lang)
    docs = g.train_documents(lang, with_train_files=False)  # the corpus alone, even where the stories train
    story_docs = g.pseudo_documents(train_stories)
    today = g.experiment_named("today")
    recipe = g.recipe_for(lang, today)
    ours = {with_: g.train_experiment(docs + (story_docs if with_ else ()), recipe, today, vocab_size,
                                      name=f"{lang}-{'stories' if with_ else 'today'}")
            for with_ in (False, True)}
    whole = vs.corpus_lines(lang, "all", with_train_files=False)
    pattern = ood.core_pattern(ood.recipe_of(lang))
    base = {with_: ood.hf_bpe(lang, whole + (train_stories if with_ else ()), pattern, vocab_size)
            for with_ in (False, True)}
    rows = []
    for name, lines in held_out_sets(lang).items():
        m = {w: evaluate(ours[w], lines) for w in (False, True)}
        b = {w: measure_hf(base[w], list(lines)).bytes_per_token for w in (False, True)}
        rows.append({
            "lang": lang, "set": name, "lines": len(lines), "story lines trained": len(train_stories),
            "ours b/t": m[False].bytes_per_token, "ours+stories b/t": m[True].bytes_per_token,
            "gain": round(m[True].bytes_per_token / m[False].bytes_per_token, 4),
            "baseline gain": round(b[True] / b[False], 4),
            "ratio": round(m[False].bytes_per_token / b[False], 4),
            "ratio with stories": round(m[True].bytes_per_token / b[True], 4),
            "mid-akshara": round(m[False].mid_akshara_rate, 4), "mid-akshara+stories": round(m[True].mid_akshara_rate, 4),
        })
    return rows


COLUMNS = ["lang", "set", "lines", "story lines trained", "ours b/t", "ours+stories b/t", "gain", "baseline gain",
           "ratio", "ratio with stories"]


def main() -> None:
    p = common.parser(__doc__, vs.PRATHAM_LANGS)
    args = p.parse_args()
    path = common.RESULTS_DIR / "story-split.json"
    old = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    done = {(r["lang"], r["set"]): r for r in old.get("rows", [])}
    for lang in args.lang:
        rows = rows_for(lang, args.vocab_size)
        common.print_table(rows, COLUMNS, lang)
        done = {k: r for k, r in done.items() if k[0] != lang} | {(r["lang"], r["set"]): r for r in rows}
        order = list(vs.PRATHAM_LANGS)
        write_atomic(path, json.dumps({"rows": sorted(done.values(), key=lambda r: order.index(r["lang"])),
                                       "environment": common.environment()}, ensure_ascii=False, indent=1) + "\n")
    print(f"results: {path.relative_to(common.ROOT)}")


if __name__ == "__main__":
    main()
