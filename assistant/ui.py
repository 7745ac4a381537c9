"""The web UI: Ask · Library · Read, as Gradio Blocks, with its API on the same server.

Every user action is one named API endpoint (ask, documents, upload, delete, rebuild,
read) whose output is plain JSON; the page then renders that JSON through
`assistant.render`, which escapes every piece of article text. Handlers that only
render are private (not callable through the API). See docs/ui.md.
"""

import ipaddress
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from assistant import library, render
from assistant.answer import Assistant
from index.errors import CitedError
from index.loaded import LoadedIndex

log = logging.getLogger(__name__)

EXAMPLES = [
    "Why does being less available make someone value you more?",
    "How long should no contact last before they start missing me?",
    "What should I do with my time while we are apart?",
    "How can I make him jealous so he comes back?",
    "What is the peak-end rule?",
]
RECENT_QUESTIONS = 8
MAX_FILE_SIZE = "25mb"  # Gradio's hard cap on a request; library.MAX_UPLOAD_BYTES is per article

HEADER = (
    '<div class="cited-header"><h1>cited</h1><p>Ask the articles. You get their own words, '
    "cited to the paragraph, with the caveats they state.</p></div>"
)

# Clicks on links and buttons inside rendered HTML become Gradio "click" events that
# carry data-* attributes; nothing in the rendered HTML itself runs code.
_CLICK_JS = """
element.addEventListener('click', (event) => {
  const link = event.target.closest('a.cited-open');
  if (link) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
    event.preventDefault();
    trigger('click', {action: 'open', doc: link.dataset.doc,
                      start: Number(link.dataset.start), end: Number(link.dataset.end)});
    return;
  }
  const button = event.target.closest('button[data-action], button.cited-recent');
  if (!button) return;
  trigger('click', {action: button.dataset.action || 'recent', doc: button.dataset.doc || '',
                    file: button.dataset.file || '', question: button.dataset.question || ''});
});
"""
_SCROLL_JS = """
const pane = (node) => {
  for (let up = node.parentElement; up && up !== document.body; up = up.parentElement) {
    const overflow = getComputedStyle(up).overflowY;
    const scrolls = overflow === 'auto' || overflow === 'scroll';
    if (scrolls && up.scrollHeight > up.clientHeight) return up;
  }
  return null;
};
const reveal = () => setTimeout(() => {
  const target = element.querySelector('#cited-target');
  const box = pane(element.querySelector('.cited-doc') || element);
  if (!box) { if (target) target.scrollIntoView({block: 'center'}); return; }
  const offset = target ? target.getBoundingClientRect().top - box.getBoundingClientRect().top : 0;
  box.scrollTop = target ? box.scrollTop + offset - box.clientHeight * 0.3 : 0;
}, 60);
watch('value', reveal);
reveal();
"""
_COPY_JS = """
async (markdown) => {
  try { await navigator.clipboard.writeText(markdown); }
  catch (error) {
    const area = document.createElement('textarea');
    area.value = markdown; document.body.appendChild(area); area.select();
    document.execCommand('copy'); area.remove();
  }
  return markdown;
}
"""


