"""The compiled core gives the reference encoder's ids and errors, on every path and every pattern.

The reference (tokenizer/reference.py) is the specification; `tok.reference()` runs it. The
compiled core is tiktoken's CoreBPE with our regex rewritten for Rust (tokenizer/unicode_regex.py)
and is used only when every token encodes to itself (tokenizer/core.py explains why that suffices).
"""

from __future__ import annotations

import warnings

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

import tokenizer
from tokenizer import core as core_mod
from tokenizer.core import tiktoken_exact
from tokenizer.corpus import load_corpus
from tokenizer.errors import SpecialTokenError, TokenizerError, UnencodableTextError
from tokenizer.metrics import evaluate, measure
from tokenizer.pretokenize import PATTERNS
from tokenizer.unicode_regex import code_point_ranges, rust_regex

from .conftest import ROOT
from .strategies import SCRIPT_CHARS, mixed_text, text
from .test_hf import random_texts

EOT = "<|endoftext|>"
POLICIES = [
    {},  # default: special text raises
    {"allowed_special": "all"},
    {"disallowed_special": ()},
    {"allowed_special": {EOT}},
    {"allowed_special": {"<|pad|>"}},  # one allowed, the other disallowed
    {"allowed_special": {"<|pad|>"}, "disallowed_special": ()},  # one allowed, the other plain text
    {"allowed_special": (), "disallowed_special": {"<|pad|>"}},
]


def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError as e:
        return (type(e).__name__, str(e))


@pytest.fixture(scope="module")
def shipped() -> dict[str, tokenizer.Tokenizer]:
    return {lang: tokenizer.load(ROOT / "models" / f"{lang}.model") for lang in ("hi", "kn")}


@pytest.fixture(scope="module")
def two_specials(hi_small) -> tokenizer.Tokenizer:
    n = 256 + hi_small.n_merges
    return tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {EOT: n, "<|pad|>": n + 1}, name="hi")


# ----- the shipped models run compiled, with the reference's ids ---------------------------------------
@pytest.mark.parametrize("lang", ["hi", "kn"])
def test_shipped_models_are_compiled_and_exact(shipped, lang):
    tok = shipped[lang]
    assert tiktoken_exact(tok.vocab, tok.merges, tok.byte_ids) is None
    assert tok.backend == "tiktoken"
    ref = tok.reference()
    assert ref.backend == "reference"
    lines = load_corpus(lang).held_out_lines("valid") + load_corpus(lang).held_out_lines("test")
    expected = [ref.encode_ordinary(line) for line in lines]
    batch = tok.encode_ordinary_batch(lines)
    assert len(batch) == len(lines)
    assert sum(a != b for a, b in zip(batch, expected, strict=True)) == 0
    assert sum(tok.encode_ordinary(line) != e for line, e in zip(lines, expected, strict=True)) == 0
    one_thread = tok.encode_batch(lines, disallowed_special=(), num_threads=1)
    assert len(one_thread) == len(lines) and one_thread == expected
    whole = "\n".join(lines)
    assert tok.encode(whole) == ref.encode(whole)


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_every_pattern_compiled_equals_reference(hi_small, name):
    """The same merges under every registered pattern (exactness depends on merges, not pattern)."""
    tok = tokenizer.Tokenizer(hi_small.merges, name, name=f"hi-small-{name}")
    ref = tok.reference()
    texts = random_texts(1500, seed=11) + load_corpus("hi").held_out_lines("valid")[:200]
    assert tok.backend == "tiktoken"
    assert tok.encode_ordinary_batch(texts) == [ref.encode_ordinary(t) for t in texts]


@given(text)
def test_property_compiled_equals_reference(hi_small, s):
    ref = _reference(hi_small)
    assert hi_small.encode_ordinary(s) == ref.encode_ordinary(s)
    assert _outcome(hi_small.encode, s, allowed_special="all") == _outcome(ref.encode, s, allowed_special="all")


