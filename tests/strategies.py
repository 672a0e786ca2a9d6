"""Hypothesis strategies for text that stresses Indic tokenization, in every script of the registry."""

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
DEVANAGARI = SCRIPT_CHARS["Devanagari"]
KANNADA = SCRIPT_CHARS["Kannada"]
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
