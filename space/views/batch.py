"""Batch view: token counts of every line of a file, for our model and the GPT encodings.

A .txt file counts each non-empty line; a .jsonl file and a .csv file count one column of each
row ("text" unless told otherwise). Totals, a table of the first rows, and a CSV of all rows.
"""

from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import time
from pathlib import Path

import gradio as gr
import pandas as pd

from tokenizer import visualize as viz

from .compare import GPT_ENCODINGS
from ..guards import MAX_UPLOAD_BYTES, UserError, check_text, guard
from ..models import AUTO, choose, encode, get_encoding, session_of

TYPES = (".txt", ".jsonl", ".csv")
SHOW_ROWS = 500  # rows shown in the table (the CSV has all)
WALL_TIME = 120.0  # seconds of encoding a file may take
KEEP_CSV = 3600.0  # seconds a CSV download is kept


def _error(message: str) -> tuple:
    return viz.notice_html(message, error=True), pd.DataFrame(), None, {"error": message}


def _decode(raw: bytes, name: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw.count(b"\n", 0, e.start) + 1
        raise UserError(f"{name} is not valid UTF-8: {e.reason} at byte {e.start:,} (line {line:,}).") from None


def read_items(path: str | Path, column: str = "text") -> tuple[list[tuple[int, str]], str]:
    """[(line number, text)] of a .txt, .jsonl or .csv file, and a note on what was read."""
    path = Path(path)
    name = path.name
    if not name.endswith(TYPES):
        raise UserError(f"{name}: unsupported file type; upload one of {', '.join(TYPES)}.")
    size = path.stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise UserError(f"{name} has {size / 1e6:.1f} MB; the Space counts at most {MAX_UPLOAD_BYTES / 1e6:.0f} MB.")
    text = _decode(path.read_bytes(), name)
    column = (column or "text").strip()
    items: list[tuple[int, str]] = []
    if name.endswith(".txt"):
        items = [(n, line) for n, line in enumerate(text.splitlines(), 1) if line.strip()]
        what = "non-empty lines"
    elif name.endswith(".jsonl"):
        for n, line in enumerate(text.splitlines(), 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as e:
                raise UserError(f"{name}: line {n:,} is not JSON ({e.args[0].split(':')[0]}).") from None
            if not isinstance(row, dict) or column not in row:
                keys = ", ".join(row) if isinstance(row, dict) else type(row).__name__
                raise UserError(f"{name}: line {n:,} has no {column!r} field (it has: {keys}).")
            items.append((n, "" if row[column] is None else str(row[column])))
        what = f"rows, column {column!r}"
    else:
        try:
            reader = csv.DictReader(io.StringIO(text, newline=""))
            header = reader.fieldnames or []
            if column not in header:
                raise UserError(f"{name} has no column {column!r} (columns: {', '.join(header) or 'none'}).")
            items = [(reader.line_num, row[column] or "") for row in reader]
        except csv.Error as e:
            raise UserError(f"{name} is not a readable CSV file: {e}.") from None
        what = f"rows, column {column!r}"
    if not items:
        raise UserError(f"{name} has no text to count.")
    for n, item in items:
        try:
            check_text(item, limit=MAX_UPLOAD_BYTES, what=f"line {n:,}")
        except UserError as e:
            raise UserError(f"{name}: {e}") from None
    return items, f"{len(items):,} {what} of {name}"


def _csv_path() -> Path:
    """A new CSV path in one directory whose files older than KEEP_CSV seconds are removed."""
    folder = Path(tempfile.gettempdir()) / "indic-space-batch"
    folder.mkdir(exist_ok=True)
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


@guard(_error)
def batch(upload: object, column: str = "text", model: str = AUTO,
          request: gr.Request | None = None) -> tuple[str, pd.DataFrame, str | None, dict]:
    """A file -> (totals HTML, table of the first rows, CSV of all rows, totals as JSON)."""
    if not upload:
        raise UserError("Upload a .txt, .jsonl or .csv file to count its tokens.")
    path = upload if isinstance(upload, str) else getattr(upload, "name", None) or upload.get("path")
    items, what = read_items(path, column)
    sample = "\n".join(t for _, t in items[:500])[:100_000]
    chosen = choose(sample, model, session_of(request))
    counts: dict[str, list[int]] = {}
    ours = f"ours ({chosen.label})"
    start = time.monotonic()
    mine = []
    for k, (_, item) in enumerate(items):
        if k % 200 == 0 and time.monotonic() - start > WALL_TIME:
            raise UserError(f"Counting took over {WALL_TIME:.0f} s ({k:,} of {len(items):,} items done); "
                            "count a smaller file, or run the library locally.")
        mine.append(len(encode(chosen.tok, item)))
    counts[ours] = mine
    unavailable = {}
    for name in GPT_ENCODINGS:
        try:
            enc = get_encoding(name)
        except UserError as e:
            unavailable[name] = str(e)
            continue
        counts[name] = [len(ids) for ids in enc.encode_ordinary_batch([t for _, t in items])]
    frame = pd.DataFrame({"line": [n for n, _ in items], "chars": [len(t) for _, t in items],
                          "bytes": [len(t.encode("utf-8")) for _, t in items], **counts})
    totals = {key: int(sum(v)) for key, v in counts.items()}
    n_bytes = int(frame["bytes"].sum())
    rows = [[key, total, f"{n_bytes / total:.2f}" if total else "–",
             f"{total / totals[ours]:.2f}×" if totals[ours] else "–"] for key, total in totals.items()]
    rows += [[key, viz.Html(f'<span class="itok-na">{viz.esc(why)}</span>'), "", ""]
             for key, why in unavailable.items()]
    html = (viz.note_html(f"{what}: {int(frame['chars'].sum()):,} characters, {n_bytes:,} bytes; ours: {chosen.note}.")
            + viz.table_html(["tokenizer", "tokens in total", "bytes / token", "× ours"], rows))
    out = _csv_path()
    frame.to_csv(out, index=False)
    shown = frame.head(SHOW_ROWS)
    return html, shown, str(out), {"model": chosen.key, "items": len(items), "bytes": n_bytes, "totals": totals,
                                   "unavailable": unavailable}
