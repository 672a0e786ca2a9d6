"""Tokenize view: the text as coloured tokens of one model, with its counts and ids."""

from __future__ import annotations

import gradio as gr

from tokenizer import visualize as viz
from tokenizer.metrics import cut_flags, summarize

from ..guards import check_text, guard
from ..models import AUTO, choose, encode, session_of, text_attrs

DRAW_TOKENS = 4_000  # coloured tokens drawn (all are counted)
SHOW_IDS = 100_000  # ids listed


def _error(message: str) -> tuple:
    return viz.notice_html(message, error=True), "", "", {"error": message}


@guard(_error)
def tokenize(text: str, model: str = AUTO, request: gr.Request | None = None) -> tuple[str, str, str, dict]:
    """Text -> (coloured tokens HTML, counts HTML, ids, counts as JSON)."""
    text = check_text(text)
    chosen = choose(text, model, session_of(request))
    tok = chosen.tok
    if not text:
        summary = summarize("", [], vocab_size=tok.vocab_size)
        message = "Type or paste some text above to see its tokens."
        payload = {"model": chosen.key, "message": message, **summary.as_dict()}
        return viz.notice_html(message), viz.summary_html(summary), "", payload
    ids = encode(tok, text)
    pieces = viz.pieces_of(tok, ids)
    flags = cut_flags(text, [b for _, b in pieces])
    summary = summarize(text, [b for _, b in pieces], flags, tok.vocab_size)
    head = viz.note_html(f"{chosen.note} · vocabulary {tok.vocab_size:,} · pre-split {tok.pattern.name}")
    ids_text = " ".join(map(str, ids[:SHOW_IDS]))
    if len(ids) > SHOW_IDS:
        ids_text += f"  … ({len(ids) - SHOW_IDS:,} more ids not listed)"
    return (
        viz.linked_html(text, pieces, limit=DRAW_TOKENS, flags=flags, **text_attrs(text)),
        head + viz.summary_html(summary),
        ids_text,
        {"model": chosen.key, "model_note": chosen.note, **summary.as_dict()},
    )
