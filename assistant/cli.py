"""The `cited` command: ingest, ask, docs, serve, eval, inspect, verify.

Heavy libraries are imported inside the commands that need them, so `cited --help`
and `cited docs` start without loading torch. Every `CitedError` becomes one line on
stderr and exit status 2; nothing reaches the user as a traceback.
"""

from __future__ import annotations

import argparse
import errno
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

from assistant.building import ingest_once
from assistant.settings import Settings
from assistant.terminal import TerminalSafeFormatter, for_terminal, safe_copy
from index.errors import CitedError

log = logging.getLogger("cited")

EXIT_ERROR = 2


def main(argv: Sequence[str] | None = None) -> int:
    """Run the CLI; returns the exit status."""
    settings = Settings.from_environment()
    parser = build_parser(settings)
    args = parser.parse_args(argv)
    args.settings = settings
    handler = logging.StreamHandler()  # a skipped file's name may hold escape sequences
    handler.setFormatter(TerminalSafeFormatter("cited: %(levelname)s: %(message)s"))
    logging.basicConfig(
        level=logging.DEBUG if settings.debug else logging.WARNING,
        handlers=[handler],
    )
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    try:
        return int(args.run(args) or 0)
    except CitedError as error:
        print(f"cited: error: {for_terminal(str(error))}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("cited: interrupted", file=sys.stderr)
        return 130
    except Exception as error:  # the last line of defence: one line, never a traceback
        if settings.debug:
            raise
        print(
            f"cited: unexpected error: {type(error).__name__}: {for_terminal(str(error))} "
            "(set CITED_DEBUG=1 to see where)",
            file=sys.stderr,
        )
        return 1


def build_parser(settings: Settings | None = None) -> argparse.ArgumentParser:
    settings = settings or Settings.from_environment()
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--corpus",
        type=Path,
        default=settings.corpus,
        help="folder of articles (env CITED_CORPUS; default ./corpus)",
    )
    common.add_argument(
        "--index",
        type=Path,
        default=settings.index,
        help="index folder (env CITED_INDEX; default ./var/index)",
    )
    common.add_argument(
        "--model",
        type=Path,
        default=settings.model,
        help="a local sentence-transformers folder (default: the packaged all-MiniLM-L6-v2)",
    )
    parser = argparse.ArgumentParser(
        prog="cited",
        description="Ask a folder of articles; get their own words, cited, with their caveats.",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_ingest(commands, common, settings)
    _add_ask(commands, common, settings)
    _add_docs(commands, common)
    _add_serve(commands, common, settings)
    _add_eval(commands, common, settings)
    _add_inspect(commands, common)
    _add_verify(commands, common)
    return parser


def _add_ingest(commands: Any, common: argparse.ArgumentParser, settings: Settings) -> None:
    p = commands.add_parser("ingest", parents=[common], help="build or update the index")
    p.add_argument(
        "--full",
        action="store_true",
        help="rebuild from nothing: re-read every file and re-embed every passage",
    )
    p.add_argument(
        "--retry-failed",
        action="store_true",
        help="read again the files that failed before, even when they have not changed",
    )
    p.add_argument("--json", action="store_true", help="print one JSON summary object")
    p.add_argument("--watch", action="store_true", help="rebuild whenever the corpus changes")
    _add_engine(p, settings)
    p.add_argument(
        "--wait",
        action="store_true",
        help="if another build is running on this index, wait for it instead of exiting",
    )
    p.set_defaults(run=run_ingest)


def _add_ask(commands: Any, common: argparse.ArgumentParser, settings: Settings) -> None:
    p = commands.add_parser("ask", parents=[common], help="answer a question from the articles")
    p.add_argument("question", nargs="?", help="the question; without it, one per stdin line")
    p.add_argument("-k", type=_k_value, default=5, help="how many passages to quote (default 5)")
    p.add_argument("--doc", action="append", dest="doc_ids", help="search only this doc_id")
    p.add_argument("--json", action="store_true", help="print the Answer JSON object")
    p.add_argument(
        "--explain", action="store_true", help="on an abstention, show the nearest passage"
    )
    _add_read_in_context(p, settings)
    p.set_defaults(run=run_ask)


def _add_docs(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser("docs", parents=[common], help="list the indexed documents")
    p.add_argument("--json", action="store_true", help="print a JSON array")
    p.set_defaults(run=run_docs)


def _add_serve(commands: Any, common: argparse.ArgumentParser, settings: Settings) -> None:
    p = commands.add_parser("serve", parents=[common], help="serve the web UI")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=7860, help="port (default 7860)")
    p.add_argument("--watch", action="store_true", help="rebuild when the corpus changes")
    _add_engine(p, settings)
    p.add_argument(
        "--auth",
        help="user:password required to use the UI; prefer env CITED_AUTH or --auth-file "
        "(a password on the command line shows in ps); required off loopback",
    )
    p.add_argument("--auth-file", type=Path, help="a file holding one line user:password")
    p.add_argument(
        "--allowed-host",
        action="append",
        dest="allowed_hosts",
        default=list(settings.allowed_hosts),
        metavar="NAME",
        help="also answer to this Host name, e.g. behind a proxy (repeatable; env "
        "CITED_ALLOWED_HOSTS, comma-separated); others are refused against DNS rebinding",
    )
    _add_read_in_context(p, settings)
    p.set_defaults(run=run_serve)


def _add_eval(commands: Any, common: argparse.ArgumentParser, settings: Settings) -> None:
    p = commands.add_parser("eval", parents=[common], help="measure retrieval and abstention")
    p.add_argument(
        "--questions",
        type=Path,
        action="append",
        help="JSONL question set, repeatable (default tests/data/questions.jsonl)",
    )
    p.add_argument(
        "--caveats", type=Path, help="also score caveat finding on this labelled JSONL set"
    )
    p.add_argument("-k", type=int, default=5, help="passages per answer (default 5)")
    p.add_argument("--json", action="store_true", help="print the report as JSON")
    _add_read_in_context(p, settings)
    p.set_defaults(run=run_eval)


def _add_read_in_context(p: argparse.ArgumentParser, settings: Settings) -> None:
    p.add_argument(
        "--read-in-context",
        action="store_true",
        default=settings.read_in_context,
        help="sharper highlights: read an uncertain first quote with the model (about a "
        "fifth of answers, ~25 ms each; env CITED_READ_IN_CONTEXT)",
    )


def _add_inspect(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "inspect", parents=[common], help="show what cited reads from files (nothing embedded)"
    )
    p.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="files to read")
    p.add_argument("--json", action="store_true", help="one JSON object a file a line")
    p.set_defaults(run=run_inspect)


