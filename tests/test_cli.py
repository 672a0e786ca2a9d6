"""The command line, run as a user runs it: round trips through pipes, JSON output, clean errors."""

import json
import re
import subprocess
import sys

import pytest

import tokenizer
from tokenizer import cli

from .conftest import ROOT


def run(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "tokenizer", *args], input=stdin, capture_output=True, cwd=ROOT, timeout=120
    )


@pytest.fixture(scope="module")
def model(hi_small, tmp_path_factory) -> str:
    path = tmp_path_factory.mktemp("cli") / "hi.model"
    tokenizer.save(hi_small, path)
    return str(path)


def test_encode_decode_is_byte_exact(model):
    text = "भारत एक विशाल देश है।\r\nದ್ವಿತೀಯ\n\n  tabs\tand CR\r\n😀 last line without newline".encode()
    enc = run("encode", "--model", model, stdin=text)
    assert enc.returncode == 0, enc.stderr
    dec = run("decode", "--model", model, stdin=enc.stdout)
    assert dec.returncode == 0, dec.stderr
    assert dec.stdout == text


def test_encode_output_matches_library(model, hi_small):
    enc = run("encode", "--model", model, stdin="नमस्ते".encode())
    assert enc.stdout.decode().split() == [str(i) for i in hi_small.encode("नमस्ते")]


def test_special_token_policy_flag(model):
    text = "a<|endoftext|>b".encode()
    refused = run("encode", "--model", model, stdin=text)
    assert refused.returncode == 1
    assert refused.stderr.decode().startswith("error: text contains the special token")
    special = run("encode", "--model", model, "--special", "special", stdin=text).stdout.decode().split()
    assert "999" in special
    plain = run("encode", "--model", model, "--special", "text", stdin=text).stdout.decode().split()
    assert "999" not in plain
    assert run("decode", "--model", model, stdin=" ".join(special).encode()).stdout == text


def test_decode_accepts_commas(model, hi_small):
    ids = ",".join(map(str, hi_small.encode("नमस्ते")))
    assert run("decode", "--model", model, stdin=ids.encode()).stdout.decode() == "नमस्ते"


@pytest.mark.parametrize(
    "args, stdin, message",
    [
        (["decode"], b"1 2 x", "error: id 3 is not a token id (a whole number >= 0): 'x'"),
        (["decode"], b"1 -2", "error: id 2 is not a token id (a whole number >= 0): '-2'"),
        (["decode"], b"1 1000", "error: id 2 is 1000, out of range: this model's ids are 0..999"),
        (["decode"], b"224", "error: ids decode to bytes that are not valid UTF-8 at byte 0"),
        (["encode"], b"ok \xff\xfe", "error: stdin is not valid UTF-8 (byte 3: ff fe)"),
    ],
)
def test_bad_input(model, args, stdin, message):
    r = run(*args, "--model", model, stdin=stdin)
    assert r.returncode == 1
    err = r.stderr.decode()
    assert err.startswith(message), err
    assert "Traceback" not in err and err.count("\n") == 1


def test_decode_replace_partial(model):
    r = run("decode", "--model", model, "--errors", "replace", stdin=b"224")
    assert r.returncode == 0 and r.stdout.decode() == "\ufffd"


def test_missing_and_corrupt_model(tmp_path):
    r = run("encode", "--model", str(tmp_path / "none.model"), stdin=b"x")
    assert r.returncode == 1 and "none.model: no such model file" in r.stderr.decode()
    bad = tmp_path / "bad.model"
    bad.write_text("indicbpe v1\nname: x\n")
    r = run("encode", "--model", str(bad), stdin=b"x")
    assert r.returncode == 1 and "bad.model:3: file ends before the 'merges:' line" in r.stderr.decode()


def test_unknown_option_and_command():
    r = run("encode", "--model", "m.model", "--colour")
    assert r.returncode == 2 and "unrecognized arguments" in r.stderr.decode()
    assert run("frobnicate").returncode == 2


