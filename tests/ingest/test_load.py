"""Loading corpus files: verbatim text, titles, ids, and clear errors for bad files."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from index.errors import UnreadableFileError
from ingest.load import SUPPORTED_SUFFIXES, load_document


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def _reason(tmp_path: Path, name: str, data: bytes) -> str:
    with pytest.raises(UnreadableFileError) as info:
        load_document(_write(tmp_path, name, data), tmp_path)
    assert info.value.file == name
    return info.value.reason


class TestShippedArticles:
    def test_text_is_the_file_unchanged(self, corpus_dir: Path):
        for path in sorted(corpus_dir.glob("*.txt")):
            doc = load_document(path, corpus_dir)
            assert doc.text == path.read_bytes().decode("utf-8")
            assert doc.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
            assert doc.file == path.name
            assert doc.doc_id == path.stem
            assert doc.page_starts == ()

    def test_titles(self, corpus_docs):
        titles = {name: doc.title for name, doc in corpus_docs.items()}
        assert titles == {
            "him": "How to Make Him Miss You: The Psychology of Creating Genuine Connection "
            "Through Absence",
            "someone": "How to Make Someone Miss You According to a Psychologist2 ?",
            "husband": "How To Make Your Husband Miss You During a Separation",
            "leave": "Make Him Miss You: Why You Have To Leave To Get Him To Stay",
            "ex": "The psychology of how to make an ex miss you",
        }


class TestFormats:
    def test_markdown_keeps_text_and_takes_first_heading(self, tmp_path: Path):
        data = b"Intro line\n\n# Stay Calm, Stay Kind\n\nBe *genuine*.\n"
        doc = load_document(_write(tmp_path, "notes/Stay Calm.md", data), tmp_path)
        assert doc.text == data.decode()
        assert doc.title == "Stay Calm, Stay Kind"
        assert doc.doc_id == "notes-stay-calm"
        assert doc.file == "notes/Stay Calm.md"

    def test_txt_without_title_line_takes_file_name(self, tmp_path: Path):
        data = b"\nThis article starts with an ordinary sentence. It has no title.\n"
        doc = load_document(_write(tmp_path, "why-space-helps.txt", data), tmp_path)
        assert doc.title == "Why space helps"

    def test_html_keeps_main_text_only(self, tmp_path: Path):
        page = b"""<!doctype html><html><head><title>Site | Space</title>
        <style>.x { color: red }</style><script>var tracking = 1;</script></head>
        <body><nav><a href="/">Home</a> <a href="/shop">Shop</a></nav>
        <header>Site header banner</header>
        <main><h1>Give   Space Kindly</h1><p>Space is not <b>punishment</b>.</p>
        <ul><li>Call a friend</li><li>Go for a walk</li></ul>
        <form>Subscribe <input name=e></form></main>
        <footer>Copyright footer</footer><noscript>Enable JS</noscript></body></html>"""
        doc = load_document(_write(tmp_path, "space.html", page), tmp_path)
        assert doc.title == "Give Space Kindly"
        assert doc.text == (
            "Give Space Kindly\n\nSpace is not punishment.\n\n- Call a friend\n\n- Go for a walk"
        )
        for junk in ("tracking", "color", "Home", "Shop", "banner", "Subscribe", "footer", "JS"):
            assert junk not in doc.text

    def test_html_title_falls_back_to_title_tag(self, tmp_path: Path):
        page = b"<html><head><title>Quiet Strength</title></head><body><p>Hi.</p></body></html>"
        assert load_document(_write(tmp_path, "q.htm", page), tmp_path).title == "Quiet Strength"

    def test_pdf_pages_and_offsets(self, tmp_path: Path, make_pdf):
        path = _write(tmp_path, "two.pdf", make_pdf(["Hello page one", "Hello page two"]))
        doc = load_document(path, tmp_path)
        assert doc.text == "Hello page one\n\nHello page two"
        assert doc.page_starts == (0, 16)
        assert doc.page_at(doc.text.index("page one")) == 1
        assert doc.page_at(doc.text.index("page two")) == 2
        assert doc.title == "Hello page one"

    def test_cp1252_fallback(self, tmp_path: Path):
        data = "Caf\u00e9 \u201cquoted\u201d \u2014 fine.\n".encode("cp1252")
        doc = load_document(_write(tmp_path, "legacy.txt", data), tmp_path)
        assert doc.text == "Caf\u00e9 \u201cquoted\u201d \u2014 fine.\n"

    def test_utf8_bom_is_dropped(self, tmp_path: Path):
        doc = load_document(
            _write(tmp_path, "bom.txt", b"\xef\xbb\xbfTitle Here\n\nText."), tmp_path
        )
        assert doc.text == "Title Here\n\nText."
        assert doc.title == "Title Here"


class TestErrors:
    def test_supported_suffixes(self):
        assert SUPPORTED_SUFFIXES == (".txt", ".md", ".rst", ".html", ".htm", ".pdf")

    def test_unsupported_extension(self, tmp_path: Path):
        assert "unsupported file type '.docx'" in _reason(tmp_path, "a.docx", b"hello")

    @pytest.mark.parametrize("data", [b"", b"  \n\t\n"])
    def test_empty_file(self, tmp_path: Path, data: bytes):
        assert _reason(tmp_path, "empty.txt", data) == "empty file"

    def test_binary_in_txt(self, tmp_path: Path):
        assert _reason(tmp_path, "img.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR") == (
            "binary data, not text"
        )

    def test_mostly_control_characters_in_md(self, tmp_path: Path):
        assert _reason(tmp_path, "x.md", bytes(range(1, 9)) * 20 + b"ok") == (
            "binary data, not text"
        )

    def test_broken_pdf(self, tmp_path: Path):
        assert _reason(tmp_path, "bad.pdf", b"%PDF-1.4\nthis is not a pdf\n%%EOF\n").startswith(
            "not a readable PDF: "
        )

    def test_encrypted_pdf(self, tmp_path: Path, make_pdf):
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(make_pdf(["Secret text"]))))
        writer.encrypt("secret", algorithm="RC4-128")
        buffer = io.BytesIO()
        writer.write(buffer)
        assert _reason(tmp_path, "locked.pdf", buffer.getvalue()) == (
            "encrypted PDF; remove the password and add it again"
        )

    def test_pdf_without_text(self, tmp_path: Path, make_pdf):
        assert _reason(tmp_path, "scan.pdf", make_pdf([None, None])) == (
            "no extractable text (scanned PDF?)"
        )

    def test_error_names_file_in_message(self, tmp_path: Path):
        with pytest.raises(UnreadableFileError, match=r"^sub/empty\.md: empty file$"):
            load_document(_write(tmp_path, "sub/empty.md", b""), tmp_path)
