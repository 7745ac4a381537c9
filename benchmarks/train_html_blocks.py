"""Fit the block classifier (ingest/formats/html_blocks_model.py) on half A of the web pages.

    python -m benchmarks.train_html_blocks [--pages DIR] [--out FILE] [--seed N]

Every page is read as `cited` reads it; the parts of its main text, with their features
exactly as the reader computes them, are labelled by the benchmark's gold snippets (a part
holding a `with` snippet is article, one holding a `without` snippet is chrome, the rest
are left out). Only half A is used: the trees' size and the cut-off are chosen by 5-fold
cross-validation over A's pages (scored as the benchmark scores: title plus kept parts),
then fitted on all of A. Half B is scored once, at the end, as the blind figure.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np

from benchmarks.webpages import BENCHMARK, half_of
from ingest.formats.html_blocks_model import JUDGED_KINDS

MODEL_OUT = Path(__file__).resolve().parent.parent / "ingest" / "data" / "html_blocks_model.json"
#: (trees, depth) tried, and the chrome-chance cut-offs.
SIZES = ((100, 3), (150, 3), (300, 2))
CUTOFFS = (0.5, 0.6, 0.7, 0.8, 0.9)
#: A part shorter than this inside a snippet is too short to label by it.
MIN_LABEL_CHARS = {"with": 20, "without": 8}


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def read_pages(folder: Path) -> list[dict[str, Any]]:
    """Each page's title, parts, rule-caught chrome and feature rows, as the reader has them."""
    from index.errors import UnreadableFileError
    from ingest.formats import html, html_chrome
    from ingest.formats.base import Limits
    from ingest.formats.html_blocks_model import features

    seen: dict[str, Any] = {}

    def capture(parts, rule_chrome):  # the reader's own inputs to the classifier
        if any(part.layout for part in parts):
            seen.update(
                rows=features(parts, rule_chrome), parts=list(parts), rules=set(rule_chrome)
            )
        return []

    html_chrome.classified_chrome = capture  # train on the rules' output, not a model's
    logging.disable(logging.WARNING)
    pages = []
    for path in sorted((folder / "pages").glob("*.html")):
        seen.clear()
        try:
            reading = html.read(path.read_bytes(), str(path), Limits())
        except UnreadableFileError:
            continue
        if seen:
            pages.append(
                {"file": path.name, "half": half_of(path.name), "title": reading.title, **seen}
            )
    return pages


def labels(page: dict[str, Any], gold: dict[str, Any]) -> list[int]:
    """1 article, 0 chrome, -1 unknown, for each part."""
    keep = [_norm(s) for s in gold["with"]]
    drop = [_norm(s) for s in gold["without"]]
    found = []
    for part in page["parts"]:
        text = _norm(part.text)
        good = any(s in text or (len(text) >= MIN_LABEL_CHARS["with"] and text in s) for s in keep)
        bad = any(
            s in text or (len(text) >= MIN_LABEL_CHARS["without"] and text in s) for s in drop
        )
        found.append(1 if good and not bad else 0 if bad and not good else -1)
    return found


def f1(
    pages: list[dict[str, Any]], gold: dict[str, Any], chance: dict[str, np.ndarray], cutoff: float
) -> float:
    """The benchmark's F1 over `pages` when parts above `cutoff` are dropped too."""
    tp = fp = fn = 0
    for page in pages:
        judged = chance[page["file"]] > cutoff
        dropped = page["rules"] | {
            i for i, part in enumerate(page["parts"]) if judged[i] and part.kind in JUDGED_KINDS
        }
        kept = [p.text for i, p in enumerate(page["parts"]) if i not in dropped]
        text = _norm("\n".join([page["title"] or "", *kept]))
        item = gold[page["file"]]
        hits = sum(_norm(s) in text for s in item["with"])
        tp, fn = tp + hits, fn + len(item["with"]) - hits
        fp += sum(_norm(s) in text for s in item["without"])
    precision, recall = tp / max(1, tp + fp), tp / max(1, tp + fn)
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def fit(pages: list[dict[str, Any]], gold: dict[str, Any], size: tuple[int, int], seed: int):
    from sklearn.ensemble import GradientBoostingClassifier

    rows, ys = [], []
    for page in pages:
        found = labels(page, gold[page["file"]])
        for i, (row, y) in enumerate(zip(page["rows"], found, strict=True)):
            if y >= 0:
                rows.append(row)
                ys.append(y)
    model = GradientBoostingClassifier(
        n_estimators=size[0],
        max_depth=size[1],
        learning_rate=0.05,
        subsample=0.8,
        random_state=seed,
    )
    return model.fit(np.asarray(rows), np.asarray(ys))


