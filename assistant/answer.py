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
from index.loaded import IndexHandle, LoadedIndex
from index.records import Caveat, Document, Passage
from index.search import (
    DEFAULT_FUSION,
    DENSE_WEIGHT,
    SENTENCE_WEIGHT,
    Fusion,
    Hits,
    HybridSearcher,
)

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 1000
# Terminal escape sequences (colours, cursor moves) pasted with a question: dropped whole,
# where removing only the ESC byte left words like "[31m" in the question.
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")
MAX_K = 20

#: Below this meaning score (the mix of passage and best-sentence cosine that
#: `index.search` computes) a passage is not relevant enough to quote; when no passage
#: reaches it the answer abstains. Chosen from the score distributions of the "tune" split
#: of tests/data/questions.jsonl (see docs/quality.md for the margin).
ABSTAIN_BELOW = 0.24
#: Diversity: maximal marginal relevance trades this share of relevance against the
#: likeness to quotes already chosen, and one document gives at most PER_DOCUMENT quotes.
MMR_LAMBDA = 0.9
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
    sha256: str = ""  # of the file when it was indexed: the quote's receipt (`cited verify`)
    version: str = ""  # the index version the quote was read from


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
    index_version: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The Answer JSON object of DESIGN.md."""
        return {
            "question": self.question,
            "abstained": self.abstained,
            "notice": self.notice,
            "quotes": [_quote_dict(q) for q in self.quotes],
            "caveats": [{"text": c.text, "source": asdict(c.source)} for c in self.caveats],
            "index_version": self.index_version,
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
    """The question with terminal escape sequences and control characters removed and
    whitespace folded.

    Raises QuestionError for an empty question or one too long to be a question."""
    if not isinstance(question, str):
        raise QuestionError("the question must be text")
    if len(question) > MAX_QUESTION_CHARS * 4:
        raise QuestionError(
            f"the question is {len(question):,} characters long; ask in at most "
            f"{MAX_QUESTION_CHARS:,}"
        )
    plain = _ESCAPE_SEQUENCE.sub(" ", question)
    printable = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in plain)
    text = " ".join(printable.split())
    if not text:
        raise QuestionError("the question is empty; type a question about the articles")
    if len(text) > MAX_QUESTION_CHARS:
        raise QuestionError(
            f"the question is {len(text):,} characters long; ask in at most {MAX_QUESTION_CHARS:,}"
        )
    return text


@dataclass(frozen=True)
class AnswerSettings:
    """How answers are retrieved; the defaults are the tuned ones (docs/quality.md)."""

    fusion: Fusion = DEFAULT_FUSION
    dense_weight: float = DENSE_WEIGHT
    sentence_weight: float = SENTENCE_WEIGHT
    diversity: bool = True
    abstain_below: float = ABSTAIN_BELOW


class Assistant:
    """Answers questions from the published index, following it when it is rebuilt."""

    def __init__(
        self,
        index_dir: Path,
        embedder: Any | None = None,
        model_path: Path | None = None,
        check_interval: float = 2.0,
        settings: AnswerSettings | None = None,
    ) -> None:
        if embedder is None:
            from index.embed import Embedder

            embedder = Embedder(model_path)
        self.embedder = embedder
        self.settings = settings or AnswerSettings()
        self.handle = IndexHandle(Path(index_dir), check_interval=check_interval)
        self._expected_model_checked: str | None = None
        self._caveats: CaveatIndex | None = None

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
        caveats = self._caveat_index(loaded)
        query = self.embedder.encode_query(text)
        manipulative = is_manipulative(text, query, self.embedder)
        hits = self.searcher(loaded).search(
            text, k=max(k * 4, 20), doc_ids=doc_ids, query_vector=query
        )
        if len(hits) == 0 or float(hits.semantic.max()) < self.settings.abstain_below:
            leading = caveats.leading(query, doc_ids) if manipulative else ()
            notice = MANIPULATION_NOTICE if manipulative else ABSTAIN_NOTICE
            return Answer(text, (), leading, not manipulative, notice, index_version=loaded.version)
        if self.settings.diversity:
            chosen = _diverse_top(hits, loaded, k)
        else:
            chosen = hits.take(np.arange(min(k, len(hits))))
        passages = loaded.passages([int(i) for i in chosen.ids])
        documents = {p.doc_id: loaded.document(p.doc_id) for p in passages}
        quotes = self._quotes(loaded, passages, chosen, documents, query)
        shown = caveats.per_document(query, [p.doc_id for p in passages])
        if manipulative:
            shown = _merge(caveats.leading(query, doc_ids), shown)
        return Answer(
            text,
            quotes,
            shown,
            abstained=False,
            notice=MANIPULATION_NOTICE if manipulative else None,
            index_version=loaded.version,
        )

    def searcher(self, loaded: LoadedIndex) -> HybridSearcher:
        """A searcher over `loaded` with this assistant's settings."""
        s = self.settings
        return HybridSearcher(loaded, self.embedder, s.fusion, s.dense_weight, s.sentence_weight)

    def _caveat_index(self, loaded: LoadedIndex) -> CaveatIndex:
        """The caveats of `loaded`, prepared once per index version."""
        current = self._caveats
        if current is None or current.version != loaded.version:
            current = self._caveats = CaveatIndex(loaded)
        return current

    def _quotes(
        self,
        loaded: LoadedIndex,
        passages: Sequence[Passage],
        hits: Hits,
        documents: dict[str, Document | None],
        query: np.ndarray,
    ) -> tuple[Quote, ...]:
        quotes = []
        for rank, (passage, score, unit) in enumerate(
            zip(passages, hits.semantic, hits.unit, strict=True), start=1
        ):
            highlight = loaded.sentence_span(int(unit)) if unit >= 0 else (0, len(passage.text))
            quotes.append(
                Quote(
                    rank=rank,
                    text=passage.text,
                    score=round(float(score), 3),
                    highlight=highlight,
                    source=source_of(passage, documents[passage.doc_id], loaded.version),
                )
            )
        return tuple(quotes)


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


