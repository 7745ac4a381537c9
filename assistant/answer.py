"""Answer a question with the articles' own words and the caveats they state.

`Assistant.answer` turns a question into an `Answer`: the best passages as verbatim
quotes, each with the sentence that best answers highlighted, the caveats of the
quoted documents most relevant to the question, an honest abstention when nothing is
close enough, and a notice when the question seeks to manipulate or hurt someone.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import QuestionError
from index.records import Caveat, Document, Passage
from index.search import Hits, HybridSearcher
from index.store import IndexHandle, LoadedIndex
from ingest.text import sentence_spans

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
MAX_K = 20

#: Below this cosine between question and best passage, nothing is relevant enough to
#: quote. Chosen from the score distributions of `tests/data/questions.jsonl`
#: (see docs/quality.md).
ABSTAIN_BELOW = 0.22
#: A later quote must reach this share of the best quote's cosine to be shown at all.
RELATIVE_FLOOR = 0.55
#: At most this many quotes from one document while other documents are relevant.
PER_DOCUMENT = 3
CAVEATS_PER_DOCUMENT = 2
LEADING_CAVEATS = 4

ABSTAIN_NOTICE = (
    "Nothing in these articles answers this question closely enough to quote. "
    "cited only shows the articles' own words, so it says so instead of quoting "
    "unrelated text."
)
MANIPULATION_NOTICE = (
    "This question reads as a way to manipulate, deceive, punish or control someone. "
    "The articles themselves say that what they describe is not that, so their "
    "caveats come first."
)


@dataclass(frozen=True)
class Source:
    """Where a quote comes from: enough to find it again in the file."""

    doc_id: str
    title: str
    file: str
    section: str
    start: int
    end: int
    page: int | None = None


@dataclass(frozen=True)
class Quote:
    rank: int
    text: str
    score: float
    highlight: tuple[int, int]
    source: Source


@dataclass(frozen=True)
class CaveatQuote:
    text: str
    source: Source
    kind: str = "general"


@dataclass(frozen=True)
class Answer:
    question: str
    quotes: tuple[Quote, ...]
    caveats: tuple[CaveatQuote, ...]
    abstained: bool
    notice: str | None

    def to_dict(self) -> dict[str, Any]:
        """The Answer JSON object of DESIGN.md."""
        return {
            "question": self.question,
            "abstained": self.abstained,
            "notice": self.notice,
            "quotes": [_quote_dict(q) for q in self.quotes],
            "caveats": [{"text": c.text, "source": asdict(c.source)} for c in self.caveats],
        }


def _quote_dict(quote: Quote) -> dict[str, Any]:
    return {
        "rank": quote.rank,
        "text": quote.text,
        "score": quote.score,
        "highlight": list(quote.highlight),
        "source": asdict(quote.source),
    }


def clean_question(question: str) -> str:
    """The question with control characters removed and whitespace folded.

    Raises QuestionError for an empty question or one too long to be a question."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    if len(question) > MAX_QUESTION_CHARS * 4:
        raise QuestionError(
            f"the question is {len(question):,} characters long; ask in at most "
            f"{MAX_QUESTION_CHARS:,}"
        )
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in question)
    text = " ".join(printable.split())
    if not text:
        raise QuestionError("the question is empty; type a question about the articles")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text):,} characters long; ask in at most {MAX_QUESTION_CHARS:,}"
        )
    return text


