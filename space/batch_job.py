"""The Batch view's job, apart from the UI: token counts of every line of a file, in a worker process.

Why a worker: a file of 20 MB can hold 2 million one-letter lines or one line of 20 MB, and the
GPT encodings run in Rust calls that nothing interrupts; in a worker (space.worker) the count has
a memory cap, and the time budget covers every encoder because the server kills the worker at the
deadline. The server then holds only the first rows of the CSV for its table.

In the worker (`count_file`) the file (at most 20 MB) is held as text and read twice, never into a
list of its lines: once to check every line and count them (the line budget refuses a file before any counting), once to count
tokens a chunk of lines at a time, under our model (one per line under Auto, by its script) and
every GPT encoding, writing each chunk's rows to the CSV as it goes. The CSV keeps the user's own
columns (a .txt file's line, a .jsonl file's fields, a .csv file's columns), then ours; every
cell of the user's that a spreadsheet would run as a formula is escaped (OWASP: a leading `'`).
"""

from __future__ import annotations

import atexit
import codecs
import csv
import io
import json
import logging
import os
import shutil
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import tokenizer
from tokenizer.openai import ENCODINGS
from tokenizer.processes import batches
from tokenizer.registry import DEFAULT, script_counts

from .guards import MAX_UPLOAD_BYTES, UserError, check_text
from .models import AUTO, MINE, choose, get_encoding
from .worker import WorkerProcess

log = logging.getLogger("indic-tokenizer-space")

TYPES = (".txt", ".jsonl", ".csv")
MAX_ITEMS = 200_000  # lines or rows a file may have (empty .txt lines are skipped and not counted)
MAX_COLUMNS = 100  # .jsonl fields kept in the CSV (the first ones seen)
WALL_TIME = 120.0  # seconds for the whole count, every encoder included
GRACE = 10.0  # seconds past WALL_TIME before the server kills a worker stuck in one long call
CHUNK_CHARS = 1_000_000  # text per chunk (each line also counts CHUNK_LINE_COST)
CHUNK_LINE_COST = 100  # so that a chunk of one-letter lines stays ~10,000 lines
LONG_LINE = 100_000  # characters beyond which a GPT encoding splits the line in Python first
KEEP_CSV = 3600.0  # seconds a CSV download is kept
OURS = "ours"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class Item:
    line: int  # line number in the file (a .csv row's first line)
    text: str  # what is counted
    fields: tuple[str, ...]  # the user's columns, as they go into the CSV


def escape_cell(value: str) -> str:
    """A cell a spreadsheet will not run as a formula: OWASP's rule, a leading `'` when it starts with
    = + - @ tab or carriage return."""
    return "'" + value if value.startswith(FORMULA_START) else value


# ----- reading (in the worker) --------------------------------------------------------------------
def decode(raw: bytes, name: str) -> str:
    """The file's text, without the byte-order mark that Excel ("CSV UTF-8") and Notepad put first:
    left in, it would be part of the first column's name, the first JSON line or the first line's text."""
    skip = len(codecs.BOM_UTF8) if raw.startswith(codecs.BOM_UTF8) else 0
    try:
        return raw[skip:].decode("utf-8")
    except UnicodeDecodeError as e:
        at = e.start + skip  # a byte of the file as uploaded
        line = raw.count(b"\n", 0, at) + 1
        raise UserError(f"{name} is not valid UTF-8: {e.reason} at byte {at:,} (line {line:,}).") from None


def _cell(value: object) -> str:
    """A JSON value as a CSV cell: a string as it is, anything else as its JSON text."""
    return value if isinstance(value, str) else "" if value is None else json.dumps(value, ensure_ascii=False)


