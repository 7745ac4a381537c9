"""Caveat precision and recall over a labelled set of documents, per genre and split.

Each line of the set names a file, its genre ("shipped", "written", "neutral",
"python-docs"...), its split and the phrases a reader marked as its author's caveats
(limits, warnings, disclaimers). A found caveat is right when it overlaps a marked phrase;
a marked phrase is recalled when some found caveat overlaps it. Neutral texts mark none,
so every caveat found in them is a false one.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant.evaluate import REPORT_SPLITS, SPLITS, _cell, phrase_spans
from index.errors import CitedError

Span = tuple[int, int]
#: find(path) -> (the document's text, the spans of the caveats found in it)
CaveatFinder = Callable[[Path], tuple[str, Sequence[Span]]]


@dataclass(frozen=True)
class CaveatDoc:
    """One labelled document: where it is, its genre and split, its marked caveats."""

    id: str
    file: Path
    genre: str
    split: str
    caveats: tuple[str, ...]


@dataclass(frozen=True)
class CaveatMetrics:
    documents: int
    found: int
    correct: int
    marked: int
    recalled: int
    precision: float | None
    recall: float | None


@dataclass(frozen=True)
class CaveatReport:
    """Metrics by split, by genre within each split, and the mistakes."""

    splits: dict[str, CaveatMetrics]
    genres: dict[str, dict[str, CaveatMetrics]]
    false_caveats: tuple[dict[str, str], ...]
    missed: tuple[dict[str, str], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "splits": {n: asdict(m) for n, m in self.splits.items()},
            "genres": {s: {g: asdict(m) for g, m in gs.items()} for s, gs in self.genres.items()},
            "false_caveats": list(self.false_caveats),
            "missed": list(self.missed),
        }


def load_caveat_set(path: Path) -> list[CaveatDoc]:
    """Read a labelled caveat set; files are relative to the repository holding `path`
    (the folder above tests/). A bad line raises CitedError naming the line."""
    path = Path(path)
    root = path.resolve().parent.parent.parent
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise CitedError(f"{path}: cannot read the caveat set ({e.strerror or e})") from e
    docs = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            docs.append(_parse(path, number, line, root))
    return docs


def _parse(path: Path, number: int, line: str, root: Path) -> CaveatDoc:
    try:
        data = json.loads(line)
        doc = CaveatDoc(
            id=str(data["id"]),
            file=root / str(data["file"]),
            genre=str(data["genre"]),
            split=str(data["split"]),
            caveats=tuple(str(c) for c in data.get("caveats", [])),
        )
    except (json.JSONDecodeError, KeyError, TypeError) as e:
        raise CitedError(f"{path} line {number}: not a caveat record ({e})") from e
    if doc.split not in SPLITS:
        raise CitedError(f"{path} line {number}: split must be one of {', '.join(SPLITS)}")
    return doc


@dataclass(frozen=True)
class _Judged:
    doc: CaveatDoc
    found: int
    correct: int
    recalled: int
    false_texts: tuple[str, ...]
    missed: tuple[str, ...]


def evaluate_caveats(docs: Sequence[CaveatDoc], find: CaveatFinder) -> CaveatReport:
    """Run `find` on every document and score what it found against the marks."""
    judged = [_judge(doc, *find(doc.file)) for doc in docs]
    splits = {
        name: _metrics([j for j in judged if name in ("all", j.doc.split)])
        for name in REPORT_SPLITS
    }
    genres = {
        name: {
            genre: _metrics(
                [j for j in judged if j.doc.genre == genre and name in ("all", j.doc.split)]
            )
            for genre in dict.fromkeys(d.genre for d in docs)
        }
        for name in REPORT_SPLITS
    }
    false = tuple(
        {"id": j.doc.id, "split": j.doc.split, "text": t} for j in judged for t in j.false_texts
    )
    missed = tuple(
        {"id": j.doc.id, "split": j.doc.split, "text": t} for j in judged for t in j.missed
    )
    return CaveatReport(splits, genres, false, missed)


def _judge(doc: CaveatDoc, text: str, found: Sequence[Span]) -> _Judged:
    marked = {phrase: phrase_spans(text, [phrase]) for phrase in doc.caveats}
    marked_spans = [span for spans in marked.values() for span in spans]
    right = [s for s in found if _overlaps(s, marked_spans)]
    wrong = [
        " ".join(text[s:e].split())[:160] for s, e in found if not _overlaps((s, e), marked_spans)
    ]
    missed = [p for p, spans in marked.items() if not any(_overlaps(s, list(found)) for s in spans)]
    return _Judged(
        doc, len(found), len(right), len(marked) - len(missed), tuple(wrong), tuple(missed)
    )


def _overlaps(span: Span, others: Sequence[Span]) -> bool:
    return any(s < span[1] and span[0] < e for s, e in others)


def _metrics(judged: Sequence[_Judged]) -> CaveatMetrics:
    found = sum(j.found for j in judged)
    correct = sum(j.correct for j in judged)
    marked = sum(len(j.doc.caveats) for j in judged)
    recalled = sum(j.recalled for j in judged)
    return CaveatMetrics(
        documents=len(judged),
        found=found,
        correct=correct,
        marked=marked,
        recalled=recalled,
        precision=correct / found if found else None,
        recall=recalled / marked if marked else None,
    )


def format_caveat_report(report: CaveatReport) -> str:
    """A table: one row a genre (and 'all'), precision/recall/found per split."""
    names = [n for n in REPORT_SPLITS if n in report.splits]
    head = f"{'caveats':<22}" + "".join(f"{n + ' P/R/found':>24}" for n in names)
    lines = [head]
    rows = [("all genres", {n: report.splits[n] for n in names})]
    for genre in report.genres["all"]:
        rows.append((genre, {n: report.genres[n][genre] for n in names}))
    for label, by_split in rows:
        cells = [
            f"{_cell(m.precision)}/{_cell(m.recall)}/{m.found}" if m.documents else "-"
            for m in by_split.values()
        ]
        lines.append(f"{label:<22}" + "".join(f"{c:>24}" for c in cells))
    lines.append("")
    lines.append(f"false caveats: {len(report.false_caveats)}")
    lines.extend(f"  {f['id']} [{f['split']}]: {f['text']}" for f in report.false_caveats)
    lines.append(f"missed caveats: {len(report.missed)}")
    lines.extend(f"  {m['id']} [{m['split']}]: {m['text']}" for m in report.missed)
    return "\n".join(lines)


def production_finder(embed: Callable[[list[str]], Any]) -> CaveatFinder:
    """The finder a build uses: read the file as ingest does, then find its caveats."""
    from ingest.analyze import document_blocks
    from ingest.caveats import apply_rules, find_caveats
    from ingest.load import load_file

    def find(path: Path) -> tuple[str, list[Span]]:
        loaded = load_file(path, path.parent)
        doc = loaded.document  # judged with its format's blocks, as a build judges it
        ruled = apply_rules(doc, document_blocks(loaded))
        return doc.text, [(c.start, c.end) for c in find_caveats(doc, embed, ruled)]

    return find
