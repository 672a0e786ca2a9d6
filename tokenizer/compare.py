"""Every tokenizer people compare ours with, behind one small interface, loaded as their users load them.

    from tokenizer import compare
    gemma = compare.get("Gemma 3")              # a known name: compare.KNOWN
    ids = gemma.encode("भारत एक विशाल देश है।")  # 6 ids; special-token text is plain text
    gemma.decode(ids)                            # the text back, exactly
    gemma.pieces(text)                           # token bytes that add up to the text (for metrics)
    compare.from_hub("Qwen/Qwen3-0.6B")          # any Hub repository with a tokenizer.json
    compare.ours(tok)                            # one of our Tokenizers, same interface

Like tiktoken's registry of encodings, `KNOWN` names each tokenizer and says where it comes from:
- GPT-2, GPT-4, GPT-4o: tiktoken's encodings (`tokenizer.openai`; offline through
  $INDIC_TOKENIZER_TIKTOKEN_DIR);
- Gemma 3 and Qwen 3: a Hugging Face `tokenizer.json`, run by `tokenizers`;
- Llama 3 and Llama 4: a tiktoken rank file with Meta's own regex and special tokens;
- Mistral Tekken: Mistral's `tekken.json` (base64 vocabulary + regex, ids after 1,000 specials).

The open LLMs are downloaded from the Hub with `huggingface_hub` (Gemma and Llama are gated: accept
the licence on the repository's page and log in). Where there is no network, the same files can be
put in a directory named by $INDIC_TOKENIZER_LLM_DIR (plain or gzipped, under the `local` names of
`KNOWN`); the same parsing code then reads them. Each tokenizer is loaded once per process and shared
(Gemma 3's tokenizer.json is 33 MB).

Hub downloads are bounded (`HubLimits`): a size cap checked before and after the download, a wall
time, at most two at once, and a cache bounded in entries and bytes; nothing of an arbitrary
repository is kept on disk (the known files go to huggingface_hub's cache, as for their users).
Every failure is an `Unavailable` with one clear line (gated, missing, not a tokenizer, too big,
offline).
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import shutil
import tempfile
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .encoding import Tokenizer
from .errors import InvalidIdError, TokenizerError

LLM_DIR_ENV = "INDIC_TOKENIZER_LLM_DIR"
HUB_FILE = "tokenizer.json"  # what an arbitrary Hub repository must have


class Unavailable(TokenizerError):
    """A tokenizer that cannot be loaded (gated, missing, offline, too big, not a tokenizer); one line."""


# ----- the interface ------------------------------------------------------------------------------
class Comparable:
    """One tokenizer as the comparisons see it: a name, a vocabulary size, ids, token bytes (tiktoken's
    `decode_tokens_bytes`, as ours has), decode.

    `encode` treats special-token text as plain text (no BOS is added), so counts compare the text
    alone. `pieces` gives one byte string per token that add up to the text's UTF-8, which is what
    `tokenizer.metrics.measure` and the views' drawings take; `tokens` gives ids and pieces at once.
    """

    name: str
    vocab_size: int
    source: str  # where it was loaded from: a file, a Hub repository, "tiktoken"

    def encode(self, text: str) -> list[int]:
        raise NotImplementedError

    def decode_tokens_bytes(self, ids: Sequence[int]) -> list[bytes]:
        raise NotImplementedError

    def decode(self, ids: Sequence[int]) -> str:
        return b"".join(self.decode_tokens_bytes(ids)).decode("utf-8", "replace")

    def tokens(self, text: str) -> tuple[list[int], list[bytes]]:
        ids = self.encode(text)
        return ids, self.decode_tokens_bytes(ids)

    def pieces(self, text: str) -> list[bytes]:
        return self.tokens(text)[1]

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: {self.vocab_size:,} ids from {self.source}>"


class _Ours(Comparable):
    def __init__(self, tok: Tokenizer, name: str = "") -> None:
        self.tok, self.name, self.vocab_size = tok, name or tok.name or "ours", tok.vocab_size
        self.source = "this project"

    def encode(self, text: str) -> list[int]:
        return self.tok.encode_ordinary(text)

    def decode_tokens_bytes(self, ids: Sequence[int]) -> list[bytes]:
        return self.tok.decode_tokens_bytes(ids)

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode(ids)


def ours(tok: Tokenizer, name: str = "") -> Comparable:
    """One of our tokenizers behind the same interface."""
    return _Ours(tok, name)


class _Tiktoken(Comparable):
    """A tiktoken Encoding; `offset` shifts every id (Tekken puts 1,000 special ids first)."""

    def __init__(self, encoding, name: str, source: str, vocab_size: int | None = None, offset: int = 0,
                 special_names: dict[int, str] | None = None) -> None:
        self.enc, self.name, self.source, self.offset = encoding, name, source, offset
        self.vocab_size = vocab_size if vocab_size is not None else encoding.n_vocab
        self.special_names = special_names or {}

    def encode(self, text: str) -> list[int]:
        ids = self.enc.encode_ordinary(text)
        return [i + self.offset for i in ids] if self.offset else ids

    def _bytes(self, i: int) -> bytes:
        if i < self.offset:
            return self.special_names.get(i, f"<SPECIAL_{i}>").encode("utf-8")
        if not 0 <= i < self.vocab_size:
            raise InvalidIdError(f"{self.name} has no token {i} (ids are 0..{self.vocab_size - 1})")
        try:
            return self.enc.decode_single_token_bytes(i - self.offset)
        except KeyError:
            raise InvalidIdError(f"{self.name} has no token {i}") from None

    def decode_tokens_bytes(self, ids: Sequence[int]) -> list[bytes]:
        if not self.offset and all(isinstance(i, int) for i in ids):
            try:
                return self.enc.decode_tokens_bytes(list(ids))
            except KeyError:
                pass  # an unknown id: the slow path names it
        return [self._bytes(i) for i in ids]


_BYTE_TOKEN = re.compile(r"<0x([0-9A-Fa-f]{2})>")


class _HFTokenizer(Comparable):
    """A `tokenizers.Tokenizer` from a tokenizer.json.

    Token bytes come from the vocabulary: byte-level models map their characters back through
    GPT-2's byte table; SentencePiece-style ones turn ▁ into a space and <0xNN> into that byte. When
    a tokenizer changes the text before cutting it (a lowercasing or NFKC normaliser, a dummy prefix)
    those bytes cannot add up to the text, so `pieces` falls back to the tokens' character offsets.
    """

    def __init__(self, tok, name: str, source: str) -> None:
        tok.encode_special_tokens = True  # special-token text is text here, as in our views
        self.tok, self.name, self.source = tok, name, source
        self.vocab_size = tok.get_vocab_size(with_added_tokens=True)
        # Read from the parts, not from tok.to_str(): parsing Gemma's whole JSON again costs ~300 MB.
        self.byte_level = "ByteLevel" in f"{tok.pre_tokenizer!r} {tok.decoder!r}"
        self.added = {i: t.content for i, t in tok.get_added_tokens_decoder().items()}
        self._cache: dict[int, bytes] = {}
        self._lock = threading.Lock()
        if self.byte_level:
            from .hf import bytes_to_unicode

            self._unbyte = {c: b for b, c in bytes_to_unicode().items()}

    def encode(self, text: str) -> list[int]:
        return self.tok.encode(text, add_special_tokens=False).ids

    def _bytes(self, i: int) -> bytes:
        data = self._cache.get(i)
        if data is not None:
            return data
        if i in self.added:
            data = self.added[i].encode("utf-8")
        else:
            token = self.tok.id_to_token(i)
            if token is None:
                raise InvalidIdError(f"{self.name} has no token {i} (ids are 0..{self.vocab_size - 1})")
            if self.byte_level and all(c in self._unbyte for c in token):
                data = bytes(self._unbyte[c] for c in token)
            else:
                byte = _BYTE_TOKEN.fullmatch(token)
                data = bytes([int(byte.group(1), 16)]) if byte else token.replace("▁", " ").encode("utf-8")
        with self._lock:
            self._cache[i] = data
        return data

    def decode_tokens_bytes(self, ids: Sequence[int]) -> list[bytes]:
        return [self._bytes(i) for i in ids]

    def decode(self, ids: Sequence[int]) -> str:
        return self.tok.decode(list(ids), skip_special_tokens=False)

    def tokens(self, text: str) -> tuple[list[int], list[bytes]]:
        encoding = self.tok.encode(text, add_special_tokens=False)
        data = self.decode_tokens_bytes(encoding.ids)
        if b"".join(data) == text.encode("utf-8", "surrogatepass"):
            return encoding.ids, data
        out, done = [], 0  # by offsets: each token takes the characters from the previous end to its own
        for _, end in encoding.offsets:
            end = max(end, done)
            out.append(text[done:end].encode("utf-8"))
            done = end
        if out:
            out[-1] += text[done:].encode("utf-8")
        return encoding.ids, out


# ----- what is known ------------------------------------------------------------------------------
# Meta's own regexes (llama_models/llama3/tokenizer.py and llama_models/llama4/tokenizer.py).
_LLAMA3_PATTERN = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                   r"|\s*[\r\n]+|\s+(?!\S)|\s+")
_LLAMA4_PATTERN = (r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+"
                   r"(?i:'s|'t|'re|'ve|'m|'ll|'d)?|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+"
                   r"[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n/]*"
                   r"|\s*[\r\n]+|\s+(?!\S)|\s+")


def _llama3_specials() -> list[str]:
    named = ["<|begin_of_text|>", "<|end_of_text|>", "<|reserved_special_token_0|>", "<|reserved_special_token_1|>",
             "<|finetune_right_pad_id|>", "<|step_id|>", "<|start_header_id|>", "<|end_header_id|>", "<|eom_id|>",
             "<|eot_id|>", "<|python_tag|>", "<|image|>"]
    return named + [f"<|reserved_special_token_{2 + i}|>" for i in range(256 - len(named))]


def _llama4_specials() -> list[str]:
    def reserved(name: str, count: int, start: int = 0) -> list[str]:
        return [f"<|{name}_reserved_special_token_{i}|>" for i in range(start, start + count)]

    text = ["<|header_start|>", "<|header_end|>", "<|eom|>", "<|eot|>", "<|step|>",
            *reserved("text_post_train", 6), "<|python_start|>", "<|python_end|>", "<|finetune_right_pad|>",
            *reserved("text_post_train", 61, 8)]
    vision = ["<|image_start|>", "<|image_end|>", *reserved("vision", 2), "<|tile_x_separator|>",
              "<|tile_y_separator|>", *reserved("vision", 4, 2), "<|image|>", *reserved("vision", 1, 6), "<|patch|>",
              *reserved("vision", 1041, 7)]
    reasoning = [*reserved("reasoning", 8), "<|reasoning_thinking_start|>", "<|reasoning_thinking_end|>"]
    named = ["<|begin_of_text|>", "<|end_of_text|>", "<|fim_prefix|>", "<|fim_middle|>", "<|fim_suffix|>",
             *text, *vision, *reasoning]
    return named + [f"<|reserved_special_token_{i}|>" for i in range(2048 - len(named))]


@dataclass(frozen=True)
class Known:
    """A tokenizer we know how to load: its format, its Hub file, and its name in $INDIC_TOKENIZER_LLM_DIR."""

    name: str
    kind: str  # "openai" | "tokenizer.json" | "tiktoken" | "tekken"
    repo: str = ""  # Hub repository (open LLMs)
    filename: str = ""  # the file in that repository
    local: str = ""  # its name in $INDIC_TOKENIZER_LLM_DIR (a .gz is read gunzipped)
    gated: bool = False
    licence: str = ""
    pattern: str = ""  # the regex of a tiktoken rank file
    specials: Callable[[], list[str]] | None = None  # special tokens after the ranks (tiktoken rank files)
    note: str = ""  # shown under the name


KNOWN: dict[str, Known] = {k.name: k for k in (
    Known("GPT-2", "openai", licence="MIT", note="r50k_base"),
    Known("GPT-4", "openai", licence="MIT", note="cl100k_base"),
    Known("GPT-4o", "openai", licence="MIT", note="o200k_base"),
    Known("Gemma 3", "tokenizer.json", "google/gemma-3-1b-it", "tokenizer.json", "gemma3_tokenizer.json.gz",
          gated=True, licence="Gemma Terms of Use"),
    Known("Llama 3", "tiktoken", "meta-llama/Meta-Llama-3-8B", "original/tokenizer.model", "llama3_tokenizer.model",
          gated=True, licence="Llama 3 Community License", pattern=_LLAMA3_PATTERN, specials=_llama3_specials),
    Known("Llama 4", "tiktoken", "meta-llama/Llama-4-Scout-17B-16E", "original/tokenizer.model",
          "llama4_tokenizer.model", gated=True, licence="Llama 4 Community License", pattern=_LLAMA4_PATTERN,
          specials=_llama4_specials),
    Known("Qwen 3", "tokenizer.json", "Qwen/Qwen3-0.6B", "tokenizer.json", "qwen3_tokenizer.json.gz",
          licence="Apache-2.0"),
    Known("Mistral Tekken", "tekken", "mistralai/Mistral-Nemo-Instruct-2407", "tekken.json", "tekken_240718.json.gz",
          licence="Apache-2.0"),
)}
LLMS = [k.name for k in KNOWN.values() if k.kind != "openai"]


# ----- limits for downloads ---------------------------------------------------------------------------
@dataclass(frozen=True)
class HubLimits:
    """Bounds on what a Hub repository id can cost: a hostile id must not fill the disk, memory or a thread."""

    max_file_bytes: int = 64_000_000  # a tokenizer file (Gemma 3's tokenizer.json is 33 MB)
    timeout: float = 60.0  # seconds for the metadata request and the download together
    cache_entries: int = 6  # Hub repositories kept loaded (the least recently used goes first)
    cache_bytes: int = 100_000_000  # their files' sizes added up (resident memory is about 9x: Gemma 3's
    # 33 MB tokenizer.json takes 290 MB loaded)
    downloads: int = 2  # downloads at once; a third is told to try again


LIMITS = HubLimits()
_DOWNLOADS = threading.BoundedSemaphore(LIMITS.downloads)


def _first_line(e: BaseException) -> str:
    text = str(e).strip()
    line = text.splitlines()[0] if text else type(e).__name__
    return line if len(line) <= 200 else line[:197] + "..."


def _login_hint(repo: str) -> str:
    return (f"{repo} is gated: accept its licence at https://huggingface.co/{repo} with your account, then log in "
            "(`hf auth login`, or set HF_TOKEN)")


def _hub_reason(e: BaseException, repo: str, filename: str) -> str:
    """One line for an exception from huggingface_hub."""
    from huggingface_hub import errors

    if isinstance(e, errors.GatedRepoError):
        return _login_hint(repo)
    if isinstance(e, errors.RepositoryNotFoundError):
        return (f"there is no repository {repo} on the Hugging Face Hub (or it is private: log in with "
                "`hf auth login` or set HF_TOKEN)")
    if isinstance(e, errors.RevisionNotFoundError):
        return f"{repo} has no such revision"
    if isinstance(e, errors.LocalEntryNotFoundError):  # before EntryNotFoundError, its base class
        return f"cannot reach the Hugging Face Hub to download {repo}/{filename} ({_first_line(e)})"
    if isinstance(e, errors.EntryNotFoundError):  # RemoteEntryNotFoundError too
        return f"{repo} has no {filename}, so it is not a Hugging Face tokenizers tokenizer"
    if isinstance(e, errors.OfflineModeIsEnabled):
        return f"cannot download {repo}/{filename}: offline mode is on (HF_HUB_OFFLINE)"
    if any(c.__name__ in ("TransportError", "ConnectionError", "Timeout", "TimeoutError") for c in type(e).__mro__):
        return f"cannot reach the Hugging Face Hub for {repo}/{filename} ({type(e).__name__}: {_first_line(e)})"
    if isinstance(e, errors.HfHubHTTPError):
        status = getattr(getattr(e, "response", None), "status_code", None)
        if status in (401, 403):
            return _login_hint(repo)
        return f"the Hugging Face Hub refused {repo}/{filename} (HTTP {status}): {_first_line(e)}"
    return f"cannot download {repo}/{filename}: {type(e).__name__}: {_first_line(e)}"


def check_repo_id(repo: str) -> str:
    """A Hub model repository id ("owner/name"), or Unavailable saying what is wrong with it."""
    repo = (repo or "").strip()
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo)
        valid = repo.count("/") == 1
    except Exception:  # noqa: BLE001 - HFValidationError
        valid = False
    if not valid:
        raise Unavailable(f"{repo[:100]!r} is not a Hub repository id: write it as owner/name (letters, digits, "
                          "- _ and .), e.g. Qwen/Qwen3-0.6B")
    return repo


def _download(repo: str, filename: str, limits: HubLimits, *, known: bool = False) -> bytes:
    """The file's bytes, fetched within the limits.

    Any repository goes to a temporary folder, removed right after, and its size is checked from the
    metadata before the download. A `known` one (a fixed file of KNOWN) goes to huggingface_hub's own
    cache like any download of its users, so it is fetched once per machine and found offline.
    """
    import huggingface_hub

    if not _DOWNLOADS.acquire(timeout=1.0):
        raise Unavailable(f"{limits.downloads} Hub downloads are already running; try {repo} again in a moment")
    result: dict[str, object] = {}
    folder = None if known else tempfile.mkdtemp(prefix="indic-tokenizer-hub-")

    def run() -> None:
        try:
            if not known:
                url = huggingface_hub.hf_hub_url(repo, filename)
                meta = huggingface_hub.get_hf_file_metadata(url, timeout=min(limits.timeout, 20.0))
                size = getattr(meta, "size", None)
                if size is not None and size > limits.max_file_bytes:
                    result["error"] = Unavailable(f"{repo}/{filename} is {size / 1e6:.1f} MB, over the "
                                                  f"{limits.max_file_bytes / 1e6:.0f} MB limit for a tokenizer file")
                    return
            path = Path(huggingface_hub.hf_hub_download(repo, filename, cache_dir=folder,
                                                        etag_timeout=min(limits.timeout, 20.0)))
            size = path.stat().st_size
            if size > limits.max_file_bytes:
                result["error"] = Unavailable(f"{repo}/{filename} is {size / 1e6:.1f} MB, over the "
                                              f"{limits.max_file_bytes / 1e6:.0f} MB limit for a tokenizer file")
                return
            result["data"] = path.read_bytes()
        except Unavailable as e:
            result["error"] = e
        except Exception as e:  # noqa: BLE001 - every huggingface_hub / network failure becomes one line
            result["error"] = Unavailable(_hub_reason(e, repo, filename))
        finally:
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            _DOWNLOADS.release()

    worker = threading.Thread(target=run, name=f"hub-download {repo}", daemon=True)
    worker.start()
    worker.join(limits.timeout)
    if worker.is_alive():  # it ends on its own (size-capped; huggingface_hub's read timeouts apply)
        raise Unavailable(f"downloading {repo}/{filename} took more than {limits.timeout:.0f} s; try again later")
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return result["data"]  # type: ignore[return-value]


# ----- parsing (the same for a local copy and a download) --------------------------------------------
def _gunzip(data: bytes, limit: int) -> bytes:
    if not data.startswith(b"\x1f\x8b"):
        return data
    with gzip.GzipFile(fileobj=__import__("io").BytesIO(data)) as f:
        out = f.read(limit + 1)
    if len(out) > limit:
        raise Unavailable(f"the file unpacks to more than {limit / 1e6:.0f} MB")
    return out


def _parse_tokenizer_json(data: bytes, name: str, source: str) -> Comparable:
    from tokenizers import Tokenizer as HFTokenizer

    try:
        tok = HFTokenizer.from_buffer(data)  # bytes: no 33 MB Python str on the way
    except Exception as e:  # noqa: BLE001 - tokenizers raises plain Exception for bad JSON
        raise Unavailable(f"{source} is not a valid Hugging Face tokenizer.json: {_first_line(e)}") from None
    return _HFTokenizer(tok, name, source)


def _parse_ranks(data: bytes, source: str) -> dict[bytes, int]:
    ranks: dict[bytes, int] = {}
    for number, line in enumerate(data.splitlines(), 1):
        if not line.strip():
            continue
        try:
            token, rank = line.split()
            ranks[base64.b64decode(token, validate=True)] = int(rank)
        except ValueError:
            raise Unavailable(f"{source}:{number}: not a tiktoken rank line (base64 token, space, rank)") from None
    if not ranks:
        raise Unavailable(f"{source} has no ranks")
    return ranks


def _parse(known: Known, data: bytes, source: str) -> Comparable:
    import tiktoken

    data = _gunzip(data, 8 * LIMITS.max_file_bytes)
    if known.kind == "tokenizer.json":
        return _parse_tokenizer_json(data, known.name, source)
    if known.kind == "tiktoken":
        ranks = _parse_ranks(data, source)
        specials = known.specials() if known.specials else []
        special_ids = {s: len(ranks) + k for k, s in enumerate(specials)}
        enc = tiktoken.Encoding(known.name, pat_str=known.pattern, mergeable_ranks=ranks, special_tokens=special_ids)
        return _Tiktoken(enc, known.name, source)
    if known.kind == "tekken":
        try:
            spec = json.loads(data)
            config = spec["config"]
            n_special = int(config["default_num_special_tokens"])
            size = int(config["default_vocab_size"])
            vocab = spec["vocab"][: size - n_special]
            ranks = {base64.b64decode(v["token_bytes"]): int(v["rank"]) for v in vocab}
            pattern = config["pattern"]
        except (ValueError, KeyError, TypeError) as e:
            raise Unavailable(f"{source} is not a tekken.json: {type(e).__name__}: {_first_line(e)}") from None
        names = {0: "<unk>", 1: "<s>", 2: "</s>"}  # the rest of Tekken v3's specials are unnamed in the file
        names |= {int(t["rank"]): t["token_str"] for t in spec.get("special_tokens") or [] if "rank" in t}
        enc = tiktoken.Encoding(known.name, pat_str=pattern, mergeable_ranks=ranks, special_tokens={})
        return _Tiktoken(enc, known.name, source, vocab_size=size, offset=n_special, special_names=names)
    raise ValueError(f"unknown kind {known.kind!r}")


# ----- loading and caching ------------------------------------------------------------------------------
def llm_dir() -> Path | None:
    """$INDIC_TOKENIZER_LLM_DIR when it names a directory."""
    value = os.environ.get(LLM_DIR_ENV, "")
    return Path(value) if value and Path(value).is_dir() else None


def _read_known(known: Known) -> tuple[bytes, str]:
    """(the file's bytes, where they came from): the local copy if the setting names a folder, else the Hub."""
    folder = llm_dir()
    if folder is not None:
        path = folder / known.local
        if not path.is_file():
            raise Unavailable(f"{known.name} is unavailable: {path} does not exist (${LLM_DIR_ENV} is set)")
        if path.stat().st_size > LIMITS.max_file_bytes:
            raise Unavailable(f"{known.name} is unavailable: {path} is over {LIMITS.max_file_bytes / 1e6:.0f} MB")
        return path.read_bytes(), str(path)
    try:
        return _download(known.repo, known.filename, LIMITS, known=True), f"{known.repo}/{known.filename}"
    except Unavailable as e:
        hint = "" if os.environ.get(LLM_DIR_ENV) is None else f"; ${LLM_DIR_ENV} is not a directory"
        raise Unavailable(f"{known.name} is unavailable: {e}{hint}") from None


class _Cache:
    """key -> loaded tokenizer; each key is loaded once even when many ask at once.

    Bounded in entries and bytes for Hub repositories; the known tokenizers are a fixed few and stay.
    """

    def __init__(self, limits: HubLimits) -> None:
        self.limits = limits
        self._items: OrderedDict[str, tuple[Comparable, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    def get(self, key: str, load: Callable[[], tuple[Comparable, int]], bounded: bool) -> Comparable:
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            gate = self._loading.setdefault(key, threading.Lock())
        with gate:  # one load per key; the others wait for it
            with self._lock:
                if key in self._items:
                    return self._items[key][0]
            try:
                value, size = load()
            finally:
                with self._lock:
                    self._loading.pop(key, None)
            with self._lock:
                self._items[key] = (value, size if bounded else 0)
                if bounded:
                    self._evict(keep=key)
            return value

    def _evict(self, keep: str) -> None:
        def hub_keys() -> list[str]:
            return [k for k, (_, size) in self._items.items() if k.startswith("hub:") and k != keep]

        while hub_keys() and (len([k for k in self._items if k.startswith("hub:")]) > self.limits.cache_entries
                              or sum(s for _, s in self._items.values()) > self.limits.cache_bytes):
            self._items.pop(hub_keys()[0])

    def keys(self) -> list[str]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


_CACHE = _Cache(LIMITS)


def get(name: str) -> Comparable:
    """A known tokenizer by name (`KNOWN`), loaded once per process; Unavailable with the reason if it cannot be."""
    known = KNOWN.get(name)
    if known is None:
        raise ValueError(f"unknown tokenizer {name!r}; known: {', '.join(KNOWN)} (or use from_hub)")
    if known.kind == "openai":
        from .openai import ENCODINGS, load_encoding

        def load_openai() -> tuple[Comparable, int]:
            try:
                enc = load_encoding(name)
            except Exception as e:  # noqa: BLE001 - EncodingUnavailable and tiktoken's own errors
                raise Unavailable(_first_line(e)) from None
            return _Tiktoken(enc, name, f"tiktoken {ENCODINGS[name].tiktoken_name}"), 0

        return _CACHE.get(f"openai:{name}:{os.environ.get('INDIC_TOKENIZER_TIKTOKEN_DIR', '')}", load_openai, False)

    def load_llm() -> tuple[Comparable, int]:
        data, source = _read_known(known)
        return _parse(known, data, source), len(data)

    return _CACHE.get(f"llm:{name}:{os.environ.get(LLM_DIR_ENV, '')}", load_llm, False)


def from_hub(repo: str, limits: HubLimits | None = None) -> Comparable:
    """The tokenizer.json of any Hub model repository, downloaded within `limits` and cached (bounded)."""
    repo = check_repo_id(repo)
    limits = limits or LIMITS

    def load() -> tuple[Comparable, int]:
        try:
            data = _download(repo, HUB_FILE, limits)
        except Unavailable as e:
            raise Unavailable(f"{repo} is unavailable: {e}") from None
        return _parse_tokenizer_json(data, repo, f"{repo}/{HUB_FILE}"), len(data)

    return _CACHE.get(f"hub:{repo}", load, True)


def load(name: str) -> Comparable:
    """A known name ("Gemma 3", "GPT-4o") or a Hub repository id ("owner/name")."""
    return get(name) if name in KNOWN else from_hub(name)
