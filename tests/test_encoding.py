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


# ----- tiktoken's surface: the same answers as tiktoken's Encoding with our vocabulary ------------
def _as_tiktoken(tok: tokenizer.Tokenizer):
    """tiktoken's own Encoding over our merges, regex and special tokens (exact for learned merges)."""
    import tiktoken

    from tokenizer.unicode_regex import rust_regex

    ranks = {data: i for i, data in tok.vocab.items()}
    return tiktoken.Encoding("ours", pat_str=rust_regex(tok.pattern.regex), mergeable_ranks=ranks,
                             special_tokens=tok.special_tokens)  # fmt: skip


def test_sizes_and_end_of_text_as_tiktoken_names_them(hi_small):
    enc = _as_tiktoken(hi_small)
    assert hi_small.n_vocab == enc.n_vocab == 1000 == hi_small.vocab_size
    assert hi_small.eot_token == enc.eot_token == 999
    assert tokenizer.Tokenizer({}, "indic", {}).eot_token is None


@given(text)
def test_decode_surface_equals_tiktokens(hi_small, s):
    enc = _as_tiktoken(hi_small)
    ids = hi_small.encode(s, allowed_special="all")
    assert ids == enc.encode(s, allowed_special="all")
    assert hi_small.decode_tokens_bytes(ids) == enc.decode_tokens_bytes(ids)
    assert [hi_small.decode_single_token_bytes(i) for i in ids] == [enc.decode_single_token_bytes(i) for i in ids]
    assert hi_small.decode_with_offsets(ids) == enc.decode_with_offsets(ids)
    assert hi_small.encode_to_numpy(s, allowed_special="all").tolist() == enc.encode_to_numpy(s, allowed_special="all").tolist()


def test_decode_with_offsets_by_hand(hi_small):
    text, offsets = hi_small.decode_with_offsets([hi_small.encode_ordinary("क")[0]] + hi_small.encode_ordinary(" ख"))
    assert text == "क ख" and offsets[0] == 0 and offsets[-1] <= 2
    pieces = [256, 149]  # a letter's first two bytes, then its last one: the second token starts inside क
    assert hi_small.decode_tokens_bytes(pieces) == [b"\xe0\xa4", b"\x95"]
    assert hi_small.decode_with_offsets(pieces) == ("क", [0, 0])
    with pytest.raises(tokenizer.InvalidIdError, match="not valid UTF-8"):
        hi_small.decode_with_offsets([256])


def test_encode_to_numpy_is_uint32(hi_small):
    arr = hi_small.encode_to_numpy("भारत<|endoftext|>", allowed_special="all")
    assert str(arr.dtype) == "uint32" and arr.tolist() == hi_small.encode("भारत<|endoftext|>", allowed_special="all")
    with pytest.raises(tokenizer.SpecialTokenError):
        hi_small.encode_to_numpy("<|endoftext|>")


@pytest.mark.parametrize("value, got", [(b"abc", "bytes"), (None, "NoneType"), (42, "int")])
def test_encode_takes_a_str(hi_small, value, got):
    """Not Python's reversed "a bytes-like object is required, not 'str'" from a substring test inside."""
    for method in (hi_small.encode, hi_small.encode_ordinary):
        with pytest.raises(TypeError, match=rf"^{method.__name__} takes a str, got {got}"):
            method(value)
    with pytest.raises(TypeError, match=rf"^encode takes a str, got {got}"):
        hi_small.encode_to_numpy(value)
    with pytest.raises(TypeError, match=rf"^encode_batch takes str texts, got {got} as text 1$"):
        hi_small.encode_batch(["ok", value])
    with pytest.raises(TypeError, match=rf"^encode_ordinary_batch takes str texts, got {got} as text 1$"):
        hi_small.encode_ordinary_batch(["ok", value])
    with pytest.raises(TypeError, match="decode the bytes to text first"):
        hi_small.encode(b"abc")


def test_a_batch_is_not_one_str(hi_small):
    with pytest.raises(TypeError, match=r"^encode_batch takes an iterable of str, got one str; pass \[text\]$"):
        hi_small.encode_batch("abc")


@pytest.mark.parametrize("arg", ["allowed_special", "disallowed_special"])
def test_a_special_policy_is_all_or_a_collection(hi_small, arg):
    """A str other than "all" would be a collection of its characters ("none" -> 'e', 'n', 'o')."""
    message = rf'^{arg} must be "all" or a collection of special tokens, not \'none\'$'
    with pytest.raises(tokenizer.SpecialTokenError, match=message):
        hi_small.encode("x", **{arg: "none"})
    assert hi_small.encode("x<|endoftext|>", allowed_special="all") == [ord("x"), 999]


def test_decode_single_token_bytes_refuses_a_bool(hi_small):
    """True == 1 and hashes like it: it would be looked up as id 1. (decode's hot loop does not look at
    each id's type: a scan for bools cost a fifth of its speed.)"""
    with pytest.raises(tokenizer.InvalidIdError, match="a bool"):
        hi_small.decode_single_token_bytes(True)
    assert hi_small.decode([0, 1, 104, 105]) == "\x00\x01hi"


def test_an_empty_special_token_is_refused(hi_small):
    """It would occur at every index, so that every encode raised."""
    with pytest.raises(tokenizer.TokenizerError, match="a special token cannot be empty"):
        tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {"": 999})
