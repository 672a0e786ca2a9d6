"""Linear time on adversarial input, and constant memory of the streaming CLI encode.

Part 1, time: pre-split (the model's regex) and encode (the reference encoder with an empty chunk
cache, and the default Tokenizer.encode_ordinary, i.e. the compiled core) for inputs of 125 kB, 250 kB, 500 kB and 1 MB
(UTF-8 bytes) made of
  marks         combining marks alone ("ि" repeated: one chunk of punctuation-like marks)
  spaces        spaces alone (one whitespace chunk)
  digits        digits alone (chunks of three)
  akshara       one akshara repeated without spaces ("कि" * n: one word chunk)
  akshara+sp    the same akshara joined by spaces (one phrase chunk under indic-phrases)
  hindi         ordinary Hindi text (held-out corpus lines), for reference
with the ratio t(2n)/t(n) per doubling: about 2 means linear, 4 would mean quadratic. Each figure is the
best of --repeats runs (the machine is shared; the best run is the least disturbed one).

Part 2, memory (--stream-mb, 0 to skip): `python -m tokenizer encode | python -m tokenizer decode` on
Hindi text of growing size; encode's peak RSS (ru_maxrss of a wrapper whose only child it is) should
stay flat, and the output must equal the input byte for byte. For contrast, the peak RSS of encoding
the same input at once (read all of stdin, one Tokenizer.encode call), as encode did before it streamed.

Run from the repository root:
    python -m bench.linear_time                      # -> bench/results/linear_time.json
    python -m bench.linear_time --sizes 125000 250000 --repeats 1 --stream-mb 0
"""

from __future__ import annotations

import gzip
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from tokenizer import Tokenizer

from . import common

SIZES = [125_000, 250_000, 500_000, 1_000_000]


