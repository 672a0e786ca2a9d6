"""The out-of-domain validation sets and the generalisation experiments (bench/validation_sets.py,
bench/generalise.py, bench/phrase_diagnosis.py): known answers, parity with the library trainer,
and the property that matters most, that validation text is never trained on."""

from __future__ import annotations

import gzip
import re
from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

import tokenizer
from bench import cross_source, generalise, ids_needed, ood, phrase_diagnosis
from bench import validation_sets as vs
from tokenizer.build import measure_hf
from tokenizer.hf import to_hf
from tokenizer.metrics import evaluate
from tokenizer.pretokenize import get_pattern
from tokenizer.registry import KASHMIRI_LETTERS, LANGUAGES, RECIPES, TYPOGRAPHY

LANGS_WITH_SETS = [lang for lang in vs.ALL_LANGS if lang not in vs.MISSING]


def test_normalise_and_line_hash_known_answers():
    assert vs.normalise("  भारत \t एक\u00a0देश  ") == "भारत एक देश"
    assert vs.normalise("\u0958") == "\u0915\u093c"  # NFC decomposes qa (a composition exclusion)
    assert vs.normalise("a\u200bb\u200dc") == "ab\u200dc"  # ZWSP (Cf) goes, ZWJ stays
    assert vs.line_hash("भारत  एक देश ") == vs.line_hash("भारत एक देश")
    assert vs.line_hash("भारत एक देश") != vs.line_hash("भारत एक देश।")
    assert re.fullmatch(r"[0-9a-f]{16}", vs.line_hash("x"))


def test_in_script():
    assert vs.in_script("भारत एक विशाल देश है", "Devanagari")
    assert not vs.in_script("भारत", "Devanagari")  # 3 letters and a vowel sign: 4 of the 5 needed
    assert not vs.in_script("India is a large country, भारत", "Devanagari")
    assert not vs.in_script("ಕನ್ನಡ ಕರ್ನಾಟಕ", "Devanagari")


def test_every_language_has_a_set_or_says_why():
    assert set(vs.SETS) | set(vs.MISSING) == set(vs.ALL_LANGS)
    assert not set(vs.SETS) & set(vs.MISSING)
    readme = (vs.OUT / "README.md").read_text()
    for lang in vs.ALL_LANGS:
        assert f"(`{lang}`)" in readme


@pytest.mark.parametrize("lang", LANGS_WITH_SETS)
def test_ood_set_is_never_training_text(lang):
    """Every OOD segment is in the language's script and is either absent from the corpus or held
    out of training by the exclusion list; no segment is Wikipedia-sourced TICO-19."""
    lines = vs.ood_lines(lang)
    assert 100 <= len(lines) <= vs.MAX_PER_SOURCE * len(vs.SETS[lang])
    assert len(set(lines)) == len(lines)
    corpus = {}
    for doc in vs.documents(lang):  # the corpus file and the files that only train (the stories)
        for line in doc.text.splitlines():
            corpus[vs.normalise(line)] = line
    drop = vs.excluded(lang)
    for text in lines:
        assert vs.in_script(text, vs.script_of(lang)), text
        if text in corpus:
            assert vs.line_hash(corpus[text]) in drop, f"{lang}: OOD line in the training corpus: {text[:60]}"
    with gzip.open(vs.OUT / f"{lang}.tsv.gz", "rt", encoding="utf-8") as f:
        labels = {line.split("\t", 1)[0] for line in f}
    assert labels == {p.label for p in vs.SETS[lang]}


@pytest.mark.parametrize("lang", ["or", "ne"])
def test_training_lines_skip_the_excluded_ones(lang):
    drop = vs.excluded(lang)
    assert drop
    train = vs.corpus_lines(lang, "train")
    assert not any(vs.line_hash(x) in drop for x in train)
    # the exclusion removes lines, never documents: the split of every other line is the library's
    kept = sum(1 for d in vs.documents(lang) for x in d.text.splitlines() if vs.line_hash(x) not in drop)
    assert len(train) + len(vs.corpus_lines(lang, "valid")) + len(vs.corpus_lines(lang, "test")) <= kept


@pytest.mark.parametrize("lang", ["hi", "pa"])
def test_build_is_deterministic_and_matches_the_committed_set(lang):
    built = vs.build_language(lang)
    assert [t for _, t in built.rows] == list(vs.ood_lines(lang))
    assert built.excluded == set(vs.excluded(lang))
    assert built.train_only == set(vs.train_only(lang))
    if vs.stories_train(lang):
        with gzip.open(vs.ROOT / "data" / vs.stories_file(lang), "rt", encoding="utf-8") as f:
            assert built.stories == f.read().splitlines()


