"""Parallel chunk counting equals count_chunks, also on the streamed (Wikipedia-shaped parquet) path;
budgeted stages count exactly the deterministic sample the budget allows, whatever the workers."""

from __future__ import annotations

import multiprocessing
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import tokenizer
from tokenizer import processes
from tokenizer.corpus import load_corpus, stream_rows
from tokenizer.count import (
    Job,
    LevelCounts,
    count_chunks_parallel,
    count_items,
    count_stages,
    level,
)
from tokenizer.errors import TrainingError
from tokenizer.pretokenize import get_pattern
from tokenizer import registry
from tokenizer.registry import Budget
from tokenizer.train import count_by_engine, count_chunks

from .conftest import corpus_lines
from .strategies import mixed_text
from .test_hf import random_texts

WIKIPEDIA_COLUMNS = ["id", "url", "title", "text"]


def write_wikipedia_parquet(path: Path, lines: list[str], lines_per_doc: int = 20, row_group_size: int = 50) -> Path:
    """A parquet file shaped like wikimedia/wikipedia: id, url, title, text (one article per row)."""
    docs = ["\n".join(lines[k : k + lines_per_doc]) for k in range(0, len(lines), lines_per_doc)]
    table = pa.table(
        {
            "id": [str(1000 + i) for i in range(len(docs))],
            "url": [f"https://hi.wikipedia.org/wiki?curid={1000 + i}" for i in range(len(docs))],
            "title": [doc.split("\n", 1)[0][:40] for doc in docs],
            "text": docs,
        }
    )
    pq.write_table(table, path, row_group_size=row_group_size)
    return path


@pytest.fixture(scope="module")
def hi_texts() -> list[str]:
    return corpus_lines("hi", 600) + random_texts(300, seed=11)


@pytest.mark.parametrize("pattern", ["indic", "gpt4"])
def test_parallel_equals_serial(hi_texts, pattern):
    expected = count_chunks(hi_texts, pattern)
    got = count_chunks_parallel(iter(hi_texts), pattern, workers=2, batch_size=20_000, quiet=True)
    assert got == expected
    assert count_chunks_parallel(hi_texts, pattern, workers=1, batch_size=7, quiet=True) == expected


def test_small_batches_and_one_in_flight(hi_texts):
    expected = count_chunks(hi_texts)
    assert count_chunks_parallel(hi_texts, workers=2, batch_size=1, in_flight=1, quiet=True) == expected


def test_empty_and_bad_arguments():
    assert count_chunks_parallel([], workers=2, quiet=True) == {}
    assert count_chunks_parallel(["", ""], workers=2, quiet=True) == {}
    with pytest.raises(ValueError, match="workers"):
        count_chunks_parallel(["a"], workers=0)
    with pytest.raises(ValueError, match="batch_size"):
        count_chunks_parallel(["a"], batch_size=0)


def test_forkserver_path(hi_texts, monkeypatch):
    """When other threads run (datasets streaming), workers come from a forkserver; same counts."""
    monkeypatch.setattr(processes, "mp_context", lambda: multiprocessing.get_context("forkserver"))
    assert count_chunks_parallel(hi_texts, workers=2, batch_size=50_000, quiet=True) == count_chunks(hi_texts)


def test_reader_errors_propagate(hi_texts):
    def broken():
        yield from hi_texts[:100]
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        count_chunks_parallel(broken(), workers=2, batch_size=1000, quiet=True)


def test_progress_bar_counts_megabytes(hi_texts, capsys):
    count_chunks_parallel(hi_texts, workers=2, batch_size=50_000, quiet=False)
    err = capsys.readouterr().err
    assert "counting chunks" in err and "B" in err


def test_streamed_wikipedia_shaped_parquet(tmp_path):
    """The Wikipedia code path (datasets streaming -> stream_rows -> Corpus) on a local parquet."""
    datasets = pytest.importorskip("datasets")
    lines = corpus_lines("hi", 800)
    path = write_wikipedia_parquet(tmp_path / "train-00000-of-00001.parquet", lines, lines_per_doc=20)
    docs = ["\n".join(lines[k : k + 20]) for k in range(0, len(lines), 20)]

    def stream():
        rows = datasets.load_dataset("parquet", data_files=str(path), split="train", streaming=True)
        return (doc.text for doc in stream_rows(rows, source="wiki-shaped"))

    rows = datasets.load_dataset("parquet", data_files=str(path), split="train", streaming=True)
    assert sorted(next(iter(rows))) == sorted(WIKIPEDIA_COLUMNS)
    expected = count_chunks(docs)
    assert count_chunks_parallel(stream(), workers=2, batch_size=100_000, quiet=True) == expected
    assert count_chunks(stream()) == expected

    corpus = load_corpus(None, [str(path)])  # the reader --source wikipedia uses, on a local file
    serial = count_chunks(corpus.train_texts())
    assert serial and count_chunks_parallel(corpus.train_texts(), workers=2, quiet=True) == serial


