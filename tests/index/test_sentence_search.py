"""Sentence vectors in the index: stored beside the passages, read back per passage, and
used by search to score a passage by its best sentence and to point at that sentence."""

from __future__ import annotations

import numpy as np
import pytest

from index.loaded import LoadedIndex
from index.records import Passage, StoredDocument
from index.search import HybridSearcher
from index.versions import current_version
from index.writer import IndexWriter
from ingest.sentences import SentenceVectors


def _sentences(passages: list[Passage], embedder) -> SentenceVectors:
    """Each passage split at ". " into sentences, embedded for real."""
    rows = []
    for pid, p in enumerate(passages):
        start = 0
        for part in p.text.split(". "):
            rows.append((pid, start, start + len(part)))
            start += len(part) + 2
    texts = [passages[pid].text[s:e] for pid, s, e in rows]
    return SentenceVectors(np.asarray(rows, dtype=np.int64), embedder.encode(texts))


@pytest.fixture
def with_sentences(tmp_path, publish_small, records, embedder):
    _, passages, _ = records
    publish_small(tmp_path, sentences=_sentences(passages, embedder))
    with LoadedIndex.load(tmp_path) as loaded:
        yield loaded, passages


def test_sentence_rows_belong_to_the_asked_passages(with_sentences) -> None:
    loaded, passages = with_sentences
    assert loaded.has_sentences
    rows, owners = loaded.sentence_rows([3, 0])
    assert owners.tolist() == [0, 1]
    assert loaded.sentence_span(int(rows[0])) == (0, len(passages[3].text))
    assert loaded.sentence_vectors(rows).shape == (2, loaded.dimension)
    empty, _ = loaded.sentence_rows([])
    assert empty.size == 0


def test_the_manifest_counts_the_sentences(with_sentences) -> None:
    loaded, _ = with_sentences
    assert loaded.manifest.counts["sentences"] == 6
    assert any(name.endswith("/sentences.npy") for name in loaded.manifest.files)


def test_hits_carry_the_best_sentence(with_sentences, embedder) -> None:
    loaded, passages = with_sentences
    hits = HybridSearcher(loaded, embedder).search("how many hours of sleep do adults need", k=1)
    unit = int(hits.unit[0])
    start, end = loaded.sentence_span(unit)
    assert "seven to nine hours" in passages[int(hits.ids[0])].text[start:end]
    assert hits.semantic[0] == pytest.approx(0.5 * hits.dense[0] + 0.5 * hits.sentence[0])


def test_an_index_without_sentences_scores_passages_alone(tmp_path, publish_small, embedder):
    publish_small(tmp_path, sentences=None)
    with LoadedIndex.load(tmp_path) as loaded:
        assert not loaded.has_sentences
        hits = HybridSearcher(loaded, embedder).search("sunlight for tomatoes", k=2)
        assert hits.unit.tolist() == [-1, -1]
        assert np.allclose(hits.sentence, hits.dense)


def test_sentences_of_unknown_passages_are_refused(tmp_path, records, embedder):
    documents, passages, _ = records
    mine = tuple(p for p in passages if p.doc_id == documents[0].doc_id)
    bad = StoredDocument(
        documents[0],
        mine,
        (),
        embedder.encode([p.text for p in mine]),
        np.zeros((0, embedder.dimension), np.float32),
        sentence_spans=np.array([[99, 0, 5]]),
        sentence_vectors=embedder.encode(["hello"]),
    )
    writer = IndexWriter(tmp_path, embedder.model_name, embedder.dimension, {})
    with pytest.raises(ValueError, match="passages it does not have"):
        writer.update(None, [bad])
    assert current_version(tmp_path) is None


def test_a_version_split_into_segments_reads_like_one(
    tmp_path, publish_small, records, embedder, monkeypatch
) -> None:
    """Global ids run over segments in order; every read gives what one segment gives."""
    from index import plan

    _, passages, _ = records
    sentences = _sentences(passages, embedder)
    publish_small(tmp_path / "one", sentences=sentences)
    monkeypatch.setattr(plan, "SEGMENT_PASSAGES", 2)  # one document per segment
    publish_small(tmp_path / "three", sentences=sentences)
    with LoadedIndex.load(tmp_path / "one") as one, LoadedIndex.load(tmp_path / "three") as three:
        assert (len(one.segments), len(three.segments)) == (1, 3)
        ids = [5, 0, 3, 2]
        assert three.passages(ids) == one.passages(ids) == [passages[i] for i in ids]
        assert np.array_equal(three.passage_vectors(ids), one.passage_vectors(ids))
        assert three.caveats() == one.caveats() and three.caveats(["sleep"]) == one.caveats(
            ["sleep"]
        )
        assert np.array_equal(three.caveat_vectors([0]), one.caveat_vectors([0]))
        assert three.documents() == one.documents()
        assert three.passage_ids_for_docs(["money", "garden"]).tolist() == [2, 3, 4, 5]
        rows3, owners3 = three.sentence_rows(ids)
        rows1, owners1 = one.sentence_rows(ids)
        assert rows3.tolist() == rows1.tolist() and owners3.tolist() == owners1.tolist()
        spans = [three.sentence_span(int(r)) for r in rows3]
        assert spans == [one.sentence_span(int(r)) for r in rows1]
        assert three.sentence_spans(rows3) == spans == one.sentence_spans(rows1)
        assert np.array_equal(three.sentence_vectors(rows3), one.sentence_vectors(rows1))
        query = embedder.encode_query("how much sleep do adults need")
        found3, found1 = three.faiss_index.search(query, 6), one.faiss_index.search(query, 6)
        assert found3[1].tolist() == found1[1].tolist()
        with pytest.raises(KeyError, match="no passage"):
            three.passages([6])
