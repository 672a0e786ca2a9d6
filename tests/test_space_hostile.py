"""The Space against a hostile user (issue 21): uploads and pasted text that once drove the server to
gigabytes or reached "Something went wrong", through the Train and Batch handlers with their real
worker processes.

Every case must end in a clear message of the view (never the generic handler: an autouse fixture
fails any test whose handlers logged a bug), read where Cancel and the memory cap apply. The
attack files are those of the issue, scaled to stay cheap to build yet beyond every limit; the
full-size ones, with the server's memory and times, are measured by bench/hostile_space.py.
"""

from __future__ import annotations

import csv
import gzip
import json
import logging
import os
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import tokenizer

from .app_server import REFTOK, ROOT, prepare_models

AUTO = "Auto (by script)"
HINDI = "भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं।"
KANNADA = "ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆ."
GENERIC = "Something went wrong"


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory) -> Path:
    return prepare_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(autouse=True)
def space_env(models_dir, monkeypatch, caplog):
    """The space package on the test models; fails the test if any handler reached the generic handler."""
    monkeypatch.setenv("INDIC_TOKENIZER_MODELS", str(models_dir))
    if REFTOK.is_dir():
        monkeypatch.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(REFTOK))
    caplog.set_level(logging.ERROR, logger="indic-tokenizer-space")
    yield
    bugs = [r.getMessage() for r in caplog.records if r.name == "indic-tokenizer-space" and r.levelno >= logging.ERROR]
    assert not bugs, f"a handler reached the generic handler: {bugs}"


