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
from typing import BinaryIO, TextIO

from . import __version__
from . import corpus as corpus_mod
from .build import build
from .processes import usable_cpus
from .metrics import compression_curve, evaluate
from .encoding import parse_ids
from .errors import SpecialTokenError, TokenizerError
from .files import TEMP_SUFFIX, folder_problem, open_regular
from .model_file import listing_path, load, save
from .pretokenize import PATTERNS
from .registry import CODES, LANGUAGES, PLAIN_BPE, RECIPES
from .train import VOCAB_CAP, train


class CliError(Exception):
    """A user-facing problem: printed as one line, exit status 1."""


MAX_UNBROKEN = 16 * 2**20  # characters `encode` holds while waiting for a safe cut (~48 MB of Devanagari)
MAX_ID_CHARS = 64  # longer "ids" on decode's stdin are refused, not carried over from block to block
MAX_METRICS_BYTES = 2**20
MODEL_HELP = "a shipped model's language code (hi, kn, ...), a release of one (hi@1), or a .model file"


def positive_int(text: str) -> int:
    """argparse type of a count or limit: a whole number of at least 1 (0 or -1 would mean nothing,
    or fail deep inside the run)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def _add_corpus_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--lang", choices=CODES, help="language of the embedded default corpus")
    p.add_argument("--input", nargs="+", default=[], metavar="FILE", help=".txt, .txt.gz, .jsonl or .parquet files")
    p.add_argument(
        "--source",
        choices=["embedded", "files", "wikipedia"],
        help="where the text comes from (default: --input files if given, else the embedded corpus)",
    )
    p.add_argument("--max-docs", type=positive_int, metavar="N", help="stop after this many documents")
    p.add_argument("--max-bytes", type=positive_int, metavar="N", help="stop after this many bytes of text")
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


def check_out(out: str, inputs: Sequence[str] = ()) -> None:
    """Fail now, not after the training: `out` must name a file in a directory this process can
    write (missing folders are made by the save), that is neither its own .vocab listing nor one of
    the inputs, which the save would overwrite."""
    path = Path(out)
    if path.is_dir():
        raise CliError(f"--out {out} is a directory; give the model's file name, e.g. {path / 'my.model'}")
    listing = listing_path(path)
    if listing == path:
        raise CliError(f"--out {out}: the .vocab listing written beside the model would overwrite it; "
                       f"name the model e.g. {path.with_suffix('.model')}")  # fmt: skip
    for given in inputs:  # (no input is a .vocab file: that is not a type train reads)
        if not corpus_mod.is_url(given) and _same_file(path, Path(given)):
            raise CliError(f"--out {out} is the input file {given}; give another --out")
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


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one existing file (through links and spellings alike)."""
    try:
        return os.path.samefile(a, b)
    except OSError:  # either does not exist (an input that does not is reported by the corpus)
        return False


def cmd_train(args: argparse.Namespace) -> None:
    check_out(args.out, args.input)
    if args.pattern and args.recipe not in (None, PLAIN_BPE):
        raise CliError(f"--pattern trains plain BPE in one stage on that pre-split, so it cannot be combined with "
                       f"--recipe {args.recipe}; give one of them (or --recipe {PLAIN_BPE} --pattern ...)")  # fmt: skip
    corpus = _corpus(args)
    start = time.perf_counter()
    # every core by default: HF's trainer uses them all, and the counts do not depend on the number
    workers = usable_cpus() if args.workers is None else args.workers
    if workers < 1:
        raise CliError(f"--workers must be at least 1, got {workers}")
    if args.scheduler and args.engine != "dask":
        raise CliError("--scheduler needs --engine dask")
    # the language's recipe by default: --lang's, else that of the language the input is written in
    recipe = args.recipe or (LANGUAGES[args.lang].recipe if args.lang and not args.pattern else None)
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
    if tok.vocab_size < args.vocab_size:
        print(f"note: stopped at {tok.vocab_size:,} of the {args.vocab_size:,} ids asked for: every word (pre-split "
              "chunk) of the training text is already one token, so nothing is left to merge; more, and more varied, "
              "text gives the full size", file=sys.stderr)  # fmt: skip
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


def std(name: str) -> TextIO:
    """sys.stdin or sys.stdout, or a clear error when the shell started us with it closed (`<&-`),
    where Python sets it to None."""
    stream = getattr(sys, name)
    if stream is None:
        how = {"stdin": "pipe the input into it (echo TEXT | python -m tokenizer ...)",
               "stdout": "send the output somewhere (python -m tokenizer ... > out.txt)"}[name]  # fmt: skip
        raise CliError(f"{name} is closed; {how}")
    return stream


