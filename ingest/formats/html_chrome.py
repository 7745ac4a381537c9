"""Web-page chrome that trafilatura keeps: blocks of the main text that are not the article.

Found by what a block is on any web page, never by a list of known sites:

- a "related articles" heading (in the languages of the web-page benchmark) and the
  link-only blocks or headline-like headings after it, up to the next prose;
- teaser lines: a "see also / read also" label and one linked headline;
- credit and copyright lines (©, "All rights reserved", "Photo: ...");
- a block that is only a date (the page's publication stamp), with or without its label;
- calls to follow the site (join our Telegram channel, get our newsletter, sign up here,
  download our app), share buttons, and affiliate or advertising disclosures;
- comment-form and rating-widget residue ("no comments", "log in to comment", "Rate this");
- a list of links: a list of two or more items that are each nothing but a short link (a
  documentation page's table of contents), where the page has prose besides; a page that
  is only links (an index, Sphinx's faq/index.html) keeps them as its content.

A block naming an API call or carrying a "¶" permalink is a documentation entry, never chrome.

The blocks stay in `Reading.text` (quotes stay verbatim); they are marked as boilerplate
with their reason, so they are in no passage and `cited inspect` names them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

#: A block at least this share of whose text is link text is a link, not prose.
LINK_ONLY_SHARE = 0.8
#: Longer blocks are prose, whatever words they use.
MAX_CHROME_CHARS = 200
MAX_HEADLINE_CHARS = 150
#: A disclosure of affiliate links or advertisers runs to two or three sentences.
MAX_DISCLOSURE_CHARS = 400
#: A headline has at least this many words ("expression_list" is a grammar's name).
MIN_HEADLINE_WORDS = 3
#: A paragraph this long, mostly outside links, is prose.
MIN_PROSE_CHARS = 100
#: A list item at least this share of whose text is link text is only a link.
LINK_ITEM_SHARE = 0.9
#: A list of this many link-only items is a list of links (one is a "See also" line).
MIN_LINK_LIST_ITEMS = 2
#: Below this much text outside links, the page is its links (an index): nothing is marked.
MIN_OTHER_TEXT_CHARS = 200


@dataclass(frozen=True)
class Part:
    """One block of a page's main text: its kind, its text, the share of it inside links,
    and a heading's level (h2: 2; 0 when not a heading)."""

    kind: str
    text: str
    linked: float = 0.0
    level: int = 0


def link_share(linked_chars: int, text: str) -> float:
    """The share of `text` inside links, given how many of its characters links hold."""
    return min(1.0, linked_chars / len(text)) if text else 0.0


