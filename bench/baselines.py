"""Held-out compression of our tokenizer against other tokenizers with the same total vocabulary.

Every same-vocabulary tokenizer is trained here on the same cleaned training lines
(`corpus.train_texts()` of the embedded corpus) with a total vocabulary of --vocab-size ids,
counting bytes, merges/pieces and special/meta tokens alike:
  ours         tokenizer.train (byte-level BPE, akshara-aware pre-split)
  hf-bpe       Hugging Face `tokenizers` BpeTrainer with OUR pre-split regex + ByteLevel
  sp-bpe       sentencepiece BPE, byte_fallback, identity normalization, no dummy prefix
  sp-unigram   sentencepiece unigram, same settings
GPT-2, GPT-4 and GPT-4o are shown for orientation at their own (much larger) vocabularies.

All numbers come from tokenizer.metrics.measure on both held-out splits (valid, test): each raw
line encoded on its own; a tokenizer's pieces must join to the line's exact bytes (lines that do
not are counted and reported, and measured with the pieces they got).

Run from the repository root (sentencepiece unigram takes a few minutes per language):
    python -m bench.baselines                       # every language -> bench/results/baselines.json
    python -m bench.baselines --lang kn --no-unigram --no-openai
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from tokenizer.metrics import measure
from tokenizer.openai import ENCODINGS, EncodingUnavailable, load_encoding
from tokenizer.pretokenize import Pattern

from . import common

Tokenize = Callable[[str], list[bytes]]
SAME_VOCAB = ("hf-bpe", "sp-bpe", "sp-unigram")


@dataclass
class Candidate:
    name: str
    vocab_size: int
    tokenize: Tokenize
    train_seconds: float | None = None
    notes: list[str] = field(default_factory=list)


def ours(lang: str, vocab_size: int, pattern: str, use_saved: bool) -> tuple[Candidate, Pattern]:
    if use_saved:
        tok, source = common.our_model(lang, vocab_size, pattern, use_saved=True)
        seconds = None
    else:
        (tok, seconds), source = common.train_ours(lang, vocab_size, pattern), "trained here"
    tokenize: Tokenize = lambda s: [tok.decode_single_token_bytes(i) for i in tok.encode_ordinary(s)]
    note = f"ours: {source}, pattern {tok.pattern.name}"
    return Candidate("ours", tok.vocab_size, tokenize, seconds, [note]), tok.pattern


def hf_bpe(lang: str, vocab_size: int, pattern: Pattern, ours: Tokenize) -> Candidate:
    hf, seconds = common.timed(lambda: common.train_hf(common.train_lines(lang), pattern, vocab_size))
    tokenize: Tokenize = lambda s: list(map(common.byte_level_to_bytes, hf.encode(s, add_special_tokens=False).tokens))
    lines = [line for split in common.SPLITS for line in common.held_out(lang, split)]
    presplit_differs = sum(  # Oniguruma (HF) and `regex` (ours) should cut the text identically
        [common.byte_level_to_bytes(p) for p, _ in hf.pre_tokenizer.pre_tokenize_str(line)]
        != [c.encode("utf-8") for c in pattern.split(line)]
        for line in lines
    )
    same_tokens = sum(tokenize(line) == ours(line) for line in lines)
    return Candidate("hf-bpe", hf.get_vocab_size(), tokenize, seconds, [
        f"hf-bpe: pre-split differs from ours on {presplit_differs} of {len(lines)} held-out lines",
        f"hf-bpe: tokens identical to ours on {same_tokens} of {len(lines)} held-out lines",
    ])  # fmt: skip


def sentencepiece(lang: str, vocab_size: int, model_type: str, workdir: Path) -> Candidate:
    import sentencepiece as spm

    lines = common.train_lines(lang)
    text_file = workdir / f"{lang}.train.txt"
    text_file.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    prefix = workdir / f"{lang}.{model_type}"
    settings = dict(
        model_type=model_type,
        vocab_size=vocab_size,
        character_coverage=1.0,
        byte_fallback=True,
        normalization_rule_name="identity",
        add_dummy_prefix=False,
        remove_extra_whitespaces=False,
        max_sentence_length=max(len(line.encode("utf-8")) for line in lines) + 1,
        num_threads=2,
        minloglevel=2,
    )
    _, seconds = common.timed(
        lambda: spm.SentencePieceTrainer.train(input=str(text_file), model_prefix=str(prefix), **settings)
    )
    sp = spm.SentencePieceProcessor(model_file=f"{prefix}.model")
    piece_bytes = [
        bytes([int(sp.id_to_piece(i)[3:5], 16)]) if sp.is_byte(i) else sp.id_to_piece(i).replace("▁", " ").encode()
        for i in range(sp.get_piece_size())
    ]
    return Candidate(f"sp-{model_type}", sp.get_piece_size(), lambda s: [piece_bytes[i] for i in sp.encode(s)], seconds)


def openai(name: str) -> Candidate | str:
    try:
        enc = load_encoding(name)
    except EncodingUnavailable as e:
        return str(e)
    return Candidate(name, enc.n_vocab, lambda s: [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary(s)])


def evaluate(candidate: Candidate, lang: str, split: str) -> dict:
    """Metrics on one split; lines whose pieces do not join to the line's bytes are counted."""
    broken: list[str] = []

    def checked(line: str) -> list[bytes]:
        pieces = candidate.tokenize(line)
        if b"".join(pieces) != line.encode("utf-8"):
            broken.append(line)
            # keep the token count; spread the line's bytes so boundaries stay measurable
            data, n = line.encode("utf-8"), len(pieces)
            cuts = [round(k * len(data) / n) for k in range(n + 1)]
            pieces = [data[a:b] for a, b in zip(cuts, cuts[1:])]
        return pieces

    m = measure(common.held_out(lang, split), checked, candidate.vocab_size)
    return {
        "lang": lang,
        "split": split,
        "tokenizer": candidate.name,
        "vocab_size": candidate.vocab_size,
        "bytes/token": m.bytes_per_token,
        "chars/token": m.chars_per_token,
        "tokens/word": m.tokens_per_word,
        "mid-akshara rate": m.mid_akshara_rate,
        "train s": None if candidate.train_seconds is None else round(candidate.train_seconds, 2),
        "lines not round-tripping": len(broken),
        "metrics": m.as_dict(),
        "example_not_round_tripping": broken[0] if broken else None,
    }


