"""Pre-split view: how GPT's regexes and ours cut the text into chunks before BPE runs."""

from __future__ import annotations

import gradio as gr

from tokenizer import visualize as viz
from tokenizer.metrics import chunk_flags
from tokenizer.pretokenize import PATTERNS
from tokenizer.registry import DEFAULT_PATTERN, FAMILIES

from ..guards import UserError, check_text, guard
from ..models import AUTO, choose, session_of, text_attrs

DRAW_CHUNKS = 1_500  # chunks drawn per column
GPT_PATTERNS = {"gpt2": "GPT-2", "gpt4": "GPT-4 (cl100k)", "gpt4o": "GPT-4o (o200k)"}


def _error(message: str) -> tuple:
    return viz.notice_html(message, error=True), {"error": message}


@guard(_error)
def presplit(text: str, model: str = AUTO, request: gr.Request | None = None) -> tuple[str, dict]:
    """Text -> (HTML: GPT-4's chunks next to our model's, with a table for all regexes; JSON).

    "Ours" is the pre-split regex of the model the choice picks (Auto: by script); without that
    model, the library's default regex. Its family's core (word-level) regex is shown too.
    """
    text = check_text(text)
    if not text:
        message = "Type or paste some text above to see how each regex cuts it."
        return viz.notice_html(message), {"message": message}
    try:
        chosen = choose(text, model, session_of(request))
        ours = chosen.tok.pattern
        ours_label = f"Ours ({chosen.label}: {ours.name})"
    except UserError:
        ours = PATTERNS[DEFAULT_PATTERN]
        ours_label = f"Ours ({ours.name})"
    patterns = {name: (label, PATTERNS[name]) for name, label in GPT_PATTERNS.items()}
    family = ours.spec.family if ours.spec and ours.spec.family in FAMILIES else PATTERNS[DEFAULT_PATTERN].spec.family
    core = PATTERNS[FAMILIES[family].pattern("core")]
    if ours.name != core.name:  # also the word-level rule our richer regexes build on
        patterns["core"] = (f"Akshara-aware words ({core.name})", core)
    patterns["ours"] = (ours_label, ours)
    chunks = {name: pattern.split(text) for name, (_, pattern) in patterns.items()}
    flags = {name: chunk_flags(text, c) for name, c in chunks.items()}
    rows = [
        [label, len(chunks[name]), f"{sum(flags[name]):,} ({sum(flags[name]) / max(len(chunks[name]), 1):.0%})"]
        for name, (label, _) in patterns.items()
    ]
    table = viz.table_html(["regex", "chunks", "chunks that start inside an akshara"], rows)
    cols = [
        viz.column_html(patterns[name][0],
                        f"{viz.plural(len(chunks[name]), 'chunk')}, {sum(flags[name]):,} start inside an akshara",
                        viz.chunks_html(chunks[name], text, limit=DRAW_CHUNKS, **text_attrs(text)))
        for name in ("gpt4", "ours")
    ]
    payload = {
        name: {"pattern": patterns[name][1].name, "chunks": len(c), "broken": sum(flags[name]),
               "first_chunks": c[:DRAW_CHUNKS]}
        for name, c in chunks.items()
    }
    return table + viz.grid_html(cols, wide=True), payload
