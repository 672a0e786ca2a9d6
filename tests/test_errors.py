"""Typed errors: each public failure raises its own class, catchable as TokenizerError and as
ValueError (what the library raised before the classes existed), with a message saying what is wrong."""

from __future__ import annotations

import pytest

import tokenizer
from tokenizer import (
    CorpusError,
    ExportError,
    ModelFileError,
    SpecialTokenError,
    TokenizerError,
    TrainingError,
)
from tokenizer.corpus import load_corpus
from tokenizer.hf import export, onig_regex, to_hf
from tokenizer.hub import HubError, push_to_hub
from tokenizer.model_file import dumps, loads
from tokenizer.pretokenize import Pattern


def _raises(cls: type[TokenizerError], call, match: str) -> TokenizerError:
    with pytest.raises(cls, match=match) as e:
        call()
    assert isinstance(e.value, TokenizerError) and isinstance(e.value, ValueError)
    assert type(e.value) is cls  # the specific class, not only the base
    return e.value


def test_model_file_errors(tmp_path):
    err = _raises(ModelFileError, lambda: loads(b"indicbpe v2\nname: x\n", "x.model"), r"x\.model:3: file ends")
    assert (err.path, err.line) == ("x.model", 3)
    err = _raises(ModelFileError, lambda: tokenizer.load(tmp_path / "none.model"), "no such model file")
    assert err.line is None


def test_a_model_the_format_cannot_hold(hi_small):
    permuted = tokenizer.Tokenizer({}, hi_small.pattern, {}, byte_ids=list(reversed(range(256))))
    _raises(TokenizerError, lambda: dumps(permuted), "ids 0-255 are the raw bytes")


@pytest.mark.parametrize(
    "regex, match",
    [
        (r"(?P<word>\w+)", "named group"),
        (r"(?x)a b", "inline flags"),
        (r"[a[b]]", "nested character classes"),
        (r"(a", r"unbalanced '\('"),
        (r"a)", r"unbalanced '\)'"),
    ],
)
def test_patterns_oniguruma_cannot_take(regex, match):
    _raises(ExportError, lambda: onig_regex(regex), match)


def test_export_errors(hi_small, tmp_path):
    named = tokenizer.Tokenizer(hi_small.merges, Pattern("named", r"(?P<w>\w+)|\s+", "test"), hi_small.special_tokens)
    _raises(ExportError, lambda: to_hf(named), "named group")
    taken = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {"a": 999})  # "a" is also byte 97's HF spelling
    _raises(ExportError, lambda: to_hf(taken), "spelt like ordinary token 97")
    file = tmp_path / "out"
    file.write_text("a file")
    _raises(ExportError, lambda: export(hi_small, file), "exists and is not a folder")
    _raises(ExportError, lambda: export(hi_small, file / "x"), f"to {file / 'x'}: {file} is not a folder$")


def test_training_errors():
    _raises(TrainingError, lambda: tokenizer.train(["नमस्ते"], 100, quiet=True), "too small")
    _raises(TrainingError, lambda: tokenizer.train(["नमस्ते"], 6000, quiet=True), "above the cap")
    _raises(TrainingError, lambda: tokenizer.train([], 300, quiet=True), "corpus is empty")


def test_corpus_errors(tmp_path):
    bad = tmp_path / "x.docx"
    bad.write_text("text")
    _raises(CorpusError, lambda: list(load_corpus(None, [bad]).train_texts()), "unsupported file type")


def test_hub_errors(tmp_path):
    assert issubclass(HubError, TokenizerError)
    _raises(HubError, lambda: push_to_hub(tmp_path / "m.model", "not-a-repo-id"), "USER/NAME")


def test_a_special_token_error_names_the_token_and_where(hi_small):
    """The command line gives its own advice (--special) from these, not the library's."""
    e = _raises(SpecialTokenError, lambda: hi_small.encode("ab<|endoftext|>"), "at index 2")
    assert (e.token, e.index) == ("<|endoftext|>", 2)
    e = _raises(SpecialTokenError, lambda: hi_small.encode("x", allowed_special={"<|nope|>"}), "not special tokens")
    assert (e.token, e.index) == (None, None)
