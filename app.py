"""The Space: see how Hindi and Kannada text is cut into tokens, by our tokenizers and by GPT's.

    python app.py            # serves on http://127.0.0.1:7860 ($GRADIO_SERVER_PORT or $PORT)

A thin UI over the `tokenizer` library; every handler is a plain function (tests call them
directly) that never raises: a problem comes back as a message in the view. Models are read from
$INDIC_TOKENIZER_MODELS (default: models/ beside this file) and the GPT encodings through
`tokenizer.openai` (offline: $INDIC_TOKENIZER_TIKTOKEN_DIR).
"""

from __future__ import annotations

import functools
import logging
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import gradio as gr
import pandas as pd

import tokenizer
from tokenizer import visualize as viz
from tokenizer.encoding import parse_ids
from tokenizer.openai import ENCODINGS
from tokenizer.pretokenize import PATTERNS
from tokenizer.report import load_metrics, metrics_table

log = logging.getLogger("indic-tokenizer-space")

ROOT = Path(__file__).resolve().parent
MODELS_ENV = "INDIC_TOKENIZER_MODELS"
MAX_CHARS = 200_000  # longer inputs are refused
MAX_QUERY_CHARS = 200  # Vocabulary search
DRAW_TOKENS = 4_000  # coloured tokens drawn in the Tokenize view (all are counted)
DRAW_COMPARE = 1_500  # per column in Compare
DRAW_CHUNKS = 1_500  # per column in Pre-split
SHOW_IDS = 100_000  # ids listed in the Tokenize view
MAX_MATCHES = 40  # Vocabulary search results listed
TARGET_BYTES_PER_TOKEN = 3.2
CONCURRENCY = 4  # handlers running at once (the rest wait in gradio's queue)
QUEUE_SIZE = 512  # waiting requests beyond this are told the queue is full
STATE_SESSIONS = 200  # sessions whose state gradio keeps in memory

LANGUAGES = {"Hindi": "hi", "Kannada": "kn"}
LANGUAGE_NAMES = {v: k for k, v in LANGUAGES.items()}
AUTO = "Auto (by script)"
MODEL_CHOICES = [AUTO, "Hindi", "Kannada"]
GPT_ENCODINGS = {name: spec.tiktoken_name for name, spec in ENCODINGS.items()}  # GPT-2, GPT-4, GPT-4o

EXAMPLES = {
    "Hindi": "भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं।",
    "Kannada": "ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆ. ಇದು ಎರಡು ಸಾವಿರ ವರ್ಷಗಳಿಗೂ ಹೆಚ್ಚು ಇತಿಹಾಸವನ್ನು ಹೊಂದಿದೆ.",
    "Hinglish": "मैंने आज ChatGPT से पूछा कि weekend पर क्या करें।",
    "Romanised Hindi": "main aaj bazaar ja raha hoon, tum chaloge?",
    "Devanagari digits": "२०२४ में १,२३,४५६ लोग आए (2024: 1,23,456)।",
    "Emoji": "नमस्ते 🙏 परिवार 👨‍👩‍👧‍👦 और झंडा 🇮🇳",
    "Python": 'def greet(name):\n    """नमस्ते कहो"""\n    return f"नमस्ते, {name}!"\n\nprint(greet("दुनिया"))\n',
}
DEFAULT_TEXT = EXAMPLES["Hindi"]


class UserError(Exception):
    """A problem with the input or the setup, shown to the user as is."""


# ----- models and encodings, loaded once --------------------------------------------------------
def models_dir() -> Path:
    return Path(os.environ.get(MODELS_ENV) or ROOT / "models")


def model_path(lang: str) -> Path:
    return models_dir() / f"{lang}.model"


@functools.lru_cache(maxsize=8)
def _load_model(path: str, stamp: tuple[int, int]) -> tokenizer.Tokenizer:
    """Cached by file and its mtime/size, so a retrained model is picked up without a restart."""
    return tokenizer.load(path)


def get_model(lang: str) -> tokenizer.Tokenizer:
    path = model_path(lang)
    name = LANGUAGE_NAMES[lang]
    try:
        st = path.stat()
    except OSError:
        raise UserError(
            f"The {name} model is not available: {path} does not exist. "
            f"Train it with: python -m tokenizer train --lang {lang} --out {path}"
        ) from None
    try:
        return _load_model(str(path), (st.st_mtime_ns, st.st_size))
    except (ValueError, OSError) as e:  # ModelFileError is a ValueError naming file and line
        raise UserError(f"The {name} model cannot be loaded: {e}") from None


@functools.cache
def _encoding(name: str):
    from tokenizer.openai import load_encoding

    return load_encoding(name)


def get_encoding(name: str):
    """tiktoken encoding by display name; UserError with the one-line reason if unavailable."""
    try:
        return _encoding(name)
    except Exception as e:  # noqa: BLE001 - EncodingUnavailable, or tiktoken/openai module problems
        _encoding.cache_clear()  # try again next time (the file may appear)
        raise UserError(str(e).splitlines()[0] if str(e) else type(e).__name__) from None


