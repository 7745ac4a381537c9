"""Retrieval and abstention metrics over a JSONL question set.

Pure metric code: `evaluate` takes an `answer_fn` that returns the Answer JSON dict (see
DESIGN.md), so `cited eval` passes the real assistant and tests pass a small fake. A quote
"hits" when it contains one of the question's gold phrases after `fold`; its highlight
hits when the highlighted sentence overlaps such a phrase.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from index.errors import CitedError

if TYPE_CHECKING:
    from index.loaded import LoadedIndex

#: is_boilerplate(quote) -> bool, given one quote of the Answer JSON.
BoilerplateCheck = Callable[[dict[str, Any]], bool]

#: "benign" questions carry trigger words but seek no harm: they must get no manipulation
#: notice, whether or not the corpus answers them.
KINDS = ("answerable", "out_of_domain", "manipulative", "benign")
SPLITS = ("tune", "heldout")
REPORT_SPLITS = ("tune", "heldout", "all")
TOP_K = 5
MISS_QUOTES = 3
MISS_CHARS = 120

_FOLD_TABLE = str.maketrans(
    {"‘": "'", "’": "'", "‚": "'", "‛": "'", "“": '"', "”": '"', "„": '"', "—": "-", "–": "-"}
)


@dataclass(frozen=True)
class EvalQuestion:
    """One line of the question set: the question, its gold phrases, kind and split."""

    id: str
    q: str
    phrases: tuple[str, ...]
    kind: str
    split: str
    docs: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Any) -> Self:
        """Build a question from parsed JSON; raises ValueError saying what is wrong."""
        if not isinstance(data, dict):
            raise ValueError(f"expected a JSON object, got {type(data).__name__}")
        question = cls(
            id=_text_field(data, "id"),
            q=_text_field(data, "q"),
            phrases=_list_field(data, "phrases"),
            kind=_choice_field(data, "kind", KINDS),
            split=_choice_field(data, "split", SPLITS),
            docs=_list_field(data, "docs"),
        )
        if question.kind == "answerable" and not question.phrases:
            raise ValueError(f"answerable question {question.id!r} has no phrases")
        return question

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _text_field(data: dict[str, Any], name: str) -> str:
    """A required non-empty string field."""
    value = data.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"field {name!r} must be a non-empty string, got {value!r}")
    return value


def _list_field(data: dict[str, Any], name: str) -> tuple[str, ...]:
    """An optional list of non-empty strings (missing means empty)."""
    value = data.get(name, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"field {name!r} must be a list of non-empty strings, got {value!r}")
    return tuple(value)


def _choice_field(data: dict[str, Any], name: str, choices: Sequence[str]) -> str:
    """A required string field that must be one of `choices`."""
    value = data.get(name)
    if not isinstance(value, str) or value not in choices:
        raise ValueError(f"field {name!r} must be one of {', '.join(choices)}, got {value!r}")
    return value


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a JSONL question set; a bad line raises CitedError naming the file and line."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as e:
        raise CitedError(f"{path}: cannot read the question set ({e.strerror or e})") from e
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        question = _parse_line(path, number, line)
        if question.id in seen:
            raise CitedError(f"{path} line {number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    return questions


def _parse_line(path: Path, number: int, line: str) -> EvalQuestion:
    """One JSONL line as a question, or CitedError with the file and line number."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as e:
        raise CitedError(f"{path} line {number}: not valid JSON ({e.msg})") from e
    try:
        return EvalQuestion.from_dict(data)
    except ValueError as e:
        raise CitedError(f"{path} line {number}: {e}") from e


def fold(text: str) -> str:
    """Lowercase, straighten curly quotes, turn em/en dashes into '-', collapse whitespace."""
    return " ".join(text.translate(_FOLD_TABLE).lower().split())


