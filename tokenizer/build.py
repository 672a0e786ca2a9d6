"""Build the shipped models: train every language of the registry on its embedded corpus, measure, report.

This is the project's main job (`python -m tokenizer build`): for each language it trains a
5,000-token model with the language's recipe (tokenizer.registry) on the training split, writes
models/<lang>.model and .vocab, measures it on the valid and test splits, measures GPT-2, GPT-4
and GPT-4o on the same valid text and an HF `BpeTrainer` baseline trained here on the same
training text with the same total vocabulary, writes models/<lang>.metrics.json, and regenerates
the README metrics table (and docs/languages.md) from those files.

The HF baseline splits with our core pre-split of the recipe's family (e.g. `indic` or `brahmic`,
exported through `hf.onig_regex`, so both engines cut the text identically); it is the plain-BPE
twin of our model, and `ratio_to_hf_bpe` says how many more bytes per token ours gets. Where the
language has an out-of-domain validation set (data/validation/, never trained on), the model is
measured on it too, against a second baseline trained on the whole corpus (every split).
"""

from __future__ import annotations

import itertools
import json
import time
from collections.abc import Sequence
from pathlib import Path

from . import openai
from .corpus import load_corpus, validation_set
from .encoding import ENDOFTEXT
from .files import write_atomic
from .metrics import Metrics, compression_curve, evaluate, measure
from .model_file import checksum, save
from .pretokenize import Pattern, get_pattern
from .registry import RELEASES, get_language, get_recipe
from .report import HF_BPE, HF_BPE_FULL, update_docs, update_readme
from .train import VOCAB_CAP, train


def measure_encoding(name: str, lines: list[str]) -> Metrics:
    """Metrics of a tiktoken encoding on lines (raises openai.EncodingUnavailable)."""
    enc = openai.load_encoding(name)
    return measure(lines, lambda line: [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary(line)], enc.n_vocab)


def core_pattern(recipe: str) -> Pattern:
    """The word-level pre-split of a recipe's family, without the phrase/punctuation extras of its
    last stage (curriculum -> `indic`, brahmic-curriculum -> `brahmic`)."""
    return get_pattern(get_recipe(recipe).core)


def hf_bpe(pattern: Pattern):
    """An untrained HF `tokenizers` BPE with our pre-split (rewritten for Oniguruma, so that it splits as
    ours does; isolated) and the byte-level mapping: the one HF baseline builder (build, bench)."""
    from tokenizers import Regex, decoders, models, pre_tokenizers
    from tokenizers import Tokenizer as HfTokenizer

    from .hf import onig_regex

    hf = HfTokenizer(models.BPE())
    hf.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(onig_regex(pattern.regex)), behavior="isolated"),
            pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
        ]
    )
    hf.decoder = decoders.ByteLevel()
    return hf


def fit_hf_bpe(hf, lines: Sequence[str], vocab_size: int):
    """Train `hf` (from hf_bpe) with BpeTrainer; vocab_size counts bytes, merges and <|endoftext|>, as ours does."""
    from tokenizers import pre_tokenizers, trainers

    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=[ENDOFTEXT],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    hf.train_from_iterator(lines, trainer=trainer, length=len(lines))
    return hf


def train_hf_bpe(lines: Sequence[str], pattern: Pattern, vocab_size: int):
    """HF `tokenizers` BpeTrainer on lines with our pre-split. Returns a tokenizers.Tokenizer."""
    return fit_hf_bpe(hf_bpe(pattern), lines, vocab_size)


def measure_hf(hf, lines: list[str]) -> Metrics:
    """Metrics of an HF byte-level tokenizer; its token strings map back to bytes by the GPT-2 table."""
    from .hf import bytes_to_unicode

    back = {ch: b for b, ch in bytes_to_unicode().items()}
    return measure(
        lines,
        lambda line: [bytes(back[c] for c in t) for t in hf.encode(line, add_special_tokens=False).tokens],
        hf.get_vocab_size(),
    )