_SURROGATE = re.compile("[\ud800-\udfff]")
_DEVANAGARI = re.compile(r"[\u0900-\u097F\uA8E0-\uA8FF]")
_KANNADA = re.compile(r"[\u0C80-\u0CFF]")


def script_counts(text: str) -> tuple[int, int]:
    """(Devanagari characters, Kannada characters)."""
    return len(_DEVANAGARI.findall(text)), len(_KANNADA.findall(text))


def pick_language(text: str, choice: str | None) -> tuple[str, str]:
    """(language code, a note on how it was chosen) for a model choice."""
    if choice in LANGUAGES:
        return LANGUAGES[choice], f"{choice} model"
    deva, kann = script_counts(text)
    lang = "kn" if kann > deva else "hi"
    if not deva and not kann:
        why = "no Devanagari or Kannada letters, so the default"
    else:
        why = f"{deva:,} Devanagari vs {kann:,} Kannada characters"
    return lang, f"{LANGUAGE_NAMES[lang]} model, picked by script ({why})"


def check_text(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise UserError("The input must be text.")
    if len(text) > MAX_CHARS:
        raise UserError(
            f"This text has {len(text):,} characters; the Space takes at most {MAX_CHARS:,}. "
            "Paste a shorter piece, or run the library locally for whole files."
        )
    bad = _SURROGATE.search(text)
    if bad:
        raise UserError(
            f"The text has a lone surrogate (U+{ord(bad.group()):04X}) at index {bad.start():,}; "
            "that is not a character and UTF-8 cannot encode it."
        )
    return text


def _clean_library_error(e: ValueError) -> str:
    return str(e).splitlines()[0]


def _encode_ours(tok: tokenizer.Tokenizer, text: str) -> list[int]:
    """Special-token text counts as plain text here."""
    try:
        return tok.encode_ordinary(text)
    except ValueError as e:  # e.g. a lone surrogate
        raise UserError(f"This text cannot be encoded: {_clean_library_error(e)}") from None


def _guard(on_error: Callable[[str], tuple]):
    """Handlers never raise: a UserError or any bug becomes a message in the view."""

    def decorate(fn):
        @functools.wraps(fn)
        def wrapper(*args):
            try:
                return fn(*args)
            except UserError as e:
                return on_error(str(e))
            except Exception:  # a bug: log it, tell the user briefly, never show a traceback
                log.exception("%s failed", fn.__name__)
                return on_error(f"Something went wrong on our side in {fn.__name__}; it has been logged.")

        return wrapper

    return decorate


# ----- Tokenize ---------------------------------------------------------------------------------
def _tokenize_error(message: str) -> tuple:
    return viz.notice_html(message, error=True), "", "", {"error": message}


@_guard(_tokenize_error)
def tokenize(text: str, model: str = AUTO) -> tuple[str, str, str, dict]:
    """Text -> (coloured tokens HTML, counts HTML, ids, counts as JSON)."""
    text = check_text(text)
    lang, note = pick_language(text, model)
    tok = get_model(lang)
    if not text:
        summary = viz.summarize("", [])
        message = "Type or paste some text above to see its tokens."
        return (
            viz.notice_html(message),
            viz.summary_html(summary),
            "",
            {"model": lang, "message": message, **summary},
        )
    ids = _encode_ours(tok, text)
    pieces = viz.pieces_of(tok, ids)
    data = [b for _, b in pieces]
    flags = viz.cut_flags(text, data)
    summary = viz.summarize(text, data, flags)
    head = (
        f'<div class="itok-model">{viz.esc(note)} · vocabulary {tok.vocab_size:,} · pre-split '
        f"<code>{viz.esc(tok.pattern.name)}</code></div>"
    )
    tokens = _tokens_with_flags(pieces, flags, DRAW_TOKENS)
    ids_text = " ".join(map(str, ids[:SHOW_IDS]))
    if len(ids) > SHOW_IDS:
        ids_text += f"  … ({len(ids) - SHOW_IDS:,} more ids not listed)"
    return tokens, head + viz.summary_html(summary), ids_text, {"model": lang, "model_note": note, **summary}


def _tokens_with_flags(pieces, flags, limit: int) -> str:
    """viz.tokens_html with flags already computed (saves a second pass on long texts)."""
    shown = pieces[:limit]
    spans = "<wbr>".join(viz.token_span(i, b, cut=flags[k]) for k, (i, b) in enumerate(shown))
    more = ""
    if len(shown) < len(pieces):
        more = (
            f'<div class="itok-more">… and {len(pieces) - len(shown):,} more tokens '
            f"(only the first {len(shown):,} are drawn; all are counted)</div>"
        )
    return f'<div class="itok-tokens">{spans}</div>{more}'


# ----- Compare ----------------------------------------------------------------------------------
def _compare_error(message: str) -> tuple:
    return viz.notice_html(message, error=True), {"error": message}


def _column(title: str, subtitle: str, body: str) -> str:
    return (
        f'<div class="itok-col"><div class="itok-col-head"><b>{viz.esc(title)}</b> '
        f'<span>{viz.esc(subtitle)}</span></div>{body}</div>'
    )


@_guard(_compare_error)
def compare(text: str, model: str = AUTO) -> tuple[str, dict]:
    """Text -> (HTML: a table of counts and the tokens of each tokenizer side by side, JSON)."""
    text = check_text(text)
    if not text:
        message = "Type or paste some text above to compare tokenizers."
        return viz.notice_html(message), {"message": message}
    lang, note = pick_language(text, model)
    results: dict[str, dict] = {}
    columns: list[str] = []
    rows: list[tuple[str, dict | None, str]] = []

    ours_name = f"Ours ({LANGUAGE_NAMES[lang]})"

    def add(key: str, label: str, encode: Callable[[], tuple[list[int], list[bytes], int]]) -> None:
        """One tokenizer's summary row and column; an unavailable one says why and the rest goes on."""
        try:
            ids, data, vocab_size = encode()
            flags = viz.cut_flags(text, data)
            summary = viz.summarize(text, data, flags) | {"vocab_size": vocab_size}
            results[key] = summary
            rows.append((label, summary, ""))
            columns.append(_column(label, f"{vocab_size:,} tokens · {summary['tokens']:,} used here",
                                   _tokens_with_flags(list(zip(ids, data)), flags, DRAW_COMPARE)))
        except UserError as e:
            results[key] = {"unavailable": str(e)}
            rows.append((label, None, str(e)))
            columns.append(_column(label, "unavailable", viz.notice_html(str(e), error=True)))

    def ours() -> tuple[list[int], list[bytes], int]:
        tok = get_model(lang)
        ids = _encode_ours(tok, text)
        return ids, [tok.token_bytes(i) for i in ids], tok.vocab_size

    def gpt(name: str) -> Callable[[], tuple[list[int], list[bytes], int]]:
        def encode() -> tuple[list[int], list[bytes], int]:
            enc = get_encoding(name)
            ids = enc.encode_ordinary(text)
            return ids, enc.decode_tokens_bytes(ids), enc.n_vocab

        return encode

    add(ours_name, ours_name, ours)
    for name, tiktoken_name in GPT_ENCODINGS.items():
        add(name, f"{name} ({tiktoken_name})", gpt(name))

    base = results.get(ours_name, {}).get("tokens")
    table = [
        (
            '<table class="itok-table"><thead><tr><th>tokenizer</th><th>vocabulary</th><th>tokens</th>'
            "<th>× ours</th><th>bytes / token</th><th>chars / token</th><th>tokens / word</th>"
            "<th>cuts inside an akshara</th></tr></thead><tbody>"
        )
    ]
    for label, s, why in rows:
        if s is None:
            table.append(f'<tr><td>{viz.esc(label)}</td><td colspan="7" class="itok-na">{viz.esc(why)}</td></tr>')
            continue
        times = f"{s['tokens'] / base:.2f}×" if base else "–"
        table.append(
            f"<tr><td>{viz.esc(label)}</td><td>{s['vocab_size']:,}</td><td><b>{s['tokens']:,}</b></td><td>{times}</td>"
            f"<td>{s['bytes_per_token']:.2f}</td><td>{s['chars_per_token']:.2f}</td><td>{s['tokens_per_word']:.2f}</td>"
            f"<td>{s['mid_akshara_rate']:.1%} ({s['mid_akshara_boundaries']:,})</td></tr>"
        )
    table.append("</tbody></table>")
    head = f'<div class="itok-model">Ours: {viz.esc(note)}. Same text, {len(text):,} characters, {len(text.encode("utf-8", "surrogatepass")):,} bytes.</div>'
    html = head + "".join(table) + f'<div class="itok-grid">{"".join(columns)}</div>'
    return html, {"model": lang, "results": results}


# ----- Pre-split --------------------------------------------------------------------------------
def _presplit_error(message: str) -> tuple:
    return viz.notice_html(message, error=True), {"error": message}


GPT_PATTERNS = {"gpt2": "GPT-2", "gpt4": "GPT-4 (cl100k)", "gpt4o": "GPT-4o (o200k)"}


@_guard(_presplit_error)
def presplit(text: str, model: str = AUTO) -> tuple[str, dict]:
    """Text -> (HTML: GPT-4's chunks next to our model's, with a table for all regexes; JSON).

    "Ours" is the pre-split regex of the model the choice picks (Auto: by script); without that
    model, the library's default `indic` regex.
    """
    text = check_text(text)
    if not text:
        message = "Type or paste some text above to see how each regex cuts it."
        return viz.notice_html(message), {"message": message}
    lang, _ = pick_language(text, model)
    try:
        ours = get_model(lang).pattern
        ours_label = f"Ours ({LANGUAGE_NAMES[lang]}: {ours.name})"
    except UserError:
        ours = PATTERNS["indic"]
        ours_label = "Ours (indic)"
    patterns = {name: (label, PATTERNS[name]) for name, label in GPT_PATTERNS.items()}
    if ours.name != "indic":  # also the word-level rule our richer regexes build on
        patterns["indic"] = ("Akshara-aware words (indic)", PATTERNS["indic"])
    patterns["ours"] = (ours_label, ours)
    chunks = {name: pattern.split(text) for name, (_, pattern) in patterns.items()}
    flags = {name: viz.chunk_flags(text, c) for name, c in chunks.items()}
    table = [
        (
            '<table class="itok-table"><thead><tr><th>regex</th><th>chunks</th>'
            "<th>chunks that start inside an akshara</th></tr></thead><tbody>"
        )
    ]
    for name, (label, _) in patterns.items():
        broken = sum(flags[name])
        table.append(f"<tr><td>{viz.esc(label)}</td><td>{len(chunks[name]):,}</td>"
                     f"<td>{broken:,} ({broken / max(len(chunks[name]), 1):.0%})</td></tr>")
    table.append("</tbody></table>")
    cols = "".join(
        _column(patterns[name][0], f"{len(chunks[name]):,} chunks, {sum(flags[name]):,} start inside an akshara",
                viz.chunks_html(chunks[name], text, limit=DRAW_CHUNKS))
        for name in ("gpt4", "ours")
    )
    html = "".join(table) + f'<div class="itok-grid itok-grid2">{cols}</div>'
    payload = {
        name: {"pattern": patterns[name][1].name, "chunks": len(c), "broken": sum(flags[name]),
               "first_chunks": c[:DRAW_CHUNKS]}
        for name, c in chunks.items()
    }
    return html, payload


# ----- Decode -----------------------------------------------------------------------------------
def _decode_error(message: str) -> tuple:
    return "", "", viz.notice_html(message, error=True)


@_guard(_decode_error)
def decode(ids_text: str, model: str = "Hindi") -> tuple[str, str, str]:
    """Ids (spaces or commas) -> (text, coloured tokens HTML, message HTML)."""
    ids_text = check_text(ids_text)
    lang = LANGUAGES.get(model or "Hindi")
    if lang is None:
        raise UserError(f"Choose the Hindi or the Kannada model, not {model!r}.")
    tok = get_model(lang)
    if not ids_text.strip():
        return "", "", viz.notice_html("Enter token ids separated by spaces or commas, e.g. 300, 301, 302.")
    try:
        ids = parse_ids(ids_text, tok.vocab_size)
    except ValueError as e:
        raise UserError(f"{str(e)[0].upper()}{str(e)[1:]}.") from None
    pieces = viz.pieces_of(tok, ids)
    name = LANGUAGE_NAMES[lang]
    try:
        text = tok.decode(ids, errors="strict")
    except ValueError:  # the ids end inside a character
        text = tok.decode(ids, errors="replace")
        message = (f"{len(ids):,} id{'s' if len(ids) != 1 else ''} with the {name} model. They do not add up to whole "
                   "characters: the text shows � where a character is cut, the tokens show those bytes as <E0 A4>.")
        return text, viz.tokens_html(pieces, limit=DRAW_TOKENS), viz.notice_html(message)
    message = f"{len(ids):,} id{'s' if len(ids) != 1 else ''} → {len(text):,} characters with the {name} model."
    return text, viz.tokens_html(pieces, text, limit=DRAW_TOKENS), f'<div class="itok-model">{viz.esc(message)}</div>'


# ----- Vocabulary -------------------------------------------------------------------------------
def _vocab_error(message: str) -> tuple:
    return viz.notice_html(message, error=True), "", {"error": message}


@functools.lru_cache(maxsize=8)
def _parents(tok: tokenizer.Tokenizer) -> dict[int, tuple[int, int]]:
    return viz.merge_parents(tok)


def _rank_text(tok: tokenizer.Tokenizer, token_id: int) -> str:
    if token_id in tok.inverse_special:
        return "special token"
    if token_id < 256:
        return "single byte"
    return f"merge #{token_id - 255:,} of {tok.n_merges:,}"


def _token_detail(tok: tokenizer.Tokenizer, token_id: int) -> tuple[str, dict]:
    data = tok.token_bytes(token_id)
    info = {
        "id": token_id,
        "rank": token_id,
        "merge_number": token_id - 255 if 256 <= token_id and token_id not in tok.inverse_special else None,
        "kind": _rank_text(tok, token_id),
        "token": tok.render(token_id),
        "bytes": viz.hex_bytes(data),
        "length": len(data),
    }
    if token_id in tok.inverse_special:
        tree_html, info["tree"] = "", ""
    else:
        node = viz.merge_tree(tok, token_id, _parents(tok))
        tree_html, info["tree"] = viz.tree_html(node), viz.tree_text(node)
        info["tree_depth"] = node.depth()
    chars = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in data.decode("utf-8", "ignore")[:12])
    html = (
        f'<div class="itok-detail"><div class="itok-detail-token">{viz.token_span(token_id, data)}</div>'
        f"<table class=\"itok-table\"><tr><th>id (rank)</th><td>{token_id:,}</td></tr>"
        f"<tr><th>kind</th><td>{viz.esc(info['kind'])}</td></tr>"
        f"<tr><th>bytes</th><td><code>{viz.esc(info['bytes'])}</code> ({len(data)} bytes)</td></tr>"
        f"<tr><th>characters</th><td>{viz.esc(chars) or '(part of a character only)'}</td></tr></table>"
        + (f"<h4>Merge tree, down to bytes</h4>{tree_html}" if tree_html else "")
        + "</div>"
    )
    return html, info