@given(st.lists(mixed_text(st.sampled_from(["<|pad|>", EOT])), max_size=6))
def test_property_batches_every_policy(two_specials, texts):
    ref = _reference(two_specials)
    for policy in POLICIES:
        expected = [_outcome(ref.encode, t, **policy) for t in texts]
        if any(isinstance(e, tuple) for e in expected):
            first = next(n for n, e in enumerate(expected) if isinstance(e, tuple))
            got = _outcome(two_specials.encode_batch, texts, **policy)
            assert got == ("SpecialTokenError", f"text {first}: {expected[first][1]}")
        else:
            got = two_specials.encode_batch(texts, **policy)
            assert len(got) == len(texts) and got == expected


_REFS: dict[int, tokenizer.Tokenizer] = {}


def _reference(tok: tokenizer.Tokenizer) -> tokenizer.Tokenizer:
    """One reference copy per tokenizer for the property tests (its chunk cache stays warm)."""
    return _REFS.setdefault(id(tok), tok.reference())


def test_random_strings_every_policy(two_specials):
    ref = two_specials.reference()
    texts = random_texts(2000, seed=3) + ["<|pad|>x<|endoftext|>", "<|endoftext|><|pad|>", "<|pa<|pad|>d|>"]
    for policy in POLICIES:
        for t in texts:
            assert _outcome(two_specials.encode, t, **policy) == _outcome(ref.encode, t, **policy), (policy, t)


# ----- the regex rewritten for Rust splits exactly as the original ----------------------------------------
# The blocks where our patterns' rules live: ASCII and Latin, the Indic scripts, Vedic extensions,
# general punctuation (ZWJ/ZWNJ, dashes, quotes), Devanagari Extended (A) and emoji modifiers.
_NEAR_RULES = [(0x0000, 0x0FFF), (0x1CD0, 0x1CFF), (0x2000, 0x206F), (0xA830, 0xA8FF), (0x11B00, 0x11B5F),
               (0xFE00, 0xFE0F), (0x1F3FB, 0x1F3FF)]  # fmt: skip


@pytest.mark.parametrize("name", sorted(PATTERNS))
def test_rust_regex_equals_original_near_the_rules(name):
    """Every code point of those blocks, alone and next to letters, marks, spaces, digits, line breaks."""
    pattern = PATTERNS[name]
    rust = regex.compile(rust_regex(pattern.regex))  # the very string tiktoken compiles
    assert "\\p{" not in rust.pattern and "(?=\\p{L})" not in rust.pattern
    chars = "".join(chr(c) for a, b in _NEAR_RULES for c in range(a, b + 1))
    for glue in ("", "क", "\u093f", " ", "  ", "1", "\n", "ಕ್", "a'"):
        s = glue.join(chars) if glue else chars
        assert rust.findall(s) == pattern.split(s)


