"""Run the Space (app.py) in a subprocess on a free loopback port, for the app, browser and load tests.

    from tests.app_server import app_server   # a module-scoped pytest fixture -> AppServer

The server uses the models in $INDIC_TOKENIZER_MODELS, or else the repository's models/, when
both hi.model and kn.model are there; otherwise (models not trained yet) it trains two small tokenizers into a
temporary directory and writes a Hindi metrics file only, so that both the plotted and the
"metrics missing" paths of the Metrics view are exercised.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
REFTOK = Path(__file__).resolve().parents[2] / "shared" / "reftok" / "openai"
LLM_DIR = REFTOK.parent / "llm"  # the open LLMs' tokenizers (tokenizer.compare reads them offline)
APP = ROOT / "app.py"
TRAINED_MARKER = "TRAINED-FOR-TESTS"


@dataclass
class AppServer:
    url: str
    models_dir: Path
    tiktoken_dir: Path | None  # None: the GPT encodings are not available offline
    process: subprocess.Popen
    log_path: Path

    @property
    def small_test_models(self) -> bool:
        """Whether the models are the small ones prepare_models trained (not real models)."""
        return (self.models_dir / TRAINED_MARKER).exists()

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])
        except OSError:
            return ""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _corpus_lines(lang: str, n: int) -> list[str]:
    with gzip.open(ROOT / "data" / f"{lang}.txt.gz", "rt", encoding="utf-8") as f:
        return [line.rstrip("\n") for _, line in zip(range(n), f)]


def prepare_models(workdir: Path) -> Path:
    """$INDIC_TOKENIZER_MODELS or the repository's models/ if both models are there, else
    small ones trained into workdir."""
    for candidate in (os.environ.get("INDIC_TOKENIZER_MODELS"), ROOT / "models"):
        if candidate and (Path(candidate) / "hi.model").is_file() and (Path(candidate) / "kn.model").is_file():
            return Path(candidate)
    sys.path.insert(0, str(ROOT))
    import tokenizer

    out = workdir / "models"
    out.mkdir(parents=True, exist_ok=True)
    for lang, n in (("hi", 1500), ("kn", 1000)):
        tok = tokenizer.train(_corpus_lines(lang, n), 1000, quiet=True, name=f"{lang}-test")
        tokenizer.save(tok, out / f"{lang}.model")
    # A Hindi metrics file of the documented shape; no Kannada one (the view must say so).
    metrics = {
        "model": "hi.model", "data": "test fixture", "vocab_size": 1000, "lines": 10, "tokens": 100,
        "bytes": 800, "chars": 300, "words": 60, "bytes_per_token": 8.0, "chars_per_token": 3.0,
        "tokens_per_word": 1.67, "boundaries": 90, "mid_akshara_boundaries": 9, "mid_akshara_rate": 0.1,
        "curve": [[257, 1.0], [500, 4.0], [750, 6.0], [1000, 8.0]],
        "baselines": {
            name: {"vocab_size": v, "bytes_per_token": b, "chars_per_token": b / 2.7, "tokens_per_word": 3.0,
                   "mid_akshara_rate": 0.5}
            for name, v, b in (("GPT-2", 50257, 1.7), ("GPT-4", 100277, 2.6), ("GPT-4o", 200019, 7.6))
        },
    }
    (out / "hi.metrics.json").write_text(json.dumps(metrics), encoding="utf-8")
    (out / TRAINED_MARKER).write_text("small tokenizers trained by tests/app_server.py\n", encoding="utf-8")
    return out


def start_app(models_dir: Path, log_path: Path, *, timeout: float = 90.0, extra_env: dict | None = None) -> AppServer:
    port = free_port()
    tiktoken_dir = REFTOK if REFTOK.is_dir() else None
    env = {k: v for k, v in os.environ.items() if not k.startswith("GRADIO_")}
    env.update(
        GRADIO_SERVER_PORT=str(port),
        GRADIO_SERVER_NAME="127.0.0.1",
        GRADIO_ANALYTICS_ENABLED="False",
        INDIC_TOKENIZER_MODELS=str(models_dir),
        PYTHONUNBUFFERED="1",
        NO_PROXY="127.0.0.1,localhost",
        no_proxy="127.0.0.1,localhost",
    )
    env.pop("PORT", None)
    env["HF_HUB_OFFLINE"] = "1"  # no network here: a Hub id must fail at once, with huggingface_hub's offline error
    if tiktoken_dir:
        env["INDIC_TOKENIZER_TIKTOKEN_DIR"] = str(tiktoken_dir)
    else:
        env.pop("INDIC_TOKENIZER_TIKTOKEN_DIR", None)
    if LLM_DIR.is_dir():
        env["INDIC_TOKENIZER_LLM_DIR"] = str(LLM_DIR)
    else:
        env.pop("INDIC_TOKENIZER_LLM_DIR", None)
    env.update(extra_env or {})
    log = open(log_path, "wb")  # noqa: SIM115 - closed with the process
    proc = subprocess.Popen([sys.executable, str(APP)], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    server = AppServer(f"http://127.0.0.1:{port}", models_dir, tiktoken_dir, proc, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app.py exited with {proc.returncode}:\n{server.log_tail()}")
        try:
            with urllib.request.urlopen(server.url + "/gradio_api/info", timeout=5) as r:
                if r.status == 200:
                    return server
        except (urllib.error.URLError, ConnectionError, TimeoutError, OSError):
            pass
        time.sleep(0.25)
    stop_app(server)
    raise RuntimeError(f"app.py did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def stop_app(server: AppServer) -> None:
    proc = server.process
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def app_server():
    with tempfile.TemporaryDirectory(prefix="indic-space-") as tmp:
        workdir = Path(tmp)
        models = prepare_models(workdir)
        server = start_app(models, workdir / "app.log")
        try:
            yield server
        finally:
            stop_app(server)