@_guard(_vocab_error)
def vocabulary(query: str, model: str = "Hindi") -> tuple[str, str, dict]:
    """A token id or a piece of text -> (matching tokens HTML, detail of one token HTML, JSON)."""
    query = "" if query is None else str(query)
    if len(query) > MAX_QUERY_CHARS:
        raise UserError(f"Search for at most {MAX_QUERY_CHARS} characters (this query has {len(query):,}).")
    query = check_text(query)
    lang = LANGUAGES.get(model or "Hindi")
    if lang is None:
        raise UserError(f"Choose the Hindi or the Kannada model, not {model!r}.")
    tok = get_model(lang)
    q = query.strip("\r\n")
    if not q.strip():
        message = "Type a piece of text (e.g. नम or ि) or a token id (e.g. 300) to look it up."
        return viz.notice_html(message), "", {"message": message}
    id_query = re.fullmatch(r"\s*#?\s*(\d+)\s*", q)
    if id_query and id_query.group(1).isascii():
        token_id = int(id_query.group(1))
        if token_id >= tok.vocab_size:
            raise UserError(f"There is no token {token_id:,}: the {LANGUAGE_NAMES[lang]} model's ids are 0 to {tok.vocab_size - 1:,}.")
        detail, info = _token_detail(tok, token_id)
        return "", detail, {"model": lang, "matches": [token_id], "selected": info}
    if len(q) >= 2 and q[0] == q[-1] == '"':
        q = q[1:-1]
    needle = q.replace("␣", " ").encode("utf-8", "surrogatepass")
    exact = [i for i, b in tok.vocab.items() if b == needle]
    matches = sorted((i for i, b in tok.vocab.items() if needle in b), key=lambda i: (len(tok.vocab[i]), i))
    matches = exact + [i for i in matches if i not in exact]
    if not matches:
        ids = _encode_ours(tok, q)
        message = (f"No token of the {LANGUAGE_NAMES[lang]} model contains {q!r}. "
                   f"The model writes it as {len(ids)} token{'s' if len(ids) != 1 else ''}:")
        html = viz.notice_html(message) + viz.tokens_html(viz.pieces_of(tok, ids), q)
        return html, "", {"model": lang, "matches": [], "message": message, "encoding": ids}
    listed = matches[:MAX_MATCHES]
    more = f" (showing {len(listed)})" if len(matches) > len(listed) else ""
    rows = "".join(
        f"<tr><td>{viz.token_span(i, tok.vocab[i])}</td><td>{i:,}</td><td>{viz.esc(_rank_text(tok, i))}</td>"
        f"<td><code>{viz.esc(viz.hex_bytes(tok.vocab[i]))}</code></td></tr>"
        for i in listed
    )
    html = (
        f'<div class="itok-model">{len(matches):,} token{"s" if len(matches) != 1 else ""} of the '
        f"{LANGUAGE_NAMES[lang]} model contain{'s' if len(matches) == 1 else ''} {viz.esc(repr(q))}{more}; "
        "the first is shown below.</div>"
        f'<table class="itok-table"><thead><tr><th>token</th><th>id</th><th>rank</th><th>bytes</th></tr></thead>'
        f"<tbody>{rows}</tbody></table>"
    )
    detail, info = _token_detail(tok, matches[0])
    return html, detail, {"model": lang, "matches": listed, "total_matches": len(matches), "selected": info}


