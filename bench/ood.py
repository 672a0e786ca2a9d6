"""Compression in and out of domain, against an HF BpeTrainer trained on the whole corpus (issue 19).

For each language, a tokenizer of ours (the shipped model, or a recipe trained here on the training
split) and an HF `BpeTrainer` baseline with the same total vocabulary and our core pre-split of the
language's family (`tokenizer.build.train_hf_bpe` and `core_pattern`), trained on the language's
FULL corpus (train + valid + test, minus the lines held out as OOD text), are measured on two sets:

- valid: the in-domain held-out split (Wikipedia), minus the lines of OOD sources;
- ood:   the out-of-domain validation set (data/validation/<lang>.tsv.gz, bench/validation_sets.py).

Both sides are measured in the same run; the ratio is ours / baseline bytes per token, with a 95%
interval over the documents of each source resampled (`ratio_interval`). The baseline
has seen the in-domain valid lines (it trains on everything), which makes "valid" a harder target
than the README's; it never sees an OOD line.

    python -m bench.ood                       # the shipped models -> bench/results/ood.json
    python -m bench.ood --lang hi mr --llm    # also Gemma 3 (../shared/reftok/llm) on the same sets
    python -m bench.ood --recipe curriculum   # retrain a registered recipe on the training split

The shipped models (release 2 for ne, ur, gu, pa, or and as, whose corpora hold an OOD source) were
trained without the held-out lines, so every row is out of domain. Release 1 of those six was not
(`tokenizer.load("<code>@1")`); `--recipe` retrains a registered recipe on the same training split.

Trained baselines are cached under $OOD_CACHE (default ~/.cache/indic-tokenizer-bench), keyed by
their training text, pattern and size, so experiments reuse them.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Callable, Sequence
from functools import lru_cache
from pathlib import Path

import tokenizer
from tokenizer.build import core_pattern, measure_hf, train_hf_bpe
from tokenizer.registry import LANGUAGES
from tokenizer.metrics import Metrics, evaluate, measure
from tokenizer.pretokenize import Pattern

from . import common
from . import validation_sets as vs

CACHE = Path(os.environ.get("OOD_CACHE", Path.home() / ".cache" / "indic-tokenizer-bench"))
LLM_DIR = common.ROOT.parent / "shared" / "reftok" / "llm"
SETS = ("valid", "ood", "published")


def recipe_of(lang: str) -> str:
    return LANGUAGES[lang].recipe if lang in LANGUAGES else "brahmic-curriculum"


def set_lines(lang: str, name: str) -> tuple[str, ...]:
    """"valid", "ood", "published" (the OOD segments that are not NFC as published, in their published
    form: vs.published_lines), or "ood:<source>" (one source of a multi-source OOD set)."""
    if name == "valid":
        return vs.corpus_lines(lang, "valid")
    if name == "ood":
        return vs.ood_lines(lang)
    if name == "published":
        return vs.published_lines(lang)
    return vs.ood_by_source(lang).get(name.split(":", 1)[1], ())


def sets_of(lang: str, per_source: bool = False) -> list[str]:
    names = [s for s in SETS if set_lines(lang, s)]
    sources = vs.ood_by_source(lang)
    if per_source and len(sources) > 1:
        names += [f"ood:{label}" for label in sources]
    return names


def _key(*parts: str | bytes) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else p.encode("utf-8"))
        h.update(b"\0")
    return h.hexdigest()[:20]


def baseline(lang: str, vocab_size: int = tokenizer.VOCAB_CAP, pattern: str | None = None):
    """The HF BpeTrainer baseline on the full corpus (cached); returns a tokenizers.Tokenizer."""
    return hf_bpe(lang, vs.corpus_lines(lang, "all"), baseline_pattern(lang, pattern), vocab_size)


def baseline_pattern(lang: str, pattern: str | None = None) -> Pattern:
    """The baseline's pre-split: the core pattern of the language's recipe, unless one is given."""
    return core_pattern(recipe_of(lang)) if pattern is None else tokenizer.get_pattern(pattern)


def hf_bpe(lang: str, lines: Sequence[str], pat: Pattern, vocab_size: int):
    """HF BpeTrainer on these lines, cached under CACHE by their text (a rerun only loads it)."""
    from tokenizers import Tokenizer as HfTokenizer

    key = _key("hf-bpe", pat.regex, str(vocab_size), "\n".join(lines))
    path = CACHE / f"hf-{lang}-{key}.json"
    if path.exists():
        return HfTokenizer.from_file(str(path))
    hf = train_hf_bpe(lines, pat, vocab_size)
    CACHE.mkdir(parents=True, exist_ok=True)
    hf.save(str(path))
    return hf


def measure_ours(tok: tokenizer.Tokenizer, lang: str, per_source: bool = False) -> dict[str, Metrics]:
    return {s: evaluate(tok, set_lines(lang, s)) for s in sets_of(lang, per_source)}


def measure_baseline(hf, lang: str, per_source: bool = False) -> dict[str, Metrics]:
    return {s: measure_hf(hf, list(set_lines(lang, s))) for s in sets_of(lang, per_source)}


def rows_for(
    lang: str, name: str, ours: dict[str, Metrics], base: dict[str, Metrics]
) -> list[dict]:
    rows = []
    for s, m in ours.items():
        b = base[s]
        rows.append({
            "lang": lang, "tokenizer": name, "set": s,
            "lines": m.lines, "bytes/token": m.bytes_per_token, "baseline b/t": b.bytes_per_token,
            "ratio": round(m.bytes_per_token / b.bytes_per_token, 4), "chars/token": m.chars_per_token,
            "tokens/word": m.tokens_per_word, "mid-akshara": round(m.mid_akshara_rate, 4),
            "baseline mid-akshara": round(b.mid_akshara_rate, 4),
        })
    return rows


COLUMNS = ["lang", "tokenizer", "set", "lines", "bytes/token", "baseline b/t", "ratio", "ratio 95%", "chars/token",
           "tokens/word", "mid-akshara", "baseline mid-akshara"]
RESAMPLES = 1000


def ratio_interval(tok: tokenizer.Tokenizer, hf, lines: Sequence[str],
                   documents: Sequence[tuple[str, str]] | None = None, resamples: int = RESAMPLES,
                   seed: int = 0) -> tuple[float, float]:
    """A 95% interval of ours ÷ the baseline in bytes per token (the bytes cancel: the ratio is the
    baseline's tokens ÷ ours), over the text resampled with replacement, 1,000 times.

    `documents` gives each line's (source, document) (vs.ood_documents): documents are resampled,
    not lines, since the lines of one story say much the same, and within each source, since a set's
    mix of sources is fixed by design. Without it every line is a document of one source."""
    import numpy as np

    if documents is None:
        documents = [("", str(i)) for i in range(len(lines))]
    if len(documents) != len(lines):
        raise ValueError(f"{len(documents)} documents for {len(lines)} lines")
    kept = [(x, d) for x, d in zip((line.rstrip("\r\n") for line in lines), documents) if x]  # as `measure`
    texts = [x for x, _ in kept]
    ours = [len(ids) for ids in tok.encode_ordinary_batch(texts)]
    base = [len(e.ids) for e in hf.encode_batch(texts, add_special_tokens=False)]
    totals: dict[str, dict[str, list[int]]] = {}  # source -> document -> [our tokens, the baseline's]
    for (_, (source, doc)), o, b in zip(kept, ours, base):
        t = totals.setdefault(source, {}).setdefault(doc, [0, 0])
        t[0] += o
        t[1] += b
    rng = np.random.default_rng(seed)
    mine, theirs = np.zeros(resamples), np.zeros(resamples)
    for docs in totals.values():
        counts = np.array(list(docs.values()), dtype=float)
        picks = rng.integers(0, len(counts), size=(resamples, len(counts)))
        mine += counts[picks, 0].sum(axis=1)
        theirs += counts[picks, 1].sum(axis=1)
    low, high = np.percentile(theirs / mine, [2.5, 97.5])
    return round(float(low), 4), round(float(high), 4)


def documents_of(lang: str, name: str) -> list[tuple[str, str]] | None:
    """Each line's (source, document) in a set: the valid split's corpus documents, the OOD set's
    stories and documents, and blocks of neighbouring lines of a sentence list (vs.ood_documents);
    None (every line on its own) for the published lines."""
    if name == "valid":
        return [("", doc) for doc, _ in vs.corpus_line_documents(lang, "valid")]
    if name == "ood":
        return list(vs.ood_documents(lang))
    if name.startswith("ood:"):
        return [d for d in vs.ood_documents(lang) if d[0] == name.split(":", 1)[1]]
    return None


def with_intervals(rows: list[dict], tok: tokenizer.Tokenizer, hf, lang: str) -> list[dict]:
    """The rows with the 95% interval of their ratio ("ratio 95%": [low, high])."""
    return [r | {"ratio 95%": list(ratio_interval(tok, hf, set_lines(lang, r["set"]), documents_of(lang, r["set"])))}
            for r in rows]


# ----- open LLM tokenizers, loaded as users load them (offline copies) ------------------------------
@lru_cache(maxsize=None)
def llm_tokenize(name: str) -> Callable[[str], Sequence[bytes]]:
    """Gemma 3 from its tokenizer.json with `tokenizers` (SentencePiece-style: byte-fallback pieces
    and '▁' for spaces map back to the text's bytes)."""
    from tokenizers import Tokenizer as HfTokenizer

    if name != "gemma3":
        raise ValueError(f"unknown LLM tokenizer {name!r}")
    with gzip.open(LLM_DIR / "gemma3_tokenizer.json.gz", "rb") as f:
        hf = HfTokenizer.from_str(f.read().decode("utf-8"))

    def pieces(line: str) -> list[bytes]:
        enc = hf.encode(line, add_special_tokens=False)
        out = []
        for (start, end), tok in zip(enc.offsets, enc.tokens):
            if tok.startswith("<0x") and tok.endswith(">") and len(tok) == 6:
                out.append(bytes([int(tok[3:5], 16)]))
            else:
                out.append(line[start:end].encode("utf-8"))
        return _fix_byte_pieces(line, out)

    return pieces


def _fix_byte_pieces(line: str, pieces: list[bytes]) -> list[bytes]:
    """The line's bytes cut at the pieces' lengths: byte-fallback tokens of one character all carry
    that character's offsets, so only their lengths (one byte each) are trusted."""
    data = line.encode("utf-8")
    out, pos = [], 0
    for p in pieces:
        n = len(p)
        out.append(data[pos : pos + n])
        pos += n
    if pos != len(data):
        raise ValueError("LLM token offsets do not cover the line")
    return out


def main() -> None:
    p = common.parser(__doc__, vs.ALL_LANGS, [x for x in vs.ALL_LANGS if x in LANGUAGES])  # the six of issue 18 too
    p.add_argument("--recipe", help="train this registered recipe on the training split (not the shipped model)")
    p.add_argument("--llm", action="store_true", help="also measure Gemma 3 (the moonshot) on the same sets")
    args = p.parse_args()
    common.report_load()
    rows, llm_rows = [], []
    for lang in args.lang:
        if args.recipe:
            tok = tokenizer.train(vs.corpus_lines(lang, "train"), args.vocab_size, recipe=args.recipe, quiet=True)
            name = args.recipe
        elif common.model_path(lang).exists():
            tok, name = tokenizer.load(common.model_path(lang)), "shipped"
        else:
            print(f"{lang}: no shipped model; use --recipe")
            continue
        hf = baseline(lang, args.vocab_size)
        rows += with_intervals(rows_for(lang, name, measure_ours(tok, lang, True), measure_baseline(hf, lang, True)),
                               tok, hf, lang)
        if args.llm:
            for s in SETS:
                lines = set_lines(lang, s)
                if lines:
                    m = measure(lines, llm_tokenize("gemma3"), 262144)
                    ours = next(r for r in rows if r["lang"] == lang and r["set"].split(" ")[0] == s)
                    llm_rows.append({"lang": lang, "set": s, "gemma3 b/t": m.bytes_per_token,
                                     "ours b/t": ours["bytes/token"],
                                     "ours / gemma3": round(ours["bytes/token"] / m.bytes_per_token, 4),
                                     "gemma3 mid-akshara": round(m.mid_akshara_rate, 4)})
        common.print_table([r for r in rows if r["lang"] == lang], COLUMNS, f"{lang}")
    common.print_table(rows, COLUMNS, "all")
    if llm_rows:
        common.print_table(llm_rows, list(llm_rows[0]), "Gemma 3 (262,144 ids) on the same sets")
    tag = f"ood-{args.recipe}" if args.recipe else "ood"
    common.write_results(tag, {"vocab_size": args.vocab_size, "rows": rows, "gemma3": llm_rows})


if __name__ == "__main__":
    main()
