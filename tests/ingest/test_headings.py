"""Heading paths: every format gives its headings' levels, and a passage knows the whole
path of headings it stands under, not only the nearest one.

Before, a passage carried only its innermost heading: Sphinx's "copytree example", R's
"2.5.3 How can R be installed (Mac)" or pip's "Examples" said nothing of where they stand.
Real files from tests/data/<kind>/ (their READMEs name the Debian packages).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from index.records import Block, Document, Passage
from index.segment_write import lexical_text
from ingest.analyze import analyze, document_blocks, read_file
from ingest.headings import HeadingTrail, numbering_level, shown_path
from ingest.inspect import TokenCounter, inspect_file, report_as_text
from ingest.structure import blocks as text_blocks

DATA = Path(__file__).resolve().parents[1] / "data"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def _blocks(path: Path) -> list[Block]:
    return list(document_blocks(read_file(path, path.parent)))


def _passages(path: Path, counter: TokenCounter) -> list[Passage]:
    loaded = read_file(path, path.parent)
    return list(analyze(loaded, counter.span_counter(loaded.document.text)).passages)


def _heading(blocks: list[Block], name: str) -> Block:
    return next(b for b in blocks if b.kind == "heading" and b.section == name)


# --- the trail ------------------------------------------------------------------------------


def test_a_heading_closes_those_at_its_level_or_deeper():
    trail = HeadingTrail()
    assert trail.enter("Install", 2) == ("Install",)
    assert trail.enter("On Linux", 3) == ("Install", "On Linux")
    assert trail.enter("On Mac", 3) == ("Install", "On Mac")
    assert trail.enter("Usage", 2) == ("Usage",)
    assert trail.enter("Chapter", 1) == ("Chapter",)
    assert trail.restart() == () and trail.path == ()


def test_a_heading_of_unknown_level_stands_alone_and_is_no_parent():
    trail = HeadingTrail()
    trail.enter("1 Introduction", 1)
    assert trail.enter("Why it matters", 0) == ("Why it matters",)
    assert trail.enter("Another one", 0) == ("Another one",)
    assert trail.enter("1.1 Scope", 2) == ("1.1 Scope",)


@pytest.mark.parametrize(
    ("heading", "level"),
    [
        *[("2.3.1 Options", 3), ("4. Usage", 1), ("A.2 Files", 2), ("10 Ways", 1)],
        *[("A Guide to Bees", 0), ("2023 report", 0), ("3) Why Over-Availability", 0)],
        # the Debian FAQ's text: a no-break space after the number, a chapter's word
        *[("8.5.\u00a0How can I find out", 2), ("Chapter\u00a08.\u00a0The Debian", 1)],
        ("Chapter 3 Choosing a distribution", 1),
    ],
)
def test_numbering_gives_the_depth(heading: str, level: int):
    assert numbering_level(heading) == level


def test_a_long_path_keeps_its_outermost_and_innermost_headings():
    assert shown_path(["Install", "On Linux"]) == "Install › On Linux"
    deep = shown_path([f"Part {n} of a long manual" for n in range(1, 8)])
    assert deep.startswith("Part 1 of a long manual › … ›")
    assert deep.endswith("Part 7 of a long manual") and len(deep) <= 80
    question = "3.1 Which Debian distribution (stable/testing/unstable) is better for me?"
    shown = shown_path(["Chapter 3", question, "3.1.1 You asked me"])
    assert shown == "Chapter 3 › 3.1 Which Debian distribution… › 3.1.1 You asked me"
    assert shown_path([]) == ""


# --- levels from each format ----------------------------------------------------------------


def test_markdown_hashes_give_levels_and_the_title_stays_out():
    blocks = _blocks(DATA / "markdown" / "pip-installation.md")
    assert blocks[0].kind == "title" and blocks[0].headings == ()
    ensurepip = _heading(blocks, "`ensurepip`")
    assert ensurepip.level == 3
    assert ensurepip.headings == ("Supported Methods", "`ensurepip`")
    assert _heading(blocks, "Upgrading `pip`").headings == ("Upgrading `pip`",)


def test_setext_underlines_are_levels_too():
    blocks = _blocks(DATA / "markdown" / "man-db-NEWS.md")
    release = _heading(blocks, "man-db 2.11.1 (15 November 2022)")
    assert release.level == 1 and release.headings == ("man-db 2.11.1 (15 November 2022)",)


def test_html_h2_and_h3_nest_under_the_page_title():
    blocks = _blocks(DATA / "html" / "library-shutil.html")
    example = _heading(blocks, "copytree example")
    assert example.level == 3
    assert example.headings == ("Directory and files operations", "copytree example")
    archiving = _heading(blocks, "Archiving operations")
    assert archiving.level == 2 and archiving.headings == ("Archiving operations",)
    assert all("shutil — High-level file operations" not in b.headings for b in blocks)


def test_rst_adornments_rank_in_the_order_they_first_appear():
    blocks = _blocks(DATA / "rst" / "python3-pip" / "conventions.rst")
    assert _heading(blocks, "Naming").headings == ("Files", "Naming")
    assert _heading(blocks, "Writing").headings == ("Writing",)


def test_a_pdf_outline_gives_its_depth():
    blocks = _blocks(DATA / "pdf" / "r-faq-pages-1-10.pdf")
    mac = _heading(blocks, "2.5.3 How can R be installed (Mac)")
    assert mac.level == 3
    parent = "2.5 How can R be installed?"
    assert mac.headings[-2:] == (parent, "2.5.3 How can R be installed (Mac)")
    fonts = _blocks(DATA / "pdf" / "fontconfig-user-pages-1-2.pdf")
    assert _heading(fonts, "Font Matching").headings == ("Functional Overview", "Font Matching")


def test_plain_text_numbering_nests_and_unnumbered_headings_stay_flat():
    text = (
        "Manual\n\n2 Setup\n\nSome words about setting it up here.\n\n"
        "2.1 Options\n\nThe options are listed here.\n\nNotes\n\nA note on it.\n"
    )
    blocks = text_blocks(Document("m", "m.txt", "Manual", text, "0" * 64))
    by_section = {b.section: b.headings for b in blocks if b.kind == "paragraph"}
    assert by_section["2 Setup"] == ("2 Setup",)
    assert by_section["2.1 Options"] == ("2 Setup", "2.1 Options")
    assert by_section["Notes"] == ("Notes",)


def test_the_shipped_articles_keep_their_flat_sections():
    for path in sorted(CORPUS.glob("*.txt")):
        for block in _blocks(path):
            assert len(block.headings) <= 1
            if block.headings:
                assert block.headings == (block.section,)


# --- passages -------------------------------------------------------------------------------


def test_a_passage_carries_the_path_of_its_first_block(counter: TokenCounter):
    passages = _passages(DATA / "html" / "library-shutil.html", counter)
    example = [p for p in passages if p.section == "rmtree example"]
    assert example and all(
        p.headings == ("Directory and files operations", "rmtree example") for p in example
    )
    assert passages[0].headings == ()  # the page's opening stands under its title only


def test_bm25_reads_the_whole_path():
    passage = Passage("d", 0, "On Mac", 0, 5, "Drag the app.", headings=("Install", "On Mac"))
    assert lexical_text(passage) == "Install On Mac\nDrag the app."
    opening = Passage("d", 0, "Guide", 0, 5, "Welcome.")  # under the title only
    assert lexical_text(opening) == "Guide\nWelcome."


def test_inspect_prints_and_emits_the_path(counter: TokenCounter):
    report = inspect_file(DATA / "markdown" / "pip-installation.md", counter)
    assert "Supported Methods › `ensurepip`" in report_as_text(report)
    rows = report.to_dict()["passages"]
    assert ["Supported Methods", "`ensurepip`"] in [row["headings"] for row in rows]
