"""Byte-level BPE tokenizers for Hindi and Kannada with an akshara-aware pre-split.

    import tokenizer
    tok = tokenizer.load("models/hi.model")
    ids = tok.encode("नमस्ते दुनिया")
    assert tok.decode(ids) == "नमस्ते दुनिया"
"""

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
from .model_file import load, save
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
    "get_pattern",
    "load",
    "save",
    "split",
    "train",
]
