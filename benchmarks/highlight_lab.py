"""Highlight lab: highlight@5 of sentence scorers over the shown quotes, without re-asking.

Asks every answerable question once, keeps each shown quote's sentences with what each
scorer needs (stored cosine, key-word bonus, and the quote read in context on its own:
contextual cosine and token precision, `assistant/highlight_context.py`), then scores
weightings of them over the same quotes in a second, then the margin below which the
highlight reads the first quote at all (`highlight.uncertain`), with the share of answers
that would, the weight of the learned score (`assistant/highlight_learned.py`), how an
echo is told (`highlight.echo_share`) and the weight of a why-question's cause bonus
(`highlight.CAUSE_WEIGHT`), when a sentence is an echo in other words
(`highlight.ECHO_COSINE`, `ECHO_TIE`) and the weight of a question's scene
(`highlight.SCENE_WEIGHT`), these four with the mean highlighted length, since a wider
highlight hits more by width alone. It is how the settings in docs/quality.md,
"Highlight", were chosen (on the tune splits; heldout read after):

    python -m benchmarks.highlight_lab --index /tmp/q --questions tests/data/questions.jsonl
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from assistant import highlight, highlight_context, highlight_learned
from assistant.answer import Assistant
from assistant.evaluate import EvalQuestion, highlight_hits, load_questions
from index.embed import Embedder
from index.loaded import LoadedIndex
from index.records import Passage


@dataclass(frozen=True)
class ShownQuote:
    """One shown quote's sentences and what each scorer needs of them."""

    text: str
    spans: list[tuple[int, int]]
    stored: np.ndarray  # stored-vector cosine + key-word bonus (the score without context)
    evidence: highlight_context.Evidence  # the quote read in context on its own
    odds: np.ndarray  # the learned model's log-odds (`highlight_learned`), unweighted
    cause: np.ndarray | None = None  # the cause bonus of a why-question (None: none)


@dataclass(frozen=True)
class Asked:
    question: EvalQuestion
    quotes: list[ShownQuote]
    #: What the shipped `highlight.highlights` is given: the quoted passages, the query.
    quoted: tuple[tuple[int, Passage], ...] = ()
    query: np.ndarray | None = None


def collect(assistant: Assistant, questions: Sequence[EvalQuestion]) -> list[Asked]:
    """Every answerable question asked once, its shown quotes read one by one."""
    loaded = assistant.index()
    return [_asked(assistant, loaded, q) for q in questions if q.kind == "answerable"]


def _asked(assistant: Assistant, loaded: LoadedIndex, question: EvalQuestion) -> Asked:
    answer = assistant.answer(question.q)
    if answer.abstained:
        return Asked(question, [])
    query = assistant.embedder.encode_query(question.q)
    quoted = [_passage(loaded, q.source.doc_id, q.source.start) for q in answer.quotes]
    return Asked(
        question, _shown(assistant, loaded, question.q, query, quoted), tuple(quoted), query
    )


def _shown(
    assistant: Assistant,
    loaded: LoadedIndex,
    question: str,
    query: np.ndarray,
    quoted: Sequence[tuple[int, Passage]],
) -> list[ShownQuote]:
    shown = loaded.passage_vectors([pid for pid, _ in quoted])
    weights = highlight._term_weights(loaded, question)
    term = highlight._asked_term(question)
    out = []
    for pid, passage in quoted:
        spans, vectors = highlight.stored_sentences(loaded, pid, passage)
        texts = [passage.text[s:e] for s, e in spans]
        hand = highlight.hand_scores(texts, vectors @ query, term, weights)
        odds = highlight_learned.load_model().log_odds(
            highlight.learned_features(question, texts, hand)
        )
        [evidence] = highlight_context.read_in_context(
            assistant.embedder, question, query, [(passage.text, spans)], shown
        )
        [cause] = highlight.cause_bonuses(question, [texts])
        out.append(ShownQuote(passage.text, spans, hand.total, evidence, odds, cause))
    return out


