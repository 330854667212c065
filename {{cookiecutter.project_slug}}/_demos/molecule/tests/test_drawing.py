import httpx

from examples import UPLOAD
from helpers import multipart, wait_for_job


async def test_a_stored_molecule_is_drawn_as_svg(client: httpx.AsyncClient) -> None:
    accepted = await client.post("/items", files=multipart(UPLOAD))
    await wait_for_job(client, accepted.json()["job_id"])
    [first, *_] = (await client.get("/items")).json()
    response = await client.get(f"/items/{first['id']}/svg")
    assert response.status_code == 200
    assert response.headers["content-type"] == "image/svg+xml"
    assert response.text.lstrip().startswith("<?xml")
    assert "<svg" in response.text


async def test_an_unknown_molecule_has_no_drawing(client: httpx.AsyncClient) -> None:
    response = await client.get("/items/987654/svg")
    assert response.status_code == 404
    assert response.json() == {"detail": "no item with id 987654"}