_RELATED_HEADING = re.compile(
    r"(?:(?:related|similar|recommended|popular|more|other|latest)\s+"
    r"(?:posts?|articles?|stories|news|reads?|reading|content|topics?)"
    r"|you\s+(?:may|might)\s+also\s+(?:like|enjoy)|read\s+(?:more|next|also)|further\s+reading"
    r"|see\s+also|also\s+read|more\s+on\s+this(?:\s+topic)?"
    r"|(?:empfohlene|ähnliche|verwandte|weitere|neueste|kommentierte|meistgelesene)\s+"
    r"(?:beiträge|artikel|themen|nachrichten|news)(?:\s+zum\s+thema)?|mehr\s+themen|schon\s+gelesen"
    r"|(?:das|dieses)\s+thema\s+könnte\s+(?:sie|dich)\s+(?:auch|ebenfalls)\s+interessieren"
    r"|mehr\s+zum\s+thema.*|zum\s+weiterlesen|lesen\s+sie\s+(?:auch|mehr)|auch\s+interessant"
    r"|(?:das|dies)\s+könnte\s+(?:sie|dich)\s+(?:auch|ebenfalls)\s+interessieren"
    r"|diese\s+artikel\s+könnten\s+(?:sie|dich)\s+(?:auch|ebenfalls)\s+interessieren"
    r"|beiträge\s+aus\s+dem\s+forum"
    r"|(?:notas|noticias|artículos|articulos|contenidos?)\s+relacionad[oa]s?"
    r"|(?:también\s+)?(?:te|le)\s+puede\s+interesar"
    r"|lea\s+(?:también|más)|más\s+noticias"
    r"|articles?\s+(?:similaires|liés|connexes)|(?:à\s+)?lire\s+aussi|sur\s+le\s+même\s+sujet"
    r"|(?:notícias|artigos)\s+relacionad[oa]s|leia\s+também"
    r"|articoli\s+correlati|leggi\s+anche"
    r"|(?:zobacz|czytaj)\s+(?:też|także|również)|powiązane(?:\s+artykuły)?)"
    r"\s*[:.!?]?",
    re.IGNORECASE,
)
_ADDRESS = re.compile(r"\s*(?:https?://|www\.)")
#: "About the author", "Über diese Reihe", "Sobre el autor": what heads an author box.
_ABOUT_HEADING = re.compile(
    r"(?:(?:über|about)\s+(?:diese[nrs]?\s+(?:reihe|serie|autor(?:in)?|blog)"
    r"|the\s+(?:authors?|series|blog)|this\s+(?:series|blog)|den\s+autor|die\s+autorin)"
    r"|sobre\s+(?:el|la)\s+autora?|à\s+propos\s+de\s+l'auteur|zur\s+person)\s*:?",
    re.IGNORECASE,
)
_SEE_ALSO = re.compile(r"\s*see\s+also\b", re.IGNORECASE)
#: "<label>: <headline>" where the label sends the reader to another article.
_TEASER = re.compile(
    r"(?:read\s+(?:more|also|next)|see\s+also|also\s+read|related|"
    r"lesen\s+sie\s+(?:auch|mehr|hier)|auch\s+lesen|mehr\s+dazu|auch\s+interessant"
    r"|lea\s+(?:también|más)|puedes\s+ver|mira|(?:te|le)\s+puede\s+interesar|vea\s+también"
    r"|relacionad[oa]"
    r"|(?:à\s+)?lire\s+aussi|voir\s+aussi|leia\s+também|leggi\s+anche"
    r"|czytaj\s+(?:też|także|również)|zobacz\s+(?:też|także))"
    r"\s*:\s*(?P<headline>\S.*)",
    re.IGNORECASE,
)
_CREDIT = re.compile(
    r"(?:©|\(c\)\s|copyright\b|(?:photo|foto|bild|image|picture)s?\s*(?:credits?)?\s*:"
    r"|crédits?\s+photos?\s*:|(?:titel)?bild(?:er)?quelle\s*:|fotos?\s*:|(?:titel|beitrags)bild\s*:"
    r"|credits?\s*:|\(\s*credits?\s*:|fotograf(?:in)?\s*:).*"
    r"|(?:quellen?|sources?|fuentes?)\s*:.*"
    r"|.*\b(?:all\s+rights\s+reserved|alle\s+rechte\s+vorbehalten|tous\s+droits\s+réservés"
    r"|todos\s+los\s+derechos\s+reservados|cc[-\s]by(?:-(?:sa|nc|nd))*|creative\s+commons)\b.*",
    re.IGNORECASE,
)
_MONTH = (
    r"(?:jan|feb|mär|mar|apr|ma[iy]|jun|jul|aug|sep|o[ck]t|nov|de[cz]|janvier|février|avril|juin"
    r"|juillet|août|enero|febrero|marzo|abril|mayo|junio|julio|agosto|septiembre|octubre"
    r"|noviembre|diciembre)[a-zéû]*\.?"
)
#: "Veröffentlicht am", "Published:", "Release Date:": the label of a publication stamp.
_DATE_LABEL = (
    r"(?:(?:veröffentlicht|aktualisiert|erschienen)(?:\s+am)?|veröffentlichung|stand|datum"
    r"|letzte\s+änderung|zuletzt\s+(?:aktualisiert|geändert)|last\s+(?:updated|modified)"
    r"|(?:published|posted|updated)(?:\s+on)?|(?:release|publication)\s+date|date"
    r"|publié\s+le|mis\s+à\s+jour\s+le|publicado(?:\s+el)?|actualizado(?:\s+el)?)"
)
#: A date alone (the page's publication stamp), or with its label, or a label alone that
#: names a publication (never "date:" alone, a documentation page's field name).
_DATE_ONLY = re.compile(
    rf"(?:{_DATE_LABEL}\s*:?\s*)?"
    rf"(?:\d{{1,2}}[./-]\d{{1,2}}[./-]\d{{2,4}}|\d{{4}}-\d{{2}}-\d{{2}}"
    rf"|\d{{1,2}}\.?\s+(?:de\s+)?{_MONTH}\s+(?:de\s+)?\d{{4}}|{_MONTH}\s+\d{{1,2}},?\s+\d{{4}})"
    r"(?:[,\s|-]*\d{1,2}[:.]\d{2}(?:\s*(?:uhr|h|am|pm))?)?"
    r"|(?:(?:veröffentlicht|aktualisiert|erschienen)(?:\s+am)?|veröffentlichung"
    r"|(?:published|posted)(?:\s+on)?|(?:release|publication)\s+date)\s*:",
    re.IGNORECASE,
)
_FOLLOW_US = re.compile(
    r".*\b(?:(?:canal|channel|kanal)\s+(?:de\s+|on\s+|auf\s+)?(?:telegram|youtube|whatsapp)"
    r"|(?:telegram|youtube|whatsapp)[-\s](?:kanal|channel)"
    r"|newsletter|posteingang|(?:your|in\s+the)\s+inbox|download\s+(?:the|our)\s+\S+\s+apps?|(?:unsere|our)\s+apps?\b"
    r"|folgen\s+sie\s+uns|follow\s+us|s[ií]guenos|suivez-nous"
    r"|abonnieren|suscríbete|abonnez-vous|subscribe\s*[.!]?$"
    r"|subscribe\s+(?:now|here|today|to\s+(?:our|my|this)\b|for\s+(?:free|only))"
    r"|sign\s+up\s+(?:here|now|today|to\s+(?:get|receive)))\b.*",
    re.IGNORECASE,
)
_DISCLOSURE = re.compile(
    r".*\b(?:affiliate|advertis(?:er|ers|ing)\s+(?:partners?|do\s+not|may)|our\s+advertisers"
    r"|enthält\s+(?:werbung|affiliate)|anzeige\s*,|werbung\s*,|sponsored\s+(?:post|content)"
    r"|we\s+may\s+(?:receive|earn)\s+(?:a\s+)?(?:compensation|commission))\b.*",
    re.IGNORECASE,
)
_COMMENTS = re.compile(
    r"(?:\d+|keine|no|sin|aucun)\s+(?:kommentare?|comments?|comentarios?|commentaires?)\b.*"
    r"|(?:kommentare|comments|comentarios|commentaires)\s+(?:insgesamt|total)\s*:?\s*\d*\s*\|?"
    r"|.*\b(?:(?:eingeloggt|angemeldet)\s*sein,?\s+um\s+(?:einen\s+)?kommentare?"
    r"|(?:log\s*in|sign\s+in)\s+to\s+(?:post\s+a\s+)?comment"
    r"|leave\s+a\s+(?:comment|reply))\b.*",
    re.IGNORECASE,
)

