"""The Space: tokenizer/visualize.py, the handlers of the `space` package, and every view over real HTTP.

The HTTP tests start `python app.py` once for this module (tests/app_server.py) and drive each
event by its api_name with gradio_client, comparing counts and ids with the library's own; the Train
view trains small models end to end and checks the downloads against the library trained on the same
text.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
import time
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import pytest

import tokenizer
from bench.hostile_space import rest
from tokenizer import visualize as viz
from tokenizer.registry import LANGUAGES, scripts
from tokenizer.metrics import boundary_counts, chunk_flags, measure, summarize

from .app_server import LLM_DIR, REFTOK, ROOT, app_server  # noqa: F401 - app_server is a fixture

HINDI = "भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं।"
KANNADA = "ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆ."
AUTO = "Auto (by script)"


def _leaves(node: viz.MergeNode) -> list[viz.MergeNode]:
    return [node] if not node.children else [leaf for c in node.children for leaf in _leaves(c)]


def _ours(tok: tokenizer.Tokenizer, text: str) -> list[bytes]:
    return [tok.decode_single_token_bytes(i) for i in tok.encode_ordinary(text)]


# ===== tokenizer/visualize.py ======================================================================
class TestVisualize:
    def test_user_text_is_escaped(self, hi_small):
        text = '<script>alert("x")</script> & <img src=x onerror=alert(1)>'
        html = viz.tokens_html(viz.pieces_of(hi_small, hi_small.encode_ordinary(text)), text)
        assert "<script" not in html and "<img" not in html
        assert "&lt;" in html and "&amp;" in html
        chunks = viz.chunks_html(tokenizer.split(text, "gpt4"))
        assert "<script" not in chunks and "&lt;" in chunks

    def test_template_characters_are_escaped(self):
        html = viz.tokens_html([(1, b"{{x}}"), (2, b"${1}"), (3, b"`")])
        assert "{" not in html.split(">", 1)[1] and "$" not in html and "`" not in html
        assert "&#123;&#123;x&#125;&#125;" in html

    def test_partial_character_tokens_show_their_bytes(self, hi_small):
        assert hi_small.decode_single_token_bytes(256) == b"\xe0\xa4"  # the first Hindi merge: a letter's lead bytes
        html = viz.tokens_html(viz.pieces_of(hi_small, [256, 168]))
        assert "&lt;E0 A4&gt;" in html and "&lt;A8&gt;" in html
        assert "\ufffd" not in html
        mixed = viz.token_label_html("न".encode() + b"\xe0\xa4")
        assert mixed.startswith("न") and "&lt;E0 A4&gt;" in mixed

    def test_colours_are_stable_and_distinct_for_neighbours(self):
        assert viz.token_color(1) == "hsl(138,78%,86%)"  # the golden angle (137.508°): same in every process
        assert viz.token_color(4242) == "hsl(108,78%,86%)"  # round(4242 * 137.508) = 583,308 = 1,620 * 360 + 108
        hues = [viz.token_hue(i) for i in range(300, 310)]
        assert len(set(hues)) == len(hues)
        html = viz.tokens_html([(7, b"a"), (8, b"b"), (7, b"a")])
        assert html.count(viz.token_color(7)) == 2 and html.count(viz.token_color(8)) == 1

    def test_series_colours_are_far_apart(self):
        """Every pair of PALETTE colours (and the black reference line) differs by CIE76 delta E >= 32.9."""

        def lab(colour: str) -> tuple[float, float, float]:
            def linear(c: float) -> float:
                return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

            r, g, b = (linear(int(colour[i : i + 2], 16) / 255) for i in (1, 3, 5))
            xyz = ((0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047, 0.2126 * r + 0.7152 * g + 0.0722 * b,
                   (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883)
            fx, fy, fz = (t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in xyz)
            return 116 * fy - 16, 500 * (fx - fy), 200 * (fy - fz)

        colours = [*viz.PALETTE, viz.REFERENCE_COLOR]
        assert len(viz.PALETTE) >= 18 and len(set(colours)) == len(colours)
        closest = min(math.dist(lab(a), lab(b)) for a, b in itertools.combinations(colours, 2))
        assert closest >= 32.9, closest
        names = [f"language {k}" for k in range(18)]
        assert len(set(viz.series_colors(names).values())) == 18

    def test_line_chart_has_linear_axes_and_every_series(self):
        assert viz.nice_ticks(257, 2000, 7) == [500, 1000, 1500, 2000]
        assert viz.nice_ticks(0, 9.4, 6) == [0, 2, 4, 6, 8]
        html = viz.line_chart_html({"yours <b>": [(257, 1.0)], "shipped": [(257, 8.9), (2000, 8.9)],
                                    "curve": [(257, 1.0), (300, 2.5), (400, 3.1)]},
                                   x_range=(257, 2000), x_title="vocabulary size", y_title="bytes per token")
        assert 'aria-label="bytes per token against vocabulary size, linear axes: x from 257 to 2,000, y from 0 to 10"' \
            in html
        assert html.count("<circle") == 1 and html.count("<polyline") == 2  # one point is a dot, not a line
        assert "yours &lt;b&gt;" in html and "<b>" not in html
        assert [t for t in html.split('class="itok-xtick"')[1:]][0].split(">", 1)[1].startswith("500<")
        points = html.split('data-series="curve" points="', 1)[1].split('"', 1)[0].split()
        xs = [float(p.split(",")[0]) for p in points]
        assert len(points) == 3 and xs == sorted(xs)  # left to right in order of vocabulary size

    def test_whitespace_is_visible_and_newlines_break(self):
        html = viz.tokens_html([(1, b"a b"), (2, b"\n"), (3, b"\tc")])
        assert "␣" in html and "⇥" in html and "↵" in html and "<br>" in html
        assert viz.token_label_html("\u200d".encode()) == '<span class="itok-ctrl">ZWJ</span>'

    def test_tooltips_give_id_and_bytes(self):
        html = viz.tokens_html([(300, "नम".encode())])
        assert 'title="id 300 · 6 bytes: E0 A4 A8 E0 A4 AE"' in html and 'data-id="300"' in html

    @pytest.mark.parametrize("text", [HINDI, KANNADA, "मैंने आज ChatGPT से पूछा", "कि ि क्ष 👨‍👩‍👧", ""])
    def test_summary_of_a_line_is_its_measure(self, hi_small, text):
        """The Space's counts of one text are the library's metrics of that line."""
        pieces = _ours(hi_small, text)
        s = summarize(text, pieces, vocab_size=hi_small.vocab_size)
        m = measure([text], lambda line: _ours(hi_small, line), hi_small.vocab_size)
        assert s == m

    def test_cut_marks_a_token_that_starts_with_a_matra(self):
        text = "कि"  # क + ि (a matra)
        html = viz.tokens_html([(1, "क".encode()), (2, "ि".encode())], text)
        assert html.count("itok-cut") == 1 and "starts inside a character or an akshara" in html

    def test_cut_marks_a_token_that_starts_inside_a_characters_bytes(self):
        """An emoji cut into its bytes is flagged too: a boundary inside a character counts (docs/scripts.md)."""
        text = "😀"
        html = viz.tokens_html([(1, b"\xf0\x9f"), (2, b"\x98\x80")], text)
        assert html.count("itok-cut") == 1 and "starts inside a character or an akshara" in html
        html = viz.summary_html(summarize(text, [b"\xf0\x9f", b"\x98\x80"]))
        assert "<b>100.0%</b><span>boundaries inside a character or akshara (1/1)</span>" in html

    def test_ratios_without_a_denominator_are_a_dash(self):
        """Spaces only: no words, so tokens / word is "–", not 0.00; the other ratios are still numbers."""
        html = viz.summary_html(summarize("   ", [b" ", b"  "]))
        assert 'data-stat="tokens_per_word"><b>–</b>' in html and 'data-stat="bytes_per_token"><b>1.50</b>' in html
        html = viz.summary_html(summarize("", []))
        assert 'data-stat="bytes_per_token"><b>–</b>' in html and "0.00" not in html

    def test_summary_html_shows_every_count(self):
        s = summarize("नमस्ते दुनिया", ["नम".encode(), "स्ते".encode(), " दुनिया".encode()])
        html = viz.summary_html(s)
        for key in ("tokens", "chars", "bytes", "words", "bytes_per_token", "chars_per_token", "tokens_per_word",
                    "mid_akshara_rate"):
            assert f'data-stat="{key}"' in html
        assert '<b>3</b><span>tokens</span>' in html

    def test_chunks_flag_the_matra_problem(self):
        chunks = tokenizer.split("विशाल", "gpt4")
        assert chunks == ["व", "िश", "ाल"]
        assert chunk_flags("विशाल", chunks) == [False, True, True]
        assert viz.chunks_html(chunks).count("itok-broken") == 2
        assert viz.chunks_html(tokenizer.split("विशाल", "indic")).count("itok-broken") == 0

    def test_merge_tree_goes_down_to_bytes(self, hi_small):
        longest = max(hi_small.vocab, key=lambda i: (len(hi_small.vocab[i]), i))
        node = viz.merge_tree(hi_small, longest)
        assert node.id == longest and node.bytes == hi_small.vocab[longest]
        leaves = _leaves(node)
        assert b"".join(leaf.bytes for leaf in leaves) == node.bytes
        assert all(len(leaf.bytes) == 1 and leaf.id < 256 for leaf in leaves)
        assert node.depth() >= 2
        left, right = node.children
        assert hi_small.merges[left.id, right.id] == longest
        text = viz.tree_text(node)
        assert text.splitlines()[0].startswith(f"{longest} ") and f"= {left.id} + {right.id}" in text
        assert len(text.splitlines()) == 2 * len(leaves) - 1
        html = viz.tree_html(node)
        assert f"merge #{longest - 255}" in html and html.count("<li>") == 2 * len(leaves) - 1
        assert viz.merge_tree(hi_small, 65).children == ()
        with pytest.raises(ValueError):
            viz.merge_tree(hi_small, 10**6)

    def test_pieces_of_any_tokenizer_with_tiktokens_surface(self, hi_small):
        class Bytes:  # a tokenizer whose id i is the byte i
            def decode_tokens_bytes(self, ids):
                return [bytes([i]) for i in ids]

        assert viz.pieces_of(Bytes(), [65, 66]) == [(65, b"A"), (66, b"B")]
        ids = hi_small.encode_ordinary(HINDI)
        assert b"".join(b for _, b in viz.pieces_of(hi_small, ids)) == HINDI.encode()

    def test_a_cut_inside_an_arabic_word_keeps_its_joining_forms(self):
        """Pieces of پاکستان are drawn with a ZWJ on each side of the cut; a cut at a space, between
        scripts or before a non-letter is drawn as it is."""
        pieces = ["پاک".encode(), "ستان".encode(), " ہے".encode(), "۔".encode()]
        assert viz.joined_cuts(pieces) == [True, False, False]
        html = viz.tokens_html(list(enumerate(pieces)), "پاکستان ہے۔", direction="rtl", lang="ur")
        assert "پاک\u200d</span>" in html and ">\u200dستان" in html
        assert html.count("\u200d") == 2 and 'dir="rtl" lang="ur"' in html
        assert viz.joined_cuts(["नम".encode(), "स्ते".encode(), "پا".encode(), "a".encode()]) == [False, False, False]
        linked = viz.linked_html("پاکستان", [(1, "پاک".encode()), (2, "ستان".encode())], direction="rtl")
        assert linked.count('dir="rtl"') == 2 and linked.count("\u200d") == 2

    def test_tables_escape_cells_unless_they_are_html(self):
        html = viz.table_html(["a<b"], [["<i>x</i>", viz.Html("<b>y</b>"), 12345]])
        assert "<th>a&lt;b</th>" in html and "&lt;i&gt;x&lt;/i&gt;" in html
        assert "<td><b>y</b></td>" in html and "<td>12,345</td>" in html

    def test_token_detail_of_a_merge_and_of_a_special_token(self, hi_small):
        html, info = viz.token_detail(hi_small, 300)
        assert info["merge_number"] == 45 and info["tree"] == viz.tree_text(viz.merge_tree(hi_small, 300))
        assert "Merge tree" in html and info["bytes"] == hi_small.decode_single_token_bytes(300).hex(" ").upper()
        special = hi_small.special_tokens["<|endoftext|>"]
        html, info = viz.token_detail(hi_small, special)
        assert info["kind"] == "special token" and info["tree"] == "" and "Merge tree" not in html

    def test_progress_bar(self):
        html = viz.progress_html(25, 100, "a <b>")
        assert 'width:25.0%' in html and 'data-done="25"' in html and "a &lt;b&gt;" in html


# ===== the handlers, in this process =================================================================
@pytest.fixture
def space_env(app_server, monkeypatch):  # noqa: F811
    """The space package, reading the same models (and GPT files) as the server."""
    monkeypatch.setenv("INDIC_TOKENIZER_MODELS", str(app_server.models_dir))
    if app_server.tiktoken_dir:
        monkeypatch.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(app_server.tiktoken_dir))
    import space.models

    return space


@pytest.fixture(scope="module")
def hi_model(app_server):  # noqa: F811
    return tokenizer.load(app_server.models_dir / "hi.model")


@pytest.fixture(scope="module")
def kn_model(app_server):  # noqa: F811
    return tokenizer.load(app_server.models_dir / "kn.model")


def _held_out_text(lang: str, n_chars: int, skip_lines: int = 5000) -> str:
    with gzip.open(ROOT / "data" / f"{lang}.txt.gz", "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()[skip_lines:]
    return "\n".join(lines)[:n_chars]


def test_tokenize_handler_time_for_10000_characters(space_env, hi_model):
    from space.views.tokenize import tokenize

    text = _held_out_text("hi", 10_000)
    assert len(text) == 10_000
    tokenize("नमस्ते", "Hindi")  # load the model: not part of the per-request time
    times = []
    for k in range(3):
        start = time.perf_counter()
        _html, _summary, ids, stats = tokenize(text if k == 0 else text[k:], "Hindi")
        times.append((time.perf_counter() - start) * 1000)
    assert [int(i) for i in ids.split()] == hi_model.encode_ordinary(text[2:])
    print(f"\ntokenize handler, 10,000 characters ({stats['tokens']:,} tokens): "
          f"first {times[0]:.1f} ms, then {times[1]:.1f} ms, {times[2]:.1f} ms")


def test_handlers_turn_bugs_into_messages(space_env, monkeypatch):
    import space.models
    from space.views.decode import decode
    from space.views.tokenize import tokenize
    from space.views.vocabulary import vocabulary

    def broken(code):
        raise RuntimeError("boom")

    monkeypatch.setattr(space.models, "get_model", broken)
    html, _summary, _ids, stats = tokenize(HINDI, AUTO)
    assert "went wrong" in stats["error"] and "Traceback" not in html and "boom" not in html
    assert "went wrong" in decode("1 2", "Hindi")[2]
    assert "went wrong" in vocabulary("नम", "Hindi")[2]["error"]


def test_library_errors_are_shown_by_their_first_line(space_env, monkeypatch):
    import space.models
    from space.views.tokenize import tokenize
    from tokenizer.errors import ModelFileError

    def bad(code):
        raise ModelFileError("models/hi.model", 3, "not a merge\nmore detail")

    monkeypatch.setattr(space.models, "get_model", bad)
    assert tokenize(HINDI, "Hindi")[3]["error"] == "models/hi.model:3: not a merge"


def test_missing_model_is_a_clear_message(space_env, monkeypatch, tmp_path):
    from space.views.metrics import metrics
    from space.views.tokenize import tokenize

    monkeypatch.setenv("INDIC_TOKENIZER_MODELS", str(tmp_path))
    stats = tokenize(HINDI, "Hindi")[3]
    assert "Hindi model is not available" in stats["error"] and "python -m tokenizer train" in stats["error"]
    md, plot = metrics()
    assert "metrics are missing" in md and plot.empty
    for lang in LANGUAGES.values():
        assert lang.name in md


def test_whitespace_only_text_has_no_tokens_per_word(space_env):
    from space.views.compare import compare
    from space.views.tokenize import tokenize

    summary, stats = tokenize("   ", "Hindi")[1], tokenize("   ", "Hindi")[3]
    assert stats["words"] == 0 and 'data-stat="tokens_per_word"><b>–</b>' in summary
    html, data = compare("   ", ["Hindi"])
    row = html.split("<td>Ours: Hindi</td>", 1)[1].split("</tr>", 1)[0]
    assert data["results"]["Hindi"]["words"] == 0 and "<td>–</td>" in row and "0.00" not in row


def test_compare_says_the_hint_and_how_auto_chose_once_above_the_columns(space_env):
    """The column heads stay short (two lines, so the columns' tokens start level): how Auto chose and
    how to link a token to its characters are said once, between the table and the columns."""
    from space.views.compare import compare

    html, _ = compare(HINDI, [AUTO, "Hindi"])
    grid = html.index('<div class="itok-grid')
    assert html.count(viz.LINK_HINT) == 1 and html.index(viz.LINK_HINT) < grid
    note = "Ours under Auto: Hindi model, picked by script ("
    assert html.count(note) == 1 and html.index("</table>") < html.index(note) < grid
    assert compare(HINDI, ["Hindi"])[0].count("Ours under Auto") == 0


def test_unknown_models_are_met_with_the_views_own_choices(space_env, tmp_path):
    """Decode and Vocabulary have no Auto, so their advice does not offer it; Batch's does."""
    from space.views.batch import batch
    from space.views.decode import decode
    from space.views.vocabulary import vocabulary

    for message in (unescape(decode("1 2", "Klingon")[2]), vocabulary("नम", "Klingon")[2]["error"]):
        assert "Unknown model 'Klingon'; choose a language (Hindi, " in message and "Auto" not in message
    for message in (unescape(decode("1 2", AUTO)[2]), vocabulary("नम", AUTO)[2]["error"]):
        assert "Auto is not a choice here: choose a language (Hindi, " in message
    path = tmp_path / "lines.txt"
    path.write_text(HINDI + "\n", encoding="utf-8")
    error = list(batch(str(path), "text", "Klingon"))[-1][3]["error"]
    assert "Unknown model 'Klingon'; choose Auto, a language (Hindi, " in error


def test_auto_picks_the_model_by_script(space_env):
    from space.models import choose

    assert choose(HINDI, AUTO).key == "hi"
    assert choose(KANNADA, AUTO).key == "kn"
    assert choose("ಕನ್ನಡ और हिंदी ಕನ್ನಡ", AUTO).key == "kn"
    assert choose("plain English", AUTO).key == "hi" and "default" in choose("plain English", AUTO).note
    assert choose(KANNADA, "Hindi").key == "hi"
    with pytest.raises(space_env.guards.UserError, match="Unknown model"):
        choose(HINDI, "Klingon")
    with pytest.raises(space_env.guards.UserError, match="not a model of this session"):
        choose(HINDI, "Mine: nothing", "no-such-session")


@pytest.mark.parametrize("script", list(scripts()))
def test_auto_chooses_each_scripts_default_and_says_so(space_env, script):
    from space.models import choose

    langs = scripts()[script]
    chosen_keys = set()
    for lang in langs:
        if not (space_env.models.model_path(lang)).is_file():
            continue
        chosen = choose(lang.examples[0], AUTO)
        chosen_keys.add(chosen.key)
        assert chosen.key == langs[0].code and script in chosen.note
        if len(langs) > 1:
            assert "also used by" in chosen.note
    if not chosen_keys:
        pytest.skip(f"no {script} model in the models directory")


def test_the_pickers_list_every_registry_language(space_env):
    from space.layout import examples
    from space.models import choices

    names = [x.name for x in LANGUAGES.values()]
    assert choices(None) == [AUTO, *names] and choices(None, auto=False) == names
    ex = examples()
    for lang in LANGUAGES.values():
        assert ex[lang.name] == (lang.examples[0], lang.name)


def test_every_text_example_sets_its_own_languages_model(space_env):
    """Each example row also sets the model picker, to the language the example is written in (Auto
    would give Marathi text the Hindi model and Kashmiri text the Urdu one), and Compare's pick of
    ours follows it."""
    import gradio as gr

    from space.layout import build, examples
    from space.models import by_name
    from space.views.compare import follow_example

    ex = examples()
    assert ex["Marathi"][1] == "Marathi" and ex["Kashmiri"][1] == "Kashmiri" and ex["Assamese"][1] == "Assamese"
    for label, (text, model) in ex.items():
        lang = by_name(model)
        assert lang is not None, (label, model)
        assert text in lang.examples or (label, text) in lang.mixed_examples, (label, model)
    demo = build()
    by_id = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    text_examples = [b for b in demo.blocks.values() if isinstance(b, gr.Dataset)
                     and by_id["text-input"] in b._components]  # noqa: SLF001 - gradio's own list
    assert len(text_examples) == 1 and by_id["model-choice"] in text_examples[0]._components  # noqa: SLF001
    assert text_examples[0].samples == [[text, model] for text, model in ex.values()]

    assert follow_example("Marathi", [AUTO, "GPT-4o", "Gemma 3"]) == ["Marathi", "GPT-4o", "Gemma 3"]
    assert follow_example("Kashmiri", ["GPT-4o", "Urdu", "Hindi"]) == ["GPT-4o", "Kashmiri", "Hindi"]
    assert follow_example("Hindi", [AUTO, "Hindi"]) == ["Hindi"]  # not twice
    assert follow_example("Hindi", ["Mine: hi-300-bpe-1", AUTO]) == ["Mine: hi-300-bpe-1", "Hindi"]
    for model, picks in (("Hindi", ["GPT-4o", "Qwen 3"]), ("Hindi", ["Hindi"]), (AUTO, [AUTO]), ("Marathi", 7)):
        assert follow_example(model, picks) == gr_skip(), (model, picks)


# ===== every view over HTTP ========================================================================
@pytest.fixture(scope="module")
def client(app_server):  # noqa: F811
    from gradio_client import Client

    return Client(app_server.url, verbose=False)


@pytest.fixture
def tiktoken_env(app_server, monkeypatch):  # noqa: F811
    if not app_server.tiktoken_dir:
        pytest.skip(f"no offline tiktoken files at {REFTOK}")
    monkeypatch.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(app_server.tiktoken_dir))
    from tokenizer.openai import load_encoding

    return load_encoding