@pytest.mark.parametrize("lang", [lang for lang in vs.PRATHAM_LANGS if vs.stories_train(lang)])
def test_training_stories_and_held_out_stories_are_different_stories(lang):
    """Where half of the stories train (data/<lang>.stories.txt.gz), the OOD set's stories are all
    from the other half: whole stories, so no held-out line shares a story with a training line."""
    assert lang in ("hi", "mr", "gu", "ml")  # the registry entries that list the file
    stories: dict[str, set[str]] = {}
    for key, text in vs.read_source(f"pratham-{lang}"):
        stories.setdefault(vs.normalise(text), set()).add(key.rsplit(":", 1)[0])
    with gzip.open(vs.ROOT / "data" / vs.stories_file(lang), "rt", encoding="utf-8") as f:
        trained = f.read().splitlines()
    held = vs.ood_by_source(lang)["pratham"]
    assert len(trained) > 250 and 200 < len(held) <= vs.MAX_PER_SOURCE
    assert all(any(vs.training_half(s) for s in stories[t]) for t in trained)
    assert all(not any(vs.training_half(s) for s in stories[t]) for t in held)
    assert not set(trained) & set(held)
    # the split is about half of the stories, and stable: a known story on each side
    halves = {vs.training_half(s) for t in stories for s in stories[t]}
    assert halves == {True, False}


def test_train_only_lines_train_and_stay_out_of_the_held_out_lines():
    only = vs.train_only("pa")
    assert len(only) > 10_000 and not vs.excluded("pa")
    assert sum(vs.line_hash(x) in only for x in vs.corpus_lines("pa", "train")) > 10_000
    for split in ("valid", "test"):
        assert not any(vs.line_hash(x) in only for x in vs.corpus_lines("pa", split))


def test_block_positions_are_pinned_to_the_corpus_file(monkeypatch):
    monkeypatch.setitem(vs.CORPUS_SHA256, "pa", "0" * 64)
    with pytest.raises(SystemExit, match="changed"):
        vs.build_language("pa")


def small_docs(n: int = 60) -> list[tuple[str, ...]]:
    docs = [d for d in generalise.train_documents("hi")[:n]]
    return docs


def test_today_equals_the_library_trainer():
    docs = small_docs()
    lines = [x for d in docs for x in d]
    e = generalise.experiment_named("today")
    ours = generalise.train_experiment(docs, generalise.recipe_for("hi", e), e, 800)
    shipped = LANGUAGES["hi"].recipe  # "today" is the language's recipe as the registry ships it
    lib = tokenizer.train(lines, 800, recipe=shipped, quiet=True)
    assert ours.merges == lib.merges
    assert generalise.recipe_for("hi", e).stages == RECIPES[shipped].stages


def test_a_damped_recipe_is_the_sqrt_experiment_in_the_library():
    """Gujarati's recipe damps its phrase stage (registry.Stage.damped): the library trainer gives
    exactly the merges of `bench.generalise`'s "sqrt" experiment on the undamped recipe, and "today"
    keeps the damping (recipe_for preserves every stage field)."""
    docs = small_docs()
    lines = [x for d in docs for x in d]
    damped = RECIPES["brahmic-curriculum-a5-sqrt"]
    assert LANGUAGES["gu"].recipe == damped.name and [s.damped for s in damped.stages] == [False, False, True]
    assert [s.damped for s in RECIPES[LANGUAGES["si"].recipe].stages][-1]  # Sinhala's too
    undamped = RECIPES["brahmic-curriculum-a5"]
    sqrt = generalise.train_experiment(docs, undamped, generalise.experiment_named("sqrt"), 800)
    lib = tokenizer.train(lines, 800, recipe=damped, quiet=True)
    assert lib.merges == sqrt.merges != tokenizer.train(lines, 800, recipe=undamped, quiet=True).merges
    assert generalise.recipe_for("gu", generalise.experiment_named("today")).stages == damped.stages
    assert generalise.recipe_for("gu", generalise.experiment_named("phrases@0.9")).stages[-1].damped


@pytest.mark.parametrize("cap", [1, 2])
def test_max_words_caps_every_token(cap):
    docs = small_docs()
    e = generalise.Experiment("cap", "", "", max_words=cap, phrase_start=0.3)
    tok = generalise.train_experiment(docs, generalise.recipe_for("hi", e), e, 900)
    spans = [generalise.words_in(tok.decode_single_token_bytes(i)) for i in range(256, 256 + len(tok.merges))]
    assert max(spans) == cap
    text = "भारत एक विशाल देश है। यहाँ की संस्कृति"
    assert tok.decode(tok.encode(text)) == text


