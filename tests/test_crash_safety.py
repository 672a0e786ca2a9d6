"""Crash safety: a training run or a save killed at any moment (SIGKILL: no cleanup, no finally) never
leaves a half-written model. The model path holds either the old model byte for byte or the complete
new one; temporary files may be left behind (`.NAME.*.tmp`, hidden, never read) but never at the
model's path. Writes go through tokenizer.files.write_atomic (temp file, fsync, rename). And no
process of a killed run survives it: its worker processes die with it (tokenizer.processes).
"""

from __future__ import annotations

import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

import tokenizer
from tokenizer.model_file import dumps, load, vocab_listing

from .conftest import ROOT, corpus_lines
from .test_processes import assert_all_end

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")

# Runs `python -m tokenizer ...` with every fsync slowed down, as on a slow disk, so that a kill
# can be aimed at the middle of a save: the temporary file is then complete but not yet renamed.
SLOW_DISK = """
import os, runpy, sys, time
fsync = os.fsync
os.fsync = lambda fd: (time.sleep(float(os.environ["FSYNC_DELAY"])), fsync(fd))[1]
sys.argv = ["tokenizer", *sys.argv[1:]]
runpy.run_module("tokenizer", run_name="__main__")
"""


def _temp_files(folder: Path) -> list[str]:
    return sorted(p for p in os.listdir(folder) if p.endswith(".tmp"))


def _written_temp(folder: Path, prefix: str) -> bool:
    """A save's temp file holding its data. Not the empty probe `check_out` makes (same name
    pattern) when the run starts: a kill aimed at that would land in the training, not the save."""
    for name in _temp_files(folder):
        try:
            if name.startswith(prefix) and (folder / name).stat().st_size > 0:
                return True
        except FileNotFoundError:  # renamed or removed meanwhile
            pass
    return False


def _only_hidden_temps(folder: Path, names: set[str]) -> None:
    """Whatever a kill left besides the real files is a hidden temp file of a save, not a model."""
    for extra in set(os.listdir(folder)) - names:
        assert re.fullmatch(r"\.(hi\.model|hi\.vocab|big\.model|big\.vocab)\..+\.tmp", extra), extra


@pytest.fixture(scope="module")
def training(tmp_path_factory):
    """The training input, the command, and the model a complete run writes (and how long it takes)."""
    folder = tmp_path_factory.mktemp("train")
    text = folder / "train.txt"
    text.write_text("\n".join(corpus_lines("hi", 900)) + "\n", encoding="utf-8")
    out = folder / "hi.model"

    def command(path: Path, slow_fsync: float = 0.0) -> tuple[list[str], dict]:
        args = ["train", "--input", str(text), "--vocab-size", "1000", "--out", str(path), "--quiet"]
        env = dict(os.environ, FSYNC_DELAY=str(slow_fsync))
        if slow_fsync:
            return [sys.executable, "-c", SLOW_DISK, *args], env
        return [sys.executable, "-m", "tokenizer", *args], env

    cmd, env = command(out)
    start = time.perf_counter()
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    seconds = time.perf_counter() - start
    return {
        "command": command,
        "new": out.read_bytes(),
        "new_vocab": out.with_suffix(".vocab").read_bytes(),
        "seconds": seconds,
    }


def _processes_of(proc: subprocess.Popen, seconds: float) -> list[psutil.Process]:
    """Every process the run started (its workers) during the next `seconds`."""
    seen: dict[int, psutil.Process] = {}
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            seen.update((p.pid, p) for p in psutil.Process(proc.pid).children(recursive=True))
        except psutil.NoSuchProcess:
            break
        time.sleep(0.01)
    return list(seen.values())


# Runs `python -m tokenizer ...` with the workers started by the given method (fork or forkserver).
START_METHOD = """
import multiprocessing, runpy, sys
from tokenizer import processes
method = sys.argv.pop(1)
processes.mp_context = lambda: multiprocessing.get_context(method)
sys.argv = ["tokenizer", *sys.argv[1:]]
runpy.run_module("tokenizer", run_name="__main__")
"""


