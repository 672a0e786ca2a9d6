"""Training text spelled as the web also spells the script: data/<code>.respelled.txt.gz (issue 19).

Text in the wild does not always spell a script as Wikipedia does. Malayalam's chillus got their
own code points in Unicode 5.1; before, and on many sites still (PMIndia's Malayalam, one of the
out-of-domain sources, writes every chillu so), a chillu is its consonant + chandrakkala + ZWJ.
The Indian government's Telugu puts a ZWNJ after most consonants that keep their inherent vowel.
Bengali, Punjabi and Hindi sources often write the nukta letters Unicode excludes from composition
(য় ড় ਜ਼ क़) as one code point, where NFC, and so Wikipedia, writes letter + nukta. Odia's
subscript wa is often VA (ଦ୍ଵାରା), and Assamese conjuncts often take Bengali's ra (প্রধান for প্ৰধান).
A vocabulary learnt only from Wikipedia's spelling cuts those words into pieces. Respelling a share
of the training lines (the registry's `Language.respelled`, by its `other_spellings`: its script's
respellings, then its own) and training on them too teaches it both; `bench.generalise "respelled F"`
measures the share.

Only training-split lines of the corpus file are respelled (never a valid or test line), only
those the respelling changes, chosen by a hash of the line; the file is a train file of the
language (every line trains, none is held out), so the baseline trained on the whole corpus sees it
too. Training text is not normalised (tokenizer.corpus.clean_document), so a respelling into
letters NFC would decompose trains as written.

    python -m bench.respell            # every language with a share -> data/<code>.respelled.txt.gz
    python -m bench.respell --census te FILE...   # how much text is already in the other spelling
    python -m bench.respell --scan as [FILE...]   # which spellings the OOD sources (files) use and training does not,
                                                  # and how each writes numbers and spaces its punctuation

The scan finds candidates: the character pairs each OOD source uses far more often than the
training split (a new spelling shows up as a pair training almost never has), then the habits no pair
shows: the digits numbers are written in (१९४७ or 1947) and a space before punctuation (`କହିଲେ ।`
or `କହିଲେ।`); `bench.generalise "digits F"` and `"dandas F"` train on them. The census asks
whether a spelling is the web's or one publisher's: for the language's training
lines, each source of its OOD set and any text files given, the share of the lines in the script
that already write the other spelling, and its sites per line.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
from collections import Counter
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


# Text already in the other spelling: what a language's respellings write. A literal replacement is
# its own mark (a precomposed letter, consonant + chandrakkala + ZWJ, Bengali's ra in an Assamese
# conjunct); Telugu's rule inserts a ZWNJ after a bare consonant, and only before another consonant is
# that the habit (after a virama a ZWNJ is ordinary spelling: it stops a conjunct)
OTHER_SPELLING = {"Telugu": r"[\u0c15-\u0c39]\u200c(?=[\u0c15-\u0c39])"}


def other_spelling(lang: str) -> regex.Pattern:
    """The pattern of the language's other spelling (its literal respelling outputs, or its script's
    OTHER_SPELLING)."""
    language = LANGUAGES[lang]
    if language.script in OTHER_SPELLING:
        return regex.compile(OTHER_SPELLING[language.script])
    rules = language.other_spellings
    if not rules or any("\\" in out for _, out in rules):
        raise ValueError(f"{lang}: no literal respellings; give its script's other spelling in OTHER_SPELLING")
    return regex.compile("|".join(regex.escape(out) for _, out in rules))


def census(lines: Iterable[str], lang: str) -> dict:
    """Of the lines in the language's script (the corpus rule): how many write the other spelling, and
    its sites per line."""
    mark = other_spelling(lang)
    script = LANGUAGES[lang].script
    n = with_mark = sites = 0
    for line in lines:
        if vs.in_script(line, script):
            n += 1
            found = len(mark.findall(line))
            with_mark += found > 0
            sites += found
    return {"lines": n, "in the other spelling": round(with_mark / n, 4) if n else 0.0,
            "sites per line": round(sites / n, 3) if n else 0.0}


def read_lines(path: Path) -> list[str]:
    """A text file's lines (.gz read through gzip); a file that cannot be read is a clear error."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt", encoding="utf-8") as f:
            return f.read().splitlines()
    except (OSError, UnicodeDecodeError, EOFError) as e:
        raise SystemExit(f"error: cannot read {path} as UTF-8 text: {e}") from None


def other_texts(lang: str, files: Sequence[Path]) -> dict[str, list[str]]:
    """Each source of the language's OOD set ("OOD: <source>") and each file (one line per line)."""
    texts = {f"OOD: {label}": list(lines) for label, lines in vs.ood_by_source(lang).items()}
    return texts | {path.name: read_lines(path) for path in files}


