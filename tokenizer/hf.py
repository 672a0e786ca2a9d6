"""Export to the Hugging Face format: a `tokenizers.Tokenizer` and a folder for the Hub.

    from tokenizer import load
    from tokenizer.hf import export, to_hf
    hf = to_hf(load("models/hi.model"))           # tokenizers.Tokenizer, same ids as ours
    export(load("models/hi.model"), "out/hi-hf")  # tokenizer.json + configs + model card

The pipeline is the one our encoder follows: special tokens (HF "added tokens", matched before
anything else), then our pre-split regex (`Split`, isolated), then the GPT-2 byte-to-character
mapping (`ByteLevel` with its own regex off), then BPE whose merges are listed in our rank order,
so HF's "lowest rank first, leftmost on ties" is minbpe's rule and the ids are ours exactly.

The regex is rewritten for Oniguruma (HF's regex engine) by `unicode_regex.onig_regex`, so that it
splits exactly as Python's `regex` whatever Unicode version Oniguruma ships.
"""

from __future__ import annotations

import json
import os
from functools import lru_cache
from pathlib import Path

from .encoding import ENDOFTEXT, Tokenizer
from .errors import ExportError
from .files import folder_problem, write_atomic
from .registry import DEFAULT, LANGUAGES, RELEASES, Language
from .model_file import checksum, model_path as resolve_model_path
from .unicode_regex import onig_regex

FILES = ("tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "README.md")
# The Hub's licence identifiers of the licences our corpora carry (the registry names them).
HUB_LICENCES = {"CC BY-SA 4.0": "cc-by-sa-4.0", "CC BY-SA": "cc-by-sa-4.0", "CC0": "cc0-1.0", "Apache-2.0": "apache-2.0"}
# transformers' "no limit" value (VERY_LARGE_INTEGER): a tokenizer alone has no context window.
MODEL_MAX_LENGTH = int(1e30)


# ----- the GPT-2 byte <-> character table ------------------------------------------------------
@lru_cache(maxsize=1)
def bytes_to_unicode() -> dict[int, str]:
    """GPT-2's table: every byte gets a printable character (the ones HF's ByteLevel uses)."""
    keep = [*range(ord("!"), ord("~") + 1), *range(ord("¡"), ord("¬") + 1), *range(ord("®"), ord("ÿ") + 1)]
    table = {b: chr(b) for b in keep}
    n = 0
    for b in range(256):
        if b not in table:
            table[b] = chr(256 + n)
            n += 1
    return table


def token_string(data: bytes) -> str:
    """A token's bytes as HF's byte-level vocabulary spells them."""
    table = bytes_to_unicode()
    return "".join(table[b] for b in data)


# ----- the tokenizers.Tokenizer ----------------------------------------------------------------
def to_hf(tok: Tokenizer, *, special_tokens: bool = True):
    """A `tokenizers.Tokenizer` giving exactly our ids.

    With special_tokens (the default) our special tokens are added tokens with our ids; HF matches
    added tokens anywhere in the input, which is our `encode(text, allowed_special="all")`. Without
    them it is our `encode_ordinary` (our Tokenizer facade applies the special-token policy itself).
    """
    from tokenizers import AddedToken, Regex, decoders, models, pre_tokenizers
    from tokenizers import Tokenizer as HfTokenizer

    vocab = {token_string(data): i for i, data in tok.vocab.items()}
    if len(vocab) != len(tok.vocab):
        raise ExportError("two tokens have the same bytes; the HF format needs every token's bytes to be unique")
    ordered = sorted(tok.merges.items(), key=lambda item: item[1])
    merges = [(token_string(tok.vocab[a]), token_string(tok.vocab[b])) for (a, b), _ in ordered]
    if special_tokens:
        # HF numbers added tokens after the model's vocabulary unless the model already has them
        # (as GPT-2's tokenizer.json does), so our special tokens go into the vocabulary with our
        # ids too; BPE never produces them from bytes, since no merge spells them.
        for s, i in tok.special_tokens.items():
            if s in vocab:
                raise ExportError(f"special token {s!r} is spelt like ordinary token {vocab[s]} in the HF vocabulary")
            vocab[s] = i
    model = models.BPE(vocab=vocab, merges=merges, byte_fallback=False, ignore_merges=False)
    hf = HfTokenizer(model)
    hf.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Split(Regex(onig_regex(tok.pattern.regex)), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ]
    )
    hf.decoder = decoders.ByteLevel()
    if special_tokens and tok.special_tokens:
        ordered_specials = sorted(tok.special_tokens.items(), key=lambda kv: kv[1])
        hf.add_special_tokens([AddedToken(s, special=True, normalized=False) for s, _ in ordered_specials])
        for s, i in ordered_specials:
            if hf.token_to_id(s) != i:
                raise ExportError(f"special token {s!r} got id {hf.token_to_id(s)} in the HF tokenizer, not {i}")
    return hf