def cmd_encode(args: argparse.Namespace) -> None:
    """Streams: ids are written as the text comes (see Tokenizer.encode_iter), so on an error in the
    middle of the input the ids before it have been written already."""
    tok = load(args.model)
    stdin, stdout = std("stdin"), std("stdout")
    policy = {"raise": {}, "special": {"allowed_special": "all"}, "text": {"disallowed_special": ()}}[args.special]
    sep = ""
    try:
        for ids in tok.encode_iter(read_utf8(stdin.buffer), **policy, max_held=args.max_unbroken):
            if ids:
                stdout.write(sep + str(ids)[1:-1].replace(",", ""))  # "1 2 3"; twice as fast as join(map(str))
                sep = " "
    except SpecialTokenError as e:  # its advice is the library's (allowed_special=...): give the flag's
        if e.token is None:
            raise
        raise CliError(
            f"text contains the special token {e.token!r} at index {e.index}; pass --special special to encode it "
            "as the special token, or --special text to encode it as plain text"
        ) from None
    stdout.write("\n")


def cmd_decode(args: argparse.Namespace) -> None:
    """Streams like encode: ids are read and text written block by block."""
    tok = load(args.model)
    stdin, out = std("stdin"), std("stdout").buffer
    decoder = None if args.errors == "bytes" else codecs.getincrementaldecoder("utf-8")(args.errors)
    n_ids = n_bytes = 0
    carry = ""  # an id cut by the block edge
    for block in read_utf8(stdin.buffer):
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


CORPUS_OPTIONS = ("input", "lang", "source", "max_docs", "max_bytes", "seed", "split")


def cmd_evaluate(args: argparse.Namespace) -> None:
    if args.files:
        chosen = [f"--{name.replace('_', '-')}" for name in CORPUS_OPTIONS if getattr(args, name) not in (None, [], 0)]
        if chosen:
            raise CliError(
                f"files given as arguments are measured whole, every line, so {', '.join(chosen)} would be ignored; "
                "to measure the held-out split of a corpus instead, give --input FILE ... or --lang without them"
            )
    tok = load(args.model)
    split = args.split or "valid"
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
        held_out = corpus.held_out_lines(split)
        source = f"{corpus.describe()} [{split} split]"
        if not held_out:
            share = getattr(corpus, split)  # of the documents, held out for this split
            raise CliError(
                f"no text to evaluate on: the {split} split of {corpus.description} is empty ({share:.0%} of the "
                "documents are held out for it, so a small input may have none); give the files as arguments, "
                "without --input, to measure every line"
            )

        def lines() -> Iterator[str]:
            return iter(held_out)

    measured = evaluate(tok, lines())
    if not measured.lines:
        raise CliError(f"no text to evaluate on: {source} has no non-empty line")
    result = {"model": str(args.model), "data": source} | measured.as_dict()
    if args.curve:
        result["curve"] = compression_curve(tok, lines(), args.curve)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
        return
    for key, value in result.items():
        if key != "curve":
            print(f"{key:>24}: {value}")
    if args.curve:
        print(f"\n{'ids':>24}  bytes/token")
        for size, value in result["curve"]:
            print(f"{size:>24}  {value}")


