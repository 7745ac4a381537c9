"""THE format registry: which files cited reads, how each is recognised, and how it is read.

One module per format (txt, markdown, html, pdf) exposes `FORMAT`; adding a format is a new
module listed in `_MODULES` (plus its tests). Everything else asks here: the suffixes ingest
accepts, the phrase for messages, and whether an upload's bytes are what its name says.
"""

from __future__ import annotations

import importlib

from ingest.formats.base import Format, Limits, MarkedSpan, Reading
from ingest.formats.txt import NOT_TEXT

__all__ = ["FORMATS", "SUFFIXES", "Format", "Limits", "MarkedSpan", "Reading"]

#: Bytes from the start of a file that sniffing looks at.
SNIFF_BYTES = 65536
_MODULES = ("txt", "markdown", "html", "pdf")
#: Text formats accept any text, so they are never named as "what the content really is".
_TEXT_MODULES = ("txt", "markdown")


def _load(name: str) -> Format:
    return importlib.import_module(f"ingest.formats.{name}").FORMAT


FORMATS: tuple[Format, ...] = tuple(_load(name) for name in _MODULES)
_TEXT_FORMATS = tuple(_load(name) for name in _TEXT_MODULES)
#: Every suffix a corpus file may have, in the order messages list them.
SUFFIXES: tuple[str, ...] = tuple(s for f in FORMATS for s in f.suffixes)
_BY_SUFFIX = {suffix: f for f in FORMATS for suffix in f.suffixes}


def format_for(name: str) -> Format | None:
    """The format of a file named `name` (by its suffix), or None if cited cannot read it."""
    dot = name.rfind(".")
    return _BY_SUFFIX.get(name[dot:].lower()) if dot > name.rfind("/") else None


def suffix_list() -> str:
    """ ".txt, .md, .html, .htm, .pdf": every accepted suffix."""
    return ", ".join(SUFFIXES)


def kinds_phrase() -> str:
    """ ".txt, .md, .html or .pdf": one suffix a format, for "add ... articles"."""
    main = [f.suffixes[0] for f in FORMATS]
    return ", ".join(main[:-1]) + f" or {main[-1]}" if len(main) > 1 else main[0]


def content_problem(data: bytes, suffix: str) -> str | None:
    """Why `data` is not a file of type `suffix` (".txt", ".pdf", ...), or None if it is."""
    if not data.strip():
        return "the file is empty"
    claimed = _BY_SUFFIX.get(suffix.lower())
    if claimed is None:
        return f"type {suffix or '(no extension)'} is not supported; add {suffix_list()} files"
    head = data[:SNIFF_BYTES]
    if claimed.sniff(head):
        return None
    other = next((f for f in FORMATS if f not in _TEXT_FORMATS and f.sniff(head)), None)
    if other is not None and other is not claimed:
        return f"the content is {_a(other.name)}; save it with the {other.suffixes[0]} extension"
    known = next((what for magic, what in NOT_TEXT if data.startswith(magic)), None)
    if known:
        return f"the content is {known}, not text; add it with the right extension or as text"
    return claimed.mismatch or f"the content is not {_a(claimed.name)}"


def suffix_for_content(head: bytes) -> str | None:
    """The suffix the first bytes of a nameless file show (".pdf", ".html", ".txt"), or
    None when no format reads them: formats that recognise their own bytes come first,
    text (which accepts any text) last."""
    other = next((f for f in FORMATS if f not in _TEXT_FORMATS and f.sniff(head)), None)
    if other is not None:
        return other.suffixes[0]
    text = next((f for f in _TEXT_FORMATS if f.sniff(head)), None)
    return text.suffixes[0] if text is not None else None


def _a(name: str) -> str:
    """The name with its article: "a PDF", "an HTML page", "a text file"."""
    acronym = name[:2].isupper()
    vowel_sound = name[:1] in ("AEFHILMNORSX" if acronym else "aeiouAEIOU")
    return f"{'an' if vowel_sound else 'a'} {name}"