def learned_cost(
    assistant: Assistant, questions: Sequence[EvalQuestion], repeats: int = 3
) -> tuple[float, float]:
    """Median ms of `highlight.highlights` over each answer's quotes (no reading in
    context) with the learned score off and on, the arms interleaved, warm."""
    loaded = assistant.index()
    cases = []
    for question in questions:
        answer = assistant.answer(question.q)
        if question.kind == "answerable" and not answer.abstained:
            quoted = [_passage(loaded, q.source.doc_id, q.source.start) for q in answer.quotes]
            cases.append((question.q, assistant.embedder.encode_query(question.q), quoted))
    highlight_learned.load_model()
    times: dict[bool, list[float]] = {False: [], True: []}
    shipped = highlight.LEARNED
    try:
        for _ in range(repeats):
            for learned in (False, True):
                highlight.LEARNED = learned
                for text, query, quoted in cases:
                    start = time.perf_counter()
                    highlight.highlights(loaded, None, quoted, text, query)
                    times[learned].append((time.perf_counter() - start) * 1000)
    finally:
        highlight.LEARNED = shipped
    return float(np.median(times[False])), float(np.median(times[True]))


def _passage(loaded: LoadedIndex, doc_id: str, start: int) -> tuple[int, Passage]:
    ids = loaded.passage_ids_for_docs([doc_id])
    for pid, passage in zip(ids, loaded.passages(ids), strict=True):
        if passage.start == start:
            return int(pid), passage
    raise LookupError(f"no passage of {doc_id} starts at {start}")


def highlight_at_5(
    asked: Sequence[Asked], split: str, context: float, precision: float, read: int
) -> float:
    """highlight@5 of one split when the first `read` quotes add the weighted evidence."""
    rows = [a for a in asked if a.question.split == split]
    hits = 0
    for item in rows:
        hits += any(
            highlight_hits(
                {"text": q.text, "highlight": _chosen(q, context, precision, j < read)},
                item.question.phrases,
            )
            for j, q in enumerate(item.quotes)
        )
    return hits / len(rows) if rows else 0.0


def gated_at_5(asked: Sequence[Asked], split: str, margin: float) -> tuple[float, float]:
    """highlight@5 of one split with the shipped weights when the first quote is read only
    if `highlight.uncertain` at `margin`, and the share of its answers that read it."""
    rows = [a for a in asked if a.question.split == split]
    hits = reads = 0
    for item in rows:
        read = bool(item.quotes) and _uncertain(item.quotes[0], margin)
        reads += read
        hits += any(
            highlight_hits(
                {"text": q.text, "highlight": _chosen(q, *_WEIGHTS, read and j == 0)},
                item.question.phrases,
            )
            for j, q in enumerate(item.quotes)
        )
    return (hits / len(rows), reads / len(rows)) if rows else (0.0, 0.0)


_WEIGHTS = (highlight_context.CONTEXT_WEIGHT, highlight_context.PRECISION_WEIGHT)


def learned_at_5(asked: Sequence[Asked], split: str, weight: float) -> float:
    """highlight@5 of one split, no quote read, the learned log-odds added at `weight`."""
    rows = [a for a in asked if a.question.split == split]
    hits = 0
    for item in rows:
        hits += any(
            highlight_hits(
                {"text": q.text, "highlight": _chosen(q, 0.0, 0.0, False, weight)},
                item.question.phrases,
            )
            for q in item.quotes
        )
    return hits / len(rows) if rows else 0.0


def _shipped_weight() -> float:
    """The learned score's weight as the answers use it (0 when turned off)."""
    return highlight_learned.load_model().weight if highlight.LEARNED else 0.0


def _uncertain(quote: ShownQuote, margin: float) -> bool:
    texts = [quote.text[s:e] for s, e in quote.spans]
    openings = highlight.paragraph_openings(quote.text, quote.spans)
    return highlight.uncertain(texts, quote.stored, margin, openings)


