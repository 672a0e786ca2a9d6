"""The language registry: every fact about a language lives in its entry here, nowhere else.

A language is data, not a code path: its code, name, Unicode script, embedded corpus, shipped
model and example sentences. The CLI's choices, the corpus loader, the report, the Hugging Face
model card and the Space all read this table, so adding a language is one entry plus its files.

    from tokenizer.languages import LANGUAGES, detect
    LANGUAGES["hi"].name             # "Hindi"
    lang, why = detect("ಕನ್ನಡ ಭಾಷೆ")   # Kannada, "412 Kannada letters ..."
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import regex


@dataclass(frozen=True)
class Language:
    """One language: where its data is and how to show it."""

    code: str  # ISO 639-1, the key everywhere ("hi")
    name: str  # English name ("Hindi")
    script: str  # Unicode script name as in \p{...} ("Devanagari")
    corpus: str  # file name of the embedded corpus under data/
    model: str  # file name of the shipped model under models/
    examples: tuple[str, ...]  # sentences the Space offers, in this language
    default_for_script: bool = False  # the language Auto picks for text in this script

    @property
    def model_name(self) -> str:
        """The model's name (the file name without .model)."""
        return self.model.removesuffix(".model")


LANGUAGES: dict[str, Language] = {
    lang.code: lang
    for lang in [
        Language(
            "hi",
            "Hindi",
            "Devanagari",
            "hi.txt.gz",
            "hi.model",
            ("भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं।",),
            default_for_script=True,
        ),
        Language(
            "kn",
            "Kannada",
            "Kannada",
            "kn.txt.gz",
            "kn.model",
            ("ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆ. ಇದು ಎರಡು ಸಾವಿರ ವರ್ಷಗಳಿಗೂ ಹೆಚ್ಚು ಇತಿಹಾಸವನ್ನು ಹೊಂದಿದೆ.",),
            default_for_script=True,
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
