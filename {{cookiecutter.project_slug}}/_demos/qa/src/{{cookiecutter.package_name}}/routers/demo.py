from fastapi import APIRouter, Request

from ..schemas import DemoInfo

router = APIRouter(tags=["demo"])


@router.get("/demo", response_model=DemoInfo)
async def demo(request: Request) -> DemoInfo:
    """How the web page presents this FAQ."""
    return DemoInfo(
        title=request.app.title,
        description=request.app.description,
        items_noun="questions",
        upload_hint="A UTF-8 CSV file with a header row naming the columns question and answer.",
        upload_accept=".csv",
        query_field="question",
        query_label="Ask a question",
        query_example="How do I start the service?",
        score_label="cosine similarity",
        title_field="question",
        text_field="answer",
    )
