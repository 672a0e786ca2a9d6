"""Sentences from free software's translations, as Debian ships them: a genre for languages with no
other open text outside Wikipedia (Kashmiri, Manipuri) or none with punctuation (Sinhala).

Programs such as VLC, Inkscape, GnuCash and Tux Paint are translated by volunteers into Kashmiri,
Manipuri in the Bengali script and Sinhala, and Debian packages the translations as gettext `.mo`
catalogues under the programs' own licence (GPL). Most messages are labels ("Open File"); the help
texts and dialog messages are sentences ("This report requires a customer to be selected."), and
only those are kept (at least MIN_WORDS words, no format placeholder).

Each package is pinned by version, pool path and SHA-256, downloaded from a Debian mirror (the
package registries are reachable where the Hub is not) into $DEBIAN_CACHE (default
~/.cache/indic-tokenizer-debian) and read without dpkg: a `.deb` is an `ar` archive whose
`data.tar.xz` holds the files. `python -m bench.validation_sets extract` writes the sets' extracts;
this module's command shows what each catalogue gives:

    python -m bench.l10n --lang ks              # sentences per catalogue
    python -m bench.l10n --lang mni --sample 5  # and a few of each
    python -m bench.l10n --lang mni --check --write FILE  # another program's translation (CHECKS), as NFC lines

CHECKS are translations kept out of every set: a second team's text, to check whether a habit of the
set's translators is the language's (is Manipuri's full stop?) before the recipe learns it.
"""

from __future__ import annotations

import argparse
import hashlib
import html
import io
import os
import random
import re
import struct
import tarfile
import unicodedata
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tokenizer.files import write_atomic

MIRRORS = ("https://deb.debian.org/debian/", "https://archive.debian.org/debian/")
CACHE = Path(os.environ.get("DEBIAN_CACHE", Path.home() / ".cache" / "indic-tokenizer-debian"))
MIN_WORDS = 4  # a label ("Open File", "Snow Flake") has fewer; a sentence or a help text has more


@dataclass(frozen=True)
class Package:
    """A Debian 12 (bookworm) binary package, pinned: what `extract` downloads and checks."""

    name: str
    version: str
    pool: str  # its path under a Debian mirror
    sha256: str
    licence: str  # of the translations, as the package's debian/copyright gives it


PACKAGES = {p.name: p for p in (
    Package("vlc-l10n", "3.0.23-0+deb12u1", "pool/main/v/vlc/vlc-l10n_3.0.23-0+deb12u1_all.deb",
            "69ab8c034e2097e1050ff62e8048e0ad5e1f72991456a34d02bcecc8a8083136", "GPL-2+"),
    Package("inkscape", "1.2.2-2+b1", "pool/main/i/inkscape/inkscape_1.2.2-2+b1_amd64.deb",
            "5e767932868c0e6909400986d5df7dbad540c9716512c1449bb7b8c6e864a3a8", "GNU GPL"),
    Package("tuxpaint-data", "1:0.9.28-sdl2-1", "pool/main/t/tuxpaint/tuxpaint-data_0.9.28-sdl2-1_all.deb",
            "f5d0de8f9a70d2efc1241d19f26168cb8bf279f1b77abd3631e7a1a55c40e5e5", "GPL-2+"),
    Package("gnucash-common", "1:4.13-1", "pool/main/g/gnucash/gnucash-common_4.13-1_all.deb",
            "8477b415856eb671125ee63ac6a4ee1d23efeca3de6e55e5a14c6ebb32642b31", "GPL-2+"),
    Package("caja-common", "1.26.1-1+deb12u1", "pool/main/c/caja/caja-common_1.26.1-1+deb12u1_all.deb",
            "3626fe14c110b5dd9a4bde93e9560ca04372384f0a2e7fb65f968df9c534e5f7", "GPL-2+ or LGPL-2+"),
    Package("pluma-common", "1.26.0-1+deb12u1", "pool/main/p/pluma/pluma-common_1.26.0-1+deb12u1_all.deb",
            "c16e97d72963ecd3a6202835b144b0be78575ce9ada28e32b6afdc95b184c874", "GPL-2+"),
    Package("pidgin-data", "2.14.12-1", "pool/main/p/pidgin/pidgin-data_2.14.12-1_all.deb",
            "fe25279f89fdcc3b38874880f53bf205987e2048154cabc6fe529759e7d8df76", "GPL-2+"),
    Package("plasma-workspace-data", "4:5.27.5-2+deb12u2",
            "pool/main/p/plasma-workspace/plasma-workspace-data_5.27.5-2+deb12u2_all.deb",
            "057cda470bd0baf616b3e873bcaf993018d96c8ad30b09535c487f88554e6ea2", "GPL-2.0-or-later"),
    Package("mate-panel-common", "1.27.0-1", "pool/main/m/mate-panel/mate-panel-common_1.27.0-1_all.deb",
            "0c869919f5a7a89a49136a530ab6fb19139c0ea88fc6c4bf5d7d254f627b5c31", "GPL-2+ or LGPL-2+"),
    Package("engrampa-common", "1.26.0-1+deb12u2", "pool/main/e/engrampa/engrampa-common_1.26.0-1+deb12u2_all.deb",
            "9db354cd999f15bdaa4a66a07dcc3bb47ed862738dffbd7a702b3f84dbc4a2f9", "GPL-2+"),
)}