def test_api_names(client):
    endpoints = client.view_api(print_info=False, return_format="dict")["named_endpoints"]
    assert set(endpoints) >= {"/tokenize", "/compare", "/presplit", "/decode", "/vocabulary", "/metrics", "/train",
                              "/cancel", "/batch"}


def _languages_with_models(app_server) -> list:  # noqa: F811
    """One language per registry script (the script's default first) whose model file is there."""
    out = []
    for langs in scripts().values():
        found = [x for x in langs if (app_server.models_dir / x.model).is_file()]
        if found:
            out.append(found[0])
    return out


def test_every_script_in_every_text_view(client, app_server):  # noqa: F811
    """For one language per script: Tokenize (ids), Compare, Pre-split, Decode and Vocabulary agree with
    the library, by name and through Auto."""
    langs = _languages_with_models(app_server)
    assert {x.script for x in langs} >= {"Devanagari", "Kannada"}
    for lang in langs:
        tok = tokenizer.load(app_server.models_dir / lang.model)
        text = lang.examples[0]
        expected = tok.encode_ordinary(text)
        for choice in (lang.name, AUTO):
            _html, _summary, ids, stats = client.predict(text, choice, api_name="/tokenize")
            assert [int(i) for i in ids.split()] == expected and stats["model"] == lang.code, (lang.code, choice)
        data = client.predict(text, [lang.name, AUTO], api_name="/compare")[1]
        assert data["results"][lang.name]["tokens"] == data["results"][AUTO]["tokens"] == len(expected)
        assert data["results"][lang.name]["ids"] == expected
        data = client.predict(text, lang.name, api_name="/presplit")[1]
        assert data["ours"]["chunks"] == len(tok.pattern.split(text)) and data["ours"]["pattern"] == tok.pattern.name
        assert client.predict(" ".join(map(str, expected)), lang.name, api_name="/decode")[0] == text
        word = max(text.split(), key=len)
        data = client.predict(word, lang.name, api_name="/vocabulary")[2]
        needle = word.encode()
        assert data.get("total_matches", 0) == sum(needle in b for b in tok.vocab.values())