class Assistant:
    """Answers questions from the published index, following it when it is rebuilt."""

    def __init__(
        self,
        index_dir: Path,
        embedder: Any | None = None,
        model_path: Path | None = None,
        check_interval: float = 2.0,
    ) -> None:
        if embedder is None:
            from index.embed import Embedder

            embedder = Embedder(model_path)
        self.embedder = embedder
        self.handle = IndexHandle(Path(index_dir), check_interval=check_interval)
        self._expected_model_checked: str | None = None

    def index(self) -> LoadedIndex:
        """The index answers come from now, checked against the loaded model."""
        loaded = self.handle.current()
        if self._expected_model_checked != loaded.version:
            _check_model(loaded, self.embedder)
            self._expected_model_checked = loaded.version
        return loaded

    def answer(self, question: str, k: int = 5, doc_ids: Sequence[str] | None = None) -> Answer:
        """Answer `question` with up to `k` quotes, searching only `doc_ids` if given."""
        text = clean_question(question)
        k = max(1, min(int(k), MAX_K))
        loaded = self.index()
        query = self.embedder.encode_query(text)
        manipulative = is_manipulative(text, query, self.embedder)
        hits = HybridSearcher(loaded, self.embedder).search(
            text, k=max(k * 4, 20), doc_ids=doc_ids, query_vector=query
        )
        if len(hits.ids) == 0 or float(hits.dense.max()) < ABSTAIN_BELOW:
            leading = _leading_caveats(loaded, query, doc_ids) if manipulative else ()
            notice = MANIPULATION_NOTICE if manipulative else ABSTAIN_NOTICE
            return Answer(text, (), leading, abstained=not manipulative, notice=notice)
        chosen = _diverse_top(hits, loaded, k)
        passages = loaded.passages([int(i) for i in chosen.ids])
        documents = {p.doc_id: loaded.document(p.doc_id) for p in passages}
        quotes = self._quotes(passages, chosen.dense, documents, query)
        caveats = _caveats_for(loaded, query, [p.doc_id for p in passages], documents)
        if manipulative:
            caveats = _merge(_leading_caveats(loaded, query, doc_ids), caveats)
        return Answer(
            text,
            quotes,
            caveats,
            abstained=False,
            notice=MANIPULATION_NOTICE if manipulative else None,
        )

    def _quotes(
        self,
        passages: Sequence[Passage],
        scores: np.ndarray,
        documents: dict[str, Document | None],
        query: np.ndarray,
    ) -> tuple[Quote, ...]:
        quotes = []
        for rank, (passage, score) in enumerate(zip(passages, scores, strict=True), start=1):
            document = documents[passage.doc_id]
            quotes.append(
                Quote(
                    rank=rank,
                    text=passage.text,
                    score=round(float(score), 3),
                    highlight=self.highlight(passage.text, query),
                    source=source_of(passage, document),
                )
            )
        return tuple(quotes)

    def highlight(self, text: str, query: np.ndarray) -> tuple[int, int]:
        """The span of the sentence in `text` closest in meaning to the question."""
        spans = [s for s in sentence_spans(text) if s[1] - s[0] > 1]
        if len(spans) <= 1:
            return spans[0] if spans else (0, len(text))
        vectors = _sentence_vectors(self.embedder, tuple(text[s:e] for s, e in spans))
        return spans[int(np.argmax(vectors @ query))]


def _check_model(loaded: LoadedIndex, embedder: Any) -> None:
    from index.errors import ModelMismatchError

    manifest = loaded.manifest
    if (manifest.model_name, manifest.dimension) != (embedder.model_name, embedder.dimension):
        raise ModelMismatchError(
            f"the index in {loaded.path} was built with {manifest.model_name} "
            f"({manifest.dimension} dimensions) but the loaded model is "
            f"{embedder.model_name} ({embedder.dimension}); run `cited ingest --full` to "
            "rebuild it, or pass --model with the model it was built with"
        )


_SENTENCE_VECTORS: dict[str, np.ndarray] = {}


def _sentence_vectors(embedder: Any, sentences: tuple[str, ...]) -> np.ndarray:
    """Vectors for sentences, remembered so a passage shown twice is encoded once."""
    missing = [s for s in sentences if s not in _SENTENCE_VECTORS]
    if missing:
        if len(_SENTENCE_VECTORS) > 20_000:
            _SENTENCE_VECTORS.clear()
        for sentence, vector in zip(missing, embedder.encode(missing), strict=True):
            _SENTENCE_VECTORS[sentence] = vector
    return np.stack([_SENTENCE_VECTORS[s] for s in sentences])


def source_of(item: Passage | Caveat, document: Document | None) -> Source:
    return Source(
        doc_id=item.doc_id,
        title=document.title if document else item.doc_id,
        file=document.file if document else "",
        section=item.section,
        start=item.start,
        end=item.end,
        page=item.page,
    )


def _diverse_top(hits: Hits, loaded: LoadedIndex, k: int) -> Hits:
    """The top `k` hits, at most PER_DOCUMENT from one document, none far below the best."""
    doc_of = {
        p_id: p.doc_id
        for p_id, p in zip(
            hits.ids.tolist(), loaded.passages([int(i) for i in hits.ids]), strict=True
        )
    }
    floor = float(hits.dense.max()) * RELATIVE_FLOOR
    per_doc: dict[str, int] = {}
    keep: list[int] = []
    for position, passage_id in enumerate(hits.ids.tolist()):
        if hits.dense[position] < max(floor, ABSTAIN_BELOW):
            continue
        doc_id = doc_of[passage_id]
        if per_doc.get(doc_id, 0) >= PER_DOCUMENT:
            continue
        per_doc[doc_id] = per_doc.get(doc_id, 0) + 1
        keep.append(position)
        if len(keep) == k:
            break
    rows = np.asarray(keep, dtype=np.int64)
    return Hits(hits.ids[rows], hits.scores[rows], hits.dense[rows], hits.lexical[rows])


