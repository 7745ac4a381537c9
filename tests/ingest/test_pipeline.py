"""Rebuilding after the corpus changes: only what changed is read, only new text embedded,
and whatever left the corpus leaves every part of the index.

Every build here uses the real model; each test starts from a copy of the session's
indexed shipped corpus, so a test pays only for its own incremental build.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path

import numpy as np
import pytest

from assistant.present.text import summary_as_text
from index.cache import EmbeddingCache, cache_path
from index.loaded import LoadedIndex
from index.versions import current_version, list_versions
from ingest import pipeline
from ingest.analyze import document_blocks, read_file
from ingest.pipeline import BuildSummary, build_index
from ingest.structure import blocks
from tests.command import cited

REPO = Path(__file__).resolve().parents[2]
EX = "the-psychology-of-how-to-make-an-ex-miss-you.txt"
HUSBAND = "how-to-make-your-husband-miss-you-during-a-separation.txt"
SOMEONE = "how-to-make-someone-miss-you-according-to-a-psychologist.txt"
LIGHTHOUSE = """Why the Lighthouse Keeper Misses the Mainland

Solitude on the Rock
A lighthouse keeper spends months on a bare rock with the lamp, the foghorn and the gulls.
Keepers describe a slow ache for the mainland: the bakery, the market, the voices of friends.

What the Keepers Say
Old keepers wrote that the longing for the harbour town grew strongest in the winter storms,
when the supply boat could not cross and the lamp had to be trimmed every hour of the night.
"""


@pytest.fixture
def workspace(tmp_path, shipped_corpus, shipped_index) -> tuple[Path, Path]:
    """A private corpus and a copy of its built index, ready for an incremental rebuild."""
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    shutil.copytree(shipped_corpus, corpus)
    shutil.copytree(shipped_index, index)
    return corpus, index


def load(index: Path) -> LoadedIndex:
    return LoadedIndex.load(index)


def counts(summary: BuildSummary) -> dict:
    data = summary.to_dict()
    return {**data["documents"], **data["passages"]}


def edit_position(index: Path, file: str) -> tuple[int, str]:
    """Offset of the first " the " in a paragraph in the middle of `file`, and the new text
    with it replaced by " a " (one model token for another: no passage boundary moves)."""
    with LoadedIndex.load(index) as loaded:
        document = next(d for d in loaded.documents() if d.file == file)
    paragraphs = [b for b in blocks(document) if b.kind == "paragraph"]
    for block in paragraphs[len(paragraphs) // 2 :]:
        found = document.text.find(" the ", block.start, block.end)
        if found >= 0:
            return found, document.text[:found] + " a " + document.text[found + 5 :]
    raise AssertionError(f"no paragraph with ' the ' in {file}")


def unique_word(loaded: LoadedIndex, doc_id: str) -> str:
    """A word BM25 finds only in `doc_id`'s passages."""
    ids_of_doc = set(loaded.passage_ids_for_docs([doc_id]).tolist())
    document = loaded.document(doc_id)
    for word in sorted(set(re.findall(r"[a-z]{8,}", document.text.lower()))):
        hits, _ = loaded.lexical.search(word, 50)
        if len(hits) and set(hits.tolist()) <= ids_of_doc:
            return word
    raise AssertionError(f"no word unique to {doc_id}")


class TestNothingChanged:
    def test_publishes_nothing_and_keeps_the_rollback_version(self, workspace, embedder):
        corpus, index = workspace
        before = list_versions(index)
        summary = build_index(corpus, index, embedder)
        assert summary.published is False
        total = load(index).passage_count
        assert counts(summary) == {
            "added": 0,
            "changed": 0,
            "removed": 0,
            "unchanged": 5,
            "embedded": 0,
            "reused": total,
            "total": total,
        }
        assert summary.version == current_version(index) and list_versions(index) == before
        assert summary_as_text(summary).startswith("index is up to date (5 articles")


