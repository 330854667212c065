from fastapi import APIRouter
from pydantic import BaseModel

from ..deps import ServicesDep
from ..records import Hit, SearchRequest

router = APIRouter(tags=["search"])


class SearchResponse(BaseModel):
    results: list[Hit]


@router.post("/search", response_model=SearchResponse)
async def search(body: SearchRequest, services: ServicesDep) -> SearchResponse:
    """The most similar stored items, best first."""
    return SearchResponse(results=await services.searcher.search(body))
