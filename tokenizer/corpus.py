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
import re
import time
import unicodedata
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from functools import lru_cache, partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Literal

import regex

from .errors import CorpusError, CorpusFileNotFoundError, ReadLimitError, TokenizerError, first_line, network_errors
from .files import NotRegularFileError, kind_of, open_regular
from .registry import LANGUAGES, SCRIPTS, footer_headings

if TYPE_CHECKING:
    import numpy as np

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
MAX_CELL_BYTES = 64 * 2**20  # default bytes of one line or one parquet cell (a Wikipedia article: < 2 MB)
PARQUET_SLICE_BYTES = 8 * 2**20  # parquet text turned into Python strings at a time
_SURROGATE = regex.compile(r"[\ud800-\udfff]")
_json = json.JSONDecoder().decode


@dataclass(frozen=True)
class ReadLimits:
    """What one read of a corpus may take, checked while it reads (None: no limit).

    decompressed: bytes read after decompression, over all inputs (lines of text and JSON, parquet
    column data); rows: lines of a text or jsonl file and rows of a parquet file, empty ones
    included; cell: bytes of one line or one parquet cell; seconds: wall time of the whole read.
    Why all four: a 2 MB gzip file can hold 2 GB of NUL bytes without a line break, or 2 billion
    empty lines, and a 77 kB parquet file 30 million empty rows; each is refused by one of them
    before it costs memory or minutes. The default only bounds a line or cell.
    """

    decompressed: int | None = None
    rows: int | None = None
    cell: int | None = MAX_CELL_BYTES
    seconds: float | None = None

    def meter(self) -> _Meter:
        return _Meter(self)


class _Meter:
    """The running totals of one read against its ReadLimits; raises ReadLimitError when one is passed."""

    def __init__(self, limits: ReadLimits) -> None:
        self.limits = limits
        self.rows = self.bytes = 0
        self.max_rows = limits.rows if limits.rows is not None else float("inf")
        self.max_bytes = limits.decompressed if limits.decompressed is not None else float("inf")
        self.max_cell = limits.cell if limits.cell is not None else float("inf")
        self.deadline = time.monotonic() + limits.seconds if limits.seconds is not None else float("inf")

    @property
    def line_limit(self) -> int:
        """The size to give readline(): more than a line may have, with its line break (-1: no limit)."""
        return -1 if self.limits.cell is None else self.limits.cell + 2  # + "\r\n"

    def line(self, path: str | Path, line_no: int, line: bytes, n_bytes: int) -> None:
        """Count one line (`n_bytes` with its line break), the hot path of text and jsonl files."""
        self.rows += 1
        self.bytes += n_bytes
        if len(line) > self.max_cell:
            self.cell(path, f"line {line_no:,}", len(line))
        if self.rows > self.max_rows or self.bytes > self.max_bytes:
            self._over(path, f"line {line_no:,}")
        if self.rows & 1023 == 1 and time.monotonic() > self.deadline:  # a line takes microseconds
            self._over(path, f"line {line_no:,}")

    def take(self, path: str | Path, where: str, rows: int, n_bytes: int) -> None:
        """Count `rows` rows of `n_bytes` bytes read at `where` ("row group 3")."""
        self.rows += rows
        self.bytes += n_bytes
        if self.rows > self.max_rows or self.bytes > self.max_bytes or time.monotonic() > self.deadline:
            self._over(path, where)

    def cell(self, path: str | Path, where: str, n_bytes: int) -> None:
        """Check the size of one line or cell (`where` names it)."""
        if self.limits.cell is not None and n_bytes > self.limits.cell:
            raise ReadLimitError(
                f"{path}: {where} has more than {self.limits.cell:,} bytes, the limit of one line or cell"
            )

    def _over(self, path: str | Path, where: str) -> None:
        limits = self.limits
        if self.rows > self.max_rows:
            what = f"more than {limits.rows:,} rows (lines), empty ones included"
        elif self.bytes > self.max_bytes:
            what = f"more than {limits.decompressed:,} bytes after decompression"
        else:
            what = f"reading took more than {limits.seconds:g} s"
        raise ReadLimitError(f"{path}: {what}, the limit of this read (stopped at {where})")


