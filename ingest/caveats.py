"""Find the sentences in which an article states its own ethical limits.

Two signals, both cheap: cue patterns (a negation near an ethical term, as in "isn't
about manipulation", "not stonewalling", "Do not fake"; or a few terms that carry the
warning alone, as "weaponizing", "unethical", "without coercion", "not guarantees"), and,
when an `embed` function is given, closeness to a handful of prototype caveats. A
semantic match counts only if the sentence also names an ethical term, so neutral
sentences about distance or space are not taken for warnings. Items listed under an
"Unethical:"/"Avoid:" label, and ethics-bearing sentences in an "Ethical ..." section,
count too.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from index.records import Caveat, Document
from ingest.structure import Block, blocks
from ingest.text import sentence_spans

log = logging.getLogger(__name__)

Span = tuple[int, int]
Embed = Callable[[list[str]], np.ndarray]

# A sentence must be this close to a caveat prototype, and this much closer to one than to
# any plain-advice prototype: in articles about one topic, raw similarity mostly measures
# the topic. Calibrated on the shipped corpus: the closest advice sentence that names an
# ethical term without being a caveat has a margin of 0.24; plainly worded caveats the
# cues miss ("Using jealousy to control him ... hurt you both") score 0.26-0.41.
MIN_SIMILARITY = 0.40
MIN_MARGIN = 0.25
_NEGATION = r"(?:\b(?:not|never|no|nor|without|instead\s+of|rather\s+than)\b|n[’']t\b)"
_ETHICAL_TERM = (
    r"(?:manipulat\w*|coerc\w*|games?|play(?:ing)?\s+hard[\s-]+to[\s-]+get|trick\w*|gimmicks?"
    r"|tactics?|techniques?|punish\w*|cruel\w*|cold\s+shoulder|being\s+cold|stonewall\w*|ignor\w*|withhold\w*"
    r"|threat\w*|fake|faking|pretend\w*|perform\w*|secre\w*|hiding|deceiv\w*|decept\w*"
    r"|manufactur\w*|weapon\w*|guarantee\w*)"
)
# Any one of these marks a caveat; they are searched as one pattern.
_CUE = re.compile(
    "|".join(
        f"(?:{cue})"
        for cue in (
            rf"{_NEGATION}[^.!?;]{{0,60}}?\b{_ETHICAL_TERM}\b",
            rf"\b{_ETHICAL_TERM}\b[^.!?;]{{0,40}}?\bnever\b",
            r"\b(?:weaponi[sz]\w*|unethical\w*|coerc\w*|caveat)\b",
            r"\b(?:as|like)\s+a\s+weapon\b",
        )
    ),
    re.IGNORECASE,
)
_ETHICS_WORDS = re.compile(
    rf"\b(?:{_ETHICAL_TERM}|ethic\w*|unethical|responsib\w*|jealous\w*|controll?\w*|drama"
    r"|dishonest\w*|guilt\w*|wrong|harm\w*)\b",
    re.IGNORECASE,
)
#: Every match of _CUE and _ETHICS_WORDS holds one of these, lower-cased. A sentence with
#: none is not searched: Python's re takes ~40 µs a sentence on those patterns, and most
#: sentences name no ethical term (tests/ingest/test_caveats.py checks every alternative).
_TERM_STEMS = (
    *("manipulat", "coerc", "game", "hard", "trick", "gimmick", "tactic", "technique"),
    *("punish", "cruel", "cold", "stonewall", "ignor", "withhold", "threat", "fak"),
    *("pretend", "perform", "secre", "hiding", "deceiv", "decept", "manufactur", "weapon"),
    *("guarantee", "caveat", "ethic", "responsib", "jealous", "control", "drama"),
    *("dishonest", "guilt", "wrong", "harm"),
)
#: The characters IGNORECASE matches with an ASCII letter that lower() does not turn into
#: that letter alone: a sentence holding one is searched whatever its stems.
_ODD_CASES = frozenset("\u0130\u0131\u017f")  # İ ı ſ
_WARNING_LABEL = re.compile(
    r"\b(?:unethical|avoid|don[’']?t|never|red\s+flags?|not\s+ok(?:ay)?|not\s+to\s+do)\b",
    re.IGNORECASE,
)
_ETHICS_SECTION = re.compile(r"\bethic", re.IGNORECASE)

PROTOTYPES = (
    "This is not about manipulation or playing games.",
    "Manipulating someone's emotions is wrong.",
    "Creating distance should never be a punishment or a way to be cruel.",
    "Do not fake it or perform; be genuine and do not pretend.",
    "Tricking or deceiving someone is dishonest.",
    "Never use distance or silence as a weapon.",
    "Using jealousy or guilt to control a partner is harmful.",
    "These are general patterns, not guarantees.",
    "Let them choose you freely, without coercion or manipulation.",
    "This is not about ignoring them or giving them the cold shoulder.",
)

ADVICE_PROTOTYPES = (
    "How to make someone miss you.",
    "Creating distance and space makes your partner miss you.",
    "Absence builds longing, attraction and appreciation.",
    "Focus on your own life, friends and personal growth.",
)

_KINDS = (
    ("weaponising", re.compile(r"weapon", re.IGNORECASE)),
    ("unethical", re.compile(r"unethical|ethic|responsib", re.IGNORECASE)),
    ("guarantee", re.compile(r"guarantee", re.IGNORECASE)),
    ("manipulation", re.compile(r"manipulat|coerc", re.IGNORECASE)),
    ("games", re.compile(r"game|trick|gimmick|tactic|technique|hard[\s-]+to[\s-]+get", re.I)),
    ("punishment", re.compile(r"punish|cruel|cold|stonewall|ignor|withhold|threat", re.I)),
    ("deception", re.compile(r"fake|faking|pretend|perform|secre|hiding|deceiv|decept", re.I)),
)


@dataclass(frozen=True)
class RuledSentences:
    """A document's sentences as the rules judged them, before anything is embedded."""

    chosen: dict[Span, str]  # caveats by their words or their place, with their kind
    compared: tuple[Span, ...]  # the others that name an ethical term: for the prototypes
    sections: dict[Span, str]  # the section of every sentence


def apply_rules(doc: Document, given: Sequence[Block] | None = None) -> RuledSentences:
    """Judge every sentence of `doc` by the cue patterns, warning labels and sections.
    `given` are the document's blocks (`ingest.analyze`), else they are found here."""
    chosen: dict[Span, str] = {}
    compared: list[Span] = []
    sections: dict[Span, str] = {}
    for span, block, forced in _candidates(doc, given or blocks(doc)):
        sections[span] = block.section
        sentence = doc.text[span[0] : span[1]]
        if kind := forced or _kind_by_rule(sentence, block.section):
            chosen[span] = kind
        elif _may_name_a_term(sentence) and _ETHICS_WORDS.search(sentence):
            compared.append(span)
    return RuledSentences(chosen, tuple(compared), sections)


def _kind_by_rule(sentence: str, section: str) -> str | None:
    """The caveat kind of a sentence that is a caveat by its words (or, in an ethics
    section, by naming an ethical term); None for the others."""
    if not _may_name_a_term(sentence):
        return None
    if _CUE.search(sentence):
        return _kind(sentence)
    if _ETHICS_SECTION.search(section) and _ETHICS_WORDS.search(sentence):
        return _kind(sentence)
    return None


def _may_name_a_term(sentence: str) -> bool:
    """False only when neither _CUE nor _ETHICS_WORDS can match `sentence`."""
    if not _ODD_CASES.isdisjoint(sentence):
        return True
    lower = sentence.lower()
    return any(stem in lower for stem in _TERM_STEMS)


def find_caveats(
    doc: Document, embed: Embed | None = None, ruled: RuledSentences | None = None
) -> list[Caveat]:
    """The document's own caveats in order; each `text` is exactly `doc.text[start:end]`.
    `ruled` is `apply_rules(doc)`, when the caller has it already."""
    ruled = apply_rules(doc) if ruled is None else ruled
    chosen = dict(ruled.chosen)
    if embed is not None:
        for span in _semantic_matches(doc, ruled.compared, embed):
            chosen[span] = _kind(doc.text[span[0] : span[1]])
    log.debug("%s: %d caveats", doc.file, len(chosen))
    return [
        Caveat(doc.doc_id, s, e, doc.text[s:e], kind, ruled.sections[(s, e)], doc.page_at(s))
        for (s, e), kind in sorted(chosen.items())
    ]


def texts_to_embed(doc: Document, ruled: RuledSentences | None = None) -> list[str]:
    """Every text `find_caveats(doc, embed)` passes to `embed`: a build embeds these for all
    its documents in one batch first, where one small batch per document kept the model's
    threads half idle."""
    ruled = apply_rules(doc) if ruled is None else ruled
    spans = [*ruled.chosen, *ruled.compared]
    return [doc.text[s:e] for s, e in spans] + list(PROTOTYPES) + list(ADVICE_PROTOTYPES)


def _candidates(doc: Document, doc_blocks: Sequence[Block]) -> list[tuple[Span, Block, str]]:
    """Sentences of paragraphs and items, with their block; items listed under a warning
    label ("Unethical:", "Avoid:") carry the forced kind "unethical"."""
    result: list[tuple[Span, Block, str]] = []
    label = ""
    for block in doc_blocks:
        line = doc.text[block.start : block.end]
        if block.kind != "item":
            label = line if block.kind == "label" else ""
        if block.kind in ("title", "heading", "label"):
            continue
        forced = "unethical" if block.kind == "item" and _WARNING_LABEL.search(label) else ""
        for s, e in sentence_spans(line):
            result.append(((block.start + s, block.start + e), block, forced))
    return result


def _semantic_matches(doc: Document, spans: Sequence[Span], embed: Embed) -> list[Span]:
    """The sentences of `spans` close to a prototype caveat and closer to it than to advice."""
    if not spans:
        return []
    n, k = len(spans), len(PROTOTYPES)
    vectors = np.asarray(
        embed([doc.text[s:e] for s, e in spans] + list(PROTOTYPES) + list(ADVICE_PROTOTYPES))
    )
    caveat = (vectors[:n] @ vectors[n : n + k].T).max(axis=1)
    advice = (vectors[:n] @ vectors[n + k :].T).max(axis=1)
    keep = (caveat >= MIN_SIMILARITY) & (caveat - advice >= MIN_MARGIN)
    return [span for span, ok in zip(spans, keep, strict=True) if ok]


def _kind(sentence: str) -> str:
    """The first matching kind in priority order, else 'general'."""
    for kind, pattern in _KINDS:
        if pattern.search(sentence):
            return kind
    return "general"
