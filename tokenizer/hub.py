"""Push a model to the Hugging Face Hub as a `tokenizers` / `transformers` tokenizer repository.

    from tokenizer.hub import push_to_hub
    url = push_to_hub("models/hi.model", "USER/indic-bpe-hi")   # token from HF_TOKEN or `hf auth login`

The model is exported (`hf.export`) to a temporary folder, the repository is created if needed
(`exist_ok=True`, so pushing again updates it) and the folder is uploaded in one commit.
Everything that can go wrong is reported as a `HubError` with one clear line: no token, no
network, a token without write access, or another refusal by the Hub.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from .errors import TokenizerError, first_line, network_errors
from .hf import export, find_metrics
from .model_file import load

NO_TOKEN = "no Hugging Face token: pass --token, set HF_TOKEN or run `hf auth login`"


class HubError(TokenizerError):
    """A push that failed for a reason the user can fix; the message is one line."""


def resolve_token(token: str | None = None) -> str:
    """The token to push with: the argument, else $HF_TOKEN, else the cached `hf auth login` token."""
    if token:
        return token
    env = os.environ.get("HF_TOKEN", "").strip()
    if env:
        return env
    from huggingface_hub import get_token

    try:
        cached = get_token()
    except Exception as e:  # e.g. a failed OIDC exchange when HF_OIDC_RESOURCE is set
        raise HubError(f"{NO_TOKEN} ({type(e).__name__}: {first_line(e)})") from e
    if cached:
        return cached
    raise HubError(NO_TOKEN)


def hub_error(e: BaseException, repo_id: str) -> HubError | None:
    """A clear one-line HubError for an exception raised by huggingface_hub, or None if it is not one we know."""
    from huggingface_hub.errors import HfHubHTTPError, OfflineModeIsEnabled

    if isinstance(e, OfflineModeIsEnabled):
        return HubError("cannot reach the Hugging Face Hub: offline mode is on (unset HF_HUB_OFFLINE to push)")
    if isinstance(e, HfHubHTTPError):
        response = getattr(e, "response", None)
        status = getattr(response, "status_code", None)
        if status in (401, 403):
            return HubError(f"permission denied for {repo_id}: check the token has write access")
        server = getattr(e, "server_message", None) or first_line(e)
        detail = first_line(Exception(server))
        return HubError(f"the Hugging Face Hub refused the push to {repo_id} (HTTP {status}): {detail}")
    if isinstance(e, network_errors()):
        return HubError(f"cannot reach the Hugging Face Hub: {type(e).__name__}: {first_line(e)}")
    return None


def push_to_hub(
    model_path: str | os.PathLike,
    repo_id: str,
    *,
    private: bool = False,
    token: str | None = None,
    api=None,
    commit_message: str | None = None,
) -> str:
    """Export the model and upload it to the model repository repo_id ("USER/NAME"); returns the repo URL.

    `api` is an `huggingface_hub.HfApi` (or anything with its create_repo and upload_folder); by
    default one is made with the token from `resolve_token(token)`. A given `api` brings its own
    token, so `token` is then not looked up.
    """
    if repo_id.count("/") != 1 or not all(repo_id.split("/")):
        raise HubError(f"repo id must look like USER/NAME, got {repo_id!r}")
    from huggingface_hub.utils import validate_repo_id

    try:
        validate_repo_id(repo_id)
    except ValueError as e:
        raise HubError(f"invalid repo id {repo_id!r}: {first_line(e)}") from None
    tok = load(model_path)  # a bad model fails here, before anything is sent
    if api is None:
        from huggingface_hub import HfApi

        api = HfApi(token=resolve_token(token))
    message = commit_message or f"Upload tokenizer {tok.name or Path(model_path).stem} ({tok.vocab_size} ids)"
    with tempfile.TemporaryDirectory(prefix="indic-tokenizer-push-") as folder:
        export(tok, folder, find_metrics(tok, model_path), repo_id=repo_id)
        try:
            url = api.create_repo(repo_id, repo_type="model", private=private, exist_ok=True)
            api.upload_folder(folder_path=folder, repo_id=repo_id, repo_type="model", commit_message=message)
        except Exception as e:
            clear = hub_error(e, repo_id)
            if clear is None:
                raise
            raise clear from e
    return str(url) if url else f"https://huggingface.co/{repo_id}"
