"""The benchmarks still run: every script's --help, and each one's smallest part (a tiny run, its
tables, parsers or generators), in a few seconds, writing results only into a temporary folder.
Also: the committed results in bench/results/ are named by a doc and hold no machine paths."""

from __future__ import annotations

import importlib
import json
import subprocess
import sys

import pytest
from hypothesis import settings

import tokenizer
from bench import baselines, common, encode_speed, linear_time, load_space, scale, variants, wikiextractor
from tokenizer.metrics import Metrics
from tokenizer.openai import TIKTOKEN_DIR_ENV
from tokenizer.registry import Recipe, Stage

from .conftest import ROOT, corpus_lines

SCRIPTS = sorted(p.stem for p in (ROOT / "bench").glob("*.py") if p.stem not in ("__init__", "common"))


@pytest.fixture(autouse=True)
def results_in_tmp(tmp_path, monkeypatch):
    """Results go to a temporary folder; the offline GPT setting a script makes is undone after it."""
    monkeypatch.setattr(common, "RESULTS_DIR", tmp_path / "results")
    monkeypatch.delenv(TIKTOKEN_DIR_ENV, raising=False)
    return tmp_path / "results"


@pytest.mark.parametrize("name", SCRIPTS)
def test_every_benchmark_has_help(name, monkeypatch, capsys):
    module = importlib.import_module(f"bench.{name}")
    monkeypatch.setattr(sys, "argv", [str(ROOT / "bench" / f"{name}.py"), "--help"])
    with pytest.raises(SystemExit) as exit_:
        module.main()
    assert exit_.value.code == 0 and "usage:" in capsys.readouterr().out


def test_fuzz_runs_a_few_examples(results_in_tmp, monkeypatch):
    from bench import fuzz

    argv = [str(ROOT / "bench" / "fuzz.py"), "--examples", "10", "--only", "presplit", "roundtrip-kn"]
    monkeypatch.setattr(sys, "argv", argv)
    profile = settings._current_profile  # the script loads its own profile: the suite's is put back
    try:
        fuzz.main()
    finally:
        settings.load_profile(profile)
    assert settings.default.max_examples == settings.get_profile(profile).max_examples
    got = json.loads((results_in_tmp / "fuzz_presplit_roundtrip-kn.json").read_text(encoding="utf-8"))
    assert [(p["property"], p["examples"], p["failures"]) for p in got["properties"]] == [
        ("roundtrip-kn", 10, 0), ("presplit", 10, 0)
    ]  # fmt: skip
    assert got["environment"]["command"] == "python -m bench.fuzz --examples 10 --only presplit roundtrip-kn"


def test_results_record_a_command_without_machine_paths(results_in_tmp, tmp_path):
    argv = [str(ROOT / "bench" / "scale.py"), "--file", str(tmp_path / "ml-wiki.txt"), "--keep", str(ROOT / "x")]
    assert common.command(argv) == "python -m bench.scale --file ml-wiki.txt --keep x"
    assert common.command([str(ROOT / "bench" / "variants.py"), "--only", "ties: largest pair"]) == (
        "python -m bench.variants --only 'ties: largest pair'"
    )
    path = common.write_results("smoke", {"rows": [1]})
    assert path == results_in_tmp / "smoke.json" and json.loads(path.read_text())["rows"] == [1]


def test_print_table_aligns_columns(capsys):
    common.print_table([{"lang": "hi", "MB/s": 6.28, "n": 3}, {"lang": "kn", "MB/s": 10.5, "n": None}], ["lang", "MB/s", "n"])
    assert capsys.readouterr().out.splitlines() == [
        "lang   MB/s  n",
        "----  -----  -",
        "hi     6.28  3",
        "kn    10.50  -",
    ]


def test_variants_ties_go_to_the_largest_pair():
    """The `ties: largest pair` variant: among equal counts the largest (left, right) pair wins."""
    one_stage = Recipe("one stage", "", (Stage("gpt2", 1.0),), False, "")
    with variants.tie_break("largest"):
        assert tokenizer.train(["cd", "ab"], 258, recipe=one_stage, quiet=True).merges == {(ord("c"), ord("d")): 256}
    assert tokenizer.train(["cd", "ab"], 258, recipe=one_stage, quiet=True).merges == {(ord("a"), ord("b")): 256}
    lines = corpus_lines("kn", 60)
    with variants.tie_break("largest"):
        largest = tokenizer.train(lines, 600, recipe=variants.variant_named("ties: largest pair").recipe, quiet=True)
    smallest = tokenizer.train(lines, 600, recipe=variants.variant_named("curriculum").recipe, quiet=True)
    assert largest.vocab_size == smallest.vocab_size == 600 and largest.merges != smallest.merges


