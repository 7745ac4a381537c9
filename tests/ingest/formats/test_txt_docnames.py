"""Documents without a format suffix (README, FAQ, copyright, README.Debian) are read by
their content, by the one rule that reads changelog.Debian.gz; real files from
tests/data/docnames/README.md.

Before: `FAQ`, `TODO` and `README.Debian` were refused as "unsupported file type" while
`README.gz` and `changelog.Debian.gz` were read, so a copy of /usr/share/doc lost 1,084
extensionless files; the upload refused README outright.
"""

from __future__ import annotations

import gzip
import json
import shutil
from pathlib import Path

import pytest

from assistant.web import uploads
from assistant.web.watch import CorpusWatcher
from ingest.changes import corpus_files, is_corpus_name
from ingest.formats import format_for
from ingest.load import load_file
from tests.command import cited

DATA = Path(__file__).resolve().parents[2] / "data"
NAMES = DATA / "docnames"
REAL = ["groff-base/README.Debian", "man-db/FAQ", "man-db/TODO"]
CHANGELOG = DATA / "compressed" / "gzip" / "changelog.Debian.gz"
ELF = b"\x7fELF\x02\x01\x01" + bytes(200)


@pytest.mark.parametrize("name", REAL)
def test_real_files_read_as_plain_text_verbatim(name):
    loaded = load_file(NAMES / name, NAMES)
    assert loaded.document.text == (NAMES / name).read_text(encoding="utf-8")
    assert loaded.blocks is None  # plain text: structure from the text's shape


def test_titles_and_ids_keep_the_whole_name():
    faq = load_file(NAMES / "man-db" / "FAQ", NAMES).document
    debian = load_file(NAMES / "groff-base" / "README.Debian", NAMES).document
    assert faq.title == "Frequently Asked Questions" and faq.doc_id == "man-db-faq"
    assert debian.doc_id == "groff-base-readme-debian"


def test_a_name_reads_the_same_plain_and_compressed(tmp_path):
    """changelog.Debian and changelog.Debian.gz: one rule, the same reading."""
    plain = tmp_path / "changelog.Debian"
    plain.write_bytes(gzip.decompress(CHANGELOG.read_bytes()))
    packed = tmp_path / "changelog.Debian.gz"
    packed.write_bytes(CHANGELOG.read_bytes())
    one, other = load_file(plain, tmp_path), load_file(packed, tmp_path)
    assert one.document.text == other.document.text
    assert (one.document.title, one.document.doc_id) == (other.document.title, "changelog-debian")
    assert format_for("data.json") is None and format_for("data.json.gz") is None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The real files, a program, a JSON file, editor backups and lock files, and an
    index built inside the corpus folder, through the real `cited ingest --json`."""
    root = tmp_path_factory.mktemp("docnames")
    corpus = root / "corpus"
    shutil.copytree(NAMES, corpus, ignore=shutil.ignore_patterns("README.md"))
    (corpus / "man-db" / "mandb").write_bytes(ELF)
    (corpus / "man-db" / "api.json").write_text('{"a": 1}\n', encoding="utf-8")
    for junk in ("FAQ~", "#TODO#", ".FAQ.swp", "build.lock"):
        (corpus / "man-db" / junk).write_text("editor state\n", encoding="utf-8")
    index = corpus / "var" / "index"
    first = cited("ingest", "--json", "--corpus", str(corpus), "--index", str(index))
    assert first.returncode == 0, first.stderr
    again = cited("ingest", "--json", "--corpus", str(corpus), "--index", str(index))
    return corpus, index, json.loads(first.stdout), json.loads(again.stdout)


def test_ingest_reads_them_and_refuses_the_rest_in_one_line_each(built):
    _, index, summary, _ = built
    assert summary["errors"] == [
        {
            "file": "man-db/api.json",
            "error": "unsupported file type '.json'; use .txt, .md, .rst, .html, .htm, .pdf, "
            "each also compressed as .gz, .bz2 or .xz",
        },
        {"file": "man-db/mandb", "error": "its content is a program, not a document cited reads"},
    ]
    docs = json.loads(cited("docs", "--json", "--index", str(index)).stdout)
    assert sorted(d["file"] for d in docs) == REAL


def test_backups_locks_and_the_index_inside_the_corpus_are_ignored(built):
    corpus, index, _, again = built
    assert again["documents"]["added"] == again["documents"]["changed"] == 0
    assert (index / "CURRENT").is_file()  # a text file with no suffix, never read
    names = [name for name, _ in corpus_files(corpus)]
    assert names == sorted([*REAL, "man-db/api.json", "man-db/mandb"])
    watcher = CorpusWatcher(corpus, rebuild=lambda: None)
    assert watcher.relevant(str(corpus / "man-db" / "NEWS"))
    for ignored in ("man-db/FAQ~", "man-db/#TODO#", "man-db/x.lock", "var/index/CURRENT"):
        assert not watcher.relevant(str(corpus / ignored)), ignored
        assert not is_corpus_name(corpus, ignored)


def test_inspect_reads_them_and_names_a_program():
    files = [NAMES / "man-db" / "TODO", NAMES / "groff-base" / "README.Debian"]
    rows = [
        json.loads(x) for x in cited("inspect", "--json", *map(str, files)).stdout.split("\n") if x
    ]
    assert [r["error"] for r in rows] == [None, None]
    assert all(r["passages"] and r["indexed_share"] > 0.9 for r in rows)


def test_the_library_takes_what_ingest_reads(tmp_path):
    picked = [(name.rpartition("/")[2], NAMES / name) for name in REAL]
    result = uploads.save_uploads(tmp_path / "c", picked)
    # a name with no dot at all gets the suffix its content shows, as a bare Blob does
    assert result.saved == ("readme.debian", "faq.txt", "todo.txt")
    assert all(format_for(name) is not None for name in result.saved)
    program = tmp_path / "mandb"
    program.write_bytes(ELF)
    refused = uploads.save_uploads(tmp_path / "c", [("mandb", program)])
    assert refused.rejected == (
        (
            "mandb",
            "mandb: the content is a program, not text; add it with the right extension or as text",
        ),
    )
