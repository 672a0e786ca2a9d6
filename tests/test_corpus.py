"""Tests for tokenizer.corpus: reading each file type, errors, cleaning, the split, the corpus."""

from __future__ import annotations

import gzip
import json
import os
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import datasets
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from tokenizer import corpus as corpus_mod
from tokenizer.corpus import (
    CorpusError,
    Document,
    ReadLimits,
    clean_document,
    embedded_path,
    file_partitions,
    load_corpus,
    read_files,
    split_of,
    stream_rows,
)
from tokenizer.errors import ReadLimitError
from tokenizer.registry import LANGUAGES

HI = "भारत एक विशाल देश है।"
KN = "ಕರ್ನಾಟಕ ಭಾರತದ ಒಂದು ರಾಜ್ಯ."
ROWS = [  # the columns of wikimedia/wikipedia
    {"id": str(i), "url": f"https://hi.wikipedia.org/wiki?curid={i}", "title": f"t{i}",
     "text": f"{HI} {i}\n{KN}"}
    for i in range(10)
]  # fmt: skip
ROW_BYTES = len(ROWS[0]["text"].encode())  # every row's text has the same UTF-8 length


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    lines = "".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
    if path.name.endswith(".gz"):
        path.write_bytes(gzip.compress(lines.encode()))
    else:
        path.write_text(lines, encoding="utf-8")
    return path


def write_parquet(path: Path, rows: list[dict]) -> Path:
    pq.write_table(pa.Table.from_pylist(rows), path)
    return path


def first_id_in(split: str, prefix: str = "doc") -> str:
    return next(f"{prefix}{i}" for i in range(10_000) if split_of(f"{prefix}{i}") == split)


# --- reading files ---


@pytest.mark.parametrize("name", ["a.txt", "a.txt.gz"])
def test_text_file_blocks_of_non_empty_lines(tmp_path, name):
    text = "".join(f"line {i}\n\n" if i % 2 else f"line {i}\r\n" for i in range(7))
    path = tmp_path / name
    raw = text.encode()
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)

    docs = list(read_files([path], block_lines=3))

    assert [d.id for d in docs] == [f"{name}#0", f"{name}#1", f"{name}#2"]
    assert docs[0] == Document(f"{name}#0", "line 0\nline 1\nline 2")
    assert docs[2].text == "line 6"


def test_files_are_read_in_order_and_re_read(tmp_path):
    a = tmp_path / "a.txt"
    a.write_text("x1\nx2\n", encoding="utf-8")
    b = write_jsonl(tmp_path / "b.jsonl", ROWS[:2])
    docs = list(read_files([a, str(b)]))
    assert [d.id for d in docs] == ["a.txt#0", "0", "1"]
    assert docs[0].text == "x1\nx2"


@pytest.mark.parametrize("name", ["w.jsonl", "w.jsonl.gz", "w.parquet"])
def test_row_files_with_wikipedia_columns(tmp_path, name):
    writer = write_parquet if name.endswith(".parquet") else write_jsonl
    path = writer(tmp_path / name, ROWS)
    docs = list(read_files([path]))
    assert docs == [Document(row["id"], row["text"]) for row in ROWS]
    assert "\n" in docs[0].text  # paragraphs survive as lines


@pytest.mark.parametrize("name", ["n.jsonl", "n.parquet"])
def test_row_files_without_id_use_file_and_row_number(tmp_path, name):
    rows = [{"text": "पहला"}, {"text": "दूसरा"}]
    writer = write_parquet if name.endswith(".parquet") else write_jsonl
    docs = list(read_files([writer(tmp_path / name, rows)]))
    assert docs == [Document(f"{name}#0", "पहला"), Document(f"{name}#1", "दूसरा")]


def test_stream_rows_over_a_local_datasets_stream_with_bounds(tmp_path):
    """A local parquet with Wikipedia's columns stands in for streaming wikimedia/wikipedia."""
    path = write_parquet(tmp_path / "wiki.parquet", ROWS)

    def stream():
        return datasets.load_dataset(
            "parquet", data_files=str(path), split="train", streaming=True
        )

    assert isinstance(stream(), datasets.IterableDataset)
    everything = list(stream_rows(stream(), source="wiki"))
    assert [d.id for d in everything] == [row["id"] for row in ROWS]

    assert [d.id for d in stream_rows(stream(), source="wiki", max_docs=3)] == ["0", "1", "2"]
    # Stops after the document that reaches the byte budget, never mid-document.
    by_bytes = list(stream_rows(stream(), source="wiki", max_bytes=2 * ROW_BYTES + 1))
    assert [d.id for d in by_bytes] == ["0", "1", "2"]
    assert len(list(stream_rows(stream(), source="wiki", max_bytes=2 * ROW_BYTES))) == 2
    both = stream_rows(stream(), source="wiki", max_docs=1, max_bytes=10 * ROW_BYTES)
    assert [d.id for d in both] == ["0"]


