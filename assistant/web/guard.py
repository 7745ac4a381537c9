"""The server's guard: only requests from this server's own pages, under its own names, get in.

A web page the user visits can reach `cited serve` on loopback: by DNS rebinding (a domain
that resolves to 127.0.0.1, so the browser sends `Host: rebind.attacker.example`), or by a
plain cross-site form or fetch. Gradio's own CORS layer allows every origin once the Host is
not a localhost name (gradio-app/gradio#13594; still so in 6.31), so this ASGI layer sits
outside the whole Gradio app and

- refuses a Host name the server was not bound to (loopback: 127.0.0.1, localhost, [::1];
  off loopback also IP literals, this machine's name; plus `--allowed-host NAME`),
- refuses a request whose Origin is not the server itself, and any state-changing request
  a browser marks cross-site; removes Access-Control-Allow-* headers from every response,
- forbids framing (X-Frame-Options, CSP frame-ancestors) so no site can hijack clicks,
- with --auth: throttles and locks out failed logins per client, and strips the API
  description from pages served before login,
- bounds uploads: files per request and the temporary folder they wait in,
- refuses an API call with more input values than the endpoint takes, and drops a `?page=`
  that names no page (Gradio answered both with an internal error).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import socket
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from assistant.web.credentials import LoginThrottle, is_loopback
from assistant.web.http_limits import (
    MAX_UPLOAD_REQUEST_BYTES,
    UPLOAD_PATHS,
    ASGIApp,
    BodySizeLimit,
    Message,
    Receive,
    Scope,
    Send,
)

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
#: Files in one upload request (the Library saves at most 20 at once anyway).
MAX_FILES_PER_UPLOAD = 20
#: Uploads waiting in Gradio's temporary folder, all requests together.
MAX_PENDING_UPLOAD_BYTES = 256 * 1024 * 1024
MAX_PENDING_UPLOAD_FILES = 2_000
SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
SECURITY_HEADERS = [
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", b"frame-ancestors 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
]
_API_CALL = re.compile(r"^/gradio_api/(?:call/v2|call|run|api)/([^/]+)/?$")
_API_INFO = re.compile(rb"window\.gradio_api_info = [^<]*;</script>")
_LOGIN_PATHS = ("/login", "/login/")
_PAGE_PATHS = ("/", "/gradio_api/runs", "/gradio_api/runs/")


@dataclass(frozen=True)
class HostPolicy:
    """The Host names a request may carry; a DNS name can be rebound, an IP literal cannot."""

    names: frozenset[str]
    any_ip: bool

    def allows(self, host_header: str) -> bool:
        name = hostname(host_header)
        if name is None:
            return False
        if name in self.names:
            return True
        return self.any_ip and _is_ip(name)


def host_policy(bind_host: str, allowed: Iterable[str] = ()) -> HostPolicy:
    """The names a server bound to `bind_host` answers to, plus the ones the user allows."""
    extra = {name for name in (hostname(a.strip()) for a in allowed if a.strip()) if name}
    if is_loopback(bind_host):
        return HostPolicy(frozenset({*LOOPBACK_NAMES, *extra}), any_ip=False)
    own = {hostname(bind_host) or "", socket.gethostname().lower(), *LOOPBACK_NAMES}
    return HostPolicy(frozenset(own | extra) - {""}, any_ip=True)


def hostname(value: str) -> str | None:
    """`example.org:7860` -> `example.org`; `[::1]:7860` -> `::1`; None if malformed."""
    value = value.strip().lower().rstrip(".")
    if value.startswith("["):
        end = value.find("]")
        return value[1:end] if end > 1 else None
    name = value.rsplit(":", 1)[0] if value.count(":") == 1 else value
    return name or None


def _is_ip(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


def guarded_app(
    bind_host: str,
    allowed_hosts: Sequence[str] = (),
    middleware: Sequence[Any] = (),
    throttle: LoginThrottle | None = None,
) -> Any:
    """A Gradio App (pass it to launch(_app=...)) whose outermost layer is the guard, the
    body cap next; `middleware` (starlette Middleware) runs inside them, before Gradio."""
    from gradio.routes import App, ORJSONResponse

    policy = host_policy(bind_host, allowed_hosts)
    logins = throttle or LoginThrottle()

    class GuardedApp(App):
        def build_middleware_stack(self) -> ASGIApp:
            inner = InputCountCheck(super().build_middleware_stack(), self)
            return Guard(BodySizeLimit(inner), self, policy, logins)

    return GuardedApp(default_response_class=ORJSONResponse, middleware=list(middleware))


class Guard:
    """ASGI: host and origin checks, headers, login throttle, pre-login hiding, upload bounds."""

    def __init__(self, app: ASGIApp, gradio: Any, policy: HostPolicy, logins: LoginThrottle):
        self.app, self.gradio, self.policy, self.logins = app, gradio, policy, logins

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        refusal = self.refusal(scope, headers)
        if refusal:
            await _respond(scope, send, 403, refusal)
            return
        send = _with_security_headers(send)
        if scope["type"] == "websocket":
            await self.app(scope, receive, send)
            return
        await self.http(scope, headers, receive, send)

    def refusal(self, scope: Scope, headers: dict[str, str]) -> str | None:
        """Why a request must not reach the app, or None."""
        host = headers.get("host")
        if host is not None and not self.policy.allows(host):
            return (
                f"this server does not answer to the name {hostname(host) or host!r}; if you "
                "reach it by that name, start it with cited serve --allowed-host NAME"
            )
        origin = headers.get("origin")
        if origin is not None and not _same_origin(origin, host):
            return "cross-origin request refused: use the page this server serves"
        site = headers.get("sec-fetch-site", "")
        if scope.get("method", "GET") not in SAFE_METHODS and site in ("cross-site", "same-site"):
            return "cross-site request refused: use the page this server serves"
        return None

    async def http(self, scope: Scope, headers: dict[str, str], receive: Receive, send: Send):
        path, method = scope["path"], scope["method"]
        if method == "GET" and path in _PAGE_PATHS:
            scope = self.known_page_only(scope)
        if self.gradio.auth is not None and not self.logged_in(headers):
            if method == "POST" and path in _LOGIN_PATHS:
                await self.login(scope, receive, send)
                return
            if method == "GET":
                scope, send = _without_api_description(scope, send)
        if method == "POST" and path in UPLOAD_PATHS:
            refusal = self.upload_refusal(headers)
            if refusal:
                await _respond(scope, send, 413, refusal)
                return
            counter = _PartCounter(receive, send, headers.get("content-type", ""))
            await self.app(scope, counter.receive, counter.send)
            if counter.refused:  # answered once Gradio has removed its temporary files
                await _respond(scope, send, 413, counter.refused)
            return
        await self.app(scope, receive, send)

    def logged_in(self, headers: dict[str, str]) -> bool:
        cookie_id = self.gradio.cookie_id
        cookies = _cookies(headers.get("cookie", ""))
        for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
            if cookies.get(name) in self.gradio.tokens:
                return True
        return False

    async def login(self, scope: Scope, receive: Receive, send: Send) -> None:
        """A login attempt: refused unchecked while the client must wait; outcome recorded."""
        client = (scope.get("client") or ("unknown", 0))[0]
        wait = self.logins.wait_seconds(client)
        if wait > 0:
            await _respond(
                scope,
                send,
                429,
                f"too many failed logins from {client}; try again in {wait:.0f} s",
                [(b"retry-after", str(int(wait) + 1).encode())],
            )
            return
        status: list[int] = []

        async def watched(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            await send(message)

        await self.app(scope, receive, watched)
        if status and status[0] == 200:
            self.logins.succeeded(client)
        else:
            self.logins.failed(client)

    def known_page_only(self, scope: Scope) -> Scope:
        """Drop a `page` query parameter that names no page of the app."""
        query = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        pages = set(self.gradio.get_blocks().config.get("page") or {"": None})  # Gradio's keys
        kept = [(k, v) for k, v in query if k != "page" or v in pages]
        if len(kept) == len(query):
            return scope
        return {**scope, "query_string": urlencode(kept).encode("latin-1")}

    def upload_refusal(self, headers: dict[str, str]) -> str | None:
        """Why the temporary upload folder cannot take this request, or None."""
        folder = Path(self.gradio.uploaded_file_dir)
        count, size = _folder_usage(folder)
        declared = headers.get("content-length", "")
        incoming = int(declared) if declared.isdigit() else 0
        if count >= MAX_PENDING_UPLOAD_FILES or size + incoming > MAX_PENDING_UPLOAD_BYTES:
            return (
                f"the server holds {size / 2**20:.0f} MB of uploads not yet added (the limit "
                f"is {MAX_PENDING_UPLOAD_BYTES // 2**20} MB); try again in an hour, or "
                "restart cited serve"
            )
        return None


class InputCountCheck:
    """ASGI: an API call with more input values than its endpoint takes gets a 400 naming
    the inputs (Gradio passed the extra values on and failed with "'int' object is not
    iterable"). Sits inside BodySizeLimit, so the body it reads is small."""

    def __init__(self, app: ASGIApp, gradio: Any) -> None:
        self.app, self.gradio = app, gradio

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        match = _API_CALL.match(scope.get("path", "")) if scope["type"] == "http" else None
        if match is None or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        messages, body = await _read_body(receive)
        problem = self.problem(match.group(1), body)
        if problem:
            await _respond(scope, send, 400, problem)
            return
        await self.app(scope, _replay(messages, receive), send)

    def problem(self, api_name: str, body: bytes) -> str | None:
        try:
            data = json.loads(body).get("data")
        except (ValueError, AttributeError):
            return None  # Gradio names a malformed body itself
        inputs = self.inputs(api_name)
        if inputs is None or not isinstance(data, list) or len(data) <= len(inputs):
            return None
        names = ", ".join(inputs) or "none"
        return (
            f"{api_name} takes {len(inputs)} input value(s) ({names}) but the request sent "
            f"{len(data)}; send them in that order (see the API page)"
        )

    def inputs(self, api_name: str) -> list[str] | None:
        for fn in self.gradio.get_blocks().fns.values():
            if fn.api_name == api_name:
                return [str(getattr(c, "label", None) or type(c).__name__) for c in fn.inputs]
        return None


class _PartCounter:
    """Counts the parts and bytes of a multipart body as it streams, and answers 413 once
    there are more than MAX_FILES_PER_UPLOAD files (Gradio took 1,000 in one request) or
    more than MAX_UPLOAD_REQUEST_BYTES.

    Gradio then gets a malformed part instead of the rest, so its parser fails the way it
    cleans up after (a disconnect would leave its temporary files behind); its answer is
    dropped and the 413 sent once it has finished."""

    def __init__(self, receive: Receive, send: Send, content_type: str) -> None:
        self._receive, self._send = receive, send
        boundary = re.search(r'boundary="?([^";]+)"?', content_type)
        self.delimiter = b"--" + boundary.group(1).encode("latin-1") if boundary else b""
        self.tail, self.delimiters, self.received = b"", 0, 0
        self.refused = ""  # why, once refused

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] != "http.request" or not self.delimiter:
            return message
        chunk = message.get("body", b"")
        self.received += len(chunk)
        window = self.tail + chunk
        self.delimiters += window.count(self.delimiter)
        self.tail = window[-(len(self.delimiter) - 1) :]
        if self.delimiters - 1 > MAX_FILES_PER_UPLOAD:  # the last delimiter closes the body
            return await self.refuse(
                f"more than {MAX_FILES_PER_UPLOAD} files in one upload; add the rest next"
            )
        if self.received > MAX_UPLOAD_REQUEST_BYTES:
            return await self.refuse(
                f"an upload of more than {MAX_UPLOAD_REQUEST_BYTES // 2**20} MB in one "
                "request; add fewer files at once"
            )
        return message

    async def refuse(self, detail: str) -> Message:
        self.refused = detail
        poison = b"\r\n" + self.delimiter + b"\r\n\x00\r\n\r\n"  # a header Gradio rejects
        return {"type": "http.request", "body": poison, "more_body": False}

    async def send(self, message: Message) -> None:
        if not self.refused:
            await self._send(message)


