"""Find the sentences in which an article limits, warns or disclaims: its own caveats.

Three families: ethical limits ("isn't about manipulation", "Do not fake"), warnings
("Warning:", "Be careful", "Do not use this in production", the paragraph of a Warning or
Caution admonition, a "A word of caution" section) and disclaimers ("not medical advice",
"talk to your doctor", "results vary", "not a guarantee"). Words that merely occur ("the
knight threatens", "the defender is coerced", "no opening is guaranteed") are not caveats.

Ethical limits:
Two signals, both cheap: cue patterns (a negation near an ethical term, as in "isn't
about manipulation", "not stonewalling", "Do not fake"; or a few terms that carry the
warning alone, as "weaponizing", "unethical", "without coercion", "not guarantees"), and,
when an `embed` function is given, closeness to a handful of prototype caveats. A
semantic match counts only if the sentence also names an ethical term, so neutral
sentences about distance or space are not taken for warnings. Items listed under an
"Unethical:"/"Avoid:" label, and ethics-bearing sentences in an "Ethical ..." section,
count too.

An ethical term limits harm done to a person only in advice to a reader about people:
"coercion", "ignored", "perform" and "fake" are everyday words of a technical manual
("type coercion", "the flag is ignored"), and a news report or an essay about people
describes ("no matter how badly they threatened its belief system") without limiting
advice it does not give. So a cue or a prototype marks an ethical limit only in a
document whose words name people (`about_people`) and address the reader
(`addresses_reader`) often enough; an explicit "Unethical:" list or "Ethical ..."
section, a warning and a "no guarantee" count in any document. A question is never a
caveat by its words.
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
    r"|manufactur\w*|weapon\w*|guarantees?\b)"
)
#: Terms whose "... never ..." marks a limit ("built on manipulation never feel secure"):
#: not "games" or "ignored", which a chess text pairs with "never" as plain description.
_NEVER_TERM = r"(?:manipulat\w*|punish\w*|deceiv\w*|decept\w*|weapon\w*|coerci\w*|trick\w*)"
# Any one of these marks a caveat; they are searched as one pattern.
_CUE = re.compile(
    "|".join(
        f"(?:{cue})"
        for cue in (
            rf"{_NEGATION}[^.!?;]{{0,60}}?(?<!\bis )(?<!\bwas )(?<!\bare )\b{_ETHICAL_TERM}\b",
            rf"\b{_NEVER_TERM}\b[^.!?;]{{0,40}}?\bnever\b",
            r"\b(?:weaponi[sz]\w*|unethical\w*|coercion|coercive|caveat)\b",
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
#: Words that name a person or a tie between people. Not "man" (man pages), "child" or
#: "parent" (processes, widgets), "date", "others": a manual uses them of things.
_PERSON = re.compile(
    r"\b(?:someone|somebody|anyone|anybody|everyone|everybody|people|person|persons"
    r"|partners?|he|she|him|his|her|hers|himself|herself|husbands?|wife|wives|ex|exes"
    r"|boyfriends?|girlfriends?|friends?|woman|women|men|colleagues?|coworkers?"
    r"|spouses?|lovers?|relationships?)\b",
    re.IGNORECASE,
)
_WORDS = re.compile(r"[^\W\d_]+")
#: Share of a document's words that name people, from which it is about people. The
#: five shipped articles are at 2.8-4.8 %, the labelled articles with ethical limits
#: (salary negotiation) 0.9 %; R's manuals 0.04-0.22 %, Python's library pages mostly 0.
PEOPLE_SHARE = 0.005
#: Words that address the reader. An ethical limit is an author limiting the advice they
#: give the reader ("this is not about manipulating him"); a text that gives none (news,
#: an essay, a story) only describes, and there "no matter how badly they threatened its
#: belief system" is no limit. Share of a text's words, from which it addresses its
#: reader: the shipped articles are at 3.0-6.0 %; 54 real English web pages about people
#: (`tests/data/` README, ../shared/benchmarks/webpages) have a median of 0.26 %, and the
#: five whose cues fired falsely 0-2.6 % (a news report 0, an essay 0.3 %, a game diary
#: 1.2 %, a game wiki's dialogue and a page of jokes 2.6 %).
_READER = re.compile(r"\b(?:you|your|yours|yourself|yourselves)\b", re.IGNORECASE)
READER_SHARE = 0.02
#: Caveat kinds that limit harm done to a person: marked by a cue only in a text about people.
PERSONAL_KINDS = frozenset(
    {"weaponising", "unethical", "manipulation", "games", "punishment", "deception"}
)
#: Kinds that limit a whole document, wherever they stand in it (`applies_to_document`).
DOCUMENT_WIDE_KINDS = PERSONAL_KINDS | {"guarantee", "disclaimer", "general"}

# Warnings and disclaimers: a sentence that opens with a warning label or is an
# imperative "Never/Do not ...", cautions, or disclaims advice and results.
_WARNING = re.compile(
    r"^\W{0,6}(?:warning|caution|danger|important|disclaimer|careful)\b\W{0,4}[:!—–-]"
    r"|^\W{0,3}!!!\s*(?:warning|caution|danger)\b"
    r"|^\W{0,3}(?:never|do\s+not|don[’']t)\s+(?!mean\b|miss\b|worry\b)\w+"
    r"|\bbe\s+(?:very\s+)?careful\b|\bnot\s+(?:intended\s+to\s+be\s+)?(?:secure|safe)\b"
    r"|\binsecure\b|\bin\s+production\b|\btoxic\b|\bpoison"
    r"|\bdoes\s+not\s+support\s+concurrent\b"
    r"|\bnot\s+(?:\w+\s+)?(?:medical|legal|financial|professional)\s+advice\b"
    r"|\b(?:talk|speak|consult|check)\s+(?:to|with)?\s*(?:your|a)\s+(?:\w+\s+)?"
    r"(?:doctor|pharmacist|physician|gp|vet|lawyer|therapist)\b"
    r"|\bcall\s+your\s+(?:doctor|vet)\b|\bseek\s+(?:medical\s+)?help\b"
    r"|\bresults\s+(?:may\s+|will\s+)?vary\b|\bnot\s+a\s+(?:guarantee|cure|substitute)\b"
    r"|\bwear\s+gloves\b|\bkeep\s+(?:it|them)\s+out\s+of\s+reach\b",
    re.IGNORECASE,
)
#: Every match of _WARNING holds one of these, lower-cased (tests check each way through).
_WARNING_STEMS = (
    *("warning", "caution", "danger", "important", "disclaimer", "careful", "never"),
    *("do", "don", "secure", "safe", "production", "toxic", "poison"),
    *("concurrent", "advice", "doctor", "pharmacist", "physician", "gp", "vet"),
    *("lawyer", "therapist", "help", "vary", "guarantee", "cure", "substitute", "gloves"),
    "reach",
)
#: A heading that names a caution: every block of its section is a caveat. Not a name in
#: code: man(1)'s option "--warnings[=warnings]" ("Enable warnings from groff."), a
#: setting "Warnings=", Python's "warnings.warn()".
_CAUTION_SECTION = re.compile(
    r"(?<![-=\[.])\b(?:word\s+of\s+caution|cautions?|warnings?|disclaimers?|safety|dangers?)\b"
    r"(?![=(\[]|\.\w)",
    re.IGNORECASE,
)
#: A one-word admonition title (HTML "Warning" boxes, "!!! danger"): the block after it.
_ADMONITION = re.compile(
    r"^\W*(?:!!!\s*)?(?:warning|caution|danger|attention|important)\W*$", re.IGNORECASE
)

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
#: Every kind a caveat may have.
KINDS = (*(name for name, _ in _KINDS), "warning", "disclaimer", "general")


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
    words = len(_WORDS.findall(doc.text))
    personal = about_people(doc.text, words) and addresses_reader(doc.text, words)
    for span, block, forced, section in _candidates(doc, given or blocks(doc)):
        sections[span] = section
        sentence = doc.text[span[0] : span[1]]
        if kind := forced or _kind_by_rule(sentence, block.section, personal):
            chosen[span] = kind
        elif personal and _may_name_a_term(sentence) and _ETHICS_WORDS.search(sentence):
            compared.append(span)
    return RuledSentences(chosen, tuple(compared), sections)


def about_people(text: str, words: int | None = None) -> bool:
    """Whether at least PEOPLE_SHARE of the text's `words` (counted here when not given)
    name people: only there is an ethical term's cue a limit on harm done to someone."""
    return _share_at_least(_PERSON, text, PEOPLE_SHARE, words)


