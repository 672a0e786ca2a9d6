"""The README headline table and docs/languages.md are generated from models/*.metrics.json and must agree with them."""

import json

import pytest

import tokenizer
from tokenizer.metrics import evaluate
from tokenizer.model_file import checksum
from tokenizer.registry import CODES, LANGUAGES
from tokenizer.report import (
    END,
    HF_BPE,
    START,
    docs_text,
    language_table,
    load_metrics,
    metrics_table,
    readme_section,
    replace_section,
)

from .conftest import ROOT, held_out


def test_readme_table_matches_metrics_files():
    metrics = load_metrics(ROOT / "models")
    assert list(metrics) == list(CODES)  # every language of the registry, in its order
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_section(readme) == metrics_table(metrics), "run: python -m tokenizer build (or update_readme)"


def test_docs_match_metrics_files():
    docs = (ROOT / "docs" / "languages.md").read_text(encoding="utf-8")
    assert docs == docs_text(load_metrics(ROOT / "models")), "run: python -m tokenizer build (or update_docs)"


@pytest.mark.parametrize("lang", CODES)
def test_shipped_models_match_their_metrics(lang):
    """The committed model is the one the metrics describe: measured again on its held-out splits it
    gives every committed figure exactly, above the assignment's floor, and it respects the cap."""
    tok = tokenizer.load(ROOT / "models" / LANGUAGES[lang].model)
    m = json.loads((ROOT / "models" / f"{lang}.metrics.json").read_text(encoding="utf-8"))
    assert m["checksum"] == checksum(tok) and tok.vocab_size == m["vocab_size"] <= 5000
    assert m["recipe"] == LANGUAGES[lang].recipe and m["pattern"] == tok.pattern.name
    valid, test = (evaluate(tok, held_out(lang, split)) for split in ("valid", "test"))
    assert {key: m[key] for key in valid.as_dict()} == valid.as_dict() and m["test"] == test.as_dict()
    assert valid.bytes_per_token >= 3.2 and test.bytes_per_token >= 3.2  # the assignment's floor
    assert m["curve"][-1] == [tok.vocab_size, valid.bytes_per_token]
    assert m["baselines"][HF_BPE]["vocab_size"] == m["vocab_size"]
    assert (ROOT / "models" / f"{lang}.vocab").exists()


def test_tables_show_the_numbers_of_the_files():
    m = {
        "recipe": "r", "vocab_size": 5000, "bytes_per_token": 9.123, "chars_per_token": 3.5, "tokens_per_word": 1.25,
        "mid_akshara_rate": 0.0456, "test": {"vocab_size": 5000, "bytes_per_token": 9.5, "chars_per_token": 3.6,
        "tokens_per_word": 1.2, "mid_akshara_rate": 0.05}, "ratio_to_hf_bpe": {"valid": 1.1, "test": 1.0567},
        "baselines": {"GPT-4o": {"vocab_size": 200019, "bytes_per_token": 7.0, "chars_per_token": 2.5,
        "tokens_per_word": 2.0, "mid_akshara_rate": 0.2}},
    }  # fmt: skip
    row = metrics_table({"ta": m}).splitlines()[2]
    assert row == "| Tamil | Tamil | 5,000 | 9.12 | 9.50 | 1.057x | 3.50 | 1.25 | 4.6% | - | 7.00 |"
    assert metrics_table({"or": m}).splitlines()[2].startswith("| Odia | Odia |")
    full = language_table("as", m).splitlines()
    assert full[2] == "| Assamese | **ours** (r) | valid | 5,000 | 9.12 | 3.50 | 1.25 | 4.6% |"
    assert full[3] == "| Assamese | **ours** (r) | test | 5,000 | 9.50 | 3.60 | 1.20 | 5.0% |"
    assert full[4] == "| Assamese | GPT-4o | valid | 200,019 | 7.00 | 2.50 | 2.00 | 20.0% |"


def test_replace_section():
    text = f"a\n{START}\nold\n{END}\nb"
    assert replace_section(text, "new") == f"a\n{START}\nnew\n{END}\nb"
    with pytest.raises(ValueError, match="no <!-- metrics:start -->"):
        replace_section("no markers", "x")