def test_train_with_workers_gives_the_same_merges():
    lines = corpus_lines("kn", 400)
    one = tokenizer.train(lines, 600, quiet=True)
    two = tokenizer.train(iter(lines), 600, quiet=True, workers=2)
    assert one.merges == two.merges and one.special_tokens == two.special_tokens


def test_cli_train_workers(tmp_path, capsys):
    from tokenizer.cli import main

    src = tmp_path / "in.txt"
    src.write_text("\n".join(corpus_lines("hi", 300)) + "\n", encoding="utf-8")
    args = ["train", "--input", str(src), "--vocab-size", "400", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "a.model"), "--workers", "2"]) == 0
    assert main(args + ["--out", str(tmp_path / "b.model")]) == 0
    assert tokenizer.load(tmp_path / "a.model").merges == tokenizer.load(tmp_path / "b.model").merges
    assert main(args + ["--out", str(tmp_path / "c.model"), "--workers", "0"]) == 1
    assert "--workers must be at least 1" in capsys.readouterr().err


# ----- bounded counting: budgets and sampling levels -------------------------------------------
STAGES = ["akshara", "indic-words", "indic-phrases"]


def brute_force_sample(texts: list[str], pattern: str, budget: Budget) -> tuple[Counter, int]:
    """The counts a budget must give, computed the slow, obvious way: the smallest level l whose lines
    (level >= l) fit the budget, then count_chunks on exactly those lines."""
    findall = get_pattern(pattern).compiled.findall
    by_level: dict[int, list[str]] = {}
    for t in texts:
        by_level.setdefault(level(t.encode("utf-8")), []).append(t)

    def size(lvl: int) -> int:
        if budget.of == "text":
            return sum(len(t) for t in by_level[lvl])
        return sum(len(c) for c in set(ch for t in by_level[lvl] for ch in findall(t)))

    lowest = 0
    while sum(size(k) for k in by_level if k >= lowest) > budget.chars:
        lowest += 1
    return count_chunks([t for t in texts if level(t.encode("utf-8")) >= lowest], pattern), lowest


def test_levels_halve():
    levels = [level(f"line {i}".encode()) for i in range(20_000)]
    for lvl in (1, 2, 3):
        share = sum(v >= lvl for v in levels) / len(levels)
        assert abs(share - 2**-lvl) < 0.15 * 2**-lvl
    # known answers: a keyed blake2b of the bytes, so the same level in every process and on every machine
    assert [level(f"line {i}".encode()) for i in (0, 2, 11, 20, 9, 37, 2377)] == [0, 1, 2, 3, 4, 5, 10]
    assert level("नमस्ते".encode()) == 1 and level(b"") == 2


@pytest.mark.parametrize("budget", [Budget(30_000), Budget(5_000), Budget(60_000, "text"), Budget(1, "text")])
def test_budget_gives_the_brute_force_sample(hi_texts, budget):
    expected, lowest = brute_force_sample(hi_texts, "indic-phrases", budget)
    got = count_stages(hi_texts, ["indic-phrases"], 1, 5_000, budgets=[budget], quiet=True)[0]
    assert lowest > 0  # the budget was reached
    assert got == expected and got.sample_level == lowest
    # the same sample whatever the workers, batches and order of the lines
    again = count_stages(list(reversed(hi_texts)), ["indic-phrases"], 2, 20_000, budgets=[budget], quiet=True)[0]
    assert again == expected and again.sample_level == lowest


def test_default_budgets_are_not_reached_by_the_embedded_corpus_sized_text(hi_texts, monkeypatch):
    got = count_stages(hi_texts, STAGES, workers=1, quiet=True)
    assert got == [count_chunks(hi_texts, p) for p in STAGES]
    assert [c.sample_level for c in got if hasattr(c, "sample_level")] == [0, 0, 0]  # every stage has a budget; none is reached
    # the default budget of a stage is its pattern kind's in the registry: a small phrase budget samples
    # the phrase stage only, as the brute force says
    monkeypatch.setitem(registry.BUDGETS, "phrases", Budget(5_000))
    small = count_stages(hi_texts, STAGES, workers=1, quiet=True)
    expected, lowest = brute_force_sample(hi_texts, "indic-phrases", Budget(5_000))
    assert small[:2] == got[:2] and small[2] == expected and [c.sample_level for c in small] == [0, 0, lowest] != [0, 0, 0]


