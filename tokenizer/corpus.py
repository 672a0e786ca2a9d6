"""Training text: read documents, clean them, and split them into train / valid / test.

A Document is the unit of the split, so all lines of one document land on the same side and
near-duplicate neighbouring paragraphs cannot leak from training into evaluation. Sources are
the embedded corpus (`data/{lang}.txt.gz`), local files, or Wikipedia streamed from the
Hugging Face Hub; jsonl, parquet and Wikipedia go through `datasets` so large inputs stream.

Only training text is cleaned (`clean_document`); held-out lines stay raw so metrics measure
text as users will feed it, and `Tokenizer.encode` never cleans or normalises anything.
"""

from __future__ import annotations

import gzip
import hashlib
import itertools
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal

import regex

from .errors import CorpusError, CorpusFileNotFoundError
from .languages import CODES

Split = Literal["train", "valid", "test"]
Source = Literal["embedded", "files", "wikipedia"]

LANGS = CODES
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
TEXT_SUFFIXES = (".txt", ".txt.gz")
ROW_SUFFIXES = {".jsonl": "json", ".jsonl.gz": "json", ".parquet": "parquet"}  # -> datasets builder
SUPPORTED = TEXT_SUFFIXES + tuple(ROW_SUFFIXES)

# Section headings that end Wikipedia articles and are followed by lists, not prose; compared
# after stripping "=" markup, spaces and a trailing colon, case-insensitively.
FOOTER_HEADINGS = frozenset(
    {
        "सन्दर्भ", "संदर्भ", "टिप्पणी", "टिप्पणियाँ", "बाहरी कड़ियाँ", "बाहरी कड़ियां",
        "इन्हें भी देखें", "यह भी देखें",
        "ಉಲ್ಲೇಖಗಳು", "ಉಲ್ಲೇಖ", "ಬಾಹ್ಯ ಸಂಪರ್ಕಗಳು", "ಬಾಹ್ಯ ಕೊಂಡಿಗಳು", "ಹೊರಗಿನ ಕೊಂಡಿಗಳು",
        "ಇವನ್ನೂ ನೋಡಿ", "ಇದನ್ನೂ ನೋಡಿ",
        "references", "external links", "see also", "notes", "further reading",
    }
)  # fmt: skip
# Three letters (Unicode L or M: Indic vowel signs are M) anywhere in the line.
_THREE_LETTERS = regex.compile(r"(?:[^\p{L}\p{M}]*[\p{L}\p{M}]){3}")


@dataclass(frozen=True)
class Document:
    id: str
    text: str  # one paragraph per line


def embedded_path(lang: str) -> Path:
    """Path of the corpus shipped with the package for `lang` (see data/ATTRIBUTION.md)."""
    if lang not in LANGS:
        raise ValueError(f"no embedded corpus for language {lang!r}; known: {', '.join(LANGS)}")
    return DATA_DIR / f"{lang}.txt.gz"


def _suffix(path: Path) -> str | None:
    return next((s for s in SUPPORTED if path.name.endswith(s)), None)


def read_files(paths: Sequence[str | Path], *, block_lines: int = 25) -> Iterator[Document]:
    """Documents from local .txt[.gz], .jsonl[.gz] and .parquet files, in order.

    Plain text has no article boundaries, so a document is a block of `block_lines` consecutive
    non-empty lines: neighbouring paragraphs of one article mostly share a block and thus a split.
    All paths are checked before anything is read, so a typo fails at once, not mid-run.
    """
    if block_lines < 1:
        raise ValueError(f"block_lines must be at least 1, got {block_lines}")
    checked = [Path(p) for p in paths]
    for path in checked:
        if not path.is_file():
            raise CorpusFileNotFoundError(f"input file not found: {path}")
        if _suffix(path) is None:
            raise CorpusError(f"{path}: unsupported file type; supported: {', '.join(SUPPORTED)}")
    return _read_checked(checked, block_lines)


def _read_checked(paths: list[Path], block_lines: int) -> Iterator[Document]:
    for path in paths:
        suffix = _suffix(path)
        if suffix in TEXT_SUFFIXES:
            yield from _read_text(path, block_lines)
        else:
            import datasets  # slow to import; only rows and Wikipedia need it

            rows = datasets.load_dataset(
                ROW_SUFFIXES[suffix], data_files=str(path), split="train", streaming=True
            )
            yield from stream_rows(rows, source=path.name)


def _read_text(path: Path, block_lines: int) -> Iterator[Document]:
    opener = gzip.open if path.name.endswith(".gz") else open
    block: list[str] = []
    n_blocks = 0
    with opener(path, "rb") as f:
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
                yield Document(f"{path.name}#{n_blocks}", "\n".join(block))
                block, n_blocks = [], n_blocks + 1
    if block:
        yield Document(f"{path.name}#{n_blocks}", "\n".join(block))


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
        n_bytes += len(doc.text.encode("utf-8"))
        if max_bytes is not None and n_bytes >= max_bytes:
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
class Corpus:
    """Documents plus their split; each method re-reads the source, so nothing is held in memory."""

    documents: Callable[[], Iterable[Document]]
    description: str
    lang: str | None = None
    seed: int = 0
    max_docs: int | None = None
    max_bytes: int | None = None
    valid: float = 0.05
    test: float = 0.05

    def _docs(self, split: Split) -> Iterator[Document]:
        for doc in limit(self.documents(), self.max_docs, self.max_bytes):
            if split_of(doc.id, self.seed, self.valid, self.test) == split:
                yield doc

    def train_texts(self) -> Iterator[str]:
        """Cleaned lines of the training documents."""
        for doc in self._docs("train"):
            cleaned = clean_document(doc.text)
            if cleaned:
                yield from cleaned.split("\n")

    def held_out_lines(self, split: Literal["valid", "test"] = "valid") -> list[str]:
        """Raw (uncleaned) non-empty lines of the valid or test documents."""
        if split not in ("valid", "test"):
            raise ValueError(f"held-out split must be 'valid' or 'test', got {split!r}")
        return [line for d in self._docs(split) for line in d.text.splitlines() if line.strip()]

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
        documents: Callable[[], Iterable[Document]] = partial(stream_wikipedia, lang)
        description = f"wikimedia/wikipedia {lang}, streamed from the Hugging Face Hub"
    else:
        paths = [embedded_path(lang)] if source == "embedded" else list(inputs)
        read_files(paths)  # checks the paths now; reading happens on each iteration
        documents = partial(read_files, paths)
        description = (
            f"embedded {lang} corpus {paths[0].name} (Wikipedia, CC BY-SA 4.0)"
            if source == "embedded"
            else f"input files {', '.join(map(str, paths))}"
        )
    return Corpus(documents, description, lang, seed, max_docs, max_bytes)