# ----- Metrics ----------------------------------------------------------------------------------
SERIES_COLORS = {
    "ours": "#1565c0",
    f"target {TARGET_BYTES_PER_TOKEN}": "#757575",
    "GPT-4 (100k vocab)": "#c62828",
    "GPT-4o (200k vocab)": "#ef6c00",
}


LEGEND_HTML = (
    '<div class="itok-legend">'
    + "".join(f'<span><i style="background:{color}"></i>{name}</span>' for name, color in SERIES_COLORS.items())
    + f"<div>Blue: our tokenizer after each number of merges. Flat lines: the {TARGET_BYTES_PER_TOKEN} bytes/token target, "
    "and GPT-4's and GPT-4o's bytes/token on the same held-out text with their own 100k and 200k vocabularies. "
    "Higher is better.</div></div>"
)


def read_metrics(lang: str) -> dict | None:
    try:
        return load_metrics(models_dir()).get(lang)
    except (OSError, ValueError):  # unreadable or not JSON: shown as missing
        return None


def curve_frame(m: dict | None) -> pd.DataFrame:
    """bytes/token against vocabulary size, with the target and GPT baselines as flat lines."""
    columns = ["vocab_size", "bytes_per_token", "series"]
    if not m or not m.get("curve"):
        return pd.DataFrame(columns=columns)
    curve = [(int(v), float(b)) for v, b in m["curve"]]
    lo, hi = curve[0][0], curve[-1][0]
    rows = [(v, b, "ours") for v, b in curve]
    rows += [(lo, TARGET_BYTES_PER_TOKEN, f"target {TARGET_BYTES_PER_TOKEN}"), (hi, TARGET_BYTES_PER_TOKEN, f"target {TARGET_BYTES_PER_TOKEN}")]
    for name, series in (("GPT-4", "GPT-4 (100k vocab)"), ("GPT-4o", "GPT-4o (200k vocab)")):
        b = (m.get("baselines") or {}).get(name, {}).get("bytes_per_token")
        if isinstance(b, (int, float)):
            rows += [(lo, float(b), series), (hi, float(b), series)]
    return pd.DataFrame(rows, columns=columns)