class FileItems:
    """The items of a .txt, .jsonl or .csv file held as text; iterating reads them again each time."""

    def __init__(self, text: str, name: str, column: str) -> None:
        self.text, self.name, self.column = text, name, column
        self.kind = next(t for t in TYPES if name.endswith(t))
        self.columns: list[str] = ["text"]  # the user's columns, found by check()
        self.dropped = 0  # .jsonl fields beyond MAX_COLUMNS

    def check(self) -> tuple[int, str]:
        """Read every item once: (how many, a note on what was read); a UserError names a bad line."""
        if self.kind == ".jsonl":
            seen: dict[str, None] = {}
            for row, _n in self._json_rows():
                seen.update(dict.fromkeys(row))
            self.columns = list(seen)[:MAX_COLUMNS]
            self.dropped = max(len(seen) - MAX_COLUMNS, 0)
        n = 0
        for n, _item in enumerate(self, 1):
            if n > MAX_ITEMS:
                raise UserError(f"{self.name} has more than {MAX_ITEMS:,} {self._unit()}; the Space counts at most "
                                f"{MAX_ITEMS:,}: split it, or count it with the library locally.")
        if not n:
            raise UserError(f"{self.name} has no text to count.")
        what = "non-empty lines" if self.kind == ".txt" else f"rows, column {self.column!r}"
        return n, f"{n:,} {what} of {self.name}"

    def _unit(self) -> str:
        return "non-empty lines" if self.kind == ".txt" else "rows"

    def __iter__(self) -> Iterator[Item]:
        if self.kind == ".txt":
            return self._txt()
        if self.kind == ".jsonl":
            return self._jsonl()
        return self._csv()

    def _lines(self) -> Iterator[tuple[int, str]]:
        for n, line in enumerate(io.StringIO(self.text, newline="\n"), 1):
            yield n, line.removesuffix("\n").removesuffix("\r")

    def _checked(self, n: int, text: str) -> str:
        try:
            return check_text(text, limit=MAX_UPLOAD_BYTES)
        except UserError as e:
            raise UserError(f"{self.name}, line {n:,}: {e}") from None

    def _txt(self) -> Iterator[Item]:
        for n, line in self._lines():
            if line.strip():
                yield Item(n, self._checked(n, line), (line,))

    def _json_rows(self) -> Iterator[tuple[dict, int]]:
        for n, line in self._lines():
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except RecursionError:
                raise UserError(f"{self.name}: line {n:,} is nested too deeply to be a row.") from None
            except ValueError as e:
                raise UserError(f"{self.name}: line {n:,} is not JSON ({e.args[0].split(':')[0]}).") from None
            if not isinstance(row, dict) or self.column not in row:
                keys = ", ".join(row) if isinstance(row, dict) else type(row).__name__
                raise UserError(f"{self.name}: line {n:,} has no {self.column!r} field (it has: {keys}).")
            value = row[self.column]
            if isinstance(value, dict | list):
                kind = "an object" if isinstance(value, dict) else "a list"
                raise UserError(f"{self.name}: line {n:,}: the field {self.column!r} holds {kind}, not text; "
                                "count a field whose values are strings.")
            yield row, n

    def _jsonl(self) -> Iterator[Item]:
        for row, n in self._json_rows():
            text = _cell(row[self.column])
            yield Item(n, self._checked(n, text), tuple(_cell(row.get(c)) for c in self.columns))

    def _csv(self) -> Iterator[Item]:
        csv.field_size_limit(MAX_UPLOAD_BYTES)  # cells up to the upload limit (the default is 131,072)
        reader = csv.reader(io.StringIO(self.text, newline=""))
        try:
            header = next(reader, [])
            if self.column not in header:
                raise UserError(f"{self.name} has no column {self.column!r} (columns: {', '.join(header) or 'none'}).")
            self.columns = header
            k = header.index(self.column)
            start = reader.line_num + 1
            for row in reader:
                text = row[k] if k < len(row) else ""
                yield Item(start, self._checked(start, text), tuple(row) + ("",) * (len(header) - len(row)))
                start = reader.line_num + 1
        except csv.Error as e:
            raise UserError(f"{self.name} is not a readable CSV file: {e} (line {reader.line_num:,}).") from None


# ----- counting (in the worker) ---------------------------------------------------------------------
@dataclass
class Counters:
    """The tokenizers a file is counted with: ours (one per line under Auto) and the GPT encodings."""

    ours: Callable[[str], tuple[str, object]]  # text -> (model key, Tokenizer)
    gpt: dict[str, object] = field(default_factory=dict)  # name -> tiktoken Encoding
    unavailable: dict[str, str] = field(default_factory=dict)


