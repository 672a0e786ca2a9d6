"""Every rule of the Indic pre-split, on real words, beside what GPT-4's regex does to them."""

import unicodedata
from functools import lru_cache

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from tokenizer.metrics import is_mid_akshara
from tokenizer.pretokenize import PATTERNS, get_pattern, split
from tokenizer.registry import FAMILIES, SCRIPTS

from .strategies import SCRIPT_CHARS, text

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


OURS = [name for name, p in PATTERNS.items() if p.spec.family != "gpt"]


@pytest.mark.parametrize("name", OURS)
@given(s=text)
def test_ours_never_cut_an_akshara(name, s):
    """No chunk boundary falls before a mark, ZWJ or ZWNJ, or after a virama followed by a letter
    of the same script (a script change is a deliberate cut)."""
    chunks = split(s, name)
    pos = 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        if is_mid_akshara(s, pos):
            assert _allowed_cut(s, pos, name)


def _allowed_cut(s: str, pos: int, name: str) -> bool:
    """A mid-akshara cut that a pattern may make on purpose: after a virama (or virama + ZWJ), before
    a letter whose script differs from the virama's base letter (scripts never share a chunk), or
    after a stray virama with no letter before it (no akshara to keep whole: "!्क" must be cut
    somewhere). The akshara stages also end an akshara at a virama they do not join through: a
    family joins only its `conjunct_scripts` (and `zwj_scripts` after virama + ZWJ), through the
    base letter's own script's virama; the frozen `akshara` joins through the Devanagari and Kannada
    viramas only."""
    after = s[pos]
    if not unicodedata.category(after).startswith("L"):
        return False
    v = pos - 1
    zwj = s[v] == "\u200d"
    v -= zwj
    if v < 0 or unicodedata.combining(s[v]) != 9:
        return False
    virama = s[v]
    i = v - 1
    while i >= 0 and (unicodedata.category(s[i])[0] == "M" or s[i] in "\u200c\u200d"):
        i -= 1
    base = s[i] if i >= 0 else ""
    if not base or not unicodedata.category(base).startswith("L") or _script_block(base) != _script_block(after):
        return True
    spec = PATTERNS[name].spec
    if spec.kind != "akshara":
        return False
    if name == "akshara":
        return virama not in "\u094d\u0ccd"
    family = FAMILIES[spec.family]
    script = next((x.name for x in SCRIPTS.values() if virama in x.viramas), None)
    joined = script in family.conjunct_scripts or (zwj and script in family.zwj_scripts)
    return not joined or _script_block(virama) != _script_block(base)


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


