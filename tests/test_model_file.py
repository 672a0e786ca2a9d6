"""The model file format: round trip, checksum, shipped models by name, atomic writes without
litter, and errors naming file and line."""

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

import tokenizer
from tokenizer.files import TEMP_SUFFIX, remove_stale_temps, write_atomic
from tokenizer.registry import LANGUAGES, RELEASES
from tokenizer.model_file import (
    ModelFileError,
    available,
    checksum,
    dumps,
    load,
    loads,
    models_dir,
    releases,
    vocab_listing,
)

from .conftest import ROOT

# The last commit whose shipped models are in format v1 (before the checksum line).
V1_COMMIT = "316483091831ad1d12a15cdea66d43a57c190f1d"


@pytest.fixture
def model_text(hi_small) -> str:
    return dumps(hi_small)


def test_round_trip(hi_small, tmp_path):
    path = tmp_path / "hi.model"
    tokenizer.save(hi_small, path)
    tok = load(path)
    assert tok.merges == hi_small.merges
    assert tok.special_tokens == hi_small.special_tokens
    assert tok.pattern == hi_small.pattern
    assert tok.name == "hi-small"
    vocab = (tmp_path / "hi.vocab").read_text(encoding="utf-8").splitlines()
    assert len(vocab) == 1 + hi_small.vocab_size
    assert vocab[1 + 256].startswith("256\t")
    assert not [p for p in os.listdir(tmp_path) if p.endswith(".tmp")]


def test_human_readable_header(model_text):
    lines = model_text.splitlines()
    assert lines[0] == "indicbpe v2"
    assert lines[1] == "name: hi-small"
    assert lines[2] == "pattern: indic-phrases"
    assert lines[4] == "special: <|endoftext|> 999"
    assert lines[5].startswith("checksum: sha256:") and len(lines[5]) == len("checksum: sha256:") + 64
    assert lines[6] == "merges: 743"


def _err(text: str | bytes, tmp_path, name="m.model") -> str:
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    with pytest.raises(ModelFileError) as e:
        load(path)
    return str(e.value)


def test_missing_file(tmp_path):
    with pytest.raises(ModelFileError, match="no such model file"):
        load(tmp_path / "nope.model")


def test_empty(tmp_path):
    assert _err("", tmp_path).endswith("m.model:1: empty file; expected the header 'indicbpe v2'")


def test_wrong_magic_and_version(model_text, tmp_path):
    assert "m.model:1: not a model file" in _err("hello\n", tmp_path)
    msg = _err(model_text.replace("indicbpe v2", "indicbpe v3"), tmp_path)
    assert "m.model:1: unsupported format version 'v3'; this library reads v1 and v2" in msg


def test_truncated(model_text, tmp_path):
    lines = model_text.splitlines()
    msg = _err("\n".join(lines[:100]) + "\n", tmp_path)
    assert "m.model:101: file ends after 93 of 743 merges (truncated?)" in msg
    assert "ends before the 'merges:' line" in _err("\n".join(lines[:3]), tmp_path)


def test_bad_merge_lines(model_text, tmp_path):
    lines = model_text.splitlines()
    bad = lines.copy()
    bad[10] = "12 x"
    assert "m.model:11: expected two token ids" in _err("\n".join(bad), tmp_path)
    bad = lines.copy()
    bad[10] = "5000 1"
    assert "m.model:11: merge 5000 + 1 uses an id that does not exist yet" in _err("\n".join(bad), tmp_path)
    bad = lines.copy()
    bad[10] = bad[9]
    assert "m.model:11: duplicate merge" in _err("\n".join(bad), tmp_path)
    bad = lines.copy()
    bad.append("1 2")
    assert f"m.model:{len(lines) + 1}: unexpected line after the 743 merges" in _err("\n".join(bad), tmp_path)


def test_non_utf8(model_text, tmp_path):
    raw = model_text.encode().replace(b"name: hi-small", b"name: hi\xff")
    assert "m.model:2: not valid UTF-8" in _err(raw, tmp_path)