def _suffix(path: str | Path) -> str | None:
    name = _name(path)
    return next((s for s in SUPPORTED if name.endswith(s)), None)


def _name(path: str | Path) -> str:
    """The file name of a local path or URL (used in document ids, so equal for both)."""
    return str(path).rstrip("/").rsplit("/", 1)[-1]


def is_url(path: str | Path) -> bool:
    return isinstance(path, str) and "://" in path


def url_error(url: str, e: Exception) -> CorpusError | None:
    """One line naming a URL input and what failed (no network, a missing optional package, a refusal),
    for an exception of fsspec or the HTTP client under it; None if it is not such a failure."""
    if isinstance(e, TokenizerError):
        return None  # already names the input
    if isinstance(e, ImportError):
        quoted = re.findall(r'"([\w.-]+)"', str(e))  # fsspec: 'HTTPFileSystem requires "requests" and "aiohttp" ...'
        cause = e.__cause__ if isinstance(e.__cause__, ImportError) else e
        missing = quoted or ([cause.name.split(".")[0]] if cause.name else [])
        how = f"pip install {' '.join(missing)}" if missing else "install the package it names"
        return CorpusError(f"{url}: reading this URL needs an optional package that is not installed "
                           f"({first_line(e)}); {how}")  # fmt: skip
    if isinstance(e, network_errors()):
        return CorpusError(f"{url}: cannot reach its server ({type(e).__name__}: {first_line(e)}); "
                           "check the network, or give local files")  # fmt: skip
    response = getattr(e, "response", None)
    status = getattr(response, "status_code", None) or getattr(e, "status", None)
    if isinstance(status, int):
        return CorpusError(f"{url}: the server refused (HTTP {status}): {first_line(e)}")
    if isinstance(e, FileNotFoundError):
        return CorpusFileNotFoundError(f"input not found: {url}")
    if isinstance(e, (OSError, ValueError)):  # ValueError: fsspec's "Protocol not known: ..." among others
        return CorpusError(f"{url}: cannot be read ({type(e).__name__}: {first_line(e)})")
    return None


@contextmanager
def _reading_url(url: str) -> Iterator[None]:
    """Failures to list or read a URL input raised as url_error's CorpusError; others unchanged."""
    try:
        yield
    except Exception as e:
        clear = url_error(url, e)
        if clear is None:
            raise
        raise clear from e


def expand_inputs(paths: Sequence[str | Path]) -> list[str | Path]:
    """Check every input before anything is read, so a typo fails at once, not mid-run; a URL
    (fsspec, e.g. hf://...) may be a glob and is replaced by the sorted files it matches."""
    out: list[str | Path] = []
    for p in paths:
        if is_url(p):
            import fsspec  # installed with datasets

            with _reading_url(str(p)):
                fs, _, found = fsspec.get_fs_token_paths(p)
            if not found:
                raise CorpusFileNotFoundError(f"no input file matches {p}")
            matched: list[str | Path] = [fs.unstrip_protocol(f) for f in sorted(found)]
        else:
            path = Path(p)
            try:
                kind = kind_of(path.stat().st_mode)
            except FileNotFoundError:
                raise CorpusFileNotFoundError(f"input file not found: {path}") from None
            except OSError as e:
                raise CorpusError(f"{path}: cannot read the input file: {e.strerror}") from None
            if kind is not None:
                raise CorpusError(f"{path}: not a regular file (it is {kind})")
            matched = [path]
        for m in matched:
            if _suffix(m) is None:
                raise CorpusError(f"{m}: unsupported file type; supported: {', '.join(SUPPORTED)}")
        out.extend(matched)
    return out


