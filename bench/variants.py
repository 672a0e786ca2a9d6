"""Compression frontier: one training idea at a time, against the same-vocabulary baselines.

Every variant is trained here on the same cleaned training lines (`corpus.train_texts()` of the
embedded corpus) with a total vocabulary of --vocab-size ids (bytes + merges + <|endoftext|>), and
measured on both held-out splits: "valid" (the split choices were made on) and "test" (a second
held-out slice that no choice looked at). Each variant changes one thing relative to a row above
it, in this order:

  bpe                          plain BPE on the core "indic" pre-split (== HF BpeTrainer)
  +whole-chars                 bpe, tokens never mix part of a character with anything else
  danda-attached               indic + an optional danda (। ॥) after a word
  punct-attached               indic + optional closing punctuation after a word
  space-before-digits          indic, numbers may take the space before them
  digits-4                     indic, digit groups of up to 4 instead of 3
  gpt4-prefix                  indic, a word may take any one non-letter before it (GPT-4 style)
  indic-words                  all word-level choices together (one stage)
  words→phrases                indic-words until 74 % of merges, then indic-phrases (SuperBPE-like)
  aksharas→words               akshara until 10.5 %, then indic-words
  curriculum (no whole-chars)  akshara → indic-words → indic-phrases
  curriculum                   Hindi's recipe, with whole characters (shipped hi and kn)
  curriculum + Marathi         hi only: the default recipe on the Hindi training text + Marathi
  phrases from scratch         one stage on indic-phrases (what HF BPE learns with our final split)
  ties: largest pair           curriculum, but among pairs of equal count the LARGEST (left, right)
                               id pair wins instead of the smallest
  (the rows above run on hi and kn only, except curriculum; the rows below on every language)
  brahmic bpe                  plain BPE on the `brahmic` pre-split (a run per script of the registry)
  brahmic-curriculum           the curriculum on the brahmic family (the recipe of the new languages)
  brahmic: words→phrases       brahmic-curriculum without its akshara stage
  brahmic: aksharas to 20 %    the akshara stage until 20 % of merges
  brahmic: indic aksharas      the first stage on `akshara` (no conjuncts through other viramas)
  brahmic: phrases from 60 %   the phrase stage from 60 % of merges
  (the rows below use the family of the language's own script: `arab` for Urdu, `sinh` for Sinhala,
   `deva` for Sanskrit, `beng` for Manipuri; its registry recipe is `<family>-curriculum`)
  script bpe                   plain BPE on the script family's core pre-split (= HF BpeTrainer with it)
  script curriculum            aksharas until 10.5 %, words until 74 %, then phrases
  script: words→phrases        no akshara stage (words until 74 %, then phrases)
  script: aksharas to N %      the akshara stage until 2.5, 5, 7.5 or 20 % of merges
  script: aksharas→phrases     no word stage (aksharas until 10.5 %, then phrases)
  script: phrases from N %     the phrase stage from 40, 60 or 85 % of merges
  script: words→phrases from N %  no akshara stage, the phrase stage from 60 or 85 % of merges
  script: words only           no phrase stage (aksharas until 10.5 %, then words)
  script: numbers without a dotted part  the registry recipe, numbers of 1-3 digits only (१२३.४५ is two)

Baselines (same training lines, same total vocabulary, settings of bench/baselines.py): HF BPE with
the core pre-split of the language's family (indic for hi and kn, brahmic for the ten others of the
first twelve, the script's own family for the six added later) and with
its phrases pre-split, sentencepiece BPE and unigram. "Best
baseline" is the one with the most bytes/token, per split; every variant shows its ratio to it.

Run from the repository root (about 5-6 minutes per language on 2 busy cores). Languages not run
are kept in the results file, so the two languages may also run side by side:
    python -m bench.variants                          # every language -> bench/results/variants.json (hours)
    python -m bench.variants --lang hi & python -m bench.variants --lang kn
    python -m bench.variants --lang kn --only bpe curriculum --no-baselines
    python -m bench.variants --lang ta --only curriculum brahmic-curriculum --no-unigram
    python -m bench.variants --lang ur --only "script curriculum" "script: words only" --no-unigram

Every language's notes also give, for each variant, its valid bytes/token divided by that of the
language's registry recipe with a 95 % interval over resampled valid documents (a bootstrap), so a
lead smaller than the noise of a small held-out split shows as such.
"""

from __future__ import annotations

import argparse
import fcntl
import heapq
import importlib
import json
import os
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

import tokenizer
from tokenizer.corpus import clean_document, read_files
from tokenizer.metrics import evaluate
from tokenizer.pretokenize import OPENING, PATTERNS, Pattern, closing, indic_pattern, word_runs
from tokenizer.registry import CODES, FAMILIES, RECIPES, SCRIPTS, Family, Kind, Recipe, Stage, get_language


