"""Hard-wrapped plain text (manuals, FAQs, specifications) is read by its blank lines: a
heading stands alone, a paragraph's short first line is not one (issue #13).

Real files: tests/data/text/dpkg-triggers.txt (dpkg's trigger specification),
tests/data/text/debian-faq.en.txt.gz (the Debian FAQ as debian-faq ships its text) and
tests/data/compressed/zlib1g-dev/txtvsbin.txt.gz (zlib's note, gzipped as Debian ships it).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.analyze import read_file
from ingest.structure import _content_lines, blocks, hard_wrapped, is_heading_line

DATA = Path(__file__).resolve().parents[1] / "data"
TRIGGERS = DATA / "text" / "dpkg-triggers.txt"
DEBIAN_FAQ = DATA / "text" / "debian-faq.en.txt.gz"
TXTVSBIN = DATA / "compressed" / "zlib1g-dev" / "txtvsbin.txt.gz"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


def _read(path: Path):
    document = read_file(path, path.parent).document
    return document, blocks(document)


def test_a_heading_of_a_wrapped_text_stands_alone_and_first_lines_are_not_headings():
    document, read = _read(TRIGGERS)
    headings = [document.text[b.start : b.end] for b in read if b.kind == "heading"]
    for wanted in ("Introduction", "Concepts", "File triggers", "Error handling"):
        assert wanted in headings
    assert "A dpkg trigger is a facility that allows events caused by one package" not in headings
    for block in read:
        if block.kind == "heading":  # a blank line (or its underline) follows it
            assert (
                document.text[block.end : block.end + 2] == "\n\n"
                or document.text[block.end + 1] in "=-"
            ), document.text[block.start : block.end]
    assert len(headings) < 30  # it was 149: nearly every paragraph's first line


def test_numbered_questions_of_a_generated_faq_are_its_sections():
    """The FAQ's text puts "8.5.<no-break space>How can I find out what package produced a
    particular file?" at the start of its line above indented answers; a question (not
    Title Case) and one wrapped over lines were paragraphs, so the answers below them
    stood under the section before ("8.1.6.1. dpkg-deb")."""
    document, read = _read(DEBIAN_FAQ)
    headings = {b.section: b for b in read if b.kind == "heading"}
    wanted = "8.5. How can I find out what package produced a particular file?"
    assert headings[wanted].headings == (
        "Chapter 8. The Debian package management tools",
        wanted,
    )
    wrapped = "8.3. How can I tell what packages are already installed on a Debian system?"
    assert headings[wrapped].level == 2
    answer = next(b for b in read if document.text[b.start : b.end].startswith("To identify"))
    assert answer.section == wanted
    # 147 of its 148 numbered questions (the one left runs over 180 characters)
    assert sum(1 for s in headings if s[0].isdigit()) >= 145


def test_a_table_of_contents_is_no_passage():
    """The FAQ opens with its table of contents, 230 lines of numbered titles that come
    again as the sections: quoted, "8.5. How can I find out…" from it answered nothing."""
    document, read = _read(DEBIAN_FAQ)
    contents = document.text.index("Table of Contents")
    assert not any(b.start <= contents < b.end for b in read)
    assert not any(
        document.text[b.start : b.end].lstrip().startswith("1.1. What is this FAQ?")
        and b.kind != "heading"
        for b in read
    )
    assert any(document.text[b.start : b.end] == "Abstract" for b in read)  # before it: kept


def test_paragraphs_and_list_items_keep_their_wrapped_lines():
    document, read = _read(TRIGGERS)
    texts = {document.text[b.start : b.end]: b for b in read}
    opening = next(t for t in texts if t.startswith("A dpkg trigger is a facility"))
    assert opening.endswith("reduces duplication\nof processing.")
    assert texts[opening].section == "Introduction"
    item = next(t for t in texts if t.startswith("* Explicit triggers."))
    assert texts[item].kind == "item" and "by running dpkg-trigger" in item
    assert not any(set(t) <= set("=-") for t in texts)  # underlines are no block


@pytest.mark.parametrize(
    ("line", "heading"),
    [
        (".. code-block:: shell", False),  # reStructuredText markup (pip's user_guide.rst.gz)
        ("{note}", False),
        ("“Quoted” Title", True),
        ("(Optional) Settings", True),
        ("🔥 Strong Conclusion: Why Leaving Makes Them Stay", True),  # a shipped heading
        ("3) Why Over-Availability Reduces Attraction", True),
        ("│ │ /run/systemd/systemd/). │ │", False),  # a row of a table drawn by tbl
        ("├──────────────┼──────────────┤", False),
    ],
)
def test_a_line_of_markup_is_no_heading(line: str, heading: bool):
    assert is_heading_line(line) is heading


def test_a_gzipped_note_reads_as_its_three_sections():
    document, read = _read(TXTVSBIN)
    headings = [document.text[b.start : b.end] for b in read if b.kind == "heading"]
    assert headings == ["Introduction", "The Algorithm", "Rationale"]


@pytest.mark.parametrize("path", sorted(CORPUS.glob("*.txt")), ids=lambda p: p.name[:30])
def test_the_shipped_articles_are_not_taken_for_wrapped_text(path: Path):
    document = read_file(path, CORPUS).document
    assert not hard_wrapped(document.text, _content_lines(document))


def test_the_real_wrapped_texts_are_taken_for_wrapped_text():
    for path in (TRIGGERS, TXTVSBIN):
        document = read_file(path, path.parent).document
        assert hard_wrapped(document.text, _content_lines(document))


def test_a_sentence_standing_alone_above_its_example_is_no_heading():
    """man-db's manual: "If a user's $MANPATH consists of or is determined as", then the
    path on a line of its own, was a section title."""
    manual = DATA / "terminal" / "man-db" / "man-db-manual.txt.gz"
    doc, found = _read(manual)
    line = "If a user's $MANPATH consists of or is determined as"
    assert line in doc.text
    holding = [b for b in found if line in doc.text[b.start : b.end]]
    assert holding and holding[0].kind != "heading"
    assert all(b.section != line for b in found)