def test_rerank_keeps_the_tokens_and_learns_them_in_frequency_order():
    """The re-ranked model has the same number of ids, every token the greedy order reaches is one of
    the recipe's, its first merges are the commonest pairs of the last stage, and it round-trips."""
    docs = small_docs()
    today, again = generalise.experiment_named("today"), generalise.experiment_named("rerank")
    base = generalise.train_experiment(docs, generalise.recipe_for("hi", today), today, 900)
    tok = generalise.train_experiment(docs, generalise.recipe_for("hi", again), again, 900)
    assert tok.vocab_size == base.vocab_size == 900
    old = {base.decode_single_token_bytes(i) for i in range(256, 256 + len(base.merges))}
    new = [tok.decode_single_token_bytes(i) for i in range(256, 256 + len(tok.merges))]
    reached = next((k for k, b in enumerate(new) if b not in old), len(new))
    assert reached > 0.9 * len(new) and set(new[:reached]) <= old
    assert new != [base.decode_single_token_bytes(i) for i in range(256, 256 + len(base.merges))]
    counts = generalise.count(docs, tok.pattern, "raw")  # the first merge is the last stage's commonest pair
    pairs: Counter[bytes] = Counter()
    for chunk, n in counts.items():
        data = chunk.encode()
        for a, b in zip(data, data[1:]):
            pairs[bytes([a, b])] += n
    allowed = [(n, pair) for pair, n in pairs.items() if pair in old]
    assert new[0] == max(allowed)[1]
    text = "भारत एक विशाल देश है। यहाँ की संस्कृति"
    assert tok.decode(tok.encode(text)) == text


def test_document_and_sqrt_counting_known_answers():
    pat = get_pattern("indic-words")
    docs = [("क ख क ख क",), ("क",)]
    assert generalise.count(docs, pat, "raw")["क"] == 2 and generalise.count(docs, pat, "raw")[" क"] == 2
    assert generalise.count(docs, pat, "docs")[" क"] == 1
    assert generalise.count(docs, pat, "docs")["क"] == 2
    raw = generalise.count([("क " * 9,)], pat, "raw")
    assert raw[" क"] == 8 and generalise.count([("क " * 9,)], pat, "sqrt")[" क"] == 3
    assert generalise.count([("क " * 9,)], pat, "pow0.5")[" क"] == 3  # sqrt as a power
    assert generalise.count([("क " * 9,)], pat, "pow0.8")[" क"] == 6  # ceil(8 ** 0.8 = 5.28)


def test_the_power_experiments_damp_the_words_and_phrase_stages_not_the_aksharas(monkeypatch):
    """"powP-words" counts its words and phrase stages by the power, the akshara stage by occurrences."""
    seen = []

    def spy(docs, pattern, how, skip=None):
        seen.append((pattern.name, how))
        return generalise.Counter()

    monkeypatch.setattr(generalise, "count", spy)
    recipe = generalise.recipe_for("mr", generalise.experiment_named("pow0.8-words"))
    generalise.train_experiment([("क",)], recipe, generalise.experiment_named("pow0.8-words"), 300)
    assert seen == [("brahmic-akshara", "raw"), ("brahmic-words", "pow0.8"), ("brahmic-phrases", "pow0.8")]


PROSE = [
    "नदी के किनारे एक पुराना मंदिर खड़ा था",
    "बच्चों ने शाम को मैदान में क्रिकेट खेली",
    "सरकार ने नई शिक्षा नीति की घोषणा की",
    "बारिश के बाद सड़कों पर पानी भर गया",
    "वैज्ञानिकों ने एक नया तारा खोजा है",
    "दादी ने हमें राजा और चिड़िया की कहानी सुनाई",
]


def test_template_lines_and_near_duplicates_known_answer():
    stub = "{} गाँव भारत के उत्तर प्रदेश राज्य के बलिया जिले का एक गाँव है जिसकी जनसंख्या {} है"
    names = ["रामपुर", "सीतापुर", "कटरा", "बेलहा", "मोहनपुर", "गोपालपुर"]
    docs = [(stub.format(name, 100 + i), prose) for i, (name, prose) in enumerate(zip(names, PROSE))]
    drop = generalise.template_lines(docs, min_docs=5)
    assert {d[0] for d in docs} <= drop  # the stub, six times with other names and numbers
    assert not set(PROSE) & drop
    pat = get_pattern("indic-words")
    repeated = [("मैच में 12 रन बने", "मैच में 345 रन बने", PROSE[0])]
    assert generalise.count(repeated, pat, "raw")[" रन"] == 2
    assert generalise.count(repeated, pat, "raw", skip=set())[" रन"] == 1  # the near-duplicate is skipped
    assert generalise.count(repeated, pat, "raw", skip={PROSE[0]})[" मंदिर"] == 0


PUNCT = "।॥.,;:!?"


PIECES = ["भारत", "देश", "है", "ಕನ್ನಡ", "নদী", " ", *PUNCT, "१९", "a"]


@given(st.lists(st.sampled_from(PIECES), min_size=1, max_size=30))
def test_no_phrase_crosses_sentence_punctuation(parts):
    """A phrase chunk may end in closing punctuation but never has a letter after it."""
    text = "".join(parts)
    for name in ("indic-phrases", "brahmic-phrases"):
        for chunk in get_pattern(name).split(text):
            assert not re.search(f"[{PUNCT}].*[^\\W\\d_]", chunk), (name, chunk)


