"""The Space: tokenizer/visualize.py, the handlers of app.py, and every view over real HTTP.

The HTTP tests start `python app.py` once for this module (tests/app_server.py) and drive each
event by its api_name with gradio_client, comparing the counts with the library's own.
"""

from __future__ import annotations

import gzip
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

import tokenizer
from tokenizer import visualize as viz
from tokenizer.metrics import boundary_counts, measure

from .app_server import REFTOK, ROOT, app_server  # noqa: F401 - app_server is a fixture

HINDI = "भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं।"
KANNADA = "ಕನ್ನಡ ಕರ್ನಾಟಕ ರಾಜ್ಯದ ಅಧಿಕೃತ ಭಾಷೆ."
AUTO = "Auto (by script)"


def _ours(tok: tokenizer.Tokenizer, text: str) -> list[bytes]:
    return [tok.token_bytes(i) for i in tok.encode_ordinary(text)]


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
        assert hi_small.token_bytes(256) == b"\xe0\xa4"  # the first Hindi merge: a letter's lead bytes
        html = viz.tokens_html(viz.pieces_of(hi_small, [256, 168]))
        assert "&lt;E0 A4&gt;" in html and "&lt;A8&gt;" in html
        assert "\ufffd" not in html
        mixed = viz.token_label_html("न".encode() + b"\xe0\xa4")
        assert mixed.startswith("न") and "&lt;E0 A4&gt;" in mixed

    def test_colours_are_stable_and_distinct_for_neighbours(self):
        assert viz.token_color(1) == "hsl(138,78%,86%)"  # the golden angle: same in every process
        assert viz.token_color(4242) == viz.token_color(4242)
        hues = [viz.token_hue(i) for i in range(300, 310)]
        assert len(set(hues)) == len(hues)
        html = viz.tokens_html([(7, b"a"), (8, b"b"), (7, b"a")])
        assert html.count(viz.token_color(7)) == 2 and html.count(viz.token_color(8)) == 1

    def test_whitespace_is_visible_and_newlines_break(self):
        html = viz.tokens_html([(1, b"a b"), (2, b"\n"), (3, b"\tc")])
        assert "␣" in html and "⇥" in html and "↵" in html and "<br>" in html
        assert viz.token_label_html("\u200d".encode()) == '<span class="itok-ctrl">ZWJ</span>'

    def test_tooltips_give_id_and_bytes(self):
        html = viz.tokens_html([(300, "नम".encode())])
        assert 'title="id 300 · 6 bytes: E0 A4 A8 E0 A4 AE"' in html and 'data-id="300"' in html

    @pytest.mark.parametrize("text", [HINDI, KANNADA, "मैंने आज ChatGPT से पूछा", "कि ि क्ष 👨‍👩‍👧", ""])
    def test_cut_flags_and_summary_agree_with_metrics(self, hi_small, text):
        pieces = _ours(hi_small, text)
        flags = viz.cut_flags(text, pieces)
        if text:
            assert (len(pieces) - 1, sum(flags)) == boundary_counts(text, pieces)
            m = measure([text], lambda line: _ours(hi_small, line), hi_small.vocab_size)
            s = viz.summarize(text, pieces)
            for key in ("tokens", "bytes", "chars", "words", "bytes_per_token", "chars_per_token", "tokens_per_word",
                        "boundaries", "mid_akshara_boundaries", "mid_akshara_rate"):
                assert s[key] == getattr(m, key), key
        else:
            assert viz.summarize(text, pieces)["tokens"] == 0

    def test_cut_marks_a_token_that_starts_with_a_matra(self):
        text = "कि"  # क + ि (a matra)
        html = viz.tokens_html([(1, "क".encode()), (2, "ि".encode())], text)
        assert html.count("itok-cut") == 1 and "starts inside an akshara" in html

    def test_summary_html_shows_every_count(self):
        s = viz.summarize("नमस्ते दुनिया", ["नम".encode(), "स्ते".encode(), " दुनिया".encode()])
        html = viz.summary_html(s)
        for key in ("tokens", "chars", "bytes", "words", "bytes_per_token", "chars_per_token", "tokens_per_word",
                    "mid_akshara_rate"):
            assert f'data-stat="{key}"' in html
        assert '<b>3</b><span>tokens</span>' in html

    def test_chunks_flag_the_matra_problem(self):
        chunks = tokenizer.split("विशाल", "gpt4")
        assert chunks == ["व", "िश", "ाल"]
        assert viz.chunk_flags("विशाल", chunks) == [False, True, True]
        assert viz.chunks_html(chunks).count("itok-broken") == 2
        assert viz.chunks_html(tokenizer.split("विशाल", "indic")).count("itok-broken") == 0

    def test_merge_tree_goes_down_to_bytes(self, hi_small):
        longest = max(hi_small.vocab, key=lambda i: (len(hi_small.vocab[i]), i))
        node = viz.merge_tree(hi_small, longest)
        assert node.id == longest and node.bytes == hi_small.vocab[longest]
        assert b"".join(leaf.bytes for leaf in node.leaves()) == node.bytes
        assert all(len(leaf.bytes) == 1 and leaf.id < 256 for leaf in node.leaves())
        assert node.depth() >= 2
        left, right = node.children
        assert hi_small.merges[left.id, right.id] == longest
        text = viz.tree_text(node)
        assert text.splitlines()[0].startswith(f"{longest} ") and f"= {left.id} + {right.id}" in text
        assert len(text.splitlines()) == 2 * len(node.leaves()) - 1
        html = viz.tree_html(node)
        assert f"merge #{longest - 255}" in html and html.count("<li>") == 2 * len(node.leaves()) - 1
        assert viz.merge_tree(hi_small, 65).children == ()
        with pytest.raises(ValueError):
            viz.merge_tree(hi_small, 10**6)

    def test_pieces_of_any_id_to_bytes_function(self):
        assert viz.pieces_of(lambda i: bytes([i]), [65, 66]) == [(65, b"A"), (66, b"B")]


