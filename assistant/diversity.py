"""Diversity: when several articles speak, several are quoted (maximal marginal relevance)."""

from __future__ import annotations

import numpy as np

from index.loaded import LoadedIndex
from index.search import Hits

#: Maximal marginal relevance trades this share of relevance against the likeness to
#: quotes already chosen, and one document gives at most PER_DOCUMENT quotes while
#: another document still has a passage to offer.
MMR_LAMBDA = 0.9
PER_DOCUMENT = 3


def diverse_top(hits: Hits, loaded: LoadedIndex, k: int) -> Hits:
    """`k` hits chosen by maximal marginal relevance, at most PER_DOCUMENT from a document
    while other documents have hits left.

    Relevance is the fused score scaled to the best hit; redundancy is the cosine to the
    closest passage already chosen, so when several articles speak, several are quoted.
    When only capped documents are left, they fill the answer: the cap spreads quotes
    over articles and never cuts a one-article answer short of `k`."""
    doc_of = [p.doc_id for p in loaded.passages([int(i) for i in hits.ids])]
    vectors = loaded.passage_vectors(hits.ids.tolist())
    top = float(hits.scores.max())
    relevance = hits.scores / top if top > 0 else hits.scores
    likeness = np.full(len(hits), -1.0, dtype=np.float32)
    per_doc: dict[str, int] = {}
    keep: list[int] = []
    open_rows = set(range(len(hits)))
    while open_rows and len(keep) < k:
        allowed = [r for r in open_rows if per_doc.get(doc_of[r], 0) < PER_DOCUMENT]
        allowed = allowed or sorted(open_rows)
        gain = MMR_LAMBDA * relevance[allowed] - (1 - MMR_LAMBDA) * np.maximum(likeness[allowed], 0)
        row = allowed[int(np.argmax(gain))]
        keep.append(row)
        open_rows.discard(row)
        per_doc[doc_of[row]] = per_doc.get(doc_of[row], 0) + 1
        likeness = np.maximum(likeness, vectors @ vectors[row])
    return hits.take(keep)
