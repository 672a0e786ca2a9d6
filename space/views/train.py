"""Train view: train a tokenizer on an embedded corpus, an uploaded file or pasted text, watch it
learn, compare it on held-out text with the shipped model and GPT-4o, and take it with you.

One training runs at a time per server (gradio's queue, concurrency 1, shows the others their
position), in a worker process with capped memory (space.worker); each is capped at WALL_TIME
seconds. Cancel ends it at once and, like the time cap, keeps the merges learned so far as a
partial model (and says so). The new model joins the session's model choices in Tokenize,
Compare, Pre-split, Decode and Vocabulary; the downloads of the session's last few models stay
listed; all is freed when the session ends.

The source follows what the visitor gave: uploading a file, typing text or picking a corpus
switches the radio (see `follow_*`), and inputs the chosen source does not use are named in
the result, never dropped silently.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

import gradio as gr

from tokenizer import visualize as viz
from tokenizer.metrics import CompressionCurve, evaluate
from tokenizer.pretokenize import PATTERNS
from tokenizer.registry import LANGUAGES, RECIPES, Language
from tokenizer.train import VOCAB_CAP, TrainProgress

from .. import jobs
from ..guards import UserError, guard
from ..models import STORE, SessionModel, choices, compare_choices, get_encoding, get_model, has_model, session_of

SOURCES = ("Embedded corpus", "Upload a file", "Paste text")
# Every registry recipe, labelled; plain BPE trains on the pre-split picked beside it.
RECIPE_CHOICES = [(f"{r.name}: {r.description}", r.name) for r in RECIPES.values() if r.name != jobs.BPE]
RECIPE_CHOICES.append(("bpe: plain BPE on the pre-split chosen below", jobs.BPE))
BPE_PATTERNS = [name for name, p in PATTERNS.items() if p.spec is None or p.spec.kind != "akshara"]
BPE_DEFAULT = RECIPES[jobs.BPE].stages[0].pattern
POLL = 0.2  # seconds between progress updates sent to the page
CURVE_POINTS = 100  # points of the live curve over the planned vocabulary, however fast merges arrive
YOURS = "yours (held-out, while training)"
N_PICKERS = 5  # model pickers the view updates (see _pickers)

_running: dict[str, jobs.Job] = {}  # session -> its training
_counter = itertools.count(1)
_KEEP = (gr.skip(),) * N_PICKERS  # leave the pickers as they are


def corpus_choices() -> list[tuple[str, str]]:
    """(label, code) for every registry language whose embedded corpus is there (with its train files)."""
    return [(f"{x.name} ({' + '.join((x.corpus, *x.train_files))})", x.code) for x in LANGUAGES.values()
            if (jobs.corpora.DATA_DIR / x.corpus).is_file()]


def _curve_step(size: int) -> int:
    """Merges between two points of the curve: about CURVE_POINTS over the planned vocabulary."""
    return max(1, (size - jobs.MIN_VOCAB) // CURVE_POINTS)


def _curve(points: list[tuple[int, float]], flat: dict[str, float] | None = None, size: int = 0) -> str:
    """The live curve as an SVG chart: x over the planned vocabulary from the first frame, y from 0,
    the baselines as flat lines across it."""
    lo, hi = jobs.MIN_VOCAB, max(size, points[-1][0] if points else 0, jobs.MIN_VOCAB + 1)
    series: dict[str, list[tuple[float, float]]] = {YOURS: list(points)}
    for name, b in (flat or {}).items():
        series[name] = [(lo, b), (hi, b)]
    return viz.line_chart_html(series, x_range=(lo, hi), x_title="vocabulary size",
                               y_title="bytes per token (held-out)")


def follow_upload(upload: object) -> str | dict:
    """An uploaded file makes the source "Upload a file"."""
    return SOURCES[1] if upload else gr.skip()


def follow_text(text: str | None) -> str | dict:
    """Typed or pasted text makes the source "Paste text"."""
    return SOURCES[2] if text and text.strip() else gr.skip()


def follow_corpus() -> str | dict:
    """Picking a corpus makes the source "Embedded corpus"."""
    return SOURCES[0]


def unused_inputs(source: str, upload: object, text: str | None) -> str:
    """A sentence naming what was given but not used by the chosen source ("" if nothing)."""
    unused = []
    if upload and source != SOURCES[1]:
        unused.append("the uploaded file")
    if text and text.strip() and source != SOURCES[2]:
        unused.append("the pasted text")
    if not unused:
        return ""
    return f"Not used: {' and '.join(unused)} (the source is “{source}”; choose another source to train on it). "


def progress_message(p: TrainProgress, elapsed: float, points: list[tuple[int, float]]) -> str:
    """The line under the progress bar; the stage is named only once there is one (the trainer's
    first report, before the first stage starts, has none), the held-out figure once it is measured."""
    stage = f" ({p.stage} stage)" if p.stage else ""
    held = f" · held-out bytes/token {points[-1][1]:.2f}" if points else ""
    return f"{p.done:,} of {p.total:,} merges{stage} · {elapsed:.1f} s{held}"


def _pickers(session: str | None) -> list:
    """New choices for the pickers: the text views', Decode's, Vocabulary's, Batch's and Compare's."""
    return [gr.update(choices=choices(session)), gr.update(choices=choices(session, auto=False)),
            gr.update(choices=choices(session, auto=False)), gr.update(choices=choices(session)),
            gr.update(choices=compare_choices(session))]


