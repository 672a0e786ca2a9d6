"""Batch view: token counts of every line of a file, for our model and the GPT encodings.

A .txt file counts each non-empty line; a .jsonl file and a .csv file count one column of each
row ("text" unless told otherwise). Totals, a table of the first rows, and a CSV of all rows that
keeps the file's own columns. Under Auto each line gets the model of its own script. The count runs
in a worker process (space.batch_job) with a line budget and one time budget for every encoder;
this server holds only the first rows of the CSV.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import gradio as gr
import pandas as pd

from tokenizer import visualize as viz
from tokenizer.registry import DEFAULT, LANGUAGES
from tokenizer.openai import ENCODINGS

from ..batch_job import MAX_ITEMS, OURS, TYPES, WALL_TIME, BatchJob, csv_path
from ..guards import MAX_UPLOAD_BYTES, UserError, guard
from ..models import AUTO, MINE, STORE, session_of, unknown_model

SHOW_ROWS = 500  # rows shown in the table (the CSV has all)
SHOW_CHARS = 200  # characters of a cell shown in the table
POLL = 0.25  # seconds between progress updates
TABLE_COLUMNS = ["line", "chars", "bytes", "model", OURS, *ENCODINGS]  # the empty table's headers
_KEEP = (gr.skip(),) * 3
__all__ = ["MAX_ITEMS", "TYPES", "WALL_TIME", "batch", "empty_table"]


def empty_table() -> pd.DataFrame:
    """The table before a count: our columns as headers (not gradio's placeholders 1, 2, 3)."""
    return pd.DataFrame(columns=TABLE_COLUMNS)


def _error(message: str) -> tuple:
    return viz.notice_html(message, error=True), empty_table(), None, {"error": message}


def _checked_upload(upload: object) -> tuple[str, str]:
    """(path, name) of an upload of a type and size the Space counts."""
    if not upload:
        raise UserError("Upload a .txt, .jsonl or .csv file to count its tokens.")
    path = upload if isinstance(upload, str) else getattr(upload, "name", None) or upload.get("path")
    name = Path(path).name
    if not name.endswith(TYPES):
        raise UserError(f"{name}: unsupported file type; upload one of {', '.join(TYPES)}.")
    size = Path(path).stat().st_size
    if size > MAX_UPLOAD_BYTES:
        raise UserError(f"{name} has {size / 1e6:.1f} MB; the Space counts at most {MAX_UPLOAD_BYTES / 1e6:.0f} MB.")
    return str(path), name


@guard(_error)
def batch(upload: object, column: str = "text", model: str = AUTO,
          request: gr.Request | None = None) -> Iterator[tuple[str, pd.DataFrame, str | None, dict]]:
    """A file -> progress, then (totals HTML, table of the first rows, CSV of all rows, totals as JSON)."""
    path, name = _checked_upload(upload)
    choice = model or AUTO
    session_model = None
    if choice.startswith(MINE):
        found = STORE.get(session_of(request), choice)
        if found is None:
            raise UserError(f"{choice!r} is not a model of this session (session models are kept until the page is "
                            "closed, at most a few at a time). Train it again in the Train view.")
        session_model = found.tok
    elif choice != AUTO and choice not in {x.name for x in LANGUAGES.values()}:
        raise unknown_model(choice)
    out = csv_path()
    job = BatchJob(path, name, (column or "text").strip(), choice, out, session_model).start()
    try:
        while not job.wait(POLL):
            done, total = job.progress
            message = f"Counting {name}: {done:,} of {total:,} lines" if total else f"Reading {name}…"
            yield viz.progress_html(done, max(total, 1), message), *_KEEP
        result = job.outcome()
    finally:
        job.close()
    yield _results(result, out)


def _results(result: dict, out: Path) -> tuple[str, pd.DataFrame, str, dict]:
    totals: dict[str, int] = result["totals"]
    ours = result["ours"]
    n_bytes = result["bytes"]
    rows = [[key, total, f"{n_bytes / total:.2f}" if total else "–",
             f"{total / totals[ours]:.2f}×" if totals[ours] else "–"] for key, total in totals.items()]
    rows += [[key, viz.Html(f'<span class="itok-na">{viz.esc(why)}</span>'), "", ""]
             for key, why in result["unavailable"].items()]
    models = Counter(result["models"])
    if ours == OURS:  # Auto: a model per line
        picked = ", ".join(f"{_label(key)} {viz.plural(n, 'line')}" for key, n in _by_script(result).most_common())
        how = f"ours: Auto, by each line's script ({picked or 'no line has letters of a supported script'})"
    else:
        how = f"ours: {ours.removeprefix(OURS).strip(' ()')}"
    dropped = (f" Only the first {len(result['columns'])} fields are kept in the CSV "
               f"({result['dropped_columns']:,} more were left out).") if result["dropped_columns"] else ""
    html = (viz.note_html(f"{result['what']}: {result['chars']:,} characters, {n_bytes:,} bytes; {how}."
                          f"{_apart(result)}{dropped}")
            + viz.table_html(["tokenizer", "tokens in total", "bytes / token", "× ours"], rows))
    shown = pd.read_csv(out, nrows=SHOW_ROWS, dtype=str, keep_default_na=False)
    shown = shown.apply(lambda col: col.str.slice(0, SHOW_CHARS))
    summary = {"model": ours, "items": result["items"], "bytes": n_bytes, "totals": totals, "models": dict(models),
               "empty": result["empty"], "no_script": result["no_script"], "unavailable": result["unavailable"],
               "columns": result["columns"]}
    return html, shown, str(out), summary


def _by_script(result: dict) -> Counter[str]:
    """Lines per model that Auto picked by their script: the empty lines and those with no letters of a
    registry script also get the default model, but are not in its script (the summary names them apart)."""
    by_script = Counter(result["models"])
    by_script[DEFAULT] -= result["empty"] + result["no_script"]
    return +by_script


def _apart(result: dict) -> str:
    """Sentences on the lines the counts by script leave out: those with no letters of a supported
    script (English, digits, emoji), which Auto gives the default model, and empty ones."""
    out = ""
    if n := result["no_script"]:
        out += (f" {viz.plural(n, 'line')} {'has' if n == 1 else 'have'} no letters of a supported script, so Auto "
                f"gave {'it' if n == 1 else 'them'} the default model ({_label(DEFAULT)}).")
    if n := result["empty"]:
        out += f" {viz.plural(n, 'line')} {'is' if n == 1 else 'are'} empty."
    return out


def _label(key: str) -> str:
    lang = LANGUAGES.get(key)
    return lang.name if lang else key