def read_files(
    paths: Sequence[str | Path], *, block_lines: int = BLOCK_LINES, limits: ReadLimits = ReadLimits()
) -> Iterator[Document]:
    """Documents from .txt[.gz], .jsonl[.gz] and .parquet files (local paths or fsspec URLs), in order.

    Plain text has no article boundaries, so a document is a block of `block_lines` consecutive
    non-empty lines: neighbouring paragraphs of one article mostly share a block and thus a split.
    All paths are checked before anything is read (see expand_inputs); `limits` bound the read as
    a whole (see ReadLimits).
    """
    if block_lines < 1:
        raise ValueError(f"block_lines must be at least 1, got {block_lines}")
    checked = expand_inputs(paths)

    def documents() -> Iterator[Document]:
        meter = limits.meter()
        for path in checked:
            yield from Partition(str(path), block_lines=block_lines, limits=limits).documents(meter)

    return documents()


@dataclass(frozen=True)
class Partition:
    """A piece of a corpus that can be read on its own: a file, or one row group of a parquet file.

    Pickled to Dask workers, so it holds only a path (or URL), numbers and limits.
    """

    path: str
    row_group: int | None = None  # parquet only: read just this row group (None: the whole file)
    first_row: int = 0  # the row number of the row group's first row in its file
    block_lines: int = BLOCK_LINES
    limits: ReadLimits = ReadLimits()

    def documents(self, meter: _Meter | None = None) -> Iterator[Document]:
        """Its documents; `meter` counts against the limits of a read of several partitions."""
        meter = meter or self.limits.meter()
        suffix = _suffix(self.path)
        if suffix in TEXT_SUFFIXES:
            docs = _read_text(self.path, self.block_lines, meter)
        elif suffix == ".parquet":
            docs = _read_parquet(self.path, self.row_group, self.first_row, meter)
        else:
            docs = _read_jsonl(self.path, meter)
        return _remote_documents(self.path, docs) if is_url(self.path) else docs


def _remote_documents(url: str, docs: Iterator[Document]) -> Iterator[Document]:
    """The documents of a URL, with a failure to reach or read it mid-way named (see url_error)."""
    with _reading_url(url):
        yield from docs


def file_partitions(
    paths: Sequence[str | Path], block_lines: int = BLOCK_LINES, limits: ReadLimits = ReadLimits()
) -> list[Partition]:
    """The partitions of files: one per row group of a parquet file, one per other file.

    Reads only parquet footers. A text or jsonl file is one partition because its document ids
    number its blocks or rows from the start, so cut it into several files to spread it.
    """
    parts: list[Partition] = []
    for path in expand_inputs(paths):
        if _suffix(path) != ".parquet":
            parts.append(Partition(str(path), block_lines=block_lines, limits=limits))
            continue
        with _reading_url(str(path)) if is_url(path) else nullcontext(), _open_binary(path) as f:
            meta = _parquet_file(f, path).metadata
            first = 0
            for i in range(meta.num_row_groups):
                parts.append(Partition(str(path), i, first, block_lines, limits))
                first += meta.row_group(i).num_rows
    return parts


def _open_binary(path: str | Path) -> BinaryIO:
    if is_url(path):
        import fsspec

        return fsspec.open(path, "rb").open()
    try:
        return open_regular(path)
    except NotRegularFileError as e:
        raise CorpusError(f"{path}: {e.strerror}") from None


@contextmanager
def _open_lines(path: str | Path) -> Iterator[BinaryIO]:
    """The file's bytes, decompressed if its name ends with .gz."""
    with _open_binary(path) as raw:
        if _name(path).endswith(".gz"):
            with gzip.open(raw, "rb") as f:
                yield f
        else:
            yield raw


def _lines(path: str | Path, meter: _Meter) -> Iterator[tuple[int, bytes]]:
    """(line number, line without its line break) of a text or jsonl file, within the meter's limits.

    readline() is given a size, so a file without line breaks (2 GB of NUL bytes in a 2 MB gzip)
    is refused after one line's limit, not read whole; every line counts as a row, empty or not."""
    size = meter.line_limit
    try:
        with _open_lines(path) as f:
            line_no = 0
            while raw := f.readline(size):
                line_no += 1
                line = raw.rstrip(b"\r\n") if raw.endswith(b"\n") else raw
                meter.line(path, line_no, line, len(raw))
                yield line_no, line
    except (OSError, EOFError, zlib.error) as e:  # a corrupt or cut gzip stream
        raise CorpusError(f"{path}: cannot be read ({type(e).__name__}: {e})") from None


