"""The training worker: `python -m space.worker SPEC_JSON`, started by the Train view (space.jobs).

Training runs in its own process, at a lower priority, so that the server's handlers keep their
interpreter (and a core) while it runs; its memory is capped (RLIMIT_AS), and Cancel or the
wall-time cap end it at once with a kill. It reads the training lines from a file, reports progress on stdout as
JSON lines (only the merges new since the last report), writes the model file, and on a failure
prints one line "error: ..." to stderr.
"""

from __future__ import annotations

import json
import os
import resource
import sys

MEMORY_LIMIT = 3 * 2**30  # bytes of address space
NICE = 10  # below the server: its handlers come first when cores are scarce


def main(spec_json: str) -> int:
    spec = json.loads(spec_json)
    limit = int(spec.get("memory_limit", MEMORY_LIMIT))
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    os.nice(NICE)
    import tokenizer
    from tokenizer.errors import TokenizerError
    from tokenizer.registry import PLAIN_BPE
    from tokenizer.train import TrainProgress

    sent = 0

    def report(p: TrainProgress) -> None:
        nonlocal sent
        new = p.merges[sent:]
        sent = len(p.merges)
        print(json.dumps({"done": p.done, "total": p.total, "stage": p.stage, "elapsed": round(p.elapsed, 3),
                          "new": new}), flush=True)

    try:
        with open(spec["lines"], encoding="utf-8") as f:
            lines = f.read().split("\n")
        kwargs = {"pattern": spec["pattern"]} if spec["recipe"] == PLAIN_BPE else {"recipe": spec["recipe"]}
        tok = tokenizer.train(lines, int(spec["vocab_size"]), progress=report, **kwargs)
        tokenizer.save(tok, spec["out"], vocab=False)
    except MemoryError:
        print(f"error: the training needed more than {limit / 2**30:.0f} GB of memory; use less text", file=sys.stderr)
        return 2
    except TokenizerError as e:
        print(f"error: {str(e).splitlines()[0]}", file=sys.stderr)
        return 1
    print(json.dumps({"finished": True}), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
