"""A missing, empty or unreadable corpus folder gets a clear message, never a crash, and
never an empty index served as if it were real (issue #6, item 11)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from reliability_kit import cited

from index.errors import CorpusError
from index.versions import current_version


def _one_error_line(result, warnings: int = 0) -> str:
    """The single `cited: error:` line, after `warnings` one-line warnings; no traceback."""
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == warnings + 1, result.stderr
    assert all(line.startswith("cited: WARNING: ") for line in lines[:-1]), result.stderr
    assert lines[-1].startswith("cited: error: "), result.stderr
    return lines[-1]


def test_missing_corpus_folder(tmp_path: Path):
    missing, index = tmp_path / "no-such-folder", tmp_path / "index"
    line = _one_error_line(cited("ingest", "--corpus", str(missing), "--index", str(index)))
    assert f"corpus folder {missing} does not exist" in line
    assert "--corpus DIR" in line
    assert not index.exists(), "an index folder was created for nothing"


def test_empty_corpus_folder_then_serve_refuses_to_start(tmp_path: Path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    line = _one_error_line(cited("ingest", "--corpus", str(corpus), "--index", str(index)))
    assert f"corpus folder {corpus} is empty; add .txt, .md, .rst, .html or .pdf" in line
    assert current_version(index) is None
    serve = cited("serve", "--corpus", str(corpus), "--index", str(index), "--port", "9")
    assert f"no index in {index}; run `cited ingest`" in _one_error_line(serve)
    ask = cited("ask", "--index", str(index), "anything?")
    assert f"no index in {index}; run `cited ingest`" in _one_error_line(ask)


def test_corpus_of_only_unreadable_files(tmp_path: Path):
    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    (corpus / "a.txt").write_bytes(b"")
    (corpus / "b.pdf").write_bytes(b"<html><body>not a pdf</body></html>")
    result = cited("ingest", "--corpus", str(corpus), "--index", str(index))
    line = _one_error_line(result, warnings=2)
    assert "skipped b.pdf: not a PDF: it is an HTML page" in result.stderr
    assert "no readable articles" in line and "all 2 files were skipped" in line
    assert "(first: a.txt: empty file)" in line
    assert current_version(index) is None


def test_emptied_corpus_keeps_the_previous_index_answering(
    tmp_path: Path, shipped_corpus: Path, shipped_index: Path, embedder
):
    """Deleting every article is refused as a build; the last good index keeps answering."""
    from assistant.answer import Assistant
    from ingest.pipeline import build_index

    corpus, index = tmp_path / "corpus", tmp_path / "index"
    corpus.mkdir()
    shutil.copytree(shipped_index, index)
    before = current_version(index)
    with pytest.raises(CorpusError, match="is empty"):
        build_index(corpus, index, embedder)
    assert current_version(index) == before
    answer = Assistant(index, embedder=embedder).answer("What is the peak-end rule?")
    assert not answer.abstained and "peak" in answer.quotes[0].text.lower()
