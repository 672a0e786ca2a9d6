"""The Dask engine counts exactly what the local engine counts, on a 2-worker LocalCluster.

One cluster serves the whole module (starting one takes a few seconds). The corpus mixes every
input kind a worker reads: plain text, jsonl, and Wikipedia-shaped parquet with several row groups,
also through an fsspec URL glob and through a stand-in for the hf:// filesystem.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import tokenizer
from tokenizer.corpus import file_partitions, load_corpus, read_files
from tokenizer.count import count_stages
from tokenizer.dask_count import count_stages_dask
from tokenizer.errors import CorpusError, TrainingError
from tokenizer.train import count_by_engine, count_chunks

from .conftest import corpus_lines
from .test_count import write_wikipedia_parquet

distributed = pytest.importorskip("distributed", reason="the dask extra is not installed (requirements-scale.txt)")

STAGES = ["akshara", "indic-words", "indic-phrases"]


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=":0"
    ) as c:
        yield c


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[str]:
    tmp = tmp_path_factory.mktemp("dask-corpus")
    hi, kn = corpus_lines("hi", 400), corpus_lines("kn", 300)
    (tmp / "a.txt").write_text("\n".join(hi[:100]) + "\n", encoding="utf-8")
    with (tmp / "b.jsonl").open("w", encoding="utf-8") as f:
        for k in range(0, 100, 4):
            f.write(json.dumps({"text": "\n".join(kn[k : k + 4])}, ensure_ascii=False) + "\n")
    write_wikipedia_parquet(tmp / "c.parquet", hi[100:], lines_per_doc=6, row_group_size=7)
    write_wikipedia_parquet(tmp / "d.parquet", kn[100:], lines_per_doc=5, row_group_size=5)
    return [str(tmp / n) for n in ("a.txt", "b.jsonl", "c.parquet", "d.parquet")]


def test_partitions_read_like_the_whole(inputs):
    parts = file_partitions(inputs)
    assert len(parts) > 10  # one per row group of the parquet files
    docs = [d for p in parts for d in p.documents()]
    assert docs == list(read_files(inputs))


@pytest.mark.parametrize("budgets", [None, [None, None, 20_000]])
def test_dask_counts_equal_local(inputs, cluster, budgets):
    corpus = load_corpus(None, inputs)
    local = count_stages(corpus, STAGES, workers=1, budgets=budgets, quiet=True)
    dask = count_stages_dask(corpus, STAGES, budgets=budgets, scheduler=cluster.scheduler_address, quiet=True)
    assert dask == local
    assert [getattr(c, "sample_level", 0) for c in dask] == [getattr(c, "sample_level", 0) for c in local]
    if budgets:  # the small budget was reached: phrases come from a sample, and the same one
        assert local[2].sample_level > 0
    assert local[0] == count_chunks(corpus.train_texts(), "akshara")


def test_dask_counts_a_train_file_as_the_local_engine_does(inputs, cluster):
    """A corpus with a file that only trains (as hi and mr have their stories): the workers get the
    split rule with it, so every document of that file trains there too."""
    from dataclasses import replace

    base = load_corpus(None, inputs[:2])
    corpus = replace(base, train_files=("b.jsonl",))
    local = count_stages(corpus, STAGES, workers=1, quiet=True)
    assert count_stages_dask(corpus, STAGES, scheduler=cluster.scheduler_address, quiet=True) == local
    assert sum(local[0].values()) > sum(count_stages(base, STAGES[:1], workers=1, quiet=True)[0].values())


def test_dask_train_gives_the_same_model(inputs, cluster):
    corpus = load_corpus(None, inputs)
    local = tokenizer.train(corpus, 500, quiet=True)
    dask = tokenizer.train(corpus, 500, quiet=True, engine="dask", scheduler=cluster.scheduler_address)
    assert dask.merges == local.merges and dask.special_tokens == local.special_tokens


def test_fsspec_url_glob(inputs, cluster):
    """file:// URLs go through fsspec on the workers, as hf:// does."""
    folder = Path(inputs[2]).parent
    url = f"file://{folder}/*.parquet"
    by_url = load_corpus(None, [url])
    by_path = load_corpus(None, [str(folder / "c.parquet"), str(folder / "d.parquet")])
    expected = count_stages(by_path, STAGES, workers=1, quiet=True)
    assert count_stages_dask(by_url, STAGES, scheduler=cluster.scheduler_address, quiet=True) == expected


