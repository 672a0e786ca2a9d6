"""The registry: every fact about a script, a pre-split family, a pattern, a recipe and a language.

Nothing else in the package spells a language code, a script's code points or a pattern name to
decide anything (tests/test_registry.py scans for them). Four kinds of record, each in its table:

- a `Script`: its letters, marks, virama and whether it joins conjuncts, nukta, digits,
  punctuation, writing direction and fonts (SCRIPTS);
- a pre-split `Family` and its `PatternSpec`s: which scripts get word runs of their own, each
  pattern's kind, memory budget while counting, and whether text may be cut (streamed) or lines
  joined at a line break (FAMILIES, PATTERN_SPECS; tokenizer.pretokenize builds the regexes);
- a `Recipe`: its training stages, from fine to coarse (RECIPES);
- a `Language`: code, name, script, recipe, corpus and its sources and licence, Wikipedia and
  its footer headings, example sentences, Hub tags (LANGUAGES).

Adding a language is one `Language` entry plus its files (data/<code>.txt.gz, any train files, models/<code>.*).
A new script is one `Script` row: it gets a family of its own (named after its ISO 15924 code,
e.g. `arab-words`, `arab-curriculum`) with no further code. Maithili, Konkani, Dogri and Bodo
(Devanagari) and Santali (Ol Chiki, an alphabet without virama, like Arabic) wait only for openly
licensed text: a `Language` entry each, and for Santali an `Ol_Chiki` row
(tests/test_pretokenize.py builds one).

Two families are frozen because shipped models store their regexes: `indic` (hi, kn) and
`brahmic` (the ten other first languages). Their records spell every knob literally, so a change
to a script row cannot change them. The six languages added next (ur, sd, ks, si, sa, mni) use
their script's own family (`arab`, `sinh`, `deva`, `beng`), built from the script's row: that
row's pre-split fields are pinned by those models. tests/test_registry.py checks each shipped
model's stored regex against the registry, so a change there is caught and means new releases.

    from tokenizer.registry import LANGUAGES, SCRIPTS, RECIPES, detect
    LANGUAGES["ta"].recipe            # "brahmic-curriculum"
    SCRIPTS["Tamil"].conjuncts        # False: the pulli ends a syllable
    lang, why = detect("ಕನ್ನಡ ಭಾಷೆ")   # Kannada, "8 Kannada letters"
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

import regex

# ----- scripts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Script:
    """A writing system, with the characters its pre-split rules, its akshara measure and its tests need."""

    name: str  # Unicode script name as in \p{...} ("Oriya", not "Odia")
    iso: str  # ISO 15924 code ("Orya"): names the script's own pre-split family ("orya-words")
    label: str  # how people call it ("Odia", "Bengali-Assamese")
    font: str  # CSS font-family of the script (one Noto family: installable, covers the script)
    direction: Literal["ltr", "rtl"] = "ltr"
    # Whether its letters take joining forms (Arabic): a token cut inside a word is drawn with a ZWJ
    # on each side of the cut, so each piece keeps the shapes it has in the word.
    joining: bool = False
    viramas: str = ""  # signs that kill the inherent vowel
    # Whether a virama joins the next letter into a conjunct (one akshara). False where it ends the
    # syllable: Tamil's pulli (க்க is written க் + க), Sinhala's al-lakuna without ZWJ.
    conjuncts: bool = True
    # Whether virama + ZWJ joins the next letter (a half form or touching conjunct, Sinhala's yansaya
    # and repaya). False where it asks for a dead-consonant form that ends the syllable (Malayalam's
    # chillu, Bengali's khanda ta in the old encodings).
    zwj_conjuncts: bool = True
    clusters: tuple[str, ...] = ()  # letter + virama + letter that join although `conjuncts` is False
    nukta: str = ""
    marks: str = ""  # candrabindu, anusvara, visarga, harakat and script-specific signs
    letters: str = ""  # letters worth testing on their own (chillu, khanda ta, Urdu's ٹ ڈ ڑ, ...)
    # Characters Unicode does not count as letters of this script that belong inside its words: Arabic's
    # tatweel and the Vedic anusvara and ardhavisarga signs (letters of the Common script), Sindhi's
    # word signs ۽ ۾ (symbols, So). Used by the script's own family.
    word_letters: str = ""
    digits: str = ""  # the script's own digits ("" if it uses 0-9 only)
    punctuation: str = ""  # sentence punctuation that closes a word (dandas where the script uses them)
    # How text in the wild also spells the script, as (regex, replacement) applied in order: a
    # language of the script may train on a share of its lines respelled (Language.respelled), so
    # that its vocabulary knows both spellings
    respellings: tuple[tuple[str, str], ...] = ()
    # Share of the merges its family's curriculum learns inside single aksharas before words (0: no
    # akshara stage), chosen on the valid split of its languages (docs/scripts.md, bench/variants.py)
    aksharas: float = 0.105

    @property
    def family(self) -> str:
        """The name of the script's own pre-split family."""
        return self.iso.lower()


DANDAS = "\u0964\u0965"  # । ॥ Devanagari's danda and double danda, used by most Brahmic scripts


def precomposed(letters: str) -> tuple[tuple[str, str], ...]:
    """Respellings that write nukta letters Unicode excludes from composition as one code point: NFC
    (and so Wikipedia) writes them letter + nukta, while many sources write क़ ড় ਜ਼ precomposed."""
    return tuple((unicodedata.normalize("NFD", c), c) for c in letters)

VEDIC_SIGNS = "\u1ce9\u1cea\u1ceb\u1cec\u1cee\u1cef\u1cf0\u1cf1\u1cf2\u1cf3\u1cf5\u1cf6\u1cfa"  # Lo, script Common