def test_words_only_drops_every_multi_word_token():
    docs = small_docs()
    e = generalise.Experiment("p", "", "", phrase_start=0.3)
    tok = generalise.train_experiment(docs, generalise.recipe_for("hi", e), e, 900)
    wo = phrase_diagnosis.words_only(tok)
    assert any(generalise.words_in(tok.decode_single_token_bytes(i)) > 1 for i in range(256, 256 + len(tok.merges)))
    assert all(generalise.words_in(wo.decode_single_token_bytes(i)) <= 1 for i in range(256, 256 + len(wo.merges)))
    assert len(wo.merges) < len(tok.merges)
    text = "भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ"
    assert wo.decode(wo.encode(text)) == text


class _Counts:
    """A stand-in for both tokenizers: each line's token count is given; ids are zeros."""

    class _Encoding:
        def __init__(self, n: int) -> None:
            self.ids = [0] * n

    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts

    def encode_ordinary_batch(self, lines: list[str]) -> list[list[int]]:
        return [[0] * self.counts[x] for x in lines]

    def encode_batch(self, lines: list[str], add_special_tokens: bool = True) -> list[_Encoding]:
        assert add_special_tokens is False
        return [self._Encoding(self.counts[x]) for x in lines]


def test_the_ratio_interval_resamples_lines():
    """Known answers: a baseline that always needs twice our tokens gives [2, 2]; lines that disagree
    give an interval around the whole-set ratio, narrower with more lines; empty lines do not count."""
    lines = [f"line {i}" for i in range(40)]
    ours = _Counts({x: 5 for x in lines})
    assert ood.ratio_interval(ours, _Counts({x: 10 for x in lines}), [*lines, "", "\n"]) == (2.0, 2.0)
    base = _Counts({x: 4 + 2 * (i % 2) for i, x in enumerate(lines)})  # 4 or 6: the ratio is 1.0
    low, high = ood.ratio_interval(ours, base, lines)
    assert low < 1.0 < high and high - low < 0.25
    wider = ood.ratio_interval(ours, base, lines[:8])
    assert wider[1] - wider[0] > high - low
    assert ood.ratio_interval(ours, base, lines) == (low, high)  # the same resamples each run


