"""Pushing to the Hub, without the Hub: a recording fake HfApi, token resolution, and clear errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest
from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled
from tokenizers import Tokenizer as HfTokenizer

import tokenizer
from tokenizer import hub
from tokenizer.hf import FILES
from tokenizer.hub import NO_TOKEN, HubError, push_to_hub, resolve_token

ROOT = Path(__file__).resolve().parents[1]


class RecordingApi:
    """Records create_repo / upload_folder calls and copies the folder's files at upload time."""

    def __init__(self, fail_with: BaseException | None = None, fail_on: str = "create_repo") -> None:
        self.calls: list[tuple[str, tuple, dict]] = []
        self.uploaded: dict[str, bytes] = {}
        self.fail_with, self.fail_on = fail_with, fail_on

    def create_repo(self, repo_id, **kwargs):
        self.calls.append(("create_repo", (repo_id,), kwargs))
        if self.fail_with is not None and self.fail_on == "create_repo":
            raise self.fail_with
        return f"https://huggingface.co/{repo_id}"

    def upload_folder(self, **kwargs):
        self.calls.append(("upload_folder", (), kwargs))
        if self.fail_with is not None and self.fail_on == "upload_folder":
            raise self.fail_with
        folder = Path(kwargs["folder_path"])
        self.uploaded = {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}
        return "commit-info"


@pytest.fixture
def model_path(hi_small, tmp_path) -> Path:
    path = tmp_path / "hi.model"
    tokenizer.save(hi_small, path)
    return path


def _http_error(status: int) -> HfHubHTTPError:
    request = httpx2.Request("POST", "https://huggingface.co/api/repos/create")
    response = httpx2.Response(status, request=request, json={"error": "You don't have the rights"})
    return HfHubHTTPError(f"{status} Client Error: Forbidden for url: {request.url}", response=response)


def test_push_calls_and_uploaded_files(model_path, hi_small, tmp_path):
    api = RecordingApi()
    url = push_to_hub(model_path, "someone/indic-bpe-hi", private=True, api=api)
    assert url == "https://huggingface.co/someone/indic-bpe-hi"
    assert [c[0] for c in api.calls] == ["create_repo", "upload_folder"]
    assert api.calls[0][1:] == (("someone/indic-bpe-hi",), {"repo_type": "model", "private": True, "exist_ok": True})
    upload = api.calls[1][2]
    assert set(upload) == {"folder_path", "repo_id", "repo_type", "commit_message"}
    assert upload["repo_id"] == "someone/indic-bpe-hi" and upload["repo_type"] == "model"
    assert upload["commit_message"].startswith("Upload tokenizer hi-small")
    assert set(api.uploaded) == set(FILES)
    assert not Path(upload["folder_path"]).exists()  # the temporary folder is gone
    (tmp_path / "dl").mkdir()
    for name, data in api.uploaded.items():
        (tmp_path / "dl" / name).write_bytes(data)
    hf = HfTokenizer.from_file(str(tmp_path / "dl" / "tokenizer.json"))
    text = "हिन्दी विकिपीडिया <|endoftext|> ಕನ್ನಡ"
    assert hf.encode(text, add_special_tokens=False).ids == hi_small.encode(text, allowed_special="all")
    assert b'from_pretrained("someone/indic-bpe-hi")' in api.uploaded["README.md"]



def test_push_of_a_shipped_name_carries_its_metrics(tmp_path, monkeypatch):
    """push --model hi (the README's form) uploads the card with models/hi.metrics.json, whatever the
    working directory."""
    from tokenizer.model_file import models_dir

    monkeypatch.chdir(tmp_path)
    api = RecordingApi()
    push_to_hub("hi", "someone/indic-bpe-hi", api=api)
    shipped = json.loads((models_dir() / "hi.metrics.json").read_text(encoding="utf-8"))
    card = api.uploaded["README.md"].decode()
    assert f"| UTF-8 bytes per token (higher is better) | {shipped['bytes_per_token']} |" in card

def test_push_public_by_default(model_path):
    api = RecordingApi()
    push_to_hub(model_path, "someone/x", api=api)
    assert api.calls[0][2]["private"] is False


def test_token_resolution_order(monkeypatch):
    import huggingface_hub

    monkeypatch.setattr(huggingface_hub, "get_token", lambda: "from-login")
    monkeypatch.setenv("HF_TOKEN", "from-env")
    assert resolve_token("from-arg") == "from-arg"
    assert resolve_token() == "from-env"
    monkeypatch.delenv("HF_TOKEN")
    assert resolve_token() == "from-login"
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    with pytest.raises(HubError) as e:
        resolve_token()
    assert str(e.value) == NO_TOKEN == "no Hugging Face token: pass --token, set HF_TOKEN or run `hf auth login`"


def test_missing_token_fails_before_any_call(model_path, monkeypatch):
    import huggingface_hub

    monkeypatch.delenv("HF_TOKEN", raising=False)
    monkeypatch.setattr(huggingface_hub, "get_token", lambda: None)
    monkeypatch.setattr(huggingface_hub, "HfApi", lambda **kw: pytest.fail("HfApi must not be built"))
    with pytest.raises(HubError, match="no Hugging Face token"):
        push_to_hub(model_path, "someone/x")


