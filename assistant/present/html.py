"""The web page's views as HTML, from Jinja2 templates with autoescape on.

Pure functions over plain dicts (the JSON the API returns). Every value that reaches a
template is escaped by Jinja, so nothing an article, a file name or a question contains can
run in the page: the templates in `templates/` are the only markup there is. The style and
the page's small scripts are the static files in `static/`.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from assistant.abstention import never_mentioned_notice
from assistant.present.text import language_note, not_english_lines, section_path

HERE = Path(__file__).parent
#: (doc_id, start) of a quote -> its ¶ number in the article, when the caller knows it.
Paragraphs = Mapping[tuple[str, int], int]
#: A span of an article's text to mark in Read, and the CSS class of its <mark>.
Mark = tuple[int, int, str]
#: How many earlier answers the page keeps.
HISTORY = 10


@cache
def _templates() -> Environment:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["read_query"] = read_query
    return env


def _render(name: str, **values: Any) -> str:
    return _templates().get_template(name).render(**values)


def static(name: str) -> str:
    """The text of one of the page's static files (cited.css, click.js, ...)."""
    return (HERE / "static" / name).read_text(encoding="utf-8")


# --- Ask -----------------------------------------------------------------------------------


def read_query(source: Mapping[str, Any], sentence: Sequence[int] | None = None) -> str:
    """The query string that opens Read at this span (and marks the answering sentence)."""
    fields: dict[str, Any] = {
        "doc": str(source["doc_id"]),
        "start": int(source["start"]),
        "end": int(source["end"]),
    }
    if sentence:
        fields |= {"hs": int(sentence[0]), "he": int(sentence[1])}
    return urlencode(fields)


def quote_card_html(quote: Mapping[str, Any], paragraph: int | None = None) -> str:
    """One quote card: [n], "Title — Section · ¶n · score", the quote, its receipt, Read."""
    src = quote["source"]
    facts = [f"¶{int(paragraph)}"] if paragraph else []
    if src.get("page"):
        facts.append(f"p. {int(src['page'])}")
    facts.append(f"score {float(quote['score']):.2f}")
    hl = (int(quote["highlight"][0]), int(quote["highlight"][1]))
    start = int(src["start"])
    return _render(
        "quote.jinja",
        quote=quote,
        src=src,
        section=section_path(src),
        facts=facts,
        hl=hl,
        sentence=(start + hl[0], start + hl[1]),
    )


def caveats_html(
    caveats: Sequence[Mapping[str, Any]], leading: bool = False, without: Sequence[str] = ()
) -> str:
    """The "What these articles caution" panel, grouped by article; the quoted articles
    that state no caveat (`without`) are named, rather than left to borrow others'."""
    if not caveats and not without:
        return ""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for caveat in caveats:
        groups.setdefault(caveat["source"]["title"], []).append(caveat)
    return _render("caveats.jinja", groups=groups, leading=leading, without=list(without))


def nearest_html(answer: Mapping[str, Any], paragraphs: Paragraphs | None = None) -> str:
    """On an abstention, "Show nearest passage": the closest passage greyed, its source and
    Read link, its score against the folder's threshold, and the question's words the
    articles lack. Empty when the answer quotes or nothing came near at all."""
    why = answer.get("abstention") or {}
    near = why.get("nearest")
    if not answer.get("abstained") or not near:
        return ""
    src = near["source"]
    paragraph = _paragraph(src, paragraphs or {})
    facts = [f"¶{int(paragraph)}"] if paragraph else []
    if src.get("page"):
        facts.append(f"p. {int(src['page'])}")
    score, missing = float(near["score"]), _missing_words(why)
    facts.append(f"score {score:.2f}")
    return _render(
        "nearest.jinja",
        near=near,
        src=src,
        section=section_path(src),
        facts=facts,
        verdict=score_against_threshold(
            score, float(near["threshold"]), bool(missing), bool(why.get("other_subject"))
        ),
        missing=missing,
    )


def score_against_threshold(
    score: float, threshold: float, words_missing: bool, other_subject: bool = False
) -> str:
    """ "Not quoted: score 0.31 — below this folder's threshold 0.42." (three decimals when
    two would show the same number on both sides)."""
    places = 2 if f"{score:.2f}" != f"{threshold:.2f}" else 3
    numbers = f"Not quoted: score {score:.{places}f} — "
    limit = f"this folder's threshold {threshold:.{places}f}"
    if score < threshold:
        return f"{numbers}below {limit}."
    if other_subject:
        return f"{numbers}above {limit}, but the question is on another subject."
    if words_missing:
        return (
            f"{numbers}above {limit}, but the question's key words are not answered in "
            "these articles."
        )
    return f"{numbers}against {limit}."


