"""An Answer as terminal text and Markdown, and the web UI's views as escaped HTML.

Pure functions over plain dicts (the JSON the API returns). Every piece of text that
comes from an article, a file name or a question goes through `html.escape`, so nothing
an article contains can run in the page: the markup here is the only markup there is.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from datetime import datetime
from html import escape
from typing import Any
from urllib.parse import urlencode

from assistant.answer import Answer, CaveatQuote, Quote, Source

_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"

#: (doc_id, start) of a quote -> its ¶ number in the article, when the caller knows it.
Paragraphs = Mapping[tuple[str, int], int]


def position(source: Source) -> str:
    """Where a quote sits in its file: characters start–end, and its page for PDFs."""
    where = f"chars {source.start}–{source.end}"
    return f"p. {source.page}, {where}" if source.page else where


def heading(source: Source) -> str:
    """ "Title — Section", or just the title when the section is the title."""
    if source.section and source.section != source.title:
        return f"{source.title} — {source.section}"
    return source.title


# --- terminal and Markdown ---------------------------------------------------------------


def answer_as_text(answer: Answer, color: bool = False) -> str:
    """A terminal rendering: notice, quotes with the answering sentence marked, caveats."""
    lines: list[str] = []
    if answer.notice:
        lines += [answer.notice, ""]
    caveats = _caveats_text(answer.caveats)
    if answer.notice and not answer.abstained and caveats:
        lines += [*caveats, ""]
        caveats = []
    for quote in answer.quotes:
        lines += _quote_text(quote, color)
    lines += caveats
    return "\n".join(lines).rstrip()


def _quote_text(quote: Quote, color: bool) -> list[str]:
    s, e = quote.highlight
    left, right = (_BOLD, _RESET) if color else ("»", "«")
    body = quote.text[:s] + left + quote.text[s:e] + right + quote.text[e:]
    meta = f"{quote.source.file}, {position(quote.source)}, score {quote.score:.2f}"
    if color:
        meta = _DIM + meta + _RESET
    return [f"[{quote.rank}] {heading(quote.source)}", meta, body, ""]


def _caveats_text(caveats: Sequence[CaveatQuote]) -> list[str]:
    if not caveats:
        return []
    lines = ["What these articles caution:"]
    for caveat in caveats:
        lines.append(f"  - “{caveat.text}” ({caveat.source.title}, {caveat.source.file})")
    return lines


def answer_as_markdown(answer: Answer | Mapping[str, Any]) -> str:
    """The whole answer as Markdown: quotes as block quotes with numbered citations."""
    data = answer.to_dict() if isinstance(answer, Answer) else answer
    sources = {id(q): Source(**q["source"]) for q in data["quotes"]}
    parts = [f"**Q:** {data['question']}", ""]
    if data.get("notice"):
        parts += [f"> **Note:** {data['notice']}", ""]
    for quote in data["quotes"]:
        parts += [_blockquote(quote["text"]), "", f"[{quote['rank']}]", ""]
    if data["caveats"]:
        parts.append("**What these articles caution**")
        parts += [f"- “{c['text']}” — *{c['source']['title']}*" for c in data["caveats"]]
        parts.append("")
    if data["quotes"]:
        parts.append("**Sources**")
        for quote in data["quotes"]:
            source = sources[id(quote)]
            parts.append(
                f"[{quote['rank']}] {heading(source)} · `{source.file}` · {position(source)}"
            )
    return "\n".join(parts).rstrip() + "\n"


def _blockquote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


# --- Ask ---------------------------------------------------------------------------------


def highlighted_html(text: str, highlight: Sequence[int]) -> str:
    """Quote text as HTML with the answering sentence in <mark>; every part escaped."""
    s, e = int(highlight[0]), int(highlight[1])
    return (
        escape(text[:s])
        + '<mark class="cited-answer">'
        + escape(text[s:e])
        + "</mark>"
        + escape(text[e:])
    )


def read_link(source: Mapping[str, Any], label: str, css: str = "cited-open") -> str:
    """A link that opens the Read view at this span (the page handles the click in place;
    the href works on its own too, e.g. opened in a new tab)."""
    doc, start, end = str(source["doc_id"]), int(source["start"]), int(source["end"])
    query = urlencode({"doc": doc, "start": start, "end": end})
    return (
        f'<a class="{css}" href="?{escape(query)}" data-doc="{escape(doc)}" '
        f'data-start="{start}" data-end="{end}">{escape(label)}</a>'
    )


def quote_card_html(quote: Mapping[str, Any], paragraph: int | None = None) -> str:
    """One quote card: [n], "Title — Section · ¶n · score", the quote, a link to Read it."""
    src = quote["source"]
    section = src["section"] if src["section"] and src["section"] != src["title"] else ""
    facts = [f"¶{int(paragraph)}"] if paragraph else []
    if src.get("page"):
        facts.append(f"p. {int(src['page'])}")
    facts.append(f"score {float(quote['score']):.2f}")
    rank = int(quote["rank"])
    return (
        f'<article class="cited-quote" id="cited-quote-{rank}" '
        f'data-doc="{escape(src["doc_id"])}" data-start="{int(src["start"])}">'
        f'<header><span class="cited-rank" title="citation {rank}">[{rank}]</span>'
        f'<div class="cited-heading"><span class="cited-title">{escape(src["title"])}</span>'
        + (f'<span class="cited-section"> — {escape(section)}</span>' if section else "")
        + f'<span class="cited-facts"> · {" · ".join(facts)}</span></div></header>'
        f"<blockquote>{highlighted_html(quote['text'], quote['highlight'])}</blockquote>"
        f'<footer><span class="cited-file">{escape(src["file"])} · chars '
        f"{int(src['start'])}–{int(src['end'])}</span>"
        f"{read_link(src, 'Read in context →')}</footer></article>"
    )


def caveats_html(caveats: Sequence[Mapping[str, Any]], leading: bool = False) -> str:
    """The "What these articles caution" panel, grouped by article."""
    if not caveats:
        return ""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for caveat in caveats:
        groups.setdefault(caveat["source"]["title"], []).append(caveat)
    body = "".join(
        f'<div class="cited-caveat-group"><h4>{escape(title)}</h4><ul>'
        + "".join(
            f"<li><q>{escape(c['text'])}</q> "
            f"{read_link(c['source'], 'in context', 'cited-open cited-small')}</li>"
            for c in items
        )
        + "</ul></div>"
        for title, items in groups.items()
    )
    css = "cited-caveats cited-leading" if leading else "cited-caveats"
    intro = (
        "Read these first: the articles' own words on where their advice stops."
        if leading
        else "The articles' own words on where their advice stops."
    )
    return (
        f'<section class="{css}"><h3>What these articles caution</h3>'
        f'<p class="cited-caveats-intro">{intro}</p>{body}</section>'
    )


def notice_html(answer: Mapping[str, Any]) -> str:
    """The abstention or manipulation notice, if the answer has one."""
    if not answer.get("notice"):
        return ""
    kind, label = ("abstain", "No answer") if answer["abstained"] else ("warning", "Caution")
    return (
        f'<div class="cited-notice cited-{kind}" role="status">'
        f"<strong>{label}.</strong> {escape(answer['notice'])}</div>"
    )


def answer_html(answer: Mapping[str, Any], paragraphs: Paragraphs | None = None) -> str:
    """The whole answer: notice, quote cards, caveats beside them (first when they lead)."""
    paragraphs = paragraphs or {}
    leading = bool(answer.get("notice")) and not answer["abstained"]
    caveats = caveats_html(answer["caveats"], leading=leading)
    cards = "".join(
        quote_card_html(q, paragraphs.get((q["source"]["doc_id"], int(q["source"]["start"]))))
        for q in answer["quotes"]
    )
    count = len(answer["quotes"])
    summary = (
        f'<p class="cited-count">{count} passage{"s" if count != 1 else ""} quoted for '
        f"<q>{escape(answer['question'])}</q></p>"
        if count
        else ""
    )
    if leading or not count:
        body = caveats + summary + cards
    else:
        body = (
            f'<div class="cited-columns"><div class="cited-quotes">{summary}{cards}</div>'
            f'<aside class="cited-side">{caveats}</aside></div>'
        )
    question = escape(answer.get("question") or "")
    return (
        f'<div class="cited-answer-view" data-question="{question}">'
        f"{notice_html(answer)}{body}</div>"
    )


def recent_html(questions: Sequence[str]) -> str:
    """Recent questions as buttons that ask again."""
    if not questions:
        return ""
    buttons = "".join(
        f'<button type="button" class="cited-recent" data-question="{escape(q)}">'
        f"{escape(q)}</button>"
        for q in questions
    )
    return f'<div class="cited-recent-list"><span>Recent:</span>{buttons}</div>'


# --- Library -----------------------------------------------------------------------------

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


def library_table_html(rows: Sequence[Mapping[str, Any]]) -> str:
    """The Library table: article, passages, caveats, when indexed, status, actions."""
    if not rows:
        return '<p class="cited-empty">The corpus folder is empty. Add articles above.</p>'
    body = "".join(_library_row(row) for row in rows)
    return (
        '<table class="cited-library"><thead><tr><th>Article</th><th class="num">Passages</th>'
        '<th class="num">Caveats</th><th>Indexed</th><th>Status</th><th></th></tr></thead>'
        f"<tbody>{body}</tbody></table>"
    )


def _library_row(row: Mapping[str, Any]) -> str:
    css, label = _STATUS.get(row.get("status") or "indexed", _STATUS["indexed"])
    error = row.get("error")
    if error and row.get("status") != "error":
        css, label = "error", "The last build could not read it"
    status = f'<span class="cited-badge cited-{css}">{escape(label)}</span>'
    if error:
        status += f'<div class="cited-error">{escape(error)}</div>'
    file = escape(row["file"])
    actions = ""
    if row.get("doc_id") and row.get("status") != "removed":
        actions += (
            f'<button type="button" class="cited-action" data-action="read" '
            f'data-doc="{escape(row["doc_id"])}">Read</button>'
        )
    if row.get("status") != "removed":
        actions += (
            f'<button type="button" class="cited-action cited-danger" data-action="delete" '
            f'data-file="{file}">Delete…</button>'
        )
    return (
        f'<tr data-file="{file}"><td><div class="cited-title">{escape(row["title"])}</div>'
        f'<div class="cited-file">{file}</div></td>'
        f'<td class="num">{int(row["passages"])}</td>'
        f'<td class="num">{len(row["caveats"])}</td>'
        f'<td class="cited-when">{escape(when(row.get("indexed_at")))}</td>'
        f'<td>{status}</td><td class="cited-actions">{actions}</td></tr>'
    )


def index_facts_html(facts: Mapping[str, Any] | None, problem: str | None = None) -> str:
    """Index facts as a row of tiles, and what the last build changed if it is known."""
    if not facts:
        message = problem or "No index yet: add articles and press Rebuild."
        return f'<div class="cited-notice cited-abstain">{escape(message)}</div>'
    tiles = [
        ("Articles", str(facts["documents"])),
        ("Passages", str(facts["passages"])),
        ("Caveats", str(facts["caveats"])),
        ("Last updated", when(facts["built_at"])),
        ("Build time", seconds(float(facts["build_seconds"]))),
        ("Model", f"{facts['model']} ({facts['dimension']}-d)"),
    ]
    html = '<div class="cited-facts-grid">' + "".join(
        f'<div class="cited-fact"><span>{escape(name)}</span><strong>{escape(value)}</strong></div>'
        for name, value in tiles
    )
    html += "</div>"
    changes = facts.get("changes")
    if isinstance(changes, Mapping):
        parts = [
            f"{len(changes.get(key) or [])} {key}"
            + (f" ({escape(', '.join(map(str, changes[key])))})" if changes.get(key) else "")
            for key in ("added", "changed", "removed")
        ]
        html += f'<p class="cited-changes">Last build: {"; ".join(parts)}.</p>'
    if problem:
        html += f'<div class="cited-notice cited-warning">{escape(problem)}</div>'
    return html


def upload_result_html(result: Mapping[str, Any]) -> str:
    """What an upload saved and refused."""
    parts = []
    if result.get("saved"):
        names = ", ".join(result["saved"])
        parts.append(
            f'<div class="cited-notice cited-success">Added {escape(names)}. '
            "Press <strong>Rebuild index</strong> to make them answerable.</div>"
        )
    for item in result.get("rejected") or []:
        parts.append(
            f'<div class="cited-notice cited-warning"><strong>Not added:</strong> '
            f"{escape(item['error'])}</div>"
        )
    return "".join(parts)


def rebuild_summary_html(summary: Mapping[str, Any]) -> str:
    """One line on what a rebuild did, and every file it had to skip."""
    docs, passages = summary["documents"], summary["passages"]
    line = (
        f"Rebuilt in {seconds(float(summary['seconds']))}: {docs['added']} added, "
        f"{docs['changed']} changed, {docs['removed']} removed, {docs['unchanged']} unchanged; "
        f"{passages['embedded']} passages embedded, {passages['reused']} reused, "
        f"{passages['total']} in all."
    )
    html = f'<div class="cited-notice cited-success">{escape(line)}</div>'
    for error in summary.get("errors") or []:
        html += (
            f'<div class="cited-notice cited-warning"><strong>Skipped {escape(error["file"])}:'
            f"</strong> {escape(error['error'])}</div>"
        )
    return html


# --- Read --------------------------------------------------------------------------------

Mark = tuple[int, int, str]


def document_html(doc: Mapping[str, Any], target: Sequence[int] | None = None) -> str:
    """A whole article: headings as headings, ¶-numbered paragraphs, caveats marked, and
    the linked passage (`target`, a span of the text) highlighted with id cited-target."""
    text = doc["text"]
    marks: list[Mark] = [(int(c["start"]), int(c["end"]), "cited-caveat") for c in doc["caveats"]]
    if target:
        marks.append((int(target[0]), int(target[1]), "cited-target"))
    state = {"target_seen": False}
    parts = []
    for block in doc["blocks"]:
        if block["kind"] == "title":
            continue
        inner = _marked(text, int(block["start"]), int(block["end"]), marks, state)
        parts.append(_block_html(block, inner))
    caveats = len(doc["caveats"])
    legend = (
        '<span class="cited-legend"><mark class="cited-caveat">caveat</mark> '
        + ('<mark class="cited-target">linked passage</mark>' if target else "")
        + "</span>"
    )
    counts = f"{int(doc['passages'])} passages · {caveats} caveat{'s' if caveats != 1 else ''}"
    head = (
        f'<header class="cited-doc-head"><h1>{escape(doc["title"])}</h1>'
        f'<div class="cited-doc-facts"><span class="cited-file">{escape(doc["file"])}</span> · '
        f'<span class="cited-nowrap">{counts}</span>{legend}</div></header>'
    )
    body = "".join(parts)
    return f'<article class="cited-doc" data-doc="{escape(doc["doc_id"])}">{head}{body}</article>'


def _block_html(block: Mapping[str, Any], inner: str) -> str:
    kind = block["kind"]
    if kind == "heading":
        return f'<h2 class="cited-doc-h">{inner}</h2>'
    number = block.get("paragraph")
    anchor = f' id="cited-p-{int(number)}"' if number else ""
    gutter = f'<span class="cited-pn" aria-hidden="true">¶{int(number)}</span>' if number else ""
    css = {"item": "cited-item", "label": "cited-label"}.get(kind, "cited-para")
    return f'<p class="{css}"{anchor}>{gutter}{inner}</p>'


def _marked(text: str, start: int, end: int, marks: Sequence[Mark], state: dict) -> str:
    """text[start:end] escaped, with each mark overlapping it wrapped in <mark class=…>."""
    inside = [(max(s, start), min(e, end), css) for s, e, css in marks if s < end and e > start]
    cuts = sorted({start, end, *(s for s, _, _ in inside), *(e for _, e, _ in inside)})
    html = []
    for a, b in itertools.pairwise(cuts):
        piece = escape(text[a:b])
        classes = sorted({css for s, e, css in inside if s <= a and b <= e})
        if not classes:
            html.append(piece)
            continue
        anchor = ""
        if "cited-target" in classes and not state["target_seen"]:
            anchor, state["target_seen"] = ' id="cited-target"', True
        html.append(f'<mark class="{" ".join(classes)}"{anchor}>{piece}</mark>')
    return "".join(html)


# --- the page's style --------------------------------------------------------------------

CSS = """
.cited-header h1 { margin: 0; font-size: 1.7rem; letter-spacing: -0.01em; }
.cited-header p { margin: 2px 0 0; color: var(--body-text-color-subdued); }
.cited-answer-view { display: flex; flex-direction: column; gap: 14px; }
.cited-columns { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr);
  gap: 20px; align-items: start; }
