"""The Read tab: one whole article, at the passage a quote links to, and `?doc=` links."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.present import html
from assistant.web.api import Api
from assistant.web.events import reader_view, shown_in_place, span_of, unchanged

log = logging.getLogger(__name__)

EMPTY = '<p class="cited-empty">Choose an article, or open one from a quote.</p>'


def build(api: Api) -> dict[str, Any]:
    """The tab's components, by name."""
    with gr.Row():
        read_doc = gr.Dropdown(
            choices=api.document_choices(),
            value=None,
            allow_custom_value=True,
            label="Article",
            elem_id="cited-read-doc",
            scale=5,
            min_width=280,  # on a phone, Back goes below instead of squeezing the title
        )
        back = gr.Button("← Back to Ask", size="sm", scale=0, min_width=140, elem_id="cited-back")
    read_html = gr.HTML(
        EMPTY,
        js_on_load=html.static("read.js"),
        elem_id="cited-read",
        max_height="calc(100vh - 190px)",  # type: ignore[arg-type]  # CSS units: documented
        min_height=300,
    )
    return {
        "read_doc": read_doc,
        "read_json": gr.JSON(visible=False),
        "read_html": read_html,
        "back": back,
    }


def wire(api: Api, v: dict[str, Any]) -> None:
    """The tab's events and the `read` endpoint."""
    v["back"].click(lambda: gr.Tabs(selected="ask"), None, v["tabs"], api_visibility="private")
    v["read_doc"].input(
        shown_in_place("read")(api.read), v["read_doc"], v["read_json"], api_name="read"
    ).success(html.document_html, v["read_json"], v["read_html"], api_visibility="private")


def on_load(api: Api) -> Callable[..., tuple]:
    """Page load: recent questions, and a `?doc=…&start=…&end=…` link opens Read there."""

    def load(recent: list[str] | None, request: gr.Request) -> tuple:
        recent_html = html.recent_html([q for q in (recent or []) if isinstance(q, str)])
        params = dict(request.query_params) if request else {}
        doc_id = params.get("doc")
        if doc_id:
            try:
                span = span_of(params.get("start"), params.get("end"))
                sentence = span_of(params.get("hs"), params.get("he"))
                return (*reader_view(api, doc_id, span, sentence), recent_html)
            except gr.Error as error:
                log.info("link to an unknown article: %s", error)
        return (*unchanged(), recent_html)

    return load