from . import baselines, common

train_module = importlib.import_module("tokenizer.train")  # the module (the package's `train` is the function)
MARATHI = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "mr_train.txt.gz"

# ----- the variants' pre-splits, registered by name so that a training Stage can refer to them -----
_INDIC = word_runs(FAMILIES["indic"])
_EXTRA_PATTERNS = [
    Pattern("bench-danda", indic_pattern(_INDIC, suffix=r"(?:[।॥])?"), "indic + an optional danda after a word"),
    Pattern("bench-punct", indic_pattern(_INDIC, suffix=f"(?:{closing(FAMILIES['indic'])})?"), "indic + closing punctuation after a word"),
    Pattern("bench-space-digits", indic_pattern(_INDIC, digits=r" ?\p{N}{1,3}"), "indic, a space may precede a number"),
    Pattern("bench-digits-4", indic_pattern(_INDIC, digits=r"\p{N}{1,4}"), "indic, digit groups of up to four"),
    Pattern(
        "bench-gpt4-prefix",
        indic_pattern(_INDIC, prefix=r"[^\r\n\p{L}\p{N}\p{M}\u200c\u200d]?"),
        "indic, any one non-letter (GPT-4 style) may precede a word",
    ),
]


def register_patterns() -> None:
    for p in _EXTRA_PATTERNS:
        if PATTERNS.setdefault(p.name, p) != p:
            raise RuntimeError(f"pattern name {p.name!r} is already taken by another regex")


CURRICULUM = RECIPES["curriculum"]
BRAHMIC_CURRICULUM = RECIPES["brahmic-curriculum"]


@dataclass(frozen=True)
class Variant:
    name: str
    changes: str
    recipe: Recipe | None  # None: built by `stages` on the family of each language's script
    langs: tuple[str, ...] = ("hi", "kn")
    extra: str | None = None  # "marathi": more training text
    ties: str = "smallest"  # which pair wins among equal counts
    stages: Callable[[Family], Sequence[tuple[str, float]]] | None = None  # (pattern, until) on a script family
    whole_characters: bool = True  # of a script-family variant

    def recipe_for(self, lang: str) -> Recipe:
        """The recipe this variant trains `lang` with (the registry's own when the stages are the same)."""
        if self.recipe is not None:
            return self.recipe
        assert self.stages is not None, self.name
        family = FAMILIES[SCRIPTS[get_language(lang).script].family]
        stages = tuple(Stage(pattern, until) for pattern, until in self.stages(family))
        own = RECIPES[family.pattern("core") + "-curriculum"]
        if stages == own.stages and self.whole_characters == own.whole_characters:
            return own
        return Recipe(f"{family.name}: {self.name}", family.name, stages, self.whole_characters, self.changes)


def _recipe(name: str, stages: Sequence[tuple[str, float]], whole: bool) -> Recipe:
    return Recipe(name, "indic", tuple(Stage(p, u) for p, u in stages), whole, name)


def _script(name: str, changes: str, stages: Callable[[Family], Sequence[tuple[str, float]]],
            whole: bool = True) -> Variant:
    """A variant on the pre-split family of each language's own script."""
    return Variant(name, changes, None, CODES, stages=stages, whole_characters=whole)


def _kinds(*kinds: tuple[Kind, float]) -> Callable[[Family], Sequence[tuple[str, float]]]:
    """Stages given by pattern kind, on the family a variant runs on."""
    return lambda f: [(f.pattern(kind), until) for kind, until in kinds]


def _plain_numbers(f: Family) -> Sequence[tuple[str, float]]:
    """The registry curriculum of the family, its -words and -phrases patterns without dotted numbers."""
    return [(_PLAIN_NUMBERS.get(s.pattern, s.pattern), s.until) for s in RECIPES[f"{f.name}-curriculum"].stages]


def _plain_number_patterns() -> dict[str, Pattern]:
    """Each script family's -words and -phrases pattern as it was before numbers kept a dotted part."""
    out = {}
    for f in FAMILIES.values():
        if f.dotted_numbers:
            for kind in ("words", "phrases"):
                regex = indic_pattern(word_runs(f), prefix=f" ?{OPENING}?", suffix=f"(?:{closing(f)})?",
                                      digits=r" ?\p{N}{1,3}", phrases=kind == "phrases")  # fmt: skip
                out[f.pattern(kind)] = Pattern(f"bench-{f.pattern(kind)}-plain-numbers", regex, f"{kind}, 3-digit numbers")
    return out


_PLAIN = _plain_number_patterns()
_PLAIN_NUMBERS = {name: p.name for name, p in _PLAIN.items()}
_EXTRA_PATTERNS += list(_PLAIN.values())


