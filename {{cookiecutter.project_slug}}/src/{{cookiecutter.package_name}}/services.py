"""The service's parts, opened together and closed together: by the app's lifespan or the CLI."""

import asyncio
import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .encoders import Encoder, load_encoder
from .ingest import INTERRUPTED, Ingestor
from .item_files import ItemFiles
from .load_queue import ChunkQueue, InProcessQueue, RedisQueue
from .metadata_store import MetadataStore
from .milvus_store import MilvusStore
from .query_batcher import QueryBatcher
from .records import VECTORS_PER_ITEM, EncoderInput, item_columns, item_files
from .search import Searcher
from .store_lock import StoreLock

logger = logging.getLogger(__name__)


@dataclass
class Services:
    settings: Settings
    encoder: Encoder[EncoderInput]
    milvus: MilvusStore
    metadata: MetadataStore
    ingestor: Ingestor
    searcher: Searcher
    # What items keep beside the two stores, removed after them.
    files: ItemFiles
    lock: StoreLock | None = None


async def open_services(
    settings: Settings, loaded: Encoder[EncoderInput] | None = None
) -> Services:
    """Open both stores and the encoder; `loaded` lets tests share one loaded model.

    A Milvus Lite store is locked first (a second opener fails at once, having touched
    nothing), and stays locked until `close_services`.
    """
    lock = StoreLock.acquire(Path(settings.milvus_uri)) if settings.uses_milvus_lite else None
    try:
        return await _open(settings, loaded, lock)
    except BaseException:
        if lock:
            lock.release()
        raise


async def _open(
    settings: Settings, loaded: Encoder[EncoderInput] | None, lock: StoreLock | None
) -> Services:
    # The metadata store first: a schema this version cannot run on is refused at once,
    # before a model spends seconds loading.
    metadata = await MetadataStore.open(settings, item_columns)
    try:
        encoder = loaded if loaded is not None else await _load_encoder(settings)
        if lock:
            # This process holds the store alone: a job still marked running died with an
            # earlier one.
            await metadata.fail_unfinished_jobs(INTERRUPTED)
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
        searcher=Searcher(
            encoder,
            milvus,
            metadata,
            QueryBatcher(encoder, settings.query_batch_size, settings.query_batch_wait_ms / 1000),
            settings.default_top_k,
            settings.max_top_k,
        ),
        files=item_files(settings),
        lock=lock,
    )


def _queue(settings: Settings, ingestor: Ingestor) -> ChunkQueue:
    """Redis and `worker` processes when a queue is configured, else this process."""
    if settings.queue_url:
        return RedisQueue(settings)
    return InProcessQueue(ingestor.run_in_order)


async def _load_encoder(settings: Settings) -> Encoder[EncoderInput]:
    # A model takes seconds to load: say so, or a first start looks hung. It runs in a thread
    # to keep the event loop free meanwhile.
    logger.info("loading the encoder %s", settings.encoder)
    started = time.monotonic()
    encoder: Encoder[EncoderInput] = await asyncio.to_thread(
        load_encoder, settings.encoder, settings.encoder_options
    )
    logger.info("encoder ready in %.1f s", time.monotonic() - started)
    return encoder


async def close_services(services: Services) -> None:
    try:
        await services.ingestor.shutdown()
        await services.searcher.close()
        await services.milvus.close()
        await services.metadata.close()
    finally:
        if services.lock:
            services.lock.release()