class TestReadingCodeChanged:
    """An upgrade of cited that reads documents differently (a new caveat cue, a chrome
    rule) must not leave the index serving what the old code read from unchanged files."""

    def test_every_file_is_read_again_and_a_new_version_published(
        self, workspace, embedder, monkeypatch
    ):
        from ingest import pipeline

        corpus, index = workspace
        assert load(index).manifest.reader == pipeline.reader_version()
        before = current_version(index)
        read: list[str] = []
        real = pipeline.read_file
        monkeypatch.setattr(
            pipeline, "read_file", lambda path, *a: read.append(path.name) or real(path, *a)
        )
        monkeypatch.setattr(pipeline, "reader_version", lambda: "other-reading-code")
        summary = build_index(corpus, index, embedder)
        assert summary.published and current_version(index) != before
        assert sorted(read) == sorted(p.name for p in corpus.iterdir())
        assert summary.embedded == 0  # the vectors come from the embedding cache
        assert load(index).manifest.reader == "other-reading-code"
        assert build_index(corpus, index, embedder).published is False

    def test_the_version_is_a_digest_of_the_reading_code(self):
        from ingest.version import reader_version

        assert re.fullmatch(r"[0-9a-f]{16}", reader_version())


class TestEditOneParagraph:
    def test_only_the_edited_passage_is_embedded(self, workspace, embedder):
        corpus, index = workspace
        old = load(index)
        doc_id = next(d.doc_id for d in old.documents() if d.file == EX)
        old_passages = old.passages_of(doc_id)
        offset, new_text = edit_position(index, EX)
        (corpus / EX).write_text(new_text, encoding="utf-8")

        summary = build_index(corpus, index, embedder)

        assert counts(summary) == {
            "added": 0,
            "changed": 1,
            "removed": 0,
            "unchanged": 4,
            "embedded": 1,
            "reused": summary.total - 1,
            "total": old.passage_count,
        }
        new = load(index)
        new_passages = new.passages_of(doc_id)
        differing = [
            (a, b) for a, b in zip(old_passages, new_passages, strict=True) if a.text != b.text
        ]
        assert len(differing) == 1
        before, after = differing[0]
        assert before.start <= offset < before.end and " a " in after.text
        assert after.text == new.document(doc_id).text[after.start : after.end]
        assert new.manifest.changes == {"added": [], "changed": [EX], "removed": []}

    def test_a_longer_paragraph_re_embeds_only_new_text_in_its_section(self, workspace, embedder):
        corpus, index = workspace
        old = load(index)
        doc_id = next(d.doc_id for d in old.documents() if d.file == HUSBAND)
        old_texts = {p.text for p in old.passages(range(old.passage_count))}
        offset, _ = edit_position(index, HUSBAND)
        text = (corpus / HUSBAND).read_text(encoding="utf-8")
        end = text.index("\n", offset)
        added = " Some readers found that a short walk every evening helped them wait calmly."
        (corpus / HUSBAND).write_text(text[:end] + added + text[end:], encoding="utf-8")

        summary = build_index(corpus, index, embedder)

        new = load(index)
        fresh = [p for p in new.passages_of(doc_id) if p.text not in old_texts]
        assert summary.embedded == len({p.text for p in fresh}) >= 1
        assert any(added.strip() in p.text for p in fresh)
        edited_section = next(p.section for p in fresh if added.strip() in p.text)
        assert {p.section for p in fresh} == {edited_section}
        assert summary.embedded < len(new.passages_of(doc_id)) / 3

    def test_unchanged_articles_keep_their_vectors(self, workspace, embedder):
        corpus, index = workspace
        old = load(index)
        _, new_text = edit_position(index, EX)
        (corpus / EX).write_text(new_text, encoding="utf-8")
        build_index(corpus, index, embedder)
        new = load(index)
        for document in old.documents():
            if document.file == EX:
                continue
            old_ids = old.passage_ids_for_docs([document.doc_id])
            new_ids = new.passage_ids_for_docs([document.doc_id])
            assert old.passages(old_ids) == new.passages(new_ids)
            assert np.array_equal(old.passage_vectors(old_ids), new.passage_vectors(new_ids))


