"""The model file: a versioned, line-based text format that a person can read and diff.

    indicbpe v2
    name: hi
    release: 2                       (only from release 2 on: which release of a shipped model)
    pattern: indic
    regex: "<the pre-split regex as a JSON string>"
    special: <|endoftext|> 4999
    checksum: sha256:<64 hex digits>
    merges: 4743
    224 164
    ...

Each merge line holds the two ids it joins; the merge on the k-th such line creates id 255 + k.
A `.vocab` file beside the model lists every token for people (it is never read back).
Every problem found on loading is reported as "<file>:<line>: <what is wrong>".

Why a checksum: every line of a model is plausible on its own, so without one a flipped digit or
a swapped line gives another valid model that encodes differently without any error. The
checksum (`checksum(tok)`) covers exactly what defines the ids: the pre-split regex, the byte
order, the merges in rank order and the special tokens; not the name or the pattern's label, so
renaming a model (or numbering its release) keeps its checksum. It is the SHA-256 of this canonical JSON text, so any
implementation can recompute it:

    json.dumps({"byte_ids": [...256 ids...], "merges": [[a, b, new_id], ...] (by new_id),
                "regex": "...", "special_tokens": [["<|endoftext|>", 4999], ...] (by id)},
               ensure_ascii=True, separators=(",", ":"), sort_keys=True)

Version 1 files (the same without the checksum line) still load. Shipped models load by name:
`load("hi")` reads the registry's model file (tokenizer/registry.py) from `models_dir()`, the
current release; `load("hi@1")` reads release 1 from `models_dir()/releases/`. A shipped model's
ids never change in place: a new release is a new file, and every earlier one stays loadable.
"""

from __future__ import annotations

import errno
import hashlib
import json
import os
import re
from collections.abc import Iterable
from pathlib import Path

from .bpe import render_token
from .encoding import Tokenizer, check_saveable
from .errors import ModelFileError, TokenizerError
from .files import NotRegularFileError, open_regular, write_atomic
from .registry import LANGUAGES
from .pretokenize import PATTERNS, Pattern

MAGIC = "indicbpe"
VERSION = 2  # what dumps() writes
READABLE = (1, 2)  # what loads() reads
# A model of 5,000 tokens is about 40 kB and one of 200,000 (GPT-4o's size) about 2.5 MB; a larger
# file is not a model, and reading it whole (/dev/zero, a log) would only exhaust memory.
MAX_MODEL_BYTES = 64 * 2**20
_CHECKSUM = re.compile(r"sha256:[0-9a-f]{64}")
# In a checkout the models sit in models/ beside the package; an installed wheel has them as
# package data in tokenizer/models/ (pyproject.toml maps the one onto the other). $MODELS_ENV
# points everything that reads shipped models (load by name, the Space, the benchmarks) elsewhere.
MODELS_ENV = "INDIC_TOKENIZER_MODELS"
_INSTALLED_MODELS = Path(__file__).resolve().parent / "models"
_CHECKOUT_MODELS = Path(__file__).resolve().parent.parent / "models"


def checksum(tok: Tokenizer) -> str:
    """"sha256:<hex>" over everything that defines the ids (see the module docstring), not the name."""
    ordered = sorted(tok.merges.items(), key=lambda kv: kv[1])
    return _digest(tok.pattern.regex, tok.byte_ids, ((a, b, i) for (a, b), i in ordered), tok.special_tokens)


def _digest(
    regex_text: str, byte_ids: list[int], merges: Iterable[tuple[int, int, int]], specials: dict[str, int]
) -> str:
    canonical = {
        "byte_ids": list(byte_ids),
        "merges": [list(m) for m in merges],
        "regex": regex_text,
        "special_tokens": [[s, i] for s, i in sorted(specials.items(), key=lambda kv: kv[1])],
    }
    text = json.dumps(canonical, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode("ascii")).hexdigest()


