"""Encoding text for the views: one path for every length (the Tokenizer picks its own engine)."""

from __future__ import annotations

import tokenizer

from .guards import UserError, first_line


def encode(tok: tokenizer.Tokenizer, text: str) -> list[int]:
    """Ids of text; special-token text counts as plain text in the Space."""
    try:
        return tok.encode_ordinary(text)
    except ValueError as e:  # e.g. a lone surrogate
        raise UserError(f"This text cannot be encoded: {first_line(e)}") from None
