"""Documentation pages read whole: what trafilatura dropped from a generated manual's main
region comes back in place (`html_structure.py`), and blocks stay apart.

Real pages (tests/data/html/README.md): Python's zipfile page (Sphinx), the R FAQ
(Texinfo, from r-doc-html) and a chapter of the Debian FAQ (DocBook).
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from ingest.analyze import analyze, read_file
from ingest.formats.html_structure import _Text
from ingest.inspect import TokenCounter
from ingest.text import squash

DATA = Path(__file__).resolve().parents[2] / "data" / "html"


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def _read(name: str):
    return read_file(DATA / name, DATA)


def _blocks(loaded) -> list[tuple[str, str, tuple[str, ...]]]:
    """(kind, text, heading path) of each block of the read page."""
    text = loaded.document.text
    return [(b.kind, text[b.start : b.end], b.headings) for b in loaded.blocks]


def _passages(name: str, counter: TokenCounter):
    loaded = _read(name)
    return analyze(loaded, counter.span_counter(loaded.document.text)).passages


def test_the_zipfile_pages_list_option_and_its_description_are_under_command_line_options():
    text = _read("library-zipfile.html").document.text
    start, end = text.index("Command-line options"), text.index("Decompression pitfalls")
    options = text[start:end]
    assert "- -l <zipfile>" in options and "- --list <zipfile>" in options
    assert options.index("--list <zipfile>") < options.index("List files in a zipfile.")
    assert "--metadata-encoding <encoding>" in options
    assert "Specify encoding of member names for -l, -e and -t." in options


def test_the_option_list_is_a_passage_of_its_section(counter):
    passages = _passages("library-zipfile.html", counter)
    listing = [p for p in passages if "List files in a zipfile." in p.text]
    assert listing and listing[0].section == "Command-line options"
    assert "--list <zipfile>" in listing[0].text


def test_api_entries_keep_their_signatures_without_the_permalink_mark():
    loaded = _read("library-zipfile.html")
    text = loaded.document.text
    assert "¶" not in text
    assert "- class zipfile.ZipInfo(filename='NoName', date_time=(1980, 1, 1, 0, 0, 0))" in text
    assert "- exception zipfile.BadZipFile\n" in text


def test_a_page_no_documentation_generator_wrote_keeps_trafilaturas_choice(tmp_path):
    """On a page a CMS built, what trafilatura drops inside the article is mostly chrome
    (measured on the 618 web pages: recovering it costs 0.014 of precision)."""
    raw = (DATA / "library-zipfile.html").read_bytes()
    marker = b'<meta name="generator" content="Docutils 0.19: https://docutils.sourceforge.io/" />'
    assert marker in raw
    (tmp_path / "cms.html").write_bytes(
        raw.replace(marker, b'<meta name="generator" content="WordPress 6.4" />')
    )
    text = read_file(tmp_path / "cms.html", tmp_path).document.text
    assert "Command-line options" in text and "List files in a zipfile." not in text


def test_texinfo_sections_are_headed_by_their_titles(counter):
    loaded = _read("r-faq.html")
    headings = [t for kind, t, _ in _blocks(loaded) if kind == "heading"]
    for title in ("1 Introduction", "2.1 What is R?", "7.10 How do I convert factors to numeric?"):
        assert title in headings
    sections = {p.section for p in _passages("r-faq.html", counter)}
    assert "2.1 What is R?" in sections


def test_texinfo_next_previous_lines_are_in_no_passage(counter):
    text = _read("r-faq.html").document.text
    assert "Next: What machines does R run on?, Previous: R Basics" in text
    navigation = re.compile(r"Next: .*Previous: |Previous: .*Up: ")
    assert not [p.text for p in _passages("r-faq.html", counter) if navigation.search(p.text)]


def test_a_blockquote_of_references_keeps_its_paragraphs_apart():
    text = _read("r-faq.html").document.text
    assert "978-0-387-75838-1.Deepayan" not in text
    assert "ISBN 978-0-387-75838-1.\n\nDeepayan Sarkar (2007)" in text


def test_docbook_chapter_and_question_titles_are_headings():
    loaded = _read("debian-faq-ftparchives.html")
    blocks = _blocks(loaded)
    headings = [t for kind, t, _ in blocks if kind in ("title", "heading")]
    assert headings[0] == "Chapter 6. The Debian archives"
    assert "6.1. How many Debian distributions are there?" in headings
    assert "6.2.1. Which other codenames have been used in the past?" in headings
    answer = next(path for kind, t, path in blocks if t.startswith("There are three major"))
    assert answer[-1] == "6.1. How many Debian distributions are there?"


def test_a_list_items_code_is_a_block_of_its_own_with_its_lines():
    loaded = _read("faq-programming.html")
    text = loaded.document.text
    code = ">>> def func1(a, b):\n...     a = 'new-value'        # a and b are local names\n"
    assert "- By returning a tuple of the results:\n\n" + code in text
    assert any(kind == "code" and t.startswith(code) for kind, t, _ in _blocks(loaded))
    assert "deffunc1" not in text  # jusText's copy of the code, its words run together


def test_the_forward_search_finds_what_str_find_finds():
    text = squash(_read("library-zipfile.html").document.text)
    index = _Text([text])
    rng = random.Random(3)
    for _ in range(400):
        at = rng.randrange(len(text) - 200)
        start = text.find(" ", at) + 1  # pieces open a word, as blocks do
        piece = text[start : start + rng.randrange(40, 160)]
        cursor = rng.randrange(len(text))
        assert index.find_from(piece, cursor) == text.find(piece, cursor)


def test_a_table_read_cell_by_cell_is_read_row_by_row():
    """trafilatura reads the table of open()'s modes, whose cells hold paragraphs, as a
    run of one-cell paragraphs ("'r'", "open for reading (default)")."""
    loaded = _read("functions-open.html")
    text = loaded.document.text
    assert "Character | Meaning\n\n'r' | open for reading (default)\n\n'w' | open for" in text
    assert "\n\n'r'\n\n" not in text and text.count("open for reading (default)") == 1
    assert ("table", "'+' | open for updating (reading and writing)") in {
        (kind, t) for kind, t, _ in _blocks(loaded)
    }


def test_a_short_entry_found_only_as_the_start_of_the_next_block_is_put_back():
    text = _read("library-idle.html").document.text
    assert "- Path Browser\n\n" in text
    assert "- Save\n\nSave the current window to the associated file" in text


@pytest.mark.parametrize(
    "name",
    [
        "library-zipfile.html",
        "library-idle.html",
        "functions-open.html",
        "faq-programming.html",
        "r-faq.html",
        "debian-faq-ftparchives.html",
    ],
)
def test_nothing_is_put_back_twice(name):
    """A block of three words or more is in the text no more often than on the page."""
    from benchmarks.html_coverage import page_blocks

    text = " " + " ".join(_read(name).document.text.split()) + " "
    blocks = page_blocks((DATA / name).read_bytes())
    page = " " + " ".join(b.text for b in blocks) + " "
    doubled = [
        b.text
        for b in {b for b in blocks if len(b.words) >= 3}
        if text.count(f" {b.text} ") > page.count(f" {b.text} ")
    ]
    assert not doubled


def test_a_manuals_index_is_never_quoted_and_what_follows_it_keeps_its_sections(counter):
    """R-data.html: "What does read.table do with missing values?" quoted the concept index
    ("Missing values: | Variations on read.table"), and the references and footnotes after
    the indexes, matched by index rows near them, were filed under "Concept index"."""
    passages = _passages("r-data.html", counter)
    assert not [p for p in passages if "index" in p.section.lower()]
    assert not [p for p in passages if "Missing values: | " in p.text or "Jump to:" in p.text]
    books = next(p for p in passages if "The Practical SQL Handbook" in p.text)
    assert books.section == "Appendix A References"
    surrogate = next(p for p in passages if "use of surrogate pairs is very rare" in p.text)
    assert "Footnotes" in surrogate.headings


def test_a_list_item_trafilatura_dropped_comes_back_as_an_item():
    loaded = _read("r-data.html")
    kinds = {text: kind for kind, text, _ in _blocks(loaded)}
    item = "- Concurrent access from multiple clients running on multiple hosts"
    found = [text for text in kinds if text.startswith(item)]
    assert found and kinds[found[0]] == "item"


def test_a_short_block_the_page_repeats_comes_back_each_time():
    """trafilatura drops a paragraph it has seen before: R-data.html's second "Some simple
    examples are" (above the examples of reading from connections) was lost, as it was
    "kept" at its first place."""
    text = _read("r-data.html").document.text
    assert text.count("Some simple examples are") == 2
    second = text.index("Some simple examples are", text.index("Some simple examples are") + 1)
    assert text.index('readLines("ex.data")') > second > text.index("read.table.")


def test_a_table_run_together_into_one_paragraph_is_read_row_by_row():
    """R FAQ 2.6's table of Linux builds: trafilatura left its cells loose in a quote, read
    as "CPU Versions Provider Debian i386/amd64 squeeze/wheezy Johannes Ranke armel…"."""
    loaded = _read("r-faq.html")
    text = loaded.document.text
    assert "Debian | i386/amd64 | squeeze/wheezy | Johannes Ranke\narmel | wheezy" in text
    table = next(b for b in loaded.blocks if text[b.start : b.end].startswith("CPU | Versions"))
    assert table.kind == "table"