@dataclass
class AppState:
    """What the UI's handlers share: the assistant (model loaded once) and the folders."""

    assistant: Assistant
    corpus_dir: Path
    index_dir: Path
    errors: dict[str, str] = field(default_factory=dict)  # file -> why the last build skipped it
    times: dict[str, tuple[str, str]] = field(default_factory=dict)  # file -> (sha256, when)
    _paragraphs: dict[tuple[str, str], list] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    builder: Any = None  # the embedder Rebuild and the watcher build with (--engine)

    @property
    def build_embedder(self) -> Any:
        return self.builder or self.assistant.embedder

    # --- the API: one method per endpoint ------------------------------------------------

    def ask(self, question: str, k: float = 5, doc_ids: list[str] | str | None = None) -> dict:
        """Answer a question with the articles' own words: the Answer JSON object."""
        ids = [doc_ids] if isinstance(doc_ids, str) else list(doc_ids or [])
        with _shown_in_place():
            if ids:
                known = {doc.doc_id for doc in self.loaded().documents()}
                unknown = [i for i in ids if i not in known]
                if unknown:
                    raise library.LibraryError(
                        f"no article with id {unknown[0]!r} in the index; pick articles "
                        "from the list (or leave it empty to search all)"
                    )
            answer = self.assistant.answer(question, k=int(k or 5), doc_ids=ids or None)
        return answer.to_dict()

    def documents(self) -> list[dict]:
        """The Library: every indexed article and every corpus file, with status and error."""
        with _shown_in_place():
            loaded = self.loaded()
            with self._lock:
                self.times = library.indexed_times(loaded, self.times)
                times, errors = dict(self.times), {**self._manifest_errors(loaded), **self.errors}
            return library.library_rows(self.corpus_dir, loaded, errors, times)

    def upload(self, files: list[str] | str | None) -> dict:
        """Add articles to the corpus folder: {"saved": [names], "rejected": [{file, error}]}."""
        paths = [files] if isinstance(files, str) else list(files or [])
        uploads = [(Path(str(p)).name, Path(str(p))) for p in paths]
        result = library.save_uploads(self.corpus_dir, uploads)
        for item in uploads:
            _discard_upload(item[1])
        log.info("upload: saved %s, rejected %s", result.saved, result.rejected)
        return result.to_dict()

    def delete(self, file: str) -> dict:
        """Delete one article file from the corpus folder (Rebuild drops it from answers)."""
        with _shown_in_place():
            deleted = library.delete_article(self.corpus_dir, file)
        log.info("deleted %s from %s", deleted, self.corpus_dir)
        return {"deleted": deleted}

    def rebuild(self, progress: Any = None) -> dict:
        """Rebuild the index from the corpus folder: the `cited ingest --json` summary."""
        from ingest.pipeline import build_index

        with _shown_in_place():
            summary = build_index(
                self.corpus_dir,
                self.index_dir,
                self.build_embedder,
                wait=True,  # a watcher's build may be running: queue behind it
                progress=_progress_reporter(progress),
            )
            self.assistant.handle.reload_now()
        self.remember_build(summary)
        return summary.to_dict()

    def read(self, doc_id: str) -> dict:
        """One article for the Read view: its text, blocks (with ¶ numbers) and caveats."""
        with _shown_in_place():
            return library.read_document(self.loaded(), doc_id)

    # --- what the page needs besides -----------------------------------------------------

    def remember_build(self, summary: Any) -> None:
        """Keep the files a build skipped, with why, for the Library table."""
        with self._lock:
            self.errors = {e.file: e.error for e in summary.errors}

    def loaded(self) -> LoadedIndex:
        return self.assistant.index()

    def _manifest_errors(self, loaded: LoadedIndex) -> dict[str, str]:
        errors = loaded.manifest.to_dict().get("errors") or []
        return {e["file"]: e["error"] for e in errors if isinstance(e, dict) and "file" in e}

    def document_choices(self) -> list[tuple[str, str]]:
        try:
            return [(doc.title, doc.doc_id) for doc in self.loaded().documents()]
        except CitedError:
            return []

    def paragraphs(self, answer: dict) -> dict[tuple[str, int], int]:
        """The ¶ number of each quote in its article, for the quote cards."""
        loaded = self.loaded()
        found = {}
        for quote in answer.get("quotes", []):
            doc_id, start = quote["source"]["doc_id"], int(quote["source"]["start"])
            key = (loaded.version, doc_id)
            if key not in self._paragraphs:
                if any(version != loaded.version for version, _ in list(self._paragraphs)):
                    self._paragraphs.clear()  # a new index: numbers may have moved
                doc = loaded.document(doc_id)
                self._paragraphs[key] = library.paragraph_numbers(doc) if doc else []
            number = library.paragraph_at(self._paragraphs[key], start)
            if number:
                found[(doc_id, start)] = number
        return found


class _shown_in_place:
    """Turn a CitedError into a gr.Error, whose message the page shows."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: BaseException | None, _tb: Any) -> bool:
        if isinstance(error, CitedError):
            import gradio as gr

            raise gr.Error(str(error), print_exception=False) from None
        return False


def _discard_upload(path: Path) -> None:
    """Remove Gradio's temporary copy of an upload once it is saved (or refused)."""
    try:
        path.unlink(missing_ok=True)
    except OSError:
        log.debug("could not remove temporary upload %s", path)