def test_bad_header(model_text, tmp_path):
    assert "m.model:2: unknown header field 'colour'" in _err(model_text.replace("name:", "colour:"), tmp_path)
    twice = model_text.replace("pattern: ", "name: again\npattern: ", 1)
    assert "m.model:3: header field 'name' is listed twice (first at line 2)" in _err(twice, tmp_path)
    assert "m.model:5: special token id 3 collides" in _err(model_text.replace("<|endoftext|> 999", "<|endoftext|> 3"), tmp_path)
    assert "the regex does not compile" in _err(model_text.replace('regex: "', 'regex: "(', 1), tmp_path)


def test_release_line(hi_small, model_text, tmp_path):
    """A release after the first is written after the name, read back, and not in the checksum."""
    tok = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, hi_small.special_tokens, name="hi-small", release=3)
    text = dumps(tok)
    assert text.splitlines()[1:3] == ["name: hi-small", "release: 3"] and "release:" not in model_text
    assert loads(text.encode(), "mem").release == 3 and loads(model_text.encode(), "mem").release == 1
    assert checksum(tok) == checksum(hi_small)
    for bad in ("0", "two", "-1", "१"):
        broken = text.replace("release: 3", f"release: {bad}")
        assert f"m.model:3: expected 'release: <a whole number from 1>'" in _err(broken, tmp_path), bad


def test_loads_bytes(model_text):
    tok = loads(model_text.encode(), "mem")
    assert tok.vocab_size == 1000


def test_save_is_atomic(hi_small, tmp_path, monkeypatch):
    """A failing write leaves the old model in place and no temporary file behind."""
    path = tmp_path / "hi.model"
    tokenizer.save(hi_small, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", boom)
    with pytest.raises(OSError, match="disk full"):
        tokenizer.save(hi_small, path)
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["hi.model", "hi.vocab"]


# ----- the checksum ----------------------------------------------------------------------------------
def _recomputed(tok) -> str:
    """The checksum as the module docstring specifies it, written out independently."""
    merges = sorted(([a, b, i] for (a, b), i in tok.merges.items()), key=lambda m: m[2])
    specials = sorted(([s, i] for s, i in tok.special_tokens.items()), key=lambda x: x[1])
    doc = {"byte_ids": list(range(256)), "merges": merges, "regex": tok.pattern.regex, "special_tokens": specials}
    text = json.dumps(doc, ensure_ascii=True, separators=(",", ":"), sort_keys=True)
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


def test_checksum_follows_its_specification(hi_small, model_text):
    assert checksum(hi_small) == _recomputed(hi_small)
    assert f"checksum: {checksum(hi_small)}\n" in model_text


@pytest.mark.parametrize("lang", sorted(LANGUAGES))
def test_shipped_models_carry_their_checksum(lang):
    path = ROOT / "models" / LANGUAGES[lang].model
    tok = load(path)
    header = path.read_text(encoding="utf-8").split("\nmerges: ", 1)[0].splitlines()
    assert header[-1] == f"checksum: {_recomputed(tok)}"
    assert tok.release == LANGUAGES[lang].release and (f"release: {tok.release}" in header) == (tok.release > 1)
    assert path.read_bytes() == dumps(tok).encode()  # saved exactly as this library writes v2


def test_checksum_covers_what_defines_the_ids_and_nothing_else(hi_small):
    base = checksum(hi_small)
    renamed = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, hi_small.special_tokens, name="other")
    assert checksum(renamed) == base
    ordered = sorted(hi_small.merges, key=hi_small.merges.get)
    fewer = {pair: 256 + k for k, pair in enumerate(ordered[:-1])}
    variants = [
        tokenizer.Tokenizer(fewer, hi_small.pattern, {"<|endoftext|>": 256 + len(fewer)}),
        tokenizer.Tokenizer(hi_small.merges, "indic", hi_small.special_tokens),
        tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {"<|endoftext|>": 999, "<|pad|>": 1000}),
        tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {"<|eot|>": 999}),
    ]
    sums = [checksum(v) for v in variants]
    assert base not in sums and len(set(sums)) == len(sums)


def _merge_line(text: str, k: int) -> int:
    """1-based line number of the k-th merge line."""
    return text.splitlines().index("merges: 743") + 2 + k


