"""Compressed documents (.gz, .bz2, .xz): read as their inner format, within the size budget.

The real files are Debian's own gzipped documentation (tests/data/compressed/README.md);
PDF and HTML are compressed here from the real files under tests/data/pdf and tests/data/html.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import io
import lzma
import tarfile
import tracemalloc
from pathlib import Path

import pytest

from assistant.web import uploads
from assistant.web.catalog import LibraryError
from index.errors import UnreadableFileError
from ingest import formats
from ingest.formats import Limits, content_problem, format_for, type_suffix
from ingest.load import load_file

DATA = Path(__file__).resolve().parents[2] / "data"
COMPRESSED = DATA / "compressed"
NEWS = COMPRESSED / "man-db" / "NEWS.md.gz"
README = COMPRESSED / "gzip" / "README.gz"
CHANGELOG = COMPRESSED / "gzip" / "changelog.Debian.gz"
TXTVSBIN = COMPRESSED / "zlib1g-dev" / "txtvsbin.txt.gz"
PDF = DATA / "pdf" / "debian-faq-pages-13-15.pdf"
HTML = DATA / "html" / "faq-index.html"
SMALL = Limits(max_bytes=4 * 1024 * 1024)


def _bomb(decompressed_mb: int) -> bytes:
    """A valid gzip stream of `decompressed_mb` MB of zeros, a few KB on disk (one member
    repeated: gzip readers join concatenated members)."""
    return gzip.compress(b"\0" * (1 << 20)) * decompressed_mb


def _write(folder: Path, name: str, data: bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


class TestNames:
    @pytest.mark.parametrize(
        ("name", "phrase", "suffix"),
        [
            ("NEWS.md.gz", "gzip-compressed Markdown file", ".md.gz"),
            ("notes/A.TXT.GZ", "gzip-compressed text file", ".txt.gz"),
            ("page.html.bz2", "bzip2-compressed HTML page", ".html.bz2"),
            ("manual.pdf.xz", "xz-compressed PDF", ".pdf.xz"),
            ("changelog.gz", "gzip-compressed document", ".gz"),
            ("changelog.Debian.gz", "gzip-compressed document", ".gz"),
        ],
    )
    def test_the_inner_suffix_names_the_format(self, name, phrase, suffix):
        assert format_for(name).name == phrase
        assert type_suffix(name) == suffix

    def test_uncompressed_names_are_unchanged(self):
        assert format_for("a.md").name == "Markdown file"
        assert type_suffix("a.b.md") == ".md"
        assert format_for("notes.zip") is None
        assert format_for("folder.gz/README").name == "document"  # by content, not unwrapped

    def test_messages_list_the_compressions(self):
        assert formats.COMPRESSED_SUFFIXES == (".gz", ".bz2", ".xz")
        assert formats.suffix_list().endswith("each also compressed as .gz, .bz2 or .xz")


class TestReadingRealFiles:
    @pytest.mark.parametrize("path", [NEWS, TXTVSBIN, README, CHANGELOG], ids=lambda p: p.name)
    def test_text_is_the_decompressed_file_verbatim(self, path):
        loaded = load_file(path, COMPRESSED)
        document = loaded.document
        assert document.text == gzip.decompress(path.read_bytes()).decode("utf-8")
        assert document.file == path.relative_to(COMPRESSED).as_posix()
        assert document.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()

    def test_markdown_inside_gzip_gets_markdown_structure(self):
        loaded = load_file(NEWS, COMPRESSED)
        text = loaded.document.text
        headings = [text[b.start : b.end] for b in loaded.blocks if b.kind == "heading"]
        assert loaded.document.title == "man-db 2.11.2 (8 January 2023)"
        assert "man-db 2.11.1 (15 November 2022)" in headings
        assert not any("====" in h for h in headings)
        assert len({b.section for b in loaded.blocks}) > 50  # one section a release
        assert loaded.document.doc_id == "man-db-news"

    def test_a_name_without_inner_suffix_is_titled_from_its_name(self):
        assert load_file(README, COMPRESSED).document.title == "README"
        assert load_file(CHANGELOG, COMPRESSED).document.doc_id == "gzip-changelog-debian"

    @pytest.mark.parametrize("source", [PDF, HTML], ids=lambda p: p.suffix)
    @pytest.mark.parametrize("name", ["{}.gz", "{}.bz2", "{}.xz", "no-suffix.gz"])
    def test_pdf_and_html_read_the_same_compressed(self, tmp_path, source, name):
        pack = {".gz": gzip.compress, ".bz2": bz2.compress, ".xz": lzma.compress}
        packed = pack[Path(name).suffix](source.read_bytes())
        path = _write(tmp_path, name.format(source.name), packed)
        plain = load_file(_write(tmp_path, source.name, source.read_bytes()), tmp_path)
        read = load_file(path, tmp_path)
        assert read.document.text == plain.document.text
        assert read.document.page_starts == plain.document.page_starts
        assert read.document.title == plain.document.title
        assert read.blocks == plain.blocks


class TestDamagedAndHostileFiles:
    def test_a_gzip_bomb_stops_at_the_size_limit_without_eating_memory(self, tmp_path):
        path = _write(tmp_path, "bomb.txt.gz", _bomb(64))
        tracemalloc.start()
        try:
            with pytest.raises(UnreadableFileError) as caught:
                load_file(path, tmp_path, SMALL)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        assert caught.value.reason.startswith("decompresses to more than 4 MB")
        assert "split it into smaller files" in caught.value.reason
        assert peak < 3 * SMALL.max_bytes  # 64 MB were never held

    @pytest.mark.parametrize("cut", [0.5, 0.98])
    def test_a_truncated_file_is_refused_in_one_line(self, tmp_path, cut):
        raw = NEWS.read_bytes()
        path = _write(tmp_path, "NEWS.md.gz", raw[: int(len(raw) * cut)])
        with pytest.raises(UnreadableFileError) as caught:
            load_file(path, tmp_path)
        assert caught.value.reason == (
            "the gzip data ends early (the file is truncated); copy or download it again in full"
        )

    def test_a_corrupt_file_is_refused_in_one_line(self, tmp_path):
        raw = bytearray(TXTVSBIN.read_bytes())
        raw[len(raw) // 2 : len(raw) // 2 + 64] = bytes(64)
        path = _write(tmp_path, "txtvsbin.txt.gz", bytes(raw))
        with pytest.raises(UnreadableFileError) as caught:
            load_file(path, tmp_path)
        assert caught.value.reason.startswith("the gzip data is damaged (")
        assert "\n" not in caught.value.reason

    def test_plain_text_named_gz_is_refused_with_the_fix(self, tmp_path):
        path = _write(tmp_path, "notes.txt.gz", b"Just words, not compressed.\n")
        with pytest.raises(UnreadableFileError, match=r"not gzip data; remove \.gz from the name"):
            load_file(path, tmp_path)

    def test_archives_and_binary_content_are_refused_by_what_they_are(self, tmp_path):
        tar = io.BytesIO()
        with tarfile.open(fileobj=tar, mode="w:gz") as archive:
            archive.add(TXTVSBIN, arcname="txtvsbin.txt.gz")
        path = _write(tmp_path, "docs.tar.gz", tar.getvalue())
        with pytest.raises(UnreadableFileError, match="a tar archive of several files; unpack"):
            load_file(path, tmp_path)
        twice = _write(tmp_path, "twice.gz", gzip.compress(NEWS.read_bytes()))
        with pytest.raises(UnreadableFileError, match="compressed twice"):
            load_file(twice, tmp_path)
        png = _write(tmp_path, "picture.gz", gzip.compress(b"\x89PNG\r\n\x1a\n" + bytes(99)))
        with pytest.raises(UnreadableFileError, match="content is a PNG image, not a document"):
            load_file(png, tmp_path)
        # the head of man-db's manual.ps.gz (groff): printable, but not a document to quote
        postscript = b"%!PS-Adobe-3.0\n%%Creator: groff version 1.22.4\n%%Pages: 27\n"
        ps = _write(tmp_path, "manual.ps.gz", gzip.compress(postscript + b"/F0 10/Times-Roman\n"))
        with pytest.raises(UnreadableFileError, match=r"a PostScript file \(convert it with ps2"):
            load_file(ps, tmp_path)


class TestUploads:
    def test_compressed_names_are_kept_whole(self):
        assert uploads.safe_name("NEWS.md.gz") == "news.md.gz"
        assert uploads.safe_name("changelog.Debian.gz") == "changelog.debian.gz"
        with pytest.raises(LibraryError, match=r"\.pdf, each also compressed as \.gz"):
            uploads.safe_name("notes.zip")

    def test_real_compressed_documents_are_saved(self, tmp_path):
        corpus = tmp_path / "corpus"
        result = uploads.save_uploads(corpus, [(p.name, p) for p in (NEWS, README, CHANGELOG)])
        assert result.saved == ("news.md.gz", "readme.gz", "changelog.debian.gz")
        assert (corpus / "news.md.gz").read_bytes() == NEWS.read_bytes()

    def test_what_is_inside_is_checked(self):
        raw = NEWS.read_bytes()
        assert content_problem(raw, ".md.gz") is None
        assert content_problem(raw, ".gz") is None
        assert "ends early" in content_problem(raw[:4000], ".md.gz")
        assert "decompresses to more than 200 MB" in content_problem(_bomb(201), ".txt.gz")
        assert content_problem(gzip.compress(PDF.read_bytes()), ".txt.gz") == (
            "the content is a PDF; save it with the .pdf extension"
        )
        assert content_problem(raw, ".md") == "the content is gzip-compressed; add .gz to its name"

    def test_a_bare_gzip_blob_is_named_gz_and_read_by_content(self, tmp_path):
        blob = _write(tmp_path, "blob", TXTVSBIN.read_bytes())
        assert uploads.named_by_content("blob", blob) == "blob.gz"


def test_the_compressed_test_data_is_what_its_readme_names():
    listed = (COMPRESSED / "README.md").read_text(encoding="utf-8")
    files = sorted(p.relative_to(COMPRESSED).as_posix() for p in COMPRESSED.rglob("*.gz"))
    assert files == [
        "gzip/README.gz",
        "gzip/changelog.Debian.gz",
        "man-db/NEWS.md.gz",
        "zlib1g-dev/txtvsbin.txt.gz",
    ]
    assert all(f"| {name} |" in listed for name in files)


def test_the_watcher_rebuilds_for_a_compressed_file(tmp_path):
    from assistant.web.watch import CorpusWatcher

    watcher = CorpusWatcher(tmp_path, rebuild=lambda: None)
    assert watcher.relevant(str(tmp_path / "man-db" / "NEWS.md.gz"))
    assert not watcher.relevant(str(tmp_path / ".NEWS.md.gz.swp"))
