"""Links that share: the page's address holds the view, the model(s) and the text; opening it restores them.

The page script (static/page.js) rewrites the address as the visitor works, with `history.replaceState`:

    ?view=compare&model=Hindi&cmp=Auto (by script),GPT-4o,Gemma 3&t=<text>

A text whose address form would be long goes as `z=`: its UTF-8, deflated (raw DEFLATE) and
base64url-encoded (about 3x shorter for Indic text). A text too long even so is left out of the
address (the "Copy link" button says so). `restore` reads those parameters when the page loads.
"""

from __future__ import annotations

import base64
import binascii
import zlib

import gradio as gr

from .guards import MAX_CHARS
from .models import choices, compare_choices, session_of

VIEWS = ("tokenize", "compare", "presplit", "decode", "vocabulary", "train", "batch", "metrics", "about")
TEXT_VIEWS = ("tokenize", "compare", "presplit")  # the views that show the shared text box
MAX_PARAM = 64_000  # characters of one parameter we read (the server refuses longer request lines anyway)


def unpack_text(z: str) -> str | None:
    """The text of a `z=` parameter, or None if it is not one (bad base64, not DEFLATE, not UTF-8, too long)."""
    try:
        data = base64.b64decode(z + "=" * (-len(z) % 4), altchars=b"-_", validate=True)
        inflater = zlib.decompressobj(-zlib.MAX_WBITS)
        raw = inflater.decompress(data, 4 * MAX_CHARS + 1)
        if not inflater.eof or len(raw) > 4 * MAX_CHARS or inflater.unconsumed_tail:
            return None  # not a whole DEFLATE stream, or it unpacks to more than the longest text
        return raw.decode("utf-8")
    except (binascii.Error, ValueError, zlib.error, UnicodeDecodeError):
        return None


def pack_text(text: str) -> str:
    """The `z=` form of a text (what the page script writes; the tests use it to build links)."""
    deflater = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    data = deflater.compress(text.encode("utf-8")) + deflater.flush()
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def parse(params: dict[str, str], session: str | None = None) -> dict:
    """What a link asks for: {"view", "model", "cmp", "text"}, each only when present and valid."""
    out: dict = {}
    view = params.get("view", "")
    if view in VIEWS:
        out["view"] = view
    model = params.get("model", "")[:200]
    if model and model in choices(session):
        out["model"] = model
    cmp = params.get("cmp", "")[:2000]
    if cmp:
        known = set(compare_choices(session))
        picks = [p.strip() for p in cmp.split(",") if p.strip()]
        picks = [p for p in picks if p in known or (p.count("/") == 1 and len(p) <= 96)]
        if picks:
            out["cmp"] = list(dict.fromkeys(picks))[:6]
    text = None
    if len(params.get("z", "")) <= MAX_PARAM and len(params.get("t", "")) <= MAX_PARAM:  # never half a text
        text = unpack_text(params["z"]) if "z" in params else params.get("t")
    if text is not None and len(text) <= MAX_CHARS:
        out["text"] = text
    return out


def restore(request: gr.Request | None = None) -> tuple:
    """On page load: (tabs, text, model, compare picks, text panel) from the address; unchanged where absent."""
    params = dict(getattr(request, "query_params", None) or {}) if request is not None else {}
    link = parse({k: str(v) for k, v in params.items()}, session_of(request))
    view = link.get("view")
    return (
        gr.Tabs(selected=view) if view else gr.skip(),
        link["text"] if "text" in link else gr.skip(),
        link["model"] if "model" in link else gr.skip(),
        link["cmp"] if "cmp" in link else gr.skip(),
        gr.Column(visible=view in TEXT_VIEWS) if view else gr.skip(),
    )

