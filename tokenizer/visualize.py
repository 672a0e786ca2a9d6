"""Pictures of a tokenization as HTML (and text): the Space and the notebook both use these.

Everything here is a pure function of token ids and bytes, so it draws any tokenizer: ours
or any other with tiktoken's `decode_tokens_bytes` (`pieces_of(tok, ids)`). How a tokenization is
measured (its mid-akshara cuts, its counts) is tokenizer.metrics' business; this module only draws.

- `tokens_html`: each token a coloured box. The colour is a function of the token id alone, so
  the same token has the same colour everywhere (in every view, every run). Spaces show as ␣,
  newlines as ↵ followed by a real line break, and a token that holds only part of a character
  shows its bytes as <E0 A4>, never as U+FFFD. A red bar marks a token that starts inside an
  akshara (a cut before a matra or virama, or inside a character). Tooltips give id and bytes.
- `summary_html`: tokens, characters, bytes, words, ratios, mid-akshara cuts (metrics.summarize).
- `chunks_html`: the pre-split chunks of a regex, with chunks that start with a mark flagged.
- `merge_tree` / `tree_text` / `tree_html`: how a token was built, merge by merge, down to bytes;
  `token_detail`: one token's card (bytes, characters, kind, tree).
- `linked_html`: the tokens, the characters they cover and their ids in three strips whose items
  share a position (`data-i`), so a page script can light up a token's characters and id together.
- `table_html`, `column_html`, `grid_html`, `note_html`, `notice_html`, `progress_html`: the page
  parts the Space's views are made of (cells escaped unless marked `Html`); wide tables scroll
  inside their own box on a narrow screen.
- `PALETTE`: distinct colours for chart series (one per language, twenty of them);
  `line_chart_html`: a small SVG line chart (the Train view's live curve).

All text that reaches HTML is escaped, including `{`, `}`, `$` and backticks (template engines).
This module imports no UI library.
"""

from __future__ import annotations

import html
import math
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import regex

from .bpe import render_token
from .encoding import Tokenizer
from .metrics import Metrics, char_starts, chunk_flags, cut_flags
from .registry import LANGUAGES, SCRIPTS, font_stack

Piece = tuple[int, bytes]  # (token id, token bytes)


class TokenBytes(Protocol):
    """Any tokenizer that can say the bytes of each token: ours, a tiktoken Encoding."""

    def decode_tokens_bytes(self, ids: list[int]) -> list[bytes]: ...

GOLDEN_ANGLE = 137.50776405003785