def build_language(
    lang: str,
    models_dir: Path,
    *,
    vocab_size: int = VOCAB_CAP,
    recipe: str | None = None,
    curve_every: int = 50,
    quiet: bool = False,
    max_train_lines: int | None = None,
) -> dict:
    """Train, save and measure one language; `max_train_lines` trains on a slice (for tests)."""
    language = get_language(lang)
    recipe = recipe or language.recipe
    corpus = load_corpus(lang)
    lines = list(itertools.islice(corpus.train_texts(), max_train_lines))
    start = time.perf_counter()
    tok = train(lines, vocab_size, recipe=recipe, quiet=quiet, name=language.model_name)
    tok.release = language.release
    seconds = time.perf_counter() - start
    model_path = models_dir / language.model
    save(tok, model_path)
    valid = corpus.held_out_lines("valid")
    test = corpus.held_out_lines("test")
    data = corpus.describe() + (f"; the first {len(lines):,} training lines only" if max_train_lines else "")
    result = {"language": language.name, "model": model_path.name, "release": tok.release, "checksum": checksum(tok),
              "data": data}
    if (lang, tok.release) in RELEASES:
        result["release_note"] = RELEASES[lang, tok.release]
    result |= {"source": language.describe_sources(), "split": "valid", "recipe": recipe}
    result["pattern"] = tok.pattern.name
    result |= evaluate(tok, valid).as_dict()
    result["train_seconds"] = round(seconds, 1)
    result["test"] = evaluate(tok, test).as_dict()
    result["curve"] = compression_curve(tok, valid, curve_every)
    result["baselines"] = {}
    for name in openai.ENCODINGS:
        try:
            result["baselines"][name] = measure_encoding(name, valid).as_dict()
        except openai.EncodingUnavailable as e:
            result.setdefault("unavailable", {})[name] = str(e)
    pattern = core_pattern(recipe)
    hf = train_hf_bpe(lines, pattern, tok.vocab_size)
    hf_valid, hf_test = measure_hf(hf, valid), measure_hf(hf, test)
    result["baselines"][HF_BPE] = hf_valid.as_dict() | {"pattern": pattern.name, "test": hf_test.as_dict()}
    result["ratio_to_hf_bpe"] = {
        "valid": round(result["bytes_per_token"] / hf_valid.bytes_per_token, 4),
        "test": round(result["test"]["bytes_per_token"] / hf_test.bytes_per_token, 4),
    }
    ood = validation_set(lang)
    if ood and max_train_lines is None:
        # Out of domain: against a baseline trained on the whole corpus (held-out splits included),
        # the strongest same-vocabulary BPE the embedded text allows (issue 19's yardstick).
        texts = [text for _, text in ood]
        result["ood"] = evaluate(tok, texts).as_dict() | {
            "set": language.validation, "sources": sorted({source for source, _ in ood})
        }
        hf_full = measure_hf(train_hf_bpe(list(corpus.all_texts()), pattern, tok.vocab_size), texts)
        result["baselines"][HF_BPE_FULL] = hf_full.as_dict() | {"pattern": pattern.name, "on": "ood"}
        result["ratio_to_hf_bpe"]["ood"] = round(result["ood"]["bytes_per_token"] / hf_full.bytes_per_token, 4)
    write_atomic(models_dir / f"{lang}.metrics.json", json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return result


def build(
    langs: list[str],
    models_dir: str | Path,
    readme: str | Path | None,
    docs: str | Path | None = None,
    **kwargs,
) -> dict[str, dict]:
    """Build each language, then regenerate the README table and docs/languages.md (when given and present)."""
    models_dir = Path(models_dir)
    results = {lang: build_language(lang, models_dir, **kwargs) for lang in langs}
    if readme is not None and Path(readme).exists():
        update_readme(readme, models_dir)
    if docs is not None:
        update_docs(docs, models_dir)
    return results
