"""Parallel chunk counting equals count_chunks, also on the streamed (Wikipedia-shaped parquet) path."""

from __future__ import annotations

import multiprocessing
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tokenizer
from tokenizer import count
from tokenizer.corpus import load_corpus, stream_rows
from tokenizer.count import count_chunks_parallel
from tokenizer.train import count_chunks

from .conftest import corpus_lines
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
    monkeypatch.setattr(count, "_context", lambda: multiprocessing.get_context("forkserver"))
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
    from tokenizer.cli import default_workers, main

    src = tmp_path / "in.txt"
    src.write_text("\n".join(corpus_lines("hi", 300)) + "\n", encoding="utf-8")
    args = ["train", "--input", str(src), "--vocab-size", "400", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "a.model"), "--workers", "2"]) == 0
    assert main(args + ["--out", str(tmp_path / "b.model")]) == 0
    assert tokenizer.load(tmp_path / "a.model").merges == tokenizer.load(tmp_path / "b.model").merges
    assert main(args + ["--out", str(tmp_path / "c.model"), "--workers", "0"]) == 1
    assert "--workers must be at least 1" in capsys.readouterr().err
    assert default_workers("embedded") == default_workers("files") == 1
    assert default_workers("wikipedia") >= 1
