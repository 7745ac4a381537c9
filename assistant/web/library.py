"""The Library tab: index facts, uploads, Rebuild, and a card per article with Read and Delete…."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import gradio as gr

from assistant.present import html
from assistant.web import uploads
from assistant.web.api import Api, Progress
from assistant.web.events import CLICK_JS, open_in_reader, reader_outputs, shown_in_place, unchanged
from ingest import formats

HINT = (
    "Uploads go into the corpus folder. **Rebuild index** reads only new and changed files "
    "and embeds only text it has not seen, so it is quick; answers switch to the new index "
    "as soon as it is complete."
)
_STAGES = {
    "read": "Reading files",
    "embed": "Embedding passages",
    "caveats": "Finding caveats",
    "embed sentences": "Embedding sentences",
}


def build() -> dict[str, Any]:
    """The tab's components, by name."""
    views: dict[str, Any] = {"facts": gr.HTML("", js_on_load=None, elem_id="cited-facts")}
    with gr.Row():
        views["upload"] = gr.File(
            file_count="multiple",
            label=f"Add articles: {formats.kinds_phrase()} (also compressed: "
            f"{', '.join(formats.COMPRESSED_SUFFIXES)}), up to "
            f"{uploads.MAX_UPLOAD_BYTES // 2**20} MB each",
            elem_id="cited-upload",
            scale=3,
        )
        with gr.Column(scale=2, min_width=240):
            views["rebuild"] = gr.Button(
                "Rebuild index", variant="primary", elem_id="cited-rebuild"
            )
            views["refresh"] = gr.Button("Refresh list", size="sm", elem_id="cited-refresh")
            gr.Markdown(HINT, elem_classes=["cited-hint"])
            views["status"] = gr.HTML(
                "", js_on_load=None, elem_id="cited-library-status", min_height=30
            )
    with gr.Group(visible=False, elem_id="cited-confirm") as confirm:
        views["confirm_text"] = gr.HTML("", js_on_load=None, padding=True)
        with gr.Row():
            views["confirm_delete"] = gr.Button(
                "Delete", variant="stop", elem_id="cited-confirm-delete"
            )
            views["cancel_delete"] = gr.Button("Cancel", elem_id="cited-cancel-delete")
    views |= {
        "confirm": confirm,
        "pending": gr.Textbox(visible=False, label="File to delete"),
        "table": gr.HTML("", js_on_load=CLICK_JS, elem_id="cited-library"),
    }
    for name in ("docs", "uploaded", "deleted", "built"):
        views[f"{name}_json"] = gr.JSON(visible=False)
    return views


def wire(api: Api, v: dict[str, Any], refresh: Callable[[Any], Any]) -> None:
    """The tab's events: the documents, upload, delete and rebuild endpoints."""
    refresh(
        v["refresh"].click(
            shown_in_place("documents")(api.documents), None, v["docs_json"], api_name="documents"
        )
    )
    uploaded = v["upload"].upload(
        shown_in_place("upload")(api.upload),
        v["upload"],
        v["uploaded_json"],
        api_name="upload",
        concurrency_id="library",
    )
    refresh(
        uploaded.success(
            lambda result: (html.upload_result_html(result), None),
            v["uploaded_json"],
            [v["status"], v["upload"]],
            api_visibility="private",
        )
    )
    _wire_delete(api, v, refresh)
    _wire_rebuild(api, v, refresh)


def _wire_delete(api: Api, v: dict[str, Any], refresh: Callable[[Any], Any]) -> None:
    open_it = open_in_reader(api)

    def card_action(event: gr.EventData) -> tuple:
        if getattr(event, "action", "") != "delete":
            return (gr.Group(visible=False), "", "", *open_it(event))
        file = str(getattr(event, "file", ""))
        question = html.notices_html(
            (
                "warning",
                "The file is removed from the corpus folder. Answers keep quoting it until "
                "you press Rebuild index.",
                f"Delete {file}?",
            )
        )
        return (gr.Group(visible=True), question, file, *unchanged())

    v["table"].click(
        card_action,
        None,
        [v["confirm"], v["confirm_text"], v["pending"], *reader_outputs(v)],
        api_visibility="private",
    )

    def deleted(result: dict) -> tuple:
        message = html.notices_html(
            (
                "success",
                f"Deleted {result['deleted']}. Press Rebuild index to drop it from answers.",
                None,
            )
        )
        return gr.Group(visible=False), message, ""

    removed = v["confirm_delete"].click(
        shown_in_place("delete")(api.delete),
        v["pending"],
        v["deleted_json"],
        api_name="delete",
        concurrency_id="library",
    )
    refresh(
        removed.success(
            deleted,
            v["deleted_json"],
            [v["confirm"], v["status"], v["pending"]],
            api_visibility="private",
        )
    )
    v["cancel_delete"].click(
        lambda: (gr.Group(visible=False), ""),
        None,
        [v["confirm"], v["pending"]],
        api_visibility="private",
    )


def _wire_rebuild(api: Api, v: dict[str, Any], refresh: Callable[[Any], Any]) -> None:
    @shown_in_place("rebuild")
    def rebuild(progress: gr.Progress = gr.Progress()) -> dict:  # noqa: B008
        """Rebuild the index from the corpus folder: the `cited ingest --json` summary."""
        return api.rebuild(_progress_bar(progress))

    built = v["rebuild"].click(
        rebuild,
        None,
        v["built_json"],
        api_name="rebuild",
        concurrency_id="rebuild",
        concurrency_limit=1,
        show_progress_on=[v["status"]],
    )
    refresh(
        built.success(
            html.rebuild_summary_html, v["built_json"], v["status"], api_visibility="private"
        )
    )


def _progress_bar(progress: Any) -> Progress:
    """Adapt the build's progress(stage, done, total) to a gr.Progress bar."""

    def report(stage: str, done: int, total: int) -> None:
        label = _STAGES.get(stage, stage)
        progress((done, max(total, 1)), desc=f"{label}: {done} of {total}", unit="")

    return report