# Per language: the packages and the locale folders whose catalogues are read. A folder may hold
# another script (GnuCash's `ks` is Devanagari, its `mni` Meetei Mayek): the sets' script rule drops it.
CATALOGUES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ks": (("vlc-l10n", "inkscape", "tuxpaint-data"), ("ks", "ks_IN", "ks@aran")),
    "mni": (("gnucash-common", "inkscape", "tuxpaint-data"), ("mni", "mni@bengali", "mni@beng")),
    "si": (("vlc-l10n", "caja-common", "pluma-common", "pidgin-data", "plasma-workspace-data", "tuxpaint-data",
            "mate-panel-common", "engrampa-common"), ("si",)),
}


def download(package: Package, cache: Path) -> bytes:
    """The package's .deb, from the cache or a mirror; its SHA-256 must match the pin."""
    path = cache / Path(package.pool).name
    if path.exists():
        data = path.read_bytes()
    else:
        errors = []
        for mirror in MIRRORS:
            try:
                with urllib.request.urlopen(mirror + package.pool, timeout=120) as response:
                    data = response.read()
                break
            except OSError as e:
                errors.append(f"{mirror}: {e}")
        else:
            raise SystemExit(f"{package.name} {package.version}: not downloadable ({'; '.join(errors)})")
    digest = hashlib.sha256(data).hexdigest()
    if digest != package.sha256:
        raise SystemExit(f"{package.name} {package.version}: SHA-256 {digest}, expected {package.sha256}")
    if not path.exists():
        write_atomic(path, data)  # an interrupted download never leaves a truncated package behind
    return data


def ar_members(data: bytes) -> dict[str, bytes]:
    """The members of an `ar` archive (the container of a .deb)."""
    if not data.startswith(b"!<arch>\n"):
        raise ValueError("not an ar archive (a .deb starts with '!<arch>')")
    members, pos = {}, 8
    while pos + 60 <= len(data):
        header = data[pos:pos + 60]
        name = header[:16].decode("ascii").strip().rstrip("/")
        size = int(header[48:58].decode("ascii"))
        members[name] = data[pos + 60:pos + 60 + size]
        pos += 60 + size + size % 2  # members are aligned to even offsets
    return members


def deb_files(deb: bytes, wanted: re.Pattern[str]) -> dict[str, bytes]:
    """The files of a .deb's data archive whose path (without a leading ./) matches `wanted`."""
    members = ar_members(deb)
    name = next((n for n in members if n.startswith("data.tar")), None)
    if name is None or name.endswith(".zst"):
        raise ValueError(f"no data.tar.xz/.gz in the package (members: {sorted(members)})")
    out = {}
    with tarfile.open(fileobj=io.BytesIO(members[name])) as tar:
        for info in tar:
            path = info.name.removeprefix("./")
            if info.isfile() and wanted.fullmatch(path):
                out[path] = tar.extractfile(info).read()  # type: ignore[union-attr]
    return out


def mo_messages(data: bytes) -> Iterator[tuple[str, str]]:
    """(msgid, msgstr) of a gettext .mo catalogue, without the header; a plural message gives its
    first forms, a message with a context its msgid alone."""
    magic = struct.unpack("<I", data[:4])[0]
    order = "<" if magic == 0x950412DE else ">" if magic == 0xDE120495 else None
    if order is None:
        raise ValueError("not a gettext .mo catalogue (bad magic number)")
    _, count, originals, translations = struct.unpack(order + "4I", data[4:20])
    for i in range(count):
        length, offset = struct.unpack(order + "2I", data[originals + 8 * i:originals + 8 * i + 8])
        msgid = data[offset:offset + length].decode("utf-8")
        length, offset = struct.unpack(order + "2I", data[translations + 8 * i:translations + 8 * i + 8])
        msgstr = data[offset:offset + length].decode("utf-8")
        if msgid:
            yield msgid.split("\x04")[-1].split("\x00")[0], msgstr.split("\x00")[0]


