"""The highlight on real FAQ pages, through the shipped answer: where does it land?

    apt-get install $PACKAGES     # benchmarks/train_highlight.py's PACKAGES
    python -m benchmarks.faq_highlight [--index /tmp/faq] [--json]

Each question heading of the FAQ pages Debian installs (the pages of
`benchmarks/train_highlight.py`, round 11's included) is asked of an index of those pages
with the shipped settings, as `cited ask` would. A person wrote the section under the
heading as its answer, and most such answers say it in their first sentence: a highlight
"opens" when it holds the section's first sentence (past the heading). Per page: questions,
answers with the section among the quotes ("shown"), answers whose first quote is of it
("first"), and of the shown, those with a highlight that opens the answer. The pages the
learned highlight score was fitted on are reported apart from those it never saw
(train_highlight's MORE_FAQS): the latter are held out.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from assistant import highlight
from assistant.answer import Assistant
from benchmarks.train_highlight import build_corpus, question_of
from index.embed import Embedder
from index.loaded import LoadedIndex


@dataclass(frozen=True)
class PageCounts:
    """One page's questions and where their highlights landed."""

    questions: int = 0
    shown: int = 0  # its own section among the quotes
    first: int = 0  # the first quote of its own section
    opens: int = 0  # a highlight of its own section holding the section's first sentence


def held_out_names() -> frozenset[str]:
    """File names (as `build_corpus` writes them) of the pages the learned score never saw."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        base = set(build_corpus(folder, more=False))
    with tempfile.TemporaryDirectory() as tmp:
        return frozenset(set(build_corpus(Path(tmp), more=True)) - base)


def measure(index: Path, embedder: Embedder) -> dict[str, PageCounts]:
    """Ask every question heading of the index; the counts per page file."""
    loaded = LoadedIndex.load(index, verify=False)
    assistant = Assistant(index, embedder=embedder, check_interval=3600)
    passages = loaded.passages(list(range(loaded.passage_count)))
    openings = _first_sentences(loaded, passages)
    files = {info.doc_id: info.file for info in loaded.infos()}
    counts: dict[str, PageCounts] = {}
    for (doc_id, section), first in openings.items():
        question = question_of(section)
        if question is None:
            continue
        answer = assistant.answer(question, k=5).to_dict()
        landed = _landed(answer, doc_id, section, first)
        page = counts.get(files[doc_id], PageCounts())
        counts[files[doc_id]] = PageCounts(
            page.questions + 1,
            page.shown + landed[0],
            page.first + landed[1],
            page.opens + landed[2],
        )
    return counts


def _first_sentences(loaded: LoadedIndex, passages: Sequence[Any]) -> dict[tuple[str, str], str]:
    """For each (doc_id, section), the first sentence of its first passage that is not a
    heading: where a person's answer starts."""
    first: dict[tuple[str, str], str] = {}
    for pid, passage in enumerate(passages):
        key = (passage.doc_id, passage.section)
        if key in first:
            continue
        spans, _ = highlight.stored_sentences(loaded, pid, passage)
        texts = [passage.text[s:e] for s, e in spans]
        first[key] = next((t for t in texts if not highlight._is_heading(t)), "")
    return first


def _landed(answer: dict[str, Any], doc_id: str, section: str, first: str) -> tuple[int, int, int]:
    """(own section shown, the first quote of it, a highlight of it past the heading
    holding its first sentence), each 0 or 1."""
    if answer["abstained"]:
        return (0, 0, 0)
    own = [
        q
        for q in answer["quotes"][:5]
        if q["source"]["doc_id"] == doc_id and q["source"]["section"] == section
    ]
    highlighted = [q["text"][slice(*q["highlight"][:2])] for q in own]
    past_heading = [h for h in highlighted if _past_heading(h, section)]
    opening = first.strip()[:60]
    return (
        int(bool(own)),
        int(bool(answer["quotes"]) and answer["quotes"][0] in own),
        int(bool(opening) and any(opening in h for h in past_heading)),
    )


def _past_heading(highlighted: str, section: str) -> bool:
    """Whether the highlight holds more than the section's heading."""
    rest = highlighted.replace(section, " ")
    return len(rest.split()) >= 3 and not highlight._is_heading(rest)


def report(counts: dict[str, PageCounts], held_out: frozenset[str]) -> dict[str, Any]:
    """Per page, and summed over the pages fitted on and those held out."""
    groups: dict[str, PageCounts] = {}
    for name, page in counts.items():
        group = "held out" if name in held_out else "fitted on"
        total = groups.get(group, PageCounts())
        groups[group] = PageCounts(*(a + b for a, b in zip(_row(total), _row(page), strict=True)))
    return {
        "pages": {name: asdict(page) for name, page in sorted(counts.items())},
        "groups": {name: asdict(page) for name, page in sorted(groups.items())},
    }


def _row(page: PageCounts) -> tuple[int, int, int, int]:
    return (page.questions, page.shown, page.first, page.opens)


def format_report(data: dict[str, Any]) -> str:
    """A table: page, questions, shown, first, opens / shown."""
    lines = [f"{'page':42s} {'asked':>5s} {'shown':>5s} {'first':>5s} {'opens':>11s}"]
    rows = [*data["pages"].items(), ("", None), *data["groups"].items()]
    for name, page in rows:
        if page is None:
            lines.append("")
            continue
        shown = max(page["shown"], 1)
        lines.append(
            f"{name[:42]:42s} {page['questions']:5d} {page['shown']:5d}"
            f" {page['first']:5d} {page['opens']:4d} {page['opens'] / shown:6.3f}"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, help="reuse (or keep) the FAQ index here")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    embedder = Embedder()
    with tempfile.TemporaryDirectory() as tmp:
        index = args.index or Path(tmp) / "index"
        if not index.exists():
            from ingest.pipeline import build_index

            corpus = Path(tmp) / "corpus"
            corpus.mkdir()
            build_corpus(corpus, more=True)
            build_index(corpus, index, embedder)
        data = report(measure(index, embedder), held_out_names())
    print(json.dumps(data) if args.json else format_report(data))


if __name__ == "__main__":
    main()