@pytest.mark.parametrize("n_chars", [50, 3_000, 30_000])
def test_ids_of_short_and_long_texts_are_the_librarys(client, hi_model, kn_model, n_chars):
    for lang, tok in (("hi", hi_model), ("kn", kn_model)):
        text = _held_out_text(lang, n_chars)
        ids = client.predict(text, AUTO, api_name="/tokenize")[2]
        assert [int(i) for i in ids.split()] == tok.encode_ordinary(text), (lang, n_chars)


@pytest.mark.parametrize("text, lang", [(HINDI, "hi"), (KANNADA, "kn"), ("मैंने आज ChatGPT से पूछा", "hi"),
                                        ("main aaj bazaar ja raha hoon", "hi"), ("२०२४ में १,२३,४५६ लोग", "hi"),
                                        ("परिवार 👨‍👩‍👧‍👦", "hi"), ("def f(x):\n    return x + 1\n", "hi")])
def test_tokenize_counts(client, hi_model, kn_model, text, lang):
    html, summary, ids, stats = client.predict(text, AUTO, api_name="/tokenize")
    tok = hi_model if lang == "hi" else kn_model
    expected = tok.encode_ordinary(text)
    assert stats["model"] == lang
    assert stats["tokens"] == len(expected) == html.count("data-id=")
    assert [int(i) for i in ids.split()] == expected
    assert stats["chars"] == len(text) and stats["bytes"] == len(text.encode()) and stats["words"] == len(text.split())
    b, mid = boundary_counts(text, [tok.decode_single_token_bytes(i) for i in expected])
    assert (stats["boundaries"], stats["mid_akshara_boundaries"]) == (b, mid)
    assert f'data-stat="tokens"><b>{len(expected):,}</b>' in summary
    assert "Traceback" not in html + summary


def test_tokenize_model_choice_overrides_auto(client, kn_model):
    stats = client.predict(HINDI, "Kannada", api_name="/tokenize")[3]
    assert stats["model"] == "kn" and stats["tokens"] == len(kn_model.encode_ordinary(HINDI))


def test_tokenize_special_token_text_is_plain_text(client, hi_model):
    stats = client.predict("a <|endoftext|> b", "Hindi", api_name="/tokenize")[3]
    assert stats["tokens"] == len(hi_model.encode_ordinary("a <|endoftext|> b"))


def test_tokenize_escapes_user_html(client):
    html = client.predict("<script>alert(1)</script>{{x}}", "Hindi", api_name="/tokenize")[0]
    assert "<script" not in html and "&lt;" in html and "{{" not in html


