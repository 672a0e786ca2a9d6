"""Trainer: determinism, limits and errors, and agreement of training with encoding."""

import pytest

import tokenizer
from tokenizer.train import TrainingError, count_chunks, learn_merges, train

from .conftest import corpus_lines


def test_deterministic():
    lines = corpus_lines("hi", 400)
    a = train(lines, 600, quiet=True)
    b = train(iter(lines), 600, quiet=True)  # a stream gives the same result
    assert a.merges == b.merges


def test_training_text_encodes_with_learned_merges():
    """Encoding a training chunk must reproduce what the trainer's incremental state held."""
    lines = corpus_lines("kn", 300)
    counts = count_chunks(lines)
    pairs = learn_merges(counts, 400, quiet=True)
    tok = train(lines, 256 + 400 + 1, quiet=True)
    assert list(tok.merges) == pairs
    # the most frequent chunk is a single token after enough merges, or at least compressed
    chunk, _ = counts.most_common(1)[0]
    assert len(tok.encode(chunk)) <= 2


def test_exact_vocab_size_and_specials():
    tok = train(corpus_lines("hi", 300), 700, special_tokens=("<|endoftext|>", "<|pad|>"), quiet=True)
    assert tok.vocab_size == 700
    assert tok.special_tokens == {"<|endoftext|>": 698, "<|pad|>": 699}


def test_small_corpus_stops_early():
    tok = train(["ab"], 5000, quiet=True)
    assert tok.n_merges == 1
    assert tok.vocab_size == 258


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"vocab_size": 256}, "too small: the 256 byte tokens and 1 special"),
        ({"vocab_size": 5001}, "above the cap of 5000"),
    ],
)
def test_bad_vocab_size(kwargs, message):
    with pytest.raises(TrainingError, match=message):
        train(["abc"], quiet=True, **kwargs)


def test_over_cap_allowed_explicitly():
    tok = train(["abcd" * 10], 5001, allow_over_cap=True, quiet=True)
    assert tok.vocab_size <= 5001


def test_empty_corpus():
    with pytest.raises(TrainingError, match="empty"):
        train([], 500, quiet=True)
    with pytest.raises(TrainingError, match="empty"):
        train(["", ""], 500, quiet=True)


def test_public_api():
    assert tokenizer.VOCAB_CAP == 5000
