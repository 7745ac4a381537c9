"""Calibrate abstention per corpus: what unrelated questions score against this index.

A fixed threshold sits in the wrong place for another corpus: on Python documentation a
nonsense question reaches the meaning score that a good question reaches on the shipped
articles. So each index version is scored with a shipped bank of everyday questions on
other subjects (the null distribution) and with its own section headings asked as
questions (the in-corpus spread), and the abstention threshold is taken from both. The
result is kept with the version as `<index>/calibration/<version>.json`, with a checksum
of its content (outside the version folder, whose manifest lists every file it holds).

A folder may hold several subjects: the five shipped articles beside a user's manuals.
Everyday questions about software score high against the manuals and low against the
articles, and one threshold for both, taken from the bank's top, made the articles abstain
on 15 of their own 111 questions. So documents are grouped by subject (their mean vectors
close: `subject_groups`) and each group gets its own threshold: the bank's 97th percentile
within the group, raised by one offset shared by all groups so that no more of the bank
clears some group's threshold than would clear one threshold over a single-subject folder
(several groups are several chances). A folder of one subject keeps exactly the one
threshold.
"""

from __future__ import annotations

import dataclasses
import hashlib
import itertools
import json
import logging
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Self

import numpy as np

from index.loaded import LoadedIndex
from index.search import HybridSearcher

log = logging.getLogger(__name__)

BANK = Path(__file__).resolve().parent / "data" / "offtopic_questions.txt"
FOLDER = "calibration"
FORMAT = 2
#: The threshold clears this share of the null bank...
NULL_QUANTILE = 0.97
#: ...plus this margin (the bank is not the user's questions: near its top, unrelated
#: questions are denser than the bank shows)...
NULL_MARGIN = 0.03
#: ...but never rises above this quantile of the corpus's own headings asked as questions,
#: so a corpus whose vocabulary is everyday words still answers its own subjects.
CORPUS_QUANTILE = 0.10
#: Nor falls below this: under it nothing is close in any corpus (cosine of unrelated text).
FLOOR = 0.20
MAX_HEADINGS = 400
#: Documents whose mean passage vectors are this close (cosine) share a subject: the
#: shipped articles 0.70-0.86 among themselves, their nearest manual below 0.35.
GROUP_LINK = 0.6
#: A group's own headings cap its threshold only when it has this many.
GROUP_HEADINGS = 10
#: Passages searched per calibration question, to find each group's best.
GROUP_POOL = 50


@dataclass(frozen=True)
class Calibration:
    """The scores the threshold came from, and the threshold."""

    null_scores: tuple[float, ...]
    corpus_scores: tuple[float, ...]
    threshold: float
    format: int = FORMAT
    #: Documents grouped by subject, and each group's threshold (empty: one subject).
    groups: tuple[tuple[str, ...], ...] = ()
    group_thresholds: tuple[float, ...] = ()

    def passage_thresholds(self, loaded: LoadedIndex) -> np.ndarray:
        """The threshold of each passage of `loaded`: its document's group's, or the one
        threshold for a document in no group (one newer than this calibration)."""
        return self.thresholds_of(self.passage_groups(loaded))

    def passage_groups(self, loaded: LoadedIndex) -> np.ndarray:
        """The subject group of each passage of `loaded` (-1: a document in no group)."""
        return _group_of_passages(loaded, self.groups, unknown=-1)

    def thresholds_of(self, groups: np.ndarray) -> np.ndarray:
        """The threshold of each of these group numbers (-1: the one threshold)."""
        by_group = np.asarray([*self.group_thresholds, self.threshold], dtype=np.float32)
        return by_group[groups]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            null_scores=tuple(float(s) for s in data["null_scores"]),
            corpus_scores=tuple(float(s) for s in data["corpus_scores"]),
            threshold=float(data["threshold"]),
            format=int(data["format"]),
            groups=tuple(tuple(str(d) for d in group) for group in data.get("groups", ())),
            group_thresholds=tuple(float(t) for t in data.get("group_thresholds", ())),
        )

    def null_share_above(self, score: float) -> float:
        """Share of the unrelated bank that scores at least `score` on this corpus."""
        scores = np.asarray(self.null_scores)
        return float((scores >= score).mean()) if len(scores) else 0.0