def test_changed_merge_is_a_checksum_mismatch(model_text, tmp_path):
    """A swap of two merge lines keeps every line valid: only the checksum can tell."""
    lines = model_text.splitlines()
    first = _merge_line(model_text, 0) - 1
    lines[first], lines[first + 1] = lines[first + 1], lines[first]  # 224 164 <-> 224 165: both still valid
    msg = _err("\n".join(lines) + "\n", tmp_path)
    assert f"m.model:6: checksum mismatch: the header says {checksum_line(model_text)}" in msg
    assert "the file was changed after it was saved" in msg
    regex_line = lines[3]
    other = model_text.replace(regex_line, regex_line.replace("\\p{N}{1,3}", "\\p{N}{1,4}"))
    assert other != model_text and "m.model:6: checksum mismatch" in _err(other, tmp_path)
    special = model_text.replace("special: <|endoftext|> 999", "special: <|eot|> 999")
    assert "m.model:6: checksum mismatch" in _err(special, tmp_path)


def checksum_line(text: str) -> str:
    return next(x for x in text.splitlines() if x.startswith("checksum: ")).removeprefix("checksum: ")


def test_renamed_model_still_loads(model_text, hi_small):
    tok = loads(model_text.replace("name: hi-small", "name: renamed").encode())
    assert tok.name == "renamed" and tok.merges == hi_small.merges


def test_checksum_line_errors(model_text, tmp_path):
    line = f"checksum: {checksum_line(model_text)}"
    assert "m.model:6: the header has no 'checksum:' line" in _err(model_text.replace(line + "\n", ""), tmp_path)
    bad = model_text.replace(line, line[:-1] + "G")
    assert "m.model:6: expected 'checksum: sha256:<64 hex digits>'" in _err(bad, tmp_path)
    bad = model_text.replace(line, line.replace("sha256:", "md5:"))
    assert "m.model:6: expected 'checksum: sha256:<64 hex digits>'" in _err(bad, tmp_path)
    twice = model_text.replace(line, line + "\n" + line)
    assert "m.model:7: header field 'checksum' is listed twice (first at line 6)" in _err(twice, tmp_path)
    as_v1 = model_text.replace("indicbpe v2", "indicbpe v1")
    assert "m.model:6: 'checksum:' is a v2 field, but the file says v1" in _err(as_v1, tmp_path)


def _as_v1(text: str) -> str:
    return "".join(
        x
        for x in text.replace("indicbpe v2", "indicbpe v1", 1).splitlines(keepends=True)
        if not x.startswith("checksum: ")
    )


def test_v1_files_still_load(model_text, hi_small):
    tok = loads(_as_v1(model_text).encode(), "old.model")
    assert (tok.merges, tok.special_tokens, tok.pattern, tok.name) == (
        hi_small.merges, hi_small.special_tokens, hi_small.pattern, hi_small.name
    )
    assert dumps(tok) == model_text  # saving a v1 model writes v2 with its checksum


def _git_show(spec: str) -> bytes:
    if shutil.which("git") is None:
        pytest.skip("git is not installed: cannot read the v1 models from the history")
    r = subprocess.run(["git", "-C", str(ROOT), "show", spec], capture_output=True, timeout=60, check=False)
    if r.returncode != 0:
        pytest.skip(f"commit {V1_COMMIT[:10]} is not in this clone (shallow?): {r.stderr.decode().strip()[:100]}")
    return r.stdout


@pytest.mark.parametrize("lang", ["hi", "kn"])
def test_shipped_v2_model_is_the_v1_model_from_history(lang):
    """The rewrite to v2 changed nothing that defines the ids: same merges, specials, regex, name
    (release 1 of each; Hindi's current model is release 2)."""
    old_raw = _git_show(f"{V1_COMMIT}:models/{lang}.model")
    assert old_raw.startswith(b"indicbpe v1\n")
    old = loads(old_raw, f"{lang}.model@v1")
    new = load(f"{lang}@1")
    assert (new.merges, new.special_tokens, new.pattern.regex, new.pattern.name, new.name) == (
        old.merges, old.special_tokens, old.pattern.regex, old.pattern.name, old.name
    )
    assert checksum(new) == checksum(old)
    assert vocab_listing(new) == _git_show(f"{V1_COMMIT}:models/{lang}.vocab").decode("utf-8")
    text = "भारत ಕನ್ನಡ नमस्ते दुनिया <|endoftext|> 123 abc"
    assert new.encode(text, allowed_special="all") == old.encode(text, allowed_special="all")


