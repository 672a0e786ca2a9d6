"""Compare view: the same text under our model and GPT-2, GPT-4 and GPT-4o, side by side."""

from __future__ import annotations

from collections.abc import Callable

import gradio as gr

from tokenizer import visualize as viz
from tokenizer.metrics import cut_flags, summarize
from tokenizer.openai import ENCODINGS

from ..guards import UserError, check_text, guard
from ..models import AUTO, choose, encode, get_encoding, session_of

DRAW_COMPARE = 1_500  # tokens drawn per column
GPT_ENCODINGS = {name: spec.tiktoken_name for name, spec in ENCODINGS.items()}  # GPT-2, GPT-4, GPT-4o
HEADER = ["tokenizer", "vocabulary", "tokens", "× ours", "bytes / token", "chars / token", "tokens / word",
          "cuts inside an akshara"]

Encoded = tuple[list[int], list[bytes], int]  # ids, their bytes, vocabulary size


def _error(message: str) -> tuple:
    return viz.notice_html(message, error=True), {"error": message}


@guard(_error)
def compare(text: str, model: str = AUTO, request: gr.Request | None = None) -> tuple[str, dict]:
    """Text -> (HTML: a table of counts and the tokens of each tokenizer side by side, JSON)."""
    text = check_text(text)
    if not text:
        message = "Type or paste some text above to compare tokenizers."
        return viz.notice_html(message), {"message": message}
    chosen = choose(text, model, session_of(request))
    results: dict[str, dict] = {}
    columns: list[str] = []
    rows: list[tuple[str, dict | None, str]] = []
    ours_name = f"Ours ({chosen.label})"

    def add(key: str, label: str, run: Callable[[], Encoded]) -> None:
        """One tokenizer's row and column; an unavailable one says why and the rest goes on."""
        try:
            ids, data, vocab_size = run()
        except UserError as e:
            results[key] = {"unavailable": str(e)}
            rows.append((label, None, str(e)))
            columns.append(viz.column_html(label, "unavailable", viz.notice_html(str(e), error=True)))
            return
        flags = cut_flags(text, data)
        summary = summarize(text, data, flags, vocab_size).as_dict()
        results[key] = summary
        rows.append((label, summary, ""))
        body = viz.tokens_html(list(zip(ids, data)), limit=DRAW_COMPARE, flags=flags)
        columns.append(viz.column_html(label, f"{vocab_size:,} tokens · {summary['tokens']:,} used here", body))

    def ours() -> Encoded:
        ids = encode(chosen.tok, text)
        return ids, chosen.tok.decode_tokens_bytes(ids), chosen.tok.vocab_size

    def gpt(name: str) -> Callable[[], Encoded]:
        def run() -> Encoded:
            enc = get_encoding(name)
            ids = enc.encode_ordinary(text)
            return ids, enc.decode_tokens_bytes(ids), enc.n_vocab

        return run

    add(ours_name, ours_name, ours)
    for name, tiktoken_name in GPT_ENCODINGS.items():
        add(name, f"{name} ({tiktoken_name})", gpt(name))

    base = results[ours_name].get("tokens")
    table = []
    for label, s, why in rows:
        if s is None:
            table.append([label, viz.Html(f'<span class="itok-na">{viz.esc(why)}</span>')] + [""] * 6)
            continue
        table.append([
            label, s["vocab_size"], viz.Html(f"<b>{s['tokens']:,}</b>"),
            f"{s['tokens'] / base:.2f}×" if base else "–",
            f"{s['bytes_per_token']:.2f}", f"{s['chars_per_token']:.2f}", f"{s['tokens_per_word']:.2f}",
            f"{s['mid_akshara_rate']:.1%} ({s['mid_akshara_boundaries']:,})",
        ])
    n_bytes = len(text.encode("utf-8"))
    head = viz.note_html(f"Ours: {chosen.note}. Same text, {len(text):,} characters, {n_bytes:,} bytes.")
    html = head + viz.table_html(HEADER, table) + viz.grid_html(columns)
    return html, {"model": chosen.key, "results": results}
