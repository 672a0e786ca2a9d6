"""Every rule of the Indic pre-split, on real words, beside what GPT-4's regex does to them."""

import unicodedata

import pytest
from hypothesis import given

from tokenizer.metrics import is_mid_akshara
from tokenizer.pretokenize import PATTERNS, get_pattern, split

from .strategies import text


@pytest.mark.parametrize(
    "word, gpt4",
    [
        ("विशाल", ["व", "िश", "ाल"]),
        ("क्षत्रिय", ["क", "्षत", "्र", "िय"]),
        ("स्थित", ["स", "्थ", "ित"]),
        ("हिन्दी", ["ह", "िन", "्द", "ी"]),
        ("क़", ["क", "़"]),  # nukta, decomposed as NFC keeps it
        ("ಕನ್ನಡ", ["ಕನ", "್ನಡ"]),
        ("ಕರ್ನಾಟಕ", ["ಕರ", "್ನ", "ಾಟಕ"]),
        ("क्\u200dष", ["क", "्\u200d", "ष"]),  # ZWJ: half form
        ("क्\u200cष", ["क", "्\u200c", "ष"]),  # ZWNJ: explicit virama
        ("ಸ್\u200cಕ", ["ಸ", "್\u200c", "ಕ"]),
    ],
)
def test_aksharas_stay_whole(word, gpt4):
    assert split(word, "gpt4") == gpt4  # the problem: GPT-4 cuts at every mark
    assert split(word, "indic") == [word]
    assert split(" " + word, "indic") == [" " + word]


def test_sentence_keeps_every_word():
    sentence = "भारत एक विशाल देश है।"
    assert split(sentence, "indic") == ["भारत", " एक", " विशाल", " देश", " है", "।"]


def test_scripts_stay_apart():
    assert split("ChatGPTका", "indic") == ["ChatGPT", "का"]
    assert split("ಕನ್ನಡहिन्दी", "indic") == ["ಕನ್ನಡ", "हिन्दी"]
    assert split("नमस्तेПривет", "indic") == ["नमस्ते", "Привет"]


def test_digits_in_groups_of_three_in_every_script():
    assert split("१२३४५", "indic") == ["१२३", "४५"]
    assert split("೧೨೩೪", "indic") == ["೧೨೩", "೪"]
    assert split("12345", "indic") == ["123", "45"]
    assert split("सन् २०२४ में", "indic") == ["सन्", " ", "२०२", "४", " में"]


def test_danda_is_punctuation():
    assert split("है। था॥", "indic") == ["है", "।", " था", "॥"]
    assert split("है ।", "indic") == ["है", " ।"]


def test_english_like_gpt4():
    assert split("don't stop", "indic") == ["don", "'t", " stop"]
    assert split("x  = 1\n\n", "indic") == ["x", " ", " =", " ", "1", "\n\n"]


def test_marks_never_start_a_chunk():
    # a stray mark after a digit, a space or punctuation joins the chunk before it
    for s in ["5ा", " ा", "!ा", "ा", "👍\u200d"]:
        chunks = split(s, "indic")
        assert "".join(chunks) == s
        assert all(not unicodedata.category(c[0]).startswith("M") for c in chunks[1:])


@pytest.mark.parametrize("name", list(PATTERNS))
@given(text)
def test_lossless(name, s):
    assert "".join(split(s, name)) == s


@pytest.mark.parametrize("name", ["indic", "indic-words", "indic-phrases", "akshara"])
@given(s=text)
def test_indic_never_cuts_an_akshara(name, s):
    """No chunk boundary falls before a mark, ZWJ or ZWNJ, or after a virama followed by a letter
    of the same script (a script change is a deliberate cut)."""
    chunks = split(s, name)
    pos = 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        if is_mid_akshara(s, pos):
            before, after = s[pos - 1], s[pos]
            # only allowed: a virama followed by a letter of another script, or a stray virama
            # with no letter before it (no akshara to keep whole: "!्क" must be cut somewhere)
            assert unicodedata.combining(before) == 9 and unicodedata.category(after).startswith("L")
            base = s[pos - 2] if pos >= 2 else ""
            stray = not base or not unicodedata.category(base)[0] in "LM"
            assert stray or _script_block(before) != _script_block(after)


def _script_block(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split()[0]


def test_unknown_pattern():
    with pytest.raises(ValueError, match="unknown pattern 'nope'"):
        get_pattern("nope")


def test_words_pattern_keeps_punctuation_with_its_word():
    s = "भारत एक विशाल देश है। (ಕನ್ನಡ) 1947 में, \"उद्धरण\""
    assert split(s, "indic-words") == [
        "भारत", " एक", " विशाल", " देश", " है।", " (ಕನ್ನಡ)", " 194", "7", " में,", ' "उद्धरण"'
    ]


def test_phrases_join_same_script_words_only():
    s = "भारत एक विशाल देश है। के लिए ChatGPT से पूछा ಕನ್ನಡ ನಾಡು"
    assert split(s, "indic-phrases") == [
        "भारत एक विशाल देश है।", " के लिए", " ChatGPT", " से पूछा", " ಕನ್ನಡ ನಾಡು"
    ]
    assert split("दो  शब्द", "indic-phrases") == ["दो", " ", " शब्द"]  # two spaces end a phrase


def test_akshara_pattern_cuts_between_aksharas():
    assert split("क्षत्रिय", "akshara") == ["क्ष", "त्रि", "य"]
    assert split("हिन्दी क्\u200dष", "akshara") == ["हि", "न्दी", " ", "क्\u200dष"]
    assert split("ಕನ್ನಡ", "akshara") == ["ಕ", "ನ್ನ", "ಡ"]
    assert split("a😀\n", "akshara") == ["a", "😀", "\n"]
