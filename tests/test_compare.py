"""tokenizer.compare: every comparison tokenizer behind one interface, loaded as its users load it.

Known answers from ../shared/reftok/SOURCES.md (read through $INDIC_TOKENIZER_LLM_DIR, the same
parsing code as a Hub download), exact round trips, and the Hub's error paths against a fake Hub
(huggingface_hub's functions monkeypatched to serve local bytes or raise its own errors).
"""

from __future__ import annotations

import gzip
import threading
import time
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokenizer import compare
from tokenizer.errors import InvalidIdError
from tokenizer.metrics import measure

from .strategies import SCRIPT_CHARS, WORDS, text as any_text

LLM_DIR = Path(__file__).resolve().parents[2] / "shared" / "reftok" / "llm"
OPENAI_DIR = LLM_DIR.parent / "openai"
HINDI = "भारत एक विशाल देश है।"
KNOWN_COUNTS = {"Gemma 3": 6, "Llama 3": 10, "Llama 4": 7, "Qwen 3": 21, "Mistral Tekken": 8}
KNOWN_VOCAB = {"Gemma 3": 262_145, "Llama 3": 128_256, "Llama 4": 202_048, "Qwen 3": 151_669,
               "Mistral Tekken": 131_072, "GPT-2": 50_257, "GPT-4": 100_277, "GPT-4o": 200_019}
needs_llms = pytest.mark.skipif(not LLM_DIR.is_dir(), reason=f"{LLM_DIR} is absent")


@pytest.fixture
def offline(monkeypatch):
    """The local copies, as the tests and the Space use them offline."""
    monkeypatch.setenv(compare.LLM_DIR_ENV, str(LLM_DIR))
    monkeypatch.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(OPENAI_DIR))


# ----- known answers and round trips ----------------------------------------------------------------
@needs_llms
@pytest.mark.parametrize("name", list(KNOWN_COUNTS))
def test_open_llms_give_the_known_counts_and_the_text_back(offline, name):
    tok = compare.get(name)
    ids = tok.encode(HINDI)
    assert len(ids) == KNOWN_COUNTS[name]
    assert tok.decode(ids) == HINDI
    assert b"".join(tok.pieces(HINDI)) == HINDI.encode()
    assert tok.vocab_size == KNOWN_VOCAB[name] and tok.name == name
    assert str(LLM_DIR) in tok.source


@needs_llms
@pytest.mark.parametrize("name", ["GPT-2", "GPT-4", "GPT-4o"])
def test_gpt_encodings_give_tiktokens_known_answers(offline, name):
    expected = {"GPT-2": [31373, 995], "GPT-4": [15339, 1917], "GPT-4o": [24912, 2375]}[name]
    tok = compare.get(name)
    assert tok.encode("hello world") == expected and tok.decode(expected) == "hello world"
    assert tok.vocab_size == KNOWN_VOCAB[name]


@needs_llms
def test_each_tokenizer_is_loaded_once_and_shared(offline):
    assert compare.get("Gemma 3") is compare.get("Gemma 3")
    results: list[object] = []
    threads = [threading.Thread(target=lambda: results.append(compare.get("Qwen 3"))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(r) for r in results}) == 1


@needs_llms
def test_special_token_text_is_plain_text(offline):
    """No tokenizer turns "<|begin_of_text|>" or "<start_of_turn>" typed in a text into its special id."""
    for name, special in (("Llama 3", "<|begin_of_text|>"), ("Llama 4", "<|eot|>"), ("Gemma 3", "<start_of_turn>"),
                          ("Qwen 3", "<|im_start|>"), ("GPT-4", "<|endoftext|>")):
        tok = compare.get(name)
        ids = tok.encode(special + "hi")
        assert len(ids) > 2, name
        assert tok.decode(ids) == special + "hi"


