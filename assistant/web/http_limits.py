"""A cap on the size of HTTP request bodies, so no request can make the server hold megabytes.

Gradio reads a request's whole JSON body and keeps each session's last inputs in memory
(up to `state_session_capacity` sessions), so a 10 MB question costs 10 MB per session
until the session is evicted. A question is at most a few thousand characters, so every
request body is refused above `MAX_BODY_BYTES` with 413, before Gradio reads it — on every
path, `/gradio_api/call/upload` included. Only a multipart POST to Gradio's file upload
route (exactly `UPLOAD_PATHS`) may be larger, up to `MAX_UPLOAD_REQUEST_BYTES`; Gradio's
`max_file_size` bounds each file in it.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

MAX_BODY_BYTES = 256 * 1024
#: One upload request (all its files): 30 x 20 MB in one request was stored whole before.
MAX_UPLOAD_REQUEST_BYTES = 64 * 1024 * 1024
#: The only paths whose body may be a large upload: a multipart POST of files.
UPLOAD_PATHS = ("/gradio_api/upload",)
#: A refused body up to this size is read and dropped first, so the client gets the 413
#: instead of a broken connection; a larger one is refused without reading it.
DRAIN_BYTES = 32 * 1024 * 1024
#: Sessions whose inputs Gradio keeps in memory; with MAX_BODY_BYTES this bounds that memory.
SESSION_CAPACITY = 500

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class BodySizeLimit:
    """ASGI middleware: 413 for any request whose body exceeds `max_bytes`, or
    `max_upload_bytes` for a multipart POST to one of `upload_paths`."""

    def __init__(
        self,
        app: ASGIApp,
        max_bytes: int = MAX_BODY_BYTES,
        upload_paths: tuple[str, ...] = UPLOAD_PATHS,
        max_upload_bytes: int = MAX_UPLOAD_REQUEST_BYTES,
    ) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_paths = tuple(upload_paths)
        self.max_upload_bytes = max_upload_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            if declared <= DRAIN_BYTES:
                await _drain(receive)
            await _refuse(send, declared, limit)
            return
        guard = _Guard(receive, send, limit)
        await self.app(scope, guard.receive, guard.send)

    def limit_for(self, scope: Scope) -> int:
        """The body limit of this request: only a multipart upload may be large."""
        is_upload = scope.get("method") == "POST" and scope["path"] in self.upload_paths
        return self.max_upload_bytes if is_upload and _is_multipart(scope) else self.max_bytes


class _Guard:
    """One request's receive/send: counts the body as it arrives (chunked bodies have no
    Content-Length) and answers 413 itself once it passes the limit. The app then sees the
    client disconnect, and whatever it sends is dropped (an exception raised from receive
    would become FastAPI's 400)."""

    def __init__(self, receive: Receive, send: Send, max_bytes: int) -> None:
        self._receive, self._send, self.max_bytes = receive, send, max_bytes
        self.received = 0
        self.refused = False

    async def receive(self) -> Message:
        if self.refused:
            return {"type": "http.disconnect"}
        message = await self._receive()
        if message["type"] == "http.request":
            self.received += len(message.get("body", b""))
            if self.received > self.max_bytes:
                self.refused = True
                if message.get("more_body", False):
                    await _drain(self._receive, DRAIN_BYTES - self.received)
                await _refuse(self._send, self.received, self.max_bytes)
                return {"type": "http.disconnect"}
        return message

    async def send(self, message: Message) -> None:
        if not self.refused:
            await self._send(message)


async def _refuse(send: Send, size: int, limit: int) -> None:
    why = (
        "add fewer files at once"
        if limit > MAX_BODY_BYTES
        else "a question is at most 1,000 characters"
    )
    detail = f"request body of {size:,} bytes refused: the limit is {limit:,} bytes ({why})"
    body = json.dumps({"detail": detail}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
    ]
    await send({"type": "http.response.start", "status": 413, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drain(receive: Receive, limit: int = DRAIN_BYTES) -> None:
    """Read and drop the rest of the request body, at most `limit` bytes of it."""
    dropped = 0
    while dropped <= limit:
        message = await receive()
        if message["type"] != "http.request":
            return
        dropped += len(message.get("body", b""))
        if not message.get("more_body", False):
            return


def _is_multipart(scope: Scope) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"content-type":
            return value.lower().startswith(b"multipart/form-data")
    return False


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
