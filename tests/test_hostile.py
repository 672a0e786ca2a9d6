"""Hostile input: broken model files, bad CLI input, giant chunks, special tokens and lone surrogates on
every encode path, and streaming encode (encode_iter, the CLI) equal to one-shot encode.

The rule everywhere: a clear error (one line naming the file and line, or the byte or index) or a
correct result in reasonable time; never a traceback, another exception type, or a hang. Model-file
messages checked line by line in test_model_file.py are only checked here through the CLI.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokenizer
from tokenizer.cli import CliError, main, read_utf8
from tokenizer.files import TEMP_SUFFIX
from tokenizer.model_file import ModelFileError, dumps, load, loads
from tokenizer.pretokenize import PATTERNS

from .conftest import ROOT
from .strategies import mixed_text

EOT = "<|endoftext|>"


# ----- helpers ---------------------------------------------------------------------------------------
def cli(*args: str, stdin: bytes = b"") -> tuple[int, bytes, str]:
    """main() in-process with stdin/stdout/stderr swapped: exit status, stdout bytes, stderr text.

    An exception main() lets through (what a user would see as a traceback) fails the test.
    """
    out, err = io.BytesIO(), io.StringIO()
    stdout = io.TextIOWrapper(out, encoding="utf-8", newline="")
    stdin_io = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")
    with (
        mock.patch.object(sys, "stdin", stdin_io),
        mock.patch.object(sys, "stdout", stdout),
        contextlib.redirect_stderr(err),
    ):
        code = main(list(args))
    stdout.flush()
    return code, out.getvalue(), err.getvalue()


def run(*args: str, stdin: bytes = b"", timeout: float = 60) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tokenizer", *args],
        input=stdin,
        capture_output=True,
        cwd=ROOT,
        timeout=timeout,
        check=False,
    )


def assert_one_line_error(code: int, err: str, *fragments: str) -> None:
    assert code == 1, err
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err
    for fragment in fragments:
        assert fragment in err, err


@pytest.fixture(scope="module")
def model_text(hi_small) -> str:
    return dumps(hi_small)


@pytest.fixture(scope="module")
def model(hi_small, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("hostile") / "hi.model"
    tokenizer.save(hi_small, path)
    return str(path)


# ----- model files -----------------------------------------------------------------------------------
def _lines(text: str) -> list[str]:
    return text.split("\n")


def _set_line(text: str, n: int, value: str) -> str:
    lines = _lines(text)
    lines[n - 1] = value
    return "\n".join(lines)


# (case, how to break the model text (str -> str | bytes), fragment the error must contain)
BROKEN_MODELS = [
    ("empty", lambda t: b"", "m.model:1: empty file"),
    ("only a newline", lambda t: b"\n", "m.model:1: not a model file"),
    (
        "wrong version",
        lambda t: t.replace("indicbpe v2", "indicbpe v0", 1),
        "m.model:1: unsupported format version 'v0'",
    ),
    ("no version", lambda t: t.replace("indicbpe v2", "indicbpe", 1), "m.model:1: not a model file"),
    ("utf-8 BOM", lambda t: "\ufeff" + t, "m.model:1: not a model file"),
    ("truncated in the header", lambda t: t[: t.index("regex:") + 20], "m.model:5: file ends before the 'merges:'"),
    ("truncated at a line end", lambda t: "\n".join(_lines(t)[:200]) + "\n", "m.model:201: file ends after 193 of 743"),
    ("truncated mid-line", lambda t: t[: len(t) // 2], "file ends after"),
    ("duplicate merge", lambda t: _set_line(t, 20, _lines(t)[18]), "m.model:20: duplicate merge"),
    ("future id", lambda t: _set_line(t, 20, "300 1"), "m.model:20: merge 300 + 1 uses an id that does not exist yet"),
    (
        "merge uses its own id",
        lambda t: _set_line(t, 20, "268 1"),
        "m.model:20: merge 268 + 1 uses an id that does not",
    ),
    ("negative id", lambda t: _set_line(t, 20, "-1 5"), "m.model:20: expected two token ids, found '-1 5'"),
    ("three ids", lambda t: _set_line(t, 20, "1 2 3"), "m.model:20: expected two token ids"),
    ("blank merge line", lambda t: _set_line(t, 20, ""), "m.model:20: expected two token ids, found ''"),
    (
        "non-UTF-8 merge line",
        lambda t: _set_line(t, 30, "\udcff").encode("utf-8", "surrogateescape"),
        "m.model:30: not valid UTF-8",
    ),
    ("NUL bytes", lambda t: _set_line(t, 30, "1\x002"), "m.model:30: expected two token ids"),
    ("count too large", lambda t: t.replace("merges: 743", "merges: 99999999999999999999"), "file ends after 743 of"),
    ("count not a number", lambda t: t.replace("merges: 743", "merges: many"), "m.model:7: 'merges:' needs a count"),
    (
        "no regex line",
        lambda t: "\n".join(x for x in _lines(t) if not x.startswith("regex:")),
        "the header has no 'regex:'",
    ),
    ("regex not a string", lambda t: _set_line(t, 4, "regex: 42"), "m.model:4: the regex must be a JSON string"),
    ("regex not JSON", lambda t: _set_line(t, 4, "regex: (a"), "m.model:4: the regex must be a JSON string"),
    ("unknown field", lambda t: t.replace("name:", "colour:", 1), "m.model:2: unknown header field 'colour'"),
    (
        "special id collides with a byte",
        lambda t: t.replace(f"{EOT} 999", f"{EOT} 65"),
        "m.model:5: special token id 65 collides",
    ),
    (
        "special id collides with a merge",
        lambda t: t.replace(f"{EOT} 999", f"{EOT} 998"),
        "special token id 998 collides",
    ),
    (
        "two specials share an id",
        lambda t: t.replace(f"special: {EOT} 999", f"special: {EOT} 999\nspecial: <|pad|> 999"),
        "two special tokens share an id",
    ),
    (
        "special listed twice",
        lambda t: t.replace(f"special: {EOT} 999", f"special: {EOT} 999\nspecial: {EOT} 1000"),
        "m.model:6: special token '<|endoftext|>' is listed twice",
    ),
    ("special without id", lambda t: t.replace(f"{EOT} 999", f"{EOT}"), "m.model:5: expected 'special: <token> <id>'"),
    (
        "special negative id",
        lambda t: t.replace(f"{EOT} 999", f"{EOT} -1"),
        "m.model:5: expected 'special: <token> <id>'",
    ),
]


@pytest.mark.parametrize("case, breaker, fragment", BROKEN_MODELS, ids=[c[0] for c in BROKEN_MODELS])
def test_broken_model_file(model_text, tmp_path, case, breaker, fragment):
    """Library: a ModelFileError naming file and line. CLI (encode and decode): exit 1, one line."""
    broken = breaker(model_text)
    path = tmp_path / "m.model"
    path.write_bytes(broken if isinstance(broken, bytes) else broken.encode("utf-8"))
    with pytest.raises(ModelFileError) as e:
        load(path)
    assert fragment in str(e.value) and str(e.value).startswith(str(path)), str(e.value)
    for command in ("encode", "decode"):
        code, _, err = cli(command, "--model", str(path), stdin=b"1")
        assert_one_line_error(code, err, fragment)


def test_merge_repeating_bytes(model_text, tmp_path):
    text = model_text.replace("merges: 743", "merges: 744")
    tok = loads(model_text.encode())
    by_bytes = {v: i for i, v in tok.vocab.items()}
    extra = next(
        (by_bytes[d[:k]], by_bytes[d[k:]])
        for (a, b), i in tok.merges.items()
        for d in [tok.vocab[i]]
        for k in range(1, len(d))
        if d[:k] in by_bytes and d[k:] in by_bytes and (by_bytes[d[:k]], by_bytes[d[k:]]) != (a, b)
    )
    path = tmp_path / "m.model"
    path.write_text(text + f"{extra[0]} {extra[1]}\n", encoding="utf-8")
    code, _, err = cli("encode", "--model", str(path))
    assert_one_line_error(code, err, f"m.model:{7 + 744}: merge {extra[0]} + {extra[1]} repeats the bytes")


def test_windows_line_endings_load(model_text, hi_small, tmp_path):
    path = tmp_path / "crlf.model"
    path.write_bytes(model_text.replace("\n", "\r\n").encode("utf-8"))
    tok = load(path)
    assert tok.merges == hi_small.merges and tok.special_tokens == hi_small.special_tokens
    assert tok.pattern.regex == hi_small.pattern.regex
    code, out, err = cli("encode", "--model", str(path), stdin="नमस्ते\r\n".encode())
    assert code == 0, err
    assert out.split() == [str(i).encode() for i in hi_small.encode("नमस्ते\r\n")]


@pytest.mark.parametrize("kind", ["random bytes", "one long line", "many short lines"])
def test_huge_garbage_model_file(tmp_path, kind):
    """20 MB of garbage: a one-line error within seconds, not a hang or a MemoryError."""
    rng = random.Random(0)
    data = {
        "random bytes": rng.randbytes(20_000_000),
        "one long line": b"a" * 20_000_000,
        "many short lines": b"indicbpe v1\n" + b"x\n" * 10_000_000,
    }[kind]
    path = tmp_path / "garbage.model"
    path.write_bytes(data)
    start = time.perf_counter()
    with pytest.raises(ModelFileError) as e:
        load(path)
    seconds = time.perf_counter() - start
    print(f"{kind}: {e.value!s:.90} ({seconds:.2f} s)")
    assert str(e.value).startswith(f"{path}:") and seconds < 20
    code, _, err = cli("encode", "--model", str(path))
    assert_one_line_error(code, err, str(path))


def test_model_is_a_directory(tmp_path):
    code, _, err = cli("encode", "--model", str(tmp_path))
    assert_one_line_error(code, err, f"{tmp_path}: cannot read the model file")
    r = run("decode", "--model", str(tmp_path), stdin=b"1")
    assert_one_line_error(r.returncode, r.stderr.decode(), "cannot read the model file")


# ----- what the CLI reads is bounded (issue 21, D7 and the weaker points) -----------------------------
def _fifo(tmp_path: Path, name: str) -> Path:
    path = tmp_path / name
    os.mkfifo(path)
    return path


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
@pytest.mark.parametrize("args", [["encode"], ["decode"], ["evaluate", "--lang", "hi"], ["export-hf", "--out", "x"]])
def test_a_model_that_is_not_a_regular_file_is_refused_at_once(tmp_path, args):
    """A FIFO with no writer used to block forever, /dev/zero to fill memory until a traceback."""
    for path, kind in ((_fifo(tmp_path, f"m{len(args)}.model"), "a FIFO (named pipe)"),
                       (Path("/dev/zero"), "a character device")):
        r = run(args[0], "--model", str(path), *args[1:], timeout=30)
        message = f"{path}: cannot read the model file: not a regular file (it is {kind})"
        assert_one_line_error(r.returncode, r.stderr.decode(), message)


def test_a_model_file_has_a_size_limit(tmp_path):
    from tokenizer.model_file import MAX_MODEL_BYTES

    path = tmp_path / "sparse.model"
    with open(path, "wb") as f:
        f.truncate(4 * MAX_MODEL_BYTES)  # 256 MiB of zeros on disk in no time
    start = time.perf_counter()
    with pytest.raises(ModelFileError, match=f"sparse.model: over {MAX_MODEL_BYTES:,} bytes, so not a model file"):
        load(path)
    assert time.perf_counter() - start < 10  # not read whole
    code, _, err = cli("encode", "--model", str(path))
    assert_one_line_error(code, err, "so not a model file")


@pytest.mark.parametrize("first_line", ["root:$6$Sx4u9Z$secret.hash:19000:0:99999:7:::", "indicbpe secret", "x" * 80])
def test_a_file_that_is_not_a_model_is_not_quoted(tmp_path, first_line):
    """The message names the file and says what was expected; it never echoes the file (/etc/shadow's root line)."""
    path = tmp_path / "shadow"
    path.write_text(first_line + "\ndaemon:*:19000:0:99999:7:::\n", encoding="utf-8")
    code, _, err = cli("encode", "--model", str(path))
    assert_one_line_error(code, err, f"{path}:1: not a model file: its first line is not 'indicbpe v2'")
    assert first_line not in err and "secret" not in err and "daemon" not in err


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_inputs_that_are_not_regular_files_are_named(model, tmp_path):
    fifo = _fifo(tmp_path, "in.txt")
    for args in (["train", "--input", str(fifo), "--out", str(tmp_path / "o.model")],
                 ["train", "--input", "/dev/zero", "--out", str(tmp_path / "o.model")],
                 ["evaluate", "--model", model, "/dev/zero"], ["evaluate", "--model", model, str(fifo)],
                 ["export-hf", "--model", model, "--out", str(tmp_path / "hf"), "--metrics", "/dev/zero"]):
        r = run(*args, timeout=30)
        err = r.stderr.decode()
        assert_one_line_error(r.returncode, err, "not a regular file (it is a")
        assert "not found" not in err


@pytest.mark.parametrize("stdin_file, message", [
    ("/dev/zero", "more than 1,000,000 characters from index 0 without a line break where the text can be cut"),
])  # fmt: skip
def test_encode_bounds_the_text_it_holds(model, stdin_file, message):
    """/dev/zero on stdin has no safe cut: refused once --max-unbroken characters are held (was: 175 MB/s
    of buffering, then a traceback)."""
    with open(stdin_file, "rb") as f:
        r = subprocess.run([sys.executable, "-m", "tokenizer", "encode", "--model", model, "--max-unbroken", "1000000"],
                           stdin=f, capture_output=True, cwd=ROOT, timeout=60)
    assert_one_line_error(r.returncode, r.stderr.decode(), message)
    with open(stdin_file, "rb") as f:  # the default bound: 16 Mi characters, refused in about a second
        r = subprocess.run([sys.executable, "-m", "tokenizer", "encode", "--model", model],
                           stdin=f, capture_output=True, cwd=ROOT, timeout=60)
    assert_one_line_error(r.returncode, r.stderr.decode(), "more than 16,777,216 characters")


def test_decode_refuses_an_endless_id(model):
    with open("/dev/zero", "rb") as f:
        r = subprocess.run([sys.executable, "-m", "tokenizer", "decode", "--model", model],
                           stdin=f, capture_output=True, cwd=ROOT, timeout=60)
    assert_one_line_error(r.returncode, r.stderr.decode(), "id 1 is not a token id")


def test_encode_iter_max_held(hi_small):
    """Under the bound the ids are exact; over it, an error at the index where the held text starts;
    a pattern that is never cut says so."""
    text = ("यह एक वाक्य है।\n" * 40) + "कि " * 400 + "\nअंत"
    blocks = [text[k : k + 50] for k in range(0, len(text), 50)]
    assert _joined(hi_small.encode_iter(blocks, max_held=1300)) == hi_small.encode(text)
    held_from = len("यह एक वाक्य है।\n") * 40  # the last safe cut
    with pytest.raises(tokenizer.TokenizerError, match=rf"more than 1,000 characters from index {held_from} without"):
        list(hi_small.encode_iter(blocks, max_held=1000))
    gpt2 = tokenizer.Tokenizer(hi_small.merges, "gpt2", hi_small.special_tokens)
    with pytest.raises(tokenizer.TokenizerError, match=r"pre-split \('gpt2'\) cannot be cut while streaming"):
        list(gpt2.encode_iter(blocks, max_held=1000))
    assert _joined(gpt2.encode_iter(blocks, max_held=len(text))) == gpt2.encode(text)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS")
def test_out_of_memory_is_one_line(model, tmp_path):
    """evaluate streams its files, each line bounded: 3 GiB without a line break is refused at the
    line's limit (it was read whole). Lines each under the limit that together exceed the memory
    the process may use: MemoryError becomes one line."""
    cap = "import resource, runpy, sys; resource.setrlimit(resource.RLIMIT_AS, (2**31, 2**31)); " \
          "sys.argv = ['tokenizer', *sys.argv[1:]]; runpy.run_module('tokenizer', run_name='__main__')"
    big = tmp_path / "big.txt"
    with open(big, "wb") as f:
        f.truncate(3 * 2**30)  # sparse: 3 GiB of NUL bytes
    r = subprocess.run([sys.executable, "-c", cap, "evaluate", "--model", model, str(big)], capture_output=True,
                       cwd=ROOT, timeout=120)
    assert_one_line_error(r.returncode, r.stderr.decode(), "line 1 has more than 67,108,864 bytes")
    lines = tmp_path / "lines.txt"
    with open(lines, "wb") as f:  # sparse too: 40 lines of 60 MiB of NUL bytes
        for k in range(1, 41):
            f.seek(k * 60 * 2**20)
            f.write(b"\n")
    r = subprocess.run([sys.executable, "-c", cap, "evaluate", "--model", model, str(lines)], capture_output=True,
                       cwd=ROOT, timeout=120)
    assert_one_line_error(r.returncode, r.stderr.decode(), "error: out of memory in evaluate")


def test_train_checks_out_before_training(tmp_path, monkeypatch):
    """--out naming a directory or a path under a file fails before any training, naming --out (not a temp file)."""
    import tokenizer.cli as cli_mod

    monkeypatch.setattr(cli_mod, "train", lambda *a, **k: pytest.fail("trained before checking --out"))
    text = tmp_path / "in.txt"
    text.write_text("नमस्ते दुनिया\n", encoding="utf-8")
    a_file = tmp_path / "file.txt"
    a_file.write_text("x", encoding="utf-8")
    for out, message in ((tmp_path, f"--out {tmp_path} is a directory; give the model's file name"),
                         (a_file / "m.model", f"--out {a_file / 'm.model'}: {a_file} is not a directory")):
        code, _, err = cli("train", "--input", str(text), "--out", str(out), "--quiet")
        assert_one_line_error(code, err, message)
        assert TEMP_SUFFIX not in err
    # a missing folder is fine: the save makes it
    monkeypatch.undo()
    out_path = tmp_path / "new" / "m.model"
    code, out, err = cli("train", "--input", str(text), "--vocab-size", "260", "--out", str(out_path), "--quiet")
    assert code == 0 and out_path.is_file(), err


def test_superscript_digit_in_model_file(model_text, tmp_path):
    path = tmp_path / "m.model"
    path.write_text(_set_line(model_text, 20, "² 1"), encoding="utf-8")
    with pytest.raises(ModelFileError, match="m.model:20"):
        load(path)


def test_truncated_inside_the_last_number(model_text, tmp_path):
    path = tmp_path / "m.model"
    last = model_text.rstrip("\n").rsplit("\n", 1)[1]
    assert len(last.split()[1]) >= 2
    path.write_text(model_text.rstrip("\n")[:-1], encoding="utf-8")  # dumps always ends with a newline
    with pytest.raises(ModelFileError, match="m.model:"):
        load(path)


def test_special_id_with_a_gap_is_rejected(model_text, tmp_path):
    """A special id that leaves a gap after the merges: refused at load (library and CLI), naming the line."""
    path = tmp_path / "m.model"
    path.write_text(model_text.replace(f"{EOT} 999", f"{EOT} 5000"), encoding="utf-8")
    message = "m.model:5: special token ids must follow the merges without gaps: expected 999..999"
    with pytest.raises(ModelFileError, match=re.escape(message)):
        load(path)
    for args in (["encode", "--special", "special"], ["decode"]):
        code, _, err = cli(*args, "--model", str(path), stdin=f"a{EOT}".encode() if args[0] == "encode" else b"97")
        assert_one_line_error(code, err, message)


# ----- command line input ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["encode"], b"\xff", "stdin is not valid UTF-8 (byte 0: ff)"),
        (["encode"], "नमस्ते".encode()[:-1], "stdin is not valid UTF-8 (byte 15: e0 a5)"),  # cut inside a character
        (["encode"], b"ok\n\xed\xa0\x80", "stdin is not valid UTF-8 (byte 3: ed a0 80)"),  # an encoded surrogate
        (["encode"], b"a\xc0\x80", "stdin is not valid UTF-8 (byte 1: c0 80)"),  # overlong NUL
        (["decode"], b"1 1.5", "id 2 is not a token id (a whole number >= 0): '1.5'"),
        (["decode"], b"0x10", "id 1 is not a token id (a whole number >= 0): '0x10'"),
        (["decode"], b"1 +2", "id 2 is not a token id (a whole number >= 0): '+2'"),
        (["decode"], b"-0", "id 1 is not a token id (a whole number >= 0): '-0'"),
        (["decode"], str(10**30).encode(), f"id 1 is {10**30}, out of range: this model's ids are 0..999"),
        (["decode"], b"\xff", "stdin is not valid UTF-8 (byte 0: ff)"),  # stdin of decode is read as text
        (["decode"], b"5" * 5000, "error: "),  # Python refuses int() of > 4300 digits; still one line
        (["decode"], "²".encode(), "error: "),  # isdigit() but not int(): one line (message could be clearer)
    ],
)
def test_bad_cli_input(model, args, stdin, message):
    code, _, err = cli(*args, "--model", model, stdin=stdin)
    assert_one_line_error(code, err, message)


