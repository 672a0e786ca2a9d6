"""Load test of the Space: N concurrent clients for T seconds of mixed requests, on loopback only.

    python bench/load_space.py                      # starts app.py on a free port, 50 clients, 30 s
    python bench/load_space.py --clients 10 --seconds 5
    python bench/load_space.py --url http://127.0.0.1:7860 --pid 12345   # a running app
    python bench/load_space.py --with-training      # then again while a training runs (Train view)
    python bench/load_space.py --with-llms          # then again with Compare against open LLMs (Gemma 3...)

Each client sends one request at a time through gradio's queue (POST /gradio_api/call/<api>,
then the SSE result), picking from a fixed mix: texts of several sizes (Tokenize, Compare,
Pre-split), valid and invalid ids (Decode), searches (Vocabulary) and oversized texts. Reported:
requests/s, p50/p95/max latency, expected refusals (the invalid and oversized requests, answered
with a message) apart from errors (HTTP or queue errors, timeouts, a valid request answered with
an error, or a refusal missing), and the server's RSS at start and end. Bounded: every client
stops at the deadline or after --max-requests, whichever comes first.

With --with-training the same load runs twice: alone, then while one client trains a tokenizer
through api_name="train" (the embedded Hindi corpus, the curriculum, 5,000 tokens); the report
puts the Tokenize p95 of both phases side by side (a ratio measured in the same run).

With --with-llms the same load runs twice: Compare against ours and GPT-2/4/4o (no LLM), then
against ours, GPT-4o and the open LLMs Gemma 3, Llama 3 and Qwen 3 (tokenizer.compare; offline
from $INDIC_TOKENIZER_LLM_DIR, which the started app gets from ../shared/reftok/llm). The report
puts the Compare p95 of both phases side by side.
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import ipaddress
import json
import random
import statistics
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import httpx

ROOT = Path(__file__).resolve().parents[1]
MAX_CHARS = 200_000


def _loopback(url: str) -> bool:
    host = urlparse(url).hostname or ""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _corpus(lang: str) -> str:
    with gzip.open(ROOT / "data" / f"{lang}.txt.gz", "rt", encoding="utf-8") as f:
        return "\n".join(f.read().splitlines()[3000:4500])


@dataclass
class Request:
    kind: str
    api: str
    data: list
    refusal: str | None = None  # text the answer must contain when the request is meant to be refused


NO_LLMS = ["Auto (by script)", "GPT-2", "GPT-4", "GPT-4o"]
WITH_LLMS = ["Auto (by script)", "GPT-4o", "Gemma 3", "Llama 3", "Qwen 3"]


def build_mix(seed: int, compare_picks: list[str] = NO_LLMS) -> list[tuple[float, Callable[[], Request]]]:
    rng = random.Random(seed)
    hi, kn = _corpus("hi"), _corpus("kn")

    def piece(text: str, n: int) -> str:
        start = rng.randrange(0, max(len(text) - n, 1))
        return text[start : start + n]

    def ids_text() -> str:
        return " ".join(str(rng.randrange(0, 4999)) for _ in range(rng.randrange(5, 60)))

    auto = "Auto (by script)"
    return [
        (30, lambda: Request("tokenize 100 chars", "tokenize", [piece(hi, 100), auto])),
        (8, lambda: Request("tokenize 100 chars kn", "tokenize", [piece(kn, 100), auto])),
        (12, lambda: Request("tokenize 2,000 chars", "tokenize", [piece(hi, 2000), auto])),
        (4, lambda: Request("tokenize 10,000 chars", "tokenize", [piece(hi, 10_000), "Hindi"])),
        (8, lambda: Request("compare 300 chars", "compare", [piece(hi, 300), compare_picks])),
        (8, lambda: Request("presplit 300 chars", "presplit", [piece(rng.choice([hi, kn]), 300), auto])),
        (8, lambda: Request("decode valid ids", "decode", [ids_text(), "Hindi"])),
        (4, lambda: Request("decode invalid ids", "decode", [ids_text() + " abc 99999999", "Hindi"], "not a token id")),
        (8, lambda: Request("vocabulary", "vocabulary", [rng.choice(["नम", "ि", "300", "␣क", "4000"]), "Hindi"])),
        (3, lambda: Request("tokenize oversized", "tokenize", ["क" * (MAX_CHARS + 1), auto], "at most 200,000")),
    ]


def _error_of(api: str, data: list) -> str | None:
    """The error message a view returned, if any (each view's own shape)."""
    if api in ("tokenize",):
        return data[3].get("error") if isinstance(data[3], dict) else None
    if api in ("compare", "presplit"):
        return data[1].get("error") if isinstance(data[1], dict) else None
    if api == "vocabulary":
        return data[2].get("error") if isinstance(data[2], dict) else None
    if api == "decode":
        return data[2] if "itok-error" in (data[2] or "") else None
    return None


@dataclass
class Results:
    latencies: list[float] = field(default_factory=list)
    tokenize: list[float] = field(default_factory=list)  # latencies of the valid Tokenize requests
    compare: list[float] = field(default_factory=list)  # latencies of the Compare requests
    outcomes: Counter = field(default_factory=Counter)
    by_kind: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)