def chances(model, pages: list[dict[str, Any]]) -> dict[str, np.ndarray]:
    return {p["file"]: model.predict_proba(p["rows"])[:, 0] for p in pages}


def cross_validate(pages, gold, seed: int) -> dict[tuple[int, int, float], float]:
    """A-only 5-fold F1 of every (trees, depth, cutoff)."""
    folds = [pages[k::5] for k in range(5)]
    scores = {}
    for size in SIZES:
        held_out: dict[str, np.ndarray] = {}
        for k, fold in enumerate(folds):
            rest = [p for j, f in enumerate(folds) if j != k for p in f]
            held_out.update(chances(fit(rest, gold, size, seed), fold))
        for cutoff in CUTOFFS:
            scores[(*size, cutoff)] = f1(pages, gold, held_out, cutoff)
    return scores


def export(model, cutoff: float, provenance: dict[str, Any]) -> dict[str, Any]:
    """The fitted trees as plain data (sklearn's arrays, leaf values on the log-odds)."""
    from ingest.formats.html_blocks_model import FEATURES

    prior = float(model.init_.class_prior_[1])
    trees = []
    for estimator in model.estimators_[:, 0]:
        tree = estimator.tree_
        trees.append(
            {
                "depth": int(tree.max_depth),
                "feature": tree.feature.tolist(),
                "threshold": tree.threshold.tolist(),
                "left": tree.children_left.tolist(),
                "right": tree.children_right.tolist(),
                "value": tree.value[:, 0, 0].tolist(),
            }
        )
    return {
        "about": "block classifier of ingest/formats/html_blocks_model.py; see docs/benchmarks.md",
        "trained": provenance,
        "features": list(FEATURES),
        "init": float(np.log(prior / (1 - prior))),
        "learning_rate": model.learning_rate,
        "threshold": cutoff,
        "trees": trees,
    }


def _check_walk(shipped: dict[str, Any], model, pages: list[dict[str, Any]]) -> None:
    """The reader's walk of the exported trees gives sklearn's own chances."""
    from ingest.formats.html_blocks_model import Trees

    rows = np.vstack([p["rows"] for p in pages])
    gap = np.abs(Trees(shipped).chrome_chance(rows) - model.predict_proba(rows)[:, 0]).max()
    if gap > 1e-6:
        raise SystemExit(f"exported trees differ from sklearn's by {gap}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.train_html_blocks")
    parser.add_argument("--pages", type=Path, default=BENCHMARK, help="the benchmark folder")
    parser.add_argument("--out", type=Path, default=MODEL_OUT)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    if not (args.pages / "evaldata.json").is_file():
        print(f"no web-page benchmark in {args.pages}", file=sys.stderr)
        return 2
    gold = {
        v["file"]: v for v in json.loads((args.pages / "evaldata.json").read_text("utf-8")).values()
    }
    pages = read_pages(args.pages)
    half_a = [p for p in pages if p["half"] == "A"]
    half_b = [p for p in pages if p["half"] == "B"]
    scores = cross_validate(half_a, gold, args.seed)
    trees, depth, cutoff = max(scores, key=lambda k: (round(scores[k], 4), k[2]))
    model = fit(half_a, gold, (trees, depth), args.seed)
    import sklearn

    none = {p["file"]: np.zeros(len(p["parts"])) for p in pages}
    figures = {
        "pages_A": len(half_a),
        "labelled_parts_A": int(
            sum(sum(y >= 0 for y in labels(p, gold[p["file"]])) for p in half_a)
        ),
        "trees": trees,
        "depth": depth,
        "cutoff": cutoff,
        "seed": args.seed,
        "sklearn": sklearn.__version__,
        "f1_A_rules": round(f1(half_a, gold, none, 1.0), 4),
        "f1_A_cross_validated": round(scores[(trees, depth, cutoff)], 4),
        "f1_B_rules": round(f1(half_b, gold, none, 1.0), 4),
        "f1_B_blind": round(f1(half_b, gold, chances(model, half_b), cutoff), 4),
    }
    shipped = export(model, cutoff, figures)
    _check_walk(shipped, model, half_a)
    args.out.write_text(json.dumps(shipped) + "\n", encoding="utf-8")
    print(
        json.dumps(
            {"cross_validated": {f"{t}x{d}@{c}": round(v, 4) for (t, d, c), v in scores.items()}}
        )
    )
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
