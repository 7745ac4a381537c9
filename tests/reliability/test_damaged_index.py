"""A damaged index is detected when it is loaded and named in a clear error; an incremental
build over it starts from nothing; an index built with another model or dimension is
refused by name (issue #6, items 9 and 10). Never a wrong answer."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from reliability_kit import cited

from assistant.answer import Assistant
from index.errors import IndexCorruptError, ModelMismatchError
from index.loaded import LoadedIndex
from index.manifest import MANIFEST_CHECKSUM_KEY, MANIFEST_NAME, manifest_bytes
from index.versions import current_version, segment_dirs

QUESTION = "What is the peak-end rule?"


def _version_dir(index: Path) -> Path:
    return index / "versions" / current_version(index)


def _segment_dir(index: Path) -> Path:
    """The folder of the index's only segment (the shipped corpus fits in one)."""
    [segment] = segment_dirs(_version_dir(index))
    return segment


def _listed(data: dict, name: str) -> str:
    """The manifest's key for file `name` of the only segment ("segments/<seg>/name")."""
    [key] = [k for k in data["files"] if k.endswith(f"/{name}") and k.count("/") == 2]
    return key


def _manifest(index: Path) -> dict:
    return json.loads((_version_dir(index) / MANIFEST_NAME).read_text())


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _flip_one_byte(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "truncated": _truncate,
    "one byte flipped": _flip_one_byte,
}


@pytest.fixture
def index(tmp_path: Path, shipped_index: Path) -> Path:
    """A private copy of the shipped index, free to damage."""
    copy = tmp_path / "index"
    shutil.copytree(shipped_index, copy)
    return copy


def test_the_manifest_has_a_checksum_for_every_file(index: Path):
    version = _version_dir(index)
    on_disk = {p.relative_to(version).as_posix() for p in version.rglob("*") if p.is_file()} - {
        MANIFEST_NAME
    }
    listed = set(_manifest(index)["files"])
    assert listed == on_disk
    prefix = _segment_dir(index).relative_to(version).as_posix() + "/"
    required = {"records.sqlite", "passages.npy", "caveats.npy", "faiss.index", "sentences.npy"}
    assert {prefix + name for name in required} <= listed
    assert any(name.startswith(prefix + "bm25/") for name in listed)


@pytest.mark.parametrize("damage", DAMAGE)
def test_every_damaged_file_is_named_at_load(tmp_path: Path, shipped_index: Path, embedder, damage):
    names = sorted(_manifest(shipped_index)["files"])
    for n, name in enumerate(names):
        index = tmp_path / f"index-{n}"
        shutil.copytree(shipped_index, index)
        DAMAGE[damage](_version_dir(index) / name)
        with pytest.raises(IndexCorruptError) as info:
            LoadedIndex.load(index)
        message = str(info.value)
        assert name in message and "does not match its checksum" in message, message
        assert "run `cited ingest --full`" in message
        with pytest.raises(IndexCorruptError, match="cited ingest --full"):
            Assistant(index, embedder=embedder).answer(QUESTION)


def _manifest_path(index: Path) -> Path:
    return _version_dir(index) / MANIFEST_NAME


def _edit_manifest(index: Path, edit: Callable[[dict], object], resign: bool = True) -> None:
    """Edit the manifest's JSON; re-signed, so the checks behind its own checksum are tested."""
    path = _manifest_path(index)
    data = json.loads(path.read_text())
    data.pop(MANIFEST_CHECKSUM_KEY)
    edit(data)
    path.write_bytes(manifest_bytes(data) if resign else json.dumps(data).encode())


def _wrong_checksum(data: dict) -> None:
    key = _listed(data, "passages.npy")
    digest = data["files"][key]
    data["files"][key] = ("0" if digest[0] != "0" else "1") + digest[1:]


MANIFEST_DAMAGE: dict[str, tuple[Callable[[Path], object], str]] = {
    "truncated JSON": (lambda i: _truncate(_manifest_path(i)), "cannot read"),
    "edited, not re-signed": (
        lambda i: _edit_manifest(i, lambda d: d["counts"].update(passages=1), resign=False),
        "does not match its own checksum (damaged?)",
    ),
    "a segment renamed": (
        lambda i: _edit_manifest(i, lambda d: d["segments"][0].update(name="seg-0000000000")),
        "seg-0000000000",
    ),
    "not JSON at all": (lambda i: _manifest_path(i).write_bytes(b"\x00\xff junk"), "cannot read"),
    "a checksum changed": (lambda i: _edit_manifest(i, _wrong_checksum), "passages.npy"),
    "a checksum removed": (
        lambda i: _edit_manifest(i, lambda d: d["files"].pop(_listed(d, "records.sqlite"))),
        "records.sqlite (damaged?)",
    ),
    "files not a mapping": (
        lambda i: _edit_manifest(i, lambda d: d.update(files=["faiss.index"])),
        "wrong type",
    ),
    "an unknown format": (
        lambda i: _edit_manifest(i, lambda d: d.update(format_version=99)),
        "has index format 99",
    ),
    "a field missing": (
        lambda i: _edit_manifest(i, lambda d: d.pop("model_name")),
        "is incomplete",
    ),
}


