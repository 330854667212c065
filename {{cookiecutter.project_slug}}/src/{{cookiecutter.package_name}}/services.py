"""The service's parts, opened together and closed together: by the app's lifespan or the CLI."""

import asyncio
import functools
from dataclasses import dataclass

from .config import Settings
from .encoders import Encoder, load_encoder
from .ingest import INTERRUPTED, Ingestor
from .load_queue import ChunkQueue, InProcessQueue, RedisQueue
from .metadata_store import MetadataStore
from .milvus_store import MilvusStore
from .records import VECTORS_PER_ITEM, EncoderInput, item_columns
from .search import Searcher


@dataclass
class Services:
    settings: Settings
    encoder: Encoder[EncoderInput]
    milvus: MilvusStore
    metadata: MetadataStore
    ingestor: Ingestor
    searcher: Searcher


async def open_services(
    settings: Settings, loaded: Encoder[EncoderInput] | None = None
) -> Services:
    """Open both stores and the encoder; `loaded` lets tests share one loaded model."""
    encoder = loaded if loaded is not None else await _load_encoder(settings)
    metadata = await MetadataStore.open(settings, item_columns)
    if settings.uses_milvus_lite:
        # Milvus Lite means one process: a job still marked running died with an earlier one.
        await metadata.fail_unfinished_jobs(INTERRUPTED)
    try:
        milvus = await MilvusStore.open(settings, encoder, VECTORS_PER_ITEM)
    except BaseException:
        await metadata.close()
        raise
    return Services(
        settings=settings,
        encoder=encoder,
        milvus=milvus,
        metadata=metadata,
        ingestor=Ingestor(metadata, milvus, encoder, settings, functools.partial(_queue, settings)),
        searcher=Searcher(encoder, milvus, metadata, settings.default_top_k, settings.max_top_k),
    )


def _queue(settings: Settings, ingestor: Ingestor) -> ChunkQueue:
    """Redis and `worker` processes when a queue is configured, else this process."""
    if settings.queue_url:
        return RedisQueue(settings)
    return InProcessQueue(ingestor.run_in_order)


async def _load_encoder(settings: Settings) -> Encoder[EncoderInput]:
    # Loading a model takes seconds of CPU: keep the event loop free meanwhile.
    encoder: Encoder[EncoderInput] = await asyncio.to_thread(
        load_encoder, settings.encoder, settings.encoder_options
    )
    return encoder


async def close_services(services: Services) -> None:
    await services.ingestor.shutdown()
    await services.milvus.close()
    await services.metadata.close()