def cmd_encode_corpus(args: argparse.Namespace) -> None:
    """Token shards of whole corpora for language-model training (see tokenizer/shards.py)."""
    from tqdm.auto import tqdm

    from . import shards
    from .model_file import checksum

    problem = folder_problem(args.out)
    if problem:
        raise CliError(f"--out {args.out}: {problem}; give a folder for the shards and index.json")
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
    from .hf import check_metrics, export, find_metrics

    problem = folder_problem(args.out)
    if problem:
        raise CliError(f"--out {args.out}: {problem}; give a folder for the exported files")
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
        metrics = check_metrics(tok, metrics, args.metrics, args.model)
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
    parser.add_argument("--version", action="version", version=f"indic-tokenizer {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("train", help="train a tokenizer and write its model file")
    _add_corpus_args(p)
    p.add_argument("--vocab-size", type=int, default=VOCAB_CAP, help=f"total ids incl. bytes and specials (default {VOCAB_CAP})")
    p.add_argument(
        "--recipe",
        choices=list(RECIPES),
        help="training stages (default: the recipe of --lang, else of the language the input is written in)",
    )
    p.add_argument("--pattern", choices=list(PATTERNS),
                   help=f"train plain BPE in one stage on this pre-split instead of a recipe (not with a --recipe "
                   f"other than {PLAIN_BPE})")  # fmt: skip
    p.add_argument("--allow-over-cap", action="store_true", help=f"allow a vocabulary above {VOCAB_CAP}")
    p.add_argument("--name", help="name stored in the model (default: --lang, else the --out file's name without "
                   "its suffix)")
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
    p.add_argument("--models-dir", default="models",
                   help="folder to write the models, their .vocab listings and .metrics.json to (default: models)")
    p.add_argument("--readme", default="README.md", help="README whose metrics table is regenerated")
    p.add_argument("--docs", default="docs/languages.md", help="per-language tables, regenerated")
    p.add_argument("--quiet", action="store_true", help="no progress bars")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("encode", help="UTF-8 text on stdin -> ids on stdout")
    p.add_argument("--model", required=True, help=MODEL_HELP)
    p.add_argument(
        "--special",
        choices=["raise", "special", "text"],
        default="raise",
        help="special-token text in the input: reject it (default), encode it as the special token, or as plain text",
    )
    p.add_argument(
        "--max-unbroken",
        type=positive_int,
        default=MAX_UNBROKEN,
        metavar="CHARS",
        help="most characters held while waiting for a line break where the text can be cut exactly "
        "(default %(default)s); longer unbroken text is refused",
    )
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("encode-corpus", help="encode whole corpora into token shards for language-model training")
    p.add_argument("--model", required=True, help=MODEL_HELP)
    _add_corpus_args(p)
    p.add_argument("--split", choices=["all", "train", "valid", "test"], default="all",
                   help="documents to encode: all (default), or one part of the train/valid/test split")  # fmt: skip
    p.add_argument("--out", required=True, help="folder for the shards and index.json")
    p.add_argument("--shard-tokens", type=positive_int, default=100_000_000,
                   help="tokens per shard (default: %(default)s)")  # fmt: skip
    p.add_argument("--workers", type=int, help="encoding processes (default: every available core; 1 = no others)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=cmd_encode_corpus)

    p = sub.add_parser("decode", help="ids (spaces or commas) on stdin -> text on stdout")
    p.add_argument("--model", required=True, help=MODEL_HELP)
    p.add_argument(
        "--errors",
        choices=["strict", "replace", "bytes"],
        default="strict",
        help="ids ending inside a character: fail, write U+FFFD, or write the raw bytes",
    )
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser(
        "evaluate",
        help="compression and mid-akshara rate on held-out text",
        description="Measure a model on files given as arguments (every line of them, streamed), or on the "
        "held-out split of a corpus (--lang, or --input FILE ...: the documents the document-level split holds "
        "out of training, as train measures); not both.",
    )
    p.add_argument("--model", required=True, help=MODEL_HELP)
    p.add_argument("files", nargs="*", help="files as train reads them (.txt[.gz], .jsonl[.gz], .parquet), every "
                   "line measured on its own, streamed (default: a corpus's held-out split; see --input)")
    _add_corpus_args(p)
    p.add_argument("--split", choices=["valid", "test"],
                   help="held-out split of the corpus (default: valid); not with files as arguments")  # fmt: skip
    p.add_argument("--curve", type=positive_int, metavar="K",
                   help="also compute bytes/token after every K merges (a table, or 'curve' in --json)")  # fmt: skip
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=cmd_evaluate)

    p = sub.add_parser("export-hf", help="write a Hugging Face tokenizer folder (tokenizer.json, configs, model card)")
    p.add_argument("--model", required=True, help=MODEL_HELP)
    p.add_argument("--out", required=True, help="folder to write")
    p.add_argument("--metrics", help="JSON metrics of this model for the model card (default: <model>.metrics.json "
                   "beside the model file, for a shipped model its measured ones)")
    p.add_argument("--repo-id", help="USER/NAME to show in the model card's usage examples")
    p.set_defaults(func=cmd_export_hf)

    p = sub.add_parser("push", help="export and upload to a Hugging Face Hub model repository")
    p.add_argument("--model", required=True, help=MODEL_HELP)
    p.add_argument("--repo-id", required=True, help="USER/NAME (created if it does not exist)")
    p.add_argument("--private", action="store_true", help="create the repository as private")
    p.add_argument("--token", help="Hugging Face token with write access (default: $HF_TOKEN, else `hf auth login`)")
    p.set_defaults(func=cmd_push)
    return parser


def message(e: BaseException) -> str:
    """The one line for an error: ours as they are; an OSError as "<file>: <what>", not Python's
    "[Errno 20] Not a directory: '<file>'"."""
    if isinstance(e, OSError) and not isinstance(e, TokenizerError) and e.strerror and e.filename is not None:
        names = f"{e.filename}" + (f" -> {e.filename2}" if e.filename2 is not None else "")
        return f"{names}: {e.strerror[:1].lower()}{e.strerror[1:]}"
    return str(e)


# The optional packages of pyproject.toml's extras: a command that needs one names the extra to install
EXTRAS = {"tokenizers": "hf", "huggingface_hub": "hf", "datasets": "corpus", "pyarrow": "corpus", "dask": "dask",
          "distributed": "dask"}


def missing_package(command: str, e: ModuleNotFoundError) -> str:
    """The line for an optional package that is not installed: which, and the pip command that adds it."""
    package = (e.name or "").split(".")[0]
    extra = EXTRAS.get(package)
    if extra:
        return f'{command} needs the optional package {package}: pip install "indic-tokenizer[{extra}]"'
    return f"{command} needs the Python package {package or e}: pip install {package}" if package else str(e)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except BrokenPipeError:  # e.g. `encode | head`: the reader has all it wants
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 0
    except (CliError, ValueError, OSError) as e:  # our errors are ValueError subclasses with clear text
        print(f"error: {message(e)}", file=sys.stderr)
        return 1
    except ModuleNotFoundError as e:  # an extra that is not installed (pip install indic-tokenizer[hf])
        print(f"error: {missing_package(args.command, e)}", file=sys.stderr)
        return 1
    except MemoryError:
        print(f"error: out of memory in {args.command}; give it less input at once", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    return 0
