"""Which tokenizer a view uses: shipped models (one per registry language), GPT encodings, and
the models a visitor trained in this session.

Shipped models are read from `tokenizer.model_file.models_dir()` ($INDIC_TOKENIZER_MODELS, else
models/ beside app.py), cached by file and mtime; the GPT encodings come through `tokenizer.openai`
(offline: $INDIC_TOKENIZER_TIKTOKEN_DIR); every other tokenizer to compare with (the open LLMs, any Hub
repository) through `tokenizer.compare` (offline: $INDIC_TOKENIZER_LLM_DIR).
Session models live in memory, a few per session, and are freed (with their download files) when the
session ends or is evicted as the oldest. """

from __future__ import annotations

import atexit
import functools
import shutil
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path

import tokenizer
from tokenizer import compare
from tokenizer.core import forget_cached
from tokenizer.model_file import models_dir
from tokenizer.registry import LANGUAGES, Language, detect, direction_of

from .guards import UserError, first_line

AUTO = "Auto (by script)"
MINE = "Mine: "  # prefix of a session model's choice
SESSION_MODELS = 3  # models kept per session (the oldest is dropped)
SESSIONS = 100  # sessions whose models are kept (the least recently used is dropped)


def model_path(lang: Language) -> Path:
    return models_dir() / lang.model


def by_name(name: str) -> Language | None:
    return next((x for x in LANGUAGES.values() if x.name == name), None)


@functools.lru_cache(maxsize=32)
def _load_model(path: str, stamp: tuple[int, int]) -> tokenizer.Tokenizer:
    """Cached by file and its mtime/size, so a retrained model is picked up without a restart."""
    return tokenizer.load(path)


def get_model(code: str) -> tokenizer.Tokenizer:
    """The shipped model of a registry language, or a UserError saying how to get it."""
    lang = LANGUAGES[code]
    path = model_path(lang)
    try:
        st = path.stat()
    except OSError:
        raise UserError(
            f"The {lang.name} model is not available: {path} does not exist. "
            f"Train it with: python -m tokenizer train --lang {lang.code} --out {path}"
        ) from None
    try:
        return _load_model(str(path), (st.st_mtime_ns, st.st_size))
    except (ValueError, OSError) as e:  # ModelFileError is a ValueError naming file and line
        raise UserError(f"The {lang.name} model cannot be loaded: {first_line(e)}") from None


def has_model(code: str) -> bool:
    return model_path(LANGUAGES[code]).is_file()


@functools.cache
def _encoding(name: str):
    from tokenizer.openai import load_encoding

    return load_encoding(name)


def get_encoding(name: str):
    """tiktoken encoding by display name (GPT-2, GPT-4, GPT-4o); UserError if unavailable."""
    try:
        return _encoding(name)
    except Exception as e:  # noqa: BLE001 - EncodingUnavailable, or tiktoken/openai module problems
        _encoding.cache_clear()  # try again next time (the file may appear)
        raise UserError(first_line(e)) from None


def other(name: str) -> compare.Comparable:
    """A tokenizer of `tokenizer.compare` (a known name, or a Hub repository id); UserError saying why not."""
    try:
        return compare.load(name)
    except (compare.Unavailable, ValueError) as e:
        raise UserError(first_line(e)) from None


def is_other(choice: str) -> bool:
    """Whether a choice names a tokenizer of tokenizer.compare (a known name or something like owner/name)."""
    return choice in compare.KNOWN or "/" in choice


# ----- models trained in a session ----------------------------------------------------------------
@dataclass
class SessionModel:
    tok: tokenizer.Tokenizer
    language: Language | None  # the language of its training text, if known
    files: Path | None  # directory of its download files, removed with the model