# Order = order of the pattern alternatives of the script families (they never overlap).
SCRIPTS: dict[str, Script] = {
    s.name: s
    for s in [
        Script(
            "Devanagari", "Deva", "Devanagari", '"Noto Sans Devanagari"',
            viramas="\u094d", nukta="\u093c", marks="\u0901\u0902\u0903",
            letters="\u0950\u093d",  # om, avagraha
            word_letters=VEDIC_SIGNS, digits="०१२३४५६७८९", punctuation=DANDAS,
            respellings=precomposed("\u0958\u0959\u095a\u095b\u095c\u095d\u095e\u095f"),  # क़ ख़ ग़ ज़ ड़ ढ़ फ़ य़
        ),
        Script(
            "Bengali", "Beng", "Bengali-Assamese", '"Noto Sans Bengali"',
            viramas="\u09cd", zwj_conjuncts=False, nukta="\u09bc", marks="\u0981\u0982\u0983",
            letters="\u09ce\u09f0\u09f1",  # khanda ta, Assamese ra and wa
            digits="০১২৩৪৫৬৭৮৯", punctuation=DANDAS,
            respellings=precomposed("\u09dc\u09dd\u09df"),  # ড় ঢ় য়
        ),
        Script(
            "Gurmukhi", "Guru", "Gurmukhi", '"Noto Sans Gurmukhi"',
            viramas="\u0a4d", nukta="\u0a3c",
            marks="\u0a01\u0a02\u0a03\u0a70\u0a71\u0a75",  # adak bindi, bindi, visarga, tippi, addak, yakash
            letters="\u0a72\u0a73",  # iri, ura
            digits="੦੧੨੩੪੫੬੭੮੯", punctuation=DANDAS,
            respellings=precomposed("\u0a33\u0a36\u0a59\u0a5a\u0a5b\u0a5e"),  # ਲ਼ ਸ਼ ਖ਼ ਗ਼ ਜ਼ ਫ਼
        ),
        Script(
            "Gujarati", "Gujr", "Gujarati", '"Noto Sans Gujarati"',
            viramas="\u0acd", nukta="\u0abc", marks="\u0a81\u0a82\u0a83", letters="\u0ad0",
            digits="૦૧૨૩૪૫૬૭૮૯", punctuation=DANDAS,
        ),
        Script(
            "Oriya", "Orya", "Odia", '"Noto Sans Oriya"',
            viramas="\u0b4d", nukta="\u0b3c", marks="\u0b01\u0b02\u0b03", letters="\u0b71",
            digits="୦୧୨୩୪୫୬୭୮୯", punctuation=DANDAS,
            respellings=precomposed("\u0b5c\u0b5d"),  # ଡ଼ ଢ଼
        ),
        Script(
            "Tamil", "Taml", "Tamil", '"Noto Sans Tamil"',
            viramas="\u0bcd", conjuncts=False, zwj_conjuncts=False, clusters=("க்ஷ",),  # pulli; க்ஷ is a conjunct
            marks="\u0b82", letters="\u0b83",  # anusvara; aytham
            digits="௦௧௨௩௪௫௬௭௮௯",
        ),
        Script(
            "Telugu", "Telu", "Telugu", '"Noto Sans Telugu"',
            viramas="\u0c4d", nukta="\u0c3c", marks="\u0c00\u0c01\u0c02\u0c03", digits="౦౧౨౩౪౫౬౭౮౯",
            punctuation=DANDAS,
            # The Indian government's sites (PMIndia, PIB) put a ZWNJ after a consonant that keeps its
            # inherent vowel before another consonant (ప‌ర్యావ‌రణ), a publishing tool's habit
            respellings=((r"([\u0c15-\u0c39])(?=[\u0c15-\u0c39])", "\\1\u200c"),),
        ),
        Script(
            "Kannada", "Knda", "Kannada", '"Noto Sans Kannada"',
            viramas="\u0ccd", nukta="\u0cbc", marks="\u0c81\u0c82\u0c83", digits="೦೧೨೩೪೫೬೭೮೯",
            punctuation=DANDAS,
        ),
        Script(
            "Malayalam", "Mlym", "Malayalam", '"Noto Sans Malayalam"',
            viramas="\u0d4d\u0d3b\u0d3c",  # chandrakkala, vertical bar and circular viramas
            zwj_conjuncts=False,  # chandrakkala + ZWJ: the chillu of the old encoding
            marks="\u0d00\u0d01\u0d02\u0d03",
            letters="\u0d7a\u0d7b\u0d7c\u0d7d\u0d7e\u0d7f\u0d54\u0d55\u0d56\u0d4e",  # chillus, dot reph
            digits="൦൧൨൩൪൫൬൭൮൯",
            # Unicode 5.1 gave the chillus code points; before, and on many sites still, a chillu is its
            # consonant + chandrakkala + ZWJ (PMIndia's Malayalam writes them so, Wikipedia never does)
            respellings=tuple((chillu, base + "\u0d4d\u200d") for chillu, base in zip("ൺൻർൽൾൿ", "ണനരലളക")),
        ),
        Script(
            "Sinhala", "Sinh", "Sinhala", '"Noto Sans Sinhala"',
            viramas="\u0dca",  # al-lakuna: alone it shows (no conjunct); with ZWJ it joins (yansaya, repaya)
            conjuncts=False, marks="\u0d81\u0d82\u0d83",
            aksharas=0.05,  # few conjuncts to learn (ZWJ ones only): 10.5 % spends merges on rare aksharas
            digits="෦෧෨෩෪෫෬෭෮෯",  # Sinhala lith digits
            punctuation="\u0df4",  # kunddaliya
        ),
        Script(
            "Arabic", "Arab", "Arabic", '"Noto Naskh Arabic"', direction="rtl", joining=True,
            conjuncts=False, zwj_conjuncts=False,  # no virama; letters join by shape, not into aksharas
            # harakat, shadda, sukun, hamza above/below, subscript alef, dagger alif; Kashmiri's vowel signs
            marks="\u064b\u064c\u064d\u064e\u064f\u0650\u0651\u0652\u0654\u0655\u0656\u0657\u065a\u065b\u0670",
            # letters Urdu (ٹ ڈ ڑ ں ے ۓ ھ), Sindhi (ڪ ٻ ٽ ٿ ڀ ڏ ڌ ڊ ڍ ڃ ڇ ٺ ڙ ڻ ڦ ڄ ڳ ڱ) and Kashmiri (ٲ ۄ ؠ ۍ) add
            letters="ٹڈڑںےۓھڪٻٽٿڀڏڌڊڍڃڇٺڙڻڦڄڳڱٲۄؠۍۆ",
            # tatweel (Common script, Lm); Sindhi's ampersand ۽ ("and") and postposition ۾ ("in"), words written
            # as one sign (category So): about 1 word in 16 of Sindhi text
            word_letters="\u0640\u06fd\u06fe",
            digits="٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹",  # Arabic-Indic and Extended Arabic-Indic
            punctuation="،؛؟۔",
            # no virama, so no conjuncts: an akshara stage would only learn every letter + haraka pair
            aksharas=0.0,
        ),
        Script("Latin", "Latn", "Latin", '"Noto Sans"'),
    ]
}  # fmt: skip


def get_script(name: str) -> Script:
    try:
        return SCRIPTS[name]
    except KeyError:
        raise ValueError(f"unknown script {name!r}; known: {', '.join(SCRIPTS)}") from None


def font_stack(first: str = "") -> str:
    """A CSS font-family list covering every registry script (text may mix them), `first` in front."""
    fonts = [first] if first else []
    fonts += [s.font for s in SCRIPTS.values() if s.font not in fonts]
    fonts += [lang.font for lang in LANGUAGES.values() if lang.font and lang.font not in fonts]
    return ",".join(fonts + ["system-ui", "sans-serif"])