async def call(client: httpx.AsyncClient, base: str, req: Request) -> tuple[str, str]:
    """(outcome, detail): outcome is ok, refused, unexpected or server_error."""
    try:
        r = await client.post(f"{base}/gradio_api/call/{req.api}", json={"data": req.data})
        if r.status_code != 200:
            return "server_error", f"POST {req.api}: HTTP {r.status_code} {r.text[:120]}"
        event_id = r.json()["event_id"]
        event = None
        async with client.stream("GET", f"{base}/gradio_api/call/{req.api}/{event_id}") as s:
            if s.status_code != 200:
                return "server_error", f"GET {req.api}: HTTP {s.status_code}"
            async for line in s.aiter_lines():
                if line.startswith("event:"):
                    event = line.split(":", 1)[1].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    payload = line.split(":", 1)[1].strip()
                    if event == "error":
                        return "server_error", f"{req.api}: queue error {payload[:120]}"
                    data = json.loads(payload)
                    error = _error_of(req.api, data)
                    if req.refusal:
                        text = json.dumps(data, ensure_ascii=False)
                        return ("refused", "") if req.refusal in text else ("unexpected", f"{req.kind}: not refused")
                    if error:
                        return "unexpected", f"{req.kind}: {error[:120]}"
                    return "ok", ""
        return "server_error", f"{req.api}: stream ended without a result"
    except (httpx.HTTPError, ValueError, KeyError) as e:
        return "server_error", f"{req.api}: {type(e).__name__}: {str(e)[:120]}"


async def client_loop(k: int, base: str, deadline: float, max_requests: int, mix, seed: int, results: Results,
                      limits: httpx.Limits) -> None:
    rng = random.Random(seed * 1000 + k)
    weights = [w for w, _ in mix]
    makers = [m for _, m in mix]
    async with httpx.AsyncClient(timeout=httpx.Timeout(120.0), limits=limits, trust_env=False) as client:
        for _ in range(max_requests):
            if time.monotonic() >= deadline:
                break
            req = rng.choices(makers, weights)[0]()
            start = time.perf_counter()
            outcome, detail = await call(client, base, req)
            results.latencies.append(time.perf_counter() - start)
            if req.api == "tokenize" and req.refusal is None:
                results.tokenize.append(results.latencies[-1])
            if req.api == "compare":
                results.compare.append(results.latencies[-1])
            results.outcomes[outcome] += 1
            results.by_kind[(req.kind, outcome)] += 1
            if detail and len(results.errors) < 20:
                results.errors.append(detail)


def rss_mb(pid: int | None) -> float | None:
    if pid is None:
        return None
    try:
        import psutil

        proc = psutil.Process(pid)
        return round((proc.memory_info().rss + sum(c.memory_info().rss for c in proc.children(recursive=True))) / 2**20, 1)
    except Exception:  # noqa: BLE001 - psutil missing or the process gone: no figure
        return None


