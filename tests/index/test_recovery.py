"""The index's own files damaged or the disk full (issue 15): the build recovers what can be
recovered, and says in one line what it cannot.

Each test here failed on the code before this round: the cache's damaged page stopped every
build, an empty CURRENT made the next build delete the intact version, a flipped byte in a
BM25 file made `cited docs` fail with a raw KeyError, a full disk said "cannot rollback - no
transaction is active", and a build.lock folder gave a raw errno.
"""

from __future__ import annotations

import logging
import shutil
import sqlite3
import subprocess
from pathlib import Path

import numpy as np
import pytest

from index.cache import EmbeddingCache, cache_path
from index.errors import IndexCorruptError, IndexWriteError
from index.lexical import SETTINGS_NAME
from index.loaded import LoadedIndex
from index.versions import (
    CURRENT_NAME,
    cleanup_leftovers,
    current_version,
    list_versions,
    segment_dirs,
)
from ingest.pipeline import build_index

ARTICLE = """Keeping Bees in a Small Garden

A single hive needs a sunny spot, shelter from the wind and water nearby.
Bees visit flowers within three kilometres, so the neighbours' gardens feed them too.
"""


def _damage_pages(path: Path) -> None:
    """Overwrite every page of a SQLite file but the first: the header stays intact, so
    the file opens and the damage shows only when a page is read."""
    with sqlite3.connect(path) as conn:
        page = conn.execute("PRAGMA page_size").fetchone()[0]
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    data = bytearray(path.read_bytes())
    data[page:] = b"\xa5" * (len(data) - page)
    path.write_bytes(bytes(data))


@pytest.fixture
def tiny(tmp_path, embedder) -> tuple[Path, Path]:
    """A one-article corpus and its built index."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "bees.txt").write_text(ARTICLE, encoding="utf-8")
    build_index(corpus, index, embedder)
    return corpus, index


@pytest.mark.parametrize("full", [False, True])
def test_a_damaged_page_in_the_cache_sets_it_aside_and_the_build_goes_on(
    tiny, embedder, full, caplog
):
    corpus, index = tiny
    _damage_pages(cache_path(index))
    (corpus / "bees.txt").write_text(ARTICLE + "\nA second hive doubles the honey.\n")

    with caplog.at_level(logging.WARNING):
        summary = build_index(corpus, index, embedder, full=full)

    assert summary.changed == ("bees.txt",) and summary.embedded == summary.total
    assert "embedding cache" in caplog.text and "damaged" in caplog.text
    assert cache_path(index).with_name("embeddings.sqlite.damaged").exists()
    with EmbeddingCache(cache_path(index), embedder.model_name, embedder.dimension) as cache:
        assert len(cache) > 0  # the new cache holds this build's vectors


def test_the_cache_survives_damage_found_while_storing(tmp_path, embedder):
    path = tmp_path / "embeddings.sqlite"
    vectors = embedder.encode(["one", "two"])
    with EmbeddingCache(path, embedder.model_name, embedder.dimension) as cache:
        cache.put_many(["one"], vectors[:1])
    _damage_pages(path)
    with EmbeddingCache(path, embedder.model_name, embedder.dimension) as cache:
        cache.put_many(["two"], vectors[1:])
        found, missing = cache.lookup(["one", "two"])
    assert missing == [0] and np.allclose(found[1], vectors[1])


@pytest.mark.parametrize("content", ["", "\n", "garbage-that-names-nothing\n", "../../etc\n"])
def test_a_damaged_current_is_pointed_at_the_newest_intact_version(
    tmp_path, publish_small, content
):
    older = publish_small(tmp_path).name
    newest = publish_small(tmp_path).name
    (tmp_path / CURRENT_NAME).write_text(content)

    assert cleanup_leftovers(tmp_path) == []

    assert current_version(tmp_path) == newest
    assert list_versions(tmp_path) == [older, newest]
    LoadedIndex.load(tmp_path).close()


def test_a_damaged_newest_version_is_passed_over(tmp_path, publish_small):
    older = publish_small(tmp_path).name
    newest = publish_small(tmp_path)
    faiss = segment_dirs(newest)[0] / "faiss.index"
    faiss.write_bytes(b"\x00" + faiss.read_bytes()[1:])
    (tmp_path / CURRENT_NAME).write_bytes(b"")

    cleanup_leftovers(tmp_path)

    assert current_version(tmp_path) == older
    assert newest.exists()  # kept: not deleted while CURRENT was being repaired


def test_the_next_build_recovers_an_empty_current(tiny, embedder):
    corpus, index = tiny
    version = current_version(index)
    (index / CURRENT_NAME).write_text("")

    summary = build_index(corpus, index, embedder)

    assert summary.published is False and summary.unchanged == ("bees.txt",)
    assert current_version(index) == version


def test_docs_names_a_damaged_bm25_file_instead_of_a_key_error(tmp_path, publish_small):
    settings = segment_dirs(publish_small(tmp_path))[0] / "bm25" / SETTINGS_NAME
    settings.write_text(settings.read_text().replace("english", "enelish"))
    with pytest.raises(IndexCorruptError, match=r"cannot read .*bm25.*cited ingest --full"):
        LoadedIndex.load(tmp_path, verify=False)  # what `cited docs` does


def test_damaged_json_in_the_records_names_the_file(tmp_path, publish_small):
    records = segment_dirs(publish_small(tmp_path))[0] / "records.sqlite"
    with sqlite3.connect(records) as conn:
        conn.execute("UPDATE documents SET page_starts = '[1,' WHERE doc_id = 'sleep'")
    with pytest.raises(IndexCorruptError, match=r"records\.sqlite"):
        LoadedIndex.load(tmp_path, verify=False, lazy=True)


def test_a_build_lock_that_is_a_folder_is_one_clear_error(tiny, embedder):
    corpus, index = tiny
    (index / "build.lock").unlink(missing_ok=True)
    (index / "build.lock").mkdir()
    with pytest.raises(IndexWriteError, match=r"build\.lock is a folder.*remove that folder"):
        build_index(corpus, index, embedder)


@pytest.fixture
def small_disk(tmp_path):
    """A 96 MB tmpfs (the test is skipped where mounting is not permitted)."""
    folder = tmp_path / "disk"
    folder.mkdir()
    mount = ["mount", "-t", "tmpfs", "-o", "size=96m", "tmpfs", str(folder)]
    if subprocess.run(mount, capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here (needs root)")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "--lazy", str(folder)], check=False)


@pytest.mark.parametrize("left_mb", [1, 3, 6])
def test_a_nearly_full_disk_says_no_space_left_and_names_the_folder(
    small_disk, shipped_corpus, shipped_index, embedder, left_mb
):
    corpus, index = small_disk / "corpus", small_disk / "index"
    shutil.copytree(shipped_corpus, corpus)
    shutil.copytree(shipped_index, index)
    before = current_version(index)
    with (small_disk / "filler").open("wb") as filler:
        free = shutil.disk_usage(small_disk).free - left_mb * 1024 * 1024
        filler.write(b"\0" * max(0, free))
    for path in sorted(corpus.iterdir())[:3]:  # enough new text to need more than is left
        path.write_text(path.read_text() + "\n" + ARTICLE * 40)

    failed = False
    try:
        build_index(corpus, index, embedder, full=True)
    except IndexWriteError as error:
        failed = True
        assert "no space left on device" in str(error) and str(index) in str(error)
        assert "rollback" not in str(error)
        assert current_version(index) == before
    assert failed or left_mb == 6  # 6 MB may just suffice
    (small_disk / "filler").unlink()
    assert build_index(corpus, index, embedder).errors == ()