def _metrics_error(message: str) -> tuple:
    return viz_md_notice(message), curve_frame(None), curve_frame(None)


def viz_md_notice(message: str) -> str:
    return f"> **Note.** {message}"


@_guard(_metrics_error)
def metrics() -> tuple[str, pd.DataFrame, pd.DataFrame]:
    """(markdown: the metrics table and notes, Hindi curve, Kannada curve)."""
    data = {lang: read_metrics(lang) for lang in LANGUAGES.values()}
    notes = []
    for lang, m in data.items():
        if m is None:
            notes.append(
                f"The {LANGUAGE_NAMES[lang]} metrics are missing: {models_dir() / (lang + '.metrics.json')} "
                "could not be read, so its row and curve are empty."
            )
    table = metrics_table({lang: m for lang, m in data.items() if m is not None})
    source = {lang: m.get("data") for lang, m in data.items() if m and m.get("data")}
    parts = []
    if any(m is not None for m in data.values()):
        parts.append(table)
    if source:
        parts.append("Measured on held-out text: " + "; ".join(f"{LANGUAGE_NAMES[k]}: {v}" for k, v in source.items()) + ".")
    parts += [viz_md_notice(n) for n in notes]
    if all(m is None for m in data.values()):
        parts.append(viz_md_notice("No metrics yet: train the models and write models/hi.metrics.json and kn.metrics.json."))
    return "\n\n".join(parts), curve_frame(data["hi"]), curve_frame(data["kn"])