def run(base: str, pid: int | None, clients: int, seconds: float, max_requests: int, seed: int,
        compare_picks: list[str] = NO_LLMS) -> dict:
    mix = build_mix(seed, compare_picks)
    results = Results()
    rss_start = rss_mb(pid)
    limits = httpx.Limits(max_connections=4, max_keepalive_connections=4)

    async def main() -> float:
        deadline = time.monotonic() + seconds
        start = time.perf_counter()
        await asyncio.gather(*(client_loop(k, base, deadline, max_requests, mix, seed, results, limits)
                               for k in range(clients)))
        return time.perf_counter() - start

    elapsed = asyncio.run(main())
    rss_end = rss_mb(pid)
    lat = sorted(results.latencies)
    n = len(lat)
    tok = sorted(results.tokenize)
    cmp = sorted(results.compare)

    def pct(p: float, values: list[float] = lat) -> float:
        return round(values[min(len(values) - 1, int(p * len(values)))] * 1000, 1) if values else 0.0

    return {
        "url": base,
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": n,
        "requests_per_s": round(n / elapsed, 1) if elapsed else 0.0,
        "latency_ms": {"p50": pct(0.50), "p95": pct(0.95), "max": round(lat[-1] * 1000, 1) if n else 0.0,
                       "mean": round(statistics.fmean(lat) * 1000, 1) if n else 0.0},
        "tokenize_ms": {"requests": len(tok), "p50": pct(0.50, tok), "p95": pct(0.95, tok)},
        "compare_ms": {"requests": len(cmp), "p50": pct(0.50, cmp), "p95": pct(0.95, cmp), "picks": compare_picks},
        "ok": results.outcomes["ok"],
        "expected_refusals": results.outcomes["refused"],
        "unexpected_answers": results.outcomes["unexpected"],
        "server_errors": results.outcomes["server_error"],
        "by_kind": {f"{kind} [{outcome}]": count for (kind, outcome), count in sorted(results.by_kind.items())},
        "first_errors": results.errors,
        "server_rss_mb": {"start": rss_start, "end": rss_end},
    }


TRAINING = ["Embedded corpus", "hi", None, "", 5000, "curriculum", None]  # the Train view's inputs


def start_training(base: str) -> tuple[threading.Thread, dict]:
    """One client training through api_name="train" in a thread; the dict fills in when it ends."""
    outcome: dict = {}

    def run() -> None:
        start = time.perf_counter()
        try:
            with httpx.Client(timeout=httpx.Timeout(600.0), trust_env=False) as c:
                event_id = c.post(f"{base}/gradio_api/call/train", json={"data": TRAINING}).json()["event_id"]
                event, updates = None, 0
                with c.stream("GET", f"{base}/gradio_api/call/train/{event_id}") as stream:
                    for line in stream.iter_lines():
                        if line.startswith("event:"):
                            event = line.split(":", 1)[1].strip()
                            updates += event == "generating"
                        elif line.startswith("data:") and event in ("complete", "error"):
                            payload = line.split(":", 1)[1].strip()
                            if event == "error":
                                outcome["error"] = payload[:200]
                            else:
                                summary = json.loads(payload)[4]
                                outcome.update({k: summary.get(k) for k in ("status", "merges", "seconds", "error")})
                outcome["progress_updates"] = updates
        except (httpx.HTTPError, ValueError, KeyError, IndexError) as e:
            outcome["error"] = f"{type(e).__name__}: {str(e)[:200]}"
        outcome["wall_s"] = round(time.perf_counter() - start, 1)

    thread = threading.Thread(target=run, name="bench-training")
    thread.start()
    return thread, outcome