# ----- the exported folder ---------------------------------------------------------------------
def language_of(tok: Tokenizer) -> Language | None:
    """The registry language a model is named after ("hi", "hi-small", "ta_v2" -> its language), if any."""
    return LANGUAGES.get(tok.name.split("-")[0].split("_")[0])


def find_metrics(tok: Tokenizer, model_path: str | os.PathLike | None) -> dict | None:
    """Measured metrics for the model: <model>.metrics.json beside its file (models/hi.model ->
    models/hi.metrics.json; a shipped model's name, "hi", means that file). None if there is none,
    it cannot be read, or it is not this model's (see check_metrics): metrics of another model must
    not end up in this model's card."""
    if model_path is None:
        return None
    try:
        path = resolve_model_path(model_path).with_suffix(".metrics.json")
        data = json.loads(path.read_text(encoding="utf-8"))
        return check_metrics(tok, data, path)
    except (OSError, ValueError):  # ExportError and ModelFileError are ValueErrors
        return None


def check_metrics(tok: Tokenizer, data: object, source: str | os.PathLike, model: str | None = None) -> dict:
    """data, if it is a metrics object of this model that the model card can show; else an ExportError
    naming the file (`source`) and the model (`model`, default its name): a card must never show
    another model's numbers, nor claim metrics it does not show."""
    model = model or tok.name or "this model"
    if not isinstance(data, dict):
        raise ExportError(f"{source}: expected a JSON object of metrics")
    if not _metrics_table(data):
        wanted = ", ".join(key for key, _ in METRIC_LABELS)
        raise ExportError(f"{source}: no metrics the model card can show (a number for one of: {wanted})")
    theirs = f" ({data['model']})" if isinstance(data.get("model"), str) else ""
    if data.get("vocab_size") not in (None, tok.vocab_size):
        raise ExportError(
            f"{source} holds the metrics of a model of {data['vocab_size']} ids{theirs}, not of {model} "
            f"({tok.vocab_size} ids)"
        )
    if data.get("checksum") not in (None, checksum(tok)):
        raise ExportError(
            f"{source} holds the metrics of another model{theirs}: its checksum {data['checksum']} is not "
            f"{model}'s {checksum(tok)}"
        )
    return data


def tokenizer_config(tok: Tokenizer) -> dict:
    config: dict = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "model_max_length": MODEL_MAX_LENGTH,
        "clean_up_tokenization_spaces": False,
        # The model file's checksum (tokenizer.model_file.checksum): which model this export is.
        "indic_tokenizer_checksum": checksum(tok),
    }
    if ENDOFTEXT in tok.special_tokens:
        # GPT-2's convention: one token ends a document and may start the next. Byte-level BPE
        # never needs an unknown token, so there is none.
        config |= {"bos_token": ENDOFTEXT, "eos_token": ENDOFTEXT}
    extra = [s for s in tok.special_tokens if s != ENDOFTEXT]
    if extra:
        config["extra_special_tokens"] = extra
    config["added_tokens_decoder"] = {
        str(i): {
            "content": s, "lstrip": False, "normalized": False, "rstrip": False, "single_word": False, "special": True
        }
        for s, i in sorted(tok.special_tokens.items(), key=lambda kv: kv[1])
    }
    return config


