"""Trainer: determinism, limits and errors, agreement of training with encoding, the merges of a
readable reference trainer and of the trainer before the compiled re-encoding, and progress."""

import importlib
import json
from pathlib import Path

import pytest
from hypothesis import given

import tokenizer
from tokenizer.bpe import build_vocab, encode_ids, merge
from tokenizer.core import piece_encoder
from tokenizer.train import TrainingError, TrainProgress, count_chunks, learn_merges, train

from .conftest import ROOT, corpus_lines
from .strategies import indic_text

FIXTURE = Path(__file__).parent / "fixtures" / "train_merges.json"


def test_deterministic():
    lines = corpus_lines("hi", 400)
    a = train(lines, 600, quiet=True)
    b = train(iter(lines), 600, quiet=True)  # a stream gives the same result
    assert a.merges == b.merges


def test_training_text_encodes_with_learned_merges():
    """Encoding a training chunk reproduces what the trainer's incremental state held: the chunk's
    bytes with every learned merge applied in the order learned (bpe.merge, one merge at a time)."""
    lines = corpus_lines("kn", 300)
    counts = count_chunks(lines, "indic")
    tok = train(lines, 256 + 400 + 1, recipe="bpe", quiet=True)
    assert tok.n_merges == 400
    assert list(tok.merges) == learn_merges(counts, 400, quiet=True)  # train() counts as count_chunks does
    ordered = sorted(tok.merges.items(), key=lambda kv: kv[1])
    compressed = 0
    for chunk, _ in counts.most_common(300):
        ids = list(chunk.encode("utf-8"))
        for pair, new_id in ordered:
            ids = merge(ids, pair, new_id)
        assert tok.encode_ordinary(chunk) == ids, chunk
        compressed += len(ids) < len(chunk.encode("utf-8"))
    assert compressed > 250  # the merges were learned from these chunks: most of them shrink


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
    """allow_over_cap really trains past the cap: 5,001 ids from a corpus with enough distinct pairs."""
    import random

    rng = random.Random(0)
    lines = [" ".join("".join(rng.choices("abcdefghijklmnopqrstuvwxyz", k=8)) for _ in range(50)) for _ in range(200)]
    with pytest.raises(TrainingError, match="above the cap"):
        train(lines, tokenizer.VOCAB_CAP + 1, recipe="bpe", quiet=True)
    tok = train(lines, tokenizer.VOCAB_CAP + 1, recipe="bpe", allow_over_cap=True, quiet=True)
    assert tok.vocab_size == tokenizer.VOCAB_CAP + 1 and tok.n_merges == tokenizer.VOCAB_CAP + 1 - 257


def test_empty_corpus():
    with pytest.raises(TrainingError, match="empty"):
        train([], 500, quiet=True)
    with pytest.raises(TrainingError, match="empty"):
        train(["", ""], 500, quiet=True)


def test_public_api():
    """The exported cap is the documented 5,000 and is the limit train() enforces."""
    assert tokenizer.VOCAB_CAP == 5000
    assert train(["ab"], tokenizer.VOCAB_CAP, quiet=True).vocab_size == 258  # at the cap: accepted
    with pytest.raises(TrainingError, match=f"vocab_size {tokenizer.VOCAB_CAP + 1} is above the cap of 5000"):
        train(["ab"], tokenizer.VOCAB_CAP + 1, quiet=True)


def test_whole_characters_rule():
    from tokenizer.train import whole_characters_ok

    ka = "क".encode()  # e0 a4 95
    assert whole_characters_ok(ka[:1], ka[1:2])  # building one character
    assert whole_characters_ok(ka[:2], ka[2:])  # completing it
    assert whole_characters_ok(ka, "ि".encode())  # whole characters
    assert not whole_characters_ok(ka, "ि".encode()[:2])  # a character plus part of the next
    assert not whole_characters_ok(ka[2:], ka)  # a stray continuation byte plus a character


def test_curriculum_recipe():
    from tokenizer.registry import RECIPES
    from tokenizer.train import _utf8_kind

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


# ----- the reference trainer: today's (pre-compiled-encoder) algorithm, kept as a readable spec ---
# The fast trainer must learn exactly these merges. Plain Python, no shared code with train.py except
# the pre-split patterns and the whole-characters rule: a minbpe encode loop, a full recount of
# the pair statistics after every merge, and the same choice rules.


