"""encode-corpus: token shards that decode back to the documents exactly, an index that agrees with them."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

import tokenizer
from tokenizer import processes, shards
from tokenizer.corpus import Document, load_corpus, read_files
from tokenizer.errors import TokenizerError
from tokenizer.model_file import checksum

from .conftest import ROOT, corpus_lines

EOT = "<|endoftext|>"


def _docs() -> list[Document]:
    lines = corpus_lines("hi", 120)
    docs = [Document(f"d{k}", "\n".join(lines[k : k + 7])) for k in range(0, 120, 7)]
    docs += [
        Document("eot-text", f"एक {EOT} दो"),  # special-token text inside a document stays text
        Document("empty", ""),
        Document("mixed", "ಕನ್ನಡ and हिन्दी, 123 👍🏽\r\n\ttabs  "),
    ]
    return docs


def test_shards_decode_back_to_the_documents(hi_small, tmp_path):
    docs = _docs()
    index = shards.encode_corpus(hi_small, docs, tmp_path, shard_tokens=400, checksum=checksum(hi_small))
    assert shards.read_index(tmp_path) == index  # the file holds what was returned
    assert index["dtype"] == "uint16" and index["documents"] == len(docs)
    assert index["checksum"] == checksum(hi_small)
    # the counts, from the reference encoder: each document's ids and its <|endoftext|>
    ref = hi_small.reference()
    sizes = [len(ref.encode_ordinary(d.text)) + 1 for d in docs]
    assert index["tokens"] == sum(sizes)
    assert len(index["shards"]) > 2
    start = 0
    for k, shard in enumerate(index["shards"]):  # whole documents, closed as soon as a shard has 400 tokens
        own = sizes[start : start + shard["documents"]]
        assert shard["documents"] >= 1 and shard["tokens"] == sum(own)
        if k < len(index["shards"]) - 1:
            assert sum(own) >= 400 > sum(own[:-1])
        start += shard["documents"]
    assert start == len(docs)
    arrays = shards.read_shards(tmp_path)
    eot = hi_small.special_tokens[EOT]
    assert all(a[-1] == eot for a in arrays)
    decoded = [hi_small.decode(ids.tolist(), errors="strict") for ids in shards.documents(tmp_path)]
    assert decoded == [d.text for d in docs]
    got = list(shards.documents(tmp_path))
    assert len(got) == len(docs)
    for doc, ids in zip(docs, got, strict=True):
        assert ids.tolist() == ref.encode_ordinary(doc.text)
    assert not list(tmp_path.glob(".*.tmp"))  # every shard was renamed into place


@pytest.mark.parametrize("shard_tokens", [1, 400, 10**9])
def test_worker_processes_write_the_same_shards(hi_small, tmp_path, monkeypatch, shard_tokens):
    monkeypatch.setattr(shards, "BATCH_CHARS", 500)  # many batches, so the pool runs and reorders nothing
    docs = _docs() * 3
    one = shards.encode_corpus(hi_small, docs, tmp_path / "one", workers=1, shard_tokens=shard_tokens)
    two = shards.encode_corpus(hi_small, docs, tmp_path / "two", workers=2, shard_tokens=shard_tokens)
    assert one == two
    assert one["documents"] == len(docs)
    if shard_tokens == 1:
        assert len(one["shards"]) == len(docs)  # every document fills a shard on its own
    for shard in one["shards"]:
        assert (tmp_path / "one" / shard["file"]).read_bytes() == (tmp_path / "two" / shard["file"]).read_bytes()
    decoded = [hi_small.decode(ids.tolist(), errors="strict") for ids in shards.documents(tmp_path / "two")]
    assert decoded == [d.text for d in docs]


def test_workers_started_by_a_forkserver_get_the_tokenizer_pickled(hi_small, tmp_path, monkeypatch):
    """Where fork is unsafe (threads running) or absent, the tokenizer travels to the workers pickled."""
    import multiprocessing

    monkeypatch.setattr(processes, "mp_context", lambda: multiprocessing.get_context("forkserver"))
    monkeypatch.setattr(shards, "BATCH_CHARS", 2000)
    docs = _docs() * 2
    index = shards.encode_corpus(hi_small, docs, tmp_path, workers=2)
    assert index["documents"] == len(docs)
    assert [hi_small.decode(ids.tolist()) for ids in shards.documents(tmp_path)] == [d.text for d in docs]


@pytest.mark.parametrize("workers", [1, 2])
def test_an_unencodable_document_is_named(hi_small, tmp_path, monkeypatch, workers):
    monkeypatch.setattr(shards, "BATCH_CHARS", 500)
    docs = _docs() * 2 + [Document("broken", "ok \ud800 text")] + _docs()
    with pytest.raises(tokenizer.UnencodableTextError, match=r"document 'broken': text contains a lone surrogate at index 3"):
        shards.encode_corpus(hi_small, docs, tmp_path, workers=workers)
    assert not list(tmp_path.iterdir())  # no shard, no index: nothing half-written
    with pytest.raises(TokenizerError, match="workers must be at least 1"):
        shards.encode_corpus(hi_small, docs, tmp_path, workers=0)


def test_flat_bin_is_nanogpt_readable(hi_small, tmp_path):
    shards.encode_corpus(hi_small, _docs()[:3], tmp_path)
    flat = np.fromfile(tmp_path / "shard_000000.bin", dtype="<u2")
    expected = [i for d in _docs()[:3] for i in hi_small.encode_ordinary(d.text) + [hi_small.special_tokens[EOT]]]
    assert flat.tolist() == expected


def test_errors(hi_small, tmp_path):
    no_eot = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {}, name="no-eot")
    with pytest.raises(TokenizerError, match="no <|endoftext|> token"):
        shards.encode_corpus(no_eot, _docs(), tmp_path / "a")
    with pytest.raises(TokenizerError, match="no shard index"):
        shards.read_shards(tmp_path / "missing")
    shards.encode_corpus(hi_small, _docs()[:2], tmp_path / "b")
    (tmp_path / "b" / "shard_000000.bin").write_bytes(b"\x00\x00")
    with pytest.raises(TokenizerError, match="1 tokens, but the index says"):
        shards.read_shards(tmp_path / "b")
    (tmp_path / "b" / "index.json").write_text("{ nope")
    with pytest.raises(TokenizerError, match=r"index.json:1: not a shard index"):
        shards.read_index(tmp_path / "b")


def test_a_reading_error_stops_the_run_and_leaves_no_partial_shard(hi_small, tmp_path):
    def docs():
        yield from _docs()
        raise OSError("disk gone")

    with pytest.raises(OSError, match="disk gone"):
        shards.encode_corpus(hi_small, docs(), tmp_path)
    assert not list(tmp_path.iterdir())



def _failing(docs: list[Document], after: int):
    """The documents, then a reading error after `after` of them (a bad line deep in a file)."""
    yield from docs[:after]
    raise tokenizer.CorpusError("docs.jsonl: line 401 is not a JSON object")


def test_a_failed_run_leaves_the_earlier_output_whole(hi_small, tmp_path):
    """Into a fresh folder: nothing is left. Into a folder of an earlier run: that run's shards and
    index, byte for byte, and they still read back. No staging folder either way."""
    docs = _docs() * 3
    with pytest.raises(tokenizer.CorpusError, match="line 401"):
        shards.encode_corpus(hi_small, _failing(docs, 40), tmp_path / "fresh" / "out", shard_tokens=50)
    assert not (tmp_path / "fresh").exists()

    out = tmp_path / "out"
    shards.encode_corpus(hi_small, _docs()[:5], out, shard_tokens=50)
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    with pytest.raises(tokenizer.CorpusError, match="line 401"):
        shards.encode_corpus(hi_small, _failing(docs, 40), out, shard_tokens=50)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [hi_small.decode(ids.tolist()) for ids in shards.documents(out)] == [d.text for d in _docs()[:5]]


def test_a_rerun_replaces_every_shard_of_the_earlier_run(hi_small, tmp_path):
    """A rerun with fewer shards removes the earlier run's extra shards; files that are not shards stay."""
    out = tmp_path / "out"
    many = shards.encode_corpus(hi_small, _docs(), out, shard_tokens=50)
    (out / "notes.txt").write_text("mine")
    few = shards.encode_corpus(hi_small, _docs()[:2], out, shard_tokens=10**9)
    assert len(many["shards"]) > 3 and len(few["shards"]) == 1
    assert sorted(p.name for p in out.iterdir()) == ["index.json", "notes.txt", "shard_000000.bin"]
    assert [hi_small.decode(ids.tolist()) for ids in shards.documents(out)] == [d.text for d in _docs()[:2]]