# ----- the families: every script of the registry, rule by rule ------------------------------------
BRAHMIC = ["brahmic", "brahmic-words", "brahmic-phrases"]
WORD_KINDS = ("core", "words", "phrases")
# Real words per script, each one chunk: conjuncts through the virama, nukta, candrabindu,
# anusvara, visarga, ZWJ/ZWNJ, and the script's special letters and signs.
WORDS_BY_SCRIPT = {
    "Devanagari": ["क्षत्रिय", "हिन्दी", "क़िला", "चाँद", "दुःख", "क्\u200dष", "महाराष्ट्र", "ॐ",
                   # Sanskrit: avagraha, visarga, candrabindu, Vedic accents (udatta ॑, anudatta ॒)
                   "नमोऽस्तु", "सोऽपि", "पुनः", "ह्रीँ", "अ॒ग्निमी॑ळे", "दे॒वमृ॒त्विज॑म्"],
    # Bengali and Assamese; Manipuri (the same script record): ৱ, khanda ta, ্ৱ, an explicit virama (ZWNJ)
    "Bengali": ["বাংলা", "রাষ্ট্র", "উৎসব", "আঁকা", "দুঃখ", "ড়", "ৰাজ্য", "গুৱাহাটী", "র\u200d্য",
                "ৱাখল্লোন", "নৎত্রগা", "দার্ৱিন", "লোল্\u200cগী", "মণিপুরগী"],
    "Gurmukhi": ["ਪੰਜਾਬੀ", "ਪੱਕਾ", "ਮੈਂ", "ਸ਼ਹਿਰ", "ਅੰਮ੍ਰਿਤਸਰ", "ਖ਼ਾਲਸਾ", "ੲਿਹ"],
    "Gujarati": ["ગુજરાતી", "રાષ્ટ્ર", "ક્ષત્રિય", "અંગ્રેજી", "દુઃખ", "ૐ"],
    "Oriya": ["ଓଡ଼ିଆ", "ରାଷ୍ଟ୍ର", "ଚାଁଦ", "ଦୁଃଖ", "ୱେବ"],
    "Tamil": ["தமிழ்", "அஃது", "இந்தியா", "க்ஷேத்திரம்", "ஸ்ரீ"],
    "Telugu": ["తెలుగు", "కృష్ణ", "రాష్ట్రం", "దుఃఖం", "క్\u200cష"],
    "Kannada": ["ಕನ್ನಡ", "ಕರ್ನಾಟಕ", "ಜ್ಞಾನ", "ಸ್\u200cಕ"],
    "Malayalam": ["മലയാളം", "അവൻ", "അവന്\u200d", "കേരളത്തിന്റെ", "ഭാഷയാണ്", "കാൽ", "ദുഃഖം", "ൎമ"],
    # Sinhala: yansaya, rakaransaya, repaya and touching letters with ZWJ (after the al-lakuna, or before
    # it as SLS 1134 spells touching letters, or both), al-lakuna + ZWNJ, a bare al-lakuna
    "Sinhala": ["සිංහල", "ශ්\u200dරී", "ලංකා", "දුඃඛ", "රාජ්\u200dය", "විද්\u200dයාව", "ප්\u200dරධාන", "කාර්\u200dයය",
                "භික්\u200dෂූන්", "ක\u200d්ෂ", "ප\u200d්\u200dරතිකාර", "ස්\u200cථාන", "ලක්ෂණ"],
    # Urdu, Sindhi, Kashmiri: harakat and shadda, tatweel, ZWNJ inside a word, their own letters; real words
    # of the embedded corpora
    "Arabic": ["پاکستان", "اُردُو", "بَچّہ", "مـحـمـد", "ٹیلی\u200cفون", "سنڌي", "ڪشمير", "ڳالهه", "ہے", "گئے",
               "ڈاکٹر", "بڑا", "میں", "بھی", "اعلیٰ", "الَّذِينَ", "گفت\u200cوگو", "ساتهـ",  # Urdu
               "ڪري", "ٻولي", "ٿيو", "سڀ", "ڏينهن", "ڊاڪٽر", "ننڍي", "وڃي", "ڇڏيو", "ڳوٺ", "اهڙي", "ماڻهو",
               "ڦل", "ڄاڻ", "چڱو", "جـي", "۾", "۽",  # Sindhi, its word signs ۾ ("in") and ۽ ("and")
               "کٲشُر", "ٲس", "کھۄتہٕ", "سۭتۍ", "تہٕ", "منٛز", "کوٚر", "کٔر", "تبدیٖل", "لوٗکن"],  # Kashmiri
    "Latin": ["don", "naïve", "Ångström"],
}


ALPHABET = (
    [c for chars in SCRIPT_CHARS.values() for c in chars]  # every registry script, its shared marks and signs
    + [w for ws in WORDS_BY_SCRIPT.values() for w in ws]
    + list("abc XYZ 1 ,.;!?()\"'\n\t،؛؟۔") + ["\u200c", "\u200d", "  ", "👍", "Ж", "ก", "\u0301", "\u0640"]
    + list(SCRIPTS["Devanagari"].word_letters)
)


def _patterns_of(script: str) -> list[str]:
    """The word patterns that keep `script` apart: its own family's, and brahmic's if it is one of them."""
    own = [FAMILIES[SCRIPTS[script].family].pattern(k) for k in WORD_KINDS] if script != "Latin" else []
    return own + (BRAHMIC if script in FAMILIES["brahmic"].scripts else [])


@lru_cache(maxsize=64)
def _hf_pre_tokenizer(name: str):
    from tokenizers import Regex, pre_tokenizers

    from tokenizer.hf import onig_regex

    return pre_tokenizers.Split(Regex(onig_regex(get_pattern(name).regex)), behavior="isolated")


def _hf_split(name: str, s: str) -> list[str]:
    return [piece for piece, _ in _hf_pre_tokenizer(name).pre_tokenize_str(s)]


def test_every_script_of_the_table_has_real_words():
    from tokenizer.registry import LANGUAGES

    assert set(WORDS_BY_SCRIPT) == set(SCRIPTS)
    assert {lang.script for lang in LANGUAGES.values()} <= set(SCRIPTS)


@pytest.mark.parametrize("script, word, name", [(s, w, n) for s, ws in WORDS_BY_SCRIPT.items() for w in ws
                                                for n in _patterns_of(s)])  # fmt: skip
