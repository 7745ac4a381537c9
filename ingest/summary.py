"""What a build did (`BuildSummary`, the `cited ingest --json` object), and why a write failed.

Write failures are classified by their errno (OSError) or SQLite result code, never by
the words of their message: a full disk or a read-only folder becomes one
IndexWriteError naming the folder and the fix.
"""

from __future__ import annotations

import contextlib
import errno
import shutil
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import IndexWriteError


@dataclass(frozen=True)
class FileError:
    """A corpus file that was skipped, and why."""

    file: str
    error: str


@dataclass(frozen=True)
class BuildSummary:
    """What a build did; `to_dict` is the `cited ingest --json` object."""

    added: tuple[str, ...] = ()
    changed: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: tuple[str, ...] = ()
    embedded: int = 0
    reused: int = 0
    total: int = 0
    errors: tuple[FileError, ...] = ()
    seconds: float = 0.0
    version: str | None = None
    published: bool = True
    #: (file, language) of each file this build read that is not written in English.
    not_english: tuple[tuple[str, str], ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "documents": {
                "added": len(self.added),
                "changed": len(self.changed),
                "removed": len(self.removed),
                "unchanged": len(self.unchanged),
            },
            "passages": {"embedded": self.embedded, "reused": self.reused, "total": self.total},
            "errors": [{"file": e.file, "error": e.error} for e in self.errors],
            "seconds": round(self.seconds, 3),
            "version": self.version,
            "not_english": [{"file": f, "language": lang} for f, lang in self.not_english],
        }


NO_SPACE = "no space left on device"

#: errno -> the few words a user reads
_ERRNO_CAUSES = {
    errno.ENOSPC: NO_SPACE,
    errno.EDQUOT: "disk quota exceeded",
    errno.EFBIG: "file too large",
    errno.EROFS: "read-only file system",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EIO: "input/output error",
}
#: SQLite primary result codes -> the same words (FULL and IOERR say NO_SPACE when the
#: disk is nearly full: SQLite reports a failed write of a full disk either way)
_SQLITE_CAUSES = {
    sqlite3.SQLITE_FULL: "database or disk is full",
    sqlite3.SQLITE_READONLY: "read-only database",
    sqlite3.SQLITE_PERM: "permission denied",
    sqlite3.SQLITE_CANTOPEN: "cannot open a file",
    sqlite3.SQLITE_IOERR: "disk i/o error",
}
_SPACE_CODES = (sqlite3.SQLITE_FULL, sqlite3.SQLITE_IOERR)
#: Free bytes under which a failed write without an errno (numpy's short write, FAISS's
#: RuntimeError, SQLite's follow-up errors) is taken for a full disk.
LOW_SPACE = 16 * 1024 * 1024


def write_failure(error: BaseException, folder: Path) -> str | None:
    """Why writing into `folder` failed, in a few words, or None when `error` is not
    about writing."""
    if isinstance(error, OSError) and error.errno in _ERRNO_CAUSES:
        return _ERRNO_CAUSES[error.errno]
    code = getattr(error, "sqlite_errorcode", None)
    code = None if code is None else code & 0xFF
    if code in _SQLITE_CAUSES and code not in _SPACE_CODES:
        return _SQLITE_CAUSES[code]
    if not isinstance(error, OSError | sqlite3.Error | RuntimeError):
        return None
    if _low_on_space(folder):
        return NO_SPACE
    if code in _SQLITE_CAUSES:
        return _SQLITE_CAUSES[code]
    if isinstance(error, OSError):
        return (error.strerror or str(error) or type(error).__name__).lower()
    return None


def _low_on_space(folder: Path) -> bool:
    with contextlib.suppress(OSError):
        return shutil.disk_usage(folder).free < LOW_SPACE
    return False


@contextlib.contextmanager
def write_errors_explained(index_dir: Path) -> Iterator[None]:
    """Turn a failed write of the cache or of the new version (the disk is full, the folder
    is read-only) into IndexWriteError; the writer has already removed its half-written
    folder."""
    try:
        yield
    except (OSError, sqlite3.Error, RuntimeError) as error:
        cause = write_failure(error, index_dir)
        if cause is None:
            raise
        raise IndexWriteError(
            f"cannot write the new index in {index_dir}: {cause}; the previous index is "
            "unchanged and still answers; free some space (or fix the folder's permissions) "
            "and run `cited ingest` again"
        ) from error