def _missing_words(why: Mapping[str, Any]) -> list[str]:
    """The line naming the question's words the articles never mention, only cite, or whose
    nearest passages do not address, in the notice's own words."""
    line = never_mentioned_notice(
        why.get("never_mentioned", ()),
        why.get("only_in_sources", ()),
        why.get("not_addressed", ()),
        _subject_pair(why.get("other_subject")),
    )
    return [line] if line else []


def _subject_pair(found: Mapping[str, str] | None) -> tuple[str, str] | None:
    return (found["subject"], found["question"]) if found else None


def _paragraph(source: Mapping[str, Any], paragraphs: Paragraphs) -> int | None:
    return paragraphs.get((source["doc_id"], int(source["start"])))


def answer_version(answer: Mapping[str, Any]) -> str | None:
    """The index version an answer was made from, when its sources carry it."""
    for item in [*answer.get("quotes", []), *answer.get("caveats", [])]:
        version = item["source"].get("version")
        if version:
            return str(version)
    return None


def answer_html(answer: Mapping[str, Any], paragraphs: Paragraphs | None = None) -> str:
    """The whole answer: notice, quote cards, caveats beside them (first when they lead)."""
    paragraphs = paragraphs or {}
    leading = bool(answer.get("notice")) and not answer["abstained"]
    cards = "".join(
        quote_card_html(q, _paragraph(q["source"], paragraphs)) for q in answer["quotes"]
    )
    return _render(
        "answer.jinja",
        answer=answer,
        nearest=Markup(nearest_html(answer, paragraphs)),
        leading=leading,
        count=len(answer["quotes"]),
        cautions=len(answer["caveats"]),
        caveats=Markup(
            caveats_html(answer["caveats"], leading, answer.get("without_caveats") or ())
        ),
        cards=Markup(cards),
        version=answer_version(answer),
        language=language_note(answer.get("not_english") or (), bool(answer["abstained"])),
    )


def history_html(earlier: Sequence[tuple[str, str]]) -> str:
    """Earlier answers (question, answer_html), newest first, each folded."""
    items = [{"question": q, "html": Markup(html)} for q, html in earlier[:HISTORY]]
    return _render("history.jinja", earlier=items)


def recent_html(questions: Sequence[str]) -> str:
    """Recent questions as buttons that ask again."""
    return _render("recent.jinja", questions=list(questions))


def examples_html(questions: Sequence[str]) -> str:
    """Questions to try, as buttons that ask them (nothing when there are none)."""
    return _render("examples.jinja", questions=list(questions))


def stale_html(question: str) -> str:
    """The notice on an answer whose index has been replaced, with a button to ask again."""
    return _render("stale.jinja", question=question)


def notices_html(*notices: tuple[str, str, str | None]) -> str:
    """Notices (css kind, text, bold lead-in) in a column."""
    return _render("notices.jinja", notices=notices)


# --- Library -------------------------------------------------------------------------------

_STATUS = {
    "indexed": ("ok", "Indexed"),
    "new": ("new", "Not indexed yet — Rebuild to add it"),
    "changed": ("changed", "Changed since indexing — Rebuild to update"),
    "removed": ("removed", "File deleted — Rebuild to drop it from answers"),
    "error": ("error", "Skipped by the last build"),
}


def when(iso: str | None) -> str:
    """An ISO timestamp as "2025-05-01 14:03 UTC" (or as given if it is not ISO)."""
    if not iso:
        return "—"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    zone = moment.tzname() or ""
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if zone in ("UTC", "UTC+00:00") else "")


def seconds(value: float) -> str:
    """A duration people read at a glance: "340 ms", "2.3 s"."""
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.1f} s"


def library_html(rows: Sequence[Mapping[str, Any]]) -> str:
    """The Library: article, passages, caveats, when indexed, status, Read and Delete…."""
    return _render("library.jinja", rows=[_library_row(row) for row in rows])


def _library_row(row: Mapping[str, Any]) -> dict[str, Any]:
    css, label = _STATUS.get(row.get("status") or "indexed", _STATUS["indexed"])
    if row.get("error") and row.get("status") != "error":
        css, label = "error", "The last build could not read it"
    return {**row, "css": css, "label": label, "when": when(row.get("indexed_at"))}


def index_facts_html(facts: Mapping[str, Any] | None, problem: str | None = None) -> str:
    """Index facts as a row of tiles, and what the last build changed if it is known."""
    if not facts:
        return _render("facts.jinja", tiles=None, problem=problem, changes=None)
    tiles = [
        ("Articles", str(facts["documents"])),
        ("Passages", str(facts["passages"])),
        ("Caveats", str(facts["caveats"])),
        ("Last updated", when(facts["built_at"])),
        ("Build time", seconds(float(facts["build_seconds"]))),
        ("Model", f"{facts['model']} ({facts['dimension']}-d)"),
    ]
    changes = facts.get("changes")
    parts = None
    if isinstance(changes, Mapping):
        parts = [
            f"{len(changes.get(key) or [])} {key}"
            + (f" ({', '.join(map(str, changes[key]))})" if changes.get(key) else "")
            for key in ("added", "changed", "removed")
        ]
    return _render("facts.jinja", tiles=tiles, problem=problem, changes=parts)