def _progress_reporter(progress: Any) -> Callable[[str, int, int], None] | None:
    """Adapt build_index's progress(stage, done, total) to a gr.Progress bar."""
    if progress is None:
        return None
    labels = {
        "read": "Reading files",
        "embed": "Embedding passages",
        "caveats": "Finding caveats",
        "embed sentences": "Embedding sentences",
    }

    def report(stage: str, done: int, total: int) -> None:
        label = labels.get(stage, stage)
        progress((done, max(total, 1)), desc=f"{label}: {done} of {total}", unit="")

    return report


# --- the page -----------------------------------------------------------------------------


def build_app(state: AppState) -> Any:
    """The Blocks app; every action has a named API endpoint."""
    import gradio as gr

    with gr.Blocks(
        title="cited — ask your articles", analytics_enabled=False, delete_cache=(3600, 3600)
    ) as app:
        gr.HTML(HEADER, js_on_load=None)
        recent_store = gr.BrowserState([], storage_key="cited-recent-questions")
        target = gr.State(None)
        with gr.Tabs(selected="ask", elem_id="cited-tabs") as tabs:
            with gr.Tab("Ask", id="ask", elem_id="cited-tab-ask"):
                ask_view = _ask_tab(gr, state)
            with gr.Tab("Library", id="library", elem_id="cited-tab-library"):
                lib_view = _library_tab(gr)
            with gr.Tab("Read", id="read", elem_id="cited-tab-read"):
                read_view = _read_tab(gr, state)
        views = {**ask_view, **lib_view, **read_view, "tabs": tabs, "target": target}
        views["recent_store"] = recent_store
        _wire_ask(gr, state, views)
        _wire_library(gr, state, views)
        _wire_read(gr, state, views)
        app.load(
            _on_load(state),
            [recent_store],
            [tabs, views["read_doc"], target, views["read_html"], views["recent"]],
            api_visibility="private",
        ).then(
            _refresh(state),
            None,
            [views["facts"], views["table"], views["doc_filter"], views["read_doc"]],
            api_visibility="private",
        )
    return app


def _ask_tab(gr: Any, state: AppState) -> dict[str, Any]:
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
    with gr.Accordion("Search settings", open=False, elem_id="cited-settings"), gr.Row():
        k = gr.Slider(1, 10, value=5, step=1, label="Passages to quote", elem_id="cited-k")
        doc_filter = gr.Dropdown(
            choices=state.document_choices(),
            multiselect=True,
            allow_custom_value=True,
            label="Search only these articles (empty: all)",
            elem_id="cited-doc-filter",
            scale=2,
        )
    gr.Examples(EXAMPLES, inputs=question, label="Try one of these")
    recent = gr.HTML("", js_on_load=_CLICK_JS, elem_id="cited-recent")
    answer = gr.HTML("", js_on_load=_CLICK_JS, elem_id="cited-answer", min_height=40)
    with gr.Row():
        copy = gr.Button(
            "Copy as Markdown",
            size="sm",
            visible=False,
            scale=0,
            min_width=170,
            elem_id="cited-copy",
            variant="secondary",
        )
    with gr.Accordion("Answer as Markdown", open=False):
        markdown = gr.Textbox(
            label="Markdown", lines=8, max_lines=30, buttons=["copy"], elem_id="cited-markdown"
        )
    with gr.Accordion("Answer as JSON", open=False):
        answer_json = gr.JSON(label="Answer", elem_id="cited-answer-json")
    return {
        "question": question,
        "ask": ask,
        "k": k,
        "doc_filter": doc_filter,
        "recent": recent,
        "answer": answer,
        "copy": copy,
        "markdown": markdown,
        "answer_json": answer_json,
    }


