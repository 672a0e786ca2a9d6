"""The README metrics table is generated from models/*.metrics.json and must agree with them."""

import json

import pytest

import tokenizer
from tokenizer.report import END, START, load_metrics, metrics_table, readme_section, replace_section

from .conftest import ROOT


def test_readme_table_matches_metrics_files():
    metrics = load_metrics(ROOT / "models")
    assert set(metrics) == {"hi", "kn"}
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_section(readme) == metrics_table(metrics), "run: python -m tokenizer build (or update_readme)"


@pytest.mark.parametrize("lang", ["hi", "kn"])
def test_shipped_models_match_their_metrics(lang):
    """The committed model is the one the metrics describe, and it respects the cap."""
    tok = tokenizer.load(ROOT / "models" / f"{lang}.model")
    m = json.loads((ROOT / "models" / f"{lang}.metrics.json").read_text(encoding="utf-8"))
    assert tok.vocab_size == m["vocab_size"] <= 5000
    assert m["bytes_per_token"] >= 3.2  # the assignment's floor
    assert (ROOT / "models" / f"{lang}.vocab").exists()


def test_replace_section():
    text = f"a\n{START}\nold\n{END}\nb"
    assert replace_section(text, "new") == f"a\n{START}\nnew\n{END}\nb"
    with pytest.raises(ValueError, match="no <!-- metrics:start -->"):
        replace_section("no markers", "x")
