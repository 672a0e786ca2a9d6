"""Files read and written safely: only regular files are read, and writes are atomic.

Reading: `open_regular` refuses a directory, a FIFO or a device by name instead of blocking on a
FIFO with no writer or reading /dev/zero until memory runs out; callers bound what they read.

Atomic writes: a reader (or a crash) never sees half a file, and a crash leaves no litter.

Write to a temporary file in the same directory, flush and fsync it, then rename it over the
target; rename is atomic on POSIX, so the old file stays until the new one is complete.

A process killed inside a write (SIGKILL, power loss) cannot remove its temporary file, so every
successful write then removes the temporary files that earlier, dead writers left in its
directory. A writer holds an exclusive lock (flock) on its temporary file from creation to rename;
the kernel drops the lock when the process dies, however it dies. So a temporary file that can
be locked belongs to a dead writer and is removed; one that cannot is being written right now and
is left alone. Only files named like ours (`.NAME.XXXXXXXX.indicbpe.tmp`) are ever touched.
"""

from __future__ import annotations

import errno
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import BinaryIO

try:
    import fcntl
except ImportError:  # not POSIX: no locks, so stale temporary files are left (never a live one removed)
    fcntl = None  # type: ignore[assignment]

TEMP_SUFFIX = ".indicbpe.tmp"
_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


class NotRegularFileError(OSError):
    """A path that names a directory, a FIFO, a device or a socket where a file's content is read."""

    def __init__(self, path: str | os.PathLike, kind: str) -> None:
        super().__init__(errno.EINVAL, f"not a regular file (it is {kind})", str(path))
        self.kind = kind


def kind_of(mode: int) -> str | None:
    """None for a regular file's st_mode, else what it is ("a FIFO (named pipe)", ...)."""
    if stat.S_ISREG(mode):
        return None
    return next((name for test, name in _KINDS if test(mode)), "not a regular file")


def open_regular(path: str | os.PathLike) -> BinaryIO:
    """Open a regular file for reading in binary; anything else raises NotRegularFileError at once
    (opened non-blocking, so a FIFO without a writer cannot hang the caller)."""
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    try:
        kind = kind_of(os.fstat(fd).st_mode)
        if kind is not None:
            raise NotRegularFileError(path, kind)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def folder_problem(folder: str | os.PathLike) -> str | None:
    """Why `folder` cannot be a folder to write files into (it, or the nearest existing folder above
    it, is a file; or that folder is not writable), else None: checked before the work, so that a
    run fails at once and says which path is in the way instead of "[Errno 20] Not a directory"."""
    path = Path(folder)
    if path.exists() and not path.is_dir():
        return f"{path} exists and is not a folder"
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return f"{existing} is not writable"
    return None


def created_root(folder: str | os.PathLike) -> Path | None:
    """The outermost folder that making `folder` (with its parents) would create; None if it exists."""
    path = Path(folder)
    if path.exists():
        return None
    while not path.parent.exists() and path.parent != path:
        path = path.parent
    return path


_TEMP_NAME = re.compile(r"\..+\.[a-z0-9_]{8}" + re.escape(TEMP_SUFFIX))


def write_atomic(path: str | os.PathLike, data: str | bytes) -> None:
    """Write data to path atomically (see the module docstring); a folder at path is refused by its
    own name, not the temporary file's that the rename would name."""
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(errno.EISDIR, "is a folder, not a file to write", str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    fd, tmp = _locked_temp(path)
    try:
        os.fchmod(fd, _mode_for(path))  # mkstemp makes 0600; keep what a plain open() would give
        with os.fdopen(fd, "wb") as f:  # closing the file releases the lock: only after the rename
            f.write(raw)
            f.flush()
            os.fsync(f.fileno())
            os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    remove_stale_temps(path.parent)


def _locked_temp(path: Path) -> tuple[int, str]:
    """A new temporary file beside path, locked. A cleaner may remove it between creation and
    locking (it is unlocked then); the link count tells, and a new one is made."""
    while True:
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
        if fcntl is None:
            return fd, tmp
        fcntl.flock(fd, fcntl.LOCK_EX)
        if os.fstat(fd).st_nlink > 0:
            return fd, tmp
        os.close(fd)


def remove_stale_temps(folder: str | os.PathLike) -> list[str]:
    """Remove the temporary files of dead writers in folder; returns their names. Never raises."""
    if fcntl is None:
        return []
    removed = []
    try:
        names = [n for n in os.listdir(folder) if _TEMP_NAME.fullmatch(n)]
    except OSError:
        return []
    for name in names:
        temp = os.path.join(folder, name)
        try:
            fd = os.open(temp, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
        except OSError:  # already renamed or removed, or not ours to open
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:  # locked: a live writer
            os.close(fd)
            continue
        try:
            os.unlink(temp)  # by name: if the writer renamed it meanwhile, this name is gone (ENOENT)
            removed.append(name)
        except OSError:
            pass
        finally:
            os.close(fd)
    return removed


def _mode_for(path: Path) -> int:
    """The existing file's permissions, or the default for a new file under the current umask."""
    try:
        return path.stat().st_mode & 0o777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask
