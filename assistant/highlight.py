"""Highlight: the sentence of a quoted passage that answers the question, readable alone.

Each stored sentence unit of the passage is scored by its cosine to the question, plus
the share of the question's key words it holds, plus, for a "What is X?" question,
whether it defines X ("X is...", "X means..."); a bare heading never wins. To that "hand
score" are added, for a "Why...?" question, a bonus for a sentence that gives a cause
("because", "the reason"), and a learned score (`highlight_learned`: small boosted
trees fitted on the question headings of real FAQ pages, no model call). Given a reader
(`AnswerSettings.read_quotes`, off by default), a first quote whose best two answer units
the hand score cannot tell apart is read in its passage instead (`highlight_context`: each
sentence's contextual vector and how much of it is about the question's words, from one
model pass), which settles it.

A sentence is often not readable alone, and the one that echoes the question often only
introduces the answer: "The most magnetic people I know aren't trying to make anyone miss
them." is answered by the next sentence, "They're too busy pursuing their passions...".
So sentences are grouped into answer units before choosing: a sentence that opens by
pointing back ("They", "This", "But", "Instead"...) joins the one it continues in its
paragraph, and a setup ending with ":" joins what completes it (its list item, its
example). A unit holds at most two sentences and scores as its best sentence; the
highlight is the whole unit, and a lone sentence that echoes the question brings the
neighbour that answers it (docs/quality.md, "Highlight").
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np

from assistant.highlight_context import contextual_scores
from assistant.highlight_learned import POINTS_BACK, load_model, sentence_features
from index.lexical import LexicalIndex
from index.loaded import LoadedIndex
from index.records import Passage
from ingest.text import LIST_MARKER, sentence_spans

Span = tuple[int, int]

#: The weight of a key word only in the sentences that set the scene before the one that
#: asks, against its rarity (chosen on the tune splits of the three corpora;
#: docs/quality.md, "Highlight").
SCENE_WEIGHT = 0.5
#: Weights of the key-word share, a definition of the asked term, a heading (tuned on the
#: tune split of tests/data/questions.jsonl; docs/quality.md).
TERMS_WEIGHT = 0.3
DEFINITION_WEIGHT = 0.15
HEADING_PENALTY = 0.5
#: A highlighted sentence whose `echo_share` of the question reaches this is an echo that
#: stands beside the answer: the highlight takes its better scoring neighbour in the
#: paragraph too (chosen on the tune splits of the three corpora; docs/quality.md,
#: "Highlight").
ECHO_SHARE = 0.3
#: A highlighted sentence this close to the question by its stored cosine is an echo in
#: other words, but takes its neighbour only when that scores within ECHO_TIE of it (both
#: chosen on the tune splits of the three corpora; docs/quality.md, "Highlight").
ECHO_COSINE = 0.6
ECHO_TIE = 0.1
#: Sentences in one answer unit at most: a sentence and the one it cannot be read without.
MAX_UNIT_SENTENCES = 2
#: Quotes read in context (`highlight_context`), from the first: on the tune splits reading
#: the first alone gained as much as reading all five, at a fifth of the model time (the
#: best passage is also where a reader looks first).
READ_IN_CONTEXT = 1
#: The first quote is read in context only when its best two answer units score within
#: this margin by the cheap score (or the best is a heading): most answers are clear and
#: skip the model pass (chosen on the tune splits of both corpora; docs/quality.md).
READ_MARGIN = 0.05
#: Added to a sentence that gives a cause ("because", "the reason"...) when the question
#: asks why: the answer to "Why...?" states a cause, its echo seldom does (chosen on the
#: tune splits of the three corpora; docs/quality.md, "Highlight").
CAUSE_WEIGHT = 0.3
#: Whether the learned score (`highlight_learned`, fitted on FAQ pages) is added to the
#: hand score, at the weight its model file gives (the lab and the tests turn it off).
LEARNED = True
_DEFINITION_QUESTION = re.compile(
    r"^\s*(?:what|who)\s+(?:is|are|was|were)\s+(?:an?\s+|the\s+)?(?P<term>[^?]+?)\s*"
    r"(?:\?|$)|^\s*what\s+does\s+(?:an?\s+|the\s+)?(?P<term2>[^?]+?)\s+mean\b",
    re.IGNORECASE,
)
_DEFINES = r"\s*(?:[,(—–-][^.]{0,60})?\s*(?:is|are|means?|refers?\s+to|describes?|happens)\b"
_ASKS_WHY = re.compile(r"\bwhy\b|\bhow\s+come\b|\bwhat(?:'s|’s|\s+is)\s+the\s+reason\b", re.I)
_GIVES_CAUSE = re.compile(r"\b(?:because|the\s+reason|that(?:'s|’s|\s+is)\s+why|due\s+to)\b", re.I)


def highlights(
    loaded: LoadedIndex,
    embedder: Any | None,
    quoted: Sequence[tuple[int, Passage]],
    question: str,
    query: np.ndarray,
) -> list[Span]:
    """For each (passage id, passage) quoted, the span inside its text of the answer unit
    that best answers `question`: its answering sentence, with the sentence it continues
    or that completes it. The first quote is read in context (one call of `embedder`)
    only when its stored-vector score cannot tell (`uncertain`); None: never."""
    passages = [passage for _, passage in quoted]
    stored = [stored_sentences(loaded, pid, passage) for pid, passage in quoted]
    weights = _term_weights(loaded, question)
    term = _asked_term(question)
    spans = [spans for spans, _ in stored]
    texts = [[p.text[s:e] for s, e in sp] for p, sp in zip(passages, spans, strict=True)]
    hands = [
        hand_scores(t, vectors @ np.asarray(query, dtype=np.float32), term, weights)
        for t, (_, vectors) in zip(texts, stored, strict=True)
    ]
    # A quote read in context takes the evidence instead of the learned score: the two
    # settle the same near ties, and together they lost tune questions (docs/quality.md).
    openings = [paragraph_openings(p.text, sp) for p, sp in zip(passages, spans, strict=True)]
    read = _to_read(texts, openings, hands) if embedder is not None else []
    learned = learned_scores(question, texts, hands) if LEARNED else [0.0] * len(hands)
    scores = [
        (hand.total if i in read else hand.total + added) + cause + lead
        for i, (hand, added, cause, lead) in enumerate(
            zip(
                hands,
                learned,
                cause_bonuses(question, texts),
                lead_bonuses(loaded, quoted, spans, weights),
                strict=True,
            )
        )
    ]
    if read:
        shown = loaded.passage_vectors([pid for pid, _ in quoted])
        pairs = [(passages[i].text, spans[i]) for i in read]
        added = contextual_scores(embedder, question, query, pairs, shown)
        for i, evidence in zip(read, added, strict=True):
            scores[i] = scores[i] + evidence
    return [
        _best_unit(passage.text, sp, score, weights, hand.parts[0])
        for passage, sp, score, hand in zip(passages, spans, scores, hands, strict=True)
    ]


def _to_read(
    texts: Sequence[Sequence[str]],
    openings: Sequence[Sequence[bool]],
    hands: Sequence[HandScores],
) -> list[int]:
    """The quotes worth reading in context: of the first READ_IN_CONTEXT, those whose hand
    score cannot tell their best answer unit."""
    first = range(min(READ_IN_CONTEXT, len(texts)))
    return [i for i in first if uncertain(texts[i], hands[i].total, None, openings[i])]


def uncertain(
    texts: Sequence[str],
    scores: np.ndarray,
    margin: float | None = None,
    opens_paragraph: Sequence[bool] | None = None,
) -> bool:
    """Whether the cheap score (stored cosine + key words) cannot tell the best answer unit
    of these sentences: the best two within `margin` (READ_MARGIN), or the best a heading.
    Only then is the quote worth a model pass."""
    units = answer_units(texts, opens_paragraph)
    if len(units) < 2:
        return False
    ranked = sorted((_unit_score(scores, u), u) for u in units)
    (second, _), (best, unit) = ranked[-2], ranked[-1]
    margin = READ_MARGIN if margin is None else margin
    return best - second < margin or all(_is_heading(texts[i]) for i in unit)


def _best_unit(
    text: str,
    spans: Sequence[Span],
    scores: np.ndarray,
    weights: dict[str, float] | None = None,
    cosines: np.ndarray | None = None,
) -> Span:
    """The span of the answer unit holding the best sentence by `scores`; when that
    sentence is a setup introducing a list, the unit of the list's answering item; when it
    is an echo of the question (by its words, or by its meaning: `cosines` to the question),
    with its better scoring neighbour."""
    if not spans:
        return (0, len(text))
    texts = [text[s:e] for s, e in spans]
    units = answer_units(texts, paragraph_openings(text, spans))
    unit = max(units, key=lambda members: _unit_score(scores, members))
    if weights:
        unit = _answering_item(text, spans, units, unit, scores, weights)
        unit = _with_the_neighbour_of_an_echo(text, spans, unit, scores, weights, cosines)
    return (spans[unit[0]][0], spans[unit[-1]][1])


def _with_the_neighbour_of_an_echo(
    text: str,
    spans: Sequence[Span],
    unit: tuple[int, ...],
    scores: np.ndarray,
    weights: dict[str, float],
    cosines: np.ndarray | None = None,
) -> tuple[int, ...]:
    """`unit`, and the better scoring of its neighbours in the same paragraph when it is
    one sentence that mostly repeats the question: such a sentence stands beside the answer
    rather than giving it. Most often it introduces the answer ("Buckeyes are actually super
    similar to chocolate peanut butter balls, with just one difference." is answered by the
    next one, "...buckeyes are only coated ¾ of the way..."); sometimes it concludes from
    it ("Van Rossum thought he needed a name that was short, unique, and slightly
    mysterious, so he decided to call the language Python." follows the answer to "Why is
    the language called Python?", "...was also reading the published scripts from “Monty
    Python's Flying Circus”..."). A paragraph or list item of its own says what it has to
    say.

    A sentence that says what was asked in other words ("Every relationship thrives when
    partners strike a balance between closeness and space." for "What goes wrong with too
    much togetherness, or too much distance?": cosine 0.61, none of its key words) is an
    echo only when its neighbour scores within `ECHO_TIE` of it: so close to the question,
    an answer looks the same, and the score cannot tell which of the two answers."""
    if len(unit) != 1:
        return unit
    echo = unit[0]
    by_words = echo_share(text[spans[echo][0] : spans[echo][1]], weights) >= ECHO_SHARE
    by_meaning = cosines is not None and float(cosines[echo]) >= ECHO_COSINE
    if not (by_words or by_meaning):
        return unit
    opens = paragraph_openings(text, spans)
    # (neighbour, the later of the two: a paragraph must not open between them)
    pairs = ((echo - 1, echo), (echo + 1, echo + 1))
    beside = [
        i
        for i, later in pairs
        if 0 <= i < len(spans)
        and not opens[later]
        and _may_stand_beside(text[spans[i][0] : spans[i][1]], before=i < echo)
    ]
    if not beside:
        return _with_the_paragraph_it_introduces(text, spans, unit, opens, by_words)
    chosen = max(beside, key=lambda i: float(scores[i]))
    if not by_words and float(scores[chosen]) < float(scores[echo]) - ECHO_TIE:
        return unit
    return (min(echo, chosen), max(echo, chosen))


#: Whether a one-sentence paragraph that echoes the question brings the first sentence
#: of the next paragraph (the lab turns it off).
LEAD_IN = True


def _with_the_paragraph_it_introduces(
    text: str, spans: Sequence[Span], unit: tuple[int, ...], opens: Sequence[bool], by_words: bool
) -> tuple[int, ...]:
    """`unit`, and the first sentence of the next paragraph when `unit` is an echo of the
    question's words that is a paragraph of its own: such a paragraph leads in to the
    next. "The very first article about Python was written in 1991 and is now quite
    outdated." stands alone before the citation it introduces ("Guido van Rossum and Jelke
    de Boer, “Interactively Testing Remote Servers Using the Python Programming
    Language”..."); "There are probably millions of users, though it's difficult to obtain
    an exact count." before the reason ("Python is available for free download, so there
    are no sales figures..."). A list item is no lead-in: the next item is its sibling."""
    echo = unit[0]
    nxt = echo + 1
    if not (LEAD_IN and by_words and nxt < len(spans) and opens[nxt]):
        return unit
    if _is_item(text, spans[echo]) or _is_item(text, spans[nxt]):
        return unit
    sentence = text[spans[nxt][0] : spans[nxt][1]]
    return unit if not _may_stand_beside(sentence, before=False) else (echo, nxt)


def _may_stand_beside(sentence: str, before: bool) -> bool:
    """Whether `sentence` may join the echo it stands `before` (or after): never a heading
    or a pointer, and before it never a sentence that asks. An echo concludes from a
    statement; one that asks ("Readers ask us what a gloaming walk is almost every week.")
    sets up the echo, which then answers: "A gloaming walk is a slow stroll taken at
    dusk...". (After an echo, a question may be the answer: "Ask yourself: Am I acting
    from a place of confidence and self-respect...?")"""
    if _is_heading(sentence) or _is_pointer(sentence):
        return False
    return not (before and _ASKS.search(sentence))


_ASKS = re.compile(r"\?[\s”\"’)]*$|\b(?:ask|asks|asked|asking|wonders?|wondered|wondering)\b", re.I)


def echo_share(sentence: str, weights: dict[str, float]) -> float:
    """How much `sentence` repeats the question: the mean of the share of its words that
    are the question's and the share of the question's key words (by rarity) it holds.
    Either alone misjudges an echo: "Show Genuine Care and Understanding: Demonstrating
    empathy and understanding for someone's feelings..." holds most of what "How does
    empathy make someone feel my absence?" asks among many words of its own, and a short
    sentence of two common question words holds little of it."""
    words = _tokens(sentence)
    own = len(words & weights.keys()) / len(words) if words else 0.0
    return (own + bonus_parts(None, sentence, weights)[0]) / 2


def _answering_item(
    text: str,
    spans: Sequence[Span],
    units: Sequence[tuple[int, ...]],
    unit: tuple[int, ...],
    scores: np.ndarray,
    weights: dict[str, float],
) -> tuple[int, ...]:
    """`unit`, or, when its best sentence introduces a list of several items, the unit of
    the item holding most of the question's key words (the first of equals). The setup
    says what the list answers and one item answers it: "…have an additional suffix:" is
    answered by "The suffix for a release candidate version is “rcN”…", not by the first
    item, the alpha version's."""
    best = unit[int(np.argmax(scores[list(unit)]))]
    items = _items_introduced(text, spans, unit, best)
    if len(items) < 2:
        return unit
    share = [bonus_parts(None, text[s:e], weights)[0] for s, e in (spans[i] for i in items)]
    chosen = items[int(np.argmax(share))]
    if chosen in unit:
        return unit
    return next(u for u in units if chosen in u)


#: Whether a sentence that announces a list ("There are several ways...") hands the
#: highlight to its answering item, as a setup ending with ":" does (tests turn it off).
INTRODUCES_LISTS = True
#: Words at most of a lead such as "A few examples:" between an introduction and its list.
LEAD_WORDS = 5


def _items_introduced(
    text: str, spans: Sequence[Span], unit: tuple[int, ...], best: int
) -> list[int]:
    """The sentences opening the items of the list that the unit's `best` sentence
    introduces: the list right after it when it ends with ":" ("Python versions are
    numbered “A.B.C” or “A.B”:"), or, when it ends its unit, says that a list spells it
    out ("...there are several possible ways it could have gotten there." before
    "- Perhaps other Python users..."), perhaps through a short lead ("A few examples:").
    An item's later sentences are passed over; a list item introduces no sibling."""
    if _opens_item(text, spans[best]):
        return []
    sentence = text[spans[best][0] : spans[best][1]]
    announces = INTRODUCES_LISTS and best == unit[-1] and bool(_ANNOUNCES.search(sentence))
    if not (sentence.rstrip().endswith(":") or announces):
        return []
    opens = paragraph_openings(text, spans)
    items: list[int] = []
    for i in range(best + 1, len(spans)):
        if _opens_item(text, spans[i]):
            items.append(i)
        elif i == best + 1 and _is_lead(text[spans[i][0] : spans[i][1]]):
            continue
        elif not items or opens[i]:
            break
    return items


def _opens_item(text: str, span: Span) -> bool:
    """Whether the sentence opens a list item, or a short lead ("A few examples:") that the
    sentence splitter kept with the item it introduces."""
    if _is_item(text, span):
        return True
    first, _, rest = text[span[0] : span[1]].partition("\n")
    return _is_lead(first) and bool(LIST_MARKER.match(rest.lstrip("\n")))


#: Words by which a sentence announces a list it does not give itself: "there are several
#: possible ways it could have gotten there." (A sentence that sums the list up,
#: "These strategies revolve around creating positive associations...", answers.)
_ANNOUNCES = re.compile(
    r"\b(?:there\s+(?:are|were)|several|a\s+few|a\s+number\s+of|the\s+following|various)\b",
    re.IGNORECASE,
)


def _is_lead(sentence: str) -> bool:
    """A short line that only announces what follows: "A few examples:", "For instance:"."""
    stripped = sentence.strip()
    return stripped.endswith(":") and len(stripped.split()) <= LEAD_WORDS


def _is_item(text: str, span: Span) -> bool:
    """Whether the sentence opens a list item: only a list marker before it on its line."""
    line_start = text.rfind("\n", 0, span[0]) + 1
    return bool(LIST_MARKER.fullmatch(text, line_start, span[0]))


def _unit_score(scores: np.ndarray, unit: Sequence[int]) -> float:
    """A unit scores as its best sentence."""
    return float(scores[list(unit)].max())


@dataclass(frozen=True)
class HandScores:
    """The hand score of each sentence, and its parts (cosine, key-word share, defines
    the asked term, is a heading), which the learned score also reads."""

    total: np.ndarray
    parts: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def hand_scores(
    texts: Sequence[str], cosines: np.ndarray, term: str | None, weights: dict[str, float]
) -> HandScores:
    """Stored cosine + TERMS_WEIGHT × key-word share + DEFINITION_WEIGHT × defines the
    asked term − HEADING_PENALTY × is a heading, for each sentence."""
    rows = np.asarray([bonus_parts(term, t, weights) for t in texts], dtype=np.float32)
    share, defines, heading = rows.reshape(len(texts), 3).T
    cosines = np.asarray(cosines, dtype=np.float32)
    total = cosines + TERMS_WEIGHT * share + DEFINITION_WEIGHT * defines
    return HandScores(total - HEADING_PENALTY * heading, (cosines, share, defines, heading))


def learned_features(question: str, texts: Sequence[str], hand: HandScores) -> np.ndarray:
    """The learned score's features of each sentence (`highlight_learned.FEATURES`)."""
    tokens = [_tokens(t) for t in texts]
    return sentence_features(texts, hand.total, hand.parts, _tokens(question), tokens)


def learned_scores(
    question: str, texts: Sequence[Sequence[str]], hands: Sequence[HandScores]
) -> list[np.ndarray]:
    """What the learned model adds to each quote's sentences' hand scores: its weighted
    log-odds that the sentence opens the answer (all quotes' trees walked at once)."""
    model = load_model()
    features = [learned_features(question, t, h) for t, h in zip(texts, hands, strict=True)]
    if not features:
        return []
    odds = (model.weight * model.log_odds(np.concatenate(features))).astype(np.float32)
    return np.split(odds, np.cumsum([len(f) for f in features])[:-1])


def cause_bonuses(question: str, texts: Sequence[Sequence[str]]) -> list[np.ndarray]:
    """CAUSE_WEIGHT for each sentence that gives a cause when `question` asks why, else 0:
    for "Why does he seem thrown when I no longer fight with him?" the answer is "And that
    rewriting creates emotional pull because he suddenly feels out of sync...", not the
    sentences that retell the fight. (The learned score's trees, given such question and
    sentence types as features, did not find it: docs/quality.md.)"""
    asks_why = bool(_ASKS_WHY.search(question))
    return [
        np.asarray(
            [CAUSE_WEIGHT * (asks_why and bool(_GIVES_CAUSE.search(t))) for t in quote],
            dtype=np.float32,
        )
        for quote in texts
    ]


#: Added to the first sentence under a heading that asks the question: the section's
#: author answers the heading there (FAQ pages: benchmarks/faq_highlight.py).
LEAD_WEIGHT = 0.3
#: The share of the question's key words (by rarity) a heading must hold to ask it:
#: "What is the Python Software Foundation?" holds 0.35 of "Are donations to the Python
#: Software Foundation tax deductible?" (its topic, not its question).
HEADING_ASKS = 0.5


def lead_bonuses(
    loaded: LoadedIndex,
    quoted: Sequence[tuple[int, Passage]],
    spans: Sequence[Sequence[Span]],
    weights: dict[str, float],
) -> list[np.ndarray]:
    """LEAD_WEIGHT for the first sentence (past any heading line) of each quote that opens
    its section when that section's heading asks the question, else 0. A document's title
    is no such heading (an article titled "Why do we miss people?" answers it over pages),
    and a first sentence that announces a list gets none: one of the items answers, and
    the score picks it."""
    bonuses = []
    for (pid, passage), passage_spans in zip(quoted, spans, strict=True):
        bonus = np.zeros(len(passage_spans), dtype=np.float32)
        under_a_heading = bool(passage.headings) and passage.headings[-1] == passage.section
        if LEAD_WEIGHT and under_a_heading and _asks_the_question(passage.section, weights):
            texts = [passage.text[s:e] for s, e in passage_spans]
            first = next((i for i, t in enumerate(texts) if not _is_heading(t)), None)
            if (
                first is not None
                and len(_items_introduced(passage.text, passage_spans, (first,), first)) < 2
                and _opens_section(loaded, pid, passage)
            ):
                bonus[first] = LEAD_WEIGHT
        bonuses.append(bonus)
    return bonuses


def _asks_the_question(heading: str, weights: dict[str, float]) -> bool:
    """Whether `heading` is itself a question, one that holds most of what is asked: an
    FAQ's heading. A heading that names a topic ("Key Functions") opens a tutorial's section,
    whose first sentence sets the scene rather than answering."""
    if not heading.rstrip().endswith("?"):
        return False
    return bonus_parts(None, heading, weights)[0] >= HEADING_ASKS


def _opens_section(loaded: LoadedIndex, passage_id: int, passage: Passage) -> bool:
    """Whether no earlier passage of the document stands under the same heading (the one
    before it in the index is read; where that is not its predecessor, no telling: False)."""
    if passage.ordinal == 0:
        return True
    if passage_id == 0:
        return False
    [before] = loaded.passages([passage_id - 1])
    if (before.doc_id, before.ordinal) != (passage.doc_id, passage.ordinal - 1):
        return False
    return before.section != passage.section


def answer_units(
    texts: Sequence[str], opens_paragraph: Sequence[bool] | None = None
) -> list[tuple[int, ...]]:
    """Consecutive sentence indices grouped so each group reads alone: a sentence that
    points back joins the one before it, unless it opens a paragraph (`opens_paragraph`,
    none when not given); a setup ending with ":" joins the one after it.

    A paragraph's first sentence is read as the start of a thought, whatever its opener:
    joined to the paragraph before, "But the rolling blackouts on those days left some of
    the state's energy experts bewildered." rode on the previous paragraph's sentence and
    could not take its own answer, the next one ("They said that the utilities had plenty
    of power available...")."""
    opens = opens_paragraph or [False] * len(texts)
    units: list[list[int]] = []
    for i, text in enumerate(texts):
        continues = bool(POINTS_BACK.match(text)) and not opens[i]
        joins = i > 0 and (texts[i - 1].rstrip().endswith(":") or continues)
        if joins and len(units[-1]) < MAX_UNIT_SENTENCES:
            units[-1].append(i)
        else:
            units.append([i])
    return [tuple(unit) for unit in units]


def paragraph_openings(text: str, spans: Sequence[Span]) -> list[bool]:
    """For each sentence span of `text`, whether a blank line lies between it and the
    sentence before: it opens a paragraph (the first sentence does not: nothing precedes)."""
    return [i > 0 and "\n\n" in text[spans[i - 1][1] : s] for i, (s, _) in enumerate(spans)]


def stored_sentences(
    loaded: LoadedIndex, passage_id: int, passage: Passage
) -> tuple[list[Span], np.ndarray]:
    """The passage's stored sentence units and their vectors; an index without sentence
    units falls back to splitting the text (zero vectors: words decide)."""
    rows, _ = loaded.sentence_rows([passage_id])
    if rows.size:
        spans = loaded.sentence_spans(rows)
        return spans, loaded.sentence_vectors(rows.tolist())
    spans = [s for s in sentence_spans(passage.text) if s[1] - s[0] > 1]
    return spans, np.zeros((len(spans), loaded.dimension), dtype=np.float32)


def _term_weights(loaded: LoadedIndex, question: str) -> dict[str, float]:
    """Each key word of the question weighted by its rarity in the corpus (BM25's IDF):
    sharing "grandmother" says more than sharing "time"."""
    key = (loaded.version, question)
    if key not in _WEIGHTS:
        if len(_WEIGHTS) > 2048:
            _WEIGHTS.clear()
        total = max(loaded.passage_count, 1)
        weights = {}
        asked = _tokens(_asking_sentence(question))
        for token in _tokens(question):
            df = loaded.lexical.rows_with(token).size
            rarity = float(np.log(1 + (total - df + 0.5) / (df + 0.5)))
            weights[token] = rarity if token in asked else SCENE_WEIGHT * rarity
        _WEIGHTS[key] = weights
    return _WEIGHTS[key]


_WEIGHTS: dict[tuple[str, str], dict[str, float]] = {}


def _asking_sentence(question: str) -> str:
    """The last sentence of `question`, the one that asks: before it, a question of several
    sentences sets the scene ("Some other program put Python on my PC. How should I remove
    it?"), and the scene's words weigh SCENE_WEIGHT of their rarity. Sharing "program" or
    "PC" with the question says less than sharing "remove"."""
    return _SENTENCE_END.split(question.strip())[-1]


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def bonus_parts(
    term: str | None, sentence: str, weights: dict[str, float]
) -> tuple[float, float, float]:
    """The hand score's parts beside the cosine: the share of the question's key words the
    sentence holds (by rarity), whether it defines the asked `term`, whether it is a heading."""
    held = _tokens(sentence)
    total = sum(weights.values())
    share = sum(w for t, w in weights.items() if t in held) / total if total else 0.0
    defines = float(bool(term) and _defines(term or "", sentence))
    return share, defines, float(_is_heading(sentence) or _is_pointer(sentence))


@lru_cache(maxsize=4096)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(LexicalIndex.tokenize([text])[0])


def _asked_term(question: str) -> str | None:
    """X of "What is X?" / "What does X mean?", or None for other questions."""
    match = _DEFINITION_QUESTION.search(question)
    if not match:
        return None
    term = (match.group("term") or match.group("term2") or "").strip()
    return term if 0 < len(term.split()) <= 5 else None


def _defines(term: str, sentence: str) -> bool:
    """Whether `sentence` says what `term` is ("X is...", "X means..."), not merely asks
    it as the question did ("people wonder what X is")."""
    for match in re.finditer(rf"\b{re.escape(term)}\b{_DEFINES}", sentence, re.IGNORECASE):
        before = sentence[: match.start()].lower().split()[-2:]
        if not _ASKING.intersection(word.strip(",;:") for word in before):
            return True
    return False


_ASKING = frozenset({"what", "whether", "how", "why", "wonder", "ask", "asks", "asked"})


def _is_pointer(sentence: str) -> bool:
    """A sentence that only points elsewhere — a manual's "See Section 2.10 [What is
    CRAN?], page 9." — answers nothing, though the title it cites echoes the question:
    it scores as a heading does."""
    if "[" not in sentence or not _CROSS_REFERENCE.search(sentence):
        return False
    return len(_WORDS.findall(_CROSS_REFERENCE.sub(" ", sentence))) <= POINTER_WORDS


#: Words besides its cross-references that a pointer holds at most ("See", "for details").
POINTER_WORDS = 4
#: A Texinfo manual's printed cross-reference: "Section 7.31 [Title], page 37".
_CROSS_REFERENCE = re.compile(
    r"(?:\bsee\s+)?\bsection\s+[\dA-Z][\d.]*\s*\[[^\]]{1,200}\],\s*page\s+\d+", re.IGNORECASE
)
_WORDS = re.compile(r"[^\W\d_]{2,}")


@lru_cache(maxsize=8192)
def _is_heading(sentence: str) -> bool:
    """A line with no sentence punctuation and few words: a heading, not an answer."""
    lines = [line.strip() for line in sentence.strip().splitlines() if line.strip()]
    if not lines:
        return True
    return all(len(line.split()) <= 12 and not re.search(r"[.!?:;”\"’)]$", line) for line in lines)
