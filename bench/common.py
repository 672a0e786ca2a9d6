"""Shared plumbing for the benchmark scripts: corpora, our model, HF byte-level helpers, timing,
tables and JSON results. Nothing here measures anything by itself.

Run the scripts from the repository root as modules, e.g. ``python -m bench.baselines``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import sys
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any, TypeVar

import tokenizer
from tokenizer import build
from tokenizer.corpus import Corpus, load_corpus
from tokenizer.hf import bytes_to_unicode
from tokenizer.model_file import models_dir
from tokenizer.openai import TIKTOKEN_DIR_ENV
from tokenizer.pretokenize import Pattern
from tokenizer.registry import CODES, LANGUAGES, RECIPES

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
SPLITS = ("valid", "test")
# Offline copies of the OpenAI .tiktoken files, when the checkout sits beside the shared folder.
DEFAULT_TIKTOKEN_DIR = ROOT.parent / "shared" / "reftok" / "openai"


def use_offline_encodings() -> None:
    """Load the GPT encodings from DEFAULT_TIKTOKEN_DIR when it exists and the caller has not chosen
    a directory ($INDIC_TOKENIZER_TIKTOKEN_DIR). Called by a script, never on import."""
    if TIKTOKEN_DIR_ENV not in os.environ and DEFAULT_TIKTOKEN_DIR.is_dir():
        os.environ[TIKTOKEN_DIR_ENV] = str(DEFAULT_TIKTOKEN_DIR)


# ----- command line ------------------------------------------------------------------------------
def parser(doc: str | None, langs: Sequence[str] = CODES, default: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """An argument parser with the options every script shares: --lang, --vocab-size, --pattern
    (and the GPT encodings offline where there are local copies)."""
    use_offline_encodings()
    p = argparse.ArgumentParser(description=doc, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", nargs="+", choices=langs, default=list(langs if default is None else default),
                   help="languages (default: %(default)s)")
    p.add_argument("--vocab-size", type=int, default=tokenizer.VOCAB_CAP, help="total ids (default: %(default)s)")
    p.add_argument("--pattern", help="our pre-split pattern (default: the core pattern of each language's recipe)")
    return p


# ----- data and models ---------------------------------------------------------------------------
@lru_cache(maxsize=None)
def corpus(lang: str) -> Corpus:
    return load_corpus(lang)


@lru_cache(maxsize=None)
def train_lines(lang: str) -> tuple[str, ...]:
    """The cleaned training lines, held in memory so every trainer sees identical input."""
    return tuple(corpus(lang).train_texts())


@lru_cache(maxsize=None)
def held_out(lang: str, split: str) -> tuple[str, ...]:
    return tuple(corpus(lang).held_out_lines(split))  # type: ignore[arg-type]


def utf8_size(lines: Iterable[str]) -> int:
    return sum(len(line.encode("utf-8")) for line in lines)


def pattern_for(lang: str, given: str | None) -> str:
    """The pattern asked for, else the core (word-level) pattern of the language's recipe."""
    return given or RECIPES[LANGUAGES[lang].recipe].core


def train_ours(lang: str, vocab_size: int, pattern: str | None) -> tuple[tokenizer.Tokenizer, float]:
    """Our tokenizer trained on the training lines, and the training seconds."""
    pattern = pattern_for(lang, pattern)
    return timed(lambda: tokenizer.train(train_lines(lang), vocab_size, pattern=pattern, quiet=True, name=lang))


def model_path(lang: str) -> Path:
    """The shipped model file of a language, in tokenizer.model_file.models_dir() (models/ unless
    $INDIC_TOKENIZER_MODELS says otherwise)."""
    return models_dir() / LANGUAGES[lang].model


def shown(path: Path) -> str:
    """A path as results files record it: relative to the repository when inside it (no machine paths)."""
    return path.resolve().relative_to(ROOT).as_posix() if path.resolve().is_relative_to(ROOT) else path.name


def our_model(lang: str, vocab_size: int, pattern: str | None, use_saved: bool = True) -> tuple[tokenizer.Tokenizer, str]:
    """The shipped model if it exists (and use_saved), else one trained now; and where it came from."""
    path = model_path(lang)
    if use_saved and path.is_file():
        return tokenizer.load(path), shown(path)
    tok, seconds = train_ours(lang, vocab_size, pattern)
    return tok, f"trained now on the {lang} training split ({seconds:.1f} s)"