@pytest.mark.parametrize("how", MANIFEST_DAMAGE)
def test_a_damaged_manifest_is_refused(index: Path, how):
    damage, expected = MANIFEST_DAMAGE[how]
    damage(index)
    with pytest.raises(IndexCorruptError) as info:
        LoadedIndex.load(index)
    assert expected in str(info.value)
    assert "cited ingest --full" in str(info.value)


def test_every_single_flipped_byte_in_the_manifest_is_refused(index: Path):
    """Each byte of the manifest flipped in turn (a key's name, a segment's sentence count,
    a date): each is refused with the same clear error, never loaded."""
    path = _manifest_path(index)
    intact = path.read_bytes()
    for offset in range(len(intact)):
        data = bytearray(intact)
        data[offset] ^= 0x01
        path.write_bytes(bytes(data))
        with pytest.raises(IndexCorruptError) as info:
            LoadedIndex.load(index)
        assert str(info.value).endswith("run `cited ingest --full`"), (offset, info.value)
    path.write_bytes(intact)
    assert LoadedIndex.load(index).passage_count > 0


def test_a_flipped_byte_in_the_manifest_stops_the_assistant(
    tmp_path: Path, shipped_index: Path, embedder
):
    """Every 97th byte, through the Assistant: an error naming the fix, never an answer."""
    size = len(_manifest_path(shipped_index).read_bytes())
    for offset in range(0, size, 97):
        index = tmp_path / f"index-{offset}"
        shutil.copytree(shipped_index, index)
        path = _manifest_path(index)
        data = bytearray(path.read_bytes())
        data[offset] ^= 0x01
        path.write_bytes(bytes(data))
        with pytest.raises(IndexCorruptError, match="cited ingest --full"):
            Assistant(index, embedder=embedder).answer(QUESTION)


def test_current_naming_a_missing_version(index: Path):
    (index / "CURRENT").write_text("20990101T000000000000Z-abcdef\n")
    with pytest.raises(IndexCorruptError, match="is missing; run `cited ingest --full`"):
        LoadedIndex.load(index)


def _break_header(path: Path) -> None:
    path.write_bytes(b"x" * 16 + path.read_bytes()[16:])


def test_cli_and_server_say_what_happened(index: Path):
    """ask and serve verify checksums; docs (which skips them for speed) still says why."""
    records = _segment_dir(index) / "records.sqlite"
    _break_header(records)
    for command in (["ask", QUESTION], ["serve", "--port", "9"], ["docs"]):
        result = cited(*command, "--index", str(index), "--corpus", str(index))
        assert result.returncode == 2, result.stderr
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("cited: error: "), result.stderr
        if command[0] == "docs":
            assert f"cannot read {records} (file is not a database)" in lines[0]
        else:
            assert "records.sqlite in " in lines[0]
            assert "does not match its checksum (damaged?)" in lines[0]
        assert lines[0].endswith("run `cited ingest --full`")


def test_incremental_ingest_over_a_damaged_index_starts_from_nothing(
    index: Path, shipped_corpus: Path, embedder, caplog
):
    from ingest.pipeline import build_index

    damaged = current_version(index)
    _flip_one_byte(_segment_dir(index) / "passages.npy")
    summary = build_index(shipped_corpus, index, embedder).to_dict()
    # The files did not change since the last published index; it is rebuilt from them.
    assert summary["documents"] == {"added": 0, "changed": 0, "removed": 0, "unchanged": 5}
    assert summary["passages"]["embedded"] == 0  # every vector came from the cache
    assert "rebuilding from nothing" in caplog.text and "passages.npy" in caplog.text
    assert current_version(index) != damaged
    answer = Assistant(index, embedder=embedder).answer(QUESTION)
    assert "peak" in answer.quotes[0].text.lower()


