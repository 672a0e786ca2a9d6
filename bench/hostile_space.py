"""The Space against the attack files of issue 21: the server's memory, the time to each refusal,
Cancel during a read, and 100 hostile requests in a row.

    python -m bench.hostile_space                 # starts app.py on a free port, every attack
    python -m bench.hostile_space --only nul blank --rounds 20
    python -m bench.hostile_space --url http://127.0.0.1:7860 --pid 12345   # a running app (loopback only)

The attack files are rebuilt here as the issue made them (full size): a 2 MB .txt.gz of 2 GiB of NUL
bytes without a line break and one of 2 GiB of empty lines, a .jsonl.gz of 20M empty rows, a parquet
file of 30M empty rows and one with a single 1 GiB cell (Train); 2M and 10M one-letter lines, a
.jsonl nested 100,000 deep, nested JSON values and a 5 MB CSV cell (Batch); a lone surrogate
pasted through the API (Train). Each request goes through gradio's API as a visitor's would.

Measured, all in one run: the server process's RSS, sampled every 20 ms (its peak during a request
minus its RSS before it; the workers are other processes, with their own memory cap, and are
reported apart), the time to the answer, and as the reference the time the same view takes to
refuse an empty file (worker start-up included): each attack's time is also printed as a ratio to
it. Then Cancel during the read of a legitimate 19 MB upload (seconds from Cancel to the answer),
and `--rounds` (default 100) requests cycling through every attack, with the server's RSS before
and after. Results: bench/results/hostile_space.json.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
import tempfile
import threading
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GIB = 2**30


# ----- the attack files -------------------------------------------------------------------------------
def gzip_bomb(path: Path, chunk: bytes, size: int) -> Path:
    """`size` bytes of `chunk` repeated, gzip-compressed as they are made (the issue's recipe)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    unit = chunk * (2**20 // len(chunk))
    with open(path, "wb") as f:
        for _ in range(size // len(unit)):
            f.write(c.compress(unit))
        f.write(c.flush())
    return path


def empty_rows_parquet(path: Path, rows: int = 30_000_000) -> Path:
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"text": pa.array([""] * rows)}), path, row_group_size=rows, compression="zstd")
    return path


def one_cell_parquet(path: Path, size: int = GIB) -> Path:
    """One row whose text is `size` NUL bytes, built from one zeroed buffer (no Python string of it)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    offsets = pa.py_buffer(np.array([0, size], dtype=np.int64).tobytes())
    cell = pa.LargeStringArray.from_buffers(1, offsets, pa.py_buffer(bytearray(size)))
    pq.write_table(pa.table({"text": cell}), path, compression="zstd")
    return path


def lines_file(path: Path, n: int) -> Path:
    path.write_bytes(b"a\n" * n)
    return path


def deep_jsonl(path: Path, depth: int = 100_000) -> Path:
    path.write_text('{"text": "ok"}\n' + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


def nested_values_jsonl(path: Path) -> Path:
    path.write_text("".join(json.dumps({"text": {"k": [k]}}) + "\n" for k in range(1000)), encoding="utf-8")
    return path


def big_cell_csv(path: Path) -> Path:
    cell = ("भारत एक विशाल देश है। " * 120_000)[:2_000_000]  # 5.5 MB of UTF-8 in one cell
    path.write_text(f'id,text\n1,"{cell}"\n2,ok\n', encoding="utf-8")
    return path


def legit_upload(path: Path) -> Path:
    with gzip.open(ROOT / "data" / "hi.txt.gz", "rt", encoding="utf-8") as f:
        text = f.read()
    path.write_text((text * 3)[: 19_000_000 // 3], encoding="utf-8")
    return path


@dataclass
class Attack:
    name: str
    view: str  # "train" or "batch"
    build: object  # Path -> Path
    file: str
    issue: str  # the issue's "before" figures
    expect: str  # text the refusal (or the result) must contain


ATTACKS = [
    Attack("nul", "train", lambda p: gzip_bomb(p, b"\0", 2 * GIB), "zeros.txt.gz",
           "29 s, peak 8.6 GB", "has more than 20,000,000 bytes"),
    Attack("blank", "train", lambda p: gzip_bomb(p, b"\n", 2 * GIB), "blank.txt.gz",
           "19 CPU-min, 62.7 s per 100 MiB; Cancel could not stop it", "more than 1,000,000 rows"),
    Attack("jsonl-empty", "train", lambda p: gzip_bomb(p, b'{"text": ""}\n', 20_000_000 * 13), "rows.jsonl.gz",
           "106 s, 5.65 GB", "more than 1,000,000 rows"),
    Attack("parquet-empty", "train", empty_rows_parquet, "empty.parquet", "68 s, 7.9 GB", "more than 1,000,000 rows"),
    Attack("parquet-cell", "train", one_cell_parquet, "cell.parquet", "5.7 GB", "bytes after decompression"),
    Attack("batch-2M", "batch", lambda p: lines_file(p, 2_000_000), "lines2m.txt",
           "218 s, peak 4.96 GB, a 39 MB CSV written 3 times", "more than 200,000 non-empty lines"),
    Attack("batch-10M", "batch", lambda p: lines_file(p, 10_000_000), "lines10m.txt",
           "past 15.9 GB and climbing when stopped", "more than 200,000 non-empty lines"),
    Attack("batch-deep", "batch", deep_jsonl, "deep.jsonl", "RecursionError: generic error", "nested too deeply"),
    Attack("batch-nested", "batch", nested_values_jsonl, "nested.jsonl", "counted as Python str()",
           "holds an object, not text"),
    Attack("batch-cell", "batch", big_cell_csv, "cell.csv", "refused: field larger than field limit (131072)",
           "totals"),
    Attack("train-surrogate", "train", None, "", "UnicodeEncodeError: generic error", "lone surrogate"),
]


# ----- measuring ----------------------------------------------------------------------------------------------
class RssSampler:
    """The server's RSS every 20 ms, and the peak of its workers (children) while they run."""

    def __init__(self, pid: int) -> None:
        import psutil

        self.proc = psutil.Process(pid)
        self.peak = self.worker_peak = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def rss(self) -> int:
        return self.proc.memory_info().rss

    def __enter__(self) -> RssSampler:
        self.start_rss = self.peak = self.rss()
        self.worker_peak = 0
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.peak = max(self.peak, self.rss())
                for child in self.proc.children(recursive=True):
                    self.worker_peak = max(self.worker_peak, child.memory_info().rss)
            except Exception:  # noqa: BLE001 - a child that just ended
                pass
            time.sleep(0.02)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    @property
    def growth(self) -> int:
        return self.peak - self.start_rss


