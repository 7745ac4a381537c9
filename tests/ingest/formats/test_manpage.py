"""Manual pages saved as text, read by their layout, on real pages (tests/data/manpage/README.md).

Before: `man systemd.automount > f.txt` had no section but its header line
("SYSTEMD.AUTOMOUNT(5) systemd.automount SYSTEMD.AUTOMOUNT(5)", which was also the title):
"NAME", "OPTIONS" and "Where=" each run on into their indented text, so none was a heading,
and "What does TimeoutIdleSec= do?" was cited under the header line.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.analyze import Analysis, analyze, read_file
from ingest.formats.manpage import FURNITURE, read_layout
from ingest.inspect import TokenCounter

DATA = Path(__file__).resolve().parents[2] / "data"
AUTOMOUNT = DATA / "manpage" / "systemd.automount.5.txt"
APROPOS = DATA / "manpage" / "apropos.1.txt"
LS = DATA / "manpage" / "ls.1.txt"
GIT_COMMIT = DATA / "manpage" / "git-commit.1.txt"
WHATIS_BOLD = DATA / "terminal" / "man-db" / "whatis.1.txt"


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def _analysis(path: Path, counter: TokenCounter) -> Analysis:
    loaded = read_file(path, path.parent)
    return analyze(loaded, counter.span_counter(loaded.document.text))


def _passage(analysis: Analysis, words: str):
    return next(p for p in analysis.passages if words in p.text)


def test_the_title_is_the_name_line_and_header_and_footer_are_furniture(counter):
    analysis = _analysis(AUTOMOUNT, counter)
    doc = analysis.document
    assert doc.title == "systemd.automount - Automount unit configuration"
    header = doc.text.splitlines()[0]
    footer = doc.text.rstrip().splitlines()[-1]
    for line in (header, footer):
        start = doc.text.index(line.strip())
        assert any(s <= start < e for s, e in doc.boilerplate)
        assert all(line.strip() not in p.text for p in analysis.passages)


def test_sections_sub_sections_and_settings_are_headings_with_their_paths(counter):
    analysis = _analysis(AUTOMOUNT, counter)
    idle = _passage(analysis, "Configures an idle timeout.")
    assert idle.section == "TimeoutIdleSec="
    assert idle.headings == ("OPTIONS", "TimeoutIdleSec=")
    implicit = _passage(analysis, "An implicit Before= dependency is created")
    assert implicit.headings == ("AUTOMATIC DEPENDENCIES", "Implicit Dependencies")
    levels = {b.section: b.level for b in analysis.blocks if b.kind == "heading"}
    assert levels["OPTIONS"] == 1
    assert levels["Implicit Dependencies"] == 2
    assert levels["Where="] == 2


def test_text_back_at_a_settings_indentation_leaves_that_setting(counter):
    analysis = _analysis(AUTOMOUNT, counter)
    after = _passage(analysis, "Check systemd.unit(5), systemd.exec(5), and systemd.kill(5)")
    assert after.section == "OPTIONS"


def test_every_option_of_a_command_page_names_its_section(counter):
    analysis = _analysis(APROPOS, counter)
    sections = {b.section for b in analysis.blocks if b.kind == "heading"}
    assert {"NAME", "DESCRIPTION", "OPTIONS", "-r, --regex", "-w, --wildcard"} <= sections
    regex = _passage(analysis, "Interpret each keyword as a regular expression")
    assert regex.headings == ("OPTIONS", "-r, --regex")


def test_a_page_saved_in_bold_overstrike_reads_the_same_way(counter):
    analysis = _analysis(WHATIS_BOLD, counter)
    assert analysis.document.title is not None
    assert analysis.document.title.startswith("whatis - ")
    assert "-r, --regex" in {b.section for b in analysis.blocks}


def test_quotes_stay_verbatim_and_a_text_without_a_header_is_no_man_page(counter):
    analysis = _analysis(AUTOMOUNT, counter)
    raw = AUTOMOUNT.read_text()
    assert all(raw[p.start : p.end] == p.text for p in analysis.passages)
    assert read_layout("NAME\n       not a page, no header\n") is None
    assert FURNITURE == "manual page header/footer"


def test_an_option_set_on_its_descriptions_first_line_is_its_own_heading(counter):
    """ls(1): "-c     with -lt: sort by, and show, ctime…" was one heading, the whole line."""
    analysis = _analysis(LS, counter)
    ctime = _passage(analysis, "with -lt: sort by, and show, ctime")
    assert ctime.section == "-c"
    assert ctime.text.startswith("with -lt: sort by, and show, ctime")
    assert ctime.headings == ("DESCRIPTION", "-c")


def test_a_wrapped_synopsis_is_no_option_entry(counter):
    analysis = _analysis(GIT_COMMIT, counter)
    synopsis = _passage(analysis, "git commit [-a | --interactive | --patch]")
    assert synopsis.section == "SYNOPSIS"
    assert "[--dry-run]" in synopsis.text
    assert _passage(analysis, "Tell the command to automatically stage files").section == (
        "-a, --all"
    )
