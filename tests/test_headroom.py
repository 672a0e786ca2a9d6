"""bench.headroom: the fewest-tokens bound, per-chunk counting and the scaffold count (issue 19)."""

from __future__ import annotations

from hypothesis import given, settings

import tokenizer
from bench import headroom

from .conftest import corpus_lines
from .strategies import indic_text


def test_fewest_tokens_known_answers():
    vocab = frozenset([bytes([b]) for b in range(256)] + [b"ab", b"abc", b"cd", b"bcd"])
    assert headroom.fewest_tokens(b"", vocab, 3) == 0
    assert headroom.fewest_tokens(b"abcd", vocab, 3) == 2  # a|bcd or ab|cd, never ab|c|d
    assert headroom.fewest_tokens(b"abcabc", vocab, 3) == 2
    assert headroom.fewest_tokens(b"xabcdx", vocab, 3) == 4  # x|a|bcd|x
    assert headroom.fewest_tokens(b"abcd", vocab, 1) == 4  # tokens longer than `longest` are not tried


def test_per_chunk_counts_each_chunk_alone():
    seen: list[str] = []

    def count(chunk: str) -> int:
        seen.append(chunk)
        return len(chunk)

    assert headroom.per_chunk(["ab cd", "ab"], str.split, count) == 6
    assert seen == ["ab", "cd"]  # a repeated chunk is counted once and reused


@settings(max_examples=60, deadline=None)
@given(text=indic_text)
def test_fewest_tokens_bound_bpe(hi_small: tokenizer.Tokenizer, text: str):
    """No encoder beats the bound, and BPE's own ids are one way to reach it or more."""
    bpe, fewest = headroom.inference_bound(hi_small, [text])
    longest = max(map(len, hi_small.vocab.values()))
    assert fewest <= bpe
    assert fewest * longest >= len(text.encode())


def test_inference_bound_on_a_trained_model(hi_small: tokenizer.Tokenizer):
    lines = corpus_lines("hi", 1700)[1500:]  # lines the fixture did not train on
    bpe, fewest = headroom.inference_bound(hi_small, lines)
    assert fewest < bpe < fewest * 1.05  # BPE leaves a little, never much


def test_scaffolds_are_rarely_used_merges(hi_small: tokenizer.Tokenizer):
    lines = corpus_lines("hi", 1500)
    found = headroom.scaffolds(hi_small, lines)
    assert 0 < found["scaffold ids"] < hi_small.n_merges // 4
    assert found["median use, last 100 merges"] > 0
    assert 0 < found["estimate: tokens saved"] < 0.05
    everything = headroom.scaffolds(hi_small, lines, share=1e9)
    assert everything["scaffold ids"] == hi_small.n_merges


def test_punctuation_alone(hi_small: tokenizer.Tokenizer):
    assert headroom.punctuation_alone(hi_small, ["!!!", "?.", "(...)"]) == 1.0
    assert headroom.punctuation_alone(hi_small, ["भारत"]) == 0.0
    assert headroom.punctuation_alone(hi_small, ["\u200c\u200d"]) == 0.0  # joiners belong to aksharas


def test_punctuation_pool_counts_pairs_left_apart(hi_small: tokenizer.Tokenizer):
    pairs, total = headroom.punctuation_after_words(hi_small, ["क्ष़ज्ञ, क्ष़ज्ञ!", "(("])
    assert total == len(hi_small.encode_ordinary("क्ष़ज्ञ, क्ष़ज्ञ!")) + len(hi_small.encode_ordinary("(("))
    texts = {(hi_small.vocab[a].decode(), hi_small.vocab[b].decode()) for a, b in pairs}
    assert {b for _, b in texts} == {",", "!"}  # "((" follows no word
    pool = headroom.punctuation_pool(hi_small, ["क्ष़ज्ञ, क्ष़ज्ञ!"], ["क्ष़ज्ञ, x"], n=1)
    assert pool["punctuation after a word (OOD)"] > 0
    assert pool["training count of pair 1"] == 1
