"""Caveat panel on real manuals: do the caveats shown beside an answer bear on its quotes?

    python -m benchmarks.caveat_panel [--json] [--keep DIR]

Python's library pages (Debian's python3.11-doc) state warnings next to the functions
they are about. Two folders of eight pages each (the tune split's and the heldout
split's) are indexed by the real pipeline, and each question of
`tests/data/caveat_panel/questions.jsonl` is answered from its split's folder. A question
names the caveats a reader would want beside its answer (file and the caveat's first 60
characters, spaces folded), often none. Reported per split: caveats shown, their
precision and recall against those labels, and how many answers show a caveat not
labelled. The labels were written from each folder's list of caveats before any panel
was looked at; the tune split chose the rule (docs/quality.md, "Caveats"), heldout was
read after. A page that is not installed is reported as missing.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

LIBRARY = Path("/usr/share/doc/python3.11/html/library")
QUESTIONS = Path(__file__).resolve().parents[1] / "tests/data/caveat_panel/questions.jsonl"
PAGES = {
    "tune": (
        *("shutil", "tarfile", "zipfile", "sqlite3"),
        *("urllib.request", "threading", "xml.etree.elementtree", "tempfile"),
    ),
    "heldout": (
        *("socket", "multiprocessing", "pathlib", "ctypes"),
        *("pdb", "webbrowser", "gzip", "csv"),
    ),
}
PREFIX = 60


@dataclass(frozen=True)
class PanelScore:
    """What the panels of one split's answers showed, against the labels."""

    split: str
    questions: int
    shown: int
    relevant_shown: int
    relevant: int
    answers_with_unlabelled: int

    @property
    def precision(self) -> float:
        return self.relevant_shown / self.shown if self.shown else 1.0

    @property
    def recall(self) -> float:
        return self.relevant_shown / self.relevant if self.relevant else 1.0


def key(file: str, text: str) -> tuple[str, str]:
    """How a label names a caveat: its file and first PREFIX characters, spaces folded."""
    return file, " ".join(text.split())[:PREFIX]


def score_split(split: str, index_dir: Path, questions: Sequence[dict]) -> PanelScore:
    """Answer the split's questions from `index_dir` and score their caveat panels."""
    from assistant.answer import Assistant

    assistant = Assistant(index_dir, check_interval=3600)
    shown = relevant_shown = relevant = noisy = 0
    for item in questions:
        wanted = {tuple(label) for label in item["caveats"]}
        got = [key(c.source.file, c.text) for c in assistant.answer(item["q"]).caveats]
        shown += len(got)
        relevant += len(wanted)
        relevant_shown += len(wanted & set(got))
        noisy += any(g not in wanted for g in got)
    return PanelScore(split, len(questions), shown, relevant_shown, relevant, noisy)


def build(split: str, work: Path) -> Path | None:
    """Index the split's pages under `work`; None when a page is not installed."""
    from index.embed import Embedder
    from ingest.pipeline import build_index

    pages = [LIBRARY / f"{name}.html" for name in PAGES[split]]
    if not all(p.exists() for p in pages):
        return None
    corpus, index_dir = work / f"{split}-corpus", work / f"{split}-index"
    corpus.mkdir(parents=True, exist_ok=True)
    for page in pages:
        shutil.copy(page, corpus / page.name)
    build_index(corpus, index_dir, Embedder())
    return index_dir


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", type=Path, help="build (or reuse) the indexes here")
    args = parser.parse_args(argv)
    questions = [json.loads(line) for line in QUESTIONS.read_text().splitlines() if line]
    with tempfile.TemporaryDirectory() as tmp:
        work = args.keep or Path(tmp)
        scores = []
        for split in PAGES:
            index_dir = work / f"{split}-index"
            if not index_dir.exists() and build(split, work) is None:
                print(f"{split}: missing (install python3.11-doc)", file=sys.stderr)
                continue
            scores.append(
                score_split(split, index_dir, [q for q in questions if q["split"] == split])
            )
    if args.json:
        print(
            json.dumps(
                [{**asdict(s), "precision": s.precision, "recall": s.recall} for s in scores]
            )
        )
        return 0
    for s in scores:
        print(
            f"{s.split}: {s.questions} answers, {s.shown} caveats shown, precision "
            f"{s.precision:.3f}, recall {s.recall:.3f} ({s.relevant_shown}/{s.relevant}), "
            f"{s.answers_with_unlabelled} answers show a caveat not labelled"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