VARIANTS: list[Variant] = [
    Variant("bpe", "core: plain BPE on the `indic` pre-split (= HF BpeTrainer)", RECIPES["bpe"]),
    Variant("+whole-chars", "bpe + tokens are one character's bytes or whole characters",
            _recipe("+whole-chars", [("indic", 1.0)], True)),
    Variant("danda-attached", "indic + optional `।`/`॥` after a word",
            _recipe("danda", [("bench-danda", 1.0)], False)),
    Variant("punct-attached", "indic + optional closing punctuation after a word",
            _recipe("punct", [("bench-punct", 1.0)], False)),
    Variant("space-before-digits", "indic, a number may take the space before it",
            _recipe("space-digits", [("bench-space-digits", 1.0)], False)),
    Variant("digits-4", "indic, digit groups of up to 4 (not 3)",
            _recipe("digits-4", [("bench-digits-4", 1.0)], False)),
    Variant("gpt4-prefix", "indic, a word may take any one non-letter before it (not just a space)",
            _recipe("gpt4-prefix", [("bench-gpt4-prefix", 1.0)], False)),
    Variant("indic-words", "one stage on `indic-words` (opening bracket/quote, closing punct., space+number)",
            _recipe("indic-words", [("indic-words", 1.0)], False)),
    Variant("words→phrases", "indic-words until 74 % of merges, then `indic-phrases` (SuperBPE-like)",
            _recipe("words-phrases", [("indic-words", 0.74), ("indic-phrases", 1.0)], False)),
    Variant("aksharas→words", "`akshara` until 10.5 % of merges, then indic-words",
            _recipe("aksharas-words", [("akshara", 0.105), ("indic-words", 1.0)], False)),
    Variant("curriculum (no whole-chars)", "akshara → indic-words → indic-phrases (10.5 % / 74 %)",
            replace(CURRICULUM, whole_characters=False)),
    Variant("curriculum", "the curriculum + whole characters: Hindi's recipe (shipped hi and kn models)", CURRICULUM,
            langs=CODES),
    Variant("curriculum + Marathi", "curriculum trained on the Hindi training text + Marathi Wikipedia",
            CURRICULUM, langs=("hi",), extra="marathi"),
    Variant("phrases from scratch", "one stage on `indic-phrases` (HF BPE with our final pre-split)",
            _recipe("phrases", [("indic-phrases", 1.0)], False)),
    Variant("ties: largest pair", "curriculum, but equal counts go to the largest (left, right) pair",
            CURRICULUM, ties="largest"),
    # the brahmic family (a run and a virama per script of the registry), on every language
    Variant("brahmic bpe", "plain BPE on the `brahmic` pre-split (= HF BpeTrainer with it)",
            _recipe("brahmic-bpe", [("brahmic", 1.0)], False), langs=CODES),
    Variant("brahmic-curriculum", "the curriculum on the brahmic family (the new languages' recipe)",
            BRAHMIC_CURRICULUM, langs=CODES),
    Variant("brahmic: words→phrases", "brahmic-curriculum without the akshara stage",
            _recipe("brahmic-words-phrases", [("brahmic-words", 0.74), ("brahmic-phrases", 1.0)], True),
            langs=CODES),
    Variant("brahmic: aksharas to 20 %", "brahmic-curriculum, the akshara stage until 20 % of merges (not 10.5 %)",
            _recipe("brahmic-aksharas-20", [("brahmic-akshara", 0.2), ("brahmic-words", 0.74),
                                            ("brahmic-phrases", 1.0)], True), langs=CODES),
    Variant("brahmic: indic aksharas", "brahmic-curriculum, but its first stage is the indic `akshara` pattern "
            "(joins conjuncts only through the Devanagari and Kannada viramas)",
            _recipe("brahmic-indic-aksharas", [("akshara", 0.105), ("brahmic-words", 0.74), ("brahmic-phrases", 1.0)],
                    True), langs=CODES),
    Variant("brahmic: phrases from 60 %", "brahmic-curriculum, the phrase stage from 60 % of merges (not 74 %)",
            _recipe("brahmic-phrases-60", [("brahmic-akshara", 0.105), ("brahmic-words", 0.6),
                                           ("brahmic-phrases", 1.0)], True), langs=CODES),
    # the family of each language's own script (`arab`, `sinh`, `deva`, `beng`, ...), on every language
    _script("script bpe", "plain BPE on the script family's core pre-split (= HF BpeTrainer with it)",
            _kinds(("core", 1.0)), whole=False),
    _script("script curriculum", "aksharas to 10.5 %, words to 74 %, then phrases, on the script's family",
            _kinds(("akshara", 0.105), ("words", 0.74), ("phrases", 1.0))),
    _script("script: words→phrases", "no akshara stage: words to 74 %, then phrases",
            _kinds(("words", 0.74), ("phrases", 1.0))),
    _script("script: aksharas to 2.5 %", "aksharas until 2.5 % of merges (not 10.5 %)",
            _kinds(("akshara", 0.025), ("words", 0.74), ("phrases", 1.0))),
    _script("script: aksharas to 5 %", "aksharas until 5 % of merges (not 10.5 %)",
            _kinds(("akshara", 0.05), ("words", 0.74), ("phrases", 1.0))),
    _script("script: aksharas to 7.5 %", "aksharas until 7.5 % of merges (not 10.5 %)",
            _kinds(("akshara", 0.075), ("words", 0.74), ("phrases", 1.0))),
    _script("script: aksharas to 20 %", "aksharas until 20 % of merges (not 10.5 %)",
            _kinds(("akshara", 0.2), ("words", 0.74), ("phrases", 1.0))),
    _script("script: aksharas→phrases", "no word stage: aksharas to 10.5 %, then phrases",
            _kinds(("akshara", 0.105), ("phrases", 1.0))),
    _script("script: phrases from 40 %", "aksharas to 10.5 %, phrases from 40 % of merges (not 74 %)",
            _kinds(("akshara", 0.105), ("words", 0.4), ("phrases", 1.0))),
    _script("script: phrases from 60 %", "aksharas to 10.5 %, phrases from 60 % of merges (not 74 %)",
            _kinds(("akshara", 0.105), ("words", 0.6), ("phrases", 1.0))),
    _script("script: phrases from 85 %", "aksharas to 10.5 %, phrases from 85 % of merges (not 74 %)",
            _kinds(("akshara", 0.105), ("words", 0.85), ("phrases", 1.0))),
    _script("script: words→phrases from 60 %", "no akshara stage, phrases from 60 % of merges (not 74 %)",
            _kinds(("words", 0.6), ("phrases", 1.0))),
    _script("script: words→phrases from 85 %", "no akshara stage, phrases from 85 % of merges (not 74 %)",
            _kinds(("words", 0.85), ("phrases", 1.0))),
    _script("script: words only", "no phrase stage: aksharas to 10.5 %, then words",
            _kinds(("akshara", 0.105), ("words", 1.0))),
    _script("script: numbers without a dotted part", "the registry recipe, but a number is 1-3 digits, "
            "its dotted part (१२३.४५) a number of its own", _plain_numbers),
]  # fmt: skip
NOT_MEASURED = (
    "Picky-BPE-style removal of intermediate tokens is not measured: removing a token that later "
    "merges build on cannot be expressed as a BPE merge list, so the Hugging Face export (which must "
    "match our ids exactly) could not represent it."
)


