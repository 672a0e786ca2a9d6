"""The Train view's job, apart from the UI: in a worker process, read the text (bounded), split it by
document and train, with progress and cancellation; here, follow the held-out curve, measure, write
the downloads.

The worker holds the text (at most MAX_UPLOAD_BYTES of UTF-8) and hands the server only the
held-out lines. The text is split by document as the library splits a corpus
(tokenizer.corpus.Corpus), and the held-out curve is followed incrementally by
tokenizer.metrics.CompressionCurve: each progress report hands over the merges learned so far.
"""

from __future__ import annotations

import logging
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tokenizer
from tokenizer import corpus as corpora
from tokenizer.encoding import ENDOFTEXT
from tokenizer.errors import TokenizerError
from tokenizer.hf import export
from tokenizer.metrics import Metrics, evaluate, measure
from tokenizer.pretokenize import Pattern
from tokenizer.registry import LANGUAGES, PLAIN_BPE, RECIPES, Language, detect, script_counts
from tokenizer.train import VOCAB_CAP, TrainProgress

from .guards import MAX_UPLOAD_BYTES, UserError, check_text, first_line
from .worker import WorkerProcess

log = logging.getLogger("indic-tokenizer-space")

MIN_VOCAB = 257  # 256 bytes + <|endoftext|>: zero merges, a pure byte tokenizer
WALL_TIME = 120.0  # seconds a training may take, counting included
BLOCK_LINES = 10  # lines per document for plain text (the unit of the train / held-out split)
HELD_OUT = 0.1  # share of documents held out
CURVE_BYTES = 2_000_000  # held-out text followed by the live curve (the final metrics use all)
UPLOAD_TYPES = tuple(corpora.SUPPORTED)
UPLOAD_TYPES_TEXT = ", ".join(UPLOAD_TYPES[:-1]) + " or " + UPLOAD_TYPES[-1]  # for the page: what it accepts
BPE = PLAIN_BPE  # with the pre-split the user picks
POLL_REPORT = 0.25  # seconds between the worker's reports while it reads


class Stopped(Exception):
    """A training that was stopped: cancelled, or over the wall-time cap."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # "cancelled" or "time"


# ----- the text -------------------------------------------------------------------------------------
# Every read of the text to train on is bounded while it reads (tokenizer.corpus.ReadLimits) and runs
# in the worker, under its memory cap and where Cancel and the time cap can stop it: a 2 MB gzip of
# 2 GB of NUL bytes or of empty lines, or a parquet file of 30M empty rows or one 1 GB cell, is
# refused in a second or two, and the server never holds more than the held-out lines.
READ_LIMITS = corpora.ReadLimits(
    decompressed=3 * MAX_UPLOAD_BYTES,  # JSON and parquet bytes around the text (escapes: up to 6 bytes a character)
    rows=1_000_000,  # lines or rows, empty ones included (20 MB in a million lines: 20 bytes a line)
    cell=MAX_UPLOAD_BYTES,  # one line or cell
    seconds=60.0,
)


@dataclass(frozen=True)
class TextSource:
    """What to train on, as the view received it; the worker reads it (see read_source)."""

    kind: str  # "embedded" (value: a language code), "file" (value: its path) or "pasted" (value: the text)
    value: str
    name: str = ""  # an uploaded file's name


@dataclass
class TrainingText:
    documents: list[corpora.Document]
    description: str
    language: Language | None  # for the shipped model to compare with
    train_files: tuple[str, ...] = ()  # an embedded corpus's files that only train (its registry entry's)

    def split(self) -> tuple[list[str], list[str], str]:
        """(training lines (cleaned), held-out lines (raw), a note on how they were split): the
        library's document-level split, with HELD_OUT of the documents held out."""
        corpus = corpora.Corpus(lambda: self.documents, self.description, valid=HELD_OUT, test=0.0,
                                train_files=self.train_files)
        lines = list(corpus.train_texts())
        held_lines = corpus.held_out_lines("valid")
        n_held = sum(1 for _ in corpus.split_documents("valid"))
        note = f"{n_held:,} of {len(self.documents):,} documents held out (by a hash of each document's id)"
        if not held_lines and len(self.documents) > 1:  # too few documents for a hashed split
            last = self.documents[-1]
            rest = corpora.Corpus(lambda: self.documents[:-1], self.description, valid=0.0, test=0.0,
                                  train_files=self.train_files)
            lines = list(rest.train_texts())
            held_lines = [x for x in last.text.splitlines() if x.strip()]
            note = f"the last of {len(self.documents):,} documents held out (too few for a hashed split)"
        if not held_lines:
            held_lines = [x for d in self.documents for x in d.text.splitlines() if x.strip()]
            note = "one document only: nothing could be held out, so the metrics are on the training text"
        return lines, held_lines, note