def special_tokens_map(tok: Tokenizer) -> dict:
    out: dict = {}
    if ENDOFTEXT in tok.special_tokens:
        out |= {"bos_token": ENDOFTEXT, "eos_token": ENDOFTEXT}
    extra = [s for s in tok.special_tokens if s != ENDOFTEXT]
    if extra:
        out["additional_special_tokens"] = extra
    return out


METRIC_LABELS = (  # the metrics a model card shows, in its order
    ("bytes_per_token", "UTF-8 bytes per token (higher is better)"),
    ("chars_per_token", "characters per token"),
    ("tokens_per_word", "tokens per word (lower is better)"),
    ("mid_akshara_rate", "share of token boundaries inside an akshara (lower is better)"),
    ("lines", "held-out lines measured"),
    ("valid_lines", "held-out lines measured"),
    ("tokens", "tokens"),
    ("bytes", "bytes"),
)


def _metrics_table(metrics: dict) -> str:
    flat = dict(metrics)
    for key in ("valid", "metrics"):  # accept {"valid": {...}} or {"metrics": {...}} as well
        if isinstance(flat.get(key), dict):
            flat = flat | flat[key]
    rows = [
        f"| {label} | {flat[key]} |"
        for key, label in METRIC_LABELS
        if isinstance(flat.get(key), (int, float)) and not isinstance(flat.get(key), bool)
    ]
    if not rows:
        return ""
    where = flat.get("data") or flat.get("split") or "the held-out validation split of the training corpus"
    return "\n".join(
        [f"Measured on {where}, each line encoded on its own:", "", "| metric | value |", "|---|---:|", *rows]
    )


