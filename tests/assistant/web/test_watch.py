"""The corpus watcher: a burst of changes makes one rebuild, hidden files make none, and
`cited ingest --watch` indexes a file dropped into the folder."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

from assistant.web.watch import CorpusWatcher

REPO = Path(__file__).resolve().parents[3]


class Rebuilds:
    """A stand-in for the build (the build itself is not the subject): counts its calls."""

    def __init__(self) -> None:
        self.calls = 0
        self.done = threading.Event()

    def __call__(self) -> int:
        self.calls += 1
        self.done.set()
        return self.calls


def wait_until(condition, timeout: float = 30) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_burst_of_changes_makes_one_rebuild(tmp_path):
    rebuilds, results = Rebuilds(), []
    report = lambda result, error: results.append(result)  # noqa: E731
    watcher = CorpusWatcher(tmp_path, rebuilds, settle=0.5, on_result=report).start()
    try:
        for n in range(20):
            (tmp_path / f"article-{n}.txt").write_text(f"Article {n}\n", encoding="utf-8")
            time.sleep(0.01)
        assert wait_until(lambda: results == [1])
        time.sleep(1.5)  # well past the settle time: no second rebuild follows
        assert rebuilds.calls == 1
    finally:
        watcher.stop()


def test_hidden_files_do_not_trigger_a_rebuild(tmp_path):
    rebuilds = Rebuilds()
    watcher = CorpusWatcher(tmp_path, rebuilds, settle=0.2).start()
    try:
        (tmp_path / ".article.txt.swp").write_bytes(b"editor state")
        (tmp_path / ".git").mkdir()
        (tmp_path / ".git" / "index").write_bytes(b"x")
        time.sleep(1.5)
        assert rebuilds.calls == 0
        (tmp_path / "article.txt").write_text("Visible\n", encoding="utf-8")
        assert wait_until(lambda: rebuilds.calls == 1)
    finally:
        watcher.stop()


def test_a_failed_rebuild_is_reported_and_watching_goes_on(tmp_path):
    from index.errors import BuildLockedError

    outcomes = []

    def rebuild() -> str:
        if not outcomes:
            raise BuildLockedError("another build is running")
        return "built"

    watcher = CorpusWatcher(
        tmp_path, rebuild, settle=0.2, on_result=lambda r, e: outcomes.append((r, e))
    ).start()
    try:
        (tmp_path / "a.txt").write_text("A\n", encoding="utf-8")
        assert wait_until(lambda: len(outcomes) == 1)
        (tmp_path / "b.txt").write_text("B\n", encoding="utf-8")
        assert wait_until(lambda: len(outcomes) == 2)
    finally:
        watcher.stop()
    assert isinstance(outcomes[0][1], BuildLockedError) and outcomes[1] == ("built", None)


def test_cited_ingest_watch_indexes_a_dropped_in_file(tmp_path, shipped_corpus, shipped_index):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(shipped_corpus, corpus)
    shutil.copytree(shipped_index, index)
    log = tmp_path / "watch.log"
    folders = ["--corpus", str(corpus), "--index", str(index)]
    process = subprocess.Popen(
        [sys.executable, "-m", "assistant", "ingest", "--watch", *folders],
        cwd=REPO,
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
    )
    try:
        assert wait_until(lambda: "watching" in log.read_text(), 300), log.read_text()
        assert "index is up to date" in log.read_text()
        (corpus / "lighthouse.txt").write_text(
            "The Lighthouse Keeper\n\nA keeper misses the mainland in the winter storms.\n",
            encoding="utf-8",
        )
        assert wait_until(lambda: "1 added" in log.read_text(), 120), log.read_text()
    finally:
        process.terminate()
        process.wait(timeout=30)
    from index.loaded import LoadedIndex

    assert "lighthouse.txt" in {d.file for d in LoadedIndex.load(index).documents()}