def test_translated_classes_match_the_same_code_points_everywhere():
    """Each property escape and class of the shipped pattern, over the whole code space."""
    every = "".join(chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    for expr in (r"\p{L}", r"\p{M}", r"\p{N}", r"\s", r"[^\s\p{L}\p{N}]", r"(?=\p{L})\p{Devanagari}",
                 r"(?=\p{L})\p{Kannada}", r"(?=\p{L})[^\p{Devanagari}\p{Kannada}\p{Latin}]"):  # fmt: skip
        body = "".join(f"\\U{a:08X}-\\U{b:08X}" for a, b in code_point_ranges(expr))
        assert regex.findall(f"(?:{expr})+", every) == regex.findall(f"[{body}]+", every), expr


@given(text)
def test_property_rust_regex_equals_original(s):
    for pattern in PATTERNS.values():
        assert regex.findall(rust_regex(pattern.regex), s) == pattern.split(s)


def test_lookahead_folding_is_an_intersection():
    inter = set()
    for a, b in code_point_ranges(r"(?=\p{L})\p{Devanagari}"):
        inter.update(range(a, b + 1))
    assert 0x0915 in inter  # क, a letter
    assert 0x093F not in inter and 0x0966 not in inter  # the vowel sign ि (M) and digit ० (N)
    letters = regex.compile(r"\p{L}")
    devanagari = regex.compile(r"\p{Devanagari}")
    every = (chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF)
    assert inter == {ord(ch) for ch in every if letters.fullmatch(ch) and devanagari.fullmatch(ch)}
    # a quantified class is not folded: (?=X)Y* repeats Y without the lookahead
    assert "(?=" in rust_regex(r"(?=\p{L})\p{Devanagari}*")


# ----- a merge list tiktoken would read differently runs on the reference ----------------------------------
def test_non_self_encoding_merges_fall_back_to_the_reference():
    a, b, c = ord("a"), ord("b"), ord("c")
    merges = {(b, c): 256, (a, b): 257, (257, c): 258}  # "abc" is made from "ab"+"c", but "bc" merges first
    tok = tokenizer.Tokenizer(merges, "indic", name="odd-merges")
    assert "token 258 does not encode to itself" in tiktoken_exact(tok.vocab, tok.merges, tok.byte_ids)
    with pytest.warns(RuntimeWarning, match="odd-merges: using the pure-Python reference encoder"):
        assert tok.backend == "reference"
    # tiktoken would join a + bc into 258 ("abc" is a token); our rule cannot: (a, bc) is no merge
    assert tok.encode("abc") == [a, 256]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the warning comes once per reason, not per tokenizer
        assert tokenizer.Tokenizer(merges, "indic", name="odd-merges").encode("abcabc") == [a, 256, a, 256]


def test_duplicate_token_bytes_fall_back():
    a, b, c = ord("a"), ord("b"), ord("c")
    merges = {(a, b): 256, (b, c): 257, (256, c): 258, (a, 257): 259}  # 258 and 259 are both "abc"
    tok = tokenizer.Tokenizer(merges, "indic", name="twins")
    assert tiktoken_exact(tok.vocab, tok.merges, tok.byte_ids) == "two tokens have the same bytes"
    with pytest.warns(RuntimeWarning, match="same bytes"):
        assert tok.encode("abc") == tok.reference().encode("abc") == [258]


def test_a_pattern_rust_cannot_run_falls_back(hi_small):
    odd = tokenizer.pretokenize.Pattern("odd", r"(?x) \w+ | \s+ | .", "inline flags")
    tok = tokenizer.Tokenizer(hi_small.merges, odd, name="odd-pattern")
    with pytest.warns(RuntimeWarning, match="cannot run in the compiled engine"):
        assert tok.backend == "reference"
    # the same regex without the verbose flag runs compiled: the fallback must give its ids
    plain = tokenizer.Tokenizer(hi_small.merges, tokenizer.pretokenize.Pattern("plain", r"\w+|\s+|.", ""), name="p")
    assert plain.backend == "tiktoken"
    text = "नमस्ते duniya, 123 ಕನ್ನಡ\n"
    assert tok.encode(text) == plain.encode(text)
    assert len(tok.encode(text)) < len(text.encode())  # the merges apply (the fallback is not bytes only)


# ----- long texts: fancy-regex's stack is not unbounded ------------------------------------------------------
def test_long_texts_are_cut_and_still_exact(hi_small, monkeypatch):
    """With a small one-call limit, the cut-at-line-breaks and the Python-split paths run on ordinary text."""
    monkeypatch.setattr(core_mod, "ONE_CALL_CHARS", 500)
    ref = hi_small.reference()
    lines = load_corpus("hi").held_out_lines("valid")[:300]
    texts = ["\n".join(lines), " ".join(lines), "\r\n".join(lines) + "\n\n", "क" + "ि" * 2000 + " x\n" * 300]
    for t in texts:
        assert hi_small.encode_ordinary(t) == ref.encode_ordinary(t)
    cuts = hi_small.core._pieces("\n".join(lines))
    assert len(cuts) > 10 and "".join(cuts) == "\n".join(lines)


def test_a_million_marks_in_one_chunk(hi_small):
    """Beyond fancy-regex's backtracking stack: no panic, and the HF export (exact, Rust) agrees."""
    from tokenizer.hf import to_hf

    storm = "क" + "\u093f\u0902\u094d" * 333_333
    ids = hi_small.encode(storm)
    assert hi_small.decode(ids, errors="strict") == storm
    assert ids == to_hf(hi_small, special_tokens=False).encode(storm, add_special_tokens=False).ids
    # in a batch too (it used to reach Rust whole and panic), on one thread and on two
    for threads in (1, 2):
        assert hi_small.encode_ordinary_batch(["नमस्ते", storm, "दुनिया"], num_threads=threads)[1] == ids


# ----- batches join lines where that changes no chunk ---------------------------------------------------------
JOIN_PIECES = st.one_of(
    st.sampled_from(["क", "ि", "्", "ं", "ಕ", "್", "ಾ", "a", "Z", "1", "१२", ".", "।", ",", "'s", "(", "\"", "👍🏽",
                     " ", "  ", "\t", "\r", "\u200c", "\u200d", "\u00a0", "\u2028", "\x0b", "\x1c", "\x85"]),
    *(st.sampled_from(chars) for chars in SCRIPT_CHARS.values()),
    st.characters(blacklist_categories=("Cs",)),
)  # fmt: skip
join_lines = st.lists(st.lists(JOIN_PIECES, max_size=8).map("".join), min_size=2, max_size=8)


@pytest.mark.parametrize("name", [name for name, p in PATTERNS.items() if p.joinable])
@given(lines=join_lines)
def test_joinable_lines_split_as_they_do_alone(name, lines):
    """The claim behind TiktokenCore._encode_lines, checked with Python's regex (the specification)."""
    split = PATTERNS[name].split
    for l1, l2 in zip(lines, lines[1:]):
        if core_mod._joinable_end(l1) and core_mod._joinable_start(l2):
            assert split(l1 + "\n" + l2) == split(l1) + ["\n"] + split(l2)


@pytest.mark.parametrize("name", ["indic-phrases", "brahmic-phrases", "brahmic-akshara", "gpt4"])
@given(lines=join_lines)
def test_batches_equal_one_encode_per_line(hi_small, name, lines):
    tok = tokenizer.Tokenizer(hi_small.merges, name, name=f"hi-{name}")
    ref = tok.reference()
    expected = [ref.encode_ordinary(t) for t in lines]
    assert tok.encode_ordinary_batch(lines, num_threads=1) == expected
    assert tok.core._encode_lines(lines) == expected


def test_held_out_batches_are_joined_and_exact(shipped):
    for tok in shipped.values():
        lines = load_corpus(tok.name).held_out_lines("valid")
        calls = []
        bpe = tok.core._bpe
        tok.core._bpe = type("Counting", (), {"encode_ordinary": lambda self, t: calls.append(t) or bpe.encode_ordinary(t)})()
        try:
            got = tok.encode_ordinary_batch(lines, num_threads=1)
        finally:
            tok.core._bpe = bpe
        assert got == [bpe.encode_ordinary(t) for t in lines]
        assert len(calls) < len(lines) / 5  # runs of lines go in one call


# ----- errors ----------------------------------------------------------------------------------------------
def test_errors_are_typed(two_specials):
    tok = two_specials
    with pytest.raises(UnencodableTextError, match=r"text contains a lone surrogate at index 2 \(U\+D800\)"):
        tok.encode_ordinary("ab\ud800")
    with pytest.raises(UnencodableTextError, match=r"text 2 contains a lone surrogate at index 1"):
        tok.encode_ordinary_batch(["a", "b", "c\udfff"])
    with pytest.raises(SpecialTokenError, match="at index 1"):
        tok.encode(f"a{EOT}")
    with pytest.raises(SpecialTokenError, match="not special tokens"):
        tok.encode("a", allowed_special={"<|nope|>"})
    for error in (UnencodableTextError, SpecialTokenError):
        assert issubclass(error, TokenizerError) and issubclass(error, ValueError)


# ----- evaluate goes through the same path ---------------------------------------------------------------------
def test_evaluate_equals_measure_with_the_reference(hi_small):
    lines = load_corpus("hi").held_out_lines("valid")[:200]
    ref = hi_small.reference()
    expected = measure(lines, lambda s: [ref.decode_single_token_bytes(i) for i in ref.encode_ordinary(s)], hi_small.vocab_size)
    assert evaluate(hi_small, lines) == expected
