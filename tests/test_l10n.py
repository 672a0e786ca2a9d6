"""Software translations as out-of-domain text (bench/l10n.py): the .mo reader against the standard
library's, the sentence rule's known answers, a .deb read without dpkg, the pinned download, and
the committed extracts as the Kashmiri, Manipuri and Sinhala sets use them."""

from __future__ import annotations

import gettext
import hashlib
import io
import re
import struct
import tarfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench import l10n
from bench import validation_sets as vs


def make_mo(messages: dict[str, str], order: str = "<") -> bytes:
    """A gettext .mo catalogue (the header message first, as msgfmt sorts the empty msgid first)."""
    items = sorted({"": "Content-Type: text/plain; charset=UTF-8\n", **messages}.items())
    ids = [k.encode("utf-8") for k, _ in items]
    strs = [v.encode("utf-8") for _, v in items]
    n = len(items)
    start = 28 + 16 * n
    table, blob = [], b""
    for data in ids + strs:
        table.append((len(data), start + len(blob)))
        blob += data + b"\0"
    magic = 0x950412DE
    header = struct.pack(order + "7I", magic, 0, n, 28, 28 + 8 * n, 0, 0)
    return header + b"".join(struct.pack(order + "2I", *t) for t in table) + blob


def make_ar(members: dict[str, bytes]) -> bytes:
    out = b"!<arch>\n"
    for name, data in members.items():
        out += f"{name:<16}{0:<12}{0:<6}{0:<6}{'100644':<8}{len(data):<10}`\n".encode("ascii") + data
        out += b"\n" if len(data) % 2 else b""
    return out


