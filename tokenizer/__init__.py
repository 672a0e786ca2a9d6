"""Byte-level BPE tokenizers for Indic languages with an akshara-aware pre-split.

    import tokenizer
    tok = tokenizer.load("hi")  # a shipped model by name (tokenizer.available()), or a path
    ids = tok.encode("नमस्ते दुनिया")
    assert tok.decode(ids) == "नमस्ते दुनिया"

The distribution is `indic-tokenizer`; the import name `tokenizer` is also used by an unrelated
PyPI package. `__indic__` is set only here, so code can tell which one it imported.
"""

__version__ = "0.2.0"
__indic__ = True  # only this project's `tokenizer` has it (see docs/install.md)

from .encoding import ENDOFTEXT, Tokenizer
from .errors import (
    CorpusError,
    ExportError,
    InvalidIdError,
    ModelFileError,
    SpecialTokenError,
    TokenizerError,
    TrainingError,
    UnencodableTextError,
)
from .model_file import available, checksum, load, releases, save
from .pretokenize import PATTERNS, get_pattern, split
from .train import VOCAB_CAP, train

__all__ = [
    "ENDOFTEXT",
    "PATTERNS",
    "VOCAB_CAP",
    "CorpusError",
    "ExportError",
    "InvalidIdError",
    "ModelFileError",
    "SpecialTokenError",
    "Tokenizer",
    "TokenizerError",
    "TrainingError",
    "UnencodableTextError",
    "available",
    "checksum",
    "get_pattern",
    "load",
    "releases",
    "save",
    "split",
    "train",
]