def run_inspect(args: argparse.Namespace) -> int:
    """Exit 0 when every file was read, 1 when some could not be."""
    from ingest.formats.pdf import limits_from_env
    from ingest.inspect import TokenCounter, inspect_file, report_as_text

    counter = TokenCounter(args.model)
    limits = limits_from_env(os.environ)  # the build's limits: what it skips, inspect does
    failed = 0
    for path in args.paths:
        report = inspect_file(path, counter, limits)
        failed += report.error is not None
        if args.json:
            print(json.dumps(report.to_dict(), ensure_ascii=False), flush=True)
        else:
            print(report_as_text(report), flush=True)
    return 1 if failed else 0


def _add_verify(commands: Any, common: argparse.ArgumentParser) -> None:
    p = commands.add_parser(
        "verify", parents=[common], help="check the quotes of saved answers against the corpus"
    )
    p.add_argument(
        "answers",
        nargs="?",
        default="-",
        help="a file of answers saved with `cited ask --json` (object, array or JSONL); "
        "- or nothing reads standard input",
    )
    p.set_defaults(run=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    """Print ok / moved / changed per quote; exit 0 only when every quote is ok."""
    from assistant.verify import OK, parse_answers, summary, verify

    if args.answers == "-":
        text, name = sys.stdin.read(), "standard input"
    else:
        try:
            text, name = Path(args.answers).read_text(encoding="utf-8"), args.answers
        except (OSError, UnicodeDecodeError) as error:
            raise CitedError(f"cannot read {args.answers}: {error}") from None
    answers = parse_answers(text, name)
    checks = verify(answers, args.corpus)
    for check in checks:
        print(check.line())
    print(summary(checks, len(answers)))
    return 0 if all(c.status == OK for c in checks) else 1


def _add_engine(p: argparse.ArgumentParser, settings: Settings) -> None:
    p.add_argument(
        "--engine",
        choices=("local", "ray"),
        default=settings.engine,
        help="who embeds new text: this process, or Ray (env CITED_ENGINE; default local)",
    )
    p.add_argument(
        "--ray-address",
        default=settings.ray_address,
        help="HOST:PORT of a Ray head to build on (env CITED_RAY_ADDRESS; implies --engine "
        "ray; default: a Ray started for this build on 127.0.0.1)",
    )


def _engine_settings(args: argparse.Namespace) -> Any:
    from index.ray_engine import EngineSettings

    engine = "ray" if args.ray_address else args.engine
    return EngineSettings(engine=engine, ray_address=args.ray_address)


def _k_value(text: str) -> int:
    """-k as the API takes it: a whole number from 1 to MAX_K (one limit everywhere)."""
    from assistant.web.api import k_argument

    try:
        return k_argument(text)
    except CitedError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _embedder(args: argparse.Namespace) -> Any:
    from index.embed import Embedder

    return Embedder(args.model, backend=args.settings.embed_backend)


def _answer_settings(args: argparse.Namespace) -> Any:
    from assistant.answer import AnswerSettings

    return AnswerSettings(read_quotes=args.read_in_context)


def _build_embedder(args: argparse.Namespace, local: Any = None) -> Any:
    """The embedder builds use: the local one, or it with encoding on Ray (--engine)."""
    from index.ray_engine import build_embedder

    return build_embedder(local or _embedder(args), _engine_settings(args), args.model)


def run_ingest(args: argparse.Namespace) -> int:
    if args.watch:
        from assistant.web.watch import watch_and_rebuild

        watch_and_rebuild(args.corpus, args.index, _build_embedder(args), full_first=args.full)
        return 0
    summary = ingest_once(
        args.corpus,
        args.index,
        _build_embedder(args),
        full=args.full,
        wait=args.wait,
        quiet=args.json,
        retry_failed=args.retry_failed,
    )
    if args.json:
        print(json.dumps(summary.to_dict()))
    else:
        from assistant.present.text import summary_as_text

        print(for_terminal(summary_as_text(summary)))
    return 0


def run_ask(args: argparse.Namespace) -> int:
    from assistant.answer import Assistant

    assistant = Assistant(
        args.index, embedder=_embedder(args), settings=_answer_settings(args), check_interval=3600
    )
    if args.question is not None:
        answer = assistant.answer(args.question, k=args.k, doc_ids=args.doc_ids)
        _print_answer(answer, args.json, args.explain)
        return 0
    return _ask_stdin(assistant, args, sys.stdin)


def _ask_stdin(assistant: Any, args: argparse.Namespace, stream: TextIO) -> int:
    """One answer per non-blank stdin line, the model loaded once; bad lines don't stop it."""
    status = 0
    for line in stream:
        if not line.strip():
            continue
        try:
            answer = assistant.answer(line, k=args.k, doc_ids=args.doc_ids)
        except CitedError as error:
            print(f"cited: error: {for_terminal(str(error))}", file=sys.stderr)
            status = EXIT_ERROR
            continue
        _print_answer(answer, args.json, args.explain)
        sys.stdout.flush()
    return status


def _print_answer(answer: Any, as_json: bool, explain: bool = False) -> None:
    if as_json:
        print(json.dumps(answer.to_dict(), ensure_ascii=False))
        return
    from assistant.present.text import answer_as_text

    print(answer_as_text(safe_copy(answer), color=sys.stdout.isatty()))
    if explain and answer.abstention is not None:
        print(_explained(answer.abstention, color=sys.stdout.isatty()))


def _explained(why: Any, color: bool) -> str:
    """The nearest passage of an abstention, greyed, with its score against the threshold."""
    from assistant.present.text import section_path

    if why.nearest is None:
        return f"Nothing was found at all (threshold {why.threshold:.3f})."
    near = why.nearest
    head = (
        f"Nearest passage: score {near.score:.3f} against the threshold {near.threshold:.3f}"
        f" ({near.source.title}, {section_path(near.source) or near.source.file})"
    )
    head, body = for_terminal(head), for_terminal(" ".join(near.text.split()))
    return f"{head}\n\x1b[2m{body}\x1b[0m" if color else f"{head}\n{body}"


def run_docs(args: argparse.Namespace) -> int:
    from assistant.web.catalog import list_documents

    documents = list_documents(args.index)
    if args.json:
        print(json.dumps(documents, ensure_ascii=False))
        return 0
    for doc in documents:
        line = (
            f"{doc['doc_id']}\t{doc['passages']} passages\t{len(doc['caveats'])} caveats\t"
            f"{doc['file']}\t{doc['title']}"
        )
        print(for_terminal(line))
    return 0


def check_port_free(host: str, port: int) -> None:
    """Refuse, in one line naming the fix, a port something already listens on: found
    before the model and Gradio load, where Gradio would fail later with its own error."""
    import socket

    if not 0 < port < 65536:
        raise CitedError(f"--port must be between 1 and 65535, got {port}")
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.bind((host.strip("[]"), port))  # no SO_REUSEADDR: as strict as Gradio's bind
    except OSError as error:
        if error.errno != errno.EADDRINUSE:
            raise CitedError(f"cannot serve on {host}:{port}: {error.strerror}") from None
        free = _next_free_port(host, port)
        raise CitedError(
            f"port {port} is in use on {host} (another cited serve?); run `make run "
            f"PORT={free}` or `cited serve --port {free}`"
        ) from None


def _next_free_port(host: str, port: int) -> int:
    import socket

    for candidate in range(port + 1, min(port + 100, 65535)):
        with socket.socket() as probe:
            try:
                probe.bind((host.strip("[]") if ":" not in host else "127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    return port + 1


def run_serve(args: argparse.Namespace) -> int:
    from assistant.web.credentials import command_line_warning, read_credentials

    credentials = read_credentials(args.auth, args.auth_file, args.settings.auth, args.host)
    warning = command_line_warning(credentials)
    if warning:
        print(warning, file=sys.stderr)
    from assistant.web.serve import serve

    check_port_free(args.host, args.port)

    serve(
        corpus_dir=args.corpus,
        index_dir=args.index,
        model_path=args.model,
        host=args.host,
        port=args.port,
        auth=credentials.as_gradio() if credentials else None,
        watch=args.watch,
        allowed_hosts=tuple(args.allowed_hosts),
        embed_backend=args.settings.embed_backend,
        engine=_engine_settings(args),
        answer_settings=_answer_settings(args),
    )
    return 0


def run_eval(args: argparse.Namespace) -> int:
    from assistant.answer import Assistant
    from assistant.evaluate import boilerplate_checker, evaluate, format_report, load_questions

    sets = args.questions or [Path("tests/data/questions.jsonl")]
    question_sets = [(path, load_questions(path)) for path in sets]
    embedder = _embedder(args)
    assistant = Assistant(
        args.index, embedder=embedder, settings=_answer_settings(args), check_interval=3600
    )
    is_boilerplate = boilerplate_checker(assistant.index())
    reports = {}
    for path, questions in question_sets:
        answer = lambda q: assistant.answer(q, k=args.k).to_dict()  # noqa: E731
        reports[str(path)] = evaluate(questions, answer, is_boilerplate)
    caveats = _caveat_report(args.caveats, embedder) if args.caveats else None
    if args.json:
        out = {"index": str(args.index), "sets": {n: r.to_dict() for n, r in reports.items()}}
        if caveats is not None:
            out["caveats"] = caveats.to_dict()
        print(json.dumps(out, ensure_ascii=False))
        return 0
    for name, report in reports.items():
        print(f"== {name} (index {args.index})")
        print(format_report(report))
        print()
    if caveats is not None:
        from assistant.caveat_eval import format_caveat_report

        print(f"== {args.caveats}")
        print(format_caveat_report(caveats))
    return 0


def _caveat_report(path: Path, embedder: Any) -> Any:
    from assistant.caveat_eval import evaluate_caveats, load_caveat_set, production_finder

    return evaluate_caveats(load_caveat_set(path), production_finder(embedder.encode))


if __name__ == "__main__":
    sys.exit(main())