def _ref_encode(ids: list[int], merges: dict[tuple[int, int], int]) -> list[int]:
    """minbpe: merge the lowest-ranked pair present, everywhere, until none is left."""
    while len(ids) >= 2:
        pair = min(zip(ids, ids[1:]), key=lambda p: merges.get(p, float("inf")))
        if pair not in merges:
            return ids
        out, i = [], 0
        while i < len(ids):
            if i + 1 < len(ids) and (ids[i], ids[i + 1]) == pair:
                out.append(merges[pair])
                i += 2
            else:
                out.append(ids[i])
                i += 1
        ids = out
    return ids


def reference_train(lines, vocab_size, recipe="curriculum", n_special=1):
    """The merges of `train(lines, vocab_size, recipe=recipe)`, by brute force."""
    from tokenizer.train import get_recipe, whole_characters_ok

    rec = get_recipe(recipe)
    n_merges = vocab_size - 256 - n_special
    merges: dict[tuple[int, int], int] = {}
    vocab = {i: bytes([i]) for i in range(256)}
    known = set(vocab.values())
    for stage in rec.stages:
        target = round(stage.until * n_merges) if stage is not rec.stages[-1] else n_merges
        counts = count_chunks(lines, stage.pattern)
        words = [(_ref_encode(list(c.encode()), merges), f) for c, f in counts.items()]
        while len(merges) < target:
            stats: dict[tuple[int, int], int] = {}
            for ids, f in words:
                for pair in zip(ids, ids[1:]):
                    stats[pair] = stats.get(pair, 0) + f
            candidates = [
                (-c, p) for p, c in stats.items()
                if vocab[p[0]] + vocab[p[1]] not in known
                and (not rec.whole_characters or whole_characters_ok(vocab[p[0]], vocab[p[1]]))
            ]  # fmt: skip
            if not candidates:
                break
            _, best = min(candidates)  # the highest count, then the smallest (left, right) pair
            new_id = 256 + len(merges)
            merges[best] = new_id
            vocab[new_id] = vocab[best[0]] + vocab[best[1]]
            known.add(vocab[new_id])
            words = [(_ref_encode(ids, {best: new_id}), f) for ids, f in words]
    return list(merges)


@pytest.mark.parametrize(
    "lang, lines, vocab_size, recipe",
    [("hi", 100, 420, "curriculum"), ("kn", 60, 380, "curriculum"), ("hi", 100, 350, "bpe")],
)
def test_merges_equal_reference_trainer(lang, lines, vocab_size, recipe):
    text = corpus_lines(lang, lines)
    expected = reference_train(text, vocab_size, recipe)
    assert len(expected) == vocab_size - 257  # the slice is big enough to fill the vocabulary
    assert list(train(text, vocab_size, recipe=recipe, quiet=True).merges) == expected


@pytest.mark.parametrize("case", json.loads(FIXTURE.read_text())["cases"], ids=lambda c: f"{c['lang']}-{c['recipe']}")
def test_merges_equal_the_trainer_before_compiled_encoding(case):
    """Larger slices than the reference can afford: the merges today's trainer learned, pinned."""
    tok = train(corpus_lines(case["lang"], case["lines"]), case["vocab_size"], recipe=case["recipe"], quiet=True)
    assert [list(p) for p in tok.merges] == case["merges"]
    assert len(case["merges"]) == case["vocab_size"] - 257


@pytest.fixture(scope="module")
def shipped() -> list[tokenizer.Tokenizer]:
    return [tokenizer.load(ROOT / "models" / f"{lang}.model") for lang in ("hi", "kn")]


@pytest.fixture(scope="module")
def compiled(shipped) -> list:
    return [_compiled(tok) for tok in shipped]


def test_learned_tokens_encode_to_themselves(shipped):
    """The hypothesis of the lemma that makes tiktoken's merge loop exact for our merges."""
    for tok in shipped:
        assert all(encode_ids(list(tok.vocab[i]), tok.merges) == [i] for i in tok.merges.values())


def _compiled(tok):
    return piece_encoder(build_vocab(sorted(tok.merges.items(), key=lambda kv: kv[1])))


