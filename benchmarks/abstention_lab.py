"""Abstention lab: the reads-like check's settings over a question set, without re-asking.

Asks every question once with the reads-like check off (`assistant/other_subject.py`), and
keeps what the check needs: the best score's margin over the threshold, the cosine to each
near everyday question and to each subject's mean, and how well the corpus answers those
everyday questions itself. Then it counts, for each setting of NEAR_QUESTION, NEAR_SUBJECT
and STRONG, the near misses caught, the answerable questions lost and the benign or
manipulative questions newly abstained on. It is how docs/quality.md, "Reads like", chose
them (on the tune splits of both corpora; held-out read after, as aggregates only):

    python -m benchmarks.abstention_lab --index /tmp/q --questions tests/data/near_miss.jsonl \
        --questions tests/data/questions.jsonl --questions tests/data/intent.jsonl
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from unittest import mock

import numpy as np

from assistant import other_subject
from assistant.answer import Assistant
from assistant.evaluate import EvalQuestion, load_questions

NEAR_QUESTION = (0.45, 0.5, 0.55, 0.6, 0.65, None)
NEAR_SUBJECT = (0.4, 0.43, 0.45, 0.48, 0.5, 0.53, None)
STRONG = (0.12, 0.15, 0.2, 0.25, 0.3)
#: Only everyday questions and subjects at least this near are kept per question.
KEEP = 0.35


@dataclass(frozen=True)
class Asked:
    """One question as the check sees it: kind, whether the other checks already abstain,
    the margin, and (cosine, the corpus's own margin on that everyday question) for the
    near questions and the near subjects."""

    kind: str
    abstained: bool
    margin: float
    questions: list[tuple[float, float]]
    subjects: list[tuple[float, float]]


def ask_all(assistant: Assistant, questions: Sequence[EvalQuestion]) -> list[Asked]:
    loaded = assistant.index()
    threshold = assistant.threshold(loaded)
    searcher = assistant.searcher(loaded)
    bank = other_subject.everyday_bank(assistant.embedder)
    own: dict[int, float] = {}

    def own_margin(row: int) -> float:
        if row not in own:
            vector = bank.vectors[row]
            hits = searcher.search(bank.questions[row], k=1, query_vector=vector)
            own[row] = float(hits.semantic.max()) - threshold if len(hits) else -1.0
        return own[row]

    asked = []
    for question in questions:
        query = assistant.embedder.encode_query(question.q)
        hits = searcher.search(question.q, k=20, query_vector=query)
        with mock.patch.object(other_subject, "STRONG", -1.0):  # the check off
            why = assistant._abstention(question.q, query, searcher, hits, threshold)
        cosines = bank.vectors @ query
        near = [(float(cosines[r]), own_margin(int(r))) for r in np.flatnonzero(cosines >= KEEP)]
        by_subject = bank.centroids @ query
        subjects = []
        for s in np.flatnonzero(by_subject >= KEEP):
            members = np.flatnonzero(bank.subject_of == s)
            row = int(members[np.argmax(cosines[members])])
            subjects.append((float(by_subject[s]), own_margin(row)))
        margin = float(hits.semantic.max()) - threshold if len(hits) else -1.0
        asked.append(Asked(question.kind, why is not None, margin, near, subjects))
    return asked


def fires(a: Asked, near_q: float | None, near_s: float | None, strong: float) -> bool:
    """Whether the check, so set, abstains on a question the others answer."""
    if a.abstained or a.margin >= strong:
        return False
    q = near_q is not None and any(c >= near_q and own < strong for c, own in a.questions)
    s = near_s is not None and any(c >= near_s and own < strong for c, own in a.subjects)
    return q or s


def counts(
    asked: Sequence[Asked], near_q: float | None, near_s: float | None, strong: float
) -> str:
    near = [a for a in asked if a.kind == "out_of_domain"]
    answerable = [a for a in asked if a.kind == "answerable"]
    intent = [a for a in asked if a.kind in ("benign", "manipulative")]
    caught = sum(a.abstained or fires(a, near_q, near_s, strong) for a in near)
    lost = sum(a.abstained or fires(a, near_q, near_s, strong) for a in answerable)
    more = sum(fires(a, near_q, near_s, strong) for a in intent)
    return f"{caught}/{len(near)} {lost}/{len(answerable)} +{more}"


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, action="append", required=True)
    parser.add_argument("--splits", default="tune", help="comma-separated: tune,heldout")
    args = parser.parse_args(argv)
    assistant = Assistant(args.index)
    questions = [q for path in args.questions for q in load_questions(path)]
    for split in args.splits.split(","):
        asked = ask_all(assistant, [q for q in questions if q.split == split])
        print(f"== {split}: near misses caught, answerable lost, +intent newly abstained")
        print("check off:", counts(asked, None, None, -1.0))
        for near_q, near_s in itertools.product(NEAR_QUESTION, NEAR_SUBJECT):
            cells = "  ".join(f"{s}: {counts(asked, near_q, near_s, s)}" for s in STRONG)
            print(f"question {near_q} subject {near_s} | {cells}")


if __name__ == "__main__":
    main()
