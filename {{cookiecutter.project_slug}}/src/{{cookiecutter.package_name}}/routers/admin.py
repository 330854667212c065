from fastapi import APIRouter, Depends

from .. import consistency
from ..consistency import DriftReport
from ..deps import ServicesDep, require_api_key
from ..problems import problems
from ..reindex import Reindexed, reindex

router = APIRouter(
    prefix="/admin",
    tags=["admin"],
    dependencies=[Depends(require_api_key)],
    responses=problems(401, 503),
)


@router.get("/consistency", response_model=DriftReport)
async def check(services: ServicesDep) -> DriftReport:
    """Ids that only one of the two stores holds, and files no item holds; changes nothing."""
    return await consistency.check(services.milvus, services.metadata, services.files)


@router.post("/consistency/repair", response_model=DriftReport, responses=problems(403, 409))
async def repair(services: ServicesDep) -> DriftReport:
    """Remove the ids that only one store holds and the files no item holds. Refused (409)
    while a load job is unfinished."""
    return await consistency.repair(services.milvus, services.metadata, services.files)


@router.post("/reindex", response_model=Reindexed, responses=problems(403, 409, 422))
async def reindex_items(services: ServicesDep, restart: bool = False) -> Reindexed:
    """Encode every stored item again with the configured encoder into a new collection, while
    the current one answers searches, then switch to it. Refused (409) while a load job is
    unfinished or another reindex builds (`restart=true` takes over an interrupted one), and
    when an item cannot be encoded (nothing is switched then). Answers when done: minutes for
    a large collection; the command line shows progress."""
    return await reindex(services.settings, services.metadata, services.milvus, restart=restart)
