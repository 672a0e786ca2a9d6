"""An on-disk cache for the work every new process would redo to build the compiled core.

Building the compiled core costs about 0.4 s: translating the pre-split regex into explicit code
point ranges (it scans every code point with Python's `regex`) and checking that tiktoken's merge
rule gives our ids (`core.tiktoken_exact`). A one-shot command (`python -m tokenizer encode`) pays
that every time, so both results are kept in small text files, as tiktoken keeps its downloaded
files: `$INDIC_TOKENIZER_CACHE`, else `$XDG_CACHE_HOME/indic-tokenizer`, else
`~/.cache/indic-tokenizer`. Set `INDIC_TOKENIZER_CACHE=` (empty) to turn it off.

A key is the SHA-256 of everything the result depends on, including the source of the module that
computes it and the versions of `regex` and of Unicode, so an edited translator or a new Unicode
table never reads a stale entry. An entry starts with the SHA-256 of its value, so a damaged or
edited file is never believed. The cache is only an optimisation: an entry that cannot be read,
written or verified is recomputed, never an error.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable
from functools import lru_cache
from pathlib import Path

from .files import write_atomic

ENV = "INDIC_TOKENIZER_CACHE"


def cache_dir() -> Path | None:
    """Where entries live, or None when the cache is turned off."""
    if ENV in os.environ:
        value = os.environ[ENV]
        return Path(value).expanduser() if value else None
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "indic-tokenizer"


@lru_cache(maxsize=None)
def source_digest(module_file: str) -> str:
    """The SHA-256 of a module's source: part of a key, so editing the code invalidates its entries."""
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()


def key(parts: Iterable[str | bytes]) -> str:
    """A digest of the parts, each length-prefixed so that no two lists of parts collide."""
    h = hashlib.sha256()
    for part in parts:
        raw = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(raw).to_bytes(8, "little"))
        h.update(raw)
    return h.hexdigest()


def _entry(folder: Path, kind: str, digest: str) -> Path:
    return folder / f"{kind}-{digest[:40]}.txt"


def cached(kind: str, digest: str, compute: Callable[[], str]) -> str:
    """compute(), or the text it gave before for this kind and digest."""
    folder = cache_dir()
    if folder is None:
        return compute()
    path = _entry(folder, kind, digest)
    try:
        check, _, value = path.read_text(encoding="utf-8").partition("\n")
        if check == _sha256(value):
            return value
    except (OSError, UnicodeDecodeError):
        pass
    value = compute()
    try:
        write_atomic(path, f"{_sha256(value)}\n{value}")
    except OSError:  # a read-only home, a full disk: run without the cache
        pass
    return value


def forget(kind: str, digest: str) -> None:
    """Remove an entry (of a model that is going away for good, such as the Space's session models,
    which would otherwise leave one small file each behind). Never raises."""
    folder = cache_dir()
    if folder is not None:
        try:
            _entry(folder, kind, digest).unlink()
        except OSError:
            pass


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