# Everything the HTML needs looks right with inline styles alone; this sheet adds hover effects,
# the tree lines and the summary cards. Text outside the light token boxes uses gradio's theme
# variables (with light-theme fallbacks), so it stays readable in dark mode. The app passes it to gradio; a notebook can prepend
# `STYLE_TAG` to a fragment. A chart is drawn at least 560 px wide (its box scrolls on a phone):
# scaled down further, its 11 px labels would shrink below 10 px.
CSS = """
.itok-tokens{font-family:{FONTS};font-size:1.15rem;
  line-height:2.15;word-break:break-word;color:#111}
.itok-tok{border-radius:4px;padding:1px 2px;margin:0 1px;border-bottom:2px solid rgba(0,0,0,.28);box-decoration-break:clone;-webkit-box-decoration-break:clone;
  white-space:pre-wrap;cursor:default}
.itok-tok:hover{outline:2px solid #333}
.itok-bytes{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.72em;color:#444;white-space:nowrap}
.itok-ctrl{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.72em;color:#555}
.itok-ws{color:#667}
.itok-more{color:var(--body-text-color-subdued,#666);font-style:italic;font-size:.85rem}
.itok-cards{display:flex;flex-wrap:wrap;gap:8px;margin:4px 0}
.itok-card{flex:1 1 110px;border:1px solid #d8dbe2;border-radius:8px;padding:6px 10px;background:#fafbfc;color:#111}
.itok-card b{display:block;font-size:1.35rem;font-variant-numeric:tabular-nums}
.itok-card span{font-size:.78rem;color:#555}
.itok-card.itok-warn{border-color:#e3a1a1;background:#fff6f6}
.itok-chunks{font-family:{FONTS};font-size:1.15rem;line-height:2.2;color:#111}
.itok-chunk{border:1px solid #9aa3b5;border-radius:4px;padding:1px 4px;margin:0 2px;background:#f3f5f9;white-space:pre-wrap}
.itok-chunk.itok-broken{border-color:#c62828;background:#ffe9e9}
.itok-tree,.itok-tree ul{list-style:none;margin:0;padding-left:.9em;border-left:1px dashed #b0b6c3}
.itok-tree{border-left:none;padding-left:0;font-size:16px;min-width:max-content}
.itok-tree li{margin:3px 0;font-size:16px;line-height:1.9;font-family:{FONTS};color:var(--body-text-color,#111)}
.itok-tree summary{cursor:pointer}
.itok-id{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.8em;color:var(--body-text-color-subdued,#555);margin-left:.4em}
.itok-notice{border-left:4px solid #c77700;background:#fff8e6;color:#3d2a00;padding:8px 12px;border-radius:4px}
.itok-notice.itok-error{border-left-color:#c62828;background:#fff0f0;color:#4a0b0b}
.itok-model{color:var(--body-text-color-subdued,#444);font-size:.9rem;margin:2px 0 6px}
.itok-scroll{overflow-x:auto;max-width:100%;-webkit-overflow-scrolling:touch}
.itok-table{border-collapse:collapse;margin:6px 0 10px;font-size:.92rem}
.itok-table th{white-space:nowrap}
.itok-table th,.itok-table td{border:1px solid var(--border-color-primary,#dde1e8);padding:4px 8px;text-align:left;
  color:var(--body-text-color,#111)}
.itok-table th{background:var(--background-fill-secondary,#f2f4f8)}
.itok-na{color:#8a1c1c}
.itok-grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(260px,1fr));gap:12px}
.itok-grid2{grid-template-columns:repeat(auto-fit,minmax(320px,1fr))}
.itok-col{border:1px solid var(--border-color-primary,#dde1e8);border-radius:8px;padding:8px 10px;
  background:var(--block-background-fill,#fff);min-width:0}
.itok-col-head{margin-bottom:4px;color:var(--body-text-color,#111)}
.itok-col-head b,.itok-col-head span{display:block;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.itok-col .itok-tokens,.itok-col .itok-chunks{max-height:560px;overflow-y:auto}
.itok-col-head span{color:var(--body-text-color-subdued,#666);font-size:.85rem}
.itok-detail-token{font-size:1.6rem;margin:4px 0}
.itok-legend{font-size:.9rem;color:var(--body-text-color,#333);display:flex;flex-wrap:wrap;gap:4px 16px}
.itok-legend span{display:inline-flex;align-items:center}
.itok-legend i{display:inline-block;width:22px;height:4px;border-radius:2px;margin-right:6px}
.itok-linked .itok-hl{outline:3px solid #1a237e;outline-offset:0;background-color:#ffe082}
.itok-strip-label{font-size:.78rem;color:var(--body-text-color-subdued,#666);margin:6px 0 2px}
.itok-chars{font-family:{FONTS};font-size:1.1rem;line-height:1.9;
  white-space:pre-wrap;word-break:break-word;color:var(--body-text-color,#111)}
.itok-chars span{border-radius:3px;cursor:default}
.itok-idlist{font-family:ui-monospace,"DejaVu Sans Mono",monospace;font-size:.85rem;line-height:1.9;word-break:break-word;
  color:var(--body-text-color,#111)}
.itok-idlist span{padding:1px 3px;border-radius:3px;cursor:default}
.itok-info{min-height:1.5em;font-size:.85rem;color:var(--body-text-color,#222);margin:4px 0}
.itok-show-ids .itok-tok::after{content:attr(data-id);font-family:ui-monospace,monospace;font-size:.6em;color:#333;
  vertical-align:sub;margin-left:2px}
.itok-vocab details{border-bottom:1px solid var(--border-color-primary,#dde1e8);padding:4px 0}
.itok-vocab summary{cursor:pointer;display:flex;flex-wrap:wrap;gap:.6em;align-items:baseline}
.itok-vocab summary code{font-size:.8rem}
.itok-chart-box{border:1px solid var(--border-color-primary,#dde1e8);border-radius:8px;padding:8px;
  background:var(--block-background-fill,#fff);overflow-x:auto}
.itok-chart{width:100%;height:auto;display:block;max-height:320px;min-width:560px}
.itok-chart text{font-size:11px;fill:var(--body-text-color,#333);font-family:system-ui,sans-serif}
.itok-chart .itok-axis-title{font-size:12px}
.itok-progress{margin:4px 0 8px;color:var(--body-text-color,#111)}
.itok-bar{height:10px;border-radius:5px;background:#e3e7ee;overflow:hidden;margin-bottom:4px}
.itok-bar i{display:block;height:100%;background:#3949ab}
"""
# Line heights (in em) for the token and chunk strips of a language whose own font stands much taller
# than the Indic ones: a Nastaliq box is ~2.7em high (an Indic one ~1.5em), more than the strips'
# 2.15em lines, so wrapped rows covered one another. 3.3em keeps the Indic strips' gap between rows.
TALL_FONTS = {'"Noto Nastaliq Urdu"': 3.3}
CSS = CSS.replace("{FONTS}", font_stack()) + "".join(
    f'.itok-tokens[lang="{x.code}"],.itok-chars[lang="{x.code}"],.itok-chunks[lang="{x.code}"]{{font-family:{x.css_font}}}\n'
    for x in LANGUAGES.values()
    if x.font
) + "".join(
    f'.itok-tokens[lang="{x.code}"],.itok-chunks[lang="{x.code}"]{{line-height:{TALL_FONTS[x.font]}}}\n'
    for x in LANGUAGES.values()
    if x.font in TALL_FONTS
) + ".itok-detail-token,.itok-tree li{unicode-bidi:plaintext}\n"
STYLE_TAG = f"<style>{CSS}</style>"