def model_card(tok: Tokenizer, metrics: dict | None = None, repo_id: str | None = None) -> str:
    """The Hub README: what the tokenizer is, its measured metrics, usage, and its training data and
    licence (from the registry entry of the language it is named after, if any)."""
    lang = language_of(tok)
    language = lang.name if lang else "Indian languages"
    licence = HUB_LICENCES.get(lang.licence, "other") if lang else "other"
    header = ["---", "language:", f"- {lang.code}" if lang else "- multilingual", f"license: {licence}"]
    header += ["library_name: tokenizers", "tags:", "- tokenizer", "- bpe", "- byte-level-bpe", "- indic"]
    header += [f"- {tag}" for tag in (lang.tags if lang else ())] + ["---", ""]
    name = repo_id or f"{language} byte-level BPE tokenizer" + (f" ({tok.name})" if tok.name else "")
    specials = ", ".join(f"`{s}` (id {i})" for s, i in sorted(tok.special_tokens.items(), key=lambda kv: kv[1]))
    example = json.dumps((lang or LANGUAGES[DEFAULT]).examples[0], ensure_ascii=False)
    if lang:
        # the registry describes today's corpus; an earlier release trained on a part of it
        earlier = tok.release < lang.release
        trained = (f"Release {tok.release} was trained on an earlier state of the {lang.name} corpus" if earlier
                   else f"Trained on the {lang.name} corpus")
        sources = f"; its sources are among today's, {lang.describe_sources()}" if earlier else f": {lang.describe_sources()}"
        later = [RELEASES[lang.code, n] for n in range(tok.release + 1, lang.release + 1) if (lang.code, n) in RELEASES]
        data = (
            f"{trained} embedded in the indic-tokenizer repository (`data/`){sources}. The vocabulary is derived "
            f"from that text (its tokens are fragments of it), so this tokenizer is distributed under {lang.licence}; "
            "keep this attribution when you redistribute it."
            + (f" What the later releases changed: {'; '.join(later)}." if earlier and later else "")
        )
    else:
        data = (
            "The training text of this tokenizer is not one of the package's embedded corpora. Its vocabulary is "
            "derived from that text (its tokens are fragments of it): state the text's source and licence here."
        )
    body = [
        f"# {name}",
        "",
        f"A byte-level BPE tokenizer for {language} with an akshara-aware pre-split: {tok.vocab_size:,} ids in "
        f"total (256 bytes, {tok.n_merges:,} merges" + (f", special tokens {specials}" if specials else "") + ").",
        "",
        f"Text is first cut by the `{tok.pattern.name}` pre-split pattern ({tok.pattern.description}), which keeps "
        "every akshara (a consonant with its vowel signs, virama, nukta, ZWJ/ZWNJ) inside one chunk, so no merge can "
        "join bytes across chunks; BPE merges are then applied in training order. Any UTF-8 text encodes and decodes "
        "back byte for byte; nothing is normalised.",
        "",
        f"Release {tok.release} of `{tok.name or 'this model'}`"
        + (f" ({RELEASES[lang.code, tok.release]})" if lang and (lang.code, tok.release) in RELEASES else "")
        + f". Model checksum: `{checksum(tok)}` (SHA-256 over the pre-split regex, merges and special tokens, as in "
        "the `checksum:` line of the indicbpe model file this was exported from).",
        "",
        "## Metrics",
        "",
        (metrics and _metrics_table(metrics)) or "No measured metrics were exported with this tokenizer.",
        "",
        "## Usage",
        "",
        "With `tokenizers`:",
        "",
        "```python",
        "from tokenizers import Tokenizer",
        "",
        f'tok = Tokenizer.from_pretrained("{repo_id or "USER/NAME"}")  # or Tokenizer.from_file("tokenizer.json")',
        f"ids = tok.encode({example}).ids",
        "text = tok.decode(ids, skip_special_tokens=False)",
        "```",
        "",
        "With `transformers`:",
        "",
        "```python",
        "from transformers import AutoTokenizer",
        "",
        f'tok = AutoTokenizer.from_pretrained("{repo_id or "USER/NAME"}")',
        f'ids = tok({example}, add_special_tokens=False)["input_ids"]',
        "text = tok.decode(ids, clean_up_tokenization_spaces=False)",
        "```",
        "",
        f"The tokenizer has no padding token of its own: for padded batches set `tok.pad_token = tok.eos_token` "
        f"(`{ENDOFTEXT}`) and mask the padding with the attention mask.",
        "",
        f"Special-token text in the input (e.g. `{ENDOFTEXT}`) is always encoded as the special token here, as in "
        "the original library's `encode(text, allowed_special=\"all\")`.",
        "",
        "## Training data and licence",
        "",
        data,
        "",
    ]
    return "\n".join(header + body)


def export(
    tok: Tokenizer,
    out_dir: str | os.PathLike,
    metrics: dict | None = None,
    *,
    repo_id: str | None = None,
) -> list[Path]:
    """Write tokenizer.json, tokenizer_config.json, special_tokens_map.json and README.md (each atomically)."""
    out = Path(out_dir)
    problem = folder_problem(out)
    if problem:
        raise ExportError(f"cannot write the export to {out}: {problem}")
    hf = to_hf(tok)
    contents = {
        "tokenizer.json": hf.to_str(pretty=True),
        "tokenizer_config.json": json.dumps(tokenizer_config(tok), ensure_ascii=False, indent=2) + "\n",
        "special_tokens_map.json": json.dumps(special_tokens_map(tok), ensure_ascii=False, indent=2) + "\n",
        "README.md": model_card(tok, metrics, repo_id),
    }
    paths = []
    for name in FILES:
        write_atomic(out / name, contents[name])
        paths.append(out / name)
    return paths
