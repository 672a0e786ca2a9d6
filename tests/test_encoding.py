"""Encode/decode: exact round trips, special-token policy, and clear errors."""

import pytest
from hypothesis import given

import tokenizer
from tokenizer import ENDOFTEXT

from .strategies import text


@given(text)
def test_round_trip_hindi(hi_small, s):
    assert hi_small.decode(hi_small.encode_ordinary(s)) == s


@given(text)
def test_round_trip_kannada(kn_small, s):
    assert kn_small.decode(kn_small.encode_ordinary(s), errors="strict") == s


def test_round_trip_known_text(hi_small):
    s = "भारत एक विशाल देश है।\r\nಕನ್ನಡ 😀 ChatGPTका १२३\t\x00"
    ids = hi_small.encode(s)
    assert hi_small.decode(ids) == s
    assert len(ids) < len(s.encode())  # it compresses


def test_long_chunk_round_trip(hi_small):
    s = "क" + "ि" * 5000  # one akshara-chunk of 15 kB: the reference runs it through the heap encoder
    ids = hi_small.encode(s)
    assert hi_small.decode(ids) == s
    assert ids == hi_small.reference().encode(s)


def test_batch_and_stream(hi_small):
    texts = ["नमस्ते", "दुनिया", ""]
    assert hi_small.encode_batch(texts) == [hi_small.encode(t) for t in texts]
    assert [i for ids in hi_small.encode_iter(texts) for i in ids] == hi_small.encode("".join(texts))


def test_vocab_size_counts_everything(hi_small):
    assert hi_small.vocab_size == 256 + hi_small.n_merges + 1 == 1000
    assert hi_small.special_tokens == {ENDOFTEXT: 999}


def test_special_token_policy(hi_small):
    s = f"नमस्ते{ENDOFTEXT}दुनिया"
    with pytest.raises(ValueError, match="special token '<\\|endoftext\\|>' at index 6"):
        hi_small.encode(s)
    as_special = hi_small.encode(s, allowed_special="all")
    assert as_special.count(999) == 1
    assert as_special == hi_small.encode(s, allowed_special={ENDOFTEXT})
    as_text = hi_small.encode(s, disallowed_special=())
    assert 999 not in as_text
    assert as_text == hi_small.encode_ordinary(s)
    assert hi_small.decode(as_special) == hi_small.decode(as_text) == s
    with pytest.raises(ValueError, match="not special tokens"):
        hi_small.encode(s, allowed_special={"<|nope|>"})


def test_lone_surrogate_is_a_clear_error(hi_small):
    with pytest.raises(ValueError, match=r"lone surrogate at index 2 \(U\+D800\)"):
        hi_small.encode("ab\ud800c")


def test_decode_partial_character(hi_small):
    ids = hi_small.encode("क")
    partial = [i for i in range(256) if i == "क".encode()[0]]  # the first byte alone
    assert hi_small.decode(partial) == "\ufffd"
    with pytest.raises(ValueError, match="not valid UTF-8 at byte 0"):
        hi_small.decode(partial, errors="strict")
    assert hi_small.decode(ids, errors="strict") == "क"
    with pytest.raises(ValueError, match="errors must be"):
        hi_small.decode(ids, errors="ignore")


def test_decode_unknown_id(hi_small):
    with pytest.raises(ValueError, match="token id 1000 is not in the vocabulary"):
        hi_small.decode([1000])


def test_token_display(hi_small):
    ids = hi_small.encode(" है")
    assert "".join(hi_small.render(i) for i in ids) == "␣है"
    assert hi_small.render(999) == ENDOFTEXT


def test_load_returns_working_tokenizer(hi_small, tmp_path):
    tokenizer.save(hi_small, tmp_path / "x.model")
    tok = tokenizer.load(tmp_path / "x.model")
    s = "यह एक परीक्षण है"
    assert tok.encode(s) == hi_small.encode(s)
    assert tok.vocab_size == hi_small.vocab_size


def test_a_tokenizer_pickles_as_its_definition(hi_small):
    import pickle

    text = "नमस्ते दुनिया, ಕನ್ನಡ <|endoftext|> 123"
    hi_small.encode_ordinary(text)  # a built core (with its lock and Rust object) is not part of the pickle
    copy = pickle.loads(pickle.dumps(hi_small))
    assert copy is not hi_small and repr(copy) == repr(hi_small)
    assert copy.encode(text, allowed_special="all") == hi_small.encode(text, allowed_special="all")
    assert (copy.merges, copy.special_tokens, copy.byte_ids, copy.pattern) == (
        hi_small.merges, hi_small.special_tokens, hi_small.byte_ids, hi_small.pattern)
