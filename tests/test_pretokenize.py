"""Every rule of the Indic pre-split, on real words, beside what GPT-4's regex does to them."""

import unicodedata
from functools import lru_cache

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokenizer.metrics import is_mid_akshara
from tokenizer.pretokenize import PATTERNS, get_pattern, split

from .strategies import text

BRAHMIC_ALL = ["brahmic", "brahmic-words", "brahmic-phrases", "brahmic-akshara"]


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


@pytest.mark.parametrize("name", ["indic", "indic-words", "indic-phrases", "akshara", *BRAHMIC_ALL])
@given(s=text)
def test_indic_never_cuts_an_akshara(name, s):
    """No chunk boundary falls before a mark, ZWJ or ZWNJ, or after a virama followed by a letter
    of the same script (a script change is a deliberate cut)."""
    chunks = split(s, name)
    pos = 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        if is_mid_akshara(s, pos):
            assert _allowed_cut(s, pos, name)


def _allowed_cut(s: str, pos: int, name: str = "") -> bool:
    """A mid-akshara cut that a pattern may make on purpose: after a virama, before a letter whose
    script differs from the virama's base letter (scripts never share a chunk), or after a stray
    virama with no letter before it (no akshara to keep whole: "!्क" must be cut somewhere). The
    akshara stages also end an akshara at a virama they do not join through: `akshara` joins only
    through the Devanagari and Kannada viramas, `brahmic-akshara` only through the base letter's own
    script's virama, and not through Tamil's pulli."""
    from tokenizer.languages import SCRIPTS

    before, after = s[pos - 1], s[pos]
    if unicodedata.combining(before) != 9 or not unicodedata.category(after).startswith("L"):
        return False
    if name == "akshara" and before not in "\u094d\u0ccd":
        return True
    if name == "brahmic-akshara" and any(before in x.viramas and not x.conjuncts for x in SCRIPTS.values()):
        return True
    i = pos - 1
    while i >= 0 and (unicodedata.category(s[i])[0] == "M" or s[i] in "\u200c\u200d"):
        i -= 1
    base = s[i] if i >= 0 else ""
    stray = not base or not unicodedata.category(base).startswith("L")
    if not stray and name == "brahmic-akshara" and _script_block(before) != _script_block(base):
        return True  # another script's virama joins nothing: the akshara stage joins through the base's own
    return stray or _script_block(base) != _script_block(after)


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


# ----- the brahmic family: every script of the registry, rule by rule ------------------------------
BRAHMIC = ["brahmic", "brahmic-words", "brahmic-phrases"]
# Real words per script, each one chunk: conjuncts through the virama, nukta, candrabindu,
# anusvara, visarga, ZWJ/ZWNJ, and the script's special letters and signs.
WORDS_BY_SCRIPT = {
    "Devanagari": ["क्षत्रिय", "हिन्दी", "क़िला", "चाँद", "दुःख", "क्\u200dष", "महाराष्ट्र", "ॐ"],
    "Bengali": ["বাংলা", "রাষ্ট্র", "উৎসব", "আঁকা", "দুঃখ", "ড়", "ৰাজ্য", "গুৱাহাটী", "র\u200d্য"],
    "Gurmukhi": ["ਪੰਜਾਬੀ", "ਪੱਕਾ", "ਮੈਂ", "ਸ਼ਹਿਰ", "ਅੰਮ੍ਰਿਤਸਰ", "ਖ਼ਾਲਸਾ", "ੲਿਹ"],
    "Gujarati": ["ગુજરાતી", "રાષ્ટ્ર", "ક્ષત્રિય", "અંગ્રેજી", "દુઃખ", "ૐ"],
    "Oriya": ["ଓଡ଼ିଆ", "ରାଷ୍ଟ୍ର", "ଚାଁଦ", "ଦୁଃଖ", "ୱେବ"],
    "Tamil": ["தமிழ்", "அஃது", "இந்தியா", "க்ஷேத்திரம்", "ஸ்ரீ"],
    "Telugu": ["తెలుగు", "కృష్ణ", "రాష్ట్రం", "దుఃఖం", "క్\u200cష"],
    "Kannada": ["ಕನ್ನಡ", "ಕರ್ನಾಟಕ", "ಜ್ಞಾನ", "ಸ್\u200cಕ"],
    "Malayalam": ["മലയാളം", "അവൻ", "അവന്\u200d", "കേരളത്തിന്റെ", "ഭാഷയാണ്", "കാൽ", "ദുഃഖം", "ൎമ"],
    "Sinhala": ["සිංහල", "ශ්\u200dරී", "ලංකා", "දුඃඛ"],
    "Latin": ["don", "naïve", "Ångström"],
}


