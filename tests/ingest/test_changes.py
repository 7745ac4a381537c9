"""The one change detector: what a corpus file is, and the symbolic-link policy."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ingest import changes
from ingest.changes import FOLDER_LINK, LOOP, OUTSIDE, corpus_files, file_sha256, walk

ARTICLE = "Quiet Evenings\n\nA quiet evening alone is a chance to rest, not a test of love.\n"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "guides").mkdir(parents=True)
    (root / "quiet.txt").write_text(ARTICLE, encoding="utf-8")
    (root / "guides" / "walks.md").write_text("# Walks\n\nWalk together.\n", encoding="utf-8")
    (root / ".hidden.txt").write_text("editor swap", encoding="utf-8")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD.txt").write_text("ref", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n", encoding="utf-8")
    os.symlink(secret, root / "passwd.txt")
    os.symlink("loop.txt", root / "loop.txt")
    os.symlink("quiet.txt", root / "inside-link.txt")
    os.symlink("guides", root / "folder-link")
    return root


class TestWalk:
    def test_reads_regular_files_and_links_inside_skips_hidden(self, corpus: Path):
        names = [name for name, _ in corpus_files(corpus)]
        assert names == ["guides/walks.md", "inside-link.txt", "quiet.txt"]

    def test_links_outside_loops_and_folder_links_are_skipped_with_a_reason(self, corpus: Path):
        skipped = {f.name: f.skipped for f in walk(corpus) if f.skipped}
        assert skipped == {"passwd.txt": OUTSIDE, "loop.txt": LOOP, "folder-link": FOLDER_LINK}

    def test_hidden_rule(self):
        assert changes.is_hidden(".git/HEAD") and changes.is_hidden("a/.b.txt")
        assert not changes.is_hidden("guides/walks.md")

    def test_hash_is_sha256_of_the_bytes(self, corpus: Path):
        import hashlib

        expected = hashlib.sha256(ARTICLE.encode()).hexdigest()
        assert file_sha256(corpus / "quiet.txt") == expected
        assert changes.cached_sha256(corpus / "quiet.txt") == expected

    def test_missing_folder_has_no_files(self, tmp_path: Path):
        assert corpus_files(tmp_path / "nope") == []


def test_build_skips_outside_link_and_loop_and_indexes_the_rest(corpus: Path, tmp_path, embedder):
    """Before: passwd.txt -> /etc/passwd was indexed, loop.txt aborted the build (ELOOP)."""
    from ingest.pipeline import build_index

    summary = build_index(corpus, tmp_path / "index", embedder).to_dict()
    errors = {e["file"]: e["error"] for e in summary["errors"]}
    assert errors["passwd.txt"] == OUTSIDE and errors["loop.txt"] == LOOP
    assert summary["documents"]["added"] == 3
    from index.loaded import LoadedIndex

    loaded = LoadedIndex.load(tmp_path / "index")
    texts = json.dumps([d.text for d in loaded.documents()])
    assert "root:x:0:0" not in texts
    from assistant.web.catalog import list_documents

    health = {
        d["file"]: (d["indexed_share"], d["warnings"]) for d in list_documents(tmp_path / "index")
    }
    assert health["quiet.txt"] == (1.0, [])
    assert {d.file for d in loaded.documents()} == {
        "guides/walks.md",
        "inside-link.txt",
        "quiet.txt",
    }