_TEMPLATE_CHARS = str.maketrans({"{": "&#123;", "}": "&#125;", "$": "&#36;", "`": "&#96;"})


def esc(text: str) -> str:
    """HTML-escape text for element content and quoted attributes (also { } $ ` for templates)."""
    return html.escape(text, quote=True).translate(_TEMPLATE_CHARS)


# ----- colours ------------------------------------------------------------------------------------
# Twenty series colours told apart at a glance: chosen farthest-first in CIELAB from a 6-level sRGB grid
# (L* 30-78, readable on white), starting from the page's white and the black of reference lines.
# Every pair differs by a CIE76 colour difference of at least 32.9 (tests/test_app.py checks), so each
# of eighteen languages gets a colour of its own.
PALETTE = (
    "#0000FF", "#FF0000", "#00CC00", "#CC0099", "#CC9900", "#0099FF", "#339966", "#CC6666", "#9966FF", "#FF00FF",
    "#FF0066", "#CC99CC", "#669900", "#00CCFF", "#990000", "#666666", "#999966", "#006699", "#663399", "#33CC66",
)
REFERENCE_COLOR = "#111111"


def series_colors(names: Sequence[str]) -> dict[str, str]:
    """A distinct colour for each series name, in order (PALETTE repeats only past twenty)."""
    return {name: PALETTE[k % len(PALETTE)] for k, name in enumerate(names)}


def plural(n: int, word: str, many: str | None = None) -> str:
    """'1 character', '2 characters', '1,000 ids'."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


def token_hue(token_id: int) -> int:
    """A hue in degrees that depends on the id alone; neighbouring ids get distant hues."""
    return round(token_id * GOLDEN_ANGLE) % 360


def token_color(token_id: int) -> str:
    """The background colour of a token: a light tint, readable with dark text."""
    return f"hsl({token_hue(token_id)},78%,86%)"


# ----- token pieces -------------------------------------------------------------------------------
def pieces_of(source: TokenBytes, ids: Iterable[int]) -> list[Piece]:
    """(id, bytes) for each id, from any tokenizer with tiktoken's `decode_tokens_bytes` (ours too)."""
    ids = list(ids)
    return list(zip(ids, source.decode_tokens_bytes(ids), strict=True))


# ----- rendering one token ------------------------------------------------------------------------
_STRAY = regex.compile(r"([\udc80-\udcff]+)")


def _valid_runs(data: bytes) -> list[tuple[bool, bytes]]:
    """Split bytes into runs of whole UTF-8 characters (True) and stray bytes (False)."""
    runs: list[tuple[bool, bytes]] = []
    for k, part in enumerate(_STRAY.split(data.decode("utf-8", "surrogateescape"))):
        if part:
            runs.append((k % 2 == 0, part.encode("utf-8", "surrogateescape")))
    return runs


def hex_bytes(data: bytes) -> str:
    """b'\\xe0\\xa4' -> 'E0 A4'."""
    return data.hex(" ").upper()


def token_label_html(data: bytes) -> str:
    """The inside of a token box: text with ␣ ⇥ ↵ (and a real line break), stray bytes as <E0 A4>."""
    out: list[str] = []
    for whole, run in _valid_runs(data):
        if not whole:
            out.append(f'<span class="itok-bytes">&lt;{hex_bytes(run)}&gt;</span>')
            continue
        lines = run.split(b"\n")
        for k, part in enumerate(lines):
            if k:
                out.append('<span class="itok-ws">↵</span><br>')
            if part:
                out.append(_text_html(part.decode("utf-8")))
    return "".join(out)


