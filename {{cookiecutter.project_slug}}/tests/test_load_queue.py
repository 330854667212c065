"""The load queue's own parts: chunk messages, and a Redis that cannot be reached."""

import json

import pytest

from {{ cookiecutter.package_name }}.config import Settings
from {{ cookiecutter.package_name }}.load_queue import Chunk, QueueUnavailableError, RedisQueue
from {{ cookiecutter.package_name }}.uploads import RowBlock

from servers import free_port


def test_a_chunk_survives_its_trip_through_the_queue_as_json() -> None:
    chunk = Chunk("job1", 3, [(7, "line 7", {"text": "ü", "size": 2}), (9, "b.jpg", {})])
    assert Chunk.from_payload(json.loads(json.dumps(chunk.payload()))) == chunk


def test_a_block_of_rows_survives_the_trip_and_reads_the_same() -> None:
    block = RowBlock(5, 'a,"x\ny"\n\nb,z\n', 2, columns=("q", "a"))
    chunk = Chunk("job1", 1, block=block)
    arrived = Chunk.from_payload(json.loads(json.dumps(chunk.payload())))
    assert arrived == chunk
    assert arrived.items() == [
        (6, "line 6", {"q": "a", "a": "x\ny"}),
        (8, "line 8", {"q": "b", "a": "z"}),
    ]


async def test_a_queue_that_cannot_be_reached_says_so() -> None:
    settings = Settings(
        _env_file=None,
        milvus_uri="http://127.0.0.1:19530",  # not contacted
        queue_url=f"redis://127.0.0.1:{free_port()}/0",  # nothing listens there
    )
    queue = RedisQueue(settings)
    try:
        with pytest.raises(QueueUnavailableError, match="the load queue is unavailable"):
            await queue.enqueue([Chunk("job1", 0, [])])
    finally:
        await queue.close()


def test_a_queue_needs_a_milvus_server() -> None:
    with pytest.raises(ValueError, match="Milvus Lite is opened by one process only"):
        Settings(_env_file=None, milvus_uri="var/milvus.db", queue_url="redis://127.0.0.1/0")