# Every release ever shipped, by the checksum of what defines its ids. A shipped model's ids never
# change in place: a new release is a new file (models/releases/ keeps the earlier ones), a new
# line here, a note in registry.RELEASES and regenerated metrics.
SHIPPED: dict[tuple[str, int], str] = {
    ("hi", 1): "5b46f838ae2862515518380e4c0a36579e4ccc3931dc98994c1ff74ce475cf06",
    ("hi", 2): "04bae44ef6d1ff46a15297257b610ace38728905a21f426d1a2c42a05b128e20",
    ("hi", 3): "1dc82e18152fad4223fb2113a71b9b5aabd2323ebf21b2bf591370c5f4c56a8f",
    ("hi", 4): "31fe8171c0dd8c84e8fa9ad024aa6b318c54890ddc58489d7f84a97019045258",
    ("kn", 1): "54e60530327f37b9cf3e6db8da5b479062a53fe8cc7331e0929942c4aef04aa3",
    ("mr", 1): "656fa7f710fd2ee7b9e40bd3a462bb909035b008e8b2c48d52abfda835fc4115",
    ("mr", 2): "4b2da7d153913b053e56e25901c2973e4ae982183bfe63f967dc8b786b72f691",
    ("ne", 1): "e75546a7fc144a7044a5264639fe6772edfc57674febe207af568d498ed5370c",
    ("ne", 2): "a9075c73821a110860915a5b8f6f2c51fcd6c9fd178e454dd59a443bff7e7fd2",
    ("ne", 3): "5ddb2aeceffca2848c4143eafba6fb0756b0f74a29b69869fb026d526e064b92",
    ("bn", 1): "335e94695c6d97eea0feeb734bb1b937a7c06488ab87e2fc1c2df02f31f6f0cf",
    ("bn", 2): "8f2daf99689bfc31c6835159277832c8993899f12f6b4e16a3411d16a5cca491",
    ("bn", 3): "1c4ea42f0e7e3e353c33746545be6898e50d33ec5ad77844f8eab1acbb1a301c",
    ("as", 1): "d17b39052883ebabfa3537b6b1b2d28e1f5ae7003ee8a4223afe4b0eff3e8a34",
    ("as", 2): "991161aec8bde43cd1535ebeee34bf5937c119e64d008f6c81bbc54440fdaab8",
    ("as", 3): "d17b39052883ebabfa3537b6b1b2d28e1f5ae7003ee8a4223afe4b0eff3e8a34",  # release 1's ids again
    ("as", 4): "afaa9e5c9e9e85ee700b045b1c5df2b8a6c6fa4f8a202b3a238168132781c7ea",
    ("as", 5): "7d68273476fd714ad4ff636362dd12aa025375842f5bd0536b39708368fda46e",
    ("pa", 1): "430ea673cb820ff8fac10f40ecae90e057958bfb59f269d5cdc8415cc237090c",
    ("pa", 2): "bc4d2f80ff84427aa3437ece152aa32e667402157ac4d1ac1a752948f5a95bdf",
    ("pa", 3): "430ea673cb820ff8fac10f40ecae90e057958bfb59f269d5cdc8415cc237090c",  # release 1's ids again
    ("pa", 4): "3fd2030451e517caa860b43bb662bfe734b06d8ee129c4cdfc2848acc7ccf060",
    ("gu", 1): "772710150d8591fce5df6e3e39b84ee2fa96476123f9e77a764ac6e38933c75c",
    ("gu", 2): "b9815fb1f803d10fd3eac0848db0a3a696eab593ef93345b741313ffc3981782",
    ("gu", 3): "571c9ad42376856a3d8bd93c2b1fd3c18061fa329c392c2246cafa93c8b2877b",
    ("gu", 4): "41d3b2f6d7ef24ada1f5ceae43a8321ed2ba68d4c76426381fa5098bfb6fa223",
    ("or", 1): "5ffa540afd8e95ff75100690a851f978cc4b0e9a1d77c1bdbf0f9e7aa3dbbae9",
    ("or", 2): "f6cd8dca180527b6fa54128122981f84617652b73ada6e52ba2e1726cffb3987",
    ("or", 3): "324fe6f22492cc55cf92da418836920d851b2e8759acd354313fad346184d989",
    ("ta", 1): "19dbd2b598763b94ca7b6f1f7cfbf97dcf407008a3ac43fad14183e9e85321cc",
    ("ta", 2): "2eaf50ed50f99b3512f9534d50f4bad65f81603e6eedaa62d4579890992a7116",
    ("te", 1): "e5752980e20e5d3eec43669411b7e4b42b7f9e452b04ba154caae38061c74eb6",
    ("te", 2): "0df6cf27a9d9fba7e66481bf1d7f452efeda84ba2ef3219446d9669846f497f7",
    ("ml", 1): "2b8f11efb62942f5c73b9c4e06837fe6b2f6c4cd0aa80f74dbca011bd962ec27",
    ("ml", 2): "197830eb00401b419655b14fb1d3f02ebec1420e73787e2699623d00b9075c3c",
    ("ml", 3): "57ee2de7983b8818f8ac43f04a173da452d59e77a9db6127a385df68ad448d0d",
    ("ml", 4): "fac24f35cafa549baf29813282a20dabdba16acd24a7068eacfcbe01e2d29599",
    ("ur", 1): "df893b37daa278152ce4389937ffe2d002459c8d0c0722f43a6b06bcd9e8807e",
    ("sd", 1): "71744679e4b37eb3e509c3217773baac0196f3b966f9ca2114d0cbcfb3bd09ca",
    ("ks", 1): "82dd58d7b820ebc4ca713c1cbfb43c79f1c1c314d64c5f24c055e22226c0d530",
    ("ks", 2): "84d7945a99c7f7a34020cf0bbd76ccf894f83fa48929e6fda87f8372d6c35e6e",
    ("ks", 3): "b983ea5d4a43f0e2a4d59e3c70803db1c7833ce86120034f445ef5824bc77635",
    ("si", 1): "25b675e285ffd910a6d43cacac42748eba5d84f67f62e3d37bcee141e3d5d143",
    ("si", 2): "645fd562088441079754a0fe1f7881a454dcfce410a7b898679877cd97b7714d",
    ("sa", 1): "265e7f7a4f4de35a671f023a2be6a62c3d3832c72bfe9cd2230a3ac20c9a4c82",
    ("sa", 2): "da8980545098cfb96b6025807f877e2fd23375c90c8a4c094efcaedd4178d5cc",
    ("mni", 1): "4752edf58877dcdbf506665fee3b99e658287fcd436c4c32d107b13e4b2493f4",
    ("mni", 2): "dc4e5a90d82ec02f16de351786a57d417037f9a3642593be87ff13946316ee3e",
    ("mni", 3): "38d667bf47bffa030d32141c6e7d2db10d20834bbb1b1fb576c404f4d645a205",
}