def variant_named(name: str) -> Variant:
    key = name.replace("->", "→").casefold()
    for v in VARIANTS:
        if v.name.casefold() == key:
            return v
    raise SystemExit(f"unknown variant {name!r}; known: {', '.join(repr(v.name) for v in VARIANTS)}")


# ----- tie-breaking: the library's heap, with the pairs negated -------------------------------------
class _LargestPairFirst:
    """Stands in for `heapq` inside tokenizer.train: an entry (-count, pair key) is stored as
    (-count, -key), so among equal counts the largest pair pops first (a key orders as its
    (left, right) pair: key = left << train.SHIFT | right). Nothing else in the training changes."""

    @staticmethod
    def heapify(heap: list) -> None:
        heap[:] = [(c, -key) for c, key in heap]
        heapq.heapify(heap)

    @staticmethod
    def heappush(heap: list, item: tuple[int, int]) -> None:
        c, key = item
        heapq.heappush(heap, (c, -key))

    @staticmethod
    def heappop(heap: list) -> tuple[int, int]:
        c, key = heapq.heappop(heap)
        return c, -key


@contextmanager
def tie_break(which: str) -> Iterator[None]:
    if which == "smallest":
        yield
        return
    assert which == "largest", which
    original = train_module.heapq
    train_module.heapq = _LargestPairFirst  # type: ignore[assignment]
    try:
        yield
    finally:
        train_module.heapq = original


# ----- data ---------------------------------------------------------------------------------------
def marathi_lines() -> tuple[str, ...] | None:
    """All of the Marathi corpus, cleaned as training text is; None when the file is absent."""
    if not MARATHI.is_file():
        return None
    return tuple(line for doc in read_files([MARATHI]) for line in clean_document(doc.text).split("\n") if line)


