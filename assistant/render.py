"""An Answer as terminal text, as Markdown, and as escaped HTML for the web UI.

Pure functions over the Answer object; the HTML is built only from `html.escape`d
article text, so nothing an article contains can run in the page.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import Any

from assistant.answer import Answer, CaveatQuote, Quote, Source

_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"


def position(source: Source) -> str:
    """Where a quote sits in its file: characters start–end, and its page for PDFs."""
    where = f"chars {source.start}–{source.end}"
    return f"p. {source.page}, {where}" if source.page else where


def heading(source: Source) -> str:
    """ "Title — Section", or just the title when the section is the title."""
    if source.section and source.section != source.title:
        return f"{source.title} — {source.section}"
    return source.title


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


def answer_as_markdown(answer: Answer) -> str:
    """The whole answer as Markdown: quotes as block quotes with numbered citations."""
    parts = [f"**Q:** {answer.question}", ""]
    if answer.notice:
        parts += [f"> **Note:** {answer.notice}", ""]
    for quote in answer.quotes:
        parts += [_blockquote(quote.text), "", f"[{quote.rank}]", ""]
    if answer.caveats:
        parts.append("**What these articles caution**")
        parts += [f"- “{c.text}” — *{c.source.title}*" for c in answer.caveats]
        parts.append("")
    if answer.quotes:
        parts.append("**Sources**")
        parts += [
            f"[{q.rank}] {heading(q.source)} · `{q.source.file}` · {position(q.source)}"
            for q in answer.quotes
        ]
    return "\n".join(parts).rstrip() + "\n"


def _blockquote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())


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


def quote_card_html(quote: dict[str, Any]) -> str:
    """One quote card from an Answer JSON quote."""
    src = quote["source"]
    title = escape(src["title"])
    section = escape(src["section"]) if src["section"] and src["section"] != src["title"] else ""
    header = f"{title} — {section}" if section else title
    where = escape(f"{src['file']} · chars {src['start']}–{src['end']}")
    if src.get("page"):
        where += f" · p. {int(src['page'])}"
    return (
        f'<article class="cited-quote" data-doc="{escape(src["doc_id"])}" '
        f'data-start="{int(src["start"])}">'
        f'<header><span class="cited-rank">[{int(quote["rank"])}]</span> '
        f'<span class="cited-where">{header}</span>'
        f'<span class="cited-score">score {float(quote["score"]):.2f}</span></header>'
        f"<blockquote>{highlighted_html(quote['text'], quote['highlight'])}</blockquote>"
        f'<footer class="cited-file">{where}</footer></article>'
    )


def caveats_html(caveats: Sequence[dict[str, Any]], leading: bool = False) -> str:
    """The "What these articles caution" panel, grouped by article."""
    if not caveats:
        return ""
    groups: dict[str, list[dict[str, Any]]] = {}
    for caveat in caveats:
        groups.setdefault(caveat["source"]["title"], []).append(caveat)
    body = "".join(
        f"<h4>{escape(title)}</h4><ul>"
        + "".join(f"<li>“{escape(c['text'])}”</li>" for c in items)
        + "</ul>"
        for title, items in groups.items()
    )
    css = "cited-caveats cited-leading" if leading else "cited-caveats"
    return f'<section class="{css}"><h3>What these articles caution</h3>{body}</section>'


def answer_html(answer: dict[str, Any]) -> str:
    """The whole answer for the page: notice, then caveats first when they lead."""
    parts = []
    if answer.get("notice"):
        kind = "abstain" if answer["abstained"] else "warning"
        parts.append(f'<div class="cited-notice cited-{kind}">{escape(answer["notice"])}</div>')
    leading = bool(answer.get("notice")) and not answer["abstained"]
    caveats = caveats_html(answer["caveats"], leading=leading)
    if leading:
        parts.append(caveats)
    parts += [quote_card_html(q) for q in answer["quotes"]]
    if not leading:
        parts.append(caveats)
    return '<div class="cited-answer-view">' + "".join(parts) + "</div>"
