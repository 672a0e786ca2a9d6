"""The library's exceptions: one base class, so callers catch what they mean.

Every error is also a ValueError (what the library raised before these classes existed), so
code written against the old behaviour keeps working.

    TokenizerError
    ├── ModelFileError        a model file that cannot be loaded (message: "file:line: ...")
    ├── SpecialTokenError     special-token text that the encode policy disallows
    ├── InvalidIdError        ids that are not ids of this tokenizer
    ├── UnencodableTextError  text UTF-8 cannot encode (a lone surrogate)
    ├── ExportError           a tokenizer the Hugging Face format cannot represent
    ├── TrainingError         settings or data that cannot give a tokenizer
    └── CorpusError           bad corpus input (names the file and line)
        └── ReadLimitError    input beyond a limit of the read (tokenizer.corpus.ReadLimits)
"""

from __future__ import annotations

import os


class TokenizerError(ValueError):
    """Base class of every error this library raises on purpose."""


class ModelFileError(TokenizerError):
    """A model file that cannot be loaded; the message names the file and line."""

    def __init__(self, path: str | os.PathLike, line: int | None, message: str) -> None:
        where = f"{path}:{line}" if line else str(path)
        super().__init__(f"{where}: {message}")
        self.path, self.line = str(path), line


class SpecialTokenError(TokenizerError):
    """Text holds a special token that encode() was not allowed to encode as one (`token`, at `index`
    of the text; None for other misuse of the special-token policy)."""

    def __init__(self, message: str, token: str | None = None, index: int | None = None) -> None:
        super().__init__(message)
        self.token, self.index = token, index


class InvalidIdError(TokenizerError):
    """An id (or typed id) that this tokenizer does not have."""


class UnencodableTextError(TokenizerError):
    """Text with a lone surrogate: UTF-8 cannot encode it, so it has no byte-level tokens."""


class ExportError(TokenizerError):
    """A tokenizer (or pattern) that the Hugging Face format cannot represent exactly."""


class TrainingError(TokenizerError):
    """Settings or data that cannot give a tokenizer."""


class CorpusError(TokenizerError):
    """Bad corpus input: the message names the file (and line) so the user can fix it."""


class CorpusFileNotFoundError(CorpusError, FileNotFoundError):
    """A named input does not exist; also a FileNotFoundError for callers that catch that."""


class ReadLimitError(CorpusError):
    """Input beyond one of the limits a read was given (bytes, rows, one line or cell, wall time)."""


def first_line(e: BaseException) -> str:
    """The first line of an exception's message (a third-party message may run to many), else its type."""
    text = str(e).strip()
    return text.splitlines()[0] if text else type(e).__name__


def network_errors() -> tuple[type[BaseException], ...]:
    """Exception classes that mean 'the server could not be reached' in the HTTP clients that may be in
    use (the Hub's, fsspec's): most are not OSErrors, so `except OSError` alone lets them through."""
    classes: list[type[BaseException]] = [ConnectionError, TimeoutError]  # OfflineModeIsEnabled is a ConnectionError
    for module, names in (
        ("huggingface_hub.errors", ("OfflineModeIsEnabled",)),
        ("httpx2", ("TransportError",)),  # huggingface_hub 2.x: ConnectError, TimeoutException, NetworkError...
        ("httpx", ("TransportError",)),
        ("requests.exceptions", ("ConnectionError", "Timeout")),
        ("aiohttp", ("ClientConnectionError", "ClientPayloadError")),  # fsspec's http:// and https://
    ):
        try:
            mod = __import__(module, fromlist=list(names))
        except ImportError:
            continue
        classes += [getattr(mod, n) for n in names if hasattr(mod, n)]
    return tuple(classes)