def bank_questions(path: Path = BANK) -> list[str]:
    """The shipped off-topic questions (comment lines start with '#')."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def threshold_from(null: Sequence[float], corpus: Sequence[float]) -> float:
    """The abstention threshold for these score distributions (see the module docstring)."""
    above_null = float(np.quantile(null, NULL_QUANTILE)) + NULL_MARGIN if len(null) else FLOOR
    if len(corpus):
        above_null = min(above_null, float(np.quantile(corpus, CORPUS_QUANTILE)))
    return round(max(FLOOR, above_null), 4)


def calibrate(loaded: LoadedIndex, embedder: Any) -> Calibration:
    """Score the bank and the corpus's headings against `loaded` and pick the thresholds."""
    searcher = HybridSearcher(loaded, embedder)
    groups = subject_groups(loaded)
    group_of = _group_of_passages(loaded, groups)
    null = _top_scores(searcher, embedder, bank_questions(), group_of, len(groups))
    headings = _headings(loaded, group_of)
    corpus = _top_scores(searcher, embedder, [h for h, _ in headings], group_of, len(groups))
    overall = threshold_from(null.max(axis=1).tolist(), corpus_best(corpus).tolist())
    calibration = Calibration(
        null_scores=tuple(round(float(s), 4) for s in sorted(null.max(axis=1))),
        corpus_scores=tuple(round(float(s), 4) for s in sorted(corpus_best(corpus))),
        threshold=overall,
    )
    if len(groups) > 1:
        own = _own_group_scores(corpus, [int(group_of[pid]) for _, pid in headings])
        calibration = dataclasses.replace(
            calibration,
            groups=tuple(tuple(g) for g in groups),
            group_thresholds=group_thresholds(null, own),
        )
    log.info("abstention threshold %.3f for %s", calibration.threshold, loaded.path)
    return calibration


def corpus_best(scores: np.ndarray) -> np.ndarray:
    """Each question's best score over all groups."""
    return scores.max(axis=1) if scores.size else np.zeros(0)


def group_thresholds(null: np.ndarray, own: Sequence[Sequence[float]]) -> tuple[float, ...]:
    """Each group's threshold from the bank's scores per group (questions x groups) and
    the group's own headings' scores: its NULL_QUANTILE plus the offset that keeps the
    share of the bank clearing some group's threshold at 1 - NULL_QUANTILE, plus
    NULL_MARGIN; never above its headings' CORPUS_QUANTILE, never below FLOOR."""
    base = np.quantile(null, NULL_QUANTILE, axis=0)
    offset = max(0.0, float(np.quantile((null - base).max(axis=1), NULL_QUANTILE)))
    thresholds = []
    for g, scores in enumerate(own):
        threshold = float(base[g]) + offset + NULL_MARGIN
        if len(scores) >= GROUP_HEADINGS:  # fewer say little: a page's "Related Posts"
            threshold = min(threshold, float(np.quantile(scores, CORPUS_QUANTILE)))
        thresholds.append(round(max(FLOOR, threshold), 4))
    return tuple(thresholds)


def subject_groups(loaded: LoadedIndex) -> list[list[str]]:
    """Documents grouped by subject: linked when their mean passage vectors are within
    GROUP_LINK (single linkage), in file order."""
    docs = [info.doc_id for info in loaded.infos()]
    if len(docs) < 2:
        return [docs]
    means = np.stack([_mean_vector(loaded, doc) for doc in docs])
    linked = (means @ means.T) >= GROUP_LINK
    group = list(range(len(docs)))
    for i, j in zip(*np.nonzero(np.triu(linked, 1)), strict=True):
        old, new = group[j], group[i]
        if old != new:
            group = [new if g == old else g for g in group]
    order = list(dict.fromkeys(group))
    return [[d for d, g in zip(docs, group, strict=True) if g == label] for label in order]


def _mean_vector(loaded: LoadedIndex, doc_id: str) -> np.ndarray:
    ids = loaded.passage_ids_for_docs([doc_id])
    if not ids.size:
        return np.zeros(loaded.dimension, dtype=np.float32)
    mean = loaded.passage_vectors(ids).mean(axis=0)
    norm = float(np.linalg.norm(mean))
    return mean / norm if norm else mean


def _group_of_passages(
    loaded: LoadedIndex, groups: Sequence[Sequence[str]], unknown: int = 0
) -> np.ndarray:
    """Each passage's group number (`unknown` for a document in no group)."""
    group_of = np.full(loaded.passage_count, unknown, dtype=np.int64)
    for g, docs in enumerate(groups):
        group_of[loaded.passage_ids_for_docs(list(docs))] = g
    return group_of


