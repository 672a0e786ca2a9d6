"""Worker processes: how many CPUs to use, how to start workers, and how they die with their parent.

Counting (tokenizer.count) and encode-corpus (tokenizer.shards) hand batches to a pool of worker
processes. A worker must never outlive the process that started it: a `train` killed by SIGKILL
(a crash, the OOM killer, a CI timeout) runs no cleanup, and a worker that keeps waiting for work
holds memory and a core forever. So every pool worker first arranges to die with its parent:

- a worker forked by the main process asks the kernel for a parent-death signal (Linux's prctl
  PR_SET_PDEATHSIG): SIGKILL as soon as its parent exits. One that starts after the main process
  is gone exits at once;
- a worker of a "forkserver" (or one without prctl) has another parent, and the fork server waits
  for its workers before it exits; so a thread watches the main process itself: it waits on a
  pidfd (Linux 5.3+), which becomes readable when that process exits, else polls once a second.

A child started with `subprocess` (the Space's workers) instead watches a pipe from its parent
(`exit_when_closed`): the parent's end closes when it dies, however it dies.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

T = TypeVar("T")

_PR_SET_PDEATHSIG = 1  # linux/prctl.h
POLL_SECONDS = 1.0  # how often the fallback watch looks at the main process


def usable_cpus() -> int:
    """The CPUs this process may run on (cgroup/affinity aware where the OS tells)."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def batches(items: Iterable[T], size_of: Callable[[T], int], limit: int) -> Iterator[list[T]]:
    """Items in runs whose sizes add up to about `limit` (a run ends with the item that reaches it)."""
    batch: list[T] = []
    size = 0
    for item in items:
        batch.append(item)
        size += size_of(item)
        if size >= limit:
            yield batch
            batch, size = [], 0
    if batch:
        yield batch


def _other_threads() -> int | None:
    """Threads of this process besides the main one and tqdm's idle monitor, counting those Python does
    not know about (Rust, C); None if the OS does not tell."""
    from tqdm._monitor import TMonitor

    try:
        n = len(os.listdir("/proc/self/task"))
    except OSError:
        return None
    return n - 1 - sum(isinstance(t, TMonitor) for t in threading.enumerate())


def mp_context() -> multiprocessing.context.BaseContext:
    """fork when this process has no other threads (cheap), else forkserver or spawn (forking a
    threaded process can deadlock the child)."""
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _other_threads() == 0:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def worker_pool(
    workers: int, initializer: Callable[..., None] | None = None, initargs: tuple = ()
) -> ProcessPoolExecutor:
    """A process pool whose workers die with this process (then run `initializer(*initargs)`)."""
    return ProcessPoolExecutor(
        workers, mp_context=mp_context(), initializer=_start_worker, initargs=(os.getpid(), initializer, initargs)
    )


def _start_worker(main_pid: int, initializer: Callable[..., None] | None, initargs: tuple) -> None:
    die_with_parent(main_pid)
    if initializer is not None:
        initializer(*initargs)


def die_with_parent(main_pid: int) -> None:
    """Arrange for this worker to exit when the process `main_pid` (its parent, or its fork server's
    parent) is gone; see the module docstring."""
    if os.getppid() == main_pid and _parent_death_signal(signal.SIGKILL):
        if not alive(main_pid):  # the main process died before the signal was armed
            os._exit(1)
        return
    threading.Thread(target=_watch, args=(main_pid,), name="die-with-parent", daemon=True).start()


def _parent_death_signal(sig: int) -> bool:
    """Ask the kernel to send `sig` when the parent exits; False where that is not available."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(main_pid: int) -> None:
    try:
        pidfd = os.pidfd_open(main_pid)
    except (AttributeError, OSError):  # not Linux 5.3+, or already gone (then alive() says so)
        while alive(main_pid):
            time.sleep(POLL_SECONDS)
    else:
        select.select([pidfd], [], [])  # readable once the process has exited
    os._exit(1)


def alive(pid: int) -> bool:
    """Whether process `pid` exists and has not exited (a zombie has exited)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            state = f.read().rsplit(b")", 1)[1].split()[0]  # the field after "(command name)"
        return state not in (b"Z", b"X")
    except (OSError, IndexError):
        return True  # no /proc: os.kill said it exists


def exit_when_closed(fd: int) -> None:
    """In a child process: exit as soon as the pipe `fd` from the parent (e.g. stdin, 0) reaches EOF,
    which happens when the parent closes it or dies, however it dies. (os.read, not a file object: a
    daemon thread blocked inside a buffered reader's lock aborts the interpreter at exit.)"""

    def watch() -> None:
        try:
            while os.read(fd, 65536):
                pass
        except OSError:
            pass
        os._exit(1)

    threading.Thread(target=watch, name="exit-when-closed", daemon=True).start()
