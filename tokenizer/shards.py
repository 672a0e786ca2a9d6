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
exactly. This process reads the documents and writes the shards while worker processes (one per
core) encode batches of them, at most two per worker in flight, so memory stays flat whatever the
corpus size; processes rather than threads, because reading (JSON, parquet) holds the GIL.

The output is replaced whole or not at all: shards and index are written into a hidden staging
folder inside `out_dir` and moved into place only when every document is encoded, the index last,
after which shards of an earlier run that the new index does not list are removed. A failed run
leaves the earlier output as it was (and a new folder is not left behind); a reader never sees an
index with shards of another run. A run killed mid-way (SIGKILL) leaves its staging folder, which
the next run removes (a live run holds a lock on its own, as tokenizer.files does for files).
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import tempfile
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .corpus import Corpus, Document, Split
from .encoding import ENDOFTEXT, Tokenizer
from .errors import TokenizerError, UnencodableTextError
from .files import TEMP_SUFFIX, created_root, fcntl, folder_problem, write_atomic
from .processes import batches, usable_cpus, worker_pool

INDEX = "index.json"
FORMAT = "indicbpe-shards v1"
BATCH_CHARS = 500_000  # text per task: ~0.15 s of a worker's time, ~1.5 MB to send
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


def encode_corpus(
    tok: Tokenizer,
    docs: Iterable[Document],
    out_dir: str | os.PathLike,
    *,
    name: str = "shard",
    shard_tokens: int = DEFAULT_SHARD_TOKENS,
    workers: int | None = None,
    progress: Callable[[int], None] | None = None,
    checksum: str | None = None,
    source: str = "",
) -> dict:
    """Encode documents into `out_dir` (shards + index.json); returns the index.

    `workers` processes encode (default: every available core; 1 = this process only), while this
    one reads the documents and writes the shards, in order; from a script, call it under
    `if __name__ == "__main__":` (processes may be started by spawning). progress(n) is called with
    the UTF-8 bytes of text encoded since the last call.
    """
    if shard_tokens < 1:
        raise TokenizerError(f"shard_tokens must be at least 1, got {shard_tokens}")
    if workers is not None and workers < 1:
        raise TokenizerError(f"workers must be at least 1, got {workers}")
    if ENDOFTEXT not in tok.special_tokens:
        raise TokenizerError(f"the model has no {ENDOFTEXT} token to put between documents")
    dtype = dtype_for(tok)
    out = Path(out_dir)
    problem = folder_problem(out)
    if problem:
        raise TokenizerError(f"cannot write the shards to {out}: {problem}")
    created = created_root(out)  # removed again if the run fails
    out.mkdir(parents=True, exist_ok=True)
    _remove_stale_staging(out)
    staging, lock = _staging_folder(out)
    try:
        shards = _write_shards(tok, docs, staging, name, shard_tokens, workers, progress, dtype)
        index = {
            "format": FORMAT,
            "model": tok.name,
            "checksum": checksum,
            "vocab_size": tok.vocab_size,
            "dtype": dtype.name,
            "endoftext": tok.special_tokens[ENDOFTEXT],
            "source": source,
            "documents": sum(s.documents for s in shards),
            "tokens": sum(s.tokens for s in shards),
            "shards": [vars(s) for s in shards],
        }
        write_atomic(staging / INDEX, json.dumps(index, ensure_ascii=False, indent=2) + "\n")
        _commit(staging, out, [s.file for s in shards], name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        if created is not None:
            shutil.rmtree(created, ignore_errors=True)  # only the staging folder was ever in it
        raise
    finally:
        if lock is not None:
            os.close(lock)
    shutil.rmtree(staging, ignore_errors=True)
    return index


def _write_shards(
    tok: Tokenizer,
    docs: Iterable[Document],
    folder: Path,
    name: str,
    shard_tokens: int,
    workers: int | None,
    progress: Callable[[int], None] | None,
    dtype: np.dtype,
) -> list[Shard]:
    """Encode the documents into shards in `folder`; a shard ends after the document that fills it."""
    shards: list[Shard] = []
    writer: _ShardWriter | None = None
    try:
        for n_bytes, ids, lengths in _encoded(tok, docs, usable_cpus() if workers is None else workers):
            ends = np.cumsum(lengths)
            first = 0  # the batch's first document not written yet
            while first < len(lengths):
                if writer is None:
                    writer = _ShardWriter(folder / _shard_name(name, len(shards)))
                start = ends[first - 1] if first else 0
                # the documents up to the one that fills the shard (a shard ends after the document that fills it)
                stop = min(int(np.searchsorted(ends, start + shard_tokens - writer.tokens)) + 1, len(lengths))
                writer.add(ids[start : ends[stop - 1]], stop - first)
                first = stop
                if writer.tokens >= shard_tokens:
                    shards.append(writer.close())
                    writer = None
            if progress:
                progress(n_bytes)
        if writer is not None:
            shards.append(writer.close())
            writer = None
    finally:
        if writer is not None:
            writer.abort()
    return shards


def _shard_name(name: str, number: int) -> str:
    return f"{name}_{number:06d}.bin"


_STAGING_PREFIX = ".encode-corpus."
_SHARD_FILE = re.compile(r"[^/\\]+_\d{6}\.bin")


def _staging_folder(out: Path) -> tuple[Path, int | None]:
    """A new hidden folder in out for this run, and a descriptor holding a lock on it until the run
    ends (None where there are no locks: not POSIX)."""
    staging = Path(tempfile.mkdtemp(dir=out, prefix=_STAGING_PREFIX, suffix=TEMP_SUFFIX))
    if fcntl is None:
        return staging, None
    fd = os.open(staging, os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    return staging, fd


def _remove_stale_staging(out: Path) -> None:
    """Remove the staging folders of runs that died (their lock is free); a live run's stays."""
    for folder in out.glob(f"{_STAGING_PREFIX}*{TEMP_SUFFIX}"):
        if fcntl is None or not folder.is_dir() or folder.is_symlink():
            continue
        try:
            fd = os.open(folder, os.O_RDONLY)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # locked: a run in progress
            continue
        else:
            shutil.rmtree(folder, ignore_errors=True)
        finally:
            os.close(fd)


def _commit(staging: Path, out: Path, files: list[str], name: str) -> None:
    """Move a complete output from staging into out: the old index goes first (from then on out is an
    output without an index, never a mix), then the shards, then the index; then the shards of earlier
    runs that the new index does not list."""
    old: set[str] = set()
    try:
        listed = json.loads((out / INDEX).read_text(encoding="utf-8")).get("shards", [])
        old = {s["file"] for s in listed if isinstance(s, dict) and isinstance(s.get("file"), str)}
    except (OSError, ValueError, AttributeError, TypeError):
        pass  # no index, or not ours: only shards named like this run's are cleared
    (out / INDEX).unlink(missing_ok=True)
    for file in files:
        os.replace(staging / file, out / file)
    os.replace(staging / INDEX, out / INDEX)
    _fsync_folder(out)
    ours = re.compile(re.escape(name) + r"_\d{6}\.bin")
    for entry in os.listdir(out):
        stale = (entry in old and _SHARD_FILE.fullmatch(entry)) or ours.fullmatch(entry)
        if stale and entry not in files and (out / entry).is_file():
            (out / entry).unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    """Make the renames into folder durable (a no-op where folders cannot be opened)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


Encoded = tuple[int, np.ndarray, list[int]]  # (UTF-8 bytes of the text, every document's ids and <|endoftext|>, their lengths)


def _encoded(tok: Tokenizer, docs: Iterable[Document], workers: int) -> Iterator[Encoded]:
    """Each batch of documents encoded, in order: in this process, or in `workers` processes with at
    most 2 x workers batches in flight (so memory stays flat). Workers get only the texts; a stream
    that fits in one batch is encoded here, since starting processes would cost more."""
    runs = batches(docs, lambda doc: len(doc.text), BATCH_CHARS)
    head = list(itertools.islice(runs, 2))
    if workers == 1 or len(head) < 2:
        for batch in itertools.chain(head, runs):
            yield _named(tok, batch, lambda b=batch: _encode_texts(tok, [d.text for d in b]))
        return
    with worker_pool(workers, _init_worker, (tok,)) as pool:
        window: deque[tuple[Future, list[Document]]] = deque()
        try:
            for batch in itertools.chain(head, runs):
                if len(window) >= 2 * workers:
                    future, done = window.popleft()
                    yield _named(tok, done, future.result)
                window.append((pool.submit(_encode_in_worker, [d.text for d in batch]), batch))
            while window:
                future, done = window.popleft()
                yield _named(tok, done, future.result)
        finally:
            for future, _ in window:
                future.cancel()


def _named(tok: Tokenizer, batch: list[Document], result: Callable[[], Encoded]) -> Encoded:
    """result(), with an unencodable text named by its document's id (found again here: the error path only)."""
    try:
        return result()
    except UnencodableTextError:
        for doc in batch:
            try:
                tok.encode_ordinary(doc.text)
            except UnencodableTextError as e:
                raise UnencodableTextError(f"document {doc.id!r}: {e}") from None
        raise


def _encode_texts(tok: Tokenizer, texts: list[str]) -> Encoded:
    eot = tok.special_tokens[ENDOFTEXT]
    encoded = tok.encode_ordinary_batch(texts, num_threads=1)
    flat: list[int] = []
    for ids in encoded:
        flat += ids
        flat.append(eot)
    return sum(len(t.encode("utf-8")) for t in texts), np.array(flat, dtype_for(tok)), [len(ids) + 1 for ids in encoded]


_WORKER_TOK: Tokenizer | None = None


def _init_worker(tok: Tokenizer) -> None:
    global _WORKER_TOK
    _WORKER_TOK = tok


def _encode_in_worker(texts: list[str]) -> Encoded:
    assert _WORKER_TOK is not None, "the pool's initializer sets the tokenizer"
    return _encode_texts(_WORKER_TOK, texts)


class _ShardWriter:
    """One shard being written (in the staging folder: nothing outside sees it until the commit)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.file = open(path, "wb")
        self.documents = self.tokens = 0

    def add(self, ids: np.ndarray, documents: int) -> None:
        """Whole documents' ids, each followed by its <|endoftext|>."""
        ids.astype(ids.dtype.newbyteorder("<"), copy=False).tofile(self.file)
        self.documents += documents
        self.tokens += len(ids)

    def close(self) -> Shard:
        self.file.flush()
        os.fsync(self.file.fileno())
        self.file.close()
        return Shard(self.path.name, self.documents, self.tokens)

    def abort(self) -> None:
        self.file.close()
        self.path.unlink(missing_ok=True)


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
