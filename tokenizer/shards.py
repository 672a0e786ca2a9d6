"""Whole corpora to token ids for language-model training: flat binary shards plus a JSON index.

    python -m tokenizer encode-corpus --model hi --input wiki.jsonl --out shards/
    from tokenizer.shards import read_shards, documents
    arrays = read_shards("shards/")        # one numpy array per shard (memory-mapped)
    for ids in documents("shards/"): ...   # each document's ids, <|endoftext|> removed

The format is nanoGPT's: each shard is the ids of whole documents, each followed by
`<|endoftext|>`, as little-endian uint16 when every id fits (our 5,000-id models), else uint32,
with no header, so `np.memmap(path, dtype=np.uint16)` reads it. `index.json` names the model and
its checksum, the dtype, and the documents and tokens of every shard. Documents are encoded as
they are (no cleaning, special-token text as plain text), so decoding a shard gives them back
exactly. Reading runs in a thread while the tokenizer's compiled core encodes on every core, and at
most two batches are in flight, so memory stays flat whatever the corpus size. Shards are written
to a temporary name and renamed when complete; the index is written last.
"""

from __future__ import annotations

import json
import os
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .corpus import Corpus, Document, Split
from .encoding import ENDOFTEXT, Tokenizer
from .errors import TokenizerError
from .files import write_atomic

INDEX = "index.json"
FORMAT = "indicbpe-shards v1"
BATCH_CHARS = 4_000_000  # text handed to the encoder at once: enough for every core to work
DEFAULT_SHARD_TOKENS = 100_000_000  # 200 MB per uint16 shard


@dataclass
class Shard:
    file: str
    documents: int
    tokens: int


def dtype_for(tok: Tokenizer) -> np.dtype:
    """uint16 when every id fits (nanoGPT's choice), else uint32."""
    return np.dtype(np.uint16) if tok.vocab_size <= 1 << 16 else np.dtype(np.uint32)


def corpus_documents(corpus: Corpus, split: Split | None = None) -> Iterator[Document]:
    """The corpus's documents (all, or one split of the document-level split used for training)."""
    return corpus.read() if split is None else corpus.split_documents(split)


def _batches(docs: Iterable[Document], out: queue.Queue) -> None:
    """Reader thread: documents in batches of about BATCH_CHARS characters; None at the end."""
    try:
        batch: list[str] = []
        size = 0
        for doc in docs:
            batch.append(doc.text)
            size += len(doc.text)
            if size >= BATCH_CHARS:
                out.put(batch)
                batch, size = [], 0
        out.put(batch)
        out.put(None)
    except BaseException as e:  # handed to the main thread, which raises it
        out.put(e)


def encode_corpus(
    tok: Tokenizer,
    docs: Iterable[Document],
    out_dir: str | os.PathLike,
    *,
    name: str = "shard",
    shard_tokens: int = DEFAULT_SHARD_TOKENS,
    num_threads: int | None = None,
    progress: Callable[[int], None] | None = None,
    checksum: str | None = None,
    source: str = "",
) -> dict:
    """Encode documents into `out_dir` (shards + index.json); returns the index.

    progress(n) is called with the UTF-8 bytes of text encoded since the last call.
    """
    if shard_tokens < 1:
        raise TokenizerError(f"shard_tokens must be at least 1, got {shard_tokens}")
    if ENDOFTEXT not in tok.special_tokens:
        raise TokenizerError(f"the model has no {ENDOFTEXT} token to put between documents")
    eot = tok.special_tokens[ENDOFTEXT]
    dtype = dtype_for(tok)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    shards: list[Shard] = []
    writer: _ShardWriter | None = None
    pending: queue.Queue = queue.Queue(maxsize=2)
    reader = threading.Thread(target=_batches, args=(docs, pending), daemon=True)
    reader.start()
    try:
        while (batch := pending.get()) is not None:
            if isinstance(batch, BaseException):
                raise batch
            for _, ids in zip(batch, tok.encode_ordinary_batch(batch, num_threads=num_threads), strict=True):
                if writer is None:
                    writer = _ShardWriter(out / f"{name}_{len(shards):06d}.bin", dtype)
                writer.add(ids, eot)
                if writer.tokens >= shard_tokens:
                    shards.append(writer.close())
                    writer = None
            if progress:
                progress(sum(len(t.encode("utf-8")) for t in batch))
        if writer is not None:
            shards.append(writer.close())
            writer = None
    finally:
        if writer is not None:
            writer.abort()
    index = {
        "format": FORMAT,
        "model": tok.name,
        "checksum": checksum,
        "vocab_size": tok.vocab_size,
        "dtype": dtype.name,
        "endoftext": eot,
        "source": source,
        "documents": sum(s.documents for s in shards),
        "tokens": sum(s.tokens for s in shards),
        "shards": [vars(s) for s in shards],
    }
    write_atomic(out / INDEX, json.dumps(index, ensure_ascii=False, indent=2) + "\n")
    return index


class _ShardWriter:
    """One shard being written: a temporary file renamed into place when complete."""

    def __init__(self, path: Path, dtype: np.dtype) -> None:
        self.path, self.dtype = path, dtype
        self.tmp = path.with_name(f".{path.name}.tmp")
        self.file = open(self.tmp, "wb")
        self.documents = self.tokens = 0

    def add(self, ids: list[int], eot: int) -> None:
        array = np.array(ids + [eot], dtype=self.dtype)
        array.astype(array.dtype.newbyteorder("<"), copy=False).tofile(self.file)
        self.documents += 1
        self.tokens += len(array)

    def close(self) -> Shard:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        os.replace(self.tmp, self.path)
        return Shard(self.path.name, self.documents, self.tokens)

    def abort(self) -> None:
        self.file.close()
        self.tmp.unlink(missing_ok=True)


def read_index(out_dir: str | os.PathLike) -> dict:
    path = Path(out_dir) / INDEX
    try:
        index = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TokenizerError(f"{path}: no shard index (run encode-corpus first)") from None
    except json.JSONDecodeError as e:
        raise TokenizerError(f"{path}:{e.lineno}: not a shard index ({e.msg})") from None
    if index.get("format") != FORMAT:
        raise TokenizerError(f"{path}: not a shard index of format {FORMAT!r}")
    return index


def read_shards(out_dir: str | os.PathLike) -> list[np.ndarray]:
    """Every shard as a read-only memory-mapped array, in order (sizes checked against the index)."""
    index = read_index(out_dir)
    dtype = np.dtype(index["dtype"]).newbyteorder("<")
    arrays = []
    for shard in index["shards"]:
        path = Path(out_dir) / shard["file"]
        array = np.memmap(path, dtype=dtype, mode="r") if path.stat().st_size else np.zeros(0, dtype)
        if len(array) != shard["tokens"]:
            raise TokenizerError(f"{path}: {len(array)} tokens, but the index says {shard['tokens']}")
        arrays.append(array)
    return arrays


def documents(out_dir: str | os.PathLike) -> Iterator[np.ndarray]:
    """The ids of each document, in order, without its <|endoftext|>."""
    eot = read_index(out_dir)["endoftext"]
    for array in read_shards(out_dir):
        ends = np.flatnonzero(array == eot)
        start = 0
        for end in ends:
            yield np.asarray(array[start:end])
            start = end + 1