# ----- pre-split families and patterns ------------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    """What one counting stage may keep: `chars` characters of distinct chunks ("distinct", bounds the
    table) or of text counted ("text", bounds the work, like SentencePiece's input_sentence_size).
    Beyond it the stage is counted on a deterministic sample of lines (tokenizer.count)."""

    chars: int
    of: Literal["distinct", "text"] = "distinct"


# Distinct phrase chunks: 8M characters, ~22 MB of Devanagari, ~2.9x what the 7.5 MB Hindi training
# split has (2.78M), so the shipped models are trained unsampled.
PHRASE_BUDGET = Budget(8_000_000, "distinct")
# Distinct words: they repeat (Zipf), so their table grows slowly, but an agglutinative language
# keeps adding forms (410 MB of Malayalam: 2 GB of words unbounded). 16M characters is ~6x the
# distinct words of the largest embedded corpus, so no shipped model is sampled.
WORD_BUDGET = Budget(16_000_000, "distinct")
# The akshara stage (the first ~10% of the merges, inside aksharas) needs far less text than a
# corpus: 64M characters (~180 MB of Devanagari, 24x the embedded corpora).
AKSHARA_BUDGET = Budget(64_000_000, "text")

Kind = Literal["core", "words", "phrases", "akshara", "foreign"]
BUDGETS: dict[str, Budget] = {
    "core": WORD_BUDGET, "words": WORD_BUDGET, "phrases": PHRASE_BUDGET, "akshara": AKSHARA_BUDGET,
    "foreign": WORD_BUDGET,
}  # fmt: skip


@dataclass(frozen=True)
class Family:
    """Patterns cut from the same script runs: `core` words, `words` with punctuation attached,
    `phrases` of same-script words, and `akshara` (one akshara per chunk, a first training stage)."""

    name: str
    scripts: tuple[str, ...]  # scripts with word runs of their own, in order; other letters form one run
    punctuation: str  # sentence punctuation that may close a word, besides , . : ; ! ? and closing quotes
    conjunct_scripts: tuple[str, ...]  # scripts whose akshara-stage chunks join letters through a virama
    zwj_scripts: tuple[str, ...] = ()  # ... join only through virama + ZWJ
    word_letters: bool = False  # whether the scripts' `word_letters` (tatweel, Vedic signs) join their words
    akshara_name: str = ""  # the akshara pattern's name, if not f"{name}-akshara"
    # Share of the merges its curriculum learns inside aksharas before words; 0: no akshara stage
    aksharas: float = 0.105
    # Whether a number in the -words and -phrases patterns keeps a dotted part: a Sanskrit verse number
    # २४६.३०, a decimal 3.14 (up to three digits after the dot, as before it)
    dotted_numbers: bool = False
    frozen: bool = False  # shipped models store its regexes: never change a knob
    description: str = ""

    def pattern(self, kind: Kind) -> str:
        """The name of this family's pattern of one kind."""
        if kind == "core":
            return self.name
        if kind == "akshara" and self.akshara_name:
            return self.akshara_name
        return f"{self.name}-{kind}"


def script_family(script: Script) -> Family:
    """The family of one script: its own word runs and Latin's, every rule from the script's row, and
    numbers with their dotted part (1.7 % more bytes/token on Sanskrit valid, no change elsewhere)."""
    return Family(
        script.family,
        (script.name, "Latin"),
        script.punctuation,
        (script.name,) if script.viramas and script.conjuncts else (),
        (script.name,) if script.viramas and not script.conjuncts and script.zwj_conjuncts else (),
        word_letters=True,
        aksharas=script.aksharas,
        dotted_numbers=True,
        description=f"{script.label} words apart from every other script",
    )


_BRAHMIC = ("Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil", "Telugu", "Kannada", "Malayalam",
            "Sinhala", "Latin")  # fmt: skip
FAMILIES: dict[str, Family] = {
    f.name: f
    for f in [
        Family(
            "indic", ("Devanagari", "Kannada", "Latin"), DANDAS, ("Devanagari", "Kannada"), akshara_name="akshara",
            frozen=True, description="Devanagari, Kannada and Latin apart, other scripts together (hi, kn)",
        ),
        Family(
            "brahmic", _BRAHMIC, DANDAS + "\u0df4", tuple(s for s in _BRAHMIC if s not in ("Tamil", "Latin")),
            frozen=True, description="every Brahmic script of 2026's first twelve languages apart",
        ),
        *(script_family(s) for s in SCRIPTS.values() if s.name != "Latin"),
    ]
}  # fmt: skip


@dataclass(frozen=True)
class PatternSpec:
    """A named pre-split pattern's facts; tokenizer.pretokenize builds its regex (or takes `regex`)."""

    name: str
    family: str  # a FAMILIES key, or "gpt" for OpenAI's
    kind: Kind
    description: str
    regex: str = ""  # the regex itself, for patterns not built from a family (OpenAI's, the frozen `akshara`)
    # A line break followed by a character that is neither whitespace nor a mark cuts every chunk
    # (tokenizer.core.CUT): text may be encoded in pieces cut there (streaming, long texts).
    streamable: bool = True
    # ... and lines may be joined with a line break into one call (tokenizer.core batches).
    joinable: bool = True

    @property
    def budget(self) -> Budget:
        """Its memory budget as a counting stage."""
        return BUDGETS[self.kind]


# GPT-2 (r50k/p50k) and GPT-4 (cl100k_base), exactly as in tiktoken 0.14's openai_public.py.
GPT2_REGEX = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
GPT4_REGEX = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|"""
    r"""\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
# GPT-4o (o200k_base): its letter classes include \p{M}, so it keeps matras; it still cuts at
# script changes only by case and does not group Indic digits specially.
GPT4O_REGEX = "|".join(
    [
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",
        r"""\p{N}{1,3}""",
        r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
        r"""\s*[\r\n]+""",
        r"""\s+(?!\S)""",
        r"""\s+""",
    ]
)
# The first training stage of the hi and kn models: one akshara per chunk, conjuncts through the
# Devanagari or Kannada virama (into a letter of any script), as it was frozen.
INDIC_AKSHARA_REGEX = (
    r"\p{L}[\p{M}\u200c\u200d]*(?:(?<=[\u094D\u0CCD]|[\u094D\u0CCD][\u200c\u200d])\p{L}[\p{M}\u200c\u200d]*)*"
    r"|[\s\S][\p{M}\u200c\u200d]*"
)


def _family_specs(f: Family) -> list[PatternSpec]:
    what = {
        "core": f"akshara-aware words; {f.description}",
        "words": f"as {f.name}, plus opening brackets/quotes before and closing punctuation after a word, "
        "and a space before a number",
        "phrases": f"as {f.name}-words, but same-script words joined by single spaces",
        "akshara": "one akshara or character per chunk (a first training stage)",
    }
    return [
        PatternSpec(f.pattern(kind), f.name, kind, text, INDIC_AKSHARA_REGEX if kind == "akshara" and f.name == "indic" else "")
        for kind, text in what.items()
    ]


PATTERN_SPECS: dict[str, PatternSpec] = {
    p.name: p
    for p in [
        PatternSpec("gpt2", "gpt", "foreign", "GPT-2 (r50k_base, p50k_base)", GPT2_REGEX, False, False),
        PatternSpec("gpt4", "gpt", "foreign", "GPT-4 (cl100k_base)", GPT4_REGEX, True, False),
        PatternSpec("gpt4o", "gpt", "foreign", "GPT-4o (o200k_base)", GPT4O_REGEX, False, False),
        *(spec for f in FAMILIES.values() for spec in _family_specs(f)),
    ]
}

# ----- recipes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stage:
    """Learn merges on chunks of `pattern` until `until` (a share of all merges) are learned.

    `damped`: each chunk counts ceil(sqrt(occurrences)) times, not its occurrences, so that a phrase
    repeated all through a few documents (a template, an article's subject) weighs less against
    phrases found everywhere."""

    pattern: str
    until: float
    damped: bool = False


@dataclass(frozen=True)
class Recipe:
    """How a model is trained: stages from fine to coarse; only the last stage's pattern is stored."""

    name: str
    family: str  # the family of its patterns: its core pattern is the HF baseline's pre-split
    stages: tuple[Stage, ...]
    whole_characters: bool  # no token mixes part of a character with anything else
    description: str
    # Characters made one token each by the first merges, seen in training or not (bpe.character_merges):
    # a mark the corpus never writes is then one token, not two or three bytes, in text that writes it
    seed: str = ""

    @property
    def core(self) -> str:
        """The name of its family's core pattern (word-level, no punctuation or phrase extras)."""
        return FAMILIES[self.family].pattern("core")


# Typography that books, news and software type and Wikipedia's editors mostly do not (they type
# ASCII quotes and hyphens): a recipe's seed may make each of these one token
TYPOGRAPHY = "\u201c\u201d\u2018\u2019\u2013\u2014\u2026\u2022\u20b9"  # “ ” ‘ ’ – — … • ₹


# Letters of CLDR 41's main exemplar characters (the alphabet a locale's users expect) that the
# language's corpus does not write often enough for BPE to make them tokens
NEPALI_LETTERS = "\u090c\u090d\u0911\u0933\u093d\u0945\u0950"  # ऌ ऍ ऑ ळ ऽ ॅ ॐ
MANIPURI_LETTERS = "\u098b\u0994\u09a2"  # ঋ ঔ ঢ
KASHMIRI_LETTERS = "\u0620\u06c6"  # ؠ (Kashmiri yeh) ۆ


def curriculum(f: Family, name: str = "", aksharas: float | None = None, damped: bool = False, seed: str = "") -> Recipe:
    """Aksharas (the family's `aksharas` share of the merges, or `aksharas`), then words (to 74%), then
    phrases (counted by the square root of their occurrences if `damped`): the study's winner
    (docs/compression.md), whole characters; `seed`: characters made one token each first."""
    share = f.aksharas if aksharas is None else aksharas
    first_stage = (Stage(f.pattern("akshara"), share),) if share else ()
    stages = (*first_stage, Stage(f.pattern("words"), 0.74), Stage(f.pattern("phrases"), 1.0, damped))
    first = f"aksharas ({share:.1%} of the merges), then words" if share else "words"
    phrases = "phrases counted by the square root of their occurrences" if damped else "phrases"
    seeded = f"{len(seed)} characters made whole tokens first, then " if seed else ""
    return Recipe(name or f"{f.name}-curriculum", f.name, stages, True, f"{seeded}{first}, then {phrases} ({f.name})",
                  seed)


PLAIN_BPE = "bpe"  # the recipe of plain BPE on one pattern (its own, or one a caller picks)
RECIPES: dict[str, Recipe] = {
    r.name: r
    for r in [
        curriculum(FAMILIES["indic"], "curriculum"),
        *(curriculum(f) for f in FAMILIES.values() if f.name != "indic"),
        # The second releases: a shorter akshara stage gained in and out of domain for hi, bn, gu,
        # ta, te (docs/compression.md, "Experiments"); the frozen families keep their first recipes.
        curriculum(FAMILIES["indic"], "curriculum-a5", 0.05),
        curriculum(FAMILIES["brahmic"], "brahmic-curriculum-a5", 0.05),
        # Gujarati's fourth release and Sinhala's second: damped phrase counts gained on both
        # validation sets, a quarter of a percent on average (docs/compression.md, "Damped phrase counts")
        curriculum(FAMILIES["brahmic"], "brahmic-curriculum-a5-sqrt", 0.05, damped=True),
        curriculum(FAMILIES["sinh"], "sinh-curriculum-sqrt", damped=True),
        # Kashmiri's second release: the Arabic script's signs (its harakat) and digits (both sets) and
        # TYPOGRAPHY are tokens before training, although its corpus never writes the sukun; Sanskrit's
        # second release: TYPOGRAPHY (docs/compression.md, "Whole characters")
        curriculum(FAMILIES["arab"], "arab-curriculum-signs",
                   seed=SCRIPTS["Arabic"].marks + SCRIPTS["Arabic"].digits + TYPOGRAPHY),
        curriculum(FAMILIES["deva"], "deva-curriculum-typography", seed=TYPOGRAPHY),
        # Third releases of Nepali, Manipuri and Kashmiri: the letters of the language's alphabet
        # (CLDR 41's main exemplar characters) that its model wrote as two or three byte tokens, and
        # the digits of its default numbering system (CLDR: Devanagari for Nepali, Bengali for
        # Manipuri), are tokens before training (docs/compression.md, "Every letter of the alphabet")
        curriculum(FAMILIES["brahmic"], "brahmic-curriculum-nepali", seed=SCRIPTS["Devanagari"].digits + NEPALI_LETTERS),
        curriculum(FAMILIES["beng"], "beng-curriculum-manipuri", seed=SCRIPTS["Bengali"].digits + MANIPURI_LETTERS),
        curriculum(FAMILIES["arab"], "arab-curriculum-kashmiri",
                   seed=SCRIPTS["Arabic"].marks + SCRIPTS["Arabic"].digits + KASHMIRI_LETTERS + TYPOGRAPHY),
        Recipe(PLAIN_BPE, "indic", (Stage("indic", 1.0),), False, "plain BPE on the indic pre-split (as HF BpeTrainer)"),
    ]
}


def get_recipe(name: str) -> Recipe:
    try:
        return RECIPES[name]
    except KeyError:
        raise ValueError(f"unknown recipe {name!r}; known: {', '.join(RECIPES)}") from None


# ----- languages ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Source:
    """One source of an embedded corpus (data/ATTRIBUTION.md gives the details)."""

    name: str
    licence: str


@dataclass(frozen=True)
class Language:
    """One language: where its data is, how to show it and how its model is trained."""

    code: str  # ISO 639 code, the key everywhere ("hi"); also its models' and corpus's file names
    name: str  # English name ("Hindi")
    script: str  # a SCRIPTS key ("Devanagari")
    recipe: str  # a RECIPES key: what `train --lang` and `build` use
    sources: tuple[Source, ...]  # of the embedded corpus data/<code>.txt.gz and its train files
    examples: tuple[str, ...]  # sentences the Space offers, in this language and script only (NFC)
    wikipedia: str = ""  # the language's Wikipedia ("hi" -> hi.wikipedia.org, wikimedia/wikipedia 20231101.hi)
    footer_headings: tuple[str, ...] = ()  # Wikipedia section headings followed by lists, not prose
    default_for_script: bool = False  # the language Auto picks for text in this script
    font: str = ""  # a CSS font-family for this language, if not its script's (Urdu's Nastaliq)
    release: int = 1  # of its shipped model: a model whose ids change is a new release (RELEASES says why)
    # files under data/ of another genre (<code>.<what>.txt.gz) whose every line trains and none is held out
    train_files: tuple[str, ...] = ()
    # Share of its training lines that also train in its other spelling (`other_spellings`), as
    # data/<code>.respelled.txt.gz (a train file, written by `python -m bench.respell`); 0: none
    respelled: float = 0.0
    # How text in the wild also spells this language but not the rest of its script, as Script.respellings
    respellings: tuple[tuple[str, str], ...] = ()
    hub_tags: tuple[str, ...] = field(default=())  # Hub model-card tags besides the language code
    # (label, text): how people really write it: code-mixed, romanised, other digits, emoji, code
    mixed_examples: tuple[tuple[str, str], ...] = ()

    @property
    def corpus(self) -> str:
        return f"{self.code}.txt.gz"

    @property
    def model(self) -> str:
        return f"{self.code}.model"

    @property
    def validation(self) -> str:
        """Its out-of-domain validation set under data/ (source<TAB>text lines; may not exist)."""
        return f"validation/{self.code}.tsv.gz"

    @property
    def excluded(self) -> str:
        """Under data/: hashes of the corpus lines of its validation sources, which no split uses."""
        return f"validation/{self.code}.exclude.txt"

    @property
    def train_only(self) -> str:
        """Under data/: hashes of corpus lines that train but are kept out of the held-out splits (a
        non-Wikipedia source that trains, while valid and test stay the corpus's Wikipedia)."""
        return f"validation/{self.code}.train-only.txt"

    @property
    def model_name(self) -> str:
        return self.code

    @property
    def licence(self) -> str:
        """The licence of the corpus as a whole (and so of models trained on it): share-alike wins."""
        licences = {s.licence for s in self.sources}
        share_alike = sorted(x for x in licences if "BY-SA" in x)
        return share_alike[-1] if share_alike else " / ".join(sorted(licences))

    def describe_sources(self) -> str:
        """'Wikipedia (CC BY-SA 4.0), Common Voice (CC0)': the sources with their licences."""
        return ", ".join(f"{s.name} ({s.licence})" for s in self.sources)

    @property
    def direction(self) -> str:
        return SCRIPTS[self.script].direction

    @property
    def other_spellings(self) -> tuple[tuple[str, str], ...]:
        """Its script's respellings, then its own: the rules its respelled training lines are written by."""
        return SCRIPTS[self.script].respellings + self.respellings

    @property
    def css_font(self) -> str:
        """The font-family list to show this language's text with."""
        return font_stack(self.font or SCRIPTS[self.script].font)

    @property
    def tags(self) -> tuple[str, ...]:
        """Model-card tags: the given ones, else the language's and script's names."""
        return self.hub_tags or (self.name.lower().split()[0], SCRIPTS[self.script].label.lower())


_BY_SA = "CC BY-SA 4.0"
_DAKSHINA = Source("Wikipedia via Google's Dakshina v1.0", _BY_SA)
_MEDIAWIKI = Source("Wikipedia extracts through the MediaWiki API", _BY_SA)
_COMMON_VOICE = Source("Mozilla Common Voice sentences", "CC0")
_NLLB_SEED = Source("NLLB Seed (Open Language Data Initiative)", _BY_SA)
# The training half of Pratham Books' StoryWeaver stories (data/<code>.stories.txt.gz; the other half,
# whole stories, is out-of-domain validation text: bench/validation_sets.py)
_STORIES = Source("Pratham Books' StoryWeaver stories, the training half", "CC BY 4.0")
# A twentieth of the training lines with the nukta letters precomposed, as much published text writes
# them (data/<code>.respelled.txt.gz, bench/respell.py); same text, same licence as the corpus
_PRECOMPOSED = "a twentieth of its training lines with precomposed nukta letters ({}.respelled.txt.gz)"

# Examples: the hi and kn sentences are the Space's originals; the others were written for this
# registry (no corpus text), except public-domain verse (sa) and a Kashmiri Wikipedia sentence (ks). Footer headings: compared after stripping "=" markup, spaces and a
# trailing colon, case-insensitively (tokenizer.corpus.clean_document); English ones apply to all.
ENGLISH_FOOTERS = ("references", "external links", "see also", "notes", "further reading")
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in [
        Language(
            "hi", "Hindi", "Devanagari", "curriculum-a5",
            (_DAKSHINA, _MEDIAWIKI, _STORIES, Source(_PRECOMPOSED.format("hi"), _BY_SA)),
            ("भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं।",),
            "hi",
            ("सन्दर्भ", "संदर्भ", "टिप्पणी", "टिप्पणियाँ", "बाहरी कड़ियाँ", "बाहरी कड़ियां", "इन्हें भी देखें", "यह भी देखें"),
            default_for_script=True,
            mixed_examples=(
                ("Hinglish", "मैंने आज ChatGPT से पूछा कि weekend पर क्या करें।"),
                ("Romanised Hindi", "main aaj bazaar ja raha hoon, tum chaloge?"),
                ("Devanagari digits", "२०२४ में १,२३,४५६ लोग आए (2024: 1,23,456)।"),
                ("Emoji", "नमस्ते 🙏 परिवार 👨‍👩‍👧‍👦 और झंडा 🇮🇳"),
                ("Python", 'def greet(name):\n    """नमस्ते कहो"""\n    return f"नमस्ते, {name}!"\n\nprint(greet("दुनिया"))\n'),
            ),
            release=4, train_files=("hi.stories.txt.gz", "hi.respelled.txt.gz"), respelled=0.05,
        ),
        Language(
            "kn", "Kannada", "Kannada", "curriculum", (_DAKSHINA, _MEDIAWIKI),
            ("ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆ. ಇದು ಎರಡು ಸಾವಿರ ವರ್ಷಗಳಿಗೂ ಹೆಚ್ಚು ಇತಿಹಾಸವನ್ನು ಹೊಂದಿದೆ.",),
            "kn",
            ("ಉಲ್ಲೇಖಗಳು", "ಉಲ್ಲೇಖ", "ಬಾಹ್ಯ ಸಂಪರ್ಕಗಳು", "ಬಾಹ್ಯ ಕೊಂಡಿಗಳು", "ಹೊರಗಿನ ಕೊಂಡಿಗಳು", "ಇವನ್ನೂ ನೋಡಿ", "ಇದನ್ನೂ ನೋಡಿ"),
            default_for_script=True,
            mixed_examples=(("Kannada and English", "ನಾನು ಇವತ್ತು office ಗೆ late ಆಗಿ ಹೋದೆ, traffic ತುಂಬಾ ಇತ್ತು."),),
        ),
        Language(
            "mr", "Marathi", "Devanagari", "brahmic-curriculum",
            (_MEDIAWIKI, Source("Wikipedia, the May 2023 dump", _BY_SA), _STORIES),
            ("महाराष्ट्र हे भारतातील एक राज्य आहे. मुंबई ही महाराष्ट्राची राजधानी आहे.",),
            "mr", ("संदर्भ", "संदर्भ आणि नोंदी", "बाह्य दुवे", "हे सुद्धा पहा", "हेही पाहा", "टिपा"),
            train_files=("mr.stories.txt.gz",),
            release=2,
        ),
        Language(
            "ne", "Nepali", "Devanagari", "brahmic-curriculum-nepali",
            (Source("FLORES v1 Nepali Wikipedia sentences", _BY_SA), Source("TICO-19", "CC0"),
             Source("Google's Nepali TTS prompts", "Apache-2.0"), _COMMON_VOICE),
            ("नेपाल हिमालयको काखमा रहेको एक सुन्दर देश हो। काठमाडौं नेपालको राजधानी हो।",),
            "ne", ("सन्दर्भ", "सन्दर्भ सामग्री", "बाह्य कडीहरू", "बाह्य लिङ्कहरू", "यो पनि हेर्नुहोस्", "टिप्पणी"),
            release=3,
        ),
        Language(
            "bn", "Bengali", "Bengali", "brahmic-curriculum-a5", (_DAKSHINA, _MEDIAWIKI, Source(_PRECOMPOSED.format("bn"), _BY_SA)),
            ("বাংলা ভাষা দক্ষিণ এশিয়ার একটি প্রধান ভাষা। ঢাকা বাংলাদেশের রাজধানী ও বৃহত্তম শহর।",),
            "bn", ("তথ্যসূত্র", "বহিঃসংযোগ", "আরও দেখুন", "টীকা", "গ্রন্থপঞ্জি"),
            default_for_script=True,
            mixed_examples=(("Bengali digits", "২০২৪ সালে ১,২৩,৪৫৬ জন এসেছিলেন (2024: 1,23,456)।"),),
            release=3, train_files=("bn.respelled.txt.gz",), respelled=0.05,
        ),
        Language(
            "as", "Assamese", "Bengali", "brahmic-curriculum",
            (Source("Wikipedia: Leipzig asm_wikipedia_2021_10K and 105 articles", _BY_SA), _COMMON_VOICE,
             Source("a tenth of its training lines with precomposed nukta letters and Bengali's ra in conjuncts "
                    "(as.respelled.txt.gz)", _BY_SA)),
            ("অসম ভাৰতৰ উত্তৰ-পূব অঞ্চলৰ এখন ৰাজ্য। গুৱাহাটী অসমৰ আটাইতকৈ ডাঙৰ চহৰ।",),
            "as", ("তথ্যসূত্ৰ", "প্ৰসংগ", "বহিঃসংযোগ", "লগতে চাওক", "টোকা"),
            mixed_examples=(("Assamese typed with Bengali's ra", "প্রধানমন্ত্রীয়ে অর্থনৈতিক উন্নয়নৰ কথা ক'লে।"),),
            release=5, train_files=("as.respelled.txt.gz",), respelled=0.1,
            # Assamese writes ra as ৰ, but in a conjunct (ra-phala প্ৰ, reph ৰ্থ) many keyboards and
            # fonts give Bengali's র, which looks the same there: most of the stories, a fifth of PMIndia
            respellings=(("\u09cd\u09f0", "\u09cd\u09b0"), ("\u09f0\u09cd", "\u09b0\u09cd")),
        ),
        Language(
            "pa", "Punjabi", "Gurmukhi", "brahmic-curriculum", (_DAKSHINA, _COMMON_VOICE, Source(_PRECOMPOSED.format("pa"), _BY_SA)),
            ("ਪੰਜਾਬੀ ਭਾਸ਼ਾ ਗੁਰਮੁਖੀ ਲਿਪੀ ਵਿੱਚ ਲਿਖੀ ਜਾਂਦੀ ਹੈ। ਅੰਮ੍ਰਿਤਸਰ ਪੰਜਾਬ ਦਾ ਇੱਕ ਪ੍ਰਸਿੱਧ ਸ਼ਹਿਰ ਹੈ।",),
            "pa", ("ਹਵਾਲੇ", "ਬਾਹਰੀ ਕੜੀਆਂ", "ਬਾਹਰੀ ਲਿੰਕ", "ਇਹ ਵੀ ਵੇਖੋ", "ਹੋਰ ਵੇਖੋ"),
            default_for_script=True,
            release=4, train_files=("pa.respelled.txt.gz",), respelled=0.05,
        ),
        Language(
            "gu", "Gujarati", "Gujarati", "brahmic-curriculum-a5-sqrt",
            (_DAKSHINA, Source("OpenSLR 78 read-speech prompts", _BY_SA), _STORIES),
            ("ગુજરાત ભારતના પશ્ચિમ ભાગમાં આવેલું એક રાજ્ય છે. ગુજરાતી આ રાજ્યની મુખ્ય ભાષા છે.",),
            "gu", ("સંદર્ભ", "બાહ્ય કડીઓ", "આ પણ જુઓ", "નોંધ"),
            default_for_script=True,
            release=4,
            train_files=("gu.stories.txt.gz",),
        ),
        Language(
            "or", "Odia", "Oriya", "brahmic-curriculum",
            (Source("Wikipedia: OdiaNLP's 2020 articles", "CC BY-SA"), _COMMON_VOICE, Source(_PRECOMPOSED.format("or"), _BY_SA)),
            ("ଓଡ଼ିଶା ଭାରତର ପୂର୍ବ ଉପକୂଳରେ ଅବସ୍ଥିତ ଏକ ରାଜ୍ୟ। ଓଡ଼ିଆ ଏହି ରାଜ୍ୟର ସରକାରୀ ଭାଷା।",),
            "or", ("ଆଧାର", "ଟୀକା", "ବାହାର ଲିଙ୍କ", "ବାହାରି ଲିଙ୍କ", "ଆହୁରି ଦେଖନ୍ତୁ"),
            default_for_script=True,
            release=3, train_files=("or.respelled.txt.gz",), respelled=0.05,
        ),
        Language(
            "ta", "Tamil", "Tamil", "brahmic-curriculum-a5", (_DAKSHINA, _MEDIAWIKI),
            ("தமிழ் உலகின் மிகப் பழமையான மொழிகளில் ஒன்று. சென்னை தமிழ்நாட்டின் தலைநகரம் ஆகும்.",),
            "ta", ("மேற்கோள்கள்", "வெளி இணைப்புகள்", "இவற்றையும் பார்க்கவும்", "குறிப்புகள்", "உசாத்துணை"),
            default_for_script=True,
            mixed_examples=(("Tamil and English", "நான் இன்னைக்கு meeting-க்கு late-ஆ போனேன், sorry!"),),
            release=2,
        ),
        Language(
            "te", "Telugu", "Telugu", "brahmic-curriculum-a5", (_DAKSHINA, _MEDIAWIKI),
            ("తెలుగు భారతదేశంలోని ప్రధాన భాషలలో ఒకటి. హైదరాబాద్ తెలంగాణ రాష్ట్ర రాజధాని.",),
            "te", ("మూలాలు", "బయటి లింకులు", "ఇవి కూడా చూడండి", "వనరులు"),
            default_for_script=True,
            release=2,
        ),
        Language(
            "ml", "Malayalam", "Malayalam", "brahmic-curriculum",
            (_DAKSHINA, Source("Wikipedia, the April 2023 dump via Swathanthra Malayalam Computing", _BY_SA), _STORIES,
             Source("a tenth of its Wikipedia training lines with the pre-5.1 chillus (ml.respelled.txt.gz)", _BY_SA)),
            ("മലയാളം കേരളത്തിലെ ഔദ്യോഗിക ഭാഷയാണ്. തിരുവനന്തപുരം കേരളത്തിന്റെ തലസ്ഥാനമാണ്.",),
            "ml", ("അവലംബം", "പുറത്തേക്കുള്ള കണ്ണികൾ", "ഇതും കാണുക", "കുറിപ്പുകൾ"),
            default_for_script=True, release=4, train_files=("ml.stories.txt.gz", "ml.respelled.txt.gz"), respelled=0.1,
        ),
        Language(
            "ur", "Urdu", "Arabic", "arab-curriculum", (_DAKSHINA, Source("TICO-19", "CC0")),
            ("اردو پاکستان کی قومی زبان ہے۔ لاہور پاکستان کا دوسرا سب سے بڑا شہر ہے۔",),
            "ur", ("حوالہ جات", "حوالہ", "بیرونی روابط", "مزید دیکھیے"),
            default_for_script=True, font='"Noto Nastaliq Urdu"', hub_tags=("urdu", "arabic-script", "nastaliq"),
            mixed_examples=(
                ("Urdu and English", "میں نے آج ChatGPT سے پوچھا کہ weekend پر کیا کریں۔"),
                ("Both digit sets", "۲۰۲۴ میں ۱۲۳ لوگ آئے (2024: 123)۔"),
            ),
        ),
        Language(
            "sd", "Sindhi", "Arabic", "arab-curriculum",
            (Source("Wikipedia via Google's Dakshina v1.0 (train and validation splits)", _BY_SA),),
            ("سنڌي ٻولي سنڌ ۾ ڳالهائي ويندي آهي. ڪراچي سنڌ جي گاديءَ جو هنڌ آهي.",),
            "sd", ("حوالا", "خارجي ڳنڌڻا", "وڌيڪ ڏسو"),
            hub_tags=("sindhi", "arabic-script"),
        ),
        Language(
            "ks", "Kashmiri", "Arabic", "arab-curriculum-kashmiri", (_NLLB_SEED,),
            # the first sentence of the Kashmiri Wikipedia's article on Kashmir (CC BY-SA 4.0)
            ("کٔشیٖر چھُ ہِندوستٲنؠ بَرِصَغیٖر کِس شُمٲلؠ حِصَس مَنٛز اَکھ عَلاقہٕ۔",),
            "ks",  # its footer headings are not known here: the English ones apply
            hub_tags=("kashmiri", "arabic-script"),
            release=3,
        ),
        Language(
            "si", "Sinhala", "Sinhala", "sinh-curriculum-sqrt",
            (Source("Wikipedia via Google's Dakshina v1.0 (validation split)", _BY_SA),),
            ("ශ්\u200dරී ලංකාව ඉන්දියන් සාගරයේ පිහිටි දූපතකි. කොළඹ ශ්\u200dරී ලංකාවේ විශාලතම නගරයයි.",),
            "si", ("මූලාශ්\u200dර", "බාහිර සබැඳි"),
            default_for_script=True, hub_tags=("sinhala",),
            mixed_examples=(("Sinhala and English", "මම අද office එකට late වුණා, traffic එක හරිම වැඩියි."),),
            release=2,
        ),
        Language(
            "sa", "Sanskrit", "Devanagari", "deva-curriculum-typography",
            (Source("Sanskrit Wikisource texts (public domain) via the Classical Language Toolkit", "CC0"),),
            (
                "संस्कृतं भारतस्य प्राचीना भाषा अस्ति।",
                # Bhagavad Gita 2.20 (avagraha in शाश्वतोऽयं)
                "न जायते म्रियते वा कदाचिन्नायं भूत्वा भविता वा न भूयः। अजो नित्यः शाश्वतोऽयं पुराणो न हन्यते हन्यमाने शरीरे॥",
            ),
            "sa", ("सन्दर्भाः", "बाह्यसम्पर्कतन्तुः"),
            hub_tags=("sanskrit", "devanagari"),
            release=2,
            mixed_examples=(("Vedic accents (Rigveda 1.1.1)", "अ॒ग्निमी॑ळे पु॒रोहि॑तं य॒ज्ञस्य॑ दे॒वमृ॒त्विज॑म्। होता॑रं रत्न॒धात॑मम्॥"),),
        ),
        Language(
            "mni", "Manipuri", "Bengali", "beng-curriculum-manipuri",
            (_NLLB_SEED, Source("a tenth of its training lines with precomposed nukta letters (mni.respelled.txt.gz)",
                                _BY_SA)),
            ("মণিপুর ভারতকী লৈবাক অমনি। ইম্ফাল মণিপুরগী রাজধানীনি।",),
            "",  # the Manipuri Wikipedia (mni) is written in Meitei Mayek, not in this model's script
            hub_tags=("manipuri", "meitei", "bengali-script"),
            release=3, train_files=("mni.respelled.txt.gz",), respelled=0.1,
        ),
    ]
}  # fmt: skip
CODES: tuple[str, ...] = tuple(LANGUAGES)
DEFAULT = "hi"  # for text in no script of the registry
DEFAULT_PATTERN = RECIPES[LANGUAGES[DEFAULT].recipe].stages[-1].pattern  # tokenizer.split's default
# Why each release after the first was made (models/<code>.metrics.json and the model card name it).
_SHORTER = "a shorter akshara stage (5% of the merges, not 10.5%), better in and out of domain"
_HELD_OUT = "the corpus lines of its out-of-domain validation source ({}) are no longer trained on"
_TRAINS_AGAIN = (
    "Common Voice's sentences train again (never as held-out text): its out-of-domain set is now "
    "Pratham Books' stories, from outside the corpus, and on them this release is better"
)
_STORIES_TRAIN = (
    "half of Pratham Books' children's stories train too (whole stories, never held-out text): everyday narrative "
    "and dialogue, better out of domain at the same in-domain compression; the other half stays out-of-domain text"
)
_PRECOMPOSED_NOTE = (
    "a twentieth of its training lines train again with the nukta letters precomposed (one code point, as "
    "much published text writes them, where NFC writes letter + nukta), and training text is no longer "
    "normalised: better on text as published, at the same compression of NFC text"
)
_DAMPED = (
    "the phrase stage counts each phrase by the square root of its occurrences (a damped stage), so a "
    "phrase repeated all through a few documents weighs less: better in and out of domain"
)
_ALPHABET = ("every letter of its alphabet (CLDR's main exemplar characters) and the digits of its default numbering "
             "system are tokens before training{}: text that writes them no longer cuts them into bytes; in and out of "
             "domain within 0.2%")