class TestDamagedEmbeddingCache:
    """The cache only saves time: damage to it costs time, never a build or an answer."""

    @pytest.fixture
    def one_article(self, tmp_path: Path, shipped_corpus: Path) -> Path:
        corpus = tmp_path / "one-article"
        corpus.mkdir()
        smallest = min(shipped_corpus.iterdir(), key=lambda p: p.stat().st_size)
        shutil.copy2(smallest, corpus / smallest.name)
        return corpus

    def test_an_unreadable_cache_is_set_aside(self, index: Path, one_article: Path, embedder):
        from ingest.pipeline import build_index

        cache = index / "cache" / "embeddings.sqlite"
        cache.write_bytes(b"\x00" * 100 + cache.read_bytes()[100:])
        summary = build_index(one_article, index, embedder, full=True).to_dict()
        assert summary["passages"]["embedded"] == summary["passages"]["total"] > 0
        assert (index / "cache" / "embeddings.sqlite.damaged").exists()
        answer = Assistant(index, embedder=embedder).answer("What should I do while apart?")
        assert not answer.abstained

    def test_a_damaged_vector_is_embedded_again(self, index: Path, one_article: Path, embedder):
        from index.cache import EmbeddingCache
        from ingest.pipeline import build_index

        loaded = LoadedIndex.load(index)
        article = next(one_article.iterdir()).name
        doc_id = next(d.doc_id for d in loaded.documents() if d.file == article)
        text = loaded.passages_of(doc_id)[0].text
        path = index / "cache" / "embeddings.sqlite"
        key = EmbeddingCache(path, embedder.model_name, embedder.dimension).key(text)
        cache = sqlite3.connect(path)
        (blob,) = cache.execute("SELECT vector FROM embeddings WHERE key = ?", [key]).fetchone()
        damaged = bytearray(blob)
        damaged[3] ^= 0x40  # the exponent byte of the first component
        cache.execute("UPDATE embeddings SET vector = ? WHERE key = ?", (bytes(damaged), key))
        cache.commit()
        cache.close()
        # An incremental build that re-reads the article looks its passages up in the cache
        # (--full would ignore the cache): the damaged vector and the new paragraph are embedded.
        path_of_article = next(one_article.iterdir())
        with path_of_article.open("a", encoding="utf-8") as handle:
            handle.write("\n\nA closing paragraph added after the damage, about patience.\n")
        summary = build_index(one_article, index, embedder).to_dict()
        assert summary["passages"]["embedded"] == 2
        rebuilt = LoadedIndex.load(index)
        row = next(i for i in range(rebuilt.passage_count) if rebuilt.passages([i])[0].text == text)
        assert np.allclose(rebuilt.passage_vectors([row])[0], embedder.encode([text])[0], atol=1e-5)


class TestAnotherModel:
    def test_another_model_folder_is_named_in_the_error(self, index: Path, tmp_path: Path):
        """A copy of the packaged model under another name: same dimension, other model."""
        from index.embed import default_model_path, model_name_for

        source = default_model_path()
        other = tmp_path / "my-other-minilm"
        shutil.copytree(source, other, copy_function=os.symlink)
        built_with = _manifest(index)["model_name"]
        result = cited("ask", QUESTION, "--index", str(index), "--model", str(other))
        assert result.returncode == 2, result.stderr
        assert result.stderr.startswith("cited: error: the index in "), result.stderr
        assert built_with in result.stderr and model_name_for(other) in result.stderr
        assert "cited ingest --full" in result.stderr

    def test_another_dimension_is_named_in_the_error(self, index: Path, embedder):
        _edit_manifest(index, lambda d: d.update(dimension=768))
        with pytest.raises(ModelMismatchError) as info:
            Assistant(index, embedder=embedder).answer(QUESTION)
        message = str(info.value)
        assert "768" in message and "384" in message
        assert embedder.model_name in message and "cited ingest --full" in message


def test_incremental_ingest_rebuilds_an_index_in_an_older_format(
    index: Path, shipped_corpus: Path, embedder, caplog
):
    """What `make run` relies on after an upgrade: `cited ingest` replaces the old index."""
    from ingest.pipeline import build_index

    _edit_manifest(index, lambda d: d.update(format_version=3), resign=False)
    with pytest.raises(IndexCorruptError, match="has index format 3 but this cited reads"):
        LoadedIndex.load(index)
    build_index(shipped_corpus, index, embedder)
    assert "rebuilding from nothing" in caplog.text and "format 3" in caplog.text
    answer = Assistant(index, embedder=embedder).answer(QUESTION)
    assert "peak" in answer.quotes[0].text.lower()
