"""tokenizer.processes: worker pools whose workers die with their parent, however it dies; and the
package's layering (no import cycles)."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import time

import psutil
import pytest

from tokenizer import processes

from .conftest import ROOT

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="parent-death signals and /proc are Linux's")


def test_batches_end_with_the_item_that_reaches_the_limit():
    runs = list(processes.batches(["ab", "c", "defg", "h", "", "ij"], len, 3))
    assert runs == [["ab", "c"], ["defg"], ["h", "", "ij"]]
    assert list(processes.batches([], len, 3)) == []
    assert list(processes.batches(["x"] * 5, len, 1)) == [["x"]] * 5


def test_usable_cpus_is_the_affinity():
    assert processes.usable_cpus() == len(os.sched_getaffinity(0)) >= 1


def test_alive_tells_a_zombie_from_a_live_process():
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 10
    while processes.alive(child.pid):  # it exits and stays a zombie until reaped
        assert time.monotonic() < deadline, "an exited child still counts as alive"
        time.sleep(0.01)
    assert psutil.Process(child.pid).status() == psutil.STATUS_ZOMBIE
    child.wait()
    assert processes.alive(os.getpid())
    assert not processes.alive(child.pid)


POOL = """
import sys, time, multiprocessing
from tokenizer import processes
processes.mp_context = lambda: multiprocessing.get_context(sys.argv[1])

def nap(k):
    time.sleep(120)

if __name__ == "__main__":
    pool = processes.worker_pool(2)
    futures = [pool.submit(nap, k) for k in range(2)]
    print("ready", flush=True)
    time.sleep(120)
"""


def _descendants_until(proc: subprocess.Popen, at_least: int, timeout: float = 60) -> list[psutil.Process]:
    """The processes under proc once there are `at_least` of them."""
    parent = psutil.Process(proc.pid)
    deadline = time.monotonic() + timeout
    while True:
        found = parent.children(recursive=True)
        if len(found) >= at_least:
            return found
        assert proc.poll() is None, "the parent ended early"
        assert time.monotonic() < deadline, f"only {len(found)} child processes appeared"
        time.sleep(0.02)


def assert_all_end(procs: list[psutil.Process], timeout: float = 10) -> float:
    """Every process ends within `timeout` s; returns how long the last one took."""
    start = time.monotonic()
    _gone, alive = psutil.wait_procs(procs, timeout=timeout)
    survivors = [(p.pid, " ".join(p.cmdline())[:120]) for p in alive if p.is_running() and p.status() != "zombie"]
    for p in alive:
        p.kill()
    assert not survivors, f"processes outlived their killed parent: {survivors}"
    return time.monotonic() - start


@pytest.mark.parametrize("method", ["fork", "forkserver", "spawn"])
def test_pool_workers_die_with_a_killed_parent(tmp_path, method):
    script = tmp_path / "pool.py"
    script.write_text(POOL, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, str(script), method], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                            env=dict(os.environ, PYTHONPATH=str(ROOT)))
    try:
        assert proc.stdout.readline() == "ready\n"
        workers = _descendants_until(proc, 2)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        took = assert_all_end(workers)
        print(f"{method}: {len(workers)} processes under the killed parent, all gone {took:.2f} s after")
    finally:
        proc.kill()
        proc.wait()
        proc.stdout.close()


def test_no_import_cycles():
    """The modules form layers: no module imports (at the top or inside a function) one that imports it back."""
    package = ROOT / "tokenizer"
    graph: dict[str, set[str]] = {}
    for path in package.glob("*.py"):
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 1:
                deps |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
        graph[path.stem] = deps
    names = set(graph)

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for dep in graph[start] & names:
            if dep == goal or (dep not in seen and reaches(dep, goal, seen | {dep})):
                return True
        return False

    cycles = sorted(m for m in names if reaches(m, m, {m}))
    assert not cycles, f"modules on an import cycle: {cycles}"
