"""Training text spelled as the web also spells the script: data/<code>.respelled.txt.gz (issue 19).

Text in the wild does not always spell a script as Wikipedia does. Malayalam's chillus got their
own code points in Unicode 5.1; before, and on many sites still (PMIndia's Malayalam, one of the
out-of-domain sources, writes every chillu so), a chillu is its consonant + chandrakkala + ZWJ.
The Indian government's Telugu puts a ZWNJ after most consonants that keep their inherent vowel.
Bengali, Punjabi and Hindi sources often write the nukta letters Unicode excludes from composition
(য় ড় ਜ਼ क़) as one code point, where NFC, and so Wikipedia, writes letter + nukta.
A vocabulary learnt only from Wikipedia's spelling cuts those words into pieces. Respelling a share
of the training lines (the registry's `Language.respelled`, with its script's `respellings`) and
training on them too teaches it both; `bench.generalise "respelled F"` measures the share.

Only training-split lines of the corpus file are respelled (never a valid or test line), only
those the respelling changes, chosen by a hash of the line; the file is a train file of the
language (every line trains, none is held out), so the baseline trained on the whole corpus sees it
too. Training text is not normalised (tokenizer.corpus.clean_document), so a respelling into
letters NFC would decompose trains as written.

    python -m bench.respell            # every language with a share -> data/<code>.respelled.txt.gz
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from collections.abc import Sequence

import regex

from tokenizer.files import write_atomic
from tokenizer.registry import LANGUAGES, SCRIPTS

from . import validation_sets as vs


def respell(text: str, rules: Sequence[tuple[str, str]]) -> str:
    """The text in the other spelling: each (regex, replacement) rule applied in turn."""
    for pattern, replacement in rules:
        text = regex.sub(pattern, replacement, text)
    return text


def chosen(line: str, share: float) -> bool:
    """Whether a line is in the share (by a hash of its text, so the choice never depends on order)."""
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest(), "big") % 10_000 < share * 10_000


def respelled_lines(lang: str, share: float | None = None) -> list[str]:
    """The respelled copies of the chosen training lines of the language's corpus file (not of its
    train files), in corpus order; `share` defaults to the registry's."""
    share = LANGUAGES[lang].respelled if share is None else share
    rules = SCRIPTS[LANGUAGES[lang].script].respellings
    out = []
    for line in vs.corpus_lines(lang, "train", with_train_files=False):
        if chosen(line, share):
            respelled = respell(line, rules)
            if respelled != line:
                out.append(respelled)
    return out


def file_name(lang: str) -> str:
    return f"{lang}.respelled.txt.gz"


def build(langs: Sequence[str]) -> None:
    for lang in langs:
        lines = respelled_lines(lang)
        data = gzip.compress("".join(f"{x}\n" for x in lines).encode("utf-8"), mtime=0)
        write_atomic(vs.ROOT / "data" / file_name(lang), data)
        print(f"{lang}: {len(lines):,} respelled training lines, {len(data):,} bytes gzip -> data/{file_name(lang)}")


def main() -> None:
    with_share = [code for code, lang in LANGUAGES.items() if lang.respelled]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", nargs="+", choices=with_share, default=with_share)
    build(p.parse_args().lang)


if __name__ == "__main__":
    main()