def test_the_ratio_interval_resamples_documents_within_each_source():
    """Lines of one document move together: resampling documents gives the wider, honest interval.
    A set's mix of sources is fixed: two sources each uniform within themselves give one point."""
    lines = [f"line {i}" for i in range(100)]
    ours = _Counts({x: 5 for x in lines})
    base = _Counts({x: 4 + 2 * ((i // 5) % 2) for i, x in enumerate(lines)})  # 20 documents of 5 lines: 4 or 6
    documents = [("s", f"doc {i // 5}") for i in range(100)]
    by_line = ood.ratio_interval(ours, base, lines)
    by_document = ood.ratio_interval(ours, base, lines, documents)
    assert by_document[0] < by_line[0] < 1.0 < by_line[1] < by_document[1]
    mixed = _Counts({x: 10 if i < 50 else 5 for i, x in enumerate(lines)})  # source a: 2x; source b: 1x
    sources = [("a" if i < 50 else "b", str(i)) for i in range(100)]
    assert ood.ratio_interval(ours, mixed, lines, sources) == (1.5, 1.5)
    assert ood.ratio_interval(ours, mixed, lines)[1] - ood.ratio_interval(ours, mixed, lines)[0] > 0.1
    with pytest.raises(ValueError, match="99 documents for 100 lines"):
        ood.ratio_interval(ours, base, lines, documents[:99])


def test_ood_documents_name_the_story_or_document_of_each_line():
    documents = vs.ood_documents("hi")
    assert len(documents) == len(vs.ood_lines("hi"))
    by_source: dict[str, set[str]] = {}
    for label, doc in documents:
        by_source.setdefault(label, set()).add(doc)
    sizes = {label: sum(1 for x, _ in documents if x == label) for label in by_source}
    assert len(by_source["pratham"]) < sizes["pratham"] / 5  # stories of many lines
    assert len(by_source["tico19"]) < 50 and all(d.startswith("tico19:") for d in by_source["tico19"])
    assert len(by_source["pmindia"]) == -(-sizes["pmindia"] // vs.SENTENCE_BLOCK)  # blocks of neighbours
    assert [d for x, d in documents if x == "pmindia"][:11] == ["pmindia:block 0"] * 10 + ["pmindia:block 1"]
    story = next(d for x, d in documents if x == "pratham")
    assert story.startswith("pratham:hi/") and story.endswith(".md")
    assert ood.documents_of("hi", "ood:tico19") == [d for d in documents if d[0] == "tico19"]
    valid = ood.documents_of("hi", "valid")
    assert len(valid) == len(ood.set_lines("hi", "valid")) and 10 < len(set(valid)) < len(valid) / 5
    assert ood.documents_of("hi", "published") is None


def test_sentence_lists_keep_their_sources_order_so_neighbours_are_resampled_together():
    """Why PMIndia's and IL-NER's lines count in blocks: neighbouring lines share more words than
    lines far apart, which share as many as random pairs (the set keeps the source's order)."""
    import random

    def overlap(pairs) -> float:
        return sum(len(set(a.split()) & set(b.split())) / len(set(a.split()) | set(b.split())) for a, b in pairs) / len(pairs)

    rng = random.Random(0)
    for lang, source in (("hi", "pmindia"), ("te", "il-ner")):
        lines = vs.ood_by_source(lang)[source]
        near = overlap(list(zip(lines, lines[1:])))
        far = overlap([(lines[i], lines[i + 50]) for i in range(len(lines) - 50)])
        rand = overlap([(rng.choice(lines), rng.choice(lines)) for _ in range(3000)])
        assert near > 1.4 * far and abs(far - rand) < 0.2 * rand


def test_the_shipped_ratio_lies_in_its_interval():
    """On a real set: the point ratio of bench.ood's row lies inside its interval, by blocks of
    neighbouring lines (PMIndia's sentences) and by stories."""
    tok, hf = tokenizer.load("or"), ood.baseline("or")
    for name in ("ood:pmindia", "ood:pratham"):
        lines = ood.set_lines("or", name)
        row = ood.rows_for("or", "shipped", {name: evaluate(tok, lines)}, {name: measure_hf(hf, list(lines))})[0]
        low, high = ood.ratio_interval(tok, hf, lines, ood.documents_of("or", name))
        assert low < row["ratio"] < high < low + 0.06


def test_llm_byte_fallback_pieces_add_up():
    line = "a\u0915b"  # क is three bytes, given as three byte-fallback tokens with the same offsets
    pieces = [b"a", b"\xe0", b"\xe0", b"\xe0", b"b"]  # what offsets alone would give
    fixed = ood._fix_byte_pieces(line, pieces)
    assert b"".join(fixed) == line.encode("utf-8") and [len(p) for p in fixed] == [1, 1, 1, 1, 1]


def test_treebank_text_loses_the_space_before_punctuation(monkeypatch):
    conllu = "# sent_id = k-1\n# text = هڪ ، ٻه .\n1\tهڪ\n\n# sent_id = k-2\n# text = x ( y ) ؟\n1\tx\n"
    monkeypatch.setattr(vs, "_show", lambda snapshot, path: conllu.encode("utf-8"))
    assert list(vs._conllu_text("ud-sd", ("a.conllu",))) == [("a.conllu:k-1", "هڪ، ٻه."), ("a.conllu:k-2", "x ( y)؟")]


STORY = ("# ಡುಮ್ಮರಾಜ ಸಣಕಲು ನಾಯಿ\n\n##\nಇವನೇ ನಮ್ಮ ಡುಮ್ಮರಾಜ. \n\n##\nಒಂದು ಸಣಕಲು ನಾಯಿ ಜೊತೆಗಿತ್ತು.\n\n##\n"
         "* License: [CC-BY]\n* Text: Parismita\n* Translation: A.S. Chandra Mouli\n* Language: kn\n")
NO_DERIVATIVES = "# ಕಥೆ\n\n##\nಇದು ಬೇರೆ ಕಥೆ ಇಲ್ಲಿದೆ.\n\n##\n* License: [CC-BY-ND]\n* Language: kn\n"


def test_pratham_stories_keep_their_text_and_credits(monkeypatch):
    """A story's title and page lines are the segments; page breaks and the credits are not; a story
    under another licence than CC BY or Public Domain is not taken; the credits name every author."""
    files = {"kn/0002_dumma.md": STORY, "kn/0003_nd.md": NO_DERIVATIVES, "kn/README.md": "| 0002 | ... |"}
    monkeypatch.setattr(vs, "_git", lambda snapshot, *args: "\n".join(
        f for f in files if f.startswith(args[-1])).encode("utf-8"))
    monkeypatch.setattr(vs, "_show", lambda snapshot, path: files[path].encode("utf-8"))
    assert list(vs._pratham("kn")) == [
        ("kn/0002_dumma.md:0", "ಡುಮ್ಮರಾಜ ಸಣಕಲು ನಾಯಿ"),
        ("kn/0002_dumma.md:1", "ಇವನೇ ನಮ್ಮ ಡುಮ್ಮರಾಜ."),
        ("kn/0002_dumma.md:2", "ಒಂದು ಸಣಕಲು ನಾಯಿ ಜೊತೆಗಿತ್ತು."),
    ]
    assert ("kn/0002_dumma.md", "License: [CC-BY]; Text: Parismita; Translation: A.S. Chandra Mouli; Language: kn") \
        in list(vs._pratham_credits())


def test_stories_credited_and_never_held_out_of_training():
    """Every story a set uses is in the committed credits, and the stories (added after the models
    were trained) exclude no corpus line: what a corpus shares with them left the set instead."""
    credits = {key for key, _ in vs.read_source("pratham-credits")}
    for lang in vs.PRATHAM_LANGS:
        part = next(p for p in vs.SETS[lang] if p.label == "pratham")
        assert not part.hold_out
        used = {key.rsplit(":", 1)[0] for key, _ in vs.read_source(part.source)}
        assert used and used <= credits
    for lang in ("kn", "pa"):  # the rule is the same for every language; two keep the test quick
        built = vs.build_language(lang)
        assert not any(n.startswith("pratham:") for n in built.notes)
        assert built.excluded == set(vs.excluded(lang))


def test_story_split_halves_are_the_library_halves():
    """bench.story_split measures on the held-out half the library holds out and trains on the half
    it trains on; the rule is the same for a language whose stories do not train."""
    from bench import story_split

    for lang in ("hi", "mr"):
        train, held = vs.story_halves(lang)
        with gzip.open(vs.ROOT / "data" / vs.stories_file(lang), "rt", encoding="utf-8") as f:
            assert list(train) == f.read().splitlines()
        assert story_split.held_out_sets(lang)["stories (held out)"] == held
        assert not set(train) & set(held) and set(vs.ood_by_source(lang)["pratham"]) <= set(held)
    train, held = vs.story_halves("kn")
    assert len(train) > 1_000 and len(held) > 1_000 and not set(train) & set(held)
    assert {vs.training_half(vs.story_of(key)) for key, _ in vs.read_source("pratham-kn")} == {True, False}


def test_suffix_stage_cuts_words_before_the_ending_with_most_stems():
    """`suffixes k`: the ending that follows the most distinct stems (here त, after four) is cut off
    every word that has it, keeping the space with the stem and the punctuation with the ending; a
    word without a chosen ending stays whole."""
    docs = [("घरात शाळेत गावात रानात।", "घरात राम")]
    counts = generalise.suffix_counts(docs, get_pattern("akshara"), get_pattern("indic-words"), 1)
    assert counts == {"त": 4, "घरा": 2, " शाळे": 1, " गावा": 1, " राना": 1, "त।": 1, " राम": 1}
    e = generalise.experiment_named("suffixes 100")
    tok = generalise.train_experiment(small_docs(), generalise.recipe_for("hi", e), e, 800)
    assert len(tok.merges) == 800 - 257 and tok.decode(tok.encode("घरात राम")) == "घरात राम"


def test_sentences_cut_after_sentence_punctuation_only():
    docs = [("भारत एक देश है। यहाँ लोग रहते हैं॥ अंत", "डॉ. राम आए? हाँ! 3.5 किलो")]
    assert generalise.sentences(docs, keep_paragraphs=False) == (
        ("भारत एक देश है।", "यहाँ लोग रहते हैं॥", "अंत", "डॉ.", "राम आए?", "हाँ!", "3.5 किलो"),)
    both = generalise.sentences([("a. b",)], keep_paragraphs=True)
    assert both == (("a. b", "a.", "b"),)
    split = generalise.experiment_named("sentences")
    assert split.sentences == "split" and generalise.experiment_named("sentences+").sentences == "both"
    assert generalise.experiment_named("sentences+aksharas@0.05").sentences == "split"


def test_arabic_recipes_have_no_akshara_stage_and_train_as_the_library_does():
    today = generalise.experiment_named("today")
    assert generalise.recipe_for("ur", today).stages == RECIPES[LANGUAGES["ur"].recipe].stages
    assert [s.pattern for s in generalise.recipe_for("ur", generalise.experiment_named("phrases@1.0")).stages] \
        == ["arab-words"]
    with pytest.raises(SystemExit, match="no akshara stage"):
        generalise.recipe_for("ur", generalise.experiment_named("aksharas@0.05"))
    docs = [d for d in generalise.train_documents("ur")[:40]]
    lines = [x for d in docs for x in d]
    ours = generalise.train_experiment(docs, generalise.recipe_for("ur", today), today, 700)
    assert ours.merges == tokenizer.train(lines, 700, recipe=LANGUAGES["ur"].recipe, quiet=True).merges


def test_pmindia_is_the_matched_wat_dev_set_and_holds_out_nothing():
    """PMIndia's text comes from the WAT 2021 dev set, whose lines were matched to OPUS's PMIndia
    samples (not its test set, which could not be), and from the Assamese PMI set; it was added after
    the models were trained, so what a corpus shares with it leaves the set, not the training text."""
    hi = dict(vs.read_source("pmindia-hi"))
    assert hi["benchmarks/wat2021-devtest/dev.hi:3"] == "उन्होंने कहा कि इस कार्य को 2022 तक पूरा कर लेने का लक्ष्य है।"
    assert len(hi) == 1000
    for lang, paths in vs.PMINDIA_PATHS.items():
        assert lang == "as" or paths == (f"benchmarks/wat2021-devtest/dev.{lang}",)
        part = next(p for p in vs.SETS[lang] if p.label == "pmindia")
        assert not part.hold_out and not part.in_corpus
        assert len(vs.ood_by_source(lang)["pmindia"]) > 900
    built = vs.build_language("te")
    assert not any(n.startswith("pmindia:") for n in built.notes)
    assert built.excluded == set(vs.excluded("te")) == set()


def test_il_ner_sentences_are_rejoined_as_running_text():
    """IL-NER gives a token per line; the sets read the sentence as it was written: no space before
    closing punctuation (a danda, Urdu's full stop, a percent sign) or after an opening bracket, and
    Urdu's multiword token (صنعت_کار) written with its space, a hyphen between words or numbers
    joining them, and straight quotes around what they quote."""
    assert vs.detokenise(["भारत", "एक", "देश", "है", "।"]) == "भारत एक देश है।"
    assert vs.detokenise(["25", "%", "పెరిగాయి", "."]) == "25% పెరిగాయి."
    assert vs.detokenise(["(", "గిఫ్ట్", ")", "లో", ",", "ఉంది"]) == "(గిఫ్ట్) లో, ఉంది"
    assert vs.detokenise(["جس", "نے", "صنعت_کار", "کو", "۔"]) == "جس نے صنعت کار کو۔"
    assert vs.detokenise(["२", "-", "३", "दिन"]) == "२-३ दिन"
    assert vs.detokenise(["एक", "-", "दूसरे", "से", "-", "।"]) == "एक-दूसरे से -।"  # a dash before no word stays
    assert vs.detokenise(["उसने", "कहा", '"', "हाँ", '"', "और", '"', "ना", '"', "।"]) == 'उसने कहा "हाँ" और "ना"।'
    assert vs.detokenise(['"', "హలో", '"', ",", '"', "అని"]) == '"హలో", "అని'  # an unpaired quote opens
    assert vs.detokenise(["“", "హలో", "”", "అని"]) == "“హలో” అని"


def test_il_ner_is_the_snapshot_rejoined_and_holds_out_nothing():
    """IL-NER (CC BY 4.0) is read from its three files per language, a known sentence rejoined; it
    was added after the models were trained, so what a corpus shares with it leaves the set."""
    te = dict(vs.read_source("il-ner-te"))
    assert te["Datasets/Telugu/Telugu-train.txt:3"] == (
        "భారతదేశం 131 స్థానంలో ఉండగా, బంగ్లాదేశ్ 133 స్థానంలో, పాకిస్తాన్ 154 స్థానంలో ఉన్నాయి."
    )
    assert {key.split(":")[0] for key in te} == {f"Datasets/Telugu/Telugu-{s}.txt" for s in ("train", "dev", "test")}
    assert vs.SNAPSHOTS["il-ner"].licence == "CC BY 4.0"
    for lang in vs.IL_NER:
        part = next(p for p in vs.SETS[lang] if p.label == "il-ner")
        assert not part.hold_out and not part.in_corpus
        assert len(vs.ood_by_source(lang)["il-ner"]) > 1400
        assert not any(" ।" in line or " ۔" in line for line in vs.ood_by_source(lang)["il-ner"])
    built = vs.build_language("te")
    assert built.excluded == set(vs.excluded("te")) == set()


def test_the_cache_key_shows_later_fields_only_when_set():
    """Models trained before a field existed stay cached: a field added since VERSION 2 enters the
    key only when it is not its default."""
    plain = generalise._key_repr(generalise.experiment_named("sqrt"))
    assert plain.startswith("Experiment(name='sqrt', ") and not any(f in plain for f in generalise._LATER_FIELDS)
    assert plain == repr(generalise.experiment_named("sqrt")).replace(", count_words=False", "").replace(
        ", sentences='', stories=0, suffixes=0, respelled=None, measured_spellings=False, habit='', habit_share=0.0"
        ", seed='', rerank=False", "")
    measured = generalise._key_repr(generalise.experiment_named("respelled+ 0.05"))
    assert measured.endswith("respelled=0.05, measured_spellings=True)") and "stories" not in measured
    assert generalise._key_repr(generalise.experiment_named("respelled 0.05")).endswith("respelled=0.05)")
    assert generalise._key_repr(generalise.experiment_named("dandas 0.2")).endswith("habit='dandas', habit_share=0.2)")
    assert generalise._key_repr(generalise.experiment_named("seed-signs")).endswith("seed='signs')")
    assert generalise._key_repr(generalise.experiment_named("rerank")).endswith("rerank=True)")
    # a recipe enters the key without `seed` when it has none (Recipe.seed is newer than the cache)
    assert "seed" not in generalise._recipe_key(RECIPES["arab-curriculum"])
    assert generalise._recipe_key(RECIPES["arab-curriculum-signs"]).endswith(f"seed={RECIPES['arab-curriculum-signs'].seed!r})")


def test_a_check_file_is_measured_but_has_no_baseline_ratio(monkeypatch):
    """`bench.generalise --check FILE`: bytes/token of each experiment on text outside the sets (a
    second team's translation), as `evaluate` gives it; no ratio, since no baseline is trained on it."""
    tok = tokenizer.load("mni")
    lines = ["ইমেজ অসি অপলোদ তৌখ্রে।", "প্রোজেক্ত অমা শেম্বা ঙম্লে।"]
    monkeypatch.setattr(ood, "measure_ours", lambda tok, lang, per_source: {})
    row = generalise.result_row("mni", generalise.experiment_named("today"), tok, {}, None, {"horizon.txt": lines})
    assert row["check horizon.txt b/t"] == evaluate(tok, lines).bytes_per_token > 1
    assert "check horizon.txt ratio" not in row


def test_seed_characters_known_answers():
    """The seeds bench.generalise measures (docs/compression.md, "Whole characters"), and that the
    shipped recipes of Kashmiri and Sanskrit are the `signs` and `typography` seeds they were chosen as
    (Kashmiri's third release adds the letters of its alphabet its corpus never writes)."""
    assert generalise.seed_characters("hi", "none") == "" == generalise.seed_characters("hi", "")
    assert generalise.seed_characters("hi", "precomposed") == "\u0958\u0959\u095a\u095b\u095c\u095d\u095e\u095f"
    assert generalise.seed_characters("ta", "precomposed") == ""  # Tamil has no nukta letters
    assert generalise.seed_characters("sa", "typography") == RECIPES["deva-curriculum-typography"].seed
    signs = generalise.seed_characters("ks", "signs")
    assert signs == RECIPES["arab-curriculum-signs"].seed and "\u0652" in signs and "\u06f1" in signs
    assert RECIPES[LANGUAGES["ks"].recipe].seed == signs.replace(TYPOGRAPHY, KASHMIRI_LETTERS + TYPOGRAPHY)
    assert set(signs) < set(generalise.seed_characters("ks", "named"))
    block = generalise.seed_characters("hi", "block")
    assert "\u0905" in block and "\u0966" in block and set(generalise.seed_characters("hi", "named")) < set(block)


@pytest.mark.parametrize("lang", cross_source.multi_source_langs())
def test_a_left_out_source_never_trains_and_every_other_source_does(lang):
    sources = vs.ood_by_source(lang)
    for held, lines in sources.items():
        extra = cross_source.other_lines(lang, held)
        assert not set(extra) & set(lines)
        assert len(extra) == sum(len(v) for k, v in sources.items() if k != held)


def test_a_fold_weights_the_added_lines_for_ours_only(monkeypatch):
    """x1 and x3 train ours on the training split plus the other sources once and three times; the
    baseline reads the whole corpus plus them once; the ratios are on the left-out source."""
    lang, held = "as", "pratham"
    shipped = tokenizer.load(lang)
    trained_on: list[tuple[int, int]] = []
    baseline_lines: list[int] = []

    def fake_training(code, e, docs, vocab_size=tokenizer.VOCAB_CAP):
        trained_on.append((len(docs), sum(len(d) for d in docs)))
        return shipped, True

    def fake_hf(code, lines, pat, vocab_size):
        baseline_lines.append(len(lines))
        return to_hf(shipped)

    monkeypatch.setattr(generalise, "cached_training", fake_training)
    monkeypatch.setattr(ood, "hf_bpe", fake_hf)
    train = generalise.train_documents(lang)
    base = {s: measure_hf(to_hf(shipped), list(v)) for s, v in vs.ood_by_source(lang).items()}
    base["valid"] = measure_hf(to_hf(shipped), list(vs.corpus_lines(lang, "valid")))
    row = cross_source.fold(lang, held, shipped, base)
    added = len(vs.ood_by_source(lang)["pmindia"])
    assert row["added lines"] == added and row["lines"] == len(vs.ood_by_source(lang)[held])
    assert baseline_lines == [len(vs.corpus_lines(lang, "all")) + added]
    n_lines = sum(len(d) for d in train)
    assert [lines for _, lines in trained_on] == [n_lines + added, n_lines + 3 * added]
    # The same model on both sides: every ratio is 1
    assert row["today ratio"] == row["x1 ratio"] == row["x3 ratio"] == row["x3 valid ratio"] == 1.0


def test_ids_for_the_target_interpolates_in_log_ids():
    sizes = (5000, 6000, 8000)
    assert ids_needed.ids_for(1.07, sizes, (1.08, 1.09, 1.1)) == 5000.0
    assert ids_needed.ids_for(1.07, sizes, (1.05, 1.06, 1.065)) is None
    assert ids_needed.ids_for(1.07, sizes, (1.06, 1.08, 1.1)) == pytest.approx((5000 * 6000) ** 0.5)
    assert ids_needed.ids_for(1.07, sizes, (1.05, 1.06, 1.07)) == pytest.approx(8000)