_PLACEHOLDER = re.compile(r"%(\d+\$)?[-+ #0]*(\d+|\*)?(\.\d+)?[hlLqjzt]*[sdiouxXeEfgGcp%]|%\(\w+\)|%\d|\{\w*\}|\$\{?\w+")
_MNEMONIC_IN_BRACKETS = re.compile(r"\s*\([_&][A-Za-z0-9]\)")
_MNEMONIC = re.compile(r"_(?=\w)|&(?=\w)(?!\w+;)")
_TAG = re.compile(r"</?[A-Za-z][^<>]*>")


def sentences(msgstr: str) -> Iterator[str]:
    """The translation's lines that read as running text: markup and keyboard mnemonics (`_File`,
    `&File`, `(_F)`) removed, whitespace collapsed; a line with a format placeholder (`%s`, `%1`,
    `{name}`) is dropped, since its words are incomplete, and so is one of fewer than MIN_WORDS words."""
    for line in msgstr.split("\n"):
        if _PLACEHOLDER.search(line):
            continue
        text = _MNEMONIC_IN_BRACKETS.sub("", line)
        text = _MNEMONIC.sub("", text)
        if _TAG.search(text):
            text = html.unescape(_TAG.sub(" ", text))
        text = " ".join(text.split())
        if len(text.split()) >= MIN_WORDS:
            yield text


# Per language: translations never in a set, read only to check the set's habits (`--check`). The
# Kashmiri and Manipuri of OpenStack's dashboard (Horizon) are by other translators than the set's programs.
CHECKS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ks": (("python3-django-horizon",), ("ks",)),
    "mni": (("python3-django-horizon",), ("mni",)),
}
CHECK_PACKAGES = {p.name: p for p in (
    Package("python3-django-horizon", "3:23.0.0-5+deb12u2",
            "pool/main/h/horizon/python3-django-horizon_23.0.0-5+deb12u2_all.deb",
            "e77b6dbca1600451650e48e09af761fa27f234bddf1840c31b363dd745e0b674", "Apache-2.0"),
)}


def catalogue_sentences(lang: str, cache: Path, check: bool = False) -> Iterator[tuple[str, str]]:
    """(key, sentence) of every catalogue of the language (of its CHECKS with `check`): the key names
    the package, the locale folder, the catalogue and the message's position in it."""
    names, locales = (CHECKS if check else CATALOGUES)[lang]
    packages = CHECK_PACKAGES if check else PACKAGES
    folders = "|".join(re.escape(loc) for loc in locales)
    # the system's locale folder, or a Python package's (Horizon keeps its catalogues beside its code)
    wanted = re.compile(rf"(?:usr/share|usr/lib/python3/dist-packages/[^/]+)/locale/({folders})/LC_MESSAGES/[^/]+\.mo")
    for name in names:
        files = deb_files(download(packages[name], cache), wanted)
        for path in sorted(files):
            locale, domain = path.split("/")[-3], Path(path).stem
            for i, (msgid, msgstr) in enumerate(mo_messages(files[path])):
                if msgstr and msgstr != msgid:
                    for j, text in enumerate(sentences(msgstr)):
                        yield f"{name}:{locale}/{domain}:{i}.{j}", text


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--lang", nargs="+", choices=sorted(CATALOGUES), default=sorted(CATALOGUES))
    p.add_argument("--sample", type=int, default=0, metavar="N", help="also print N sentences of each catalogue")
    p.add_argument("--check", action="store_true", help="the translations of CHECKS (in no set), not the sets' ones")
    p.add_argument("--write", type=Path, metavar="FILE", help="write the sentences (NFC, one a line, each once) "
                   "to FILE, for `bench.respell --scan LANG FILE` and `bench.generalise --check FILE`")
    args = p.parse_args()
    if args.check and (missing := sorted(set(args.lang) - set(CHECKS))):
        p.error(f"no check translation for {', '.join(missing)} (CHECKS has {', '.join(CHECKS)})")
    written: dict[str, None] = {}
    for lang in args.lang:
        by_catalogue: dict[str, list[str]] = {}
        for key, text in catalogue_sentences(lang, CACHE, args.check):
            by_catalogue.setdefault(key.rsplit(":", 1)[0], []).append(text)
            written[unicodedata.normalize("NFC", text)] = None
        print(f"{lang}: {sum(map(len, by_catalogue.values())):,} sentences")
        for name, texts in by_catalogue.items():
            print(f"  {name}: {len(texts):,}")
            for text in random.Random(0).sample(texts, min(args.sample, len(texts))):
                print(f"    {text}")
    if args.write:
        write_atomic(args.write, "".join(f"{text}\n" for text in written))
        print(f"wrote {len(written):,} sentences to {args.write}")


if __name__ == "__main__":
    main()
