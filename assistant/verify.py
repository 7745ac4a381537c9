"""`cited verify`: check the quotes of saved answers against the corpus files as they are now.

Each quote and caveat of an Answer carries its receipt in `source`: the file, the
offsets, the file's sha256 and the index version. A quote is `ok` when the text cited
reads from the file today (ingest's loader, so HTML and PDF are compared as extracted
text, never raw bytes) still holds it at those offsets, `moved` when the same text is
found elsewhere in the file (the new offsets are reported), and `changed` when it is no
longer in the file, or the file is gone or unreadable.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.errors import CitedError
from ingest.load import load_document

OK, MOVED, CHANGED = "ok", "moved", "changed"


class AnswerFileError(CitedError):
    """The input is not one or more saved Answer objects."""


@dataclass(frozen=True)
class Check:
    """The verdict on one quote: its receipt, and where its text is now (if anywhere)."""

    status: str
    kind: str  # "quote" or "caveat"
    file: str
    start: int
    end: int
    text: str
    now: tuple[int, int] | None = None
    reason: str = ""
    sha256_same: bool | None = None

    def line(self) -> str:
        """One line for the terminal."""
        where = f"{self.file} [{self.start}:{self.end}]"
        quoted = _preview(self.text)
        if self.status == OK:
            edited = " (file edited elsewhere)" if self.sha256_same is False else ""
            return f"ok       {self.kind:<6} {where} {quoted}{edited}"
        if self.status == MOVED and self.now is not None:
            return f"moved    {self.kind:<6} {where} -> [{self.now[0]}:{self.now[1]}] {quoted}"
        return f"changed  {self.kind:<6} {where} {self.reason} {quoted}"


def parse_answers(text: str, name: str) -> list[dict[str, Any]]:
    """The Answer objects in `text`: one JSON object, a JSON array, or JSONL."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = [_jsonl_line(line, n, name) for n, line in enumerate(text.splitlines(), 1)]
        data = [item for item in data if item is not None]
    answers = data if isinstance(data, list) else [data]
    for n, answer in enumerate(answers, 1):
        if not isinstance(answer, dict) or not isinstance(answer.get("quotes"), list):
            raise AnswerFileError(
                f"{name}: item {n} is not an Answer object (no 'quotes' list); save answers "
                "with `cited ask --json`"
            )
    if not answers:
        raise AnswerFileError(f"{name}: no answers in it; save some with `cited ask --json`")
    return answers


def _jsonl_line(line: str, number: int, name: str) -> Any:
    if not line.strip():
        return None
    try:
        return json.loads(line)
    except json.JSONDecodeError as error:
        raise AnswerFileError(
            f"{name}: line {number} is not JSON ({error.msg}); give one Answer object, a "
            "JSON array of them, or one a line as `cited ask --json` prints"
        ) from None


def receipts(answers: list[dict[str, Any]]) -> Iterator[tuple[str, dict[str, Any]]]:
    """("quote" | "caveat", item) for every quote and caveat of the answers."""
    for answer in answers:
        for quote in answer.get("quotes") or []:
            yield "quote", quote
        for caveat in answer.get("caveats") or []:
            yield "caveat", caveat


def verify(answers: list[dict[str, Any]], corpus_dir: Path) -> list[Check]:
    """The verdict on every quote and caveat of `answers`, files read once each."""
    texts: dict[str, tuple[str | None, str, str]] = {}  # file -> (text, sha256, why not)
    checks = []
    for kind, item in receipts(answers):
        source = item.get("source") or {}
        file = str(source.get("file", ""))
        if file not in texts:
            texts[file] = _read(corpus_dir, file)
        checks.append(_check(kind, item, source, texts[file]))
    return checks


def _read(corpus_dir: Path, file: str) -> tuple[str | None, str, str]:
    """The text cited reads from `file` now, its sha256, or why there is none."""
    root = Path(corpus_dir).resolve()
    path = (root / file).resolve()
    if not file or not path.is_relative_to(root):
        return None, "", f"(not a file of the corpus folder {corpus_dir})"
    if not path.is_file():
        return None, "", "(the file is gone)"
    try:
        document = load_document(path, root)
    except CitedError as error:
        return None, "", f"(cannot read it now: {error})"
    return document.text, document.sha256, ""


def _check(kind: str, item: dict[str, Any], source: dict[str, Any], read: tuple) -> Check:
    text_now, sha_now, why_not = read
    quote = str(item.get("text", ""))
    start, end = int(source.get("start", 0)), int(source.get("end", 0))
    receipt = Check(CHANGED, kind, str(source.get("file", "")), start, end, quote)
    if text_now is None:
        return _with(receipt, reason=why_not)
    same_file = sha_now == source["sha256"] if source.get("sha256") else None
    if text_now[start:end] == quote:
        return _with(receipt, status=OK, sha256_same=same_file)
    found = _nearest(text_now, quote, start)
    if found is None:
        return _with(receipt, reason="(no longer in the file)", sha256_same=same_file)
    return _with(receipt, status=MOVED, now=(found, found + len(quote)), sha256_same=same_file)


def _nearest(text: str, quote: str, start: int) -> int | None:
    """The offset of the occurrence of `quote` in `text` closest to `start`."""
    if not quote:
        return None
    best, at = None, text.find(quote)
    while at != -1:
        if best is None or abs(at - start) < abs(best - start):
            best = at
        at = text.find(quote, at + 1)
    return best


def _with(check: Check, **changes: Any) -> Check:
    from dataclasses import replace

    return replace(check, **changes)


def _preview(text: str, width: int = 60) -> str:
    flat = " ".join(text.split())
    return json.dumps(flat if len(flat) <= width else flat[: width - 1] + "…", ensure_ascii=False)


def summary(checks: list[Check], answers: int) -> str:
    """The closing line: how many held."""
    counts = {status: sum(c.status == status for c in checks) for status in (OK, MOVED, CHANGED)}
    return (
        f"{counts[OK]} ok, {counts[MOVED]} moved, {counts[CHANGED]} changed "
        f"({len(checks)} quotes and caveats in {answers} answer{'s' if answers != 1 else ''})"
    )
