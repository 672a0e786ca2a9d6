"""Hypothesis strategies for text that stresses Indic tokenization, in every script of the registry."""

import random
import unicodedata

from hypothesis import strategies as st

from tokenizer.registry import LANGUAGES, SCRIPTS
from tokenizer.unicode_regex import code_point_ranges


def script_chars(script: str) -> list[str]:
    """The characters of a script's home block (letters, marks, digits, signs), its shared marks and
    punctuation (script extensions) and its word letters: what text in that script is made of."""
    ranges = code_point_ranges(rf"\p{{{script}}}") + code_point_ranges(rf"\p{{scx={script}}}")
    chars = {chr(c) for a, b in ranges for c in range(a, min(b, 0x2FFF) + 1)}
    return sorted(chars | set(SCRIPTS[script].word_letters) | set(SCRIPTS[script].punctuation))


SCRIPT_CHARS = {name: script_chars(name) for name in SCRIPTS if name != "Latin"}
SPECIAL = ["\u200c", "\u200d", "\ufe0f", " ", "  ", "\n", "\r\n", "\t", "\x00", "\x1b", "।", "॥"]
EMOJI = ["👨\u200d👩\u200d👧", "👍🏽", "🇮🇳", "❤️", "😀"]
# Real words: every registry language's example words, and some that stress the rules.
EXAMPLE_WORDS = sorted({w for lang in LANGUAGES.values() for text in lang.examples for w in text.split()})
WORDS = EXAMPLE_WORDS + ["क्षत्रिय", "स्थित", "क़", "ChatGPTका", "१२३४", "೧೨೩", "don't", "<|endoftext|>",
                         "ශ්\u200dරී", "அவன்\u200d", "ক্\u200dষ", "مـحـمـد", "ٹیلی\u200cفون"]  # fmt: skip

any_text = st.text(st.characters(blacklist_categories=("Cs",)))


def mixed_text(*extra: st.SearchStrategy[str], max_size: int = 40) -> st.SearchStrategy[str]:
    """Strings of letters and marks of every registry script, whitespace, emoji, real words and any
    character, plus `extra`."""
    return st.lists(
        st.one_of(
            *(st.sampled_from(chars) for chars in SCRIPT_CHARS.values()),
            *extra,
            st.sampled_from(SPECIAL),
            st.sampled_from(EMOJI),
            st.sampled_from(WORDS),
            st.characters(min_codepoint=0x20, max_codepoint=0x7E),
            st.characters(blacklist_categories=("Cs",)),
        ),
        max_size=max_size,
    ).map("".join)


indic_text = mixed_text()
text = st.one_of(any_text, indic_text)


def generated_lines(script: str, n: int, seed: int = 0) -> list[str]:
    """n lines of made-up words in one registry script, for scripts without an embedded corpus. Words
    are built as the script's aksharas are (a letter; maybe its virama, ZWJ where the script joins
    that way, and another letter; maybe a vowel sign or a mark) and repeat with Zipf-like
    frequencies, as words in text do, so that BPE has frequent pairs to learn."""
    row = SCRIPTS[script]
    chars = SCRIPT_CHARS[script]
    letters = [c for c in chars if unicodedata.category(c) == "Lo" and c not in row.word_letters]
    signs = [c for c in chars if unicodedata.category(c) in ("Mn", "Mc") and c not in row.viramas + row.nukta]
    joiners = [v + "\u200d" if not row.conjuncts and row.zwj_conjuncts else v for v in row.viramas]
    rng = random.Random(f"{script}-{seed}")

    def akshara() -> str:
        text = rng.choice(letters)
        if joiners and rng.random() < 0.25:
            text += rng.choice(joiners) + rng.choice(letters)
        if rng.random() < 0.6:
            text += rng.choice(signs)
        return text

    words = ["".join(akshara() for _ in range(rng.randint(1, 4))) for _ in range(400)]
    weights = [1 / rank for rank in range(1, len(words) + 1)]
    ends = list(row.punctuation) or ["."]
    return [" ".join(rng.choices(words, weights, k=rng.randint(4, 14))) + rng.choice(ends) for _ in range(n)]