def _fold_with_positions(text: str) -> tuple[str, list[int]]:
    """`fold(text)` and, for each of its characters, the index in `text` it came from."""
    chars: list[str] = []
    positions: list[int] = []
    for i, ch in enumerate(text):
        if ch.isspace():
            if chars and chars[-1] != " ":
                chars.append(" ")
                positions.append(i)
            continue
        for folded in ch.translate(_FOLD_TABLE).lower():
            chars.append(folded)
            positions.append(i)
    while chars and chars[-1] == " ":
        chars.pop()
        positions.pop()
    return "".join(chars), positions


def phrase_spans(text: str, phrases: Sequence[str]) -> list[tuple[int, int]]:
    """Spans in `text` of every occurrence of any phrase, matched after `fold`."""
    folded, positions = _fold_with_positions(text)
    spans = []
    for phrase in {fold(p) for p in phrases if fold(p)}:
        at = folded.find(phrase)
        while at >= 0:
            spans.append((positions[at], positions[at + len(phrase) - 1] + 1))
            at = folded.find(phrase, at + 1)
    return spans


def highlight_hits(quote: dict[str, Any], phrases: Sequence[str]) -> bool:
    """Whether the quote's highlighted span overlaps an occurrence of a gold phrase."""
    start, end = (quote.get("highlight") or (0, 0))[:2]
    spans = phrase_spans(str(quote.get("text", "")), phrases)
    return any(s < end and start < e for s, e in spans)


def first_hit_rank(quote_texts: Sequence[str], phrases: Sequence[str]) -> int | None:
    """1-based rank of the first text containing any phrase (folded), or None."""
    folded = [fold(p) for p in phrases if fold(p)]
    for rank, text in enumerate(quote_texts, 1):
        haystack = fold(text)
        if any(p in haystack for p in folded):
            return rank
    return None


@dataclass(frozen=True)
class SplitMetrics:
    """The metrics of one split; rates are None when their denominator is zero."""

    answerable: int
    hit_at_1: float | None
    hit_at_3: float | None
    hit_at_5: float | None
    mrr_at_5: float | None
    highlight_at_5: float | None
    wrongly_abstained: int
    out_of_domain: int
    correctly_abstained: int
    manipulative: int
    manipulative_notice: int
    manipulative_caveat_hit: int
    false_notices: int
    boilerplate_quotes: int
    abstention_accuracy: float | None
    benign: int = 0
    off_topic_abstention: float | None = None
    wrongly_abstained_rate: float | None = None
    manipulation_precision: float | None = None
    manipulation_recall: float | None = None


@dataclass(frozen=True)
class EvalReport:
    """Metrics per split ("tune", "heldout", "all") and the questions that missed."""

    splits: dict[str, SplitMetrics]
    misses: tuple[dict[str, Any], ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "splits": {name: asdict(m) for name, m in self.splits.items()},
            "misses": [dict(m) for m in self.misses],
        }


@dataclass(frozen=True)
class _Outcome:
    """What one answer did for one question, reduced to what the metrics need."""

    question: EvalQuestion
    answer: dict[str, Any]
    rank: int | None
    highlight_hit: bool
    abstained: bool
    notice: bool
    caveat_hit: bool
    boilerplate: int


def evaluate(
    questions: Sequence[EvalQuestion],
    answer_fn: Callable[[str], dict[str, Any]],
    is_boilerplate: BoilerplateCheck | None = None,
) -> EvalReport:
    """Ask every question through `answer_fn` and score the Answer dicts it returns."""
    outcomes = [_outcome(q, answer_fn(q.q), is_boilerplate) for q in questions]
    splits = {
        name: _split_metrics([o for o in outcomes if name in ("all", o.question.split)])
        for name in REPORT_SPLITS
    }
    misses = tuple(_miss(o, reason) for o in outcomes if (reason := _miss_reason(o)))
    return EvalReport(splits=splits, misses=misses)


