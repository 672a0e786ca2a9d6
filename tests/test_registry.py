"""The registry and what each entry points at: corpus, model, examples, script table, families,
patterns and recipes; and the Hugging Face export of every shipped model (0 mismatches in every script)."""

from __future__ import annotations

import json
import random
import unicodedata

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import tokenizer
from tokenizer.build import core_pattern, measure_hf, train_hf_bpe
from tokenizer.corpus import load_corpus
from tokenizer.hf import language_of, to_hf
from tokenizer.metrics import evaluate
from tokenizer.report import HF_BPE
from tokenizer.registry import (
    CODES, FAMILIES, LANGUAGES, RECIPES, RELEASES, SCRIPTS, detect, direction_of, get_language, get_script,
    script_counts, scripts,
)  # fmt: skip
from tokenizer.pretokenize import PATTERNS

from .conftest import ROOT, held_out
from .strategies import SCRIPT_CHARS, any_text, mixed_text

TARGET = 1.05  # each model: at least this many times the bytes/token of HF BpeTrainer on its test split
# Below it, measured and said (docs/languages.md): Nepali's held-out splits lost their TICO-19,
# TTS-prompt and Common Voice documents to its out-of-domain set (release 2), and on the Wikipedia
# sentences left every recipe tried stays at 1.04-1.05x (bench.variants, 95% interval 1.033-1.050).
SHORTFALLS = {"ne": 1.04}


@pytest.mark.parametrize("lang", CODES)
def test_entry_points_at_its_files(lang):
    language = LANGUAGES[lang]
    assert language.script in SCRIPTS and language.recipe in RECIPES
    corpus = ROOT / "data" / language.corpus
    assert corpus.is_file() and corpus.stat().st_size < 10_000_000
    assert language.name in (ROOT / "data" / "ATTRIBUTION.md").read_text(encoding="utf-8")
    assert (ROOT / "models" / language.model).is_file() and language.sources
    assert all(s.name in (ROOT / "data" / "ATTRIBUTION.md").read_text(encoding="utf-8") or s.licence for s in language.sources)
    assert language_of(tokenizer.load(lang)) is language


@pytest.mark.parametrize("lang", CODES)
def test_examples_are_in_the_language_script(lang):
    language = LANGUAGES[lang]
    assert language.examples
    for example in language.examples:
        assert unicodedata.is_normalized("NFC", example)
        letters = regex.findall(r"[\p{L}\p{M}]", example)  # marks shared by scripts (harakat) count by extension
        script = rf"[\p{{{language.script}}}\p{{scx={language.script}}}]"
        assert [c for c in letters if not regex.match(script, c)] == []
        found, why = detect(example)
        assert found.script == language.script and found.default_for_script
        assert found is language or language.name in why  # a shared script names the others


def test_one_default_per_script():
    for script, langs in scripts().items():
        assert [x.default_for_script for x in langs].count(True) == 1 and langs[0].default_for_script
    assert [x.code for x in scripts()["Devanagari"]] == ["hi", "mr", "ne", "sa"]
    assert [x.code for x in scripts()["Bengali"]] == ["bn", "as", "mni"]
    assert [x.code for x in scripts()["Arabic"]] == ["ur", "sd", "ks"]


def test_detect_mixed_and_unknown():
    lang, why = detect("ChatGPT তামিল தமிழ் மொழி")
    assert lang.code == "ta" and "Bengali" in why
    lang, why = detect("hello 123")
    assert lang.code == "hi" and "the default" in why


@settings(max_examples=300, deadline=None)
@given(st.one_of(mixed_text(), any_text))
def test_script_counts_are_the_regex_definition(text):
    """Counted per distinct character (cached), the counts are those of one regex per script, in
    the order of scripts(): the order breaks ties in detect."""
    by_regex = {s: len(regex.findall(rf"(?=[\p{{L}}\p{{M}}])\p{{{s}}}", text)) for s in scripts()}
    counts = script_counts(text)
    assert list(counts.items()) == [(s, n) for s, n in by_regex.items() if n]
    assert script_counts(text) == counts  # the second time from the cache


def test_detect_breaks_ties_by_the_registry_order():
    assert script_counts("क ক") == {"Devanagari": 1, "Bengali": 1} and detect("ক क")[0].code == "hi"
    assert script_counts("कि 𑀓") == {"Devanagari": 2}  # the vowel sign counts; Brahmi has no language