def test_tokenize_empty_and_oversized(client):
    _html, _summary, ids, stats = client.predict("", AUTO, api_name="/tokenize")
    assert stats["tokens"] == 0 and "Type or paste" in stats["message"] and ids == ""
    html, _summary, ids, stats = client.predict("क" * 200_001, AUTO, api_name="/tokenize")
    assert "at most 200,000" in stats["error"] and "200,001" in html and ids == ""
    assert "Traceback" not in html


def test_lone_surrogates_are_refused_with_a_message(app_server):  # noqa: F811
    text = "नम\ud800स्ते"
    train = rest(app_server.url, "train", ["Paste text", None, None, text * 20, 400, "bpe", "indic"])
    assert "pasted text has a lone surrogate (U+D800) at index 2" in train[4]["error"]  # was: "went wrong"
    assert "lone surrogate" in rest(app_server.url, "tokenize", [text, AUTO])[3]["error"]
    assert "lone surrogate" in rest(app_server.url, "compare", [text, [AUTO, "GPT-4o"]])[1]["error"]
    assert "lone surrogate" in rest(app_server.url, "presplit", [text, AUTO])[1]["error"]
    assert "lone surrogate" in rest(app_server.url, "vocabulary", ["\udc80", "Hindi"])[2]["error"]


def test_tokenize_at_the_limit_is_accepted(client, hi_model):
    text = ("नमस्ते दुनिया " * 20_000)[:200_000]
    html, _summary, _ids, stats = client.predict(text, "Hindi", api_name="/tokenize")
    assert stats["tokens"] == len(hi_model.encode_ordinary(text))
    assert "more tokens" in html  # only the first tokens are drawn


def test_compare_hello_world(client, hi_model, tiktoken_env):
    html, data = client.predict("hello world", ["Hindi", "GPT-2", "GPT-4", "GPT-4o"], api_name="/compare")
    results = data["results"]
    assert data["picks"] == ["Hindi", "GPT-2", "GPT-4", "GPT-4o"]
    assert results["Hindi"]["tokens"] == len(hi_model.encode_ordinary("hello world"))
    assert results["GPT-4"]["tokens"] == len(tiktoken_env("GPT-4").encode("hello world")) == 2
    assert results["GPT-2"]["ids"] == [31373, 995] and results["GPT-4o"]["ids"] == [24912, 2375]
    assert html.count('class="itok-col"') == 4 and "11 characters, 11 bytes" in html


def test_compare_hindi_counts_match_tiktoken(client, hi_model, tiktoken_env):
    html, data = client.predict(HINDI, [AUTO, "GPT-2", "GPT-4", "GPT-4o"], api_name="/compare")
    for name in ("GPT-2", "GPT-4", "GPT-4o"):
        enc = tiktoken_env(name)
        ids = enc.encode_ordinary(HINDI)
        assert data["results"][name]["tokens"] == len(ids), name
        pieces = [enc.decode_single_token_bytes(t) for t in ids]
        assert data["results"][name]["mid_akshara_boundaries"] == boundary_counts(HINDI, pieces)[1]
    assert data["results"][AUTO]["tokens"] == len(hi_model.encode_ordinary(HINDI))
    assert data["results"][AUTO]["name"] == "Ours: Hindi"
    # GPT-2 cuts Hindi into pieces of letters: their bytes are shown, never U+FFFD
    assert "&lt;E0" in html and "\ufffd" not in html


LLM_COUNTS = {"Gemma 3": 6, "Llama 3": 10, "Llama 4": 7, "Qwen 3": 21, "Mistral Tekken": 8}  # reftok/SOURCES.md


def test_compare_open_llms_and_languages_side_by_side(client, app_server, monkeypatch):  # noqa: F811
    """Hindi beside Marathi beside four open LLMs: counts are SOURCES.md's, ids the library's."""
    from tokenizer import compare as others

    if not LLM_DIR.is_dir():
        pytest.skip(f"{LLM_DIR} is absent")
    monkeypatch.setenv(others.LLM_DIR_ENV, str(LLM_DIR))
    text = "भारत एक विशाल देश है।"
    for picks in (["Hindi", "Marathi", "Gemma 3", "Llama 3", "Llama 4", "Qwen 3"], ["Mistral Tekken", "Hindi"]):
        html, data = client.predict(text, picks, api_name="/compare")
        assert list(data["results"]) == picks and html.count('class="itok-col"') == len(picks)
        for name in picks:
            result = data["results"][name]
            if name in LLM_COUNTS:
                assert result["tokens"] == LLM_COUNTS[name] and result["ids"] == others.get(name).encode(text), name
                assert result["vocab_size"] == others.get(name).vocab_size and result["name"] == name
            else:
                tok = tokenizer.load(app_server.models_dir / LANGUAGES[next(c for c, x in LANGUAGES.items()
                                                                             if x.name == name)].model)
                assert result["ids"] == tok.encode_ordinary(text) and result["name"] == f"Ours: {name}"
            assert result["bytes"] == len(text.encode()) and 0 <= result["mid_akshara_rate"] <= 1


def test_compare_tells_why_a_tokenizer_is_unavailable(client):
    """A Hub id offline, a bad id, an unknown name: each column says why; the others are still drawn."""
    picks = ["Hindi", "someone/some-tokenizer", "not a repo id", "GPT-5"]
    html, data = client.predict(HINDI, picks, api_name="/compare")
    results = data["results"]
    assert results["Hindi"]["tokens"] > 0
    assert "someone/some-tokenizer is unavailable" in results["someone/some-tokenizer"]["unavailable"]
    assert "offline mode is on" in results["someone/some-tokenizer"]["unavailable"]  # the test server is offline
    assert "Unknown tokenizer 'not a repo id'" in results["not a repo id"]["unavailable"]
    assert "Unknown tokenizer 'GPT-5'" in results["GPT-5"]["unavailable"]
    assert "or a Hugging Face repository id like owner/name" in results["GPT-5"]["unavailable"]
    bad_id = client.predict(HINDI, ["Hindi", "x/a b"], api_name="/compare")[1]["results"]["x/a b"]["unavailable"]
    assert "'x/a b' is not a Hub repository id" in bad_id
    assert html.count("itok-notice itok-error") == 3 and "Traceback" not in html
    too_many = client.predict(HINDI, ["Hindi", "Marathi", "Nepali", "GPT-2", "GPT-4", "GPT-4o", "Qwen 3"],
                              api_name="/compare")[1]
    assert "at most 6 tokenizers" in too_many["error"]
    assert "Choose one to 6 tokenizers" in client.predict(HINDI, [], api_name="/compare")[1]["message"]


def test_compare_says_why_an_encoding_is_unavailable(space_env, monkeypatch, tmp_path):
    from space.views.compare import compare

    monkeypatch.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(tmp_path))  # an empty directory
    html, data = compare(HINDI, [AUTO, "GPT-4", "GPT-4o"])
    assert "does not exist" in data["results"]["GPT-4"]["unavailable"]
    assert data["results"][AUTO]["tokens"] > 0
    assert "does not exist" in html


def test_compare_empty_and_oversized(client):
    assert "Type or paste" in client.predict("", [AUTO, "GPT-4o"], api_name="/compare")[1]["message"]
    assert "at most 200,000" in client.predict("x" * 200_001, [AUTO], api_name="/compare")[1]["error"]


def test_presplit_shows_the_matra_problem(client, hi_model):
    html, data = client.predict("विशाल", "Hindi", api_name="/presplit")
    assert data["gpt4"]["first_chunks"] == ["व", "िश", "ाल"] and data["gpt4"]["broken"] == 2
    assert data["ours"]["first_chunks"] == ["विशाल"] and data["ours"]["broken"] == 0
    assert data["ours"]["pattern"] == hi_model.pattern.name
    assert html.count("itok-broken") == 2
    html, data = client.predict(HINDI, AUTO, api_name="/presplit")
    assert data["ours"]["chunks"] == len(hi_model.pattern.split(HINDI))
    assert data["gpt4"]["chunks"] == len(tokenizer.split(HINDI, "gpt4"))
    assert data["ours"]["broken"] == 0 and data["gpt4"]["broken"] > 0
    assert "at most 200,000" in client.predict("x" * 200_001, AUTO, api_name="/presplit")[1]["error"]
    assert "Type or paste" in client.predict("", AUTO, api_name="/presplit")[1]["message"]


def test_decode_round_trip(client, hi_model, kn_model):
    ids = hi_model.encode_ordinary(HINDI)
    text, html, note = client.predict(", ".join(map(str, ids)), "Hindi", api_name="/decode")
    assert text == HINDI and html.count("data-id=") == len(ids) and f"{len(ids):,} ids" in note
    ids = kn_model.encode_ordinary(KANNADA)
    assert client.predict(" ".join(map(str, ids)), "Kannada", api_name="/decode")[0] == KANNADA
    assert client.predict(str(ids), "Kannada", api_name="/decode")[0] == KANNADA  # "[1, 2, 3]" works too