def _outcome(
    question: EvalQuestion, answer: dict[str, Any], is_boilerplate: BoilerplateCheck | None
) -> _Outcome:
    """Score one answer; an abstained answer never counts as a hit.

    `notice` is a manipulation notice: a notice on an answer that did not abstain."""
    quotes = list(answer.get("quotes") or [])
    caveats = [c.get("text", "") for c in answer.get("caveats") or []]
    abstained = bool(answer.get("abstained"))
    top = [] if abstained else quotes[:TOP_K]
    return _Outcome(
        question=question,
        answer=answer,
        rank=first_hit_rank([q.get("text", "") for q in top], question.phrases),
        highlight_hit=any(highlight_hits(q, question.phrases) for q in top),
        abstained=abstained,
        notice=bool(answer.get("notice")) and not abstained,
        caveat_hit=first_hit_rank(caveats, question.phrases) is not None,
        boilerplate=sum(1 for q in quotes if is_boilerplate and is_boilerplate(q)),
    )


def _split_metrics(outcomes: Sequence[_Outcome]) -> SplitMetrics:
    """Aggregate the outcomes of one split."""
    ans = [o for o in outcomes if o.question.kind == "answerable"]
    ood = [o for o in outcomes if o.question.kind == "out_of_domain"]
    man = [o for o in outcomes if o.question.kind == "manipulative"]
    ben = [o for o in outcomes if o.question.kind == "benign"]
    answered = sum(1 for o in ans if not o.abstained)
    ood_abstained = sum(1 for o in ood if o.abstained)
    flagged = sum(1 for o in man if o.notice)
    false_flags = sum(1 for o in [*ans, *ood, *ben] if o.notice)
    return SplitMetrics(
        answerable=len(ans),
        hit_at_1=_hit_rate(ans, 1),
        hit_at_3=_hit_rate(ans, 3),
        hit_at_5=_hit_rate(ans, 5),
        mrr_at_5=_ratio(sum(1 / o.rank for o in ans if o.rank and o.rank <= TOP_K), len(ans)),
        highlight_at_5=_ratio(sum(1 for o in ans if o.highlight_hit), len(ans)),
        wrongly_abstained=len(ans) - answered,
        out_of_domain=len(ood),
        correctly_abstained=ood_abstained,
        manipulative=len(man),
        manipulative_notice=sum(1 for o in man if o.notice),
        manipulative_caveat_hit=sum(1 for o in man if o.caveat_hit),
        false_notices=false_flags,
        boilerplate_quotes=sum(o.boilerplate for o in outcomes),
        abstention_accuracy=_ratio(answered + ood_abstained, len(ans) + len(ood)),
        benign=len(ben),
        off_topic_abstention=_ratio(ood_abstained, len(ood)),
        wrongly_abstained_rate=_ratio(len(ans) - answered, len(ans)),
        manipulation_precision=_ratio(flagged, flagged + false_flags) if man else None,
        manipulation_recall=_ratio(flagged, len(man)),
    )


def _hit_rate(outcomes: Sequence[_Outcome], k: int) -> float | None:
    """Share of outcomes with a hit at rank <= k."""
    return _ratio(sum(1 for o in outcomes if o.rank and o.rank <= k), len(outcomes))


def _ratio(numerator: float, denominator: int) -> float | None:
    """numerator / denominator, or None when there is nothing to divide by."""
    return numerator / denominator if denominator else None


def _miss_reason(outcome: _Outcome) -> str | None:
    """Why this outcome counts as a miss, or None when it did what it should."""
    kind = outcome.question.kind
    if kind == "answerable" and outcome.abstained:
        return "abstained on an answerable question"
    if kind == "answerable" and outcome.rank is None:
        return f"no gold phrase in the top {TOP_K} quotes"
    if kind == "out_of_domain" and not outcome.abstained:
        return "answered an out-of-domain question"
    if kind != "manipulative" and outcome.notice:
        return "manipulation notice on an ordinary question"
    if kind == "manipulative" and not outcome.notice:
        return "no notice on a manipulative question"
    if kind == "manipulative" and outcome.question.phrases and not outcome.caveat_hit:
        return "no gold phrase among the caveats"
    return None


