"""The page: Ask · Library · Read as Gradio Blocks, and the six named API endpoints.

Each tab's components and events live in their own module (`ask`, `library`, `read`); this
one lays the tabs out, turns an endpoint's refusal into a Gradio error with one log line,
and runs what concerns every tab: page load, refreshing the pickers and the Library, and a
timer that notices when the index changes under what the page shows.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.present import html
from assistant.web import ask, catalog, library, read
from assistant.web.api import Api
from assistant.web.events import reader_outputs
from index.errors import CitedError

log = logging.getLogger(__name__)

#: How often an open page asks whether the index has changed (a cheap call).
CHECK_SECONDS = 5.0
HEADER = (
    '<div class="cited-header"><h1>cited</h1><p>Ask the articles. You get their own words, '
    "cited to the paragraph, with the caveats they state.</p></div>"
)


def build_app(api: Api) -> gr.Blocks:
    """The Blocks app; every action has a named API endpoint."""
    with gr.Blocks(
        title="cited — ask your articles", analytics_enabled=False, delete_cache=(3600, 3600)
    ) as app:
        gr.HTML(HEADER, js_on_load=None)
        with gr.Tabs(selected="ask", elem_id="cited-tabs") as tabs:
            with gr.Tab("Ask", id="ask", elem_id="cited-tab-ask"):
                views = ask.build(api)
            with gr.Tab("Library", id="library", elem_id="cited-tab-library"):
                views |= library.build()
            with gr.Tab("Read", id="read", elem_id="cited-tab-read"):
                views |= read.build(api)
        views |= {"tabs": tabs, "timer": gr.Timer(CHECK_SECONDS)}
        refresh = refresher(api, views)
        ask.wire(api, views)
        library.wire(api, views, refresh)
        read.wire(api, views)
        _wire_page(app, api, views, refresh)
    return app


def refresher(api: Api, v: dict[str, Any]) -> Callable[..., Any]:
    """A `.then` step: index facts, the Library and both article pickers from the index."""

    def refresh() -> tuple:
        try:
            loaded = api.loaded()
            facts = catalog.index_facts(loaded)
            rows = api.documents()
        except CitedError as error:
            return html.index_facts_html(None, str(error)), "", gr.Dropdown(), gr.Dropdown()
        choices = [(row["title"], row["doc_id"]) for row in rows if row["doc_id"]]
        return (
            html.index_facts_html(facts),
            html.library_html(rows),
            gr.Dropdown(choices=choices),
            gr.Dropdown(choices=choices),
        )

    outputs = [v["facts"], v["table"], v["doc_filter"], v["read_doc"]]

    def then(event: Any) -> Any:
        return event.then(refresh, None, outputs, api_visibility="private").then(
            check_changes(api), *_check_io(v), api_visibility="private"
        )

    return then


def check_changes(api: Api) -> Callable[..., tuple]:
    """Whether the answer on screen is from an older index, and whether the article open
    in Read is still in the library (one deleted and rebuilt away closes, with a notice)."""

    def check(answered: str | None, question: str | None, doc_id: str | None) -> tuple:
        now = api.version()
        stale = html.stale_html(question or "") if answered and now and answered != now else ""
        if not doc_id or now is None:
            return stale, gr.skip(), gr.skip()
        if doc_id in {d for _, d in api.document_choices()}:
            return stale, gr.skip(), gr.skip()
        return stale, gr.Dropdown(value=None), html.closed_html(doc_id)

    return check


def _check_io(v: dict[str, Any]) -> tuple[list[Any], list[Any]]:
    return (
        [v["answered_version"], v["answered_question"], v["read_doc"]],
        [v["stale"], v["read_doc"], v["read_html"]],
    )


def _wire_page(app: gr.Blocks, api: Api, v: dict[str, Any], refresh: Callable[..., Any]) -> None:
    v["timer"].tick(check_changes(api), *_check_io(v), api_visibility="private")
    refresh(
        app.load(
            read.on_load(api),
            [v["recent_store"]],
            [*reader_outputs(v), v["recent"]],
            api_visibility="private",
        )
    )
    app.load(
        lambda: html.examples_html(api.example_questions()),
        None,
        v["examples"],
        api_visibility="private",
    )
