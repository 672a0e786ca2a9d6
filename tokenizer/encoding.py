"""The Tokenizer: special tokens, then pre-split, then BPE per chunk; and back to text.

This is the pipeline of Hugging Face `tokenizers` (pre-tokenizer, model, decoder) with
tiktoken's public surface (`encode`, `encode_ordinary`, `decode`, `allowed_special`). Like
tiktoken's `Encoding` over its `CoreBPE`, the Tokenizer is a facade: it applies the special-token
policy and the error checks once and hands ordinary text to a core chosen when it is first used
(tokenizer/core.py: the compiled core, or the pure-Python reference when the compiled one cannot
give the same ids). Callers never choose; `tok.backend` says which one runs.
"""

from __future__ import annotations

import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Literal

import regex

from .bpe import Merges, build_vocab, render_token
from .core import CUT, Core, make_core
from .errors import InvalidIdError, SpecialTokenError, TokenizerError, UnencodableTextError
from .pretokenize import Pattern, get_pattern
from .processes import usable_cpus
from .reference import ReferenceCore

if TYPE_CHECKING:
    import numpy as np

ENDOFTEXT = "<|endoftext|>"
_SURROGATE = regex.compile(r"[\ud800-\udfff]")
_CUT = regex.compile(rf"(?r){CUT}")  # searched backwards: the last cut first
ID_SEPARATORS = regex.compile(r"[\s,;\[\]()]+")  # "1 2 3", "1, 2, 3" and "[1, 2, 3]" all read as ids


def parse_ids(text: str, vocab_size: int, first: int = 1) -> list[int]:
    """Token ids typed by a person (CLI decode, the Space) with an error naming the bad one.

    `first` is the number of the first id in text, for messages about a long input read in parts.
    """
    ids: list[int] = []
    for n, word in enumerate((w for w in ID_SEPARATORS.split(text) if w), first):
        if not (word.isascii() and word.isdigit()):  # isdigit alone accepts '²' and '१'
            raise InvalidIdError(f"id {n} is not a token id (a whole number >= 0): {word[:20]!r}")
        value = int(word) if len(word) <= 18 else vocab_size  # no 5,000-digit int() (Python refuses those)
        if value >= vocab_size:
            shown = word if len(word) <= 40 else word[:20] + "..."
            raise InvalidIdError(f"id {n} is {shown}, out of range: this model's ids are 0..{vocab_size - 1}")
        ids.append(value)
    return ids


def check_special_tokens(tokens: Iterable[str]) -> None:
    """A special token must be a non-empty str: the empty one would match before every character,
    so that every encode would raise."""
    for s in tokens:
        if not isinstance(s, str):
            raise TokenizerError(f"special tokens are strings, got {type(s).__name__} {s!r}")
        if not s:
            raise TokenizerError("a special token cannot be empty: it would occur at every index of every text")


def check_saveable(name: str, special_tokens: Iterable[str]) -> None:
    """The model file holds the name and each special token on one line of its own, so neither may
    hold a line break (nor the name be anything but a str); checked before training and saving, so
    that no model is written that load() refuses."""
    if not isinstance(name, str):
        raise TokenizerError(f"a model's name is a string, got {type(name).__name__} {name!r}")
    if "\n" in name or "\r" in name:
        raise TokenizerError(f"a model's name is one line, without line breaks: {name!r}")
    check_special_tokens(special_tokens)
    for s in special_tokens:
        if "\n" in s or "\r" in s:
            raise TokenizerError(f"special token {s!r} has a line break, which the model file cannot hold")