def _capped(docs: Iterable[corpora.Document], what: str) -> list[corpora.Document]:
    out, size = [], 0
    for doc in docs:
        size += len(doc.text.encode("utf-8", "surrogatepass"))
        if size > MAX_UPLOAD_BYTES:
            raise UserError(
                f"{what} has more than {MAX_UPLOAD_BYTES / 1e6:.0f} MB of text, the Space's limit; "
                "train on a part of it, or run `python -m tokenizer train --input FILE` locally."
            )
        out.append(doc)
    return out


def _language_of(documents: Sequence[corpora.Document]) -> Language | None:
    sample = "\n".join(d.text for d in documents[:200])[:200_000]
    return detect(sample)[0] if script_counts(sample) else None


def embedded(code: str) -> TextSource:
    """An embedded corpus, checked by name (the worker reads it)."""
    lang = LANGUAGES.get(code)
    if lang is None:
        raise UserError(f"Unknown corpus {code!r}; choose one of {', '.join(LANGUAGES)}.")
    if not (corpora.DATA_DIR / lang.corpus).is_file():
        raise UserError(f"The embedded {lang.name} corpus is not available ({lang.corpus} is missing).")
    return TextSource("embedded", code)


def uploaded(path: str | Path, original_name: str | None = None) -> TextSource:
    """An uploaded file of one of UPLOAD_TYPES (gradio hands over a path), checked by name."""
    name = original_name or Path(path).name
    if not any(name.endswith(s) for s in UPLOAD_TYPES):
        raise UserError(f"{name}: unsupported file type; upload one of {', '.join(UPLOAD_TYPES)}.")
    return TextSource("file", str(path), name)


