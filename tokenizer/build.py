"""Build the shipped models: train Hindi and Kannada on the embedded corpus, measure, report.

This is the project's main job (`python -m tokenizer build`): for each language it trains a
5,000-token model on the training split, writes models/<lang>.model and .vocab, measures it on
the valid and test splits, measures GPT-2, GPT-4 and GPT-4o on the same valid text, writes
models/<lang>.metrics.json, and regenerates the README metrics table from those files.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from . import openai
from .corpus import load_corpus
from .files import write_atomic
from .metrics import Metrics, compression_curve, evaluate, measure
from .model_file import checksum, save
from .report import update_readme
from .train import DEFAULT_RECIPE, VOCAB_CAP, train


def measure_encoding(name: str, lines: list[str]) -> Metrics:
    """Metrics of a tiktoken encoding on lines (raises openai.EncodingUnavailable)."""
    enc = openai.load_encoding(name)
    return measure(lines, lambda line: [enc.decode_single_token_bytes(t) for t in enc.encode_ordinary(line)], enc.n_vocab)


def build_language(
    lang: str,
    models_dir: Path,
    *,
    vocab_size: int = VOCAB_CAP,
    recipe: str = DEFAULT_RECIPE,
    curve_every: int = 50,
    quiet: bool = False,
) -> dict:
    corpus = load_corpus(lang)
    start = time.perf_counter()
    tok = train(corpus.train_texts(), vocab_size, recipe=recipe, quiet=quiet, name=lang)
    seconds = time.perf_counter() - start
    model_path = models_dir / f"{lang}.model"
    save(tok, model_path)
    valid = corpus.held_out_lines("valid")
    test = corpus.held_out_lines("test")
    result = {"model": model_path.name, "checksum": checksum(tok), "data": corpus.describe(), "split": "valid"}
    result["recipe"] = recipe
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
    write_atomic(models_dir / f"{lang}.metrics.json", json.dumps(result, ensure_ascii=False, indent=1) + "\n")
    return result


def build(langs: list[str], models_dir: str | Path, readme: str | Path | None, **kwargs) -> dict[str, dict]:
    models_dir = Path(models_dir)
    results = {lang: build_language(lang, models_dir, **kwargs) for lang in langs}
    if readme is not None and Path(readme).exists():
        update_readme(readme, models_dir)
    return results
