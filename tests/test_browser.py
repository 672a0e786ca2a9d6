"""The Space in a real browser: headless Debian Chromium driven by Playwright.

Types Hindi into the Tokenize box, waits for the coloured tokens, checks the count on the page
against the library, trains a small model in the Train view and tokenizes with it, and saves
docs/space.png (Tokenize), docs/compare.png (Compare) and docs/train.png (Train). The
screenshots go to docs/ only when INDIC_TOKENIZER_SCREENSHOTS=docs is set (so running the tests
leaves the work tree clean), with real models (not the small ones tests/app_server.py trains when
models/ is empty) and a Devanagari font installed; otherwise to the test's tmp dir.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

import tokenizer
from tokenizer.registry import LANGUAGES, scripts

from .app_server import ROOT, app_server  # noqa: F401 - app_server is a fixture

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
    assert (out / "space.png").stat().st_size > 10_000


def test_user_html_is_shown_as_text_not_run(page):
    hostile = '<img src=x onerror="alert(1)"><script>alert(2)</script> {{7*7}} ${7*7}'
    page.locator("#text-input textarea").fill(hostile)
    page.wait_for_function(
        "() => document.querySelector('#tok-tokens').innerText.includes('{{7*7}}')", timeout=30_000
    )
    text = page.locator("#tok-tokens").inner_text()
    assert "<script>alert(2)</script>" in text.replace("␣", " ")
    assert "49" not in text
    assert page.locator("#tok-tokens img").count() == 0
    assert page.dialogs == []


def test_examples_fill_the_box_and_auto_picks_kannada(page):
    page.get_by_role("button", name="Kannada", exact=True).first.click()
    page.wait_for_selector("text=Kannada model, picked by script", timeout=30_000)
    assert "ಕನ್ನಡ" in page.locator("#text-input textarea").input_value()


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


def test_train_a_model_and_tokenize_with_it(page, app_server, tmp_path):  # noqa: F811
    """Through the Train view once: paste text (or, for the screenshot, the embedded corpus), train,
    see the downloads, then pick the new model in Tokenize and get its ids."""
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
        page.get_by_role("radio", name="Paste text").check()
        page.locator("#train-text textarea").fill(text)
    number = page.locator("#train-size input[type=number]")
    number.fill(str(size))
    number.press("Enter")
    page.locator("#train-go").click()
    page.wait_for_selector("#train-status >> text=Done:", timeout=150_000)
    status = page.locator("#train-status").inner_text()
    assert f"{size:,} tokens" in status and "Mine: " in status
    links = page.locator("#train-files a[href]").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    assert {h.rsplit(".", 1)[-1] for h in links} >= {"model", "vocab", "zip"}, links
    assert "shipped Hindi model" in page.locator("#train-results").inner_text()
    page.wait_for_timeout(800)  # the curve's last redraw
    if screenshot:
        page.screenshot(path=str(out / "train.png"), full_page=True)
    choice = "Mine: " + status.split("“Mine: ", 1)[1].split("”", 1)[0]
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