def addresses_reader(text: str, words: int | None = None) -> bool:
    """Whether at least READER_SHARE of the text's `words` (counted here when not given)
    address the reader ("you", "your"): advice, which an ethical limit can limit."""
    return _share_at_least(_READER, text, READER_SHARE, words)


def _share_at_least(pattern: re.Pattern[str], text: str, share: float, words: int | None) -> bool:
    words = len(_WORDS.findall(text)) if words is None else words
    return bool(words) and len(pattern.findall(text)) >= share * words


def _kind_by_rule(sentence: str, section: str, personal: bool = True) -> str | None:
    """The caveat kind of a sentence that is a caveat by its words (or, in an ethics
    section, by naming an ethical term); None for the others. Outside advice to a reader
    about people (`personal` False) a cue marks only a kind that limits no person's harm.
    A question limits nothing: "Why do you never see elephants hiding in trees?" is a
    joke, whatever its words."""
    if sentence.rstrip().endswith("?"):
        return None
    if _may_name_a_term(sentence):
        if _CUE.search(sentence) and (kind := _cued_kind(sentence, personal)):
            return kind
        if _ETHICS_SECTION.search(section) and _ETHICS_WORDS.search(sentence):
            return _kind(sentence)
    if _may_warn(sentence) and _WARNING.search(sentence):
        return _warning_kind(sentence)
    return None


