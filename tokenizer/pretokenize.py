"""Pre-tokenization: the regex that cuts text into chunks before BPE sees it.

BPE never merges across a chunk boundary, so the pattern decides which byte sequences can ever
become one token. GPT-style patterns use ``\\p{L}+`` for words; combining marks (category M:
matras, virama, nukta, anusvara) are not letters, so those patterns cut Indic words apart at
every vowel sign. The ``indic`` and ``brahmic`` patterns here keep every akshara whole.

Two families share one builder: ``indic*`` (Devanagari, Kannada, Latin and one run for all other
scripts) is frozen, because the shipped hi and kn models were trained on it and store its regex;
``brahmic*`` takes its script runs, viramas and sentence punctuation from the script table of the
registry (tokenizer.languages.SCRIPTS), so every Brahmic script there gets runs of its own.

Patterns are kept in a registry by name (like tiktoken's encodings) so that a model file can name
the pattern it was trained with, and the Space can show several side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .languages import SCRIPTS, SHARED_PUNCTUATION

# GPT-2 (r50k/p50k) and GPT-4 (cl100k_base), exactly as in tiktoken 0.14's openai_public.py.
GPT2_PATTERN = r"""'(?:[sdmt]|ll|ve|re)| ?\p{L}++| ?\p{N}++| ?[^\s\p{L}\p{N}]++|\s++$|\s+(?!\S)|\s"""
GPT4_PATTERN = (
    r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|"""
    r"""\s++$|\s*[\r\n]|\s+(?!\S)|\s"""
)
# GPT-4o (o200k_base): its letter classes include \p{M}, so it keeps matras; it still cuts at
# script changes only by case and does not group Indic digits specially.
GPT4O_PATTERN = "|".join(
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

# Building blocks of the Indic pattern. They avoid class intersection so that the same text
# compiles in Python's `regex` and in Oniguruma (used by Hugging Face `tokenizers`).
_JOINERS = r"\u200c\u200d"  # ZWNJ, ZWJ: shape conjuncts, belong to the akshara
_MARK = rf"[\p{{M}}{_JOINERS}]"  # anything that must stay with the letter before it
_OTHER_SCRIPT = r"[^\p{Devanagari}\p{Kannada}\p{Latin}]"


def _word(letter: str) -> str:
    """A run of one script's letters, each letter followed by its marks (so aksharas stay whole)."""
    return rf"{letter}(?:{letter}|{_MARK})*"


_DEVANAGARI = _word(r"(?=\p{L})\p{Devanagari}")
_KANNADA = _word(r"(?=\p{L})\p{Kannada}")
_LATIN = _word(r"(?=\p{L})\p{Latin}")
_OTHER = _word(rf"(?=\p{{L}}){_OTHER_SCRIPT}")


_WORDS = (_DEVANAGARI, _KANNADA, _LATIN, _OTHER)
# What may stick to a word: an opening bracket or quote before it (after the optional space) and
# closing punctuation after it, e.g. ` (भारत` and `है।` and `ಮಾಡಿತು.`. Hindi sentences end in a
# danda glued to the last word, so `है।` is one of the most frequent strings of the language.
OPENING = r"""[(\[{"'‘“]"""
CLOSING = r"""[।॥,.:;!?)\]}"'’”]+"""


def indic_pattern(
    *,
    words: tuple[str, ...] = _WORDS,
    prefix: str = r" ?",
    suffix: str = "",
    digits: str = r"\p{N}{1,3}",
    phrases: bool = False,
) -> str:
    """The Indic pre-split regex, built from its rules (see the README for each one).

    words: one word regex per script run (the frozen indic runs by default);
    prefix/suffix: what a word may carry before/after it; digits: the number rule; phrases: a
    chunk may hold several words of one script joined by single spaces (for the last training
    stage, whose merges may then span words: "के लिए", "है कि").
    """
    if phrases:
        joined = "|".join(rf"{prefix}{w}(?: {w})*" for w in words)
    else:
        joined = prefix + "(?:" + "|".join(words) + ")"
    alternatives = [
        r"'(?i:[sdmt]|ll|ve|re)",  # English contractions, as in GPT-4
        f"(?:{joined}){suffix}",
        digits,  # any script's digits (० १ २, ೦ ೧ ೨, 0 1 2) in groups of three
        r" ?[^\s\p{L}\p{N}]+",  # punctuation incl. danda । and double danda ॥, symbols, emoji
        r"\s*[\r\n]+",
        r"\s+(?!\S)",
        r"\s+",
    ]
    # Every chunk takes the marks that follow it: a cut before a mark would split an akshara.
    return "(?:" + "|".join(alternatives) + f"){_MARK}*"


INDIC_PATTERN = indic_pattern()
INDIC_WORDS_PATTERN = indic_pattern(prefix=f" ?{OPENING}?", suffix=f"(?:{CLOSING})?", digits=r" ?\p{N}{1,3}")
INDIC_PHRASES_PATTERN = indic_pattern(
    prefix=f" ?{OPENING}?", suffix=f"(?:{CLOSING})?", digits=r" ?\p{N}{1,3}", phrases=True
)
# One akshara (a letter with its marks, conjuncts joined through a virama) or one other character
# per chunk: the first training stage, which completes characters and aksharas before anything
# else.
_VIRAMA = r"[\u094D\u0CCD]"
AKSHARA_PATTERN = (
    rf"\p{{L}}{_MARK}*(?:(?<={_VIRAMA}|{_VIRAMA}[{_JOINERS}])\p{{L}}{_MARK}*)*|[\s\S]{_MARK}*"
)


# ----- the brahmic family: one run per script of the registry ------------------------------------
def _script_letter(script: str) -> str:
    return rf"(?=\p{{L}})\p{{{script}}}"


_BRAHMIC_OTHER = "[^" + "".join(rf"\p{{{s}}}" for s in SCRIPTS) + "]"
BRAHMIC_WORDS = tuple(_word(_script_letter(s)) for s in SCRIPTS) + (_word(rf"(?=\p{{L}}){_BRAHMIC_OTHER}"),)
# Closing punctuation as in indic-words, plus each script's own (the Sinhala kunddaliya).
BRAHMIC_CLOSING = (
    "[" + SHARED_PUNCTUATION + "".join(s.punctuation for s in SCRIPTS.values()) + r""",.:;!?)\]}"'’”]+"""
)


def brahmic_akshara_pattern() -> str:
    """One akshara per chunk, in every script of the table: a letter with its marks, and further
    letters of the SAME script joined through one of that script's viramas (optionally followed by
    ZWJ/ZWNJ) where the script forms conjuncts; anything else is one character with its marks."""
    aksharas = []
    for s in SCRIPTS.values():
        if s.viramas and s.conjuncts:
            letter = _script_letter(s.name)
            virama = f"[{s.viramas}]"
            aksharas.append(rf"{letter}{_MARK}*(?:(?<={virama}|{virama}[{_JOINERS}]){letter}{_MARK}*)*")
    return "|".join(aksharas) + rf"|\p{{L}}{_MARK}*|[\s\S]{_MARK}*"


BRAHMIC_PATTERN = indic_pattern(words=BRAHMIC_WORDS)
BRAHMIC_WORDS_PATTERN = indic_pattern(
    words=BRAHMIC_WORDS, prefix=f" ?{OPENING}?", suffix=f"(?:{BRAHMIC_CLOSING})?", digits=r" ?\p{N}{1,3}"
)
BRAHMIC_PHRASES_PATTERN = indic_pattern(
    words=BRAHMIC_WORDS,
    prefix=f" ?{OPENING}?",
    suffix=f"(?:{BRAHMIC_CLOSING})?",
    digits=r" ?\p{N}{1,3}",
    phrases=True,
)
BRAHMIC_AKSHARA_PATTERN = brahmic_akshara_pattern()


@dataclass(frozen=True)
class Pattern:
    """A named pre-tokenization regex."""

    name: str
    regex: str
    description: str

    @property
    def compiled(self) -> regex.Pattern:
        return _compile(self.regex)

    def split(self, text: str) -> list[str]:
        return self.compiled.findall(text)


@lru_cache(maxsize=64)
def _compile(pattern: str) -> regex.Pattern:
    return regex.compile(pattern)


PATTERNS: dict[str, Pattern] = {
    p.name: p
    for p in [
        Pattern("gpt2", GPT2_PATTERN, "GPT-2 (r50k_base, p50k_base)"),
        Pattern("gpt4", GPT4_PATTERN, "GPT-4 (cl100k_base)"),
        Pattern("gpt4o", GPT4O_PATTERN, "GPT-4o (o200k_base)"),
        Pattern("indic", INDIC_PATTERN, "Akshara-aware words, scripts kept apart; the core pattern"),
        Pattern(
            "indic-words",
            INDIC_WORDS_PATTERN,
            "As indic, plus opening brackets/quotes before and closing punctuation after a word, "
            "and a space before a number",
        ),
        Pattern("indic-phrases", INDIC_PHRASES_PATTERN, "As indic-words, but same-script words joined by single spaces"),
        Pattern("akshara", AKSHARA_PATTERN, "One akshara or character per chunk (first training stage only)"),
        Pattern("brahmic", BRAHMIC_PATTERN, "As indic, with a run of its own for every script of the registry"),
        Pattern("brahmic-words", BRAHMIC_WORDS_PATTERN, "As indic-words, on the brahmic runs"),
        Pattern("brahmic-phrases", BRAHMIC_PHRASES_PATTERN, "As indic-phrases, on the brahmic runs"),
        Pattern(
            "brahmic-akshara",
            BRAHMIC_AKSHARA_PATTERN,
            "One akshara per chunk, conjuncts through every script's virama (first training stage only)",
        ),
    ]
}
DEFAULT_PATTERN = "indic-phrases"  # the pattern of the shipped models (see tokenizer.train.RECIPES)


def get_pattern(name: str) -> Pattern:
    try:
        return PATTERNS[name]
    except KeyError:
        raise ValueError(f"unknown pattern {name!r}; known: {', '.join(PATTERNS)}") from None


def split(text: str, pattern: str | Pattern = DEFAULT_PATTERN) -> list[str]:
    """Cut text into chunks; ''.join(split(text)) == text for every pattern here."""
    if isinstance(pattern, str):
        pattern = get_pattern(pattern)
    return pattern.split(text)
