import os
from collections.abc import Awaitable

from fastapi import APIRouter, Response, status

from ..deps import ServicesDep
from ..schemas import Health

router = APIRouter(tags=["health"])


@router.get("/health", response_model=Health)
async def health(services: ServicesDep, response: Response) -> Health:
    """Whether Milvus and the metadata store answer; 503 when either does not."""
    milvus = await _probe(services.milvus.ping())
    metadata = await _probe(services.metadata.ping())
    healthy = milvus == metadata == "ok"
    if not healthy:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status="ok" if healthy else "degraded",
        milvus=milvus,
        metadata=metadata,
        worker=os.getpid(),
    )


async def _probe(check: Awaitable[None]) -> str:
    try:
        await check
    except Exception as exc:
        return f"down: {type(exc).__name__}: {exc}"
    return "ok"