# ----- measuring ----------------------------------------------------------------------------------
def round_trip_failures(tok: tokenizer.Tokenizer, lang: str) -> tuple[int, int, str | None]:
    """(lines where decode(encode(line)) != line, lines checked, first failing line) over both splits."""
    encode = tok.encode_ordinary
    lines = [line for split in common.SPLITS for line in common.held_out(lang, split)]
    bad = [line for line in lines if tok.decode(encode(line)) != line]
    return len(bad), len(lines), bad[0] if bad else None


def metrics_row(lang: str, split: str, name: str, m, seconds: float | None, kind: str) -> dict:
    return {
        "lang": lang,
        "split": split,
        "tokenizer": name,
        "kind": kind,
        "vocab_size": m.vocab_size,
        "bytes/token": m.bytes_per_token,
        "chars/token": m.chars_per_token,
        "tokens/word": m.tokens_per_word,
        "mid-akshara rate": m.mid_akshara_rate,
        "train s": None if seconds is None else round(seconds, 2),
        "metrics": m.as_dict(),
    }


@dataclass
class Trained:
    variant: Variant
    recipe: Recipe
    tok: tokenizer.Tokenizer
    seconds: float
    rows: dict[str, dict]  # split -> row
    round_trip: tuple[int, int, str | None]
    notes: list[str]


def run_variant(v: Variant, lang: str, vocab_size: int, extra_lines: tuple[str, ...] | None) -> Trained:
    texts: Sequence[str] = common.train_lines(lang)
    notes: list[str] = []
    if v.extra == "marathi":
        assert extra_lines is not None
        notes.append(
            f"{v.name}: {len(texts):,} Hindi + {len(extra_lines):,} Marathi training lines "
            f"({common.utf8_size(texts) / 1e6:.1f} + {common.utf8_size(extra_lines) / 1e6:.1f} MB)"
        )
        texts = texts + extra_lines
    recipe = v.recipe_for(lang)
    with tie_break(v.ties):
        tok, seconds = common.timed(
            lambda: tokenizer.train(texts, vocab_size, recipe=recipe, quiet=True, name=f"{lang}-{v.name}")
        )
    if tok.vocab_size > vocab_size:
        raise AssertionError(f"{v.name}: {tok.vocab_size} ids, above {vocab_size}")
    rows = {
        split: metrics_row(lang, split, v.name, evaluate(tok, common.held_out(lang, split)), seconds, "variant")
        for split in common.SPLITS
    }
    rt = round_trip_failures(tok, lang)
    for split, row in rows.items():
        row["changes"] = v.changes
        row["recipe"] = {"stages": [[s.pattern, s.until] for s in recipe.stages],
                         "whole_characters": recipe.whole_characters, "ties": v.ties, "extra": v.extra}  # fmt: skip
        row["lines not round-tripping"] = rt[0]
    return Trained(v, recipe, tok, seconds, rows, rt, notes)


def baseline_rows(
    lang: str, vocab_size: int, ours: dict[str, Trained], no_unigram: bool
) -> tuple[list[dict], list[str], dict[str, baselines.Candidate]]:
    """HF BPE on the family's core and phrases pre-splits, sentencepiece BPE and unigram, measured as in
    bench.baselines; also the candidates by label."""
    notes: list[str] = []
    candidates: list[tuple[str, baselines.Candidate]] = []
    describe = {
        "sentencepiece bpe": "sentencepiece BPE, byte fallback, no normalisation",
        "sentencepiece unigram": "sentencepiece unigram, byte fallback, no normalisation",
    }
    family = family_of(lang)
    twins = {"indic": "bpe", "brahmic": "brahmic bpe"}  # plain BPE on the family's core, trained by us
    for label, pattern, twin in (
        (f"HF BPE ({family} pre-split)", family, twins.get(family, "script bpe")),
        (f"HF BPE ({family}-phrases pre-split)", f"{family}-phrases", "phrases from scratch"),
    ):
        describe[label] = f"HF `tokenizers` BpeTrainer, `{pattern}` pre-split"
        mine = ours.get(twin)
        compare = (
            (lambda s, t=mine.tok: [t.decode_single_token_bytes(i) for i in t.encode_ordinary(s)]) if mine else (lambda s: None)
        )
        c = baselines.hf_bpe(lang, vocab_size, PATTERNS[pattern], compare)
        kept = [n for n in c.notes if mine or "identical" not in n]
        notes.extend(f"{label}: {n.removeprefix('hf-bpe: ').replace('ours', repr(twin))}" for n in kept)
        candidates.append((label, c))
    with tempfile.TemporaryDirectory() as tmp:
        for model_type in ("bpe",) if no_unigram else ("bpe", "unigram"):
            sp = baselines.sentencepiece(lang, vocab_size, model_type, Path(tmp))
            candidates.append((f"sentencepiece {model_type}", sp))
    rows = []
    for label, c in candidates:
        for split in common.SPLITS:
            r = baselines.evaluate(c, lang, split)
            rows.append({**r, "tokenizer": label, "kind": "baseline", "changes": f"baseline: {describe[label]}"})
            if r["lines not round-tripping"]:
                notes.append(f"{label} [{split}]: {r['lines not round-tripping']} lines do not round-trip")
        print(f"  [{lang}] baseline {label}: trained in {c.train_seconds:.1f} s", flush=True)
    return rows, notes, dict(candidates)


