"""A question worded differently finds the sample FAQ entry it means."""

import csv
from pathlib import Path

import httpx
import pytest

FAQ = Path(__file__).resolve().parents[1] / "data" / "faq.csv"

# (what a person might type, the sample question it means)
PARAPHRASES = [
    (
        "I want to point this at my managed Zilliz instance, what do I need to set?",
        "How do I connect to Zilliz Cloud?",
    ),
    (
        "Can the item details live in a MariaDB database rather than SQLite?",
        "How do I use MySQL or MariaDB for the metadata store?",
    ),
    ("What command executes the automated tests?", "How do I run the test suite?"),
    ("How big are the vectors that get saved?", "How many dimensions do the stored vectors have?"),
    (
        "I want to erase everything stored and begin from a clean slate",
        "How do I wipe all data and start over?",
    ),
    ("Is it possible to scale out to multiple worker processes?", "How do I run several workers?"),
    (
        "Will it work offline on a machine with no network access?",
        "Does the service need an internet connection at run time?",
    ),
    (
        "I'd like to replace MiniLM with a different model, how?",
        "How do I swap the embedding model for another one?",
    ),
    (
        "Is there a Swagger page where I can try out the endpoints?",
        "Where can I find interactive API documentation?",
    ),
    (
        "What becomes of entries whose question is left blank?",
        "What happens to rows that have an empty question?",
    ),
    (
        "Do searches stall while thousands of rows are being ingested?",
        "Can I still search while a big file is loading?",
    ),
    (
        "How can I lock things down so only authorised clients can modify data?",
        "How do I protect the write endpoints with an API key?",
    ),
]


def test_the_meant_questions_are_in_the_sample() -> None:
    with FAQ.open(encoding="utf-8", newline="") as file:
        questions = {row["question"] for row in csv.DictReader(file)}
    assert len(questions) >= 60
    assert {meant for _, meant in PARAPHRASES} <= questions


@pytest.mark.parametrize(("asked", "meant"), PARAPHRASES)
async def test_a_paraphrase_finds_its_question_first(
    loaded_client: httpx.AsyncClient, asked: str, meant: str
) -> None:
    response = await loaded_client.post("/search", json={"question": asked, "top_k": 3})
    assert response.status_code == 200, response.text
    [best, *_] = response.json()["results"]
    assert best["question"] == meant
    assert best["answer"]