# --- errors ---


def test_missing_file(tmp_path):
    missing = tmp_path / "nope.txt"
    with pytest.raises(CorpusError, match="nope.txt") as info:
        read_files([missing])
    assert isinstance(info.value, FileNotFoundError)
    assert isinstance(info.value, ValueError)


def test_missing_file_fails_before_reading_anything(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("ok\n", encoding="utf-8")
    with pytest.raises(FileNotFoundError):
        read_files([good, tmp_path / "later.txt"])  # not a generator: fails on the call


def test_unsupported_extension_lists_supported(tmp_path):
    path = tmp_path / "corpus.csv"
    path.write_text("text\nक\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=r"corpus\.csv.*\.txt\.gz.*\.jsonl.*\.parquet"):
        read_files([path])


@pytest.mark.parametrize("name", ["bad.jsonl", "bad.parquet"])
def test_rows_without_text_column(tmp_path, name):
    rows = [{"id": "1", "body": "नमस्ते"}]
    writer = write_parquet if name.endswith(".parquet") else write_jsonl
    path = writer(tmp_path / name, rows)
    where = ": line 1" if name.endswith(".jsonl") else ""
    with pytest.raises(CorpusError, match=rf"{name}{where}: no 'text' column \(columns: id, body\)"):
        list(read_files([path]))


def test_jsonl_reads_as_a_datasets_json_stream_does(tmp_path):
    rows = [{"id": 7, "text": "सात"}, {"text": "बिना id"}, {"id": None, "text": None}, {"id": "x", "text": "a\nb", "url": "u"}]
    path = tmp_path / "mixed.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    stream = datasets.load_dataset("json", data_files=str(path), split="train", streaming=True)
    ours = list(read_files([path]))
    assert ours == list(stream_rows(stream, source=path.name))
    assert [d.id for d in ours] == ["7", "mixed.jsonl#1", "mixed.jsonl#2", "x"]
    # blank lines (which datasets refuses) are skipped and not counted
    path.write_text("\n\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n\n", encoding="utf-8")
    assert list(read_files([path])) == ours


@pytest.mark.parametrize(("line", "message"), [
    ('{"text": "ok"', r"line 2 is not a JSON object \(Expecting"),
    ('["a list"]', "line 2 is not a JSON object$"),
    ('{"text": 5}', "line 2: 'text' is a int, not a string"),
])  # fmt: skip
def test_a_bad_jsonl_line_is_named(tmp_path, line, message):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        list(read_files([path]))
    path.write_bytes(b'{"text": "fine"}\n{"text": "caf\xe9"}\n')
    with pytest.raises(CorpusError, match="bad.jsonl: line 2 is not a JSON object"):
        list(read_files([path]))


@pytest.mark.parametrize("name", ["latin1.txt", "latin1.txt.gz"])
def test_non_utf8_text_names_file_and_line(tmp_path, name):
    raw = "ठीक है\n\nठीक\n".encode() + "café\n".encode("latin-1")
    path = tmp_path / name
    path.write_bytes(gzip.compress(raw) if name.endswith(".gz") else raw)
    with pytest.raises(CorpusError, match=rf"{name}: line 4 is not valid UTF-8"):
        list(read_files([path]))


# --- bounded reads: every budget is enforced while reading (the attack files of issue 21, scaled down) ---


def gzip_of(chunk: bytes, times: int) -> bytes:
    """`chunk` * times, gzip-compressed without ever holding the whole (as the attack files were made)."""
    import zlib

    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    return b"".join(c.compress(chunk) for _ in range(times)) + c.flush()


def test_a_nul_bomb_without_line_breaks_is_refused_after_one_lines_limit(tmp_path):
    """65 MiB of NUL bytes, no line break, in a 65 kB gzip: refused at the cell limit (line 1), by
    reading one line's limit, not the file."""
    path = tmp_path / "b.txt.gz"
    path.write_bytes(gzip_of(b"\0" * 2**20, 65))
    assert path.stat().st_size < 100_000
    reads = []
    original = gzip.GzipFile.readline

    def readline(self, size=-1):
        line = original(self, size)
        reads.append(len(line))
        return line

    with pytest.MonkeyPatch.context() as m:
        m.setattr(gzip.GzipFile, "readline", readline)
        with pytest.raises(ReadLimitError, match=r"b\.txt\.gz: line 1 has more than 1,000,000 bytes, the limit of one"):
            list(read_files([path], limits=ReadLimits(cell=1_000_000)))
    assert reads == [1_000_002]  # one bounded readline, never the 65 MiB line
    with pytest.raises(ReadLimitError, match="line 1 has more than 67,108,864 bytes"):  # the default limit
        list(read_files([path]))


@pytest.mark.parametrize("name, line", [("blank.txt.gz", b"\n"), ("rows.jsonl.gz", b'{"text": ""}\n'),
                                        ("crlf.txt", b"\r\n")])
def test_empty_rows_count_against_the_row_budget(tmp_path, name, line):
    """A blank-line bomb (or empty JSON rows) gives no text, so only a row budget that counts empty
    rows can stop it: the read stops at the first row over the budget."""
    path = tmp_path / name
    path.write_bytes(gzip_of(line * 20_000, 10) if name.endswith(".gz") else line * 200_000)
    with pytest.raises(ReadLimitError, match=rf"{name}: more than 10,000 rows \(lines\), empty ones included, "
                                             r"the limit of this read \(stopped at line 10,001\)"):
        list(read_files([path], limits=ReadLimits(rows=10_000)))
    assert not any(d.text for d in read_files([path], limits=ReadLimits(rows=200_000)))  # within it: no text


def test_the_byte_budget_counts_decompressed_bytes_over_every_file(tmp_path):
    lines = [f"{HI} {k}" for k in range(100)]
    a, b = tmp_path / "a.txt", tmp_path / "b.txt.gz"
    a.write_text("\n".join(lines) + "\n", encoding="utf-8")
    b.write_bytes(gzip.compress(a.read_bytes()))
    size = a.stat().st_size
    assert len(list(read_files([a, b], limits=ReadLimits(decompressed=2 * size)))) == 8
    with pytest.raises(ReadLimitError, match=rf"b.txt.gz: more than {2 * size - 1:,} bytes after decompression"):
        list(read_files([a, b], limits=ReadLimits(decompressed=2 * size - 1)))
    with pytest.raises(ReadLimitError, match="b.txt.gz: more than 150 rows"):  # rows count over files too
        list(read_files([a, b], limits=ReadLimits(rows=150)))


def test_a_line_exactly_at_the_cell_limit_is_read(tmp_path):
    path = tmp_path / "edge.txt"
    path.write_bytes(b"a" * 10 + b"\r\n" + b"b" * 10 + b"\n" + b"c" * 10)  # the last line without a break
    docs = list(read_files([path], limits=ReadLimits(cell=10)))
    assert docs[0].text == "a" * 10 + "\n" + "b" * 10 + "\n" + "c" * 10
    path.write_bytes(b"a" * 10 + b"\n" + b"b" * 11 + b"\n")
    with pytest.raises(ReadLimitError, match="edge.txt: line 2 has more than 10 bytes"):
        list(read_files([path], limits=ReadLimits(cell=10)))
    path.write_bytes(b"a" * 11)
    with pytest.raises(ReadLimitError, match="edge.txt: line 1 has more than 10 bytes"):
        list(read_files([path], limits=ReadLimits(cell=10)))


def test_the_wall_time_budget(tmp_path):
    path = tmp_path / "slow.txt"
    path.write_text(f"{HI}\n" * 10, encoding="utf-8")
    with pytest.raises(ReadLimitError, match=r"slow.txt: reading took more than 0 s, .*stopped at line 1\)"):
        list(read_files([path], limits=ReadLimits(seconds=0)))
    assert list(read_files([path], limits=ReadLimits(seconds=60)))


def test_parquet_rows_and_bytes_are_refused_from_the_footer(tmp_path, monkeypatch):
    """30M empty rows in a 77 kB file (here 3M), or one 1 GB cell (here 30 MB): refused before the row
    group is read, from the row count and uncompressed size in the footer."""
    empty = tmp_path / "e.parquet"
    pq.write_table(pa.table({"text": pa.array([""] * 3_000_000)}), empty, row_group_size=3_000_000, compression="zstd")
    big = tmp_path / "big.parquet"
    pq.write_table(pa.table({"text": ["\0" * 30_000_000]}), big, compression="zstd")
    assert empty.stat().st_size < 100_000 and big.stat().st_size < 100_000

    def no_reading(*args, **kwargs):
        raise AssertionError("a row group was read")

    monkeypatch.setattr(pq.ParquetFile, "read_row_group", no_reading)
    with pytest.raises(ReadLimitError, match=r"e.parquet: more than 1,000,000 rows .*stopped at row group 0\)"):
        list(read_files([empty], limits=ReadLimits(rows=1_000_000)))
    with pytest.raises(ReadLimitError, match=r"big.parquet: more than 20,000,000 bytes after decompression.*group 0"):
        list(read_files([big], limits=ReadLimits(decompressed=20_000_000)))


def test_parquet_cells_are_checked_before_they_become_strings(tmp_path, monkeypatch):
    """Cell sizes, and what repeated dictionary values decode to, are checked on the lengths alone."""
    big = tmp_path / "big.parquet"
    pq.write_table(pa.table({"id": ["a", "b", "c"], "text": ["ok", "x" * 5_000_000, "ok"]}), big)
    repeated = tmp_path / "repeated.parquet"  # 20,000 rows of one 10 kB value: 200 MB decoded from a tiny file
    pq.write_table(pa.table({"text": pa.array(["y" * 10_000] * 20_000)}), repeated, compression="zstd")
    assert repeated.stat().st_size < 50_000
    monkeypatch.setattr(corpus_mod, "_slices", lambda *a: pytest.fail("cells became Python strings"))
    with pytest.raises(ReadLimitError, match=r"big.parquet: row 1 \('text'\) has more than 1,000,000 bytes"):
        list(read_files([big], limits=ReadLimits(cell=1_000_000)))
    with pytest.raises(ReadLimitError, match="repeated.parquet: more than 10,000,000 bytes after decompression"):
        list(read_files([repeated], limits=ReadLimits(decompressed=10_000_000)))


def test_parquet_is_read_in_slices_with_the_same_documents(tmp_path, monkeypatch):
    rows = [{"id": str(k) if k % 3 else None, "text": None if k == 4 else f"{HI} {k}" * (k % 7)} for k in range(50)]
    path = tmp_path / "rows.parquet"
    pq.write_table(pa.Table.from_pylist(rows), path, row_group_size=16)
    whole = list(read_files([path]))
    assert [d.text for d in whole] == [r["text"] or "" for r in rows]
    assert [d.id for d in whole] == [r["id"] or f"rows.parquet#{k}" for k, r in enumerate(rows)]
    monkeypatch.setattr(corpus_mod, "PARQUET_SLICE_BYTES", 100)
    assert list(read_files([path])) == whole
    assert [d for p in file_partitions([path]) for d in p.documents()] == whole


def test_parquet_text_must_be_strings(tmp_path):
    path = tmp_path / "ints.parquet"
    pq.write_table(pa.table({"text": [1, 2]}), path)
    with pytest.raises(CorpusError, match="ints.parquet: the 'text' column holds int64, not strings"):
        list(read_files([path]))


@pytest.mark.parametrize("line, message", [
    ('{"text": "ok \\ud800 no"}', r"line 2: 'text' holds a lone surrogate \(U\+D800, a \\u escape\) at index 3"),
    ("[" * 100_000 + "]" * 100_000, "line 2 is nested too deeply to be a row of text"),
    ('{"text": "ok", "meta": ' + "[" * 100_000 + "]" * 100_000 + "}", "line 2 is nested too deeply"),
])  # fmt: skip
def test_hostile_jsonl_rows_are_named(tmp_path, line, message):
    path = tmp_path / "h.jsonl"
    path.write_text('{"text": "fine"}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(CorpusError, match=message):
        list(read_files([path]))


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_inputs_that_are_not_regular_files(tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    for path, kind in ((fifo, "a FIFO"), (Path("/dev/zero"), "a character device"), (tmp_path, "a directory")):
        with pytest.raises(CorpusError, match=f"not a regular file \\(it is {kind}") as info:
            read_files([path])
        assert not isinstance(info.value, FileNotFoundError)


def test_block_lines_must_be_positive(tmp_path):
    path = tmp_path / "a.txt"
    path.write_text("x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="block_lines"):
        read_files([path], block_lines=0)


def test_wikipedia_unreachable_is_one_line_corpus_error():
    """Real offline mode of the Hub client (no mock): the error must point to --input."""
    code = (
        "from tokenizer.corpus import stream_wikipedia, CorpusError\n"
        "try:\n"
        "    next(stream_wikipedia('hi', max_docs=1))\n"
        "except CorpusError as e:\n"
        "    print(e)\n"
    )
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60,
        cwd=Path(__file__).resolve().parent.parent,
    )  # fmt: skip
    message = out.stdout.strip()
    assert "could not reach the Hugging Face Hub" in message
    assert "--input" in message
    assert "\n" not in message



class _FlakyFileSystem:
    """Stand-ins for fsspec filesystems whose server goes away: when listing (a glob), or after the
    first line of a file has been read."""

    @staticmethod
    def register(name: str, error: Exception, when: str) -> None:
        import io

        import fsspec
        from fsspec.implementations.local import LocalFileSystem

        class Flaky(LocalFileSystem):
            protocol = (name,)

            def glob(self, path, **kwargs):
                if when == "list":
                    raise error
                return super().glob(path, **kwargs)

            def _open(self, path, mode="rb", **kwargs):
                first = super()._open(path, mode, **kwargs).readline()

                class Cut(io.BytesIO):
                    def readline(self, size=-1):
                        if self.tell():
                            raise error
                        return super().readline(size)

                return Cut(first + b"more\n")

            @classmethod
            def _strip_protocol(cls, path):
                return super()._strip_protocol(str(path).removeprefix(f"{name}://"))

            def unstrip_protocol(self, path):
                return f"{name}://{path}"

        fsspec.register_implementation(name, Flaky, clobber=True)


def _connect_errors() -> list[Exception]:
    errors: list[Exception] = [ConnectionError("[Errno -2] Name or service not known")]
    try:
        import httpx2  # what huggingface_hub raises without a network: not an OSError

        errors.append(httpx2.ConnectError("[Errno -2] Name or service not known"))
    except ImportError:
        pass
    return errors


@pytest.mark.parametrize("error", _connect_errors(), ids=lambda e: type(e).__module__)
@pytest.mark.parametrize("when", ["list", "read"])
def test_an_unreachable_url_is_one_line_naming_it(tmp_path, error, when):
    (tmp_path / "a.txt").write_text(f"{HI}\n{KN}\n", encoding="utf-8")
    protocol = f"flaky{when}{type(error).__module__.replace('.', '')}"
    _FlakyFileSystem.register(protocol, error, when)
    url = f"{protocol}://{tmp_path}/*.txt"
    with pytest.raises(CorpusError) as caught:
        corpus = load_corpus(None, [url])
        list(corpus.read())
    message = str(caught.value)
    assert "\n" not in message
    if when == "list":
        assert message == (f"{url}: cannot reach its server ({type(error).__name__}: [Errno -2] Name or service "
                           "not known); check the network, or give local files")  # fmt: skip
    else:  # named by the file being read
        assert message.startswith(f"{protocol}://{tmp_path}/a.txt: ") and "Name or service not known" in message


def test_a_url_whose_filesystem_needs_a_missing_package(tmp_path):
    import fsspec

    fsspec.register_implementation(
        "needspkg", "no_such_package_xyz.FileSystem", errtxt='NeedsFS requires "no_such_package_xyz" to be installed'
    )
    with pytest.raises(CorpusError) as caught:
        load_corpus(None, ["needspkg://host/a.txt"])
    assert str(caught.value) == (
        "needspkg://host/a.txt: reading this URL needs an optional package that is not installed (NeedsFS requires "
        '"no_such_package_xyz" to be installed); pip install no_such_package_xyz'
    )


def test_an_unknown_url_protocol():
    with pytest.raises(CorpusError, match=r"^nosuchproto://x/a\.txt: cannot be read \(ValueError: Protocol not known"):
        load_corpus(None, ["nosuchproto://x/a.txt"])


# --- cleaning ---


def test_clean_keeps_the_text_spelling():
    """Training text is not normalised: it trains in the spelling it will be encoded in (text is
    encoded as it comes). NFC would decompose क़ (a composition exclusion) and compose ऩ and ಕೊ."""
    qa_decomposed = "\u0915\u093c"  # क + nukta
    qa_precomposed = "\u0958"  # क़, a composition exclusion
    nna = "\u0928\u093c"  # न + nukta: NFC composes it to U+0929 ऩ (not excluded)
    kannada_o = "\u0c95\u0cc6\u0cc2"  # ಕ + e + uu: NFC composes it to ಕೊ (U+0CCA)
    assert unicodedata.normalize("NFC", qa_precomposed) == qa_decomposed
    text = f"{qa_precomposed}लम {qa_decomposed}लम {nna}ना {kannada_o}ಡಗು"

    assert clean_document(f"  {text}  \n१२३") == text


def test_clean_drops_boilerplate_and_strips():
    text = "\n".join(
        [
            "  पहली पंक्ति पूरी है।  ",
            "",
            "१२३४ - ५६",
            "1999, 2000.",
            "* क",
            "== सन्दर्भ ==",
            "बाहरी कड़ियाँ",
            "इन्हें भी देखें",
            "ಉಲ್ಲೇಖಗಳು",
            "ಬಾಹ್ಯ ಸಂಪರ್ಕಗಳು:",
            "References",
            "EXTERNAL LINKS",
            "See also",
            "सन्दर्भ ग्रन्थों की सूची लम्बी है।",  # a sentence starting with a footer word stays
            "ಬೆಂಗಳೂರು ಕರ್ನಾಟಕದ ರಾಜಧಾನಿ.",
        ]
    )
    assert clean_document(text).split("\n") == [
        "पहली पंक्ति पूरी है।",
        "सन्दर्भ ग्रन्थों की सूची लम्बी है।",
        "ಬೆಂಗಳೂರು ಕರ್ನಾಟಕದ ರಾಜಧಾನಿ.",
    ]
    assert clean_document("12\n\n—\n") == ""


def test_clean_keeps_zwj_and_zwnj():
    text = "ಕನ್\u200dನಡ ಮತ್ತು क्\u200dष और र\u200cहा"
    assert clean_document(f"  {text}\t") == text


def test_three_letters_threshold_counts_marks():
    assert clean_document("कि") == ""  # one letter + one vowel sign
    assert clean_document("किसी") == "किसी"  # 2 letters + 2 vowel signs
    assert clean_document("ab") == ""
    assert clean_document("abc") == "abc"


# --- split ---


def test_split_is_deterministic_and_seeded():
    ids = [f"doc-{i}" for i in range(10_000)]
    seed0 = [split_of(i, seed=0) for i in ids]
    assert seed0 == [split_of(i, seed=0) for i in ids]
    counts = Counter(seed0)
    assert set(counts) == {"train", "valid", "test"}
    assert 400 <= counts["valid"] <= 600 and 400 <= counts["test"] <= 600  # 5% +- 4.5 sigma
    seed1 = [split_of(i, seed=1) for i in ids]
    assert sum(a != b for a, b in zip(seed0, seed1, strict=True)) > 1000


def test_split_fractions_are_honoured():
    counts = Counter(split_of(f"x{i}", valid=0.2, test=0.1) for i in range(10_000))
    assert 1850 <= counts["valid"] <= 2150 and 880 <= counts["test"] <= 1120
    assert Counter(split_of(f"x{i}", valid=0, test=0) for i in range(1000)) == {"train": 1000}
    with pytest.raises(ValueError):
        split_of("x", valid=0.6, test=0.5)


def test_split_does_not_depend_on_python_hash_seed():
    code = "from tokenizer.corpus import split_of; print([split_of(f'd{i}') for i in range(50)])"
    root = Path(__file__).resolve().parent.parent
    outputs = {
        subprocess.run(
            [sys.executable, "-c", code], env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True, text=True, check=True, cwd=root,
        ).stdout
        for seed in ("1", "2")
    }  # fmt: skip
    assert outputs == {str([split_of(f"d{i}") for i in range(50)]) + "\n"}


# --- corpus ---


def test_embedded_paths():
    assert embedded_path("hi").name == "hi.txt.gz" and embedded_path("hi").is_file()
    assert embedded_path("kn").name == "kn.txt.gz" and embedded_path("kn").is_file()
    with pytest.raises(ValueError, match="xx"):
        embedded_path("xx")


@pytest.mark.parametrize(
    "lang, script, lines",
    [("hi", "DEVANAGARI", (13246 + 2042 + 201, 650, 675)), ("kn", "KANNADA", (8513, 450, 400))],  # + hi's stories, respelled lines
)
def test_embedded_corpus_loads(lang, script, lines):
    corpus = load_corpus(lang)
    train = list(corpus.train_texts())
    valid, test = corpus.held_out_lines("valid"), corpus.held_out_lines("test")
    assert (len(train), len(valid), len(test)) == lines  # seed 0, blocks of 25 lines
    assert script in unicodedata.name(train[0][0])
    assert lang in corpus.describe() and "seed 0" in corpus.describe()


def test_embedded_hindi_valid_and_test_never_in_train():
    corpus = load_corpus("hi")
    train = set(corpus.train_texts())
    valid, test = set(corpus.held_out_lines("valid")), set(corpus.held_out_lines("test"))
    assert valid and test
    assert not train & valid
    assert not train & test
    assert not valid & test
    files = [embedded_path("hi")] + [embedded_path("hi").with_name(f) for f in LANGUAGES["hi"].train_files]
    assert [f.name for f in files] == ["hi.txt.gz", "hi.stories.txt.gz", "hi.respelled.txt.gz"]
    total = 0
    for path in files:
        with gzip.open(path, "rt", encoding="utf-8") as f:
            total += sum(1 for _ in f)
    assert len(train) + len(valid) + len(test) == total  # nothing lost


def test_corpus_from_files_cleans_train_only_and_re_reads(tmp_path):
    valid_id, train_id = first_id_in("valid"), first_id_in("train")
    messy = "  \u0958लम\u200c्  \n\n== सन्दर्भ ==\n१२३"  # precomposed क़: kept as written
    rows = [{"id": valid_id, "text": messy}, {"id": train_id, "text": messy}]
    path = write_jsonl(tmp_path / "docs.jsonl", rows)

    corpus = load_corpus(inputs=[str(path)])

    assert list(corpus.train_texts()) == ["\u0958लम\u200c्"]
    assert list(corpus.train_texts()) == ["\u0958लम\u200c्"]  # a fresh read each call
    assert corpus.held_out_lines("valid") == ["  \u0958लम\u200c्  ", "== सन्दर्भ ==", "१२३"]
    assert corpus.held_out_lines("test") == []
    with pytest.raises(ValueError):
        corpus.held_out_lines("train")


def test_corpus_limits_apply_before_the_split(tmp_path):
    path = write_parquet(tmp_path / "w.parquet", ROWS)
    corpus = load_corpus("hi", [str(path)], max_docs=4)
    assert corpus.lang == "hi"
    assert [d.id for d in corpus.documents()] == [r["id"] for r in ROWS]
    everything = list(corpus.train_texts()) + corpus.held_out_lines() + corpus.held_out_lines("test")
    assert len(everything) == 4 * 2
    assert "first 4 documents" in corpus.describe()


def test_load_corpus_argument_errors(tmp_path):
    with pytest.raises(CorpusError, match="needs a language"):
        load_corpus()
    with pytest.raises(CorpusError, match="needs a language"):
        load_corpus(source="wikipedia")
    with pytest.raises(CorpusError, match="needs at least one input"):
        load_corpus("hi", source="files")
    with pytest.raises(CorpusError, match="input files given"):
        load_corpus("hi", ["x.txt"], source="embedded")
    with pytest.raises(CorpusError, match="unknown corpus source"):
        load_corpus("hi", source="web")
    with pytest.raises(FileNotFoundError, match="absent.txt"):
        load_corpus(inputs=[str(tmp_path / "absent.txt")])  # at load time, not mid-training
    with pytest.raises(CorpusError, match=r"^max_docs must be a whole number >= 0 \(or None: no limit\), got -1$"):
        load_corpus("hi", max_docs=-1)
    with pytest.raises(CorpusError, match=r"^max_bytes must be a whole number >= 0 .* got 1\.5$"):
        load_corpus("hi", max_bytes=1.5)


# ----- held-out sources: lines no split may use ------------------------------------------------------
def test_line_hash_normalises_as_the_corpora_were_cleaned():
    from tokenizer.corpus import line_hash

    assert line_hash("नमस्ते दुनिया") == line_hash("  नमस्ते\t दुनिया \u200b") == line_hash("नमस्ते दुनिया\n")
    assert line_hash("क\u200dष") != line_hash("कष")  # ZWJ is kept: it changes how the text renders
    assert len(line_hash("x")) == 16 and int(line_hash("x"), 16) >= 0


def test_excluded_lines_are_in_no_split(tmp_path):
    from tokenizer.corpus import Corpus, Document, line_hash

    docs = [Document(f"d{i}", "\n".join(f"वाक्य {i} {k} यहाँ है" for k in range(5))) for i in range(60)]
    drop = {line_hash(docs[i].text.splitlines()[k]) for i in range(0, 60, 3) for k in (0, 2)}
    listed = tmp_path / "x.exclude.txt"
    listed.write_text("".join(f"{h}\n" for h in sorted(drop)), encoding="ascii")
    plain = Corpus(lambda: docs, "docs", valid=0.2, test=0.2)
    held = Corpus(lambda: docs, "docs", valid=0.2, test=0.2, exclude=str(listed))
    for a, b in [(list(plain.train_texts()), list(held.train_texts())),
                 (plain.held_out_lines("valid"), held.held_out_lines("valid")),
                 (plain.held_out_lines("test"), held.held_out_lines("test"))]:  # fmt: skip
        assert [x for x in a if line_hash(x) not in drop] == b and len(b) < len(a)
    assert not {line_hash(x) for x in held.train_texts()} & drop
    broken = tmp_path / "broken.exclude.txt"
    broken.write_bytes(b"\xff\xfe")
    with pytest.raises(CorpusError, match="not a readable exclusion list"):
        list(Corpus(lambda: docs, "docs", exclude=str(broken)).train_texts())


def test_embedded_corpus_holds_out_its_validation_sources():
    """or's Common Voice sentences are its out-of-domain validation source: no split of the embedded
    corpus uses them, and the description says so."""
    from tokenizer.corpus import excluded_lines, line_hash

    corpus = load_corpus("or")
    drop = excluded_lines(corpus.exclude)
    assert corpus.exclude.endswith("or.exclude.txt") and len(drop) > 5_000 and "held out" in corpus.describe()
    assert not {line_hash(x) for x in corpus.train_texts()} & drop
    assert not {line_hash(x) for x in corpus.held_out_lines("valid")} & drop
    assert load_corpus("hi").exclude is None  # its validation set (TICO-19) is not in its corpus


def test_train_only_lines_train_but_are_never_held_out(tmp_path):
    from tokenizer.corpus import Corpus, Document, line_hash

    docs = [Document(f"d{i}", "\n".join(f"वाक्य {i} {k} यहाँ है" for k in range(5))) for i in range(60)]
    only = {line_hash(docs[i].text.splitlines()[k]) for i in range(60) for k in (1, 3)}
    listed = tmp_path / "x.train-only.txt"
    listed.write_text("".join(f"{h}\n" for h in sorted(only)), encoding="ascii")
    plain = Corpus(lambda: docs, "docs", valid=0.2, test=0.2)
    mixed = Corpus(lambda: docs, "docs", valid=0.2, test=0.2, train_only=str(listed))
    assert list(mixed.train_texts()) == list(plain.train_texts())  # they train ...
    assert {line_hash(x) for x in mixed.train_texts()} & only
    assert list(mixed.all_texts()) == list(plain.all_texts())  # ... and the whole-corpus baseline sees them
    for split in ("valid", "test"):  # ... but are never held-out text
        held = mixed.held_out_lines(split)
        assert held == [x for x in plain.held_out_lines(split) if line_hash(x) not in only] and held


def test_a_train_files_documents_always_train():
    """SplitRule.train_files: every document of a listed file trains, whatever its hash says;
    documents of other files keep split_of's split."""
    from tokenizer.corpus import SplitRule

    held = [f"x.stories.txt.gz#{n}" for n in range(200) if split_of(f"x.stories.txt.gz#{n}") != "train"]
    assert held  # about a tenth of the documents would be held out by their hash
    rule = SplitRule(train_files=("x.stories.txt.gz",))
    assert all(rule.split(doc_id) == "train" for doc_id in held)
    assert all(rule.training_lines(doc_id, "एक वाक्य यहाँ है") == ["एक वाक्य यहाँ है"] for doc_id in held)
    other = [f"x.txt.gz#{n}" for n in range(200)]
    assert [rule.split(d) for d in other] == [split_of(d) for d in other]


def test_embedded_marathi_trains_on_half_of_the_stories_and_never_holds_them_out():
    """mr's registry entry lists mr.stories.txt.gz: every line of it trains, none is valid or test
    text, and the whole-corpus baseline sees it too."""
    from tokenizer.registry import LANGUAGES

    assert LANGUAGES["mr"].train_files == ("mr.stories.txt.gz",)
    corpus = load_corpus("mr")
    with gzip.open(embedded_path("mr").with_name("mr.stories.txt.gz"), "rt", encoding="utf-8") as f:
        stories = set(f.read().splitlines())
    assert len(stories) > 1_500 and "mr.stories.txt.gz only trains" in corpus.describe()
    assert stories <= set(corpus.train_texts()) and stories <= set(corpus.all_texts())
    for split in ("valid", "test"):
        held = corpus.held_out_lines(split)
        assert held and not set(held) & stories
    assert {d.id.rsplit("#", 1)[0] for d in corpus.read()} == {"mr.txt.gz", "mr.stories.txt.gz"}


def test_embedded_punjabi_trains_on_common_voice_but_measures_wikipedia():
    """pa's Common Voice block trains (its OOD set is the stories, from outside the corpus) and is
    never part of its valid or test lines."""
    from tokenizer.corpus import excluded_lines, line_hash

    corpus = load_corpus("pa")
    only = excluded_lines(corpus.train_only)
    assert corpus.exclude is None and len(only) > 10_000 and "train but are not held-out" in corpus.describe()
    assert len({line_hash(x) for x in corpus.train_texts()} & only) > 10_000
    for split in ("valid", "test"):
        assert not {line_hash(x) for x in corpus.held_out_lines(split)} & only
