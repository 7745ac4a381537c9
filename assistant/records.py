"""The Answer and its parts, as the CLI, the API and the web UI receive them."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Protocol

from index.records import Caveat, Passage


@dataclass(frozen=True)
class Source:
    """Where a quote comes from: enough to find it again in the file. `section` is the
    innermost heading (the title before the first); `headings` the whole path of headings
    it stands under, outermost first, without the title (empty for a caveat)."""

    doc_id: str
    title: str
    file: str
    section: str
    start: int
    end: int
    page: int | None = None
    sha256: str = ""  # of the file when it was indexed: the quote's receipt (`cited verify`)
    version: str = ""  # the index version the quote was read from
    headings: tuple[str, ...] = ()


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
class Nearest:
    """On an abstention, the closest passage and its score against the threshold."""

    text: str
    score: float
    threshold: float
    source: Source


@dataclass(frozen=True)
class Abstention:
    """Why an answer abstained: the threshold, the nearest passage, the key words of the
    question the articles never mention, those they mention only in their sources, and
    those the nearest passages do not address (a weakly answered question), and the
    (subject, everyday question) on another subject it reads like."""

    threshold: float
    nearest: Nearest | None = None
    never_mentioned: tuple[str, ...] = ()
    only_in_sources: tuple[str, ...] = ()
    not_addressed: tuple[str, ...] = ()
    other_subject: tuple[str, str] | None = None

    def to_dict(self) -> dict[str, Any]:
        nearest = None
        if self.nearest is not None:
            nearest = {**asdict(self.nearest), "source": asdict(self.nearest.source)}
        return {
            "threshold": self.threshold,
            "nearest": nearest,
            "never_mentioned": list(self.never_mentioned),
            "only_in_sources": list(self.only_in_sources),
            "not_addressed": list(self.not_addressed),
            "other_subject": _other_subject(self.other_subject),
        }


def _other_subject(found: tuple[str, str] | None) -> dict[str, str] | None:
    return None if found is None else {"subject": found[0], "question": found[1]}


@dataclass(frozen=True)
class Answer:
    question: str
    quotes: tuple[Quote, ...]
    caveats: tuple[CaveatQuote, ...]
    abstained: bool
    notice: str | None
    #: Set when the answer abstained: what the "show nearest" control and --explain show.
    abstention: Abstention | None = None
    #: Titles of the quoted documents that state no caveat of their own: the caveat panel
    #: says so for them instead of showing other documents' caveats.
    without_caveats: tuple[str, ...] = ()
    #: The index version the answer was made from (its quotes' receipts say the same).
    index_version: str | None = None
    #: The languages other than English that the quotes are written in (when it abstained,
    #: the nearest passage): the model reads English, so the answer says it cannot judge
    #: how well they answer, or whether nothing does (`ingest.language`).
    not_english: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """The Answer JSON object of DESIGN.md, plus `abstention` (null when answered),
        `without_caveats`, `index_version` and `not_english`."""
        return {
            "question": self.question,
            "abstained": self.abstained,
            "notice": self.notice,
            "quotes": [_quote_dict(q) for q in self.quotes],
            "caveats": [{"text": c.text, "source": asdict(c.source)} for c in self.caveats],
            "abstention": self.abstention.to_dict() if self.abstention else None,
            "without_caveats": list(self.without_caveats),
            "index_version": self.index_version,
            "not_english": list(self.not_english),
        }


def _quote_dict(quote: Quote) -> dict[str, Any]:
    return {
        "rank": quote.rank,
        "text": quote.text,
        "score": quote.score,
        "highlight": list(quote.highlight),
        "source": asdict(quote.source),
    }


class Titled(Protocol):
    """What a Source needs of its document: a `Document`, or the `DocumentInfo` the index
    keeps in memory (the answer path reads no document text)."""

    @property
    def title(self) -> str: ...
    @property
    def file(self) -> str: ...
    @property
    def sha256(self) -> str: ...


def source_of(item: Passage | Caveat, document: Titled | None, version: str = "") -> Source:
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
        headings=item.headings if isinstance(item, Passage) else (),
    )
