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

from tokenizer.corpus import (
    CorpusError,
    Document,
    clean_document,
    embedded_path,
    load_corpus,
    read_files,
    split_of,
    stream_rows,
)

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


# --- cleaning ---


def test_clean_nfc_follows_unicode_composition_exclusions():
    qa_decomposed = "\u0915\u093c"  # क + nukta
    qa_precomposed = "\u0958"  # क़, a composition exclusion
    nna = "\u0928\u093c"  # न + nukta composes to U+0929 ऩ (not excluded)
    kannada_o = "\u0c95\u0cc6\u0cc2"  # ಕ + e + uu composes to ಕೊ (U+0CCA)
    assert unicodedata.normalize("NFC", qa_precomposed) == qa_decomposed

    cleaned = clean_document(f"{qa_precomposed}लम {qa_decomposed}लम {nna}ना {kannada_o}ಡಗು")

    assert cleaned == f"{qa_decomposed}लम {qa_decomposed}लम \u0929ना \u0c95\u0ccaಡಗು"
    assert "\u0958" not in cleaned


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
    with pytest.raises(ValueError, match="sa"):
        embedded_path("sa")


@pytest.mark.parametrize(
    "lang, script, lines",
    [("hi", "DEVANAGARI", (13246, 650, 675)), ("kn", "KANNADA", (8513, 450, 400))],
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
    with gzip.open(embedded_path("hi"), "rt", encoding="utf-8") as f:
        assert len(train) + len(valid) + len(test) == sum(1 for _ in f)  # nothing lost


def test_corpus_from_files_cleans_train_only_and_re_reads(tmp_path):
    valid_id, train_id = first_id_in("valid"), first_id_in("train")
    messy = "  \u0958लम\u200c्  \n\n== सन्दर्भ ==\n१२३"  # precomposed क़: NFC decomposes it
    rows = [{"id": valid_id, "text": messy}, {"id": train_id, "text": messy}]
    path = write_jsonl(tmp_path / "docs.jsonl", rows)

    corpus = load_corpus(inputs=[str(path)])

    assert list(corpus.train_texts()) == ["\u0915\u093cलम\u200c्"]
    assert list(corpus.train_texts()) == ["\u0915\u093cलम\u200c्"]  # a fresh read each call
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