# ===== app.py handlers, in this process ============================================================
@pytest.fixture(scope="module")
def app_module(app_server):  # noqa: F811
    """app.py imported here, reading the same models as the server."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INDIC_TOKENIZER_MODELS", str(app_server.models_dir))
        if app_server.tiktoken_dir:
            mp.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(app_server.tiktoken_dir))
        import app

        yield app


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


def test_tokenize_handler_time_for_10000_characters(app_module, hi_model):
    app = app_module
    text = _held_out_text("hi", 10_000)
    assert len(text) == 10_000
    app.tokenize("नमस्ते", "Hindi")  # load the model: not part of the per-request time
    times = []
    for k in range(3):
        start = time.perf_counter()
        _html, _summary, _ids, stats = app.tokenize(text if k == 0 else text[k:], "Hindi")
        times.append((time.perf_counter() - start) * 1000)
    assert stats["tokens"] == len(hi_model.encode_ordinary(text[2:]))
    print(f"\ntokenize handler, 10,000 characters ({stats['tokens']:,} tokens): "
          f"first {times[0]:.1f} ms, then {times[1]:.1f} ms, {times[2]:.1f} ms")
    assert times[0] < 1000, "far over the 100 ms budget"


def test_handlers_turn_bugs_into_messages(app_module, monkeypatch):
    app = app_module

    def broken(lang):
        raise RuntimeError("boom")

    monkeypatch.setattr(app, "get_model", broken)
    html, _summary, _ids, stats = app.tokenize(HINDI, AUTO)
    assert "went wrong" in stats["error"] and "Traceback" not in html and "boom" not in html
    assert "went wrong" in app.decode("1 2", "Hindi")[2]
    assert "went wrong" in app.vocabulary("नम", "Hindi")[2]["error"]


def test_missing_model_is_a_clear_message(app_module, monkeypatch, tmp_path):
    monkeypatch.setenv("INDIC_TOKENIZER_MODELS", str(tmp_path))
    stats = app_module.tokenize(HINDI, "Hindi")[3]
    assert "Hindi model is not available" in stats["error"] and "python -m tokenizer train" in stats["error"]
    md, hi, kn = app_module.metrics()
    assert "metrics are missing" in md and hi.empty and kn.empty


def test_auto_picks_the_model_by_script(app_module):
    assert app_module.pick_language(HINDI, AUTO)[0] == "hi"
    assert app_module.pick_language(KANNADA, AUTO)[0] == "kn"
    assert app_module.pick_language("ಕನ್ನಡ और हिंदी ಕನ್ನಡ", AUTO)[0] == "kn"
    assert app_module.pick_language("plain English", AUTO)[0] == "hi"
    assert app_module.pick_language(KANNADA, "Hindi")[0] == "hi"


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
    assert set(endpoints) >= {"/tokenize", "/compare", "/presplit", "/decode", "/vocabulary", "/metrics"}


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
    b, mid = boundary_counts(text, [tok.token_bytes(i) for i in expected])
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


def _rest(url: str, api: str, data: list) -> list:
    """One call through gradio's REST API, with the JSON written by hand (\\ud800 escapes allowed)."""
    import httpx

    with httpx.Client(timeout=60, trust_env=False) as c:
        body = json.dumps({"data": data}, ensure_ascii=True)
        r = c.post(f"{url}/gradio_api/call/{api}", content=body, headers={"Content-Type": "application/json"})
        r.raise_for_status()
        stream = c.get(f"{url}/gradio_api/call/{api}/{r.json()['event_id']}").text
    event, payload = None, None
    for line in stream.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "complete":
            payload = json.loads(line.split(":", 1)[1])
    assert payload is not None, stream[:500]
    return payload


