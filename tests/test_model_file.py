"""The model file format: round trip, atomic writes, and errors naming file and line."""

import os

import pytest

import tokenizer
from tokenizer.model_file import ModelFileError, dumps, load, loads


@pytest.fixture
def model_text(hi_small) -> str:
    return dumps(hi_small)


def test_round_trip(hi_small, tmp_path):
    path = tmp_path / "hi.model"
    tokenizer.save(hi_small, path)
    tok = load(path)
    assert tok.merges == hi_small.merges
    assert tok.special_tokens == hi_small.special_tokens
    assert tok.pattern == hi_small.pattern
    assert tok.name == "hi-small"
    vocab = (tmp_path / "hi.vocab").read_text(encoding="utf-8").splitlines()
    assert len(vocab) == 1 + hi_small.vocab_size
    assert vocab[1 + 256].startswith("256\t")
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_human_readable_header(model_text):
    lines = model_text.splitlines()
    assert lines[0] == "indicbpe v1"
    assert lines[1] == "name: hi-small"
    assert lines[2] == "pattern: indic-phrases"
    assert lines[4] == "special: <|endoftext|> 999"
    assert lines[5] == "merges: 743"


def _err(text: str | bytes, tmp_path, name="m.model") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    with pytest.raises(ModelFileError) as e:
        load(path)
    return str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load(tmp_path / "nope.model")


def test_empty(tmp_path):
    assert _err("", tmp_path).endswith("m.model:1: empty file; expected the header 'indicbpe v1'")


def test_wrong_magic_and_version(model_text, tmp_path):
    assert "m.model:1: not a model file" in _err("hello\n", tmp_path)
    assert "m.model:1: unsupported format version 'v2'" in _err(model_text.replace("indicbpe v1", "indicbpe v2"), tmp_path)


def test_truncated(model_text, tmp_path):
    lines = model_text.splitlines()
    msg = _err("\n".join(lines[:100]) + "\n", tmp_path)
    assert "m.model:101: file ends after 94 of 743 merges (truncated?)" in msg
    assert "ends before the 'merges:' line" in _err("\n".join(lines[:3]), tmp_path)


def test_bad_merge_lines(model_text, tmp_path):
    lines = model_text.splitlines()
    bad = lines.copy()
    bad[10] = "12 x"
    assert "m.model:11: expected two token ids" in _err("\n".join(bad), tmp_path)
    bad = lines.copy()
    bad[10] = "5000 1"
    assert "m.model:11: merge 5000 + 1 uses an id that does not exist yet" in _err("\n".join(bad), tmp_path)
    bad = lines.copy()
    bad[10] = bad[9]
    assert "m.model:11: duplicate merge" in _err("\n".join(bad), tmp_path)
    bad = lines.copy()
    bad.append("1 2")
    assert f"m.model:{len(lines) + 1}: unexpected line after the 743 merges" in _err("\n".join(bad), tmp_path)


def test_non_utf8(model_text, tmp_path):
    raw = model_text.encode().replace(b"name: hi-small", b"name: hi\xff")
    assert "m.model:2: not valid UTF-8" in _err(raw, tmp_path)


def test_bad_header(model_text, tmp_path):
    assert "m.model:2: unknown header field 'colour'" in _err(model_text.replace("name:", "colour:"), tmp_path)
    assert "m.model:5: special token id 3 collides" in _err(model_text.replace("<|endoftext|> 999", "<|endoftext|> 3"), tmp_path)
    assert "the regex does not compile" in _err(model_text.replace('regex: "', 'regex: "(', 1), tmp_path)


def test_loads_bytes(model_text):
    tok = loads(model_text.encode(), "mem")
    assert tok.vocab_size == 1000


def test_save_is_atomic(hi_small, tmp_path, monkeypatch):
    """A failing write leaves the old model in place and no temporary file behind."""
    path = tmp_path / "hi.model"
    tokenizer.save(hi_small, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        tokenizer.save(hi_small, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["hi.model", "hi.vocab"]