RELEASES: dict[tuple[str, int], str] = {
    ("hi", 2): _SHORTER,
    ("bn", 2): _SHORTER,
    ("gu", 2): _SHORTER + "; " + _HELD_OUT.format("OpenSLR 78 prompts"),
    ("ta", 2): _SHORTER,
    ("te", 2): _SHORTER,
    ("ne", 2): _HELD_OUT.format("TICO-19, Google's TTS prompts, Common Voice"),
    ("pa", 2): _HELD_OUT.format("Common Voice"),
    ("or", 2): _HELD_OUT.format("Common Voice"),
    ("as", 2): _HELD_OUT.format("Common Voice"),
    ("hi", 3): _STORIES_TRAIN,
    ("mr", 2): _STORIES_TRAIN,
    ("gu", 3): _STORIES_TRAIN,
    ("ml", 3): _STORIES_TRAIN,
    ("bn", 3): _PRECOMPOSED_NOTE,
    ("pa", 4): _PRECOMPOSED_NOTE,
    ("as", 4): _PRECOMPOSED_NOTE,
    ("hi", 4): _PRECOMPOSED_NOTE,
    ("or", 3): _PRECOMPOSED_NOTE,
    ("as", 5): "a tenth of its training lines train again in the spelling much Assamese text has, the nukta "
    "letters precomposed and Bengali's ra (র) in conjuncts (প্রধান for প্ৰধান): +1.8% bytes/token out of domain "
    "(most of the stories and a fifth of PMIndia's Assamese write ra so), -0.2% in domain",
    ("mni", 2): "a tenth of its training lines train again with the nukta letters precomposed (য় as one code "
    "point, as the Manipuri translations of GnuCash, Inkscape and Tux Paint write it, where NFC writes য + ়): "
    "+13.6% bytes/token on text so written, -0.1% on the same text in NFC, -0.5% in domain",
    ("gu", 4): _DAMPED,
    ("si", 2): _DAMPED,
    ("ml", 4): "a tenth of its Wikipedia training lines train again with the chillus of Unicode before 5.1 "
    "(consonant + chandrakkala + ZWJ, as much web text still writes them): +13.6% bytes/token on PMIndia's "
    "Malayalam, which is so written, at the same in-domain compression",
    ("pa", 3): _TRAINS_AGAIN,
    ("as", 3): _TRAINS_AGAIN,
    ("ks", 2): "the Arabic script's signs (its harakat), its digits (both sets) and nine typographic marks (curly "
    "quotes, dashes, ellipsis, bullet, rupee sign) are tokens before training, although its corpus never writes some "
    "of them: VLC's Kashmiri writes its vowels with a sukun, which release 1 cut into two bytes: +4.7% bytes/token on "
    "the software translations, -0.1% in domain",
    ("ne", 3): _ALPHABET.format(" (ऌ ऍ ऑ ळ ऽ ॅ ॐ and the Devanagari digits, Nepali's numbers: +8.8% bytes/token on "
                               "held-out lines with their digits so written)"),
    ("mni", 3): _ALPHABET.format(" (ঋ ঔ ঢ and the Bengali digit ৬)"),
    ("ks", 3): _ALPHABET.format(" (Kashmiri's ؠ and ۆ)"),
    ("sa", 2): "nine typographic marks (curly quotes, dashes, ellipsis, bullet, rupee sign) are tokens before "
    "training, although its corpus (Wikisource) never writes them: +0.7% bytes/token on the children's stories, "
    "which quote speech with curly quotes, at the same in-domain compression",
    ("ml", 2): "the Malayalam Wikipedia footer heading 'പുറത്തേക്കുള്ള കണ്ണികൾ' (External links) is no longer "
    "trained on, now that every language's footer headings are in the registry",
}
def get_language(code: str) -> Language:
    try:
        return LANGUAGES[code]
    except KeyError:
        raise ValueError(f"unknown language {code!r}; known: {', '.join(LANGUAGES)}") from None


