"""Trainer: determinism, limits and errors, agreement of training with encoding, the merges of a
readable reference trainer and of the trainer before the compiled re-encoding, and progress."""

import importlib
import json
from pathlib import Path

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

import tokenizer
from tokenizer.bpe import build_vocab, encode_ids, merge, utf8_kind, whole_characters_ok
from tokenizer.core import piece_encoder
from tokenizer.reference import train_merges
from tokenizer.registry import FAMILIES, LANGUAGES, RECIPES, SCRIPTS, Recipe, Stage
from tokenizer.registry import scripts as registry_scripts
from tokenizer.train import TrainingError, TrainProgress, count_chunks, learn_merges, train

from .conftest import ROOT, corpus_lines
from .strategies import generated_lines, indic_text

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
    ka = "क".encode()  # e0 a4 95
    assert whole_characters_ok(ka[:1], ka[1:2])  # building one character
    assert whole_characters_ok(ka[:2], ka[2:])  # completing it
    assert whole_characters_ok(ka, "ि".encode())  # whole characters
    assert not whole_characters_ok(ka, "ि".encode()[:2])  # a character plus part of the next
    assert not whole_characters_ok(ka[2:], ka)  # a stray continuation byte plus a character


def test_curriculum_recipe():
    lines = corpus_lines("kn", 600)
    tok = train(lines, 900, quiet=True)
    assert tok.pattern.name == "indic-phrases" and tok.vocab_size == 900
    assert all(utf8_kind(tok.vocab[i]) != "mixed" for i in tok.merges.values())
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


# ----- the specification: tokenizer.reference.train_merges --------------------------------------------
# The trainer must learn exactly the merges of the brute-force reference, for every recipe of the
# registry, on text in each script of the recipe's family.


def _structure(script: str) -> tuple[bool, bool, bool]:
    row = SCRIPTS[script]
    return bool(row.viramas), row.conjuncts, row.zwj_conjuncts


