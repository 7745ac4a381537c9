"""Plain-text helpers shared by ingest and the assistant: sentence spans, slugs, spaces.

Dependency-free on purpose: the assistant uses `sentence_spans` to highlight the best
sentence of a quote, and must not pull in anything heavy for it.
"""

from __future__ import annotations

import re
import unicodedata

Span = tuple[int, int]

# A list marker at the start of a line: "- ", "• ", "* ", "1. " (the marker is not part of
# the sentence, so a highlighted or quoted sentence starts at its first word).
LIST_MARKER = re.compile(r"[ \t]*(?:[-•*–▪◦]|\d{1,3}\.)[ \t]+")

# End of a sentence: terminal punctuation, then any closing quotes or brackets.
_TERMINATOR = re.compile(r"[.!?…]+[”’\"')\]»]*")

# Sentence punctuation (and closing quotes) at the end of a line; only a line's last
# characters are searched, so a megabyte-long line costs no more than a short one.
_SENTENCE_END = re.compile(r"[.!?…;,][”’\"')\]»]*$|[”\"]$")
_TAIL_CHARS = 64

# The first character after whitespace.
_NEXT_WORD = re.compile(r"\s*(\S)")
MAX_ABBREVIATION_CHARS = 8

# Words after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    {"dr", "mr", "mrs", "ms", "prof", "st", "jr", "sr", "vs", "etc", "e.g", "i.e", "inc"}
    | {"ltd", "co", "no", "fig", "approx", "dept", "est", "mt", "ph.d", "u.s", "u.k", "a.m"}
    | {"p.m"}
)


def sentence_spans(text: str) -> list[Span]:
    """Half-open spans of the sentences in `text`, trimmed of whitespace and list markers.

    Lines are hard boundaries (so headings and list items are their own spans) unless a
    line is plainly soft-wrapped: it lacks end punctuation and the next starts lowercase.
    """
    spans: list[Span] = []
    for start, end in _line_groups(text):
        spans.extend(_split_segment(text, start, end))
    return spans


def squash(text: str) -> str:
    """Collapse runs of whitespace to one space, without leading or trailing space."""
    return _SPACES.sub(" ", text).strip()


_SPACES = re.compile(r"\s+")


def slugify(text: str) -> str:
    """Kebab-case ASCII slug: "Make Him Miss You: Why" -> "make-him-miss-you-why"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def ends_sentence(line: str) -> bool:
    """True if the (stripped) line ends with sentence punctuation, quotes included."""
    tail = line[-_TAIL_CHARS:].rstrip() or line.rstrip()[-_TAIL_CHARS:]
    return bool(_SENTENCE_END.search(tail))


def _line_groups(text: str) -> list[Span]:
    """Spans of non-blank lines, joining a line with the next when it is soft-wrapped."""
    groups: list[Span] = []
    pos = 0
    last_line = ""  # all `_continues` looks at (copying the whole group is quadratic)
    adjacent = False  # whether `last_line` is the line just before, no blank line between
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        if body.strip():
            start, end = pos, pos + len(body)
            if groups and _continues(last_line, body, adjacent):
                groups[-1] = (groups[-1][0], end)
            else:
                groups.append((start, end))
            last_line = body
        adjacent = bool(body.strip())
        pos += len(line)
    return groups


def _continues(previous: str, line: str, adjacent: bool = False) -> bool:
    """A line continues the previous one when that one is unfinished and this is lowercase,
    or, right below it, opens with code, a bracket or a quote: a manual wraps "Do not
    specify API file systems such as" before "`/proc/` or `/sys/` here"."""
    stripped = line.lstrip()
    if not stripped or LIST_MARKER.match(line):
        return False
    if not (stripped[0].islower() or (adjacent and _RUN_ON.match(stripped))):
        return False
    if not _LETTER_OR_DIGIT.search(stripped):  # a rule ("***") goes on nothing
        return False
    prev = previous.rstrip()
    if prev.lstrip().startswith(_FENCES) or not _LETTER_OR_DIGIT.search(prev):
        return False  # nothing continues a code fence or a rule ("---")
    return bool(prev) and not _FINISHED.search(prev[-_TAIL_CHARS:]) and not prev.endswith(":")


#: A line that ends a sentence: its terminator, then any closing quotes or brackets. A
#: line broken after a comma, a semicolon or a quoted word ("do not map to actual
#: "human"" before "users, but are used as…") goes on when the next opens lowercase.
_FINISHED = re.compile(r"[.!?…][”’\"')\]»]*$")
#: What a wrapped line may open with besides a lowercase letter: a name in code, a
#: parenthesis, a variable, a path, a quotation, a MyST role ("{ref}`...`"), emphasis;
#: never a code fence, a shell prompt or a list marker.
_RUN_ON = re.compile(r"""`(?!``)|[(\[</"'“‘{]|[$*_]\S""")
_FENCES = ("```", "~~~")
_LETTER_OR_DIGIT = re.compile(r"[^\W_]")


def _split_segment(text: str, start: int, end: int) -> list[Span]:
    """Split one line group at sentence ends; trim whitespace and a leading list marker."""
    marker = LIST_MARKER.match(text, start, end)
    if marker:
        start = marker.end()
    spans: list[Span] = []
    cursor = start
    for match in _TERMINATOR.finditer(text, start, end):
        if _is_boundary(text, match, end):
            spans.append((cursor, match.end()))
            cursor = match.end()
    spans.append((cursor, end))
    return [span for span in (_trim(text, s, e) for s, e in spans) if span[0] < span[1]]


def _is_boundary(text: str, match: re.Match[str], end: int) -> bool:
    """Does this terminator end a sentence? Needs whitespace, then a sentence-like start."""
    after = match.end()
    if after >= end:
        return False
    if not text[after].isspace():
        return False
    following = _NEXT_WORD.match(text, after, end)  # a match, not a copy of the rest
    if following is None or following.group(1).islower():
        return False
    return not (match.group().startswith(".") and _is_abbreviation(text, match.start()))


def _is_abbreviation(text: str, dot: int) -> bool:
    """True if the word before the period at `dot` is a known abbreviation or an initial."""
    word_start = dot
    floor = max(0, dot - MAX_ABBREVIATION_CHARS)  # abbreviations are short: look back no further
    while word_start > floor and (text[word_start - 1].isalnum() or text[word_start - 1] == "."):
        word_start -= 1
    word = text[word_start:dot].lower()
    return word in _ABBREVIATIONS or (len(word) == 1 and word.isalpha())


def _trim(text: str, start: int, end: int) -> Span:
    """Move the span's edges inward past whitespace."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