def gpt_count(enc, text: str) -> int:
    """Tokens of text under a tiktoken encoding. Beyond LONG_LINE characters tiktoken's own Python
    split runs first (the same ids): its Rust regex overflows its stack on a long run of spaces."""
    if len(text) <= LONG_LINE:
        return len(enc.encode_ordinary(text))
    return len(enc._encode_only_native_bpe(text))  # tiktoken's regex split in Python, then its BPE


def count_file(spec: dict, send: Callable[[dict], None]) -> None:
    """The worker's part: check, count and write the CSV; sends {"progress": [done, total]} and last
    {"done": {...totals...}}. Raises UserError for a problem with the file or the time budget."""
    seconds = float(spec.get("seconds", WALL_TIME))
    deadline = time.monotonic() + seconds
    path, name = Path(spec["path"]), spec["name"]
    items = FileItems(decode(path.read_bytes(), name), name, spec["column"])
    total, what = items.check()
    send({"progress": [0, total]})
    model = spec["model"]
    if model["kind"] == "file":  # a model of the visitor's session, saved for the worker
        tok = tokenizer.load(model["path"])
        counters = Counters(lambda text: (model["label"], tok))
    else:
        choice = model["choice"]

        def ours(text: str) -> tuple[str, object]:
            chosen = choose(text, choice)  # under Auto, by this line's script
            return chosen.key, chosen.tok

        counters = Counters(ours)
    for gpt in ENCODINGS:
        try:
            counters.gpt[gpt] = get_encoding(gpt)
        except UserError as e:
            counters.unavailable[gpt] = str(e)
    ours_header = OURS if model.get("choice") == AUTO else f"{OURS} ({model['label']})"
    added = ["line", "chars", "bytes", "model", ours_header, *counters.gpt]
    header = [escape_cell(c) for c in items.columns] + [f"{c} (counted)" if c in items.columns else c for c in added]
    totals: Counter[str] = Counter()
    models: Counter[str] = Counter()
    n_bytes = n_chars = done = 0
    # Lines the summary names apart: empty ones, and (under Auto) ones with no letters of a registry
    # script, which get the default model without being in its script.
    n_empty = n_no_script = 0
    auto = model.get("choice") == AUTO
    with open(spec["out"], "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(header)
        for chunk in batches(items, lambda item: len(item.text) + CHUNK_LINE_COST, CHUNK_CHARS):
            texts = [item.text for item in chunk]
            keys, ours_counts = _ours(counters, texts)
            columns = [ours_counts]
            for gpt, enc in counters.gpt.items():
                _on_time(deadline, seconds, done, total)
                columns.append([gpt_count(enc, t) for t in texts])
            for k, item in enumerate(chunk):
                size = len(item.text.encode("utf-8"))
                writer.writerow([escape_cell(v) for v in item.fields]
                                + [item.line, len(item.text), size, keys[k], *(c[k] for c in columns)])
                n_bytes += size
                n_chars += len(item.text)
                if not item.text.strip():
                    n_empty += 1
                elif auto and keys[k] == DEFAULT and not script_counts(item.text):  # only the default's lines
                    n_no_script += 1
            models.update(keys)
            totals[ours_header] += sum(ours_counts)
            for gpt, c in zip(counters.gpt, columns[1:]):
                totals[gpt] += sum(c)
            done += len(chunk)
            _on_time(deadline, seconds, done, total)
            send({"progress": [done, total]})
    send({"done": {"what": what, "items": total, "bytes": n_bytes, "chars": n_chars, "ours": ours_header,
                   "totals": dict(totals), "models": dict(models), "unavailable": counters.unavailable,
                   "columns": header, "dropped_columns": items.dropped, "empty": n_empty,
                   "no_script": n_no_script}})


def _ours(counters: Counters, texts: list[str]) -> tuple[list[str], list[int]]:
    """(model key, token count) of each text under our model(s), one batch per model."""
    chosen = [counters.ours(t) for t in texts]
    counts = [0] * len(texts)
    by_model: dict[str, list[int]] = {}
    for k, (key, _tok) in enumerate(chosen):
        by_model.setdefault(key, []).append(k)
    for key, where in by_model.items():
        tok = chosen[where[0]][1]
        for k, ids in zip(where, tok.encode_ordinary_batch([texts[k] for k in where])):
            counts[k] = len(ids)
    return [key for key, _ in chosen], counts


def _on_time(deadline: float, seconds: float, done: int, total: int) -> None:
    if time.monotonic() > deadline:
        raise UserError(f"Counting took over {seconds:g} s ({done:,} of {total:,} lines done under every "
                        "tokenizer); count a smaller file, or run the library locally.")


# ----- the job (in the server) -------------------------------------------------------------------------
_folder: Path | None = None  # this server's CSV folder


def csv_folder() -> Path:
    """This server's own folder for CSV downloads, removed when it stops (never another server's)."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="indic-space-batch-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def csv_path() -> Path:
    """A new CSV path in this server's folder, whose files older than KEEP_CSV seconds are removed."""
    folder = csv_folder()
    now = time.time()
    for old in folder.glob("*.csv"):
        try:
            if now - old.stat().st_mtime > KEEP_CSV:
                old.unlink()
        except OSError:
            pass
    fd, name = tempfile.mkstemp(prefix="token_counts-", suffix=".csv", dir=folder)
    os.close(fd)
    return Path(name)


class BatchJob:
    """One count in a worker process; the view polls it. The worker stops itself at the time budget;
    one stuck in a single long call is killed GRACE seconds later."""

    def __init__(self, path: str, name: str, column: str, choice: str, out: Path, session_model=None) -> None:
        """`choice`: Auto, a language or a session model's choice; `session_model`: that model (a
        Tokenizer), saved for the worker to load."""
        self.out = out
        self.folder = Path(tempfile.mkdtemp(prefix="indic-space-batch-job-"))
        if session_model is not None:
            tokenizer.save(session_model, self.folder / "model.model", vocab=False)
            model = {"kind": "file", "path": str(self.folder / "model.model"), "label": choice.removeprefix(MINE)}
        else:
            model = {"kind": "choice", "choice": choice, "label": choice}
        self.seconds = WALL_TIME
        spec = {"task": "batch", "path": path, "name": name, "column": column, "model": model, "out": str(out),
                "seconds": self.seconds}
        self.progress: tuple[int, int] = (0, 0)
        self.result: dict | None = None
        self.error: str | None = None
        self.started = time.monotonic()
        self.worker = WorkerProcess(spec, self._message)

    def _message(self, msg: dict) -> None:
        if "progress" in msg:
            self.progress = tuple(msg["progress"])
        elif "done" in msg:
            self.result = msg["done"]
        elif "error" in msg:
            self.error = msg["error"]

    def start(self) -> BatchJob:
        self.started = time.monotonic()
        self.worker.start()
        return self

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether the worker has ended. Kills it once past the budget and grace."""
        if self.worker.wait(seconds):
            return True
        if time.monotonic() - self.started > self.seconds + GRACE:
            self.worker.kill()
            self.error = self.error or (
                f"Counting took over {self.seconds:g} s ({self.progress[0]:,} of {self.progress[1]:,} lines done); "
                "count a smaller file, or run the library locally."
            )
            return self.worker.wait(5)
        return False

    def outcome(self) -> dict:
        """The totals; a UserError for the file's problem or the time budget."""
        if self.result is not None:
            return self.result
        if self.error:
            raise UserError(self.error)
        log.error("counting worker exited with %s:\n%s", self.worker.returncode, self.worker.stderr_tail())
        raise RuntimeError(f"the counting worker exited with code {self.worker.returncode}")

    def close(self) -> None:
        """End the worker if it still runs; remove its files, and the CSV unless the count is complete."""
        self.worker.close()
        shutil.rmtree(self.folder, ignore_errors=True)
        if self.result is None:
            self.out.unlink(missing_ok=True)