class SessionStore:
    """session hash -> {choice label: SessionModel}, bounded in sessions and models per session."""

    def __init__(self, sessions: int = SESSIONS, per_session: int = SESSION_MODELS) -> None:
        self._data: OrderedDict[str, OrderedDict[str, SessionModel]] = OrderedDict()
        self._lock = threading.Lock()
        self.sessions, self.per_session = sessions, per_session

    def add(self, session: str, label: str, model: SessionModel) -> str:
        """Keep a model for the session; returns its choice ("Mine: label")."""
        choice = MINE + label
        dropped: list[SessionModel] = []
        with self._lock:
            models = self._data.setdefault(session, OrderedDict())
            self._data.move_to_end(session)
            if choice in models:
                dropped.append(models.pop(choice))
            models[choice] = model
            while len(models) > self.per_session:
                dropped.append(models.popitem(last=False)[1])
            while len(self._data) > self.sessions:
                dropped.extend(self._data.popitem(last=False)[1].values())
        for m in dropped:
            _remove(m)
        return choice

    def get(self, session: str | None, choice: str) -> SessionModel | None:
        with self._lock:
            models = self._data.get(session or "")
            return models.get(choice) if models else None

    def choices(self, session: str | None) -> list[str]:
        with self._lock:
            return list(self._data.get(session or "", ()))

    def files(self, session: str | None) -> list[Path]:
        """The download files of every model the session still has, newest first."""
        with self._lock:
            models = list(self._data.get(session or "", {}).values())
        return [f for m in reversed(models) if m.files is not None 
                for f in sorted(m.files.iterdir(), key=lambda f: (f.suffix != ".model", f.suffix != ".vocab"))]

    def drop(self, session: str | None) -> None:
        with self._lock:
            models = self._data.pop(session or "", OrderedDict())
        for m in models.values():
            _remove(m)

    def clear(self) -> None:
        """Drop every session's models (the server is stopping)."""
        with self._lock:
            sessions = list(self._data)
        for session in sessions:
            self.drop(session)

    def __len__(self) -> int:
        with self._lock:
            return sum(len(m) for m in self._data.values())


def _remove(model: SessionModel) -> None:
    """Free a session model's files: its downloads and its entry in the core's on-disk cache."""
    if model.files is not None:
        shutil.rmtree(model.files, ignore_errors=True)
    tok = model.tok
    forget_cached(tok.vocab, tok.merges, tok.byte_ids)


STORE = SessionStore()
atexit.register(STORE.clear)


def session_of(request) -> str | None:
    """The gradio session of a request (None when a handler is called directly)."""
    return getattr(request, "session_hash", None) if request is not None else None


def choices(session: str | None, *, auto: bool = True) -> list[str]:
    """The model picker: Auto, every registry language, then this session's own models."""
    return ([AUTO] if auto else []) + [x.name for x in LANGUAGES.values()] + STORE.choices(session)


def compare_choices(session: str | None) -> list[str]:
    """The Compare picker: ours (Auto, each language, this session's), then every known other tokenizer."""
    return choices(session) + list(compare.KNOWN)


@dataclass(frozen=True)
class Chosen:
    tok: tokenizer.Tokenizer
    key: str  # the language code, or the session model's choice
    label: str  # "Hindi", or the session model's label
    note: str  # how it was chosen
    language: Language | None


def unknown_model(choice: str, *, auto: bool = True) -> UserError:
    """The error for a choice no picker offers, whose advice lists what this view's picker does offer
    (Decode and Vocabulary have no Auto)."""
    names = ", ".join(x.name for x in LANGUAGES.values())
    if choice == AUTO:
        return UserError(f"Auto is not a choice here: choose a language ({names}) or one of your models.")
    return UserError(f"Unknown model {choice!r}; choose {'Auto, ' if auto else ''}a language ({names}) or one of "
                     "your models.")


def choose(text: str, choice: str | None, session: str | None = None, *, auto: bool = True) -> Chosen:
    """The tokenizer a choice names, for text (Auto: by majority script, see languages.detect);
    `auto=False` for the views whose picker has no Auto."""
    choice = choice or AUTO
    if choice.startswith(MINE):
        model = STORE.get(session, choice)
        if model is None:
            raise UserError(
                f"{choice!r} is not a model of this session (session models are kept until the page is "
                "closed, at most a few at a time). Train it again in the Train view."
            )
        label = choice.removeprefix(MINE)
        return Chosen(model.tok, choice, label, f"your model {label}", model.language)
    lang = by_name(choice)
    if lang is not None:
        return Chosen(get_model(lang.code), lang.code, lang.name, f"{lang.name} model", lang)
    if choice != AUTO or not auto:
        raise unknown_model(choice, auto=auto)
    lang, why = detect(text)
    return Chosen(get_model(lang.code), lang.code, lang.name, f"{lang.name} model, picked by script ({why})", lang)


def encode(tok: tokenizer.Tokenizer, text: str) -> list[int]:
    """Ids of text for the views; special-token text counts as plain text in the Space."""
    try:
        return tok.encode_ordinary(text)
    except ValueError as e:  # e.g. a lone surrogate
        raise UserError(f"This text cannot be encoded: {first_line(e)}") from None


def text_attrs(text: str) -> dict[str, str]:
    """How to lay a text and its tokens out: its direction (right to left for Urdu), and the language
    Auto would pick for it (its lang attribute picks that language's font)."""
    return {"direction": direction_of(text), "lang": detect(text)[0].code}