def request(client, attack: Attack | None, path: Path | None) -> dict:
    """One request of the attack's view; returns its JSON output."""
    from gradio_client import handle_file

    if attack is not None and attack.name == "train-surrogate":  # gradio_client cannot send one: raw JSON
        return rest(client.src, "train", ["Paste text", None, None, "नमस्ते \ud800 दुनिया\n" * 1000, 1000, "bpe",
                                          "indic"])[4]
    view = attack.view if attack else "train"
    if view == "train":
        return client.predict("Upload a file", None, handle_file(str(path)), "", 1000, "bpe", "indic",
                              api_name="/train")[4]
    return client.predict(handle_file(str(path)), "text", "Auto (by script)", api_name="/batch")[3]


def rest(url: str, api: str, data: list) -> list:
    """One call through gradio's REST API with the JSON written here (\\ud800 escapes allowed)."""
    import httpx

    with httpx.Client(timeout=300, trust_env=False) as c:
        body = json.dumps({"data": data}, ensure_ascii=True)
        r = c.post(f"{url.rstrip('/')}/gradio_api/call/{api}", content=body,
                   headers={"Content-Type": "application/json"})
        r.raise_for_status()
        stream = c.get(f"{url.rstrip('/')}/gradio_api/call/{api}/{r.json()['event_id']}").text
    event, payload = None, None
    for line in stream.splitlines():
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:") and event == "complete":
            payload = json.loads(line.split(":", 1)[1])
    if payload is None:
        raise RuntimeError(f"no answer from /{api}: {stream[:200]}")
    return payload


def measure(client, sampler: RssSampler, attack: Attack | None, path: Path | None) -> dict:
    with sampler:
        start = time.perf_counter()
        out = request(client, attack, path)
        seconds = time.perf_counter() - start
    text = json.dumps(out, ensure_ascii=False)
    return {"seconds": round(seconds, 2), "server_rss_growth_mb": round(sampler.growth / 2**20, 1),
            "worker_peak_mb": round(sampler.worker_peak / 2**20, 1), "answer": out.get("error") or text[:160],
            "ok": bool(attack is None or attack.expect in text) and "went wrong" not in text}


