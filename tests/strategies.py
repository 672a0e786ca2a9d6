"""Hypothesis strategies for text that stresses Indic tokenization."""

from hypothesis import strategies as st

DEVANAGARI = [chr(c) for c in range(0x0900, 0x0980)]
KANNADA = [chr(c) for c in range(0x0C80, 0x0D00)]
SPECIAL = ["\u200c", "\u200d", "\ufe0f", " ", "  ", "\n", "\r\n", "\t", "\x00", "\x1b", "।", "॥"]
EMOJI = ["👨\u200d👩\u200d👧", "👍🏽", "🇮🇳", "❤️", "😀"]
WORDS = ["क्षत्रिय", "स्थित", "हिन्दी", "क़", "ಕನ್ನಡ", "ಕರ್ನಾಟಕ", "ChatGPTका", "१२३४", "೧೨೩", "don't", "<|endoftext|>"]

any_text = st.text(st.characters(blacklist_categories=("Cs",)))
indic_text = st.lists(
    st.one_of(
        st.sampled_from(DEVANAGARI),
        st.sampled_from(KANNADA),
        st.sampled_from(SPECIAL),
        st.sampled_from(EMOJI),
        st.sampled_from(WORDS),
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.characters(blacklist_categories=("Cs",)),
    ),
    max_size=40,
).map("".join)
text = st.one_of(any_text, indic_text)
