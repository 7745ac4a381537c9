"""Plain HTTP calls get the endpoints' defaults: `/gradio_api/call/ask` with only the question.

gradio_client fills in left-out arguments itself; Gradio's server does not, and answers a
short `data` list with a traceback in the terminal. This ASGI middleware fills the defaults
in before Gradio reads the request, and refuses a call that leaves out a required argument
with a 422 naming it (one log line, no traceback).
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

log = logging.getLogger(__name__)

REQUIRED = object()
#: Bodies larger than this are passed on untouched (the body limit refuses them anyway).
MAX_BODY = 256 * 1024
_PREFIX = "/gradio_api/call/"

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]


class PlainHttpDefaults:
    """Pads `{"data": [...]}` of `POST /gradio_api/call/NAME` with NAME's defaults."""

    def __init__(self, app: Any, parameters: Mapping[str, Sequence[tuple[str, Any]]]) -> None:
        self.app = app
        self.parameters = parameters

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        name = path[len(_PREFIX) :] if path.startswith(_PREFIX) else ""
        if scope.get("method") != "POST" or name not in self.parameters:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        data = _data_of(body) if complete else None
        if data is not None:
            filled, missing = fill(self.parameters[name], data["data"])
            if missing:
                log.warning("%s refused: the %s argument is required", name, missing)
                await _refuse(send, f"{name} needs its {missing!r} argument")
                return
            body = json.dumps({**data, "data": filled}).encode()
            scope = _with_length(scope, len(body))
        await self.app(scope, _replay(body, receive, more=not complete), send)


def fill(parameters: Sequence[tuple[str, Any]], given: list[Any]) -> tuple[list[Any], str | None]:
    """`given` padded with the defaults of the parameters it leaves out, and the name of
    the first left-out parameter that has no default (None when there is none)."""
    filled = list(given)
    for name, default in parameters[len(given) :]:
        if default is REQUIRED:
            return filled, name
        filled.append(default)
    return filled, None


def _data_of(body: bytes) -> dict[str, Any] | None:
    try:
        data = json.loads(body or b"{}")
    except ValueError:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("data"), list) else None


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body") or size > MAX_BODY:
            return b"".join(chunks), not message.get("more_body")


def _replay(body: bytes, receive: Receive, more: bool) -> Receive:
    """`receive` with the part of the body already read put back in front."""
    sent = False

    async def again() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return await receive()
        sent = True
        return {"type": "http.request", "body": body, "more_body": more}

    return again


def _with_length(scope: Scope, length: int) -> Scope:
    headers = [(k, v) for k, v in scope.get("headers", []) if k.lower() != b"content-length"]
    return {**scope, "headers": [*headers, (b"content-length", str(length).encode())]}


async def _refuse(send: Send, message: str) -> None:
    body = json.dumps({"error": message}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 422,
            "headers": [(b"content-type", b"application/json")],
        }
    )
    await send({"type": "http.response.body", "body": body})
