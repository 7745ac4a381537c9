"""A folder in another language: the German pages of the web-page benchmark.

Picks the pages of ../shared/benchmarks/webpages that cited reads as German
(`ingest.language.language_of` on the text a build indexes), indexes them, and measures:

- what the English-only model makes of German: the meaning scores of everyday German
  questions (`benchmarks/data/offtopic_de.txt`, 292 over the subjects of the English bank)
  against the pages' own headings asked as questions, the two distributions abstention is
  calibrated from (`ingest/calibrate.py`);
- `tests/data/german_questions.jsonl`: answerable German questions (gold phrases copied from
  the pages) and off-topic probes, through `cited eval`'s metrics, held-out apart;
- the share of answers that say their quotes are in German (`Answer.not_english`).

    python -m benchmarks.languages [--pages DIR] [--index DIR]

docs/quality.md, "Text in another language", has the figures.
"""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import numpy as np

from assistant.answer import Answer, Assistant
from assistant.evaluate import evaluate, format_report, load_questions
from index.embed import Embedder
from index.search import HybridSearcher
from ingest.analyze import read_file
from ingest.calibrate import bank_questions, calibrated
from ingest.language import language_of
from ingest.pipeline import build_index

HERE = Path(__file__).resolve().parent
PAGES = HERE.parents[1] / "shared" / "benchmarks" / "webpages" / "pages"
GERMAN_BANK = HERE / "data" / "offtopic_de.txt"
QUESTIONS = HERE.parent / "tests" / "data" / "german_questions.jsonl"
LANGUAGE = "German"


def pages_in(language: str, pages: Path) -> list[Path]:
    """The pages whose indexed text reads as `language`."""
    found = []
    for path in sorted(pages.glob("*.html")):
        try:
            text = read_file(path, pages).document.text
        except Exception:  # an unreadable page is in no language
            continue
        if language_of(text) == language:
            found.append(path)
    return found


def best_scores(searcher: HybridSearcher, embedder: Embedder, questions: list[str]) -> np.ndarray:
    """Each question's best meaning score against the index (what abstention compares)."""
    vectors = embedder.encode(questions)
    return np.asarray(
        [
            float(searcher.search(q, k=1, query_vector=v).semantic.max())
            for q, v in zip(questions, vectors, strict=True)
        ]
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=Path, default=PAGES)
    parser.add_argument("--index", type=Path, help="keep the index here (default: a temp dir)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cited-languages-"))
    corpus, index_dir = work / "corpus", args.index or work / "index"
    corpus.mkdir()
    chosen = pages_in(LANGUAGE, args.pages)
    for path in chosen:
        shutil.copy(path, corpus / path.name)
    embedder = Embedder(None)
    summary = build_index(corpus, index_dir, embedder)
    print(f"{len(chosen)} pages read as {LANGUAGE}; {summary.total} passages")
    print(f"build notes {len(summary.not_english)} files not in English")

    assistant = Assistant(index_dir, embedder=embedder, check_interval=3600)
    loaded = assistant.index()
    calibration = calibrated(loaded, embedder)
    searcher = HybridSearcher(loaded, embedder)
    german = best_scores(searcher, embedder, bank_questions(GERMAN_BANK))
    rows = [
        ("English everyday bank", np.asarray(calibration.null_scores)),
        ("German everyday bank", german),
        ("the pages' headings", np.asarray(calibration.corpus_scores)),
    ]
    print(f"threshold {calibration.threshold:.3f}")
    print(f"{'meaning score of':<24} {'n':>4}  q10    q50    q90    q97")
    for name, scores in rows:
        q = np.quantile(scores, [0.1, 0.5, 0.9, 0.97])
        print(f"{name:<24} {len(scores):>4}  " + "  ".join(f"{v:.3f}" for v in q))
    answered = [assistant.answer(q) for q in bank_questions(GERMAN_BANK)]
    print(
        f"German bank: {sum(a.abstained for a in answered)} of {len(answered)} abstain; "
        f"{sum('German' in a.not_english for a in answered)} say they are in German"
    )

    questions = load_questions(QUESTIONS)
    answers: dict[str, Answer] = {}

    def answer(question: str) -> dict:
        answers[question] = assistant.answer(question)
        return answers[question].to_dict()

    report = evaluate(questions, answer)
    print(f"== {QUESTIONS.name}")
    print(format_report(report).split("\n\nmisses")[0])
    noted = sum(bool(a.not_english) for a in answers.values())
    print(
        f"answers saying their quotes or nearest passage are not English: {noted} of {len(answers)}"
    )
    if not args.index:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