def _parquet_file(f, path: str | Path, columns: Sequence[str] = ()):
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(f, read_dictionary=list(columns) or None)
    except (pa.ArrowException, OSError) as e:
        raise CorpusError(f"{path}: not a readable parquet file ({e})") from None


def _read_parquet(path: str, row_group: int | None, first_row: int, meter: _Meter) -> Iterator[Document]:
    """Rows of a parquet file (or one row group) as documents, exactly as stream_rows reads them.

    Bounded before any text becomes a Python string: a row group's rows and the uncompressed size
    of its columns are in the footer and count against the limits before it is read; columns are
    read as dictionaries (indices into distinct values), so that the cell sizes, and what many rows
    repeating one long value would decode to, are checked on the lengths alone; rows then become
    strings a slice of at most PARQUET_SLICE_BYTES at a time."""
    import pyarrow as pa

    name = _name(path)
    with _open_binary(path) as f:
        columns = _parquet_file(f, path).schema_arrow.names
        if "text" not in columns:
            raise CorpusError(f"{name}: no 'text' column (columns: {', '.join(columns)})")
        wanted = [c for c in ("id", "text") if c in columns]
        f.seek(0)
        pf = _parquet_file(f, path, wanted)
        kind = pf.schema_arrow.field("text").type
        kind = kind.value_type if isinstance(kind, pa.DictionaryType) else kind
        if not (pa.types.is_string(kind) or pa.types.is_large_string(kind) or pa.types.is_null(kind)):
            raise CorpusError(f"{name}: the 'text' column holds {kind}, not strings")
        meta = pf.metadata
        leaf = {meta.schema.column(i).path: i for i in range(meta.num_columns)}
        row = first_row
        for g in range(meta.num_row_groups) if row_group is None else [row_group]:
            group = meta.row_group(g)
            stored = sum(group.column(leaf[c]).total_uncompressed_size for c in wanted if c in leaf)
            meter.take(path, f"row group {g}", group.num_rows, stored)
            decoded = 0
            for batch in pf.read_row_group(g, columns=wanted).to_batches():
                lengths = {c: _cell_lengths(batch.column(c)) for c in wanted}
                for c, n in lengths.items():
                    if len(n):
                        k = int(n.argmax())
                        meter.cell(path, f"row {row + k:,} ({c!r})", int(n[k]))
                before = max(decoded - stored, 0)
                decoded += sum(int(n.sum()) for n in lengths.values())
                meter.take(path, f"row {row:,}", 0, max(decoded - stored, 0) - before)
                texts, ids = batch.column("text"), batch.column("id") if "id" in wanted else None
                for start, stop in _slices(lengths["text"], PARQUET_SLICE_BYTES):
                    some = texts.slice(start, stop - start).to_pylist()
                    some_ids = ids.slice(start, stop - start).to_pylist() if ids is not None else [None] * len(some)
                    for doc_id, text in zip(some_ids, some, strict=True):
                        yield Document(str(doc_id) if doc_id is not None else f"{name}#{row}", text or "")
                        row += 1


