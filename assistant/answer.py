"""Answer a question with the articles' own words and the caveats they state.

`Assistant.answer` turns a question into an `Answer`: the best passages as verbatim
quotes, each with the sentence that best answers highlighted, the caveats of the
quoted documents most relevant to the question, an honest abstention when nothing is
close enough, and a notice when the question seeks to manipulate or hurt someone. The
judgments each live in their own module: `question` (cleaning), `abstention`, `intent`,
`caveat_rank`, `diversity` and `highlight`; the records are in `records`.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from assistant import abstention, synonyms
from assistant.caveat_rank import CaveatIndex, merge
from assistant.diversity import diverse_top
from assistant.highlight import highlights
from assistant.intent import IntentJudge
from assistant.other_subject import everyday_bank, other_subject
from assistant.question import MAX_QUESTION_CHARS, clean_question
from assistant.records import (
    Abstention,
    Answer,
    CaveatQuote,
    Nearest,
    Quote,
    Source,
    source_of,
)
from index.loaded import DocumentInfo, IndexHandle, LoadedIndex
from index.records import Passage
from index.search import (
    DEFAULT_FUSION,
    DENSE_WEIGHT,
    SENTENCE_WEIGHT,
    Fusion,
    Hits,
    HybridSearcher,
)
from ingest.calibrate import Calibration, calibrated
from ingest.calibrate import load as load_calibration
from ingest.language import ENGLISH, language_of, other_languages

__all__ = [
    "MAX_QUESTION_CHARS",
    "Answer",
    "AnswerSettings",
    "Assistant",
    "CaveatQuote",
    "Quote",
    "Source",
    "clean_question",
    "source_of",
]

log = logging.getLogger(__name__)

MAX_K = 20

ABSTAIN_NOTICE = (
    "Nothing in these articles answers this question closely enough to quote. "
    "cited only shows the articles' own words, so it says so instead of quoting "
    "unrelated text."
)
_READS_AS_MANIPULATION = (
    "This question reads as a way to manipulate, deceive, punish or control someone. "
)
MANIPULATION_NOTICE = _READS_AS_MANIPULATION + (
    "The articles themselves say that what they describe is not that, so their caveats come first."
)
#: The notice when the articles searched state no caveat against harming someone.
MANIPULATION_NOTICE_UNCAUTIONED = (
    _READS_AS_MANIPULATION + "These articles state no caveat about that, so none is shown."
)


#: What the packaged model reads: English, or text in no language (code, names).
_READ = (ENGLISH, None)


@dataclass(frozen=True)
class AnswerSettings:
    """How answers are retrieved; the defaults are the tuned ones (docs/quality.md).

    `abstain_below` None takes the threshold calibrated for the index version; a number
    overrides it (benchmarks use this to rank every question)."""

    fusion: Fusion = DEFAULT_FUSION
    dense_weight: float = DENSE_WEIGHT
    sentence_weight: float = SENTENCE_WEIGHT
    diversity: bool = True
    abstain_below: float | None = None
    #: Highlights also read the first quote in context when its stored vectors cannot tell
    #: (a fifth of answers: one model call, ~25 ms). Off by default: it lifts highlight@5
    #: but moves answer p50 past its latency target (docs/quality.md, "Read in context").
    read_quotes: bool = False


@dataclass(frozen=True)
class _Judges:
    """What one index version's answers are judged with, prepared once per version."""

    version: str
    caveats: CaveatIndex
    intent: IntentJudge
    calibration: Calibration
    pending: bool = False  # the calibration is the previous version's, this one's not yet kept
    #: The threshold of each passage: its subject group's (`Calibration.passage_thresholds`).
    thresholds: np.ndarray | None = None
    #: The subject group of each passage (`Calibration.passage_groups`); None: one subject.
    groups: np.ndarray | None = None


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
        self._judges: _Judges | None = None

    def index(self) -> LoadedIndex:
        """The index answers come from now, checked against the loaded model."""
        loaded = self.handle.current()
        if self._expected_model_checked != loaded.version:
            _check_model(loaded, self.embedder)
            self._expected_model_checked = loaded.version
        return loaded

    def prepare(self) -> None:
        """Do now what the first answers would otherwise pay for: the index's judges and
        calibration, the everyday-question bank (about 0.3 s, first needed by a weakly
        answered question) and the synonyms (about 20 ms). The server calls it before it
        listens."""
        self._judged(self.index())
        everyday_bank(self.embedder)
        synonyms.load()

    def threshold(self, loaded: LoadedIndex | None = None) -> float:
        """The meaning score below which this index's answers abstain."""
        if self.settings.abstain_below is not None:
            return self.settings.abstain_below
        return self._judged(loaded or self.index()).calibration.threshold

    def _threshold_for(self, loaded: LoadedIndex, judges: _Judges, hits: Hits) -> float:
        """The threshold this question is judged by: that of the subject group whose
        passage clears its own group's threshold by most (one subject: the one threshold)."""
        if self.settings.abstain_below is not None or judges.thresholds is None or not len(hits):
            return self.threshold(loaded)
        thresholds = judges.thresholds[hits.ids]
        return float(thresholds[int(np.argmax(hits.semantic - thresholds))])

    def answer(self, question: str, k: int = 5, doc_ids: Sequence[str] | None = None) -> Answer:
        """Answer `question` with up to `k` quotes, searching only `doc_ids` if given."""
        loaded = self.index()
        made = self._answer(loaded, clean_question(question), max(1, min(int(k), MAX_K)), doc_ids)
        return dataclasses.replace(made, index_version=loaded.version)

    def _answer(
        self, loaded: LoadedIndex, text: str, k: int, doc_ids: Sequence[str] | None
    ) -> Answer:
        judges = self._judged(loaded)
        query = self.embedder.encode_query(text)
        manipulative = judges.intent.is_manipulative(text, query)
        searcher = self.searcher(loaded)
        hits = searcher.search(text, k=max(k * 4, 20), doc_ids=doc_ids, query_vector=query)
        threshold = self._threshold_for(loaded, judges, hits)
        subject = self._subject_passages(judges, hits)
        why = self._abstention(text, query, searcher, hits, threshold, subject)
        if why is not None:
            return self._abstained(text, why, judges, query, doc_ids, manipulative)
        hits = hits.take(abstention.shown(hits.semantic, threshold))
        if self.settings.diversity:
            chosen = diverse_top(hits, loaded, k)
        else:
            chosen = hits.take(np.arange(min(k, len(hits))))
        passages = loaded.passages([int(i) for i in chosen.ids])
        documents = {p.doc_id: loaded.info(p.doc_id) for p in passages}
        quotes = self._quotes(loaded, passages, chosen, documents, text, query)
        languages = [language_of(p.text) for p in passages]
        # Caveats are found in English only: of a German page cited cannot say it states none.
        read = [p.doc_id for p, lang in zip(passages, languages, strict=True) if lang in _READ]
        shown = judges.caveats.per_document(query, passages)
        notice = None
        if manipulative:
            leading = judges.caveats.leading(query, doc_ids)
            shown = merge(leading, shown)
            notice = _manipulation_notice(leading)
        return Answer(
            text,
            quotes,
            shown,
            abstained=False,
            notice=notice,
            without_caveats=tuple(
                _title(documents.get(d), d) for d in judges.caveats.without_caveats(read)
            ),
            not_english=tuple(dict.fromkeys(lang for lang in languages if lang not in _READ)),
        )

    def _subject_passages(self, judges: _Judges, hits: Hits) -> np.ndarray | None:
        """Which passages belong to the subjects the question is judged by (a mask over
        passage ids): that of `_threshold_for`, and each whose hit comes within
        abstention.QUOTE_FLOOR_BELOW of its own threshold (a subject it may quote), when
        they hold at least abstention.SUBJECT_PASSAGES passages; else None (the whole
        corpus). Among 19 FAQs, "My program is too slow. How do I speed it up?" cleared
        sed's threshold by 0.05 and that of Python's FAQs, whose section it is, by 0.03:
        looked for in sed's pages alone, "slow" and "speed" were never mentioned."""
        if judges.thresholds is None or judges.groups is None or not len(hits):
            return None
        margins = hits.semantic - judges.thresholds[hits.ids]
        group = int(judges.groups[int(hits.ids[int(np.argmax(margins))])])
        if group < 0:
            return None
        near = judges.groups[hits.ids[margins >= -abstention.QUOTE_FLOOR_BELOW]]
        members = np.isin(judges.groups, [group, *near[near >= 0].tolist()])
        return members if np.count_nonzero(members) >= abstention.SUBJECT_PASSAGES else None

    def _abstention(
        self,
        text: str,
        query: np.ndarray,
        searcher: HybridSearcher,
        hits: Hits,
        threshold: float,
        subject: np.ndarray | None = None,
    ) -> Abstention | None:
        """Why the answer must abstain, or None when it may quote: nothing reaches the
        threshold; the question's subject is a word the articles never mention (or name
        only among their sources) and the rest of it is not strongly answered; it is
        weakly answered and the quotes do not address one of its content words; or it
        reads like an everyday question on another subject and is not strongly answered.
        Words are looked for in the `subject` passages when given: beside 540 manuals, R's
        datasets mention dogs, and the articles are no answer to "How do I make my dog
        miss me?"."""
        best = float(hits.semantic.max()) if len(hits) else 0.0
        loaded = searcher.loaded
        never, sources_only = abstention.unknown_terms(text, loaded, subject)
        quotes: list[str] = []
        # Each check encodes words, so it runs only where its answer can count.
        if best >= threshold + abstention.STRONG_MARGIN:
            never = []
        elif never:
            quotes = abstention.checked_texts(hits, threshold, loaded)
            never = abstention.uncovered(never, searcher, self.embedder, quotes, within=subject)
        unknown = [*never, *sources_only]
        answered = best >= threshold
        carried = (
            answered and bool(unknown) and self._carry(text, unknown, never, query, quotes, loaded)
        )
        unaddressed: list[str] = []
        like = None
        if answered and not carried:
            unaddressed = abstention.unaddressed(text, hits, threshold, loaded, self.embedder)
            if not unaddressed:
                like = other_subject(query, best, threshold, searcher, self.embedder)
                if like is None or abstention.names_its_subject(
                    text, best, hits, threshold, loaded
                ):
                    return None
            never, sources_only = [], []  # they did not decide it
        nearest = None
        if len(hits):
            row = int(np.argmax(hits.semantic))
            [passage] = loaded.passages([int(hits.ids[row])])
            source = source_of(passage, loaded.info(passage.doc_id), loaded.version)
            nearest = Nearest(passage.text, round(best, 3), threshold, source)
        # "how", "my", "me" weigh in the decision (a manual never says them) but name nothing
        named = tuple(abstention.as_written(text, abstention.named(never)))
        return Abstention(threshold, nearest, named, tuple(sources_only), tuple(unaddressed), like)

    def _carry(
        self,
        text: str,
        unknown: Sequence[str],
        never: Sequence[str],
        query: np.ndarray,
        quotes: Sequence[str],
        loaded: LoadedIndex,
    ) -> bool:
        """Whether the `unknown` words (never mentioned by the subject, or named only among
        sources) carry the question: dropping them moves its vector far
        (abstention.IMPORTANCE), or one of the `never` words is written as a name that no
        passage of the whole folder holds and no word of the quotes comes near. A question
        about JavaScript is about JavaScript, however little the name moves a long
        question's vector. (The folder is asked, not the subject: a name that another
        subject's pages use, such as lsof's "Ots" for a question judged by zsh's threshold,
        may still be what the quotes say.)"""
        if abstention.importance(text, unknown, query, self.embedder) >= abstention.IMPORTANCE:
            return True
        names = abstention.written_as_names(text, never)
        unused = [n.lower() for n in abstention.unused(names, loaded)]
        return bool(unused) and bool(abstention.not_near(unused, quotes, self.embedder))

    def _abstained(
        self,
        text: str,
        why: Abstention,
        judges: _Judges,
        query: np.ndarray,
        doc_ids: Sequence[str] | None,
        manipulative: bool,
    ) -> Answer:
        """The answer that quotes nothing: the corpus's caveats lead a manipulative one."""
        if manipulative:
            leading = judges.caveats.leading(query, doc_ids)
            return Answer(text, (), leading, False, _manipulation_notice(leading), why)
        words = abstention.never_mentioned_notice(
            why.never_mentioned, why.only_in_sources, why.not_addressed, why.other_subject
        )
        notice = f"{words} {ABSTAIN_NOTICE}" if words else ABSTAIN_NOTICE
        nearest = other_languages([why.nearest.text]) if why.nearest else ()
        return Answer(text, (), (), True, notice, why, not_english=nearest)

    def searcher(self, loaded: LoadedIndex) -> HybridSearcher:
        """A searcher over `loaded` with this assistant's settings."""
        s = self.settings
        return HybridSearcher(loaded, self.embedder, s.fusion, s.dense_weight, s.sentence_weight)

    def _judged(self, loaded: LoadedIndex) -> _Judges:
        """The caveats, intent judge and calibration of `loaded`, prepared once a version."""
        current = self._judges
        if current is None or current.version != loaded.version:
            caveats = CaveatIndex(loaded)
            intent = IntentJudge(self.embedder, caveats.unethical_vectors())
            # A server that follows a rebuild keeps the previous version's calibration
            # until the build has written this one's, rather than stall every question.
            kept = load_calibration(loaded.path)
            pending = kept is None and current is not None
            calibration = kept or (current.calibration if current else None)
            if calibration is None:
                calibration = calibrated(loaded, self.embedder)
            current = _Judges(
                loaded.version,
                caveats,
                intent,
                calibration,
                pending,
                *_by_subject(calibration, loaded),
            )
            self._judges = current
        elif current.pending and (kept := load_calibration(loaded.path)) is not None:
            thresholds, groups = _by_subject(kept, loaded)
            current = self._judges = dataclasses.replace(
                current, calibration=kept, pending=False, thresholds=thresholds, groups=groups
            )
        return current

    def _quotes(
        self,
        loaded: LoadedIndex,
        passages: Sequence[Passage],
        hits: Hits,
        documents: dict[str, DocumentInfo | None],
        question: str,
        query: np.ndarray,
    ) -> tuple[Quote, ...]:
        quoted = [(int(pid), passage) for pid, passage in zip(hits.ids, passages, strict=True)]
        reader = self.embedder if self.settings.read_quotes else None
        marked = highlights(loaded, reader, quoted, question, query)
        quotes = []
        for rank, (passage, score, highlight) in enumerate(
            zip(passages, hits.semantic, marked, strict=True), start=1
        ):
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


def _by_subject(
    calibration: Calibration, loaded: LoadedIndex
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Each passage's threshold and subject group when the calibration has subject
    groups, else None and None."""
    if not calibration.groups:
        return None, None
    groups = calibration.passage_groups(loaded)  # mapped once: both read it
    return calibration.thresholds_of(groups), groups


def _manipulation_notice(leading: Sequence[CaveatQuote]) -> str:
    """The notice on a manipulative question: its caveats come first, or there are none."""
    return MANIPULATION_NOTICE if leading else MANIPULATION_NOTICE_UNCAUTIONED


def _title(document: DocumentInfo | None, doc_id: str) -> str:
    return document.title if document else doc_id


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
