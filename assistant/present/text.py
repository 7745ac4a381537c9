"""An Answer and a build summary as plain text: the terminal's and Markdown's renderings.

`cited ask` prints `answer_as_text`; the web page's "Copy as Markdown" is
`answer_as_markdown`, which carries each quote's receipt (file, offsets, sha256 prefix) so a
reader can find the words in the file and tell whether the file has changed since.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from assistant.answer import Answer, CaveatQuote, Quote, Source
from ingest.headings import shown_path

_BOLD, _DIM, _RESET = "\033[1m", "\033[2m", "\033[0m"
#: How much of a file's sha256 a receipt shows: enough to tell two versions apart.
SHA_PREFIX = 12


def position(source: Source | Mapping[str, Any]) -> str:
    """Where a quote sits in its file: characters start–end, and its page for PDFs."""
    data = _as_mapping(source)
    where = f"chars {data['start']}–{data['end']}"
    return f"p. {data['page']}, {where}" if data.get("page") else where


def heading(source: Source | Mapping[str, Any]) -> str:
    """ "Title — Install › On Linux", or just the title when the quote stands under no
    heading."""
    data = _as_mapping(source)
    path = section_path(data)
    return f"{data['title']} — {path}" if path else str(data["title"])


def section_path(source: Source | Mapping[str, Any]) -> str:
    """The headings a quote stands under as its citation shows them ("Install › On
    Linux", trimmed when long); its section alone when the source carries no path (a
    caveat); "" under the title only."""
    data = _as_mapping(source)
    names = list(data.get("headings") or ())
    if not names and data.get("section") and data["section"] != data["title"]:
        names = [data["section"]]
    return shown_path(names)


def receipt(source: Mapping[str, Any]) -> str:
    """`file` · chars s–e · sha256 prefix: what a reader needs to check a quote in its file."""
    parts = [f"`{source['file']}`", position(source)]
    if source.get("sha256"):
        parts.append(f"sha256 `{str(source['sha256'])[:SHA_PREFIX]}`")
    return " · ".join(parts)


def _as_mapping(source: Source | Mapping[str, Any]) -> Mapping[str, Any]:
    return source if isinstance(source, Mapping) else vars(source)


def language_note(languages: Sequence[str], abstained: bool) -> str | None:
    """What an answer over text in another language says: the model reads English."""
    if not languages:
        return None
    named = " and ".join(languages)
    if abstained:
        return (
            f"The nearest passage is in {named}: cited's model reads English, so it cannot "
            "judge whether these articles answer this."
        )
    return (
        f"These quotes are in {named}: cited's model reads English, so it cannot judge how "
        "well they answer, and it finds caveats only in English."
    )


# --- the terminal --------------------------------------------------------------------------


def answer_as_text(answer: Answer, color: bool = False) -> str:
    """A terminal rendering: notice, quotes with the answering sentence marked, caveats."""
    lines: list[str] = []
    if answer.notice:
        lines += [answer.notice, ""]
    if note := language_note(answer.not_english, answer.abstained):
        lines += [note, ""]
    caveats = _caveats_text(answer.caveats, answer.without_caveats)
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


def _caveats_text(caveats: Sequence[CaveatQuote], without: Sequence[str] = ()) -> list[str]:
    if not caveats and not without:
        return []
    lines = ["What these articles caution:"]
    for caveat in caveats:
        lines.append(f"  - “{caveat.text}” ({caveat.source.title}, {caveat.source.file})")
    lines += [f"  - {title} states no caveats of its own." for title in without]
    return lines


def summary_as_text(summary: Any) -> str:
    """A build summary in a line or two, with every skipped file and why."""
    d = summary.to_dict()
    docs, passages = d["documents"], d["passages"]
    skipped = [f"skipped {e['file']}: {e['error']}" for e in d["errors"]]
    if not summary.published:
        return "\n".join(
            [
                f"index is up to date ({docs['unchanged']} articles, {passages['total']} "
                f"passages unchanged; version {d['version']})",
                *skipped,
            ]
        )
    line = (
        f"indexed {passages['total']} passages from "
        f"{docs['added'] + docs['changed'] + docs['unchanged']} articles in {d['seconds']:.1f}s "
        f"({docs['added']} added, {docs['changed']} changed, {docs['removed']} removed, "
        f"{docs['unchanged']} unchanged; {passages['embedded']} passages embedded, "
        f"{passages['reused']} reused)"
    )
    noted = [f"note: {line}" for line in not_english_lines(d["not_english"])]
    return "\n".join([line, *noted, *skipped])


def not_english_lines(found: Sequence[Mapping[str, str]]) -> list[str]:
    """The line naming the files a build read that are not in English, by language."""
    if not found:
        return []
    by_language: dict[str, list[str]] = {}
    for item in found:
        by_language.setdefault(item["language"], []).append(item["file"])
    named = "; ".join(f"{lang}: {_few(files)}" for lang, files in by_language.items())
    count = f"{len(found)} file{'' if len(found) == 1 else 's'}"
    return [
        f"{count} not in English ({named}) — cited's model reads English, so it cannot "
        "judge how well their quotes answer"
    ]


def _few(files: Sequence[str], shown: int = 3) -> str:
    more = f" and {len(files) - shown} more" if len(files) > shown else ""
    return ", ".join(files[:shown]) + more


# --- Markdown ------------------------------------------------------------------------------


def answer_as_markdown(answer: Answer | Mapping[str, Any]) -> str:
    """The whole answer as Markdown: block quotes with numbered citations and receipts."""
    data = answer.to_dict() if isinstance(answer, Answer) else answer
    parts = [f"**Q:** {data['question']}", ""]
    if data.get("notice"):
        parts += [f"> **Note:** {data['notice']}", ""]
    if note := language_note(data.get("not_english") or (), bool(data.get("abstained"))):
        parts += [f"> {note}", ""]
    for quote in data["quotes"]:
        parts += [_blockquote(quote["text"]), "", f"[{quote['rank']}]", ""]
    without = data.get("without_caveats") or []
    if data["caveats"] or without:
        parts.append("**What these articles caution**")
        parts += [f"- “{c['text']}” — *{c['source']['title']}*" for c in data["caveats"]]
        parts += [f"- *{title}* states no caveats of its own." for title in without]
        parts.append("")
    if data["quotes"]:
        parts.append("**Sources**")
        parts += [
            f"[{q['rank']}] {heading(q['source'])} · {receipt(q['source'])}" for q in data["quotes"]
        ]
    return "\n".join(parts).rstrip() + "\n"


def _blockquote(text: str) -> str:
    return "\n".join("> " + line if line.strip() else ">" for line in text.splitlines())
