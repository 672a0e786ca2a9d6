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
    """Text holds a special token that encode() was not allowed to encode as one."""


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
