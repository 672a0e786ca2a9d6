"""The Space in a real browser: headless Debian Chromium driven by Playwright.

Types Hindi into the Tokenize box, waits for the coloured tokens, checks the count on the page
against the library, trains a small model in the Train view and tokenizes with it. Every view is
opened at 1400x1000 and on a phone (390x844): each tab must be findable (no "…" menu), nothing may
stick out sideways outside a box that scrolls, and no two blocks may overlap. Compare picks any
tokenizers, a link restores view, models and text, hovering links a token to its characters and id.

Screenshots: docs/space.png (Tokenize), docs/compare.png (Compare), docs/train.png (Train),
docs/metrics.png, docs/vocabulary.png, docs/phone-*.png, docs/rtl-urdu.png and docs/sinhala.png. They go to docs/ only when
INDIC_TOKENIZER_SCREENSHOTS=docs is set (so running the tests leaves the work tree clean), with real
models (not the small ones tests/app_server.py trains when models/ is empty) and a Devanagari font
installed; otherwise to the test's tmp dir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from urllib.parse import parse_qs, urlparse
from pathlib import Path

import pytest

import tokenizer
from tokenizer.registry import LANGUAGES, scripts

from .app_server import LLM_DIR, ROOT, app_server  # noqa: F401 - app_server is a fixture

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-quic", "--no-first-run",
]
TYPED = "भारत एक विशाल देश है। यहाँ की संस्कृति।"
SCREENSHOT_TEXT = (
    "भारत एक विशाल देश है। यहाँ की संस्कृति, भाषाएँ और परंपराएँ हज़ारों वर्षों में विकसित हुई हैं। "
    "मैंने आज ChatGPT से पूछा कि २०२४ में १,२३,४५६ लोग कहाँ गए।"
)

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent (apt-get install chromium)")



def _leaf_count(node) -> int:
    return 1 if not node.children else sum(_leaf_count(c) for c in node.children)

def _has_devanagari_font() -> bool:
    if not shutil.which("fc-list"):
        return False
    out = subprocess.run(["fc-list", ":lang=hi", "family"], capture_output=True, text=True, check=False).stdout
    return bool(out.strip())


@pytest.fixture(scope="module")
def browser_context(tmp_path_factory):
    sync_api = pytest.importorskip("playwright.sync_api")
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            user_data_dir=str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1280, "height": 900},
            device_scale_factor=1,
        )
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser_context, app_server):  # noqa: F811
    page = browser_context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.dialogs = dialogs
    page.goto(app_server.url, wait_until="domcontentloaded")
    page.wait_for_selector("#tok-tokens .itok-tok", timeout=30_000)  # the default text, on load
    yield page
    page.close()


SIZES = {"desktop": (1400, 1000), "phone": (390, 844)}
# Elements that stick out sideways where nobody can scroll to them: past the viewport, or past an
# ancestor that clips (overflow hidden/clip), with no scrollable box (overflow auto/scroll) between.
OVERFLOW_JS = """() => {
  const W = document.documentElement.clientWidth, bad = [];
  const name = (el) => `${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}.${String(el.getAttribute("class") || "").split(" ")[0]}`;
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
    let a = el.parentElement, why = r.right > W + 1 || r.left < -1 ? "past the viewport" : null;
    while (a && a !== document.body) {
      const ox = getComputedStyle(a).overflowX;
      if (ox === "auto" || ox === "scroll") { why = null; break; }
      if ((ox === "hidden" || ox === "clip") && !why) {
        const ar = a.getBoundingClientRect();
        if (r.right > ar.right + 1 || r.left < ar.left - 1) why = `clipped by ${name(a)}`;
      }
      a = a.parentElement;
    }
    if (why) bad.push(`${name(el)} [${Math.round(r.left)}, ${Math.round(r.right)}] ${why}`);
  }
  return {width: W, scrollWidth: document.documentElement.scrollWidth, bad: bad.slice(0, 10)};
}"""
# Visible gradio blocks (.block) that overlap one another (neither inside the other).
OVERLAP_JS = """() => {
  const blocks = [...document.querySelectorAll(".block")].filter((b) => {
    const r = b.getBoundingClientRect(); return r.width > 0 && r.height > 0 && b.checkVisibility();
  });
  const out = [];
  for (let i = 0; i < blocks.length; i++) for (let j = i + 1; j < blocks.length; j++) {
    const a = blocks[i], b = blocks[j];
    if (a.contains(b) || b.contains(a)) continue;
    const p = a.getBoundingClientRect(), q = b.getBoundingClientRect();
    const w = Math.min(p.right, q.right) - Math.max(p.left, q.left), h = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
    if (w > 2 && h > 2) out.push(`${a.id || a.className.split(" ")[0]} / ${b.id || b.className.split(" ")[0]}`);
  }
  return out;
}"""
# (tab name, a selector that shows the view has drawn)
VIEWS = [
    ("Tokenize", "#tok-tokens .itok-tok"), ("Compare", "#cmp .itok-col .itok-tok"), ("Pre-split", "#split .itok-chunk"),
    ("Decode", "#decode-ids textarea"), ("Vocabulary", "#vocab-list details.itok-match"), ("Train", "#train-go"),
    ("Batch", "#batch-go"), ("Metrics", "#metrics-md table"), ("About", "text=Why Indian languages need their own"),
]


def _shown_count(page) -> str:
    return page.locator('#tok-summary [data-stat="tokens"] b').inner_text()


def _wait_for_count(page, expected: int) -> None:
    page.wait_for_function(
        "n => { const b = document.querySelector('#tok-summary [data-stat=\"tokens\"] b');"
        " return b && b.textContent === n; }",
        arg=f"{expected:,}",
        timeout=30_000,
    )


def _choose(page, elem_id: str, option: str) -> None:
    """Pick an option of a gradio Dropdown."""
    page.locator(f"#{elem_id} input").first.click()
    page.get_by_role("option", name=option, exact=True).first.click()


def _out_dir(tmp_path: Path, server) -> Path:
    """docs/ when asked, for real models and a Devanagari font; otherwise the test's own directory."""
    asked = os.environ.get("INDIC_TOKENIZER_SCREENSHOTS") == "docs"
    if asked and _has_devanagari_font() and not server.small_test_models:
        out = ROOT / "docs"
        out.mkdir(exist_ok=True)
        return out
    return tmp_path