def test_every_shipped_release_loads_with_its_pinned_ids():
    found = {(code, n): checksum(load(f"{code}@{n}"))[7:] for code in available() for n in releases(code)}
    assert found == SHIPPED
    for code in available():
        current = load(code)
        assert current.release == LANGUAGES[code].release == max(releases(code)) and current.name == code
        assert checksum(current) == checksum(load(f"{code}@{current.release}"))
        assert all(load(f"{code}@{n}").release == n for n in releases(code))
        notes = {n for c, n in RELEASES if c == code}
        assert notes == set(range(2, current.release + 1)), f"{code}: every release after the first says why"


def test_an_earlier_release_encodes_as_it_did():
    """Earlier releases of Hindi still give their own ids (known answers), which release 4 does not."""
    text = "भारत एक विशाल देश है।"
    assert load("hi@1").encode(text) == [1545, 777, 2257, 1221, 768]
    assert load("hi@2").encode(text) == [1445, 518, 2170, 890, 507]
    assert load("hi@3").encode(text) == [1501, 518, 2023, 919, 508]
    assert load("hi").encode(text) == load("hi@4").encode(text) == [1509, 518, 2018, 924, 508]


def test_unknown_releases_are_named():
    with pytest.raises(ModelFileError, match=r"Hindi has no release 9 \(shipped: hi@1, hi@2, hi@3, hi@4\)"):
        load("hi@9")
    with pytest.raises(ModelFileError, match="no shipped model of that name"):
        load("xx@1")
    assert releases("xx") == {} and list(releases("kn")) == [1]