_WS_HTML = {" ": '<span class="itok-ws">␣</span>', "\t": '<span class="itok-ws">⇥</span>', "\r": '<span class="itok-ws">␍</span>'}
_JOINER_NAMES = {"\u200c": "ZWNJ", "\u200d": "ZWJ"}


def _text_html(text: str) -> str:
    """Whole characters (no newline): whitespace made visible, invisible characters named."""
    if all(ch in _JOINER_NAMES for ch in text):
        return f'<span class="itok-ctrl">{" ".join(_JOINER_NAMES[c] for c in text)}</span>'
    out = []
    for ch in text:
        if ch in _WS_HTML:
            out.append(_WS_HTML[ch])
        elif ch.isprintable() or ch in _JOINER_NAMES:
            out.append(esc(ch))
        else:  # control and other invisible characters: <U+0001>
            out.append(f'<span class="itok-ctrl">{esc(render_token(ch.encode("utf-8", "surrogatepass")))}</span>')
    return "".join(out)


def token_title(token_id: int, data: bytes, *, cut: bool = False, id_note: str = "") -> str:
    """The tooltip of a token: id, bytes, and a warning when it starts inside a character or an akshara."""
    parts = [f"id {token_id}{id_note}", f"{len(data)} byte{'s' if len(data) != 1 else ''}: {hex_bytes(data)}"]
    if cut:
        parts.append("starts inside a character or an akshara")
    return " · ".join(parts)


_ZWJ = "\u200d"
# A letter or mark of a script whose letters take joining forms (registry: Script.joining).
_JOINING = regex.compile(
    "(?=[\\p{L}\\p{M}])[" + "".join(rf"\p{{{s.name}}}{s.word_letters}" for s in SCRIPTS.values() if s.joining) + "]"
)


def joined_cuts(pieces: Sequence[bytes]) -> list[bool]:
    """For each boundary between two tokens, whether it cuts a word of a joining script (Arabic):
    a letter or mark on both sides. Such a cut is drawn with a ZWJ on each side, so the letters
    keep the joining forms they have in the word instead of falling apart into isolated ones."""
    out = []
    for left, right in zip(pieces, pieces[1:]):
        a = left.decode("utf-8", "ignore")[-1:]
        b = right.decode("utf-8", "ignore")[:1]
        out.append(bool(a and b and _JOINING.match(a) and _JOINING.match(b)))
    return out


@lru_cache(maxsize=65536)
def token_span(token_id: int, data: bytes, *, cut: bool = False, join_before: bool = False,
               join_after: bool = False) -> str:  # fmt: skip
    """One token as a coloured <span> with a tooltip (cached: a text repeats its tokens); `join_*`
    add a ZWJ where the token is cut out of a word of a joining script (see joined_cuts)."""
    style = f"background:{token_color(token_id)};color:#111"
    if cut:
        style += ";box-shadow:inset 3px 0 0 #d32f2f"
    cls = "itok-tok itok-cut" if cut else "itok-tok"
    label = (_ZWJ if join_before else "") + token_label_html(data) + (_ZWJ if join_after else "")
    return (
        f'<span class="{cls}" data-id="{token_id}" style="{style}" '
        f'title="{esc(token_title(token_id, data, cut=cut))}">{label}</span>'
    )


def _spans(shown: Sequence[Piece], flags: Sequence[bool]) -> list[str]:
    """The token spans of a strip, joined across cuts inside words of a joining script."""
    joins = joined_cuts([b for _, b in shown])
    return [
        token_span(i, b, cut=flags[k], join_before=k > 0 and joins[k - 1], join_after=k < len(joins) and joins[k])
        for k, (i, b) in enumerate(shown)
    ]


def tokens_html(
    pieces: Sequence[Piece],
    text: str | None = None,
    *,
    limit: int | None = None,
    flags: Sequence[bool] | None = None,
    direction: str | None = None,
    lang: str | None = None,
) -> str:
    """Coloured tokens; with `text` (or its `flags`, already computed by cut_flags), tokens that
    start inside a character or an akshara get a red bar.

    `limit` draws only the first tokens and says how many were left out (all are counted);
    `direction` ("rtl", "ltr", "auto") becomes the strip's dir attribute, `lang` its lang attribute.
    """
    if flags is None:
        flags = cut_flags(text, [b for _, b in pieces]) if text is not None else [False] * len(pieces)
    shown = pieces if limit is None else pieces[:limit]
    spans = _spans(shown, flags)
    return f'<div class="itok-tokens"{_dir(direction, lang)}>{"<wbr>".join(spans)}</div>{_more(len(shown), len(pieces))}'


