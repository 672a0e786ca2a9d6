"""The language registry: every fact about a language or a script lives here, nowhere else.

A language is data, not a code path: its code, name, Unicode script, embedded corpus, shipped
model, example sentences and training recipe. The CLI's choices, the corpus loader, the build,
the report, the Hugging Face model card and the Space all read `LANGUAGES`; the pre-split
(tokenizer.pretokenize) builds its script runs and viramas from `SCRIPTS`. Adding a language is
one entry plus its files; adding a script is one `Script` row.

    from tokenizer.languages import LANGUAGES, SCRIPTS, detect
    LANGUAGES["hi"].name             # "Hindi"
    SCRIPTS["Tamil"].viramas         # "்" (the pulli)
    lang, why = detect("ಕನ್ನಡ ಭಾಷೆ")   # Kannada, "8 Kannada letters"
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex


@dataclass(frozen=True)
class Script:
    """A script the pre-split keeps apart, with the characters its rules and tests need.

    Only `name`, `viramas`, `punctuation` and `conjuncts` change the patterns; the other fields
    document (and the tests check) the characters that must stay inside a word or an akshara.
    """

    name: str  # Unicode script name as in \p{...} ("Oriya", not "Odia")
    label: str  # how people call it ("Odia", "Bengali-Assamese")
    viramas: str = ""  # signs that kill the vowel and join the next consonant (a conjunct)
    nukta: str = ""
    marks: str = ""  # candrabindu, anusvara, visarga and script-specific signs (addak, tippi, ...)
    letters: str = ""  # letters that are an akshara of their own (chillu, khanda ta, aytham, ...)
    digits: str = ""  # the script's own digits 0-9 ("" if it uses 0-9 only)
    punctuation: str = ""  # the script's own sentence punctuation, beyond the shared danda
    # Whether the akshara stage joins consonants through the virama into one akshara. Tamil's pulli
    # marks a dead consonant (க்க is written க் + க, conjunct glyphs are rare), and training on
    # க் + க aksharas compresses Tamil better on valid (docs/scripts.md), so Tamil says False.
    conjuncts: bool = True


# The Brahmic scripts of India and its neighbours, then Latin. Order = order of the pattern's
# alternatives (they never overlap, so the order does not change any split).
SCRIPTS: dict[str, Script] = {
    s.name: s
    for s in [
        Script("Devanagari", "Devanagari", "\u094d", "\u093c", "\u0901\u0902\u0903", "\u0950", "०१२३४५६७८९"),
        Script(
            "Bengali",
            "Bengali-Assamese",
            "\u09cd",
            "\u09bc",
            "\u0981\u0982\u0983",
            "\u09ce\u09f0\u09f1",  # khanda ta, Assamese ra and wa
            "০১২৩৪৫৬৭৮৯",
        ),
        Script(
            "Gurmukhi",
            "Gurmukhi",
            "\u0a4d",
            "\u0a3c",
            "\u0a01\u0a02\u0a03\u0a70\u0a71\u0a75",  # adak bindi, bindi, visarga, tippi, addak, yakash
            "\u0a72\u0a73",  # iri, ura
            "੦੧੨੩੪੫੬੭੮੯",
        ),
        Script("Gujarati", "Gujarati", "\u0acd", "\u0abc", "\u0a81\u0a82\u0a83", "\u0ad0", "૦૧૨૩૪૫૬૭૮૯"),
        Script("Oriya", "Odia", "\u0b4d", "\u0b3c", "\u0b01\u0b02\u0b03", "\u0b71", "୦୧୨୩୪୫୬୭୮୯"),
        Script("Tamil", "Tamil", "\u0bcd", "", "\u0b82", "\u0b83", "௦௧௨௩௪௫௬௭௮௯", conjuncts=False),  # pulli; aytham
        Script("Telugu", "Telugu", "\u0c4d", "\u0c3c", "\u0c00\u0c01\u0c02\u0c03", "", "౦౧౨౩౪౫౬౭౮౯"),
        Script("Kannada", "Kannada", "\u0ccd", "\u0cbc", "\u0c81\u0c82\u0c83", "", "೦೧೨೩೪೫೬೭೮೯"),
        Script(
            "Malayalam",
            "Malayalam",
            "\u0d4d\u0d3b\u0d3c",  # chandrakkala, vertical bar and circular viramas
            "",
            "\u0d00\u0d01\u0d02\u0d03",
            "\u0d7a\u0d7b\u0d7c\u0d7d\u0d7e\u0d7f\u0d54\u0d55\u0d56\u0d4e",  # chillus, dot reph
            "൦൧൨൩൪൫൬൭൮൯",
        ),
        Script(
            "Sinhala",
            "Sinhala",
            "\u0dca",  # al-lakuna
            "",
            "\u0d81\u0d82\u0d83",
            "",
            "෦෧෨෩෪෫෬෭෮෯",  # Sinhala lith digits
            "\u0df4",  # kunddaliya
        ),
        Script("Latin", "Latin"),
    ]
}
SHARED_PUNCTUATION = "\u0964\u0965"  # danda and double danda: Devanagari's, used by most Brahmic scripts


def get_script(name: str) -> Script:
    try:
        return SCRIPTS[name]
    except KeyError:
        raise ValueError(f"unknown script {name!r}; known: {', '.join(SCRIPTS)}") from None


@dataclass(frozen=True)
class Language:
    """One language: where its data is, how to show it and how its model is trained."""

    code: str  # ISO 639-1, the key everywhere ("hi")
    name: str  # English name ("Hindi")
    script: str  # Unicode script name as in \p{...} ("Devanagari"), a key of SCRIPTS
    corpus: str  # file name of the embedded corpus under data/
    model: str  # file name of the shipped model under models/
    examples: tuple[str, ...]  # sentences the Space offers, in this language (NFC)
    default_for_script: bool = False  # the language Auto picks for text in this script
    recipe: str = "brahmic-curriculum"  # tokenizer.train.RECIPES name `build` trains with
    source: str = ""  # where the embedded corpus comes from (data/ATTRIBUTION.md)

    @property
    def model_name(self) -> str:
        """The model's name (the file name without .model)."""
        return self.model.removesuffix(".model")