def test_words_stay_whole(script, word, name):
    assert unicodedata.is_normalized("NFC", word)
    assert split(word, name) == [word]
    assert split(" " + word, name) == [" " + word]
    phrases = PATTERNS[name].spec.kind == "phrases"
    assert split(f"{word} {word}", name) == ([f"{word} {word}"] if phrases else [word, f" {word}"])


def test_script_specific_letters_and_signs_are_inside_words():
    """Each special character of the script table stays inside its script's word runs; in the
    akshara stage a virama joins the next letter where the family joins that script's conjuncts, a
    mark ends its akshara, a letter is one."""
    for s in SCRIPTS.values():
        base = WORDS_BY_SCRIPT[s.name][0][0]
        families = [s.family] * (s.name != "Latin") + ["brahmic"] * (s.name in FAMILIES["brahmic"].scripts)
        for f in map(FAMILIES.get, families):
            for kind, chars in [("virama", s.viramas), ("mark", s.nukta + s.marks), ("letter", s.letters)]:
                for c in chars:
                    word = base + c + base
                    joined = [word] if s.name in f.conjunct_scripts else [base + c, base]
                    akshara = {"virama": joined, "mark": [base + c, base], "letter": [base, c, base]}[kind]
                    assert split(word, f.pattern("core")) == [word], (f.name, unicodedata.name(c))
                    assert split(word, f.pattern("akshara")) == akshara, (f.name, unicodedata.name(c))


def test_akshara_stages_join_conjuncts_by_script():
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
    # Sinhala's own family: al-lakuna + ZWJ joins (yansaya, repaya, touching letters), a bare one does not
    assert split("ශ්\u200dරී", "sinh-akshara") == ["ශ්\u200dරී"]
    assert split("ක්\u200dෂ", "sinh-akshara") == ["ක්\u200dෂ"]
    assert split("ක්ෂ", "sinh-akshara") == ["ක්", "ෂ"]
    assert split("ශ්\u200dරී ලංකා", "sinh-words") == ["ශ්\u200dරී", " ලංකා"]
    assert split("රාජ්\u200dය", "sinh-akshara") == ["රා", "ජ්\u200dය"]  # yansaya
    assert split("ප්\u200dරධාන", "sinh-akshara") == ["ප්\u200dර", "ධා", "න"]  # rakaransaya
    assert split("කාර්\u200dයය", "sinh-akshara") == ["කා", "ර්\u200dය", "ය"]  # repaya
    assert split("ක\u200d්ෂ", "sinh-akshara") == ["ක\u200d්ෂ"]  # touching letters, ZWJ before the al-lakuna
    assert split("ප\u200d්\u200dරතිකාර", "sinh-akshara") == ["ප\u200d්\u200dර", "ති", "කා", "ර"]
    assert split("ස්\u200cථාන", "sinh-akshara") == ["ස්\u200c", "ථා", "න"]  # al-lakuna + ZWNJ: shown
    assert split("ලක්ෂණ", "sinh-akshara") == ["ල", "ක්", "ෂ", "ණ"]  # a bare al-lakuna ends the syllable
    assert split("ලක්ෂණ", "brahmic-akshara") == ["ල", "ක්ෂ", "ණ"]  # the frozen brahmic family joins it
    # Arabic: a letter with its harakat is one akshara; tatweel is a letter of the word
    assert split("بَچّہ", "arab-akshara") == ["بَ", "چّ", "ہ"]
    assert split("مـحـمـد", "arab-akshara") == list("مـحـمـد")  # tatweel is a letter: an akshara stage unit


def test_brahmic_keeps_every_pair_of_its_scripts_apart():
    for a in FAMILIES["brahmic"].scripts:
        for b in FAMILIES["brahmic"].scripts:
            if a != b:
                wa, wb = WORDS_BY_SCRIPT[a][0], WORDS_BY_SCRIPT[b][0]
                for name in BRAHMIC:
                    assert split(wa + wb, name) == [wa, wb], (a, b, name)
                assert split(f"{wa} {wb}", "brahmic-phrases") == [wa, f" {wb}"]
    # the frozen indic family puts every script but Devanagari, Kannada and Latin in one run
    assert split("தமிழ்മലയാളം", "indic") == ["தமிழ்മലയാളം"]
    assert split("தமிழ்മലയാളം", "brahmic") == ["தமிழ்", "മലയാളം"]


