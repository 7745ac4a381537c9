"""Markdown: structure from markdown-it-py on real files (tests/data/markdown/README.md).

Before: front matter was indexed, `# comment` lines in code became headings, setext
headings were not seen (a changelog's releases shared one section) and wrapped list items
were cut mid-sentence.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.analyze import analyze, read_file
from ingest.inspect import TokenCounter

DATA = Path(__file__).resolve().parents[2] / "data" / "markdown"
FILES = sorted(p.name for p in DATA.glob("*.md") if p.name != "README.md")


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def _analysis(name: str, counter: TokenCounter):
    loaded = read_file(DATA / name, DATA)
    return analyze(loaded, counter.span_counter(loaded.document.text))


def _headings_by_hand(text: str) -> list[str]:
    """ATX lines outside fences, and the line above each setext underline."""
    headings, fenced, previous = [], False, ""
    body = re.sub(r"\A---\n.*?\n---\n", lambda m: "\n" * m.group().count("\n"), text, flags=re.S)
    for line in body.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and re.match(r"#{1,6} ", line):
            headings.append(line.lstrip("#").strip())
        elif not fenced and re.fullmatch(r"=+|-{3,}", line) and previous.strip():
            headings.append(previous.strip())
        previous = line
    return headings


@pytest.mark.parametrize("name", FILES)
def test_every_heading_is_a_section_and_the_text_is_the_file(name, counter):
    analysis = _analysis(name, counter)
    raw = (DATA / name).read_text(encoding="utf-8")
    assert analysis.document.text == raw
    text = analysis.document.text
    found = [b.section for b in analysis.blocks if b.kind in ("title", "heading")]
    assert found == _headings_by_hand(raw)
    assert all(p.text == text[p.start : p.end] for p in analysis.passages)


def test_setext_headings_give_each_release_its_section(counter):
    analysis = _analysis("man-db-NEWS.md", counter)
    releases = {p.section for p in analysis.passages if p.section.startswith("man-db 2.")}
    assert len(releases) == 12
    assert not any("====" in p.text for p in analysis.passages)


@pytest.mark.parametrize("name", ["systemd-DISTRO_PORTING.md", "systemd-HACKING.md"])
def test_front_matter_is_boilerplate_in_no_passage(name, counter):
    analysis = _analysis(name, counter)
    assert not any(
        "SPDX-License-Identifier" in p.text or "layout:" in p.text for p in analysis.passages
    )
    assert analysis.document.boilerplate[0][0] == 0


def test_code_comments_are_code_not_sections(counter):
    analysis = _analysis("systemd-HACKING.md", counter)
    sections = {p.section for p in analysis.passages}
    assert not sections & {
        "Fedora",
        "Debian/Ubuntu",
        "Arch",
        "Install build dependencies (see above)",
    }
    code = next(
        b
        for b in analysis.blocks
        if b.kind == "code" and "# Fedora" in analysis.document.text[b.start : b.end]
    )
    assert "\n" in analysis.document.text[code.start : code.end]


def test_wrapped_list_items_stay_whole(counter):
    analysis = _analysis("man-db-NEWS.md", counter)
    item = (
        "* `man` no longer saves cat pages if `--no-hyphenation` or\n"
        "   `--no-justification` is used."
    )
    assert any(item in p.text for p in analysis.passages)
    assert any(
        b.kind == "item" and analysis.document.text[b.start : b.end] == item
        for b in analysis.blocks
    )


def test_badges_and_raw_html_blocks_are_boilerplate(tmp_path: Path, counter):
    page = (
        "# Tool\n\n[![build](https://ci.example/badge.svg)](https://ci.example) "
        '![pypi](https://img.example/v.svg)\n\n<div align="center"><img src="logo.png"></div>\n\n'
        "The tool reads files and writes reports for the people who asked for them.\n"
    )
    (tmp_path / "tool.md").write_text(page, encoding="utf-8")
    loaded = read_file(tmp_path / "tool.md", tmp_path)
    assert {m.reason for m in loaded.marked} == {"badge", "raw HTML block"}
    analysis = analyze(loaded, counter.span_counter(loaded.document.text))
    assert [p.text for p in analysis.passages] == [
        "The tool reads files and writes reports for the people who asked for them."
    ]


def test_a_myst_admonition_is_a_title_then_prose(counter):
    """pip's docs write cautions as MyST fences (```` ```{caution} ````): read as code, their
    words were in no caveat; now the opening line is the one-word title block the caveat
    rules know from HTML and reST, and the content is prose."""
    analysis = _analysis("pip-caching.md", counter)
    text = analysis.document.text
    shown = [(b.kind, text[b.start : b.end]) for b in analysis.blocks]
    at = shown.index(("paragraph", "```{caution}"))
    kind, content = shown[at + 1]
    assert kind == "paragraph" and content.startswith("The exact filesystem structure")
    assert content.endswith("may change between any two versions of pip.")
    assert ("code", "pip cache dir") not in shown  # a {pip-cli}-like fence stays code


@pytest.mark.parametrize(
    ("name", "caution"),
    [
        ("pip-caching.md", "The exact filesystem structure of pip's cache's contents"),
        ("pip-installation.md", "the zip application should not be used in production"),
        ("pip-vcs-support.md", "`git+http` schemes is discouraged"),
    ],
)
def test_the_caution_of_a_myst_admonition_is_a_caveat(name, caution):
    from ingest.analyze import document_blocks
    from ingest.caveats import apply_rules, find_caveats

    loaded = read_file(DATA / name, DATA)
    found = find_caveats(
        loaded.document, ruled=apply_rules(loaded.document, document_blocks(loaded))
    )
    texts = [" ".join(c.text.split()) for c in found]  # hard-wrapped lines
    assert any(caution in text for text in texts), texts