def _library_tab(gr: Any) -> dict[str, Any]:
    facts = gr.HTML("", js_on_load=None, elem_id="cited-facts")
    with gr.Row():
        upload = gr.File(
            file_count="multiple",
            label="Add articles: .txt, .md, .html or .pdf, up to "
            f"{library.MAX_UPLOAD_BYTES // 2**20} MB each",
            elem_id="cited-upload",
            scale=3,
        )
        with gr.Column(scale=2, min_width=240):
            rebuild = gr.Button("Rebuild index", variant="primary", elem_id="cited-rebuild")
            refresh = gr.Button("Refresh list", size="sm", elem_id="cited-refresh")
            gr.Markdown(
                "Uploads go into the corpus folder. **Rebuild index** reads only new and "
                "changed files and embeds only text it has not seen, so it is quick; "
                "answers switch to the new index as soon as it is complete.",
                elem_classes=["cited-hint"],
            )
            status = gr.HTML("", js_on_load=None, elem_id="cited-library-status", min_height=30)
    with gr.Group(visible=False, elem_id="cited-confirm") as confirm:
        confirm_text = gr.HTML("", js_on_load=None, padding=True)
        with gr.Row():
            confirm_delete = gr.Button("Delete", variant="stop", elem_id="cited-confirm-delete")
            cancel_delete = gr.Button("Cancel", elem_id="cited-cancel-delete")
    pending = gr.Textbox(visible=False, label="File to delete")
    table = gr.HTML("", js_on_load=_CLICK_JS, elem_id="cited-library")
    hidden = {name: gr.JSON(visible=False) for name in ("docs", "uploaded", "deleted", "built")}
    return {
        "facts": facts,
        "upload": upload,
        "rebuild": rebuild,
        "refresh": refresh,
        "status": status,
        "confirm": confirm,
        "confirm_text": confirm_text,
        "confirm_delete": confirm_delete,
        "cancel_delete": cancel_delete,
        "pending": pending,
        "table": table,
        **{f"{name}_json": component for name, component in hidden.items()},
    }


def _read_tab(gr: Any, state: AppState) -> dict[str, Any]:
    with gr.Row():
        read_doc = gr.Dropdown(
            choices=state.document_choices(),
            value=None,
            allow_custom_value=True,
            label="Article",
            elem_id="cited-read-doc",
            scale=5,
        )
        back = gr.Button("← Back to Ask", size="sm", scale=0, min_width=140, elem_id="cited-back")
    read_json = gr.JSON(visible=False)
    read_html = gr.HTML(
        '<p class="cited-empty">Choose an article, or open one from a quote.</p>',
        js_on_load=_SCROLL_JS,
        elem_id="cited-read",
        max_height="calc(100vh - 190px)",
        min_height=300,
    )
    return {"read_doc": read_doc, "read_json": read_json, "read_html": read_html, "back": back}


# --- events -------------------------------------------------------------------------------


def _wire_ask(gr: Any, state: AppState, v: dict[str, Any]) -> None:
    shown = [v["answer"], v["markdown"], v["copy"], v["recent_store"], v["recent"]]

    def show(answer: dict, recent: list[str] | None) -> tuple:
        recent = _remember(recent, answer["question"])
        return (
            render.answer_html(answer, state.paragraphs(answer)),
            render.answer_as_markdown(answer),
            gr.Button(visible=True),
            recent,
            render.recent_html(recent),
        )

    def failed() -> tuple:
        return "", "", gr.Button(visible=False)

    asked = gr.on(
        [v["ask"].click, v["question"].submit],
        state.ask,
        [v["question"], v["k"], v["doc_filter"]],
        v["answer_json"],
        api_name="ask",
        concurrency_id="ask",
        show_progress_on=[v["answer"]],
    )
    asked.success(show, [v["answer_json"], v["recent_store"]], shown, api_visibility="private")
    asked.failure(failed, None, shown[:3], api_visibility="private")

    def pick_recent(event: gr.EventData) -> str:
        return str(getattr(event, "question", "") or "")

    again = v["recent"].click(pick_recent, None, v["question"], api_visibility="private")
    again.success(
        state.ask,
        [v["question"], v["k"], v["doc_filter"]],
        v["answer_json"],
        api_visibility="private",
        concurrency_id="ask",
        show_progress_on=[v["answer"]],
    ).success(show, [v["answer_json"], v["recent_store"]], shown, api_visibility="private")
    v["copy"].click(_copied, v["markdown"], None, js=_COPY_JS, api_visibility="private")
    v["answer"].click(
        _open_in_reader(state),
        None,
        _reader_outputs(v),
        api_visibility="private",
    )


def _copied(_markdown: str) -> None:
    import gradio as gr

    gr.Info("Answer copied as Markdown.")


def _remember(recent: list[str] | None, question: str) -> list[str]:
    earlier = [q for q in (recent or []) if isinstance(q, str) and q != question]
    return [question, *earlier][:RECENT_QUESTIONS]