def census_rows(lang: str, files: Sequence[Path]) -> list[dict]:
    """The census of the training lines, each OOD source and each file."""
    texts = {"training split": vs.corpus_lines(lang, "train", with_train_files=False)} | other_texts(lang, files)
    return [{"text": name, **census(lines, lang)} for name, lines in texts.items()]


def _pairs(lines: Iterable[str]) -> tuple[Counter, int]:
    """Adjacent pairs of non-ASCII, non-space characters, and how many pairs were seen."""
    counts: Counter = Counter()
    for line in lines:
        counts.update(a + b for a, b in zip(line, line[1:])
                      if a > "\x7f" and b > "\x7f" and not (a.isspace() or b.isspace()))
    return counts, sum(counts.values()) or 1


def overrepresented(train: Sequence[str], other: Sequence[str], top: int = 8, at_least: float = 3.0,
                    times: float = 6.0) -> list[dict]:
    """The character pairs of `other` at least `times` as frequent as in `train` (per 10,000 pairs,
    and at least `at_least` there), most over-represented first: where a source spells differently
    (Bengali's ra in an Assamese conjunct, a ZWJ after a virama) or just talks of other things."""
    theirs, n = _pairs(other)
    ours, m = _pairs(train)
    found = []
    for pair, k in theirs.items():
        rate, base = k / n * 1e4, (ours[pair] + 0.5) / m * 1e4
        if rate >= at_least and rate >= times * base:
            found.append((rate / base, pair, rate, base))
    found.sort(reverse=True)
    return [{"pair": pair, "per 10k": round(rate, 1), "training per 10k": round(base, 3),
             "lines": sum(pair in x for x in other), "code points": " ".join(f"U+{ord(c):04X}" for c in pair)}
            for _, pair, rate, base in found[:top]]


def scan_rows(lang: str, files: Sequence[Path] = ()) -> list[dict]:
    """For each OOD source and each file: its pairs most over-represented against the training split."""
    train = vs.corpus_lines(lang, "train", with_train_files=False)
    return [{"text": name, **row} for name, lines in other_texts(lang, files).items()
            for row in overrepresented(train, lines)]


ASCII_DIGITS = "0123456789"


def script_digits(lang: str) -> str:
    return SCRIPTS[LANGUAGES[lang].script].digits


def digit_systems(lines: Iterable[str], lang: str) -> dict:
    """How the text writes its numbers: of its digits, the share in the script's own digits and in
    ASCII 0-9, and how many lines have each. The pair scan cannot see this (it skips ASCII), yet it is
    a spelling habit: Bengali and Marathi Wikipedia write ১৯৪৭ and १९४७, translated news 1947."""
    own = script_digits(lang)
    n_own = n_ascii = lines_own = lines_ascii = 0
    for line in lines:
        a = sum(c in ASCII_DIGITS for c in line)
        o = sum(c in own for c in line)
        n_ascii, n_own = n_ascii + a, n_own + o
        lines_ascii, lines_own = lines_ascii + (a > 0), lines_own + (o > 0)
    total = n_own + n_ascii
    return {"digits": total, "own digits": round(n_own / total, 3) if total else 0.0,
            "lines with own": lines_own, "lines with 0-9": lines_ascii}


CLOSING_MARKS = ",.?!:;\u0964\u0965"  # the marks that close a sentence or clause, dandas too
_MARK_AFTER_WORD = regex.compile(rf"(?<=[\p{{L}}\p{{M}}])( ?)([{regex.escape(CLOSING_MARKS)}])(?=\s|$)")


def spaced_punctuation(lines: Iterable[str], marks: str = CLOSING_MARKS) -> dict:
    """How often a space comes before each closing mark after a word (`কথা ।` against `কথা।`), as
    "spaced/all": a word+mark token only helps where the mark is glued to the word."""
    spaced: Counter = Counter()
    glued: Counter = Counter()
    for line in lines:
        for m in _MARK_AFTER_WORD.finditer(line):
            (spaced if m.group(1) else glued)[m.group(2)] += 1
    return {mark: f"{spaced[mark]}/{spaced[mark] + glued[mark]}" for mark in marks if spaced[mark] + glued[mark]}


def habit_rows(lang: str, files: Sequence[Path] = ()) -> list[dict]:
    """For the training split, each OOD source and each file: how it writes numbers (digit_systems)
    and whether it spaces its punctuation (spaced_punctuation), habits the pair scan cannot see."""
    texts = {"training split": vs.corpus_lines(lang, "train", with_train_files=False)} | other_texts(lang, files)
    return [{"text": name, **digit_systems(lines, lang), "space before": " ".join(
        f"{mark} {share}" for mark, share in spaced_punctuation(lines).items())} for name, lines in texts.items()]


def to_ascii_digits(lang: str) -> tuple[tuple[str, str], ...]:
    """Rules that write the script's own digits as 0-9 (none for a script without digits of its own;
    the Arabic script has two sets, each in order 0-9)."""
    return tuple((own, str(i % 10)) for i, own in enumerate(script_digits(lang)))