# ----- shipped models by name ------------------------------------------------------------------------
def test_available_lists_the_registry_languages_with_a_model():
    expected = [code for code, lang in LANGUAGES.items() if (ROOT / "models" / lang.model).is_file()]
    assert available() == expected and {"hi", "kn"} <= set(expected)
    assert tokenizer.available() == expected
    assert models_dir() == ROOT / "models"  # a checkout: models/ beside the package


def test_load_by_name_from_any_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for code in available():
        tok = tokenizer.load(code)
        assert tok.merges == load(ROOT / "models" / LANGUAGES[code].model).merges
    (tmp_path / "hi").write_text("not a model\n")
    assert tokenizer.load("hi").vocab_size == 5000  # a name is the shipped model ...
    with pytest.raises(ModelFileError, match="not a model file"):
        tokenizer.load(tmp_path / "hi")  # ... a Path is a file
    hint = rf"\(and no shipped model of that name; shipped: {', '.join(available())}\)"
    with pytest.raises(ModelFileError, match=rf"nope: no such model file {hint}"):
        tokenizer.load("nope")
    with pytest.raises(ModelFileError, match=r"nope.model: no such model file$"):
        tokenizer.load("nope.model")


def test_the_models_folder_follows_the_environment(tmp_path, monkeypatch, hi_small):
    """$INDIC_TOKENIZER_MODELS moves the shipped models for the library, the Space and the
    benchmarks alike (one models_dir())."""
    import bench.common
    import space.models

    tokenizer.save(hi_small, tmp_path / LANGUAGES["hi"].model)
    monkeypatch.setenv("INDIC_TOKENIZER_MODELS", str(tmp_path))
    assert models_dir() == tmp_path and available() == ["hi"]
    assert tokenizer.load("hi").merges == hi_small.merges
    assert space.models.model_path(LANGUAGES["hi"]) == bench.common.model_path("hi") == tmp_path / "hi.model"
    assert not space.models.has_model("kn")
    monkeypatch.setenv("INDIC_TOKENIZER_MODELS", "")  # empty: as if unset
    assert models_dir() == ROOT / "models" and tokenizer.load("hi").vocab_size == 5000


# ----- no litter after a crash -----------------------------------------------------------------------
# A writer that stops inside its write: fsync tells the parent it is there, then waits to be killed.
STUCK_WRITER = """
import os, sys, time
from tokenizer.files import write_atomic
def stuck(fd):
    print("inside the write", flush=True)
    time.sleep(600)
os.fsync = stuck
write_atomic(sys.argv[1], "new text")
"""


def _temps(folder) -> list[str]:
    return sorted(n for n in os.listdir(folder) if n.endswith(".tmp"))


def _stuck_writer(path):
    command = [sys.executable, "-c", STUCK_WRITER, str(path)]
    proc = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline() == "inside the write\n"
    return proc


def test_next_save_removes_what_a_killed_save_left(hi_small, tmp_path):
    path = tmp_path / "hi.model"
    tokenizer.save(hi_small, path)
    for target in (path, path.with_suffix(".vocab"), tmp_path / "other.model"):  # a save of another file too
        proc = _stuck_writer(target)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    assert len(_temps(tmp_path)) == 3 and all(n.endswith(TEMP_SUFFIX) for n in _temps(tmp_path))
    tokenizer.save(hi_small, path)
    assert sorted(os.listdir(tmp_path)) == ["hi.model", "hi.vocab"]
    assert load(path).merges == hi_small.merges