def test_decode_errors(client, hi_model):
    text, html, note = client.predict("72, 101, abc", "Hindi", api_name="/decode")
    note = unescape(note)
    assert text == "" and "The 3rd id, 'abc', is not a token id (a whole number, 0 or more)." in note
    text, html, note = client.predict("72, 9999999, abc", "Hindi", api_name="/decode")  # the page's example
    note = unescape(note)
    assert (f"The 2nd id, 9999999, is out of range: the Hindi model's ids are 0 to {hi_model.vocab_size - 1:,}."
            in note)
    text, html, note = client.predict("-5", "Hindi", api_name="/decode")
    assert "The 1st id, '-5', is not a token id" in unescape(note)
    text, html, note = client.predict(" ".join(["1"] * 21 + ["7" * 50]), "Hindi", api_name="/decode")
    assert f"The 22nd id, {'7' * 20}…, is out of range" in note
    text, html, note = client.predict("", "Hindi", api_name="/decode")
    assert text == "" and "Enter token ids" in note
    text, html, note = client.predict("224", "Hindi", api_name="/decode")  # half a character
    assert text == "\ufffd" and "&lt;E0&gt;" in html and "whole characters" in note
    text, html, note = client.predict("1 " * 100_001, "Hindi", api_name="/decode")
    assert "at most 200,000" in note
    for out in (html, note):
        assert "Traceback" not in out


def test_vocabulary_by_id(client, hi_model):
    _listing, detail, data = client.predict("300", "Hindi", api_name="/vocabulary")
    sel = data["selected"]
    assert sel["id"] == sel["rank"] == 300 and sel["merge_number"] == 45
    assert sel["bytes"] == hi_model.decode_single_token_bytes(300).hex(" ").upper()
    node = viz.merge_tree(hi_model, 300)
    assert sel["tree"] == viz.tree_text(node) and "Merge tree" in detail
    sel = client.predict("#65", "Hindi", api_name="/vocabulary")[2]["selected"]
    assert sel["id"] == 65 and sel["kind"] == "single byte" and sel["tree"] == "65 'A'"


