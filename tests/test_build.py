"""`python -m tokenizer build`, the main job, on a small slice: the model, its metrics JSON, the
README table and docs/languages.md it writes must agree with each other and with a fresh measurement."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tokenizer
from tokenizer import cli
from tokenizer.build import build, core_pattern
from tokenizer.corpus import load_corpus
from tokenizer.model_file import models_dir
from tokenizer.registry import LANGUAGES
from tokenizer.metrics import evaluate
from tokenizer.report import END, HF_BPE, START, docs_text, load_metrics, metrics_table, readme_section, split_llm

from .conftest import ROOT


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """Tamil (brahmic family) and Kannada (frozen indic family), 600 ids on 300 training lines."""
    out = tmp_path_factory.mktemp("build")
    readme = out / "README.md"
    readme.write_text(f"# title\n\n{START}\nstale\n{END}\n\nafter\n", encoding="utf-8")
    results = build(
        ["ta", "kn"],
        out,
        readme,
        out / "languages.md",
        vocab_size=600,
        max_train_lines=300,
        curve_every=100,
        quiet=True,
    )
    return out, results


def test_build_writes_model_and_metrics_that_agree(built):
    out, results = built
    for lang, result in results.items():
        language = LANGUAGES[lang]
        tok = tokenizer.load(out / language.model)
        assert (out / f"{lang}.vocab").is_file()
        m = json.loads((out / f"{lang}.metrics.json").read_text(encoding="utf-8"))
        assert m == json.loads(json.dumps(result, ensure_ascii=False))
        assert m["recipe"] == language.recipe and tok.vocab_size == m["vocab_size"] <= 600
        corpus = load_corpus(lang)
        fresh = evaluate(tok, corpus.held_out_lines("valid"))
        assert fresh.bytes_per_token == m["bytes_per_token"] and fresh.tokens == m["tokens"]
        assert evaluate(tok, corpus.held_out_lines("test")).tokens == m["test"]["tokens"]
        assert m["curve"][-1] == [tok.vocab_size, m["bytes_per_token"]]
        hf = m["baselines"][HF_BPE]
        assert hf["pattern"] == core_pattern(language.recipe).name and hf["vocab_size"] <= 600
        assert m["ratio_to_hf_bpe"]["valid"] == round(m["bytes_per_token"] / hf["bytes_per_token"], 4)
        assert m["ratio_to_hf_bpe"]["test"] == round(m["test"]["bytes_per_token"] / hf["test"]["bytes_per_token"], 4)
        assert "first 300 training lines" in m["data"] and m["source"] == language.describe_sources() in m["data"]


def test_build_patterns_follow_the_recipe(built):
    out, _ = built
    assert tokenizer.load(out / "ta.model").pattern.name == "brahmic-phrases"
    assert tokenizer.load(out / "kn.model").pattern.name == "indic-phrases"
    assert core_pattern("brahmic-curriculum").name == "brahmic" and core_pattern("curriculum").name == "indic"


def test_build_regenerates_readme_and_docs(built):
    out, _ = built
    metrics = load_metrics(out)
    assert list(metrics) == ["kn", "ta"]  # registry order, whatever order they were built in
    readme = (out / "README.md").read_text(encoding="utf-8")
    assert readme_section(readme) == metrics_table(metrics)
    assert readme.startswith("# title\n") and readme.endswith("\nafter\n") and "stale" not in readme
    table = readme_section(readme).splitlines()
    assert [row.split(" | ")[0] for row in table[2:]] == ["| Kannada", "| Tamil"]
    ta = metrics["ta"]
    cells = f"| {ta['test']['bytes_per_token']:.2f} | {ta['ratio_to_hf_bpe']['test']:.3f}x |"
    assert cells in table[3]
    docs = (out / "languages.md").read_text(encoding="utf-8")
    assert docs == docs_text(metrics)
    assert "## Tamil (`ta`)" in docs and "| Tamil | HF BpeTrainer (`brahmic`) | test |" in docs


def test_cli_build_without_arguments_rebuilds_the_shipped_files(monkeypatch, capsys):
    """`python -m tokenizer build` from the repository root builds every language that ships a model,
    into the shipped models' folder, and regenerates the README and docs tables that the shipped
    metrics generate (the call to build() is recorded, not run)."""
    calls = []
    monkeypatch.setattr(cli, "build", lambda *args, **kwargs: calls.append(args) or {})
    monkeypatch.chdir(ROOT)
    assert cli.main(["build", "--quiet"]) == 0
    (langs, models, readme, docs), = calls
    assert langs == tokenizer.available() and Path(models).resolve() == models_dir()
    metrics = load_metrics(models)
    assert readme_section(Path(readme).read_text(encoding="utf-8")) == metrics_table(metrics)
    assert split_llm(Path(docs).read_text(encoding="utf-8"))[0] == docs_text(metrics)
    assert cli.main(["build", "--lang", "or", "ml", "--quiet"]) == 0 and calls[-1][0] == ["or", "ml"]
    with pytest.raises(SystemExit):
        cli.build_parser().parse_args(["build", "--lang", "xx"])
    assert "invalid choice: 'xx'" in capsys.readouterr().err