def pasted(text: str) -> TextSource:
    """Pasted text, checked here: it is already in the server's memory."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_UPLOAD_BYTES:
        raise UserError(f"The pasted text is over {MAX_UPLOAD_BYTES / 1e6:.0f} MB; the Space trains on at most that.")
    check_text(text, limit=MAX_UPLOAD_BYTES, what="pasted text")
    if not text.strip():
        raise UserError("The pasted text is empty: paste some text to train on.")
    return TextSource("pasted", text)


def read_source(source: TextSource, progress: Callable[[int, int], None] | None = None) -> TrainingText:
    """The documents of a source, within READ_LIMITS and MAX_UPLOAD_BYTES of text (in the worker).

    progress(documents, bytes of text) is called as they are read."""
    if source.kind == "pasted":
        lines = [x for x in source.value.splitlines() if x.strip()]
        docs = [corpora.Document(f"pasted#{k}", "\n".join(lines[i : i + BLOCK_LINES]))
                for k, i in enumerate(range(0, len(lines), BLOCK_LINES))]
        return TrainingText(docs, "your pasted text", _language_of(docs))
    train_files: tuple[str, ...] = ()
    if source.kind == "embedded":
        lang = LANGUAGES[source.value]
        train_files = lang.train_files
        paths, name = [corpora.DATA_DIR / f for f in (lang.corpus, *train_files)], f"The {lang.name} corpus"
        description = f"the embedded {lang.name} corpus ({' and '.join((lang.corpus, *train_files))}: " \
                      f"{lang.describe_sources()})"
    else:
        paths, name = [Path(source.value)], source.name or Path(source.value).name
        description = f"your file {name}"

    def named(e: Exception) -> str:  # the error's first line, with the server's paths as the user knows them
        text = first_line(e)
        for path in paths:
            text = text.replace(str(path), name)
        return text

    try:
        docs = _capped(_reporting(corpora.read_files(paths, block_lines=BLOCK_LINES, limits=READ_LIMITS), progress),
                       name)
    except corpora.ReadLimitError as e:
        raise UserError(
            named(e) + f". The Space reads at most {MAX_UPLOAD_BYTES / 1e6:.0f} MB of "
            f"text, {READ_LIMITS.rows:,} lines or rows and {READ_LIMITS.seconds:.0f} s per upload: train on a part of "
            "it, or run `python -m tokenizer train --input FILE` locally."
        ) from None
    except UserError:  # already worded for the user (the text limit of _capped): not "could not be read"
        raise
    except TokenizerError as e:  # the library's own errors name the file and line
        raise UserError(named(e)) from None
    except Exception as e:  # noqa: BLE001 - pyarrow and gzip: a broken file
        raise UserError(f"{name} could not be read: {first_line(e)[:300]}") from None
    if not any(d.text.strip() for d in docs):
        raise UserError(f"{name} has no text to train on.")
    return TrainingText(docs, description, _language_of(docs) if source.kind == "file" else LANGUAGES[source.value],
                        train_files)


def _reporting(docs: Iterable[corpora.Document], progress: Callable[[int, int], None] | None):
    """The documents, calling progress(documents so far, bytes so far) now and then."""
    n = size = 0
    last = time.monotonic()
    for doc in docs:
        n += 1
        size += len(doc.text)
        if progress is not None and time.monotonic() - last > POLL_REPORT:
            progress(n, size)
            last = time.monotonic()
        yield doc


# ----- the job ---------------------------------------------------------------------------------------
@dataclass
class Job:
    """One training in a worker process (space.worker), from reading the text to the model file; the
    view polls it.

    The worker reports as JSON lines, read here by a thread: how much it has read, then what it read
    (`text`: description, language, split; the held-out lines are in `held_out_path`), then the
    progress of the training, and last `finished` or an `error` worded for the user. Stopping is a
    kill: Cancel and the wall-time cap end the job at once, whatever it is doing, reading included.
    """

    source: TextSource
    vocab_size: int
    recipe: str  # a registry recipe, or "bpe"
    pattern: str | None  # for bpe
    cancelled: bool = False
    timed_out: bool = False
    started: float = field(default_factory=time.monotonic)
    reading: tuple[int, int] = (0, 0)  # documents and characters read so far
    text: dict | None = None  # what the worker read, once it has
    progress: TrainProgress | None = None
    merges: list[tuple[int, int]] = field(default_factory=list)
    finished: bool = False
    error: str | None = None  # the worker's message for the user
    folder: Path | None = None
    worker: WorkerProcess | None = None

    def start(self) -> Job:
        self.folder = Path(tempfile.mkdtemp(prefix="indic-space-train-"))
        source = {"kind": self.source.kind, "value": self.source.value, "name": self.source.name}
        if self.source.kind == "pasted":  # too long for a command line: the worker reads it from a file
            (self.folder / "pasted.txt").write_text(self.source.value, encoding="utf-8")
            source["value"] = str(self.folder / "pasted.txt")
        spec = {"vocab_size": self.vocab_size, "recipe": self.recipe, "pattern": self.pattern, "source": source,
                "held_out": str(self.held_out_path), "out": str(self.folder / "model.model")}
        self.worker = WorkerProcess(spec, self._message)
        self.worker.start()
        self.started = time.monotonic()
        return self

    @property
    def process(self) -> subprocess.Popen | None:
        """The worker's process (None before start)."""
        return self.worker.process if self.worker else None

    @property
    def held_out_path(self) -> Path:
        assert self.folder is not None
        return self.folder / "held-out.txt"

    def held_out_lines(self) -> list[str]:
        """The held-out lines the worker wrote (raw, one per line)."""
        with open(self.held_out_path, encoding="utf-8", newline="") as f:
            text = f.read()
        return text.split("\n") if text else []

    def _message(self, msg: dict) -> None:
        """One message of the worker (on WorkerProcess's reading thread)."""
        if "reading" in msg:
            self.reading = tuple(msg["reading"])
        elif "text" in msg:
            self.text = msg["text"]
        elif "error" in msg:
            self.error = msg["error"]
        elif msg.get("finished"):
            self.finished = True
        else:
            self.merges.extend(tuple(pair) for pair in msg["new"])
            self.progress = TrainProgress(msg["done"], msg["total"], msg["stage"], tuple(self.merges), msg["elapsed"])

    def over_time(self) -> bool:
        return self.elapsed > WALL_TIME

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether the worker has ended (and its output has been read)."""
        assert self.worker is not None
        return self.worker.wait(seconds)

    def kill(self) -> None:
        if self.worker is not None:
            self.worker.kill()

    def cancel(self) -> None:
        self.cancelled = True
        self.kill()

    def stop_for_time(self) -> None:
        self.timed_out = True
        self.kill()

    def outcome(self) -> tuple[tokenizer.Tokenizer | None, BaseException | None]:
        """(the model, the error) once the worker has ended."""
        if self.cancelled:
            return None, Stopped("cancelled")
        if self.timed_out:
            return None, Stopped("time")
        assert self.worker is not None and self.folder is not None
        if self.worker.returncode == 0 and self.finished:
            return tokenizer.load(self.folder / "model.model"), None
        if self.error:
            return None, UserError(self.error)
        log.error("training worker exited with %s:\n%s", self.worker.returncode, self.worker.stderr_tail())
        return None, RuntimeError(f"the training worker exited with code {self.worker.returncode}")

    def close(self) -> None:
        """End the worker if it still runs and remove its files."""
        if self.worker is not None:
            self.worker.close()
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def partial(self, pattern: Pattern) -> tokenizer.Tokenizer | None:
        """A model of the merges learned before the time cap (None if there are none)."""
        p = self.progress
        if p is None or not p.merges:
            return None
        merges = {pair: 256 + k for k, pair in enumerate(p.merges)}
        return tokenizer.Tokenizer(merges, pattern, {ENDOFTEXT: 256 + len(merges)})


def check_settings(vocab_size: object, recipe: object, pattern: object) -> tuple[int, str, str | None, Pattern]:
    """(vocab size, recipe, pattern for bpe, the model's final pattern), or a UserError."""
    from tokenizer.pretokenize import PATTERNS

    def out_of_range(shown: str) -> UserError:
        return UserError(f"The vocabulary size must be {MIN_VOCAB} to {VOCAB_CAP:,} (256 bytes + merges + "
                         f"<|endoftext|>; {VOCAB_CAP:,} is the project's cap), not {shown}.")

    try:
        size = int(vocab_size)  # type: ignore[arg-type]
    except OverflowError:  # infinity (the API takes any JSON number)
        raise out_of_range(str(vocab_size)) from None
    except (TypeError, ValueError):
        raise UserError(f"The vocabulary size must be a whole number, not {vocab_size!r}.") from None
    if size != vocab_size and not (isinstance(vocab_size, float) and vocab_size.is_integer()):
        raise UserError(f"The vocabulary size must be a whole number, not {vocab_size!r}.")
    if not MIN_VOCAB <= size <= VOCAB_CAP:
        raise out_of_range(f"{size:,}")
    if recipe not in RECIPES:
        raise UserError(f"Choose a recipe ({', '.join(RECIPES)}), not {recipe!r}.")
    if recipe == BPE:
        usable = [name for name, p in PATTERNS.items() if p.spec is None or p.spec.kind != "akshara"]
        if pattern not in usable:
            raise UserError(f"Choose a pre-split for plain BPE ({', '.join(usable)}), not {pattern!r}.")
        return size, BPE, str(pattern), PATTERNS[str(pattern)]
    return size, str(recipe), None, PATTERNS[RECIPES[str(recipe)].stages[-1].pattern]


# ----- results -----------------------------------------------------------------------------------------
def baseline_metrics(
    lines: list[str], shipped: tokenizer.Tokenizer | None, gpt4o: Callable[[], object] | None
) -> dict[str, Metrics]:
    """The shipped model of the language and GPT-4o on the held-out lines (measured before training,
    so the live curve has its targets from the start)."""
    out = {}
    if shipped is not None:
        out["shipped"] = evaluate(shipped, lines)
    if gpt4o is not None:
        enc = gpt4o()
        out["GPT-4o"] = measure(lines, lambda s: enc.decode_tokens_bytes(enc.encode_ordinary(s)), enc.n_vocab)
    return out


def write_downloads(tok: tokenizer.Tokenizer, name: str, metrics: dict | None = None) -> tuple[Path, list[Path]]:
    """(a new temporary directory, [name.model, name.vocab, name-hf.zip]) for the session; `metrics`
    (held-out, as measured in the view) go into the exported model card."""
    out = Path(tempfile.mkdtemp(prefix="indic-space-model-"))
    try:
        model = out / f"{name}.model"
        tokenizer.save(tok, model)
        hf_dir = out / "hf"
        files = export(tok, hf_dir, metrics)
        archive = out / f"{name}-hf.zip"
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
            for f in files:
                z.write(f, f"{name}/{f.name}")
        shutil.rmtree(hf_dir)
        return out, [model, model.with_suffix(".vocab"), archive]
    except BaseException:
        shutil.rmtree(out, ignore_errors=True)
        raise