def scripts() -> dict[str, list[Language]]:
    """Script -> its languages, the script's default first."""
    out: dict[str, list[Language]] = {}
    for lang in sorted(LANGUAGES.values(), key=lambda x: not x.default_for_script):
        out.setdefault(lang.script, []).append(lang)
    return out


_SCRIPT_OF: dict[str, str | None] = {}  # a character -> its script of the registry (a letter or mark), or None
_SCRIPT_OF_MAX = 1 << 16  # distinct characters cached; rarer ones are looked up each time


def _script_of(char: str) -> str | None:
    found = _SCRIPT_OF.get(char, "")
    if found != "":
        return found
    found = next((s for s in scripts() if regex.fullmatch(rf"(?=[\p{{L}}\p{{M}}])\p{{{s}}}", char)), None)
    if len(_SCRIPT_OF) < _SCRIPT_OF_MAX:
        _SCRIPT_OF[char] = found
    return found


def script_counts(text: str) -> Counter[str]:
    """Letters and marks (categories L and M) of text per script that has a language, in the order
    of scripts(). Counted per distinct character (Batch's Auto detects every line: one pass of
    Counter, not a regex per script)."""
    per_script: Counter[str] = Counter()
    for char, n in Counter(text).items():
        script = _script_of(char)
        if script is not None:
            per_script[script] += n
    return Counter({script: per_script[script] for script in scripts() if per_script[script]})