def recipe_text(recipe: Recipe, lines: int) -> list[str]:
    """About `lines` lines in the scripts of a recipe's family: every script of a family of at most
    three, else one script per kind of virama (none; joins conjuncts; joins only through ZWJ; ends
    the syllable). A script's text is its default language's embedded corpus, else generated words
    (four times as many lines: they are shorter)."""
    scripts = [s for s in FAMILIES[recipe.family].scripts if s != "Latin"]
    if len(scripts) > 3:
        scripts = list({_structure(s): s for s in reversed(scripts)}.values())[::-1]
    each = max(lines // len(scripts), 8)
    out: list[str] = []
    for script in scripts:
        lang = registry_scripts().get(script, [None])[0]
        real = lang is not None and (ROOT / "data" / lang.corpus).is_file()
        out += corpus_lines(lang.code, each) if real else generated_lines(script, 4 * each)
    return out


def test_recipe_text_covers_every_kind_of_script():
    """The brahmic family's text has a script for each kind of virama, real text where there is some."""
    text = "".join(recipe_text(RECIPES[LANGUAGES["ta"].recipe], 5))
    used = {s for s in SCRIPTS if regex.search(rf"\p{{{s}}}", text)}
    assert {"Devanagari", "Bengali", "Tamil", "Sinhala"} <= used
    assert corpus_lines("ta", 5)[0] in text


@pytest.mark.parametrize("name", list(RECIPES))
def test_every_recipe_learns_the_merges_of_the_specification(name):
    recipe = RECIPES[name]
    n_merges = 100
    text = recipe_text(recipe, 36)
    expected = train_merges(text, n_merges, recipe)
    assert len(expected) == n_merges  # the slice is big enough to fill the vocabulary
    assert list(train(text, 257 + n_merges, recipe=name, quiet=True).merges) == expected


def test_a_damped_recipe_learns_the_merges_of_the_specification_where_damping_matters():
    """At 200 merges the phrase stage of Gujarati's damped recipe learns other merges than the undamped
    one (at 100 it does not): the trainer still matches the specification."""
    damped, undamped = "brahmic-curriculum-a5-sqrt", "brahmic-curriculum-a5"
    text = recipe_text(RECIPES[damped], 36)
    expected = train_merges(text, 200, damped)
    assert expected != train_merges(text, 200, undamped)
    assert list(train(text, 457, recipe=damped, quiet=True).merges) == expected


def test_plain_bpe_on_any_pattern_learns_the_merges_of_the_specification():
    """train(pattern=...) is one stage on that pre-split (here GPT-4's, on Kannada and Hindi)."""
    text = corpus_lines("kn", 20) + corpus_lines("hi", 20)
    one_stage = Recipe("one stage", "", (Stage("gpt4", 1.0),), False, "")
    expected = train_merges(text, 200, one_stage)
    assert len(expected) == 200
    assert list(train(text, 457, pattern="gpt4", quiet=True).merges) == expected


@settings(max_examples=40, deadline=None)
@given(st.lists(indic_text, min_size=1, max_size=6), st.sampled_from(list(RECIPES)), st.integers(1, 60))
def test_the_specification_on_any_text(texts, name, n_merges):
    """Any text (every registry script, marks, ZWJ, emoji): the same merges, also when the text runs
    out of pairs before n_merges."""
    expected = train_merges(texts, n_merges, name)
    try:
        got = list(train(texts, 257 + n_merges, recipe=name, quiet=True).merges)
    except TrainingError as e:  # nothing to count in the last stage's chunks
        assert "empty" in str(e) and expected == []
        return
    assert got == expected


def test_the_specification_knows_its_rules():
    """Known answers of the reference itself: ties, whole characters, stages that run out of pairs."""
    a, b, c, space = b"abc "
    one_stage = Recipe("one stage", "", (Stage("gpt2", 1.0),), False, "")
    assert train_merges(["cd", "ab"], 1, one_stage) == [(a, b)]  # equal counts: the smaller pair
    # "bc" (3), "abc" (2), then " bc" and " abc" tie at 1: the smaller pair first; then no pair is left
    assert train_merges(["abc abc bc"], 5, one_stage) == [(b, c), (a, 256), (space, 256), (space, 257)]
    # whole characters: क is e0 a4 95 and ि is e0 a4 bf; a pair of 95 ("क"'s last byte) and the next
    # character's first bytes is never merged, although it is as frequent as the pairs that are
    whole, plain = (Recipe("", "", (Stage("indic", 1.0),), rule, "") for rule in (True, False))
    assert train_merges(["कि कि कि"], 9, whole) == [(0xE0, 0xA4), (256, 0x95), (256, 0xBF), (257, 258), (space, 259)]
    assert train_merges(["कि कि कि"], 9, plain)[1] == (0x95, 256)  # without the rule it is merged second
    # a stage whose chunks run out of pairs leaves its share to the next
    two = Recipe("two", "", (Stage("akshara", 0.5), Stage("gpt2", 1.0)), False, "")
    assert train_merges(["ab"], 2, two) == [(a, b)]  # one letter per akshara chunk: no pair in stage one


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
    for tok, encode, lang in zip(shipped, compiled, ("hi", "kn"), strict=True):
        for chunk in count_chunks(corpus_lines(lang, 300), tok.pattern):
            data = chunk.encode()
            assert encode(data) == encode_ids(list(data), tok.merges), chunk


@given(indic_text)
def test_compiled_piece_encoder_equals_rank_order_on_any_bytes(shipped, compiled, text):
    data = text.encode("utf-8", "surrogatepass")
    for tok, encode in zip(shipped, compiled, strict=True):  # a whole text as one piece: longer and stranger than a chunk
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


def test_damp_counts_each_chunk_by_the_ceiling_of_its_square_root():
    from collections import Counter

    from tokenizer.train import damp

    assert damp(Counter({" a": 1, " b": 2, " c": 4, " d": 5, " e": 10_000})) == Counter({" a": 1, " b": 2, " c": 2, " d": 3, " e": 100})


@given(st.integers(min_value=1, max_value=10**15))
def test_damp_is_the_exact_ceiling_of_the_square_root(n):
    from collections import Counter

    from tokenizer.train import damp

    d = damp(Counter({"x": n}))["x"]
    assert (d - 1) ** 2 < n <= d**2


def test_a_damped_stage_prefers_pairs_spread_over_many_chunks():
    """Raw counts let a pair inside one chunk repeated 16 times win over a pair in 10 different
    chunks; damped counts (16 -> 4) let the spread pair win."""
    from tokenizer.registry import Recipe, Stage

    lines = ["x" + " ab" * 16, " ".join(f"cd{c}" for c in "efghijklmn")]
    first = {}
    for damped in (False, True):
        recipe = Recipe("r", "", (Stage("gpt2", 1.0, damped=damped),), False, "")
        first[damped] = tokenizer.train(lines, 258, recipe=recipe, quiet=True).decode_single_token_bytes(256)
    assert first[False] in (b" a", b"ab") and first[True] in (b" c", b"cd")


def test_a_seeded_recipe_makes_its_characters_tokens_before_training():
    """Recipe.seed: its merges come first, a seed character the text never writes is one token, the
    rest is trained as before, and a vocabulary too small for the seed keeps its first merges."""
    seeded = Recipe("seeded", "indic", RECIPES["curriculum"].stages, True, "", seed="“”ॐ")
    text = corpus_lines("hi", 200)
    assert not any(c in line for line in text for c in "“”")
    tok = train(text, 600, recipe=seeded, quiet=True)
    assert list(tok.merges)[:4] == [(0xE2, 0x80), (256, 0x9C), (256, 0x9D), (0xE0, 0xA5)]
    assert all(len(tok.encode(c)) == 1 for c in "“”ॐ")
    assert tok.encode("“नमस्ते”")[0] == 257 and tok.decode(tok.encode("“नमस्ते”")) == "“नमस्ते”"
    assert list(train(text, 259, recipe=seeded, quiet=True, special_tokens=()).merges) == [(0xE2, 0x80), (256, 0x9C), (256, 0x9D)]
    assert list(train(text, 600, recipe=seeded, quiet=True).merges) == train_merges(text, 600 - 257, seeded)


@pytest.mark.parametrize("lang", ["ks", "sa", "ne", "mni"])
def test_seeded_shipped_models_write_every_seed_character_as_one_token(lang, tmp_path):
    """The releases that seed characters (docs/compression.md, "Whole characters" and "Every letter of
    the alphabet"): each seed character is one token, also the sukun Kashmiri's corpus never writes and
    Nepali's Devanagari digits, and the compiled encoder, the reference and the Hugging Face export agree
    on the OOD lines that write them and on each one inside the language's example."""
    from tokenizers import Tokenizer as HfTokenizer

    from bench import validation_sets as vs
    from tokenizer.hf import export

    tok = tokenizer.load(lang)
    seed = RECIPES[LANGUAGES[lang].recipe].seed
    assert seed and all(len(tok.encode(c)) == 1 for c in seed)
    lines = [line for lines in vs.ood_by_source(lang).values() for line in lines if any(c in line for c in seed)]
    assert len(lines) > 50 or lang in ("ne", "mni")  # ks and sa: the releases were measured on these lines
    example = LANGUAGES[lang].examples[0]
    lines += [f"{example[:12]}{c}{example[12:]} {c}{c}" for c in seed]
    expected = [tok.reference().encode_ordinary(line) for line in lines]
    assert tok.encode_ordinary_batch(lines) == expected
    export(tok, tmp_path, {})
    hf = HfTokenizer.from_file(str(tmp_path / "tokenizer.json"))
    assert [e.ids for e in hf.encode_batch(lines, add_special_tokens=False)] == expected


def test_one_str_is_not_an_iterable_of_texts():
    """It is one, of single characters: training on it would be silently wrong."""
    with pytest.raises(TrainingError, match=r"^train\(\) takes an iterable of texts .* not one str; pass \[text\]"):
        train("भारत एक विशाल देश है।", 300, quiet=True)
    with pytest.raises(TrainingError, match="special_tokens is an iterable of strings, not one str"):
        train(["hello world"], 300, special_tokens="<|endoftext|>", quiet=True)


def test_a_lone_surrogate_in_training_text_is_the_librarys_error():
    with pytest.raises(tokenizer.UnencodableTextError, match=r"lone surrogate \(U\+D800"):
        train(["a\ud800b hello world"] * 3, 300, quiet=True)


@pytest.mark.parametrize("kwargs, message", [
    ({"special_tokens": [""]}, "a special token cannot be empty"),
    ({"special_tokens": ["<|a\nb|>"]}, "special token '<|a\\\\nb|>' has a line break"),
    ({"special_tokens": ["<|a|>\r"]}, "has a line break"),
    ({"special_tokens": [7]}, "special tokens are strings, got int 7"),
    ({"name": "my\nname"}, "a model's name is one line, without line breaks: 'my\\\\nname'"),
    ({"name": None}, "a model's name is a string, got NoneType"),
])  # fmt: skip
def test_names_and_special_tokens_a_model_file_cannot_hold_are_refused_before_training(kwargs, message):
    """Refused up front, not after the training (or, worse, by load() after save() wrote the file)."""
    def texts():
        raise AssertionError("the texts were read")
        yield  # a generator

    with pytest.raises(tokenizer.TokenizerError, match=message):
        train(texts(), 300, quiet=True, **kwargs)


def test_a_pattern_with_another_recipe_is_refused():
    with pytest.raises(TrainingError, match="cannot be combined with the recipe 'curriculum'"):
        train(["hello world"], 300, recipe="curriculum", pattern="gpt4", quiet=True)
    plain = train(["hello world"] * 3, 270, recipe="bpe", pattern="gpt4", quiet=True)
    assert plain.merges == train(["hello world"] * 3, 270, pattern="gpt4", quiet=True).merges