def dumps(tok: Tokenizer) -> str:
    if tok.byte_ids != list(range(256)):
        raise TokenizerError("only tokenizers whose ids 0-255 are the raw bytes can be saved in this format")
    check_saveable(tok.name, tok.special_tokens)
    lines = [
        f"{MAGIC} v{VERSION}",
        f"name: {tok.name}",
        *([f"release: {tok.release}"] if tok.release != 1 else []),
        f"pattern: {tok.pattern.name}",
        f"regex: {json.dumps(tok.pattern.regex, ensure_ascii=False)}",
    ]
    lines += [f"special: {s} {i}" for s, i in sorted(tok.special_tokens.items(), key=lambda kv: kv[1])]
    lines.append(f"checksum: {checksum(tok)}")
    ordered = sorted(tok.merges.items(), key=lambda kv: kv[1])
    lines.append(f"merges: {len(ordered)}")
    for k, ((a, b), new_id) in enumerate(ordered):
        if new_id != 256 + k:
            raise TokenizerError(f"merge ids must be consecutive from 256; merge {k} has id {new_id}")
        lines.append(f"{a} {b}")
    return "\n".join(lines) + "\n"


def vocab_listing(tok: Tokenizer) -> str:
    """One line per id: the id, the token as text, and the two tokens it was merged from."""
    parts = {new_id: pair for pair, new_id in tok.merges.items()}
    lines = ["# id\ttoken\tmerged from (bytes shown as <E0 A4>, space as ␣, newline as ↵)"]
    for i in sorted(tok.vocab):
        made = ""
        if i in parts:
            a, b = parts[i]
            made = f"[{render_token(tok.vocab[a])}] + [{render_token(tok.vocab[b])}]  ({a} + {b})"
        lines.append(f"{i}\t{render_token(tok.vocab[i])}\t{made}".rstrip())
    lines += [f"{i}\t{s}\tspecial" for s, i in sorted(tok.special_tokens.items(), key=lambda kv: kv[1])]
    return "\n".join(lines) + "\n"


def listing_path(path: str | os.PathLike) -> Path:
    """Where save() writes the .vocab listing of a model saved at path (my.model -> my.vocab)."""
    return Path(path).with_suffix(".vocab")


def save(tok: Tokenizer, path: str | os.PathLike, *, vocab: bool = True) -> None:
    """Write the model (and, by default, the .vocab listing beside it) atomically.

    Refused before anything is written: a path that is a folder, and (with vocab) a path ending in
    .vocab, whose listing would overwrite the model just written."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder; give the model's file name, e.g. my.model", str(path))
    if vocab and listing_path(path) == path:
        raise TokenizerError(
            f"{path}: the .vocab listing would overwrite the model; name the model e.g. {path.with_suffix('.model')}"
        )
    text = dumps(tok)
    write_atomic(path, text)
    if vocab:
        write_atomic(listing_path(path), vocab_listing(tok))


def models_dir() -> Path:
    """The folder of the shipped models: $INDIC_TOKENIZER_MODELS if set, else inside the installed
    package, else the checkout's models/. The one answer for the library, the Space and the benchmarks."""
    if os.environ.get(MODELS_ENV):
        return Path(os.environ[MODELS_ENV])
    return _INSTALLED_MODELS if _INSTALLED_MODELS.is_dir() else _CHECKOUT_MODELS


def shipped() -> dict[str, Path]:
    """Language code -> model file, for every registry language whose model is in models_dir()."""
    folder = models_dir()
    return {code: folder / lang.model for code, lang in LANGUAGES.items() if (folder / lang.model).is_file()}


def available() -> list[str]:
    """The names `load` accepts for shipped models (language codes, registry order)."""
    return list(shipped())


def releases(code: str) -> dict[int, Path]:
    """Release number -> model file of a shipped language, oldest first: the earlier releases that
    models_dir()/releases/<code>@<n>.model keeps (so ids a user depends on stay loadable), then the
    current one (the registry's `release`). Empty if the language ships no model."""
    current = shipped().get(code)
    if current is None:
        return {}
    out: dict[int, Path] = {}
    for path in (models_dir() / "releases").glob(f"{code}@*.model"):
        number = path.stem.partition("@")[2]
        if number.isdigit() and int(number) != LANGUAGES[code].release:
            out[int(number)] = path
    out[LANGUAGES[code].release] = current
    return dict(sorted(out.items()))


def _shipped_path(name: str) -> Path | None:
    """The file of a shipped model named "hi" or "hi@1"; None if the name is not one."""
    code, at, number = name.partition("@")
    if not at:
        return shipped().get(code)
    if code not in LANGUAGES or not number.isdigit():
        return None
    found = releases(code)
    if int(number) not in found:
        listed = ", ".join(f"{code}@{n}" for n in found) or "none"
        raise ModelFileError(name, None, f"{LANGUAGES[code].name} has no release {number} (shipped: {listed})")
    return found[int(number)]


