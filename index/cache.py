"""A content-addressed embedding cache, so a rebuild embeds only text it has not seen.

Vectors are keyed by sha256(model name + NUL + text) in one SQLite file
(`<index>/cache/embeddings.sqlite`), shared by every version of the index. A cache opened
`fresh` (what `cited ingest --full` does) ignores what it held before: only vectors
stored through this object are found, so every text is embedded again, once; and
`retain_touched()` then drops every entry this object did not use.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

import numpy as np

log = logging.getLogger(__name__)

T = TypeVar("T")

_LOOKUP_CHUNK = 500  # keys per SELECT ... IN (...), under SQLite's variable limit
EMBED_CHUNK = 512  # texts embedded (and cached) between progress reports
_UNIT_TOLERANCE = 1e-3  # every stored vector is unit length; a damaging bit flip is not

#: progress(stage, done, total), called with stage "embed" and counts of texts.
Progress = Callable[[str, int, int], None]


class TextEncoder(Protocol):
    """What `embed_with_cache` needs from an embedder."""

    def encode(self, texts: Sequence[str]) -> np.ndarray: ...


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    """Whether SQLite says the file is damaged (not locked, not a full disk)."""
    code = getattr(error, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB)
    return not isinstance(error, sqlite3.OperationalError)


def cache_path(index_dir: Path) -> Path:
    """Where the embedding cache of an index folder lives."""
    return Path(index_dir) / "cache" / "embeddings.sqlite"


class EmbeddingCache:
    """Vectors of texts already embedded by one model, stored as float32 blobs."""

    def __init__(self, path: Path, model_name: str, dimension: int, fresh: bool = False) -> None:
        self.path = Path(path)
        self.model_name = model_name
        self.dimension = int(dimension)
        self.fresh = fresh
        self._touched: set[str] = set()
        self._stored: set[str] = set()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        try:
            self._conn = self._connect()
        except sqlite3.DatabaseError as error:
            if not _is_damage(error):  # locked, disk full: not damage
                raise
            self._conn = self._start_afresh(error)

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self.path, check_same_thread=False, isolation_level=None)
        try:
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(
                "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
            )
        except BaseException:
            conn.close()
            raise
        return conn

    def _guarded(self, operation: Callable[[], T]) -> T:
        """Run `operation` on the connection (holding the lock); when it meets a damaged
        page (the header was intact, so opening did not notice), set the cache aside, start
        an empty one and run it once more there."""
        with self._lock:
            try:
                return operation()
            except sqlite3.DatabaseError as error:
                if not _is_damage(error):
                    raise
                with contextlib.suppress(sqlite3.Error):
                    self._conn.close()
                self._stored.clear()  # what this object stored went with the damaged file
                self._conn = self._start_afresh(error)
            return operation()

    def _start_afresh(self, error: Exception) -> sqlite3.Connection:
        """Move a damaged cache file aside and start an empty one: it only ever saves time."""
        aside = self.path.with_name(self.path.name + ".damaged")
        log.warning("embedding cache %s is damaged (%s); moved to %s", self.path, error, aside)
        os.replace(self.path, aside)
        for suffix in ("-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        return self._connect()

    def key(self, text: str) -> str:
        """The cache key of `text` under this cache's model."""
        return hashlib.sha256(f"{self.model_name}\0{text}".encode()).hexdigest()

    def lookup(self, texts: Sequence[str]) -> tuple[np.ndarray, list[int]]:
        """Cached vectors for `texts` (zeros where missing) and the indices of the missing."""
        keys = [self.key(t) for t in texts]
        self._touched.update(keys)
        wanted = set(keys) & self._stored if self.fresh else set(keys)
        found = self._fetch(wanted) if wanted else {}
        vectors = np.zeros((len(keys), self.dimension), dtype=np.float32)
        missing: list[int] = []
        for i, key in enumerate(keys):
            if key in found:
                vectors[i] = found[key]
            else:
                missing.append(i)
        return vectors, missing

    def get_many(self, texts: Sequence[str]) -> tuple[np.ndarray | None, ...]:
        """The cached vector of each text, or None where the text was never embedded."""
        vectors, missing = self.lookup(texts)
        absent = set(missing)
        return tuple(None if i in absent else vectors[i] for i in range(len(vectors)))

    def _fetch(self, keys: set[str]) -> dict[str, np.ndarray]:
        ordered = sorted(keys)

        def select() -> list[tuple[str, bytes]]:
            rows: list[tuple[str, bytes]] = []
            for i in range(0, len(ordered), _LOOKUP_CHUNK):
                part = ordered[i : i + _LOOKUP_CHUNK]
                marks = ",".join("?" * len(part))
                sql = f"SELECT key, vector FROM embeddings WHERE key IN ({marks})"
                rows.extend(self._conn.execute(sql, part).fetchall())
            return rows

        rows = self._guarded(select)
        return {k: v for k, v in (self._decode(k, b) for k, b in rows) if v is not None}

    def _decode(self, key: str, blob: bytes) -> tuple[str, np.ndarray | None]:
        vector = np.frombuffer(blob, dtype=np.float32)
        if vector.shape != (self.dimension,):
            log.warning("ignoring cached vector %s of length %d", key, vector.shape[0])
            return key, None
        wide = vector.astype(np.float64)
        if not abs(float(wide @ wide) - 1.0) < _UNIT_TOLERANCE:  # damaged on disk
            log.warning("ignoring cached vector %s: not unit length (damaged?)", key)
            return key, None
        return key, vector

    def put_many(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store one vector per text, in a single transaction."""
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        if vectors.shape != (len(texts), self.dimension):
            raise ValueError(
                f"expected vectors of shape ({len(texts)}, {self.dimension}), got {vectors.shape}"
            )
        rows = [(self.key(t), v.tobytes()) for t, v in zip(texts, vectors, strict=True)]
        self._touched.update(key for key, _ in rows)

        def insert() -> None:
            with self._transaction():
                self._conn.executemany("INSERT OR REPLACE INTO embeddings VALUES (?, ?)", rows)

        self._guarded(insert)
        self._stored.update(key for key, _ in rows)

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[None]:
        """BEGIN ... COMMIT, rolled back on failure; SQLite rolls back by itself after some
        failures (a full disk), so ROLLBACK is sent only while a transaction is open, and
        the error the caller sees is the first one, not "no transaction is active"."""
        self._conn.execute("BEGIN")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._conn.execute("ROLLBACK")
            raise

    def retain_touched(self) -> int:
        """Delete every entry this object neither looked up nor stored; returns how many."""

        def drop_untouched() -> int:
            self._conn.execute("CREATE TEMP TABLE IF NOT EXISTS keep (key TEXT PRIMARY KEY)")
            self._conn.execute("DELETE FROM keep")
            with self._transaction():
                self._conn.executemany("INSERT INTO keep VALUES (?)", ((k,) for k in self._touched))
                deleted = self._conn.execute(
                    "DELETE FROM embeddings WHERE key NOT IN (SELECT key FROM keep)"
                ).rowcount
            if deleted:
                self._conn.execute("VACUUM")
            return int(deleted)

        deleted = self._guarded(drop_untouched)
        log.info("dropped %d cached vectors no longer used", deleted)
        return int(deleted)

    def __len__(self) -> int:
        return int(
            self._guarded(
                lambda: self._conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0]
            )
        )

    def close(self) -> None:
        """Close the database connection."""
        with self._lock:
            self._conn.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def embed_with_cache(
    embedder: TextEncoder,
    cache: EmbeddingCache,
    texts: Sequence[str],
    progress: Progress | None = None,
) -> tuple[np.ndarray, int, int]:
    """Vectors for `texts`, embedding only those not cached; returns (vectors, embedded, reused).

    Duplicate texts are embedded once. New vectors are stored every EMBED_CHUNK texts, so
    an interrupted build keeps what it already paid for; `progress("embed", done, total)`
    is called after each chunk.
    """
    texts = list(texts)
    vectors, missing = cache.lookup(texts)
    reused = len(texts) - len(missing)
    if not missing:
        return vectors, 0, reused
    unique = list(dict.fromkeys(texts[i] for i in missing))
    new = _embed_in_chunks(embedder, cache, unique, progress)
    row = {text: j for j, text in enumerate(unique)}
    vectors[missing] = new[[row[texts[i]] for i in missing]]
    # A text repeated within this build is embedded once; its other copies count as reused.
    reused = len(texts) - len(unique)
    log.debug("embedded %d texts, reused %d", len(unique), reused)
    return vectors, len(unique), reused


def _embed_in_chunks(
    embedder: TextEncoder, cache: EmbeddingCache, texts: list[str], progress: Progress | None
) -> np.ndarray:
    """Vectors of `texts`, in their order, embedded EMBED_CHUNK at a time shortest first: a
    chunk of texts of like length pads little, where chunks in input order each held the
    whole spread of lengths (a build ran about 5 % slower than one call over its texts)."""
    out = np.empty((len(texts), cache.dimension), dtype=np.float32)
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    if progress:
        progress("embed", 0, len(texts))
    rows = [order[start : start + EMBED_CHUNK] for start in range(0, len(texts), EMBED_CHUNK)]
    chunks = [[texts[i] for i in part] for part in rows]
    done = 0
    for part, chunk, vectors in zip(rows, chunks, _encoded(embedder, chunks), strict=True):
        vectors = np.asarray(vectors, dtype=np.float32)
        cache.put_many(chunk, vectors)
        out[part] = vectors
        done += len(chunk)
        if progress:
            progress("embed", done, len(texts))
    return out


def _encoded(embedder: TextEncoder, chunks: list[list[str]]) -> Iterator[np.ndarray]:
    """Each chunk's vectors, in order. An engine with `encode_chunks` (index/ray_engine.py)
    gets all the chunks at once, so it starts its workers once per call, not per chunk."""
    encode_chunks = getattr(embedder, "encode_chunks", None)
    if encode_chunks is not None:
        return iter(encode_chunks(chunks))
    return (embedder.encode(chunk) for chunk in chunks)
