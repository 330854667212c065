from fastapi import APIRouter, Depends

from .. import consistency
from ..consistency import DriftReport
from ..deps import ServicesDep, require_api_key
from ..problems import problems

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
