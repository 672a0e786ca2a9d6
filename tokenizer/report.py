"""Measured figures as tables: the README metrics table is generated from models/*.metrics.json.

The README, the Space's Metrics view and the model cards all show the same table, built here
from the JSON files that `python -m tokenizer build` writes; a test regenerates it and fails if
the README disagrees.
"""

from __future__ import annotations

import json
from pathlib import Path

from .files import write_atomic

LANGUAGES = {"hi": "Hindi", "kn": "Kannada"}
START, END = "<!-- metrics:start -->", "<!-- metrics:end -->"
COLUMNS = ["vocab_size", "bytes_per_token", "chars_per_token", "tokens_per_word", "mid_akshara_rate"]
HEADER = "| Language | Tokenizer | Held-out text | Vocab size | Bytes/token | Chars/token | Tokens/word | Mid-akshara rate |"


def load_metrics(models_dir: str | Path) -> dict[str, dict]:
    """lang -> the metrics JSON of models/<lang>.metrics.json, for the files that exist."""
    out = {}
    for lang in LANGUAGES:
        path = Path(models_dir) / f"{lang}.metrics.json"
        if path.exists():
            out[lang] = json.loads(path.read_text(encoding="utf-8"))
    return out


def _row(language: str, name: str, split: str, m: dict) -> str:
    cells = [
        f"{m['vocab_size']:,}",
        f"{m['bytes_per_token']:.2f}",
        f"{m['chars_per_token']:.2f}",
        f"{m['tokens_per_word']:.2f}",
        f"{m['mid_akshara_rate']:.1%}",
    ]
    return f"| {language} | {name} | {split} | " + " | ".join(cells) + " |"


def metrics_table(metrics: dict[str, dict]) -> str:
    """Markdown table: ours on the valid and test splits, then the GPT encodings on valid."""
    lines = [HEADER, "|" + "---|" * 3 + "---:|" * 5]
    for lang, m in metrics.items():
        language = LANGUAGES.get(lang, lang)
        lines.append(_row(language, f"**ours** ({m.get('recipe', m.get('pattern', ''))})", "valid", m))
        if "test" in m:
            lines.append(_row(language, f"**ours** ({m.get('recipe', m.get('pattern', ''))})", "test", m["test"]))
        for name, b in m.get("baselines", {}).items():
            lines.append(_row(language, name, "valid", b))
    return "\n".join(lines)


def replace_section(text: str, table: str) -> str:
    """Put the table between the README markers."""
    if START not in text or END not in text:
        raise ValueError(f"the README has no {START} ... {END} section")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def readme_section(text: str) -> str:
    """The table currently between the README markers."""
    return text.split(START, 1)[1].split(END, 1)[0].strip("\n")


def update_readme(readme: str | Path, models_dir: str | Path) -> bool:
    """Regenerate the README table; returns whether anything changed."""
    readme = Path(readme)
    old = readme.read_text(encoding="utf-8")
    new = replace_section(old, metrics_table(load_metrics(models_dir)))
    if new != old:
        write_atomic(readme, new)
    return new != old