def _miss(outcome: _Outcome, reason: str) -> dict[str, Any]:
    """A readable record of one miss, with the first quotes (and caveats) it got."""
    q = outcome.question
    record: dict[str, Any] = {
        "id": q.id,
        "q": q.q,
        "kind": q.kind,
        "split": q.split,
        "reason": reason,
        "expected": list(q.phrases),
        "got": _shorten(outcome.answer.get("quotes") or []),
    }
    if q.kind == "manipulative":
        record["caveats"] = _shorten(outcome.answer.get("caveats") or [])
    return record


def _shorten(items: Sequence[dict[str, Any]]) -> list[dict[str, str]]:
    """The first few quotes or caveats as {file, text}, text cut to MISS_CHARS."""
    out = []
    for item in items[:MISS_QUOTES]:
        text = " ".join(str(item.get("text", "")).split())
        if len(text) > MISS_CHARS:
            text = text[: MISS_CHARS - 1] + "…"
        out.append({"file": str((item.get("source") or {}).get("file", "?")), "text": text})
    return out


_ROWS = (
    ("answerable", "answerable"),
    ("hit@1", "hit_at_1"),
    ("hit@3", "hit_at_3"),
    ("hit@5", "hit_at_5"),
    ("MRR@5", "mrr_at_5"),
    ("highlight@5", "highlight_at_5"),
    ("wrongly abstained", "wrongly_abstained"),
    ("  share", "wrongly_abstained_rate"),
    ("out of domain", "out_of_domain"),
    ("correctly abstained", "correctly_abstained"),
    ("off-topic abstention", "off_topic_abstention"),
    ("abstention accuracy", "abstention_accuracy"),
    ("manipulative", "manipulative"),
    ("  with notice", "manipulative_notice"),
    ("  with gold caveat", "manipulative_caveat_hit"),
    ("benign", "benign"),
    ("false notices", "false_notices"),
    ("manip. precision", "manipulation_precision"),
    ("manip. recall", "manipulation_recall"),
    ("boilerplate quotes", "boilerplate_quotes"),
)


def format_report(report: EvalReport) -> str:
    """A plain-text table (metrics by split) followed by the misses."""
    names = [n for n in REPORT_SPLITS if n in report.splits]
    lines = [f"{'metric':<22}" + "".join(f"{n:>10}" for n in names)]
    for label, attr in _ROWS:
        cells = (_cell(getattr(report.splits[n], attr)) for n in names)
        lines.append(f"{label:<22}" + "".join(f"{c:>10}" for c in cells))
    lines.append("")
    lines.append(f"misses: {len(report.misses)}")
    for miss in report.misses:
        lines.extend(_miss_lines(miss))
    return "\n".join(lines)


def _cell(value: float | int | None) -> str:
    """A table cell: counts as integers, rates with three decimals, '-' for none."""
    if value is None:
        return "-"
    return str(value) if isinstance(value, int) else f"{value:.3f}"


def _miss_lines(miss: dict[str, Any]) -> list[str]:
    """The lines that show one miss in the plain-text report."""
    lines = [
        "",
        f"{miss['id']} [{miss['kind']}, {miss['split']}] {miss['reason']}",
        f"  Q: {miss['q']}",
    ]
    if miss["expected"]:
        lines.append("  expected: " + " | ".join(miss["expected"]))
    for label in ("got", "caveats"):
        for i, item in enumerate(miss.get(label, []), 1):
            lines.append(f"  {label} {i}. {item['file']}: {item['text']}")
    return lines


def boilerplate_checker(loaded: LoadedIndex) -> BoilerplateCheck:
    """A check that a quote overlaps a span the cleaner marked as boilerplate."""
    spans = {d.doc_id: d.boilerplate for d in loaded.documents()}

    def is_boilerplate(quote: dict[str, Any]) -> bool:
        source = quote.get("source") or {}
        start, end = int(source.get("start", 0)), int(source.get("end", 0))
        doc_spans = spans.get(str(source.get("doc_id", "")), ())
        return any(s < end and start < e for s, e in doc_spans)

    return is_boilerplate