@media (max-width: 900px) { .cited-columns { grid-template-columns: 1fr; } }
.cited-quotes { display: flex; flex-direction: column; gap: 14px; }
.cited-side { position: sticky; top: 12px; }
.cited-count { margin: 0; color: var(--body-text-color-subdued); font-size: .92em; }
.cited-quote { border: 1px solid var(--border-color-primary); border-radius: 12px;
  padding: 14px 18px 12px; background: var(--background-fill-primary);
  box-shadow: 0 1px 2px rgba(15, 23, 42, .05); }
.cited-quote header { display: flex; gap: 10px; align-items: baseline; }
.cited-rank { font-weight: 700; color: var(--color-accent); font-variant-numeric: tabular-nums; }
.cited-heading { line-height: 1.35; }
.cited-title { font-weight: 650; }
.cited-section { font-weight: 500; }
.cited-facts { color: var(--body-text-color-subdued); font-size: .9em;
  font-variant-numeric: tabular-nums; white-space: nowrap; }
.cited-quote blockquote { margin: 10px 0 8px; padding: 2px 0 2px 14px; font-size: 1.02em;
  border-left: 3px solid var(--border-color-accent, #c7d2fe); white-space: pre-wrap;
  line-height: 1.6; color: var(--body-text-color); }
mark.cited-answer { background: #fde68a; color: #1f2937; padding: 1px 2px; border-radius: 3px; }
.cited-quote footer { display: flex; gap: 12px; align-items: baseline;
  justify-content: space-between; font-size: .85em; }
.cited-file { color: var(--body-text-color-subdued); font-family: var(--font-mono);
  font-size: .85em; }
a.cited-open { color: var(--color-accent); text-decoration: none; font-weight: 600;
  white-space: nowrap; }
a.cited-open:hover { text-decoration: underline; }
a.cited-small { font-weight: 500; font-size: .85em; }
.cited-caveats { border-radius: 12px; padding: 14px 18px; background: #eff6ff;
  border: 1px solid #bfdbfe; color: #1e293b; }
.cited-caveats.cited-leading { background: #fff7ed; border-color: #fdba74; }
.cited-caveats h3 { margin: 0 0 2px; font-size: 1.05em; }
.cited-caveats-intro { margin: 0 0 8px; font-size: .88em; color: #475569; }
.cited-caveat-group h4 { margin: 10px 0 4px; font-size: .92em; color: #334155; }
.cited-caveats ul { margin: 0; padding-left: 18px; }
.cited-caveats li { margin: 0 0 6px; line-height: 1.5; }
.cited-caveats q { font-style: italic; }
.cited-notice { border-radius: 10px; padding: 10px 14px; line-height: 1.5; }
.cited-notice.cited-warning { background: #fef2f2; border: 1px solid #fca5a5; color: #7f1d1d; }
.cited-notice.cited-abstain { background: #f8fafc; border: 1px solid #cbd5e1; color: #334155; }
.cited-notice.cited-success { background: #f0fdf4; border: 1px solid #86efac; color: #14532d; }
.cited-notice + .cited-notice { margin-top: 8px; }
.cited-recent-list { display: flex; flex-wrap: wrap; gap: 6px; align-items: center;
  font-size: .9em; color: var(--body-text-color-subdued); }
.cited-recent { border: 1px solid var(--border-color-primary); border-radius: 999px;
  padding: 3px 12px; background: var(--background-fill-secondary); cursor: pointer;
  color: var(--body-text-color); max-width: 32em; overflow: hidden; text-overflow: ellipsis;
  white-space: nowrap; }
.cited-recent:hover { border-color: var(--color-accent); }
#cited-library table.cited-library { width: 100%; border-collapse: collapse; font-size: .95em;
  border: none; margin: 0; }
#cited-library table.cited-library th { text-align: left; font-weight: 600; border: none;
  color: var(--body-text-color-subdued); border-bottom: 1px solid var(--border-color-primary);
  padding: 8px 10px; font-size: .85em; background: transparent; }
#cited-library table.cited-library td { border: none; padding: 10px; vertical-align: top;
  border-bottom: 1px solid var(--border-color-primary); background: transparent; }
#cited-library table.cited-library tr { border: none; }
#cited-library table.cited-library td.cited-when { white-space: nowrap; }
#cited-library table.cited-library tr:hover td { background: var(--background-fill-secondary); }
.cited-library .num { text-align: right; font-variant-numeric: tabular-nums; }
.cited-actions { white-space: nowrap; text-align: right; }
.cited-action, .cited-recent { font: inherit; font-size: .85rem; font-weight: 500;
  line-height: 1.4; }
.cited-action { border: 1px solid var(--border-color-primary); border-radius: 8px;
  padding: 3px 10px; margin-left: 6px; background: var(--background-fill-primary);
  cursor: pointer; color: var(--body-text-color); }
.cited-action:hover { border-color: var(--color-accent); }
.cited-action.cited-danger:hover { border-color: #ef4444; color: #b91c1c; }
.cited-badge { display: inline-block; border-radius: 999px; padding: 1px 10px; font-size: .85em;
  white-space: nowrap; }
.cited-badge.cited-ok { background: #dcfce7; color: #166534; }
.cited-badge.cited-new { background: #dbeafe; color: #1e40af; }
.cited-badge.cited-changed { background: #fef3c7; color: #92400e; }
.cited-badge.cited-removed { background: #e2e8f0; color: #334155; }
.cited-badge.cited-error { background: #fee2e2; color: #991b1b; }
.cited-error { color: #b91c1c; font-size: .85em; margin-top: 4px; }
.cited-facts-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr));
  gap: 10px; }
.cited-fact { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 10px 12px; background: var(--background-fill-primary); }
.cited-fact span { display: block; font-size: .8em; color: var(--body-text-color-subdued);
  text-transform: uppercase; letter-spacing: .04em; }
.cited-fact strong { font-size: 1.05em; font-variant-numeric: tabular-nums; }
.cited-changes { margin: 8px 0 0; color: var(--body-text-color-subdued); font-size: .9em; }
.cited-hint { color: var(--body-text-color-subdued); font-size: .9em; }
.cited-empty { color: var(--body-text-color-subdued); }
.cited-doc { max-width: 46em; margin: 0 auto; padding: 4px 8px 40px 48px; line-height: 1.7;
  font-size: 1.03em; }
.cited-doc-head { margin: 0 0 18px -48px; padding: 10px 0 10px 48px;
  border-bottom: 1px solid var(--border-color-primary); position: sticky; top: 0; z-index: 2;
  background: var(--background-fill-primary);
  box-shadow: 0 -40px 0 0 var(--background-fill-primary); }
#cited-read { border: 1px solid var(--border-color-primary); border-radius: 14px;
  background: var(--background-fill-primary); }
.cited-doc-head h1 { font-size: 1.4em; line-height: 1.25; margin: 0 0 4px; }
.cited-doc-facts { font-size: .85em; color: var(--body-text-color-subdued); line-height: 1.5; }
.cited-nowrap { white-space: nowrap; }
.cited-legend { margin-left: 12px; white-space: nowrap; }
.cited-legend mark { margin-left: 4px; }
.cited-doc-h { font-size: 1.2em; margin: 26px 0 8px; line-height: 1.35; }
.cited-doc p { position: relative; margin: 0 0 12px; }
.cited-doc p.cited-item { padding-left: 18px; margin-bottom: 6px; }
.cited-doc p.cited-label { font-weight: 600; margin-bottom: 4px; }
.cited-pn { position: absolute; left: -46px; width: 38px; text-align: right; top: .2em;
  font-size: .72em; font-weight: 400; color: var(--body-text-color-subdued);
  font-variant-numeric: tabular-nums; user-select: none; }
mark.cited-caveat { background: #dbeafe; color: #1e3a8a; border-bottom: 2px solid #60a5fa;
  padding: 0 1px; }
mark.cited-target { background: #fef08a; color: #1f2937; padding: 0 1px; }
mark.cited-target.cited-caveat { background: #fde68a; border-bottom-color: #60a5fa; }
#cited-target { scroll-margin-top: 30vh; }
.dark mark.cited-answer, .dark mark.cited-target { background: #854d0e; color: #fefce8; }
.dark mark.cited-caveat { background: #1e3a8a; color: #dbeafe; }
.dark .cited-caveats { background: #0f172a; border-color: #1e40af; color: #e2e8f0; }
.dark .cited-caveats.cited-leading { background: #1c1917; border-color: #c2410c; }
.dark .cited-caveats-intro, .dark .cited-caveat-group h4 { color: #cbd5e1; }
"""


def summary_as_text(summary: Any) -> str:
    """A build summary in a line or two, with every skipped file and why."""
    d = summary.to_dict()
    docs, passages = d["documents"], d["passages"]
    if not summary.published:
        lines = [
            f"index is up to date ({docs['unchanged']} articles, {passages['total']} passages "
            f"unchanged; version {d['version']})"
        ]
        lines += [f"skipped {e['file']}: {e['error']}" for e in d["errors"]]
        return "\n".join(lines)
    lines = [
        f"indexed {passages['total']} passages from "
        f"{docs['added'] + docs['changed'] + docs['unchanged']} articles in {d['seconds']:.1f}s "
        f"({docs['added']} added, {docs['changed']} changed, {docs['removed']} removed, "
        f"{docs['unchanged']} unchanged; {passages['embedded']} passages embedded, "
        f"{passages['reused']} reused)"
    ]
    lines += [f"skipped {e['file']}: {e['error']}" for e in d["errors"]]
    return "\n".join(lines)
