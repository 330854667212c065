import logging

from fastapi import APIRouter, Depends, status

from ..deps import ServicesDep, require_api_key
from ..problems import problems

logger = logging.getLogger(__name__)
router = APIRouter(tags=["collection"])


@router.delete(
    "/collection",
    status_code=status.HTTP_204_NO_CONTENT,
    dependencies=[Depends(require_api_key)],
    responses=problems(401, 403, 409, 503),
)
async def drop_collection(services: ServicesDep) -> None:
    """Remove every item from both stores, and the files they kept; jobs stay for the record.
    Refused (409) while a load job is unfinished: its next writes would land in one store only;
    and while a reindex builds."""
    await services.metadata.refuse_while_loading("drop the collection")
    await services.metadata.refuse_while_reindexing(
        services.settings.collection, "drop the collection"
    )
    await services.milvus.reset()
    await services.metadata.clear_items()
    # Files last: a failure leaves files no item holds, which `repair` removes, and the items
    # are gone all the same.
    try:
        await services.files.clear()
    except OSError:
        logger.exception("the collection is dropped, but not all of its files: run repair")
