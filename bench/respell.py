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
    python -m bench.respell --census te FILE...   # how much text is already in the other spelling

The census asks whether a spelling is the web's or one publisher's: for the language's training
lines, each source of its OOD set and any text files given, the share of the lines in the script
that already write the other spelling, and its sites per line.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

import regex

from tokenizer.files import write_atomic
from tokenizer.registry import LANGUAGES, SCRIPTS

from . import common
from . import validation_sets as vs


def respell(text: str, rules: Sequence[tuple[str, str]]) -> str:
    """The text in the other spelling: each (regex, replacement) rule applied in turn."""
    for pattern, replacement in rules:
        text = regex.sub(pattern, replacement, text)
    return text


# Text already in the other spelling: what a script's respellings write. A literal replacement is
# its own mark (a precomposed letter, consonant + chandrakkala + ZWJ); Telugu's rule inserts a ZWNJ
# after a bare consonant, and only before another consonant is that the habit (after a virama a
# ZWNJ is ordinary spelling: it stops a conjunct)
OTHER_SPELLING = {"Telugu": r"[\u0c15-\u0c39]\u200c(?=[\u0c15-\u0c39])"}


def other_spelling(script: str) -> regex.Pattern:
    """The pattern of the script's other spelling (its literal respelling outputs, or OTHER_SPELLING)."""
    if script in OTHER_SPELLING:
        return regex.compile(OTHER_SPELLING[script])
    rules = SCRIPTS[script].respellings
    if not rules or any("\\" in out for _, out in rules):
        raise ValueError(f"{script}: no literal respellings; give its other spelling in OTHER_SPELLING")
    return regex.compile("|".join(regex.escape(out) for _, out in rules))


def census(lines: Iterable[str], script: str) -> dict:
    """Of the lines in the script (the corpus rule): how many write the other spelling, and its
    sites per line."""
    mark = other_spelling(script)
    n = with_mark = sites = 0
    for line in lines:
        if vs.in_script(line, script):
            n += 1
            found = len(mark.findall(line))
            with_mark += found > 0
            sites += found
    return {"lines": n, "in the other spelling": round(with_mark / n, 4) if n else 0.0,
            "sites per line": round(sites / n, 3) if n else 0.0}


def census_rows(lang: str, files: Sequence[Path]) -> list[dict]:
    """The census of the training lines, each OOD source and each file (one line per line)."""
    script = LANGUAGES[lang].script
    texts: dict[str, Iterable[str]] = {"training split": vs.corpus_lines(lang, "train", with_train_files=False)}
    texts |= {f"OOD: {label}": lines for label, lines in vs.ood_by_source(lang).items()}
    for path in files:
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as f:
            texts[path.name] = f.read().splitlines()
    return [{"text": name, **census(lines, script)} for name, lines in texts.items()]


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
    with_rules = [code for code, lang in LANGUAGES.items() if SCRIPTS[lang.script].respellings]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", nargs="+", choices=with_share, default=with_share)
    p.add_argument("--census", metavar="LANG", choices=with_rules, help="count the other spelling instead")
    p.add_argument("files", nargs="*", type=Path, help="text files for the census (.txt or .gz, one line per line)")
    args = p.parse_args()
    if args.census:
        common.print_table(census_rows(args.census, args.files), ["text", "lines", "in the other spelling", "sites per line"],
                           f"{args.census}: text already in {LANGUAGES[args.census].script}'s other spelling")
    elif args.files:
        p.error("files are for --census")
    else:
        build(args.lang)


if __name__ == "__main__":
    main()