def test_compiled_piece_encoder_equals_rank_order_on_corpus(shipped, compiled):
    for tok, encode, lang in zip(shipped, compiled, ("hi", "kn")):
        for chunk in count_chunks(corpus_lines(lang, 300), tok.pattern):
            data = chunk.encode()
            assert encode(data) == encode_ids(list(data), tok.merges), chunk


@given(indic_text)
def test_compiled_piece_encoder_equals_rank_order_on_any_bytes(shipped, compiled, text):
    data = text.encode("utf-8", "surrogatepass")
    for tok, encode in zip(shipped, compiled):  # a whole text as one piece: longer and stranger than a chunk
        assert encode(data) == encode_ids(list(data), tok.merges)


def test_merges_that_do_not_encode_to_themselves_use_the_python_encoder():
    a, b, c, d = b"abcd"
    merges = {(a, b): 256, (b, c): 257, (a, 257): 258}  # "abc" is 258, but "abc" encodes to [256, c]
    # rank order: abcd -> [256, c, d]; pairs (256, c) and (c, d) tie at 3 -> the smaller (c, d).
    # tiktoken's loop would start from [258, d] and learn (258, d): wrong for these merges.
    assert learn_merges({"abcd": 3}, 1, merges=merges, quiet=True) == [(c, d)]
    assert piece_encoder(build_vocab(merges.items()))(b"abcd") == [258, d]


# ----- progress and cancellation -------------------------------------------------------------------
def test_progress_is_monotone_and_ends_with_all_merges(capsys):
    calls: list[TrainProgress] = []
    tok = train(corpus_lines("kn", 600), 900, progress=calls.append)
    assert capsys.readouterr().err == ""  # no progress bars when a callback is given
    assert calls[-1].done == calls[-1].total == tok.n_merges == 900 - 257
    assert calls[-1].merges == tuple(tok.merges)
    for before, after in zip(calls, calls[1:]):
        assert before.done <= after.done and before.elapsed <= after.elapsed
    for p in calls:
        assert len(p.merges) == p.done and p.merges == tuple(tok.merges)[: p.done]
    stages = [p.stage for p in calls]
    assert stages == sorted(stages, key=["", "akshara", "indic-words", "indic-phrases"].index)
    # the end of every stage is reported: the last call of a stage has all of its merges
    ends = {p.stage: p.done for p in calls}
    assert ends == {**ends, "akshara": round(0.105 * 643), "indic-words": round(0.74 * 643), "indic-phrases": 643}


def test_progress_calls_are_rate_limited(monkeypatch):
    train_module = importlib.import_module("tokenizer.train")

    lines = corpus_lines("hi", 600)
    times: list[float] = []
    train(lines, 1200, recipe="bpe", progress=lambda p: times.append(p.elapsed))
    # besides the two calls at the start and end of the one stage, calls are >= 0.1 s apart
    assert len(times) <= 2 + times[-1] / train_module.PROGRESS_EVERY + 1
    monkeypatch.setattr(train_module, "PROGRESS_EVERY", 0.0)
    dense: list[int] = []
    train(lines, 1200, recipe="bpe", progress=lambda p: dense.append(p.done))
    assert set(range(1, 1200 - 257 + 1)) <= set(dense)  # with no limit: every merge is reported


class Cancelled(Exception):
    pass


@pytest.mark.parametrize("when", ["counting", "merging"])
def test_an_exception_from_progress_stops_training(when):
    seen: list[TrainProgress] = []
    error = Cancelled()

    def cancel(p: TrainProgress) -> None:
        seen.append(p)
        if when == "counting" or p.done > 0:
            raise error

    def lines():  # slow enough to be read while the callback is called
        import time

        for line in corpus_lines("hi", 400):
            time.sleep(0.001)
            yield line

    with pytest.raises(Cancelled) as caught:
        train(lines(), 1000, progress=cancel)
    assert caught.value is error  # unchanged
    assert len(seen) == 1 or (when == "merging" and seen[-2].done == 0)  # nothing after the raise
    assert seen[-1].stage == ("" if when == "counting" else "akshara")


def test_ids_beyond_pair_keys_are_refused():
    with pytest.raises(TrainingError, match="at most 1,048,576 ids"):
        train(["abc"], 2**20 + 300, allow_over_cap=True, quiet=True)
