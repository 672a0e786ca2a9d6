"""The OpenAI GPT encodings we compare against, loaded through tiktoken or converted to our Tokenizer.

The Space shows how GPT-2, GPT-4 and GPT-4o cut Hindi and Kannada next to our tokenizers, so it
needs their vocabularies. tiktoken downloads them on first use; where there is no network (CI, a
sandbox) the `.tiktoken` files can be put in a directory named by ``INDIC_TOKENIZER_TIKTOKEN_DIR``.
A missing encoding raises `EncodingUnavailable` with a one-line reason, so a caller can show the
reason in that column and carry on with the others.

`from_tiktoken` turns tiktoken's ranks into our merges, so that our own encoder runs the GPT
vocabularies (and the tests can check that it gives tiktoken's ids exactly).
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path
from typing import NamedTuple

import tiktoken
from tiktoken.load import load_tiktoken_bpe

from .encoding import ENDOFTEXT, Tokenizer
from .pretokenize import Pattern, get_pattern

TIKTOKEN_DIR_ENV = "INDIC_TOKENIZER_TIKTOKEN_DIR"

_FIM_PREFIX, _FIM_MIDDLE, _FIM_SUFFIX = "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>"
_ENDOFPROMPT = "<|endofprompt|>"


class EncodingSpec(NamedTuple):
    """What we need to rebuild a tiktoken encoding from its `.tiktoken` file alone."""

    tiktoken_name: str
    pattern: str  # name in tokenizer.pretokenize's registry; its regex is tiktoken's pat_str
    special_tokens: dict[str, int]


# Display name -> encoding, in the order the Space shows them. Special tokens as in tiktoken 0.14.
ENCODINGS: dict[str, EncodingSpec] = {
    "GPT-2": EncodingSpec("r50k_base", "gpt2", {ENDOFTEXT: 50256}),
    "GPT-4": EncodingSpec(
        "cl100k_base",
        "gpt4",
        {ENDOFTEXT: 100257, _FIM_PREFIX: 100258, _FIM_MIDDLE: 100259, _FIM_SUFFIX: 100260, _ENDOFPROMPT: 100276},
    ),
    "GPT-4o": EncodingSpec("o200k_base", "gpt4o", {ENDOFTEXT: 199999, _ENDOFPROMPT: 200018}),
}
# Loadable by tiktoken name but not shown: Codex / text-davinci-002's, GPT-2's plus runs of spaces.
_EXTRA = {"p50k_base": EncodingSpec("p50k_base", "gpt2", {ENDOFTEXT: 50256})}

# tiktoken's expected_hash for each file: a wrong or truncated file fails loudly instead of
# giving wrong counts (and tiktoken's own path cache cannot serve a stale copy).
_SHA256 = {
    "r50k_base": "306cd27f03c1a714eca7108e03d66b7dc042abe8c258b44c199a7ed9838dd930",
    "p50k_base": "94b5ca7dff4d00767bc256fdd1b27e5b17361d7b8a5f968547f9f23eb70d2069",
    "cl100k_base": "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    "o200k_base": "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
}
# tiktoken name -> (label for messages, spec)
_BY_TIKTOKEN_NAME: dict[str, tuple[str, EncodingSpec]] = {
    **{spec.tiktoken_name: (f"{display} ({spec.tiktoken_name})", spec) for display, spec in ENCODINGS.items()},
    **{tiktoken_name: (tiktoken_name, spec) for tiktoken_name, spec in _EXTRA.items()},
}


class EncodingUnavailable(RuntimeError):
    """A known encoding could not be loaded (no network and no local file); the message is one line."""


def _resolve(name: str) -> str:
    """Display name or tiktoken name -> tiktoken name."""
    if name in ENCODINGS:
        return ENCODINGS[name].tiktoken_name
    if name in _BY_TIKTOKEN_NAME:
        return name
    known = [*ENCODINGS, *_BY_TIKTOKEN_NAME]
    raise ValueError(f"unknown encoding {name!r}; known: {', '.join(known)}")


def _reason(error: BaseException) -> str:
    """First line of an exception, short enough for a table cell."""
    lines = str(error).strip().splitlines()
    text = f"{type(error).__name__}: {lines[0]}" if lines else type(error).__name__
    return text if len(text) <= 200 else text[:197] + "..."


def load_encoding(name: str) -> tiktoken.Encoding:
    """The tiktoken encoding for a display name ("GPT-4") or tiktoken name ("cl100k_base").

    Read from $INDIC_TOKENIZER_TIKTOKEN_DIR/<tiktoken name>.tiktoken when that variable names a
    directory, else through tiktoken.get_encoding (which downloads). Raises EncodingUnavailable
    if neither works, ValueError for a name that is not one of ours.
    """
    return _load(_resolve(name), _tiktoken_dir())


def _tiktoken_dir() -> str:
    directory = os.environ.get(TIKTOKEN_DIR_ENV, "")
    return directory if directory and Path(directory).is_dir() else ""


@lru_cache(maxsize=None)
def _load(tiktoken_name: str, directory: str) -> tiktoken.Encoding:
    """Cached by directory too, so pointing the variable elsewhere takes effect."""
    label, spec = _BY_TIKTOKEN_NAME[tiktoken_name]
    if directory:
        path = Path(directory) / f"{tiktoken_name}.tiktoken"
        if not path.is_file():
            raise EncodingUnavailable(f"{label} is unavailable: {path} does not exist")
        try:
            ranks = load_tiktoken_bpe(str(path), expected_hash=_SHA256[tiktoken_name])
        except Exception as e:
            raise EncodingUnavailable(f"{label} is unavailable: cannot read {path} ({_reason(e)})") from e
        return tiktoken.Encoding(
            tiktoken_name,
            pat_str=get_pattern(spec.pattern).regex,
            mergeable_ranks=ranks,
            special_tokens=spec.special_tokens,
        )
    try:
        return tiktoken.get_encoding(tiktoken_name)
    except Exception as e:
        setting = os.environ.get(TIKTOKEN_DIR_ENV)
        local = f"{TIKTOKEN_DIR_ENV}={setting} is not a directory" if setting else f"{TIKTOKEN_DIR_ENV} is not set"
        raise EncodingUnavailable(f"{label} is unavailable: cannot download it and {local} ({_reason(e)})") from e


def from_tiktoken(
    mergeable_ranks: dict[bytes, int],
    pattern: Pattern | str,
    special_tokens: dict[str, int] | None,
    name: str = "",
) -> Tokenizer:
    """Our Tokenizer with the same vocabulary and ids as a tiktoken encoding.

    tiktoken stores only token bytes -> rank; our encoder needs which two tokens merge into each
    one. As in minbpe's GPT4Tokenizer, running BPE on a token's bytes with only the ranks below its
    own stops at exactly two parts, and those are its merge. The 256 single bytes are not ranked
    0-255 in GPT-2's order, so their ranks become `byte_ids`. `special_tokens=None` means none.
    """
    merges: dict[tuple[int, int], int] = {}
    for token, rank in mergeable_ranks.items():
        if len(token) < 2:
            continue
        parts = _bpe(mergeable_ranks, token, rank)
        if len(parts) != 2:
            raise ValueError(f"token {token!r} (rank {rank}) is not a merge of two lower-ranked tokens")
        merges[mergeable_ranks[parts[0]], mergeable_ranks[parts[1]]] = rank
    try:
        byte_ids = [mergeable_ranks[bytes([b])] for b in range(256)]
    except KeyError as e:
        raise ValueError(f"byte {e.args[0]!r} has no rank; byte-level BPE needs all 256") from None
    return Tokenizer(merges, pattern, special_tokens or {}, byte_ids=byte_ids, name=name)


def _bpe(ranks: dict[bytes, int], token: bytes, max_rank: int) -> list[bytes]:
    """tiktoken's merge loop (lowest-ranked adjacent pair, leftmost first) over ranks below max_rank."""
    parts = [token[i : i + 1] for i in range(len(token))]
    while len(parts) > 1:
        best, best_rank = -1, max_rank
        for i in range(len(parts) - 1):
            rank = ranks.get(parts[i] + parts[i + 1], max_rank)
            if rank < best_rank:
                best, best_rank = i, rank
        if best < 0:
            break
        parts[best : best + 2] = [parts[best] + parts[best + 1]]
    return parts


def load_tokenizer(name: str) -> Tokenizer:
    """A GPT encoding (display or tiktoken name) as our Tokenizer; raises as load_encoding does."""
    return _convert(_resolve(name), _tiktoken_dir())


@lru_cache(maxsize=None)
def _convert(tiktoken_name: str, directory: str) -> Tokenizer:
    """Built once per encoding: o200k takes a few seconds."""
    label, spec = _BY_TIKTOKEN_NAME[tiktoken_name]
    encoding = _load(tiktoken_name, directory)
    return from_tiktoken(
        encoding._mergeable_ranks,  # tiktoken keeps the ranks only under this private name
        spec.pattern,
        spec.special_tokens,
        name=label,
    )