class TestAddRemoveRename:
    @pytest.fixture
    def rebuilt(self, workspace, embedder):
        """Add one article, remove one, rename one; rebuild; return (old, new, summary)."""
        corpus, index = workspace
        old = load(index)
        (corpus / "lighthouse-keepers.md").write_text(LIGHTHOUSE, encoding="utf-8")
        (corpus / EX).unlink()
        (corpus / SOMEONE).rename(corpus / "renamed.txt")
        summary = build_index(corpus, index, embedder)
        return old, load(index), summary, corpus

    def test_counts_are_exact_and_a_rename_embeds_nothing(self, rebuilt):
        _, new, summary, _ = rebuilt
        new_id = next(d.doc_id for d in new.documents() if d.file == "lighthouse-keepers.md")
        assert summary.added == ("lighthouse-keepers.md", "renamed.txt")
        assert summary.removed == tuple(sorted([EX, SOMEONE]))
        assert (len(summary.changed), len(summary.unchanged)) == (0, 3)
        assert summary.embedded == len(new.passages_of(new_id))
        assert summary.total == new.passage_count == summary.embedded + summary.reused
        assert new.manifest.changes == {
            "added": ["lighthouse-keepers.md", "renamed.txt"],
            "changed": [],
            "removed": sorted([EX, SOMEONE]),
        }

    def test_removed_file_leaves_records_vectors_bm25_and_caveats(self, rebuilt):
        old, new, _, _ = rebuilt
        gone = next(d.doc_id for d in old.documents() if d.file == EX)
        word = unique_word(old, gone)
        assert len(old.lexical.search(word, 10)[0]) > 0
        assert len(new.lexical.search(word, 10)[0]) == 0
        assert gone not in {d.doc_id for d in new.documents()}
        assert new.passage_ids_for_docs([gone]).size == 0
        assert new.caveats([gone]) == [] and old.caveats([gone])
        assert all(c.doc_id != gone for _, c in new.caveats())
        assert new.vectors.shape[0] == new.passage_count == new.faiss_index.ntotal
        assert new.lexical.size == new.passage_count
        assert new.caveat_vectors(range(len(new.caveats()))).shape[0] == len(new.caveats())

    def test_renamed_file_is_served_under_its_new_name_only(self, rebuilt):
        old, new, _, _ = rebuilt
        old_doc = next(d for d in old.documents() if d.file == SOMEONE)
        renamed = next(d for d in new.documents() if d.file == "renamed.txt")
        assert renamed.doc_id == "renamed" and old_doc.doc_id not in {
            d.doc_id for d in new.documents()
        }
        assert [p.text for p in new.passages_of("renamed")] == [
            p.text for p in old.passages_of(old_doc.doc_id)
        ]
        assert [c.text for _, c in new.caveats(["renamed"])] == [
            c.text for _, c in old.caveats([old_doc.doc_id])
        ]

    def test_answers_follow(self, rebuilt, embedder):
        from assistant.answer import Assistant

        _, new, _, _ = rebuilt
        assistant = Assistant(new.path.parent.parent, embedder=embedder)
        answer = assistant.answer("Why does the lighthouse keeper miss the mainland?", k=3)
        assert answer.quotes[0].source.file == "lighthouse-keepers.md"
        answer = assistant.answer("What is the dopamine connection?", k=3)
        files = {q.source.file for q in answer.quotes} | {c.source.file for c in answer.caveats}
        assert EX not in files
        answer = assistant.answer("Why does space make someone miss you?", k=3, doc_ids=["renamed"])
        assert answer.quotes and {q.source.file for q in answer.quotes} == {"renamed.txt"}


class TestFullRebuild:
    def test_incremental_equals_full_and_full_re_embeds_everything(
        self, workspace, embedder, tmp_path
    ):
        corpus, index = workspace
        _, new_text = edit_position(index, EX)
        (corpus / EX).write_text(new_text, encoding="utf-8")
        (corpus / "lighthouse-keepers.md").write_text(LIGHTHOUSE, encoding="utf-8")
        for gone in (HUSBAND, SOMEONE):  # fewer articles: --full re-embeds every one
            (corpus / gone).unlink()
        build_index(corpus, index, embedder)
        incremental = load(index)

        summary = build_index(corpus, index, embedder, full=True)

        full = load(index)
        assert (summary.embedded, summary.reused) == (summary.total, 0)
        assert (len(summary.added), len(summary.changed), len(summary.removed)) == (0, 0, 0)
        assert len(summary.unchanged) == 4
        assert full.documents() == incremental.documents()
        ids = range(full.passage_count)
        assert full.passages(ids) == incremental.passages(ids)
        assert full.caveats() == incremental.caveats()
        assert np.allclose(full.passage_vectors(ids), incremental.passage_vectors(ids), atol=1e-5)

    def test_full_leaves_only_used_vectors_in_the_cache(self, workspace, embedder):
        corpus, index = workspace
        for gone in (HUSBAND, SOMEONE, EX):
            (corpus / gone).unlink()
        build_index(corpus, index, embedder)
        with EmbeddingCache(cache_path(index), embedder.model_name, embedder.dimension) as cache:
            before = len(cache)
        build_index(corpus, index, embedder, full=True)
        with EmbeddingCache(cache_path(index), embedder.model_name, embedder.dimension) as cache:
            after = len(cache)
            loaded = load(index)
            texts = [p.text for p in loaded.passages(range(loaded.passage_count))]
            assert all(v is not None for v in cache.get_many(texts))
        assert after < before