@needs_llms
def test_tekken_ids_come_after_its_specials(offline):
    tok = compare.get("Mistral Tekken")
    ids = tok.encode(HINDI)
    assert min(ids) >= 1000
    assert tok.decode_tokens_bytes([1, 2]) == [b"<s>", b"</s>"]
    with pytest.raises(InvalidIdError, match="no token 131072"):
        tok.decode_tokens_bytes([131_072])
    for name in ("GPT-4o", "Qwen 3", "Llama 3"):
        other = compare.get(name)
        with pytest.raises(InvalidIdError, match=f"{name} has no token {other.vocab_size + 5}"):
            other.decode_tokens_bytes([1, other.vocab_size + 5])


@needs_llms
@given(st.lists(st.one_of(*(st.sampled_from(chars) for chars in SCRIPT_CHARS.values()), st.sampled_from(WORDS),
                          st.sampled_from([" ", "\n", "।", ",", "7"]), st.characters(min_codepoint=0x21,
                                                                                      max_codepoint=0x7E)),
                max_size=30).map("".join))
def test_round_trips_are_exact(text):
    """decode(encode(text)) == text for every known tokenizer, on NFC text without ▁ (Gemma's space mark)."""
    text = unicodedata.normalize("NFC", text)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(compare.LLM_DIR_ENV, str(LLM_DIR))
        mp.setenv("INDIC_TOKENIZER_TIKTOKEN_DIR", str(OPENAI_DIR))
        for name in compare.KNOWN:
            tok = compare.get(name)
            assert tok.decode(tok.encode(text)) == text, name
            assert b"".join(tok.pieces(text)) == text.encode(), name


@needs_llms
@given(any_text)
def test_pieces_always_add_up_to_the_text(text):
    """Even where a normaliser changes the text (Qwen's NFC), the pieces cover the text exactly."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(compare.LLM_DIR_ENV, str(LLM_DIR))
        for name in ("Qwen 3", "Gemma 3"):
            assert b"".join(compare.get(name).pieces(text)) == text.encode(), name


@needs_llms
def test_metrics_measure_any_of_them(offline, hi_small):
    lines = [HINDI, "यहाँ की संस्कृति"]
    for tok in (compare.get("Llama 3"), compare.ours(hi_small)):
        m = measure(lines, tok.pieces, tok.vocab_size)
        assert m.tokens == sum(len(tok.encode(x)) for x in lines)
        assert m.bytes == sum(len(x.encode()) for x in lines)
    assert compare.ours(hi_small).encode(HINDI) == hi_small.encode_ordinary(HINDI)


def test_unknown_name_and_bad_repo_ids():
    with pytest.raises(ValueError, match="unknown tokenizer 'GPT-5'"):
        compare.get("GPT-5")
    for bad in ("", "no-slash", "a/b/c", "bad repo/x y", "../../etc/passwd"):
        with pytest.raises(compare.Unavailable, match="not a Hub repository id"):
            compare.from_hub(bad)


def test_a_missing_local_copy_is_named(monkeypatch, tmp_path):
    monkeypatch.setenv(compare.LLM_DIR_ENV, str(tmp_path))
    with pytest.raises(compare.Unavailable, match=r"Llama 3 is unavailable: .*llama3_tokenizer.model does not exist"):
        compare.get("Llama 3")
    (tmp_path / "qwen3_tokenizer.json.gz").write_bytes(gzip.compress(b"{not json"))
    with pytest.raises(compare.Unavailable, match="not a valid Hugging Face tokenizer.json"):
        compare.get("Qwen 3")
    (tmp_path / "llama3_tokenizer.model").write_bytes(b"aGk= 0\nnot-a-line\n")
    with pytest.raises(compare.Unavailable, match=r"llama3_tokenizer.model:2: not a tiktoken rank line"):
        compare.get("Llama 3")


# ----- a fake Hub -------------------------------------------------------------------------------------
class FakeHub:
    """huggingface_hub's download functions, serving files from memory or raising its errors."""

    def __init__(self, monkeypatch, home: Path) -> None:
        import huggingface_hub

        self.home = home  # stands for huggingface_hub's own cache
        self.cache_dirs: list[object] = []
        self.files: dict[tuple[str, str], bytes] = {}
        self.errors: dict[str, Exception] = {}
        self.delay = 0.0
        self.downloads: list[str] = []
        self.report_size: int | None = None  # what the metadata says (None: the real size)
        monkeypatch.setattr(huggingface_hub, "hf_hub_url", lambda repo, filename, **kw: f"fake://{repo}/{filename}")
        monkeypatch.setattr(huggingface_hub, "get_hf_file_metadata", self.metadata)
        monkeypatch.setattr(huggingface_hub, "hf_hub_download", self.download)
        monkeypatch.delenv(compare.LLM_DIR_ENV, raising=False)

    @staticmethod
    def http_error(cls, status: int, message: str) -> Exception:
        import httpx2

        response = httpx2.Response(status, request=httpx2.Request("GET", "https://huggingface.co/x"))
        return cls(message, response=response)

    def _find(self, url: str) -> tuple[str, str]:
        rest = url.removeprefix("fake://")
        owner, name, filename = rest.split("/", 2)
        repo = f"{owner}/{name}"
        if repo in self.errors:
            raise self.errors[repo]
        if (repo, filename) not in self.files:
            from huggingface_hub.errors import RemoteEntryNotFoundError

            raise self.http_error(RemoteEntryNotFoundError, 404, f"404 Client Error: Entry Not Found for url {url}")
        return repo, filename

    def metadata(self, url: str, timeout=None, **kw):
        repo, filename = self._find(url)
        size = self.report_size if self.report_size is not None else len(self.files[repo, filename])
        return type("Meta", (), {"size": size})()

    def download(self, repo: str, filename: str, cache_dir=None, **kw) -> str:
        self._find(f"fake://{repo}/{filename}")
        time.sleep(self.delay)
        self.downloads.append(repo)
        self.cache_dirs.append(cache_dir)
        path = Path(cache_dir or self.home) / "snapshot" / filename
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(self.files[repo, filename])
        return str(path)