def _wire_library(gr: Any, state: AppState, v: dict[str, Any]) -> None:
    refreshed = [v["facts"], v["table"], v["doc_filter"], v["read_doc"]]
    refresh = _refresh(state)

    v["refresh"].click(state.documents, None, v["docs_json"], api_name="documents").then(
        refresh, None, refreshed, api_visibility="private"
    )

    def uploaded(result: dict) -> tuple:
        return (render.upload_result_html(result), None, *refresh())

    v["upload"].upload(
        state.upload, v["upload"], v["uploaded_json"], api_name="upload", concurrency_id="library"
    ).success(
        uploaded,
        v["uploaded_json"],
        [v["status"], v["upload"], *refreshed],
        api_visibility="private",
    )

    open_it = _open_in_reader(state)

    def row_action(event: gr.EventData) -> tuple:
        if getattr(event, "action", "") != "delete":
            return (gr.Group(visible=False), "", "", *open_it(event))
        file = str(getattr(event, "file", ""))
        question = (
            f"<p><strong>Delete {escape(file)}?</strong> The file is removed from the corpus "
            "folder. Answers keep quoting it until you press Rebuild index.</p>"
        )
        return (gr.Group(visible=True), question, file, *_unchanged(gr))

    v["table"].click(
        row_action,
        None,
        [v["confirm"], v["confirm_text"], v["pending"], *_reader_outputs(v)],
        api_visibility="private",
    )

    def deleted(result: dict) -> tuple:
        message = (
            f'<div class="cited-notice cited-success">Deleted {escape(result["deleted"])}. '
            "Press <strong>Rebuild index</strong> to drop it from answers.</div>"
        )
        return (gr.Group(visible=False), message, "", *refresh())

    v["confirm_delete"].click(
        state.delete, v["pending"], v["deleted_json"], api_name="delete", concurrency_id="library"
    ).success(
        deleted,
        v["deleted_json"],
        [v["confirm"], v["status"], v["pending"], *refreshed],
        api_visibility="private",
    )
    v["cancel_delete"].click(
        lambda: (gr.Group(visible=False), ""),
        None,
        [v["confirm"], v["pending"]],
        api_visibility="private",
    )

    def rebuild(progress: gr.Progress = gr.Progress()) -> dict:  # noqa: B008
        """Rebuild the index from the corpus folder: the `cited ingest --json` summary."""
        return state.rebuild(progress)

    def rebuilt(summary: dict) -> tuple:
        return (render.rebuild_summary_html(summary), *refresh())

    v["rebuild"].click(
        rebuild,
        None,
        v["built_json"],
        api_name="rebuild",
        concurrency_id="rebuild",
        concurrency_limit=1,
        show_progress_on=[v["status"]],
    ).success(rebuilt, v["built_json"], [v["status"], *refreshed], api_visibility="private")


def _wire_read(gr: Any, state: AppState, v: dict[str, Any]) -> None:
    v["back"].click(lambda: gr.Tabs(selected="ask"), None, v["tabs"], api_visibility="private")
    v["read_doc"].input(state.read, v["read_doc"], v["read_json"], api_name="read").success(
        lambda doc: (render.document_html(doc), None),
        v["read_json"],
        [v["read_html"], v["target"]],
        api_visibility="private",
    )


def _open_in_reader(state: AppState) -> Callable[..., tuple]:
    """A click on "Read in context" (or a Library row's Read): the Read tab at that span."""
    import gradio as gr

    def open_it(event: gr.EventData) -> tuple:
        action, doc_id = getattr(event, "action", ""), str(getattr(event, "doc", "") or "")
        if action not in ("open", "read") or not doc_id:
            return _unchanged(gr)
        span = _span(getattr(event, "start", None), getattr(event, "end", None))
        return _reader_view(state, doc_id, span)

    return open_it


def _reader_outputs(v: dict[str, Any]) -> list[Any]:
    return [v["tabs"], v["read_doc"], v["target"], v["read_html"]]


def _unchanged(gr: Any) -> tuple:
    """No update to the reader outputs."""
    return (gr.skip(),) * 4


def _span(start: Any, end: Any) -> tuple[int, int] | None:
    try:
        span = (int(start), int(end))
    except (TypeError, ValueError):
        return None
    return span if 0 <= span[0] < span[1] else None


def _reader_view(state: AppState, doc_id: str, span: tuple[int, int] | None) -> tuple:
    import gradio as gr

    doc = state.read(doc_id)
    return gr.Tabs(selected="read"), doc_id, span, render.document_html(doc, span)


