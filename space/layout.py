"""The page: the shared text box and model picker, one tab per view, and the events wiring them.

Every language comes from tokenizer.registry (its name in the pickers, its examples under the
text box); a language without a model file still appears and says how to train it.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import gradio as gr

from tokenizer import visualize as viz
from tokenizer.registry import LANGUAGES, font_stack

from . import share
from .views import about, batch, compare, decode, metrics, presplit, tokenize, train, vocabulary
from .guards import UserError
from .models import AUTO, SESSION_MODELS, choices, compare_choices, get_model, has_model, other

log = logging.getLogger("indic-tokenizer-space")

CONCURRENCY = 4  # handlers running at once (the rest wait in gradio's queue)
QUEUE_SIZE = 512  # waiting requests beyond this are told the queue is full
STATE_SESSIONS = 200  # sessions whose state gradio keeps in memory
MAX_FILE_SIZE = "25mb"  # uploads; the views then check the text itself against 20 MB
# Single-choice dropdowns: their text stops short of the arrow (gradio draws it over the text's end);
# the download list wraps long file names (gradio cuts them short, so they look alike on a phone).
PICKERS = ("model-choice", "decode-model", "vocab-model", "train-corpus", "train-recipe", "train-pattern",
           "batch-model")
# Batch's table: gradio draws a dataframe's cells in the monospace font, which shows Urdu letters
# unjoined and Indic text letter-spaced; each cell takes its direction from its text (like dir="auto"),
# so a right-to-left line lines up on the right.
PAGE_CSS = viz.CSS + f"""
#text-input textarea{{font-family:{font_stack('"Noto Sans"')};font-size:1.1rem}}
textarea{{unicode-bidi:plaintext}}
#batch-table .cell-wrap,#batch-table .cell-wrap *{{font-family:{font_stack('"Noto Sans"')};
  font-variant-numeric:tabular-nums}}
#batch-table .cell-wrap>span{{flex:1 1 auto;min-width:0;unicode-bidi:plaintext;text-align:start}}
#metrics-md table{{display:block;overflow-x:auto;max-width:100%;padding:0;border:0;border-collapse:separate;
  border-spacing:0}}
#metrics-md td{{white-space:nowrap}}
#metrics-md th,#metrics-md td{{padding:8px;border-width:0 1px 1px 0;line-height:20px}}
#metrics-md thead th{{border-top-width:1px}}
#metrics-md th{{vertical-align:bottom;word-break:normal;overflow-wrap:normal}}
#metrics-md tr>:first-child{{position:sticky;left:0;z-index:1;background-color:var(--background-fill-primary,#fff);
  border-left-width:1px}}
#metrics-md details{{margin:4px 0}}
#metrics-md summary{{cursor:pointer;font-weight:600}}
#share-note{{font-size:.85rem;word-break:break-all}}
#train-files .stem{{white-space:normal;overflow-wrap:break-word}}
#train-files .download{{min-width:80px}}
{",".join(f"#{x} input[role=combobox]" for x in PICKERS)}{{padding-right:26px;text-overflow:ellipsis}}
"""
PAGE_JS = (Path(__file__).parent / "static" / "page.js").read_text(encoding="utf-8")
THEME = gr.themes.Soft(
    primary_hue="indigo",
    font=[gr.themes.LocalFont("IBM Plex Sans"), "Noto Sans", "system-ui", "sans-serif"],
    font_mono=[gr.themes.LocalFont("IBM Plex Mono"), "DejaVu Sans Mono", "monospace"],
)


def examples() -> dict[str, tuple[str, str]]:
    """Label -> (text, model): every registry language's examples, then their mixed ones (code-mixed,
    romanised, digits, emoji, code). Each names its own language's model, which clicking it also
    picks: Auto goes by script, so it would give Marathi text the Hindi model and Kashmiri the Urdu one."""
    out = {}
    for lang in LANGUAGES.values():
        for k, text in enumerate(lang.examples):
            out[lang.name if k == 0 else f"{lang.name} {k + 1}"] = (text, lang.name)
    for lang in LANGUAGES.values():
        out |= {label: (text, lang.name) for label, text in lang.mixed_examples}
    return out


def vocabulary_examples() -> list[list[str]]:
    """Searches to try, each [query, model]: the start of a word in each of the first languages'
    examples, a whole word with its space, and two ids. Each row names the model it is for, so that
    clicking it also sets the picker: a Kannada search in the Hindi model would find nothing."""
    langs = list(LANGUAGES.values())[:3]
    first = langs[0]
    words = first.examples[0].split()
    return ([[lang.examples[0].split()[0][:2], lang.name] for lang in langs] + [["␣" + words[1], first.name]]
            + [["300", first.name], ["4999", first.name]])


def default_text() -> str:
    return next(iter(examples().values()))[0]


def _default_decode_ids() -> str:
    try:
        lang = next(iter(LANGUAGES.values()))
        return " ".join(map(str, get_model(lang.code).encode_ordinary(" ".join(lang.examples[0].split()[:2]))))
    except Exception:  # noqa: BLE001 - only a default value
        return "300 301 302"


def _share_js(key: str) -> str:
    """The page-script call that writes one input's value into the address (see space/share.py)."""
    return f"(v) => {{ window.itok && window.itok.share({{{key}: v}}); return []; }}"


