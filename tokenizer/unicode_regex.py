"""A pre-split regex rewritten for another regex engine, so that it splits exactly as Python's `regex`.

Two compiled engines run our patterns: Oniguruma (inside Hugging Face `tokenizers`, for the export)
and Rust's `regex`/`fancy-regex` (inside tiktoken's CoreBPE, our compiled encoder). Each ships its
own Unicode tables, of other versions than Python's `regex` (Unicode 16/17 added Kannada and
Devanagari-area letters that the others do not know yet), and each reads a few constructs
differently. So `translate` rewrites a pattern into a form whose meaning does not depend on the
engine:

- every Unicode property (\\p{L}, \\p{Devanagari}, \\s, \\d, \\w, ...) becomes an explicit list of
  code point ranges taken from Python's `regex` module;
- a lookahead followed by one class, `(?=\\p{L})\\p{Devanagari}`, is one code point in both sets:
  it becomes the class of their intersection (provably the same match, and it keeps fancy-regex
  on its fast path);
- `$` means "end of string, or before a final newline" in Python; it becomes Oniguruma's `\\Z` or
  Rust's `(?=\\n?\\z)`; `^` becomes `\\A`; `.` becomes `[^\\n]`;
- a possessive interval `X{m,n}+` is a repeated interval in Oniguruma: it becomes `(?>X{m,n})`.

The Rust form spells code points `\\UHHHHHHHH`, which Python's `regex` reads too, so the very
string tiktoken compiles can be checked against the original with Python (tests/test_core.py does,
over every code point and fuzzed text). Patterns using features this does not know (nested
classes, inline flags other than a scoped (?i:...)) raise ExportError rather than risk a silent
difference.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

import regex

from . import cache
from .errors import ExportError

Dialect = Literal["oniguruma", "rust"]

# Escapes whose meaning depends on the engine's Unicode tables; they become explicit ranges.
_CLASS_ESCAPE = regex.compile(r"\\[pP]\{\^?[^}]*\}|\\[sSdDwW]")
# A code point written as Python writes it (\\xHH, \\uHHHH, \\UHHHHHHHH, \\N{NAME}), or any other escape.
_CODE_POINT = regex.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|N\{([^}]*)\})")
_OTHER_ESCAPE = regex.compile(_CODE_POINT.pattern + r"|\\.", regex.S)
# One code point's worth of regex: a property escape or a class without nested classes.
_ONE_CHAR = r"\\[pP]\{\^?[^}]*\}|\\[sSdDwW]|\[\^?\]?(?:\\.|[^\]\\])*\]"
# ... not followed by a quantifier, which would repeat the class without the lookahead.
_LOOKAHEAD_CLASS = regex.compile(rf"\(\?=(?:{_ONE_CHAR})\)(?:{_ONE_CHAR})(?![*+?]|\{{\d)")
_SURROGATES = (0xD800, 0xDFFF)
_END = {"oniguruma": r"\Z", "rust": r"(?=\n?\z)"}


@lru_cache(maxsize=1)
def _every_code_point() -> str:
    """Every code point but the surrogates, as one 4.4 MB string (built without a str per character)."""
    import numpy as np

    points = np.arange(0x110000, dtype="<u4")
    points = points[(points < _SURROGATES[0]) | (points > _SURROGATES[1])]
    return points.tobytes().decode("utf-32-le")


@lru_cache(maxsize=256)
def code_point_ranges(expr: str) -> tuple[tuple[int, int], ...]:
    """The code point ranges (surrogates excluded) of the single characters `expr` matches in `regex`."""
    gap = _SURROGATES[1] - _SURROGATES[0] + 1

    def code_point(index: int) -> int:  # position in _every_code_point() -> code point
        return index if index < _SURROGATES[0] else index + gap

    out: list[tuple[int, int]] = []
    for m in regex.finditer(f"(?:{expr})+", _every_code_point()):
        first, last = code_point(m.start()), code_point(m.end() - 1)
        if first < _SURROGATES[0] <= last:  # a run across the surrogate gap is two ranges
            out += [(first, _SURROGATES[0] - 1), (_SURROGATES[1] + 1, last)]
        else:
            out.append((first, last))
    return tuple(out)


def _spell(c: int, dialect: Dialect) -> str:
    return f"\\U{c:08X}" if dialect == "rust" else f"\\x{{{c:X}}}"


def _class_body(expr: str, dialect: Dialect) -> str:
    """Class members (without brackets) matching the characters `expr` matches in Python's `regex`."""
    return "".join(
        _spell(a, dialect) if a == b else f"{_spell(a, dialect)}-{_spell(b, dialect)}"
        for a, b in code_point_ranges(expr)
    )