@pytest.mark.parametrize("command, method", [
    ("train", "fork"), ("train", "forkserver"), ("encode-corpus", "fork"), ("train-dask", "spawn"),
])  # fmt: skip
def test_killed_run_leaves_no_process(hi_small, tmp_path, command, method):
    """SIGKILL while the workers count (train, also on a Dask LocalCluster, whose workers watch their
    parent themselves) or encode (encode-corpus): every one of them ends too."""
    if command == "train-dask":
        pytest.importorskip("distributed")
    text = tmp_path / "big.txt"
    text.write_text(("\n".join(corpus_lines("hi", 3000)) + "\n") * 4, encoding="utf-8")  # ~8 MB
    model = tmp_path / "hi.model"
    tokenizer.save(hi_small, model)
    args = {"train": ["train", "--input", str(text), "--out", str(tmp_path / "new.model"), "--quiet"],
            "train-dask": ["train", "--input", str(text), "--engine", "dask", "--out", str(tmp_path / "new.model"),
                           "--quiet"],
            "encode-corpus": ["encode-corpus", "--model", str(model), "--input", str(text), "--out",
                              str(tmp_path / "shards"), "--quiet"]}[command]
    proc = subprocess.Popen([sys.executable, "-c", START_METHOD, method, *args, "--workers", "2"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        while len(workers := parent.children(recursive=True)) < 2:
            assert proc.poll() is None and time.monotonic() < deadline, "the workers never started"
            time.sleep(0.01)
        time.sleep(0.3)  # into the work
        run = parent.children(recursive=True)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        took = assert_all_end(run)
        print(f"{command} ({method}): {len(run)} processes under the killed run, all gone {took:.2f} s after")
    finally:
        proc.kill()
        proc.wait()


def _check_after_kill(path: Path, old: bytes, new: bytes) -> str:
    data = path.read_bytes()
    assert data in (old, new), "the model file is neither the old model nor the complete new one"
    load(path)  # and it loads
    _only_hidden_temps(path.parent, {"hi.model", "hi.vocab"})
    return "old" if data == old else "new"


def test_killed_training_leaves_old_or_new_model(hi_small, tmp_path, training):
    path = tmp_path / "hi.model"
    old_tok = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, hi_small.special_tokens, name="old")
    old = dumps(old_tok)
    assert old.encode() != training["new"]
    total = training["seconds"]
    outcomes = []
    # Kills at moments spread over a run: counting, merges, evaluation; the save is short, so
    # aiming at it is done below with a slowed-down fsync.
    for fraction in (0.1, 0.25, 0.4, 0.55, 0.7, 0.85, 0.95, 1.05):
        tokenizer.save(old_tok, path)
        cmd, env = training["command"](path)
        proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        run = _processes_of(proc, fraction * total)
        proc.send_signal(signal.SIGKILL)
        code = proc.wait(timeout=30)
        assert_all_end(run)
        outcome = _check_after_kill(path, old.encode(), training["new"])
        outcomes.append((f"{fraction:.2f} T", outcome))
        if fraction == 0.1:  # this early the kill lands inside the run (not after it), and before its save
            assert (code, outcome) == (-signal.SIGKILL, "old")
    print(f"complete run {total:.2f} s; after a kill at: " + ", ".join(f"{t} -> {o}" for t, o in outcomes))


@pytest.mark.parametrize("moment", ["model temp file written", "model renamed, vocab temp file written"])
def test_training_killed_inside_the_save(hi_small, tmp_path, training, moment):
    """fsync slowed to 1 s: the kill lands while a temp file is complete but not yet renamed."""
    path = tmp_path / "hi.model"
    old_tok = tokenizer.Tokenizer(hi_small.merges, hi_small.pattern, hi_small.special_tokens, name="old")
    tokenizer.save(old_tok, path)
    old, old_vocab = path.read_bytes(), path.with_suffix(".vocab").read_bytes()
    cmd, env = training["command"](path, slow_fsync=1.0)
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    want = ".hi.model." if moment.startswith("model temp") else ".hi.vocab."
    deadline = time.monotonic() + 60
    while not _written_temp(tmp_path, want):
        assert proc.poll() is None, "training ended before its save was seen"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    time.sleep(0.2)  # inside the 1 s fsync
    proc.send_signal(signal.SIGKILL)
    assert proc.wait(timeout=30) == -signal.SIGKILL, "the run ended before the kill"
    outcome = _check_after_kill(path, old, training["new"])
    vocab = path.with_suffix(".vocab").read_bytes()
    if moment.startswith("model temp"):
        assert (outcome, vocab) == ("old", old_vocab)  # nothing was replaced yet
    else:
        assert (outcome, vocab) == ("new", old_vocab)  # the model is new, its listing not yet
    assert _temp_files(tmp_path), "the killed save leaves its temp file behind"
    print(f"{moment}: model {outcome}, stray temp files {_temp_files(tmp_path)}")

    # The next complete run saves over the stray temp files, which never stand in for the model.
    cmd, env = training["command"](path)
    subprocess.run(cmd, env=env, cwd=ROOT, check=True, capture_output=True, timeout=120)
    assert path.read_bytes() == training["new"]
    assert path.with_suffix(".vocab").read_bytes() == training["new_vocab"]
    _only_hidden_temps(tmp_path, {"hi.model", "hi.vocab"})


SAVE_LOOP = """
import sys, tokenizer
from tokenizer.files import write_atomic
from tokenizer.model_file import dumps
merges = {(a, b): 256 + 256 * a + b for a in range(256) for b in range(256)}  # 65,536 merges
tok = tokenizer.Tokenizer(merges, "indic-phrases", name="big")
text = dumps(tok)
print("ready", flush=True)
while True:
    if sys.argv[2] == "save":
        tokenizer.save(tok, sys.argv[1])  # the public path: most of its time goes to building the text
    else:
        write_atomic(sys.argv[1], text)  # only the write: a kill lands inside it nearly every time
"""


def test_interrupted_saves_always_leave_a_loadable_model(tmp_path):
    """A process saving a 65,536-merge model (470 kB + a 2.6 MB listing) in a loop, killed 20 times."""
    merges = {(a, b): 256 + 256 * a + b for a in range(256) for b in range(256)}
    tok = tokenizer.Tokenizer(merges, "indic-phrases", name="big")
    path = tmp_path / "big.model"
    tokenizer.save(tok, path)
    model, listing = dumps(tok).encode(), vocab_listing(tok).encode()
    assert load(path).merges == merges
    rng = random.Random(0)
    mid_write, left = 0, set()
    for k in range(20):
        mode = "save" if k % 2 else "write"
        cmd = [sys.executable, "-c", SAVE_LOOP, str(path), mode]
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert proc.stdout.readline() == "ready\n"
        time.sleep(rng.uniform(0, 0.6 if mode == "save" else 0.2))  # a save takes about 0.5 s
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        proc.stdout.close()
        now = set(_temp_files(tmp_path))
        mid_write += bool(now - left)  # the kill left the temp file of a write in progress
        left = now
        assert path.read_bytes() == model, f"kill {k} ({mode}): the model file changed"
        assert path.with_suffix(".vocab").read_bytes() == listing, f"kill {k} ({mode}): the listing changed"
        if k % 5 == 0:
            assert load(path).merges == merges
        _only_hidden_temps(tmp_path, {"big.model", "big.vocab"})
    print(f"20 kills: the model was always complete; {mid_write} kills landed inside a write (temp file left)")
    # Not asserted: about 3 in 10 `write` kills land inside a write; test_training_killed_inside_the_save aims.
