"""Decode view: token ids back to text, showing where ids end inside a character."""

from __future__ import annotations

import gradio as gr

from tokenizer import visualize as viz
from tokenizer.encoding import parse_ids
from tokenizer.registry import LANGUAGES

from ..guards import UserError, check_text, guard
from ..models import choose, session_of, text_attrs
from .tokenize import DRAW_TOKENS


def _error(message: str) -> tuple:
    return "", "", viz.notice_html(message, error=True)


@guard(_error)
def decode(ids_text: str, model: str | None = None, request: gr.Request | None = None) -> tuple[str, str, str]:
    """Ids (spaces or commas) -> (text, coloured tokens HTML, message HTML)."""
    ids_text = check_text(ids_text)
    chosen = choose("", model or default_model(), session_of(request))
    tok = chosen.tok
    if not ids_text.strip():
        return "", "", viz.notice_html("Enter token ids separated by spaces or commas, e.g. 300, 301, 302.")
    try:
        ids = parse_ids(ids_text, tok.vocab_size)
    except ValueError as e:
        raise UserError(f"{str(e)[0].upper()}{str(e)[1:]}.") from None
    pieces = viz.pieces_of(tok, ids)
    n = viz.plural(len(ids), "id")
    try:
        text = tok.decode(ids, errors="strict")
    except ValueError:  # the ids end inside a character
        text = tok.decode(ids, errors="replace")
        message = (f"{n} with the {chosen.label} model. They do not add up to whole characters: the text shows "
                   "� where a character is cut, the tokens show those bytes as <E0 A4>.")
        return text, viz.tokens_html(pieces, limit=DRAW_TOKENS, **text_attrs(text)), viz.notice_html(message)
    message = f"{n} → {viz.plural(len(text), 'character')} with the {chosen.label} model."
    return text, viz.tokens_html(pieces, text, limit=DRAW_TOKENS, **text_attrs(text)), viz.note_html(message)


def default_model() -> str:
    """The first registry language (the views without Auto start there)."""
    return next(iter(LANGUAGES.values())).name