def main() -> None:
    p = common.parser(__doc__)
    p.add_argument("--saved", action="store_true", help="evaluate models/{lang}.model instead of training ours here")
    p.add_argument("--no-unigram", action="store_true", help="skip sentencepiece unigram (the slowest)")
    p.add_argument("--no-openai", action="store_true", help="skip GPT-2 / GPT-4 / GPT-4o")
    args = p.parse_args()

    rows: list[dict] = []
    notes: list[str] = []
    ratios: list[dict] = []
    for lang in args.lang:
        print(f"[{lang}] training ...", flush=True)
        mine, pattern = ours(lang, args.vocab_size, args.pattern, args.saved)
        candidates = [mine, hf_bpe(lang, args.vocab_size, pattern, mine.tokenize)]
        with tempfile.TemporaryDirectory() as tmp:
            for model_type in ("bpe",) if args.no_unigram else ("bpe", "unigram"):
                candidates.append(sentencepiece(lang, args.vocab_size, model_type, Path(tmp)))
        for name in () if args.no_openai else ENCODINGS:
            got = openai(name)
            candidates.append(got) if isinstance(got, Candidate) else notes.append(got)
        for c in candidates:
            notes.extend(f"[{lang}] {n}" for n in c.notes)
        for split in common.SPLITS:
            split_rows = [evaluate(c, lang, split) for c in candidates]
            rows.extend(split_rows)
            same = [r for r in split_rows if r["tokenizer"] in SAME_VOCAB]
            best = max(same, key=lambda r: r["bytes/token"])
            ours_row = split_rows[0]
            ratios.append({
                "lang": lang, "split": split, "best same-vocab baseline": best["tokenizer"],
                "ours bytes/token": ours_row["bytes/token"], "best bytes/token": best["bytes/token"],
                "ours / best": round(ours_row["bytes/token"] / best["bytes/token"], 4),
                "ours mid-akshara": ours_row["mid-akshara rate"], "best mid-akshara": best["mid-akshara rate"],
            })  # fmt: skip

    columns = ["lang", "split", "tokenizer", "vocab_size", "bytes/token", "chars/token", "tokens/word",
               "mid-akshara rate", "train s", "lines not round-tripping"]  # fmt: skip
    common.print_table(rows, columns, "Held-out compression (each line encoded on its own)")
    common.print_table(ratios, list(ratios[0]), "Ours vs the best same-vocabulary baseline (bytes/token)")
    for note in notes:
        print(f"note: {note}")
    common.write_results("baselines", {"vocab_size": args.vocab_size, "pattern": args.pattern,
                                       "rows": rows, "ratios": ratios, "notes": notes})  # fmt: skip


if __name__ == "__main__":
    main()
