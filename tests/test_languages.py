"""The language registry and what each entry points at: corpus, model, examples, script table,
and the Hugging Face export of every shipped model (0 mismatches in every script)."""

from __future__ import annotations

import json
import random
import unicodedata
from functools import lru_cache

import pytest
import regex

import tokenizer
from tokenizer.corpus import load_corpus
from tokenizer.hf import LANGUAGE_NAMES, to_hf
from tokenizer.languages import CODES, LANGUAGES, SCRIPTS, detect, get_language, get_script, scripts
from tokenizer.pretokenize import PATTERNS
from tokenizer.train import RECIPES

from .conftest import ROOT

TARGET = 1.05  # each model: at least this many times the bytes/token of HF BpeTrainer on its test split


@pytest.mark.parametrize("lang", CODES)
def test_entry_points_at_its_files(lang):
    language = LANGUAGES[lang]
    assert language.code == lang and language.script in SCRIPTS and language.recipe in RECIPES
    corpus = ROOT / "data" / language.corpus
    assert corpus.is_file() and corpus.stat().st_size < 10_000_000
    assert language.name in (ROOT / "data" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert (ROOT / "models" / language.model).is_file() and language.source
    assert LANGUAGE_NAMES[lang] == language.name


@pytest.mark.parametrize("lang", CODES)
def test_examples_are_in_the_language_script(lang):
    language = LANGUAGES[lang]
    assert language.examples
    for example in language.examples:
        assert unicodedata.is_normalized("NFC", example)
        letters = regex.findall(r"[\p{L}\p{M}]", example)
        assert sum(bool(regex.match(rf"\p{{{language.script}}}", c)) for c in letters) == len(letters)
        found, why = detect(example)
        assert found.script == language.script and found.default_for_script
        assert found is language or language.name in why  # a shared script names the others


def test_one_default_per_script():
    for script, langs in scripts().items():
        assert [x.default_for_script for x in langs].count(True) == 1 and langs[0].default_for_script
    assert [x.code for x in scripts()["Devanagari"]] == ["hi", "mr", "ne"]
    assert [x.code for x in scripts()["Bengali"]] == ["bn", "as"]


def test_detect_mixed_and_unknown():
    lang, why = detect("ChatGPT তামিল தமிழ் மொழி")
    assert lang.code == "ta" and "Bengali" in why
    lang, why = detect("hello 123")
    assert lang.code == "hi" and "the default" in why


def test_unknown_names():
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        get_language("xx")
    with pytest.raises(ValueError, match="unknown script 'Klingon'"):
        get_script("Klingon")


def test_script_table_characters():
    """Every character of the table belongs to its script and has the category its role needs."""
    for s in SCRIPTS.values():
        for field, cats in [("viramas", {"Mn"}), ("nukta", {"Mn"}), ("marks", {"Mn", "Mc"}), ("letters", {"Lo"}),
                            ("digits", {"Nd"}), ("punctuation", {"Po"})]:  # fmt: skip
            for c in getattr(s, field):
                assert regex.match(rf"\p{{{s.name}}}", c), (s.name, field, unicodedata.name(c))
                assert unicodedata.category(c) in cats, (s.name, field, unicodedata.name(c))
        assert all(unicodedata.combining(v) == 9 for v in s.viramas)


@pytest.mark.parametrize("lang", ["hi", "kn"])
def test_shipped_hi_kn_keep_their_frozen_pattern(lang):
    """Their ids never change: the stored regex is still the registered one, byte for byte."""
    header = (ROOT / "models" / f"{lang}.model").read_text(encoding="utf-8").split("\n", 5)
    fields = dict(line.split(": ", 1) for line in header[1:4])
    assert fields["pattern"] == "indic-phrases" and json.loads(fields["regex"]) == PATTERNS["indic-phrases"].regex
    assert tokenizer.load(ROOT / "models" / f"{lang}.model").pattern is PATTERNS["indic-phrases"]


def _ratio(lang: str) -> dict:
    m = json.loads((ROOT / "models" / f"{lang}.metrics.json").read_text(encoding="utf-8"))
    return m["ratio_to_hf_bpe"]


@pytest.mark.parametrize("lang", CODES)
def test_each_model_beats_hf_bpe(lang):
    assert _ratio(lang)["test"] >= TARGET, f"{lang}: {_ratio(lang)}"


@lru_cache(maxsize=None)
def _script_chars(script: str) -> list[str]:
    return [c for c in map(chr, range(0x0900, 0x0E00)) if regex.match(rf"\p{{{script}}}", c)]


def _random_script_text(rng: random.Random, script: str) -> str:
    """Letters, marks, digits of one script with spaces, punctuation, ZWJ/ZWNJ and other scripts."""
    block = _script_chars(script)
    extra = [" ", "  ", "\n", "।", ",", ".", "\u200c", "\u200d", "a", "7", "(", "\"", "😀", "க்ஷ", "ക്ക"]
    return "".join(rng.choice(block if rng.random() < 0.7 else extra) for _ in range(rng.randint(1, 40)))


@pytest.mark.parametrize("lang", [c for c in CODES if c not in ("hi", "kn")])  # hi, kn: tests/test_hf.py
def test_hf_export_parity(lang):
    tok = tokenizer.load(ROOT / "models" / LANGUAGES[lang].model)
    hf = to_hf(tok)
    rng = random.Random(lang)
    texts = load_corpus(lang).held_out_lines("valid")[:200] + list(LANGUAGES[lang].examples)
    texts += [_random_script_text(rng, script) for script in SCRIPTS if script != "Latin" for _ in range(30)]
    expected = [tok.encode(t, allowed_special="all") for t in texts]
    got = [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]
    assert [t for t, a, b in zip(texts, expected, got) if a != b] == []
    assert hf.decode_batch(expected, skip_special_tokens=False) == texts