def test_a_live_writers_temp_file_is_left_alone(tmp_path):
    target = tmp_path / "slow.txt"
    proc = _stuck_writer(target)
    try:
        (live,) = _temps(tmp_path)
        write_atomic(tmp_path / "fast.txt", "done")
        assert remove_stale_temps(tmp_path) == [] and _temps(tmp_path) == [live]
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
    deadline = time.monotonic() + 10  # the kernel drops the dead writer's lock
    while remove_stale_temps(tmp_path) != [live]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sorted(os.listdir(tmp_path)) == ["fast.txt"]


def test_other_files_are_never_removed(tmp_path):
    names = [".notes.txt.abcdefgh.tmp", "x.indicbpe.tmp", ".hi.model.abc.indicbpe.tmp", "keep.model"]
    for n in names:
        (tmp_path / n).write_text("someone else's")
    write_atomic(tmp_path / "hi.model", "text")
    assert sorted(os.listdir(tmp_path)) == sorted([*names, "hi.model"])


# ----- the same checksum everywhere a model is described ---------------------------------------------
def test_hf_export_and_metrics_carry_the_checksum(hi_small, tmp_path):
    from tokenizer.hf import export, find_metrics

    export(hi_small, tmp_path / "hf")
    expected = _recomputed(hi_small)  # by the specification, not by the function export calls
    config = json.loads((tmp_path / "hf" / "tokenizer_config.json").read_text(encoding="utf-8"))
    assert config["indic_tokenizer_checksum"] == expected
    assert f"Model checksum: `{expected}`" in (tmp_path / "hf" / "README.md").read_text(encoding="utf-8")
    tokenizer.save(hi_small, tmp_path / "m.model")
    metrics = tmp_path / "m.metrics.json"
    metrics.write_text(json.dumps({"checksum": checksum(hi_small), "bytes_per_token": 4.5}))
    assert find_metrics(hi_small, tmp_path / "m.model")["bytes_per_token"] == 4.5
    metrics.write_text(json.dumps({"checksum": "sha256:" + "0" * 64, "bytes_per_token": 4.5}))
    assert find_metrics(hi_small, tmp_path / "m.model") is None  # another model's numbers


@pytest.mark.parametrize("lang", ["hi", "kn"])
def test_shipped_metrics_name_their_model_by_checksum(lang):
    metrics = json.loads((ROOT / "models" / f"{lang}.metrics.json").read_text(encoding="utf-8"))
    assert metrics["checksum"] == _recomputed(load(ROOT / "models" / f"{lang}.model"))


def test_save_refuses_what_load_would_refuse_or_what_would_lose_the_model(hi_small, tmp_path):
    """A name or special token with a line break (built in memory, not by train), a folder, and a
    path ending in .vocab (the listing would be written over the model): refused, nothing written."""
    bad_name = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, hi_small.special_tokens, name="a\nb")
    bad_special = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, {"<|a\nb|>": hi_small.vocab_size - 1})
    for tok, message in ((bad_name, "a model's name is one line"), (bad_special, "has a line break")):
        with pytest.raises(tokenizer.TokenizerError, match=message):
            tokenizer.save(tok, tmp_path / "x.model")
    (tmp_path / "somedir").mkdir()
    with pytest.raises(IsADirectoryError) as caught:
        tokenizer.save(hi_small, tmp_path / "somedir")
    assert caught.value.filename == str(tmp_path / "somedir") and TEMP_SUFFIX not in str(caught.value)
    with pytest.raises(tokenizer.TokenizerError, match=r"the \.vocab listing would overwrite the model; name .*foo\.model"):
        tokenizer.save(hi_small, tmp_path / "foo.vocab")
    tokenizer.save(hi_small, tmp_path / "foo.vocab", vocab=False)  # without a listing it is only a name
    assert tokenizer.load(tmp_path / "foo.vocab").merges == hi_small.merges
    assert sorted(os.listdir(tmp_path)) == ["foo.vocab", "somedir"] and not os.listdir(tmp_path / "somedir")
