"""Metrics view: the curves of every shipped model first (a colour per language), then the headline
table, then each language's full table, collapsed."""

from __future__ import annotations

import json

import pandas as pd

from tokenizer import visualize as viz
from tokenizer.registry import LANGUAGES
from tokenizer.report import HEADLINE_ALIGN, headline_rows, language_table

from ..guards import guard
from ..models import models_dir

TARGET_BYTES_PER_TOKEN = 3.2
TARGET = f"target {TARGET_BYTES_PER_TOKEN}"
COLUMNS = ["vocab_size", "bytes_per_token", "series"]
# The README's headline columns (tokenizer.report.HEADLINE) named short enough to wrap, so that the
# table fits a laptop's screen without scrolling sideways; HEADLINE_NOTE says what they mean.
HEADLINE = ["Language", "Script", "Release", "Bytes/token, test", "÷ HF BPE, test", "Bytes/token, out of domain",
            "÷ HF BPE (whole corpus), out of domain", "Chars/token", "Tokens/word", "Mid-akshara rate",
            "GPT-4 bytes/token", "GPT-4o bytes/token"]
HEADLINE_NOTE = ("Bytes/token: UTF-8 bytes per token, higher is better. *Test*: the held-out split of the "
                 "language's corpus; *out of domain*: other text, never trained on. *÷ HF BPE*: ours over Hugging "
                 "Face's BpeTrainer trained on the same text with the same ids and pre-split (out of domain: on the "
                 "whole corpus). Chars/token, tokens/word and the mid-akshara rate (token boundaries inside a "
                 "character or an akshara) are on the test text; GPT-4's and GPT-4o's bytes/token on the "
                 "corpus's other held-out split (valid), at their own vocabularies.")


def md_notice(message: str) -> str:
    return f"> **Note.** {message}"


def read_metrics(code: str) -> dict | None:
    """models/<code>.metrics.json, or None when it is missing or unreadable (shown as missing)."""
    try:
        return json.loads((models_dir() / f"{code}.metrics.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def colors() -> dict[str, str]:
    """Series -> colour: every registry language its own, the target line black."""
    return viz.series_colors([x.name for x in LANGUAGES.values()]) | {TARGET: viz.REFERENCE_COLOR}


def curve_frame(metrics: dict[str, dict]) -> pd.DataFrame:
    """bytes/token against vocabulary size: one series per language, and the target as a flat line."""
    rows = []
    for code, m in metrics.items():
        rows += [(int(v), float(b), LANGUAGES[code].name) for v, b in m.get("curve") or []]
    if rows:
        lo, hi = min(r[0] for r in rows), max(r[0] for r in rows)
        rows += [(lo, TARGET_BYTES_PER_TOKEN, TARGET), (hi, TARGET_BYTES_PER_TOKEN, TARGET)]
    return pd.DataFrame(rows, columns=COLUMNS).astype({"vocab_size": "int64", "bytes_per_token": "float64"})


def headline_table(metrics: dict[str, dict]) -> str:
    """The README's headline table (same cells) as markdown, under the Space's shorter headers."""
    rows = [HEADLINE, *headline_rows(metrics)]
    lines = ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join([lines[0], HEADLINE_ALIGN, *lines[1:]])


def _error(message: str) -> tuple:
    return md_notice(message), pd.DataFrame(columns=COLUMNS)


@guard(_error)
def metrics() -> tuple[str, pd.DataFrame]:
    """(markdown: the metrics table of every language and notes, the curves of all languages)."""
    found = {code: read_metrics(code) for code in LANGUAGES}
    present = {code: m for code, m in found.items() if m is not None}
    parts = []
    if present:
        parts.append(headline_table(present))
        parts.append(HEADLINE_NOTE)
        parts.append("Each language's full table (open one):")
        parts += [f"<details><summary>{LANGUAGES[c].name}</summary>\n\n{language_table(c, m)}\n\n</details>"
                  for c, m in present.items()]
        sources = [f"{LANGUAGES[c].name}: {m['data']}" for c, m in present.items() if m.get("data")]
        if sources:
            parts.append("<details><summary>Where the numbers come from</summary>\n\nMeasured on held-out text: "
                         + "; ".join(sources) + ".\n\n</details>")
    else:
        parts.append(md_notice("No metrics yet: build the models (python -m tokenizer build) to write "
                               "models/<lang>.metrics.json."))
    missing = [LANGUAGES[c].name for c, m in found.items() if m is None]
    if missing:
        parts.append(md_notice(f"The {', '.join(missing)} metrics are missing (no readable "
                               f"{models_dir()}/<lang>.metrics.json), so {'its' if len(missing) == 1 else 'their'} "
                               "rows and curves are empty."))
    return "\n\n".join(parts), curve_frame(present)