def _print_report(report: dict) -> None:
    lat = report["latency_ms"]
    print(f"{report['clients']} clients for {report['seconds']} s against {report['url']}")
    print(f"  requests     {report['requests']:,} ({report['requests_per_s']} /s)")
    print(f"  latency      p50 {lat['p50']} ms, p95 {lat['p95']} ms, max {lat['max']} ms")
    tok = report["tokenize_ms"]
    print(f"  tokenize     p50 {tok['p50']} ms, p95 {tok['p95']} ms ({tok['requests']:,} requests)")
    cmp = report["compare_ms"]
    print(f"  compare      p50 {cmp['p50']} ms, p95 {cmp['p95']} ms ({cmp['requests']:,} requests: "
          f"{', '.join(cmp['picks'])})")
    print(f"  ok           {report['ok']:,}")
    print(f"  refused      {report['expected_refusals']:,} (invalid ids, oversized text: answered with a message)")
    print(f"  unexpected   {report['unexpected_answers']:,}")
    print(f"  server errs  {report['server_errors']:,}")
    rss = report["server_rss_mb"]
    print(f"  server RSS   {rss['start']} MB at start, {rss['end']} MB at end")
    for line in report["first_errors"]:
        print(f"  ! {line}")
    print(json.dumps(report["by_kind"], ensure_ascii=False, indent=2))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running app on loopback (default: start app.py on a free port)")
    parser.add_argument("--pid", type=int, help="the running app's process id, for its RSS (with --url)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--max-requests", type=int, default=10_000, help="per client, an upper bound")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print only the JSON summary")
    parser.add_argument("--with-training", action="store_true",
                        help="run the load a second time while a training runs, and compare Tokenize p95")
    parser.add_argument("--with-llms", action="store_true",
                        help="run the load a second time with Compare against open LLMs, and compare Compare p95")
    args = parser.parse_args(argv)
    if not (1 <= args.clients <= 500 and 0 < args.seconds <= 600):
        parser.error("--clients must be 1..500 and --seconds 0..600")
    if args.with_training and args.with_llms:
        parser.error("choose one of --with-training and --with-llms")

    server = None
    tmp = None
    if args.url:
        if not _loopback(args.url):
            parser.error("--url must be a loopback address (127.0.0.0/8, localhost or [::1])")
        base, pid = args.url.rstrip("/"), args.pid
    else:
        sys.path.insert(0, str(ROOT))
        from tests.app_server import prepare_models, start_app, stop_app

        tmp = tempfile.TemporaryDirectory(prefix="indic-space-bench-")
        models = prepare_models(Path(tmp.name))
        server = start_app(models, Path(tmp.name) / "app.log")
        base, pid = server.url, server.process.pid
        if not args.json:
            print(f"started app.py at {base} (pid {pid}, models {models})", file=sys.stderr)
    try:
        # one warm-up request of each kind, not counted
        with httpx.Client(timeout=120, trust_env=False) as c:
            warm = [("tokenize", ["नमस्ते", "Hindi"]), ("compare", ["नमस्ते", NO_LLMS])]
            if args.with_llms:
                warm.append(("compare", ["नमस्ते", WITH_LLMS]))
            for api, data in warm:
                event = c.post(f"{base}/gradio_api/call/{api}", json={"data": data}).json()["event_id"]
                c.get(f"{base}/gradio_api/call/{api}/{event}")
        report = run(base, pid, args.clients, args.seconds, args.max_requests, args.seed)
        if args.with_training:
            thread, training = start_training(base)
            time.sleep(1.0)  # let it start reading the corpus
            during = run(base, pid, args.clients, args.seconds, args.max_requests, args.seed + 1)
            training["running_at_end_of_load"] = thread.is_alive()
            thread.join()
            during["training"] = training
            report = {"without_training": report, "with_training": during,
                      "tokenize_p95_ratio": round(during["tokenize_ms"]["p95"] / report["tokenize_ms"]["p95"], 2)
                      if report["tokenize_ms"]["p95"] else None}
        elif args.with_llms:
            llms = run(base, pid, args.clients, args.seconds, args.max_requests, args.seed, WITH_LLMS)
            report = {"without_llms": report, "with_llms": llms,
                      "compare_p95_ratio": round(llms["compare_ms"]["p95"] / report["compare_ms"]["p95"], 2)
                      if report["compare_ms"]["p95"] else None,
                      "p95_ratio": round(llms["latency_ms"]["p95"] / report["latency_ms"]["p95"], 2)
                      if report["latency_ms"]["p95"] else None}
    finally:
        if server is not None:
            report_log = server.log_tail(20)
            stop_app(server)
            if "Traceback" in report_log:
                print("server log tail:\n" + report_log, file=sys.stderr)
        if tmp is not None:
            tmp.cleanup()
    phases = ([report["without_training"], report["with_training"]] if args.with_training
              else [report["without_llms"], report["with_llms"]] if args.with_llms else [report])
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2))
    else:
        names = (("without training", "with a training running") if args.with_training
                 else ("Compare without LLMs", "Compare with Gemma 3, Llama 3, Qwen 3") if args.with_llms else ("",))
        for name, phase in zip(names, phases):
            if name:
                print(f"== {name}")
            _print_report(phase)
        if args.with_llms:
            print(f"compare p95 with / without LLMs: {report['compare_p95_ratio']}x; "
                  f"all requests p95: {report['p95_ratio']}x")
        if args.with_training:
            print(f"training: {json.dumps(report['with_training']['training'])}")
            print(f"tokenize p95 with / without training: {report['tokenize_p95_ratio']}x")
    bad = any(p["server_errors"] or p["unexpected_answers"] for p in phases)
    if args.with_training and report["with_training"]["training"].get("status") != "done":
        bad = True
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
