"""bench.alphabet: CLDR's exemplar sets read right, and what a model cuts into bytes."""

from __future__ import annotations

import tokenizer
from bench import alphabet
from tokenizer.registry import LANGUAGES, RECIPES

NUMBERING = '<numberingSystem id="deva" type="numeric" digits="\\u0966\\u0967२३४५६७८९"/>'


def test_exemplar_sets_known_answers():
    assert alphabet.exemplar_characters("ء آ a-c {ক্ষ} \\u0650 \\- ب ب") == "ءآabcক্ষ\u0650-ب"


def test_default_digits_known_answers():
    deva = "<numbers><defaultNumberingSystem>deva</defaultNumberingSystem></numbers>"
    assert alphabet.default_digits(deva, NUMBERING) == "०१२३४५६७८९"
    assert alphabet.default_digits("<defaultNumberingSystem>latn</defaultNumberingSystem>", NUMBERING) == ""
    assert alphabet.default_digits("<numbers></numbers>", NUMBERING) == ""


def test_the_third_releases_cut_none_of_what_the_second_cut():
    """Nepali's second release wrote its default digits as byte tokens; its third seeds them."""
    old, new = tokenizer.load("ne@2"), tokenizer.load("ne")
    seed = RECIPES[LANGUAGES["ne"].recipe].seed
    assert alphabet.cut(old, "०१२३४५६७८९ॐक") == "०१२३४५६७८९ॐ"
    assert alphabet.cut(new, seed) == "" and len(new.encode("२०७८")) < len(old.encode("२०७८")) == 8
    assert alphabet.cut(tokenizer.load("ks@2"), "ؠۆا") == "ؠۆ" and alphabet.cut(tokenizer.load("ks"), "ؠۆ") == ""


def test_lines_that_write_them_take_the_default_digits():
    lines = alphabet.writing_them("ne", "", "०१२३४५६७८९")
    assert lines and all(not any("0" <= c <= "9" for c in line) for line in lines)
    assert any(c in "०१२३४५६७८९" for c in lines[0])
    assert alphabet.writing_them("ks", "ؠ", "") == list(LANGUAGES["ks"].examples)  # no held-out line writes it