def test_a_script_family_keeps_its_script_apart_from_every_other():
    for a in SCRIPTS.values():
        if a.name == "Latin":
            continue
        f = FAMILIES[a.family]
        for b in SCRIPTS:
            if b != a.name:
                wa, wb = WORDS_BY_SCRIPT[a.name][0], WORDS_BY_SCRIPT[b][0]
                for kind in WORD_KINDS:
                    assert split(wa + wb, f.pattern(kind)) == [wa, wb], (a.name, b, kind)
                    assert split(wb + wa, f.pattern(kind)) == [wb, wa], (a.name, b, kind)


def test_brahmic_mixed_sentence():
    s = "ChatGPT দিয়ে বাংলা লেখা, तथा ਪੰਜਾਬੀ ਵੀ; 2024-এ ১২৩৪ জন।"
    assert split(s, "brahmic-words") == [
        "ChatGPT", " দিয়ে", " বাংলা", " লেখা,", " तथा", " ਪੰਜਾਬੀ", " ਵੀ;", " 202", "4", "-", "এ",
        " ১২৩", "৪", " জন।",
    ]  # fmt: skip


@pytest.mark.parametrize("family", [f for f in FAMILIES.values() if f.dotted_numbers])
def test_dotted_numbers(family):
    """In a script family's -words and -phrases patterns a number keeps one dotted part of up to three
    digits (a verse number, a decimal); a dot that ends a sentence stays punctuation."""
    for kind in ("words", "phrases"):
        name = family.pattern(kind)
        assert split("2.47 ३.१४१५ 1.5.", name) == ["2.47", " ३.१४१", "५", " 1.5", "."]
        assert split("1947. 12", name) == ["194", "7", ".", " 12"]
    assert not FAMILIES["brahmic"].dotted_numbers and not FAMILIES["indic"].dotted_numbers  # frozen


@pytest.mark.parametrize("script", [s for s in SCRIPTS if SCRIPTS[s].digits])
def test_digits_per_script(script):
    f = FAMILIES[SCRIPTS[script].family]
    digits = SCRIPTS[script].digits
    assert len(digits) % 10 == 0
    for d in (digits[k : k + 10] for k in range(0, len(digits), 10)):  # Arabic has two sets
        assert all(unicodedata.digit(c) == i for i, c in enumerate(d))
        for core, words in [(f.pattern("core"), f.pattern("words"))] + [("brahmic", "brahmic-words")] * (
            script in FAMILIES["brahmic"].scripts
        ):
            assert split(d[1:6], core) == [d[1:4], d[4:6]]
            assert split(" " + d[:3], words) == [" " + d[:3]]
            mark = (SCRIPTS[script].marks or SCRIPTS[script].viramas)[0]
            assert split(d[:2] + mark + "x", core) == [d[:2] + mark, "x"]  # a mark after a digit stays with it


def test_sentence_punctuation_closes_words():
    assert split("ਹੈ। ਸੀ॥", "brahmic-words") == ["ਹੈ।", " ਸੀ॥"]
    assert split("ଭାଷା।", "brahmic-words") == ["ଭାଷା।"]
    assert split("ලංකා෴", "brahmic-words") == ["ලංකා෴"]  # Sinhala kunddaliya, from the script table
    assert split("ලංකා෴", "indic-words") == ["ලංකා", "෴"]
    assert split("আছে।", "brahmic") == ["আছে", "।"]  # the core pattern keeps punctuation apart
    # Urdu's full stop, comma, semicolon and question mark close a word like a danda
    assert split("یہ کتاب ہے۔ کیا، کیوں؛ کب؟", "arab-words") == ["یہ", " کتاب", " ہے۔", " کیا،", " کیوں؛", " کب؟"]
    assert split("یہ کتاب ہے۔", "arab-phrases") == ["یہ کتاب ہے۔"]
    assert split("ہے۔", "arab") == ["ہے", "۔"]


def test_sindhi_word_signs_are_words():
    """Sindhi writes "in" and "and" as one sign each (۾ ۽, category So, not letters): in the Arabic
    family they are words of the script, so phrases run through them; the frozen brahmic family (which
    knows no Arabic) treats them as symbols."""
    assert split("سنڌي ٻولي سنڌ ۾ ڳالهائي ويندي آهي.", "arab-words") == [
        "سنڌي", " ٻولي", " سنڌ", " ۾", " ڳالهائي", " ويندي", " آهي."
    ]
    assert split("سنڌي ٻولي سنڌ ۾ ڳالهائي ويندي آهي.", "arab-phrases") == ["سنڌي ٻولي سنڌ ۾ ڳالهائي ويندي آهي."]
    assert split("ڪراچي ۽ حيدرآباد", "arab-phrases") == ["ڪراچي ۽ حيدرآباد"]
    assert split("ڪراچي ۽ حيدرآباد", "brahmic-phrases") == ["ڪراچي", " ۽", " حيدرآباد"]
    assert split("۾ڪ", "arab") == ["۾ڪ"] and split("x۾", "arab") == ["x", "۾"]