def _block(first: int, last: int) -> list[str]:
    return [chr(c) for c in range(first, last + 1) if unicodedata.category(chr(c)) != "Cn"]


BRAHMIC_ALPHABET = (
    _block(0x0900, 0x0DFF)  # Devanagari ... Sinhala
    + [w for ws in WORDS_BY_SCRIPT.values() for w in ws]
    + list("abc XYZ 1 ,.;!?()\"'\n\t") + ["\u200c", "\u200d", "  ", "👍", "٣", "Ж", "ก", "\u0301"]
)


@lru_cache(maxsize=8)
def _hf_pre_tokenizer(name: str):
    from tokenizers import Regex, pre_tokenizers

    from tokenizer.hf import onig_regex

    return pre_tokenizers.Split(Regex(onig_regex(get_pattern(name).regex)), behavior="isolated")


def _hf_split(name: str, s: str) -> list[str]:
    return [piece for piece, _ in _hf_pre_tokenizer(name).pre_tokenize_str(s)]


def test_every_script_of_the_table_has_real_words():
    from tokenizer.languages import LANGUAGES, SCRIPTS

    assert set(WORDS_BY_SCRIPT) == set(SCRIPTS)
    assert {lang.script for lang in LANGUAGES.values()} <= set(SCRIPTS)


@pytest.mark.parametrize("script, word", [(s, w) for s, ws in WORDS_BY_SCRIPT.items() for w in ws])
@pytest.mark.parametrize("name", BRAHMIC)
def test_brahmic_words_stay_whole(name, script, word):
    assert unicodedata.is_normalized("NFC", word)
    assert split(word, name) == [word]
    assert split(" " + word, name) == [" " + word]
    assert split(f"{word} {word}", name) == ([f"{word} {word}"] if name == "brahmic-phrases" else [word, f" {word}"])


def test_script_specific_letters_and_signs_are_inside_words():
    """Each special character of the script table stays inside its script's word runs; in the
    akshara stage a virama joins the next letter, a mark ends its akshara, a letter is one."""
    from tokenizer.languages import SCRIPTS

    for s in SCRIPTS.values():
        base = WORDS_BY_SCRIPT[s.name][0][0]
        for kind, chars in [("virama", s.viramas), ("mark", s.nukta + s.marks), ("letter", s.letters)]:
            for c in chars:
                word = base + c + base
                joined = [word] if s.conjuncts else [base + c, base]
                akshara = {"virama": joined, "mark": [base + c, base], "letter": [base, c, base]}[kind]
                assert split(word, "brahmic") == [word], (s.name, unicodedata.name(c))
                assert split(word, "brahmic-akshara") == akshara, (s.name, unicodedata.name(c))


def test_brahmic_akshara_joins_conjuncts_in_every_script():
    # Tamil's pulli marks a dead consonant (conjuncts=False in the script table): க் + ஷ, not க்ஷ
    assert split("க்ஷேத்திரம்", "brahmic-akshara") == ["க்", "ஷே", "த்", "தி", "ர", "ம்"]
    assert split("க்ஷேத்திரம்", "brahmic") == ["க்ஷேத்திரம்"]  # words keep it whole all the same
    assert split("രാഷ്ട്രം", "brahmic-akshara") == ["രാ", "ഷ്ട്രം"]
    assert split("অসমীয়া", "brahmic-akshara") == ["অ", "স", "মী", "য়া"]
    assert split("ਅੰਮ੍ਰਿਤਸਰ", "brahmic-akshara") == ["ਅੰ", "ਮ੍ਰਿ", "ਤ", "ਸ", "ਰ"]
    assert split("ශ්\u200dරී ලංකා", "brahmic-akshara") == ["ශ්\u200dරී", " ", "ලං", "කා"]
    assert split("అవన్\u200dഅ", "brahmic-akshara") == ["అ", "వ", "న్\u200d", "അ"]  # no conjunct across scripts
    # the indic family knows only the Devanagari and Kannada viramas: it cuts other conjuncts
    assert split("ক্ষ", "akshara") == ["ক্", "ষ"]
    assert split("ক্ষ", "brahmic-akshara") == ["ক্ষ"]