def _is_text(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def test_vocabulary_by_text(client, hi_model):
    _listing, _detail, data = client.predict("␣", "Hindi", api_name="/vocabulary")
    assert data["selected"]["id"] == 32  # the exact match comes first
    assert data["total_matches"] == sum(b" " in b for b in hi_model.vocab.values())
    whole = [i for i, b in hi_model.vocab.items() if _is_text(b) and len(b.decode()) >= 2]
    target = max(whole)
    text = hi_model.vocab[target].decode()
    data = client.predict(text.replace(" ", "␣"), "Hindi", api_name="/vocabulary")[2]
    assert data["selected"]["id"] == target and target in data["matches"]


def test_vocabulary_errors(client):
    listing, detail, data = client.predict("ऋॠॡ", "Hindi", api_name="/vocabulary")
    assert data["matches"] == [] and "No token" in data["message"] and data["encoding"]
    assert listing.count("data-id=") == len(data["encoding"]) and detail == ""
    data = client.predict("999999", "Hindi", api_name="/vocabulary")[2]
    assert "There is no token 999,999" in data["error"]
    data = client.predict("", "Hindi", api_name="/vocabulary")[2]
    assert "Type a piece of text" in data["message"]
    listing, detail, data = client.predict("x" * 1000, "Hindi", api_name="/vocabulary")
    assert "at most 200 characters" in data["error"] and "at most 200 characters" in listing and detail == ""


def test_every_vocabulary_example_finds_a_token_in_the_model_it_sets(space_env):
    """Each example row sets the model picker too: a Kannada search must not run in the Hindi model."""
    from space.layout import vocabulary_examples
    from space.models import by_name
    from space.views.vocabulary import vocabulary

    rows = vocabulary_examples()
    assert {model for _, model in rows} >= {"Hindi", "Kannada"}
    tried = 0
    for query, model in rows:
        if not space_env.models.has_model(by_name(model).code):
            continue
        data = vocabulary(query, model)[2]
        assert data.get("matches") and "error" not in data, (query, model, data)
        tried += 1
    assert tried >= 4


def test_page_labels_match_what_the_views_accept(space_env):
    """The upload label lists every type Train reads; Compare's says one pick is enough (it is); the
    vocabulary examples set the model picker as well as the query."""
    import gradio as gr

    from space.layout import build
    from space.views.compare import compare

    demo = build()
    by_id = {b.elem_id: b for b in demo.blocks.values() if getattr(b, "elem_id", None)}
    upload = by_id["train-file"].label
    assert all(t in upload for t in space_env.jobs.UPLOAD_TYPES) and ".jsonl.gz" in upload
    assert by_id["cmp-pick"].label == "Tokenizers to compare (one to 6)"
    assert list(compare(HINDI, ["Hindi"])[1]["results"]) == ["Hindi"]  # one pick is compared, not refused
    vocab_examples = [b for b in demo.blocks.values() if isinstance(b, gr.Dataset)
                      and by_id["vocab-query"] in b._components]  # noqa: SLF001 - gradio's own list
    assert len(vocab_examples) == 1 and by_id["vocab-model"] in vocab_examples[0]._components  # noqa: SLF001
    assert "keeps aksharas whole" not in space_env.views.about.ABOUT  # the pre-split does; plain BPE's tokens do not


def test_metrics_headline_has_the_readmes_cells_under_headers_that_wrap(app_server):  # noqa: F811
    """The Space's headline table is the README's, row for row, under shorter headers (their words
    short enough for the table to fit a laptop's screen), one for each of the README's columns."""
    from space.views.metrics import HEADLINE, headline_table
    from tokenizer.report import HEADLINE as README_HEADLINE
    from tokenizer.report import load_metrics, metrics_table

    metrics = load_metrics(app_server.models_dir)
    ours, readme = headline_table(metrics).splitlines(), metrics_table(metrics).splitlines()
    assert ours[1:] == readme[1:] and len(ours) == len(metrics) + 2
    assert len(HEADLINE) == README_HEADLINE.count("|") - 1 and ours[0] == "| " + " | ".join(HEADLINE) + " |"
    assert max(len(word) for h in HEADLINE for word in h.split()) <= len("Bytes/token,")


def test_metrics_view(client, app_server):  # noqa: F811
    md, plot = client.predict(api_name="/metrics")
    rows = plot["data"] if plot else []
    for lang in LANGUAGES.values():
        path = app_server.models_dir / f"{lang.code}.metrics.json"
        if path.is_file():
            m = json.loads(path.read_text(encoding="utf-8"))
            ours = [[v, b] for v, b, series in rows if series == lang.name]
            assert ours == [[int(v), float(b)] for v, b in m["curve"]]
            assert f"{m['bytes_per_token']:.2f}" in md
            for name, b in m.get("baselines", {}).items():
                label = f"{name} (`{b['pattern']}`)" if "pattern" in b else name  # as tokenizer.report writes it
                on = b.get("on", "valid")
                assert f"| {lang.name} | {label} | {on} | {b['vocab_size']:,} | {b['bytes_per_token']:.2f} |" in md
        else:
            assert lang.name in md.split("metrics are missing")[0].rsplit("Note.", 1)[-1]
            assert not [r for r in rows if r[2] == lang.name]
    if rows:
        assert "target 3.2" in {r[2] for r in rows}


# ===== Train ===========================================================================================
TRAIN_LINES = 400  # lines of the embedded Hindi corpus a test trains on (a few seconds)


def _train_file(tmp_path: Path, n: int = TRAIN_LINES, skip: int = 0) -> Path:
    with gzip.open(ROOT / "data" / "hi.txt.gz", "rt", encoding="utf-8") as f:
        lines = f.read().splitlines()[skip : skip + n]
    path = tmp_path / "mine.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _library_training(path: Path, vocab_size: int, **kwargs) -> tuple[tokenizer.Tokenizer, list[str]]:
    """The library's own training on the file's training documents, and the held-out lines."""
    from functools import partial

    from space.jobs import BLOCK_LINES, HELD_OUT
    from tokenizer.corpus import Corpus, read_files

    corpus = Corpus(partial(read_files, [path], block_lines=BLOCK_LINES), "test", valid=HELD_OUT, test=0.0)
    held = corpus.held_out_lines("valid")
    assert held, "the test text must have held-out documents"
    return tokenizer.train(corpus.train_texts(), vocab_size, quiet=True, **kwargs), held


def _unzip_tokenizer_json(archive: Path, tmp_path: Path):
    import zipfile

    from tokenizers import Tokenizer as HFTokenizer

    with zipfile.ZipFile(archive) as z:
        names = z.namelist()
        z.extractall(tmp_path / "hf")
    json_name = next(n for n in names if n.endswith("/tokenizer.json"))
    assert {n.split("/")[-1] for n in names} >= {"tokenizer.json", "tokenizer_config.json", "special_tokens_map.json"}
    return HFTokenizer.from_file(str(tmp_path / "hf" / json_name))


@pytest.mark.parametrize("recipe, pattern, size", [("bpe", "gpt4", 420), ("curriculum", None, 600)])
def test_train_end_to_end_over_http(app_server, tmp_path, recipe, pattern, size):  # noqa: F811
    """Upload a file, train through api_name="train", and check every download against the library."""
    from gradio_client import Client, handle_file

    from tokenizer.model_file import vocab_listing

    path = _train_file(tmp_path)
    client = Client(app_server.url, verbose=False)
    status, curve, results, files, summary, *_pickers = client.predict(
        "Upload a file", None, handle_file(str(path)), "", size, recipe, pattern, api_name="/train")
    assert summary["status"] == "done" and "Done" in status, summary
    library, held = _library_training(path, size, **({"pattern": pattern} if pattern else {"recipe": recipe}))
    by_suffix = {Path(f).name.split(".", 1)[1] if not f.endswith(".zip") else "zip": Path(f) for f in files}
    ours = tokenizer.load(by_suffix["model"])
    assert ours.merges == library.merges and ours.pattern.regex == library.pattern.regex
    assert ours.vocab_size == size == summary["vocab_size"]
    assert by_suffix["vocab"].read_text(encoding="utf-8") == vocab_listing(library)
    sample = "\n".join(held[:40])
    assert ours.encode_ordinary(sample) == library.encode_ordinary(sample)
    hf = _unzip_tokenizer_json(by_suffix["zip"], tmp_path)
    for line in held[:40] + ["नमस्ते दुनिया", "mixed ಕನ್ನಡ text 123"]:
        assert hf.encode(line, add_special_tokens=False).ids == library.encode_ordinary(line), line
    # the held-out numbers are the library's on the same held-out lines
    from tokenizer.metrics import evaluate

    assert summary["held_out_lines"] == len(held)
    assert summary["metrics"]["yours"]["bytes_per_token"] == evaluate(library, held).bytes_per_token
    shipped = tokenizer.load(app_server.models_dir / "hi.model")
    assert summary["metrics"]["shipped"]["tokens"] == evaluate(shipped, held).tokens
    assert "yours" in results and "shipped Hindi model" in results
    # the shipped model's flat line says it is at its own size, not at the one trained here
    assert f"shipped Hindi model at {shipped.vocab_size:,} ids: " in curve
    if app_server.tiktoken_dir:
        assert "GPT-4o" in summary["metrics"] and "GPT-4o" in results
    # the curve ends at the final model's held-out bytes/token
    assert summary["curve"][0][0] == 257 and summary["curve"][-1] == [size, evaluate(library, held).bytes_per_token]
    sizes = [v for v, _ in summary["curve"]]  # a point every 1% of the vocabulary, however fast the merges came
    assert sizes == sorted(set(sizes)) and len(sizes) >= 100 and max(b - a for a, b in zip(sizes, sizes[1:])) <= 4
    # the new model is this session's choice in the other views, with the same ids; not another session's
    choice = summary["choice"]
    assert choice.startswith("Mine: ")
    text = held[0]
    ids = client.predict(text, choice, api_name="/tokenize")[2]
    assert [int(i) for i in ids.split()] == library.encode_ordinary(text)
    assert client.predict(text, choice, api_name="/presplit")[1]["ours"]["pattern"] == library.pattern.name
    compared = client.predict(text, [choice, "Hindi"], api_name="/compare")[1]["results"]  # beside the shipped one
    assert compared[choice]["ids"] == library.encode_ordinary(text) and compared[choice]["vocab_size"] == size
    assert compared["Hindi"]["ids"] == shipped.encode_ordinary(text)
    assert client.predict("300", choice, api_name="/vocabulary")[2]["selected"]["bytes"] == \
        library.decode_single_token_bytes(300).hex(" ").upper()
    other = Client(app_server.url, verbose=False)
    assert "not a model of this session" in other.predict(text, choice, api_name="/tokenize")[3]["error"]


def test_train_on_pasted_text_and_an_embedded_corpus(client, app_server, tmp_path):  # noqa: F811
    """Pasted Kannada, then the embedded Hindi corpus with that text still in the box: the second says the
    pasted text was not used; both models stay downloadable; each model card has its measured metrics."""
    import zipfile

    text = _held_out_text("kn", 60_000, skip_lines=0)
    first = client.predict("Paste text", None, None, text, 300, "bpe", "indic", api_name="/train")
    summary = first[4]
    assert summary["status"] == "done" and summary["language"] == "kn" and summary["merges"] == 300 - 257
    assert "shipped" in summary["metrics"] and summary["unused"] == ""  # next to the shipped Kannada model
    second = client.predict("Embedded corpus", "hi", None, text, 260, "bpe", "indic", api_name="/train")
    status, _curve, results, files, summary2, *_ = second
    assert summary2["language"] == "hi" and "Not used: the pasted text" in summary2["unused"]
    assert "Not used: the pasted text" in results
    names = [Path(f).name for f in files]
    for s in (summary2, summary):  # newest first, the earlier model's files still listed
        assert [n for n in names if n.startswith(s["name"] + ".") or n.startswith(s["name"] + "-")] == [
            f"{s['name']}.model", f"{s['name']}.vocab", f"{s['name']}-hf.zip"]
    zipped = next(Path(f) for f in files if Path(f).name == f"{summary['name']}-hf.zip")
    with zipfile.ZipFile(zipped) as z:
        card = z.read(f"{summary['name']}/README.md").decode()
    measured = summary["metrics"]["yours"]
    assert "No measured metrics" not in card
    assert f"| UTF-8 bytes per token (higher is better) | {measured['bytes_per_token']} |" in card
    assert f"| held-out lines measured | {summary['held_out_lines']} |" in card and "held-out text of" in card


def test_train_source_follows_the_input(space_env):
    from space.views import train as view

    assert view.follow_upload("/tmp/x.txt") == "Upload a file" and view.follow_text("ಕನ್ನಡ") == "Paste text"
    assert view.follow_corpus() == "Embedded corpus"
    assert view.follow_text("  ") == view.follow_upload(None) == gr_skip()
    assert view.unused_inputs("Embedded corpus", "/tmp/x.txt", "ಕನ್ನಡ") == (
        "Not used: the uploaded file and the pasted text (the source is “Embedded corpus”; choose another "
        "source to train on it). ")
    assert view.unused_inputs("Paste text", None, "ಕನ್ನಡ") == ""


def gr_skip():
    import gradio as gr

    return gr.skip()


@pytest.mark.parametrize("args, message", [
    (("Paste text", None, None, "", 400, "bpe", "indic"), "empty"),
    (("Paste text", None, None, "12 34\n56", 400, "bpe", "indic"), "no training text left"),
    (("Paste text", None, None, "नमस्ते", 400, "bpe", "klingon"), "Choose a pre-split"),
    (("Paste text", None, None, "नमस्ते", 400, "bpe", "akshara"), "Choose a pre-split"),
    (("Paste text", None, None, "नमस्ते", 400, "magic", None), "Choose a recipe"),
    (("Upload a file", None, None, "", 400, "bpe", "indic"), "Choose a file"),
    (("Embedded corpus", "xx", None, "", 400, "bpe", "indic"), "Unknown corpus"),
    (("Telepathy", None, None, "", 400, "bpe", "indic"), "Choose a source"),
])
def test_train_refuses_bad_settings_with_a_message(space_env, args, message):
    from space.views.train import train

    out = list(train(*args))
    status, _curve, _results, files, summary, *_ = out[-1]
    assert message in summary["error"] and message in status
    assert files == {"__type__": "update"}  # skipped: the downloads of earlier models stay listed
    assert "Traceback" not in status


def test_train_that_runs_out_of_pairs_says_so(space_env):
    """Five sentences cannot fill 1,000 ids: the model is what the text allows, and the page says why."""
    from space.views.train import train

    text = "\n".join(["राम घर गया।", "सीता बाज़ार गई।", "वह पढ़ता है।", "हम खेलते हैं।", "आज बारिश हुई।"] * 3)
    status, _curve, results, files, summary, *_ = list(train("Paste text", None, None, text, 1000, "bpe", "indic"))[-1]
    assert summary["status"] == "ran out of pairs" and not summary["capped"] and summary["asked"] == 1000
    assert summary["vocab_size"] < 1000 and f"of the 1,000 tokens asked for" in status
    assert "nothing is left to merge" in results and any(f.endswith(".model") for f in files)


def test_train_errors_over_http_are_messages(client):
    status, _curve, _results, files, summary, *_ = client.predict("Paste text", None, None, "", 400, "bpe", "indic",
                                                                  api_name="/train")
    assert "empty" in summary["error"] and "empty" in status and files == {"__type__": "update"}  # unchanged


def test_vocabulary_size_out_of_range(client, space_env):
    """The slider refuses it over HTTP (gradio's message); a direct call gets ours."""
    from gradio_client.exceptions import AppError

    from space.views.train import train

    for size, words in ((256, "less than minimum value 257"), (5001, "greater than maximum value 5000")):
        with pytest.raises(AppError, match=words):
            client.predict("Paste text", None, None, "नमस्ते", size, "bpe", "indic", api_name="/train")
        out = list(train("Paste text", None, None, "नमस्ते", size, "bpe", "indic"))
        assert len(out) == 1 and "must be 257 to 5,000" in out[0][4]["error"]
    assert "whole number" in list(train("Paste text", None, None, "नमस्ते", 300.5, "bpe", "indic"))[0][4]["error"]
    for size in (math.inf, -math.inf):  # through the API: int() overflows; the same message as any size out of range
        out = list(train("Paste text", None, None, "नमस्ते", size, "bpe", "indic"))
        assert len(out) == 1 and f"must be 257 to 5,000 (256 bytes + merges + <|endoftext|>; 5,000 is the project's " \
                                 f"cap), not {size}." in out[0][4]["error"]


def test_train_progress_names_the_stage_only_when_there_is_one():
    """The trainer's first report, before its first stage, has no stage name: no "( stage)"."""
    from space.views.train import progress_message
    from tokenizer.train import TrainProgress

    assert progress_message(TrainProgress(0, 4743, "", (), 0.0), 0.34, []) == "0 of 4,743 merges · 0.3 s"
    assert (progress_message(TrainProgress(1200, 4743, "indic-words", (), 3.0), 3.04, [(257, 1.0), (1457, 3.456)])
            == "1,200 of 4,743 merges (indic-words stage) · 3.0 s · held-out bytes/token 3.46")


def test_train_refuses_bad_files_with_a_message(client, tmp_path):
    from gradio_client import handle_file

    def error(path: Path) -> str:
        return client.predict("Upload a file", None, handle_file(str(path)), "", 400, "bpe", "indic",
                              api_name="/train")[4]["error"]

    bad = tmp_path / "bad.txt"
    bad.write_bytes("नमस्ते\n".encode() + b"ab\xff\xfecd\n")
    assert "bad.txt: line 2 is not valid UTF-8" in error(bad) and "at byte 2" in error(bad)
    import pandas as pd

    parquet = tmp_path / "rows.parquet"
    pd.DataFrame({"body": ["नमस्ते दुनिया"] * 3}).to_parquet(parquet)
    assert "no 'text' column (columns: body)" in error(parquet)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    assert "no text" in error(empty)
    other = tmp_path / "notes.docx"
    other.write_bytes(b"PK\x03\x04")
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match="Invalid file type"):  # the upload box refuses it (gradio's message)
        error(other)
    from space.jobs import uploaded
    from space.guards import UserError

    with pytest.raises(UserError, match="notes.docx: unsupported file type"):
        uploaded(other)


