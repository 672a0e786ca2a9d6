"""The fast encode path gives the reference encoder's ids, and its errors, under every special-token policy."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokenizer
from tokenizer.corpus import load_corpus
from tokenizer.fast import FastEncoder, fast_encoder
from tokenizer.metrics import evaluate, measure

from .strategies import text
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


@pytest.fixture(scope="module")
def two_specials(hi_small) -> tokenizer.Tokenizer:
    n = 256 + hi_small.n_merges
    return tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {EOT: n, "<|pad|>": n + 1}, name="hi")


def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError as e:
        return ("ValueError", str(e))


@pytest.mark.parametrize("lang", ["hi", "kn"])
def test_validation_lines(lang, request):
    tok = request.getfixturevalue(f"{lang}_small")
    lines = load_corpus(lang).held_out_lines("valid")
    enc = fast_encoder(tok)
    expected = [tok.encode_ordinary(line) for line in lines]
    assert [a == b for a, b in zip(enc.encode_ordinary_batch(lines), expected)].count(False) == 0
    assert [enc.encode_ordinary(line) == e for line, e in zip(lines[:100], expected)].count(False) == 0
    assert enc.encode_batch(lines, disallowed_special=()) == expected


def test_random_strings_every_policy(two_specials):
    tok, enc = two_specials, FastEncoder(two_specials)
    texts = random_texts(3000, seed=3) + ["<|pad|>x<|endoftext|>", "<|endoftext|><|pad|>", "<|pa<|pad|>d|>"]
    for policy in POLICIES:
        for t in texts:
            assert _outcome(enc.encode, t, **policy) == _outcome(tok.encode, t, **policy), (policy, t)
        ok = [t for t in texts if not isinstance(_outcome(tok.encode, t, **policy), tuple)]
        assert enc.encode_batch(ok, **policy) == [tok.encode(t, **policy) for t in ok]
    assert [enc.encode_ordinary(t) for t in texts] == [tok.encode_ordinary(t) for t in texts]


@given(
    t=st.one_of(text, st.lists(st.sampled_from(["<|endoftext|>", "<|pad|>", "<|endoftext", "pad|>", "x", " ", "क्ष"])).map("".join)),
    policy=st.sampled_from(POLICIES),
)
def test_property_same_ids_or_same_error(two_specials, t, policy):
    enc = fast_encoder(two_specials)
    assert _outcome(enc.encode, t, **policy) == _outcome(two_specials.encode, t, **policy)
    assert enc.encode_ordinary(t) == two_specials.encode_ordinary(t)


def test_errors_match_the_reference(hi_small):
    enc = fast_encoder(hi_small)
    with pytest.raises(ValueError, match="not special tokens"):
        enc.encode("x", allowed_special={"<|nope|>"})
    with pytest.raises(ValueError, match="lone surrogate at index 1"):
        enc.encode_ordinary("a\ud800b")
    with pytest.raises(ValueError, match="lone surrogate at index 2"):
        enc.encode_batch(["ok", "ab\udfffc"])
    with pytest.raises(ValueError, match="special token '<\\|endoftext\\|>' at index 2"):
        enc.encode("ab<|endoftext|>")
    assert enc.encode("") == [] and enc.encode_batch([]) == [] and enc.encode_batch(["", "a"])[0] == []


def test_fast_encoder_is_cached_per_tokenizer(hi_small, kn_small):
    assert fast_encoder(hi_small) is fast_encoder(hi_small)
    assert fast_encoder(hi_small) is not fast_encoder(kn_small)
    assert fast_encoder(hi_small).decode(hi_small.encode("नमस्ते")) == "नमस्ते"


def test_evaluate_uses_the_same_ids(hi_small):
    lines = load_corpus("hi").held_out_lines("valid")[:200] + ["", "  \r\n", "x<|endoftext|>y\r", "तीन\n"]
    reference = measure(lines, lambda line: [hi_small.token_bytes(i) for i in hi_small.encode_ordinary(line)], hi_small.vocab_size)
    assert evaluate(hi_small, lines) == reference
    assert evaluate(hi_small, iter(lines)) == reference
    assert evaluate(hi_small, []).lines == 0


def test_evaluate_falls_back_when_the_pattern_cannot_be_exported(hi_small):
    from tokenizer.pretokenize import Pattern

    odd = tokenizer.Tokenizer(hi_small.merges, Pattern("odd", r"(?x) \S+ | \s+", "verbose flag"), name="odd")
    with pytest.raises(ValueError, match="not supported"):
        FastEncoder(odd)
    lines = ["हिन्दी भाषा", "ಕನ್ನಡ  x"]
    reference = measure(lines, lambda line: [odd.token_bytes(i) for i in odd.encode_ordinary(line)], odd.vocab_size)
    assert evaluate(odd, lines) == reference