def _scan(pattern: str) -> Iterator[tuple[str, str]]:
    """Cut a regex into (kind, text) atoms: 'class', 'escape', 'open', 'close', 'quant', 'char'."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch == "\\":
            m = _CLASS_ESCAPE.match(pattern, i) or _OTHER_ESCAPE.match(pattern, i)
            yield "escape", m.group()
            i = m.end()
        elif ch == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":  # a literal ] first in a class
                j += 1
            while j < n and pattern[j] != "]":
                if pattern[j] == "[":
                    raise ExportError(f"nested character classes are not supported: {pattern[i:j + 1]!r}")
                j += 2 if pattern[j] == "\\" else 1
            if j >= n:
                raise ExportError(f"unterminated character class at {i}")
            yield "class", pattern[i : j + 1]
            i = j + 1
        elif ch == "(":
            m = regex.compile(r"\((?:\?(?:[:=!>]|<[=!]|[a-zA-Z-]+[:)]|P?<\w+>))?").match(pattern, i)
            yield "open", m.group()
            i = m.end()
        elif ch == ")":
            yield "close", ch
            i += 1
        elif ch in "*+?{":
            m = regex.compile(r"(?:[*+?]|\{\d*(?:,\d*)?\})[+?]?").match(pattern, i)
            if m is None:  # a literal "{"
                yield "char", ch
                i += 1
            else:
                yield "quant", m.group()
                i = m.end()
        else:
            yield "char", ch
            i += 1


def _code_point(m: regex.Match, dialect: Dialect) -> str:
    """A Python code point escape in the dialect's spelling."""
    hex_digits = m.group(1) or m.group(2) or m.group(3)
    return _spell(int(hex_digits, 16) if hex_digits else ord(unicodedata.lookup(m.group(4))), dialect)


def _translate_class(cls: str, dialect: Dialect) -> str:
    cls = _CLASS_ESCAPE.sub(lambda m: _class_body(m.group(), dialect), cls)
    return _CODE_POINT.sub(lambda m: _code_point(m, dialect), cls)


def _translate_escape(esc: str, dialect: Dialect) -> str:
    if _CLASS_ESCAPE.fullmatch(esc):
        return f"[{_class_body(esc, dialect)}]"
    m = _CODE_POINT.fullmatch(esc)
    return _code_point(m, dialect) if m else esc


@lru_cache(maxsize=64)
def translate(pattern: str, dialect: Dialect) -> str:
    """The pattern rewritten so that `dialect`'s engine splits exactly as Python's `regex` (see above).

    Kept on disk (tokenizer/cache.py): computing it scans every code point, ~0.2 s per process."""
    versions = (regex.__version__, unicodedata.unidata_version, cache.source_digest(__file__))
    digest = cache.key(["translate", dialect, pattern, *versions])
    return cache.cached(f"regex-{dialect}", digest, lambda: _translate(pattern, dialect))


def _translate(pattern: str, dialect: Dialect) -> str:
    # (?=X)Y with X and Y one character each: the class of what both match, computed by `regex`.
    folded = _LOOKAHEAD_CLASS.sub(lambda m: "[" + _class_body(m.group(), "rust") + "]", pattern)
    out: list[str] = []  # translated atoms; a group is folded into one atom when it closes
    starts: list[int] = []  # index in `out` where each open group begins
    for kind, text in _scan(folded):
        if kind == "class":
            out.append(_translate_class(text, dialect))
        elif kind == "escape":
            out.append(_translate_escape(text, dialect))
        elif kind == "open":
            if text.startswith("(?") and text not in ("(?:", "(?i:", "(?=", "(?!", "(?<=", "(?<!", "(?>"):
                raise ExportError(f"the group {text!r} (inline flags or a named group) is not supported")
            starts.append(len(out))
            out.append(text)
        elif kind == "close":
            if not starts:
                raise ExportError("unbalanced ')' in the pattern")
            start = starts.pop()
            out[start:] = ["".join(out[start:]) + ")"]
        elif kind == "quant":
            if text.startswith("{") and text.endswith("}+"):
                if not out:
                    raise ExportError(f"quantifier {text!r} with nothing before it")
                out[-1] = f"(?>{out[-1]}{text[:-1]})"
            else:
                out[-1] = out[-1] + text if out else text
        elif text == "$":
            out.append(_END[dialect])
        elif text == "^":
            out.append(r"\A")
        elif text == ".":
            out.append(r"[^\n]")
        else:
            out.append(text)
    if starts:
        raise ExportError("unbalanced '(' in the pattern")
    return "".join(out)


def onig_regex(pattern: str) -> str:
    """The pattern for Oniguruma (HF `tokenizers`): splits exactly as Python's `regex`."""
    return translate(pattern, "oniguruma")


def rust_regex(pattern: str) -> str:
    """The pattern for Rust's fancy-regex (tiktoken's CoreBPE); also valid, and equal, in Python's `regex`."""
    return translate(pattern, "rust")
