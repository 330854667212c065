from fastapi import APIRouter, HTTPException, status

from ..deps import ServicesDep
from ..problems import problems
from ..quoting import shorten
from ..schemas import Job

router = APIRouter(prefix="/jobs", tags=["jobs"], responses=problems(503))


@router.get("/{job_id}", response_model=Job, responses=problems(404, 422))
async def get_job(job_id: str, services: ServicesDep) -> Job:
    """A load job's state and progress, with the items it had to skip."""
    job = await services.metadata.get_job(job_id)
    if job is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no job with id {shorten(job_id)!r}")
    return job