def family_of(lang: str) -> str:
    """The pre-split family of the language's recipe ("indic" for hi and kn, "brahmic", "arab", ...)."""
    return RECIPES[get_language(lang).recipe].family


# ----- tables -------------------------------------------------------------------------------------
def fmt(x, decimals: int) -> str:
    return "-" if x is None else f"{x:.{decimals}f}"


TABLE_COLUMNS = ["variant", "what it changes", "valid bytes/token", "test bytes/token", "chars/token (valid)",
                 "tokens/word (valid)", "mid-akshara rate (valid)", "train s", "÷ best baseline (valid)",
                 "÷ best baseline (test)"]  # fmt: skip


def summary(lang: str, rows: list[dict], best: dict[str, dict] | None) -> list[dict]:
    """One line per tokenizer: valid and test side by side, with the ratios to the best baseline."""
    out = []
    names = list(dict.fromkeys(r["tokenizer"] for r in rows if r["lang"] == lang))
    for name in names:
        by_split = {r["split"]: r for r in rows if r["lang"] == lang and r["tokenizer"] == name}
        v, t = by_split["valid"], by_split["test"]
        out.append({
            "variant": name, "kind": v["kind"], "what it changes": v["changes"],
            "valid bytes/token": v["bytes/token"], "test bytes/token": t["bytes/token"],
            "chars/token (valid)": v["chars/token"], "tokens/word (valid)": v["tokens/word"],
            "mid-akshara rate (valid)": v["mid-akshara rate"], "mid-akshara rate (test)": t["mid-akshara rate"],
            "train s": v["train s"],
            "÷ best baseline (valid)": round(v["bytes/token"] / best["valid"]["bytes/token"], 4) if best else None,
            "÷ best baseline (test)": round(t["bytes/token"] / best["test"]["bytes/token"], 4) if best else None,
            "lines not round-tripping": v.get("lines not round-tripping"),
        })  # fmt: skip
    return out


def markdown(lines: list[dict]) -> str:
    decimals = {"valid bytes/token": 3, "test bytes/token": 3, "chars/token (valid)": 3, "tokens/word (valid)": 3,
                "mid-akshara rate (valid)": 4, "train s": 1, "÷ best baseline (valid)": 4,
                "÷ best baseline (test)": 4}  # fmt: skip
    head = "| " + " | ".join(TABLE_COLUMNS) + " |"
    rule = "|" + "|".join("---" if c in ("variant", "what it changes") else "---:" for c in TABLE_COLUMNS) + "|"
    body = []
    for s in lines:
        name = s["variant"] if s["kind"] == "variant" else f"*{s['variant']}*"
        cells = [name, s["what it changes"]] + [fmt(s[c], decimals[c]) for c in TABLE_COLUMNS[2:]]
        body.append("| " + " | ".join(cells) + " |")
    return "\n".join([head, rule, *body])


