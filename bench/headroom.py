"""How much compression a 5,000-id merge list has left, and where our lead comes from (issue 19).

Recipes moved the out-of-domain ratio by about 1% each (docs/compression.md), so before trying more
of them this measures where tokens could still be saved. For each language with an OOD set, on the
in-domain valid split and on the OOD set, with the shipped model and the HF BpeTrainer baseline of
bench.ood (trained on the whole corpus):

1. inference: the fewest tokens the shipped vocabulary allows for each pre-split chunk (dynamic
   programming over the chunk's bytes) against the ids BPE gives. No re-ranking of the merges and
   no other encoder can do better with these ids, so this bounds what inference could add.
2. within words: every chunk of the core pre-split (a word with its space, a number group, a run
   of punctuation) encoded on its own, ours against the baseline. The rest of the lead (the full
   ratio over this one) comes from tokens that cross those chunks: punctuation stuck to a word,
   phrases, a space with a number.
3. leftovers: the share of our tokens that are punctuation alone (what attaching more punctuation
   could save at most); of those right after a word, the share of the OOD tokens that merges of
   the PAIRS commonest (last piece, punctuation) pairs of the training split would save (ids spent
   on them are ids taken from words); and the scaffold merges: ids that encoding the training split uses less
   than a quarter as often as a typical last merge, kept because longer tokens are built from them.
   A merge list cannot drop them, so their estimate bounds what another format could gain.

    python -m bench.headroom                 # every language with an OOD set -> results/headroom.json
    python -m bench.headroom --lang te kn
    python -m bench.headroom --markdown      # the table of docs/compression.md from the results
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import regex

import tokenizer
from tokenizer.build import core_pattern

from . import common, ood
from . import validation_sets as vs

PAIRS = 500
SCAFFOLD = 0.25  # a scaffold is used less than this share of the median use of the last 100 merges
# Punctuation and symbols: not letters, marks, digits, spaces, nor the joiners (ZWNJ, ZWJ) that belong to aksharas
_PUNCT_ALONE = regex.compile(r"\s?[^\s\p{L}\p{M}\p{N}\u200c\u200d]+\s*")
_PUNCT = regex.compile(r"[^\s\p{L}\p{M}\p{N}\u200c\u200d]+")
_WORD_END = regex.compile(r"[\p{L}\p{M}]$")


def fewest_tokens(chunk: bytes, vocab: frozenset[bytes], longest: int) -> int:
    """The fewest tokens of `vocab` whose concatenation is `chunk` (every single byte is a token)."""
    best = [0] + [len(chunk) + 1] * len(chunk)
    for end in range(1, len(chunk) + 1):
        for start in range(max(0, end - longest), end):
            if best[start] + 1 < best[end] and chunk[start:end] in vocab:
                best[end] = best[start] + 1
    return best[-1]


def per_chunk(lines: Iterable[str], split: Callable[[str], list[str]], count: Callable[[str], int]) -> int:
    """Tokens when every chunk of `split` is counted on its own (each distinct chunk counted once)."""
    seen: dict[str, int] = {}
    total = 0
    for line in lines:
        for chunk in split(line):
            if chunk not in seen:
                seen[chunk] = count(chunk)
            total += seen[chunk]
    return total


def inference_bound(tok: tokenizer.Tokenizer, lines: Sequence[str]) -> tuple[int, int]:
    """(BPE's tokens, the fewest tokens the same ids and pre-split allow) over the lines."""
    vocab = frozenset(tok.vocab.values())
    longest = max(map(len, vocab))
    bpe = sum(len(ids) for ids in tok.encode_ordinary_batch(lines))
    return bpe, per_chunk(lines, tok.pattern.split, lambda c: fewest_tokens(c.encode(), vocab, longest))


def _text(tok: tokenizer.Tokenizer, i: int) -> str:
    """A token's text; "" for a piece of a character (its bytes are not UTF-8 on their own)."""
    try:
        return tok.vocab[i].decode("utf-8")
    except UnicodeDecodeError:
        return ""


def punctuation_alone(tok: tokenizer.Tokenizer, lines: Sequence[str]) -> float:
    """Share of the tokens that are punctuation or symbols alone (with at most a space around)."""
    alone = total = 0
    for ids in tok.encode_ordinary_batch(lines):
        total += len(ids)
        alone += sum(1 for i in ids if _PUNCT_ALONE.fullmatch(_text(tok, i)))
    return alone / total if total else 0.0


def punctuation_after_words(tok: tokenizer.Tokenizer, lines: Sequence[str]) -> tuple[Counter[tuple[int, int]], int]:
    """(last piece of a word, punctuation token) pairs that BPE left apart, and the tokens in all."""
    pairs: Counter[tuple[int, int]] = Counter()
    total = 0
    for ids in tok.encode_ordinary_batch(lines):
        total += len(ids)
        text = [_text(tok, i) for i in ids]
        for k in range(1, len(ids)):
            if _PUNCT.fullmatch(text[k]) and _WORD_END.search(text[k - 1]):
                pairs[ids[k - 1], ids[k]] += 1
    return pairs, total


def punctuation_pool(tok: tokenizer.Tokenizer, train: Sequence[str], held_out: Sequence[str], n: int = PAIRS) -> dict:
    """How much of the punctuation left after words the commonest n training pairs would absorb."""
    seen, _ = punctuation_after_words(tok, train)
    left, total = punctuation_after_words(tok, held_out)
    top = seen.most_common(n)
    return {"punctuation after a word (OOD)": round(sum(left.values()) / max(1, total), 4),
            f"top {n} training pairs save (OOD)": round(sum(left[p] for p, _ in top) / max(1, total), 4),
            f"training count of pair {n}": top[-1][1] if len(top) == n else 0}


def scaffolds(tok: tokenizer.Tokenizer, lines: Sequence[str], share: float = SCAFFOLD) -> dict:
    """Merges used less than `share` of the median use of the last 100 merges on `lines`, and the
    share of the tokens they would save if each were replaced by an id as useful as that median."""
    use: Counter[int] = Counter()
    for ids in tok.encode_ordinary_batch(lines):
        use.update(ids)
    ranked = sorted(tok.merges.values())
    last = sorted(use[i] for i in ranked[-100:])
    median_last = last[len(last) // 2] if last else 0
    low = [i for i in ranked if use[i] < share * median_last]
    saved = sum(max(0, median_last - use[i]) for i in low)
    return {"scaffold ids": len(low), "median use, last 100 merges": median_last,
            "estimate: tokens saved": round(saved / max(1, sum(use.values())), 4)}


def rows_for(lang: str, vocab_size: int) -> tuple[list[dict], dict]:
    tok = tokenizer.load(common.model_path(lang))
    hf = ood.baseline(lang, vocab_size)
    core = core_pattern(ood.recipe_of(lang))
    rows = []
    for s in ood.SETS:
        lines = [line for line in ood.set_lines(lang, s) if line]
        if not lines:
            continue
        n_bytes = common.utf8_size(lines)
        ours, fewest = inference_bound(tok, lines)
        base = sum(len(e.ids) for e in hf.encode_batch(lines, add_special_tokens=False))
        ours_words = per_chunk(lines, core.split, lambda c: len(tok.encode_ordinary(c)))
        base_words = per_chunk(lines, core.split, lambda c: len(hf.encode(c, add_special_tokens=False).ids))
        rows.append({
            "lang": lang, "set": s, "lines": len(lines), "bytes/token": round(n_bytes / ours, 3),
            "fewest tokens: bytes/token": round(n_bytes / fewest, 3), "inference headroom": round(ours / fewest - 1, 4),
            "ratio": round(base / ours, 4), "within words": round(base_words / ours_words, 4),
            "across chunks": round((base / ours) / (base_words / ours_words), 4),
            "punctuation alone": round(punctuation_alone(tok, lines), 4),
        })
    train = vs.corpus_lines(lang, "train")
    return rows, {"lang": lang, **punctuation_pool(tok, train, ood.set_lines(lang, "ood")), **scaffolds(tok, train)}


COLUMNS = ["lang", "set", "lines", "bytes/token", "fewest tokens: bytes/token", "inference headroom", "ratio",
           "within words", "across chunks", "punctuation alone"]


def markdown(path: Path = common.RESULTS_DIR / "headroom.json") -> str:
    """The per-language table of docs/compression.md: valid / OOD where both are measured."""
    results = json.loads(path.read_text(encoding="utf-8"))
    rows = {(r["lang"], r["set"]): r for r in results["rows"]}
    out = ["| language | ratio (valid / OOD) | within words | across chunks | fewest tokens: more bytes/token "
           f"| punctuation alone | {PAIRS} pairs would save | scaffolds: ids / estimate |",
           "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for s in results["scaffolds"]:
        v, o = rows[s["lang"], "valid"], rows[s["lang"], "ood"]

        def both(key: str, form: str) -> str:
            return f"{form.format(v[key])} / {form.format(o[key])}"

        out.append(f"| {s['lang']} | {both('ratio', '{:.3f}')} | {both('within words', '{:.3f}')} "
                   f"| {both('across chunks', '{:.3f}')} | {both('inference headroom', '+{:.1%}')} "
                   f"| {both('punctuation alone', '{:.1%}')} | {s[f'top {PAIRS} training pairs save (OOD)']:.1%} "
                   f"| {s['scaffold ids']} / {s['estimate: tokens saved']:.1%} |")
    return "\n".join(out)


def main() -> None:
    langs = [x for x in vs.ALL_LANGS if vs.ood_lines(x) and common.model_path(x).exists()]
    p = common.parser(__doc__, langs)
    p.add_argument("--markdown", action="store_true", help="print the docs table from the saved results")
    args = p.parse_args()
    if args.markdown:
        print(markdown())
        return
    common.report_load()
    rows, ids = [], []
    for lang in args.lang:
        r, s = rows_for(lang, args.vocab_size)
        rows += r
        ids.append(s)
        common.print_table(r, COLUMNS, lang)
    common.print_table(rows, COLUMNS, "all")
    common.print_table(ids, list(ids[0]), f"punctuation pairs; scaffold merges (on the training split, used < {SCAFFOLD:.0%} of the last merges' median)")
    common.write_results("headroom", {"vocab_size": args.vocab_size, "rows": rows, "scaffolds": ids})


if __name__ == "__main__":
    main()