@settings(max_examples=40, deadline=None)
@given(
    texts=st.lists(mixed_text(max_size=12).filter(bool), max_size=60),
    cuts=st.lists(st.integers(0, 60), max_size=5),
    chars=st.integers(1, 300),
    of=st.sampled_from(["distinct", "text"]),
)
@example(texts=["ं", "ं", "ंं.ंंंंंं"], cuts=[1], chars=9, of="distinct")  # levels 2, 2, 4: merged pieces lost level 4
def test_level_counts_merge_in_any_order(texts, cuts, chars, of):
    """Counting pieces separately and merging them, in either order, gives the one-shot result."""
    budget = Budget(chars, of)
    job = Job((get_pattern("indic-phrases").regex,), (budget,), (0,))
    whole = count_items(job, texts)[0][0].total()
    bounds = sorted({0, len(texts), *(min(c, len(texts)) for c in cuts)})
    pieces = [count_items(job, texts[a:b])[0][0] for a, b in zip(bounds, bounds[1:])]
    for order in (pieces, pieces[::-1]):
        total = LevelCounts(budget)
        for piece in order:
            copy = LevelCounts(budget, piece.min_level)
            copy.levels = {k: Counter(v) for k, v in piece.levels.items()}
            copy.sizes = dict(piece.sizes)
            total.merge(copy)
        result = total.total()
        assert result == whole and result.sample_level == whole.sample_level


def test_corpus_source_cleans_in_the_workers(tmp_path):
    """A Corpus is split and cleaned in the workers: the same counts as counting its train_texts()."""
    lines = corpus_lines("hi", 200) + ["", "   १२३  ", "== सन्दर्भ ==", "text"]
    src = tmp_path / "in.txt"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    corpus = load_corpus(None, [str(src)], seed=3)
    expected = count_stages(corpus.train_texts(), STAGES, workers=1, quiet=True)
    assert count_stages(corpus, STAGES, workers=1, batch_size=3_000, quiet=True) == expected
    assert count_stages(corpus, STAGES, workers=2, batch_size=30_000, quiet=True) == expected


def test_bad_budgets_and_engines(hi_texts):
    with pytest.raises(ValueError, match="budgets for"):
        count_stages(hi_texts, STAGES, budgets=[None])
    with pytest.raises(ValueError, match="at least 1 character"):
        count_stages(hi_texts, ["indic"], budgets=[Budget(0)])
    with pytest.raises(TrainingError, match="unknown counting engine"):
        count_by_engine(hi_texts, ["indic"], engine="ray")
    with pytest.raises(TrainingError, match="needs engine='dask'"):
        count_by_engine(hi_texts, ["indic"], scheduler="tcp://127.0.0.1:8786")


def test_sampling_is_reported_unless_quiet(hi_texts, capsys):
    count_stages(hi_texts, ["indic-phrases"], 1, budgets=[Budget(5_000)], quiet=False)
    assert "indic-phrases:" in capsys.readouterr().err.replace("\r", "\n")
    count_stages(hi_texts, ["indic-phrases"], 1, budgets=[Budget(5_000)], quiet=True)
    assert capsys.readouterr().err == ""


def test_url_inputs_are_checked_before_reading(tmp_path):
    """fsspec URLs and globs are expanded at load time: no match, or a file of an unknown kind, fails at once."""
    from tokenizer.errors import CorpusError, CorpusFileNotFoundError

    with pytest.raises(CorpusFileNotFoundError, match="no input file matches"):
        load_corpus(None, [f"file://{tmp_path}/*.parquet"])
    (tmp_path / "notes.md").write_text("नमस्ते दुनिया", encoding="utf-8")
    with pytest.raises(CorpusError, match="unsupported file type"):
        load_corpus(None, [f"file://{tmp_path}/*.md"])
    (tmp_path / "a.txt").write_text("\n".join(corpus_lines("hi", 30)) + "\n", encoding="utf-8")
    by_url, by_path = load_corpus(None, [f"file://{tmp_path}/*.txt"]), load_corpus(None, [str(tmp_path / "a.txt")])
    assert list(by_url.read()) == list(by_path.read())  # same ids: a.txt#0, a.txt#1