def _top_scores(
    searcher: HybridSearcher,
    embedder: Any,
    questions: Sequence[str],
    group_of: np.ndarray,
    groups: int,
) -> np.ndarray:
    """(questions, groups): the meaning score of each question's best passage (what
    abstention compares) within each group. A group with none among the first GROUP_POOL
    takes the lowest score among them, the most its best can be: taken as 0, a one-page
    document in a folder of 25,000 passages (rarely in the pool) had a 97th percentile of
    0, so its few real scores set the offset every group shares (0.30), and the articles
    beside 540 manuals abstained on 41 of their 74 tune questions. With one group, the best
    passage's score, as a single threshold needs."""
    scores = np.zeros((len(questions), max(groups, 1)), dtype=np.float64)
    if not questions:
        return scores
    vectors = embedder.encode(list(questions))
    pool = 1 if groups == 1 else GROUP_POOL
    for row, (question, vector) in enumerate(zip(questions, vectors, strict=True)):
        hits = searcher.search(question, k=pool, query_vector=vector)
        if groups > 1 and len(hits):
            scores[row, :] = float(hits.semantic.min())
        for pid, semantic in zip(hits.ids[::-1], hits.semantic[::-1], strict=True):
            scores[row, group_of[int(pid)]] = float(semantic)  # best (first) hit wins
    return scores


def _own_group_scores(corpus: np.ndarray, heading_groups: Sequence[int]) -> list[list[float]]:
    """Each group's headings' best scores within the group."""
    own: list[list[float]] = [[] for _ in range(corpus.shape[1])]
    for row, g in enumerate(heading_groups):
        own[g].append(float(corpus[row, g]))
    return own


def _headings(loaded: LoadedIndex, group_of: np.ndarray) -> list[tuple[str, int]]:
    """The distinct section names of the corpus with the passage they name, whose group a
    heading belongs to: MAX_HEADINGS taken from each group in turn, and each group's first
    GROUP_HEADINGS whatever the count, so every group that has them keeps the cap of its
    own headings. In file order, the first 400 of a folder of R and Python manuals beside
    the articles were all the manuals', and the articles' threshold lost that cap."""
    first: dict[str, int] = {}
    for pid, p in enumerate(loaded.passages(range(loaded.passage_count))):
        first.setdefault(p.section.strip(" :#¶"), pid)
    by_group: dict[int, list[tuple[str, int]]] = {}
    for section, pid in first.items():
        if len(section.split()) >= 2:
            by_group.setdefault(int(group_of[pid]), []).append((section, pid))
    rounds = itertools.zip_longest(*by_group.values())
    in_turn = [(turn, named) for turn, row in enumerate(rounds) for named in row if named]
    return [
        named
        for i, (turn, named) in enumerate(in_turn)
        if i < MAX_HEADINGS or turn < GROUP_HEADINGS
    ]


def path_for(version_dir: Path) -> Path:
    """Where the calibration of the version in `version_dir` (<index>/versions/<v>) is kept."""
    version_dir = Path(version_dir)
    return version_dir.parent.parent / FOLDER / f"{version_dir.name}.json"


def save(calibration: Calibration, version_dir: Path) -> Path:
    """Write the version's calibration, its content's sha256 inside, atomically."""
    version_dir = Path(version_dir)
    body = calibration.to_dict()
    text = json.dumps({"sha256": _digest(body), "calibration": body}, sort_keys=True)
    path = path_for(version_dir)
    path.parent.mkdir(exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    _forget_removed_versions(path.parent, version_dir.parent)
    return path


def _forget_removed_versions(folder: Path, versions: Path) -> None:
    """Delete the calibrations of versions the index has cleaned up."""
    for kept in folder.glob("*.json"):
        if not (versions / kept.stem).exists():
            kept.unlink(missing_ok=True)


def load(version_dir: Path) -> Calibration | None:
    """The calibration kept with this version, or None when absent, damaged or older."""
    path = path_for(version_dir)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        body = data["calibration"]
        if data["sha256"] != _digest(body) or body.get("format") != FORMAT:
            log.warning("%s does not match its checksum; calibrating again in memory", path)
            return None
        return Calibration.from_dict(body)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError) as e:
        log.warning("%s unreadable (%s); calibrating again in memory", path, e)
        return None


def calibrated(loaded: LoadedIndex, embedder: Any) -> Calibration:
    """The version's kept calibration, or a fresh one when none is kept."""
    return load(loaded.path) or calibrate(loaded, embedder)


def _digest(body: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode("utf-8")).hexdigest()


def calibrate_published(index_dir: Path, embedder: Any) -> Calibration | None:
    """Calibrate the published version of `index_dir` if it keeps no calibration yet: the
    build's hook, run once a build has published (answers calibrate in memory meanwhile).
    None when nothing is published."""
    from index.errors import CitedError

    try:
        loaded = LoadedIndex.load(Path(index_dir))
    except CitedError:
        return None
    try:
        kept = load(loaded.path)
        if kept is not None:
            return kept
        calibration = calibrate(loaded, embedder)
        save(calibration, loaded.path)
        return calibration
    finally:
        loaded.close()