def test_variants_tables():
    assert variants.variant_named("words->phrases").name == "words→phrases"
    with pytest.raises(SystemExit, match="unknown variant 'nope'"):
        variants.variant_named("nope")
    rows = []
    for name, kind, bpt in (("bpe", "variant", 8.0), ("curriculum", "variant", 8.8), ("HF", "baseline", 8.1)):
        for split in common.SPLITS:
            m = Metrics(5000, 1, 10, int(bpt * 10), 40, 5, bpt, 4.0, 2.0, 9, 1, 0.1111)
            rows.append(variants.metrics_row("hi", split, name, m, 1.25, kind) | {"changes": f"{name} changes"})
    best = {split: rows[4 + i] for i, split in enumerate(common.SPLITS)}
    lines = variants.summary("hi", rows, best)
    assert [(s["variant"], s["÷ best baseline (valid)"]) for s in lines] == [("bpe", 0.9877), ("curriculum", 1.0864),
                                                                             ("HF", 1.0)]  # fmt: skip
    table = variants.markdown(lines).splitlines()
    assert table[0].startswith("| variant | what it changes | valid bytes/token |") and len(table) == 5
    assert table[3] == "| curriculum | curriculum changes | 8.800 | 8.800 | 4.000 | 2.000 | 0.1111 | 1.2 | 1.0864 | 1.0864 |"
    assert table[4].startswith("| *HF* |")


def test_baselines_count_lines_that_do_not_round_trip(monkeypatch):
    monkeypatch.setattr(common, "held_out", lambda lang, split: ("नमस्ते दुनिया", "abc"))
    exact = baselines.Candidate("exact", 300, lambda s: [s.encode()[:3], s.encode()[3:]])
    lossy = baselines.Candidate("lossy", 300, lambda s: [s.encode()[:-1]])
    assert baselines.evaluate(exact, "hi", "valid")["lines not round-tripping"] == 0
    row = baselines.evaluate(lossy, "hi", "valid")
    assert row["lines not round-tripping"] == 2 and row["example_not_round_tripping"] == "नमस्ते दुनिया"
    assert row["metrics"]["tokens"] == 2 and row["bytes/token"] == round((len("नमस्ते दुनिया".encode()) + 3) / 2, 4)


def test_encode_speed_compares_with_the_reference(hi_small):
    lines = corpus_lines("hi", 20)
    got = encode_speed.bench({"ours": encode_speed.ours(hi_small), "reference": encode_speed.reference(hi_small)},
                             lines, 1, 0.0)  # fmt: skip
    assert set(got) == {"ours", "reference"} and all(passes >= 1 for _, passes, _ in got.values())
    assert encode_speed.differing_lines(got["ours"][0], got["reference"][0]) == 0
    assert encode_speed.differing_lines([[1], [2]], [[1], [3], [4]]) == 2  # one differs, one is missing


def test_linear_time_measures_every_input(hi_small):
    rows = linear_time.time_part(hi_small, [2_000, 4_000], 1, "\n".join(corpus_lines("hi", 30)))
    assert {r["input"] for r in rows} == set(linear_time.inputs(10, "x")) and len(rows) == 12
    doubled = [r for r in rows if r["bytes"] > 3_000]
    assert all("compiled_ratio" in r and "split_ratio" in r for r in doubled)