def _ranked_caveats(
    loaded: LoadedIndex, query: np.ndarray, doc_ids: Sequence[str] | None
) -> list[tuple[float, Caveat]]:
    records = loaded.caveats(doc_ids)
    if not records:
        return []
    vectors = loaded.caveat_vectors([cid for cid, _ in records])
    scores = vectors @ query
    order = np.argsort(-scores, kind="stable")
    return [(float(scores[i]), records[i][1]) for i in order]


def _caveats_for(
    loaded: LoadedIndex,
    query: np.ndarray,
    quoted_doc_ids: Sequence[str],
    documents: dict[str, Document | None],
) -> tuple[CaveatQuote, ...]:
    """For each quoted document, its own caveats most relevant to the question."""
    unique_ids = list(dict.fromkeys(quoted_doc_ids))
    per_doc: dict[str, int] = {}
    chosen = []
    for _, caveat in _ranked_caveats(loaded, query, unique_ids):
        if per_doc.get(caveat.doc_id, 0) >= CAVEATS_PER_DOCUMENT:
            continue
        per_doc[caveat.doc_id] = per_doc.get(caveat.doc_id, 0) + 1
        chosen.append(_caveat_quote(caveat, documents.get(caveat.doc_id)))
    return tuple(chosen)


def _leading_caveats(
    loaded: LoadedIndex, query: np.ndarray, doc_ids: Sequence[str] | None
) -> tuple[CaveatQuote, ...]:
    """The corpus's strongest caveats against harming someone, most relevant first."""
    ranked = _ranked_caveats(loaded, query, doc_ids)
    strong = [c for _, c in ranked if c.kind in _STRONG_KINDS] or [c for _, c in ranked]
    chosen, seen_docs = [], set()
    for caveat in strong:
        # One per document first, so the lead shows the corpus, not one article.
        if caveat.doc_id in seen_docs:
            continue
        seen_docs.add(caveat.doc_id)
        chosen.append(_caveat_quote(caveat, loaded.document(caveat.doc_id)))
        if len(chosen) == LEADING_CAVEATS:
            break
    return tuple(chosen)


_STRONG_KINDS = {"manipulation", "punishment", "deception", "weaponising", "unethical", "games"}


def _caveat_quote(caveat: Caveat, document: Document | None) -> CaveatQuote:
    return CaveatQuote(caveat.text, source_of(caveat, document), caveat.kind)


def _merge(first: Sequence[CaveatQuote], then: Sequence[CaveatQuote]) -> tuple[CaveatQuote, ...]:
    seen = set()
    merged = []
    for caveat in [*first, *then]:
        key = (caveat.source.doc_id, caveat.source.start)
        if key not in seen:
            seen.add(key)
            merged.append(caveat)
    return tuple(merged)


# Intent cues: a harmful aim ("make him jealous", "punish her", "trick him into") rather
# than a word alone, so "is no contact manipulative?" is not flagged by the cues; the
# semantic check below catches paraphrases.
_INTENT_CUES = re.compile(
    r"\b(manipulat\w*|guilt[- ]?trip\w*|gaslight\w*|jealous\w*|punish\w*|revenge|"
    r"get back at|trick\w*|deceiv\w*|lie to|lying to|fake\w*|pretend\w* to|control\w*|"
    r"obsess\w*|suffer\w*|hurt\w*|make (him|her|them) (pay|regret|beg|crawl|feel guilty)|"
    r"mind ?games?|play(ing)? games|hard to get|break (him|her|them)|crawl\w* back|"
    r"stalk\w*|spy on|threat\w*|weaponi[sz]\w*)",
    re.IGNORECASE,
)
_ETHICS_QUESTION = re.compile(
    r"^(is|isn'?t|are|would|does|do)\b.*\b(manipulat\w*|ethical|unethical|games?|fair|wrong|ok)\b",
    re.IGNORECASE,
)
_MANIPULATIVE_PROTOTYPES = (
    "How can I manipulate him into coming back to me?",
    "How do I make her jealous so she wants me again?",
    "How can I punish my ex by ignoring him?",
    "How do I trick him into thinking I am busy and popular?",
    "How can I make him feel guilty for leaving me?",
    "How do I control my partner so he never leaves?",
    "How can I hurt my ex the way he hurt me?",
    "What mind games make someone obsessed with me?",
)
_PROTOTYPE_THRESHOLD = 0.62
_prototype_vectors: dict[str, np.ndarray] = {}


def is_manipulative(question: str, query: np.ndarray, embedder: Any) -> bool:
    """Whether the question seeks to manipulate, deceive, punish or control someone."""
    if _ETHICS_QUESTION.search(question):
        return False
    if _INTENT_CUES.search(question):
        return True
    key = getattr(embedder, "model_name", "")
    if key not in _prototype_vectors:
        _prototype_vectors[key] = embedder.encode(list(_MANIPULATIVE_PROTOTYPES))
    return float((_prototype_vectors[key] @ query).max()) >= _PROTOTYPE_THRESHOLD