def test_a_killed_runs_staging_folder_is_removed_by_the_next_run(hi_small, tmp_path):
    out = tmp_path / "out"
    shards.encode_corpus(hi_small, _docs()[:2], out)
    dead = out / ".encode-corpus.abcdefgh.indicbpe.tmp"  # a run killed mid-way: no process holds its lock
    dead.mkdir()
    (dead / "shard_000000.bin").write_bytes(b"\x01\x00")
    shards.encode_corpus(hi_small, _docs()[:3], out)
    assert sorted(p.name for p in out.iterdir()) == ["index.json", "shard_000000.bin"]


def test_an_output_path_that_is_not_a_folder(hi_small, tmp_path):
    (tmp_path / "tiny.txt").write_text("x")
    where = tmp_path / "tiny.txt"
    with pytest.raises(TokenizerError, match=rf"^cannot write the shards to {where}: {where} exists and is not a folder$"):
        shards.encode_corpus(hi_small, _docs(), tmp_path / "tiny.txt")
    with pytest.raises(TokenizerError, match=r"tiny\.txt is not a folder$"):
        shards.encode_corpus(hi_small, _docs(), tmp_path / "tiny.txt" / "x")
    assert (tmp_path / "tiny.txt").read_text() == "x"

def test_cli_encode_corpus_with_splits(hi_small, tmp_path):
    model = tmp_path / "hi.model"
    tokenizer.save(hi_small, model)
    src = tmp_path / "docs.txt"  # plain text: documents are blocks of 25 lines (jsonl/parquet read the same way)
    src.write_text("\n".join(corpus_lines("hi", 400)) + "\n", encoding="utf-8")
    counts = {}
    for split in ("all", "train", "valid", "test"):
        out = tmp_path / f"out-{split}"
        r = subprocess.run(
            [sys.executable, "-m", "tokenizer", "encode-corpus", "--model", str(model), "--input", str(src),
             "--out", str(out), "--split", split, "--quiet", "--shard-tokens", "300"],  # fmt: skip
            capture_output=True, text=True, cwd=ROOT, timeout=300,  # fmt: skip
        )
        assert r.returncode == 0, r.stderr
        summary = json.loads(r.stdout)
        assert summary["checksum"] == checksum(hi_small)
        counts[split] = summary["documents"]
        texts = [hi_small.decode(ids.tolist(), errors="strict") for ids in shards.documents(out)]
        if split == "all":
            assert texts == [d.text for d in read_files([src])]
    assert counts["all"] == counts["train"] + counts["valid"] + counts["test"] == 16


