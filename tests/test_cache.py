"""The on-disk cache behind the compiled core: used when valid, recomputed when not, never an error."""

from __future__ import annotations

import pytest

import tokenizer
from tokenizer import cache, core, unicode_regex


@pytest.fixture
def cache_in(tmp_path, monkeypatch):
    monkeypatch.setenv(cache.ENV, str(tmp_path))
    return tmp_path


def counting(value: str):
    calls = []

    def compute() -> str:
        calls.append(1)
        return value

    return compute, calls


def test_a_value_is_computed_once_then_read(cache_in):
    compute, calls = counting("x\ny")
    assert cache.cached("k", "ab" * 20, compute) == "x\ny"
    assert cache.cached("k", "ab" * 20, compute) == "x\ny"
    assert len(calls) == 1
    assert [p.name for p in cache_in.iterdir()] == ["k-" + "ab" * 20 + ".txt"]
    other, other_calls = counting("z")
    assert cache.cached("k", "cd" * 20, other) == "z" and other_calls == [1]  # another key, another entry


def test_a_damaged_entry_is_recomputed_and_mended(cache_in):
    compute, calls = counting("the value")
    cache.cached("k", "0" * 40, compute)
    entry = cache_in / ("k-" + "0" * 40 + ".txt")
    entry.write_text(entry.read_text().replace("the value", "the valve"))
    assert cache.cached("k", "0" * 40, compute) == "the value" and len(calls) == 2
    entry.write_bytes(b"\xff\xfe not utf-8")
    assert cache.cached("k", "0" * 40, compute) == "the value" and len(calls) == 3
    assert cache.cached("k", "0" * 40, compute) == "the value" and len(calls) == 3


def test_an_unusable_folder_or_an_empty_setting_runs_without_it(tmp_path, monkeypatch):
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    monkeypatch.setenv(cache.ENV, str(blocker / "cache"))  # cannot be made: a file is in the way
    compute, calls = counting("v")
    assert cache.cached("k", "1" * 40, compute) == cache.cached("k", "1" * 40, compute) == "v"
    assert len(calls) == 2
    monkeypatch.setenv(cache.ENV, "")
    assert cache.cache_dir() is None
    assert cache.cached("k", "1" * 40, compute) == "v" and len(calls) == 3


def test_the_default_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.delenv(cache.ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert cache.cache_dir() == tmp_path / "indic-tokenizer"


def test_keys_separate_their_parts():
    assert cache.key(["ab", "c"]) != cache.key(["a", "bc"])
    assert cache.key(["a", b"b"]) == cache.key([b"a", "b"])


def test_the_translated_regex_is_served_from_disk(cache_in, monkeypatch):
    pattern = tokenizer.pretokenize.get_pattern("brahmic").regex
    unicode_regex.translate.cache_clear()
    first = unicode_regex.rust_regex(pattern)
    assert any(p.name.startswith("regex-rust-") for p in cache_in.iterdir())

    def fail(*args):
        raise AssertionError("translated again instead of read from the cache")

    monkeypatch.setattr(unicode_regex, "_translate", fail)
    unicode_regex.translate.cache_clear()
    assert unicode_regex.rust_regex(pattern) == first
    unicode_regex.translate.cache_clear()
    with pytest.raises(AssertionError, match="translated again"):  # the other dialect has its own entry
        unicode_regex.onig_regex(pattern)
    unicode_regex.translate.cache_clear()


def test_the_exactness_verdict_is_served_from_disk(cache_in, monkeypatch, hi_small):
    a, b, c = ord("a"), ord("b"), ord("c")
    odd = tokenizer.Tokenizer({(b, c): 256, (a, b): 257, (257, c): 258}, "indic")  # not exact (see test_core)
    assert not list(cache_in.iterdir())
    # cold: computed (the known verdicts) and written
    assert core.cached_tiktoken_exact(hi_small.vocab, hi_small.merges, hi_small.byte_ids) is None
    assert "does not encode to itself" in core.cached_tiktoken_exact(odd.vocab, odd.merges, odd.byte_ids)
    assert len([p for p in cache_in.iterdir() if p.name.startswith("exact-")]) == 2
    monkeypatch.setattr(core, "tiktoken_exact", lambda *args: pytest.fail("checked again instead of read"))
    assert core.cached_tiktoken_exact(hi_small.vocab, hi_small.merges, hi_small.byte_ids) is None
    assert "does not encode to itself" in core.cached_tiktoken_exact(odd.vocab, odd.merges, odd.byte_ids)
    # another merge list with the same vocabulary bytes is another entry
    swapped = tokenizer.Tokenizer({(b, c): 256, (a, b): 257, (a, 256): 258}, "indic")
    assert swapped.vocab == odd.vocab
    with pytest.raises(pytest.fail.Exception, match="checked again"):
        core.cached_tiktoken_exact(swapped.vocab, swapped.merges, swapped.byte_ids)
