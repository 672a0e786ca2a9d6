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
    assert split(sentence) == ["भारत", " एक", " विशाल", " देश", " है", "।"]


def test_scripts_stay_apart():
    assert split("ChatGPTका") == ["ChatGPT", "का"]
    assert split("ಕನ್ನಡहिन्दी") == ["ಕನ್ನಡ", "हिन्दी"]
    assert split("नमस्तेПривет") == ["नमस्ते", "Привет"]


def test_digits_in_groups_of_three_in_every_script():
    assert split("१२३४५") == ["१२३", "४५"]
    assert split("೧೨೩೪") == ["೧೨೩", "೪"]
    assert split("12345") == ["123", "45"]
    assert split("सन् २०२४ में") == ["सन्", " ", "२०२", "४", " में"]


def test_danda_is_punctuation():
    assert split("है। था॥") == ["है", "।", " था", "॥"]
    assert split("है ।") == ["है", " ।"]


def test_english_like_gpt4():
    assert split("don't stop", "indic") == ["don", "'t", " stop"]
    assert split("x  = 1\n\n", "indic") == ["x", " ", " =", " ", "1", "\n\n"]


def test_marks_never_start_a_chunk():
    # a stray mark after a digit, a space or punctuation joins the chunk before it
    for s in ["5ा", " ा", "!ा", "ा", "👍\u200d"]:
        chunks = split(s)
        assert "".join(chunks) == s
        assert all(not unicodedata.category(c[0]).startswith("M") for c in chunks[1:])


@pytest.mark.parametrize("name", list(PATTERNS))
@given(text)
def test_lossless(name, s):
    assert "".join(split(s, name)) == s


@given(text)
def test_indic_never_cuts_an_akshara(s):
    """No chunk boundary falls before a mark, ZWJ or ZWNJ, or after a virama followed by a letter
    of the same script (a script change is a deliberate cut)."""
    chunks = split(s, "indic")
    pos = 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        if is_mid_akshara(s, pos):
            before, after = s[pos - 1], s[pos]
            # only allowed: virama followed by a letter of another script
            assert unicodedata.combining(before) == 9 and unicodedata.category(after).startswith("L")
            assert _script_block(before) != _script_block(after)


def _script_block(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split()[0]


def test_unknown_pattern():
    with pytest.raises(ValueError, match="unknown pattern 'nope'"):
        get_pattern("nope")
