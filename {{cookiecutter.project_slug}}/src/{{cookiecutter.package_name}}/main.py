"""The FastAPI application: `create_app(settings)` wires the routes to the opened services."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request, status
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.staticfiles import StaticFiles
from fastapi_offline import FastAPIOffline
from pymilvus import MilvusException
from sqlalchemy.exc import OperationalError

from .body_limit import BodyLimit
from .config import Settings
from .encoders import Encoder, InvalidQueryError
from .ingest import TooManyItemsError, TooManyJobsError
from .load_queue import QueueUnavailableError
from .metadata_store import LoadRunningError, ReindexRunningError
from .origins import refuse_cross_origin_writes
from .quoting import shorten_input
from .records import EncoderInput
from .reindex import ReindexFailedError
from .routers import admin, collection, demo, health, items, jobs, pages, search
from .routers.pages import STATIC_DIR
from .services import close_services, open_services
from .uploads import InvalidUploadError

DESCRIPTION = """\
{{ cookiecutter.description|replace('\\', '\\\\')|replace('"', '\\"')|wordwrap(88) }}
"""

logger = logging.getLogger(__name__)


def create_app(
    settings: Settings | None = None, *, encoder: Encoder[EncoderInput] | None = None
) -> FastAPI:
    """Build the app; `encoder` lets tests reuse one loaded model across apps."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.services = await open_services(settings, encoder)
        try:
            yield
        finally:
            await close_services(app.state.services)

    # /docs and /redoc load Swagger UI and ReDoc from the installed package, not a CDN: the
    # service is meant to work in labs and CI without internet.
    app = FastAPIOffline(
        title={{ cookiecutter.project_name|pystr }},
        description=DESCRIPTION,
        version="0.1.0",
        lifespan=lifespan,
    )
    routers = (health, items, search, jobs, collection, admin, demo, pages)
    for module in routers:
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    # An upload's form fields and part headers come on top of its files. Added before (so run
    # inside) the cross-origin check, which reads no body: that middleware hands `receive` on
    # through a task group, which would wrap a refusal in an ExceptionGroup (answered 400).
    app.add_middleware(
        BodyLimit,
        upload_bytes=settings.max_upload_bytes + settings.max_json_bytes,
        other_bytes=settings.max_json_bytes,
    )
    app.middleware("http")(refuse_cross_origin_writes(settings.allowed_origins))
    for refusal, _ in _REFUSALS:
        app.add_exception_handler(refusal, _refused)
    app.add_exception_handler(RequestValidationError, _invalid_request)
    for unavailable, _ in _SERVICES:
        app.add_exception_handler(unavailable, _unavailable)
    return app


# The service's own refusals, by error, and the status each answers; the first that fits wins
# (TooManyItemsError is an InvalidUploadError too). Its message is the whole answer.
_REFUSALS = (
    (LoadRunningError, status.HTTP_409_CONFLICT),
    (ReindexRunningError, status.HTTP_409_CONFLICT),
    (ReindexFailedError, status.HTTP_409_CONFLICT),
    (TooManyItemsError, status.HTTP_413_CONTENT_TOO_LARGE),
    (TooManyJobsError, status.HTTP_429_TOO_MANY_REQUESTS),
    (InvalidUploadError, status.HTTP_422_UNPROCESSABLE_CONTENT),
    (InvalidQueryError, status.HTTP_422_UNPROCESSABLE_CONTENT),
)
# A load takes minutes: a client told to wait that retries sooner only asks again.
_RETRY_AFTER = {status.HTTP_429_TOO_MANY_REQUESTS: {"Retry-After": "60"}}


async def _refused(request: Request, exc: Exception) -> JSONResponse:
    code = next(code for kind, code in _REFUSALS if isinstance(exc, kind))
    return JSONResponse({"detail": str(exc)}, status_code=code, headers=_RETRY_AFTER.get(code))


async def _invalid_request(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI's own 422 body, but quoting only the start of each input it refused."""
    assert isinstance(exc, RequestValidationError)  # the one error it is registered for
    errors = [{**error, "input": shorten_input(error.get("input"))} for error in exc.errors()]
    return JSONResponse(
        {"detail": jsonable_encoder(errors)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


# What is down, by the error its client raised.
_SERVICES = (
    (MilvusException, "Milvus"),
    (OperationalError, "the metadata store"),
    (QueueUnavailableError, "the load queue"),
)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    # The driver's message names hosts and ports: the log gets it, the client only the store.
    store = next(name for kind, name in _SERVICES if isinstance(exc, kind))
    logger.warning(
        "%s %s: %s is unavailable", request.method, request.url.path, store, exc_info=exc
    )
    return JSONResponse(
        {"detail": f"{store} is unavailable"}, status_code=status.HTTP_503_SERVICE_UNAVAILABLE
    )
