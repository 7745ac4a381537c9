"""Rebuild the index when the corpus folder changes (`cited serve --watch`, `cited ingest --watch`).

watchdog reports file events; they are coalesced until the folder has been quiet for
`settle` seconds (an editor saving, a copy of many files), then one incremental build
runs. Events on hidden files (editor swap files, `.git`), editor backups and an index
folder inside the corpus are ignored, as the build ignores those files. A build started
by the watcher waits for one already running (say a manual `cited ingest`) instead of
failing. A running server picks the new version up through its IndexHandle.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from index.errors import CitedError
from ingest.changes import is_corpus_name

log = logging.getLogger(__name__)

SETTLE_SECONDS = 1.5
_IGNORED_EVENTS = frozenset({"opened", "closed_no_write"})

#: on_result(summary, error): called after each rebuild, with exactly one of them set.
OnResult = Callable[[Any, Exception | None], None]


class CorpusWatcher:
    """Watches `corpus_dir` and calls `rebuild()` once changes have settled."""

    def __init__(
        self,
        corpus_dir: Path,
        rebuild: Callable[[], Any],
        settle: float = SETTLE_SECONDS,
        on_result: OnResult | None = None,
    ) -> None:
        self.corpus_dir = Path(corpus_dir)
        self.rebuild = rebuild
        self.settle = settle
        self.on_result = on_result
        self._changed = threading.Event()
        self._stop = threading.Event()
        self._last_event = 0.0
        self._observer: Any = None
        self._thread: threading.Thread | None = None

    def start(self) -> CorpusWatcher:
        """Start watching (and the thread that rebuilds); returns self."""
        from watchdog.events import FileSystemEventHandler
        from watchdog.observers import Observer

        watcher = self

        class _Handler(FileSystemEventHandler):
            def on_any_event(self, event: Any) -> None:
                if event.event_type in _IGNORED_EVENTS:
                    return
                if event.is_directory and event.event_type == "modified":
                    return  # a folder's listing changed: its files report themselves
                paths = [event.src_path, getattr(event, "dest_path", "")]
                if any(watcher.relevant(str(p)) for p in paths if p):
                    watcher.notify()

        self._observer = Observer()
        self._observer.schedule(_Handler(), str(self.corpus_dir), recursive=True)
        self._observer.start()
        self._thread = threading.Thread(target=self._loop, name="cited-watch", daemon=True)
        self._thread.start()
        return self

    def relevant(self, path: str) -> bool:
        """Is a change to `path` one the build would see (not a hidden file or folder, an
        editor backup, or a file an index inside the corpus folder writes)?"""
        for root in (self.corpus_dir, self.corpus_dir.resolve()):
            try:
                parts = Path(path).relative_to(root).parts
            except ValueError:
                continue
            return is_corpus_name(root, Path(*parts).as_posix()) if parts else True
        return True

    def notify(self) -> None:
        """Record a change; the rebuild waits until changes stop for `settle` seconds."""
        self._last_event = time.monotonic()
        self._changed.set()

    def stop(self) -> None:
        """Stop watching; a rebuild in progress finishes first (up to 5 s are waited)."""
        self._stop.set()
        self._changed.set()
        if self._observer is not None:
            self._observer.stop()
            self._observer.join(timeout=5)
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._changed.wait()
            if self._stop.is_set():
                return
            while time.monotonic() - self._last_event < self.settle:
                time.sleep(self.settle / 5)
            self._changed.clear()
            self._run_rebuild()

    def _run_rebuild(self) -> None:
        try:
            result = self.rebuild()
        except CitedError as error:
            log.warning("rebuild after a corpus change failed: %s", error)
            self._report(None, error)
            return
        except Exception as error:  # the watcher must outlive any one bad build
            log.exception("rebuild after a corpus change failed")
            self._report(None, error)
            return
        self._report(result, None)

    def _report(self, result: Any, error: Exception | None) -> None:
        if self.on_result is not None:
            self.on_result(result, error)


def print_result(summary: Any, error: Exception | None) -> None:
    """Report one rebuild on stdout, as `cited ingest` would."""
    from assistant.present.text import summary_as_text

    print(f"cited: error: {error}" if error else summary_as_text(summary), flush=True)


def watch_corpus(
    corpus_dir: Path,
    index_dir: Path,
    embedder: Any,
    on_result: OnResult | None = print_result,
    catch_up: bool = True,
) -> CorpusWatcher:
    """Start rebuilding `index_dir` whenever `corpus_dir` changes; returns the watcher.

    With `catch_up`, one build runs at once too, for changes made while nothing watched
    (it publishes nothing when nothing changed).
    """
    from ingest.pipeline import build_index

    def rebuild() -> Any:
        return build_index(corpus_dir, index_dir, embedder, wait=True)

    watcher = CorpusWatcher(corpus_dir, rebuild, on_result=on_result).start()
    if catch_up:
        watcher.notify()
    return watcher


def watch_and_rebuild(
    corpus_dir: Path, index_dir: Path, embedder: Any, full_first: bool = False
) -> None:
    """`cited ingest --watch`: build now, then after every settled change, until Ctrl-C."""
    from ingest.pipeline import build_index

    print_result(build_index(corpus_dir, index_dir, embedder, full=full_first, wait=True), None)
    watcher = watch_corpus(corpus_dir, index_dir, embedder, catch_up=False)
    print(f"cited: watching {corpus_dir} for changes (Ctrl-C to stop)", flush=True)
    try:
        while True:
            time.sleep(3600)
    finally:
        watcher.stop()