def _repeat(unit: str, size: int, sep: str = "") -> str:
    """unit (joined by sep) repeated to about `size` UTF-8 bytes."""
    per = len((unit + sep).encode())
    return sep.join([unit] * max(1, size // per))


def inputs(size: int, hindi: str) -> dict[str, str]:
    cut = hindi.encode()[:size].decode("utf-8", errors="ignore")
    return {
        "marks": _repeat("\u093f", size),
        "spaces": " " * size,
        "digits": _repeat("1234567890", size),
        "akshara": _repeat("कि", size),
        "akshara+sp": _repeat("कि", size, " "),
        "hindi": cut,
    }


def best_of(fn: Callable[[], object], repeats: int, reset: Callable[[], None] = lambda: None) -> float:
    best = float("inf")
    for _ in range(repeats):
        reset()
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return best


def time_part(tok: Tokenizer, sizes: list[int], repeats: int, hindi: str) -> list[dict]:
    ref = tok.reference()
    compiled = tok.pattern.compiled
    rows: list[dict] = []
    for size in sizes:
        for name, text in inputs(size, hindi).items():
            ids = ref.encode_ordinary(text)
            assert tok.encode_ordinary(text) == ids, f"compiled != reference on {name} at {size}"
            assert tok.decode(ids) == text
            row = {
                "input": name,
                "bytes": len(text.encode()),
                "chunks": len(compiled.findall(text)),
                "split_s": best_of(lambda t=text: compiled.findall(t), repeats),
                "ref_s": best_of(lambda t=text: ref.encode_ordinary(t), repeats, ref.core.clear_cache),
                "compiled_s": best_of(lambda t=text: tok.encode_ordinary(t), repeats),
            }
            rows.append(row)
            print(
                f"{name:>11} {row['bytes']:>9,} B  {row['chunks']:>7,} chunks  split {row['split_s']:.3f} s  "
                f"reference {row['ref_s']:.3f} s  compiled {row['compiled_s']:.3f} s",
                flush=True,
            )
    # t(2n) / t(n) for each doubling of the size
    by_key = {(r["input"], r["bytes"]): r for r in rows}
    for r in rows:
        smaller = [x for x in rows if x["input"] == r["input"] and x["bytes"] < r["bytes"]]
        if smaller:
            prev = by_key[(r["input"], max(x["bytes"] for x in smaller))]
            for col in ("split_s", "ref_s", "compiled_s"):
                r[col.replace("_s", "_ratio")] = round(r[col] / prev[col], 2) if prev[col] > 0 else None
        for col in ("split_s", "ref_s", "compiled_s"):
            r[col] = round(r[col], 4)
    return rows


WRAPPER = (
    "import resource, subprocess, sys\n"
    "with open(sys.argv[1], 'rb') as i, open(sys.argv[2], 'wb') as o:\n"
    "    code = subprocess.run(sys.argv[3:], stdin=i, stdout=o).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)
ONE_SHOT = (
    "import sys, tokenizer\n"
    "tok = tokenizer.load(sys.argv[1])\n"
    "ids = tok.encode(sys.stdin.buffer.read().decode('utf-8'))\n"
    "sys.stdout.write(' '.join(map(str, ids)) + '\\n')\n"
)


def peak_rss(cmd: list[str], stdin: Path, stdout: Path) -> tuple[int, float, float]:
    """Exit status, peak RSS in MB (Linux ru_maxrss is in KiB) and seconds of cmd run on stdin."""
    start = time.perf_counter()
    r = subprocess.run(
        [sys.executable, "-c", WRAPPER, str(stdin), str(stdout), *cmd],
        capture_output=True,
        text=True,
        cwd=common.ROOT,
        check=True,
    )
    seconds = time.perf_counter() - start
    code, kib = r.stdout.split()
    return int(code), int(kib) / 1024, seconds


def stream_part(model: Path, megabytes: list[float], hindi_lines: list[str]) -> list[dict]:
    unit = ("\n".join(hindi_lines[:1000]) + "\n" + "\r\n".join(hindi_lines[1000:2000]) + "\r\n").encode()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src, ids, back = folder / "in.txt", folder / "ids.txt", folder / "back.txt"
        for mb in megabytes:
            data = unit * max(1, round(mb * 1e6 / len(unit)))
            src.write_bytes(data)
            encode = [sys.executable, "-m", "tokenizer", "encode", "--model", str(model)]
            code, enc_mb, enc_s = peak_rss(encode, src, ids)
            assert code == 0
            decode = [sys.executable, "-m", "tokenizer", "decode", "--model", str(model)]
            code, dec_mb, _ = peak_rss(decode, ids, back)
            assert code == 0
            same = back.read_bytes() == data
            assert same, "encode | decode changed the text"
            code, one_mb, _ = peak_rss([sys.executable, "-c", ONE_SHOT, str(model)], src, folder / "one.txt")
            assert code == 0 and (folder / "one.txt").read_bytes() == ids.read_bytes()
            row = {
                "input_MB": round(len(data) / 1e6, 1),
                "encode_peak_MB": round(enc_mb),
                "encode_s": round(enc_s, 1),
                "one_shot_peak_MB": round(one_mb),
                "decode_peak_MB": round(dec_mb),
                "round_trip_exact": same,
            }
            rows.append(row)
            print(row, flush=True)
    return rows


def main() -> None:
    p = common.parser(__doc__)
    p.set_defaults(lang=["hi"], pattern="indic-phrases")
    p.add_argument("--sizes", type=int, nargs="+", default=SIZES, help="input sizes in UTF-8 bytes")
    p.add_argument("--repeats", type=int, default=3)
    p.add_argument("--stream-mb", type=float, nargs="*", default=[7.5, 15, 30], help="streaming input sizes (MB)")
    args = p.parse_args()
    common.report_load()
    lang = args.lang[0]
    tok, source = common.our_model(lang, args.vocab_size, args.pattern)
    print(f"model: {source} ({tok.pattern.name})")
    with gzip.open(common.ROOT / "data" / f"{lang}.txt.gz", "rt", encoding="utf-8") as f:
        lines = [line.rstrip("\n") for line in f]
    hindi = "\n".join(lines[-3000:])  # corpus lines as ordinary text (the end of the file)

    rows = time_part(tok, sorted(args.sizes), args.repeats, hindi)
    columns = ["input", "bytes", "chunks", "split_s", "split_ratio", "ref_s", "ref_ratio", "compiled_s", "compiled_ratio"]
    common.print_table(rows, columns, "seconds and t(2n)/t(n) (about 2 = linear)")

    stream_rows: list[dict] = []
    if args.stream_mb and sys.platform == "linux":
        model = common.model_path(lang)
        if not model.is_file():
            model = Path(tempfile.mkdtemp()) / f"{lang}.model"
            from tokenizer import save

            save(tok, model)
        stream_rows = stream_part(model, args.stream_mb, lines[:2000])
        common.print_table(
            stream_rows,
            ["input_MB", "encode_peak_MB", "encode_s", "one_shot_peak_MB", "decode_peak_MB", "round_trip_exact"],
            "streaming encode: peak RSS (MB) against input size",
        )
    common.write_results(
        "linear_time",
        {
            "model": source,
            "pattern": tok.pattern.name,
            "time": rows,
            "stream": stream_rows,
            "max_rss_self_MB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
        },
    )


if __name__ == "__main__":
    main()