#: A documentation page's entry: a permalink mark, or a call such as "IMAP4.subscribe(mailbox)".
_API_ENTRY = re.compile(r"¶|\b[A-Za-z_][\w.]*\([\w\s,=*'\"./-]*\)")
_CONSENT = re.compile(
    r"(?=.*\b(?:akzeptier|accept|agree|zustimm|einverst|consent|acepto|acepta|j'accepte))"
    r"(?=.*\b(?:datenschutz|privacy|privatsphäre|cookie|nutzungsbedingungen|terms\s+of|privacidad"
    r"|confidentialité))"
    r"(?=.*\b(?:website|site|seite|webseite|experience|nutzung|sitio|navegación|navigation|dienst"
    r"|service|datenschutz|privacy|privatsphäre|richtlinie|policy|política|politique|verbindung))"
    r".*",
    re.IGNORECASE,
)
_BROWSER_NOTICE = re.compile(
    r".*\b(?:browser\s+version|(?:enable|aktivieren\s+sie|activa|activez)\s+(?:javascript|cookies)"
    r"|javascript\s+(?:is\s+disabled|aktivieren|must\s+be\s+enabled)|limited\s+support\s+for\s+css"
    r"|(?:outdated|veralteten?)\s+browser)\b.*",
    re.IGNORECASE,
)
#: "Back to the list", "... weiter zu ...": a link to the page around this one.
_NAVIGATION = re.compile(
    r"[.…»«<>\s]*(?:zurück\s+zu[rm]?|back\s+to|weiter\s+zu|volver\s+a|retour\s+à|voltar\s+para)\b.{0,60}",
    re.IGNORECASE,
)
_SUPPORT_US = re.compile(
    r".*\b(?:(?:support|unterstützen\s+sie|unterstütze)\s+(?:our|unsere|unseren)\s+"
    r"(?:work|journalism|arbeit|journalismus)|consider\s+supporting|apoya\s+(?:nuestro|el)\s+periodismo)\b.*",
    re.IGNORECASE,
)
#: A paywall's or a membership's call: "To view the full story, please subscribe", "already
#: a subscriber", "HAZTE MIEMBRO", "Cancela cuando quieras".
_SUBSCRIPTION = re.compile(
    r".*\b(?:(?:to\s+(?:view|read|see)|continue\s+reading)\s+the\s+(?:full|whole|entire)\s+"
    r"(?:story|article)|already\s+a\s+subscriber|first[-\s]time\s+subscribers"
    r"|(?:hazte|hágase|werden\s+sie|devenez)\s+(?:miembro|socio|mitglied|membre)"
    r"|become\s+a\s+(?:member|subscriber)\s+(?:today|now)"
    r"|cancel(?:a|e)?\s+(?:anytime|any\s+time|cuando\s+quieras|en\s+cualquier\s+momento)"
    r"|jederzeit\s+kündbar)\b.*",
    re.IGNORECASE,
)
#: "Klicken Sie auf den unteren Button, um den Inhalt von www.komoot.de zu laden": what
#: stands in for an embedded player or map until the reader consents.
_EMBED_PLACEHOLDER = re.compile(
    r".*\b(?:klicken|click|tap)\b.{0,60}\b(?:inhalt|inhalte|content|video|karte|map)\b.{0,60}"
    r"(?:\bzu\s+laden|\bto\s+load|\bladen)\b.*",
    re.IGNORECASE,
)
#: "News date : 04/21/2022 Category : Press Releases": the article's filing labels (a label
#: alone, "Category", heads a documentation page's table column).
_FILING = re.compile(
    r"(?:(?:(?:news\s+)?date|datum)\s*:\s*[^:]{1,40}?\s*)?"
    r"(?:categor(?:y|ies)|kategorien?|rubrik|tags|schlagw(?:ö|oe)rter|etiquetas|temas|themen)"
    r"\s*:\s*[^:]{1,60}",
    re.IGNORECASE,
)
#: "Von: Götz Warnke", "By: Jane Doe": a byline with its label.
_BYLINE = re.compile(
    r"(?:von|by|por|par|autor|author)\s*:\s*\w[\w.'-]*(?:\s+\w[\w.'-]*){0,3}", re.IGNORECASE
)
#: "Report 2021 (PDF, 38 KB)", "Letter of 14 October 2021 PDF | 38 KB | not accessible":
#: a link to a file, with its size.
_FILE_LINK = re.compile(
    r".*\b\d+(?:[.,]\d+)?\s?(?:KB|MB|kB)\b\)?\s*\S{0,40}"
    r"|.*(?:PDF|DOCX?|XLSX?|PPTX?|ZIP)\W{0,4}\d+(?:[.,]\d+)?\s?(?:KB|MB|kB)\b.{0,60}",
    re.IGNORECASE,
)
#: "Share this:", "Teilen Sie dies mit:", "Partager sur Facebook", or one network's button.
#: (Words a documentation page lists alone, "print", "email", "threads", are left out.)
_SHARE = re.compile(
    r"(?:(?:share|teilen|partager|compartir|condividi|udostępnij)"
    r"(?:\s+(?:this|sie\s+dies|diesen\s+(?:artikel|beitrag)|(?:on|auf|sur|en|via)\s+\w+))?(?:\s+mit)?"
    r"|(?:auf|via)\s+\w+\s+teilen"
    r"|twitter|facebook|linkedin|pinterest|drucken|telegram|whatsapp|reddit|xing|instagram"
    r"|tumblr|flipboard)\s*[:!.]?",
    re.IGNORECASE,
)
#: "Bewerten:", "Rate this article": what is left of a rating widget.
_RATING = re.compile(
    r"(?:(?:(?:artikel|beitrag)\s+)?bewerten|bewertung|rate\s+this(?:\s+(?:article|post|story))?"
    r"|noter\s+cet\s+article|valora\s+(?:este|esta)\s+\w+)\s*[:!.]?",
    re.IGNORECASE,
)