# ----- About ------------------------------------------------------------------------------------
ABOUT = """
## Why Hindi and Kannada need their own tokenizer

**Tokens.** A language model does not read letters; it reads *tokens*, pieces of text from a fixed
vocabulary. Fewer tokens for the same text means cheaper, faster and longer-context models — and a
model whose pieces line up with the language learns it more easily.

**BPE (byte-pair encoding).** Start with the 256 possible bytes of UTF-8 text. Find the pair of
neighbouring tokens that occurs most often in a training corpus and make it a new token; repeat. Each
new token is a *merge* of two older ones, and the number of merges fixes the vocabulary size (here at
most 5,000). To encode, the merges are replayed in the order they were learned. The **Vocabulary** tab
shows each token's merge tree down to its bytes.

**Why bytes hurt Indic scripts.** Every Devanagari or Kannada letter takes **3 bytes** in UTF-8, against
1 for English. A vocabulary trained mostly on English (GPT-2, GPT-4) has few Indic merges, so a Hindi
word falls apart into many tokens — sometimes into pieces of a single letter, shown here as `<E0 A4>`.

**Aksharas, matras and the virama.** Indic scripts are written in *aksharas* (syllables): a consonant,
optionally joined to further consonants, plus a vowel sign.
- A **matra** is a vowel sign attached to a consonant: क + ि = कि (*ki*), क + ा = का (*kā*). In Unicode
  a matra is a separate *combining mark* that follows the consonant, even when (like ि) it is drawn before it.
- The **virama** (्, ್) removes a consonant's inherent vowel and joins it to the next: स + ् + त = स्त.
- Anusvara (ं), nukta (़) and the joiners ZWJ/ZWNJ are combining too.

**How GPT-style pre-splitting cuts them.** Before BPE runs, a regular expression cuts text into
chunks, and no token may cross a chunk boundary. GPT-2's and GPT-4's regexes take a word to be a run of
*letters* (`\\p{L}+`), but matras and the virama are *marks* (`\\p{M}`), not letters. So the regex cuts
a word before each matra: `विशाल` becomes `व` · `िश` · `ाल`, and the pieces `िश` and `ाल` start with a
vowel sign that belongs to the previous letter. No amount of training can then learn `विशाल` as one
token. The **Pre-split** tab shows this on your text. (GPT-4o's regex includes marks and keeps words whole.)

**What this tokenizer does.** Its pre-split keeps every akshara whole (a letter takes all the marks and
joiners that follow it), keeps scripts apart (Devanagari, Kannada, Latin), and groups digits of any
script in threes; the **Pre-split** tab shows the exact regex each model was trained with. BPE is then trained on Hindi or Kannada text with a vocabulary of at most 5,000
tokens. The **Compare** tab puts it next to GPT-2, GPT-4 and GPT-4o on the same text; the **Metrics**
tab has the numbers on held-out text.

**Reading the views.** Each coloured box is one token; the colour depends only on the token id, so the
same token has the same colour everywhere. `␣` is a space and `↵` a newline. A red bar on a token's left
edge marks a boundary *inside an akshara* — the kind of cut this project tries to avoid. Hover a token
for its id and bytes.
"""

INTRO = """
# Indic tokenizer — why Hindi and Kannada need their own
Byte-level BPE tokenizers for **Hindi** and **Kannada** with an akshara-aware pre-split and a
vocabulary of at most 5,000 tokens. Type below: every box is a token. Compare with GPT-2, GPT-4 and
GPT-4o, see where their regexes cut words apart, and read **About** for the why.
"""