def test_real_hfapi_gets_the_resolved_token(model_path, monkeypatch):
    import huggingface_hub

    made = {}

    def fake_api(**kwargs):
        made.update(kwargs)
        return RecordingApi()

    monkeypatch.setattr(huggingface_hub, "HfApi", fake_api)
    monkeypatch.setenv("HF_TOKEN", "hf_env_token")
    push_to_hub(model_path, "someone/x")
    assert made == {"token": "hf_env_token"}
    push_to_hub(model_path, "someone/x", token="hf_arg")
    assert made == {"token": "hf_arg"}


@pytest.mark.parametrize(
    "error",
    [
        httpx2.ConnectError("[Errno -2] Name or service not known"),
        httpx2.ConnectTimeout("timed out"),
        OfflineModeIsEnabled("Cannot reach https://huggingface.co: offline mode is enabled."),
        ConnectionError("connection reset"),
    ],
)
@pytest.mark.parametrize("fail_on", ["create_repo", "upload_folder"])
def test_no_network_is_one_clear_line(model_path, error, fail_on):
    with pytest.raises(HubError) as e:
        push_to_hub(model_path, "someone/x", api=RecordingApi(error, fail_on))
    assert str(e.value).startswith("cannot reach the Hugging Face Hub: ")
    assert "\n" not in str(e.value)


@pytest.mark.parametrize("status", [401, 403])
def test_permission_denied(model_path, status):
    with pytest.raises(HubError) as e:
        push_to_hub(model_path, "someone/x", api=RecordingApi(_http_error(status), "upload_folder"))
    assert str(e.value) == "permission denied for someone/x: check the token has write access"


def test_other_http_errors_are_reported_with_the_status(model_path):
    with pytest.raises(HubError, match=r"refused the push to someone/x \(HTTP 500\)"):
        push_to_hub(model_path, "someone/x", api=RecordingApi(_http_error(500)))


def test_unknown_errors_are_not_hidden(model_path):
    with pytest.raises(KeyError):
        push_to_hub(model_path, "someone/x", api=RecordingApi(KeyError("bug")))


@pytest.mark.parametrize("repo_id", ["noslash", "a/b/c", "/x", "user/", "user/bad name"])
def test_bad_repo_id(model_path, repo_id):
    api = RecordingApi()
    with pytest.raises(HubError):
        push_to_hub(model_path, repo_id, api=api)
    assert api.calls == []


def test_bad_model_fails_before_any_call(tmp_path):
    api = RecordingApi()
    with pytest.raises(ValueError, match="no such model file"):
        push_to_hub(tmp_path / "missing.model", "someone/x", api=api)
    assert api.calls == []


def test_offline_mode_with_the_real_hfapi(model_path, monkeypatch):
    """The real HfApi code path, stopped by huggingface_hub's offline switch before any traffic."""
    from huggingface_hub import constants

    monkeypatch.setattr(constants, "HF_HUB_OFFLINE", True)
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token")
    with pytest.raises(HubError, match="^cannot reach the Hugging Face Hub: offline mode is on"):
        push_to_hub(model_path, "someone/x")


def _hub_resolves() -> bool:
    try:
        socket.getaddrinfo("huggingface.co", 443)
    except OSError:
        return False
    return True


@pytest.mark.skipif(_hub_resolves(), reason="huggingface.co resolves here: this test is for machines without network")
def test_real_hfapi_without_network(model_path, monkeypatch):
    monkeypatch.setenv("HF_TOKEN", "hf_not_a_real_token")
    with pytest.raises(HubError, match="^cannot reach the Hugging Face Hub: "):
        push_to_hub(model_path, "someone/x")


def _cli_env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    env |= {"HF_HOME": str(tmp_path / "hf-home"), "PYTHONPATH": str(ROOT)}
    return env


def test_cli_push_without_token(model_path, tmp_path):
    (tmp_path / "hf-home").mkdir()
    run = subprocess.run(
        [sys.executable, "-m", "tokenizer", "push", "--model", str(model_path), "--repo-id", "someone/x"],
        capture_output=True, text=True, env=_cli_env(tmp_path), cwd=ROOT, timeout=60,
    )  # fmt: skip
    assert run.returncode == 1
    assert run.stdout == ""
    assert run.stderr == f"error: {NO_TOKEN}\n"


def test_cli_push_with_a_fake_api(model_path, monkeypatch, capsys):
    from tokenizer.cli import main

    api = RecordingApi()
    monkeypatch.setattr(hub, "push_to_hub", lambda *a, **kw: push_to_hub(*a, **kw | {"api": api}))
    assert main(["push", "--model", str(model_path), "--repo-id", "someone/x", "--private", "--token", "t"]) == 0
    assert capsys.readouterr().out == "https://huggingface.co/someone/x\n"
    assert api.calls[0][2]["private"] is True


def test_cli_push_errors_are_one_line(model_path, monkeypatch, capsys):
    from tokenizer.cli import main

    api = RecordingApi(_http_error(403), "create_repo")
    monkeypatch.setattr(hub, "push_to_hub", lambda *a, **kw: push_to_hub(*a, **kw | {"api": api}))
    assert main(["push", "--model", str(model_path), "--repo-id", "someone/x"]) == 1
    assert capsys.readouterr().err == "error: permission denied for someone/x: check the token has write access\n"