def _is_bare(source: str | os.PathLike) -> bool:
    """A str without a folder: maybe the name of a shipped model ("hi", "hi@1")."""
    return isinstance(source, str) and os.sep not in source and "/" not in source


def model_path(source: str | os.PathLike) -> Path:
    """The file `load(source)` reads: a shipped model's for its name ("hi" -> models/hi.model), else
    the path itself. Files beside a model (its .metrics.json) are found from this, not from the name."""
    named = _shipped_path(source) if _is_bare(source) else None
    return named if named is not None else Path(source)


def load(source: str | os.PathLike) -> Tokenizer:
    """Read a model file, checking every line.

    `source` is a path, or the name of a shipped model: a language code such as "hi" (see
    available()) for its current release, or "hi@1" for an earlier one (see releases()). A str
    that is such a name means the shipped model even if a file of that name exists in the working
    directory (pass a Path, or "./hi", for that file).
    """
    models = shipped()
    bare = _is_bare(source)
    path = model_path(source)
    try:
        with open_regular(path) as f:  # a FIFO or a device is refused, not waited on or read forever
            raw = f.read(MAX_MODEL_BYTES + 1)
    except FileNotFoundError:
        hint = ""
        if bare and not path.suffix:
            hint = f" (and no shipped model of that name; shipped: {', '.join(models) or 'none'})"
        raise ModelFileError(path, None, "no such model file" + hint) from None
    except (NotRegularFileError, OSError) as e:
        raise ModelFileError(path, None, f"cannot read the model file: {e.strerror}") from None
    if len(raw) > MAX_MODEL_BYTES:
        raise ModelFileError(
            path, None, f"over {MAX_MODEL_BYTES:,} bytes, so not a model file (a model of 5,000 tokens has about 40 kB)"
        )
    return loads(raw, path)


def loads(raw: bytes, path: str | os.PathLike = "<model>") -> Tokenizer:
    lines = raw.split(b"\n")
    if lines and lines[-1] == b"":
        lines.pop()
    if not lines:
        raise ModelFileError(path, 1, f"empty file; expected the header '{MAGIC} v{VERSION}'")
    head = lines[0].split()
    if len(head) != 2 or head[0] != MAGIC.encode() or not head[1].startswith(b"v"):
        # Quote nothing: this file may be anything (/etc/shadow), and its first line is not ours to print.
        raise ModelFileError(path, 1, f"not a model file: its first line is not '{MAGIC} v{VERSION}'")
    text: list[str] = []
    for n, line in enumerate(lines, 1):
        try:
            text.append(line.decode("utf-8").rstrip("\r"))
        except UnicodeDecodeError as e:
            raise ModelFileError(path, n, f"not valid UTF-8 (byte {e.start + 1} of the line)") from None
    tok = _parse(text, path)
    if not raw.endswith(b"\n"):  # every model file ends with a newline: without one it was cut short
        raise ModelFileError(path, len(lines), "the last line has no newline: the file is truncated")
    return tok