def _cell_lengths(array) -> np.ndarray:
    """Bytes of each cell of a string or binary column (dictionary-encoded or not); 0 for other types."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    values = array.dictionary if isinstance(array, pa.DictionaryArray) else array
    if not (pa.types.is_string(values.type) or pa.types.is_large_string(values.type)
            or pa.types.is_binary(values.type) or pa.types.is_large_binary(values.type)):
        return np.zeros(len(array), dtype=np.int64)
    lengths = pc.fill_null(pc.binary_length(values), 0).to_numpy(zero_copy_only=False).astype(np.int64)
    if isinstance(array, pa.DictionaryArray):
        indices = pc.fill_null(array.indices, 0).to_numpy(zero_copy_only=False)
        return lengths[indices] if len(lengths) else np.zeros(len(array), dtype=np.int64)
    return lengths


def _slices(lengths: np.ndarray, limit: int) -> Iterator[tuple[int, int]]:
    """(start, stop) of consecutive rows of at most `limit` bytes together (or one row)."""
    import numpy as np

    ends = np.cumsum(lengths)
    start = 0
    while start < len(lengths):
        base = ends[start - 1] if start else 0
        stop = max(int(np.searchsorted(ends, base + limit, side="right")), start + 1)
        yield start, stop
        start = stop


def _read_jsonl(path: str, meter: _Meter) -> Iterator[Document]:
    """Rows of a JSON-lines file (.jsonl[.gz], one object per line, blank lines skipped) as documents,
    with the ids `stream_rows` gives a `datasets` json stream of it (tests check), 10x faster to start."""
    name = _name(path)
    n = 0
    for line_no, line in _lines(path, meter):
        if not line.strip():
            continue
        try:
            row = _json(line.decode("utf-8"))
        except ValueError as e:  # also invalid UTF-8
            raise CorpusError(f"{path}: line {line_no} is not a JSON object ({e})") from None
        except RecursionError:
            raise CorpusError(f"{path}: line {line_no} is nested too deeply to be a row of text") from None
        if not isinstance(row, dict):
            raise CorpusError(f"{path}: line {line_no} is not a JSON object")
        if "text" not in row:
            raise CorpusError(f"{name}: line {line_no}: no 'text' column (columns: {', '.join(row)})")
        text, doc_id = row["text"], row.get("id")
        if not isinstance(text, str | None):
            raise CorpusError(f"{path}: line {line_no}: 'text' is a {type(text).__name__}, not a string")
        if text and (bad := _SURROGATE.search(text)):
            raise CorpusError(
                f"{path}: line {line_no}: 'text' holds a lone surrogate (U+{ord(bad.group()):04X}, a \\u escape) "
                f"at index {bad.start():,}: not a character, and UTF-8 cannot encode it"
            )
        yield Document(str(doc_id) if doc_id is not None else f"{name}#{n}", text or "")
        n += 1


def _read_text(path: str | Path, block_lines: int, meter: _Meter) -> Iterator[Document]:
    name = _name(path)
    block: list[str] = []
    n_blocks = 0
    for line_no, raw in _lines(path, meter):
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError as e:
            raise CorpusError(f"{path}: line {line_no} is not valid UTF-8 ({e.reason} at byte {e.start})") from None
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
    except (OSError, *network_errors()) as e:  # httpx's errors are not OSErrors
        raise CorpusError(
            f"could not reach the Hugging Face Hub to stream {name} ({type(e).__name__}); "
            "train on local files with --input instead"
        ) from e


def wikipedia_parquet_url(lang: str, date: str = "20231101") -> str:
    """The parquet shards of the dump that stream_wikipedia reads, as an fsspec glob (same rows, same ids)."""
    return f"hf://datasets/wikimedia/wikipedia/{date}.{lang}/*.parquet"


def clean_document(text: str) -> str:
    """Light cleaning of TRAINING text: stripped lines, no empty or boilerplate lines.

    Boilerplate is a line with fewer than 3 letters (numbers, punctuation, list debris) or a
    Wikipedia footer heading. ZWJ/ZWNJ are kept: they change how Indic conjuncts render.
    Never applied to text being encoded: a tokenizer must round-trip user text byte for byte.
    Not normalised either: text is encoded as it comes, so it trains in the spelling it will be
    encoded in (a corpus that writes য় or क़ as one code point, as NFC does not, trains so).
    """
    kept = []
    for line in text.splitlines():
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


_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}--[\u200c\u200d\t\n]]", regex.V1)
_SPACES = regex.compile(r"\s+")


def normalise_line(text: str) -> str:
    """The shared corpora's cleaning of one line: NFC, control and format characters gone (ZWJ/ZWNJ
    kept), whitespace collapsed to one space, stripped. Equal results = the same sentence."""
    return _SPACES.sub(" ", _CONTROL.sub("", unicodedata.normalize("NFC", text))).strip()


def line_hash(line: str) -> str:
    """The id of a line in an exclusion list: sha256 of normalise_line(line), 16 hex digits."""
    return hashlib.sha256(normalise_line(line).encode("utf-8")).hexdigest()[:16]


@lru_cache(maxsize=32)
def excluded_lines(path: str) -> frozenset[str]:
    """The line hashes of an exclusion file (one per line), read once per process."""
    try:
        with open(path, encoding="ascii") as f:
            return frozenset(line.strip() for line in f if line.strip())
    except (OSError, UnicodeDecodeError) as e:
        raise CorpusError(f"{path}: not a readable exclusion list ({e})") from None


@dataclass(frozen=True)
class SplitRule:
    """How documents are assigned to splits; small and picklable, so workers apply the same rule.

    `exclude` names a file of line hashes (line_hash) that no split may use: the lines of a held-out
    source, kept out of training and of the in-domain held-out lines alike (data/validation/).
    `train_only` names one of lines that train (in a training document) but never count as held-out
    text: a source of another genre that should shape the vocabulary without changing what the
    in-domain splits measure. `train_files` names files (as document ids begin: `name#n`) whose
    documents all train: text of another genre added to a corpus, never held out."""

    seed: int = 0
    valid: float = 0.05
    test: float = 0.05
    exclude: str | None = None
    train_only: str | None = None
    train_files: tuple[str, ...] = ()

    def split(self, doc_id: str) -> Split:
        """The document's split: split_of, except that a document of a train file always trains."""
        if self.train_files and doc_id.rsplit("#", 1)[0] in self.train_files:
            return "train"
        return split_of(doc_id, self.seed, self.valid, self.test)

    def training_lines(self, doc_id: str, text: str) -> list[str]:
        """The cleaned lines a document gives to training: none unless it is in the train split."""
        if self.split(doc_id) != "train":
            return []
        cleaned = clean_document(text)
        lines = cleaned.split("\n") if cleaned else []
        return self.keep(lines) if self.exclude else lines

    def keep(self, lines: list[str]) -> list[str]:
        """The lines not in the exclusion list."""
        if not self.exclude:
            return lines
        drop = excluded_lines(self.exclude)
        return [line for line in lines if line_hash(line) not in drop]

    def held_out(self, lines: list[str]) -> list[str]:
        """The lines that count as held-out text: neither excluded nor train-only."""
        lines = self.keep(lines)
        if not self.train_only:
            return lines
        drop = excluded_lines(self.train_only)
        return [line for line in lines if line_hash(line) not in drop]


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
    exclude: str | None = None  # a file of line hashes no split may use (see SplitRule)
    train_only: str | None = None  # a file of line hashes that train but are never held-out text
    train_files: tuple[str, ...] = ()  # file names whose documents all train (see SplitRule)

    @property
    def split_rule(self) -> SplitRule:
        return SplitRule(self.seed, self.valid, self.test, self.exclude, self.train_only, self.train_files)

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
        rule = self.split_rule
        for doc in self.read():
            if rule.split(doc.id) == split:
                yield doc

    def train_texts(self) -> Iterator[str]:
        """Cleaned lines of the training documents."""
        rule = self.split_rule
        for doc in self.read():
            yield from rule.training_lines(doc.id, doc.text)

    def all_texts(self) -> Iterator[str]:
        """Cleaned lines of every document, held-out ones too (a baseline trained on the whole corpus)."""
        rule = self.split_rule
        for doc in self.read():
            cleaned = clean_document(doc.text)
            yield from rule.keep(cleaned.split("\n") if cleaned else [])

    def held_out_lines(self, split: Literal["valid", "test"] = "valid") -> list[str]:
        """Raw (uncleaned) non-empty lines of the valid or test documents."""
        if split not in ("valid", "test"):
            raise ValueError(f"held-out split must be 'valid' or 'test', got {split!r}")
        lines = [line for d in self.split_documents(split) for line in d.text.splitlines() if line.strip()]
        return self.split_rule.held_out(lines)

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