def test_bad_cli_input_in_a_real_process(model):
    """The same through a real interpreter: nothing but the one line on stderr."""
    for args, stdin in [(["encode"], b"ok \xff"), (["decode"], b"1 x"), (["decode"], str(10**30).encode())]:
        r = run(*args, "--model", model, stdin=stdin)
        assert_one_line_error(r.returncode, r.stderr.decode())


def test_invalid_utf8_offset_counts_every_block():
    """The byte offset of invalid UTF-8 is counted across blocks, also when a character spans two."""
    data = "नमस्ते दुनिया\n".encode() * 3 + b"\xff"
    for block in (1, 2, 3, 5, 7, 1 << 20):
        with pytest.raises(CliError, match=rf"byte {len(data) - 1}: ff\)"):
            list(read_utf8(io.BytesIO(data), block))
        text = "".join(read_utf8(io.BytesIO(data[:-1]), block))
        assert text == data[:-1].decode()
    with pytest.raises(CliError, match=rf"byte {len(data) - 1}: e0 a4\)"):  # input ends inside a character
        list(read_utf8(io.BytesIO(data[:-1] + "क".encode()[:2]), 4))


def test_empty_stdin(model):
    assert cli("encode", "--model", model) == (0, b"\n", "")
    assert cli("decode", "--model", model) == (0, b"", "")
    assert cli("decode", "--model", model, stdin=b" \n\t,, ") == (0, b"", "")
    assert cli("decode", "--model", model, stdin=b"\n") == (0, b"", "")


