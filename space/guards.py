"""Input limits and the one rule every handler follows: never raise, never show a traceback.

A handler decorated with `guard(on_error)` turns a UserError (a problem with the input or the
setup, worded for the user) and any library TokenizerError into its view's error outputs; any
other exception is a bug: it is logged with its traceback and the user gets one short line.
"""

from __future__ import annotations

import functools
import inspect
import logging
import re
from collections.abc import Callable

from tokenizer.errors import TokenizerError

log = logging.getLogger("indic-tokenizer-space")

MAX_CHARS = 200_000  # longer inputs to the text views are refused
MAX_QUERY_CHARS = 200  # Vocabulary search
MAX_UPLOAD_BYTES = 20_000_000  # text of an upload (Train, Batch), after decompression

_SURROGATE = re.compile("[\ud800-\udfff]")


class UserError(Exception):
    """A problem with the input or the setup, shown to the user as is."""


def first_line(e: BaseException) -> str:
    """The first line of an exception's message (library errors name file and line there)."""
    text = str(e)
    return text.splitlines()[0] if text.strip() else type(e).__name__


def check_text(text: object, limit: int = MAX_CHARS, what: str = "text") -> str:
    """The text, or a UserError saying what is wrong with it (too long, a lone surrogate)."""
    if text is None:
        return ""
    if not isinstance(text, str):
        raise UserError(f"The {what} must be text.")
    if len(text) > limit:
        raise UserError(
            f"This {what} has {len(text):,} characters; the Space takes at most {limit:,}. "
            "Paste a shorter piece, or run the library locally for whole files."
        )
    bad = _SURROGATE.search(text)
    if bad:
        raise UserError(
            f"The {what} has a lone surrogate (U+{ord(bad.group()):04X}) at index {bad.start():,}; "
            "that is not a character and UTF-8 cannot encode it."
        )
    return text


def guard(on_error: Callable[[str], object]):
    """Handlers never raise: a UserError, a library error or any bug becomes a message in the view.

    Works for plain functions and for generators (the Train view streams its progress).
    """

    def message(fn: Callable, e: BaseException) -> str:
        if isinstance(e, UserError):
            return str(e)
        if isinstance(e, TokenizerError):
            return first_line(e)
        log.exception("%s failed", fn.__name__)
        return f"Something went wrong on our side in {fn.__name__}; it has been logged."

    def decorate(fn):
        if inspect.isgeneratorfunction(fn):

            @functools.wraps(fn)
            def gen_wrapper(*args, **kwargs):
                try:
                    yield from fn(*args, **kwargs)
                except Exception as e:  # noqa: BLE001 - see message()
                    yield on_error(message(fn, e))

            return gen_wrapper

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                return fn(*args, **kwargs)
            except Exception as e:  # noqa: BLE001 - see message()
                return on_error(message(fn, e))

        return wrapper

    return decorate
