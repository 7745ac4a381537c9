"""Segmented builds: a rebuild rewrites only the segments whose documents changed, and the
result is the index a build from nothing would give.

Segments are made small (SEGMENT_PASSAGES = 30) so the shipped corpus spans several. Every
build here uses the real model; vectors come from a copy of the session index's cache, so
only text the tests write costs model time.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

from index import files, plan
from index.cache import cache_path
from index.loaded import LoadedIndex
from index.segment import SegmentInfo
from ingest import pipeline
from ingest.pipeline import assign_doc_ids, build_index

EX = "the-psychology-of-how-to-make-an-ex-miss-you.txt"
HUSBAND = "how-to-make-your-husband-miss-you-during-a-separation.txt"
NEW_ARTICLE = """Missing the Mainland

A lighthouse keeper spends months on a bare rock with the lamp, the foghorn and the gulls.
Keepers describe a slow ache for the mainland: the bakery, the market, the voices of friends.
"""


@pytest.fixture
def small_segments(monkeypatch) -> None:
    monkeypatch.setattr(plan, "SEGMENT_PASSAGES", 30)


@pytest.fixture
def workspace(tmp_path, shipped_corpus, shipped_index, small_segments) -> tuple[Path, Path]:
    """A private corpus and an empty index folder holding the session index's vector cache."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(shipped_corpus, corpus)
    cache_path(index).parent.mkdir(parents=True)
    shutil.copy2(cache_path(shipped_index), cache_path(index))
    return corpus, index


def snapshot(index: Path) -> dict:
    """Everything a reader sees of an index, by global id."""
    with LoadedIndex.load(index) as loaded:
        ids = np.arange(loaded.passage_count)
        rows, owners = loaded.sentence_rows(ids)
        return {
            "documents": loaded.documents(),
            "passages": loaded.passages(ids),
            "vectors": loaded.passage_vectors(ids),
            "caveats": loaded.caveats(),
            "sentences": [
                (int(o), loaded.sentence_span(int(r))) for r, o in zip(rows, owners, strict=True)
            ],
            "sentence_vectors": loaded.sentence_vectors(rows),
        }


def assert_same(a: dict, b: dict) -> None:
    for key in ("documents", "passages", "caveats", "sentences"):
        assert a[key] == b[key], key
    for key in ("vectors", "sentence_vectors"):
        assert np.allclose(a[key], b[key], atol=1e-6), key


def from_nothing(corpus: Path, tmp_path: Path, source_index: Path, embedder) -> dict:
    """The snapshot of a build from nothing of `corpus` (vectors from the same cache)."""
    index = tmp_path / "from-nothing"
    cache_path(index).parent.mkdir(parents=True)
    shutil.copy2(cache_path(source_index), cache_path(index))
    build_index(corpus, index, embedder)
    return snapshot(index)


def segments(index: Path) -> list[SegmentInfo]:
    with LoadedIndex.load(index) as loaded:
        return loaded.manifest.segment_infos()


def inode(index: Path, segment: SegmentInfo) -> int:
    with LoadedIndex.load(index) as loaded:
        return (loaded.path / "segments" / segment.name / "passages.npy").stat().st_ino


def test_a_segmented_index_reads_and_searches_like_one_segment(workspace, embedder, shipped_index):
    corpus, index = workspace
    build_index(corpus, index, embedder)
    assert len(segments(index)) >= 3
    assert_same(snapshot(index), snapshot(shipped_index))
    with LoadedIndex.load(index) as split, LoadedIndex.load(shipped_index) as whole:
        for question in ["how long should no contact last", "why does distance help"]:
            query = embedder.encode_query(question)
            found, expected = (
                split.faiss_index.search(query, 10),
                whole.faiss_index.search(query, 10),
            )
            assert found[1].tolist() == expected[1].tolist()
            assert np.allclose(found[0], expected[0], atol=1e-6)
            # segments searched one by one (the benchmark's sweep) or in parallel groups
            one_by_one = split.faiss_index.search(query, 10, ef_search=64)
            assert one_by_one[1].tolist() == found[1].tolist()
            # BM25: one corpus-wide IDF; only each segment's average length differs
            top_split = np.argsort(-split.lexical.scores(question))[:5]
            top_whole = np.argsort(-whole.lexical.scores(question))[:5]
            assert len(set(top_split) & set(top_whole)) >= 4


def test_editing_one_article_rewrites_only_its_segment(workspace, embedder, tmp_path):
    corpus, index = workspace
    build_index(corpus, index, embedder)
    before = segments(index)
    inodes = {s.name: inode(index, s) for s in before}
    path = corpus / HUSBAND
    path.write_text(path.read_text(encoding="utf-8").replace(" the ", " a ", 1), encoding="utf-8")

    summary = build_index(corpus, index, embedder)

    assert summary.changed == (HUSBAND,) and summary.embedded <= 2
    after = segments(index)
    rewritten = [s for s in after if s.name not in inodes]
    assert len(rewritten) == 1 and rewritten[0].first_file <= HUSBAND <= rewritten[0].last_file
    kept = [s for s in after if s.name in inodes]
    assert len(kept) == len(before) - 1
    assert all(inode(index, s) == inodes[s.name] for s in kept)  # hard links, not copies
    assert_same(snapshot(index), from_nothing(corpus, tmp_path, index, embedder))


