"""Compare view: the same text under any tokenizers side by side: ours (shipped or trained in this
session), GPT-2/4/4o, the open LLMs and any Hub repository with a tokenizer.json."""

from __future__ import annotations

from typing import NamedTuple

import gradio as gr

from tokenizer import compare as others
from tokenizer import visualize as viz
from tokenizer.metrics import cut_flags, summarize

from ..guards import UserError, check_text, guard
from ..models import AUTO, by_name, choose, compare_choices, encode, is_other, other, session_of, text_attrs

DRAW_COMPARE = 1_500  # tokens drawn per column
JSON_IDS = 5_000  # ids of each tokenizer in the JSON (all are counted)
MAX_PICKS = 6  # tokenizers compared at once
DEFAULT = [AUTO, "GPT-4o", "Gemma 3", "Llama 3"]
GPT_ENCODINGS = [name for name, known in others.KNOWN.items() if known.kind == "openai"]
HEADER = ["tokenizer", "vocabulary", "tokens", "× first", "bytes / token", "chars / token", "tokens / word",
          "cuts inside a character or akshara"]


def _error(message: str) -> tuple:
    return viz.notice_html(message, error=True), {"error": message}


def parse_picks(picks: object) -> list[str]:
    """The tokenizers asked for, in order, without repeats: a list, or one string with commas between names."""
    if picks is None or picks == "":
        return []
    if isinstance(picks, str):
        picks = picks.split(",")
    if not isinstance(picks, (list, tuple)) or not all(isinstance(p, str) for p in picks):
        raise UserError("Choose the tokenizers to compare as a list of names.")
    out: list[str] = []
    for p in (p.strip() for p in picks):
        if p and p not in out:
            out.append(p)
    if len(out) > MAX_PICKS:
        raise UserError(f"Compare at most {MAX_PICKS} tokenizers at once ({len(out)} were chosen).")
    return out


def follow_example(model: str | None, picks: object) -> list[str] | dict:
    """The picks once an example has set the model picker to its language: the first pick of ours that
    is Auto or a language becomes that language, so the example is not compared under another
    language's model (Auto goes by script: Marathi text would get the Hindi model). The other picks,
    and picks without one of ours to replace, stay as they are."""
    if by_name(model or "") is None:
        return gr.skip()
    try:
        names = parse_picks(picks)
    except UserError:
        return gr.skip()
    ours = next((k for k, p in enumerate(names) if p == AUTO or by_name(p)), None)
    if ours is None or names[ours] == model:
        return gr.skip()
    names[ours] = model
    return list(dict.fromkeys(names))  # once, if that language was picked already


class Run(NamedTuple):
    """One tokenizer's result on the text."""

    label: str
    note: str  # where it comes from, or how ours was chosen
    vocab_size: int
    ids: list[int]
    pieces: list[bytes]  # the bytes of each token; they add up to the text


def _run(text: str, pick: str, session: str | None) -> Run:
    """One pick on the text; UserError (shown in its row and column) if it cannot run."""
    if is_other(pick):
        tok = other(pick)
        try:
            ids, pieces = tok.tokens(text)
        except Exception as e:  # noqa: BLE001 - a Hub tokenizer may refuse odd text in its own way
            raise UserError(f"{tok.name} cannot encode this text: {type(e).__name__}") from None
        known = others.KNOWN.get(pick)
        return Run(tok.name, (known.note or known.repo) if known else tok.source, tok.vocab_size, ids, pieces)
    if pick not in compare_choices(session):
        raise UserError(f"Unknown tokenizer {pick!r}: choose ours (Auto, a language, your trained models), "
                        f"{', '.join(others.KNOWN)}, or a Hugging Face repository id like owner/name.")
    chosen = choose(text, pick, session)
    ids = encode(chosen.tok, text)
    pieces = chosen.tok.decode_tokens_bytes(ids)
    return Run(f"Ours: {chosen.label}", chosen.note, chosen.tok.vocab_size, ids, pieces)


@guard(_error)
def compare(text: str, picks: object = None, request: gr.Request | None = None) -> tuple[str, dict]:
    """Text and the tokenizers to compare -> (HTML: a table of counts and each one's tokens side by side, JSON)."""
    text = check_text(text)
    names = parse_picks(DEFAULT if picks is None else picks)
    if not names:
        message = (f"Choose one to {MAX_PICKS} tokenizers to compare (ours, GPT, an open LLM or a Hub id like "
                   "owner/name).")
        return viz.notice_html(message), {"message": message}
    if not text:
        message = "Type or paste some text above to compare tokenizers."
        return viz.notice_html(message), {"message": message}
    session = session_of(request)
    results: dict[str, dict] = {}
    rows: list[list[object]] = []
    columns: list[str] = []
    base: int | None = None
    attrs = text_attrs(text)
    auto_notes: list[str] = []  # how Auto chose, said once under the table (the column heads are cut short)
    for pick in names:
        try:
            run = _run(text, pick, session)
        except UserError as e:
            results[pick] = {"unavailable": str(e)}
            rows.append([pick, viz.Html(f'<span class="itok-na">{viz.esc(str(e))}</span>')] + [""] * 6)
            columns.append(viz.column_html(pick, "unavailable", viz.notice_html(str(e), error=True)))
            continue
        flags = cut_flags(text, run.pieces)
        summary = summarize(text, run.pieces, flags, run.vocab_size).as_dict() | {"name": run.label,
                                                                                  "ids": run.ids[:JSON_IDS]}
        results[pick] = summary
        base = summary["tokens"] if base is None else base
        rows.append([
            run.label, run.vocab_size, viz.Html(f"<b>{summary['tokens']:,}</b>"),
            f"{summary['tokens'] / base:.2f}×" if base else "–",
            f"{summary['bytes_per_token']:.2f}", f"{summary['chars_per_token']:.2f}",
            f"{summary['tokens_per_word']:.2f}" if summary["words"] else "–",
            f"{summary['mid_akshara_rate']:.1%} ({summary['mid_akshara_boundaries']:,})",
        ])
        body = viz.linked_html(text, list(zip(run.ids, run.pieces)), limit=DRAW_COMPARE, flags=flags, hint=False,
                                **attrs)
        if pick == AUTO:
            auto_notes.append(f"Ours under Auto: {run.note}.")
        head = f"{run.vocab_size:,} ids · {viz.plural(summary['tokens'], 'token')} here · {run.note}"
        columns.append(viz.column_html(run.label, head, body))
    n_bytes = len(text.encode("utf-8"))
    head = viz.note_html(f"Same text, {viz.plural(len(text), 'character')}, {viz.plural(n_bytes, 'byte')}. "
                         "× first: tokens relative to the first tokenizer. Fewer tokens is better.")
    notes = "".join(viz.note_html(note) for note in [*auto_notes, viz.LINK_HINT])
    html = head + viz.table_html(HEADER, rows) + notes + viz.grid_html(columns)
    return html, {"picks": names, "results": results}
