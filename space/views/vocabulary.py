"""Vocabulary view: look a token up by id or by text, with its merge tree down to bytes."""

from __future__ import annotations

import re
import threading
import unicodedata
import weakref

import gradio as gr

import tokenizer
from tokenizer import visualize as viz
from tokenizer.registry import DEFAULT, LANGUAGES

from .decode import default_model
from ..guards import MAX_QUERY_CHARS, UserError, check_text, guard
from ..models import choose, encode, session_of, text_attrs

MAX_MATCHES = 40  # search results listed
# A word of the default language's example and one of its marks: what to search for
EXAMPLE_WORD = LANGUAGES[DEFAULT].examples[0].split()[0]
EXAMPLE_QUERY = f"{EXAMPLE_WORD[:2]} or {next((c for c in EXAMPLE_WORD if unicodedata.category(c).startswith('M')), '')}"


def _error(message: str) -> tuple:
    return viz.notice_html(message, error=True), "", {"error": message}


_PARENTS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a session's model goes with its session
_PARENTS_LOCK = threading.Lock()


def _parents(tok: tokenizer.Tokenizer) -> dict[int, tuple[int, int]]:
    """Each token's two parents, computed once per model."""
    with _PARENTS_LOCK:
        parents = _PARENTS.get(tok)
        if parents is None:
            parents = _PARENTS[tok] = viz.merge_parents(tok)
        return parents


@guard(_error)
def vocabulary(query: str, model: str | None = None, request: gr.Request | None = None) -> tuple[str, str, dict]:
    """A token id or a piece of text -> (matching tokens HTML, detail of one token HTML, JSON)."""
    query = "" if query is None else str(query)
    if len(query) > MAX_QUERY_CHARS:
        raise UserError(f"Search for at most {MAX_QUERY_CHARS} characters (this query has {len(query):,}).")
    query = check_text(query)
    chosen = choose("", model or default_model(), session_of(request), auto=False)
    tok, name = chosen.tok, chosen.label
    q = query.strip("\r\n")
    if not q.strip():
        message = f"Type a piece of text (e.g. {EXAMPLE_QUERY}) or a token id (e.g. 300) to look it up."
        return viz.notice_html(message), "", {"message": message}
    id_query = re.fullmatch(r"\s*#?\s*(\d+)\s*", q)
    if id_query and id_query.group(1).isascii():
        token_id = int(id_query.group(1))
        if token_id >= tok.vocab_size:
            raise UserError(f"There is no token {token_id:,}: the {name} model's ids are 0 to {tok.vocab_size - 1:,}.")
        detail, info = viz.token_detail(tok, token_id, _parents(tok))
        return "", detail, {"model": chosen.key, "matches": [token_id], "selected": info}
    if len(q) >= 2 and q[0] == q[-1] == '"':
        q = q[1:-1]
    needle = q.replace("␣", " ").encode("utf-8", "surrogatepass")
    exact = [i for i, b in tok.vocab.items() if b == needle]
    matches = sorted((i for i, b in tok.vocab.items() if needle in b), key=lambda i: (len(tok.vocab[i]), i))
    matches = exact + [i for i in matches if i not in exact]
    if not matches:
        ids = encode(tok, q)
        message = (f"No token of the {name} model contains {q!r}. "
                   f"The model writes it as {len(ids)} token{'s' if len(ids) != 1 else ''}:")
        html = viz.notice_html(message) + viz.tokens_html(viz.pieces_of(tok, ids), q, **text_attrs(q))
        return html, "", {"model": chosen.key, "matches": [], "message": message, "encoding": ids}
    listed = matches[:MAX_MATCHES]
    more = f" (showing the first {len(listed)})" if len(matches) > len(listed) else ""
    parents = _parents(tok)
    items = []
    for k, i in enumerate(listed):
        card, _ = viz.token_detail(tok, i, parents)
        summary = (f"{viz.token_span(i, tok.vocab[i])}<span>id {i:,}</span>"
                   f"<span>{viz.esc(viz.rank_text(tok, i))}</span><code>{viz.esc(viz.hex_bytes(tok.vocab[i]))}</code>")
        is_open = " open" if k == 0 else ""
        items.append(f'<details class="itok-match" data-id="{i}"{is_open}><summary>{summary}</summary>{card}</details>')
    verb = "contains" if len(matches) == 1 else "contain"
    head = viz.note_html(f"{viz.plural(len(matches), 'token')} of the {name} model {verb} {q!r}{more}; "
                         "open any of them for its bytes and merge tree.")
    _, info = viz.token_detail(tok, matches[0], parents)
    html = head + f'<div class="itok-vocab">{"".join(items)}</div>'
    return html, "", {"model": chosen.key, "matches": listed, "total_matches": len(matches), "selected": info}
