"""Other subjects: whether a weakly answered question reads like one beside the corpus's.

Near-miss questions ("What medication helps with anxiety?", "My coworker keeps getting
distant after our argument") share the corpus's words and reach its threshold, but what
they ask is another subject. A sentence model tells subjects apart far better between
two questions than between a question and a passage, so each is compared with a shipped
bank of everyday questions, subject by subject (`data/everyday_questions.txt`: friends,
family, parenting, work, health, grief, money and home...): a question close to one of
them, or to the mean of one subject's questions, is answered only when the corpus answers
it strongly. An everyday question that the corpus itself answers strongly is on this
corpus's subject (a parenting folder answers its parenting questions) and does not count;
nor does any question of a subject the corpus answers for the most part (the shipped
articles answer most "love and longing" questions, so a love question they answer less
well is still on their subject).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.search import HybridSearcher

EVERYDAY_QUESTIONS = Path(__file__).parent / "data" / "everyday_questions.txt"
#: A question reads like an everyday one when their vectors are this close (cosine):
#: "What medication helps with anxiety?" and "How do I know if I need medication for
#: anxiety?" 0.75; "How do I create distance without giving him the cold shoulder?"
#: (which the shipped articles answer) and "How do I stay close to friends who live far
#: away?" 0.50, only a shared word apart; "How is property divided in a divorce if we
#: never signed a prenup?" and "How do I get a prenuptial agreement?" 0.54 (0.52 was
#: chosen on the round-9 blind tune split: 0.50-0.52 abstain on the same near misses, 0.48
#: on an answerable question too; docs/quality.md, "Reads like").
NEAR_QUESTION = 0.52
#: ...or like a subject when this close to the mean vector of its questions: "My best
#: friend's messages have turned cold lately" and friendship 0.53; weakly answered
#: answerable tune questions reach at most 0.42.
NEAR_SUBJECT = 0.48
#: An everyday question the corpus answers by this much over the threshold is this
#: corpus's subject (a folder on grief answers "How do I write a condolence message?").
#: The three were chosen on the tune splits of both corpora (docs/quality.md, "Reads like").
STRONG = 0.15
#: A question that reads like another subject is answered only when its best score clears
#: the threshold by this much: "My dog died last month and I miss him every single day"
#: clears the shipped articles' by 0.16 (chosen on the tune splits of the round-9 blind
#: sets and the three corpora; docs/quality.md, "Reads like").
QUESTION_STRONG = 0.20
#: A subject at least this share of whose everyday questions the corpus answers (by STRONG)
#: is the corpus's own: none of its questions counts as another subject.
OWN_SUBJECT = 0.5


@dataclass(frozen=True)
class EverydayBank:
    """The everyday questions, each with its subject, and their vectors; the subjects'
    mean vectors."""

    questions: tuple[str, ...]
    subject_of: np.ndarray  # row of `subjects` for each question
    vectors: np.ndarray
    subjects: tuple[str, ...]
    centroids: np.ndarray


def other_subject(
    query: np.ndarray, best: float, threshold: float, searcher: HybridSearcher, embedder: Any
) -> tuple[str, str] | None:
    """The (subject, everyday question) that this weakly answered question reads like, or
    None: when it clears the threshold by QUESTION_STRONG, or nothing is near enough, or
    the corpus answers the near ones itself, or their subjects are its own."""
    if best >= threshold + QUESTION_STRONG:
        return None
    bank = everyday_bank(embedder)
    query = np.asarray(query, dtype=np.float32).reshape(-1)
    for row in _near_rows(bank, query):
        subject = int(bank.subject_of[row])
        if _answered_here(bank, row, searcher, threshold):
            continue
        if not _own_subject(bank, subject, searcher, threshold):
            return bank.subjects[subject], bank.questions[row]
    return None


def _own_subject(
    bank: EverydayBank, subject: int, searcher: HybridSearcher, threshold: float
) -> bool:
    """Whether the corpus answers at least OWN_SUBJECT of `subject`'s everyday questions
    (each searched once a version, as `_answered_here` remembers)."""
    members = np.flatnonzero(bank.subject_of == subject)
    answered = sum(_answered_here(bank, int(row), searcher, threshold) for row in members)
    return answered >= OWN_SUBJECT * len(members)


def _near_rows(bank: EverydayBank, query: np.ndarray) -> list[int]:
    """The everyday questions within NEAR_QUESTION, nearest first, then for each subject
    within NEAR_SUBJECT its question nearest to `query`."""
    cosines = bank.vectors @ query
    rows = [int(r) for r in np.argsort(-cosines) if cosines[r] >= NEAR_QUESTION]
    by_subject = bank.centroids @ query
    for subject in np.argsort(-by_subject):
        if by_subject[subject] < NEAR_SUBJECT:
            break
        members = np.flatnonzero(bank.subject_of == subject)
        rows.append(int(members[np.argmax(cosines[members])]))
    return list(dict.fromkeys(rows))


def _answered_here(
    bank: EverydayBank, row: int, searcher: HybridSearcher, threshold: float
) -> bool:
    """Whether the corpus answers the bank's everyday question `row` by STRONG: one search,
    remembered per index version (the same few questions come back with every weakly
    answered question on their subject)."""
    # The version fixes the model too (an index answers only with its own model).
    settings = (searcher.fusion, searcher.dense_weight, searcher.sentence_weight)
    key = (searcher.loaded.version, row, threshold, settings)
    if key not in _ANSWERED:
        if len(_ANSWERED) >= ANSWERED_KEPT:
            _ANSWERED.clear()
        hits = searcher.search(bank.questions[row], k=1, query_vector=bank.vectors[row])
        _ANSWERED[key] = len(hits) > 0 and float(hits.semantic.max()) >= threshold + STRONG
    return _ANSWERED[key]


#: How many (version, question) verdicts are kept before they are forgotten at once.
ANSWERED_KEPT = 4096
_ANSWERED: dict[tuple[object, ...], bool] = {}


#: Each embedder's encoded bank, dropped with the embedder.
_ENCODED: weakref.WeakKeyDictionary[Any, EverydayBank] = weakref.WeakKeyDictionary()


def everyday_bank(embedder: Any) -> EverydayBank:
    """The shipped bank as `embedder` encodes it, once per embedder (about 0.3 s)."""
    bank = _ENCODED.get(embedder)
    if bank is None:
        bank = _ENCODED[embedder] = encoded_bank(EVERYDAY_QUESTIONS, embedder)
    return bank


def encoded_bank(path: Path, embedder: Any) -> EverydayBank:
    """The bank at `path`, its questions and their subjects' mean vectors encoded."""
    questions, subjects = read_bank(path)
    names = tuple(dict.fromkeys(subjects))
    subject_of = np.asarray([names.index(s) for s in subjects], dtype=np.int64)
    vectors = np.asarray(embedder.encode(list(questions)), dtype=np.float32)
    centroids = np.stack([vectors[subject_of == i].mean(axis=0) for i in range(len(names))])
    centroids /= np.linalg.norm(centroids, axis=1, keepdims=True)
    return EverydayBank(questions, subject_of, vectors, names, centroids)


def read_bank(path: Path) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The questions of a bank file and the subject of each: "## subject" heads a
    subject, "#" lines are comments."""
    questions: list[str] = []
    subjects: list[str] = []
    subject = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line.startswith("## "):
            subject = line[3:].strip()
        elif line and not line.startswith("#") and subject:
            questions.append(line)
            subjects.append(subject)
    return tuple(questions), tuple(subjects)