def chrome_parts(parts: Sequence[Part]) -> list[tuple[int, str]]:
    """(index, reason) of each part that is page chrome, in order."""
    found = dict(_link_lists(parts))
    found.update(_related_lists(parts))
    found.update(_about_boxes(parts))
    for i, part in enumerate(parts):
        if i not in found and part.kind != "code":
            reason = _line_reason(part)
            if reason:
                found[i] = reason
    for i, reason in _trailing_links(parts):  # a closer reason ("navigation link") first
        found.setdefault(i, reason)
    return sorted(found.items())


def _link_lists(parts: Sequence[Part]) -> list[tuple[int, str]]:
    """Lists whose every item is one short link, unless the page is only links. A list
    with an item of prose among its links ("base64: ... in RFC 4648") is content."""
    lists: list[list[int]] = [[]]
    for i, part in enumerate(parts):
        if part.kind == "item":
            lists[-1].append(i)
        elif lists[-1]:
            lists.append([])
    marked = [
        i
        for items in lists
        if len(items) >= MIN_LINK_LIST_ITEMS and all(_is_link_item(parts[i]) for i in items)
        for i in items
    ]
    inside = set(marked)
    other = sum(
        len(part.text)
        for i, part in enumerate(parts)
        if i not in inside and part.kind != "heading" and part.linked < LINK_ITEM_SHARE
    )
    return [(i, "list of links") for i in marked] if other >= MIN_OTHER_TEXT_CHARS else []


