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


def one_line_error(r: subprocess.CompletedProcess, status: int = 1) -> str:
    """The error a failed run printed: one line, no traceback, exit status `status`."""
    err = r.stderr.decode()
    assert r.returncode == status, (r.returncode, err)
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


def test_url_inputs_that_cannot_be_read_are_one_line(tmp_path):
    """The README's hf:// form without the Hub (offline mode: no network needed to test it), and an
    https:// URL: which input, and what failed; never fsspec's or httpx's traceback."""
    url = "hf://datasets/wikimedia/wikipedia/20231101.hi/*.parquet"
    offline = subprocess.run(
        [sys.executable, "-m", "tokenizer", "evaluate", "--model", "hi", url], capture_output=True, cwd=ROOT,
        timeout=120, env={**__import__("os").environ, "HF_HUB_OFFLINE": "1"},
    )  # fmt: skip
    assert one_line_error(offline).startswith(f"error: {url}: cannot reach its server (OfflineModeIsEnabled: ")
    r = run("train", "--input", "https://example.invalid/x.txt", "--out", str(tmp_path / "x.model"))
    err = one_line_error(r)
    assert err.startswith("error: https://example.invalid/x.txt: "), err
    assert "pip install" in err or "cannot reach its server" in err  # without aiohttp, or without the host
    assert not (tmp_path / "x.model").exists()


def test_train_refuses_an_out_that_would_overwrite_the_model_or_an_input(tmp_path):
    """--out foo.vocab: the listing would replace the model just written (exit 0, model lost);
    --out equal to an input (also through a link) would replace the training text. Both refused before training."""
    data = tmp_path / "in.txt"
    data.write_text("नमस्ते दुनिया\nhello world\n", encoding="utf-8")
    before = data.read_bytes()
    err = one_line_error(run("train", "--input", str(data), "--out", str(tmp_path / "foo.vocab"), "--quiet"))
    assert err == (f"error: --out {tmp_path / 'foo.vocab'}: the .vocab listing written beside the model would "
                   f"overwrite it; name the model e.g. {tmp_path / 'foo.model'}\n")  # fmt: skip
    (tmp_path / "link.txt").symlink_to(data)
    for given in (data, tmp_path / "link.txt"):
        err = one_line_error(run("train", "--input", str(given), "--out", str(data), "--quiet"))
        assert err == f"error: --out {data} is the input file {given}; give another --out\n"
    assert data.read_bytes() == before and not (tmp_path / "foo.vocab").exists()
    with pytest.raises(tokenizer.TokenizerError, match="the .vocab listing would overwrite the model"):
        tokenizer.save(tokenizer.train(["hello world"], 260, quiet=True), tmp_path / "lib.vocab")
    assert not (tmp_path / "lib.vocab").exists()


def test_a_training_that_runs_out_of_pairs_says_so(tmp_path):
    data = tmp_path / "tiny.txt"
    data.write_text("hello world\nभारत एक देश\n", encoding="utf-8")
    r = run("train", "--input", str(data), "--out", str(tmp_path / "t.model"), "--quiet")
    assert r.returncode == 0, r.stderr
    vocab_size = json.loads(r.stdout)["vocab_size"]
    assert vocab_size < 5000
    assert r.stderr.decode() == (
        f"note: stopped at {vocab_size:,} of the 5,000 ids asked for: every word (pre-split chunk) of the training "
        "text is already one token, so nothing is left to merge; more, and more varied, text gives the full size\n"
    )
    full = run("train", "--input", str(data), "--out", str(tmp_path / "u.model"), "--quiet", "--vocab-size", "270")
    assert full.returncode == 0 and full.stderr == b""


