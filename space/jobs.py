"""The Train view's job, apart from the UI: read the text, split it by document, train in a
worker process with progress and cancellation, follow the held-out curve, measure, write the downloads.

The text is held in memory (at most MAX_UPLOAD_BYTES of UTF-8); training reads it once. The
held-out curve is followed incrementally: each progress report hands over the merges learned so
far, and only the held-out chunks holding a new merge's pair are re-counted (as
`tokenizer.metrics.compression_curve` does for a finished model).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import tokenizer
from tokenizer import corpus as corpora
from tokenizer.bpe import merge
from tokenizer.encoding import ENDOFTEXT
from tokenizer.hf import export
from tokenizer.languages import LANGUAGES, Language, detect, script_counts
from tokenizer.metrics import Metrics, evaluate, measure
from tokenizer.pretokenize import Pattern
from tokenizer.train import VOCAB_CAP, TrainProgress, get_recipe

from .guards import MAX_UPLOAD_BYTES, UserError, first_line

log = logging.getLogger("indic-tokenizer-space")
ROOT = Path(__file__).resolve().parent.parent

MIN_VOCAB = 257  # 256 bytes + <|endoftext|>: zero merges, a pure byte tokenizer
WALL_TIME = 120.0  # seconds a training may take, counting included
BLOCK_LINES = 10  # lines per document for plain text (the unit of the train / held-out split)
HELD_OUT = 0.1  # share of documents held out
CURVE_BYTES = 2_000_000  # held-out text followed by the live curve (the final metrics use all)
UPLOAD_TYPES = tuple(corpora.SUPPORTED)


class Stopped(Exception):
    """A training that was stopped: cancelled, or over the wall-time cap."""

    def __init__(self, why: str) -> None:
        super().__init__(why)
        self.why = why  # "cancelled" or "time"


# ----- the text -------------------------------------------------------------------------------------
@dataclass
class TrainingText:
    documents: list[corpora.Document]
    description: str
    language: Language | None  # for the shipped model to compare with

    def split(self) -> tuple[list[str], list[str], str]:
        """(training lines (cleaned), held-out lines (raw), a note on how they were split)."""
        train = [d for d in self.documents if corpora.split_of(d.id, 0, HELD_OUT, 0.0) == "train"]
        held = [d for d in self.documents if corpora.split_of(d.id, 0, HELD_OUT, 0.0) != "train"]
        note = f"{len(held):,} of {len(self.documents):,} documents held out (by a hash of each document's id)"
        if not held and len(train) > 1:
            held, train = train[-1:], train[:-1]
            note = f"the last of {len(self.documents):,} documents held out (too few for a hashed split)"
        lines = [x for d in train for x in corpora.clean_document(d.text).split("\n") if x]
        held_lines = [x for d in held for x in d.text.splitlines() if x.strip()]
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


def embedded_text(code: str) -> TrainingText:
    lang = LANGUAGES.get(code)
    if lang is None:
        raise UserError(f"Unknown corpus {code!r}; choose one of {', '.join(LANGUAGES)}.")
    path = corpora.DATA_DIR / lang.corpus
    if not path.is_file():
        raise UserError(f"The embedded {lang.name} corpus is not available ({path.name} is missing).")
    docs = _capped(corpora.read_files([path], block_lines=BLOCK_LINES), f"The {lang.name} corpus")
    return TrainingText(docs, f"the embedded {lang.name} corpus ({path.name}, Wikipedia, CC BY-SA 4.0)", lang)


def uploaded_text(path: str | Path, original_name: str | None = None) -> TrainingText:
    """An uploaded .txt, .txt.gz, .jsonl or .parquet file (gradio hands over a path)."""
    path = Path(path)
    name = original_name or path.name
    if not any(name.endswith(s) for s in UPLOAD_TYPES):
        raise UserError(f"{name}: unsupported file type; upload one of {', '.join(UPLOAD_TYPES)}.")
    try:
        docs = _capped(corpora.read_files([path], block_lines=BLOCK_LINES), name)
    except UserError:
        raise
    except corpora.CorpusError as e:
        raise UserError(first_line(e).replace(str(path), name)) from None
    except Exception as e:  # noqa: BLE001 - datasets/pyarrow: a broken jsonl or parquet file
        raise UserError(f"{name} could not be read: {first_line(e)[:300]}") from None
    if not any(d.text.strip() for d in docs):
        raise UserError(f"{name} has no text to train on.")
    return TrainingText(docs, f"your file {name}", _language_of(docs))


def pasted_text(text: str) -> TrainingText:
    if len(text.encode("utf-8", "surrogatepass")) > MAX_UPLOAD_BYTES:
        raise UserError(f"The pasted text is over {MAX_UPLOAD_BYTES / 1e6:.0f} MB; the Space trains on at most that.")
    lines = [x for x in text.splitlines() if x.strip()]
    docs = [corpora.Document(f"pasted#{k}", "\n".join(lines[i : i + BLOCK_LINES]))
            for k, i in enumerate(range(0, len(lines), BLOCK_LINES))]
    if not docs:
        raise UserError("The pasted text is empty: paste some text to train on.")
    return TrainingText(docs, "your pasted text", _language_of(docs))


# ----- the live held-out curve -----------------------------------------------------------------------
class HeldOutCurve:
    """bytes/token of held-out text under the merges learned so far, updated merge by merge."""

    def __init__(self, lines: Iterable[str], pattern: Pattern, n_special: int) -> None:
        counts: Counter[str] = Counter()
        size = 0
        for line in lines:
            counts.update(pattern.split(line))
            size += len(line.encode("utf-8"))
            if size >= CURVE_BYTES:
                break
        self.words = [list(chunk.encode("utf-8")) for chunk in counts]
        self.freqs = list(counts.values())
        self.bytes = sum(len(w) * f for w, f in zip(self.words, self.freqs))
        self.tokens = self.bytes
        self.where: dict[tuple[int, int], set[int]] = {}
        for w, ids in enumerate(self.words):
            for pair in zip(ids, ids[1:]):
                self.where.setdefault(pair, set()).add(w)
        self.n_special = n_special
        self.applied = 0
        self.points: list[tuple[int, float]] = [(256 + n_special, 1.0)] if self.bytes else []

    def advance(self, merges: Sequence[tuple[int, int]]) -> None:
        """Apply the merges not applied yet (merges[k] makes id 256 + k) and add a point."""
        if not self.bytes or len(merges) <= self.applied:
            return
        for k in range(self.applied, len(merges)):
            pair, new_id = merges[k], 256 + k
            for w in self.where.pop(pair, ()):
                old = self.words[w]
                new = merge(old, pair, new_id)
                if len(new) == len(old):
                    continue
                self.tokens -= (len(old) - len(new)) * self.freqs[w]
                self.words[w] = new
                for p in zip(new, new[1:]):
                    if new_id in p:
                        self.where.setdefault(p, set()).add(w)
        self.applied = len(merges)
        self.points.append((256 + self.applied + self.n_special, round(self.bytes / self.tokens, 4)))


# ----- the job ---------------------------------------------------------------------------------------
@dataclass
class Job:
    """One training in a worker process (space.worker); the view polls it.

    The worker reports progress as JSON lines, read here by a thread into `progress`. Stopping is
    a kill: Cancel and the wall-time cap end the training at once, whatever stage it is in.
    """

    lines: list[str]
    vocab_size: int
    recipe: str  # "curriculum" or "bpe"
    pattern: str | None  # for bpe
    cancelled: bool = False
    timed_out: bool = False
    started: float = field(default_factory=time.monotonic)
    progress: TrainProgress | None = None
    merges: list[tuple[int, int]] = field(default_factory=list)
    finished: bool = False
    folder: Path | None = None
    process: subprocess.Popen | None = None
    reader: threading.Thread | None = None

    def start(self) -> Job:
        self.folder = Path(tempfile.mkdtemp(prefix="indic-space-train-"))
        (self.folder / "lines.txt").write_text("\n".join(self.lines), encoding="utf-8")
        spec = {"vocab_size": self.vocab_size, "recipe": self.recipe, "pattern": self.pattern,
                "lines": str(self.folder / "lines.txt"), "out": str(self.folder / "model.model")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "space.worker", json.dumps(spec)], cwd=ROOT, text=True, encoding="utf-8",
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.started = time.monotonic()
        self.reader = threading.Thread(target=self._read, name="space-train-progress", daemon=True)
        self.reader.start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            msg = json.loads(line)
            if msg.get("finished"):
                self.finished = True
                continue
            self.merges.extend(tuple(pair) for pair in msg["new"])
            self.progress = TrainProgress(msg["done"], msg["total"], msg["stage"], tuple(self.merges), msg["elapsed"])

    def over_time(self) -> bool:
        return self.elapsed > WALL_TIME

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether the worker has ended (and its output has been read)."""
        assert self.process is not None and self.reader is not None
        self.reader.join(seconds)
        if self.reader.is_alive():
            return False
        self.process.wait()
        return True

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.reader is not None:
            self.reader.join(5)

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
        assert self.process is not None and self.folder is not None
        if self.process.returncode == 0 and self.finished:
            return tokenizer.load(self.folder / "model.model"), None
        err = (self.process.stderr.read() if self.process.stderr else "").strip().splitlines()
        said = [x for x in err if x.startswith("error: ")]
        if said:
            return None, UserError(said[-1].removeprefix("error: ").capitalize() + ".")
        log.error("training worker exited with %s:\n%s", self.process.returncode, "\n".join(err[-30:]))
        return None, RuntimeError(f"the training worker exited with code {self.process.returncode}")

    def close(self) -> None:
        """End the worker if it still runs and remove its files."""
        self.kill()
        for stream in (self.process.stdout, self.process.stderr) if self.process else ():
            if stream:
                stream.close()
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

    try:
        size = int(vocab_size)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise UserError(f"The vocabulary size must be a whole number, not {vocab_size!r}.") from None
    if size != vocab_size and not (isinstance(vocab_size, float) and vocab_size.is_integer()):
        raise UserError(f"The vocabulary size must be a whole number, not {vocab_size!r}.")
    if not MIN_VOCAB <= size <= VOCAB_CAP:
        raise UserError(
            f"The vocabulary size must be {MIN_VOCAB} to {VOCAB_CAP:,} (256 bytes + merges + <|endoftext|>; "
            f"{VOCAB_CAP:,} is the project's cap), not {size:,}."
        )
    if recipe not in ("curriculum", "bpe"):
        raise UserError(f"Choose the recipe curriculum or bpe, not {recipe!r}.")
    if recipe == "bpe":
        if pattern not in PATTERNS or pattern == "akshara":
            known = ", ".join(p for p in PATTERNS if p != "akshara")
            raise UserError(f"Choose a pre-split for plain BPE ({known}), not {pattern!r}.")
        return size, "bpe", str(pattern), PATTERNS[str(pattern)]
    final = get_recipe("curriculum").stages[-1].pattern
    return size, "curriculum", None, PATTERNS[final]


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