# ----- Hugging Face byte-level helpers -----------------------------------------------------------
@lru_cache(maxsize=None)
def unicode_to_bytes() -> dict[str, int]:
    return {ch: b for b, ch in bytes_to_unicode().items()}


def byte_level_to_bytes(token: str) -> bytes:
    """An HF ByteLevel token string (e.g. 'à¤¨') back to its raw bytes."""
    table = unicode_to_bytes()
    return bytes(table[ch] for ch in token)


def train_hf(lines: Sequence[str], pattern: Pattern, vocab_size: int):
    """HF BpeTrainer (tokenizer.build's baseline) on the lines with our pre-split; vocab_size counts
    bytes, merges and the special token."""
    hf = build.train_hf_bpe(lines, pattern, vocab_size)
    if hf.get_vocab_size() > vocab_size:
        raise AssertionError(f"HF BPE has {hf.get_vocab_size()} tokens, above {vocab_size}")
    return hf


# ----- timing, tables, results -------------------------------------------------------------------
def timed(fn: Callable[[], T]) -> tuple[T, float]:
    start = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - start


def fmt(value: Any, decimals: int = 4) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{decimals}f}"
    return str(value)


def _decimals(values: Iterable[Any]) -> int:
    """Decimals to show a column of (already rounded) floats alike: as many as the longest needs, at most 4."""
    found = [len(repr(v).partition(".")[2]) for v in values if isinstance(v, float)]
    return min(max(found, default=0), 4)


def print_table(rows: Sequence[dict[str, Any]], columns: Sequence[str], title: str = "") -> None:
    """Rows as an aligned text table: text columns left-aligned, numbers right-aligned."""
    decimals = [_decimals(row.get(c) for row in rows) for c in columns]
    cells = [[fmt(row.get(c), d) for c, d in zip(columns, decimals, strict=True)] for row in rows]
    widths = [max([len(c), *(len(r[i]) for r in cells)]) for i, c in enumerate(columns)]
    numeric = [all(isinstance(row.get(c), (int, float)) or row.get(c) is None for row in rows) for c in columns]

    def line(values: Sequence[str]) -> str:
        return "  ".join(v.rjust(w) if num else v.ljust(w) for v, w, num in zip(values, widths, numeric, strict=True)).rstrip()

    if title:
        print(f"\n{title}")
    print(line(columns))
    print("  ".join("-" * w for w in widths))
    for r in cells:
        print(line(r))


def report_load() -> None:
    """Timings are only as good as the machine is idle: say how busy it is."""
    load = os.getloadavg()[0]
    busy = " - other processes compete for the CPU; timings will be noisy" if load > 0.5 else ""
    print(f"1-minute load average {load:.2f} on {os.cpu_count()} cores{busy}")


def environment() -> dict[str, Any]:
    """What the numbers were measured on."""
    import importlib.metadata as md

    versions = {}
    for pkg in ("tokenizers", "sentencepiece", "tiktoken", "regex"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    return {
        "date": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
        "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
        "packages": versions,
        "command": command(),
    }


def command(argv: Sequence[str] | None = None) -> str:
    """How the running script was started, as a command to run from the repository root: a script in
    bench/ as `python -m bench.<name>`, and paths as results files record them (see `shown`)."""
    argv = list(sys.argv if argv is None else argv)
    script = Path(argv[0]).resolve()
    if script.suffix == ".py" and script.is_relative_to(ROOT):
        head = ["python", "-m", ".".join(script.relative_to(ROOT).with_suffix("").parts)]
    else:
        head = ["python", Path(argv[0]).name]
    return shlex.join(head + [shown(Path(a)) if os.path.isabs(a) else a for a in argv[1:]])


def read_results(name: str) -> dict[str, Any]:
    """bench/results/{name}.json, or {} before its first run."""
    path = RESULTS_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_results(name: str, payload: dict[str, Any]) -> Path:
    """bench/results/{name}.json with the payload plus the environment."""
    RESULTS_DIR.mkdir(parents=True, exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    path.write_text(json.dumps({"environment": environment(), **payload}, ensure_ascii=False, indent=2) + "\n")
    print(f"\nwrote {shown(path)}")
    return path