def test_pattern_with_another_recipe_is_refused(tmp_path):
    data = tmp_path / "in.txt"
    data.write_text("hello world\n" * 3, encoding="utf-8")
    err = one_line_error(run("train", "--input", str(data), "--out", str(tmp_path / "a.model"), "--recipe",
                             "curriculum", "--pattern", "gpt4", "--quiet"))  # fmt: skip
    assert err.startswith("error: --pattern trains plain BPE in one stage on that pre-split, so it cannot be "
                          "combined with --recipe curriculum")  # fmt: skip
    for extra in (["--recipe", "bpe"], ["--lang", "hi", "--max-docs", "3"]):  # --lang's recipe is only a default
        args = ["--lang", "hi", "--max-docs", "3"] if "--lang" in extra else ["--input", str(data), *extra]
        r = run("train", *args, "--out", str(tmp_path / "b.model"), "--pattern", "gpt4", "--vocab-size", "300",
                "--quiet")  # fmt: skip
        assert r.returncode == 0, r.stderr
        assert tokenizer.load(tmp_path / "b.model").pattern.name == "gpt4"


def test_special_token_error_gives_the_cli_flag(model):
    err = one_line_error(run("encode", "--model", model, stdin="ab<|endoftext|>".encode()))
    assert err == ("error: text contains the special token '<|endoftext|>' at index 2; pass --special special to "
                   "encode it as the special token, or --special text to encode it as plain text\n")  # fmt: skip


@pytest.mark.parametrize("args, message", [
    (["evaluate", "--model", "M", "x.txt", "--curve", "0"], "argument --curve: must be at least 1, got 0"),
    (["evaluate", "--model", "M", "x.txt", "--curve", "-1"], "argument --curve: must be at least 1, got -1"),
    (["train", "--lang", "hi", "--out", "x.model", "--max-docs", "-1"], "argument --max-docs: must be at least 1"),
    (["train", "--lang", "hi", "--out", "x.model", "--max-bytes", "-1"], "argument --max-bytes: must be at least 1"),
    (["encode", "--model", "M", "--max-unbroken", "-5"], "argument --max-unbroken: must be at least 1, got -5"),
    (["encode-corpus", "--model", "M", "--lang", "hi", "--out", "o", "--shard-tokens", "0"],
     "argument --shard-tokens: must be at least 1, got 0"),
    (["train", "--lang", "hi", "--out", "x.model", "--max-docs", "many"],
     "argument --max-docs: expected a whole number"),
])  # fmt: skip
def test_counts_and_limits_must_be_positive(args, message, capsys):
    with pytest.raises(SystemExit) as exit:
        cli.main(args)
    assert exit.value.code == 2 and message in capsys.readouterr().err


def test_evaluate_prints_the_curve_as_a_table(model, tmp_path, hi_small):
    held = tmp_path / "held.txt"
    held.write_text("भारत एक विशाल देश है।\nनमस्ते दुनिया\n", encoding="utf-8")
    as_json = json.loads(run("evaluate", "--model", model, str(held), "--json", "--curve", "300").stdout)
    r = run("evaluate", "--model", model, str(held), "--curve", "300")
    assert r.returncode == 0, r.stderr
    table = r.stdout.decode().split("\n\n", 1)[1].splitlines()
    assert table[0].split() == ["ids", "bytes/token"]
    assert [[float(x) for x in row.split()] for row in table[1:]] == as_json["curve"]
    assert as_json["curve"][-1][0] == hi_small.vocab_size


def test_evaluate_files_or_a_corpus_split_not_both(model, tmp_path):
    """Files as arguments are measured whole; --lang/--input/--split choose a corpus's held-out split.
    A mix would silently ignore the corpus options, so it is refused; --input too small to hold a
    split out says so and how to measure it whole."""
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("भारत एक विशाल देश है।\n", encoding="utf-8")
    for extra in (["--lang", "hi"], ["--split", "test"], ["--input", str(tiny)], ["--max-docs", "3"]):
        err = one_line_error(run("evaluate", "--model", model, str(tiny), *extra))
        assert err.startswith(f"error: files given as arguments are measured whole, every line, so {extra[0]} "
                              "would be ignored")  # fmt: skip
    err = one_line_error(run("evaluate", "--model", model, "--input", str(tiny)))
    assert err.startswith(f"error: no text to evaluate on: the valid split of input files {tiny} is empty")
    assert "give the files as arguments, without --input, to measure every line" in err
    assert run("evaluate", "--model", model, str(tiny)).returncode == 0


