from fastapi import APIRouter
from pydantic import BaseModel

from ..deps import ServicesDep
from ..problems import problems
from ..records import Hit, SearchBody

router = APIRouter(tags=["search"])


class SearchResponse(BaseModel):
    results: list[Hit]


@router.post("/search", response_model=SearchResponse, responses=problems(400, 403, 413, 422, 503))
async def search(body: SearchBody, services: ServicesDep) -> SearchResponse:
    """The most similar stored items, best first."""
    return SearchResponse(results=await services.searcher.search(body))
