"""Cross-origin writes refused: another site's page must not load or delete through a
visitor's browser.

A browser names the page that sent a request in `Origin` (and, in `Sec-Fetch-Site`, whether it
was another site). Forms and "simple" requests from any page reach the service without a CORS
check, so a write (POST, PUT, PATCH, DELETE) from another origin is refused, API key or not.
Clients that are not browsers send neither header and pass; so does this service's own page.
"""

from collections.abc import Awaitable, Callable
from urllib.parse import urlsplit

from fastapi import Request, Response, status
from fastapi.responses import JSONResponse

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def refuse_cross_origin_writes(
    allowed: list[str],
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """An HTTP middleware; `allowed` lists other origins (scheme://host[:port]) to accept."""
    trusted = {origin.rstrip("/").lower() for origin in allowed}

    async def middleware(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        if request.method in WRITES and _foreign(request, trusted):
            return JSONResponse(
                {"detail": "a write from another site's page is refused (Origin not allowed)"},
                status_code=status.HTTP_403_FORBIDDEN,
            )
        return await call_next(request)

    return middleware


def _foreign(request: Request, trusted: set[str]) -> bool:
    origin = request.headers.get("origin")
    if origin is None:
        return request.headers.get("sec-fetch-site") == "cross-site"
    origin = origin.rstrip("/").lower()
    if origin in trusted:
        return False
    # Compare hosts, not schemes: behind a TLS proxy the page is https, the request http. An
    # opaque origin ("null": a sandboxed frame, a file) has no host and matches nothing.
    return urlsplit(origin).netloc != request.headers.get("host", "").lower()
