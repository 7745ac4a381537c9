"""The block classifier: gradient-boosted trees that tell a page's chrome from its article.

Each part of the main text is described by what it is (length, links, sentence ends, kind,
whether a chrome rule caught it, where it sits among the parts, its neighbours) and by
where it sits in the page's markup (`Part.layout`: jusText's verdict, class/id words apart
from the article's, depth, the tags around it). The trees were fitted on half A of the
web-page benchmark only (`python -m benchmarks.train_html_blocks`), and are shipped as
plain JSON in `ingest/data/html_blocks_model.json`, loaded once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

from ingest.formats.html_blocks import LAYOUT_FEATURES, PARAGRAPH_FEATURES

MODEL = Path(__file__).resolve().parent.parent / "data" / "html_blocks_model.json"
_KINDS = ("paragraph", "item", "heading", "table", "code")
_SIDE_FEATURES = ("loglen", "linked", "ends", "rule", "matched")
PART_FEATURES = (
    "loglen", "words", "linked", "ends", "sentences", "digits", "upper", "colon", "rule",
    "position", "chars_before", "chars_after", "parts", *(f"kind_{k}" for k in _KINDS),
    *(f"{side}_{f}" for side in ("prev", "next") for f in _SIDE_FEATURES),
)  # fmt: skip
#: Every input of the trees, in order.
FEATURES = (*PART_FEATURES, *LAYOUT_FEATURES)
#: The kinds of part the classifier judges: headings, tables and code stay the rules' to
#: judge (a documentation page's short headings look like a news page's teaser titles).
JUDGED_KINDS = frozenset({"paragraph", "item"})
_ENDS = re.compile(r"[.!?…\"“”»]\s*$")
_SENTENCE_END = re.compile(r"[.!?](?:\s|$)")
_UNMATCHED = (*(-1.0,) * len(PARAGRAPH_FEATURES), 0.0, 0.0)


def features(parts: Sequence, rule_chrome: set[int]) -> np.ndarray:
    """One row of FEATURES a part (`rule_chrome`: the parts the chrome rules caught)."""
    total = sum(len(p.text) + 2 for p in parts) or 1
    own, before = [], 0
    for i, part in enumerate(parts):
        own.append(_own(part, i in rule_chrome, i / max(1, len(parts) - 1)))
        own[-1] += [
            before / total,
            1 - (before + len(part.text) + 2) / total,
            math.log1p(len(parts)),
        ]
        before += len(part.text) + 2
    rows = []
    for i, part in enumerate(parts):
        row = own[i] + [float(part.kind == k) for k in _KINDS]
        for j in (i - 1, i + 1):
            if 0 <= j < len(parts):
                o = own[j]
                row += [
                    o[0],
                    o[2],
                    o[3],
                    o[8],
                    float(bool(parts[j].layout) and parts[j].layout[-2] > 0),
                ]
            else:
                row += [-1.0] * len(_SIDE_FEATURES)
        rows.append(row + list(part.layout or _UNMATCHED))
    return np.asarray(rows, dtype=np.float32).reshape(len(parts), len(FEATURES))


def _own(part, rule: bool, position: float) -> list[float]:
    """The part's features that need nothing of the others (FEATURES' first ten)."""
    text = part.text
    length, words = len(text), text.split()
    return [
        math.log1p(length),
        math.log1p(len(words)),
        part.linked,
        float(bool(_ENDS.search(text))),
        10 * len(_SENTENCE_END.findall(text)) / max(1, len(words)),
        sum(c.isdigit() for c in text) / max(1, length),
        sum(c.isupper() for c in text) / max(1, length),
        float(":" in text[:40]),
        float(rule),
        position,
    ]


class Trees:
    """Gradient-boosted regression trees on the log-odds that a part is article text,
    walked for all parts and all trees at once."""

    def __init__(self, model: dict):
        if tuple(model["features"]) != FEATURES:
            raise ValueError(f"{MODEL.name} was trained on other features; retrain it")
        trees = model["trees"]
        size = max(len(t["feature"]) for t in trees)
        self.depth = max(t["depth"] for t in trees)
        self.feature = np.zeros((len(trees), size), dtype=np.intp)
        self.threshold = np.full((len(trees), size), np.inf)
        self.left = np.tile(np.arange(size), (len(trees), 1))
        self.right = self.left.copy()
        self.value = np.zeros((len(trees), size))
        for k, tree in enumerate(trees):
            for node, (f, t, a, b, v) in enumerate(
                zip(
                    tree["feature"],
                    tree["threshold"],
                    tree["left"],
                    tree["right"],
                    tree["value"],
                    strict=True,
                )
            ):
                self.value[k, node] = v
                if a >= 0:  # a split; a leaf points at itself and keeps its value
                    self.feature[k, node], self.threshold[k, node] = f, t
                    self.left[k, node], self.right[k, node] = a, b
        self.start = model["init"]
        self.rate = model["learning_rate"]
        self.cutoff = model["threshold"]

    def chrome_chance(self, rows: np.ndarray) -> np.ndarray:
        """For each row, the chance that its part is page chrome."""
        tree = np.arange(self.feature.shape[0])[None, :]
        node = np.zeros((rows.shape[0], self.feature.shape[0]), dtype=np.intp)
        row = np.arange(rows.shape[0])[:, None]
        for _ in range(self.depth):
            goes_left = rows[row, self.feature[tree, node]] <= self.threshold[tree, node]
            node = np.where(goes_left, self.left[tree, node], self.right[tree, node])
        odds = self.start + self.rate * self.value[tree, node].sum(axis=1)
        return 1.0 / (1.0 + np.exp(odds))


@lru_cache(maxsize=1)
def trees() -> Trees | None:
    """The shipped classifier, loaded once; None when the file is absent."""
    if not MODEL.is_file():
        return None
    return Trees(json.loads(MODEL.read_text(encoding="utf-8")))


def classified_chrome(parts: Sequence, rule_chrome: set[int]) -> list[int]:
    """The parts, besides `rule_chrome`, that the classifier calls page chrome."""
    model = trees()
    if model is None or not parts or not any(part.layout for part in parts):
        return []
    chance = model.chrome_chance(features(parts, rule_chrome))
    return [
        i
        for i, c in enumerate(chance)
        if c > model.cutoff and i not in rule_chrome and parts[i].kind in JUDGED_KINDS
    ]
