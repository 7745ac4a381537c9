"""Question cleaning: what a typed or pasted question becomes before it is searched."""

from __future__ import annotations

import re
import unicodedata

from index.errors import QuestionError

MAX_QUESTION_CHARS = 1000
# Terminal escape sequences (colours, cursor moves) pasted with a question: dropped whole,
# where removing only the ESC byte left words like "[31m" in the question.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def clean_question(question: str) -> str:
    """The question with terminal escape sequences and control characters removed and
    whitespace folded.

    Raises QuestionError for an empty question or one too long to be a question."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    if len(question) > MAX_QUESTION_CHARS * 4:
        raise QuestionError(
            f"the question is {len(question):,} characters long; ask in at most "
            f"{MAX_QUESTION_CHARS:,}"
        )
    plain = _ESCAPE_SEQUENCE.sub(" ", question)
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in plain)
    text = " ".join(printable.split())
    if not text:
        raise QuestionError("the question is empty; type a question about the articles")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text):,} characters long; ask in at most {MAX_QUESTION_CHARS:,}"
        )
    return text