@pytest.fixture
def hub(monkeypatch, tmp_path):
    compare._CACHE.clear()
    yield FakeHub(monkeypatch, tmp_path / "hf-cache")
    compare._CACHE.clear()


@pytest.fixture(scope="module")
def qwen_json() -> bytes:
    if not LLM_DIR.is_dir():
        pytest.skip(f"{LLM_DIR} is absent")
    return gzip.decompress((LLM_DIR / "qwen3_tokenizer.json.gz").read_bytes())


def test_any_hub_repo_with_a_tokenizer_json(hub, qwen_json):
    hub.files["someone/qwen-copy", "tokenizer.json"] = qwen_json
    tok = compare.from_hub("someone/qwen-copy")
    assert len(tok.encode(HINDI)) == 21 and tok.decode(tok.encode(HINDI)) == HINDI
    assert hub.cache_dirs[0] is not None and not Path(hub.cache_dirs[0]).exists()  # a temporary folder, removed
    assert tok.name == "someone/qwen-copy" and tok.source == "someone/qwen-copy/tokenizer.json"
    assert compare.from_hub(" someone/qwen-copy ") is tok and hub.downloads == ["someone/qwen-copy"]  # cached
    assert compare.load("someone/qwen-copy") is tok


def test_hub_errors_are_one_clear_line(hub):
    from huggingface_hub.errors import GatedRepoError, RepositoryNotFoundError

    hub.errors["google/gated"] = hub.http_error(GatedRepoError, 403, "403 Client Error. Cannot access gated repo")
    hub.errors["nobody/nothing"] = hub.http_error(RepositoryNotFoundError, 404, "404 Client Error. Not Found")
    hub.errors["net/down"] = ConnectionError("Name or service not known")
    hub.files["someone/a-dataset-like-repo", "README.md"] = b"hello"
    hub.files["someone/broken", "tokenizer.json"] = b'{"model": "what"}'
    cases = {
        "google/gated": r"google/gated is gated: accept its licence at https://huggingface.co/google/gated .*login",
        "nobody/nothing": "there is no repository nobody/nothing on the Hugging Face Hub",
        "someone/a-dataset-like-repo": "has no tokenizer.json, so it is not a Hugging Face tokenizers tokenizer",
        "someone/broken": "not a valid Hugging Face tokenizer.json",
        "net/down": r"cannot reach the Hugging Face Hub for net/down/tokenizer.json \(ConnectionError: Name or",
    }
    for repo, message in cases.items():
        with pytest.raises(compare.Unavailable, match=message) as info:
            compare.from_hub(repo)
        assert "\n" not in str(info.value)
    assert compare._CACHE.keys() == []  # failures are not cached: the next try asks again


