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
    counts = count_chunks(lines, "indic")
    pairs = learn_merges(counts, 400, quiet=True)
    tok = train(lines, 256 + 400 + 1, recipe="bpe", quiet=True)
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


def test_whole_characters_rule():
    from tokenizer.train import whole_characters_ok

    ka = "क".encode()  # e0 a4 95
    assert whole_characters_ok(ka[:1], ka[1:2])  # building one character
    assert whole_characters_ok(ka[:2], ka[2:])  # completing it
    assert whole_characters_ok(ka, "ि".encode())  # whole characters
    assert not whole_characters_ok(ka, "ि".encode()[:2])  # a character plus part of the next
    assert not whole_characters_ok(ka[2:], ka)  # a stray continuation byte plus a character


def test_curriculum_recipe():
    from tokenizer.train import RECIPES, _utf8_kind

    lines = corpus_lines("kn", 600)
    tok = train(lines, 900, quiet=True)
    assert tok.pattern.name == "indic-phrases" and tok.vocab_size == 900
    assert all(_utf8_kind(tok.vocab[i]) != "mixed" for i in tok.merges.values())
    # the first stage learns only inside aksharas: every junction inside an early token is
    # inside an akshara (before a mark, or a virama followed by a letter)
    from tokenizer.metrics import is_mid_akshara

    first = round(RECIPES["curriculum"].stages[0].until * (900 - 257))
    for i in range(256, 256 + first):
        text = tok.vocab[i].decode("utf-8", errors="ignore")
        assert all(is_mid_akshara(text, j) for j in range(1, len(text))), text
    assert " ಮತ್ತು".encode() in tok.vocab.values()  # later stages learn words
    # it compresses held-out text better than plain BPE of the same size
    held_out = corpus_lines("kn", 700)[600:]
    plain = train(lines, 900, recipe="bpe", quiet=True)
    from tokenizer.metrics import evaluate

    assert evaluate(tok, held_out).bytes_per_token > evaluate(plain, held_out).bytes_per_token


def test_unknown_recipe():
    with pytest.raises(ValueError, match="unknown recipe 'nope'"):
        train(["abc"], 300, recipe="nope", quiet=True)


def test_count_stages_reads_once_and_matches_count_chunks():
    from tokenizer.count import count_stages

    lines = corpus_lines("hi", 200)
    reads = 0

    def stream():
        nonlocal reads
        reads += 1
        yield from lines

    got = count_stages(stream(), ["akshara", "indic-words", "indic-phrases"], workers=1, quiet=True)
    assert reads == 1
    assert got == [count_chunks(lines, p) for p in ["akshara", "indic-words", "indic-phrases"]]