def _dir(direction: str | None, lang: str | None = None) -> str:
    """The strip's dir and lang attributes (lang picks a language's own font, e.g. Urdu's Nastaliq)."""
    return (f' dir="{esc(direction)}"' if direction else "") + (f' lang="{esc(lang)}"' if lang else "")


def _more(shown: int, total: int) -> str:
    if shown >= total:
        return ""
    return (f'<div class="itok-more">… and {total - shown:,} more tokens '
            f"(only the first {shown:,} are drawn; all are counted)</div>")


def _at(position: int, span: str) -> str:
    """A token's <span> with its position in the text (data-i), which links it to its characters and id."""
    return f'<span data-i="{position}"{span[5:]}'


LINK_HINT = "Point at (or tap) a token, a character or an id to see them together."


def linked_html(
    text: str,
    pieces: Sequence[Piece],
    *,
    limit: int | None = None,
    flags: Sequence[bool] | None = None,
    direction: str | None = None,
    lang: str | None = None,
    hint: bool = True,
) -> str:
    """Three strips linked by position: the coloured tokens, the characters each covers, and the ids.

    Every item carries `data-i` (the token's position), so the page script lights up a token, its
    characters and its id together whichever of the three is pointed at, and writes the token's
    facts into the `itok-info` line, which starts with LINK_HINT (`hint=False`: empty, for boxes side
    by side under one hint). A token that holds only part of a character covers no character of its
    own: the character goes to the token it starts in.
    """
    if flags is None:
        flags = cut_flags(text, [b for _, b in pieces])
    shown = pieces if limit is None else pieces[:limit]
    tokens = [_at(k, span) for k, span in enumerate(_spans(shown, flags))]
    char_offsets = sorted(char_starts(text))  # byte offset of each character start, and the end
    chars, ids, offset, done = [], [], 0, 0
    for k, (token_id, data) in enumerate(shown):
        offset += len(data)
        end = bisect_left(char_offsets, offset)  # characters that start before this token ends
        if end > done:
            chars.append(f'<span data-i="{k}">{esc(text[done:end])}</span>')
            done = end
        ids.append(f'<span data-i="{k}" style="background:{token_color(token_id)};color:#111">{token_id}</span>')
    d = _dir(direction, lang)
    return (
        '<div class="itok-linked">'
        f'<div class="itok-info" aria-live="polite">{LINK_HINT if hint else ""}</div>'
        f'<div class="itok-tokens"{d}>{"<wbr>".join(tokens)}</div>{_more(len(shown), len(pieces))}'
        f'<div class="itok-strip-label">characters</div><div class="itok-chars"{d}>{"".join(chars)}</div>'
        f'<div class="itok-strip-label">ids</div><div class="itok-idlist">{" ".join(ids)}</div>'
        "</div>"
    )


# ----- counts -------------------------------------------------------------------------------------
def _num(x: float | None) -> str:
    """A count as is, a ratio to two places; None (a ratio with nothing to divide by) as a dash."""
    if x is None:
        return "–"
    return f"{x:,}" if isinstance(x, int) else f"{x:,.2f}"


def summary_html(summary: Metrics) -> str:
    """The counts as a row of cards; a ratio whose denominator is 0 (tokens / word of text with no
    words, such as spaces only) shows as a dash, not as a misleading 0.00."""
    def counted(key: str, one: str, many: str) -> tuple[str, str, float]:
        value = getattr(summary, key)
        return key, one if value == 1 else many, value

    cards = [
        counted("tokens", "token", "tokens"),
        counted("chars", "character", "characters"),
        counted("bytes", "byte (UTF-8)", "bytes (UTF-8)"),
        counted("words", "word", "words"),
        ("bytes_per_token", "bytes / token", summary.bytes_per_token if summary.tokens else None),
        ("chars_per_token", "characters / token", summary.chars_per_token if summary.tokens else None),
        ("tokens_per_word", "tokens / word", summary.tokens_per_word if summary.words else None),
    ]
    out = [
        f'<div class="itok-card" data-stat="{key}"><b>{_num(value)}</b><span>{esc(label)}</span></div>'
        for key, label, value in cards
    ]
    mid, boundaries = summary.mid_akshara_boundaries, summary.boundaries
    rate = summary.mid_akshara_rate
    warn = " itok-warn" if mid else ""
    out.append(
        f'<div class="itok-card{warn}" data-stat="mid_akshara_rate" title="{mid:,} of {boundaries:,} token boundaries '
        f'fall inside a character or an akshara"><b>{rate:.1%}</b><span>boundaries inside a character or '
        f'akshara ({mid:,}/{boundaries:,})</span></div>'
    )
    return f'<div class="itok-cards">{"".join(out)}</div>'


