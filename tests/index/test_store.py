"""The index folder: atomic versioned publish, checksums, model checks, lock, hot reload."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import numpy as np
import pytest

from index import manifest as manifest_module
from index import plan
from index.errors import (
    BuildLockedError,
    CorpusError,
    IndexCorruptError,
    IndexMissingError,
    ModelMismatchError,
)
from index.loaded import IndexHandle, LoadedIndex
from index.lock import build_lock
from index.search import HybridSearcher
from index.versions import cleanup_leftovers, current_version, segment_dirs


def _versions(index_dir: Path) -> list[str]:
    return sorted(p.name for p in (index_dir / "versions").iterdir())


class TestPublishAndLoad:
    def test_round_trip_keeps_records_and_vectors(self, tmp_path, publish_small, records, embedder):
        documents, passages, caveats = records
        folder = publish_small(tmp_path)
        with LoadedIndex.load(tmp_path, embedder.model_name, embedder.dimension) as loaded:
            assert loaded.version == folder.name == current_version(tmp_path)
            assert loaded.passage_count == len(passages)
            ids = list(range(len(passages)))[::-1]
            assert loaded.passages(ids) == [passages[i] for i in ids]
            expected = embedder.encode([passages[i].text for i in ids])
            assert np.allclose(loaded.passage_vectors(ids), expected, atol=1e-6)
            assert loaded.documents() == sorted(documents, key=lambda d: d.file)
            assert loaded.document("sleep") == documents[0]
            assert loaded.document("nope") is None
            assert loaded.caveats() == [(0, caveats[0])]
            assert loaded.caveats(["garden"]) == []
            assert loaded.caveat_vectors([0]).shape == (1, embedder.dimension)
            assert loaded.passages_of("garden") == [p for p in passages if p.doc_id == "garden"]
            assert loaded.passage_ids_for_docs(["money", "sleep"]).tolist() == [0, 1, 4, 5]

    def test_manifest_records_build(self, tmp_path, publish_small, embedder):
        folder = publish_small(tmp_path)
        manifest = json.loads((folder / "manifest.json").read_text())
        assert manifest["format_version"] == manifest_module.FORMAT_VERSION
        assert manifest["model_name"] == embedder.model_name
        assert manifest["counts"] == {"documents": 3, "passages": 6, "caveats": 1, "sentences": 6}
        assert manifest["faiss_kind"] == "flat"
        assert manifest["source_files"]["sleep.txt"] == "0" * 64
        on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()}
        assert set(manifest["files"]) == on_disk - {"manifest.json"}
        assert any(name.endswith("/bm25/vocab.index.json") for name in manifest["files"])
        [segment] = manifest["segments"]
        assert (segment["first_file"], segment["last_file"]) == ("garden.txt", "sleep.txt")
        assert set(manifest["stats"]) == set(manifest["files"])

    def test_zero_caveats_publish(self, tmp_path, publish_small, embedder):
        publish_small(tmp_path, caveats=[], caveat_vectors=np.zeros((0,), dtype=np.float32))
        with LoadedIndex.load(tmp_path) as loaded:
            assert loaded.caveats() == []
            assert loaded.manifest.counts["caveats"] == 0

    def test_zero_passages_is_refused(self, tmp_path, publish_small, embedder):
        with pytest.raises(CorpusError, match="nothing to index"):
            publish_small(tmp_path, passages=[], passage_vectors=np.zeros((0, 384)))
        assert current_version(tmp_path) is None

    def test_keeps_two_versions_and_points_at_newest(self, tmp_path, publish_small):
        first = publish_small(tmp_path).name
        second = publish_small(tmp_path).name
        assert _versions(tmp_path) == sorted([first, second])
        third = publish_small(tmp_path).name
        assert _versions(tmp_path) == sorted([second, third])
        assert current_version(tmp_path) == third
        assert LoadedIndex.load(tmp_path).version == third

    def test_leftovers_of_a_crashed_build_are_removed(self, tmp_path, publish_small):
        publish_small(tmp_path)
        leftover = tmp_path / "versions" / "20000101T000000000000Z-dead00.tmp"
        leftover.mkdir()
        (leftover / "passages.npy").write_bytes(b"half")
        assert cleanup_leftovers(tmp_path) == [leftover.name]
        assert not leftover.exists()
        leftover.mkdir()
        publish_small(tmp_path)
        assert not leftover.exists()


class TestLoadErrors:
    def test_missing_index(self, tmp_path):
        with pytest.raises(IndexMissingError, match="cited ingest"):
            LoadedIndex.load(tmp_path / "empty")

    @pytest.mark.parametrize("name", ["passages.npy", "records.sqlite", "bm25/vocab.index.json"])
    def test_flipped_byte_names_the_file(self, tmp_path, publish_small, name):
        path = segment_dirs(publish_small(tmp_path))[0] / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF
        path.write_bytes(bytes(data))
        with pytest.raises(IndexCorruptError, match=rf"{name} in .*checksum.*--full"):
            LoadedIndex.load(tmp_path)

    def test_truncated_file_names_the_file(self, tmp_path, publish_small):
        path = segment_dirs(publish_small(tmp_path))[0] / "faiss.index"
        path.write_bytes(path.read_bytes()[:100])
        with pytest.raises(IndexCorruptError, match=r"faiss\.index"):
            LoadedIndex.load(tmp_path)

    def test_unverified_load_skips_checksums(self, tmp_path, publish_small):
        folder = segment_dirs(publish_small(tmp_path))[0]
        with (folder / "caveats.npy").open("ab") as f:
            f.write(b"\0")  # np.load ignores trailing bytes; only the checksum notices
        assert LoadedIndex.load(tmp_path, verify=False).passage_count == 6
        with pytest.raises(IndexCorruptError, match=r"caveats\.npy"):
            LoadedIndex.load(tmp_path)

    def test_other_format_says_rebuild(self, tmp_path, publish_small):
        path = publish_small(tmp_path) / "manifest.json"
        path.write_text(json.dumps(json.loads(path.read_text()) | {"format_version": 99}))
        with pytest.raises(IndexCorruptError, match=r"format 99.*cited ingest --full"):
            LoadedIndex.load(tmp_path)

    def test_wrong_model_names_both(self, tmp_path, publish_small, embedder):
        publish_small(tmp_path)
        with pytest.raises(ModelMismatchError) as error:
            LoadedIndex.load(tmp_path, expected_model="bge-small", expected_dimension=768)
        message = str(error.value)
        assert embedder.model_name in message and "bge-small" in message
        assert "384" in message and "768" in message and "--full" in message


class TestHnsw:
    def test_hnsw_finds_what_flat_finds(self, tmp_path, publish_small, embedder, monkeypatch):
        flat_dir, hnsw_dir = tmp_path / "flat", tmp_path / "hnsw"
        publish_small(flat_dir)
        monkeypatch.setattr(plan, "HNSW_THRESHOLD", 1)
        publish_small(hnsw_dir)
        flat, hnsw = LoadedIndex.load(flat_dir), LoadedIndex.load(hnsw_dir)
        assert (flat.manifest.faiss_kind, hnsw.manifest.faiss_kind) == ("flat", "hnsw")
        for question in ["how much sleep do adults need", "watering tomatoes", "saving money"]:
            query = embedder.encode_query(question)
            by_flat = HybridSearcher(flat, embedder).dense_search(query, 6)
            by_hnsw = HybridSearcher(hnsw, embedder).dense_search(query, 6)
            assert by_flat[0].tolist() == by_hnsw[0].tolist()
            assert np.allclose(by_flat[1], by_hnsw[1], atol=1e-5)


class TestBuildLock:
    def test_second_build_is_refused_with_pid(self, tmp_path):
        locked = pytest.raises(BuildLockedError, match=r"another build is running .*pid \d+")
        with build_lock(tmp_path), locked, build_lock(tmp_path):
            pass
        with build_lock(tmp_path):  # released afterwards
            pass

    def test_waiting_build_gets_the_lock_when_released(self, tmp_path):
        held, release = threading.Event(), threading.Event()

        def hold() -> None:
            with build_lock(tmp_path):
                held.set()
                release.wait(5)

        holder = threading.Thread(target=hold)
        holder.start()
        held.wait(5)
        threading.Timer(0.3, release.set).start()
        with build_lock(tmp_path, wait=True, timeout=5):
            assert release.is_set()
        holder.join()

    def test_wait_gives_up_after_timeout(self, tmp_path):
        gives_up = pytest.raises(BuildLockedError)
        with build_lock(tmp_path), gives_up, build_lock(tmp_path, wait=True, timeout=0.2):
            pass


class TestIndexHandle:
    def test_picks_up_a_new_version(self, tmp_path, publish_small):
        publish_small(tmp_path)
        handle = IndexHandle(tmp_path, check_interval=0)
        old = handle.current()
        new_version = publish_small(tmp_path).name
        assert handle.current().version == new_version
        assert old.passages([0])  # a request holding the old index can still read it

    def test_waits_for_check_interval(self, tmp_path, publish_small):
        publish_small(tmp_path)
        handle = IndexHandle(tmp_path, check_interval=3600)
        first = handle.current().version
        publish_small(tmp_path)
        assert handle.current().version == first
        assert handle.reload_now().version == current_version(tmp_path)

    def test_bad_new_version_keeps_serving_old(self, tmp_path, publish_small, caplog):
        publish_small(tmp_path)
        handle = IndexHandle(tmp_path, check_interval=0)
        old = handle.current().version
        broken = segment_dirs(publish_small(tmp_path))[0]
        (broken / "passages.npy").write_bytes(b"broken")
        assert handle.current().version == old
        assert "passages.npy" in caplog.text

    def test_missing_index_raises(self, tmp_path):
        with pytest.raises(IndexMissingError):
            IndexHandle(tmp_path).current()
