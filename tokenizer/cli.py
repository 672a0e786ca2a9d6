"""Command line: python -m tokenizer <command> --help.

Every command reports a problem as one line on stderr and a non-zero exit status, never a
traceback: bad input is the user's to fix, and a traceback hides what to fix. What it reads is
bounded: a model file by MAX_MODEL_BYTES, a line of an input file by the corpus's ReadLimits,
stdin of `encode` by --max-unbroken characters without a safe cut, and running out of memory
anyway is one line too. Only regular files are read (a FIFO or /dev/zero is named as such).
"""

from __future__ import annotations

import argparse
import codecs
import json
import os
import re
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import BinaryIO

from . import corpus as corpus_mod
from .build import build
from .processes import usable_cpus
from .metrics import compression_curve, evaluate
from .encoding import parse_ids
from .files import TEMP_SUFFIX, open_regular
from .model_file import load, save
from .pretokenize import PATTERNS
from .registry import CODES, LANGUAGES, RECIPES
from .train import VOCAB_CAP, train


class CliError(Exception):
    """A user-facing problem: printed as one line, exit status 1."""


MAX_UNBROKEN = 16 * 2**20  # characters `encode` holds while waiting for a safe cut (~48 MB of Devanagari)
MAX_ID_CHARS = 64  # longer "ids" on decode's stdin are refused, not carried over from block to block
MAX_METRICS_BYTES = 2**20


def _add_corpus_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=CODES, help="language of the embedded default corpus")
    p.add_argument("--input", nargs="+", default=[], metavar="FILE", help=".txt, .txt.gz, .jsonl or .parquet files")
    p.add_argument(
        "--source",
        choices=["embedded", "files", "wikipedia"],
        help="where the text comes from (default: --input files if given, else the embedded corpus)",
    )
    p.add_argument("--max-docs", type=int, help="stop after this many documents")
    p.add_argument("--max-bytes", type=int, help="stop after this many bytes of text")
    p.add_argument("--seed", type=int, default=0, help="seed of the document-level train/valid/test split")


def _corpus(args: argparse.Namespace) -> corpus_mod.Corpus:
    if not args.lang and not args.input:
        raise CliError("give --lang (embedded corpus or Wikipedia) or --input FILE ...")
    return corpus_mod.load_corpus(
        args.lang,
        args.input,
        args.source,
        max_docs=args.max_docs,
        max_bytes=args.max_bytes,
        seed=args.seed,
    )