APP_CSS = viz.CSS + """
.itok-model{color:var(--body-text-color-subdued,#444);font-size:.9rem;margin:2px 0 6px}
.itok-table{border-collapse:collapse;margin:6px 0 10px;font-size:.92rem}
.itok-table th,.itok-table td{border:1px solid var(--border-color-primary,#dde1e8);padding:4px 8px;text-align:left;
  color:var(--body-text-color,#111)}
.itok-table th{background:var(--background-fill-secondary,#f2f4f8)}
.itok-na{color:#8a1c1c}
.itok-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
.itok-grid2{grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
.itok-col{border:1px solid var(--border-color-primary,#dde1e8);border-radius:8px;padding:8px 10px;
  background:var(--block-background-fill,#fff);min-width:0}
.itok-col-head{margin-bottom:4px;color:var(--body-text-color,#111)}
.itok-col .itok-tokens,.itok-col .itok-chunks{max-height:560px;overflow-y:auto}
.itok-col-head span{color:var(--body-text-color-subdued,#666);font-size:.85rem;margin-left:.3em}
.itok-detail-token{font-size:1.6rem;margin:4px 0}
.itok-legend{font-size:.9rem;color:var(--body-text-color,#333)}
.itok-legend span{display:inline-flex;align-items:center;margin-right:18px}
.itok-legend i{display:inline-block;width:22px;height:4px;border-radius:2px;margin-right:6px}
#text-input textarea{font-family:"Noto Sans Devanagari","Noto Sans Kannada",system-ui,sans-serif;font-size:1.1rem}
"""


# ----- the interface ----------------------------------------------------------------------------
THEME = gr.themes.Soft(
    primary_hue="indigo",
    font=[gr.themes.LocalFont("IBM Plex Sans"), "Noto Sans", "system-ui", "sans-serif"],
    font_mono=[gr.themes.LocalFont("IBM Plex Mono"), "DejaVu Sans Mono", "monospace"],
)


def _default_decode_ids() -> str:
    try:
        return " ".join(map(str, get_model("hi").encode_ordinary("नमस्ते दुनिया")))
    except Exception:  # noqa: BLE001 - only a default value
        return "300 301 302"


def _show_panel(shown: bool) -> Callable[[], gr.Column]:
    def show() -> gr.Column:
        return gr.Column(visible=shown)

    return show


