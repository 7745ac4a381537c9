"""The web UI: Gradio Blocks on loopback, its API on the same server.

The Ask button calls the `ask` endpoint, whose output is the Answer JSON object of
DESIGN.md; the page then renders that object as quote cards and a caveats panel. Every
piece of article text reaches the page through `assistant.render`, which escapes it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.answer import Assistant
from assistant.render import answer_html
from index.errors import CitedError

log = logging.getLogger(__name__)

EXAMPLES = [
    "Why does being less available make someone value you more?",
    "How long should no contact last before they start missing me?",
    "What should I do with my time while we are apart?",
    "How can I make him jealous so he comes back?",
    "What is the peak-end rule?",
]

CSS = """
.cited-quote { border: 1px solid var(--border-color-primary); border-radius: 10px;
  padding: 12px 16px; margin: 0 0 12px; background: var(--background-fill-primary); }
.cited-quote header { display: flex; gap: 8px; align-items: baseline; font-weight: 600; }
.cited-quote .cited-score { margin-left: auto; font-weight: 400; opacity: .7;
  font-variant-numeric: tabular-nums; }
.cited-quote blockquote { margin: 8px 0; padding: 0 0 0 12px;
  border-left: 3px solid var(--color-accent); white-space: pre-wrap; line-height: 1.55; }
.cited-quote mark.cited-answer { background: #fde68a; color: inherit; padding: 0 1px; }
.cited-file { font-size: .85em; opacity: .7; font-family: var(--font-mono); }
.cited-caveats { border-radius: 10px; padding: 10px 16px; margin: 0 0 12px;
  background: #eef6ff; border: 1px solid #bfdbfe; color: #1e293b; }
.cited-caveats.cited-leading { background: #fff7ed; border-color: #fdba74; }
.cited-caveats h3 { margin: 0 0 6px; font-size: 1.05em; }
.cited-caveats h4 { margin: 8px 0 2px; font-size: .95em; }
.cited-notice { border-radius: 10px; padding: 10px 16px; margin: 0 0 12px; font-weight: 600; }
.cited-notice.cited-warning { background: #fef2f2; border: 1px solid #fca5a5; color: #7f1d1d; }
.cited-notice.cited-abstain { background: #f8fafc; border: 1px solid #cbd5e1; color: #334155; }
"""


@dataclass
class AppState:
    """What the UI's handlers share: the assistant (model loaded once) and the folders."""

    assistant: Assistant
    corpus_dir: Path
    index_dir: Path

    def ask(self, question: str, k: float = 5, doc_ids: list[str] | None = None) -> dict:
        """The `ask` endpoint: the Answer JSON object, or a gr.Error with the reason."""
        import gradio as gr

        try:
            answer = self.assistant.answer(question, k=int(k), doc_ids=doc_ids or None)
        except CitedError as error:
            raise gr.Error(str(error)) from None
        return answer.to_dict()

    def document_choices(self) -> list[tuple[str, str]]:
        try:
            documents = self.assistant.index().documents()
        except CitedError:
            return []
        return [(doc.title, doc.doc_id) for doc in documents]


def build_app(state: AppState) -> Any:
    """The Blocks app; every action has a named API endpoint."""
    import gradio as gr

    with gr.Blocks(title="cited — ask your articles") as app:
        gr.Markdown(
            "# cited\nAsk the articles. You get their own words, cited, and the caveats they state."
        )
        with gr.Row():
            question = gr.Textbox(
                label="Question",
                placeholder="e.g. Why does space make someone miss you?",
                scale=5,
                max_length=1000,
                elem_id="cited-question",
            )
            ask = gr.Button("Ask", variant="primary", scale=1, elem_id="cited-ask")
        with gr.Accordion("Search settings", open=False):
            k = gr.Slider(1, 10, value=5, step=1, label="Passages to quote")
            documents = gr.Dropdown(
                choices=state.document_choices(),
                multiselect=True,
                label="Search only these articles (empty: all)",
            )
        gr.Examples(EXAMPLES, inputs=question, label="Try")
        answer_view = gr.HTML(elem_id="cited-answer")
        with gr.Accordion("Answer as JSON", open=False):
            answer_json = gr.JSON(label="Answer")
        gr.on(
            [ask.click, question.submit],
            state.ask,
            [question, k, documents],
            answer_json,
            api_name="ask",
        ).success(answer_html, answer_json, answer_view, api_visibility="undocumented")
    return app


def _start_watcher(state: AppState) -> None:
    from assistant.watch import CorpusWatcher
    from ingest.pipeline import build_index

    def rebuild() -> Any:
        return build_index(state.corpus_dir, state.index_dir, state.assistant.embedder)

    CorpusWatcher(state.corpus_dir, rebuild).start()


def serve(
    corpus_dir: Path,
    index_dir: Path,
    model_path: Path | None = None,
    host: str = "127.0.0.1",
    port: int = 7860,
    auth: str | None = None,
    watch: bool = False,
) -> None:
    """Load the model and index once, then serve until interrupted."""
    from assistant.http_limits import SESSION_CAPACITY, body_limit_middleware
    from index.embed import Embedder

    embedder = Embedder(model_path)
    assistant = Assistant(index_dir, embedder=embedder)
    assistant.index()  # fail now, with a clear message, if there is no usable index
    embedder.encode_query("warm up")
    state = AppState(assistant, Path(corpus_dir), Path(index_dir))
    if watch:
        _start_watcher(state)
    app = build_app(state)
    app.queue(default_concurrency_limit=4)
    print(f"cited: serving {index_dir} on http://{host}:{port}", flush=True)
    app.launch(
        server_name=host,
        server_port=port,
        css=CSS,
        show_error=True,
        max_file_size="20mb",
        blocked_paths=[str(Path(corpus_dir).resolve()), str(Path(index_dir).resolve())],
        footer_links=["api"],
        state_session_capacity=SESSION_CAPACITY,
        app_kwargs={"middleware": body_limit_middleware()},
    )
