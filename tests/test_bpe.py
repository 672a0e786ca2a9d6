"""BPE on known answers, and parity of the two chunk encoders."""

from hypothesis import given
from hypothesis import strategies as st

from tokenizer.bpe import character_merges, encode_ids_heap, encode_ids_simple, merge, pair_counts, render_token
from tokenizer.encoding import Tokenizer
from tokenizer.train import learn_merges, train


def test_pair_counts_and_merge():
    assert pair_counts([1, 2, 3, 1, 2]) == {(1, 2): 2, (2, 3): 1, (3, 1): 1}
    assert merge([1, 2, 3, 1, 2], (1, 2), 4) == [4, 3, 4]
    assert merge([1, 1, 1], (1, 1), 9) == [9, 1]  # non-overlapping, left to right
    assert merge([1, 1, 1, 1], (1, 1), 9) == [9, 9]


def test_aaabdaaabac():
    """Wikipedia's example: aa -> Z, ab -> Y, ZY -> X gives XdXac."""
    merges = learn_merges({"aaabdaaabac": 1}, 3, quiet=True)
    a, b = ord("a"), ord("b")
    assert merges == [(a, a), (a, b), (256, 257)]
    tok = train(["aaabdaaabac"], 256 + 3, special_tokens=(), quiet=True)
    ids = tok.encode("aaabdaaabac")
    assert ids == [258, ord("d"), 258, ord("a"), ord("c")]
    assert [tok.decode_single_token_bytes(i) for i in ids] == [b"aaab", b"d", b"aaab", b"a", b"c"]


def test_hand_worked_merges_with_counts():
    """Chunks 'ab' x5, 'abc' x3, 'bc' x4: (a,b)=8 wins, then (ab,c)=3 vs (b,c)=4 -> (b,c)."""
    merges = learn_merges({"ab": 5, "abc": 3, "bc": 4}, 3, quiet=True)
    a, b, c = ord("a"), ord("b"), ord("c")
    assert merges[0] == (a, b)
    assert merges[1] == (b, c)  # 'bc' alone: 4; after ab merged, 'abc' is [ab, c]
    assert merges[2] == (256, c)


def test_tie_break_is_smallest_pair():
    # 'ab' and 'cd' both occur twice; (97, 98) < (99, 100)
    assert learn_merges({"ab": 2, "cd": 2}, 1, quiet=True) == [(ord("a"), ord("b"))]
    assert learn_merges({"cd": 2, "ab": 2}, 1, quiet=True) == [(ord("a"), ord("b"))]


def test_no_two_tokens_share_bytes():
    # 'ab'+'c' and 'a'+'bc' would both make 'abc'; the trainer must not create it twice
    tok = train(["abc abc abc xbc xbc xbc xbc ab ab ab ab ab"] * 3, 300, special_tokens=(), quiet=True)
    values = list(tok.vocab.values())
    assert len(values) == len(set(values))


merge_table = st.lists(st.tuples(st.integers(0, 3), st.integers(0, 3)), max_size=12, unique=True)


@given(st.lists(st.integers(0, 3), max_size=200), merge_table)
def test_heap_encoder_equals_simple_loop(ids, pairs):
    # build a valid merge table over a tiny alphabet: merge k makes id 4 + k from existing ids
    merges = {}
    for k, (x, y) in enumerate(pairs):
        merges[(x % (4 + k), y % (4 + k))] = merges.get((x % (4 + k), y % (4 + k)), 4 + k)
    assert encode_ids_heap(list(ids), merges) == encode_ids_simple(list(ids), merges)


def test_render_token():
    assert render_token("क".encode()) == "क"
    assert render_token(" a\n".encode()) == "␣a↵"
    assert render_token(b"\xe0\xa4") == "<E0 A4>"
    assert render_token(b"a\xe0\xa4") == "a<E0 A4>"


def test_character_merges_known_answers():
    """Each character's bytes joined from the left; a shared prefix once; ASCII and repeats add nothing."""
    assert character_merges("") == {} and character_merges("a-") == {}
    assert character_merges("क“") == {(0xE0, 0xA4): 256, (256, 0x95): 257, (0xE2, 0x80): 258, (258, 0x9C): 259}
    assert character_merges("कखक") == {(0xE0, 0xA4): 256, (256, 0x95): 257, (256, 0x96): 258}
    assert character_merges("ْ") == {(0xD9, 0x92): 256}  # the sukun: two bytes, one merge
    assert character_merges("कख“", limit=2) == {(0xE0, 0xA4): 256, (256, 0x95): 257}  # the first ones


@given(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30))
def test_character_merges_make_every_character_one_token(chars):
    """Whatever the characters, the merges (applied in rank order, as every encoder here does) make
    each of them exactly one token, and a model of only these merges round-trips any text."""
    merges = character_merges(chars)
    assert sorted(merges.values()) == list(range(256, 256 + len(merges)))
    tok = Tokenizer(merges, "indic-phrases", {}, name="seed")
    for c in set(chars):
        assert tok.decode_single_token_bytes(encode_ids_simple(list(c.encode("utf-8")), merges)[0]) == c.encode("utf-8")
        assert len(encode_ids_simple(list(c.encode("utf-8")), merges)) == 1
    assert tok.decode(tok.encode(chars + " x")) == chars + " x"
