"""The Ask tab: the question box, its settings, the answer, earlier answers, the copy.

`/ask` is published with `gr.api` from a typed function, so over plain HTTP the question
alone is enough (k and doc_ids have defaults) and doc_ids is any list of ids from
`/documents`, not a list frozen when the server started. The page's own Ask button calls
the same method through a private event.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from assistant.answer import MAX_K
from assistant.present import html, text
from assistant.web.api import DEFAULT_K, Api
from assistant.web.events import CLICK_JS, open_in_reader, reader_outputs, shown_in_place

RECENT_QUESTIONS = 8
SEARCHED_ALONE = (
    "Each question is searched on its own (an earlier one does not change the next answer); "
    "earlier answers stay below, newest first."
)


def build(api: Api) -> dict[str, Any]:
    """The tab's components, by name."""
    with gr.Row(equal_height=True):
        question = gr.Textbox(
            label="Question",
            placeholder="e.g. Why does space make someone miss you?",
            scale=6,
            max_length=1000,
            autofocus=True,
            elem_id="cited-question",
        )
        ask = gr.Button("Ask", variant="primary", scale=1, min_width=120, elem_id="cited-ask")
    gr.Markdown(SEARCHED_ALONE, elem_classes=["cited-hint"], elem_id="cited-alone")
    with gr.Accordion("Search settings", open=False, elem_id="cited-settings"), gr.Row():
        k = gr.Slider(
            1, MAX_K, value=DEFAULT_K, step=1, label="Passages to quote", elem_id="cited-k"
        )
        doc_filter = gr.Dropdown(
            choices=api.document_choices(),
            multiselect=True,
            allow_custom_value=True,
            label="Search only these articles (empty: all)",
            elem_id="cited-doc-filter",
            scale=2,
        )
    views = {
        # questions this folder answers (`assistant.examples`), filled when the page loads
        "examples": gr.HTML("", js_on_load=CLICK_JS, elem_id="cited-examples"),
        "question": question,
        "ask": ask,
        "k": k,
        "doc_filter": doc_filter,
        "recent": gr.HTML("", js_on_load=CLICK_JS, elem_id="cited-recent"),
        "stale": gr.HTML("", js_on_load=CLICK_JS, elem_id="cited-stale"),
        "answer": gr.HTML(
            "",
            js_on_load=CLICK_JS + html.static("answer.js"),
            elem_id="cited-answer",
            min_height=40,
        ),
    }
    with gr.Row():
        views["copy"] = gr.Button(
            "Copy as Markdown",
            size="sm",
            visible=False,
            scale=0,
            min_width=170,
            elem_id="cited-copy",
            variant="secondary",
        )
    views["history"] = gr.HTML("", js_on_load=CLICK_JS, elem_id="cited-history")
    with gr.Accordion("Answer as Markdown", open=False):
        views["markdown"] = gr.Textbox(
            label="Markdown", lines=8, max_lines=30, buttons=["copy"], elem_id="cited-markdown"
        )
    with gr.Accordion("Answer as JSON", open=False):
        views["answer_json"] = gr.JSON(label="Answer", elem_id="cited-answer-json")
    return views | {
        "recent_store": gr.BrowserState([], storage_key="cited-recent-questions"),
        "shown": gr.State(None),  # (question, html) of the answer on screen
        "earlier": gr.State([]),  # [(question, html)] of the answers before it, newest first
        "answered_version": gr.State(None),
        "answered_question": gr.State(None),
    }


def wire(api: Api, v: dict[str, Any]) -> None:
    """The tab's events, and the `/ask` endpoint."""
    gr.api(
        _ask_endpoint(api),
        api_name="ask",
        api_description=(
            "Answer a question with the articles' own words: the Answer object. "
            f"k: passages to quote, 1 to {MAX_K} (default {DEFAULT_K}). doc_ids: search only "
            "these articles (ids from /documents; empty or left out: all)."
        ),
        concurrency_id="ask",
    )
    ask = shown_in_place("ask")(api.ask)
    shown = [
        v["answer"],
        v["markdown"],
        v["copy"],
        v["recent_store"],
        v["recent"],
        v["shown"],
        v["earlier"],
        v["history"],
        v["answered_version"],
        v["answered_question"],
        v["stale"],
    ]

    def show(answer: dict, recent: list[str] | None, on_screen: Any, earlier: Any) -> tuple:
        recent = _remember(recent, answer["question"])
        rendered = html.answer_html(answer, api.paragraphs(answer))
        earlier = ([tuple(on_screen)] if on_screen else []) + list(earlier or [])
        earlier = earlier[: html.HISTORY]
        return (
            rendered,
            text.answer_as_markdown(answer),
            gr.Button(visible=True),
            recent,
            html.recent_html(recent),
            (answer["question"], rendered),
            earlier,
            html.history_html(earlier),
            html.answer_version(answer) or api.version(),
            answer["question"],
            "",
        )

    def failed() -> tuple:
        return "", "", gr.Button(visible=False)

    show_inputs = [v["answer_json"], v["recent_store"], v["shown"], v["earlier"]]
    # Asking from the box and asking again from the recent list run the same event.
    asking = {
        "fn": ask,
        "inputs": [v["question"], v["k"], v["doc_filter"]],
        "outputs": v["answer_json"],
        "api_visibility": "private",
        "concurrency_id": "ask",
        "show_progress_on": [v["answer"]],
    }
    asked = gr.on([v["ask"].click, v["question"].submit], **asking)
    asked.success(show, show_inputs, shown, api_visibility="private")
    asked.failure(failed, None, shown[:3], api_visibility="private")

    def pick(event: gr.EventData) -> Any:
        if getattr(event, "action", "") not in ("recent", "again"):
            return gr.skip()
        return str(getattr(event, "question", "") or "")

    for source in (v["recent"], v["stale"], v["examples"]):
        again = source.click(pick, None, v["question"], api_visibility="private")
        again.success(**asking).success(show, show_inputs, shown, api_visibility="private")
    v["copy"].click(
        _copied, v["markdown"], None, js=html.static("copy.js"), api_visibility="private"
    )
    for source in (v["answer"], v["history"]):
        source.click(open_in_reader(api), None, reader_outputs(v), api_visibility="private")


def _ask_endpoint(api: Api) -> Any:
    @shown_in_place("ask")
    def ask(question: str, k: int = DEFAULT_K, doc_ids: list[str] | None = None) -> dict:
        """The `/ask` endpoint (its description is given to gr.api)."""
        return api.ask(question, k, doc_ids)

    return ask


def _copied(_markdown: str) -> None:
    gr.Info("Answer copied as Markdown.")


def _remember(recent: list[str] | None, question: str) -> list[str]:
    earlier = [q for q in (recent or []) if isinstance(q, str) and q != question]
    return [question, *earlier][:RECENT_QUESTIONS]