def _is_link_item(part: Part) -> bool:
    return (
        part.kind == "item"
        and part.linked >= LINK_ITEM_SHARE
        and len(part.text.lstrip(" -")) <= MAX_HEADLINE_CHARS
    )


def _related_lists(parts: Sequence[Part]) -> list[tuple[int, str]]:
    """A related-articles heading and the linked headlines after it, up to the next prose
    (or the page's end: a heading left there with nothing after it)."""
    found: list[tuple[int, str]] = []
    for i, part in enumerate(parts):
        if not is_related_heading(part):
            continue
        after = i + 1
        while (
            after < len(parts) and _is_headline(parts[after]) and not _opens_section(parts, after)
        ):
            after += 1
        # a "See also" box of one link and a sentence about it is part of the article; a
        # heading left at the page's end is chrome (not a documentation page's "See also")
        at_end = after == len(parts) and not is_see_also(part.text)
        if after > i + 2 or (after == i + 2 and not _is_sentence(parts, after)) or at_end:
            found += [(j, "related-links list") for j in range(i, after)]
    return found


def is_related_heading(part: Part) -> bool:
    """A related-articles heading ("Related posts", "Schon gelesen?", "NOTAS RELACIONADAS")."""
    return (
        part.kind != "code"
        and len(part.text) <= MAX_HEADLINE_CHARS
        and bool(_RELATED_HEADING.fullmatch(part.text))
    )


def _trailing_links(parts: Sequence[Part]) -> list[tuple[int, str]]:
    """Linked headlines after the article's last paragraph of prose: links to other pages
    left below it. A list item is the article's own list, a bare address its source, a
    sentence ("See SimpleXMLRPCServer Example.") or a lone name a documentation page's
    reference."""
    prose = [i for i, part in enumerate(parts) if _is_prose(part)]
    if not prose:
        return []
    return [
        (i, "related-links list")
        for i in range(prose[-1] + 1, len(parts))
        if parts[i].kind in ("paragraph", "heading")
        and parts[i].linked >= LINK_ONLY_SHARE
        and len(parts[i].text) <= MAX_HEADLINE_CHARS
        and not _ADDRESS.match(parts[i].text)
        and not _ends_sentence(parts[i].text)
        and len(parts[i].text.split()) >= MIN_HEADLINE_WORDS
    ]


