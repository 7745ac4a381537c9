"""Text made safe to write to a terminal: no escape sequence from an article reaches it.

An article or a file name can hold terminal escape sequences: OSC 0 sets the window title,
CSI 2J clears the screen, OSC 52 writes the clipboard. `cited ask`, `cited docs` and the
build's warnings write such text to a terminal, so every escape sequence is dropped whole
and any other control character is shown as `\\xNN`. JSON output is never passed through
here: it stays exact (JSON escapes control characters itself).
"""

from __future__ import annotations

import dataclasses
import logging
import re
from typing import Any, TypeVar

# ESC-introduced sequences (7-bit) and their 8-bit C1 forms: CSI ... final byte;
# OSC/DCS/SOS/PM/APC ... terminated by BEL or ST (or left unterminated to the end);
# any other two-character escape.
_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]?"
    r"|(?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]?"
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

T = TypeVar("T")


def for_terminal(text: str) -> str:
    """`text` without escape sequences; other control characters (not tab or newline) as
    `\\xNN`, so a file name stays recognisable."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", _SEQUENCE.sub("", text))


def safe_copy(record: T) -> T:
    """A copy of a frozen dataclass (an Answer, a Quote, ...) whose every string is safe for
    a terminal. A field `text` with a `highlight` span beside it keeps the span on the same
    words."""
    if not dataclasses.is_dataclass(record) or isinstance(record, type):
        return record
    changes: dict[str, Any] = {}
    for field in dataclasses.fields(record):
        changes[field.name] = _safe_value(getattr(record, field.name))
    text, span = getattr(record, "text", None), getattr(record, "highlight", None)
    if isinstance(text, str) and _is_span(span):
        changes["text"], changes["highlight"] = _safe_with_span(text, span)
    return dataclasses.replace(record, **changes)


def _safe_value(value: Any) -> Any:
    if isinstance(value, str):
        return for_terminal(value)
    if isinstance(value, tuple | list):
        return type(value)(_safe_value(v) for v in value)
    return safe_copy(value)


def _is_span(span: Any) -> bool:
    pair = isinstance(span, tuple | list) and len(span) == 2
    return pair and all(isinstance(i, int) for i in span)


def _safe_with_span(text: str, span: Any) -> tuple[str, Any]:
    start, end = span
    before, inside, after = (for_terminal(p) for p in (text[:start], text[start:end], text[end:]))
    new_span = (len(before), len(before) + len(inside))
    return before + inside + after, type(span)(new_span)


class TerminalSafeFormatter(logging.Formatter):
    """A log formatter whose lines (a skipped file's name and reason) are safe for a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        return for_terminal(super().format(record))