def test_typing_hindi_shows_tokens_and_the_library_count(page, app_server, tmp_path):  # noqa: F811
    tok = tokenizer.load(app_server.models_dir / "hi.model")
    box = page.locator("#text-input textarea")
    box.fill("")
    box.press_sequentially(TYPED, delay=5)  # one change event per character: always_last keeps up
    _choose(page, "model-choice", "Hindi")
    expected = len(tok.encode_ordinary(TYPED))
    _wait_for_count(page, expected)
    assert page.locator("#tok-tokens .itok-tok").count() == expected
    assert page.locator("#text-input textarea").input_value() == TYPED
    ids = page.locator("#tok-tokens .itok-tok").evaluate_all("els => els.map(e => Number(e.dataset.id))")
    assert ids == tok.encode_ordinary(TYPED)
    assert "Traceback" not in page.content()

    # the screenshots, with a slightly longer text
    _choose(page, "model-choice", "Auto (by script)")
    box.fill(SCREENSHOT_TEXT)
    _wait_for_count(page, len(tok.encode_ordinary(SCREENSHOT_TEXT)))
    page.wait_for_timeout(500)  # let the other views' requests settle
    out = _out_dir(tmp_path, app_server)
    page.screenshot(path=str(out / "space.png"), full_page=True)
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_selector("#cmp .itok-col .itok-tok", timeout=30_000)
    page.wait_for_timeout(300)
    page.screenshot(path=str(out / "compare.png"), full_page=True)
    tops = page.locator("#cmp .itok-col .itok-tokens").evaluate_all(
        "els => els.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(tops) >= 2 and len(set(tops)) == 1, tops  # Auto's long note does not push its column's tokens down
    assert page.locator("#cmp").inner_text().count("Point at (or tap)") == 1
    assert (out / "space.png").stat().st_size > 10_000


def test_user_html_is_shown_as_text_not_run(page):
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> {{7*7}} ${7*7}'
    page.locator("#text-input textarea").fill(hostile)
    page.wait_for_function(
        "() => document.querySelector('#tok-tokens').innerText.includes('{{7*7}}')", timeout=30_000
    )
    text = page.locator("#tok-tokens .itok-tokens").inner_text()
    assert "<script>alert(2)</script>" in text.replace("␣", " ")
    assert "49" not in text  # {{7*7}} was not evaluated (the ids strip below has numbers of its own)
    assert page.locator("#tok-tokens .itok-chars").inner_text() == hostile
    assert page.locator("#tok-tokens img").count() == 0
    assert page.dialogs == []


def test_an_example_sets_its_languages_model_in_every_text_view(page, app_server):  # noqa: F811
    """The Marathi example (Devanagari, which Auto gives the Hindi model) fills the box and picks the
    Marathi model in Tokenize, Pre-split and Compare's column of ours (Kannada with the small test models)."""
    lang = LANGUAGES["mr" if (app_server.models_dir / LANGUAGES["mr"].model).is_file() else "kn"]
    page.get_by_role("button", name=lang.name, exact=True).first.click()
    page.wait_for_selector(f"#tok-summary >> text={lang.name} model ·", timeout=30_000)
    assert page.locator("#text-input textarea").input_value() == lang.examples[0]
    assert page.locator("#model-choice input").first.input_value() == lang.name
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_function("n => document.querySelector('#cmp .itok-col-head b')?.textContent === n",
                           arg=f"Ours: {lang.name}", timeout=30_000)
    page.get_by_role("tab", name="Pre-split").click()
    page.wait_for_selector(f"#split .itok-col-head >> text=Ours ({lang.name}:", timeout=30_000)


def test_other_views_render(page):
    page.get_by_role("tab", name="Pre-split").click()
    page.wait_for_selector("#split .itok-chunk", timeout=30_000)
    assert page.locator("#split .itok-broken").count() > 0  # GPT-4's regex cuts the default Hindi text
    page.get_by_role("tab", name="Vocabulary").click()
    page.locator("#vocab-query input, #vocab-query textarea").first.fill("300")
    page.wait_for_selector("text=merge #45", timeout=30_000)
    assert not page.locator("#text-input").is_visible()  # the text box belongs to the text views
    page.get_by_role("tab", name="Metrics").click()
    page.wait_for_timeout(500)
    assert "Traceback" not in page.content()


def _x_ticks(page) -> list[float]:
    """The live curve's x tick labels, as numbers (a point scale of labels would not be in order)."""
    return [float(t.replace(",", "")) for t in page.locator("#train-curve .itok-xtick").all_text_contents()]


# The Train view on a phone: the chart's tick labels drawn at 9 px or more, the download names whole
# (not cut short), the chosen recipe's text stopping short of the dropdown's arrow.
PHONE_TRAIN_JS = """() => {
  const svg = document.querySelector("#train-curve svg.itok-chart"), tick = svg.querySelector(".itok-xtick");
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  const stems = [...document.querySelectorAll("#train-files .stem")];
  const input = document.querySelector("#train-recipe input");
  const arrow = document.querySelector("#train-recipe .icon-wrap");
  const textEnd = input.getBoundingClientRect().right - parseFloat(getComputedStyle(input).paddingRight);
  return {tick_px: scale * parseFloat(getComputedStyle(tick).fontSize) >= 9,
          names_whole: stems.length > 0 && stems.every((e) => e.scrollWidth <= e.clientWidth),
          text_clear_of_arrow: textEnd <= arrow.getBoundingClientRect().left + 1};
}"""


def test_train_a_model_and_tokenize_with_it(page, app_server, tmp_path):  # noqa: F811
    """Through the Train view: paste text (the source follows; or, for the screenshot, the embedded
    corpus), train, watch a numeric curve, see the downloads, train again and keep the first model's
    downloads, then pick the new model in Tokenize and get its ids."""
    import gzip

    out = _out_dir(tmp_path, app_server)
    screenshot = out != tmp_path
    page.get_by_role("tab", name="Train").click()
    if screenshot:
        size = 2000
    else:
        size = 400
        with gzip.open(ROOT / "data" / "hi.txt.gz", "rt", encoding="utf-8") as f:
            text = "\n".join(f.read().splitlines()[:300])
        page.locator("#train-text textarea").fill(text)
        page.wait_for_function("() => document.querySelector('#train-source input[value=\"Paste text\"]').checked",
                               timeout=10_000)  # the source followed the text
    number = page.locator("#train-size input[type=number]")
    number.fill(str(size))
    number.press("Enter")
    page.locator("#train-go").click()
    page.wait_for_selector("#train-curve svg.itok-chart", timeout=60_000)
    ticks = _x_ticks(page)  # numbers in order over the planned vocabulary from the first frame
    assert ticks == sorted(ticks) and len(ticks) >= 3 and ticks[0] >= 257 and ticks[-1] <= size, ticks
    page.wait_for_selector("#train-status >> text=Done:", timeout=150_000)
    chart = page.locator("#train-curve svg.itok-chart")
    assert f"x from 257 to {size:,}" in chart.get_attribute("aria-label")
    legend = page.locator("#train-curve .itok-legend span").all_text_contents()
    assert any(x.startswith("yours") for x in legend) and any(x.startswith("shipped Hindi") for x in legend), legend
    yours = page.locator("#train-curve polyline[data-series^='yours']").get_attribute("points").split()
    assert len(yours) >= 2 and page.locator("#train-curve polyline").count() >= 3
    status = page.locator("#train-status").inner_text()
    assert f"{size:,} tokens" in status and "Mine: " in status
    links = page.locator("#train-files a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert {h.rsplit(".", 1)[-1] for h in links} >= {"model", "vocab", "zip"}, links
    assert "shipped Hindi model" in page.locator("#train-results").inner_text()
    if screenshot:
        page.screenshot(path=str(out / "train.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})  # a phone: the view stays readable
    page.wait_for_timeout(300)
    assert page.evaluate(PHONE_TRAIN_JS) == {"tick_px": True, "names_whole": True, "text_clear_of_arrow": True}
    page.set_viewport_size({"width": 1280, "height": 900})
    choice = "Mine: " + status.split("“Mine: ", 1)[1].split("”", 1)[0]
    if not screenshot:  # a second, tiny model: the first one's downloads stay
        number.fill("260")
        number.press("Enter")
        page.locator("#train-go").click()
        page.wait_for_function("() => document.querySelectorAll('#train-files a[href]').length >= 6", timeout=120_000)
        names = page.locator("#train-files a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
        assert sum(choice.removeprefix("Mine: ") in n for n in names) == 3, names
    page.get_by_role("tab", name="Tokenize").click()
    _choose(page, "model-choice", choice)
    page.wait_for_selector("#tok-summary >> text=your model", timeout=30_000)
    ids = page.locator("#tok-tokens .itok-tok").evaluate_all("els => els.map(e => Number(e.dataset.id))")
    assert ids and max(ids) < size
    assert "Traceback" not in page.content()


def _script_examples() -> list[tuple[str, str]]:
    """(language code, its first example) for the default language of every registry script."""
    return [(langs[0].code, langs[0].examples[0]) for langs in scripts().values() if langs[0].examples]


@pytest.mark.parametrize(("code", "example"), _script_examples(), ids=[c for c, _ in _script_examples()])
def test_auto_tokenizes_every_script_like_the_library(page, app_server, code, example):  # noqa: F811
    """Each script's example typed in, Auto chooses that script's language: the ids shown are the library's."""
    path = app_server.models_dir / f"{LANGUAGES[code].model}"
    if not path.is_file():
        pytest.skip(f"no {path.name} in the test models")
    tok = tokenizer.load(path)
    _choose(page, "model-choice", "Auto (by script)")
    page.locator("#text-input textarea").fill(example)
    expected = tok.encode_ordinary(example)
    _wait_for_count(page, len(expected))
    ids = page.locator("#tok-tokens .itok-tok").evaluate_all("els => els.map(e => Number(e.dataset.id))")
    assert ids == expected
    assert f"{LANGUAGES[code].name} model" in page.locator("#tok-summary").inner_text() + page.content()


@pytest.mark.parametrize("size", list(SIZES))
def test_every_view_fits_at_desktop_and_phone_size(page, app_server, tmp_path, size):  # noqa: F811
    """Each tab is in view (none hidden behind a menu); no view sticks out sideways outside a scrolling
    box; no two blocks overlap."""
    width, height = SIZES[size]
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_timeout(300)
    out = _out_dir(tmp_path, app_server)
    tabs = page.get_by_role("tab")
    names = [t.strip() for t in tabs.all_inner_texts()]
    assert names == [name for name, _ in VIEWS], names
    for name, ready in VIEWS:
        tab = page.get_by_role("tab", name=name, exact=True)
        box = tab.bounding_box()
        assert tab.is_visible() and box and 0 <= box["x"] and box["x"] + box["width"] <= width + 1, (name, box)
        tab.click()
        page.wait_for_selector(f"{ready}" if ready.startswith("text=") else ready, timeout=30_000)
        page.wait_for_timeout(400 if name != "Metrics" else 1200)
        overflow = page.evaluate(OVERFLOW_JS)
        assert not overflow["bad"] and overflow["scrollWidth"] <= width, (name, size, overflow)
        assert page.evaluate(OVERLAP_JS) == [], (name, size)
        if size == "phone" and name in ("Compare", "Metrics", "Vocabulary") and out != tmp_path:
            page.screenshot(path=str(out / f"phone-{name.lower()}.png"), full_page=True)
        elif size == "desktop" and name in ("Metrics", "Vocabulary") and out != tmp_path:
            page.screenshot(path=str(out / f"{name.lower()}.png"), full_page=True)
    assert "Traceback" not in page.content()


def _picks(page) -> list[str]:
    return [t.strip() for t in page.locator("#cmp-pick .token span, #cmp-pick .token").all_inner_texts() if t.strip()]


def test_compare_any_tokenizers_and_share_the_link(page, app_server):  # noqa: F811
    """Choose Hindi, Marathi and Qwen 3 in Compare: columns with the library's ids. The address then
    holds view, picks and text; opening it in a new page restores all three."""
    from space.share import pack_text, unpack_text
    from tokenizer import compare as others

    if not LLM_DIR.is_dir():
        pytest.skip(f"{LLM_DIR} is absent")
    text = "भारत एक विशाल देश है।"
    page.locator("#text-input textarea").fill(text)
    page.get_by_role("tab", name="Compare").click()
    page.locator("#cmp-pick .remove-all").click()
    for name in ("Hindi", "Marathi", "Qwen 3"):
        page.locator("#cmp-pick input").first.click()
        page.get_by_role("option", name=name, exact=True).first.click()
    page.keyboard.press("Escape")
    page.wait_for_function("() => document.querySelectorAll('#cmp .itok-col').length === 3", timeout=30_000)
    heads = page.locator("#cmp .itok-col-head b").all_inner_texts()
    assert heads == ["Ours: Hindi", "Ours: Marathi", "Qwen 3"], heads
    qwen = page.locator("#cmp .itok-col").nth(2).locator(".itok-tokens .itok-tok").evaluate_all(
        "els => els.map(e => Number(e.dataset.id))")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(others.LLM_DIR_ENV, str(LLM_DIR))
        assert qwen == others.get("Qwen 3").encode(text)
    page.wait_for_function("() => location.search.includes('cmp=')", timeout=10_000)
    query = parse_qs(urlparse(page.url).query)
    assert query["view"] == ["compare"] and query["cmp"] == ["Hindi,Marathi,Qwen 3"] and query["t"] == [text]

    # the link restores the view, the picks and the text; a long text travels deflated (z=)
    long_text = (text + " ") * 80
    other = page.context.new_page()
    try:
        other.goto(f"{app_server.url}/?view=compare&cmp=Kannada,GPT-4o&z={pack_text(long_text)}")
        other.wait_for_function("() => document.querySelectorAll('#cmp .itok-col').length === 2", timeout=30_000)
        assert other.locator("#text-input textarea").input_value() == long_text
        assert other.get_by_role("tab", name="Compare").get_attribute("aria-selected") == "true"
        assert other.locator("#cmp .itok-col-head b").all_inner_texts() == ["Ours: Kannada", "GPT-4o"]
        other.locator("#text-input textarea").fill(long_text + "x")
        deadline = time.monotonic() + 10
        while unpack_text(parse_qs(urlparse(other.url).query).get("z", [""])[0]) != long_text + "x":
            assert time.monotonic() < deadline, other.url
            other.wait_for_timeout(100)
        other.locator("#copy-link").click()
        other.wait_for_selector("#share-note a", timeout=10_000)
        assert other.locator("#share-note a").get_attribute("href") == other.url
    finally:
        other.close()


def test_hovering_links_a_token_to_its_characters_and_id(page, app_server):  # noqa: F811
    tok = tokenizer.load(app_server.models_dir / "hi.model")
    page.locator("#text-input textarea").fill(TYPED)
    _choose(page, "model-choice", "Hindi")
    _wait_for_count(page, len(tok.encode_ordinary(TYPED)))
    ids = tok.encode_ordinary(TYPED)
    token = page.locator("#tok-tokens .itok-tokens .itok-tok").nth(2)
    token.hover()
    lit = page.locator("#tok-tokens .itok-hl")
    assert lit.count() == 3  # the token, its characters, its id
    assert page.locator("#tok-tokens .itok-idlist .itok-hl").inner_text() == str(ids[2])
    chars = page.locator("#tok-tokens .itok-chars .itok-hl").inner_text()
    assert chars == tok.decode([ids[2]])
    assert f"id {ids[2]}" in page.locator("#tok-tokens .itok-info").inner_text()
    page.locator("#tok-tokens .itok-idlist [data-i='4']").hover()  # and the other way round
    assert page.locator("#tok-tokens .itok-tokens .itok-hl").get_attribute("data-id") == str(ids[4])
    page.locator("#ids-inline input").check()
    after = page.locator("#tok-tokens .itok-tokens .itok-tok").first.evaluate(
        "e => getComputedStyle(e, '::after').content")
    assert after == f'"{ids[0]}"'


def test_every_vocabulary_match_opens_and_deep_trees_stay_readable(page, app_server):  # noqa: F811
    tok = tokenizer.load(app_server.models_dir / "hi.model")
    page.get_by_role("tab", name="Vocabulary").click()
    _choose(page, "vocab-model", "Hindi")
    page.locator("#vocab-query input, #vocab-query textarea").first.fill("र")
    page.wait_for_function("() => document.querySelectorAll('#vocab-list details.itok-match').length > 5",
                           timeout=30_000)
    items = page.locator("#vocab-list details.itok-match")
    assert items.nth(0).get_attribute("open") is not None and items.nth(3).get_attribute("open") is None
    items.nth(3).locator("> summary").click()
    assert items.nth(3).get_attribute("open") is not None
    assert "Merge tree" in items.nth(3).inner_text()
    # the deepest token of the model: every level open, the deepest boxes as large as the top one
    from tokenizer import visualize as viz

    deepest = max(range(256, tok.vocab_size - 1), key=lambda i: viz.merge_tree(tok, i).depth())
    page.locator("#vocab-query input, #vocab-query textarea").first.fill(str(deepest))
    page.wait_for_selector(f"#vocab-detail .itok-tree [data-id='{deepest}']", timeout=30_000)
    closed = page.locator("#vocab-detail .itok-tree details:not([open]) > summary")
    closed.evaluate_all("els => els.forEach(e => e.click())")
    page.wait_for_timeout(300)
    sizes = page.locator("#vocab-detail .itok-tree .itok-tok").evaluate_all(
        "els => els.map(e => parseFloat(getComputedStyle(e).fontSize))")
    assert len(sizes) == 2 * _leaf_count(viz.merge_tree(tok, deepest)) - 1
    assert min(sizes) == max(sizes) >= 14, sizes


# The words of the given elements broken across two lines (a break after a hyphen is fine).
BROKEN_WORDS_JS = """(els) => els.flatMap((el) => {
  const out = [], walk = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  for (let node = walk.nextNode(); node; node = walk.nextNode()) {
    for (const m of node.data.matchAll(/[^\\s-]+/g)) {
      const range = document.createRange();
      range.setStart(node, m.index);
      range.setEnd(node, m.index + m[0].length);
      if (range.getClientRects().length > 1) out.push(m[0]);
    }
  }
  return out;
})"""


def test_metrics_chart_first_distinct_colours_whole_words(page, app_server):  # noqa: F811
    """The chart comes first, a colour per language; the headline table fits a laptop's screen (its
    headers wrap between words, never inside one) and on a phone scrolls with its language column
    kept in view."""
    page.set_viewport_size({"width": 1366, "height": 900})
    page.get_by_role("tab", name="Metrics").click()
    page.wait_for_selector("#metrics-md table", timeout=30_000)
    page.wait_for_timeout(800)
    plot_top = page.locator("#metrics-plot").bounding_box()["y"]
    table_top = page.locator("#metrics-md table").first.bounding_box()["y"]
    assert plot_top < table_top  # the chart comes first
    colours = page.locator("#metrics-legend i").evaluate_all("els => els.map(e => getComputedStyle(e).backgroundColor)")
    assert len(colours) == len(LANGUAGES) + 1 and len(set(colours)) == len(colours)  # + the target line
    assert page.locator("#metrics-md th").evaluate_all(BROKEN_WORDS_JS) == []
    table = page.locator("#metrics-md table").first
    assert table.evaluate("t => t.scrollWidth <= t.clientWidth"), table.evaluate("t => [t.scrollWidth, t.clientWidth]")
    details = page.locator("#metrics-md details")
    assert details.count() >= 2 and all(d.get_attribute("open") is None for d in details.all())  # collapsed
    page.set_viewport_size({"width": 390, "height": 844})
    table.scroll_into_view_if_needed()
    language = table.locator("tbody td").first
    left = language.bounding_box()["x"]
    assert table.evaluate("t => { t.scrollLeft = 300; return t.scrollLeft; }") > 0
    assert abs(language.bounding_box()["x"] - left) < 1  # the language column stays in view


URDU = "اردو پاکستان کی قومی زبان ہے۔ انتہاپسندانہ خیالات کی حوصلہ شکنی ضروری ہے۔"
# The visible strips of token (or chunk) boxes that match a selector: how many rows the most wrapped
# one has, and boxes of one row that cover the row above, or stick out of their strip (Nastaliq's
# letters stand taller than an Indic strip's lines). Each line's piece of a box is measured apart.
ROWS_JS = """(sel) => {
  const out = {rows: 0, bad: []};
  for (const strip of document.querySelectorAll(sel)) {
    if (!strip.checkVisibility()) continue;
    const s = strip.getBoundingClientRect();
    const boxes = [...strip.querySelectorAll(".itok-tok, .itok-chunk")].flatMap((e) => [...e.getClientRects()]);
    const tops = [...new Set(boxes.map((r) => Math.round(r.top)))].sort((a, b) => a - b);
    out.rows = Math.max(out.rows, tops.filter((t, k) => k === 0 || t > tops[k - 1] + 5).length);
    for (const a of boxes) {
      if (a.top < s.top - 1 || a.bottom > s.bottom + 1) out.bad.push(`box ${a.top}-${a.bottom} outside the strip`);
      for (const b of boxes) {
        if (b.top > a.top + a.height / 2 && b.top < a.bottom - 1) out.bad.push(`row at ${b.top} over ${a.bottom}`);
      }
    }
  }
  return out;
}"""


def test_right_to_left_urdu_and_sinhala(page, app_server, tmp_path):  # noqa: F811
    """Urdu reads right to left in Tokenize, Pre-split and Compare, in its own font, and a token cut out
    of a word keeps its joining forms (a ZWJ each side of every such cut); Sinhala's conjuncts with
    ZWJ stay inside their tokens. Both give the library's ids. Screenshots: docs/rtl-urdu.png, docs/sinhala.png."""
    out = _out_dir(tmp_path, app_server)
    path = app_server.models_dir / LANGUAGES["ur"].model
    if not path.is_file():
        pytest.skip("no Urdu model in the test models")
    tok = tokenizer.load(path)
    _choose(page, "model-choice", "Auto (by script)")
    page.locator("#text-input textarea").fill(URDU)
    expected = tok.encode_ordinary(URDU)
    _wait_for_count(page, len(expected))
    strip = page.locator("#tok-tokens .itok-tokens")
    assert strip.get_attribute("dir") == "rtl" and strip.get_attribute("lang") == "ur"
    assert strip.evaluate("e => getComputedStyle(e).direction") == "rtl"
    assert "Nastaliq" in strip.evaluate("e => getComputedStyle(e).fontFamily")
    spans = page.locator("#tok-tokens .itok-tokens .itok-tok")
    assert spans.evaluate_all("els => els.map(e => Number(e.dataset.id))") == expected
    first, last = spans.first.bounding_box(), spans.nth(len(expected) - 1).bounding_box()
    assert first["x"] > last["x"] or first["y"] < last["y"]  # the first token is on the right (or above)
    assert page.evaluate(ROWS_JS, "#tok-tokens .itok-tokens")["bad"] == []  # the boxes fit their lines
    from tokenizer.visualize import joined_cuts

    cuts = sum(joined_cuts(tok.decode_tokens_bytes(expected)))
    assert cuts > 0 and strip.evaluate("e => (e.textContent.match(/\\u200d/g) || []).length") == 2 * cuts
    box = page.locator("#text-input textarea")
    assert box.evaluate("e => getComputedStyle(e).unicodeBidi") == "plaintext"
    page.screenshot(path=str(out / "rtl-urdu.png"), full_page=True)
    page.get_by_role("tab", name="Pre-split").click()
    page.wait_for_selector("#split .itok-chunks[dir='rtl']", timeout=30_000)
    rows = page.evaluate(ROWS_JS, "#split .itok-chunks")
    assert rows["rows"] >= 2 and rows["bad"] == [], rows  # wrapped rows of chunks clear one another
    page.get_by_role("tab", name="Compare").click()
    page.wait_for_selector("#cmp .itok-col .itok-tokens[dir='rtl']", timeout=30_000)
    rows = page.evaluate(ROWS_JS, "#cmp .itok-tokens")
    assert rows["rows"] >= 2 and rows["bad"] == [], rows  # and of tokens
    page.get_by_role("tab", name="Tokenize").click()

    si = tokenizer.load(app_server.models_dir / LANGUAGES["si"].model)
    text = LANGUAGES["si"].examples[0]
    page.locator("#text-input textarea").fill(text)
    expected = si.encode_ordinary(text)
    _wait_for_count(page, len(expected))
    strip = page.locator("#tok-tokens .itok-tokens")
    assert strip.get_attribute("dir") == "ltr" and strip.get_attribute("lang") == "si"
    assert strip.locator(".itok-tok").evaluate_all("els => els.map(e => Number(e.dataset.id))") == expected
    assert "ශ්\u200dරී" in "".join(p.decode("utf-8", "ignore") for p in si.decode_tokens_bytes(expected))
    page.screenshot(path=str(out / "sinhala.png"), full_page=True)
    assert "Traceback" not in page.content()


# Where the text of each Batch table cell that holds one of the given texts sits: its font, and the
# distances from the cell's left and right edges to the text itself (a Range around it).
CELL_TEXT_JS = """(texts) => {
  const out = {};
  for (const span of document.querySelectorAll("#batch-table .cell-wrap > span")) {
    const text = span.textContent.trim();
    if (!texts.includes(text)) continue;
    const range = document.createRange();
    range.selectNodeContents(span);
    const r = range.getBoundingClientRect(), c = span.parentElement.getBoundingClientRect();
    out[text] = {font: getComputedStyle(span).fontFamily, left: r.left - c.left, right: c.right - r.right};
  }
  return out;
}"""


def test_batch_table_shows_each_line_in_the_page_font_and_its_direction(page, tmp_path):
    """The per-line table draws text in the page's font, not monospace (which shows Urdu letters
    unjoined), and a right-to-left line lines up on the right of its cell, a left-to-right one on the left."""
    path = tmp_path / "lines.csv"
    path.write_text(f'text\n"{TYPED}"\n"{URDU}"\n', encoding="utf-8")
    page.get_by_role("tab", name="Batch").click()
    page.locator("#batch-file input[type=file]").set_input_files(str(path))
    page.wait_for_selector("#batch-file >> text=lines.csv", timeout=10_000)
    _choose(page, "batch-model", "Hindi")  # one model: the test models need not have Urdu's
    page.locator("#batch-go").click()
    page.wait_for_selector("#batch-csv a[href]", timeout=60_000)
    cells = page.evaluate(CELL_TEXT_JS, [TYPED, URDU])
    assert set(cells) == {TYPED, URDU}, cells
    assert all("mono" not in c["font"].lower() for c in cells.values()), cells
    assert cells[TYPED]["left"] < 16 < cells[TYPED]["right"], cells
    assert cells[URDU]["right"] < 16 < cells[URDU]["left"], cells
