"""The version of the reading code: a digest of the ingest package's own files.

An index keeps what its build read from each document (passages, sections, caveats) and
a later build copies it for every file whose bytes did not change. When cited itself
changes how it reads — a new chrome rule, a caveat cue — those copies are stale: the
manifest records this digest, and a build by other reading code reads every file again
(their vectors mostly come from the embedding cache, so it costs reading time only).
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
#: What decides how a document is read: the package's code and the data it loads.
SUFFIXES = frozenset({".py", ".txt", ".json", ".csv"})


@lru_cache(maxsize=1)
def reader_version() -> str:
    """sha256 (first 16 hex digits) over the ingest package's files, in path order."""
    digest = hashlib.sha256()
    for path in sorted(PACKAGE.rglob("*")):
        if path.is_file() and path.suffix in SUFFIXES and "__pycache__" not in path.parts:
            digest.update(path.relative_to(PACKAGE).as_posix().encode("utf-8") + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
