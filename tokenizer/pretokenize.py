"""Pre-tokenization: the regex that cuts text into chunks before BPE sees it.

BPE never merges across a chunk boundary, so the pattern decides which byte sequences can ever
become one token. GPT-style patterns use ``\\p{L}+`` for words; combining marks (category M:
matras, virama, nukta, anusvara, harakat) are not letters, so those patterns cut Indic words apart
at every vowel sign. Ours keep every akshara whole.

Every pattern of a family (tokenizer.registry.FAMILIES) is built here from the family's record,
by the rules below, one builder for all; OpenAI's patterns are taken as they are. Patterns are
kept in a registry by name (like tiktoken's encodings) so that a model file can name the pattern
it was trained with, and the Space can show several side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import regex

from .registry import DEFAULT_PATTERN, FAMILIES, PATTERN_SPECS, SCRIPTS, Budget, Family, PatternSpec

# Building blocks. They avoid class intersection so that the same text compiles in Python's
# `regex` and in Oniguruma (used by Hugging Face `tokenizers`).
_JOINERS = r"\u200c\u200d"  # ZWNJ, ZWJ: shape conjuncts, belong to the akshara
_MARK = rf"[\p{{M}}{_JOINERS}]"  # anything that must stay with the letter before it
# What may stick to a word: an opening bracket or quote before it (after the optional space) and
# closing punctuation after it, e.g. ` (भारत` and `है।` and `ಮಾಡಿತು.`. Hindi sentences end in a
# danda glued to the last word, so `है।` is one of the most frequent strings of the language.
OPENING = r"""[(\[{"'‘“]"""
_CLOSERS = r""",.:;!?)\]}"'’”"""


def _word(letter: str) -> str:
    """A run of one script's letters, each letter followed by its marks (so aksharas stay whole)."""
    return rf"{letter}(?:{letter}|{_MARK})*"


def _letter(f: Family, script: str) -> str:
    """One letter of `script` in family f: a letter of the script, or one of its word letters (which need
    not be letters: Sindhi's ۾ is a symbol). A lookahead and one class, so the compiled engines fold it
    into one class (tokenizer.unicode_regex)."""
    extra = SCRIPTS[script].word_letters if f.word_letters else ""
    return rf"(?=[\p{{L}}{extra}])[\p{{{script}}}{extra}]" if extra else rf"(?=\p{{L}})\p{{{script}}}"


def word_runs(f: Family) -> tuple[str, ...]:
    """One word regex per script run of the family, then one for the letters of all other scripts."""
    extra = "".join(SCRIPTS[s].word_letters for s in f.scripts) if f.word_letters else ""
    other = "[^" + "".join(rf"\p{{{s}}}" for s in f.scripts) + extra + "]"
    return tuple(_word(_letter(f, s)) for s in f.scripts) + (_word(rf"(?=\p{{L}}){other}"),)


def closing(f: Family) -> str:
    """Closing punctuation that may follow a word: the family's sentence punctuation, , . : ; ! ? and
    closing brackets and quotes."""
    return f"[{f.punctuation}{_CLOSERS}]+"


def indic_pattern(
    words: tuple[str, ...],
    *,
    prefix: str = r" ?",
    suffix: str = "",
    digits: str = r"\p{N}{1,3}",
    phrases: bool = False,
) -> str:
    """The pre-split regex from its rules (docs/how-it-works.md explains each one).

    words: one word regex per script run; prefix/suffix: what a word may carry before/after it;
    digits: the number rule; phrases: a chunk may hold several words of one script joined by
    single spaces (for the last training stage, whose merges may then span words: "के लिए").
    """
    if phrases:
        joined = "|".join(rf"{prefix}{w}(?: {w})*" for w in words)
    else:
        joined = prefix + "(?:" + "|".join(words) + ")"
    alternatives = [
        r"'(?i:[sdmt]|ll|ve|re)",  # English contractions, as in GPT-4
        f"(?:{joined}){suffix}",
        digits,  # any script's digits (० १ २, ೦ ೧ ೨, ٠ ١ ٢, 0 1 2) in groups of three
        r" ?[^\s\p{L}\p{N}]+",  # punctuation incl. danda । and double danda ॥, symbols, emoji
        r"\s*[\r\n]+",
        r"\s+(?!\S)",
        r"\s+",
    ]
    # Every chunk takes the marks that follow it: a cut before a mark would split an akshara.
    return "(?:" + "|".join(alternatives) + f"){_MARK}*"


def akshara_pattern(f: Family) -> str:
    """One akshara per chunk: a letter with its marks, and further letters of the SAME script joined
    through one of its viramas (optionally followed by ZWJ/ZWNJ) where the family joins that script's
    conjuncts, or only through virama + ZWJ (or ZWJ + virama, Sinhala's touching letters as SLS 1134
    spells them) where it joins just those; anything else is one character with its marks."""
    aksharas = []
    for name in f.scripts:
        s = SCRIPTS[name]
        joint = (
            f"[{s.viramas}]|[{s.viramas}][{_JOINERS}]" if name in f.conjunct_scripts
            else f"[{s.viramas}]\u200d|\u200d[{s.viramas}]" if name in f.zwj_scripts
            else ""
        )  # fmt: skip
        if s.viramas and joint:
            letter = _letter(f, name)
            aksharas.append(rf"{letter}{_MARK}*(?:(?<={joint}){letter}{_MARK}*)*")
    return "|".join(aksharas + [rf"\p{{L}}{_MARK}*", rf"[\s\S]{_MARK}*"])


def build_regex(spec: PatternSpec) -> str:
    """The regex of a registry pattern."""
    if spec.regex:
        return spec.regex
    f = FAMILIES[spec.family]
    if spec.kind == "akshara":
        return akshara_pattern(f)
    words = word_runs(f)
    if spec.kind == "core":
        return indic_pattern(words)
    digits = r" ?\p{N}{1,3}" + (r"(?:\.\p{N}{1,3})?" if f.dotted_numbers else "")
    return indic_pattern(
        words, prefix=f" ?{OPENING}?", suffix=f"(?:{closing(f)})?", digits=digits, phrases=spec.kind == "phrases"
    )


@dataclass(frozen=True)
class Pattern:
    """A named pre-tokenization regex; `spec` holds its registry facts (None for a regex that came
    from a model file and is not the registry's)."""

    name: str
    regex: str
    description: str
    spec: PatternSpec | None = None

    @property
    def compiled(self) -> regex.Pattern:
        return _compile(self.regex)

    def split(self, text: str) -> list[str]:
        return self.compiled.findall(text)

    @property
    def budget(self) -> Budget | None:
        """Its memory budget as a counting stage (None: not a registry pattern)."""
        return self.spec.budget if self.spec else None

    @property
    def streamable(self) -> bool:
        return self.spec is not None and self.spec.streamable

    @property
    def joinable(self) -> bool:
        return self.spec is not None and self.spec.joinable


@lru_cache(maxsize=64)
def _compile(pattern: str) -> regex.Pattern:
    return regex.compile(pattern)


PATTERNS: dict[str, Pattern] = {
    spec.name: Pattern(spec.name, build_regex(spec), spec.description, spec) for spec in PATTERN_SPECS.values()
}


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