# ----- pre-split chunks ---------------------------------------------------------------------------
def chunks_html(
    chunks: Sequence[str],
    text: str | None = None,
    *,
    limit: int | None = None,
    direction: str | None = None,
    lang: str | None = None,
) -> str:
    """Pre-split chunks as boxes; a chunk that starts inside an akshara is red; `direction` as in tokens_html."""
    if text is None:
        text = "".join(chunks)
    flags = chunk_flags(text, chunks)
    shown = chunks if limit is None else chunks[:limit]
    out = []
    for chunk, broken in zip(shown, flags):
        cls = "itok-chunk itok-broken" if broken else "itok-chunk"
        style = "border:1px solid #c62828;background:#ffe9e9" if broken else "border:1px solid #9aa3b5;background:#f3f5f9"
        style += ";color:#111"
        codepoints = " ".join(f"U+{ord(c):04X}" for c in chunk[:12]) + (" …" if len(chunk) > 12 else "")
        title = f"{len(chunk)} character{'s' if len(chunk) != 1 else ''}: {codepoints}"
        if broken:
            title += " · starts inside an akshara"
        out.append(f'<span class="{cls}" style="{style}" title="{esc(title)}">{token_label_html(chunk.encode("utf-8", "surrogatepass"))}</span>')
    more = ""
    if len(shown) < len(chunks):
        more = f'<div class="itok-more">… and {len(chunks) - len(shown):,} more chunks</div>'
    return f'<div class="itok-chunks"{_dir(direction, lang)}>{"<wbr>".join(out)}</div>{more}'


# ----- merge trees --------------------------------------------------------------------------------
@dataclass(frozen=True)
class MergeNode:
    """A token and the two tokens it was merged from (none for a byte or a special token)."""

    id: int
    bytes: bytes
    children: tuple[MergeNode, ...] = field(default=())

    @property
    def label(self) -> str:
        return render_token(self.bytes)

    def depth(self) -> int:
        return 1 + max((c.depth() for c in self.children), default=0)


def merge_parents(tok: Tokenizer) -> dict[int, tuple[int, int]]:
    """new id -> (left id, right id) for every merge of a tokenizer."""
    return {new: pair for pair, new in tok.merges.items()}


def merge_tree(tok: Tokenizer, token_id: int, parents: Mapping[int, tuple[int, int]] | None = None) -> MergeNode:
    """The merge tree of a token down to its bytes. Raises ValueError for an unknown id."""
    if parents is None:
        parents = merge_parents(tok)
    data = tok.decode_single_token_bytes(token_id)  # raises ValueError for an unknown id

    def build(i: int) -> MergeNode:
        pair = parents.get(i)
        if pair is None:
            return MergeNode(i, tok.decode_single_token_bytes(i))
        return MergeNode(i, tok.vocab[i], (build(pair[0]), build(pair[1])))

    node = build(token_id)
    assert node.bytes == data
    return node


def tree_text(node: MergeNode) -> str:
    """The tree as indented text, one token per line: `300 'नम' = 280 + 290`."""
    lines: list[str] = []

    def walk(n: MergeNode, prefix: str, last: bool, top: bool) -> None:
        joint = "" if top else ("└─ " if last else "├─ ")
        how = f" = {n.children[0].id} + {n.children[1].id}" if n.children else ""
        lines.append(f"{prefix}{joint}{n.id} {n.label!r}{how}")
        child_prefix = prefix if top else prefix + ("   " if last else "│  ")
        for k, c in enumerate(n.children):
            walk(c, child_prefix, k == len(n.children) - 1, False)

    walk(node, "", True, True)
    return "\n".join(lines)