def detect(text: str) -> tuple[Language, str]:
    """The language for text by its majority script, and a note saying why (for Auto choices)."""
    counts = script_counts(text)
    if not counts:
        return LANGUAGES[DEFAULT], f"no letters of {', '.join(scripts())}, so the default"
    script, n = counts.most_common(1)[0]
    langs = scripts()[script]
    others = ", ".join(f"{c:,} {s}" for s, c in counts.most_common()[1:])
    why = f"{n:,} {script} letters" + (f" vs {others}" if others else "")
    if len(langs) > 1:
        why += f"; {script} is also used by {', '.join(x.name for x in langs[1:])}: choose one to compare"
    return langs[0], why


def direction_of(text: str) -> Literal["ltr", "rtl"]:
    """'rtl' when most letters of text are in a right-to-left script of the registry (Urdu with a
    few English words stays right to left), else 'ltr': how to lay the text and its tokens out."""
    letters = len(regex.findall(r"[\p{L}\p{M}]", text))
    rtl = sum(
        len(regex.findall(rf"(?=[\p{{L}}\p{{M}}])[\p{{{s.name}}}{s.word_letters}]", text))
        for s in SCRIPTS.values()
        if s.direction == "rtl"
    )
    return "rtl" if letters and 2 * rtl > letters else "ltr"


def footer_headings() -> frozenset[str]:
    """Every language's Wikipedia footer headings, casefolded (plus the English ones)."""
    return frozenset(h.casefold() for lang in LANGUAGES.values() for h in lang.footer_headings) | frozenset(
        ENGLISH_FOOTERS
    )