def validation_set(lang: str) -> list[tuple[str, str]]:
    """The language's out-of-domain validation set (data/validation/<code>.tsv.gz, built by
    `python -m bench.validation_sets`): (source, text) pairs, [] if it has none. Never trained on."""
    path = DATA_DIR / LANGUAGES[lang].validation
    if not path.is_file():
        return []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        rows = [line.rstrip("\n").split("\t", 1) for line in f if line.strip()]
    if any(len(row) != 2 for row in rows):
        raise CorpusError(f"{path}: every line must be 'source<TAB>text'")
    return [(source, text) for source, text in rows]


def load_corpus(
    lang: str | None = None,
    inputs: Sequence[str] = (),
    source: Source | None = None,
    *,
    max_docs: int | None = None,
    max_bytes: int | None = None,
    seed: int = 0,
    limits: ReadLimits = ReadLimits(),
) -> Corpus:
    """The corpus to train and evaluate on: the embedded one for `lang` unless told otherwise.

    Missing files, unsupported types and contradictory arguments fail here, before training;
    `limits` bound every read of files (see ReadLimits).
    """
    for what, value in (("max_docs", max_docs), ("max_bytes", max_bytes)):
        if value is not None and (not isinstance(value, int) or value < 0):
            raise CorpusError(f"{what} must be a whole number >= 0 (or None: no limit), got {value!r}")
    source = source or ("files" if inputs else "embedded")
    if source not in ("embedded", "files", "wikipedia"):
        raise CorpusError(f"unknown corpus source {source!r}; use embedded, files or wikipedia")
    if inputs and source != "files":
        raise CorpusError(f"input files given, but the corpus source is {source!r}")
    if source == "files" and not inputs:
        raise CorpusError("corpus source 'files' needs at least one input file")
    if source != "files" and lang is None:
        raise CorpusError(f"corpus source {source!r} needs a language")
    train_files = LANGUAGES[lang].train_files if source == "embedded" else ()  # text that only trains
    if source == "wikipedia":
        wiki = LANGUAGES[lang].wikipedia if lang in LANGUAGES else lang
        if not wiki:
            script = SCRIPTS[LANGUAGES[lang].script].label
            raise CorpusError(
                f"{LANGUAGES[lang].name} has no Wikipedia written in the {script} script; train on files with --input"
            )
        documents: Callable[[], Iterable[Document]] = partial(stream_wikipedia, wiki)
        description = f"wikimedia/wikipedia {wiki}, streamed from the Hugging Face Hub"
        partitions = partial(file_partitions, [wikipedia_parquet_url(wiki)])
    else:
        paths = [embedded_path(lang), *(DATA_DIR / name for name in train_files)] if source == "embedded" else list(inputs)
        if source == "embedded" and not paths[0].is_file():  # an installed package has no data/ folder
            raise CorpusError(
                f"the embedded {LANGUAGES[lang].name} corpus ({paths[0].name}) comes with a clone of the "
                "indic-tokenizer repository (its data/ folder), not with the installed package; clone it, or give "
                "your own text files with --input FILE"
            )
        read_files(paths)  # checks the paths now; reading happens on each iteration
        documents = partial(read_files, paths, limits=limits)
        partitions = partial(file_partitions, paths, limits=limits)
        description = (
            f"embedded {lang} corpus {paths[0].name}: {LANGUAGES[lang].describe_sources()}"
            if source == "embedded"
            else f"input files {', '.join(map(str, paths))}"
        )
    lists: dict[str, str | None] = {"exclude": None, "train_only": None}  # the embedded corpus's line lists
    for key, relative, says in (
        ("exclude", LANGUAGES[lang].excluded if source == "embedded" else None,
         "lines of its out-of-domain validation sources held out"),
        ("train_only", LANGUAGES[lang].train_only if source == "embedded" else None,
         "lines of another genre train but are not held-out text"),
    ):
        path = DATA_DIR / relative if relative else None
        if path is not None and path.is_file():
            lists[key] = str(path)
            description += f"; {len(excluded_lines(str(path))):,} {says} ({path.name})"
    if train_files:
        description += f"; {', '.join(train_files)} only train{'s' if len(train_files) == 1 else ''} (never held out)"
    return Corpus(documents, description, lang, seed, max_docs, max_bytes, partitions=partitions,
                  train_files=train_files, **lists)