# ----- main ---------------------------------------------------------------------------------------
def main() -> None:
    p = common.parser(__doc__)
    for action in p._actions:  # the shared --pattern option means nothing here: each variant names its own
        if action.dest == "pattern":
            action.help = argparse.SUPPRESS
    p.add_argument("--only", nargs="+", metavar="NAME", help="only these variants (names as in the table)")
    p.add_argument("--no-baselines", action="store_true", help="skip the HF and sentencepiece baselines")
    p.add_argument("--no-unigram", action="store_true", help="skip the sentencepiece unigram baseline (the slowest)")
    p.add_argument("--results", default="variants", help="results file bench/results/NAME.json (default: %(default)s)")
    args = p.parse_args()
    chosen = [variant_named(n) for n in args.only] if args.only else VARIANTS
    chosen = [v for v in VARIANTS if v in chosen]  # the table's order
    register_patterns()
    common.report_load()

    wants_marathi = any(v.extra == "marathi" for v in chosen) and "hi" in args.lang
    mr = marathi_lines() if wants_marathi else None
    done: dict[str, dict] = {}
    t0 = time.perf_counter()
    for lang in args.lang:
        t_lang = time.perf_counter()
        print(f"[{lang}] {len(common.train_lines(lang)):,} training lines; "
              f"{len(common.held_out(lang, 'valid')):,} valid / {len(common.held_out(lang, 'test')):,} test lines",
              flush=True)  # fmt: skip
        rows: list[dict] = []
        notes: list[str] = []
        if wants_marathi and lang == "hi" and mr is None:
            notes.append(f"curriculum + Marathi skipped: {MARATHI} is absent")
            print(f"  [{lang}] {notes[-1]}", flush=True)
        ours: dict[str, Trained] = {}
        for v in chosen:
            if lang not in v.langs or (v.extra == "marathi" and mr is None):
                continue
            got = run_variant(v, lang, args.vocab_size, mr)
            ours[v.name] = got
            notes.extend(got.notes)
            rows.extend(got.rows.values())
            print(f"  [{lang}] {v.name}: {got.seconds:.1f} s, valid {got.rows['valid']['bytes/token']:.4f} "
                  f"test {got.rows['test']['bytes/token']:.4f} bytes/token, "
                  f"{got.round_trip[0]} of {got.round_trip[1]} lines not round-tripping", flush=True)  # fmt: skip
        notes.extend(_variant_notes(lang, ours, args.vocab_size))
        failing = {name: t.round_trip[0] for name, t in ours.items() if t.round_trip[0]}
        if ours:
            checked = next(iter(ours.values())).round_trip[1]
            notes.append(
                f"decode(encode(line)) == line on all {checked} held-out lines (valid + test) for every variant"
                if not failing
                else f"ROUND-TRIP FAILURES: {failing}"
            )
        best = None
        hf_core = None
        if not args.no_baselines:
            b_rows, b_notes, candidates = baseline_rows(lang, args.vocab_size, ours, args.no_unigram)
            hf_core = candidates[f"HF BPE ({family_of(lang)} pre-split)"]
            rows.extend(b_rows)
            notes.extend(b_notes)
            best = {
                split: max((r for r in b_rows if r["split"] == split), key=lambda r: r["bytes/token"])
                for split in common.SPLITS
            }
            for split in common.SPLITS:
                notes.append(f"best baseline on {split}: {best[split]['tokenizer']} "
                             f"({best[split]['bytes/token']:.4f} bytes/token)")  # fmt: skip
        notes.extend(lead_intervals(lang, ours, hf_core))
        lines = summary(lang, rows, best)
        done[lang] = {
            "summary": lines,
            "markdown": markdown(lines),
            "winner_check": _winner_check(lang, ours, rows),
            "rows": rows,
            "notes": notes,
            "seconds": round(time.perf_counter() - t_lang, 1),
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "command": common.command(),
        }
        _write(args.results, args.vocab_size, done)

    for lang, got in done.items():
        print(f"\n### {lang}: compression frontier (total vocabulary {args.vocab_size:,})\n")
        print(got["markdown"])
    checks = [row for got in done.values() for row in got["winner_check"]]
    if checks:
        common.print_table(checks, list(checks[0]), "The winning variant (chosen on valid) vs HF BPE")
    print(f"\nnote: {NOT_MEASURED}")
    for lang, got in done.items():
        for note in got["notes"]:
            print(f"note: [{lang}] {note}")
    print(f"\ntotal time {time.perf_counter() - t0:.0f} s")


def _variant_notes(lang: str, ours: dict[str, Trained], vocab_size: int) -> list[str]:
    notes = []
    recipe = get_language(lang).recipe
    shipped = next((t for t in ours.values() if t.recipe.name == recipe and t.variant.extra is None), None)
    if shipped is not None:
        saved = common.model_path(lang)
        if saved.is_file() and vocab_size == tokenizer.VOCAB_CAP:
            same = tokenizer.load(saved).merges == shipped.tok.merges
            verdict = "has the same merges as" if same else "has DIFFERENT merges from"
            notes.append(f"{shipped.variant.name} trained here {verdict} {common.shown(saved)}")
    cur = ours.get("curriculum")
    ties = ours.get("ties: largest pair")
    if cur is not None and ties is not None:
        a = sorted(cur.tok.merges, key=cur.tok.merges.get)
        b = sorted(ties.tok.merges, key=ties.tok.merges.get)
        first = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), None)
        tokens = [{t.tok.vocab[i] for i in t.tok.merges.values()} for t in (cur, ties)]
        same_bytes = tokens[0] & tokens[1]
        notes.append(
            f"ties: largest pair vs curriculum: merge lists first differ at merge {first}; "
            f"{len(same_bytes)} of {len(a)} merged tokens have the same bytes in both"
        )
    return notes


BOOTSTRAP = 2000  # resamples of the valid documents