def tree_html(node: MergeNode, *, open_depth: int = 2) -> str:
    """The tree as nested, collapsible lists of coloured token boxes (the top levels open)."""

    def item(n: MergeNode, depth: int) -> str:
        box = token_span(n.id, n.bytes)
        if n.children:
            kind = f"merge #{n.id - 255}" if n.id >= 256 else "merge"
            note = f'<span class="itok-id">id {n.id} · {kind} = {n.children[0].id} + {n.children[1].id}</span>'
            inner = "".join(item(c, depth + 1) for c in n.children)
            is_open = " open" if depth < open_depth else ""
            return f"<li><details{is_open}><summary>{box}{note}</summary><ul>{inner}</ul></details></li>"
        kind = f"byte {hex_bytes(n.bytes)}" if len(n.bytes) == 1 else "special token"
        return f'<li>{box}<span class="itok-id">id {n.id} · {esc(kind)}</span></li>'

    return f'<div class="itok-scroll"><ul class="itok-tree">{item(node, 0)}</ul></div>'


def nice_ticks(lo: float, hi: float, count: int = 6) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) from lo up to hi."""
    span = max(hi - lo, 1e-9)
    raw = span / max(count - 1, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + k * step, 10) for k in range(int((hi - first) / step + 1e-9) + 1)]


def line_chart_html(
    series: Mapping[str, Sequence[tuple[float, float]]],
    *,
    x_range: tuple[float, float],
    x_title: str,
    y_title: str,
    colors: Mapping[str, str] | None = None,
) -> str:
    """A line chart as inline SVG (linear axes, y from 0) with an HTML legend that wraps.

    Drawn here rather than by a plotting library so that each update is the whole picture: a live
    curve stays right from its first point (one point shows as a dot) whatever arrives when.
    """
    colors = colors or series_colors(list(series))
    width, height, left, right, top, bottom = 640, 260, 48, 14, 10, 40
    x0, x1 = x_range
    x1 = max(x1, x0 + 1)
    y_top = max([y for pts in series.values() for _, y in pts] + [1.0])
    y_ticks = nice_ticks(0, y_top * 1.05, 6)
    y1 = max(y_ticks[-1], y_top)
    if y1 < y_top * 1.05:
        y_ticks.append(y_ticks[-1] + (y_ticks[1] - y_ticks[0]))
        y1 = y_ticks[-1]

    def px(x: float) -> float:
        return round(left + (x - x0) / (x1 - x0) * (width - left - right), 1)

    def py(y: float) -> float:
        return round(height - bottom - y / y1 * (height - top - bottom), 1)

    grid, labels = [], []
    for x in nice_ticks(x0, x1, 7):
        grid.append(f'<line x1="{px(x)}" y1="{top}" x2="{px(x)}" y2="{height - bottom}" stroke="#e3e7ee"/>')
        labels.append(f'<text class="itok-xtick" x="{px(x)}" y="{height - bottom + 14}" text-anchor="middle">'
                      f"{x:,.0f}</text>")
    for y in y_ticks:
        grid.append(f'<line x1="{left}" y1="{py(y)}" x2="{width - right}" y2="{py(y)}" stroke="#e3e7ee"/>')
        labels.append(f'<text class="itok-ytick" x="{left - 6}" y="{py(y) + 4}" text-anchor="end">{y:g}</text>')
    lines = []
    for name, pts in series.items():
        colour = esc(colors.get(name, REFERENCE_COLOR))
        if len(pts) == 1:
            (x, y), = pts
            lines.append(f'<circle data-series="{esc(name)}" cx="{px(x)}" cy="{py(y)}" r="3" fill="{colour}"/>')
        elif pts:
            coords = " ".join(f"{px(x)},{py(y)}" for x, y in pts)
            lines.append(f'<polyline data-series="{esc(name)}" points="{coords}" fill="none" stroke="{colour}" '
                         'stroke-width="2"/>')
    label = f"{esc(y_title)} against {esc(x_title)}, linear axes: x from {x0:,.0f} to {x1:,.0f}, y from 0 to {y1:g}"
    svg = (
        f'<svg class="itok-chart" viewBox="0 0 {width} {height}" role="img" aria-label="{label}" '
        f'data-x-min="{x0}" data-x-max="{x1}">{"".join(grid)}'
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" stroke="#888"/>'
        f'<line x1="{left}" y1="{top}" x2="{left}" y2="{height - bottom}" stroke="#888"/>{"".join(labels)}'
        f'<text class="itok-axis-title" x="{(left + width - right) / 2}" y="{height - 6}" text-anchor="middle">'
        f"{esc(x_title)}</text>"
        f'<text class="itok-axis-title" transform="translate(12 {(top + height - bottom) / 2}) rotate(-90)" '
        f'text-anchor="middle">{esc(y_title)}</text>{"".join(lines)}</svg>'
    )
    return f'<div class="itok-chart-box">{svg}{legend_html({n: colors.get(n, REFERENCE_COLOR) for n in series})}</div>'


def legend_html(colors: Mapping[str, str]) -> str:
    """A chart legend that wraps on a narrow screen: a coloured line and the name of each series."""
    items = "".join(f'<span><i style="background:{esc(c)}"></i>{esc(name)}</span>' for name, c in colors.items())
    return f'<div class="itok-legend">{items}</div>'


def notice_html(message: str, *, error: bool = False) -> str:
    """A message box (escaped) for views that have nothing else to show."""
    cls = "itok-notice itok-error" if error else "itok-notice"
    return f'<div class="{cls}" role="status">{esc(message)}</div>'


# ----- page parts: tables, columns, notes ---------------------------------------------------------
class Html(str):
    """A string that is already HTML: table_html passes it through; every other cell is escaped."""


def cell(value: object) -> str:
    if isinstance(value, Html):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return esc(str(value))


def table_html(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """A plain table in a box of its own that scrolls sideways on a narrow screen; cells are escaped unless Html."""
    head = "".join(f"<th>{esc(h)}</th>" for h in header)
    body = "".join("<tr>" + "".join(f"<td>{cell(c)}</td>" for c in row) + "</tr>" for row in rows)
    table = f'<table class="itok-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    return f'<div class="itok-scroll">{table}</div>'


def note_html(message: str) -> str:
    """A one-line note above a view's output (which model, how it was chosen)."""
    return f'<div class="itok-model">{esc(message)}</div>'


