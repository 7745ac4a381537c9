"""Terminal formatting in text files: backspace overstrike and ANSI escapes, removed.

A manual page formatted for a terminal (`man ls > ls.txt`, man-db's own manual.txt.gz)
prints bold as `N\\bN`, underline as `_\\bx`, bullets as `+\\bo`, and colour or weight as
ANSI SGR sequences (`ESC[1m` ... `ESC[0m`). Left in, they split words for search and show as
junk in quotes; kept as boilerplate, every formatted word would break a quote in pieces.
So a text file's `document.text` is its decoded text with these removed (the letters they
format stay), and quotes are verbatim to that cleaned text, as a compressed file's are to
its decompressed text. A file without them is returned unchanged.
"""

from __future__ import annotations

import re

#: SGR (ESC [ params m: weight, underline, colour) and OSC 8 hyperlinks (groff 1.23's man
#: pages): formatting. Other escapes (a screen clear, a window title, a clipboard write)
#: are no formatting: they stay in the text, verbatim, and never reach a terminal
#: (`assistant.terminal`, issue #15).
_ANSI = re.compile(r"\x1b\[[0-9;:]*m|\x1b\]8;[^\x07\x1b]*(?:\x07|\x1b\\)")
#: "x\b_": the underline struck after the letter (the letter stays).
_UNDERLINE_AFTER = re.compile(r"([^\x08\n])\x08_")
#: "X\b" before another character: struck over (bold "X\bX", underline "_\bx", "+\bo").
_STRUCK = re.compile(r"[^\x08\n]\x08(?=[^\x08\n])")


def strip_formatting(text: str) -> tuple[str, int]:
    """`text` without overstrikes and ANSI escapes, and how many of them were removed."""
    if "\x1b" not in text and "\x08" not in text:
        return text, 0
    text, escapes = _ANSI.subn("", text)
    text, after = _UNDERLINE_AFTER.subn(r"\1", text)
    text, struck = _STRUCK.subn("", text)
    return text, escapes + after + struck


def note(removed: int) -> str:
    """What `cited inspect` says about a file whose formatting was removed."""
    return (
        f"terminal formatting removed ({removed:,} overstrikes and escape sequences); "
        "quotes are verbatim to the text without them"
    )