def test_adding_and_removing_articles_gives_the_index_of_a_fresh_build(
    workspace, embedder, tmp_path
):
    corpus, index = workspace
    build_index(corpus, index, embedder)
    (corpus / "m-lighthouse.txt").write_text(NEW_ARTICLE, encoding="utf-8")
    (corpus / EX).unlink()

    summary = build_index(corpus, index, embedder)

    assert summary.added == ("m-lighthouse.txt",) and summary.removed == (EX,)
    files = [d.file for d in snapshot(index)["documents"]]
    assert files == sorted(files) and EX not in files and "m-lighthouse.txt" in files
    assert_same(snapshot(index), from_nothing(corpus, tmp_path, index, embedder))


def test_a_file_sharing_a_slug_renames_like_a_fresh_build(workspace, embedder, tmp_path):
    corpus, index = workspace
    build_index(corpus, index, embedder)
    twin = corpus / HUSBAND.replace(".txt", ".md")
    shutil.copy2(corpus / HUSBAND, twin)
    build_index(corpus, index, embedder)
    ids = {d.file: d.doc_id for d in snapshot(index)["documents"]}
    assert ids[twin.name] == ids[HUSBAND] + "-txt" or ids[HUSBAND] == ids[twin.name] + "-txt"

    (corpus / HUSBAND).unlink()  # the twin inherits the plain id: its segment is rewritten
    build_index(corpus, index, embedder)
    ids = {d.file: d.doc_id for d in snapshot(index)["documents"]}
    assert ids[twin.name] == HUSBAND.removesuffix(".txt")
    assert_same(snapshot(index), from_nothing(corpus, tmp_path, index, embedder))


def test_a_damaged_segment_that_must_be_copied_starts_from_nothing(workspace, embedder, caplog):
    corpus, index = workspace
    build_index(corpus, index, embedder)
    target = next(s for s in segments(index) if s.first_file <= HUSBAND <= s.last_file)
    with LoadedIndex.load(index) as loaded:
        records = loaded.path / "segments" / target.name / "records.sqlite"
    stat = records.stat()
    data = bytearray(records.read_bytes())
    data[len(data) // 2] ^= 0xFF  # bit rot: same size and time, only the checksum notices
    records.write_bytes(bytes(data))
    os.utime(records, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    files._VERIFIED.clear()  # as in a new process: nothing checked yet
    (corpus / HUSBAND).write_text(NEW_ARTICLE, encoding="utf-8")

    summary = build_index(corpus, index, embedder)

    assert "rebuilding from nothing" in caplog.text and "records.sqlite" in caplog.text
    assert summary.total == LoadedIndex.load(index).passage_count


def test_a_rebuild_hashes_only_files_whose_size_or_time_changed(workspace, embedder, monkeypatch):
    corpus, index = workspace
    settled = time.time() - 60  # older than the racy window before the first build
    for path in corpus.iterdir():
        os.utime(path, (settled, settled))
    build_index(corpus, index, embedder)
    hashed: list[str] = []
    real = pipeline.file_sha256
    monkeypatch.setattr(pipeline, "file_sha256", lambda p: hashed.append(p.name) or real(p))
    path = corpus / HUSBAND
    path.write_text(path.read_text(encoding="utf-8").replace(" the ", " a ", 1), encoding="utf-8")

    summary = build_index(corpus, index, embedder)

    assert hashed == [HUSBAND] and summary.changed == (HUSBAND,)
    hashed.clear()
    os.utime(corpus / EX)  # touched, same bytes: hashed again, found unchanged
    assert build_index(corpus, index, embedder).published is False
    assert sorted(hashed) == sorted([EX, HUSBAND])  # HUSBAND: written in the racy second


def test_doc_ids_are_unique_in_file_order():
    ids = assign_doc_ids(["guides/a.txt", "a.md", "a.txt", "a.html"])
    assert ids == {"a.html": "a", "a.md": "a-md", "a.txt": "a-txt", "guides/a.txt": "guides-a"}


def test_scan_skips_hidden_files_and_linked_folders(tmp_path):
    (tmp_path / "a.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.md").write_text("y")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "c.txt").write_text("z")
    (tmp_path / ".d.txt").write_text("")
    (tmp_path / "loop").symlink_to(tmp_path, target_is_directory=True)  # would never end
    (tmp_path / "link.txt").symlink_to(tmp_path / "a.txt")
    found = [p.relative_to(tmp_path).as_posix() for p in pipeline.scan_corpus(tmp_path)]
    assert found == ["a.txt", "link.txt", "sub/b.md"]