def cancel_during_read(url: str, path: Path) -> dict:
    """Train on a legitimate 19 MB upload and press Cancel while the worker reads it."""
    from gradio_client import Client, handle_file

    client = Client(url, verbose=False)
    job = client.submit("Upload a file", None, handle_file(str(path)), "", 1000, "bpe", "indic", api_name="/train")
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        outputs = job.outputs()
        if outputs and "documents" in outputs[-1][4]:
            break
        time.sleep(0.05)
    else:
        return {"error": "the read was never seen"}
    start = time.perf_counter()
    said = client.predict(api_name="/cancel")
    last = job.result(timeout=60)[4]
    return {"cancel_to_answer_s": round(time.perf_counter() - start, 2), "cancel_said": said[:80],
            "status": last.get("status"), "message": last.get("message", last.get("error", ""))[:120]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app on loopback (default: start app.py on a free port)")
    parser.add_argument("--pid", type=int, help="the running app's process id (with --url)")
    parser.add_argument("--only", nargs="+", choices=[a.name for a in ATTACKS], help="these attacks only")
    parser.add_argument("--rounds", type=int, default=100, help="hostile requests in a row (default 100)")
    parser.add_argument("--no-cancel", action="store_true", help="skip Cancel during a read (e.g. for an old server)")
    parser.add_argument("--name", default="hostile_space", help="results file name (default %(default)s)")
    args = parser.parse_args(argv)
    attacks = [a for a in ATTACKS if not args.only or a.name in args.only]
    sys.path.insert(0, str(ROOT))
    from gradio_client import Client

    from bench import common
    from bench.load_space import _loopback

    tmp = tempfile.TemporaryDirectory(prefix="indic-hostile-")
    folder = Path(tmp.name)
    server = None
    try:
        print("building the attack files…", file=sys.stderr)
        paths: dict[str, Path | None] = {}
        for a in attacks:
            paths[a.name] = a.build(folder / a.file) if a.build else None
            if paths[a.name]:
                print(f"  {a.file}: {paths[a.name].stat().st_size:,} bytes", file=sys.stderr)
        empty_txt = folder / "empty.txt"
        empty_txt.write_text("\n", encoding="utf-8")
        legit = legit_upload(folder / "legit.txt")
        if args.url:
            if not _loopback(args.url) or not args.pid:
                parser.error("--url must be a loopback address, with --pid")
            url, pid = args.url.rstrip("/"), args.pid
        else:
            from tests.app_server import prepare_models, start_app

            server = start_app(prepare_models(folder), folder / "app.log")
            url, pid = server.url, server.process.pid
        client = Client(url, verbose=False)
        sampler = RssSampler(pid)
        client.predict("नमस्ते", "Hindi", api_name="/tokenize")  # warm up
        rss_start = sampler.rss()
        refs = {view: measure(client, sampler, None, empty_txt) for view in ("train",)}
        refs["batch"] = measure(client, sampler, Attack("empty", "batch", None, "", "", ""), empty_txt)
        print(f"server RSS at start {rss_start / 2**20:.0f} MB; reference (an empty file refused): Train "
              f"{refs['train']['seconds']} s, Batch {refs['batch']['seconds']} s")
        rows = []
        for a in attacks:
            r = measure(client, sampler, a, paths[a.name])
            ref = refs[a.view]["seconds"]
            rows.append({"attack": a.name, "view": a.view, "file_bytes": paths[a.name].stat().st_size if paths[a.name]
                         else None, "issue_before": a.issue, **r, "x_reference": round(r["seconds"] / ref, 1)})
            print(f"  {a.name:16} {r['seconds']:6.2f} s ({rows[-1]['x_reference']}x ref)  server +"
                  f"{r['server_rss_growth_mb']:6.1f} MB  worker peak {r['worker_peak_mb']:6.0f} MB  "
                  f"{'ok' if r['ok'] else 'UNEXPECTED'}: {r['answer'][:90]}")
        cancel = {} if args.no_cancel else cancel_during_read(url, legit)
        print(f"Cancel during a read: answered {cancel.get('cancel_to_answer_s')} s after Cancel "
              f"({cancel.get('status')}: {cancel.get('message', cancel.get('error', ''))[:60]})")
        before = sampler.rss()
        failures = 0
        with sampler:
            start = time.perf_counter()
            for k in range(args.rounds):
                a = attacks[k % len(attacks)]
                out = json.dumps(request(client, a, paths[a.name]), ensure_ascii=False)
                failures += a.expect not in out or "went wrong" in out
            took = time.perf_counter() - start
        time.sleep(2)
        after = sampler.rss()
        print(f"{args.rounds} hostile requests in a row ({took:.0f} s): server RSS {before / 2**20:.0f} MB before, "
              f"{after / 2**20:.0f} MB after (x{after / before:.2f}), peak {sampler.peak / 2**20:.0f} MB; "
              f"unexpected answers: {failures}")
        common.write_results(args.name, {
            "server_rss_mb_at_start": round(rss_start / 2**20, 1), "reference": refs, "attacks": rows,
            "cancel_during_read": cancel,
            "in_a_row": {"requests": args.rounds, "seconds": round(took, 1), "rss_before_mb": round(before / 2**20, 1),
                         "rss_after_mb": round(after / 2**20, 1), "rss_peak_mb": round(sampler.peak / 2**20, 1),
                         "unexpected_answers": failures},
        })
    finally:
        if server is not None:
            from tests.app_server import stop_app

            stop_app(server)
        tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