def lead_intervals(lang: str, ours: dict[str, Trained], hf: baselines.Candidate | None = None) -> list[str]:
    """Each variant's valid bytes/token ÷ that of the language's registry recipe, and the recipe's ÷ the
    HF BpeTrainer baseline `hf` (if given), with a 95 % interval over valid documents resampled with
    replacement (seeded): how far a lead is beyond the noise of the split. Documents, not lines, are
    resampled, because the split is drawn by document."""
    import numpy as np

    recipe = get_language(lang).recipe
    ref = next((t for t in ours.values() if t.recipe.name == recipe and t.variant.extra is None), None)
    if ref is None:
        return []
    corpus = common.corpus(lang)  # the held-out lines of each valid document, as held_out_lines keeps them
    docs = [corpus.split_rule.held_out([line for line in d.text.splitlines() if line.strip()])
            for d in corpus.split_documents("valid")]  # fmt: skip
    docs = [d for d in docs if d]
    assert sum(map(len, docs)) == len(common.held_out(lang, "valid"))

    def tokens(count) -> np.ndarray:
        return np.array([sum(count(line) for line in d) for d in docs], dtype=float)

    picks = np.random.default_rng(0).integers(0, len(docs), size=(BOOTSTRAP, len(docs)))

    def interval(name: str, mine: np.ndarray, base: np.ndarray) -> str:
        ratio = base.sum() / mine.sum()  # bytes cancel: (bytes / mine) / (bytes / base)
        low, high = np.percentile(base[picks].sum(axis=1) / mine[picks].sum(axis=1), [2.5, 97.5])
        return f"  {name}: {ratio:.4f} [{low:.4f}, {high:.4f}]"

    base = tokens(lambda line: len(ref.tok.encode_ordinary(line)))
    notes = [f"lead over {ref.variant.name} ({recipe}) on valid, 95 % interval over {len(docs)} resampled documents:"]
    for t in ours.values():
        if t is not ref and t.variant.extra is None:
            notes.append(interval(t.variant.name, tokens(lambda line, t=t: len(t.tok.encode_ordinary(line))), base))
    if hf is not None:
        notes.append(f"{recipe} ÷ HF BpeTrainer ({family_of(lang)} pre-split) on valid, same resamples:")
        notes.append(interval(recipe, base, tokens(lambda line: len(hf.tokenize(line)))))
    return notes


def _winner_check(lang: str, ours: dict[str, Trained], rows: list[dict]) -> list[dict]:
    """Mid-akshara rate and round trips of the variant with the most valid bytes/token (among those
    trained on the same text) and of the shipped recipe, against HF BPE (the family's core pre-split)."""
    same_text = [t for t in ours.values() if t.variant.extra is None]
    if not same_text:
        return []
    win = max(same_text, key=lambda t: t.rows["valid"]["bytes/token"])
    recipe = get_language(lang).recipe
    shipped = [t for t in same_text if t.recipe.name == recipe and t is not win]  # the variant of the registry recipe
    shown = [("winner (valid)", win)] + [("shipped", t) for t in shipped]
    label = f"HF BPE ({family_of(lang)} pre-split)"
    hf = {r["split"]: r for r in rows if r["lang"] == lang and r["tokenizer"] == label}
    out = []
    for role, t in shown:
        row = {"lang": lang, "role": role, "variant": t.variant.name}
        for split in common.SPLITS:
            row[f"mid-akshara {split}"] = t.rows[split]["mid-akshara rate"]
            row[f"HF BPE mid-akshara {split}"] = hf[split]["mid-akshara rate"] if hf else None
        row["no worse than HF"] = (
            all(row[f"mid-akshara {s}"] <= row[f"HF BPE mid-akshara {s}"] for s in common.SPLITS) if hf else None
        )
        row["round-trip failures"] = t.round_trip[0]
        row["lines checked"] = t.round_trip[1]
        out.append(row)
    return out


def _write(name: str, vocab_size: int, done: dict[str, dict]) -> None:
    """bench/results/<name>.json; languages not run now are kept from the file (same vocab size),
    so `--lang hi` and `--lang kn` may run one after the other or side by side."""
    path = common.RESULTS_DIR / f"{name}.json"
    common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as lock:  # the lock guards read-modify-write across processes
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock.seek(0)
        try:
            old = json.loads(lock.read() or "{}")
        except json.JSONDecodeError:
            old = {}
        by_lang = old.get("by_lang", {}) if old.get("vocab_size") == vocab_size else {}
        by_lang.update(done)
        by_lang = {lang: by_lang[lang] for lang in CODES if lang in by_lang}
        common.write_results(name, {
            "vocab_size": vocab_size,
            "languages": list(by_lang),
            "variants": [v.name for v in VARIANTS],
            "not_measured": NOT_MEASURED,
            "by_lang": by_lang,
        })  # fmt: skip


if __name__ == "__main__":
    main()