def column_html(title: str, subtitle: str, body: str) -> str:
    """One tokenizer's column in a side-by-side grid; body is HTML. The head is two lines, cut short
    with its whole text as a tooltip, so every column's body starts at the same height."""
    return (
        f'<div class="itok-col"><div class="itok-col-head" title="{esc(title)}: {esc(subtitle)}"><b>{esc(title)}</b> '
        f"<span>{esc(subtitle)}</span></div>{body}</div>"
    )


def grid_html(columns: Iterable[str], *, wide: bool = False) -> str:
    cls = "itok-grid itok-grid2" if wide else "itok-grid"
    return f'<div class="{cls}">{"".join(columns)}</div>'


def progress_html(done: int, total: int, message: str) -> str:
    """A progress bar with a line of text (the Train view)."""
    share = done / total if total else 1.0
    return (
        f'<div class="itok-progress" data-done="{done}" data-total="{total}">'
        f'<div class="itok-bar"><i style="width:{share:.1%}"></i></div>'
        f"<span>{esc(message)}</span></div>"
    )


def rank_text(tok: Tokenizer, token_id: int) -> str:
    """What a token is: a byte, the n-th merge, or a special token."""
    if token_id in tok.inverse_special:
        return "special token"
    if token_id < 256:
        return "single byte"
    return f"merge #{token_id - 255:,} of {tok.n_merges:,}"


def token_detail(
    tok: Tokenizer, token_id: int, parents: Mapping[int, tuple[int, int]] | None = None
) -> tuple[str, dict]:
    """One token of a vocabulary: (HTML card with bytes, characters and merge tree; its facts as a dict)."""
    data = tok.decode_single_token_bytes(token_id)
    special = token_id in tok.inverse_special
    info: dict = {
        "id": token_id,
        "rank": token_id,
        "merge_number": token_id - 255 if 256 <= token_id and not special else None,
        "kind": rank_text(tok, token_id),
        "token": tok.render(token_id),
        "bytes": hex_bytes(data),
        "length": len(data),
    }
    tree = ""
    if special:
        info["tree"] = ""
    else:
        node = merge_tree(tok, token_id, parents)
        tree, info["tree"] = tree_html(node), tree_text(node)
        info["tree_depth"] = node.depth()
    chars = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '?')}" for c in data.decode("utf-8", "ignore")[:12])
    rows = [
        ("id (rank)", f"{token_id:,}"),
        ("kind", info["kind"]),
        ("bytes", Html(f"<code>{esc(info['bytes'])}</code> ({len(data)} bytes)")),
        ("characters", chars or "(part of a character only)"),
    ]
    cells = "".join(f"<tr><th>{esc(k)}</th><td>{cell(v)}</td></tr>" for k, v in rows)
    table = f'<table class="itok-table">{cells}</table>'
    html_ = (
        f'<div class="itok-detail"><div class="itok-detail-token">{token_span(token_id, data)}</div>{table}'
        + (f"<h4>Merge tree, down to bytes</h4>{tree}" if tree else "")
        + "</div>"
    )
    return html_, info