def test_lone_surrogates_are_refused_with_a_message(app_server):  # noqa: F811
    text = "नम\ud800स्ते"
    assert "lone surrogate" in _rest(app_server.url, "tokenize", [text, AUTO])[3]["error"]
    assert "lone surrogate" in _rest(app_server.url, "compare", [text, AUTO])[1]["error"]
    assert "lone surrogate" in _rest(app_server.url, "presplit", [text, AUTO])[1]["error"]
    assert "lone surrogate" in _rest(app_server.url, "vocabulary", ["\udc80", "Hindi"])[2]["error"]


def test_tokenize_at_the_limit_is_accepted(client, hi_model):
    text = ("नमस्ते दुनिया " * 20_000)[:200_000]
    html, _summary, _ids, stats = client.predict(text, "Hindi", api_name="/tokenize")
    assert stats["tokens"] == len(hi_model.encode_ordinary(text))
    assert "more tokens" in html  # only the first tokens are drawn


def test_compare_hello_world(client, hi_model, tiktoken_env):
    html, data = client.predict("hello world", "Hindi", api_name="/compare")
    results = data["results"]
    assert results["Ours (Hindi)"]["tokens"] == len(hi_model.encode_ordinary("hello world"))
    assert results["GPT-4"]["tokens"] == len(tiktoken_env("GPT-4").encode("hello world")) == 2
    assert results["GPT-2"]["tokens"] == 2 and results["GPT-4o"]["tokens"] == 2
    assert html.count('class="itok-col"') == 4


def test_compare_hindi_counts_match_tiktoken(client, hi_model, tiktoken_env):
    html, data = client.predict(HINDI, AUTO, api_name="/compare")
    for name in ("GPT-2", "GPT-4", "GPT-4o"):
        enc = tiktoken_env(name)
        ids = enc.encode_ordinary(HINDI)
        assert data["results"][name]["tokens"] == len(ids), name
        pieces = [enc.decode_single_token_bytes(t) for t in ids]
        assert data["results"][name]["mid_akshara_boundaries"] == boundary_counts(HINDI, pieces)[1]
    assert data["results"]["Ours (Hindi)"]["tokens"] == len(hi_model.encode_ordinary(HINDI))
    # GPT-2 cuts Hindi into pieces of letters: their bytes are shown, never U+FFFD
    assert "&lt;E0" in html and "\ufffd" not in html


def test_compare_says_why_an_encoding_is_unavailable(app_module, monkeypatch, tmp_path):
    monkeypatch.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(tmp_path))  # an empty directory
    app_module._encoding.cache_clear()
    import tokenizer.openai as openai_mod

    openai_mod._load.cache_clear()
    try:
        html, data = app_module.compare(HINDI, AUTO)
    finally:
        app_module._encoding.cache_clear()
        openai_mod._load.cache_clear()
    assert "does not exist" in data["results"]["GPT-4"]["unavailable"]
    assert data["results"]["Ours (Hindi)"]["tokens"] > 0
    assert "does not exist" in html


def test_compare_empty_and_oversized(client):
    assert "Type or paste" in client.predict("", AUTO, api_name="/compare")[1]["message"]
    assert "at most 200,000" in client.predict("x" * 200_001, AUTO, api_name="/compare")[1]["error"]


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
    assert text == "" and "Id 3" in note and "abc" in note and "not a token id" in note
    text, html, note = client.predict("72 99999", "Hindi", api_name="/decode")
    assert "out of range" in note and f"0..{hi_model.vocab_size - 1}" in note
    text, html, note = client.predict("-5", "Hindi", api_name="/decode")
    assert "not a token id" in note
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
    assert sel["bytes"] == hi_model.token_bytes(300).hex(" ").upper()
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


def test_metrics_view(client, app_server):  # noqa: F811
    md, hi_plot, kn_plot = client.predict(api_name="/metrics")
    for lang, plot in (("hi", hi_plot), ("kn", kn_plot)):
        path = app_server.models_dir / f"{lang}.metrics.json"
        if path.is_file():
            m = json.loads(path.read_text(encoding="utf-8"))
            ours = [row for row in plot["data"] if row[2] == "ours"]
            assert [[v, b] for v, b, _ in ours] == [[int(v), float(b)] for v, b in m["curve"]]
            series = {row[2] for row in plot["data"]}
            assert "target 3.2" in series and "GPT-4 (100k vocab)" in series
            assert f"{m['bytes_per_token']:.2f}" in md
        else:
            name = {"hi": "Hindi", "kn": "Kannada"}[lang]
            assert f"The {name} metrics are missing" in md
            assert not plot or not plot.get("data")


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


def test_server_log_has_no_traceback(app_server):  # noqa: F811
    log = Path(app_server.log_path).read_text(encoding="utf-8", errors="replace")
    assert "Traceback" not in log, log[-3000:]
