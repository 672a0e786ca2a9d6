"""The installable library: build the wheel as pip does, install it into a fresh virtual
environment (no system site-packages, so every dependency must be declared), then from another
directory use the console command and the shipped models by name and compare ids with the checkout.

The wheel is built with build isolation (the [build-system] table is what is tested) from a copy
of the checkout, so no build/ folder is left in it or read from it. Dependencies come from the
package index through pip's cache; with no network and nothing cached the test skips, naming why.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import tokenizer
from tokenizer.registry import LANGUAGES

from .conftest import ROOT

TEXT = "भारत एक विशाल देश है। ಕನ್ನಡ ಭಾಷೆ 2026 <|endoftext|> tokenizer"
NO_NETWORK = re.compile(
    r"NewConnectionError|Max retries exceeded|Temporary failure in name resolution|Network is unreachable|"
    r"ConnectTimeoutError|ReadTimeoutError|Failed to establish a new connection|ProxyError"
)
COPY_IGNORE = shutil.ignore_patterns(
    ".git", ".venv", "build", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"
)


def _env() -> dict[str, str]:
    """The environment without anything that would put the checkout on the path."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP")}


def _pip(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    r = subprocess.run(
        [sys.executable, "-m", "pip", *args], capture_output=True, text=True, env=_env(), timeout=timeout, check=False
    )
    if r.returncode != 0:
        if NO_NETWORK.search(r.stderr + r.stdout):
            pytest.skip(f"pip cannot reach the package index: {NO_NETWORK.search(r.stderr + r.stdout).group()}")
        pytest.fail(f"pip {' '.join(args[:2])} failed:\n{r.stderr[-3000:]}")
    return r


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> dict[str, Path]:
    """The wheel, and a fresh venv with it installed: paths of the wheel, python and the command."""
    r = subprocess.run([sys.executable, "-m", "pip", "--version"], capture_output=True, text=True, check=False)
    m = re.match(r"pip (\d+)\.(\d+)", r.stdout)
    if r.returncode != 0 or not m:
        pytest.skip("pip is not available in this environment")
    if (int(m.group(1)), int(m.group(2))) < (22, 3):
        pytest.skip(f"pip {m.group(1)}.{m.group(2)} has no --python option (needs 22.3)")
    base = tmp_path_factory.mktemp("install")
    source = base / "checkout"
    shutil.copytree(ROOT, source, ignore=COPY_IGNORE)
    _pip("wheel", "--quiet", "--no-deps", "--wheel-dir", str(base / "dist"), str(source))
    (wheel,) = (base / "dist").glob("indic_tokenizer-*.whl")
    venv = base / "venv"
    # --without-pip: the outer pip installs into it (faster than bootstrapping a pip per venv).
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    _pip("--python", str(python), "install", "--quiet", str(wheel))
    return {"wheel": wheel, "python": python, "command": venv / "bin" / "indic-tokenizer", "venv": venv}


def test_wheel_holds_the_library_and_models_only(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    top = {n.split("/")[0] for n in names}
    assert {t for t in top if not t.endswith(".dist-info")} == {"tokenizer"}  # no bench/, tests/, app.py
    modules = {f"tokenizer/{p.name}" for p in (ROOT / "tokenizer").glob("*.py")}
    assert modules <= set(names), modules - set(names)
    for lang in LANGUAGES.values():
        if (ROOT / "models" / lang.model).is_file():
            for suffix in (".model", ".vocab", ".metrics.json"):
                assert f"tokenizer/models/{lang.model_name}{suffix}" in names
    earlier = {f"tokenizer/models/releases/{p.name}" for p in (ROOT / "models" / "releases").glob("*.model")}
    assert earlier and earlier <= set(names), earlier - set(names)  # load("hi@1") works once installed
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(installed["wheel"]).read(metadata).decode()
    assert "Requires-Dist: tiktoken>=" in text and "Provides-Extra: dask" in text and "Provides-Extra: dev" in text
    entry = zipfile.ZipFile(installed["wheel"]).read(metadata.replace("METADATA", "entry_points.txt")).decode()
    assert "indic-tokenizer = tokenizer.__main__:main" in entry


def test_installed_library_gives_the_checkouts_ids(installed, tmp_path):
    """From an empty directory: the console command and tokenizer.load(name) in the fresh venv."""
    script = (
        "import json, sys, tokenizer\n"
        "print(json.dumps({'file': tokenizer.__file__, 'prefix': sys.prefix, 'base': sys.base_prefix,"
        " 'available': tokenizer.available(),"
        " 'ids': {n: tokenizer.load(n).encode(sys.argv[1], allowed_special='all') for n in tokenizer.available()},"
        " 'checksums': {n: tokenizer.checksum(tokenizer.load(n)) for n in tokenizer.available()},"
        " 'hi1': tokenizer.checksum(tokenizer.load('hi@1'))}))\n"
    )
    r = subprocess.run(
        [str(installed["python"]), "-c", script, TEXT], cwd=tmp_path, env=_env(), capture_output=True, text=True,
        timeout=120, check=False,
    )
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    assert Path(got["file"]).is_relative_to(installed["venv"]) and got["prefix"] != got["base"]
    assert got["available"] == tokenizer.available() and {"hi", "kn"} <= set(got["available"])
    assert got["hi1"] == tokenizer.checksum(tokenizer.load("hi@1")) != got["checksums"]["hi"]
    for name in got["available"]:
        tok = tokenizer.load(name)
        assert got["ids"][name] == tok.encode(TEXT, allowed_special="all"), name
        assert got["checksums"][name] == tokenizer.checksum(tok)
        for command in ([str(installed["command"])], [str(installed["python"]), "-m", "tokenizer"]):
            r = subprocess.run(
                [*command, "encode", "--model", name, "--special", "special"], input=TEXT.encode(), cwd=tmp_path,
                env=_env(), capture_output=True, timeout=120, check=False,
            )
            assert r.returncode == 0, r.stderr.decode()
            assert [int(x) for x in r.stdout.split()] == tok.encode(TEXT, allowed_special="all")
    r = subprocess.run(
        [str(installed["python"]), "-c", "import bench"], cwd=tmp_path, env=_env(), capture_output=True, timeout=60
    )
    assert r.returncode != 0  # the checkout's other folders are not installed


def test_another_packages_tokenizer_is_named_not_used(installed, tmp_path):
    """`pip install tokenizer` (an unrelated package) over ours replaces tokenizer/__init__.py: the
    command says so in one line instead of failing somewhere inside."""
    init = next(installed["venv"].glob("lib/python*/site-packages/tokenizer/__init__.py"))
    ours = init.read_bytes()
    init.write_text('"""Some other tokenizer."""\n\ndef tokenize(text):\n    return text.split()\n')
    try:
        r = subprocess.run(
            [str(installed["command"]), "encode", "--model", "hi"], input="x", cwd=tmp_path, env=_env(),
            capture_output=True, text=True, timeout=60, check=False,
        )
    finally:
        init.write_bytes(ours)
    assert r.returncode == 1 and r.stderr.count("\n") == 1 and "Traceback" not in r.stderr, r.stderr
    assert "is not indic-tokenizer's" in r.stderr and "pip uninstall tokenizer" in r.stderr and str(init) in r.stderr


# ----- the declared dependencies agree with the requirement files ------------------------------------
def _requirements(name: str) -> list[str]:
    """Requirement lines of a requirements file, following -r includes."""
    out: list[str] = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            out += _requirements(line[3:].strip())
        elif line:
            out.append(line)
    return out


def _project() -> dict:
    tomllib = pytest.importorskip("tomllib")
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]


def _key(requirement: str) -> str:
    return re.split(r"[=<>\[ ]", requirement, maxsplit=1)[0].lower().replace("_", "-")


def test_dependencies_agree_with_the_requirement_files():
    project = _project()
    pins = {_key(r): r.split("==")[1] for r in _requirements("requirements.txt")}
    extras = project["optional-dependencies"]
    for dep in project["dependencies"] + extras["hf"] + extras["corpus"]:
        name, lower = dep.split(">=")
        assert pins[_key(name)] == lower, f"{dep}: requirements.txt pins {pins[_key(name)]}"
    assert sorted(project["optional-dependencies"]["dev"]) == sorted(_requirements("requirements-dev.txt"))
    declared = {_key(d) for d in project["dependencies"]}
    assert {"gradio", "pandas"}.isdisjoint(declared)  # the Space's, not the library's
    scale = ROOT / "requirements-scale.txt"
    if scale.is_file():
        assert sorted(project["optional-dependencies"]["dask"]) == sorted(_requirements("requirements-scale.txt"))