def upload_result_html(result: Mapping[str, Any]) -> str:
    """What an upload saved and refused."""
    notices: list[tuple[str, str, str | None]] = []
    if result.get("saved"):
        names = ", ".join(result["saved"])
        notices.append(
            ("success", f"Added {names}. Press Rebuild index to make them answerable.", None)
        )
    notices += [("warning", item["error"], "Not added:") for item in result.get("rejected") or []]
    return notices_html(*notices)


def rebuild_summary_html(summary: Mapping[str, Any]) -> str:
    """One line on what a rebuild did, and every file it had to skip."""
    docs, passages = summary["documents"], summary["passages"]
    line = (
        f"Rebuilt in {seconds(float(summary['seconds']))}: {docs['added']} added, "
        f"{docs['changed']} changed, {docs['removed']} removed, {docs['unchanged']} unchanged; "
        f"{passages['embedded']} passages embedded, {passages['reused']} reused, "
        f"{passages['total']} in all."
    )
    skipped = [
        ("warning", error["error"], f"Skipped {error['file']}:")
        for error in summary.get("errors") or []
    ]
    noted = [
        ("warning", note, "Note:") for note in not_english_lines(summary.get("not_english") or ())
    ]
    return notices_html(("success", line, None), *noted, *skipped)


# --- Read ----------------------------------------------------------------------------------


def document_html(
    doc: Mapping[str, Any],
    target: Sequence[int] | None = None,
    sentence: Sequence[int] | None = None,
) -> str:
    """A whole article: headings as headings, ¶-numbered paragraphs, page breaks, caveats
    marked, the linked passage (`target`) marked with id cited-target and the answering
    sentence (`sentence`) inside it highlighted."""
    text = doc["text"]
    marks: list[Mark] = [(int(c["start"]), int(c["end"]), "cited-caveat") for c in doc["caveats"]]
    if target:
        marks.append((int(target[0]), int(target[1]), "cited-target"))
    if target and sentence:
        marks.append((int(sentence[0]), int(sentence[1]), "cited-sentence"))
    seen = {"target": False}
    blocks, page = [], None
    for block in doc["blocks"]:
        if block["kind"] == "title":
            continue
        start, end = _shown_span(text, block)
        block_page = block.get("page")
        blocks.append(
            {
                "kind": block["kind"],
                "paragraph": block.get("paragraph"),
                "css": {"item": "cited-item", "label": "cited-label"}.get(
                    block["kind"], "cited-para"
                ),
                "page_break": block_page if block_page and block_page != page else None,
                "pieces": _marked(text, start, end, marks, seen),
            }
        )
        page = block_page or page
    return _render(
        "document.jinja", doc=doc, blocks=blocks, caveats=len(doc["caveats"]), target=target
    )


def _shown_span(text: str, block: Mapping[str, Any]) -> tuple[int, int]:
    """A block's span, without a Markdown heading's "## " marks (its words stay verbatim)."""
    start, end = int(block["start"]), int(block["end"])
    if block["kind"] == "heading" and text.startswith("#", start):
        line = text[start:end]
        stripped = line.lstrip("#")
        start += len(line) - len(stripped.lstrip())
        end -= len(line) - len(line.rstrip("# \t"))
    return start, max(start, end)


def _marked(
    text: str, start: int, end: int, marks: Sequence[Mark], seen: dict[str, bool]
) -> list[tuple[str, str, str]]:
    """text[start:end] cut into runs (text, mark classes, anchor id) where marks overlap it.

    The first run of the linked passage gets the anchor "cited-target" (Read scrolls there)."""
    inside = [(max(s, start), min(e, end), css) for s, e, css in marks if s < end and e > start]
    cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    runs = []
    for a, b in itertools.pairwise(cuts):
        classes = sorted({css for s, e, css in inside if s <= a and b <= e})
        anchor = ""
        if "cited-target" in classes and not seen["target"]:
            anchor, seen["target"] = "cited-target", True
        runs.append((text[a:b], " ".join(classes), anchor))
    return runs


def closed_html(title: str) -> str:
    """What Read shows when the article open in it has been deleted and rebuilt away."""
    return notices_html(
        (
            "abstain",
            f"{title} was deleted from the library; the rebuild removed it, so it is closed. "
            "Choose another article.",
            "Article closed.",
        )
    )