def test_unknown_options(model):
    for args in (
        ["encode", "--model", model, "--colour"],
        ["decode", "--model", model, "--errors", "ignore"],
        ["encode"],
        ["decode", "--model"],
        ["--model", model],
    ):
        r = run(*args)
        err = r.stderr.decode()
        assert r.returncode == 2 and "usage:" in err and "Traceback" not in err, err


# ----- giant single chunks -----------------------------------------------------------------------------
GIANT = {
    "one akshara, 1M marks": "क" + "ि" * 1_000_000,  # one chunk of 3 MB: a consonant and its marks
    "one akshara x 1M/3, spaced": " ".join(["कि"] * 170_000),  # one phrase chunk of 1.2 MB (indic-phrases)
}


@pytest.mark.parametrize("name", list(GIANT))
def test_giant_single_chunk(hi_small, name):
    """One chunk far beyond what fancy-regex can match in one call: the compiled core splits it with
    Python's regex and runs only BPE in Rust; the ids are the reference's."""
    text = GIANT[name]
    assert len(hi_small.pattern.split(text)) == 1
    start = time.perf_counter()
    ref_ids = hi_small.reference().encode(text)
    ref_seconds = time.perf_counter() - start
    start = time.perf_counter()
    ids = hi_small.encode(text)
    seconds = time.perf_counter() - start
    print(
        f"{name} ({len(text.encode()):,} bytes, {len(ids):,} ids): reference {ref_seconds:.2f} s, compiled {seconds:.2f} s"
    )
    assert hi_small.backend == "tiktoken"
    assert ids == ref_ids
    assert hi_small.decode(ids, errors="strict") == text