def _show_panel(shown: bool) -> Callable[[], gr.Column]:
    def show() -> gr.Column:
        return gr.Column(visible=shown)

    return show


def build() -> gr.Blocks:
    first = next(iter(LANGUAGES.values())).name
    with gr.Blocks(title="Indic tokenizer — BPE for Indian languages", analytics_enabled=False,
                   delete_cache=(900, 3600)) as demo:
        gr.Markdown(about.intro())
        with gr.Column(elem_id="text-panel") as text_panel:
            with gr.Row(equal_height=False):
                text = gr.Textbox(value=default_text(), lines=3, max_lines=14, label="Text", elem_id="text-input",
                                  scale=4, placeholder="Type or paste text in any Indian language, English, code…")
                model = gr.Dropdown(choices(None), value=AUTO, label="Our model", elem_id="model-choice", scale=1,
                                    min_width=240, allow_custom_value=True)
            with gr.Row(equal_height=True):
                ids_inline = gr.Checkbox(False, label="Show ids on the tokens", elem_id="ids-inline", scale=0,
                                         min_width=200)
                copy_link = gr.Button("Copy link", size="sm", elem_id="copy-link", scale=0, min_width=110)
                gr.HTML('<div id="share-note"></div>', padding=False)
            ex = examples()
            text_examples = gr.Examples(examples=[list(row) for row in ex.values()], inputs=[text, model],
                                        example_labels=list(ex), label="Examples")
        with gr.Tabs(elem_id="views", overflow_behavior="wrap") as tabs:
            with gr.Tab("Tokenize", id="tokenize") as tab_tokenize:
                tok_summary = gr.HTML(elem_id="tok-summary")
                tok_html = gr.HTML(elem_id="tok-tokens")
                with gr.Accordion("Token ids", open=False):
                    tok_ids = gr.Textbox(label="ids", lines=3, max_lines=10, buttons=["copy"], elem_id="tok-ids")
                with gr.Accordion("Counts as JSON", open=False):
                    tok_json = gr.JSON(label="counts")
            with gr.Tab("Compare", id="compare") as tab_compare:
                gr.Markdown("The same text under any tokenizers: ours, the ones you trained, GPT, open LLMs, or any "
                            "Hugging Face repository with a tokenizer.json (type its id, like `Qwen/Qwen3-0.6B`, and "
                            "press Enter). Fewer tokens is better; a red bar marks a token that starts inside a "
                            "character or an akshara.")
                cmp_pick = gr.Dropdown(compare_choices(None), value=compare.DEFAULT, multiselect=True,
                                       allow_custom_value=True, max_choices=compare.MAX_PICKS,
                                       label=f"Tokenizers to compare (one to {compare.MAX_PICKS})", elem_id="cmp-pick")
                cmp_html = gr.HTML(elem_id="cmp")
                with gr.Accordion("Counts as JSON", open=False):
                    cmp_json = gr.JSON(label="counts")
            with gr.Tab("Pre-split", id="presplit") as tab_presplit:
                gr.Markdown("Before BPE, a regex cuts text into chunks; no token can cross a chunk boundary. "
                            "GPT-4's regex treats vowel signs (matras) and the virama as non-letters, so it cuts "
                            "`विशाल` into `व` `िश` `ाल`: **red chunks start inside an akshara**. Ours (the regex our "
                            "model was trained with) keeps aksharas whole.")
                split_html = gr.HTML(elem_id="split")
                with gr.Accordion("Chunks as JSON", open=False):
                    split_json = gr.JSON(label="chunks")
            with gr.Tab("Decode", id="decode") as tab_decode:
                with gr.Row(equal_height=False):
                    default_ids = _default_decode_ids()
                    dec_ids = gr.Textbox(value=default_ids, label="Token ids (spaces or commas)", lines=2, scale=4,
                                         elem_id="decode-ids")
                    dec_model = gr.Dropdown(choices(None, auto=False), value=first, label="Model", scale=1,
                                            allow_custom_value=True, elem_id="decode-model")
                gr.Examples([[default_ids], ["224 164 168"], ["72, 9999999, abc"]], inputs=[dec_ids],
                            example_labels=["a few words", "bytes of one letter", "invalid ids"], label="Try")
                dec_note = gr.HTML()
                dec_text = gr.Textbox(label="Text", lines=2, buttons=["copy"], interactive=False)
                dec_html = gr.HTML()
            with gr.Tab("Vocabulary", id="vocabulary") as tab_vocab:
                with gr.Row(equal_height=False):
                    voc_query = gr.Textbox(value=vocabulary.EXAMPLE_WORD[:2], label="Search by text (␣ for a space) or by id", scale=4,
                                           elem_id="vocab-query")
                    voc_model = gr.Dropdown(choices(None, auto=False), value=first, label="Model", scale=1,
                                            allow_custom_value=True, elem_id="vocab-model")
                gr.Examples(vocabulary_examples(), inputs=[voc_query, voc_model], label="Try")
                voc_list = gr.HTML(elem_id="vocab-list")
                voc_detail = gr.HTML(elem_id="vocab-detail")
                with gr.Accordion("Details as JSON", open=False):
                    voc_json = gr.JSON(label="token")
            with gr.Tab("Train", id="train") as tab_train:
                gr.Markdown("Train a byte-level BPE tokenizer here and watch it learn. See **About** for what to try.")
                with gr.Row(equal_height=False):
                    with gr.Column(scale=2):
                        tr_source = gr.Radio(list(train.SOURCES), value=train.SOURCES[0], label="Text to train on",
                                             elem_id="train-source")
                        corpora = train.corpus_choices()
                        tr_corpus = gr.Dropdown(corpora, value=corpora[0][1] if corpora else None,
                                                label="Embedded corpus", elem_id="train-corpus")
                        tr_file = gr.File(label=f"or upload: {train.jobs.UPLOAD_TYPES_TEXT} (at most 20 MB of text)",
                                          file_types=list(train.jobs.UPLOAD_TYPES), type="filepath",
                                          elem_id="train-file")
                        tr_text = gr.Textbox(label="or paste text", lines=4, max_lines=10, elem_id="train-text")
                    with gr.Column(scale=1):
                        lo, hi = train.vocab_bounds()
                        tr_size = gr.Slider(lo, hi, value=1000, step=1, label="Vocabulary size (bytes + merges + 1)",
                                            elem_id="train-size")
                        tr_recipe = gr.Dropdown(train.RECIPE_CHOICES, value=train.recipe_of(tr_corpus.value),
                                                label="Recipe (the chosen language's is preselected)",
                                                elem_id="train-recipe")
                        tr_pattern = gr.Dropdown(train.BPE_PATTERNS, value=train.BPE_DEFAULT,
                                                 label="Pre-split (plain BPE)", elem_id="train-pattern")
                        with gr.Row():
                            tr_go = gr.Button("Train", variant="primary", elem_id="train-go")
                            tr_stop = gr.Button("Cancel", variant="stop", elem_id="train-cancel")
                tr_status = gr.HTML(elem_id="train-status")
                tr_curve = gr.HTML(label="Held-out compression", elem_id="train-curve")
                tr_results = gr.HTML(elem_id="train-results")
                tr_files = gr.File(label=f"Downloads: .model, .vocab, Hugging Face export (zip) of your last "
                                         f"{SESSION_MODELS} models, newest first", file_count="multiple",
                                   interactive=False, elem_id="train-files")
                with gr.Accordion("Result as JSON", open=False):
                    tr_json = gr.JSON(label="training")
            with gr.Tab("Batch", id="batch") as tab_batch:
                gr.Markdown("Token counts for every line of a file (.txt: each non-empty line; .jsonl and .csv: "
                            "one column of each row), under our model (Auto: the model of each line's script) and "
                            f"the GPT encodings; at most {batch.MAX_ITEMS:,} lines, counted within "
                            f"{batch.WALL_TIME:.0f} s. The CSV keeps your columns.")
                with gr.Row(equal_height=False):
                    bt_file = gr.File(label=".txt, .jsonl or .csv (at most 20 MB)", file_types=list(batch.TYPES),
                                      type="filepath", elem_id="batch-file", scale=3)
                    with gr.Column(scale=1):
                        bt_column = gr.Textbox(value="text", label="Column (.jsonl, .csv)", elem_id="batch-column")
                        bt_model = gr.Dropdown(choices(None), value=AUTO, label="Our model", allow_custom_value=True,
                                               elem_id="batch-model")
                        bt_go = gr.Button("Count", variant="primary", elem_id="batch-go")
                bt_html = gr.HTML(elem_id="batch-summary")
                bt_table = gr.Dataframe(value=batch.empty_table(), label=f"Per line (first {batch.SHOW_ROWS})",
                                        interactive=False, elem_id="batch-table")
                bt_csv = gr.File(label="All lines as CSV", interactive=False, elem_id="batch-csv")
                with gr.Accordion("Totals as JSON", open=False):
                    bt_json = gr.JSON(label="totals")
            with gr.Tab("Metrics", id="metrics") as tab_metrics:
                met_plot = gr.LinePlot(x="vocab_size", y="bytes_per_token", color="series", color_map=metrics.colors(),
                                       colors_in_legend=[], x_title="vocabulary size",
                                       y_title="bytes per token (held-out)", y_lim=[0, None], label="Our models",
                                       title="bytes/token by vocabulary size", elem_id="metrics-plot")
                gr.HTML(viz.legend_html(metrics.colors()), elem_id="metrics-legend", padding=False)
                gr.Markdown(f"Each line: one shipped model after each number of merges, on its held-out text; the "
                            f"black line is the {metrics.TARGET_BYTES_PER_TOKEN} bytes/token target. Higher is "
                            "better. GPT's numbers on the same text are in the table.")
                met_md = gr.Markdown(elem_id="metrics-md")
            with gr.Tab("About", id="about") as tab_about:
                gr.Markdown(about.ABOUT)

        # Live views: no dimming while typing; while a request runs, later keystrokes collapse into one
        # follow-up request ("always_last"). Gradio has no time-based debounce (gradio-app/gradio#6894).
        live = {"trigger_mode": "always_last", "show_progress": "hidden"}
        gr.on([text.change, model.change, demo.load], tokenize.tokenize, [text, model],
              [tok_html, tok_summary, tok_ids, tok_json], api_name="tokenize", **live)
        gr.on([text.change, cmp_pick.change, demo.load], compare.compare, [text, cmp_pick], [cmp_html, cmp_json],
              api_name="compare", **live)
        text_examples.load_input_event.then(compare.follow_example, [model, cmp_pick], cmp_pick, queue=False,
                                            api_visibility="private")
        gr.on([text.change, model.change, demo.load], presplit.presplit, [text, model], [split_html, split_json],
              api_name="presplit", **live)
        gr.on([dec_ids.change, dec_model.change, demo.load], decode.decode, [dec_ids, dec_model],
              [dec_text, dec_html, dec_note], api_name="decode", **live)
        gr.on([voc_query.change, voc_model.change, demo.load], vocabulary.vocabulary, [voc_query, voc_model],
              [voc_list, voc_detail, voc_json], api_name="vocabulary", **live)
        gr.on([tab_metrics.select, demo.load], metrics.metrics, None, [met_md, met_plot], api_name="metrics",
              trigger_mode="always_last")
        # One training at a time on the whole server: the others wait in the queue and see their place.
        tr_go.click(train.train, [tr_source, tr_corpus, tr_file, tr_text, tr_size, tr_recipe, tr_pattern],
                    [tr_status, tr_curve, tr_results, tr_files, tr_json, model, dec_model, voc_model, bt_model,
                     cmp_pick],
                    api_name="train", concurrency_limit=1, concurrency_id="train")
        tr_stop.click(train.cancel, None, tr_status, queue=False, api_name="cancel")
        # The source follows what was given (no silent fallback to the embedded corpus).
        tr_file.upload(train.follow_upload, tr_file, tr_source, queue=False, api_visibility="private")
        tr_text.change(train.follow_text, tr_text, tr_source, queue=False, api_visibility="private")  # typed or pasted
        tr_corpus.input(train.follow_corpus, None, tr_source, queue=False, api_visibility="private")
        tr_corpus.change(train.recipe_of, tr_corpus, tr_recipe, queue=False, api_visibility="private")
        bt_go.click(batch.batch, [bt_file, bt_column, bt_model], [bt_html, bt_table, bt_csv, bt_json],
                    api_name="batch", concurrency_limit=1, concurrency_id="batch")
        demo.unload(train.forget_session)

        # Links that share: the address follows the view, the models and the text; opening it restores them.
        demo.load(share.restore, None, [tabs, text, model, cmp_pick, text_panel], api_name="restore", queue=False)
        text.change(None, text, None, js=_share_js("text"))
        model.change(None, model, None, js=_share_js("model"))
        cmp_pick.change(None, cmp_pick, None, js=_share_js("cmp"))
        copy_link.click(None, None, None, js="() => { window.itok && window.itok.copyLink(); return []; }")
        ids_inline.change(None, ids_inline, None, js="(v) => { window.itok && window.itok.showIds(v); return []; }")

        # The text box belongs to the three text views; hide it elsewhere.
        views = {"tokenize": tab_tokenize, "compare": tab_compare, "presplit": tab_presplit, "decode": tab_decode,
                 "vocabulary": tab_vocab, "train": tab_train, "batch": tab_batch, "metrics": tab_metrics,
                 "about": tab_about}
        assert tuple(views) == share.VIEWS
        for name, tab in views.items():
            tab.select(_show_panel(name in share.TEXT_VIEWS), None, text_panel, queue=False, api_visibility="private")
            tab.select(None, None, None, js=f"() => {{ window.itok && window.itok.share({{view: '{name}'}}); "
                                            "return []; }")
    # After every event gradio's queue rebuilds a pandas summary of its last
    # $GRADIO_ANALYTICS_MAX_EVENTS (10,000) events for its "Runs" page: tens of ms per event once
    # the history fills, more than our handlers take. Summarise less often and keep less history.
    os.environ.setdefault("GRADIO_ANALYTICS_CACHE_FREQUENCY", "200")
    os.environ.setdefault("GRADIO_ANALYTICS_MAX_EVENTS", "2000")
    demo.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return demo


