"""Caveat ranking: which of the quoted documents' own caveats a question should see first."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from assistant.records import CaveatQuote, source_of
from index.loaded import LoadedIndex
from index.records import Caveat, Passage
from ingest.caveats import PERSONAL_KINDS, applies_to_document

CAVEATS_PER_DOCUMENT = 2
#: A document of more passages than this is a manual, not an article: a disclaimer it
#: states limits its own section (R's FAQ: "The R Core Team does not provide legal advice
#: under any circumstances.", under "Can I use R for commercial purposes?"), not an answer
#: about memory. The shipped articles hold 8-27 passages; R's FAQ 176.
LONG_DOCUMENT = 100
LEADING_CAVEATS = 4
#: Kinds of caveat that limit harm done to someone: these lead a manipulative question.
STRONG_KINDS = frozenset(
    {"manipulation", "punishment", "deception", "weaponising", "unethical", "games"}
)


class CaveatIndex:
    """The caveats of one index version, ranked against a question.

    Question and caveats are compared after removing the caveats' mean vector: every
    caveat of a corpus shares its topic ("making someone miss you"), so raw cosines rank
    by topic; centred, they rank by what the caveat warns against (threats, jealousy...)."""

    def __init__(self, loaded: LoadedIndex) -> None:
        self.version = loaded.version
        self._loaded = loaded
        records = loaded.caveats()
        self._caveats = [caveat for _, caveat in records]
        vectors = loaded.caveat_vectors([cid for cid, _ in records])
        self._raw = np.asarray(vectors, dtype=np.float32).reshape(len(records), loaded.dimension)
        self._mean = vectors.mean(axis=0) if len(records) > 1 else np.zeros(loaded.dimension)
        self._vectors = _unit_rows(vectors - self._mean)
        self._lengths: dict[str, int] = {}  # passages of each document, as asked
        # of copies of one caveat (a file saved twice), the shorter file name's comes first
        self._name_lengths = np.asarray([len(c.doc_id) for c in self._caveats])

    def unethical_vectors(self) -> np.ndarray:
        """Vectors of the corpus's own statements of what it calls unethical (the items
        of an "Unethical:" list): a question close to one asks for that act."""
        rows = [i for i, c in enumerate(self._caveats) if c.kind == "unethical"]
        return self._raw[rows] if rows else np.zeros((0, self._loaded.dimension), np.float32)

    def ranked(self, query: np.ndarray, doc_ids: Sequence[str] | None = None) -> list[Caveat]:
        """The caveats (of `doc_ids` only, when given), most relevant to `query` first."""
        if not self._caveats:
            return []
        centred = _unit_rows((np.asarray(query, dtype=np.float32) - self._mean)[None, :])[0]
        order = np.lexsort((self._name_lengths, -(self._vectors @ centred)))
        wanted = None if doc_ids is None else set(doc_ids)
        return [
            self._caveats[i] for i in order if wanted is None or self._caveats[i].doc_id in wanted
        ]

    def per_document(self, query: np.ndarray, quoted: Sequence[Passage]) -> tuple[CaveatQuote, ...]:
        """For each quoted document, its own caveats that bear on the quotes, most relevant
        to the question first: those that limit the whole document (`applies_to_document`:
        ethical limits, disclaimers, a caution section) and the warnings stated inside a
        quoted passage. A manual's warning about another function stays out: on Python's
        library pages the panel had shown every document's top two, unrelated to the quotes
        in 16 of 20 answers."""
        per_doc: dict[str, int] = {}
        chosen, seen = [], set[str]()
        ranked = self.ranked(query, list(dict.fromkeys(p.doc_id for p in quoted)))
        bearing = [c for c in ranked if self._bears_on(c, quoted)]
        for caveat in bearing:
            if per_doc.get(caveat.doc_id, 0) >= CAVEATS_PER_DOCUMENT or _said(caveat, seen):
                continue
            per_doc[caveat.doc_id] = per_doc.get(caveat.doc_id, 0) + 1
            chosen.append(self._quote(caveat))
        return tuple(chosen)

    def _bears_on(self, caveat: Caveat, quoted: Sequence[Passage]) -> bool:
        """Whether the caveat bears on these quotes: stated inside one; or it limits its
        whole document — in a long one (a manual) only an ethical limit does, a
        disclaimer limits the section it is in."""
        inside = _inside_a_quote(caveat, quoted)
        if inside or not applies_to_document(caveat):
            return inside
        if caveat.kind in PERSONAL_KINDS or not self._long(caveat.doc_id):
            return True
        return any(p.doc_id == caveat.doc_id and p.section == caveat.section for p in quoted)

    def _long(self, doc_id: str) -> bool:
        if doc_id not in self._lengths:
            self._lengths[doc_id] = int(self._loaded.passage_ids_for_docs([doc_id]).size)
        return self._lengths[doc_id] > LONG_DOCUMENT

    def without_caveats(self, doc_ids: Sequence[str]) -> tuple[str, ...]:
        """Those of `doc_ids` that state no caveat at all, in the order given."""
        stating = {c.doc_id for c in self._caveats}
        return tuple(d for d in dict.fromkeys(doc_ids) if d not in stating)

    def leading(
        self, query: np.ndarray, doc_ids: Sequence[str] | None = None
    ) -> tuple[CaveatQuote, ...]:
        """The corpus's caveats against harming someone most relevant to the question,
        one per document, so the lead shows the corpus rather than one article. None when
        the corpus states no such caveat: a manual's "Be careful with the PATH" does not
        answer a question about hurting someone."""
        strong = [c for c in self.ranked(query, doc_ids) if c.kind in STRONG_KINDS]
        chosen, seen_docs, seen = [], set(), set[str]()
        for caveat in strong:
            if caveat.doc_id in seen_docs or _said(caveat, seen):
                continue
            seen_docs.add(caveat.doc_id)
            chosen.append(self._quote(caveat))
            if len(chosen) == LEADING_CAVEATS:
                break
        return tuple(chosen)

    def _quote(self, caveat: Caveat) -> CaveatQuote:
        document = self._loaded.info(caveat.doc_id)  # title and file: no text read
        return CaveatQuote(caveat.text, source_of(caveat, document, self.version), caveat.kind)


def _inside_a_quote(caveat: Caveat, quoted: Sequence[Passage]) -> bool:
    """Whether the caveat's sentence lies in one of the quoted passages."""
    return any(p.doc_id == caveat.doc_id and p.start <= caveat.start < p.end for p in quoted)


def merge(first: Sequence[CaveatQuote], then: Sequence[CaveatQuote]) -> tuple[CaveatQuote, ...]:
    """`first` then `then`, each caveat once (by its words: see `_said`)."""
    seen: set[str] = set()
    return tuple(c for c in [*first, *then] if not _said(c, seen))


def _said(caveat: Caveat | CaveatQuote, seen: set[str]) -> bool:
    """Whether these words were already chosen (else they are now): a file saved twice
    states its caveats twice, and the panel shows them once."""
    words = " ".join(caveat.text.split()).casefold()
    if words in seen:
        return True
    seen.add(words)
    return False


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)
