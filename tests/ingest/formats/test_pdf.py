"""Real PDF manuals read with their own structure (tests/data/pdf/README.md names the files).

Each file is a few pages cut from a Debian package's PDF with its outline kept: R's FAQ
(texinfo), the Debian FAQ (dblatex/xdvipdfmx, whose text pypdf runs together) and
fontconfig's user manual (ligatures, hyphenated line ends).
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from pypdf import PdfReader, PdfWriter

from index.errors import UnreadableFileError
from index.lexical import LexicalIndex
from index.records import Document, Passage
from ingest.analyze import analyze, read_file
from ingest.formats.base import Limits
from ingest.formats.pdf import FORMAT, limits_from_env, read_pdf
from ingest.formats.pdf_sandbox import run_together_share

DATA = Path(__file__).resolve().parents[2] / "data" / "pdf"
R_FAQ = DATA / "r-faq-pages-1-10.pdf"
DEBIAN_FAQ = DATA / "debian-faq-pages-13-15.pdf"
FONTCONFIG = DATA / "fontconfig-user-pages-1-2.pdf"
R_ADMIN_CHAPTER = DATA / "r-admin-pages-28-29.pdf"


def analyzed(path: Path, embedder) -> tuple[Document, list[Passage]]:
    """(document, passages) of a PDF as a build reads it: loader, cleaner, the format's own
    blocks, chunker (`ingest.analyze`)."""
    loaded = read_file(path, path.parent)
    analysis = analyze(loaded, embedder.span_counter(loaded.document.text))
    return analysis.document, list(analysis.passages)


@pytest.fixture(scope="module")
def read(embedder):
    """`analyzed`, once a file for the module."""
    cache: dict[Path, tuple[Document, list[Passage]]] = {}

    def read(path: Path) -> tuple[Document, list[Passage]]:
        if path not in cache:
            cache[path] = analyzed(path, embedder)
        return cache[path]

    return read


def _outline_titles(path: Path) -> list[str]:
    reader = PdfReader(path)
    titles: list[str] = []

    def walk(items) -> None:
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)

    walk(reader.outline)
    return titles


class TestHeadings:
    def test_every_bookmark_is_a_section_of_passages(self, read):
        _, passages = read(R_FAQ)
        sections = {p.section for p in passages}
        titles = _outline_titles(R_FAQ)
        assert len(titles) == 17
        # the section is the heading as printed, numbered; every bookmark has prose under
        # it but those whose text is all subsections
        missing = {t for t in titles if not any(s.endswith(t) for s in sections)}
        assert missing <= {"2 R Basics", "How can R be installed?"}
        assert "2.2 What machines does R run on?" in sections
        assert "1.4 Notation" in sections  # after a code line "}", which stays text

    def test_a_chapter_page_number_above_a_numbered_title_is_not_its_number(self, read):
        # R-admin prints "23" above "5 Running R": the section was "23 5 Running R"
        _, passages = read(R_ADMIN_CHAPTER)
        assert passages[0].section == "5 Running R"
        assert passages[0].text.startswith("How to start R and what command-line options")

    def test_heading_lines_are_in_no_passage(self, read):
        _, passages = read(R_FAQ)
        starts = [p.text.splitlines()[0] for p in passages]
        assert not [s for s in starts if re.fullmatch(r"\d+\.\d+ [A-Z].*", s)], starts
        assert not any("2.2 What machines does R run on?" in p.text for p in passages)

    def test_a_passage_under_a_question_answers_it(self, read):
        _, passages = read(R_FAQ)
        under = [p for p in passages if p.section == "2.2 What machines does R run on?"]
        assert under[0].text.startswith("R is being developed for the Unix-like, Windows and Mac")

    def test_without_an_outline_headings_come_from_their_font_size(self):
        without = PdfWriter(clone_from=PdfReader(R_FAQ))
        without._root_object.pop("/Outlines", None)
        buffer = io.BytesIO()
        without.write(buffer)
        reading = read_pdf(buffer.getvalue(), "no-outline.pdf", Limits())
        sections = {b.section for b in reading.blocks if b.kind == "heading"}
        assert {"2.2 What machines does R run on?", "1.1 Legalese", "2 R Basics"} <= sections
        assert any("headings from their font size" in note for note in reading.notes)
        assert not any(s.startswith(("R is a system", "Chapter 2:")) for s in sections)

    def test_without_outline_or_sizes_numbered_lines_are_headings(self, make_pdf):
        pages = ["A Small Manual", "2.2 What Machines Does It Run On?", "It runs on Linux."]
        reading = read_pdf(make_pdf(pages), "numbered.pdf", Limits())
        headings = [b.section for b in reading.blocks if b.kind == "heading"]
        assert headings == ["2.2 What Machines Does It Run On?"]
        assert any("headings from numbering" in note for note in reading.notes)


class TestFurniture:
    def test_no_running_header_page_number_or_contents_line_in_any_passage(self, read):
        for path in (R_FAQ, DEBIAN_FAQ, FONTCONFIG):
            _, passages = read(path)
            for passage in passages:
                for line in passage.text.splitlines():
                    assert not re.fullmatch(r"Chapter \d+: .* \d+", line), (path.name, line)
                    assert not re.search(r"(?:\. ){4,}", line), (path.name, line)
                    assert not re.fullmatch(r"\d{1,3}|[ivx]+", line.strip()), (path.name, line)
                    assert not line.startswith("CHAPTER 2. GETTING"), (path.name, line)

    def test_furniture_is_marked_with_its_reason(self):
        reading = read_pdf(R_FAQ.read_bytes(), R_FAQ.name, Limits())
        marked = {span.reason: reading.text[span.start : span.end] for span in reading.boilerplate}
        assert "Chapter 2: R Basics 4" in marked["running header"]
        assert "Table of Contents" in marked["table of contents"]
        assert "1.1 Legalese . . ." in marked["table of contents"]

    def test_a_back_of_book_index_page_is_marked_as_index(self):
        raw = (DATA / "debian-faq-page-73-index.pdf").read_bytes()
        reading = read_pdf(raw, "index.pdf", Limits())
        assert {span.reason for span in reading.boilerplate} == {"index"}
        assert not reading.blocks

    def test_contents_pages_are_in_no_block(self):
        reading = read_pdf(R_FAQ.read_bytes(), R_FAQ.name, Limits())
        toc = next(s for s in reading.boilerplate if s.reason == "table of contents")
        assert not [b for b in reading.blocks if b.start < toc.end and toc.start < b.end]


class TestParagraphs:
    def test_no_passage_starts_mid_sentence(self, read):
        for path in (R_FAQ, DEBIAN_FAQ):  # prose; fontconfig's pages hold a property table
            _, passages = read(path)
            mid = [p.text[:60] for p in passages if p.text[0].islower()]
            assert len(mid) <= 0.05 * len(passages), (path.name, mid)

    def test_a_paragraph_across_a_page_break_is_one_passage(self, read):
        doc, passages = read(R_FAQ)
        crossing = [p for p in passages if doc.page_at(p.start) != doc.page_at(p.end - 1)]
        assert crossing, "no passage runs on over a page break"
        for passage in crossing:
            assert "Chapter" not in passage.text.split("\n\n", 1)[1][:30]

    def test_wrapped_lines_of_one_paragraph_stay_together(self, read):
        _, passages = read(R_FAQ)
        text = next(p.text for p in passages if p.section == "2.1 What is R?")
        assert text.startswith("R is a system for statistical computation and graphics.")
        assert "It consists of a language plus a\nrun-time environment" in text


class TestPages:
    def test_each_passage_has_the_page_it_is_printed_on(self, read):
        _, passages = read(R_FAQ)
        reader = PdfReader(R_FAQ)
        for passage in passages:
            page_text = re.sub(r"\s+", "", reader.pages[passage.page - 1].extract_text())
            assert re.sub(r"\s+", "", passage.text.splitlines()[0]) in page_text, passage

    def test_quotes_are_verbatim_slices(self, read):
        for path in (R_FAQ, DEBIAN_FAQ, FONTCONFIG):
            doc, passages = read(path)
            assert all(doc.text[p.start : p.end] == p.text for p in passages)


class TestExtractors:
    def test_run_together_text_is_read_by_pypdfium2(self, read):
        reading = read_pdf(DEBIAN_FAQ.read_bytes(), DEBIAN_FAQ.name, Limits())
        assert any(note.startswith("read with pypdfium2") for note in reading.notes)
        assert run_together_share(reading.text) < 0.01
        _, passages = read(DEBIAN_FAQ)
        assert any("Currently there are three versions of Debian" in p.text for p in passages)

    def test_well_spaced_text_stays_with_pypdf(self):
        reading = read_pdf(R_FAQ.read_bytes(), R_FAQ.name, Limits())
        assert not any("pypdfium2" in note for note in reading.notes)


class TestSearchFolding:
    def test_ligatures_and_line_end_hyphens_are_found_by_plain_words(self, read):
        doc, passages = read(FONTCONFIG)
        assert "conﬁguration" in doc.text and "cus-\ntomization" in doc.text
        index = LexicalIndex.build([p.text for p in passages])
        for word in ("configuration", "customization"):
            ids, _ = index.search(word, 3)
            assert len(ids), word
            assert word[:6] in passages[ids[0]].text.replace("ﬁ", "fi").replace("-\n", "")
        assert "conﬁguration" in passages[index.search("configuration", 1)[0][0]].text


class TestEncryptionAndLimits:
    def _encrypted(self, user_password: str, algorithm: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(FONTCONFIG))
        writer.encrypt(user_password, owner_password="owner-secret", algorithm=algorithm)
        buffer = io.BytesIO()
        writer.write(buffer)
        return buffer.getvalue()

    def test_an_aes_pdf_with_an_empty_password_opens(self):
        raw = self._encrypted("", "AES-256")
        assert b"/AESV3" in raw
        reading = read_pdf(raw, "aes.pdf", Limits())
        assert "Fontconﬁg is a library" in reading.text

    def test_a_pdf_that_needs_a_password_says_so_in_one_line(self):
        with pytest.raises(UnreadableFileError) as info:
            read_pdf(self._encrypted("secret", "AES-128"), "locked.pdf", Limits())
        assert info.value.reason == "encrypted PDF; remove the password and add it again"

    def test_size_limit_comes_from_the_limits_passed_in(self):
        with pytest.raises(UnreadableFileError) as info:
            read_pdf(R_FAQ.read_bytes(), R_FAQ.name, Limits(max_bytes=1000))
        assert "limit" in info.value.reason

    def test_limits_from_the_environment_are_read_once_by_the_caller(self):
        limits = limits_from_env({"CITED_PDF_SECONDS": "7", "CITED_PDF_MEMORY_MB": "300"})
        assert (limits.seconds, limits.memory_mb) == (7.0, 300)
        assert limits_from_env({"CITED_PDF_SECONDS": "soon"}).seconds == Limits().seconds

    def test_format_entry(self):
        assert FORMAT.suffixes == (".pdf",)
        assert FORMAT.sniff(R_FAQ.read_bytes()[:1024])
        assert not FORMAT.sniff(b"<html><body>not a pdf</body></html>")


class TestManualLinesAreContent:
    def test_repeated_example_and_subscribe_lines_stay_in_passages(
        self, tmp_path, make_pdf, embedder
    ):
        """Rules made for web pages (repeated calls to action, "subscribe") must not drop a
        manual's repeated code line or its instructions for joining a mailing list."""
        example = "R> x <- c(1, 2, 3); mean(x) # prints the mean of x, which is 2"
        subscribe = "Subscribe to debian-user by sending mail with the word subscribe."
        path = tmp_path / "manual.pdf"
        path.write_bytes(make_pdf(["A Small Manual", example, subscribe, example]))
        _, passages = analyzed(path, embedder)
        joined = "\n".join(p.text for p in passages)
        assert joined.count(example) == 2
        assert subscribe in joined

    def test_a_closing_brace_at_page_ends_is_code_not_a_running_footer(self, make_pdf):
        pages = ["A Small Manual", "f <- function(x) {", "}", "}", "}", "That ends the example."]
        reading = read_pdf(make_pdf(pages), "braces.pdf", Limits())
        assert not reading.boilerplate
        braces = [i for i, ch in enumerate(reading.text) if ch == "}"]
        assert len(braces) == 3
        assert all(any(b.start <= i < b.end for b in reading.blocks) for i in braces)