def test_gated_known_llm_says_how_to_get_access(hub):
    from huggingface_hub.errors import GatedRepoError

    hub.errors[compare.KNOWN["Gemma 3"].repo] = hub.http_error(GatedRepoError, 401, "401 Client Error")
    with pytest.raises(compare.Unavailable, match=r"Gemma 3 is unavailable: google/gemma-3-1b-it is gated: accept its "
                                                  r"licence .* log in"):
        compare.get("Gemma 3")


@needs_llms
def test_known_llms_download_from_the_hub_through_the_same_parser(hub):
    known = compare.KNOWN["Llama 3"]
    hub.files[known.repo, known.filename] = (LLM_DIR / known.local).read_bytes()
    tok = compare.get("Llama 3")
    assert len(tok.encode(HINDI)) == 10 and tok.source == f"{known.repo}/{known.filename}"
    assert hub.cache_dirs == [None]  # a known file goes to huggingface_hub's own cache, kept for next time


def test_size_cap_before_and_after_the_download(hub, qwen_json):
    hub.files["big/repo", "tokenizer.json"] = qwen_json
    small = compare.HubLimits(max_file_bytes=1_000_000)
    with pytest.raises(compare.Unavailable, match=r"big/repo/tokenizer.json is 11.4 MB, over the 1 MB limit"):
        compare.from_hub("big/repo", small)
    assert hub.downloads == []  # refused on the metadata alone
    hub.report_size = 10  # metadata that lies: the file is measured after the download too
    with pytest.raises(compare.Unavailable, match="over the 1 MB limit"):
        compare.from_hub("big/repo", small)


def test_a_slow_download_times_out(hub, qwen_json):
    hub.files["slow/repo", "tokenizer.json"] = qwen_json
    hub.delay = 3.0
    start = time.monotonic()
    with pytest.raises(compare.Unavailable, match=r"took more than 1 s"):
        compare.from_hub("slow/repo", compare.HubLimits(timeout=1.0))
    assert time.monotonic() - start < 2.5
    time.sleep(2.5)  # the download thread ends on its own and frees its slot


def test_the_cache_is_bounded_in_entries_and_bytes(hub, qwen_json, monkeypatch):
    for k in range(4):
        hub.files[f"r/{k}", "tokenizer.json"] = qwen_json
    monkeypatch.setattr(compare._CACHE, "limits", compare.HubLimits(cache_entries=2))
    for k in range(4):
        compare.from_hub(f"r/{k}")
    assert compare._CACHE.keys() == ["hub:r/2", "hub:r/3"]
    monkeypatch.setattr(compare._CACHE, "limits", compare.HubLimits(cache_bytes=len(qwen_json) + 1))
    compare.from_hub("r/0")
    assert compare._CACHE.keys() == ["hub:r/0"]  # bytes: one file fits
    compare.from_hub("r/0")
    assert hub.downloads == ["r/0", "r/1", "r/2", "r/3", "r/0"]