# --- small helpers ---------------------------------------------------------------------------


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _same_origin(origin: str, host: str | None) -> bool:
    """Whether a browser's Origin header names this very server (scheme aside)."""
    if origin == "null" or host is None:
        return False
    netloc = urlsplit(origin).netloc.lower()
    return bool(netloc) and netloc == host.strip().lower()


def _cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().partition("=") for part in header.split(";"))
    return {name: value for name, _, value in pairs if name}


def _folder_usage(folder: Path) -> tuple[int, int]:
    count = size = 0
    for root, _dirs, files in os.walk(folder):
        for name in files:
            try:
                size += os.stat(os.path.join(root, name)).st_size
            except OSError:
                continue
            count += 1
    return count, size


def _with_security_headers(send: Send) -> Send:
    """Add the no-framing headers to every response and drop Access-Control-Allow-*."""

    async def secured(message: Message) -> None:
        if message["type"] == "http.response.start":
            kept = [
                (k, v)
                for k, v in message.get("headers", [])
                if not k.lower().startswith(b"access-control-allow-")
            ]
            message = {**message, "headers": kept + SECURITY_HEADERS}
        await send(message)

    return secured


def _without_api_description(scope: Scope, send: Send) -> tuple[Scope, Send]:
    """Before login: an HTML page without the API description Gradio embeds (it lists every
    endpoint and every article's doc_id). The body is asked for uncompressed to edit it."""
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"accept-encoding"]
    held: list[Message] = []
    chunks: list[bytes] = []

    async def edited(message: Message) -> None:
        if message["type"] == "http.response.start":
            types = [v for k, v in message.get("headers", []) if k.lower() == b"content-type"]
            if types and types[0].startswith(b"text/html"):
                held.append(message)
                return
        elif held and message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))
            if message.get("more_body", False):
                return
            body = _API_INFO.sub(b"window.gradio_api_info = {};</script>", b"".join(chunks))
            start = held.pop()
            kept = [(k, v) for k, v in start["headers"] if k.lower() != b"content-length"]
            kept.append((b"content-length", str(len(body)).encode()))
            await send({**start, "headers": kept})
            message = {"type": "http.response.body", "body": body}
        await send(message)

    return {**scope, "headers": headers}, edited


async def _respond(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    if scope.get("type") == "websocket":
        await send({"type": "websocket.close", "code": 1008, "reason": detail[:120]})
        return
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *SECURITY_HEADERS,
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_body(receive: Receive) -> tuple[list[Message], bytes]:
    messages: list[Message] = []
    while True:
        message = await receive()
        messages.append(message)
        if message["type"] != "http.request" or not message.get("more_body", False):
            break
    body = b"".join(m.get("body", b"") for m in messages if m["type"] == "http.request")
    return messages, body


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        return pending.pop(0) if pending else await receive()

    return replayed