def _parse(lines: list[str], path: str | os.PathLike) -> Tokenizer:
    def fail(n: int, msg: str) -> ModelFileError:
        return ModelFileError(path, n, msg)

    head = lines[0].split()  # "indicbpe v<N>" (checked by loads)
    readable = [f"v{v}" for v in READABLE]
    if head[1] not in readable:
        raise fail(1, f"unsupported format version {head[1][:20]!r}; this library reads {' and '.join(readable)}")
    version = int(head[1][1:])
    header_fields = ("name", "pattern", "regex") + (("checksum", "release") if version >= 2 else ())

    fields: dict[str, str] = {}
    field_line: dict[str, int] = {}
    specials: dict[str, int] = {}
    n = 1
    while True:
        n += 1
        if n > len(lines):
            raise fail(n, "file ends before the 'merges:' line (truncated?)")
        key, sep, value = lines[n - 1].partition(": ")
        if not sep:
            raise fail(n, f"expected 'key: value', found {lines[n - 1][:40]!r}")
        if key == "special":
            token, _, num = value.rpartition(" ")
            if not token or not _is_number(num):
                raise fail(n, f"expected 'special: <token> <id>', found {value[:40]!r}")
            if token in specials:
                raise fail(n, f"special token {token!r} is listed twice")
            specials[token] = int(num)
        elif key in header_fields:
            if key in fields:
                raise fail(n, f"header field {key!r} is listed twice (first at line {field_line[key]})")
            fields[key], field_line[key] = value, n
        elif key == "merges":
            if not _is_number(value):
                raise fail(n, f"'merges:' needs a count, found {value[:40]!r}")
            n_merges = int(value)
            break
        elif key == "checksum":
            raise fail(n, f"'checksum:' is a v2 field, but the file says {head[1]}")
        else:
            raise fail(n, f"unknown header field {key!r}")
    for key in ("pattern", "regex", "checksum"):
        if key in header_fields and key not in fields:
            raise fail(n, f"the header has no '{key}:' line")
    if "release" in fields and not (_is_number(fields["release"]) and 1 <= int(fields["release"]) < 10**6):
        raise fail(field_line["release"], f"expected 'release: <a whole number from 1>', found {fields['release'][:20]!r}")
    if "checksum" in fields and not _CHECKSUM.fullmatch(fields["checksum"]):
        raise fail(
            field_line["checksum"], f"expected 'checksum: sha256:<64 hex digits>', found {fields['checksum'][:40]!r}"
        )
    try:
        regex_text = json.loads(fields["regex"])
        if not isinstance(regex_text, str):
            raise ValueError
    except ValueError:
        raise fail(_line_of(lines, "regex: "), "the regex must be a JSON string") from None
    known = PATTERNS.get(fields["pattern"])
    pattern = known if known and known.regex == regex_text else Pattern(fields["pattern"], regex_text, "from model file")
    try:
        pattern.compiled
    except Exception as e:  # regex.error and friends
        raise fail(_line_of(lines, "regex: "), f"the regex does not compile: {e}") from None

    body = lines[n:]
    if len(body) < n_merges:
        raise fail(len(lines) + 1, f"file ends after {len(body)} of {n_merges} merges (truncated?)")
    if len(body) > n_merges:
        raise fail(n + n_merges + 1, f"unexpected line after the {n_merges} merges")
    merges: dict[tuple[int, int], int] = {}
    token_bytes = [bytes([b]) for b in range(256)]
    seen = set(token_bytes)
    for k, line in enumerate(body):
        ln = n + k + 1
        parts = line.split()
        if len(parts) != 2 or not all(_is_number(p) for p in parts):
            raise fail(ln, f"expected two token ids, found {line[:40]!r}")
        a, b = int(parts[0]), int(parts[1])
        new_id = 256 + k
        if a >= new_id or b >= new_id:
            raise fail(ln, f"merge {a} + {b} uses an id that does not exist yet (this merge creates {new_id})")
        if (a, b) in merges:
            raise fail(ln, f"duplicate merge {a} + {b} (first at line {n + merges[(a, b)] - 255})")
        new = token_bytes[a] + token_bytes[b]
        if new in seen:
            raise fail(ln, f"merge {a} + {b} repeats the bytes of an existing token")
        merges[(a, b)] = new_id
        token_bytes.append(new)
        seen.add(new)
    for token, i in specials.items():
        if i < len(token_bytes):
            raise fail(_line_of(lines, f"special: {token} "), f"special token id {i} collides with a byte or merge id")
    if len(set(specials.values())) != len(specials):
        raise fail(_line_of(lines, "special: "), "two special tokens share an id")
    expected = range(len(token_bytes), len(token_bytes) + len(specials))
    if sorted(specials.values()) != list(expected):
        raise fail(
            _line_of(lines, "special: "),
            f"special token ids must follow the merges without gaps: expected {expected.start}..{expected.stop - 1}",
        )
    if "checksum" in fields:
        actual = _digest(regex_text, list(range(256)), ((a, b, i) for (a, b), i in merges.items()), specials)
        if actual != fields["checksum"]:
            raise fail(
                field_line["checksum"],
                f"checksum mismatch: the header says {fields['checksum']}, but the regex, special tokens and "
                f"merges in the file give {actual}; the file was changed after it was saved",
            )
    return Tokenizer(merges, pattern, specials, name=fields.get("name", ""), release=int(fields.get("release", 1)))


def _is_number(text: str) -> bool:
    """ASCII digits only: str.isdigit() also accepts '²' and Devanagari digits."""
    return text.isascii() and text.isdigit()


def _line_of(lines: list[str], prefix: str) -> int:
    return next((i for i, line in enumerate(lines, 1) if line.startswith(prefix)), 1)
