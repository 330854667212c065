from fastapi import APIRouter, Depends, HTTPException, status

from .. import consistency
from ..consistency import DriftReport
from ..deps import ServicesDep, require_api_key

router = APIRouter(prefix="/admin", tags=["admin"], dependencies=[Depends(require_api_key)])


@router.get("/consistency", response_model=DriftReport)
async def check(services: ServicesDep) -> DriftReport:
    """Ids that only one of the two stores holds; changes nothing."""
    return await consistency.check(services.milvus, services.metadata)


@router.post("/consistency/repair", response_model=DriftReport)
async def repair(services: ServicesDep) -> DriftReport:
    """Remove the ids that only one store holds. Refused while a load job is unfinished."""
    if unfinished := await services.metadata.count_unfinished_jobs():
        raise HTTPException(
            status.HTTP_409_CONFLICT,
            f"{unfinished} load job(s) queued or running: repair when they have finished",
        )
    return await consistency.repair(services.milvus, services.metadata)