def _is_prose(part: Part) -> bool:
    return (
        part.kind in ("paragraph", "item")
        and part.linked < 0.5
        and len(part.text) >= MIN_PROSE_CHARS
    )


def _about_boxes(parts: Sequence[Part]) -> list[tuple[int, str]]:
    """An "About the author" / "Über diese Reihe" heading in the page's last third, and
    what follows it up to the next heading: the box about who wrote the article."""
    found: list[tuple[int, str]] = []
    for i in range(len(parts) * 2 // 3, len(parts)):
        if not _ABOUT_HEADING.fullmatch(parts[i].text):
            continue
        after = i + 1
        while after < len(parts) and parts[after].kind not in ("heading", "code"):
            after += 1
        found += [(j, "author box") for j in range(i, after)]
    return found


def _opens_section(parts: Sequence[Part], i: int) -> bool:
    """Whether part `i` is a heading (not a linked headline) with a part after it that is
    no headline: the heading of the page's next section ("Weiterführender Link")."""
    part = parts[i]
    return (
        part.kind == "heading"
        and part.linked < LINK_ONLY_SHARE
        and i + 1 < len(parts)
        and not _is_headline(parts[i + 1])
    )


def _is_sentence(parts: Sequence[Part], i: int) -> bool:
    """Whether part `i` exists and is prose ending as a sentence does."""
    part = parts[i] if i < len(parts) else None
    return part is not None and part.kind in ("paragraph", "item") and _ends_sentence(part.text)


def _ends_sentence(text: str) -> bool:
    return text.rstrip().endswith((".", "!", "?"))


def _is_headline(part: Part) -> bool:
    """The title of another page: a link, or a heading that does not read as prose."""
    if part.kind == "code" or len(part.text) > MAX_HEADLINE_CHARS * 2:
        return False
    return part.linked >= LINK_ONLY_SHARE or (
        part.kind == "heading" and len(part.text) <= MAX_HEADLINE_CHARS
    )


def is_see_also(text: str) -> bool:
    """A "See also" label: on a documentation page it heads a box of references (Sphinx's
    seealso), which stays."""
    return bool(_SEE_ALSO.match(text))


def is_documentation_entry(text: str) -> bool:
    """A documentation page's entry ("IMAP4.subscribe(mailbox)", "Title¶"): never chrome."""
    return bool(_API_ENTRY.search(text))


def _line_reason(part: Part) -> str | None:
    """Why one short block is chrome, or None."""
    text = part.text.lstrip("- ").strip()
    if is_documentation_entry(text):
        return None
    if len(text) <= MAX_DISCLOSURE_CHARS:
        for pattern, reason in (
            (_DISCLOSURE, "advertising disclosure"),
            (_SUBSCRIPTION, "subscription call"),
            (_CONSENT, "consent notice"),
            (_EMBED_PLACEHOLDER, "consent notice"),
            (_BROWSER_NOTICE, "browser notice"),
        ):
            if pattern.fullmatch(text):
                return reason
    if len(text) > MAX_CHROME_CHARS:
        return None
    teaser = _TEASER.fullmatch(text)
    if teaser and len(teaser["headline"]) <= MAX_HEADLINE_CHARS and not text.endswith(":"):
        return "read-also link"
    checks = (
        (_CREDIT, "credit line"),
        (_DATE_ONLY, "date stamp"),
        (_FOLLOW_US, "call to follow"),
        (_COMMENTS, "comment-form residue"),
        (_FILE_LINK, "file download link"),
        (_NAVIGATION, "navigation link"),
        (_SUPPORT_US, "call to follow"),
        (_RATING, "rating widget"),
        (_FILING, "filing labels"),
        (_BYLINE, "byline"),
        (_SHARE, "share buttons"),
    )
    return next((reason for pattern, reason in checks if pattern.fullmatch(text)), None)