def test_direction_of_text():
    assert direction_of("یہ کتاب ہے۔") == "rtl"
    assert direction_of("Pakistan پاکستان کا دارالحکومت اسلام آباد ہے") == "rtl"  # mostly Urdu
    assert direction_of("भारत एक विशाल देश है। Urdu: اردو") == "ltr"
    assert direction_of("") == direction_of("123 !") == "ltr"
    assert [s.name for s in SCRIPTS.values() if s.direction == "rtl"] == [s.name for s in SCRIPTS.values() if s.joining]


def test_unknown_names():
    with pytest.raises(ValueError, match="unknown language 'xx'"):
        get_language("xx")
    with pytest.raises(ValueError, match="unknown script 'Klingon'"):
        get_script("Klingon")


def test_script_table_characters():
    """Every character of the table is used by its script (its Unicode script, or script extensions
    for shared marks and punctuation) and has the category its role needs."""
    for s in SCRIPTS.values():
        for field, cats in [("viramas", {"Mn"}), ("nukta", {"Mn"}), ("marks", {"Mn", "Mc"}), ("letters", {"Lo"}),
                            ("digits", {"Nd"}), ("punctuation", {"Po"})]:  # fmt: skip
            for c in getattr(s, field):
                assert regex.match(rf"[\p{{{s.name}}}\p{{scx={s.name}}}]", c), (s.name, field, unicodedata.name(c))
                assert unicodedata.category(c) in cats, (s.name, field, unicodedata.name(c))
        for c in s.word_letters:  # not letters of this script by Unicode, but they belong in its words
            assert not regex.match(rf"(?=\p{{L}})\p{{{s.name}}}", c), unicodedata.name(c)
            assert unicodedata.category(c) in {"Lo", "Lm", "So"}, unicodedata.name(c)
        assert all(unicodedata.combining(v) == 9 for v in s.viramas)
        assert all(len(c) == 3 and c[1] in s.viramas for c in s.clusters)


@pytest.mark.parametrize("lang", CODES)
def test_shipped_model_keeps_its_pattern_and_recipe(lang):
    """Shipped ids never change: each model file's stored regex is still, byte for byte, what the
    registry builds for the last stage of the language's recipe (so `build` retrains the same model)."""
    header = (ROOT / "models" / f"{lang}.model").read_text(encoding="utf-8").split("\nmerges: ", 1)[0]
    fields = dict(line.split(": ", 1) for line in header.splitlines()[1:] if not line.startswith("special: "))
    last = RECIPES[LANGUAGES[lang].recipe].stages[-1].pattern
    assert fields["pattern"] == last and json.loads(fields["regex"]) == PATTERNS[last].regex
    assert tokenizer.load(ROOT / "models" / f"{lang}.model").pattern is PATTERNS[last]
    # a frozen family spells its knobs literally; a script's own family is pinned by this very test
    family = FAMILIES[RECIPES[LANGUAGES[lang].recipe].family]
    assert family.frozen or family.name == SCRIPTS[LANGUAGES[lang].script].family


@pytest.mark.parametrize("lang", CODES)
def test_metrics_carry_the_registrys_release_and_its_note(lang):
    """models/<lang>.metrics.json is what `build` writes from the registry: the release and its note
    (a note edited, or a release made, without a build would leave the README and docs stale)."""
    m = json.loads((ROOT / "models" / f"{lang}.metrics.json").read_text(encoding="utf-8"))
    language = LANGUAGES[lang]
    assert m["release"] == language.release == tokenizer.load(lang).release
    assert m.get("release_note") == RELEASES.get((lang, language.release))


# The HF baseline is trained again here for the smallest corpora (a few seconds each); for the others
# its committed figure is used, next to ours measured now.
RETRAINED = sorted(CODES, key=lambda code: (ROOT / "data" / LANGUAGES[code].corpus).stat().st_size)[:3]


