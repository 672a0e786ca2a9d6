"""Why does the lead shrink out of domain? A check of the template hypothesis (issue 19).

The hypothesis: the phrase tokens (multi-word tokens of the last training stage) fit Wikipedia's
recurring templates (bot-made village stubs, cricket score lines, infobox phrasing) better than
the language, so they pay in domain and not outside. For each language this measures, with the
language's recipe trained on the training split (bench/generalise.py's `today`, the shipped model
where the split did not change):

- phrase tokens: how many, and how much of the text they cover in training, in valid and out of
  domain (tokens per 1,000 words; share of the bytes);
- where they come from: the share of their training occurrences that fall in template lines
  (bench.generalise.template_lines) against the share of all training bytes that are template
  lines, and their document frequency (distinct training documents that use them);
- what they are worth: bytes/token of the model against the same model with every phrase merge
  removed (words only), in domain and out of domain; and the recipe retrained without a phrase
  stage (phrases@1.0), which spends those ids on words instead;
- the most used phrase tokens, with their document frequency and template share.

    python -m bench.phrase_diagnosis --lang hi mr te     # -> bench/results/phrase_diagnosis.json
"""

from __future__ import annotations

from collections import Counter

import tokenizer
from tokenizer.registry import LANGUAGES
from tokenizer.metrics import evaluate

from . import common, generalise, ood
from . import validation_sets as vs


def words_only(tok: tokenizer.Tokenizer) -> tokenizer.Tokenizer:
    """The same merges without those that make a multi-word token (and, hence, any built on one)."""
    ordered = sorted(tok.merges.items(), key=lambda kv: kv[1])
    new_id: dict[int, int] = {i: i for i in range(256)}
    merges: dict[tuple[int, int], int] = {}
    for (a, b), i in ordered:
        if a in new_id and b in new_id and generalise.words_in(tok.decode_single_token_bytes(i)) <= 1:
            new_id[i] = 256 + len(merges)
            merges[(new_id[a], new_id[b])] = new_id[i]
    specials = {s: 256 + len(merges) + k for k, s in enumerate(tok.special_tokens)}
    return tokenizer.Tokenizer(merges, tok.pattern, specials, name=tok.name + "-words-only")


def usage(tok: tokenizer.Tokenizer, lines, phrase_ids: set[int]) -> tuple[Counter[int], float, float]:
    """Phrase-token counts over lines, phrase tokens per 1,000 words, and the share of bytes they cover."""
    counts: Counter[int] = Counter()
    covered = total = words = 0
    for line, ids in zip(lines, tok.encode_ordinary_batch(list(lines))):
        words += len(line.split())
        total += len(line.encode("utf-8"))
        for i in ids:
            if i in phrase_ids:
                counts[i] += 1
                covered += len(tok.decode_single_token_bytes(i))
    n = sum(counts.values())
    return counts, round(1000 * n / max(1, words), 2), round(covered / max(1, total), 4)


def diagnose(lang: str) -> dict:
    tok, _ = generalise.trained(lang, generalise.experiment_named("today"))
    no_phrase, _ = generalise.trained(lang, generalise.experiment_named("phrases@1.0"))
    phrase_ids = {i for i in range(256, 256 + len(tok.merges)) if generalise.words_in(tok.decode_single_token_bytes(i)) > 1}
    docs = generalise.train_documents(lang)
    templates = generalise.template_lines(docs)
    train_lines = [line for d in docs for line in d]
    template_bytes = sum(len(x.encode("utf-8")) for x in train_lines if x in templates)
    all_bytes = sum(len(x.encode("utf-8")) for x in train_lines)

    # training occurrences, split by template lines, and document frequency
    occ: Counter[int] = Counter()
    occ_template: Counter[int] = Counter()
    doc_freq: Counter[int] = Counter()
    n_docs = 0
    for d in docs:
        n_docs += 1
        seen: set[int] = set()
        for line, ids in zip(d, tok.encode_ordinary_batch(list(d))):
            for i in ids:
                if i in phrase_ids:
                    occ[i] += 1
                    seen.add(i)
                    if line in templates:
                        occ_template[i] += 1
        doc_freq.update(seen)
    total_occ = sum(occ.values())

    out = {
        "lang": lang,
        "phrase tokens": len(phrase_ids),
        "template lines, share of training bytes": round(template_bytes / all_bytes, 4),
        "phrase occurrences in template lines": round(sum(occ_template.values()) / max(1, total_occ), 4),
        "phrase tokens used in < 1% of documents (share of phrase occurrences)": round(
            sum(c for i, c in occ.items() if doc_freq[i] < 0.01 * n_docs) / max(1, total_occ), 4),
        "median document frequency of phrase tokens (share of documents)": round(
            sorted(doc_freq[i] for i in phrase_ids)[len(phrase_ids) // 2] / n_docs, 4) if phrase_ids else 0.0,
    }
    _, per_k, share = usage(tok, train_lines, phrase_ids)
    out["train: phrase tokens per 1k words"], out["train: bytes in phrase tokens"] = per_k, share
    wo = words_only(tok)
    sets = {s: ood.set_lines(lang, s) for s in ood.SETS if ood.set_lines(lang, s)}
    used = {}
    for s, lines in sets.items():
        used[s], per_k, share = usage(tok, lines, phrase_ids)
        out[f"{s}: phrase tokens per 1k words"], out[f"{s}: bytes in phrase tokens"] = per_k, share
        full, words, retrained = evaluate(tok, lines), evaluate(wo, lines), evaluate(no_phrase, lines)
        gain_merges = full.bytes_per_token / words.bytes_per_token
        gain_stage = full.bytes_per_token / retrained.bytes_per_token
        out[f"{s}: gain of the phrase merges (vs same model without them)"] = round(gain_merges, 4)
        out[f"{s}: gain of the phrase stage (vs retrained without it)"] = round(gain_stage, 4)
    top = []
    for i, c in occ.most_common(15):
        top.append({
            "token": tok.decode_single_token_bytes(i).decode("utf-8", errors="replace"),
            "train uses": c, "documents": doc_freq[i], "in template lines": round(occ_template[i] / c, 3),
            **{f"{s} per 1k lines": round(1000 * used[s][i] / len(sets[s]), 1) for s in sets},
        })
    out["top phrase tokens"] = top
    return out


SUMMARY = [
    "lang", "phrase tokens", "template lines, share of training bytes", "phrase occurrences in template lines",
    "train: bytes in phrase tokens", "valid: bytes in phrase tokens", "ood: bytes in phrase tokens",
    "valid: gain of the phrase merges (vs same model without them)",
    "ood: gain of the phrase merges (vs same model without them)",
    "valid: gain of the phrase stage (vs retrained without it)",
    "ood: gain of the phrase stage (vs retrained without it)",
]


def main() -> None:
    p = common.parser(__doc__, vs.ALL_LANGS, [x for x in vs.ALL_LANGS if x in LANGUAGES])
    args = p.parse_args()
    results = []
    for lang in args.lang:
        r = diagnose(lang)
        results.append(r)
        print(f"\n{lang}: {r['phrase tokens']} phrase tokens; the most used:")
        common.print_table(r["top phrase tokens"], list(r["top phrase tokens"][0]) if r["top phrase tokens"] else [])
    short = {k: k.split(" (")[0].replace("phrase ", "phr. ") for k in SUMMARY}
    common.print_table([{short[k]: r.get(k) for k in SUMMARY} for r in results], list(short.values()), "summary")
    common.write_results("phrase_diagnosis", {"languages": results})


if __name__ == "__main__":
    main()