class TestDocIds:
    def test_doc_ids_match_a_fresh_build_after_a_clash_goes_away(self, tmp_path, embedder):
        corpus = tmp_path / "corpus"
        corpus.mkdir()
        (corpus / "notes.md").write_text(LIGHTHOUSE, encoding="utf-8")
        (corpus / "notes.txt").write_text(LIGHTHOUSE.replace("Keeper", "Warden"), encoding="utf-8")
        build_index(corpus, tmp_path / "index", embedder)
        ids = {d.file: d.doc_id for d in load(tmp_path / "index").documents()}
        assert ids == {"notes.md": "notes", "notes.txt": "notes-txt"}
        (corpus / "notes.md").unlink()
        build_index(corpus, tmp_path / "index", embedder)
        assert [d.doc_id for d in load(tmp_path / "index").documents()] == ["notes"]


class TestBadFiles:
    def test_a_changed_file_that_no_longer_reads_drops_out(self, workspace, embedder):
        corpus, index = workspace
        (corpus / EX).write_bytes(b"   \n")
        summary = build_index(corpus, index, embedder)
        assert [(e.file, e.error) for e in summary.errors] == [(EX, "empty file")]
        assert summary.removed == (EX,) and summary.changed == ()
        assert EX not in {d.file for d in load(index).documents()}
        again = build_index(corpus, index, embedder)
        assert again.published is False and [e.file for e in again.errors] == [EX]


class TestFailedFiles:
    """A file that failed is remembered by its content hash (issue 15: two slow PDFs made
    every unchanged build read them again)."""

    @pytest.fixture
    def reads(self, monkeypatch) -> list[str]:
        """The corpus files the builds load, in order."""
        from ingest import pipeline

        loaded: list[str] = []
        real = pipeline.read_file

        def counting(path, corpus_dir, limits):
            loaded.append(path.name)
            return real(path, corpus_dir, limits)

        monkeypatch.setattr(pipeline, "read_file", counting)
        return loaded

    def test_an_unchanged_failed_file_is_not_read_again(self, workspace, embedder, reads):
        corpus, index = workspace
        (corpus / "blank.txt").write_bytes(b"   \n")
        first = build_index(corpus, index, embedder)
        assert [(e.file, e.error) for e in first.errors] == [("blank.txt", "empty file")]
        reads.clear()

        again = build_index(corpus, index, embedder)

        assert reads == [] and again.published is False
        assert again.to_dict()["errors"] == [{"file": "blank.txt", "error": "empty file"}]
        with load(index) as loaded:  # what the Library shows after a restart
            [failure] = loaded.failures
        assert (failure.file, failure.error) == ("blank.txt", "empty file")

    def test_a_failed_file_is_read_again_by_newer_reading_code(
        self, workspace, embedder, reads, monkeypatch
    ):
        # A newer cited may read what this one could not (R's reference manual, skipped
        # at 60 s, is read since long PDFs get the time of their pages).
        corpus, index = workspace
        (corpus / "blank.txt").write_bytes(b"   \n")
        build_index(corpus, index, embedder)
        reads.clear()
        monkeypatch.setattr(pipeline, "reader_version", lambda: "newer reading code")

        again = build_index(corpus, index, embedder)

        assert "blank.txt" in reads and again.errors
        reads.clear()
        build_index(corpus, index, embedder)
        assert "blank.txt" not in reads  # the same newer code does not try it again

    def test_a_failed_file_is_read_again_once_it_changes_or_when_asked(
        self, workspace, embedder, reads
    ):
        corpus, index = workspace
        (corpus / "blank.txt").write_bytes(b"   \n")
        build_index(corpus, index, embedder)
        reads.clear()
        assert build_index(corpus, index, embedder, retry_failed=True).errors
        assert reads == ["blank.txt"]
        (corpus / "blank.txt").write_text(LIGHTHOUSE, encoding="utf-8")

        fixed = build_index(corpus, index, embedder)

        assert fixed.added == ("blank.txt",) and fixed.errors == ()
        with load(index) as loaded:
            assert loaded.failures == []
            assert "blank.txt" in {d.file for d in loaded.documents()}