def _chosen(
    quote: ShownQuote, context: float, precision: float, read: bool, learned: float | None = None
) -> tuple[int, int]:
    weight = _shipped_weight() if learned is None else learned
    # As `highlight.highlights`: a quote read in context takes no learned score.
    scores = quote.stored + (0.0 if read else weight) * quote.odds
    if quote.cause is not None:
        scores = scores + quote.cause
    if read:
        scores += context * quote.evidence.cosine + precision * quote.evidence.precision
    if not quote.spans:
        return (0, len(quote.text))
    texts = [quote.text[s:e] for s, e in quote.spans]
    units = highlight.answer_units(texts, highlight.paragraph_openings(quote.text, quote.spans))
    unit = max(units, key=lambda m: float(scores[list(m)].max()))
    return (quote.spans[unit[0]][0], quote.spans[unit[-1]][1])


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--index", type=Path, required=True)
    parser.add_argument("--questions", type=Path, required=True)
    parser.add_argument("--splits", default="tune", help="comma-separated: tune,heldout")
    args = parser.parse_args(argv)
    assistant = Assistant(args.index, embedder=Embedder(), check_interval=3600)
    questions = load_questions(args.questions)
    asked = collect(assistant, questions)
    splits = args.splits.split(",")
    print("context precision read | " + " | ".join(splits))
    rows = [(0.0, 0.0, 0), *itertools.product((0.5, 1.0), (0.5, 1.0, 1.5), (1, 5))]
    for context, precision, read in rows:
        cells = [f"{highlight_at_5(asked, s, context, precision, read):.3f}" for s in splits]
        print(f"{context:7.2f} {precision:9.2f} {read:4d} | " + " | ".join(cells))
    print("\nlearned score's weight (no quote read; 0: hand score alone) | highlight@5 per split")
    for weight in LEARNED_WEIGHTS:
        cells = [f"{learned_at_5(asked, split, weight):.3f}" for split in splits]
        print(f"{weight:6.3f} | " + " | ".join(cells))
    print("\nread the first quote only if uncertain: margin | highlight@5 (share read) per split")
    for margin in MARGINS:
        cells = ["{:.3f} ({:.0%})".format(*gated_at_5(asked, split, margin)) for split in splits]
        print(f"{margin:6.3f} | " + " | ".join(cells))
    print("\nan echo brings the next sentence: measure, share | highlight@5 (mean chars) per split")
    loaded = assistant.index()
    for sentence_side_only, share in itertools.product((True, False), ECHO_SHARES):
        measure = "words of the sentence" if sentence_side_only else "echo_share (mean)"
        cells = [
            "{:.3f} ({:.0f})".format(*echo_at_5(loaded, asked, split, sentence_side_only, share))
            for split in splits
        ]
        print(f"{measure:22s} {share:5.2f} | " + " | ".join(cells))
    print("\ncause bonus of why-questions: weight | highlight@5 (mean chars) per split")
    for weight in CAUSE_WEIGHTS:
        cells = ["{:.3f} ({:.0f})".format(*cause_at_5(loaded, asked, s, weight)) for s in splits]
        print(f"{weight:6.2f} | " + " | ".join(cells))
    print("\nan echo in other words: cosine, tie | highlight@5 (mean chars) per split")
    for cosine, tie in itertools.product(ECHO_COSINES, ECHO_TIES):
        cells = [
            "{:.3f} ({:.0f})".format(*meaning_echo_at_5(loaded, asked, s, cosine, tie))
            for s in splits
        ]
        print(f"{cosine:5.2f} {tie:5.2f} | " + " | ".join(cells))
    print("\nthe scene of a question: weight | highlight@5 (mean chars) per split")
    for weight in SCENE_WEIGHTS:
        cells = ["{:.3f} ({:.0f})".format(*scene_at_5(loaded, asked, s, weight)) for s in splits]
        print(f"{weight:6.2f} | " + " | ".join(cells))
    off, on = learned_cost(assistant, questions)
    print(
        f"\nhighlights of one answer, median ms: {off:.3f} without the learned score, {on:.3f} with"
    )