def test_corpus_documents_follow_the_training_split():
    corpus = load_corpus("hi", max_docs=200)
    train_ids = {d.id for d in shards.corpus_documents(corpus, "train")}
    valid = list(shards.corpus_documents(corpus, "valid"))
    assert valid and not train_ids & {d.id for d in valid}
    assert [line for d in valid for line in d.text.splitlines() if line.strip()] == corpus.held_out_lines("valid")


def test_datasets_map_with_the_exported_tokenizer_gives_the_same_ids(hi_small, tmp_path):
    """The README's datasets.map recipe (exported tokenizer.json) equals encode-corpus, document by document."""
    import datasets
    from tokenizers import Tokenizer as HfTokenizer

    from tokenizer.hf import export

    docs = [d for d in _docs() if EOT not in d.text]  # HF matches added tokens anywhere; we keep them as text
    export(hi_small, tmp_path / "hf")
    hf = HfTokenizer.from_file(str(tmp_path / "hf" / "tokenizer.json"))
    eot = hf.token_to_id(EOT)

    def encode(batch):
        return {"ids": [e.ids + [eot] for e in hf.encode_batch(batch["text"], add_special_tokens=False)]}

    ds = datasets.Dataset.from_list([{"text": d.text} for d in docs]).map(encode, batched=True, remove_columns=["text"])
    shards.encode_corpus(hi_small, docs, tmp_path / "shards")
    assert [row["ids"] for row in ds] == [ids.tolist() + [eot] for ids in shards.documents(tmp_path / "shards")]
