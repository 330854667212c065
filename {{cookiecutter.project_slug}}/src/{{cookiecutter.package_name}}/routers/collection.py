from fastapi import APIRouter, Depends, status

from ..deps import ServicesDep, require_api_key
from ..problems import problems

router = APIRouter(tags=["collection"])


@router.delete(
    "/collection",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require_api_key)],
    responses=problems(401, 403, 409, 503),
)
async def drop_collection(services: ServicesDep) -> None:
    """Remove every item from both stores; jobs stay for the record. Refused (409) while a load
    job is unfinished: its next writes would land in one store only."""
    await services.metadata.refuse_while_loading("drop the collection")
    await services.milvus.reset()
    await services.metadata.clear_items()