def test_hf_protocol_with_a_local_stand_in(inputs, tmp_path):
    """hf://datasets/wikimedia/wikipedia/<config>/*.parquet is globbed and read through fsspec: here the
    hf protocol is a local filesystem rooted at a folder laid out like the Hub dataset (threads-only
    cluster, so the stand-in registered in this process is the one the workers use)."""
    import fsspec
    from fsspec.implementations.local import LocalFileSystem

    root = tmp_path / "hub"
    shard_dir = root / "datasets" / "wikimedia" / "wikipedia" / "20231101.hi"
    shard_dir.mkdir(parents=True)
    for k, src in enumerate(inputs[2:]):
        (shard_dir / f"train-0000{k}-of-00002.parquet").write_bytes(Path(src).read_bytes())

    class HubStandIn(LocalFileSystem):
        protocol = "hf"

        @classmethod
        def _strip_protocol(cls, path):
            path = str(path).removeprefix("hf://")
            return super()._strip_protocol(path if path.startswith(str(root)) else str(root / path))

        def unstrip_protocol(self, name):
            return "hf://" + str(Path(name).relative_to(root))

    fsspec.register_implementation("hf", HubStandIn, clobber=True)
    try:
        corpus = load_corpus("hi", source="wikipedia")
        parts = corpus.read_partitions()
        names = {p.path.rsplit("/", 1)[-1] for p in parts}
        assert names == {"train-00000-of-00002.parquet", "train-00001-of-00002.parquet"}
        assert all(p.path.startswith("hf://datasets/wikimedia/wikipedia/20231101.hi/") for p in parts)
        expected = count_stages(load_corpus(None, inputs[2:]), STAGES, workers=1, quiet=True)
        with distributed.LocalCluster(n_workers=2, processes=False, dashboard_address=":0") as threads:
            got = count_by_engine(corpus, STAGES, engine="dask", scheduler=threads.scheduler_address, quiet=True)
        assert got == expected
    finally:
        fsspec.register_implementation("hf", "huggingface_hub.HfFileSystem", clobber=True)


def test_errors(inputs, cluster, tmp_path):
    corpus = load_corpus(None, inputs)
    with pytest.raises(TrainingError, match="pass a Corpus"):
        count_by_engine(iter(["text"]), STAGES, engine="dask")
    with pytest.raises(TrainingError, match="unknown counting engine"):
        count_by_engine(corpus, STAGES, engine="spark")
    with pytest.raises(CorpusError, match="max_docs"):
        count_stages_dask(load_corpus(None, inputs, max_docs=3), STAGES, scheduler=cluster.scheduler_address)
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"not parquet at all")
    with pytest.raises(CorpusError, match="not a readable parquet file"):
        load_corpus(None, [str(bad)]).read_partitions()


def test_cli_engine_dask(inputs, cluster, tmp_path, capsys):
    from tokenizer.cli import main

    args = ["train", "--input", *inputs, "--vocab-size", "300", "--quiet"]
    assert main(args + ["--out", str(tmp_path / "local.model")]) == 0
    dask_args = ["--engine", "dask", "--scheduler", cluster.scheduler_address]
    assert main(args + ["--out", str(tmp_path / "dask.model"), *dask_args]) == 0
    assert tokenizer.load(tmp_path / "dask.model").merges == tokenizer.load(tmp_path / "local.model").merges
    assert main(args + ["--out", str(tmp_path / "x.model"), "--scheduler", cluster.scheduler_address]) == 1
    assert "--scheduler needs --engine dask" in capsys.readouterr().err
