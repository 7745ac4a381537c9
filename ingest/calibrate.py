"""Calibrate abstention per corpus: what unrelated questions score against this index.

A fixed threshold sits in the wrong place for another corpus: on Python documentation a
nonsense question reaches the meaning score that a good question reaches on the shipped
articles. So each index version is scored with a shipped bank of everyday questions on
other subjects (the null distribution) and with its own section headings asked as
questions (the in-corpus spread), and the abstention threshold is taken from both. The
result is kept with the version as `<index>/calibration/<version>.json`, with a checksum
of its content (outside the version folder, whose manifest lists every file it holds).
"""

from __future__ import annotations

import hashlib
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
FORMAT = 1
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


@dataclass(frozen=True)
class Calibration:
    """The scores the threshold came from, and the threshold."""

    null_scores: tuple[float, ...]
    corpus_scores: tuple[float, ...]
    threshold: float
    format: int = FORMAT

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self:
        return cls(
            null_scores=tuple(float(s) for s in data["null_scores"]),
            corpus_scores=tuple(float(s) for s in data["corpus_scores"]),
            threshold=float(data["threshold"]),
            format=int(data["format"]),
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
    """Score the bank and the corpus's headings against `loaded` and pick the threshold."""
    searcher = HybridSearcher(loaded, embedder)
    null = _top_scores(searcher, embedder, bank_questions())
    corpus = _top_scores(searcher, embedder, _headings(loaded))
    calibration = Calibration(
        null_scores=tuple(round(s, 4) for s in sorted(null)),
        corpus_scores=tuple(round(s, 4) for s in sorted(corpus)),
        threshold=threshold_from(null, corpus),
    )
    log.info("abstention threshold %.3f for %s", calibration.threshold, loaded.path)
    return calibration


def _top_scores(searcher: HybridSearcher, embedder: Any, questions: Sequence[str]) -> list[float]:
    """The best meaning score each question reaches (what abstention compares)."""
    if not questions:
        return []
    vectors = embedder.encode(list(questions))
    scores = []
    for question, vector in zip(questions, vectors, strict=True):
        hits = searcher.search(question, k=1, query_vector=vector)
        scores.append(float(hits.semantic.max()) if len(hits) else 0.0)
    return scores


def _headings(loaded: LoadedIndex) -> list[str]:
    """The distinct section names of the corpus, at most MAX_HEADINGS of them."""
    sections = dict.fromkeys(
        p.section.strip(" :#¶") for p in loaded.passages(range(loaded.passage_count))
    )
    named = [s for s in sections if len(s.split()) >= 2]
    return named[:MAX_HEADINGS]


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