def test_uploads_over_the_text_limit_are_refused(space_env, monkeypatch, tmp_path):
    import space.jobs as jobs

    monkeypatch.setattr(jobs, "MAX_UPLOAD_BYTES", 10_000)
    path = _train_file(tmp_path, 200)
    with pytest.raises(space_env.guards.UserError) as refused:
        jobs.read_source(jobs.uploaded(path))
    assert str(refused.value) == ("mine.txt has more than 0 MB of text, the Space's limit; train on a part of it, or "
                                  "run `python -m tokenizer train --input FILE` locally.")  # once, not re-wrapped
    with pytest.raises(space_env.guards.UserError, match="over 0 MB"):
        jobs.pasted(path.read_text(encoding="utf-8"))


def test_embedded_corpus_in_the_space_reads_its_stories_and_never_holds_them_out(space_env):
    """The Train view's embedded Marathi corpus is the library's: the corpus file and its stories
    (mr.stories.txt.gz), whose documents all train, as `load_corpus("mr")` has it."""
    import space.jobs as jobs
    from space.views import train

    assert ("Marathi (mr.txt.gz + mr.stories.txt.gz)", "mr") in train.corpus_choices()
    text = jobs.read_source(jobs.embedded("mr"))
    assert "mr.txt.gz and mr.stories.txt.gz" in text.description and "Pratham" in text.description
    stories = [d for d in text.documents if d.id.startswith("mr.stories.txt.gz#")]
    story_lines = {x for d in stories for x in d.text.splitlines()}
    assert len(stories) > 100 and text.train_files == ("mr.stories.txt.gz",)
    lines, held, _ = text.split()
    assert story_lines <= set(lines) and held and not story_lines & set(held)


class _Request:
    """What the handlers read from gradio's Request."""

    def __init__(self, session: str) -> None:
        self.session_hash = session


def test_cancel_stops_a_training_at_once(space_env):
    from space.views import train as view

    request = _Request("cancel-test")
    text = _held_out_text("hi", 400_000, skip_lines=0)
    runs = view.train("Paste text", None, None, text, 5000, "curriculum", None, request)
    cancelled_at, last, workers = None, None, []
    for out in runs:
        workers = [job.process for job in view._running.values()] or workers
        last = out[4]
        if cancelled_at is None and last.get("status") == "training" and last.get("merges", 0) > 0:
            assert "Cancelling" in view.cancel(request)
            cancelled_at = time.monotonic()
    took = time.monotonic() - cancelled_at
    print(f"\ncancel to stop: {took:.2f} s")
    assert last["status"] == "cancelled" and last["partial"] and last["merges"] > 0 and not last["capped"], last
    assert took < 3, "cancelling must not wait for the training to finish"
    model = view.STORE.get("cancel-test", last["choice"])
    assert model is not None and model.tok.n_merges == last["merges"] and "-partial-" in last["name"]
    assert "partial model" in out[2] and "Cancelled" in out[0]  # the results and the status say so
    assert any(f.endswith(".model") for f in out[3])  # and it can be downloaded
    assert "No training" in view.cancel(request)  # nothing runs now
    assert workers and all(w.poll() is not None for w in workers)  # the worker process has ended
    view.forget_session(request)


def test_the_time_cap_keeps_the_merges_learned_so_far(space_env, monkeypatch, tmp_path):
    """At the cap the model has the merges learned until then: for plain BPE, the library's first ones."""
    import space.jobs as jobs
    from space.views import train as view

    cap = 60
    monkeypatch.setattr(jobs.Job, "over_time", lambda self: len(self.merges) >= cap)
    monkeypatch.setattr(view, "POLL", 0.02)  # the view looks often, and the merges take seconds: it sees the cap
    path = _train_file(tmp_path, 20000)  # enough text that progress arrives long before the last merge
    last = list(view.train("Upload a file", None, str(path), None, 5000, "bpe", "indic", _Request("cap-test")))[-1][4]
    assert last["status"] == "done" and last["capped"] and cap <= last["merges"] < 5000 - 257, last
    library, _ = _library_training(path, 257 + last["merges"], pattern="indic")
    model = view.STORE.get("cap-test", last["choice"]).tok
    assert model.merges == library.merges
    view.forget_session(_Request("cap-test"))


def test_a_failing_worker_is_a_message(space_env):
    """The worker's own error (here: a size check_settings would refuse) comes back as one line."""
    import space.jobs as jobs

    job = jobs.Job(jobs.pasted("नमस्ते दुनिया"), 100, "bpe", "indic").start()
    try:
        while not job.wait(0.2):
            pass
        tok, error = job.outcome()
    finally:
        job.close()
    assert tok is None and isinstance(error, space_env.guards.UserError)
    assert "vocab_size 100 is too small" in str(error).lower()
    assert job.process.returncode == 1 and not job.folder.exists()


def test_session_models_are_freed(space_env, hi_small, tmp_path):
    from space.models import MINE, STORE, SessionModel, SessionStore
    from space.views.train import forget_session

    files = tmp_path / "files"
    files.mkdir()
    choice = STORE.add("free-test", "x", SessionModel(hi_small, None, files))
    assert choice == MINE + "x" and STORE.get("free-test", choice).tok is hi_small
    forget_session(_Request("free-test"))
    assert STORE.get("free-test", choice) is None and not files.exists()
    store = SessionStore(sessions=2, per_session=2)
    dirs = []
    for k in range(3):
        d = tmp_path / f"d{k}"
        d.mkdir()
        dirs.append(d)
        store.add("s", str(k), SessionModel(hi_small, None, d))
    assert store.choices("s") == [MINE + "1", MINE + "2"] and not dirs[0].exists() and dirs[2].exists()
    for s in ("a", "b"):
        store.add(s, "y", SessionModel(hi_small, None, None))
    assert store.choices("s") == [] and not dirs[1].exists() and len(store) == 2


def test_one_training_at_a_time_the_next_waits_in_the_queue(app_server, tmp_path):  # noqa: F811
    from gradio_client import Client
    from gradio_client.utils import Status

    text = _held_out_text("hi", 60_000, skip_lines=0)
    first = Client(app_server.url, verbose=False).submit("Paste text", None, None, text, 1000, "bpe", "indic",
                                                         api_name="/train")
    while first.status().code not in (Status.PROCESSING, Status.ITERATING, Status.FINISHED):
        time.sleep(0.05)
    second = Client(app_server.url, verbose=False).submit("Paste text", None, None, text[:20_000], 300, "bpe",
                                                          "indic", api_name="/train")
    seen = set()
    while not second.done():
        st = second.status()
        seen.add((st.code, st.rank))
        time.sleep(0.05)
    assert first.result()[4]["status"] == "done" and second.result()[4]["status"] == "done"
    assert (Status.IN_QUEUE, 0) in seen, seen  # it waited, first in line, while the first one trained