def _on_load(state: AppState) -> Callable[..., tuple]:
    """Page load: recent questions, and a `?doc=…&start=…&end=…` link opens Read there."""
    import gradio as gr

    def load(recent: list[str] | None, request: gr.Request) -> tuple:
        recent_html = render.recent_html([q for q in (recent or []) if isinstance(q, str)])
        params = dict(request.query_params) if request else {}
        doc_id = params.get("doc")
        if doc_id:
            try:
                span = _span(params.get("start"), params.get("end"))
                return (*_reader_view(state, doc_id, span), recent_html)
            except gr.Error as error:
                log.info("link to an unknown article: %s", error)
        return (*_unchanged(gr), recent_html)

    return load


def _refresh(state: AppState) -> Callable[[], tuple]:
    """Index facts, the Library table and both article pickers, from the current index."""
    import gradio as gr

    def refresh() -> tuple:
        try:
            loaded = state.loaded()
            facts, problem = library.index_facts(loaded), None
            rows = state.documents()
        except (CitedError, gr.Error) as error:
            return render.index_facts_html(None, str(error)), "", gr.Dropdown(), gr.Dropdown()
        choices = [(row["title"], row["doc_id"]) for row in rows if row["doc_id"]]
        return (
            render.index_facts_html(facts, problem),
            render.library_table_html(rows),
            gr.Dropdown(choices=choices),
            gr.Dropdown(choices=choices),
        )

    return refresh


# --- serving ------------------------------------------------------------------------------


def _start_watcher(state: AppState) -> None:
    from assistant.watch import print_result, watch_corpus

    def built(summary: Any, error: Exception | None) -> None:
        print_result(summary, error)
        if summary is not None:
            state.remember_build(summary)

    watch_corpus(state.corpus_dir, state.index_dir, state.build_embedder, on_result=built)


def is_loopback(host: str) -> bool:
    """Whether binding `host` keeps the server on this machine."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def parse_auth(auth: str | None, host: str) -> tuple[str, str] | None:
    """The (user, password) to require, or None; refuses an open server off loopback."""
    if auth:
        user, sep, password = auth.partition(":")
        if not sep or not user or not password:
            raise CitedError("--auth must be user:password (or set CITED_AUTH=user:password)")
        return user, password
    if not is_loopback(host):
        raise CitedError(
            f"refusing to serve on {host} without a password: anyone who can reach it could "
            "read and change the library; pass --auth user:password (or set CITED_AUTH), "
            "or serve on 127.0.0.1"
        )
    return None


def serve(
    corpus_dir: Path,
    index_dir: Path,
    model_path: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | None = None,
    watch: bool = False,
    engine: Any = None,
) -> None:
    """Load the model and index once, then serve until interrupted. `engine` is the
    `EngineSettings` (--engine) that Rebuild and the watcher build with."""
    credentials = parse_auth(auth, host)
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    from assistant.http_limits import SESSION_CAPACITY, body_limit_middleware
    from index.embed import Embedder

    embedder = Embedder(model_path)
    assistant = Assistant(index_dir, embedder=embedder)
    assistant.index()  # fail now, with a clear message, if there is no usable index
    embedder.encode_query("warm up")
    state = AppState(assistant, Path(corpus_dir), Path(index_dir))
    if engine is not None:
        from index.ray_engine import build_embedder

        state.builder = build_embedder(embedder, engine, model_path)
    if watch:
        _start_watcher(state)
    app = build_app(state)
    app.queue(default_concurrency_limit=4, max_size=64)
    app.launch(
        server_name=host,
        server_port=port,
        auth=credentials,
        theme=_theme(gr),
        css=render.CSS,
        show_error=True,  # malformed API input gets its reason, not a generic failure
        max_file_size=MAX_FILE_SIZE,
        blocked_paths=_blocked(corpus_dir, index_dir),
        allowed_paths=[],
        footer_links=["api"],
        ssr_mode=False,
        pwa=False,
        mcp_server=False,
        enable_monitoring=False,
        quiet=True,
        state_session_capacity=SESSION_CAPACITY,
        app_kwargs={"middleware": body_limit_middleware()},
        prevent_thread_lock=True,  # returns once the server answers, so the address is true
    )
    print(f"cited: serving {index_dir} on http://{host}:{port}", flush=True)
    app.block_thread()


def _blocked(*folders: Path) -> list[str]:
    return [str(Path(folder).resolve()) for folder in folders]


def _theme(gr: Any) -> Any:
    return gr.themes.Soft(primary_hue="indigo", neutral_hue="slate")
