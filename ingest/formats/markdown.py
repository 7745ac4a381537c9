"""Markdown: the file's decoded content, unchanged; its structure from a CommonMark parser."""

from __future__ import annotations

import re

from ingest.formats.base import Format, Limits, Reading
from ingest.formats.txt import decode, sniff_plain


def read(raw: bytes, file: str, limits: Limits) -> Reading:
    """Markdown: decoded verbatim; title is the first '# ' heading."""
    text = decode(raw, file)
    match = re.search(r"^[ \t]*#[ \t]+(.+?)[ \t#]*$", text, re.MULTILINE)
    return Reading(text=text, title=match.group(1).strip() if match else None)


FORMAT = Format(
    name="Markdown file",
    suffixes=(".md",),
    read=read,
    sniff=sniff_plain,
    mismatch="the content is binary data, not text",
)