# ===== Batch ===========================================================================================
def _gpt_counts(texts: list[str], tiktoken_dir) -> dict[str, list[int]]:
    if not tiktoken_dir:
        return {}
    from tokenizer.openai import load_encoding

    return {name: [len(load_encoding(name).encode_ordinary(t)) for t in texts] for name in ("GPT-2", "GPT-4", "GPT-4o")}


def test_batch_counts_every_line_like_the_library(client, app_server, hi_model, tmp_path, tiktoken_env):  # noqa: F811
    import pandas as pd
    from gradio_client import handle_file

    lines = _held_out_text("hi", 20_000).splitlines()
    path = tmp_path / "lines.txt"
    path.write_text("\n".join(lines[:60]) + "\n\n" + "\n".join(lines[60:]) + "\n", encoding="utf-8")
    texts = [x for x in lines if x.strip()]
    html, table, csv_path, totals = client.predict(handle_file(str(path)), "text", AUTO, api_name="/batch")
    frame = pd.read_csv(csv_path, keep_default_na=False)
    ours = [len(hi_model.encode_ordinary(t)) for t in texts]
    assert frame["ours"].tolist() == ours and totals["totals"]["ours"] == sum(ours)  # Auto: a model per line
    assert set(frame["model"]) == {"hi"} and totals["models"] == {"hi": len(texts)}
    assert frame["text"].tolist() == [t if t[0] not in "=+-@" else "'" + t for t in texts]  # the user's column
    for name, counts in _gpt_counts(texts, app_server.tiktoken_dir).items():
        assert frame[name].tolist() == counts and totals["totals"][name] == sum(counts)
    assert frame["line"].tolist()[60] == 62  # line numbers of the file, blank lines skipped
    assert frame["bytes"].tolist() == [len(t.encode()) for t in texts]
    assert len(table["data"]) == min(len(texts), 500) and f"{sum(ours):,}" in html


def test_batch_reads_a_column_of_jsonl_and_csv(client, kn_model, tmp_path):
    import pandas as pd
    from gradio_client import handle_file

    texts = [KANNADA, "ಕನ್ನಡ, with a comma and \"quotes\"", "ಒಂದು\nಎರಡು"]
    jsonl = tmp_path / "rows.jsonl"
    jsonl.write_text("\n".join(json.dumps({"id": k, "body": t}, ensure_ascii=False) for k, t in enumerate(texts)),
                     encoding="utf-8")
    csv_file = tmp_path / "rows.csv"
    pd.DataFrame({"id": [0, 1, 2], "body": texts}).to_csv(csv_file, index=False)
    for path in (jsonl, csv_file):
        csv_path = client.predict(handle_file(str(path)), "body", "Kannada", api_name="/batch")[2]
        assert pd.read_csv(csv_path)["ours (Kannada)"].tolist() == [len(kn_model.encode_ordinary(t)) for t in texts]


def test_batch_summary_names_empty_lines_and_lines_auto_gave_the_default(space_env, tmp_path):
    """A CSV of a Hindi, a Kannada, an English and an empty row: Auto picks Hindi for one line by its
    script; the English line (no letters of a supported script) and the empty one are named apart,
    though both get the default (Hindi) model too."""
    from space.views.batch import batch

    path = tmp_path / "known.csv"
    path.write_text(f'id,text\n1,"{HINDI}"\n2,"{KANNADA}"\n3,"Hello world, this is English"\n4,""\n5,"  "\n',
                    encoding="utf-8")
    html, _table, _csv, data = list(batch(str(path), "text", AUTO))[-1]
    assert data["models"] == {"hi": 4, "kn": 1} and data["empty"] == 2 and data["no_script"] == 1, data
    note = unescape(html.split("</div>", 1)[0])
    assert "by each line's script (Hindi 1 line, Kannada 1 line)." in note, note
    assert "1 line has no letters of a supported script, so Auto gave it the default model (Hindi)." in note
    assert "2 lines are empty." in note and "Hindi 4 lines" not in note
    html, _table, _csv, data = list(batch(str(path), "text", "Kannada"))[-1]
    note = unescape(html.split("</div>", 1)[0])
    assert "ours: Kannada. 2 lines are empty." in note and "no letters" not in note and data["no_script"] == 0


def test_batch_refuses_bad_files_with_a_message(client, tmp_path):
    from gradio_client import handle_file

    def error(path: Path, column: str = "text") -> str:
        html, _table, csv_path, data = client.predict(handle_file(str(path)), column, AUTO, api_name="/batch")
        assert csv_path is None and "Traceback" not in html
        return data["error"]

    bad = tmp_path / "bad.txt"
    bad.write_bytes(b"ok line\nsecond \xe0\xa4 broken\n")
    assert "bad.txt is not valid UTF-8" in error(bad) and "at byte 15 (line 2)" in error(bad)
    rows = tmp_path / "rows.jsonl"
    rows.write_text('{"text": "a"}\n{"body": "b"}\n', encoding="utf-8")
    assert "line 2 has no 'text' field (it has: body)" in error(rows)
    rows.write_text('{"text": "a"}\nnot json\n', encoding="utf-8")
    assert "line 2 is not JSON" in error(rows)
    table = tmp_path / "t.csv"
    table.write_text("a,b\n1,2\n", encoding="utf-8")
    assert "no column 'text' (columns: a, b)" in error(table)
    empty = tmp_path / "empty.txt"
    empty.write_text("\n \n", encoding="utf-8")
    assert "no text to count" in error(empty)
    assert "Upload a .txt" in client.predict(None, "text", AUTO, api_name="/batch")[3]["error"]


def test_concurrent_requests_are_queued_not_crashed(client, hi_model):
    texts = [HINDI[: 10 + k] for k in range(24)]
    jobs = [client.submit(t, "Hindi", api_name="/tokenize") for t in texts]
    results = [job.result(timeout=120) for job in jobs]
    assert [r[3]["tokens"] for r in results] == [len(hi_model.encode_ordinary(t)) for t in texts]


def test_many_clients_at_once(app_server, hi_model):  # noqa: F811
    from gradio_client import Client

    def one(k: int) -> int:
        c = Client(app_server.url, verbose=False)
        return c.predict(HINDI[:20 + k], "Hindi", api_name="/tokenize")[3]["tokens"]

    with ThreadPoolExecutor(max_workers=8) as pool:
        counts = list(pool.map(one, range(8)))
    assert counts == [len(hi_model.encode_ordinary(HINDI[:20 + k])) for k in range(8)]


def _tracebacks(log: str) -> list[str]:
    """The exception line ending each traceback in a log."""
    out = []
    for block in log.split("Traceback (most recent call last):")[1:]:
        lines = [x for x in block.splitlines() if x.strip()]
        out.append(next((x for x in lines if not x.startswith((" ", "\t"))), lines[-1] if lines else ""))
    return out


def test_server_log_has_no_traceback(app_server):  # noqa: F811
    """No handler failed. Gradio itself logs a traceback for each input its components refuse (the
    out-of-range slider and the .docx upload above): those end in gradio.exceptions.Error."""
    log = Path(app_server.log_path).read_text(encoding="utf-8", errors="replace")
    bugs = [x for x in _tracebacks(log) if not x.startswith("gradio.exceptions.Error: ")]
    assert not bugs, log[-3000:]


# ===== links that share ===============================================================================
def test_share_links_round_trip_and_refuse_junk(space_env):
    import base64
    import zlib
    from urllib.parse import quote

    from space import share

    text = "भारत एक विशाल देश है। " * 200
    packed = share.pack_text(text)
    assert share.unpack_text(packed) == text and len(packed) * 3 < len(quote(text))
    bomb = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    bomb_z = base64.urlsafe_b64encode(bomb.compress(b"a" * 10_000_000) + bomb.flush()).decode().rstrip("=")
    bad_utf8 = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    bad_z = base64.urlsafe_b64encode(bad_utf8.compress(b"\xff\xfe") + bad_utf8.flush()).decode()
    for junk in ("!!!", "AAAA", packed[:-4] + "$$$$", bomb_z, bad_z):
        assert share.unpack_text(junk) is None, junk[:20]
    link = share.parse({"view": "compare", "model": "Hindi", "cmp": "Hindi,GPT-4o, owner/name,Nope,Hindi",
                        "t": "नमस्ते"})
    assert link == {"view": "compare", "model": "Hindi", "cmp": ["Hindi", "GPT-4o", "owner/name"], "text": "नमस्ते"}
    assert share.parse({"z": packed})["text"] == text
    assert share.parse({"view": "evil", "model": "<script>", "t": "x" * 200_001, "cmp": "a/b/c"}) == {}
    assert share.VIEWS[0] == "tokenize" and set(share.TEXT_VIEWS) <= set(share.VIEWS)