def test_arabic_script_rules():
    """Urdu, Sindhi and Kashmiri words: harakat (U+064B-U+065F, U+0670) and tatweel stay in the word,
    ZWNJ inside a word is kept, Arabic-Indic and Extended Arabic-Indic digits group like others."""
    for mark in map(chr, [*range(0x064B, 0x0660), 0x0670]):
        assert split(f"ب{mark}ب", "arab") == [f"ب{mark}ب"], unicodedata.name(mark)
    assert split("مـحـمـد", "arab-words") == ["مـحـمـد"]
    assert split("ٹیلی\u200cفون", "arab-words") == ["ٹیلی\u200cفون"]
    assert split("سال ٢٠٢٤ اور ۱۹۴۷", "arab-words") == ["سال", " ٢٠٢", "٤", " اور", " ۱۹۴", "۷"]
    assert split("Pakistan پاکستان", "arab-words") == ["Pakistan", " پاکستان"]
    # a word of another script inside Urdu text is its own run
    assert split("اردوहिन्दी", "arab") == ["اردو", "हिन्दी"]
    # Urdu with both digit sets and its punctuation, as people write it
    assert split("۲۰۲۴ میں ۱۲۳ لوگ آئے (2024: 123)۔", "arab-words") == [
        "۲۰۲", "۴", " میں", " ۱۲۳", " لوگ", " آئے", " (", "202", "4", ":", " 123", ")۔"
    ]
    # Kashmiri vowel signs (hamza below ٕ, small v ٚ ٛ) and letters (ٲ ۄ ؠ ۍ) stay inside the word, in every stage
    for word in ["تہٕ", "منٛز", "کوٚر", "کھۄتہٕ", "سۭتۍ", "ہِندوستٲنؠ"]:
        assert split(f" {word}،", "arab-words") == [f" {word}،"]
        assert "".join(split(word, "arab-akshara")) == word
    assert split("تہٕ", "arab-akshara") == ["ت", "ہٕ"]  # a letter with its marks is one akshara


def test_sanskrit_rules():
    """Avagraha is a letter of its word, dandas close it, Vedic accents (marks) and signs (letters of
    the Common script) stay inside the akshara in the Devanagari family."""
    assert split("सोऽहम्", "deva") == ["सोऽहम्"]
    assert split("धर्मक्षेत्रे कुरुक्षेत्रे।", "deva-words") == ["धर्मक्षेत्रे", " कुरुक्षेत्रे।"]
    assert split("इति॥", "deva-words") == ["इति॥"]
    # udatta, anudatta, grave and acute accents (U+0951-U+0954); Vedic tone marks (U+1CD0-U+1CFF)
    for accent in ["\u0951", "\u0952", "\u0953", "\u0954", "\u1cd0", "\u1cda", "\u1ce1", "\u1cf8"]:
        assert split(f"अ{accent}ग्निम्", "deva") == [f"अ{accent}ग्निम्"], unicodedata.name(accent)
        assert split(f"अ{accent}ग्निम्", "deva-akshara")[0] == f"अ{accent}"
    for sign in SCRIPTS["Devanagari"].word_letters:  # jihvamuliya, upadhmaniya, Vedic anusvaras
        assert split(f"क{sign}क", "deva") == [f"क{sign}क"], unicodedata.name(sign)
    # avagraha is a letter: an akshara of its own, inside the word
    assert split("नमोऽस्तु", "deva-akshara") == ["न", "मो", "ऽ", "स्तु"]
    # verse ends: two single dandas (as the Sanskrit corpus writes them) or a double danda close the word;
    # the verse number (chapter.verse) is one number in the script families, three chunks in brahmic
    assert split("पतन्ति नरकावटे।। ११०.१२२ ।।", "deva-words") == ["पतन्ति", " नरकावटे।।", " ११०.१२२", " ।।"]
    assert split("पतन्ति नरकावटे।। ११०.१२२ ।।", "brahmic-words") == [
        "पतन्ति", " नरकावटे।।", " ११०", ".", "१२२", " ।।"
    ]
    assert split("पतन्ति नरकावटे।। ११०.१२२", "deva-phrases") == ["पतन्ति नरकावटे।।", " ११०.१२२"]
    assert split("इति॥ २.४७", "deva") == ["इति", "॥", " ", "२", ".", "४७"]  # the core pattern: no dotted numbers
    # a Rigveda line with its accents is one phrase, every accent inside its akshara
    line = "अ॒ग्निमी॑ळे पु॒रोहि॑तं य॒ज्ञस्य॑ दे॒वमृ॒त्विज॑म्।"
    assert split(line, "deva-phrases") == [line]
    assert split("अ॒ग्निमी॑ळे", "deva-akshara") == ["अ॒", "ग्नि", "मी॑", "ळे"]
    assert split("ओं᳚ नमः", "deva-akshara")[0] == "ओं᳚"  # a Vedic tone mark (U+1CDA) after the anusvara