def build_demo() -> gr.Blocks:
    with gr.Blocks(title="Indic tokenizer — Hindi & Kannada BPE", analytics_enabled=False) as demo:
        gr.Markdown(INTRO)
        with gr.Column(elem_id="text-panel") as text_panel:
            with gr.Row(equal_height=False):
                text = gr.Textbox(
                    value=DEFAULT_TEXT, lines=3, max_lines=14, label="Text", elem_id="text-input", scale=4,
                    placeholder="Type or paste Hindi, Kannada, English, code…",
                )
                model = gr.Radio(MODEL_CHOICES, value=AUTO, label="Our model", elem_id="model-choice", scale=1,
                                 min_width=400)
            gr.Examples(
                examples=[[t] for t in EXAMPLES.values()], inputs=[text],
                example_labels=list(EXAMPLES), label="Examples",
            )
        with gr.Tabs(elem_id="views"):
            with gr.Tab("Tokenize", id="tokenize") as tab_tokenize:
                tok_summary = gr.HTML(elem_id="tok-summary")
                tok_html = gr.HTML(elem_id="tok-tokens")
                with gr.Accordion("Token ids", open=False):
                    tok_ids = gr.Textbox(label="ids", lines=3, max_lines=10, buttons=["copy"], elem_id="tok-ids")
                with gr.Accordion("Counts as JSON", open=False):
                    tok_json = gr.JSON(label="counts")
            with gr.Tab("Compare", id="compare") as tab_compare:
                gr.Markdown("The same text under our tokenizer and OpenAI's. Fewer tokens is better; "
                            "a red bar marks a token that starts inside an akshara.")
                cmp_html = gr.HTML(elem_id="cmp")
                with gr.Accordion("Counts as JSON", open=False):
                    cmp_json = gr.JSON(label="counts")
            with gr.Tab("Pre-split", id="presplit") as tab_presplit:
                gr.Markdown("Before BPE, a regex cuts text into chunks; no token can cross a chunk boundary. "
                            "GPT-4's regex treats vowel signs (matras) and the virama as non-letters, so it cuts "
                            "`विशाल` into `व` `िश` `ाल`: **red chunks start inside an akshara**. Ours (the regex our model "
                            "was trained with) keeps aksharas whole.")
                split_html = gr.HTML(elem_id="split")
                with gr.Accordion("Chunks as JSON", open=False):
                    split_json = gr.JSON(label="chunks")
            with gr.Tab("Decode", id="decode") as tab_decode:
                with gr.Row(equal_height=False):
                    dec_ids = gr.Textbox(value=_default_decode_ids(), label="Token ids (spaces or commas)", lines=2, scale=4,
                                         elem_id="decode-ids")
                    dec_model = gr.Radio(list(LANGUAGES), value="Hindi", label="Model", scale=1)
                gr.Examples([[_default_decode_ids()], ["224 164 168"], ["72, 9999999, abc"]], inputs=[dec_ids],
                            example_labels=["नमस्ते दुनिया", "bytes of one letter", "invalid ids"], label="Try")
                dec_note = gr.HTML()
                dec_text = gr.Textbox(label="Text", lines=2, buttons=["copy"], interactive=False)
                dec_html = gr.HTML()
            with gr.Tab("Vocabulary", id="vocabulary") as tab_vocab:
                with gr.Row(equal_height=False):
                    voc_query = gr.Textbox(value="नम", label="Search by text (␣ for a space) or by id", scale=4,
                                           elem_id="vocab-query")
                    voc_model = gr.Radio(list(LANGUAGES), value="Hindi", label="Model", scale=1)
                gr.Examples([["नम"], ["ि"], ["ಕನ್ನಡ"], ["␣भारत"], ["300"], ["4999"]], inputs=[voc_query], label="Try")
                with gr.Row(equal_height=False):
                    voc_list = gr.HTML()
                    voc_detail = gr.HTML()
                with gr.Accordion("Details as JSON", open=False):
                    voc_json = gr.JSON(label="token")
            with gr.Tab("Metrics", id="metrics") as tab_metrics:
                met_md = gr.Markdown()
                with gr.Row():
                    plot_kwargs = {
                        "x": "vocab_size", "y": "bytes_per_token", "color": "series", "color_map": SERIES_COLORS,
                        "x_title": "vocabulary size", "y_title": "bytes per token (held-out)", "y_lim": [0, None],
                        "colors_in_legend": [],  # gradio clips the bottom legend; ours is drawn below
                    }
                    met_hi = gr.LinePlot(label="Hindi", title="Hindi: bytes/token vs vocabulary size", **plot_kwargs)
                    met_kn = gr.LinePlot(label="Kannada", title="Kannada: bytes/token vs vocabulary size", **plot_kwargs)
                gr.HTML(LEGEND_HTML)
            with gr.Tab("About", id="about") as tab_about:
                gr.Markdown(ABOUT)

        # Live views: no dimming while typing; while a request runs, later keystrokes collapse into one
        # follow-up request ("always_last"). Gradio has no time-based debounce (gradio-app/gradio#6894).
        live = {"trigger_mode": "always_last", "show_progress": "hidden"}
        gr.on([text.change, model.change, demo.load], tokenize, [text, model], [tok_html, tok_summary, tok_ids, tok_json],
              api_name="tokenize", **live)
        gr.on([text.change, model.change, demo.load], compare, [text, model], [cmp_html, cmp_json],
              api_name="compare", **live)
        gr.on([text.change, model.change, demo.load], presplit, [text, model], [split_html, split_json],
              api_name="presplit", **live)
        gr.on([dec_ids.change, dec_model.change, demo.load], decode, [dec_ids, dec_model], [dec_text, dec_html, dec_note],
              api_name="decode", **live)
        gr.on([voc_query.change, voc_model.change, demo.load], vocabulary, [voc_query, voc_model],
              [voc_list, voc_detail, voc_json], api_name="vocabulary", **live)
        gr.on([tab_metrics.select, demo.load], metrics, None, [met_md, met_hi, met_kn], api_name="metrics",
              trigger_mode="always_last")

        # The text box belongs to the three text views; hide it elsewhere.
        for tab, shown in ((tab_tokenize, True), (tab_compare, True), (tab_presplit, True), (tab_decode, False),
                           (tab_vocab, False), (tab_metrics, False), (tab_about, False)):
            tab.select(_show_panel(shown), None, text_panel, queue=False, api_visibility="private")
    # After every event gradio's queue rebuilds a pandas summary of its last
    # $GRADIO_ANALYTICS_MAX_EVENTS (10,000) events for its "Runs" page: tens of ms per event once
    # the history fills, more than our handlers take. Summarise less often and keep less history.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "200")
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "2000")
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


demo = build_demo()


def _port() -> int:
    for name in ("GRADIO_SERVER_PORT", "PORT"):
        value = os.environ.get(name)
        if value and value.isdigit():
            return int(value)
    return 7860


def warm_up() -> None:
    """Load the models and encodings before the first visitor (each takes up to a second)."""
    for lang in LANGUAGES.values():
        try:
            get_model(lang).encode_ordinary(EXAMPLES[LANGUAGE_NAMES[lang]])
        except UserError as e:
            log.warning("%s", e)
    for name in GPT_ENCODINGS:
        try:
            get_encoding(name)
        except UserError as e:
            log.warning("%s", e)


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    warm_up()
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=_port(),
        show_error=False,
        ssr_mode=False,
        # gradio keeps each session's copy of the page config and last outputs (up to ~1 MB for a
        # long text); the default of 10,000 sessions lets memory grow to gigabytes. Nothing here
        # needs session state, so keep only the most recent sessions.
        state_session_capacity=STATE_SESSIONS,
        css=APP_CSS,
        theme=THEME,
    )
