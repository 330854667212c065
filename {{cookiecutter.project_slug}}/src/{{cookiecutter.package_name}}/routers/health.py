import logging
import os
from collections.abc import Awaitable

from fastapi import APIRouter, Response, status

from ..deps import ServicesDep
from ..schemas import Health

router = APIRouter(tags=["health"])
logger = logging.getLogger(__name__)


@router.get(
    "/health",
    response_model=Health,
    responses={503: {"model": Health, "description": "A store does not answer: which one."}},
)
async def health(services: ServicesDep, response: Response) -> Health:
    """Whether Milvus and the metadata store answer; 503 when either does not."""
    milvus = await _probe("Milvus", services.milvus.ping())
    metadata = await _probe("the metadata store", services.metadata.ping())
    healthy = milvus == metadata == "ok"
    if not healthy:
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return Health(
        status="ok" if healthy else "degraded",
        milvus=milvus,
        metadata=metadata,
        worker=os.getpid(),
    )


async def _probe(store: str, check: Awaitable[None]) -> str:
    # Anyone may ask, so the answer says only that the store is down; the driver's reason
    # (with hosts and ports) goes to the log.
    try:
        await check
    except Exception:
        logger.warning("health check: %s is down", store, exc_info=True)
        return "down"
    return "ok"
