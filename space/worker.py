"""The Space's worker processes: `python -m space.worker SPEC_JSON`, started by the Train view
(space.jobs) and by the Batch view (space.batch_job, spec {"task": "batch"}).

Reading the text and training run in their own process, at a lower priority, so that the server's
handlers keep their interpreter (and a core) while they run and the server's memory never holds
an upload; its memory is capped (RLIMIT_AS), and Cancel or the wall-time cap end it at once with a
kill, during the read as during the training. It dies with the server (its stdin is a pipe from
the server). It reports on stdout as JSON lines: {"reading": [documents, characters]} while it
reads, {"text": {...}} once the text is read and split (the held-out lines are written to the
file the spec names), then the training's progress (only the merges new since the last report),
and last {"finished": true}, or {"error": "..."} worded for the user.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

MEMORY_LIMIT = 3 * 2**30  # bytes of address space
NICE = 10  # below the server: its handlers come first when cores are scarce


def confine(memory_limit: int) -> None:
    """Cap this process's memory, lower its priority, and end it when the server goes away."""
    from tokenizer.processes import exit_when_closed

    resource.setrlimit(resource.RLIMIT_AS, (memory_limit, memory_limit))
    os.nice(NICE)
    exit_when_closed(sys.stdin.fileno())


def send(message: dict) -> None:
    print(json.dumps(message, ensure_ascii=False), flush=True)


def main(spec_json: str) -> int:
    spec = json.loads(spec_json)
    limit = int(spec.get("memory_limit", MEMORY_LIMIT))
    confine(limit)
    if spec.get("task") == "batch":
        return count(spec, limit)
    import tokenizer
    from tokenizer.errors import TokenizerError
    from tokenizer.registry import PLAIN_BPE
    from tokenizer.train import TrainProgress

    from .guards import UserError
    from .jobs import TextSource, read_source

    sent = 0

    def report(p: TrainProgress) -> None:
        nonlocal sent
        new = p.merges[sent:]
        sent = len(p.merges)
        send({"done": p.done, "total": p.total, "stage": p.stage, "elapsed": round(p.elapsed, 3), "new": new})

    try:
        source = TextSource(**spec["source"])
        if source.kind == "pasted":
            with open(source.value, encoding="utf-8") as f:
                source = TextSource("pasted", f.read())
        data = read_source(source, progress=lambda docs, chars: send({"reading": [docs, chars]}))
        lines, held, note = data.split()
        if not lines:
            raise UserError(f"After cleaning, {data.description} has no training text left (lines need 3 letters).")
        with open(spec["held_out"], "w", encoding="utf-8", newline="") as f:
            f.write("\n".join(held))
        send({"text": {"description": data.description, "language": data.language.code if data.language else None,
                       "note": note, "train_lines": len(lines), "held_out_lines": len(held)}})
        del data, held, source
        kwargs = {"pattern": spec["pattern"]} if spec["recipe"] == PLAIN_BPE else {"recipe": spec["recipe"]}
        tok = tokenizer.train(lines, int(spec["vocab_size"]), progress=report, **kwargs)
        tokenizer.save(tok, spec["out"], vocab=False)
    except UserError as e:
        send({"error": str(e)})
        return 1
    except MemoryError:
        send({"error": f"The training needed more than {limit / 2**30:.0f} GB of memory; use less text."})
        return 2
    except TokenizerError as e:
        said = str(e).splitlines()[0]
        send({"error": said[:1].upper() + said[1:] + ("" if said.endswith(".") else ".")})
        return 1
    send({"finished": True})
    return 0


def count(spec: dict, limit: int) -> int:
    """The Batch view's count (space.batch_job.count_file)."""
    from .batch_job import count_file
    from .guards import UserError

    try:
        count_file(spec, send)
    except UserError as e:
        send({"error": str(e)})
        return 1
    except MemoryError:
        send({"error": f"Counting this file needed more than {limit / 2**30:.0f} GB of memory; count a smaller one."})
        return 2
    return 0


class WorkerProcess:
    """A worker started by the server: its JSON messages go to `on_message` (on a thread) as they come.

    Its stdin is a pipe it watches: when the server dies, however it dies, the worker exits too."""

    def __init__(self, spec: dict, on_message: Callable[[dict], None]) -> None:
        self.spec, self.on_message = spec, on_message
        self.process: subprocess.Popen | None = None
        self.reader: threading.Thread | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "space.worker", json.dumps(self.spec)], cwd=Path(__file__).resolve().parent.parent,
            text=True, encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.reader = threading.Thread(target=self._read, name="space-worker-messages", daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.on_message(json.loads(line))

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds`; whether the worker has ended (and its messages have been read)."""
        assert self.process is not None and self.reader is not None
        self.reader.join(seconds)
        if self.reader.is_alive():
            return False
        self.process.wait()
        return True

    @property
    def returncode(self) -> int | None:
        return self.process.returncode if self.process else None

    def stderr_tail(self, lines: int = 30) -> str:
        """The end of what the worker wrote to stderr (after it ended)."""
        if self.process is None or self.process.stderr is None or self.process.stderr.closed:
            return ""
        return "\n".join(self.process.stderr.read().strip().splitlines()[-lines:])

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        if self.reader is not None:
            self.reader.join(5)

    def close(self) -> None:
        self.kill()
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr) if self.process else ():
            if stream:
                stream.close()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