def _language(code: str, name: str, script: str, examples: str, **kw) -> Language:
    return Language(code, name, script, f"{code}.txt.gz", f"{code}.model", (examples,), **kw)


# Examples: the hi and kn sentences are the Space's originals; the others were written for this
# registry (no corpus text). hi and kn keep the recipe of their shipped models (ids never change).
_WIKIPEDIA = "Wikipedia: Dakshina v1.0 and MediaWiki API extracts (CC BY-SA 4.0)"
LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in [
        _language(
            "hi",
            "Hindi",
            "Devanagari",
            "भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं।",
            default_for_script=True,
            recipe="curriculum",
            source=_WIKIPEDIA,
        ),
        _language(
            "kn",
            "Kannada",
            "Kannada",
            "ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆ. ಇದು ಎರಡು ಸಾವಿರ ವರ್ಷಗಳಿಗೂ ಹೆಚ್ಚು ಇತಿಹಾಸವನ್ನು ಹೊಂದಿದೆ.",
            default_for_script=True,
            recipe="curriculum",
            source=_WIKIPEDIA,
        ),
        _language(
            "mr",
            "Marathi",
            "Devanagari",
            "महाराष्ट्र हे भारतातील एक राज्य आहे. मुंबई ही महाराष्ट्राची राजधानी आहे.",
            source="Wikipedia: MediaWiki API extracts and the May 2023 dump (CC BY-SA 4.0)",
        ),
        _language(
            "ne",
            "Nepali",
            "Devanagari",
            "नेपाल हिमालयको काखमा रहेको एक सुन्दर देश हो। काठमाडौं नेपालको राजधानी हो।",
            source="FLORES v1 Wikipedia sentences (CC BY-SA 4.0), TICO-19 (CC0), Google's Nepali TTS "
            "prompts (Apache-2.0), Common Voice (CC0)",
        ),
        _language(
            "bn",
            "Bengali",
            "Bengali",
            "বাংলা ভাষা দক্ষিণ এশিয়ার একটি প্রধান ভাষা। ঢাকা বাংলাদেশের রাজধানী ও বৃহত্তম শহর।",
            default_for_script=True,
            source=_WIKIPEDIA,
        ),
        _language(
            "as",
            "Assamese",
            "Bengali",
            "অসম ভাৰতৰ উত্তৰ-পূব অঞ্চলৰ এখন ৰাজ্য। গুৱাহাটী অসমৰ আটাইতকৈ ডাঙৰ চহৰ।",
            source="Wikipedia: Leipzig asm_wikipedia_2021_10K and 105 articles (CC BY-SA 4.0), Common Voice (CC0)",
        ),
        _language(
            "pa",
            "Punjabi",
            "Gurmukhi",
            "ਪੰਜਾਬੀ ਭਾਸ਼ਾ ਗੁਰਮੁਖੀ ਲਿਪੀ ਵਿੱਚ ਲਿਖੀ ਜਾਂਦੀ ਹੈ। ਅੰਮ੍ਰਿਤਸਰ ਪੰਜਾਬ ਦਾ ਇੱਕ ਪ੍ਰਸਿੱਧ ਸ਼ਹਿਰ ਹੈ।",
            default_for_script=True,
            source="Wikipedia: Dakshina v1.0 (CC BY-SA 4.0), Common Voice (CC0)",
        ),
        _language(
            "gu",
            "Gujarati",
            "Gujarati",
            "ગુજરાત ભારતના પશ્ચિમ ભાગમાં આવેલું એક રાજ્ય છે. ગુજરાતી આ રાજ્યની મુખ્ય ભાષા છે.",
            default_for_script=True,
            source="Wikipedia: Dakshina v1.0 (CC BY-SA 4.0), OpenSLR 78 read-speech prompts (CC BY-SA 4.0)",
        ),
        _language(
            "or",
            "Odia",
            "Oriya",
            "ଓଡ଼ିଶା ଭାରତର ପୂର୍ବ ଉପକୂଳରେ ଅବସ୍ଥିତ ଏକ ରାଜ୍ୟ। ଓଡ଼ିଆ ଏହି ରାଜ୍ୟର ସରକାରୀ ଭାଷା।",
            default_for_script=True,
            source="Wikipedia: OdiaNLP's 2020 articles (CC BY-SA), Common Voice (CC0)",
        ),
        _language(
            "ta",
            "Tamil",
            "Tamil",
            "தமிழ் உலகின் மிகப் பழமையான மொழிகளில் ஒன்று. சென்னை தமிழ்நாட்டின் தலைநகரம் ஆகும்.",
            default_for_script=True,
            source=_WIKIPEDIA,
        ),
        _language(
            "te",
            "Telugu",
            "Telugu",
            "తెలుగు భారతదేశంలోని ప్రధాన భాషలలో ఒకటి. హైదరాబాద్ తెలంగాణ రాష్ట్ర రాజధాని.",
            default_for_script=True,
            source=_WIKIPEDIA,
        ),
        _language(
            "ml",
            "Malayalam",
            "Malayalam",
            "മലയാളം കേരളത്തിലെ ഔദ്യോഗിക ഭാഷയാണ്. തിരുവനന്തപുരം കേരളത്തിന്റെ തലസ്ഥാനമാണ്.",
            default_for_script=True,
            source="Wikipedia: Dakshina v1.0 and the April 2023 dump via SMC (CC BY-SA 4.0)",
        ),
    ]
}
CODES: tuple[str, ...] = tuple(LANGUAGES)
DEFAULT = "hi"  # for text in no script of the registry


