"""A vocabulary that generalises (issue 19, goal 2): each idea trained and measured in and out of domain.

Every experiment trains on the same lines (the training split minus the lines held out as OOD text,
bench/validation_sets.py) with 5,000 ids in total, and is measured on the in-domain valid split and
the OOD set, against the same HF BpeTrainer baseline as bench/ood.py (trained on the full corpus).
The trainer is the library's stage loop (tokenizer.train), re-run here so that one stage can count
differently or see other lines; with no idea switched on it gives exactly tokenizer.train's merges
(tests/test_generalise.py checks). The ideas:

  docs            the phrase stage counts a chunk once per document that contains it, not once per
                  occurrence (a template repeated in a thousand stubs no longer outweighs the language)
  sqrt            the phrase stage counts sqrt(occurrences): damped, not flattened
  docs-all, sqrt-all  the same for every stage: a word repeated all through one article (its
                  subject's name) no longer outweighs words that occur everywhere
  powP-words      the words and phrase stages count occurrences^P (P = 0.9, 0.8, 0.7), milder than
                  sqrt; the akshara stage counts as today
  dedup           the phrase stage skips near-duplicate lines (equal once digits are masked) and
                  template lines (most of their word 4-grams occur in >= 0.2% of documents)
  dedup-all       the same filter for every stage
  words<=N        no token spans more than N words (a merge whose result would is never made)
  sources xN      the non-Wikipedia sources held out of the corpus (Common Voice, TICO-19, prompts)
                  train too, N times, except the OOD lines themselves (those languages only): what
                  keeping them in training is worth, in and out of domain
  phrases@F       the phrase stage starts at F of the merges (today 0.74; 1.0 = no phrase stage)
  aksharas@F      the akshara stage runs to F of the merges (today 0.105)
  respelled F     F of the training lines train respelled too, as the web also spells the script
                  (Language.other_spellings: Malayalam's pre-5.1 chillus, Telugu's ZWNJ after a
                  bare consonant, precomposed nukta letters, Bengali's ra in Assamese conjuncts;
                  bench/respell.py), in place of the registry's share
  respelled+ F    the same, with the other spellings measured in bench.respell.MEASURED too
  digits F        F of the training lines that write the script's own digits (१९४७) train again
                  with 0-9 (1947), as translated and government news write numbers
  dandas F        F of the training lines with a space before a danda (କଥା ।) train again without
                  it (କଥା।), as Odia's stories and Nepali's TICO-19 write it
  suffixes K      a stage after the aksharas (to 20% of the merges) on words cut before their ending:
                  the K endings of 1-3 aksharas that follow the most distinct stems (case endings and
                  postpositions found from the data), so stems and endings are units before words are
  punct-final     only sentence-final marks stick to a word (today also commas, quotes, brackets);
  punct-none      nothing does: 200-330 ids of every model are word+punctuation tokens, dead weight
                  in unpunctuated text (read-speech prompts)
  rerank          the order of the merges: the recipe's tokens, their merges re-learned greedily by
                  frequency on the last stage's chunks (only pairs whose result is one of those tokens;
                  the ids the greedy order never reaches filled by plain BPE): does another order of the
                  same ids encode better? (the encoder bound of bench.headroom)
  bpe, words      the lead taken apart: plain BPE with our trainer, one stage on the words pre-split
                  (with phrases@1.0 = aksharas then words, and today = all three stages)

No phrase ever crosses sentence punctuation already: the phrase pattern joins words by single
spaces only, so any punctuation ends the chunk (tests/test_generalise.py checks). Taking the
closing punctuation away from the phrase stage's last word instead loses it at encoding time too
(only the last stage's pattern is stored), so it was not kept as an experiment.

    python -m bench.generalise --lang hi --only today docs dedup words<=2 phrases@0.85
    python -m bench.generalise                 # every experiment, every language with an OOD set

Trained models are cached under $OOD_CACHE (bench/ood.py), so a rerun only measures.
Results: bench/results/generalise.json (merged across runs, one entry per language and experiment).
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import json
import math
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, fields, replace
from functools import lru_cache, partial
from pathlib import Path

import regex

import tokenizer
from tokenizer.bpe import build_vocab, character_merges
from tokenizer.core import piece_encoder
from tokenizer.corpus import clean_document
from tokenizer.encoding import ENDOFTEXT
from tokenizer.metrics import evaluate
from tokenizer.registry import FAMILIES, LANGUAGES, RECIPES, SCRIPTS, TYPOGRAPHY, Recipe, Stage
from tokenizer.pretokenize import OPENING, PATTERNS, Pattern, get_pattern, indic_pattern, word_runs
from tokenizer.train import check_vocab_size

from . import common, ood, respell
from . import validation_sets as vs

train_module = importlib.import_module("tokenizer.train")
VERSION = "2"  # bump when the training code here changes (cache key)


# ----- experiments -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Experiment:
    name: str
    idea: str  # the table it belongs to
    changes: str
    phrase_start: float | None = None  # None: the recipe's own (0.74)
    counting: str = "raw"  # phrase stage (every stage with count_all): "raw" | "docs" | "sqrt"
    count_all: bool = False
    count_words: bool = False  # the words stage counts as the phrase stage does (the akshara stage does not)
    filter: str = ""  # "" | "phrase" (templates and near-duplicates out of the phrase stage) | "all"
    max_words: int | None = None
    closing: str = ""  # "" (today: closing punctuation sticks to a word) | "final" | "none"
    akshara_until: float | None = None
    stages: tuple[tuple[str, float], ...] | None = None  # explicit stages ("{f}" = the family: indic or brahmic)
    source_weight: int = 0  # >0: the held-out sources' lines that are not in the OOD set train too, this many times
    whole_characters: bool = True
    sentences: str = ""  # "" | "split" (train on sentences, not paragraphs) | "both" (paragraphs and sentences)
    stories: int = 0  # >0: the Pratham stories' lines that are not in the OOD set train too, this many times
    suffixes: int = 0  # >0: a suffix stage after the aksharas, words cut before their this-many commonest endings
    respelled: float | None = None  # this share of the training lines trains respelled too (not the registry's)
    measured_spellings: bool = False  # respelled by bench.respell.MEASURED's rules too
    habit: str = ""  # a habit of bench.respell.HABITS ("digits", "dandas") ...
    habit_share: float = 0.0  # ... in which this share of the training lines trains too
    seed: str = ""  # "" (the recipe's) | "none" | "typography" | "precomposed" | "signs" | "named" | "block"
    rerank: bool = False  # the trained tokens' merges re-learned in frequency order on the last stage's chunks


SUFFIX_UNTIL = 0.2  # where the suffix stage ends (fraction of the merges)
EXPERIMENTS = [
    Experiment("today", "reference", "the language's recipe as shipped, trained on the new training split"),
    Experiment("docs", "count by documents", "phrase stage: a chunk counts once per document", counting="docs"),
    Experiment("sqrt", "count by documents", "phrase stage: a chunk counts sqrt(occurrences)", counting="sqrt"),
    Experiment("docs-all", "count by documents", "every stage: a chunk counts once per document", counting="docs",
               count_all=True),
    Experiment("sqrt-all", "count by documents", "every stage: a chunk counts sqrt(occurrences)", counting="sqrt",
               count_all=True),
    *[
        Experiment(f"pow{p}-words", "count by documents", f"words and phrase stages: a chunk counts "
                   f"occurrences^{p}, rounded up (milder than sqrt; the akshara stage as today)",
                   counting=f"pow{p}", count_words=True)
        for p in (0.9, 0.8, 0.7)
    ],
    Experiment("dedup", "drop templates", "phrase stage skips near-duplicate and template lines", filter="phrase"),
    Experiment("dedup-all", "drop templates", "every stage skips near-duplicate and template lines", filter="all"),
    Experiment("words<=2", "cap words", "no token spans more than 2 words", max_words=2),
    Experiment("words<=3", "cap words", "no token spans more than 3 words", max_words=3),
    Experiment("punct-final", "closing punctuation", "only sentence-final marks (। ॥ . ! ?) stick to a word; "
               "commas, quotes, brackets do not", closing="final"),
    Experiment("punct-none", "closing punctuation", "no closing punctuation sticks to a word", closing="none"),
    Experiment("aksharas@0.2", "akshara stage", "the akshara stage runs to 20% of the merges (today 10.5%)",
               akshara_until=0.2),
    Experiment("aksharas@0.05", "akshara stage", "the akshara stage runs to 5% of the merges", akshara_until=0.05),
    # where the lead comes from (the diagnosis): the curriculum taken apart
    Experiment("bpe", "decomposition", "plain BPE on the core pre-split, our trainer (= the baseline's recipe)",
               stages=(("{f}", 1.0),), whole_characters=False),
    Experiment("words", "decomposition", "one stage on the words pre-split (punctuation and a space stick to words)",
               stages=(("{f}-words", 1.0),)),
    Experiment("sources x1", "weight sources", "the held-out non-Wikipedia sources train too (except the OOD "
               "lines themselves), once", source_weight=1),
    Experiment("sources x3", "weight sources", "the same, three times", source_weight=3),
    Experiment("stories x1", "another genre", "the Pratham stories' lines that are not in the OOD set train too "
               "(the stories part of the OOD set is then in-source: read the other sources)", stories=1),
    Experiment("sentences", "sentence starts", "train on sentences: each paragraph line cut after its sentence "
               "punctuation, so a sentence's first word is counted without the space before it, as a line "
               "encoded on its own begins", sentences="split"),
    Experiment("sentences+", "sentence starts", "train on the paragraphs and on their sentences (each text "
               "twice): both forms of a sentence's first word are counted", sentences="both"),
    *[
        Experiment(f"suffixes {k}", "suffix stage", f"a stage after the aksharas (to {SUFFIX_UNTIL:.0%} of the merges) "
                   f"on words cut before their ending: the {k} endings of 1-3 aksharas that follow the most "
                   "distinct stems in the training words", suffixes=k)
        for k in (100, 300)
    ],
    *[
        Experiment(f"respelled {f}", "other spelling", f"{f:.0%} of the training lines train respelled too, as the "
                   "web also spells the script (Language.other_spellings, bench/respell.py), instead of the registry's "
                   "share", respelled=f)
        for f in (0.0, 0.01, 0.02, 0.05, 0.1, 0.2)
    ],
    *[
        Experiment(f"respelled+ {f}", "other spelling", f"{f:.0%} of the training lines train respelled too, by "
                   "the registry's rules and the ones measured in bench.respell.MEASURED (Odia's subscript wa, Hindi's "
                   "virama + ZWJ)",
                   respelled=f, measured_spellings=True)
        for f in (0.05, 0.1)
    ],
    Experiment("rerank", "merge order", "the recipe's tokens with their merges re-learned greedily by frequency on "
               "the last stage's chunks (only pairs that make one of those tokens), the ids never reached filled by "
               "plain BPE", rerank=True),
    Experiment("seed-none", "whole characters", "no character is made a token before training (the recipes of "
               "every language before Kashmiri's and Sanskrit's second releases)", seed="none"),
    Experiment("seed-typography", "whole characters", "the first merges make each of TYPOGRAPHY (curly quotes, dashes, "
               "ellipsis, bullet, rupee sign) one token, as web text types them where Wikipedia's editors type ASCII",
               seed="typography"),
    Experiment("seed-precomposed", "whole characters", "the first merges make each nukta letter the script's "
               "respellings write precomposed (क़ ড় ਜ਼ ଡ଼: one code point, which NFC and so Wikipedia never write) one "
               "token, seen in training or not", seed="precomposed"),
    Experiment("seed-signs", "whole characters", "the first merges make each sign (Script.marks: candrabindu, "
               "anusvara, visarga, harakat, ...) and digit of the script and TYPOGRAPHY one token, seen in training or not",
               seed="signs"),
    Experiment("seed-named", "whole characters", "the first merges make each character the registry names for the "
               "script (signs, digits, letters, nukta, virama, punctuation) and TYPOGRAPHY one token, seen in training "
               "or not", seed="named"),
    Experiment("seed-block", "whole characters", "as seed-named, and every letter, mark and digit of the script's "
               "main Unicode block (128 code points; the Arabic block's 256 are left to the registry's names)", seed="block"),
    *[
        Experiment(f"{habit} {f}", "number and danda spelling", f"{f:.0%} of the training lines that {what} train "
                   f"again {how} (bench.respell.extra_lines)", habit=habit, habit_share=f)
        for habit, what, how in (
            ("digits", "write the script's own digits", "with 0-9, as translated and government news write numbers"),
            ("dandas", "put a space before a danda", "without it, as Odia's stories and Nepali's TICO-19 write it"),
            ("stops", "end a sentence with a danda", "with a full stop, as Manipuri's software translations write it"),
        )
        for f in (0.05, 0.1, 0.2, 0.5)
    ],
    *[
        Experiment(f"phrases@{f}", "phrase start", f"the phrase stage starts at {f:.0%} of the merges", phrase_start=f)
        for f in (0.65, 0.82, 0.9, 1.0)
    ],
]


def experiment_named(name: str) -> Experiment:
    found = {e.name: e for e in EXPERIMENTS}
    if name in found:
        return found[name]
    # combinations: "docs+words<=2+phrases@0.9"
    parts = name.split("+")
    if len(parts) > 1 and all(p in found or p.startswith(("phrases@", "aksharas@")) for p in parts):
        e = Experiment(name, "combined", " + ".join(parts))
        for p in parts:
            x = found.get(p) or experiment_named(p)
            e = replace(
                e,
                phrase_start=x.phrase_start if x.phrase_start is not None else e.phrase_start,
                counting=x.counting if x.counting != "raw" else e.counting,
                count_all=e.count_all or x.count_all,
                count_words=e.count_words or x.count_words,
                filter=x.filter or e.filter,
                max_words=x.max_words or e.max_words,
                closing=x.closing or e.closing,
                akshara_until=x.akshara_until if x.akshara_until is not None else e.akshara_until,
                source_weight=max(e.source_weight, x.source_weight),
                sentences=x.sentences or e.sentences,
                stories=max(e.stories, x.stories),
                suffixes=max(e.suffixes, x.suffixes),
                respelled=x.respelled if x.respelled is not None else e.respelled,
                measured_spellings=e.measured_spellings or x.measured_spellings,
                habit=x.habit or e.habit,
                habit_share=max(e.habit_share, x.habit_share),
                seed=x.seed or e.seed,
                rerank=e.rerank or x.rerank,
            )
        return e
    if name.startswith("phrases@"):
        f = float(name.split("@")[1])
        return Experiment(name, "phrase start", f"the phrase stage starts at {f:.0%} of the merges", phrase_start=f)
    if name.startswith("aksharas@"):
        f = float(name.split("@")[1])
        return Experiment(name, "akshara stage", f"the akshara stage runs to {f:.1%} of the merges", akshara_until=f)
    raise SystemExit(f"unknown experiment {name!r}; known: {', '.join(found)} (or a+b combinations)")


# ----- patterns for the experiments (registered in this process only) ------------------------------
def closing_patterns(family: str, closing: str) -> tuple[str, str]:
    """The words and phrases patterns of a family (indic or brahmic) with another closing-punctuation
    rule: "final" lets only sentence-final marks (danda, double danda, . ! ? and the script's own)
    stick to a word, "none" nothing. Registered in this process under bench-* names."""
    f = FAMILIES[family]
    suffix = {"final": f"(?:[{f.punctuation}.!?]+)?", "none": ""}[closing]
    names = []
    for kind in ("words", "phrases"):
        p = Pattern(
            f"bench-{family}-{kind}-{closing}",
            indic_pattern(
                word_runs(f), prefix=f" ?{OPENING}?", suffix=suffix, digits=r" ?\p{N}{1,3}", phrases=kind == "phrases"
            ),
            f"{family}-{kind}, closing punctuation: {closing}",
        )
        if PATTERNS.setdefault(p.name, p) != p:
            raise RuntimeError(f"pattern {p.name} already registered with another regex")
        names.append(p.name)
    return names[0], names[1]


def seed_characters(lang: str, how: str) -> str:
    """The characters an experiment makes whole tokens before training ("" when it does not)."""
    if how in ("", "none"):
        return ""
    script = SCRIPTS[LANGUAGES[lang].script]
    if how == "precomposed":
        return "".join(new for _, new in script.respellings if len(new) == 1 and unicodedata.normalize("NFD", new) != new)
    chars = TYPOGRAPHY
    if how == "signs":
        chars = script.marks + script.digits + chars
    if how in ("named", "block"):  # every character the script's registry entry names
        chars = (script.marks + script.digits + script.letters + script.nukta + script.viramas + script.word_letters
                 + script.punctuation + chars)
    if how == "block" and script.name != "Arabic":
        start = ord(script.marks[0]) & ~0x7F
        chars = "".join(chr(c) for c in range(start, start + 128)
                        if unicodedata.category(chr(c))[0] in "LMN" and regex.match(rf"\p{{Script={script.name}}}", chr(c))
                        ) + chars
    return "".join(dict.fromkeys(chars))


def recipe_for(lang: str, e: Experiment) -> Recipe:
    base = RECIPES[ood.recipe_of(lang)]
    seed = seed_characters(lang, e.seed) if e.seed else base.seed
    if e.stages is not None:
        stages = tuple(Stage(p.format(f=base.family), u) for p, u in e.stages)
        return Recipe(f"{base.name}/{e.name}", base.family, stages, e.whole_characters, e.changes, seed)
    *first, words, phrases = base.stages  # an akshara stage first, except in the Arabic-script recipes
    if not first and e.akshara_until is not None:
        raise SystemExit(f"{base.name} has no akshara stage: {e.name} does not apply to {lang}")
    start = e.phrase_start if e.phrase_start is not None else words.until
    akshara = tuple(replace(a, until=e.akshara_until if e.akshara_until is not None else a.until) for a in first)
    if start >= 1.0:
        stages = (*akshara, Stage(closing_patterns(base.family, e.closing)[0] if e.closing else words.pattern, 1.0))
    else:
        words_pattern, phrases_pattern = words.pattern, phrases.pattern
        if e.closing:
            words_pattern, phrases_pattern = closing_patterns(base.family, e.closing)
        stages = (*akshara, replace(words, pattern=words_pattern, until=start), replace(phrases, pattern=phrases_pattern))
    return Recipe(f"{base.name}/{e.name}", base.family, stages, base.whole_characters, e.changes, seed)


# ----- training data -------------------------------------------------------------------------------
def pseudo_documents(lines: Sequence[str], size: int = 25) -> tuple[tuple[str, ...], ...]:
    """Lines of a source without documents, in documents of `size` lines (as the library reads a text file)."""
    return tuple(tuple(lines[i : i + size]) for i in range(0, len(lines), size))


@lru_cache(maxsize=None)
def train_documents(lang: str, with_train_files: bool = True, respelled: bool = True) -> tuple[tuple[str, ...], ...]:
    """The cleaned lines of each training document, minus the excluded ones (= vs.corpus_lines(lang, "train"));
    without the registry's train files (the stories) if told, or without only its respelled lines."""
    drop = vs.excluded(lang)
    rule = vs.split_rule(lang)
    out = []
    for doc in vs.documents(lang, with_train_files):
        if not respelled and doc.id.startswith(respell.file_name(lang) + "#"):
            continue
        if rule.split(doc.id) == "train":
            cleaned = clean_document(doc.text)
            lines = tuple(x for x in (cleaned.split("\n") if cleaned else []) if vs.line_hash(x) not in drop)
            out.append(lines)
    return tuple(out)


@lru_cache(maxsize=None)
def source_documents(lang: str) -> tuple[tuple[str, ...], ...]:
    """The lines of the held-out sources that are not in the OOD set, from training documents only,
    cleaned, in pseudo-documents of 25 lines (for "weight sources")."""
    drop = vs.excluded(lang)
    ood_text = set(vs.ood_lines(lang))
    lines = []
    rule = vs.split_rule(lang)
    for doc in vs.documents(lang):
        if rule.split(doc.id) == "train":
            cleaned = clean_document(doc.text)
            lines += [x for x in (cleaned.split("\n") if cleaned else [])
                      if vs.line_hash(x) in drop and vs.normalise(x) not in ood_text]
    return pseudo_documents(lines)


@lru_cache(maxsize=None)
def story_documents(lang: str) -> tuple[tuple[str, ...], ...]:
    """The Pratham stories' lines (normalised, in the script) that are not in the OOD set, in
    pseudo-documents of 25 lines (for "stories xN")."""
    if lang not in vs.PRATHAM_LANGS:
        return ()
    ood_text = set(vs.ood_lines(lang))
    lines = [t for t in (vs.normalise(text) for _, text in vs.read_source(f"pratham-{lang}"))
             if t and t not in ood_text and vs.in_script(t, vs.script_of(lang))]
    return pseudo_documents(lines)


_SENTENCE_END = regex.compile(r"(?<=[.!?\u0964\u0965\u06d4\u061f\u0df4])\s+")


def sentences(docs: Sequence[Sequence[str]], keep_paragraphs: bool) -> tuple[tuple[str, ...], ...]:
    """Each document's lines cut into sentences after sentence punctuation (danda, full stop, ? and !,
    the Arabic full stop and question mark, Sinhala's kunddaliya); with keep_paragraphs, the
    paragraphs too, so both forms of a sentence's first word count."""
    return tuple(
        tuple([*(doc if keep_paragraphs else ()), *(s for line in doc for s in _SENTENCE_END.split(line) if s)])
        for doc in docs
    )


_DIGITS = regex.compile(r"\p{Nd}+")


def masked(line: str) -> str:
    """A line with every digit run as 0: score lines and stubs that differ only in numbers are equal."""
    return _DIGITS.sub("0", line)


def template_lines(docs: Sequence[Sequence[str]], share: float = 0.002, min_docs: int = 5) -> set[str]:
    """Template lines: most (>= 60%) of their word 4-grams (digits masked) occur in at least
    max(min_docs, share of all) documents. Bot-made stubs, score lines and infobox sentences share
    those 4-grams; prose does not."""
    def shingles(line: str) -> set[tuple[str, ...]]:
        w = masked(line).split()
        return {tuple(w[i : i + 4]) for i in range(len(w) - 3)}

    df: Counter[tuple[str, ...]] = Counter()
    for doc in docs:
        seen: set[tuple[str, ...]] = set()
        for line in doc:
            seen |= shingles(line)
        df.update(seen)
    threshold = max(min_docs, share * len(docs))
    drop = set()
    for doc in docs:
        for line in doc:
            sh = shingles(line)
            if len(sh) >= 2 and sum(df[s] >= threshold for s in sh) >= 0.6 * len(sh):
                drop.add(line)
    return drop


def count(docs: Sequence[Sequence[str]], pattern: Pattern, how: str, skip: set[str] | None = None) -> Counter[str]:
    """Chunk counts of a stage: occurrences ("raw"), documents containing the chunk ("docs"), or
    the square root of the occurrences, rounded up ("sqrt"; "pow0.8": their 0.8th power). With
    `skip`, the lines in it and every near-duplicate (a line equal to an earlier one once digits are
    masked) are left out."""
    compiled = pattern.compiled
    counts: Counter[str] = Counter()
    seen: set[str] = set()

    def kept(doc: Sequence[str]) -> Iterator[str]:
        for line in doc:
            if skip is not None:
                key = masked(line)
                if line in skip or key in seen:
                    continue
                seen.add(key)
            yield line

    for doc in docs:
        chunks: Iterable[str] = (c for line in kept(doc) for c in compiled.findall(line))
        counts.update(set(chunks) if how == "docs" else chunks)
    if how.startswith("pow"):
        power = float(how[3:])
        return Counter({chunk: math.ceil(n**power) for chunk, n in counts.items()})
    return train_module.damp(counts) if how == "sqrt" else counts


def words_in(data: bytes) -> int:
    """Words a token's bytes span: runs of letters/marks separated by spaces (partial UTF-8 counts as
    inside a word)."""
    text = data.decode("utf-8", errors="ignore")
    return len(regex.findall(r"[\p{L}\p{M}\u200c\u200d]+", text))


@contextmanager
def max_words(n: int | None) -> Iterator[None]:
    """The trainer never makes a merge whose token spans more than n words (like whole_characters,
    a rejected pair is dropped; every recipe here has whole_characters on)."""
    if n is None:
        yield
        return
    original = train_module.whole_characters_ok
    train_module.whole_characters_ok = lambda left, right: original(left, right) and words_in(left + right) <= n
    try:
        yield
    finally:
        train_module.whole_characters_ok = original


# a words chunk: the space and opening mark before it, the word, the punctuation that closes it
_AFFIXES = regex.compile(rf"^( ?{OPENING}?)(.*?)([^\p{{L}}\p{{M}}\u200c\u200d]*)$", regex.S)


def suffix_counts(docs: Sequence[Sequence[str]], aksharas: Pattern, words: Pattern, k: int) -> Counter[str]:
    """Chunk counts of the suffix stage: each words chunk cut before its longest ending (1-3 aksharas,
    never the whole word) among the k endings that follow the most distinct stems in the training
    words; a data-driven stand-in for a list of case endings and postpositions."""
    chunks = Counter(c for doc in docs for line in doc for c in words.compiled.findall(line))
    parts: dict[str, tuple[str, list[str], str]] = {}
    stems: dict[str, set[str]] = {}
    for chunk in chunks:
        opening, word, closing = _AFFIXES.match(chunk).groups()
        cut = aksharas.compiled.findall(word)
        if len(cut) >= 2 and "".join(cut) == word:
            parts[chunk] = (opening, cut, closing)
            for j in range(1, min(3, len(cut) - 1) + 1):
                stems.setdefault("".join(cut[-j:]), set()).add("".join(cut[:-j]))
    endings = set(sorted(stems, key=lambda x: (-len(stems[x]), x))[:k])
    counts: Counter[str] = Counter()
    for chunk, n in chunks.items():
        opening, cut, closing = parts.get(chunk, ("", [], ""))
        j = next((j for j in range(min(3, len(cut) - 1), 0, -1) if "".join(cut[-j:]) in endings), 0)
        if j:
            counts[opening + "".join(cut[:-j])] += n
            counts["".join(cut[-j:]) + closing] += n
        else:
            counts[chunk] += n
    return counts


@contextmanager
def only_tokens(tokens: set[bytes]) -> Iterator[None]:
    """The trainer makes only merges whose result is one of `tokens` (a rejected pair is dropped, as
    with max_words)."""
    original = train_module.whole_characters_ok
    train_module.whole_characters_ok = lambda left, right: original(left, right) and left + right in tokens
    try:
        yield
    finally:
        train_module.whole_characters_ok = original


def reranked(merges: dict, counts: Counter[str], first: dict, whole_characters: bool) -> dict:
    """The tokens of `merges` in another order: from `first` (the seed's merges), each next merge the
    most frequent pair on `counts` whose result is one of those tokens; then, for the ids left when no
    such pair remains (tokens the greedy order never builds), plain BPE on the same counts."""
    vocab = build_vocab(sorted(merges.items(), key=lambda kv: kv[1]))
    tokens = {vocab[i] for i in range(256, 256 + len(merges))}
    out = dict(first)
    for constrained in (True, False):
        known = build_vocab(sorted(out.items(), key=lambda kv: kv[1]))
        with only_tokens(tokens) if constrained else nullcontext():
            pairs = train_module._learn(counts, len(merges) - len(out), known, out, piece_encoder(known),
                                        constrained or whole_characters, True, None)
        for pair in pairs:
            out[pair] = 256 + len(out)
    return out


def train_experiment(docs: Sequence[Sequence[str]], recipe: Recipe, e: Experiment,
                     vocab_size: int = tokenizer.VOCAB_CAP,
                     name: str = "") -> tokenizer.Tokenizer:
    """tokenizer.train's stage loop with the experiment's counting and filtering."""
    n_merges = check_vocab_size(vocab_size, 1, allow_over_cap=True)  # bench.ids_needed goes past the cap
    patterns = [get_pattern(s.pattern) for s in recipe.stages]
    skip = template_lines(docs) if e.filter else None
    if e.suffixes and len(recipe.stages) < 3:
        raise SystemExit(f"{recipe.name} has no akshara stage: {e.name} needs one")
    plan: list[tuple[Callable[[], Counter[str]], int]] = []  # (the stage's chunk counts, merges after it)
    for i, (stage, pat) in enumerate(zip(recipe.stages, patterns)):
        last = i == len(recipe.stages) - 1
        phrase = last and "phrases" in stage.pattern
        how = e.counting if (phrase or e.count_all or (e.count_words and "akshara" not in stage.pattern)) else "raw"
        how = "sqrt" if how == "raw" and stage.damped else how  # the recipe's own damped stage
        stage_skip = skip if (e.filter == "all" or (e.filter == "phrase" and phrase)) else None
        if e.suffixes and i == 1:  # between the aksharas and the words
            plan.append((partial(suffix_counts, docs, patterns[0], pat, e.suffixes), round(SUFFIX_UNTIL * n_merges)))
        plan.append((partial(count, docs, pat, how, stage_skip), n_merges if last else round(stage.until * n_merges)))
    merges: dict = character_merges(recipe.seed, n_merges)
    with max_words(e.max_words):
        for counts, target in plan:
            vocab = build_vocab(sorted(merges.items(), key=lambda kv: kv[1]))
            pairs = train_module._learn(counts(), target - len(merges), vocab, merges, piece_encoder(vocab),
                                        recipe.whole_characters, True, None)
            for pair in pairs:
                merges[pair] = 256 + len(merges)
    if e.rerank:
        merges = reranked(merges, plan[-1][0](), character_merges(recipe.seed, n_merges), recipe.whole_characters)
    return tokenizer.Tokenizer(merges, patterns[-1], {ENDOFTEXT: 256 + len(merges)}, name=name)


_LATER_FIELDS = ("count_words", "sentences", "stories", "suffixes", "respelled", "measured_spellings", "habit",
                 "habit_share", "seed", "rerank")  # added since VERSION 2


def _key_repr(e: Experiment) -> str:
    """The experiment as its cache key sees it: the dataclass repr without the fields added since
    VERSION 2 that keep their default, so that models trained before those fields existed stay cached."""
    shown = (f for f in fields(e) if not (f.name in _LATER_FIELDS and getattr(e, f.name) == f.default))
    return f"Experiment({', '.join(f'{f.name}={getattr(e, f.name)!r}' for f in shown)})"


def _recipe_key(recipe: Recipe) -> str:
    """The recipe as its cache key sees it: without `seed` when it has none (the field is newer than
    the cached models, which stay valid)."""
    return repr(recipe) if recipe.seed else repr(recipe).replace(", seed=''", "")


def trained(lang: str, e: Experiment, vocab_size: int = tokenizer.VOCAB_CAP) -> tuple[tokenizer.Tokenizer, bool]:
    """The experiment's model for lang, from the cache when it was trained before; and whether it was."""
    docs = (train_documents(lang, respelled=e.respelled is None) + source_documents(lang) * e.source_weight
            + story_documents(lang) * e.stories)
    if e.respelled is not None:
        docs += pseudo_documents(respell.respelled_lines(lang, e.respelled, e.measured_spellings))
    if e.habit:
        docs += pseudo_documents(respell.extra_lines(lang, e.habit, e.habit_share))
    if e.sentences:
        docs = sentences(docs, keep_paragraphs=e.sentences == "both")
    return cached_training(lang, e, docs, vocab_size)


def cached_training(lang: str, e: Experiment, docs: Sequence[Sequence[str]],
                    vocab_size: int = tokenizer.VOCAB_CAP) -> tuple[tokenizer.Tokenizer, bool]:
    """The experiment's model trained on these documents, from the cache when it was trained before;
    and whether it was (keyed by the experiment, the recipe, the size and the text)."""
    recipe = recipe_for(lang, e)
    key = hashlib.sha256(
        repr((VERSION, _key_repr(e), _recipe_key(recipe), vocab_size,
              [get_pattern(s.pattern).regex for s in recipe.stages])).encode()
        + "\n".join("\n".join(d) for d in docs).encode()
    ).hexdigest()[:20]
    path = ood.CACHE / f"exp-{lang}-{key}.model"
    if path.exists():
        return tokenizer.load(path), True
    tok = train_experiment(docs, recipe, e, vocab_size, name=f"{lang}-{e.name}")
    ood.CACHE.mkdir(parents=True, exist_ok=True)
    tokenizer.save(tok, path)
    return tok, False


# ----- running ---------------------------------------------------------------------------------------
def result_row(lang: str, e: Experiment, tok: tokenizer.Tokenizer, base: dict, seconds: float | None,
               checks: dict[str, list[str]] | None = None) -> dict:
    """The experiment's figures on the sets, and on the check files (`--check`: bytes/token only,
    for a text outside every set that must not choose a recipe, only confirm one)."""
    m = ood.measure_ours(tok, lang, per_source=len(vs.SETS.get(lang, [])) > 1)
    m |= {f"check {name}": evaluate(tok, lines) for name, lines in (checks or {}).items()}
    row = {"lang": lang, "experiment": e.name, "idea": e.idea, "changes": e.changes,
           "phrase tokens": sum(1 for i in range(256, 256 + len(tok.merges)) if words_in(tok.decode_single_token_bytes(i)) > 1),
           "train s": None if seconds is None else round(seconds, 1)}
    for s, x in m.items():
        row[f"{s} b/t"] = x.bytes_per_token
        if s in base:
            row[f"{s} ratio"] = round(x.bytes_per_token / base[s].bytes_per_token, 4)
        row[f"{s} mid-akshara"] = round(x.mid_akshara_rate, 4)
        row[f"{s} tokens/word"] = x.tokens_per_word
    return row


def _merge_results(rows: list[dict], name: str = "generalise") -> None:
    path = common.RESULTS_DIR / f"{name}.json"
    common.RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    with open(path, "a+", encoding="utf-8") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        f.seek(0)
        old = json.loads(f.read() or "{}")
        done = {(r["lang"], r["experiment"]): r for r in old.get("rows", [])}
        done.update({(r["lang"], r["experiment"]): r for r in rows})
        old["rows"] = sorted(done.values(), key=lambda r: (vs.ALL_LANGS.index(r["lang"]), r["experiment"]))
        old["environment"] = common.environment()
        f.seek(0)
        f.truncate()
        f.write(json.dumps(old, ensure_ascii=False, indent=1) + "\n")
    print(f"\nmerged into {path.relative_to(common.ROOT)}")


COLUMNS = ["lang", "experiment", "valid b/t", "valid ratio", "ood b/t", "ood ratio", "vs today valid", "vs today ood",
           "phrase tokens", "valid mid-akshara", "train s"]


IDEAS = [
    ("count by documents", ["docs", "sqrt", "docs-all", "sqrt-all"]),
    ("drop templates and near-duplicates", ["dedup", "dedup-all"]),
    ("cap the words in a token", ["words<=2", "words<=3"]),
    ("when the phrase stage starts", ["phrases@0.65", "phrases@0.82", "phrases@0.9", "phrases@1.0"]),
    ("the akshara stage", ["aksharas@0.02", "aksharas@0.05", "aksharas@0.2"]),
    ("closing punctuation on words", ["punct-final", "punct-none"]),
    ("combined", ["docs+aksharas@0.05"]),
    ("weight sources (the held-out sources' other lines train too; their OOD set is then in-source)",
     ["sources x1", "sources x3"]),
    ("sentence starts (a line encoded on its own starts without a space)", ["sentences", "sentences+"]),
    ("a suffix stage (words cut before their commonest endings, after the aksharas)", ["suffixes 100", "suffixes 300"]),
    ("where the lead comes from", ["bpe", "words", "phrases@1.0"]),
    ("the order of the merges (the same tokens re-ranked by frequency on the last stage)", ["rerank"]),
    ("whole characters (made tokens before training, seen in it or not)",
     ["seed-none", "seed-typography", "seed-precomposed", "seed-signs", "seed-named", "seed-block"]),
]


def markdown(path: Path | None = None) -> str:
    """The tables of docs/compression.md from bench/results/generalise.json: per idea, per language,
    valid and OOD bytes/token relative to `today` (the shipped recipe on the same split)."""
    rows = json.loads((path or common.RESULTS_DIR / "generalise.json").read_text())["rows"]
    by = {(r["lang"], r["experiment"]): r for r in rows}
    langs = [x for x in vs.ALL_LANGS if (x, "today") in by]
    out = ["| language | today: valid ÷ baseline | today: OOD ÷ baseline |", "|---|---:|---:|"]
    for lang in langs:
        t = by[(lang, "today")]
        o = f"{t['ood ratio']:.3f}" if "ood ratio" in t else "– (no OOD set)"
        out.append(f"| {lang} | {t['valid ratio']:.3f} | {o} |")
    for idea, names in IDEAS:
        present = [n for n in names if any((lang, n) in by for lang in langs)]
        if not present:
            continue
        note = "valid / OOD bytes per token ÷ today's recipe on the same split; 1.000 = no change"
        out += ["", f"**{idea}** ({note})", "",
                "| language | " + " | ".join(present) + " |", "|---|" + "---:|" * len(present)]
        for lang in langs:
            cells = []
            for n in present:
                r = by.get((lang, n))
                if r is None:
                    cells.append("")
                    continue
                t = by[(lang, "today")]
                v = r["valid b/t"] / t["valid b/t"]
                o = f"{r['ood b/t'] / t['ood b/t']:.3f}" if "ood b/t" in r else "–"
                cells.append(f"{v:.3f} / {o}")
            if any(cells):
                out.append(f"| {lang} | " + " | ".join(cells) + " |")
    out += ["", "**The choice per language** (the experiment with the best mean of valid and OOD bytes/token relative "
            "to today, among those within 0.5% of today in domain; decomposition rows excluded)", "",
            "| language | choice | valid ÷ today | OOD ÷ today | valid ÷ baseline | OOD ÷ baseline |",
            "|---|---|---:|---:|---:|---:|"]
    for lang, name in choose(rows).items():
        r, t = by[(lang, name)], by[(lang, "today")]
        o = f"{r['ood b/t'] / t['ood b/t']:.3f}" if "ood b/t" in r else "–"
        ob = f"{r['ood ratio']:.3f}" if "ood ratio" in r else "–"
        out.append(f"| {lang} | {name} | {r['valid b/t'] / t['valid b/t']:.3f} | {o} | {r['valid ratio']:.3f} | {ob} |")
    return "\n".join(out)


def choose(rows: list[dict], tolerance: float = 0.005) -> dict[str, str]:
    """Per language, the experiment chosen on both validation sets: in-domain bytes/token at least
    (1 - tolerance) of today's, then the best geometric mean of the valid and OOD gains over today."""
    by = {(r["lang"], r["experiment"]): r for r in rows}
    out = {}
    for lang in [x for x in vs.ALL_LANGS if (x, "today") in by]:
        t = by[(lang, "today")]
        best, score = "today", 0.0
        for (lg, name), r in by.items():
            if lg != lang or name in ("bpe", "words") or name.startswith("sources"):
                continue
            v = r["valid b/t"] / t["valid b/t"]
            o = r["ood b/t"] / t["ood b/t"] if "ood b/t" in r else v
            if v >= 1 - tolerance and math.log(v) + math.log(o) > score + 1e-9:
                best, score = name, math.log(v) + math.log(o)
        out[lang] = best
    return out


def main() -> None:
    p = common.parser(__doc__, vs.ALL_LANGS, [x for x in vs.ALL_LANGS if x in LANGUAGES])
    p.add_argument("--only", nargs="+", help="experiments (names, or a+b combinations); default: all")
    p.add_argument("--markdown", action="store_true", help="print docs/compression.md's tables from the results")
    p.add_argument("--results", default="generalise", help="the results file under bench/results/ (without .json); "
                   "generalise-sentences holds the sentence experiments, measured on the sets with the stories")
    p.add_argument("--check", nargs="+", type=Path, default=[], metavar="FILE", help="also measure bytes/token on these "
                   "text files (one line per line; `python -m bench.l10n --check --write FILE`): a check outside the "
                   "sets, never a reason to choose")
    args = p.parse_args()
    checks = {path.name: respell.read_lines(path) for path in args.check}
    columns = COLUMNS + [f"vs today check {name}" for name in checks]
    if args.markdown:
        print(markdown(common.RESULTS_DIR / f"{args.results}.json"))
        return
    common.report_load()
    names = args.only or [e.name for e in EXPERIMENTS]
    if "today" not in names:
        names = ["today", *names]
    all_rows = []
    for lang in args.lang:
        base = ood.measure_baseline(ood.baseline(lang, args.vocab_size), lang, per_source=len(vs.SETS.get(lang, [])) > 1)
        rows = []
        for name in names:
            e = experiment_named(name)
            (tok, cached), seconds = common.timed(lambda: trained(lang, e, args.vocab_size))
            rows.append(result_row(lang, e, tok, base, None if cached else seconds, checks))
            print(f"  {lang} {name}: valid {rows[-1].get('valid ratio')} ood {rows[-1].get('ood ratio')}", flush=True)
        today = rows[0]
        for r in rows:
            for s in ("valid", "ood", *(f"check {name}" for name in checks)):
                if f"{s} b/t" in r:
                    r[f"vs today {s}"] = round(r[f"{s} b/t"] / today[f"{s} b/t"], 4)
        common.print_table(rows, columns, lang)
        _merge_results(rows, args.results)
        all_rows += rows
    common.print_table(all_rows, columns, "all")


if __name__ == "__main__":
    main()
