"""About view and the page's introduction: what tokens, BPE and aksharas are, and what to try."""

from __future__ import annotations

from tokenizer.registry import LANGUAGES


def language_list() -> str:
    names = [x.name for x in LANGUAGES.values()]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def intro() -> str:
    return f"""
# Indic tokenizer — why Indian languages need their own
Byte-level BPE tokenizers for **{language_list()}** with an akshara-aware pre-split and a
vocabulary of at most 5,000 tokens. Type below: every box is a token. Compare any tokenizers side
by side (ours, GPT-2/4/4o, Gemma, Llama, Qwen, Mistral or any Hugging Face tokenizer), see where
their regexes cut words apart, **train your own** in the Train view, and read **About** for the why.
The address follows what you do: **Copy link** shares it.
"""


ABOUT = """
## Why Indian languages need their own tokenizer

**Tokens.** A language model does not read letters; it reads *tokens*, pieces of text from a fixed
vocabulary. Fewer tokens for the same text means cheaper, faster and longer-context models — and a
model whose pieces line up with the language learns it more easily.

**BPE (byte-pair encoding).** Start with the 256 possible bytes of UTF-8 text. Find the pair of
neighbouring tokens that occurs most often in a training corpus and make it a new token; repeat. Each
new token is a *merge* of two older ones, and the number of merges fixes the vocabulary size (here at
most 5,000). To encode, the merges are replayed in the order they were learned. The **Vocabulary** tab
shows each token's merge tree down to its bytes.

**Why bytes hurt Indic scripts.** Every letter of an Indic script takes **3 bytes** in UTF-8, against
1 for English. A vocabulary trained mostly on English (GPT-2, GPT-4) has few Indic merges, so a Hindi
word falls apart into many tokens — sometimes into pieces of a single letter, shown here as `<E0 A4>`.

**Aksharas, matras and the virama.** Indic scripts are written in *aksharas* (syllables): a consonant,
optionally joined to further consonants, plus a vowel sign.
- A **matra** is a vowel sign attached to a consonant: क + ि = कि (*ki*), क + ा = का (*kā*). In Unicode
  a matra is a separate *combining mark* that follows the consonant, even when (like ि) it is drawn before it.
- The **virama** (्, ್, ் …) removes a consonant's inherent vowel and joins it to the next: स + ् + त = स्त.
- Anusvara (ं), nukta (़) and the joiners ZWJ/ZWNJ are combining too.

**How GPT-style pre-splitting cuts them.** Before BPE runs, a regular expression cuts text into
chunks, and no token may cross a chunk boundary. GPT-2's and GPT-4's regexes take a word to be a run of
*letters* (`\\p{L}+`), but matras and the virama are *marks* (`\\p{M}`), not letters. So the regex cuts
a word before each matra: `विशाल` becomes `व` · `िश` · `ाल`, and the pieces `िश` and `ाल` start with a
vowel sign that belongs to the previous letter. No amount of training can then learn `विशाल` as one
token. The **Pre-split** tab shows this on your text. (GPT-4o's regex includes marks and keeps words whole.)

**What this tokenizer does.** Its pre-split never cuts an akshara (a letter takes all the marks and
joiners that follow it), keeps scripts apart, and groups digits of any script in threes; the
**Pre-split** tab shows the exact regex each model was trained with. That alone does not keep the
tokens whole: BPE's first merges join pairs of bytes, so a token can still end inside a letter or
before its matra. The shipped models are therefore trained in stages (a *curriculum* recipe) on text
of one language, with a vocabulary of at most 5,000 tokens: in the Brahmic scripts, merges inside
aksharas first, then words, then phrases; their tokens cut far fewer aksharas than plain BPE's. The
**Compare** tab puts them next to any other tokenizer on the same text (GPT-2/4/4o, the open LLMs'
tokenizers with vocabularies of 128,000 to 262,000 tokens, any Hub repository id); the **Metrics** tab
has the numbers on held-out text. The model picker's **Auto** chooses by the script most of your letters
are in; for a script several languages share it takes that script's default language and says so — pick
the language to compare.

## What to try in the Train view

Training runs here, on this server, in well under two minutes on an embedded corpus.
- **Vocabulary size against compression.** Train plain BPE on the Hindi corpus at 300, 1,000 and 5,000
  tokens and watch the held-out bytes/token curve: the first few hundred merges (common letters with
  their matras) buy most of the gain, later merges whole words. The table at the end puts your model
  next to the shipped one and GPT-4o (200,000 tokens) on the same held-out text.
- **GPT-4's regex against ours.** Train plain BPE twice with the same size, once with the `gpt4`
  pre-split and once with `indic`. With `gpt4`, no token can hold a matra together with its consonant
  (the regex has already cut them apart), so bytes/token stays low and the "cuts inside a character or
  akshara" column is high. With `indic` the pre-split never cuts an akshara, yet plain BPE's tokens
  still do (its first merges join byte pairs), only less often; a curriculum recipe cuts far fewer. Then
  pick the models in the Pre-split and Tokenize views (they appear as “Mine: …”) and look at the same
  sentence.
- **Your own text.** Upload a `.txt`, `.txt.gz`, `.jsonl`, `.jsonl.gz` or `.parquet` file (at most 20 MB
  of text) or paste text. Documents (blocks of 10 lines, or rows) are split into training and held-out
  text by a hash of their id, so the numbers are measured on text the model never saw.
- **Take it with you.** Download the `.model` file (load it with `tokenizer.load`), the `.vocab`
  listing, and the Hugging Face export (`tokenizer.json` and configs, zipped) for `transformers`.

One training runs at a time on this server; the others wait in a queue that shows their place. Each
stops at 120 s (the merges learned by then are kept as a smaller model); **Cancel** stops at once.

## Reading the views
Each coloured box is one token; the colour depends only on the token id, so the same token has the
same colour everywhere. `␣` is a space and `↵` a newline. A red bar on a token's left edge marks a
boundary *inside a character or an akshara* (inside a character's UTF-8 bytes, or before a matra, say) —
the kind of cut this project tries to avoid. Hover a token for its id and bytes. The **Batch** view
counts the tokens of every line of a file under each tokenizer.
"""