def _error(message: str) -> tuple:
    return (viz.notice_html(message, error=True), gr.skip(), "", gr.skip(), {"error": message}, *_KEEP)


def read_input(source: str, corpus: str | None, upload: object, text: str | None) -> jobs.TextSource:
    """What to train on, checked as far as it can be without reading it (the worker reads it)."""
    if source == SOURCES[0]:
        return jobs.embedded(corpus or next(iter(LANGUAGES)))
    if source == SOURCES[1]:
        if not upload:
            raise UserError(f"Choose a file to upload ({jobs.UPLOAD_TYPES_TEXT}), or pick another source.")
        path = upload if isinstance(upload, str) else getattr(upload, "name", None) or upload.get("path")
        return jobs.uploaded(path)
    if source == SOURCES[2]:
        return jobs.pasted(text or "")
    raise UserError(f"Choose a source: {', '.join(SOURCES)} (not {source!r}).")


@guard(_error)
def train(source: str, corpus: str | None, upload: object, text: str | None, vocab_size: float, recipe: str,
          pattern: str | None, request: gr.Request | None = None) -> Iterator[tuple]:
    """Train and stream (status HTML, curve, results HTML, download files, JSON, model pickers)."""
    size, recipe, pattern, final_pattern = jobs.check_settings(vocab_size, recipe, pattern)
    session = session_of(request)
    yield (viz.progress_html(0, 1, "Reading the text…"), _curve([], None, size), "", gr.skip(), {"status": "reading"},
           *_KEEP)
    unused = unused_inputs(source, upload, text)
    job = jobs.Job(read_input(source, corpus, upload, text), size, recipe, pattern)
    key = session or f"direct-{id(job)}"
    _running[key] = job  # from here on Cancel stops it, while it reads too
    what = f"{recipe}" + (f" on the {pattern} pre-split" if pattern else "")
    setup: _Setup | None = None
    try:
        job.start()
        while not job.wait(POLL):
            if job.over_time():
                job.stop_for_time()
                break
            if job.text is None:
                docs, chars = job.reading
                status = viz.progress_html(0, 1, f"Reading the text… {viz.plural(docs, 'document')}, "
                                                 f"{viz.plural(chars, 'character')} · {job.elapsed:.1f} s")
                yield status, _curve([], None, size), "", gr.skip(), {"status": "reading", "documents": docs}, *_KEEP
                continue
            setup = setup or _Setup.of(job, final_pattern)
            p = job.progress
            curve = setup.curve
            if p is not None:
                curve.advance(p.merges, _curve_step(size))
                status = viz.progress_html(p.done, p.total, progress_message(p, job.elapsed, curve.points))
            else:
                status = viz.progress_html(0, 1, f"Counting the chunks of {viz.plural(job.text['train_lines'], 'line')}"
                                                 f" · {job.elapsed:.1f} s")
            payload = {"status": "training", "merges": p.done if p else 0}
            yield status, _curve(curve.points, setup.flat, size), "", gr.skip(), payload, *_KEEP
        tok, error = job.outcome()
        usable = error is None or isinstance(error, jobs.Stopped)
        if setup is None and job.text is not None and usable:  # it ended before the loop saw the text
            setup = _Setup.of(job, final_pattern)
    finally:
        job.close()  # also when the page goes away mid-training (the generator is closed)
        _running.pop(key, None)
    curve_points = setup.curve.points if setup else []
    flat = setup.flat if setup else None
    note, status = "", "done"
    if isinstance(error, jobs.Stopped):
        tok = job.partial(final_pattern) if setup is not None else None
        cancelled = error.why == "cancelled"
        if tok is None and cancelled:
            message = f"Cancelled after {job.elapsed:.1f} s, before the first merge was learned: there is no model."
            yield (viz.notice_html(message), _curve(curve_points, flat, size), "", gr.skip(),
                   {"status": "cancelled", "message": message, "partial": False}, *_KEEP)
            return
        if tok is None:
            raise UserError(f"The training did not learn a merge within the {jobs.WALL_TIME:.0f} s cap: "
                            "use less text or a smaller vocabulary.")
        if cancelled:
            status = "cancelled"
            note = (f"Cancelled after {job.elapsed:.1f} s: this is a partial model of the "
                    f"{viz.plural(tok.n_merges, 'merge')} learned so far ({tok.vocab_size:,} of the {size:,} tokens "
                    "asked for). ")
        else:
            note = (f"Stopped at the {jobs.WALL_TIME:.0f} s cap after {viz.plural(tok.n_merges, 'merge')}: the model "
                    f"below has those {tok.vocab_size:,} tokens. Use less text or a smaller vocabulary for the full "
                    "size. ")
    elif error is not None:
        raise error
    assert tok is not None and setup is not None
    if status == "done" and not note and tok.vocab_size < size:
        note = (f"Stopped at {tok.vocab_size:,} of the {size:,} tokens asked for: every word (pre-split chunk) of "
                "the training text is already one token, so nothing is left to merge. Add more, and more varied, "
                "text for the full size. ")
        status = "ran out of pairs"
    lang, curve, held_lines, labels = setup.lang, setup.curve, setup.held_lines, setup.labels
    baselines = setup.baselines
    curve.advance(sorted(tok.merges, key=tok.merges.__getitem__), _curve_step(size))
    number = next(_counter)
    partial = "-partial" if status == "cancelled" else ""
    name = (f"{lang.code if lang else 'text'}-{tok.vocab_size}-{recipe}{'-' + pattern if pattern else ''}{partial}"
            f"-{number}")
    tok.name = name
    yield (viz.progress_html(1, 1, f"Trained {viz.plural(tok.n_merges, 'merge')} in {job.elapsed:.1f} s; measuring "
                             "on held-out text and writing the files…"), _curve(curve.points, flat, size), "",
           gr.skip(), {"status": "measuring"}, *_KEEP)
    results = {"yours": evaluate(tok, held_lines), **baselines}
    held_bytes = sum(len(x.encode("utf-8")) for x in held_lines)
    card = results["yours"].as_dict() | {
        "data": f"held-out text of {job.text['description']} ({viz.plural(len(held_lines), 'line')}, "
                f"{viz.plural(held_bytes, 'byte')}; {job.text['note']})"}
    directory, _ = jobs.write_downloads(tok, name, card)
    # Direct calls (no gradio session) share one pseudo-session, so their files stay bounded too.
    choice = STORE.add(session or "", name, SessionModel(tok, lang, directory))
    labels["yours"] = f"yours ({name})"
    rows = [[labels[k], m.vocab_size, f"{m.bytes_per_token:.2f}", f"{m.chars_per_token:.2f}",
             f"{m.tokens_per_word:.2f}" if m.words else "–", f"{m.mid_akshara_rate:.1%}"] for k, m in results.items()]
    table = viz.table_html(["tokenizer", "vocabulary", "bytes / token", "chars / token", "tokens / word",
                            "cuts inside a character or akshara"], rows)
    head = viz.note_html(
        f"{note}{unused}Trained on {job.text['description']}: {viz.plural(job.text['train_lines'], 'training line')}, "
        f"{what}, {viz.plural(tok.n_merges, 'merge')} in {job.elapsed:.1f} s. Held-out: "
        f"{viz.plural(len(held_lines), 'line')} ({viz.plural(held_bytes, 'byte')}); {job.text['note']}."
    )
    where = (f" It is now “{choice}” in the model pickers of Tokenize, Compare, Pre-split, Decode, Vocabulary "
             "and Batch until you close this page.") if choice else ""
    summary = {
        "status": status, "partial": status == "cancelled", "unused": unused.strip(),
        "name": name, "choice": choice, "vocab_size": tok.vocab_size, "merges": tok.n_merges,
        "recipe": recipe, "pattern": tok.pattern.name, "seconds": round(job.elapsed, 2), "asked": size,
        "capped": isinstance(error, jobs.Stopped) and error.why != "cancelled",
        "train_lines": job.text["train_lines"], "held_out_lines": len(held_lines), "split": job.text["note"],
        "language": lang.code if lang else None, "curve": curve.points,
        "metrics": {k: m.as_dict() for k, m in results.items()},
    }
    done = (f"Cancelled: a partial model of {tok.vocab_size:,} tokens." if status == "cancelled"
            else f"Done: {tok.vocab_size:,} of the {size:,} tokens asked for." if tok.vocab_size < size
            else f"Done: {tok.vocab_size:,} tokens.")
    files = STORE.files(session or "")  # this model's first, then the session's earlier ones
    yield (viz.progress_html(1, 1, f"{done}{where}"), _curve(curve.points, flat, size), head + table,
           [str(f) for f in files], summary, *_pickers(session))


