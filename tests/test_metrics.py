"""Metrics on hand-computed examples, and the compression curve against direct encoding."""

import pytest

from tokenizer.metrics import (
    CompressionCurve,
    boundary_counts,
    compression_curve,
    cut_flags,
    evaluate,
    is_mid_akshara,
    measure,
)
from tokenizer.train import train

from .conftest import corpus_lines


def test_mid_akshara_rules():
    s = "किन्तु"  # क ि न ् त ु
    assert is_mid_akshara(s, 1)  # before the vowel sign ि
    assert not is_mid_akshara(s, 2)  # before न, after a matra
    assert is_mid_akshara(s, 3)  # before the virama
    assert is_mid_akshara(s, 4)  # after the virama, before the letter त
    assert is_mid_akshara("क\u200dष", 1)  # before ZWJ
    assert not is_mid_akshara("क् ", 2)  # virama then a space: not inside an akshara
    assert not is_mid_akshara(s, 0) and not is_mid_akshara(s, len(s))


def _cuts(*pieces: str) -> list[bool]:
    """Whether each boundary between the pieces (of their joined text) is inside an akshara."""
    return cut_flags("".join(pieces), [p.encode() for p in pieces])[1:]


@pytest.mark.parametrize(
    "pieces, inside",
    [
        (("தமிழ்", "நாடு"), [False]),  # Tamil: the pulli ends a syllable
        (("க்", "ஷ"), [True]),  # ... but க்ஷ is a conjunct
        (("த", "மிழ்"), [False]),
        (("க्ष", "त्र"), [False]),
        (("क्", "ष"), [True]),  # Devanagari: the virama joins the next letter
        (("क्\u200d", "ष"), [True]),  # virama + ZWJ: a half form, one akshara
        (("क्\u200c", "ष"), [False]),  # virama + ZWNJ: an explicit virama ends the syllable
        (("ক্", "ষ"), [True]),
        (("ত্\u200d", "স"), [False]),  # Bengali virama + ZWJ: khanda ta (old encoding), a syllable end
        (("ൻ", "റ"), [False]),  # Malayalam atomic chillu
        (("ന്\u200d", "റ"), [False]),  # the old chillu: chandrakkala + ZWJ
        (("ന്", "റ"), [True]),  # a conjunct
        (("ක්", "ෂ"), [False]),  # Sinhala: a bare al-lakuna shows, no conjunct
        (("ක්\u200d", "ෂ"), [True]),  # with ZWJ it joins (touching letters)
        (("ශ්\u200d", "රී"), [True]),  # repaya / rakaransaya
        (("ක\u200d්", "ෂ"), [True]),  # ZWJ + al-lakuna: touching letters as SLS 1134 spells them
        (("ප\u200d්\u200d", "ර"), [True]),  # ZWJ on both sides (an older spelling in the Sinhala corpus)
        (("ස්\u200c", "ථාන"), [False]),  # al-lakuna + ZWNJ: shown explicitly
        (("රාජ්\u200dය", " ", "භාෂාව"), [False, False]),  # yansaya inside one token
        (("ب", "َ"), [True]),  # Arabic: before a haraka
        (("بَ", "چّہ"), [False]),
        (("अ", "॑"), [True]),  # before a Vedic accent
        (("सो", "ऽपि"), [False]),  # Sanskrit avagraha: a letter, it starts an akshara
        (("अ", "᳐"), [True]),  # before a Vedic tone mark (U+1CD0)
        (("ٹیلی", "\u200cفون"), [True]),  # Urdu: before a ZWNJ inside a word
        (("سنڌ", " ۾"), [False]),  # Sindhi's word sign ۾ (a symbol) starts no akshara
        (("ک", "ٕ"), [True]),  # Kashmiri: before a vowel sign (hamza below)
    ],
)
def test_mid_akshara_follows_each_scripts_rule(pieces, inside):
    """Known answers for the per-script rule (docs/scripts.md): where a virama joins, and where not."""
    assert _cuts(*pieces) == inside


def test_boundary_counts_by_hand():
    s = "का ख"  # bytes: क(3) ा(3) space(1) ख(3)
    assert boundary_counts(s, [b"\xe0\xa4\x95", "ा ख".encode()]) == (1, 1)  # before the matra
    assert boundary_counts(s, ["का".encode(), " ख".encode()]) == (1, 0)
    assert boundary_counts(s, [b"\xe0\xa4", b"\x95\xe0\xa4\xbe", " ख".encode()]) == (2, 1)  # inside क's bytes
    with pytest.raises(ValueError, match="do not add up"):
        boundary_counts(s, [b"x"])


def test_measure_counts():
    m = measure(["ab cd", "", "e\n"], lambda line: [bytes([c]) for c in line.encode()], 300)
    assert (m.lines, m.tokens, m.bytes, m.chars, m.words) == (2, 6, 6, 6, 3)
    assert m.bytes_per_token == 1.0 and m.tokens_per_word == 2.0
    assert m.boundaries == 4 and m.mid_akshara_rate == 0.0


def test_a_burst_of_merges_still_draws_the_curve():
    """Live, merges come in bursts (a stage learns hundreds between two polls): advance records a
    point every `every` merges of the list, the same points as the finished model's curve."""
    lines = corpus_lines("hi", 600)
    tok = train(lines[:500], 800, quiet=True)
    held_out = lines[500:]
    merges = sorted(tok.merges, key=tok.merges.__getitem__)
    live = CompressionCurve(held_out, tok.pattern, 1)
    live.advance(merges[:10], every=50)
    live.advance(merges, every=50)  # the rest in one burst
    whole = compression_curve(tok, held_out, every=50)
    assert live.points == [whole[0], live.points[1], *whole[1:]] and live.points[1][0] == 267
    assert len(whole) == 2 + (800 - 257) // 50


def test_curve_ends_at_the_model_and_rises():
    lines = corpus_lines("hi", 600)
    tok = train(lines[:500], 800, quiet=True)
    held_out = lines[500:]
    curve = compression_curve(tok, held_out, every=50)
    m = evaluate(tok, held_out)
    assert curve[0] == (257, 1.0)
    assert curve[-1] == (800, m.bytes_per_token)
    assert all(b1 <= b2 for (_, b1), (_, b2) in zip(curve, curve[1:]))
    # a prefix of the merge list is a smaller tokenizer: check one point by direct encoding
    sizes = dict(curve)
    prefix = type(tok)({p: i for p, i in tok.merges.items() if i < 256 + 300}, tok.pattern, {"<|endoftext|>": 556})
    assert sizes[557] == evaluate(prefix, held_out).bytes_per_token
