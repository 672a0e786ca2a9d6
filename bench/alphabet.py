"""Every letter of the alphabet: the characters a language's users expect to write that its shipped
model cuts into byte tokens, and what a release that makes them tokens changes on text that writes them.

A byte-level model has no token for a character its corpus never (or hardly) writes: the character
is two or three byte tokens, and each cut counts as a boundary inside an akshara. The characters a
language's users expect are CLDR's: the locale's main exemplar characters (its alphabet) and the
digits of its default numbering system (Nepali's is Devanagari, Hindi's 0-9). CLDR 41 comes from
Debian 12's `unicode-cldr-core` (pinned like bench/l10n.py's packages; Unicode licence).

    python -m bench.alphabet                         # every shipped model: what it cuts into bytes
    python -m bench.alphabet --compare ne@2 ne mni@2 mni ks@2 ks   # release pairs, on text that writes them

"Text that writes them", for a pair (older, newer): the valid and OOD lines that write one of the
characters the older model cuts, and, when the language's default digits are its script's, its
lines with numbers with their digits written so (the held-out text mostly writes 0-9); else the
language's examples. Results: bench/results/alphabet.json.
"""

from __future__ import annotations

import re
from pathlib import Path

import tokenizer
from tokenizer.metrics import evaluate
from tokenizer.registry import LANGUAGES

from . import common, ood
from .l10n import CACHE, Package, deb_files, download

CLDR = Package("unicode-cldr-core", "41-0.1", "pool/main/u/unicode-cldr-core/unicode-cldr-core_41-0.1_all.deb",
               "35d30d5d3bee4d8244e95236259c4c2a0db06e21bad696515751fcfeee4d0260", "Unicode-DFS-2016")
MAIN = "usr/share/unicode/cldr/common/main/"
NUMBERING = "usr/share/unicode/cldr/common/supplemental/numberingSystems.xml"
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})")
_MAIN_EXEMPLARS = re.compile(r"<exemplarCharacters(?: draft=\"\w+\")?>\[(.*?)\]</exemplarCharacters>")  # no type: main


def exemplar_characters(body: str) -> str:
    """The characters of a CLDR exemplar set (inside its brackets: "ء آ a-c {ক্ষ} \\u0650"): ranges
    expanded, the characters of a sequence each, escapes resolved; in order, each once."""
    body = _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), body)
    out: dict[str, None] = {}
    for item in body.split():
        item = item.strip("{}").replace("\\", "")
        if len(item) == 3 and item[1] == "-":
            out |= dict.fromkeys(chr(c) for c in range(ord(item[0]), ord(item[2]) + 1))
        else:
            out |= dict.fromkeys(item)
    return "".join(out)


def default_digits(xml: str, numbering: str) -> str:
    """The digits of the locale's default numbering system ("" when it is latn: 0-9)."""
    found = re.search(r"<defaultNumberingSystem>(\w+)</defaultNumberingSystem>", xml)
    if found is None or found.group(1) == "latn":
        return ""
    system = re.search(rf'<numberingSystem id="{found.group(1)}" type="numeric" digits="([^"]+)"', numbering)
    return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), system.group(1)) if system else ""


def expected_characters(cache: Path = CACHE) -> dict[str, tuple[str, str]]:
    """Per shipped language: (its CLDR alphabet, its default digits), non-ASCII characters only."""
    files = deb_files(download(CLDR, cache), re.compile(re.escape(MAIN) + r"[a-z]+\.xml|" + re.escape(NUMBERING)))
    numbering = files[NUMBERING].decode()
    out = {}
    for code in LANGUAGES:
        xml = files.get(f"{MAIN}{code}.xml", b"").decode()
        found = _MAIN_EXEMPLARS.search(xml)
        letters = exemplar_characters(found.group(1)) if found else ""
        out[code] = ("".join(c for c in letters if ord(c) > 127), default_digits(xml, numbering))
    return out


def cut(tok: tokenizer.Tokenizer, chars: str) -> str:
    """The characters the model writes as more than one token."""
    return "".join(c for c in chars if len(tok.encode_ordinary(c)) > 1)


def writing_them(lang: str, chars: str, digits: str) -> list[str]:
    """Held-out lines (valid and OOD) that write one of chars, and the ones with numbers with their
    digits written in `digits` (the language's default ones) when it has them."""
    lines = [*common.held_out(lang, "valid"), *ood.set_lines(lang, "ood")]
    found = [line for line in lines if any(c in line for c in chars)]
    if digits:
        table = str.maketrans("0123456789", digits)
        found += [line.translate(table) for line in lines if any("0" <= c <= "9" for c in line)]
    return found or list(LANGUAGES[lang].examples)


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--compare", nargs="+", default=[], metavar="MODEL",
                   help="pairs of models (older newer, e.g. ne@2 ne): both on text that writes what the older cuts")
    args = p.parse_args()
    if len(args.compare) % 2:
        p.error("--compare takes pairs: OLDER NEWER ...")
    expected = expected_characters()
    rows = []
    for lang in args.lang:
        letters, digits = expected[lang]
        tok = tokenizer.load(lang)
        rows.append({"lang": lang, "release": tok.release, "alphabet": len(letters), "letters cut": cut(tok, letters),
                     "default digits": digits or "0-9", "digits cut": cut(tok, digits)})
    common.print_table(rows, ["lang", "release", "alphabet", "letters cut", "default digits", "digits cut"],
                       "CLDR 41's alphabet and default digits: what each shipped model cuts into bytes")
    pairs = []
    for older, newer in zip(args.compare[::2], args.compare[1::2]):
        old, new = tokenizer.load(older), tokenizer.load(newer)
        lang = newer.split("@")[0]
        letters, digits = expected[lang]
        lines = writing_them(lang, cut(old, letters), digits if cut(old, digits) else "")
        a, b = evaluate(old, lines), evaluate(new, lines)
        pairs.append({"lang": lang, "older": older, "newer": newer, "lines": len(lines),
                      "older b/t": round(a.bytes_per_token, 3), "newer b/t": round(b.bytes_per_token, 3),
                      "gain": round(b.bytes_per_token / a.bytes_per_token - 1, 4),
                      "older mid-akshara": round(a.mid_akshara_rate, 4),
                      "newer mid-akshara": round(b.mid_akshara_rate, 4)})
    if pairs:
        common.print_table(pairs, list(pairs[0]), "release pairs on text that writes what the older one cuts")
    common.write_results("alphabet", {"cldr": f"{CLDR.name} {CLDR.version}", "models": rows, "pairs": pairs})


if __name__ == "__main__":
    main()