def bomb(path: Path, chunk: bytes, mib: int) -> Path:
    """`chunk` repeated to `mib` MiB, gzip-compressed as it is made (the issue's recipe)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    unit = chunk * (2**20 // len(chunk))
    path.write_bytes(b"".join(c.compress(unit) for _ in range(mib)) + c.flush())
    return path


def last(outputs) -> tuple:
    out = None
    for out in outputs:
        pass
    return out


class Request:
    def __init__(self, session: str) -> None:
        self.session_hash = session


def train_upload(path: Path, size: int = 400) -> dict:
    from space.views.train import train

    return last(train("Upload a file", None, str(path), "", size, "bpe", "indic"))[4]


# ----- Train ------------------------------------------------------------------------------------------------
def _empty_parquet(path: Path) -> Path:
    n = 3_000_000
    pq.write_table(pa.table({"text": pa.array([""] * n)}), path, row_group_size=n, compression="zstd")
    return path


def _big_cell_parquet(path: Path) -> Path:
    pq.write_table(pa.table({"text": ["\0" * 30_000_000]}), path, compression="zstd")
    return path


TRAIN_ATTACKS = {  # file -> what the message says
    "nul.txt.gz": (lambda p: bomb(p, b"\0", 256), "nul.txt.gz: line 1 has more than 20,000,000 bytes"),
    "blank.txt.gz": (lambda p: bomb(p, b"\n", 256), "blank.txt.gz: more than 1,000,000 rows (lines), empty ones "
                                                    "included, the limit of this read (stopped at line 1,000,001)"),
    "empty.parquet": (_empty_parquet, "empty.parquet: more than 1,000,000 rows (lines), empty ones included, the "
                                      "limit of this read (stopped at row group 0)"),
    "cell.parquet": (_big_cell_parquet, "cell.parquet: row 0 ('text') has more than 20,000,000 bytes"),
}


@pytest.mark.parametrize("name", list(TRAIN_ATTACKS))
def test_train_refuses_attack_uploads_while_reading(tmp_path, name):
    """D1/D3: each attack file is refused by a limit of the read (in the worker), with a message."""
    make, message = TRAIN_ATTACKS[name]
    path = make(tmp_path / name)
    start = time.monotonic()
    summary = train_upload(path)
    took = time.monotonic() - start
    print(f"{name} ({path.stat().st_size:,} bytes): refused in {took:.1f} s: {summary.get('error', summary)[:120]}")
    assert message in summary["error"] and "The Space reads at most 20 MB of text" in summary["error"]
    assert "/tmp" not in summary["error"]  # the upload's name, not the server's path


def test_cancel_stops_the_read(tmp_path):
    """D3: Cancel during the read stops it at once (it used to say "No training of yours is running")."""
    from space.views import train as view

    with gzip.open(ROOT / "data" / "hi.txt.gz", "rt", encoding="utf-8") as f:
        text = f.read()
    path = tmp_path / "big.txt"
    path.write_text((text * 3)[: 19_000_000 // 3], encoding="utf-8")  # just under 20 MB: a long read and split
    request = Request("cancel-read")
    cancelled_at, last_out, workers = None, None, []
    for out in view.train("Upload a file", None, str(path), "", 1000, "bpe", "indic", request):
        last_out = out[4]
        workers = [job.process for job in view._running.values()] or workers
        if cancelled_at is None and "documents" in last_out:  # the worker is reading
            assert "Cancelling" in view.cancel(request)
            cancelled_at = time.monotonic()
    assert cancelled_at is not None, "the read ended before it could be cancelled"
    took = time.monotonic() - cancelled_at
    print(f"cancel during the read: stopped {took:.2f} s later")
    assert last_out["status"] == "cancelled" and took < 3
    assert workers and all(w.poll() is not None for w in workers)


@pytest.mark.parametrize("case", ["pasted", "jsonl escape"])
def test_train_refuses_lone_surrogates(tmp_path, case):
    """D5: a lone surrogate pasted (through the API) or escaped in a .jsonl is a message, not a crash."""
    from space.views.train import train

    if case == "pasted":
        summary = last(train("Paste text", None, None, "नमस्ते\ud800 दुनिया\n" * 50, 400, "bpe", "indic"))[4]
        assert "pasted text has a lone surrogate (U+D800) at index 6" in summary["error"]
    else:
        path = tmp_path / "s.jsonl"
        path.write_text('{"text": "ok"}\n{"text": "a \\ud800 b"}\n', encoding="utf-8")
        summary = train_upload(path)
        assert "s.jsonl: line 2: 'text' holds a lone surrogate (U+D800" in summary["error"]


def test_train_refuses_deep_nesting(tmp_path):
    path = tmp_path / "deep.jsonl"
    path.write_text('{"text": "ok"}\n' + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    assert "deep.jsonl: line 2 is nested too deeply" in train_upload(path)["error"]


def test_the_server_never_reads_an_upload(tmp_path, monkeypatch):
    """D4 (server memory not given back) came from reading uploads in the server process: now only the
    workers read them. Reading in this (the server's) process fails here, and both views still work."""
    import space.batch_job
    import tokenizer.corpus

    def no(*args, **kwargs):
        raise AssertionError("the server process read an upload")

    monkeypatch.setattr(tokenizer.corpus, "read_files", no)
    monkeypatch.setattr(space.batch_job.FileItems, "__iter__", no)
    path = tmp_path / "mine.txt"
    with gzip.open(ROOT / "data" / "hi.txt.gz", "rt", encoding="utf-8") as f:
        path.write_text("".join(next(f) for _ in range(300)), encoding="utf-8")
    assert train_upload(path, 300)["status"] == "done"
    assert batch(path, model="Hindi")[3]["items"] == 300


def test_session_model_cache_entries_are_removed_with_the_model(tmp_path):
    """A model trained in the Space leaves an entry in the core's on-disk cache; freeing the session removes it."""
    from space.views import train as view
    from tokenizer.cache import cache_dir

    from tokenizer.core import _exact_key

    request = Request("cache-entries")
    lines = "\n".join(f"{HINDI} {k} {'क' * (k % 7)}" for k in range(300))
    summary = last(view.train("Paste text", None, None, lines, 300, "bpe", "indic", request))[4]
    assert summary["status"] == "done", summary
    tok = view.STORE.get(request.session_hash, summary["choice"]).tok
    entry = cache_dir() / f"exact-{_exact_key(tok.vocab, tok.merges, tok.byte_ids)[:40]}.txt"
    others = set(cache_dir().glob("exact-*.txt")) - {entry}
    assert entry.is_file() and others  # the shipped model's entry too
    view.forget_session(request)
    assert not entry.exists() and all(p.exists() for p in others)


# ----- Batch -------------------------------------------------------------------------------------------------
def batch(path: Path, column: str = "text", model: str = AUTO, request=None) -> tuple:
    from space.views.batch import batch as handler

    return last(handler(str(path), column, model, request))


def test_batch_has_a_line_budget(tmp_path):
    """D2: 2M one-letter lines are refused before anything is counted (was: 218 s and 4.96 GB)."""
    path = tmp_path / "b.txt"
    path.write_text("a\n" * 2_000_000, encoding="utf-8")
    start = time.monotonic()
    html, table, csv_path, data = batch(path)
    print(f"2M lines refused in {time.monotonic() - start:.1f} s")
    assert "b.txt has more than 200,000 non-empty lines; the Space counts at most 200,000" in data["error"]
    assert csv_path is None and list(table.columns) == ["line", "chars", "bytes", "model", "ours", "GPT-2", "GPT-4",
                                                        "GPT-4o"]


def test_batch_time_budget_covers_every_encoder(tmp_path, monkeypatch):
    """The budget stops the worker between chunks while the GPT encodings run; a worker inside one long
    call is killed by the server GRACE seconds after it."""
    import space.batch_job as job

    with gzip.open(ROOT / "data" / "hi.txt.gz", "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(4000)]
    path = tmp_path / "many.txt"
    path.write_text("".join(lines), encoding="utf-8")
    monkeypatch.setattr(job, "WALL_TIME", 0.3)
    data = batch(path, model="Hindi")[3]
    assert "Counting took over 0.3 s" in data["error"] and "lines done under every tokenizer" in data["error"], data
    one = tmp_path / "one.txt"
    one.write_text("1" * 3_000_000 + "\n", encoding="utf-8")  # one call of several seconds under GPT-2
    monkeypatch.setattr(job, "WALL_TIME", 0.0)
    monkeypatch.setattr(job, "GRACE", 0.5)
    start = time.monotonic()
    data = batch(one, model="Hindi")[3]
    assert "Counting took over 0 s" in data["error"] and time.monotonic() - start < 5, data


def test_batch_csv_cells_up_to_the_upload_limit(tmp_path):
    """A 1 MB cell (the csv module's default limit is 131,072 characters) is counted like the library does."""
    hi = tokenizer.load(os.environ["INDIC_TOKENIZER_MODELS"] + "/hi.model")
    big = (HINDI + " ") * 5000
    path = tmp_path / "cells.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["id", "text"], ["1", big], ["2", HINDI]])
    html, table, csv_path, data = batch(path, model="Hindi")
    assert data["totals"]["ours (Hindi)"] == len(hi.encode_ordinary(big)) + len(hi.encode_ordinary(HINDI))
    assert len(table["text"][0]) == 200  # the table shows the start of a long cell; the CSV has it all


@pytest.mark.parametrize("line, message", [
    ('{"text": {"a": 1}}', "rows.jsonl: line 2: the field 'text' holds an object, not text"),
    ('{"text": ["a", "b"]}', "rows.jsonl: line 2: the field 'text' holds a list, not text"),
    ("[" * 100_000 + "]" * 100_000, "rows.jsonl: line 2 is nested too deeply to be a row"),
    ('{"text": ' + "[" * 100_000 + "]" * 100_000 + "}", "rows.jsonl: line 2 is nested too deeply"),
    ('{"text": "a \\ud800"}', "rows.jsonl, line 2: The text has a lone surrogate (U+D800) at index 2"),
])  # fmt: skip
def test_batch_refuses_nested_and_broken_json_values(tmp_path, line, message):
    """D6 and a weaker point: nested values are refused with the field's name (they were counted as their
    Python str()), deep nesting is a message (it was a RecursionError)."""
    path = tmp_path / "rows.jsonl"
    path.write_text('{"text": "ok"}\n' + line + "\n", encoding="utf-8")
    assert message in batch(path)[3]["error"]


def _csv_rows(path: str) -> list[list[str]]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.reader(f))


def test_batch_keeps_the_users_columns_and_escapes_formulas(tmp_path):
    """The CSV has the file's own columns first, then ours; a cell starting with = + - @ tab or CR gets a
    leading ' (OWASP), in the user's cells and header; nested values of other fields are kept as JSON."""
    rows = [{"id": "=HYPERLINK(\"http://x\")", "text": HINDI, "meta": {"k": [1, 2]}, "+n": -3},
            {"id": "@SUM(A1)", "text": "-1+1", "tags": ["a"]},
            {"id": "\tx", "text": "\rcarriage"}]
    path = tmp_path / "rows.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    html, table, csv_path, data = batch(path, model="Hindi")
    got = _csv_rows(csv_path)
    header = got[0]
    assert header[:5] == ["id", "text", "meta", "'+n", "tags"]
    assert header[5:] == ["line", "chars", "bytes", "model", *data["totals"]]
    assert list(data["totals"])[0] == "ours (Hindi)"
    assert got[1][:5] == ["'=HYPERLINK(\"http://x\")", HINDI, '{"k": [1, 2]}', "'-3", ""]
    assert got[2][:5] == ["'@SUM(A1)", "'-1+1", "", "", '["a"]']
    assert got[3][:2] == ["'\tx", "'\rcarriage"]
    assert [r[header.index("chars")] for r in got[1:]] == [str(len(HINDI)), "4", "9"]  # the text's own length
    csv_file = tmp_path / "t.csv"
    csv_file.write_text("=cmd,text\n1,+x\n", encoding="utf-8")
    got = _csv_rows(batch(csv_file, model="Hindi")[2])
    assert got[0][:2] == ["'=cmd", "text"] and got[1][:2] == ["1", "'+x"]


def test_batch_auto_picks_a_model_per_line(tmp_path, models_dir):
    """D of issue 20: a Kannada line in a Hindi file is counted by the Kannada model, not as bytes."""
    hi, kn = tokenizer.load(models_dir / "hi.model"), tokenizer.load(models_dir / "kn.model")
    path = tmp_path / "mixed.txt"
    path.write_text(f"{HINDI}\n\n{KANNADA}\nplain English\n", encoding="utf-8")
    html, table, csv_path, data = batch(path)
    got = _csv_rows(csv_path)
    header = got[0]
    assert header[:6] == ["text", "line", "chars", "bytes", "model", "ours"]
    assert [(r[1], r[4], int(r[5])) for r in got[1:]] == [
        ("1", "hi", len(hi.encode_ordinary(HINDI))), ("3", "kn", len(kn.encode_ordinary(KANNADA))),
        ("4", "hi", len(hi.encode_ordinary("plain English")))]
    assert data["models"] == {"hi": 2, "kn": 1} and "(Hindi 1 line, Kannada 1 line)" in html
    assert "1 line has no letters of a supported script, so Auto gave it the default model (Hindi)" in html


def test_batch_reads_files_with_a_byte_order_mark(tmp_path, models_dir):
    """Excel's "CSV UTF-8" and Notepad start a file with U+FEFF: it is not part of the first column's name,
    the first JSON line or the first line's text; a byte named in an error is still the file's own."""
    hi = tokenizer.load(models_dir / "hi.model")
    files = {"bom.csv": f"text,id\n\"{HINDI}\",1\n", "bom.txt": f"{HINDI}\n",
             "bom.jsonl": json.dumps({"text": HINDI}, ensure_ascii=False) + "\n"}
    for name, text in files.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8-sig")
        assert path.read_bytes().startswith(b"\xef\xbb\xbf")
        html, table, csv_path, data = batch(path, model="Hindi")
        assert "error" not in data, (name, data)
        assert data["totals"]["ours (Hindi)"] == len(hi.encode_ordinary(HINDI)) and data["columns"][0] == "text"
        assert _csv_rows(csv_path)[1][0] == HINDI and data["bytes"] == len(HINDI.encode())
    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"\xef\xbb\xbfok\n\xff\n")
    assert "bad.txt is not valid UTF-8: invalid start byte at byte 6 (line 2)." in batch(bad)[3]["error"]


def test_batch_csv_folder_is_this_servers_own(tmp_path):
    """Not one /tmp/indic-space-batch shared by every instance: each process has its own folder, and
    pruning old CSVs touches only its own."""
    from space.batch_job import csv_folder

    folder = csv_folder()
    assert folder != Path(tempfile.gettempdir()) / "indic-space-batch" and folder.name.startswith("indic-space-batch-")
    other = subprocess.run([sys.executable, "-c", "from space.batch_job import csv_folder; print(csv_folder())"],
                           cwd=ROOT, capture_output=True, text=True, check=True).stdout.strip()
    assert other and Path(other) != folder and not Path(other).exists()  # removed when that process ended
    stranger = tmp_path / "old.csv"
    stranger.write_text("x", encoding="utf-8")
    os.utime(stranger, (0, 0))
    path = tmp_path / "ok.txt"
    path.write_text(HINDI + "\n", encoding="utf-8")
    csv_path = batch(path)[2]
    assert Path(csv_path).parent == folder and stranger.exists()


def test_batch_empty_table_has_headers():
    from space.views.batch import TABLE_COLUMNS, empty_table

    assert list(empty_table().columns) == TABLE_COLUMNS and "1" not in TABLE_COLUMNS