def warm_up() -> None:
    """Load the models and encodings before the first visitor (each takes up to a second)."""
    for lang in LANGUAGES.values():
        if not has_model(lang.code):
            log.warning("no %s model at the models directory; its views will say so", lang.name)
            continue
        try:
            get_model(lang.code).encode_ordinary(lang.examples[0])
        except UserError as e:
            log.warning("%s", e)
    for name in dict.fromkeys(compare.GPT_ENCODINGS + [p for p in compare.DEFAULT if p != AUTO]):
        try:
            other(name)  # loaded once per process and shared by every request (Gemma 3 takes seconds)
        except UserError as e:
            log.warning("%s", e)


def _port() -> int:
    for name in ("GRADIO_SERVER_PORT", "PORT"):
        value = os.environ.get(name)
        if value and value.isdigit():
            return int(value)
    return 7860


def launch(demo: gr.Blocks) -> None:
    # SIGTERM (how a Space or a test stops the server) exits normally, so atexit frees the session files.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    warm_up()
    demo.launch(
        server_name=os.environ.get("GRADIO_SERVER_NAME", "127.0.0.1"),
        server_port=_port(),
        show_error=False,
        ssr_mode=False,
        # gradio keeps each session's copy of the page config and last outputs (up to ~1 MB for a
        # long text); the default of 10,000 sessions lets memory grow to gigabytes.
        state_session_capacity=STATE_SESSIONS,
        max_file_size=MAX_FILE_SIZE,
        css=PAGE_CSS,
        head=f"<script>{PAGE_JS}</script>",
        theme=THEME,
    )
