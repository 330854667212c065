import asyncio

from fastapi import APIRouter, Request, Response
from rdkit import Chem
from rdkit.Chem.Draw import rdMolDraw2D

from ..deps import StoredItem
from ..problems import problems
from ..schemas import DemoInfo

router = APIRouter(tags=["demo"])


@router.get("/demo", response_model=DemoInfo)
async def demo(request: Request) -> DemoInfo:
    """How the web page presents molecules."""
    return DemoInfo(
        title=request.app.title,
        description=request.app.description,
        items_noun="molecules",
        upload_hint="A .smi file (SMILES and a name per line) or a .csv with a smiles column.",
        upload_accept=".smi,.smiles,.csv,.txt",
        query_field="smiles",
        query_label="SMILES",
        query_example="CC(=O)Oc1ccccc1C(=O)O",
        score_label="Tanimoto similarity",
        title_field="name",
        text_field="smiles",
        picture_url="items/{id}/svg",
    )


@router.get(
    "/items/{item_id}/svg",
    response_class=Response,
    responses={
        200: {"content": {"image/svg+xml": {}}, "description": "The structure, drawn."},
        **problems(404, 422, 503),
    },
)
async def molecule_svg(item: StoredItem) -> Response:
    """A stored molecule's structure as an SVG drawing."""
    svg = await asyncio.to_thread(draw, item["smiles"])
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "max-age=3600"})


def draw(smiles: str, width: int = 260, height: int = 200) -> str:
    drawer = rdMolDraw2D.MolDraw2DSVG(width, height)
    drawer.DrawMolecule(Chem.MolFromSmiles(smiles))
    drawer.FinishDrawing()
    svg: str = drawer.GetDrawingText()
    return svg