class TestBlocks:
    def test_each_document_keeps_the_structure_it_was_read_with(self, workspace, embedder):
        corpus, index = workspace
        (corpus / "lighthouse.txt").write_text(LIGHTHOUSE, encoding="utf-8")
        build_index(corpus, index, embedder)  # rewrites the segment: others are copied
        with load(index) as loaded:
            for document in loaded.documents():
                read = read_file(corpus / document.file, corpus)  # as the build read it
                assert loaded.blocks(document.doc_id) == list(document_blocks(read)), document.file
            kinds = [b.kind for b in loaded.blocks("lighthouse")]
        assert kinds[0] == "title" and kinds.count("heading") == 2
        assert loaded.blocks("no-such-doc") == []


class TestCli:
    def test_ingest_docs_and_ask_follow_the_corpus(self, workspace):
        corpus, index = workspace
        folders = ["--corpus", str(corpus), "--index", str(index)]
        _, new_text = edit_position(index, EX)
        (corpus / EX).write_text(new_text, encoding="utf-8")
        (corpus / "lighthouse-keepers.md").write_text(LIGHTHOUSE, encoding="utf-8")
        (corpus / HUSBAND).unlink()
        (corpus / SOMEONE).rename(corpus / "renamed.txt")

        result = cited("ingest", "--json", *folders)

        assert result.returncode == 0, result.stderr
        summary = json.loads(result.stdout)
        assert summary["documents"] == {"added": 2, "changed": 1, "removed": 2, "unchanged": 2}
        docs = json.loads(cited("docs", "--json", "--index", str(index)).stdout)
        assert sorted(d["file"] for d in docs) == sorted(os.listdir(corpus))
        assert HUSBAND not in {d["file"] for d in docs}
        lighthouse = next(d for d in docs if d["file"] == "lighthouse-keepers.md")
        assert summary["passages"]["embedded"] == 1 + lighthouse["passages"]
        result = cited("ask", "--json", "--index", str(index), "What do lighthouse keepers miss?")
        answer = json.loads(result.stdout)
        assert answer["quotes"][0]["source"]["file"] == "lighthouse-keepers.md"


GERMAN_PAGE = REPO.parent / "shared" / "benchmarks" / "webpages" / "pages" / "00506d22fd734210.html"


@pytest.mark.skipif(not GERMAN_PAGE.is_file(), reason="../shared/benchmarks/webpages not present")
def test_a_build_names_the_files_it_read_that_are_not_in_english(workspace, embedder):
    """A real German web page added beside the articles: the summary names it and says
    what that means, in the terminal, in --json and in the Library's rebuild notice."""
    from assistant.present.html import rebuild_summary_html

    corpus, index = workspace
    shutil.copy(GERMAN_PAGE, corpus / "kraftwerk.html")
    summary = build_index(corpus, index, embedder)
    assert summary.added == ("kraftwerk.html",)
    assert summary.not_english == (("kraftwerk.html", "German"),)
    assert summary.to_dict()["not_english"] == [{"file": "kraftwerk.html", "language": "German"}]
    said = "1 file not in English (German: kraftwerk.html) — cited's model reads English"
    assert f"note: {said}" in summary_as_text(summary)
    assert said.replace("'", "&#39;") in rebuild_summary_html(summary.to_dict())
    (corpus / "kraftwerk.html").unlink()
    assert build_index(corpus, index, embedder).not_english == ()