def _cued_kind(sentence: str, personal: bool) -> str | None:
    """The kind of a sentence a cue marks. Outside a text about people a person-harming
    kind is no caveat, and the rest warn about what the text there describes ("there is
    no guarantee that the call returns at once", "Caveat: not thread-safe") rather than
    disclaim the whole document: they are warnings."""
    kind = _kind(sentence)
    if personal:
        return kind
    return None if kind in PERSONAL_KINDS else "warning"


def applies_to_document(caveat: Caveat) -> bool:
    """Whether a caveat limits its whole document — an ethical limit, a disclaimer, a "no
    guarantee" of results or an "Important caveat:" in a text about people, a block of a
    caution section — rather than what the passage
    stating it describes (a warning next to an API: "Do not use stdout=PIPE with this
    function"). The answer shows the first with any quote of the document, the second
    only with the quote that holds it."""
    return caveat.kind in DOCUMENT_WIDE_KINDS or bool(_CAUTION_SECTION.search(caveat.section))


def _may_warn(sentence: str) -> bool:
    """False only when _WARNING cannot match `sentence` (the same prefilter as for terms)."""
    if not _ODD_CASES.isdisjoint(sentence):
        return True
    lower = sentence.lower()
    return any(stem in lower for stem in _WARNING_STEMS)


_DISCLAIMER = re.compile(
    r"advice|doctor|pharmacist|physician|\bgp\b|\bvet\b|lawyer|therapist|vary|guarantee"
    r"|\bcures?\b|substitute|\bseek\s+(?:medical\s+)?help\b",
    re.IGNORECASE,
)


def _warning_kind(sentence: str) -> str:
    """'disclaimer' for limits on advice and results, else 'warning'."""
    return "disclaimer" if _DISCLAIMER.search(sentence) else "warning"


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


def _candidates(doc: Document, doc_blocks: Sequence[Block]) -> list[tuple[Span, Block, str, str]]:
    """Sentences of paragraphs, items and tables, and the comment lines of code, with
    their block, forced kind and section.

    Items listed under a warning label ("Unethical:", "Avoid:") are "unethical" and carry
    the label in their section, so they are shown with it; the block after a one-word
    admonition title ("Warning") and every block of a caution section ("A word of
    caution") are "warning"."""
    result: list[tuple[Span, Block, str, str]] = []
    label = ""
    admonition = False
    for block in doc_blocks:
        if block.kind == "code":  # its comments only: output says "WARNING:root:..." too
            result.extend((span, block, "", block.section) for span in _comments(doc, block))
            continue
        line = doc.text[block.start : block.end]
        if block.kind != "item":
            label = line if block.kind == "label" else ""
        if block.kind in ("title", "heading", "label") or _ADMONITION.match(line):
            admonition = block.kind != "label" and bool(_ADMONITION.match(line))
            continue
        forced, section = _forced(block, label, admonition)
        admonition = False
        for s, e in sentence_spans(line):
            if _ADMONITION.match(line[s:e]):  # "!!! danger" opening its own block
                forced = "warning"
                continue
            result.append(((block.start + s, block.start + e), block, forced, section))
    return result


def _comments(doc: Document, block: Block) -> list[Span]:
    """The comment lines of a code block, whole ("  >>> # Never do this -- insecure!"):
    an author's warning may stand there; the program's other lines and its output
    ("WARNING:root:Watch out!") are no one's caveat."""
    code = doc.text[block.start : block.end]
    return [
        (block.start + m.start(1), block.start + m.end(1)) for m in _COMMENT_LINE.finditer(code)
    ]


#: A line that is a comment, after any interpreter or shell prompt.
_COMMENT_LINE = re.compile(r"^[ \t]*((?:(?:>>>|\.\.\.|\$|%)[ \t]+)?(?:#|//)[^\n]*\S)", re.M)


def _forced(block: Block, label: str, admonition: bool) -> tuple[str, str]:
    """The kind a block's place forces on its sentences ("" for none), and its section."""
    if block.kind == "item" and _WARNING_LABEL.search(label):
        return "unethical", f"{block.section}: {label.strip().rstrip(':')}"
    if admonition:
        return "warning", block.section
    caution = _CAUTION_SECTION.search(block.section) and not _ADMONITION.match(block.section)
    return ("warning" if caution else ""), block.section


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
