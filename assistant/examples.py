"""Example questions: what the page offers to try, answered by the folder at hand.

The page used to offer five questions written for the shipped articles whatever the
folder held: on a folder of Python's documentation every one of them abstained, and "How
can I make him jealous so he comes back?" met no caveat. Now a question is offered only
when this index answers it (quotes, or the caveats a manipulative question leads with):
the shipped ones first, then the folder's own headings that ask a question ("How do I
get documentation on Python?", "When to use logging"), one document after another.
Worked out once per index version.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence
from typing import Any

from index.loaded import LoadedIndex

#: Written for the shipped articles; offered where the folder answers them.
SHIPPED = (
    "Why does being less available make someone value you more?",
    "How long should no contact last before they start missing me?",
    "What should I do with my time while we are apart?",
    "How can I make him jealous so he comes back?",
    "What is the peak-end rule?",
)
OFFERED = 5
#: Questions asked at most to find them: a folder that answers few stops early.
TRIED = 12
#: Passages whose sections are read, spread over the index (a large folder has many).
SAMPLED = 400
_ASKS = re.compile(
    r"^(?:how|why|what|when|which|who|where|should|can|could|do|does|is|are|will)\b", re.I
)
_NUMBERING = re.compile(r"^\s*(?:\d{1,3}(?:\.\d{1,3})*[.)]?|[A-Z][.)])\s+")


def heading_questions(loaded: LoadedIndex, limit: int = TRIED) -> list[str]:
    """The index's headings that ask something ("How do I get a beta test version of
    Python?", "When to use logging"), numbering dropped, never a document's title, taken
    one document after another so that no one document fills the list."""
    titles = {info.doc_id: info.title.casefold() for info in loaded.infos()}
    step = max(1, loaded.passage_count // SAMPLED)
    by_doc: dict[str, list[str]] = {}
    for passage in loaded.passages(list(range(0, loaded.passage_count, step))):
        heading = _NUMBERING.sub("", passage.section).strip()  # the innermost heading
        if not _ASKS.match(heading) or not 3 <= len(heading.split()) <= 14:
            continue
        if heading.casefold().rstrip(" ?") in titles.get(passage.doc_id, ""):
            continue
        found = by_doc.setdefault(passage.doc_id, [])
        if heading not in found:
            found.append(heading)
    turns = [found for _, found in sorted(by_doc.items())]
    ordered = [q for rank in range(max(map(len, turns), default=0)) for q in _at(turns, rank)]
    return ordered[:limit]


def _at(turns: Sequence[Sequence[str]], rank: int) -> list[str]:
    return [found[rank] for found in turns if rank < len(found)]


def answered_examples(assistant: Any, loaded: LoadedIndex) -> tuple[str, ...]:
    """Up to OFFERED questions this index answers: the shipped ones, then its headings."""
    candidates = list(dict.fromkeys([*SHIPPED, *heading_questions(loaded)]))[:TRIED]
    offered: list[str] = []
    for question in candidates:
        answer = assistant.answer(question)
        if answer.quotes or answer.caveats:
            offered.append(question)
            if len(offered) == OFFERED:
                break
    return tuple(offered)


class Examples:
    """`answered_examples` of the index version answers come from, worked out once."""

    def __init__(self, assistant: Any) -> None:
        self._assistant = assistant
        self._lock = threading.Lock()
        self._version: str | None = None
        self._offered: tuple[str, ...] = ()

    def current(self) -> tuple[str, ...]:
        loaded = self._assistant.index()
        with self._lock:
            if self._version != loaded.version:
                self._offered = answered_examples(self._assistant, loaded)
                self._version = loaded.version
            return self._offered
