"""Training text: read documents, clean them, and split them into train / valid / test.

A Document is the unit of the split, so all lines of one document land on the same side and
near-duplicate neighbouring paragraphs cannot leak from training into evaluation. Sources are
the embedded corpus (`data/{lang}.txt.gz`), local files, or Wikipedia streamed from the
Hugging Face Hub; everything streams. Parquet is read row group by row group with pyarrow, jsonl
line by line with `json`, and Wikipedia through `datasets`. An input may also be an fsspec URL or
glob, e.g. `hf://datasets/wikimedia/wikipedia/20231101.hi/*.parquet`.

A corpus can be cut into Partitions (a text or jsonl file, or one parquet row group) that are read
independently, by Dask workers for instance (tokenizer.dask_count); reading them in order gives
exactly the documents of the whole, with the same ids, so the split is the same everywhere.

Only training text is cleaned (`clean_document`); held-out lines stay raw so metrics measure
text as users will feed it, and `Tokenizer.encode` never cleans or normalises anything.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import json
import unicodedata
from contextlib import nullcontext
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

import regex

from .errors import CorpusError, CorpusFileNotFoundError
from .registry import LANGUAGES, footer_headings

Split = Literal["train", "valid", "test"]
Source = Literal["embedded", "files", "wikipedia"]

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TEXT_SUFFIXES = (".txt", ".txt.gz")
ROW_SUFFIXES = {".jsonl": "json", ".jsonl.gz": "json", ".parquet": "parquet"}  # files of rows (id, text)
SUPPORTED = TEXT_SUFFIXES + tuple(ROW_SUFFIXES)

# Section headings that end Wikipedia articles and are followed by lists, not prose (every
# registry language's, casefolded); compared after stripping "=" markup, spaces and a trailing colon.
FOOTER_HEADINGS = footer_headings()
# Three letters (Unicode L or M: Indic vowel signs are M) anywhere in the line.
_THREE_LETTERS = regex.compile(r"(?:[^\p{L}\p{M}]*[\p{L}\p{M}]){3}")


@dataclass(frozen=True)
class Document:
    id: str
    text: str  # one paragraph per line


def embedded_path(lang: str) -> Path:
    """Path of the corpus shipped with the package for `lang` (see data/ATTRIBUTION.md)."""
    if lang not in LANGUAGES:
        raise ValueError(f"no embedded corpus for language {lang!r}; known: {', '.join(LANGUAGES)}")
    return DATA_DIR / LANGUAGES[lang].corpus


BLOCK_LINES = 25  # non-empty lines per document of a plain-text file


def _suffix(path: str | Path) -> str | None:
    name = _name(path)
    return next((s for s in SUPPORTED if name.endswith(s)), None)


def _name(path: str | Path) -> str:
    """The file name of a local path or URL (used in document ids, so equal for both)."""
    return str(path).rstrip("/").rsplit("/", 1)[-1]


def is_url(path: str | Path) -> bool:
    return isinstance(path, str) and "://" in path


def expand_inputs(paths: Sequence[str | Path]) -> list[str | Path]:
    """Check every input before anything is read, so a typo fails at once, not mid-run; a URL
    (fsspec, e.g. hf://...) may be a glob and is replaced by the sorted files it matches."""
    out: list[str | Path] = []
    for p in paths:
        if is_url(p):
            import fsspec  # installed with datasets

            fs, _, found = fsspec.get_fs_token_paths(p)
            if not found:
                raise CorpusFileNotFoundError(f"no input file matches {p}")
            matched: list[str | Path] = [fs.unstrip_protocol(f) for f in sorted(found)]
        else:
            path = Path(p)
            if not path.is_file():
                raise CorpusFileNotFoundError(f"input file not found: {path}")
            matched = [path]
        for m in matched:
            if _suffix(m) is None:
                raise CorpusError(f"{m}: unsupported file type; supported: {', '.join(SUPPORTED)}")
        out.extend(matched)
    return out


def read_files(paths: Sequence[str | Path], *, block_lines: int = BLOCK_LINES) -> Iterator[Document]:
    """Documents from .txt[.gz], .jsonl[.gz] and .parquet files (local paths or fsspec URLs), in order.

    Plain text has no article boundaries, so a document is a block of `block_lines` consecutive
    non-empty lines: neighbouring paragraphs of one article mostly share a block and thus a split.
    All paths are checked before anything is read (see expand_inputs).
    """
    if block_lines < 1:
        raise ValueError(f"block_lines must be at least 1, got {block_lines}")
    checked = expand_inputs(paths)
    return (doc for path in checked for doc in Partition(str(path), block_lines=block_lines).documents())


@dataclass(frozen=True)
class Partition:
    """A piece of a corpus that can be read on its own: a file, or one row group of a parquet file.

    Pickled to Dask workers, so it holds only a path (or URL) and numbers.
    """

    path: str
    row_group: int | None = None  # parquet only: read just this row group (None: the whole file)
    first_row: int = 0  # the row number of the row group's first row in its file
    block_lines: int = BLOCK_LINES

    def documents(self) -> Iterator[Document]:
        suffix = _suffix(self.path)
        if suffix in TEXT_SUFFIXES:
            return _read_text(self.path, self.block_lines)
        if suffix == ".parquet":
            return _read_parquet(self.path, self.row_group, self.first_row)
        return _read_jsonl(self.path)


def file_partitions(paths: Sequence[str | Path], block_lines: int = BLOCK_LINES) -> list[Partition]:
    """The partitions of files: one per row group of a parquet file, one per other file.

    Reads only parquet footers. A text or jsonl file is one partition because its document ids
    number its blocks or rows from the start, so cut it into several files to spread it.
    """
    parts: list[Partition] = []
    for path in expand_inputs(paths):
        if _suffix(path) != ".parquet":
            parts.append(Partition(str(path), block_lines=block_lines))
            continue
        with _open_binary(path) as f:
            meta = _parquet_file(f, path).metadata
            first = 0
            for i in range(meta.num_row_groups):
                parts.append(Partition(str(path), i, first, block_lines))
                first += meta.row_group(i).num_rows
    return parts


def _open_binary(path: str | Path):
    if is_url(path):
        import fsspec

        return fsspec.open(path, "rb").open()
    return open(path, "rb")


def _parquet_file(f, path: str | Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(f)
    except (pa.ArrowException, OSError) as e:
        raise CorpusError(f"{path}: not a readable parquet file ({e})") from None


def _read_parquet(path: str, row_group: int | None, first_row: int) -> Iterator[Document]:
    """Rows of a parquet file (or one row group) as documents, exactly as stream_rows reads them."""
    name = _name(path)
    with _open_binary(path) as f:
        pf = _parquet_file(f, path)
        columns = pf.schema_arrow.names
        if "text" not in columns:
            raise CorpusError(f"{name}: no 'text' column (columns: {', '.join(columns)})")
        wanted = [c for c in ("id", "text") if c in columns]
        groups = range(pf.metadata.num_row_groups) if row_group is None else [row_group]
        row = first_row
        for g in groups:
            table = pf.read_row_group(g, columns=wanted)
            ids = table.column("id").to_pylist() if "id" in wanted else [None] * table.num_rows
            for doc_id, text in zip(ids, table.column("text").to_pylist(), strict=True):
                yield Document(str(doc_id) if doc_id is not None else f"{name}#{row}", text or "")
                row += 1


def _read_jsonl(path: str) -> Iterator[Document]:
    """Rows of a JSON-lines file (.jsonl[.gz], one object per line, blank lines skipped) as documents,
    with the ids `stream_rows` gives a `datasets` json stream of it (tests check), 10x faster to start."""
    name = _name(path)
    n = 0
    with _open_binary(path) as raw, (gzip.open(raw, "rb") if name.endswith(".gz") else nullcontext(raw)) as f:
        for line_no, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:  # also invalid UTF-8
                raise CorpusError(f"{path}: line {line_no} is not a JSON object ({e})") from None
            if not isinstance(row, dict):
                raise CorpusError(f"{path}: line {line_no} is not a JSON object")
            if "text" not in row:
                raise CorpusError(f"{name}: line {line_no}: no 'text' column (columns: {', '.join(row)})")
            text, doc_id = row["text"], row.get("id")
            if not isinstance(text, str | None):
                raise CorpusError(f"{path}: line {line_no}: 'text' is a {type(text).__name__}, not a string")
            yield Document(str(doc_id) if doc_id is not None else f"{name}#{n}", text or "")
            n += 1


def _read_text(path: str | Path, block_lines: int) -> Iterator[Document]:
    name = _name(path)
    block: list[str] = []
    n_blocks = 0
    with _open_binary(path) as raw, (gzip.open(raw, "rb") if name.endswith(".gz") else nullcontext(raw)) as f:
        for line_no, raw in enumerate(f, 1):
            try:
                line = raw.decode("utf-8").rstrip("\r\n")
            except UnicodeDecodeError as e:
                raise CorpusError(
                    f"{path}: line {line_no} is not valid UTF-8 ({e.reason} at byte {e.start})"
                ) from None
            if line.strip():
                block.append(line)
            if len(block) == block_lines:
                yield Document(f"{name}#{n_blocks}", "\n".join(block))
                block, n_blocks = [], n_blocks + 1
    if block:
        yield Document(f"{name}#{n_blocks}", "\n".join(block))


def stream_rows(
    rows: Iterable[Mapping[str, Any]],
    *,
    source: str,
    max_docs: int | None = None,
    max_bytes: int | None = None,
) -> Iterator[Document]:
    """Documents from rows with a `text` column (and optionally `id`), e.g. a `datasets` stream.

    The id is the row's `id` if it has one, else f"{source}#{row number}"; see `limit` for
    max_docs and max_bytes. Wikipedia and local jsonl/parquet files share this code.
    """

    def documents() -> Iterator[Document]:
        for n, row in enumerate(rows):
            if "text" not in row:
                raise CorpusError(f"{source}: no 'text' column (columns: {', '.join(row)})")
            doc_id = str(row["id"]) if row.get("id") is not None else f"{source}#{n}"
            yield Document(doc_id, row["text"] or "")

    return limit(documents(), max_docs, max_bytes)


def limit(
    docs: Iterable[Document], max_docs: int | None, max_bytes: int | None
) -> Iterator[Document]:
    """Stop after `max_docs` documents, or after the one that brings the UTF-8 total to
    `max_bytes` (so a single long document is never cut and the result is never empty)."""
    n_bytes = 0
    for doc in itertools.islice(docs, max_docs):  # islice(docs, None) takes everything
        yield doc
        if max_bytes is not None:
            n_bytes += len(doc.text.encode("utf-8"))
            if n_bytes >= max_bytes:
                return


def stream_wikipedia(
    lang: str,
    *,
    max_docs: int | None = None,
    max_bytes: int | None = None,
    date: str = "20231101",
) -> Iterator[Document]:
    """Stream articles of the `wikimedia/wikipedia` dump without downloading it whole."""
    import datasets  # slow to import; only rows and Wikipedia need it

    name = f"wikimedia/wikipedia {date}.{lang}"
    try:
        rows = datasets.load_dataset(
            "wikimedia/wikipedia", f"{date}.{lang}", split="train", streaming=True
        )
        yield from stream_rows(rows, source=name, max_docs=max_docs, max_bytes=max_bytes)
    except OSError as e:  # ConnectionError and the Hub client's errors are all OSErrors
        raise CorpusError(
            f"could not reach the Hugging Face Hub to stream {name} ({type(e).__name__}); "
            "train on local files with --input instead"
        ) from e


def wikipedia_parquet_url(lang: str, date: str = "20231101") -> str:
    """The parquet shards of the dump that stream_wikipedia reads, as an fsspec glob (same rows, same ids)."""
    return f"hf://datasets/wikimedia/wikipedia/{date}.{lang}/*.parquet"


def clean_document(text: str) -> str:
    """Light cleaning of TRAINING text: NFC, stripped lines, no empty or boilerplate lines.

    Boilerplate is a line with fewer than 3 letters (numbers, punctuation, list debris) or a
    Wikipedia footer heading. ZWJ/ZWNJ are kept: they change how Indic conjuncts render.
    Never applied to text being encoded: a tokenizer must round-trip user text byte for byte.
    """
    kept = []
    for line in unicodedata.normalize("NFC", text).splitlines():
        line = line.strip()
        heading = line.strip("= ").rstrip(":").strip().casefold()
        if _THREE_LETTERS.match(line) and heading not in FOOTER_HEADINGS:
            kept.append(line)
    return "\n".join(kept)


def split_of(doc_id: str, seed: int = 0, valid: float = 0.05, test: float = 0.05) -> Split:
    """Deterministic split of a document by a keyed hash of its id.

    blake2b, not hash(): Python's str hash is salted per process, which would reshuffle the
    split on every run. "valid" drives model selection and reported metrics; "test" is a second
    held-out slice that no choice may look at.
    """
    if not (valid >= 0 and test >= 0 and valid + test < 1):
        raise ValueError(f"need valid, test >= 0 and valid + test < 1, got {valid}, {test}")
    digest = hashlib.blake2b(f"{seed}:{doc_id}".encode(), digest_size=8).digest()
    u = int.from_bytes(digest, "big") / 2**64
    return "valid" if u < valid else "test" if u < valid + test else "train"


@dataclass(frozen=True)
class SplitRule:
    """How documents are assigned to splits; small and picklable, so workers apply the same rule."""

    seed: int = 0
    valid: float = 0.05
    test: float = 0.05

    def training_lines(self, doc_id: str, text: str) -> list[str]:
        """The cleaned lines a document gives to training: none unless it is in the train split."""
        if split_of(doc_id, self.seed, self.valid, self.test) != "train":
            return []
        cleaned = clean_document(text)
        return cleaned.split("\n") if cleaned else []


@dataclass(frozen=True)
class Corpus:
    """Documents plus their split; each method re-reads the source, so nothing is held in memory.

    `partitions`, when the source has them, lists pieces that workers can read independently.
    """

    documents: Callable[[], Iterable[Document]]
    description: str
    lang: str | None = None
    seed: int = 0
    max_docs: int | None = None
    max_bytes: int | None = None
    valid: float = 0.05
    test: float = 0.05
    partitions: Callable[[], list[Partition]] | None = None

    @property
    def split_rule(self) -> SplitRule:
        return SplitRule(self.seed, self.valid, self.test)

    def read(self) -> Iterator[Document]:
        """Every document (all splits), within max_docs / max_bytes, in order."""
        return limit(self.documents(), self.max_docs, self.max_bytes)

    def read_partitions(self) -> list[Partition]:
        """The partitions to read in parallel; a clear error when the source cannot be cut."""
        if self.partitions is None:
            raise CorpusError(f"{self.description} cannot be read in partitions")
        if self.max_docs is not None or self.max_bytes is not None:
            raise CorpusError(
                "max_docs / max_bytes take a prefix of the document stream, which partitions read in "
                "parallel cannot; drop the limit or use the local engine"
            )
        return self.partitions()

    def split_documents(self, split: Split) -> Iterator[Document]:
        """The documents of one split, uncleaned (held-out text, or encode-corpus --split)."""
        for doc in self.read():
            if split_of(doc.id, self.seed, self.valid, self.test) == split:
                yield doc

    def train_texts(self) -> Iterator[str]:
        """Cleaned lines of the training documents."""
        rule = self.split_rule
        for doc in self.read():
            yield from rule.training_lines(doc.id, doc.text)

    def held_out_lines(self, split: Literal["valid", "test"] = "valid") -> list[str]:
        """Raw (uncleaned) non-empty lines of the valid or test documents."""
        if split not in ("valid", "test"):
            raise ValueError(f"held-out split must be 'valid' or 'test', got {split!r}")
        return [line for d in self.split_documents(split) for line in d.text.splitlines() if line.strip()]

    def describe(self) -> str:
        """One line for logs and reports: the source, its limits and how it is split."""
        limits = "".join(
            f", first {value:,} {unit}"
            for value, unit in ((self.max_docs, "documents"), (self.max_bytes, "bytes"))
            if value is not None
        )
        return (
            f"{self.description}{limits}; documents split with seed {self.seed}: "
            f"{self.valid:.0%} valid, {self.test:.0%} test, the rest train"
        )


def load_corpus(
    lang: str | None = None,
    inputs: Sequence[str] = (),
    source: Source | None = None,
    *,
    max_docs: int | None = None,
    max_bytes: int | None = None,
    seed: int = 0,
) -> Corpus:
    """The corpus to train and evaluate on: the embedded one for `lang` unless told otherwise.

    Missing files, unsupported types and contradictory arguments fail here, before training.
    """
    source = source or ("files" if inputs else "embedded")
    if source not in ("embedded", "files", "wikipedia"):
        raise CorpusError(f"unknown corpus source {source!r}; use embedded, files or wikipedia")
    if inputs and source != "files":
        raise CorpusError(f"input files given, but the corpus source is {source!r}")
    if source == "files" and not inputs:
        raise CorpusError("corpus source 'files' needs at least one input file")
    if source != "files" and lang is None:
        raise CorpusError(f"corpus source {source!r} needs a language")
    if source == "wikipedia":
        wiki = LANGUAGES[lang].wikipedia if lang in LANGUAGES else lang
        documents: Callable[[], Iterable[Document]] = partial(stream_wikipedia, wiki)
        description = f"wikimedia/wikipedia {wiki}, streamed from the Hugging Face Hub"
        partitions = partial(file_partitions, [wikipedia_parquet_url(wiki)])
    else:
        paths = [embedded_path(lang)] if source == "embedded" else list(inputs)
        read_files(paths)  # checks the paths now; reading happens on each iteration
        documents = partial(read_files, paths)
        partitions = partial(file_partitions, paths)
        description = (
            f"embedded {lang} corpus {paths[0].name}: {LANGUAGES[lang].describe_sources()}"
            if source == "embedded"
            else f"input files {', '.join(map(str, paths))}"
        )
    return Corpus(documents, description, lang, seed, max_docs, max_bytes, partitions=partitions)