def make_deb(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:xz") as tar:
        for path, data in files.items():
            info = tarfile.TarInfo("./" + path)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return make_ar({"debian-binary": b"2.0\n", "control.tar.xz": b"", "data.tar.xz": buf.getvalue()})


_text = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\0\x04"), min_size=1, max_size=20)


@given(st.dictionaries(_text, _text, max_size=8), st.sampled_from("<>"))
def test_mo_reader_agrees_with_the_standard_library(messages, order):
    data = make_mo(messages, order)
    ours = dict(l10n.mo_messages(data))
    theirs = {k: v for k, v in gettext.GNUTranslations(io.BytesIO(data))._catalog.items() if k}
    assert ours == theirs == messages


def test_mo_reader_takes_first_plural_form_and_drops_the_context():
    data = make_mo({"ctx\x04Open": "খোল", "%d file\x00%d files": "%d ফাইল\x00%d ফাইলশিং"})
    assert dict(l10n.mo_messages(data)) == {"Open": "খোল", "%d file": "%d ফাইল"}
    with pytest.raises(ValueError, match="bad magic"):
        list(l10n.mo_messages(b"\0" * 28))


def test_sentences_known_answers():
    def one(msgstr: str) -> list[str]:
        return list(l10n.sentences(msgstr))

    assert one("ফাইল _খোলবা অমসুং সেভ তৌবা") == ["ফাইল খোলবা অমসুং সেভ তৌবা"]  # GTK mnemonic
    assert one("&Save ලිපිගොනු සියල්ල සුරකින්න දැන්") == ["Save ලිපිගොනු සියල්ල සුරකින්න දැන්"]  # Qt mnemonic
    assert one("ෆයිල් එක විවෘත කරන්න (_O)") == ["ෆයිල් එක විවෘත කරන්න"]  # mnemonic in brackets
    assert one("<b>Tom &amp; Jerry</b> ලෙස සුරකින්න") == ["Tom & Jerry ලෙස සුරකින්න"]  # markup, then entities
    assert one("%s ෆයිල් එක විවෘත කළ නොහැක") == []  # a placeholder: its words are incomplete
    assert one("{name} ෆයිල් එක විවෘත කළ නොහැක") == []
    assert one("%1 ෆයිල් එක විවෘත කළ නොහැක") == []
    assert one("100% ෆයිල් එක විවෘත කළා") == ["100% ෆයිල් එක විවෘත කළා"]  # a percent sign is not one
    assert one("ෆයිල් විවෘත කරන්න") == []  # a label: fewer than MIN_WORDS words
    assert one("පළමු පේළිය මෙහි ඇත.\n\nදෙවන පේළිය  මෙහි ඇත.") == ["පළමු පේළිය මෙහි ඇත.", "දෙවන පේළිය මෙහි ඇත."]


def test_a_deb_is_read_without_dpkg():
    mo = make_mo({"Open the file now": "ফাইল অসি হৌজিক হাংদোকউ"})
    deb = make_deb({"usr/share/locale/mni/LC_MESSAGES/x.mo": mo, "usr/share/doc/x/copyright": b"GPL-2+"})
    assert l10n.ar_members(deb)["debian-binary"] == b"2.0\n"
    assert l10n.deb_files(deb, re.compile(r"usr/share/locale/[^/]+/LC_MESSAGES/.*\.mo")) == {
        "usr/share/locale/mni/LC_MESSAGES/x.mo": mo
    }
    with pytest.raises(ValueError, match="not an ar archive"):
        l10n.ar_members(b"PK\x03\x04")
    with pytest.raises(ValueError, match="no data.tar"):
        l10n.deb_files(make_ar({"debian-binary": b"2.0\n", "data.tar.zst": b""}), re.compile(".*"))


def test_catalogue_sentences_read_the_pinned_packages(tmp_path, monkeypatch):
    """The whole path on a fake package: the download is checked against its pin and cached, the
    language's locale folders are read, labels and placeholders are dropped, keys name the message."""
    mo = make_mo({"Open": "খোল", "The file could not be saved.": "ফাইল অসি সেভ তৌবা ঙমদে।",
                  "%s was saved": "%s সেভ তৌখ্রে অদু"})
    other = make_mo({"The file could not be saved.": "The file could not be saved, really."})
    deb = make_deb({"usr/share/locale/mni@bengali/LC_MESSAGES/demo.mo": mo,
                    "usr/share/locale/fr/LC_MESSAGES/demo.mo": other})
    package = l10n.Package("demo", "1.0-1", "pool/main/d/demo/demo_1.0-1_all.deb",
                           hashlib.sha256(deb).hexdigest(), "GPL-2+")
    monkeypatch.setitem(l10n.PACKAGES, "demo", package)
    monkeypatch.setitem(l10n.CATALOGUES, "mni", (("demo",), ("mni", "mni@bengali")))

    class Response(io.BytesIO):
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    calls = []
    monkeypatch.setattr(l10n.urllib.request, "urlopen", lambda url, timeout: calls.append(url) or Response(deb))
    assert list(l10n.catalogue_sentences("mni", tmp_path)) == [
        ("demo:mni@bengali/demo:2.0", "ফাইল অসি সেভ তৌবা ঙমদে।")
    ]
    assert calls == [l10n.MIRRORS[0] + package.pool]
    assert (tmp_path / "demo_1.0-1_all.deb").read_bytes() == deb
    list(l10n.catalogue_sentences("mni", tmp_path))
    assert len(calls) == 1  # the second read comes from the cache


def test_a_check_translation_is_read_from_a_python_package_and_written_once_in_nfc(tmp_path, monkeypatch, capsys):
    """`--check --write`: CHECKS' catalogues (Horizon keeps its beside its code, not in usr/share/locale),
    never the sets' packages; each sentence once, NFC (a precomposed য় is decomposed), atomically."""
    mo = make_mo({"The image was uploaded.": "ইমেজ অসি অপলোদ তৌখ্রে।", "The image was saved.": "ইমেজ অসি \u09df সেভ তৌখ্রে।",
                  "Save the image again.": "ইমেজ অসি অপলোদ তৌখ্রে।"})
    deb = make_deb({"usr/lib/python3/dist-packages/demo_dashboard/locale/mni/LC_MESSAGES/django.mo": mo,
                    "usr/lib/python3/dist-packages/demo_dashboard/static/mni/LC_MESSAGES/other.mo": mo})
    package = l10n.Package("demo-dashboard", "1.0-1", "pool/main/d/demo/demo-dashboard_1.0-1_all.deb",
                           hashlib.sha256(deb).hexdigest(), "Apache-2.0")
    (tmp_path / "demo-dashboard_1.0-1_all.deb").write_bytes(deb)
    monkeypatch.setattr(l10n, "CACHE", tmp_path)
    monkeypatch.setitem(l10n.CHECK_PACKAGES, "demo-dashboard", package)
    monkeypatch.setitem(l10n.CHECKS, "mni", (("demo-dashboard",), ("mni",)))
    assert [key for key, _ in l10n.catalogue_sentences("mni", tmp_path, check=True)] == [
        "demo-dashboard:mni/django:0.0", "demo-dashboard:mni/django:1.0", "demo-dashboard:mni/django:2.0"]
    out = tmp_path / "check.txt"
    monkeypatch.setattr("sys.argv", ["l10n", "--lang", "mni", "--check", "--write", str(out)])
    l10n.main()
    assert out.read_text(encoding="utf-8").splitlines() == ["ইমেজ অসি অপলোদ তৌখ্রে।", "ইমেজ অসি \u09af\u09bc সেভ তৌখ্রে।"]
    assert "wrote 2 sentences" in capsys.readouterr().out
    monkeypatch.setattr("sys.argv", ["l10n", "--lang", "si", "--check"])
    with pytest.raises(SystemExit):
        l10n.main()
    assert "no check translation for si" in capsys.readouterr().err


def test_a_package_that_does_not_match_its_pin_is_refused(tmp_path, monkeypatch):
    package = l10n.Package("demo", "1.0-1", "pool/main/d/demo/demo_1.0-1_all.deb", "0" * 64, "GPL-2+")
    (tmp_path / "demo_1.0-1_all.deb").write_bytes(b"tampered")
    with pytest.raises(SystemExit, match="demo 1.0-1: SHA-256 .* expected 0000"):
        l10n.download(package, tmp_path)

    def offline(url, timeout):
        raise OSError("network unreachable")

    monkeypatch.setattr(l10n.urllib.request, "urlopen", offline)
    with pytest.raises(SystemExit, match="not downloadable .*network unreachable"):
        l10n.download(package, tmp_path / "empty")


def test_committed_extracts_and_the_sets_that_use_them():
    """Known sentences of the committed extracts; Kashmiri and Manipuri have a set of it, Sinhala a
    punctuated second source; the source was added after the models trained, so it holds nothing out."""
    mni = dict(vs.read_source("l10n-mni"))
    assert mni["gnucash-common:mni@bengali/gnucash:3150.0"] == "রিপোর্ত অসিদা খনগদবা কস্তমর অমগী মথৌ তাই।"
    ks = dict(vs.read_source("l10n-ks"))
    assert ks["tuxpaint-data:ks/tuxpaint:8.0"] == "اَکھ ڈرائنگ پروگرام بَچَن خٲطرٕ"
    assert dict(vs.read_source("l10n-si"))["engrampa-common:si/engrampa:16.0"].endswith("දෝෂයක් හට ගැනින.")
    assert not vs.MISSING
    for lang, script in (("ks", "Arabic"), ("mni", "Bengali"), ("si", "Sinhala")):
        part = next(p for p in vs.SETS[lang] if p.label == "software")
        assert not part.hold_out and not part.in_corpus
        lines = vs.ood_by_source(lang)["software"] if len(vs.SETS[lang]) > 1 else vs.ood_lines(lang)
        assert len(lines) == vs.MAX_PER_SOURCE
        assert all(vs.in_script(line, script) and len(line.split()) >= l10n.MIN_WORDS for line in lines)
    assert sum(line.endswith((".", "।", "?")) for line in vs.ood_by_source("si")["software"]) > 300
    assert not any(line.endswith((".", "?")) for line in vs.ood_by_source("si")["google-tts"])
    for name in {n for names, _ in l10n.CATALOGUES.values() for n in names}:
        package = l10n.PACKAGES[name]
        assert re.fullmatch(r"[0-9a-f]{64}", package.sha256) and package.pool.startswith("pool/main/")
        assert "GPL" in package.licence
