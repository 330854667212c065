"""Request bodies bounded on the way in: one over its limit gets 413 before it is read whole.

FastAPI reads a JSON body whole into memory, and Starlette spools a multipart body whole to a
temporary file, before a route sees either: a route's own check comes too late. A body that
declares its length is refused by that length before the route runs; one that does not (a
chunked body) is refused as soon as the bytes received pass the limit.

FastAPI's `max_body_size` is one number per route, fixed where the route is declared, and
refuses a declared length only once the route reads its body or answers; here the limit
follows the settings and the kind of body.
"""

from fastapi import status
from fastapi.responses import JSONResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodyTooLargeError(HTTPException):
    """A body over its limit. An HTTPException because FastAPI passes one raised while it
    reads a body on to the exception handlers, and turns any other error into a 400."""

    def __init__(self, limit: int, kind: str, size: int | None = None) -> None:
        declared = "" if size is None else f" ({size:,} bytes)"
        super().__init__(
            status.HTTP_413_CONTENT_TOO_LARGE,
            f"the request body{declared} is larger than the limit of {limit:,} bytes for {kind}",
        )


class BodyLimit:
    """ASGI middleware: multipart bodies (uploads) may hold `upload_bytes`, any other body
    (JSON) `other_bytes`."""

    def __init__(self, app: ASGIApp, *, upload_bytes: int, other_bytes: int) -> None:
        self.app = app
        self._upload_bytes = upload_bytes
        self._other_bytes = other_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        limit, kind = self._limit(headers.get("content-type", ""))
        declared = _content_length(headers)
        if declared is not None and declared > limit:
            refusal = BodyTooLargeError(limit, kind, declared)
            response = JSONResponse({"detail": refusal.detail}, status_code=refusal.status_code)
            await response(scope, receive, send)
            return
        await self.app(scope, _counted(receive, limit, kind), send)

    def _limit(self, content_type: str) -> tuple[int, str]:
        if content_type.lower().startswith("multipart/"):
            return self._upload_bytes, "an upload"
        return self._other_bytes, "a JSON body"


def _content_length(headers: Headers) -> int | None:
    value = headers.get("content-length", "")
    return int(value) if value.isascii() and value.isdigit() else None


def _counted(receive: Receive, limit: int, kind: str) -> Receive:
    """`receive`, failing once the body's bytes pass `limit`."""
    received = 0

    async def receive_within_limit() -> Message:
        nonlocal received
        message = await receive()
        if message["type"] == "http.request":
            received += len(message.get("body", b""))
            if received > limit:
                raise BodyTooLargeError(limit, kind)
        return message

    return receive_within_limit