def echo_at_5(
    loaded: LoadedIndex, asked: Sequence[Asked], split: str, sentence_side_only: bool, share: float
) -> tuple[float, float]:
    """`shipped_at_5` when an echo is a sentence whose `echo_share` reaches `share` — or,
    `sentence_side_only`, whose share of words that are the question's does (the measure
    before round 9)."""
    settings: dict[str, object] = {"ECHO_SHARE": share}
    if sentence_side_only:
        settings["echo_share"] = _words_share
    return shipped_at_5(loaded, asked, split, settings)


def cause_at_5(
    loaded: LoadedIndex, asked: Sequence[Asked], split: str, weight: float
) -> tuple[float, float]:
    """`shipped_at_5` with the cause bonus of why-questions at `weight`."""
    return shipped_at_5(loaded, asked, split, {"CAUSE_WEIGHT": weight})


def meaning_echo_at_5(
    loaded: LoadedIndex, asked: Sequence[Asked], split: str, cosine: float, tie: float
) -> tuple[float, float]:
    """`shipped_at_5` when a sentence this close to the question by its stored `cosine` is
    an echo too, taking its neighbour when that scores within `tie` of it."""
    return shipped_at_5(loaded, asked, split, {"ECHO_COSINE": cosine, "ECHO_TIE": tie})


def scene_at_5(
    loaded: LoadedIndex, asked: Sequence[Asked], split: str, weight: float
) -> tuple[float, float]:
    """`shipped_at_5` with the words that set a question's scene at `weight` of their
    rarity (the memoised key-word weights set aside meanwhile)."""
    return shipped_at_5(loaded, asked, split, {"SCENE_WEIGHT": weight, "_WEIGHTS": {}})


def shipped_at_5(
    loaded: LoadedIndex, asked: Sequence[Asked], split: str, settings: dict[str, object]
) -> tuple[float, float]:
    """highlight@5 of one split by the shipped `highlight.highlights` (no quote read) with
    `settings` (names in `assistant.highlight` and their values) in force, and the mean
    length in characters of the shown quotes' highlights; the settings are restored."""
    rows = [a for a in asked if a.question.split == split]
    shipped = {name: getattr(highlight, name) for name in settings}
    for name, value in settings.items():
        setattr(highlight, name, value)
    hits, lengths = 0, []
    try:
        for item in rows:
            if not item.quoted:
                continue
            spans = highlight.highlights(loaded, None, item.quoted, item.question.q, item.query)
            lengths += [end - start for start, end in spans]
            hits += any(
                highlight_hits({"text": p.text, "highlight": span}, item.question.phrases)
                for (_, p), span in zip(item.quoted, spans, strict=True)
            )
    finally:
        for name, value in shipped.items():
            setattr(highlight, name, value)
    return (hits / len(rows), float(np.mean(lengths))) if rows else (0.0, 0.0)


def _words_share(sentence: str, weights: dict[str, float]) -> float:
    """The echo measure before round 9: the share of the sentence's words that are the
    question's."""
    words = highlight._tokens(sentence)
    return len(words & weights.keys()) / len(words) if words else 0.0


#: Margins of `highlight.uncertain` the lab tries (0: never read; large: always).
MARGINS = (0.0, 0.01, 0.02, 0.03, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 10.0)
#: Weights of the learned log-odds the lab tries.
LEARNED_WEIGHTS = (0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.5, 1.0)
#: Shares an echo must reach that the lab tries (above 1: no echo brings anything).
ECHO_SHARES = (0.2, 0.25, 0.3, 0.35, 0.4, 2.0)
#: Weights of the cause bonus of why-questions (`highlight.CAUSE_WEIGHT`) the lab tries.
CAUSE_WEIGHTS = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5)
#: Cosines at which a sentence is an echo in other words (above 1: never), and how close
#: its neighbour must score (`highlight.ECHO_COSINE`, `ECHO_TIE`; 10: any), the lab tries.
ECHO_COSINES = (0.5, 0.55, 0.6, 0.65, 0.7, 2.0)
ECHO_TIES = (0.05, 0.1, 0.2, 10.0)
#: Weights of the words that set a question's scene (`highlight.SCENE_WEIGHT`) the lab tries.
SCENE_WEIGHTS = (0.0, 0.5, 1.0)


if __name__ == "__main__":
    main()