def test_train_errors(tmp_path):
    r = run("train", "--lang", "hi", "--vocab-size", "6000", "--out", str(tmp_path / "x.model"))
    assert r.returncode == 1 and "above the cap of 5000" in r.stderr.decode()
    r = run("train", "--input", str(tmp_path / "missing.txt"), "--out", str(tmp_path / "x.model"))
    assert r.returncode == 1 and "missing.txt" in r.stderr.decode() and "Traceback" not in r.stderr.decode()
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n")
    r = run("train", "--input", str(empty), "--out", str(tmp_path / "x.model"), "--quiet")
    assert r.returncode == 1 and "empty" in r.stderr.decode()
    assert not (tmp_path / "x.model").exists()


def test_train_and_evaluate_on_files(tmp_path):
    from .conftest import corpus_lines

    lines = corpus_lines("hi", 400)
    train_file = tmp_path / "train.txt"
    train_file.write_text("\n".join(lines[:300]) + "\n", encoding="utf-8")
    held_out = tmp_path / "held.txt"
    held_out.write_text("\n".join(lines[300:]) + "\n\n", encoding="utf-8")
    out = tmp_path / "m.model"
    r = run("train", "--input", str(train_file), "--vocab-size", "600", "--out", str(out), "--quiet")
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert summary["vocab_size"] == 600 and out.exists() and out.with_suffix(".vocab").exists()

    r = run("evaluate", "--model", str(out), str(held_out), "--json")
    assert r.returncode == 0, r.stderr
    m = json.loads(r.stdout)
    for key in ["vocab_size", "lines", "tokens", "bytes", "chars", "words", "bytes_per_token",
                "chars_per_token", "tokens_per_word", "mid_akshara_rate"]:
        assert key in m
    assert m["lines"] == 100  # the blank line is skipped
    ref = tokenizer.load(out).reference()  # the counts by the pure-Python encoder, not the CLI's path
    tokens = sum(len(ref.encode_ordinary(line)) for line in lines[300:])
    n_bytes = sum(len(line.encode()) for line in lines[300:])
    assert (m["tokens"], m["bytes"]) == (tokens, n_bytes)
    assert m["bytes_per_token"] == round(n_bytes / tokens, 4)
    # the inputs train reads: gzip and jsonl give the same figures, streamed
    import gzip

    packed = tmp_path / "held.jsonl.gz"
    packed.write_bytes(gzip.compress("".join(json.dumps({"text": t}) + "\n" for t in lines[300:]).encode()))
    r = run("evaluate", "--model", str(out), str(packed), "--json", "--curve", "100")
    assert r.returncode == 0, r.stderr
    m2 = json.loads(r.stdout)
    assert {k: v for k, v in m2.items() if k not in ("data", "curve")} == {k: v for k, v in m.items() if k != "data"}
    assert m2["curve"][-1] == [600, m["bytes_per_token"]]


COMMANDS = ["train", "build", "encode", "encode-corpus", "decode", "evaluate", "export-hf", "push"]  # README's


def test_help_for_every_command():
    """Each of the eight commands answers --help in a fresh process (nothing heavy is imported to
    print it), and they are exactly the commands the parser offers."""
    subparsers = next(a for a in cli.build_parser()._actions if a.dest == "command")
    assert list(subparsers.choices) == COMMANDS
    procs = {
        command: subprocess.Popen([sys.executable, "-m", "tokenizer", command, "--help"], cwd=ROOT,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for command in COMMANDS
    }  # fmt: skip
    for command, proc in procs.items():
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0 and err == b"", (command, err)
        assert out.startswith(f"usage: python -m tokenizer {command} ".encode()) and b"--help" in out
    top = run("--help")
    assert top.returncode == 0 and all(command.encode() in top.stdout for command in COMMANDS)


def test_the_readme_decode_example_decodes_as_it_says():
    """README's `echo "<ids>" | indic-tokenizer decode --model M  # -> text`: the shipped model's ids
    for that text (a new release changes ids; the README must follow)."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.findall(r'^echo "([\d ]+)" \| indic-tokenizer decode --model (\S+)\s+# -> (.+)$', readme, re.M)
    assert found, "README has no decode example"
    for ids, model, text in found:
        r = run("decode", "--model", model, stdin=(ids + "\n").encode())
        assert r.returncode == 0 and r.stdout.decode().strip() == text.strip(), (ids, r.stdout, r.stderr)
        assert tokenizer.load(model).encode(text.strip()) == [int(i) for i in ids.split()]
