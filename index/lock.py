"""One build at a time per index folder, enforced with an flock on `<index>/build.lock`.

The lock is released by the kernel when its holder exits, so a crashed build never leaves
a stale lock behind; the pid written into the file only helps the message.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path

from index.errors import BuildLockedError, IndexWriteError

log = logging.getLogger(__name__)

LOCK_NAME = "build.lock"
_POLL_SECONDS = 0.1


def _holder_pid(fd: int) -> str:
    """The pid the current holder wrote into the lock file, or "unknown"."""
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return "unknown"
    return text if text.isdigit() else "unknown"


def _acquire(fd: int, index_dir: Path, wait: bool, timeout: float) -> None:
    """Take the exclusive flock on `fd`, polling until `timeout` when `wait` (0 = forever)."""
    deadline = time.monotonic() + timeout if timeout > 0 else None
    announced = False
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            expired = deadline is not None and time.monotonic() >= deadline
            if not wait or expired:
                raise BuildLockedError(
                    f"another build is running on {index_dir} (pid {_holder_pid(fd)}); "
                    "wait for it to finish, or use `cited ingest --wait` to start after it"
                ) from None
            if not announced:
                log.warning(
                    "waiting for the build running on %s (pid %s) to finish",
                    index_dir,
                    _holder_pid(fd),
                )
                announced = True
            time.sleep(_POLL_SECONDS)


def _write_pid(fd: int) -> None:
    os.ftruncate(fd, 0)
    os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)


@contextlib.contextmanager
def build_lock(index_dir: Path, wait: bool = False, timeout: float = 0) -> Iterator[Path]:
    """Hold the build lock of `index_dir` for the `with` block; yields the lock file's path.

    Raises BuildLockedError at once when another build holds it, or, with `wait`, after
    `timeout` seconds (0 waits forever).
    """
    index_dir = Path(index_dir)
    index_dir.mkdir(parents=True, exist_ok=True)
    path = index_dir / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except IsADirectoryError:
        raise IndexWriteError(
            f"{path} is a folder, not the build's lock file; remove that folder "
            "and run the command again"
        ) from None
    try:
        _acquire(fd, index_dir, wait, timeout)
        _write_pid(fd)
        log.debug("took build lock %s", path)
        try:
            yield path
        finally:
            os.ftruncate(fd, 0)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
