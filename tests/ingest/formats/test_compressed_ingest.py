"""Compressed documents through the real build: `cited ingest`, `ask`, `inspect`, `verify`,
the Library and the Read view, with the real model, on Debian's own gzipped docs.

A folder of /usr/share/doc-like files (tests/data/compressed) plus a gzip bomb and a
truncated file: the real ones are indexed and quoted verbatim from their decompressed text,
the bad ones are skipped by name in one line each and the rest keeps serving.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from assistant.web import catalog
from index.loaded import LoadedIndex
from ingest.pipeline import build_index
from tests.command import cited

REPO = Path(__file__).resolve().parents[3]
COMPRESSED = REPO / "tests" / "data" / "compressed"
REAL = [
    "gzip/README.gz",
    "gzip/changelog.Debian.gz",
    "man-db/NEWS.md.gz",
    "zlib1g-dev/txtvsbin.txt.gz",
]
BOMB_ERROR = (
    "decompresses to more than 200 MB (cited reads articles up to 200 MB); "
    "decompress it and split it into smaller files"
)
CUT_ERROR = "the gzip data ends early (the file is truncated); copy or download it again in full"


def _unpacked(corpus: Path, name: str) -> str:
    return gzip.decompress((corpus / name).read_bytes()).decode("utf-8")


def _corpus(root: Path) -> Path:
    """The real compressed docs, a 201 MB gzip bomb (200 KB on disk), a truncated file."""
    corpus = root / "corpus"
    shutil.copytree(COMPRESSED, corpus, ignore=shutil.ignore_patterns("README.md"))
    (corpus / "bomb.txt.gz").write_bytes(gzip.compress(b"\0" * (1 << 20)) * 201)
    news = (COMPRESSED / "man-db" / "NEWS.md.gz").read_bytes()
    (corpus / "cut.md.gz").write_bytes(news[: len(news) // 2])
    return corpus


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    root = tmp_path_factory.mktemp("compressed")
    corpus, index = _corpus(root), root / "index"
    result = cited("ingest", "--json", "--corpus", str(corpus), "--index", str(index))
    assert result.returncode == 0, result.stderr
    return corpus, index, json.loads(result.stdout), result.stderr


def test_ingest_indexes_the_real_files_and_names_each_bad_one_in_one_line(built):
    _, index, summary, stderr = built
    assert summary["documents"]["added"] == len(REAL)
    assert summary["errors"] == [
        {"file": "bomb.txt.gz", "error": BOMB_ERROR},
        {"file": "cut.md.gz", "error": CUT_ERROR},
    ]
    assert "Traceback" not in stderr
    docs = json.loads(cited("docs", "--json", "--index", str(index)).stdout)
    assert sorted(d["file"] for d in docs) == REAL
    assert {d["doc_id"] for d in docs} >= {"man-db-news", "gzip-changelog-debian"}


def test_quotes_are_spans_of_the_decompressed_text_and_verify(built, tmp_path):
    corpus, index, _, _ = built
    question = "How can a program tell whether a file is plain text or binary?"
    result = cited("ask", question, "--json", "--index", str(index), "--corpus", str(corpus))
    answer = json.loads(result.stdout)
    assert not answer["abstained"]
    top = answer["quotes"][0]["source"]
    assert top["file"] == "zlib1g-dev/txtvsbin.txt.gz"
    for quote in answer["quotes"]:
        source = quote["source"]
        assert _unpacked(corpus, source["file"])[source["start"] : source["end"]] == quote["text"]
    saved = tmp_path / "answer.json"
    saved.write_text(result.stdout, encoding="utf-8")
    checked = cited("verify", str(saved), "--corpus", str(corpus))
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_the_read_view_and_library_show_the_compressed_articles(built):
    corpus, index, _, _ = built
    with LoadedIndex.load(index, verify=False) as loaded:
        doc = catalog.read_document(loaded, "man-db-news")
        assert doc["file"] == "man-db/NEWS.md.gz"
        assert doc["text"] == _unpacked(corpus, "man-db/NEWS.md.gz")
        headings = [
            doc["text"][b["start"] : b["end"]] for b in doc["blocks"] if b["kind"] == "heading"
        ]
        assert "man-db 2.11.1 (15 November 2022)" in headings
        rows = catalog.library_rows(corpus, loaded, catalog.build_errors(loaded), {})
    status = {row["file"]: row["status"] for row in rows}
    assert {status[name] for name in REAL} == {"indexed"}
    assert status["bomb.txt.gz"] == status["cut.md.gz"] == "error"


def test_inspect_reads_compressed_files_and_reports_bad_ones(built):
    corpus, _, _, _ = built
    files = [corpus / "man-db" / "NEWS.md.gz", corpus / "gzip" / "README.gz", corpus / "cut.md.gz"]
    rows = [
        json.loads(line)
        for line in cited("inspect", "--json", *map(str, files)).stdout.splitlines()
    ]
    news, readme, cut = rows
    text = _unpacked(corpus, "man-db/NEWS.md.gz")
    assert news["title"] == "man-db 2.11.2 (8 January 2023)" and news["indexed_share"] > 0.9
    assert all(text[p["start"] : p["end"]] == p["text"] for p in news["passages"])
    assert readme["error"] is None and readme["passages"]
    assert cut == {**cut, "error": CUT_ERROR, "passages": []}


def test_unchanged_files_are_not_reread_and_an_edited_one_is(tmp_path, embedder):
    corpus, index = _corpus(tmp_path), tmp_path / "index"
    first = build_index(corpus, index, embedder)
    again = build_index(corpus, index, embedder)
    assert sorted(again.unchanged) == REAL and not again.changed and again.embedded == 0
    news = corpus / "man-db" / "NEWS.md.gz"
    text = _unpacked(corpus, "man-db/NEWS.md.gz")
    edited = text.replace("Fixes:\n", "Fixes:\n\n * Rewrite the pager glue in plain shell.\n", 1)
    news.write_bytes(gzip.compress(edited.encode("utf-8")))
    after = build_index(corpus, index, embedder)
    assert after.changed == ("man-db/NEWS.md.gz",)
    assert 0 < after.embedded < first.embedded
    with LoadedIndex.load(index, verify=False) as loaded:
        assert catalog.read_document(loaded, "man-db-news")["text"] == edited


def test_a_file_that_turns_corrupt_is_reported_and_the_rest_keeps_serving(tmp_path, embedder):
    corpus, index = _corpus(tmp_path), tmp_path / "index"
    build_index(corpus, index, embedder)
    readme = corpus / "gzip" / "README.gz"
    readme.write_bytes(readme.read_bytes()[:-40])
    summary = build_index(corpus, index, embedder)
    assert ("gzip/README.gz", CUT_ERROR) in {(e.file, e.error) for e in summary.errors}
    with LoadedIndex.load(index, verify=False) as loaded:
        files = sorted(d.file for d in loaded.documents())
    assert files == [name for name in REAL if name != "gzip/README.gz"]