class Tokenizer:
    """A byte-level BPE tokenizer: merges + a pre-split pattern + special tokens."""

    def __init__(
        self,
        merges: Merges,
        pattern: Pattern | str,
        special_tokens: dict[str, int] | None = None,
        *,
        byte_ids: list[int] | None = None,
        name: str = "",
        release: int = 1,
    ) -> None:
        self.name = name
        self.release = release  # which release of a shipped model this is (a changed model is a new release)
        self.pattern = get_pattern(pattern) if isinstance(pattern, str) else pattern
        self.merges: Merges = dict(merges)
        self.byte_ids = list(range(256)) if byte_ids is None else list(byte_ids)
        ordered = sorted(self.merges.items(), key=lambda item: item[1])
        self.vocab: dict[int, bytes] = build_vocab(ordered, self.byte_ids)
        if special_tokens is None:
            special_tokens = {ENDOFTEXT: max(self.vocab) + 1}
        check_special_tokens(special_tokens)
        self.special_tokens: dict[str, int] = dict(special_tokens)
        self.inverse_special = {i: s for s, i in self.special_tokens.items()}
        clash = set(self.inverse_special) & set(self.vocab)
        if clash:
            raise TokenizerError(f"special token ids {sorted(clash)} collide with byte or merge ids")
        self._special_re = (
            regex.compile("|".join(regex.escape(s) for s in sorted(self.special_tokens, key=len, reverse=True)))
            if self.special_tokens
            else None
        )
        self._specials = tuple(self.special_tokens)
        self._core: Core | None = None
        self._core_lock = threading.Lock()

    # ----- sizes -----------------------------------------------------------------------------
    @property
    def vocab_size(self) -> int:
        """Every id the tokenizer can emit: bytes + merges + special tokens."""
        return len(self.vocab) + len(self.special_tokens)

    @property
    def n_vocab(self) -> int:
        """tiktoken's name: one more than the largest id (= vocab_size, as our ids have no gaps)."""
        return max([*self.vocab, *self.inverse_special]) + 1

    @property
    def eot_token(self) -> int | None:
        """The id of <|endoftext|> (tiktoken's name), None if this tokenizer has none."""
        return self.special_tokens.get(ENDOFTEXT)

    @property
    def n_merges(self) -> int:
        return len(self.merges)

    # ----- the core ------------------------------------------------------------------------------
    @property
    def core(self) -> Core:
        """The encoder of ordinary text, built on first use (the compiled one takes ~0.1 s to check)."""
        if self._core is None:
            with self._core_lock:
                if self._core is None:
                    self._core = make_core(self.vocab, self.merges, self.pattern, self.byte_ids, self.name)
        return self._core

    def reference(self) -> Tokenizer:
        """This tokenizer on the pure-Python reference encoder: the specification, for parity tests."""
        ref = Tokenizer(self.merges, self.pattern, self.special_tokens, byte_ids=self.byte_ids, name=self.name,
                        release=self.release)
        ref._core = ReferenceCore(ref.merges, ref.pattern, ref.byte_ids)
        return ref

    @property
    def backend(self) -> str:
        """Which core runs: "tiktoken" (compiled) or "reference" (pure Python)."""
        return self.core.name

    # ----- encoding --------------------------------------------------------------------------
    def encode_ordinary(self, text: str) -> list[int]:
        """Encode text with no special-token handling: '<|endoftext|>' is just text here."""
        if not isinstance(text, str):
            raise _not_text("encode_ordinary", text)
        return self._encode_ordinary(text, 0)

    def _encode_ordinary(self, text: str, offset: int) -> list[int]:
        """offset: where text starts in the caller's text, so that an error names the caller's index."""
        if not text:
            return []
        try:
            return self.core.encode_ordinary(text)
        except UnicodeEncodeError:
            raise _surrogate_error(text, offset) from None

    def encode_ordinary_batch(self, texts: Iterable[str], *, num_threads: int | None = None) -> list[list[int]]:
        """encode_ordinary of each text, on `num_threads` threads (default: every available core)."""
        texts = _texts("encode_ordinary_batch", texts)
        threads = usable_cpus() if num_threads is None else num_threads
        try:
            return self.core.encode_ordinary_batch(texts, threads)
        except UnicodeEncodeError:
            for n, text in enumerate(texts):
                if _SURROGATE.search(text):
                    raise _surrogate_error(text, 0, n) from None
            raise

    def encode(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | Collection[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[int]:
        """Encode text; special-token text follows tiktoken's policy.

        Special-token text in `allowed_special` becomes its special id; text in
        `disallowed_special` (by default every special token not allowed) raises ValueError;
        anything else is encoded as ordinary text.
        """
        if not isinstance(text, str):
            raise _not_text("encode", text)
        if disallowed_special == "all" and not allowed_special and not self._holds_special(text):
            return self._encode_ordinary(text, 0)  # the default policy on text without special tokens: no sets to build
        return self._encode(text, *self.special_policy(allowed_special, disallowed_special))

    def _holds_special(self, text: str) -> bool:
        for special in self._specials:
            if special in text:
                return True
        return False

    def special_policy(
        self,
        allowed_special: Literal["all"] | Collection[str],
        disallowed_special: Literal["all"] | Collection[str],
    ) -> tuple[set[str], set[str]]:
        """(allowed, disallowed) special tokens for encode's arguments (encode, encode_batch and encode_iter)."""
        for arg, value in (("allowed_special", allowed_special), ("disallowed_special", disallowed_special)):
            if isinstance(value, str) and value != "all":  # a str is a collection too: of its characters
                raise SpecialTokenError(f"{arg} must be \"all\" or a collection of special tokens, not {value!r}")
        allowed = set(self.special_tokens) if allowed_special == "all" else set(allowed_special)
        unknown = allowed - set(self.special_tokens)
        if unknown:
            raise SpecialTokenError(f"not special tokens of this tokenizer: {sorted(unknown)}")
        disallowed = set(self.special_tokens) - allowed if disallowed_special == "all" else set(disallowed_special)
        return allowed, disallowed

    def split_special(
        self, text: str, allowed: set[str], disallowed: set[str], offset: int = 0
    ) -> Iterator[tuple[int, str | int]]:
        """(index in the caller's text, ordinary text or a special id) in order; ValueError for disallowed
        special text. The one place the special-token policy is applied, before any core sees the text."""
        start = 0
        if self._special_re is not None and (allowed or disallowed):
            for match in self._special_re.finditer(text):
                special = match.group()
                if special in disallowed:
                    raise SpecialTokenError(
                        f"text contains the special token {special!r} at index {offset + match.start()}; pass "
                        f"allowed_special={{{special!r}}} to encode it as a special token, or "
                        "disallowed_special=() to encode it as plain text",
                        special,
                        offset + match.start(),
                    )
                if special in allowed:
                    yield offset + start, text[start : match.start()]
                    yield offset + match.start(), self.special_tokens[special]
                    start = match.end()
        yield offset + start, text[start:]

    def _encode(self, text: str, allowed: set[str], disallowed: set[str], offset: int = 0) -> list[int]:
        """encode() with the policy resolved; offset as in _encode_ordinary (encode_iter passes the stream's)."""
        if not self._may_hold_special(text, allowed, disallowed):
            return self._encode_ordinary(text, offset)
        ids: list[int] = []
        for at, piece in self.split_special(text, allowed, disallowed, offset):
            if isinstance(piece, int):
                ids.append(piece)
            else:
                ids.extend(self._encode_ordinary(piece, at))
        return ids

    def _may_hold_special(self, text: str, allowed: set[str], disallowed: set[str]) -> bool:
        """False when no special token of the policy occurs in text (a substring scan, far cheaper than regex)."""
        return any(s in text for s in allowed) or any(s in text for s in disallowed)

    def encode_batch(
        self,
        texts: Iterable[str],
        *,
        num_threads: int | None = None,
        allowed_special: Literal["all"] | Collection[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> list[list[int]]:
        """[encode(t, ...) for t in texts], the pieces between special tokens encoded on all cores."""
        allowed, disallowed = self.special_policy(allowed_special, disallowed_special)
        texts = _texts("encode_batch", texts)
        cut: list[list[tuple[int, str | int]]] = []
        for n, text in enumerate(texts):
            if not self._may_hold_special(text, allowed, disallowed):
                cut.append([(0, text)])
                continue
            try:
                cut.append(list(self.split_special(text, allowed, disallowed)))
            except SpecialTokenError as e:
                raise SpecialTokenError(f"text {n}: {e}") from None
        plain = [(n, at, p) for n, pieces in enumerate(cut) for at, p in pieces if isinstance(p, str) and p]
        try:
            threads = usable_cpus() if num_threads is None else num_threads
            encoded = self.core.encode_ordinary_batch([p for _, _, p in plain], threads)
        except UnicodeEncodeError:
            for n, at, p in plain:
                if _SURROGATE.search(p):
                    raise _surrogate_error(p, at, n) from None
            raise
        it = iter(encoded)
        out: list[list[int]] = []
        for pieces in cut:
            ids: list[int] = []
            for _, p in pieces:
                if isinstance(p, int):
                    ids.append(p)
                elif p:
                    ids.extend(next(it))
            out.append(ids)
        return out

    def encode_iter(
        self,
        blocks: Iterable[str],
        *,
        allowed_special: Literal["all"] | Collection[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
        max_held: int | None = None,
    ) -> Iterator[list[int]]:
        """The ids of encode("".join(blocks), ...) in pieces, holding about one block of text at a time.

        Why: so that a file larger than memory can be piped through `python -m tokenizer encode`.
        The blocks are one text, cut anywhere (not separate texts, as in encode_batch). Text is
        encoded up to the last safe cut (see core.CUT) and the rest carried over, together with the
        last (longest special token - 1) characters, so a special token split by a block edge is
        still found. Text without a safe cut (one huge line, or a pattern that is not `streamable`,
        which is never cut) is held until one comes: memory then grows with it, up to `max_held`
        characters (None: no limit), beyond which a TokenizerError says so; no other cut is taken,
        since only a safe one keeps the ids exact. Errors (disallowed special text, lone surrogates)
        name the index in the whole stream, and are raised when reached: the pieces before them
        have been yielded already.
        """
        allowed, disallowed = self.special_policy(allowed_special, disallowed_special)
        cuttable = self.pattern.streamable
        hold = max(max(map(len, self.special_tokens), default=0) - 1, 1)  # >= 1: a cut needs the next char
        in_special = [s for s in self.special_tokens if "\r" in s or "\n" in s]  # specials a cut could split
        pending: list[str] = []  # text not encoded yet
        size = 0  # characters in pending
        offset = 0  # index in the stream of pending's first character
        edge = ""  # the end of pending: cuts up to its last `hold` characters were looked for already
        for block in blocks:
            if not block:
                continue
            cut = -1
            if cuttable:
                window, base = edge + block, size - len(edge)  # window[0] is pending's character `base`
                start = max(len(edge) - hold, 0)  # line breaks before this were looked at already
                end = len(window) - hold + 1  # the character after a cut must be in window[:end]
                while end > start and (m := _CUT.search(window, start, end)):
                    cut = base + m.end()
                    if not any(_spans(window, m.end(), s) for s in in_special):
                        break
                    cut, end = -1, m.start()  # a special token holds this line break: look earlier
            pending.append(block)
            if cut < 0:
                size += len(block)
                edge = (edge + block)[-2 * hold :]
                if max_held is not None and size > max_held:
                    raise TokenizerError(self._held_too_long(offset, max_held, cuttable))
                continue
            text = "".join(pending)
            yield self._encode(text[:cut], allowed, disallowed, offset)
            offset += cut
            rest = text[cut:]
            pending, size, edge = [rest], len(rest), rest[-2 * hold :]
        if size:
            yield self._encode("".join(pending), allowed, disallowed, offset)

    def encode_to_numpy(
        self,
        text: str,
        *,
        allowed_special: Literal["all"] | Collection[str] = frozenset(),
        disallowed_special: Literal["all"] | Collection[str] = "all",
    ) -> np.ndarray:
        """encode(text, ...) as a uint32 numpy array (tiktoken's surface)."""
        import numpy as np

        ids = self.encode(text, allowed_special=allowed_special, disallowed_special=disallowed_special)
        return np.array(ids, dtype=np.uint32)
    def _held_too_long(self, offset: int, max_held: int, cuttable: bool) -> str:
        if not cuttable:
            return (f"this model's pre-split ({self.pattern.name!r}) cannot be cut while streaming, so the whole "
                    f"text would be held, and it has more than {max_held:,} characters")
        return (f"more than {max_held:,} characters from index {offset:,} without a line break where the text "
                "can be cut exactly (one followed by a letter, digit or punctuation): cut the text into lines")

    # ----- decoding --------------------------------------------------------------------------
    def decode_single_token_bytes(self, token_id: int) -> bytes:
        """The bytes of one token (a special token's are its text)."""
        if isinstance(token_id, bool):  # True == 1: it would be looked up as id 1
            raise InvalidIdError(f"token id {token_id!r} is a bool, not an int")
        if token_id in self.vocab:
            return self.vocab[token_id]
        if token_id in self.inverse_special:
            return self.inverse_special[token_id].encode("utf-8")
        raise InvalidIdError(f"token id {token_id} is not in the vocabulary (valid: 0..{self.vocab_size - 1})")

    def decode_bytes(self, ids: Iterable[int]) -> bytes:
        """The bytes of ids; one dict lookup per id, the error path only for an id it does not know."""
        table = self._id_bytes()
        try:
            return b"".join([table[i] for i in ids])
        except (KeyError, TypeError):
            return b"".join(self.decode_single_token_bytes(i) for i in ids)

    def _id_bytes(self) -> dict[int, bytes]:
        table = self.__dict__.get("_id_bytes_table")
        if table is None:
            table = dict(self.vocab)
            table.update((i, s.encode("utf-8")) for i, s in self.inverse_special.items())
            self.__dict__["_id_bytes_table"] = table
        return table

    def decode_tokens_bytes(self, ids: Iterable[int]) -> list[bytes]:
        """The bytes of each token: how a text is cut (metrics and the Space take these)."""
        ids = list(ids)
        table = self._id_bytes()
        try:
            return [table[i] for i in ids]
        except (KeyError, TypeError):
            return [self.decode_single_token_bytes(i) for i in ids]

    def decode_with_offsets(self, ids: Sequence[int]) -> tuple[str, list[int]]:
        """(text, the index of each token's first character in it), as tiktoken gives: a token that
        starts inside a character is given that character's index. Raises for ids that are not UTF-8."""
        pieces = self.decode_tokens_bytes(ids)
        offsets = []
        chars = 0
        for piece in pieces:
            offsets.append(max(0, chars - (bool(piece) and 0x80 <= piece[0] < 0xC0)))
            chars += sum(not 0x80 <= b < 0xC0 for b in piece)
        return _utf8(b"".join(pieces), "strict"), offsets

    def decode(self, ids: Iterable[int], errors: Literal["replace", "strict"] = "replace") -> str:
        """Ids back to text. Ids that end inside a character give U+FFFD ("replace") or raise ("strict")."""
        if errors not in ("replace", "strict"):
            raise ValueError(f"errors must be 'replace' or 'strict', not {errors!r}")
        return _utf8(self.decode_bytes(ids), errors)

    def render(self, token_id: int) -> str:
        """A display form of a token; partial characters show as <E0 A4>."""
        return render_token(self.decode_single_token_bytes(token_id))

    def __reduce__(self) -> tuple:
        """Pickled as what defines it (for worker processes and `datasets.map(num_proc=...)`); the
        core is rebuilt on first use where it is unpickled."""
        return (_rebuild, (self.merges, self.pattern, self.special_tokens, self.byte_ids, self.name, self.release))

    def __repr__(self) -> str:
        return f"Tokenizer(name={self.name!r}, vocab_size={self.vocab_size}, pattern={self.pattern.name!r})"


def _rebuild(merges: Merges, pattern: Pattern, special: dict[str, int], byte_ids: list[int], name: str,
             release: int = 1) -> Tokenizer:  # fmt: skip
    return Tokenizer(merges, pattern, special, byte_ids=byte_ids, name=name, release=release)


def _not_text(method: str, text: object) -> TypeError:
    hint = "; decode the bytes to text first, e.g. data.decode('utf-8')" if isinstance(text, (bytes, bytearray)) else ""
    return TypeError(f"{method} takes a str, got {type(text).__name__}{hint}")


def _texts(method: str, texts: Iterable[str]) -> Sequence[str]:
    """texts as a sequence, every one a str (one str is refused: it would be a batch of its characters)."""
    if isinstance(texts, (str, bytes)):
        raise TypeError(f"{method} takes an iterable of str, got one {type(texts).__name__}; pass [text]")
    texts = texts if isinstance(texts, Sequence) else list(texts)
    for n, text in enumerate(texts):
        if not isinstance(text, str):
            raise TypeError(f"{method} takes str texts, got {type(text).__name__} as text {n}")
    return texts


def _utf8(data: bytes, errors: str) -> str:
    try:
        return data.decode("utf-8", errors=errors)
    except UnicodeDecodeError as e:
        raise InvalidIdError(
            f"ids decode to bytes that are not valid UTF-8 at byte {e.start} "
            f"({data[e.start:e.end].hex(' ')}); use errors='replace' to decode anyway"
        ) from None


def _surrogate_error(text: str, offset: int, text_number: int | None = None) -> UnencodableTextError:
    """The error for text holding a lone surrogate, naming its index in the caller's text."""
    bad = _SURROGATE.search(text)
    where = f" at index {offset + bad.start()} (U+{ord(bad.group()):04X})" if bad else ""
    which = f"text {text_number} " if text_number is not None else "text "
    return UnencodableTextError(f"{which}contains a lone surrogate{where}, which UTF-8 cannot encode")


def _spans(text: str, cut: int, special: str) -> bool:
    """Whether an occurrence of special in text has the cut strictly inside it."""
    return text.find(special, max(cut - len(special) + 1, 0), cut + len(special) - 1) != -1