@dataclass
class _Setup:
    """What the view measures once the worker has read the text: the shipped model of its language
    and GPT-4o on the held-out lines (the curve's targets), and the live curve itself."""

    lang: Language | None
    held_lines: list[str]
    baselines: dict
    labels: dict[str, str]
    flat: dict[str, float]
    curve: CompressionCurve

    @classmethod
    def of(cls, job: jobs.Job, final_pattern) -> _Setup:
        assert job.text is not None
        lang = LANGUAGES.get(job.text["language"] or "")
        held_lines = job.held_out_lines()
        shipped = get_model(lang.code) if lang is not None and has_model(lang.code) else None
        try:
            get_encoding("GPT-4o")
            gpt4o = lambda: get_encoding("GPT-4o")  # noqa: E731
        except UserError:
            gpt4o = None
        baselines = jobs.baseline_metrics(held_lines, shipped, gpt4o)
        labels = {"shipped": f"shipped {lang.name} model" if lang else "shipped model",
                  "GPT-4o": "GPT-4o (o200k_base)"}
        # Each at its own vocabulary, drawn flat across the planned one: say which, or the gap to a
        # 5,000-id shipped model looks like a fault of a 1,000-id training.
        flat = {f"{labels[k]} at {m.vocab_size:,} ids: {m.bytes_per_token:.2f}": m.bytes_per_token
                for k, m in baselines.items()}
        return cls(lang, held_lines, baselines, labels, flat, CompressionCurve(held_lines, final_pattern, 1, jobs.CURVE_BYTES))


def cancel(request: gr.Request | None = None) -> str:
    """Stop this session's training (it answers within a second)."""
    job = _running.get(session_of(request) or "")
    if job is None:
        return viz.notice_html("No training of yours is running.")
    job.cancel()
    return viz.notice_html("Cancelling…")


def forget_session(request: gr.Request | None = None) -> None:
    """The page was closed: stop its training and free its models and files."""
    session = session_of(request)
    job = _running.get(session or "")
    if job is not None:
        job.cancel()
    STORE.drop(session)


def recipe_of(corpus: str | None) -> str:
    """The recipe of the embedded corpus's language (preselected when the corpus is chosen)."""
    lang = LANGUAGES.get(corpus or "")
    return lang.recipe if lang else jobs.BPE


def vocab_bounds() -> tuple[int, int]:
    return jobs.MIN_VOCAB, VOCAB_CAP