def check_out(out: str) -> None:
    """Fail now, not after the training: `out` must name a file in a directory this process can
    write (missing folders are made by the save)."""
    path = Path(out)
    if path.is_dir():
        raise CliError(f"--out {out} is a directory; give the model's file name, e.g. {path / 'my.model'}")
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise CliError(f"--out {out}: {folder} is not a directory")
    try:
        fd, probe = tempfile.mkstemp(dir=folder, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise CliError(f"--out {out}: cannot write in {folder} ({e.strerror})") from None


def cmd_train(args: argparse.Namespace) -> None:
    check_out(args.out)
    corpus = _corpus(args)
    start = time.perf_counter()
    # every core by default: HF's trainer uses them all, and the counts do not depend on the number
    workers = usable_cpus() if args.workers is None else args.workers
    if workers < 1:
        raise CliError(f"--workers must be at least 1, got {workers}")
    if args.scheduler and args.engine != "dask":
        raise CliError("--scheduler needs --engine dask")
    # the language's recipe by default: --lang's, else that of the language the input is written in
    recipe = args.recipe or (LANGUAGES[args.lang].recipe if args.lang else None)
    tok = train(
        corpus,
        args.vocab_size,
        recipe=recipe,
        pattern=args.pattern,
        allow_over_cap=args.allow_over_cap,
        quiet=args.quiet,
        name=args.name or args.lang or Path(args.out).stem,
        workers=workers,
        engine=args.engine,
        scheduler=args.scheduler,
    )
    seconds = time.perf_counter() - start
    try:
        save(tok, args.out)
    except OSError as e:  # the directory changed during the training; name the model, not a temp file
        raise CliError(f"--out {args.out}: cannot write the model ({e.strerror})") from None
    held_out = corpus.held_out_lines("valid")
    summary = {"model": args.out, "vocab_size": tok.vocab_size, "merges": tok.n_merges, "train_seconds": round(seconds, 2)}
    if held_out:
        m = evaluate(tok, held_out)
        summary |= {
            "valid_lines": m.lines,
            "bytes_per_token": m.bytes_per_token,
            "chars_per_token": m.chars_per_token,
            "tokens_per_word": m.tokens_per_word,
            "mid_akshara_rate": m.mid_akshara_rate,
        }
    print(json.dumps(summary, ensure_ascii=False))


def read_utf8(stream: BinaryIO, block: int = 1 << 20) -> Iterator[str]:
    """A binary stream as text, block by block: input of any size is never held whole."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    fed = 0  # bytes given to the decoder so far
    while True:
        data = stream.read(block)
        held = len(decoder.getstate()[0])  # bytes of a character cut by the previous block
        try:
            yield decoder.decode(data, final=not data)
        except UnicodeDecodeError as e:
            where, bad = fed - held + e.start, e.object[e.start : e.start + 4].hex(" ")
            raise CliError(f"stdin is not valid UTF-8 (byte {where}: {bad})") from None
        if not data:
            return
        fed += len(data)


def cmd_encode(args: argparse.Namespace) -> None:
    """Streams: ids are written as the text comes (see Tokenizer.encode_iter), so on an error in the
    middle of the input the ids before it have been written already."""
    tok = load(args.model)
    policy = {"raise": {}, "special": {"allowed_special": "all"}, "text": {"disallowed_special": ()}}[args.special]
    sep = ""
    for ids in tok.encode_iter(read_utf8(sys.stdin.buffer), **policy, max_held=args.max_unbroken):
        if ids:
            sys.stdout.write(sep + str(ids)[1:-1].replace(",", ""))  # "1 2 3"; twice as fast as join(map(str))
            sep = " "
    sys.stdout.write("\n")


def cmd_decode(args: argparse.Namespace) -> None:
    """Streams like encode: ids are read and text written block by block."""
    tok = load(args.model)
    out = sys.stdout.buffer
    decoder = None if args.errors == "bytes" else codecs.getincrementaldecoder("utf-8")(args.errors)
    n_ids = n_bytes = 0
    carry = ""  # an id cut by the block edge
    for block in read_utf8(sys.stdin.buffer):
        text = carry + block
        tail = _LAST_WORD.search(text) if block else None
        carry, text = (tail.group(), text[: tail.start()]) if tail else ("", text)
        if len(carry) > MAX_ID_CHARS:  # not an id however it goes on: parsed (and refused) now, not carried on
            text, carry = text + carry, ""
        ids = parse_ids(text, tok.vocab_size, n_ids + 1)
        n_ids += len(ids)
        data = tok.decode_bytes(ids)
        _write_decoded(out, decoder, data, n_bytes, final=not block)
        n_bytes += len(data)
    out.flush()


_LAST_WORD = re.compile(r"[^\s,;\[\]()]+\Z")  # the last id of a block, maybe cut in half


def _write_decoded(out: BinaryIO, decoder, data: bytes, offset: int, final: bool) -> None:
    """Write decoded bytes; offset is where data starts in the whole output, for the error message."""
    if decoder is None:
        out.write(data)
        return
    held = len(decoder.getstate()[0])  # bytes of a character cut by the previous block
    try:
        out.write(decoder.decode(data, final=final).encode("utf-8"))
    except UnicodeDecodeError as e:
        raise CliError(
            f"ids decode to bytes that are not valid UTF-8 at byte {offset - held + e.start} "
            f"({e.object[e.start:e.end].hex(' ')}); use --errors replace to decode anyway"
        ) from None


def cmd_evaluate(args: argparse.Namespace) -> None:
    tok = load(args.model)
    if args.files:
        files = corpus_mod.expand_inputs(args.files)  # every file checked before any is read

        def lines() -> Iterator[str]:
            """Streamed, as train reads them (.txt[.gz], .jsonl[.gz], .parquet; each line bounded),
            so a file of any size is measured in the memory of one batch."""
            for doc in corpus_mod.read_files(files):
                yield from doc.text.split("\n")

        source = ", ".join(args.files)
    else:
        corpus = _corpus(args)
        held_out = corpus.held_out_lines(args.split)
        source = f"{corpus.describe()} [{args.split} split]"

        def lines() -> Iterator[str]:
            return iter(held_out)

    measured = evaluate(tok, lines())
    if not measured.lines:
        raise CliError("no text to evaluate on")
    result = {"model": str(args.model), "data": source} | measured.as_dict()
    if args.curve:
        result["curve"] = compression_curve(tok, lines(), args.curve)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for key, value in result.items():
            if key != "curve":
                print(f"{key:>24}: {value}")


def cmd_encode_corpus(args: argparse.Namespace) -> None:
    """Token shards of whole corpora for language-model training (see tokenizer/shards.py)."""
    from tqdm.auto import tqdm

    from . import shards
    from .model_file import checksum

    tok = load(args.model)
    corpus = _corpus(args)
    split = None if args.split == "all" else args.split
    bar = tqdm(unit="B", unit_scale=True, desc="encoding", disable=args.quiet, file=sys.stderr)
    with bar:
        index = shards.encode_corpus(
            tok,
            shards.corpus_documents(corpus, split),
            args.out,
            shard_tokens=args.shard_tokens,
            workers=args.workers,
            progress=bar.update,
            checksum=checksum(tok),
            source=corpus.describe() + ("" if split is None else f" [{split} split]"),
        )
    summary = {k: index[k] for k in ("model", "checksum", "dtype", "documents", "tokens")}
    print(json.dumps(summary | {"shards": len(index["shards"]), "out": args.out}, ensure_ascii=False))


def cmd_export_hf(args: argparse.Namespace) -> None:
    from .hf import export, find_metrics

    tok = load(args.model)
    if args.metrics:
        try:
            with open_regular(args.metrics) as f:
                data = f.read(MAX_METRICS_BYTES + 1)
            if len(data) > MAX_METRICS_BYTES:
                raise CliError(f"{args.metrics}: over {MAX_METRICS_BYTES:,} bytes, so not a metrics file")
            metrics = json.loads(data.decode("utf-8"))
        except OSError as e:
            raise CliError(f"{args.metrics}: {e.strerror}") from None
        except ValueError as e:
            raise CliError(f"{args.metrics}: not valid JSON ({e})") from None
        if not isinstance(metrics, dict):
            raise CliError(f"{args.metrics}: expected a JSON object of metrics")
    else:
        metrics = find_metrics(tok, args.model)
    paths = export(tok, args.out, metrics, repo_id=args.repo_id)
    files = [p.name for p in paths]
    print(json.dumps({"model": args.model, "out": args.out, "files": files, "metrics": metrics is not None}))


def cmd_push(args: argparse.Namespace) -> None:
    from .hub import push_to_hub

    url = push_to_hub(args.model, args.repo_id, private=args.private, token=args.token)
    print(url)


def cmd_build(args: argparse.Namespace) -> None:
    results = build(args.lang, args.models_dir, args.readme, args.docs, quiet=args.quiet)
    for lang, m in results.items():
        missing = ", ".join(m.get("unavailable", {}))
        print(
            f"{lang}: {m['vocab_size']} tokens, {m['bytes_per_token']:.2f} bytes/token on held-out text "
            f"({m['test']['bytes_per_token']:.2f} on the test split, {m['ratio_to_hf_bpe']['test']:.3f}x HF "
            f"BpeTrainer), trained in {m['train_seconds']} s"
            + (f"; not measured: {missing}" if missing else "")
        )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tokenizer", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a tokenizer and write its model file")
    _add_corpus_args(p)
    p.add_argument("--vocab-size", type=int, default=VOCAB_CAP, help=f"total ids incl. bytes and specials (default {VOCAB_CAP})")
    p.add_argument(
        "--recipe",
        choices=list(RECIPES),
        help="training stages (default: the recipe of --lang, else of the language the input is written in)",
    )
    p.add_argument("--pattern", choices=list(PATTERNS), help="train plain BPE in one stage on this pre-split instead")
    p.add_argument("--allow-over-cap", action="store_true", help=f"allow a vocabulary above {VOCAB_CAP}")
    p.add_argument("--name", help="name stored in the model (default: the language)")
    p.add_argument("--out", required=True, help="model file to write (a .vocab listing is written beside it)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--workers",
        type=int,
        help="processes that count chunks (default: every available core; the model does not depend on it)",
    )
    p.add_argument(
        "--engine",
        choices=["local", "dask"],
        default="local",
        help="count chunks in local processes (default) or on a Dask cluster (pip install -r requirements-scale.txt)",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://HOST:8786 (default with --engine dask: a LocalCluster of --workers processes)",
    )
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("build", help="train, measure and report the shipped models (the main job)")
    p.add_argument("--lang", nargs="+", default=list(CODES), choices=CODES, help="languages (default: all)")
    p.add_argument("--models-dir", default="models")
    p.add_argument("--readme", default="README.md", help="README whose metrics table is regenerated")
    p.add_argument("--docs", default="docs/languages.md", help="per-language tables, regenerated")
    p.add_argument("--quiet", action="store_true")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("encode", help="UTF-8 text on stdin -> ids on stdout")
    p.add_argument("--model", required=True)
    p.add_argument(
        "--special",
        choices=["raise", "special", "text"],
        default="raise",
        help="special-token text in the input: reject it (default), encode it as the special token, or as plain text",
    )
    p.add_argument(
        "--max-unbroken",
        type=int,
        default=MAX_UNBROKEN,
        metavar="CHARS",
        help="most characters held while waiting for a line break where the text can be cut exactly "
        "(default %(default)s); longer unbroken text is refused",
    )
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("encode-corpus", help="encode whole corpora into token shards for language-model training")
    p.add_argument("--model", required=True, help="model file, or a shipped model's name (hi, kn, ...)")
    _add_corpus_args(p)
    p.add_argument("--split", choices=["all", "train", "valid", "test"], default="all",
                   help="documents to encode: all (default), or one part of the train/valid/test split")  # fmt: skip
    p.add_argument("--out", required=True, help="folder for the shards and index.json")
    p.add_argument("--shard-tokens", type=int, default=100_000_000, help="tokens per shard (default: %(default)s)")
    p.add_argument("--workers", type=int, help="encoding processes (default: every available core; 1 = no others)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_encode_corpus)

    p = sub.add_parser("decode", help="ids (spaces or commas) on stdin -> text on stdout")
    p.add_argument("--model", required=True)
    p.add_argument(
        "--errors",
        choices=["strict", "replace", "bytes"],
        default="strict",
        help="ids ending inside a character: fail, write U+FFFD, or write the raw bytes",
    )
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("evaluate", help="compression and mid-akshara rate on held-out text")
    p.add_argument("--model", required=True)
    p.add_argument("files", nargs="*", help="files as train reads them (.txt[.gz], .jsonl[.gz], .parquet), each line "
                   "measured on its own, streamed (default: the corpus's held-out split)")
    _add_corpus_args(p)
    p.add_argument("--split", choices=["valid", "test"], default="valid", help="held-out split when no files are given")
    p.add_argument("--curve", type=int, metavar="K", help="also compute bytes/token after every K merges")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("export-hf", help="write a Hugging Face tokenizer folder (tokenizer.json, configs, model card)")
    p.add_argument("--model", required=True)
    p.add_argument("--out", required=True, help="folder to write")
    p.add_argument("--metrics", help="JSON metrics for the model card (default: <model>.metrics.json beside the model)")
    p.add_argument("--repo-id", help="USER/NAME to show in the model card's usage examples")
    p.set_defaults(func=cmd_export_hf)

    p = sub.add_parser("push", help="export and upload to a Hugging Face Hub model repository")
    p.add_argument("--model", required=True)
    p.add_argument("--repo-id", required=True, help="USER/NAME (created if it does not exist)")
    p.add_argument("--private", action="store_true", help="create the repository as private")
    p.add_argument("--token", help="Hugging Face token with write access (default: $HF_TOKEN, else `hf auth login`)")
    p.set_defaults(func=cmd_push)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except BrokenPipeError:  # e.g. `encode | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except (CliError, ValueError, OSError) as e:  # our errors are ValueError subclasses with clear text
        print(f"error: {e}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"error: out of memory in {args.command}; give it less input at once", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
