"""The format registry: one place knows the suffixes, the reader and the sniffing."""

from __future__ import annotations

import dataclasses

import pytest

import ingest.formats as formats
from ingest.formats import Format, Reading, content_problem, format_for


def test_suffixes_in_message_order():
    assert formats.SUFFIXES == (".txt", ".md", ".rst", ".html", ".htm", ".pdf")
    assert formats.kinds_phrase() == ".txt, .md, .rst, .html or .pdf"


@pytest.mark.parametrize(
    ("name", "phrase"),
    [
        ("a.txt", "text file"),
        ("b/C.MD", "Markdown file"),
        ("guide.rst", "reStructuredText file"),
        ("x.htm", "HTML page"),
        ("y.pdf", "PDF"),
    ],
)
def test_format_for_a_name(name, phrase):
    assert format_for(name).name == phrase


def test_unknown_types_have_no_format():
    assert format_for("notes.docx") is None
    assert format_for("data.json") is None and format_for("data.json.gz") is None
    assert format_for("notes.txt~") is None and format_for("notes~") is None
    assert format_for("#notes#") is None


@pytest.mark.parametrize(
    "name",
    ["README", "folder.txt/README", "copyright", "TODO", "README.Debian", "NEWS.Debian.gz"],
)
def test_document_names_without_a_format_suffix_are_read_by_content(name):
    """One rule for plain and compressed names: README reads as README.gz does."""
    fmt = format_for(name)
    assert fmt is not None and fmt.name.endswith("document")
    assert formats.type_suffix(name) in ("", ".gz")


def test_a_zip_based_format_registered_later_is_accepted_by_upload_sniffing(monkeypatch):
    """Sniffing asks the registry; nothing says 'ZIP is bad' on its own."""
    docx = Format(
        name="Word document",
        suffixes=(".docx",),
        read=lambda raw, file, limits: Reading(text="x"),
        sniff=lambda head: head.startswith(b"PK\x03\x04"),
    )
    zipped = b"PK\x03\x04" + b"word/document.xml" * 10
    assert "ZIP" in content_problem(zipped, ".html")
    monkeypatch.setattr(formats, "FORMATS", (*formats.FORMATS, docx))
    monkeypatch.setattr(formats, "_BY_SUFFIX", {**formats._BY_SUFFIX, ".docx": docx})
    assert content_problem(zipped, ".docx") is None
    assert "Word document" in content_problem(zipped, ".txt")


def test_utf16_text_passes_upload_sniffing():
    assert content_problem("Plain words.\n".encode("utf-16"), ".txt") is None
    assert content_problem("Plain words.\n".encode("utf-32"), ".md") is None


def test_format_contract_extended_compatibly():
    """`mismatch` was added with a default: a Format built with the four original fields works."""
    plain = Format("x", (".x",), lambda r, f, lim: Reading(text=""), lambda h: True)
    assert plain.mismatch == ""
    assert {f.name for f in dataclasses.fields(Format)} >= {"name", "suffixes", "read", "sniff"}


@pytest.mark.parametrize(
    ("name", "by_content"),
    [
        ("v2.38-ReleaseNotes.gz", True),  # util-linux's release notes
        ("changelog.Debian.amd64.gz", True),
        ("descore.README", True),
        ("changelog_search.js", False),  # python3.11-doc's _static script, not a changelog
        ("conf.py.gz", False),
        ("api.json", False),
    ],
)
def test_which_qualified_names_are_documents(name, by_content):
    assert (format_for(name) is not None) == by_content