def test_brahmic_keeps_every_pair_of_scripts_apart():
    from tokenizer.languages import SCRIPTS

    for a in SCRIPTS:
        for b in SCRIPTS:
            if a != b:
                wa, wb = WORDS_BY_SCRIPT[a][0], WORDS_BY_SCRIPT[b][0]
                for name in BRAHMIC:
                    assert split(wa + wb, name) == [wa, wb], (a, b, name)
                assert split(f"{wa} {wb}", "brahmic-phrases") == [wa, f" {wb}"]
    # the frozen indic family puts every script but Devanagari, Kannada and Latin in one run
    assert split("தமிழ்മലയാളം", "indic") == ["தமிழ்മലയാളം"]
    assert split("தமிழ்മലയാളം", "brahmic") == ["தமிழ்", "മലയാളം"]


def test_brahmic_mixed_sentence():
    s = "ChatGPT দিয়ে বাংলা লেখা, तथा ਪੰਜਾਬੀ ਵੀ; 2024-এ ১২৩৪ জন।"
    assert split(s, "brahmic-words") == [
        "ChatGPT", " দিয়ে", " বাংলা", " লেখা,", " तथा", " ਪੰਜਾਬੀ", " ਵੀ;", " 202", "4", "-", "এ",
        " ১২৩", "৪", " জন।",
    ]  # fmt: skip


@pytest.mark.parametrize("script", ["Devanagari", "Bengali", "Gurmukhi", "Gujarati", "Oriya", "Tamil",
                                    "Telugu", "Kannada", "Malayalam", "Sinhala"])  # fmt: skip
def test_brahmic_digits_per_script(script):
    from tokenizer.languages import SCRIPTS

    d = SCRIPTS[script].digits
    assert len(d) == 10 and all(unicodedata.digit(c) == i for i, c in enumerate(d))
    assert split(d[1:6], "brahmic") == [d[1:4], d[4:6]]
    assert split(" " + d[:3], "brahmic-words") == [" " + d[:3]]
    mark = (SCRIPTS[script].marks or SCRIPTS[script].viramas)[0]
    assert split(d[:2] + mark + "x", "brahmic") == [d[:2] + mark, "x"]  # a mark after a digit stays with it


def test_brahmic_dandas():
    assert split("ਹੈ। ਸੀ॥", "brahmic-words") == ["ਹੈ।", " ਸੀ॥"]
    assert split("ଭାଷା।", "brahmic-words") == ["ଭାଷା।"]
    assert split("ලංකා෴", "brahmic-words") == ["ලංකා෴"]  # Sinhala kunddaliya, from the script table
    assert split("ලංකා෴", "indic-words") == ["ලංකා", "෴"]
    assert split("আছে।", "brahmic") == ["আছে", "।"]  # the core pattern keeps punctuation apart


@pytest.mark.parametrize("name", ["brahmic", "brahmic-words", "brahmic-phrases"])
@given(s=st.lists(st.sampled_from(BRAHMIC_ALPHABET), max_size=30).map("".join))
def test_brahmic_hf_presplit_parity(name, s):
    """Oniguruma (HF `tokenizers`) cuts every script exactly as Python's regex does."""
    assert _hf_split(name, s) == split(s, name)


@pytest.mark.parametrize("name", ["brahmic", "brahmic-words", "brahmic-phrases", "brahmic-akshara"])
@given(s=st.lists(st.sampled_from(BRAHMIC_ALPHABET), max_size=30).map("".join))
def test_brahmic_never_cuts_an_akshara(name, s):
    """No boundary before a mark/ZWJ/ZWNJ, and none after a virama followed by a letter of the same
    script unless that virama has nothing before it to belong to."""
    chunks = split(s, name)
    assert "".join(chunks) == s
    pos = 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        if is_mid_akshara(s, pos):
            assert _allowed_cut(s, pos, name)


def test_mid_akshara_knows_every_virama():
    from tokenizer.languages import SCRIPTS

    for s in SCRIPTS.values():
        for v in s.viramas:
            word = WORDS_BY_SCRIPT[s.name][0]
            text = word[0] + v + word[0]
            assert is_mid_akshara(text, 2), unicodedata.name(v)  # after the virama, before a letter
            assert is_mid_akshara(text, 1)  # before the virama (a mark)
            assert not is_mid_akshara(text + " " + word, 4)  # before the space

