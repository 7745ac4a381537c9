"""reStructuredText: structure from its lines, on real files (tests/data/rst/README.md).

Before: `.rst` files were refused as an unsupported type, while `.rst.gz` files were read as
plain text by their content, with `.. code-block::` lines, link targets and comments in
passages and `=====` underlines as blocks of their own.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from assistant.web import uploads
from index.errors import UnreadableFileError
from ingest.analyze import analyze, read_file
from ingest.caveats import apply_rules, find_caveats
from ingest.formats import Limits, content_problem, format_for
from ingest.formats.rst import read
from ingest.inspect import TokenCounter
from ingest.pipeline import build_index
from tests.command import cited

DATA = Path(__file__).resolve().parents[2] / "data" / "rst"
CONVENTIONS = DATA / "python3-pip" / "conventions.rst"
DEBUG = DATA / "python3-pip" / "pip_debug.rst"
BUILD_META = DATA / "python3-setuptools" / "build_meta.rst.gz"
FILES = [CONVENTIONS, DEBUG, BUILD_META]
_ADORNMENT = re.compile(r"([=\-`:'\"~^_*+#<>.!$%&(),/;?@\[\]\\{|}])\1+")


@pytest.fixture(scope="module")
def counter() -> TokenCounter:
    return TokenCounter()


def _analysis(path: Path, counter: TokenCounter):
    loaded = read_file(path, path.parent)
    return loaded, analyze(loaded, counter.span_counter(loaded.document.text))


def _raw(path: Path) -> str:
    data = path.read_bytes()
    return (gzip.decompress(data) if path.suffix == ".gz" else data).decode("utf-8")


def _titles_by_hand(text: str) -> list[str]:
    """Lines at column 0 underlined by an adornment at least as long (an overline's title
    is the line between two equal adornments)."""
    lines = text.splitlines()
    titles = []
    for above, line, below in zip(["", *lines[:-1]], lines, [*lines[1:], ""], strict=True):
        if not line.strip() or line[0].isspace() or _ADORNMENT.fullmatch(line.rstrip()):
            continue
        underlined = _ADORNMENT.fullmatch(below.rstrip()) and len(below.strip()) >= len(
            line.strip()
        )
        overlined = (
            above.strip() and above.rstrip() == below.rstrip() and _ADORNMENT.fullmatch(above)
        )
        if underlined or overlined:
            titles.append(line.strip())
    return titles


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_title_is_a_section_and_the_text_is_the_file(path, counter):
    _, analysis = _analysis(path, counter)
    text = analysis.document.text
    assert text == _raw(path)
    found = [text[b.start : b.end] for b in analysis.blocks if b.kind in ("title", "heading")]
    assert found == _titles_by_hand(text)
    assert analysis.document.title == found[0]
    assert all(p.text == text[p.start : p.end] for p in analysis.passages)
    assert all(text[b.start : b.end] == text[b.start : b.end].strip() for b in analysis.blocks)


def test_a_literal_block_is_code_with_its_line_breaks_never_headings(counter):
    """conventions.rst shows heading markup inside a `::` literal block."""
    _, analysis = _analysis(CONVENTIONS, counter)
    text = analysis.document.text
    code = [text[b.start : b.end] for b in analysis.blocks if b.kind == "code"]
    assert len(code) == 1 and code[0].startswith("=========\n   Heading 1\n   =========\n")
    assert "Heading 1" not in {b.section for b in analysis.blocks}
    passage = next(p for p in analysis.passages if "Heading 1" in p.text)
    assert code[0] in passage.text  # kept whole, with its line breaks


def test_markup_is_boilerplate_with_its_reason_and_in_no_passage(counter):
    loaded, analysis = _analysis(CONVENTIONS, counter)
    text = analysis.document.text
    assert [(text[m.start : m.end], m.reason) for m in loaded.marked] == [
        (":orphan:", "field list")
    ]
    _, debug = _analysis(DEBUG, counter)
    debug_loaded = read_file(DEBUG, DEBUG.parent)
    reasons = {debug.document.text[m.start : m.end]: m.reason for m in debug_loaded.marked}
    assert reasons[".. _`pip debug`:"] == "link target"
    assert reasons['.. pip-command-usage:: debug "python -m pip"'] == "directive"
    for passage in [*analysis.passages, *debug.passages]:
        assert ":orphan:" not in passage.text and "pip-command" not in passage.text


def test_a_warning_directive_is_a_caveat_as_an_html_warning_box_is(counter):
    _, analysis = _analysis(DEBUG, counter)
    document = analysis.document
    caveats = find_caveats(document, None, apply_rules(document, analysis.blocks))
    assert [(c.text, c.kind) for c in caveats] == [
        ("This command is only meant for debugging.", "warning"),
        ("Its options and outputs are provisional and may change without notice.", "warning"),
    ]


def test_rst_gz_reads_as_rst_with_code_and_admonitions(counter):
    _, analysis = _analysis(BUILD_META, counter)
    assert format_for(BUILD_META.name).name == "gzip-compressed reStructuredText file"
    text = analysis.document.text
    kinds = [(b.kind, text[b.start : b.end]) for b in analysis.blocks]
    important = kinds.index(("paragraph", "important"))  # `.. important:: Make sure ...`
    assert kinds[important + 1][1].startswith("Make sure your backend script is included")
    code = [t for kind, t in kinds if kind == "code"]
    assert '[build-system]\n    requires = ["setuptools"]' in code[1]
    assert not any(".. code-block::" in t or t.startswith(".. _") for _, t in kinds)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("Title\n#####\n\nText.\n", [("title", "Title"), ("paragraph", "Text.")]),
        ("~~~~~\nTitle\n~~~~~\n\nText.\n", [("title", "Title"), ("paragraph", "Text.")]),
        (
            "Too long a title\n===\n\nText.\n",
            [("paragraph", "Too long a title\n==="), ("paragraph", "Text.")],
        ),
        (
            "Use it::\n\n    # a comment\n    =========\n\nAfter.\n",
            [
                ("label", "Use it::"),
                ("code", "# a comment\n    ========="),
                ("paragraph", "After."),
            ],
        ),
        (
            ".. code-block:: python\n   :caption: x.py\n\n   x = 1\n   Heading\n   =======\n",
            [("code", "x = 1\n   Heading\n   =======")],
        ),
        (
            "term\n   Its definition,\n   wrapped.\n",
            [("label", "term"), ("paragraph", "Its definition,\n   wrapped.")],
        ),
        (
            "- one\n  wrapped\n- two\n\n1. first\n",
            [("item", "one\n  wrapped"), ("item", "two"), ("item", "first")],
        ),
        (
            "===  ===\nA    B\n===  ===\n1    2\n===  ===\n",
            [("table", "===  ===\nA    B\n===  ===\n1    2\n===  ===")],
        ),
        (
            ".. |v| replace:: 1.0\n.. comment\n   more\n.. _x: http://x\n\nText.\n",
            [("paragraph", "Text.")],
        ),
    ],
)
def test_constructs(source, expected):
    reading = read(source.encode(), "x.rst", Limits())
    got = [(b.kind, reading.text[b.start : b.end]) for b in reading.blocks]
    assert got == expected


def test_substitutions_comments_and_targets_are_marked():
    source = ".. |v| replace:: 1.0\n.. comment\n   more\n.. _x: http://x\n\nText.\n"
    reading = read(source.encode(), "x.rst", Limits())
    assert [m.reason for m in reading.boilerplate] == [
        "substitution definition",
        "comment",
        "link target",
    ]


def test_binary_named_rst_is_refused_in_one_line(tmp_path):
    with pytest.raises(UnreadableFileError) as caught:
        read(b"\x89PNG\r\n\x1a\n\x00\x00" * 50, "x.rst", Limits())
    assert caught.value.reason == "binary data, not text"
    assert content_problem(b"\x89PNG\r\n\x1a\n\x00\x00" * 50, ".rst") == (
        "the content is a PNG image, not text; add it with the right extension or as text"
    )


def test_the_library_takes_rst_uploads(tmp_path):
    result = uploads.save_uploads(tmp_path / "c", [(p.name, p) for p in FILES])
    assert result.saved == ("conventions.rst", "pip-debug.rst", "build-meta.rst.gz")


def test_ingest_indexes_rst_and_inspect_shows_its_sections(tmp_path, embedder):
    corpus = tmp_path / "corpus"
    uploads.save_uploads(corpus, [(p.name, p) for p in FILES])
    summary = build_index(corpus, tmp_path / "index", embedder)
    assert not summary.errors and len(summary.added) == 3
    row = json.loads(cited("inspect", "--json", str(CONVENTIONS)).stdout)
    assert row["error"] is None and row["title"] == "Documentation Conventions"
    assert {p["section"] for p in row["passages"]} >= {"Naming", "Headings", "Writing"}
    assert row["boilerplate"] == [{"start": 0, "end": 8, "reason": "field list"}]


def test_the_test_data_is_what_its_readme_names():
    listed = (DATA / "README.md").read_text(encoding="utf-8")
    files = sorted(p.relative_to(DATA).as_posix() for p in DATA.rglob("*") if p.is_file())
    assert files == sorted([*(p.relative_to(DATA).as_posix() for p in FILES), "README.md"])
    assert all(f"| {p.relative_to(DATA).as_posix()} |" in listed for p in FILES)


def test_a_staircase_of_indents_reads_flat_instead_of_recursing_without_end():
    """3,000 ever deeper block quotes or nested `.. note::` bodies: read in bounded depth."""
    stair = "".join(" " * i + f"step {i}\n" for i in range(3000))
    reading = read(stair.encode(), "stair.rst", Limits())
    assert reading.text[reading.blocks[-1].start :].startswith("step 40")
    nested = "".join(" " * (3 * i) + ".. note::\n\n" for i in range(2000)) + " " * 6000 + "x\n"
    assert len(read(nested.encode(), "nested.rst", Limits()).blocks) == 2001