@pytest.mark.parametrize("command", ["encode", "decode"])
@pytest.mark.parametrize("fd, name", [(0, "stdin"), (1, "stdout")])
def test_closed_stdin_or_stdout(model, command, fd, name):
    """`encode --model hi <&-`: the shell starts us with the stream closed, so Python's sys.stdin is None."""
    import os

    r = subprocess.run([sys.executable, "-m", "tokenizer", command, "--model", model], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, cwd=ROOT, timeout=120,
                       preexec_fn=lambda: os.close(fd))  # fmt: skip
    what = "pipe the input into it" if name == "stdin" else "send the output somewhere"
    assert one_line_error(r).startswith(f"error: {name} is closed; {what}")


def test_output_paths_in_the_way_are_named(model, tmp_path):
    tiny = tmp_path / "tiny.txt"
    tiny.write_text("भारत\n", encoding="utf-8")
    err = one_line_error(run("encode-corpus", "--model", model, "--input", str(tiny), "--out", str(tiny)))
    assert err == (f"error: --out {tiny}: {tiny} exists and is not a folder; give a folder for the shards and "
                   "index.json\n")
    err = one_line_error(run("export-hf", "--model", model, "--out", str(tiny / "x")))
    assert err == f"error: --out {tiny / 'x'}: {tiny} is not a folder; give a folder for the exported files\n"
    assert tiny.read_text(encoding="utf-8") == "भारत\n"


def test_os_errors_name_the_file_not_the_errno():
    err = OSError(20, "Not a directory", "tiny.txt/x")
    assert cli.message(err) == "tiny.txt/x: not a directory"
    assert cli.message(tokenizer.CorpusError("as it is")) == "as it is"


def test_help_of_every_model_option_and_version():
    for command in ("encode", "decode", "evaluate", "export-hf", "push", "encode-corpus"):
        out = run(command, "--help").stdout.decode()
        assert "a release of one (hi@1), or a .model file" in " ".join(out.split()), command
    build = " ".join(run("build", "--help").stdout.decode().split())
    assert "--models-dir MODELS_DIR folder to write the models" in build and "--quiet no progress bars" in build
    assert "--out file's name without its suffix" in " ".join(run("train", "--help").stdout.decode().split())
    version = run("--version")
    assert version.returncode == 0 and version.stdout.decode() == f"indic-tokenizer {tokenizer.__version__}\n"


def test_package_description_counts_the_registry_languages():
    from tokenizer.registry import LANGUAGES

    words = {12: "twelve", 18: "eighteen"}
    text = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert f"for {words[len(LANGUAGES)]} Indian languages" in text


def test_a_missing_extra_is_one_line_naming_the_pip_command(monkeypatch, capsys, tmp_path):
    """Installed without [hf], export-hf used to end in a ModuleNotFoundError traceback."""
    import builtins

    real_import = builtins.__import__

    def no_tokenizers(name, *args, **kwargs):
        if name == "tokenizers" or name.startswith("tokenizers."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_tokenizers)
    assert cli.main(["export-hf", "--model", "hi", "--out", str(tmp_path / "hf")]) == 1
    err = capsys.readouterr().err
    assert err == 'error: export-hf needs the optional package tokenizers: pip install "indic-tokenizer[hf]"\n'
    assert cli.missing_package("train", ModuleNotFoundError("x", name="somepkg.sub")) == (
        "train needs the Python package somepkg: pip install somepkg")


def test_the_embedded_corpus_missing_says_it_comes_with_a_clone(monkeypatch, capsys, tmp_path):
    """An installed package has no data/: --lang names why, not just 'input file not found'."""
    from tokenizer import corpus

    monkeypatch.setattr(corpus, "DATA_DIR", tmp_path / "site-packages" / "data")
    assert cli.main(["evaluate", "--model", "hi", "--lang", "hi", "--split", "test"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: the embedded Hindi corpus (hi.txt.gz) comes with a clone of the indic-tokenizer "
                          "repository") and "--input FILE" in err