def source_of(item: Passage | Caveat, document: Document | None, version: str = "") -> Source:
    return Source(
        doc_id=item.doc_id,
        title=document.title if document else item.doc_id,
        file=document.file if document else "",
        section=item.section,
        start=item.start,
        end=item.end,
        page=item.page,
        sha256=document.sha256 if document else "",
        version=version,
    )


def _diverse_top(hits: Hits, loaded: LoadedIndex, k: int) -> Hits:
    """`k` hits chosen by maximal marginal relevance, at most PER_DOCUMENT from a document.

    Relevance is the fused score scaled to the best hit; redundancy is the cosine to the
    closest passage already chosen, so when several articles speak, several are quoted."""
    doc_of = [p.doc_id for p in loaded.passages([int(i) for i in hits.ids])]
    vectors = loaded.passage_vectors(hits.ids)
    top = float(hits.scores.max())
    relevance = hits.scores / top if top > 0 else hits.scores
    likeness = np.full(len(hits), -1.0, dtype=np.float32)
    per_doc: dict[str, int] = {}
    keep: list[int] = []
    open_rows = set(range(len(hits)))
    while open_rows and len(keep) < k:
        allowed = [r for r in open_rows if per_doc.get(doc_of[r], 0) < PER_DOCUMENT]
        if not allowed:
            break
        gain = MMR_LAMBDA * relevance[allowed] - (1 - MMR_LAMBDA) * np.maximum(likeness[allowed], 0)
        row = allowed[int(np.argmax(gain))]
        keep.append(row)
        open_rows.discard(row)
        per_doc[doc_of[row]] = per_doc.get(doc_of[row], 0) + 1
        likeness = np.maximum(likeness, vectors @ vectors[row])
    return hits.take(keep)


