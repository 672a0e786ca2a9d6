"""Shared fixtures: small tokenizers trained once per test session on the embedded corpus."""

from __future__ import annotations

import gzip
import os
import tempfile
from functools import lru_cache
from pathlib import Path

import pytest
from hypothesis import settings

import tokenizer

ROOT = Path(__file__).resolve().parents[1]
REFTOK = ROOT.parent / "shared" / "reftok" / "openai"

# The on-disk core cache (tokenizer/cache.py) of this session only: never the user's, never a stale one.
os.environ["INDIC_TOKENIZER_CACHE"] = tempfile.mkdtemp(prefix="indic-tokenizer-cache-")

settings.register_profile("ci", max_examples=200, deadline=None)
settings.register_profile("fuzz", max_examples=100_000, deadline=None)
settings.load_profile("ci")


@lru_cache(maxsize=None)
def held_out(lang: str, split: str) -> tuple[str, ...]:
    """A language's held-out split of its embedded corpus (what `build` measures on), read once per session."""
    from tokenizer.corpus import load_corpus

    return tuple(load_corpus(lang).held_out_lines(split))


def corpus_lines(lang: str, n: int) -> list[str]:
    with gzip.open(ROOT / "data" / f"{lang}.txt.gz", "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for _, line in zip(range(n), f)]


@pytest.fixture(scope="session")
def hi_small() -> tokenizer.Tokenizer:
    """A 1,000-token Hindi tokenizer trained on the first 1,500 lines of the embedded corpus."""
    return tokenizer.train(corpus_lines("hi", 1500), 1000, quiet=True, name="hi-small")


@pytest.fixture(scope="session")
def kn_small() -> tokenizer.Tokenizer:
    return tokenizer.train(corpus_lines("kn", 1000), 1000, quiet=True, name="kn-small")