def test_scale_generates_text_and_measures_growth(tmp_path):
    chain = scale.MarkovChain(corpus_lines("hi", 200))
    path = tmp_path / "gen.txt"
    size = scale.write_corpus(chain, path, 0.05, seed=0)
    assert 50_000 <= size < 60_000
    again = tmp_path / "again.txt"
    scale.write_corpus(chain, again, 0.05, seed=0)
    assert again.read_bytes() == path.read_bytes()  # deterministic for a seed
    words = set(" ".join(corpus_lines("hi", 200)).split(" "))
    assert set(path.read_text(encoding="utf-8").split()) <= words
    stats = scale.phrase_stats(path.read_text(encoding="utf-8").splitlines())
    assert 0 < stats["distinct / all"] <= 1 and stats["distinct"] <= stats["phrase chunks"]
    rows = [{"MB": 64, "trainer": "ours", "peak RSS MB": 100}, {"MB": 256, "trainer": "ours", "peak RSS MB": 400}]
    assert scale.growth(rows, "ours", "peak RSS MB") == 2.0 and scale.growth(rows[:1], "ours", "peak RSS MB") is None


def test_load_space_reads_each_views_errors():
    assert load_space._error_of("tokenize", ["", "", "", {"error": "bad"}]) == "bad"
    assert load_space._error_of("compare", ["", {"error": "x"}]) == "x"
    assert load_space._error_of("decode", ["", "", "<p class='itok-error'>no</p>"]) == "<p class='itok-error'>no</p>"
    assert load_space._error_of("decode", ["", "", "fine"]) is None
    assert load_space._loopback("http://127.0.0.1:7860") and not load_space._loopback("http://example.com")
    mix = load_space.build_mix(0)
    assert sum(w for w, _ in mix) == 93 and all(make().api for _, make in mix)


def test_wikiextractor_converts_a_dump(tmp_path):
    repo = tmp_path / "repo"
    (repo / "text" / "AA").mkdir(parents=True)
    (repo / "text" / "AA" / "wiki_00").write_text(
        '<doc id="1" title="A">\nA\n\nFirst paragraph.\nSecond.\n</doc>\n<doc id="2" title="B">\nB\nOnly.\n</doc>\n',
        encoding="utf-8",
    )
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-qm", "dump"], check=True)
    out = tmp_path / "out.txt"
    articles, size = wikiextractor.convert(str(repo / ".git"), "text", out)
    assert articles == 2 and out.read_text(encoding="utf-8") == "First paragraph.\nSecond.\n\nOnly.\n\n"
    assert size == out.stat().st_size


# ----- the committed results ---------------------------------------------------------------------------
RESULTS = sorted((ROOT / "bench" / "results").glob("*.json"))
DOCS = "\n".join(p.read_text(encoding="utf-8") for p in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))])


@pytest.mark.parametrize("path", RESULTS, ids=lambda p: p.name)
def test_committed_results_are_named_by_a_doc_and_hold_no_machine_path(path):
    assert path.name in DOCS, f"no doc names {path.name}: regenerate it where a doc uses it, or remove it"
    text = path.read_text(encoding="utf-8")
    for machine in ("/work/", "/home/", "/tmp/", "/root/", "/Users/"):
        assert machine not in text, f"{path.name} holds the machine path {machine}"
    assert json.loads(text)["environment"]["command"].startswith("python -m bench.")


def test_llm_compare_measures_the_published_lines_where_a_language_has_them():
    """The open-LLM tables have a *published* column for the languages whose OOD set has lines NFC
    changes (their published form: what users paste), and none for the others."""
    import unicodedata

    from bench import llm_compare

    sets = llm_compare.held_out("pa")
    assert list(sets) == ["valid", "test", "ood", "published"]
    assert all(unicodedata.normalize("NFC", line) != line for line in sets["published"])
    assert {unicodedata.normalize("NFC", line) for line in sets["published"]} <= set(sets["ood"])
    assert "published" not in llm_compare.held_out("kn")

    def rows(lang: str, set_names: tuple[str, ...]) -> list[dict]:
        return [{"lang": lang, "tokenizer": name, "set": s, "bytes_per_token": 9.0, "tokens_per_word": 1.5,
                 "mid_akshara_rate": 0.05} for name in ("ours", *llm_compare.LLMS) for s in set_names]  # fmt: skip

    tables = llm_compare.language_tables(rows("pa", llm_compare.SETS) + rows("kn", ("valid", "test", "ood")))
    kannada, punjabi = tables.split("### Kannada")[1].split("### Punjabi")  # the registry's order
    assert "| tokenizer | valid | test | ood | published |" in punjabi
    assert "| tokenizer | valid | test | ood |\n" in kannada