def get_language(code: str) -> Language:
    try:
        return LANGUAGES[code]
    except KeyError:
        raise ValueError(f"unknown language {code!r}; known: {', '.join(LANGUAGES)}") from None


def scripts() -> dict[str, list[Language]]:
    """Script -> its languages, the script's default first."""
    out: dict[str, list[Language]] = {}
    for lang in sorted(LANGUAGES.values(), key=lambda x: not x.default_for_script):
        out.setdefault(lang.script, []).append(lang)
    return out


def script_counts(text: str) -> Counter[str]:
    """Letters and marks (categories L and M) of text per registry script."""
    counts: Counter[str] = Counter()
    for script in scripts():
        n = len(regex.findall(rf"(?=[\p{{L}}\p{{M}}])\p{{{script}}}", text))
        if n:
            counts[script] = n
    return counts


def detect(text: str) -> tuple[Language, str]:
    """The language for text by its majority script, and a note saying why (for the Space's Auto)."""
    counts = script_counts(text)
    if not counts:
        return LANGUAGES[DEFAULT], f"no letters of {', '.join(scripts())}, so the default"
    script, n = counts.most_common(1)[0]
    langs = scripts()[script]
    others = ", ".join(f"{c:,} {s}" for s, c in counts.most_common()[1:])
    why = f"{n:,} {script} letters" + (f" vs {others}" if others else "")
    if len(langs) > 1:
        why += f"; {script} is also used by {', '.join(x.name for x in langs[1:])}: choose one to compare"
    return langs[0], why