@pytest.mark.parametrize("lang", CODES)
def test_each_model_beats_hf_bpe(lang):
    """Ours, measured now on the test split, has at least TARGET times the bytes/token of HF BpeTrainer
    trained on the same text with the same ids and our core pre-split; the committed ratio is this one."""
    tok = tokenizer.load(lang)
    m = json.loads((ROOT / "models" / f"{lang}.metrics.json").read_text(encoding="utf-8"))
    test = held_out(lang, "test")
    hf = m["baselines"][HF_BPE]["test"]["bytes_per_token"]
    if lang in RETRAINED:
        trained = train_hf_bpe(list(load_corpus(lang).train_texts()), core_pattern(LANGUAGES[lang].recipe), m["vocab_size"])
        assert trained.get_vocab_size() == m["vocab_size"] and measure_hf(trained, list(test)).bytes_per_token == hf
    ratio = round(evaluate(tok, test).bytes_per_token / hf, 4)
    assert ratio == m["ratio_to_hf_bpe"]["test"] and ratio >= SHORTFALLS.get(lang, TARGET), f"{lang}: {ratio}"


def _random_script_text(rng: random.Random, script: str) -> str:
    """Letters, marks, digits of one script with spaces, punctuation, ZWJ/ZWNJ and other scripts."""
    block = SCRIPT_CHARS[script]
    extra = [" ", "  ", "\n", "।", ",", ".", "\u200c", "\u200d", "a", "7", "(", "\"", "😀", "க்ஷ", "ക്ക"]
    return "".join(rng.choice(block if rng.random() < 0.7 else extra) for _ in range(rng.randint(1, 40)))


@pytest.mark.parametrize("lang", [c for c in CODES if c not in ("hi", "kn")])  # hi, kn: tests/test_hf.py
def test_hf_export_parity(lang):
    tok = tokenizer.load(ROOT / "models" / LANGUAGES[lang].model)
    hf = to_hf(tok)
    rng = random.Random(lang)
    texts = list(held_out(lang, "valid")[:200]) + list(LANGUAGES[lang].examples)
    texts += [_random_script_text(rng, script) for script in SCRIPTS if script != "Latin" for _ in range(30)]
    expected = [tok.encode(t, allowed_special="all") for t in texts]
    got = [e.ids for e in hf.encode_batch(texts, add_special_tokens=False)]
    assert [t for t, a, b in zip(texts, expected, got, strict=True) if a != b] == []
    assert hf.decode_batch(expected, skip_special_tokens=False) == texts


# ----- the registry is the only place for language facts ------------------------------------------
# Modules whose explanatory prose shows script text (it decides nothing): the About page, and the
# page layout's explanations.
PROSE = {"space/views/about.py", "space/layout.py"}
_SCRIPT_CHAR = regex.compile("[" + "".join(rf"\p{{{s}}}" for s in SCRIPTS if s != "Latin") + "]")


def _string_constants(path):
    """(line, value) of every string constant of a module that is not a docstring."""
    import ast

    tree = ast.parse(path.read_text(encoding="utf-8"))
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
        and node.body and isinstance(node.body[0], ast.Expr) and isinstance(node.body[0].value, ast.Constant)
    }  # fmt: skip
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield node.lineno, node.value


def test_no_language_fact_outside_the_registry():
    """No module but the registry spells a language code, a recipe or one of our pattern names as a
    string, or a character of a registry script in code (OpenAI's pattern names belong to the
    OpenAI encodings; pattern *kinds* such as "akshara" are not names; prose may show text)."""
    kinds = {"core", "words", "phrases", "akshara"}
    names = (set(LANGUAGES) | set(RECIPES) | {n for n, p in PATTERNS.items() if p.spec.family != "gpt"}) - kinds
    found = []
    files = sorted([*(ROOT / "tokenizer").glob("*.py"), *(ROOT / "space").rglob("*.py"), ROOT / "app.py"])
    for path in files:
        rel = path.relative_to(ROOT).as_posix()
        if rel == "tokenizer/registry.py":
            continue
        for line, value in _string_constants(path):
            if value in names:
                found.append(f"{rel}:{line}: {value!r}")
            elif rel not in PROSE and _SCRIPT_CHAR.search(value):
                found.append(f"{rel}:{line}: {value[:30]!r}")
    assert found == []


def test_the_scan_finds_what_it_looks_for(tmp_path):
    """The scan above can fail: it finds a code, a pattern name and a script character."""
    bad = tmp_path / "bad.py"
    bad.write_text('"""docstring: hi, indic-phrases, हिन्दी are fine here"""\nA = "hi"\nB = ("brahmic-words", "ँ")\n',
                   encoding="utf-8")  # fmt: skip
    got = [v for _, v in _string_constants(bad)]
    assert got == ["hi", "brahmic-words", "ँ"]
    assert _SCRIPT_CHAR.search("ँ") and not _SCRIPT_CHAR.search("docstring")