# ----- special tokens and lone surrogates on every path ----------------------------------------------------
def _outcome(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except ValueError as e:
        return ("ValueError", str(e))


def _joined(pieces) -> list[int]:
    return [i for piece in pieces for i in piece]


POLICIES = [
    {},
    {"allowed_special": "all"},
    {"disallowed_special": ()},
    {"allowed_special": set(), "disallowed_special": set()},
]


@pytest.mark.parametrize("policy", POLICIES, ids=["raise", "special", "text", "nothing allowed or disallowed"])
def test_special_policy_on_every_path(hi_small, policy):
    text = f"नमस्ते\nदुनिया {EOT}\nअंत{EOT}"
    expected = _outcome(hi_small.encode, text, **policy)
    assert _outcome(hi_small.reference().encode, text, **policy) == expected
    batch = _outcome(hi_small.encode_batch, [text, text], **policy)
    if isinstance(expected, tuple):  # the batch names which text
        assert batch == ("ValueError", f"text 0: {expected[1]}")
    else:
        assert batch == [expected, expected]
    for size in (1, 2, 5, 13, 100):  # the special token cut by block edges in every way
        blocks = [text[k : k + size] for k in range(0, len(text), size)]
        assert _outcome(lambda b=blocks: _joined(hi_small.encode_iter(b, **policy))) == expected
    if policy == {}:
        assert expected[0] == "ValueError" and "at index 14" in expected[1]


def test_unknown_allowed_special_is_refused_by_encode_iter(hi_small):
    with pytest.raises(ValueError, match="not special tokens"):
        list(hi_small.encode_iter(["x"], allowed_special={"<|nope|>"}))


def test_lone_surrogates_name_the_index(hi_small):
    ref = hi_small.reference()
    text = "नमस्ते\nab\ud800c"
    where = "lone surrogate at index 9 (U+D800)"
    for fn in (hi_small.encode, hi_small.encode_ordinary, ref.encode, ref.encode_ordinary):
        with pytest.raises(ValueError, match=re.escape(where)):
            fn(text)
    with pytest.raises(ValueError, match=r"at index 9 \(U\+D800\)"):
        list(hi_small.encode_iter(["नमस्ते\n", "a", "b\ud800", "c"]))
    with pytest.raises(ValueError, match=r"at index 25 \(U\+DFFF\)"):  # index in the whole stream, after a special
        list(hi_small.encode_iter(["x\n" * 5, EOT[:4], EOT[4:] + "\n", "y\udfff"], allowed_special="all"))
    for tok in (hi_small, ref):
        with pytest.raises(ValueError, match=r"at index 14 \(U\+DFFF\)"):  # after an allowed special token
            tok.encode(f"a{EOT}\udfff", allowed_special="all")
    with pytest.raises(ValueError, match=r"text 1 contains a lone surrogate at index 14 \(U\+DFFF\)"):
        hi_small.encode_batch(["ok", f"a{EOT}\udfff"], allowed_special="all")


# ----- streaming encode ------------------------------------------------------------------------------
MARKS = ["\u093f", "\u094d", "\u0902", "\u093c", "\u0cbf", "\u0ccd", "\u0301", "\u200c", "\u200d"]
PIECES = [
    "\n",
    "\r\n",
    "\r",
    "\n\n",
    " \n",
    "\t\n ",
    "\u2028",
    "\x85",
    EOT,
    EOT[:5],
    EOT[5:],
    "<|pad|>",
    "\n<|doc|>",
    "/",
    "'s",
]
stream_text = mixed_text(st.sampled_from(MARKS), st.sampled_from(PIECES), max_size=60)


def _cut(text: str, points: list[int]) -> list[str]:
    points = sorted({p % (len(text) + 1) for p in points})
    return [text[a:b] for a, b in zip([0, *points], [*points, len(text)], strict=True)]


@pytest.fixture(scope="module", params=sorted(PATTERNS))
def any_pattern(request, hi_small) -> tokenizer.Tokenizer:
    """hi_small's merges under every registered pattern, with a special token that holds a line break."""
    n = 256 + hi_small.n_merges
    specials = {EOT: n, "<|pad|>": n + 1, "\n<|doc|>": n + 2}
    return tokenizer.Tokenizer(hi_small.merges, request.param, specials, name=request.param)


@given(text=stream_text, points=st.lists(st.integers(min_value=0), max_size=12), policy=st.sampled_from(POLICIES))
def test_encode_iter_equals_encode(any_pattern, text, points, policy):
    blocks = _cut(text, points)
    assert "".join(blocks) == text
    expected = _outcome(any_pattern.encode, text, **policy)
    got = _outcome(lambda: _joined(any_pattern.encode_iter(blocks, **policy)))
    assert got == expected, blocks  # the same ids, or the same error (its index is the whole text's)


@given(text=stream_text)
def test_encode_iter_tiny_blocks(hi_small, text):
    """One character per block: the carry and the special-token tail are exercised at every position."""
    assert _joined(hi_small.encode_iter(list(text), allowed_special="all")) == hi_small.encode(
        text, allowed_special="all"
    )


@given(text=stream_text)
def test_safe_cuts_split_the_pattern_exactly(text):
    """The reason encode_iter is exact: at every cut it may take, the chunks of the whole text are the
    chunks of the two sides, for each pattern it cuts (GPT-2 and GPT-4o are never cut)."""
    from tokenizer.encoding import _CUT

    for name, pattern in PATTERNS.items():
        if not pattern.streamable:
            continue
        whole = pattern.split(text)
        for m in _CUT.finditer(text):
            assert pattern.split(text[: m.end()]) + pattern.split(text[m.end() :]) == whole, (name, m.end())


def test_encode_iter_really_streams(hi_small):
    """Pieces come out while the input is still being read; one huge line is held until it ends."""
    line = "यह एक वाक्य है।\n"
    consumed = []

    def blocks():
        for k in range(1000):
            consumed.append(k)
            yield line * 10

    it = hi_small.encode_iter(blocks())
    first = next(it)
    assert first and len(consumed) <= 2
    assert _joined([first, *it]) == hi_small.encode(line * 10_000)
    held = list(hi_small.encode_iter(["कि " * 1000] * 50))  # no line break: one piece at the end
    assert len(held) == 1 and held[0] == hi_small.encode("कि " * 50_000)


def _peak_rss_mb(cmd: list[str], stdin: Path, stdout: Path) -> tuple[int, float]:
    """Run cmd in a fresh wrapper process whose only child it is, so RUSAGE_CHILDREN is its peak RSS."""
    wrapper = (
        "import resource, subprocess, sys\n"
        "with open(sys.argv[1], 'rb') as i, open(sys.argv[2], 'wb') as o:\n"
        "    code = subprocess.run(sys.argv[3:], stdin=i, stdout=o).returncode\n"
        "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"  # KiB on Linux
    )
    r = subprocess.run(
        [sys.executable, "-c", wrapper, str(stdin), str(stdout), *cmd],
        capture_output=True,
        cwd=ROOT,
        text=True,
        timeout=300,
        check=True,
    )
    code, kib = r.stdout.split()
    return int(code), int(kib) / 1024


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_cli_streams_big_input(model, tmp_path):
    """~12 MB through `encode | decode`, byte for byte; encode's peak RSS stays near its start-up size."""
    with gzip.open(ROOT / "data" / "hi.txt.gz", "rt", encoding="utf-8") as f:
        lines = [next(f) for _ in range(1500)]
    unit = ("".join(lines[:700]) + "\r\n".join(x.rstrip("\n") for x in lines[700:]) + "\n").encode("utf-8")
    data = unit * (12_000_000 // len(unit) + 1)
    src, ids, back = tmp_path / "in.txt", tmp_path / "ids.txt", tmp_path / "out.txt"
    src.write_bytes(data)
    start = time.perf_counter()
    code, peak = _peak_rss_mb([sys.executable, "-m", "tokenizer", "encode", "--model", model], src, ids)
    seconds = time.perf_counter() - start
    assert code == 0
    (tmp_path / "one-line").write_bytes(lines[0].encode("utf-8"))  # builds the encoder, holds nothing
    _, idle = _peak_rss_mb(
        [sys.executable, "-m", "tokenizer", "encode", "--model", model], tmp_path / "one-line", tmp_path / "e"
    )
    print(f"encode of {len(data) / 1e6:.1f} MB: {seconds:.1f} s, peak RSS {peak:.0f} MB (one line: {idle:.0f} MB)")
    with open(ids, "rb") as i, open(back, "wb") as o:
        r = subprocess.run(
            [sys.executable, "-m", "tokenizer", "decode", "--model", model],
            stdin=i,
            stdout=o,
            cwd=ROOT,
            timeout=300,
            check=False,
        )
    assert r.returncode == 0
    assert back.read_bytes() == data
    assert peak < idle + 60  # holding the input, its text and the ids at once would need > 150 MB more
    os.unlink(ids)