def test_a_new_script_is_one_row(monkeypatch):
    """Nothing blocks a script outside the registry: Santali's Ol Chiki (an alphabet without virama, no
    open corpus yet) is one Script row, and the one builder gives its family's patterns, which split
    alike in Python's regex and Oniguruma."""
    from tokenizer.hf import onig_regex
    from tokenizer.pretokenize import akshara_pattern, build_regex
    from tokenizer.registry import Script, _family_specs, curriculum, script_family

    row = Script("Ol_Chiki", "Olck", "Ol Chiki", '"Noto Sans Ol Chiki"', aksharas=0.0,
                 digits="᱐᱑᱒᱓᱔᱕᱖᱗᱘᱙", punctuation="᱾᱿")  # fmt: skip
    monkeypatch.setitem(SCRIPTS, row.name, row)
    family = script_family(row)
    monkeypatch.setitem(FAMILIES, family.name, family)
    specs = {spec.kind: spec for spec in _family_specs(family)}
    text = "ᱥᱟᱱᱛᱟᱲᱤ ᱯᱟᱹᱨᱥᱤ᱾ ᱑᱙᱒᱕ Santali ᱥᱟᱱᱛᱟᱲᱤ"
    words = regex.compile(build_regex(specs["words"])).findall(text)
    assert words == ["ᱥᱟᱱᱛᱟᱲᱤ", " ᱯᱟᱹᱨᱥᱤ᱾", " ᱑᱙᱒", "᱕", " Santali", " ᱥᱟᱱᱛᱟᱲᱤ"]
    phrases = build_regex(specs["phrases"])
    assert regex.findall(phrases, text)[:1] == ["ᱥᱟᱱᱛᱟᱲᱤ ᱯᱟᱹᱨᱥᱤ᱾"]
    # an alphabet: every letter is a unit (the gaahlaa ttuddaag ᱹ is a modifier letter, Lm, not a mark)
    assert regex.findall(akshara_pattern(family), "ᱥᱟᱹ") == ["ᱥ", "ᱟ", "ᱹ"]
    assert [s.pattern for s in curriculum(family).stages] == ["olck-words", "olck-phrases"]  # aksharas=0
    from tokenizers import Regex, pre_tokenizers

    hf = pre_tokenizers.Split(Regex(onig_regex(build_regex(specs["words"]))), behavior="isolated")
    assert [piece for piece, _ in hf.pre_tokenize_str(text)] == words


@pytest.mark.parametrize("name", [n for n, p in PATTERNS.items() if p.spec.family != "gpt" and p.spec.kind in WORD_KINDS])
@given(s=st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join))
def test_hf_presplit_parity(name, s):
    """Oniguruma (HF `tokenizers`) cuts every script exactly as Python's regex does, for every pattern
    a model can store."""
    assert _hf_split(name, s) == split(s, name)


@pytest.mark.parametrize("name", OURS)
@given(s=st.lists(st.sampled_from(ALPHABET), max_size=30).map("".join))
def test_no_pattern_cuts_an_akshara(name, s):
    """No boundary before a mark/ZWJ/ZWNJ, and none after a joining virama followed by a letter of
    the same script unless that virama has nothing before it to belong to."""
    chunks = split(s, name)
    assert "".join(chunks) == s
    pos = 0
    for chunk in chunks[:-1]:
        pos += len(chunk)
        if is_mid_akshara(s, pos):
            assert _allowed_cut(s, pos, name)
