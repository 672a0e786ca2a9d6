"""Decode view: token ids back to text, showing where ids end inside a character."""

from __future__ import annotations

import gradio as gr

from tokenizer import visualize as viz
from tokenizer.encoding import ID_SEPARATORS, parse_ids
from tokenizer.registry import LANGUAGES

from ..guards import UserError, check_text, guard
from ..models import choose, session_of, text_attrs
from .tokenize import DRAW_TOKENS


def _error(message: str) -> tuple:
    return "", "", viz.notice_html(message, error=True)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 21st …"""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n:,}{suffix}"


def parse(ids_text: str, vocab_size: int, label: str) -> list[int]:
    """The ids typed, or a UserError naming the first bad one by its place ("the 2nd id"): the
    library's "id 2 is 9999999" reads as if token 2 were meant."""
    try:
        return parse_ids(ids_text, vocab_size)
    except ValueError as e:
        words = (w for w in ID_SEPARATORS.split(ids_text) if w)
        for n, word in enumerate(words, 1):
            try:
                parse_ids(word, vocab_size)
            except ValueError:
                shown = word if len(word) <= 20 else word[:20] + "…"
                if word.isascii() and word.isdigit():
                    raise UserError(f"The {ordinal(n)} id, {shown}, is out of range: the {label} model's ids are "
                                    f"0 to {vocab_size - 1:,}.") from None
                raise UserError(f"The {ordinal(n)} id, {shown!r}, is not a token id (a whole number, 0 or "
                                "more).") from None
        raise UserError(f"{str(e)[:1].upper()}{str(e)[1:]}.") from None


@guard(_error)
def decode(ids_text: str, model: str | None = None, request: gr.Request | None = None) -> tuple[str, str, str]:
    """Ids (spaces or commas) -> (text, coloured tokens HTML, message HTML)."""
    ids_text = check_text(ids_text)
    chosen = choose("", model or default_model(), session_of(request), auto=False)
    tok = chosen.tok
    if not ids_text.strip():
        return "", "", viz.notice_html("Enter token ids separated by spaces or commas, e.g. 300, 301, 302.")
    ids = parse(ids_text, tok.vocab_size, chosen.label)
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