def glue_dandas(lang: str) -> tuple[tuple[str, str], ...]:
    """A rule that takes the space out before a danda (কথা । -> কথা।), for a script that closes
    sentences with one: Odia Wikipedia spaces it, Odia's stories and Nepali's TICO-19 do not."""
    dandas = "".join(c for c in SCRIPTS[LANGUAGES[lang].script].punctuation if c in "\u0964\u0965")
    return ((rf"(?<=\S) ([{dandas}])", r"\1"),) if dandas else ()


def full_stops(lang: str) -> tuple[tuple[str, str], ...]:
    """A rule that ends sentences with a full stop instead of a danda (কৈ। -> কৈ.), for a script that
    closes them with one: Manipuri's software translators write `.` twice as often as `।`."""
    return (("\u0964", "."),) if "\u0964" in SCRIPTS[LANGUAGES[lang].script].punctuation else ()


# Habits that are not a script's letters: the rules of `extra_lines`, by name
HABITS = {"digits": to_ascii_digits, "dandas": glue_dandas, "stops": full_stops}


def extra_lines(lang: str, habit: str, share: float) -> list[str]:
    """A share of the training lines written in one of HABITS' other habits (only lines it changes,
    chosen by a hash of the line, as respelled_lines), trained besides the registry's respelled file:
    measured by `bench.generalise "digits F"` and `"dandas F"`."""
    return _respelled_training_lines(lang, share, HABITS[habit](lang))


def chosen(line: str, share: float) -> bool:
    """Whether a line is in the share (by a hash of its text, so the choice never depends on order)."""
    return int.from_bytes(hashlib.blake2b(line.encode("utf-8"), digest_size=8).digest(), "big") % 10_000 < share * 10_000


# Other spellings measured and not adopted (docs/compression.md), which `bench.generalise
# "respelled+ F"` adds to the registry's: Odia's subscript wa written with VA (U+0B35), as IL-NER's
# news and health text (a fifth of its lines) and PMIndia do (ଦ୍ଵାରା), where Wikipedia writes WA
# (ଦ୍ୱାରା); Hindi's virama + ZWJ in a half-form conjunct (स्‍वास्‍थ्‍य), as PMIndia writes a quarter of its
# lines, but not with ra (प्र, र्य), क्ष or ज्ञ, which it leaves alone
MEASURED: dict[str, tuple[tuple[str, str], ...]] = {
    "or": (("\u0b4d\u0b71", "\u0b4d\u0b35"),),
    "hi": ((r"(?<=[\u0915-\u0939])(?<!\u0930)\u094d(?=[\u0915-\u0939])(?![\u0930\u0937\u091e])", "\u094d\u200d"),),
}


def respelled_lines(lang: str, share: float | None = None, measured: bool = False) -> list[str]:
    """The respelled copies of the chosen training lines of the language's corpus file (not of its
    train files), in corpus order; `share` defaults to the registry's; `measured` adds MEASURED's rules."""
    share = LANGUAGES[lang].respelled if share is None else share
    rules = LANGUAGES[lang].other_spellings + (MEASURED.get(lang, ()) if measured else ())
    return _respelled_training_lines(lang, share, rules)


def _respelled_training_lines(lang: str, share: float, rules: Sequence[tuple[str, str]]) -> list[str]:
    """The chosen training lines of the corpus file (not its train files) that the rules change, respelled."""
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
    with_rules = [code for code, lang in LANGUAGES.items() if lang.other_spellings]
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", nargs="+", choices=with_share, default=with_share)
    p.add_argument("--census", metavar="LANG", choices=with_rules, help="count the other spelling instead")
    p.add_argument("--scan", metavar="LANG", choices=list(LANGUAGES), help="find spellings the OOD sources (and "
                   "any files) use and training does not: each text's most over-represented character pairs")
    p.add_argument("files", nargs="*", type=Path, help="text files for the census or the scan (.txt or .gz, one line "
                   "per line)")
    args = p.parse_args()
    if args.scan:
        columns = ["text", "pair", "code points", "per 10k", "training per 10k", "lines"]
        common.print_table(scan_rows(args.scan, args.files), columns,
                           f"{args.scan}: character pairs over-represented against the training split")
        common.print_table(habit_rows(args.scan, args.files), ["text", "digits", "own digits", "lines with own",
                                                               "lines with 0-9", "space before"],
                           f"{args.scan}: how numbers are written (the script's own digits or 0-9), and how "
                           "often a space comes before a mark after a word (spaced/all)")
    elif args.census:
        common.print_table(census_rows(args.census, args.files), ["text", "lines", "in the other spelling", "sites per line"],
                           f"{args.census}: text already in {LANGUAGES[args.census].name}'s other spelling")
    elif args.files:
        p.error("files are for --census or --scan")
    else:
        build(args.lang)


if __name__ == "__main__":
    main()
