"""Abstention calibrated per corpus: the off-topic bank scored against each new index."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from index.loaded import LoadedIndex
from ingest import calibrate

SEPARATION = "how-to-make-your-husband-miss-you-during-a-separation"


def test_the_bank_holds_several_hundred_questions_on_many_subjects():
    questions = calibrate.bank_questions()
    assert len(questions) >= 250
    assert len(set(questions)) == len(questions)
    subjects = [line for line in calibrate.BANK.read_text().splitlines() if line.startswith("# ")]
    assert len(subjects) >= 12


def test_the_threshold_sits_above_the_null_bank_and_below_the_corpus_own_headings():
    null = [0.05 * i / 100 for i in range(100)] + [0.30]
    corpus = [0.5, 0.6, 0.7]
    threshold = calibrate.threshold_from(null, corpus)
    assert threshold > sorted(null)[96]
    assert threshold <= 0.5
    # a corpus whose headings score low still answers them
    assert calibrate.threshold_from([0.9] * 50, [0.4, 0.5]) <= 0.45
    assert calibrate.threshold_from([], []) == calibrate.FLOOR


def test_each_build_keeps_a_checksummed_calibration_with_its_version(
    shipped_index, embedder, tmp_path
):
    import shutil

    index_dir = tmp_path / "index"
    shutil.copytree(shipped_index, index_dir)
    made = calibrate.calibrate_published(index_dir, embedder)
    assert made is not None and len(made.null_scores) == len(calibrate.bank_questions())
    with LoadedIndex.load(index_dir) as loaded:
        path = calibrate.path_for(loaded.path)
        assert calibrate.load(loaded.path) == made
        data = json.loads(path.read_text())
        data["calibration"]["threshold"] = 0.01
        path.write_text(json.dumps(data))
        assert calibrate.load(loaded.path) is None, "a tampered file is not trusted"


def test_the_shipped_and_python_docs_corpora_get_different_thresholds(shipped_index, embedder):
    with LoadedIndex.load(shipped_index) as loaded:
        shipped = calibrate.calibrate(loaded, embedder)
    assert 0.2 <= shipped.threshold <= 0.35
    assert shipped.null_share_above(shipped.threshold) <= 0.03


def test_one_subject_keeps_one_threshold_and_several_share_the_bank_budget():
    rng = np.random.default_rng(14)
    null = rng.uniform(0.0, 0.3, size=(300, 1))
    (alone,) = calibrate.group_thresholds(null, [[]])
    assert alone == calibrate.threshold_from(null[:, 0].tolist(), [])
    # two subjects: the manuals' bank scores sit higher than the articles'
    two = np.column_stack([rng.uniform(0.0, 0.25, 300), rng.uniform(0.1, 0.45, 300)])
    articles, manuals = calibrate.group_thresholds(two, [[], []])
    assert articles < manuals
    cleared = (two >= np.array([articles, manuals]) - calibrate.NULL_MARGIN).any(axis=1)
    assert cleared.mean() <= 1 - calibrate.NULL_QUANTILE + 0.01


def test_the_shipped_articles_are_one_subject_with_one_threshold(shipped_index, embedder):
    with LoadedIndex.load(shipped_index) as loaded:
        assert len(calibrate.subject_groups(loaded)) == 1
        assert calibrate.calibrate(loaded, embedder).groups == ()


#: Real manuals, each its own subject beside the articles (tests/data READMEs name them).
_DATA = Path(__file__).resolve().parents[1] / "data"
_MANUALS = (
    *sorted((_DATA / "html").glob("*.html")),
    *sorted((_DATA / "markdown").glob("*.md")),
    *sorted((_DATA / "pdf").glob("r-*.pdf")),
    _DATA / "text" / "debian-faq.en.txt.gz",
)


@pytest.fixture(scope="module")
def beside_manuals(tmp_path_factory: pytest.TempPathFactory, shipped_corpus: Path, embedder):
    """The articles after 26 real manuals in file order ("0-…" sorts first), whose 480
    headings come first."""
    from ingest.pipeline import build_index

    corpus = tmp_path_factory.mktemp("beside-manuals")
    for path in shipped_corpus.iterdir():
        shutil.copy2(path, corpus / path.name)
    for path in _MANUALS:
        shutil.copy2(path, corpus / f"0-{path.name}")
    index_dir = tmp_path_factory.mktemp("beside-manuals-index")
    build_index(corpus, index_dir, embedder)
    return index_dir


def test_the_articles_keep_their_threshold_beside_a_large_folder_of_manuals(
    beside_manuals: Path, shipped_index: Path, embedder, monkeypatch
):
    """Beside 540 manuals (25,000 passages) the articles' threshold rose from 0.26 to 0.56
    and they abstained on 41 of 74 tune questions: a one-page manual, seldom among a
    question's 50 best passages, had counted as scoring 0 there, and all 400 headings
    asked were the manuals' (first in file order). Here the manuals' headings fill the
    400 too, and a pool of 5 makes a manual as seldom among the best as there."""
    with LoadedIndex.load(shipped_index) as loaded:
        alone = calibrate.calibrate(loaded, embedder).threshold
    monkeypatch.setattr(calibrate, "GROUP_POOL", 5)
    with LoadedIndex.load(beside_manuals) as loaded:
        mixed = calibrate.calibrate(loaded, embedder)
    articles = next(
        t for g, t in zip(mixed.groups, mixed.group_thresholds, strict=True) if SEPARATION in g
    )
    assert len(mixed.groups) >= 10 and calibrate.MAX_HEADINGS == 400
    assert articles <= alone + 0.05, (articles, alone)
