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
    LLM_END,
    LLM_START,
    START,
    docs_text,
    language_table,
    load_metrics,
    metrics_table,
    readme_section,
    replace_section,
    split_llm,
    update_docs,
)

from .conftest import ROOT, held_out


def test_readme_table_matches_metrics_files():
    metrics = load_metrics(ROOT / "models")
    assert list(metrics) == list(CODES)  # every language of the registry, in its order
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_section(readme) == metrics_table(metrics), "run: python -m tokenizer build (or update_readme)"


def test_docs_match_metrics_files():
    """Everything above the open-LLM section (bench.llm_compare's, kept by build) is generated."""
    generated, llm = split_llm((ROOT / "docs" / "languages.md").read_text(encoding="utf-8"))
    assert generated == docs_text(load_metrics(ROOT / "models")), "run: python -m tokenizer build"
    assert llm.startswith(LLM_START) and llm.endswith(LLM_END) and "| **ours** |" in llm


def test_update_docs_keeps_the_llm_section(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    for lang in ("hi", "ta"):
        (models / f"{lang}.metrics.json").write_text((ROOT / "models" / f"{lang}.metrics.json").read_text("utf-8"), "utf-8")
    path = tmp_path / "languages.md"
    path.write_text(f"stale\n\n{LLM_START}\nllm tables\n{LLM_END}\n", encoding="utf-8")
    assert update_docs(path, models)
    assert path.read_text("utf-8") == docs_text(load_metrics(models)) + f"\n{LLM_START}\nllm tables\n{LLM_END}\n"
    assert not update_docs(path, models)  # a second build changes nothing


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
        "tokens_per_word": 1.2, "mid_akshara_rate": 0.05}, "ratio_to_hf_bpe": {"valid": 1.1, "test": 1.0567, "ood": 1.0712},
        "ood": {"vocab_size": 5000, "bytes_per_token": 8.25, "chars_per_token": 3.0, "tokens_per_word": 1.5,
        "mid_akshara_rate": 0.06}, "release": 2, "baselines": {"GPT-4o": {"vocab_size": 200019,
        "bytes_per_token": 7.0, "chars_per_token": 2.5, "tokens_per_word": 2.0, "mid_akshara_rate": 0.2}},
    }  # fmt: skip
    row = metrics_table({"ta": m}).splitlines()[2]
    assert row == "| Tamil | Tamil | 2 | 9.50 | 1.057x | 8.25 | 1.071x | 3.60 | 1.20 | 5.0% | - | 7.00 |"
    assert metrics_table({"or": m}).splitlines()[2].startswith("| Odia | Odia |")
    first = {key: value for key, value in m.items() if key not in ("ood", "release")}
    assert metrics_table({"ta": first}).splitlines()[2].startswith("| Tamil | Tamil | 1 | 9.50 | 1.057x | - | 1.071x |")
    full = language_table("as", m).splitlines()
    assert full[2] == "| Assamese | **ours** (r) | valid | 5,000 | 9.12 | 3.50 | 1.25 | 4.6% |"
    assert full[3] == "| Assamese | **ours** (r) | test | 5,000 | 9.50 | 3.60 | 1.20 | 5.0% |"
    assert full[4] == "| Assamese | **ours** (r) | ood | 5,000 | 8.25 | 3.00 | 1.50 | 6.0% |"
    assert full[5] == "| Assamese | GPT-4o | valid | 200,019 | 7.00 | 2.50 | 2.00 | 20.0% |"


def test_replace_section():
    text = f"a\n{START}\nold\n{END}\nb"
    assert replace_section(text, "new") == f"a\n{START}\nnew\n{END}\nb"
    with pytest.raises(ValueError, match="no <!-- metrics:start -->"):
        replace_section("no markers", "x")