_STRONG_KINDS = {"manipulation", "punishment", "deception", "weaponising", "unethical", "games"}


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
        self._mean = vectors.mean(axis=0) if len(records) > 1 else np.zeros(loaded.dimension)
        self._vectors = _unit_rows(vectors - self._mean)

    def ranked(self, query: np.ndarray, doc_ids: Sequence[str] | None = None) -> list[Caveat]:
        """The caveats (of `doc_ids` only, when given), most relevant to `query` first."""
        if not self._caveats:
            return []
        centred = _unit_rows((np.asarray(query, dtype=np.float32) - self._mean)[None, :])[0]
        order = np.argsort(-(self._vectors @ centred), kind="stable")
        wanted = None if doc_ids is None else set(doc_ids)
        return [
            self._caveats[i] for i in order if wanted is None or self._caveats[i].doc_id in wanted
        ]

    def per_document(
        self, query: np.ndarray, quoted_doc_ids: Sequence[str]
    ) -> tuple[CaveatQuote, ...]:
        """For each quoted document, its own caveats most relevant to the question."""
        per_doc: dict[str, int] = {}
        chosen = []
        for caveat in self.ranked(query, list(dict.fromkeys(quoted_doc_ids))):
            if per_doc.get(caveat.doc_id, 0) >= CAVEATS_PER_DOCUMENT:
                continue
            per_doc[caveat.doc_id] = per_doc.get(caveat.doc_id, 0) + 1
            chosen.append(self._quote(caveat))
        return tuple(chosen)

    def leading(
        self, query: np.ndarray, doc_ids: Sequence[str] | None = None
    ) -> tuple[CaveatQuote, ...]:
        """The corpus's caveats against harming someone most relevant to the question,
        one per document, so the lead shows the corpus rather than one article."""
        ranked = self.ranked(query, doc_ids)
        strong = [c for c in ranked if c.kind in _STRONG_KINDS] or ranked
        chosen, seen_docs = [], set()
        for caveat in strong:
            if caveat.doc_id in seen_docs:
                continue
            seen_docs.add(caveat.doc_id)
            chosen.append(self._quote(caveat))
            if len(chosen) == LEADING_CAVEATS:
                break
        return tuple(chosen)

    def _quote(self, caveat: Caveat) -> CaveatQuote:
        return _caveat_quote(caveat, self._loaded.document(caveat.doc_id), self.version)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero)."""
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1.0)).astype(np.float32)


def _caveat_quote(caveat: Caveat, document: Document | None, version: str = "") -> CaveatQuote:
    return CaveatQuote(caveat.text, source_of(caveat, document, version), caveat.kind)


def _merge(first: Sequence[CaveatQuote], then: Sequence[CaveatQuote]) -> tuple[CaveatQuote, ...]:
    seen = set()
    merged = []
    for caveat in [*first, *then]:
        key = (caveat.source.doc_id, caveat.source.start)
        if key not in seen:
            seen.add(key)
            merged.append(caveat)
    return tuple(merged)


# Intent cues. A word that names a harmful aim on its own ("gaslight", "revenge"); a verb
# that does when it is aimed at a person ("control my husband", not "ingress controller");
# "make him <suffer|pay|feel insecure...>". They count only in a request for a way to act:
# a question about why something works, or whether it is so ("Is no contact just playing
# hard to get?", "Is it all right to fake...?"), asks about manipulation, not for it.
_PERSON = r"(him|her|them|someone|my \w+)"
_INTENT_CUES = re.compile(
    r"\b(manipulat\w*|guilt[- ]?trip\w*|gaslight\w*|blackmail\w*|coerc\w*|intimidat\w*|"
    r"threat\w*|revenge|get back at|punish\w*|stalk\w*|spy(ing)? on|weaponi[sz]\w*|"
    r"mind ?games?|play(ing)? games|hard to get|trick\w*|deceiv\w*|lie to|lying to|fake\w*|"
    r"pretend\w* (to|that)|jealous\w*|obsess\w*|suffer\w*|crawl\w* back|"
    r"against (his|her|their) will|whether (he|she|they) wants?( it| to)? or not|"
    r"mess(ing)? with (his|her|their) (head|mind)|"
    r"(control|hurt|scar|frighten|pressur|forc|break|haunt|torment|humiliat|trap|isolat)"
    rf"\w* {_PERSON}|"
    rf"make {_PERSON} (pay|regret|beg|crawl|suffer|panic|"
    r"feel (guilty|insecure|jealous|worthless|small|bad|anxious|afraid|scared)))\b",
    re.IGNORECASE,
)
_NOT_A_REQUEST = re.compile(
    r"^(why|how come|(is|are|was|were)(n'?t)?\b(?! there)|"
    r"(do|does|would|could|can|should)(n'?t)?\b.*\b(manipulat\w*|ethical|unethical|games?|"
    r"fair|wrong|ok|okay|all right|acceptable|healthy|cruel)\b)",
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
#: Only near-paraphrases of a prototype count: ordinary questions about winning someone back
#: reach 0.62 (see docs/quality.md).
_PROTOTYPE_THRESHOLD = 0.70
_prototype_vectors: dict[str, np.ndarray] = {}


def is_manipulative(question: str, query: np.ndarray, embedder: Any) -> bool:
    """Whether the question seeks to manipulate, deceive, punish or control someone."""
    if _NOT_A_REQUEST.search(question):
        return False
    if _INTENT_CUES.search(question):
        return True
    key = getattr(embedder, "model_name", "")
    if key not in _prototype_vectors:
        _prototype_vectors[key] = embedder.encode(list(_MANIPULATIVE_PROTOTYPES))
    return float((_prototype_vectors[key] @ query).max()) >= _PROTOTYPE_THRESHOLD
