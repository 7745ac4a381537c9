"""What the tabs share: refusals shown in place, the click script, opening Read at a span.

A click on a link or button inside rendered HTML reaches Python as a Gradio "click" event
whose data are the element's data-* attributes (see present/static/click.js); "Read in
context" and a Library card's Read both become `open_in_reader`.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from html import escape
from typing import Any

import gradio as gr

from assistant.present import html
from assistant.web.api import Api
from index.errors import CitedError

log = logging.getLogger(__name__)

CLICK_JS = html.static("click.js")
Span = tuple[int, int]


def shown_in_place(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Wrap endpoint `name`: a refusal becomes a gr.Error the page shows and one log line;
    an unexpected failure too (one line naming it, never a traceback in the terminal)."""

    def wrap(fn: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(fn)
        def endpoint(*args: Any, **kwargs: Any) -> Any:
            try:
                return fn(*args, **kwargs)
            except gr.Error:
                raise
            except CitedError as error:
                log.warning("%s refused: %s", name, error)
                # Gradio shows the message as HTML: a file name with markup stays text
                text = escape(str(error), quote=False)
                raise gr.Error(text, print_exception=False) from None
            except Exception as error:
                log.error("%s failed: %s: %s", name, type(error).__name__, error)
                log.debug("%s failed", name, exc_info=True)
                raise gr.Error(
                    f"{name} failed ({type(error).__name__}); the server log has the details",
                    print_exception=False,
                ) from None

        return endpoint

    return wrap


def reader_outputs(v: dict[str, Any]) -> list[Any]:
    """What opening an article in Read updates: the tab, the picker, the article."""
    return [v["tabs"], v["read_doc"], v["read_html"]]


def unchanged() -> tuple:
    """No update to the reader outputs."""
    return (gr.skip(),) * 3


def span_of(start: Any, end: Any) -> Span | None:
    """(start, end) from a click or a link's query, or None when they are not a span."""
    try:
        span = (int(start), int(end))
    except (TypeError, ValueError):
        return None
    return span if 0 <= span[0] < span[1] else None


def reader_view(api: Api, doc_id: str, span: Span | None, sentence: Span | None) -> tuple:
    """The Read tab selected, showing `doc_id` at `span` with `sentence` highlighted."""
    doc = shown_in_place("read")(api.read)(doc_id)
    return gr.Tabs(selected="read"), doc_id, html.document_html(doc, span, sentence)


def open_in_reader(api: Api) -> Callable[..., tuple]:
    """A click on "Read in context" (or a Library card's Read): the Read tab at that span."""

    def open_it(event: gr.EventData) -> tuple:
        action, doc_id = getattr(event, "action", ""), str(getattr(event, "doc", "") or "")
        if action not in ("open", "read") or not doc_id:
            return unchanged()
        span = span_of(getattr(event, "start", None), getattr(event, "end", None))
        sentence = span_of(getattr(event, "hs", None), getattr(event, "he", None))
        return reader_view(api, doc_id, span, sentence)

    return open_it
