"""The service's parts, opened together and closed together: by the app's lifespan or the CLI."""

import asyncio
import contextlib
import functools
import logging
import time
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .encoders import Encoder, identity, load_encoder
from .ingest import INTERRUPTED, Ingestor
from .item_files import ItemFiles
from .load_queue import ChunkQueue, InProcessQueue, RedisQueue
from .metadata_store import MetadataStore
from .milvus_store import MilvusStore, SchemaMismatchError, identity_mismatch
from .query_batcher import QueryBatcher
from .records import VECTORS_PER_ITEM, EncoderInput, item_columns, item_files
from .reindex import Reindexed, ReindexProgress, reindex
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
        milvus = await open_collection(settings, metadata, encoder)
    except BaseException:
        await metadata.close()
        raise
    files = item_files(settings)
    return Services(
        settings=settings,
        encoder=encoder,
        milvus=milvus,
        metadata=metadata,
        ingestor=Ingestor(
            metadata, milvus, encoder, settings, files, functools.partial(_queue, settings)
        ),
        searcher=Searcher(
            encoder,
            milvus,
            metadata,
            QueryBatcher(encoder, settings.query_batch_size, settings.query_batch_wait_ms / 1000),
            settings.default_top_k,
            settings.max_top_k,
        ),
        files=files,
        lock=lock,
    )


async def open_collection(
    settings: Settings, metadata: MetadataStore, encoder: Encoder[EncoderInput]
) -> MilvusStore:
    """The Milvus collection that serves COLLECTION now (a reindex may have replaced the first),
    refused in one line when the metadata store or the collection's description records
    another encoder; the identity is recorded where it was not yet."""
    recorded = await metadata.get_collection(settings.collection)
    configured = identity(encoder)
    if recorded is not None and recorded.identity not in (None, configured):
        raise SchemaMismatchError(identity_mismatch(recorded.active, recorded.identity, configured))
    active = recorded.active if recorded else settings.collection
    milvus = await MilvusStore.open(settings, encoder, VECTORS_PER_ITEM, active)
    if recorded is None or recorded.identity is None:
        try:
            await metadata.record_identity(settings.collection, configured)
        except BaseException:
            await milvus.close()
            raise
    return milvus


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


async def reindex_stores(
    settings: Settings,
    on_progress: ReindexProgress | None = None,
    restart: bool = False,
    loaded: Encoder[EncoderInput] | None = None,
) -> Reindexed:
    """Reindex with the stores opened for that alone (the command line's way): unlike
    `open_services` this needs no collection of the configured encoder, which there is not
    yet when ENCODER has just changed. `loaded` lets tests pass an encoder."""
    lock = StoreLock.acquire(Path(settings.milvus_uri)) if settings.uses_milvus_lite else None
    async with contextlib.AsyncExitStack() as stack:
        if lock:
            stack.callback(lock.release)
        metadata = await MetadataStore.open(settings, item_columns)
        stack.push_async_callback(metadata.close)
        encoder = loaded if loaded is not None else await _load_encoder(settings)
        if lock:
            # This process holds the store alone: a job or a reindex marked running died with
            # an earlier process.
            await metadata.fail_unfinished_jobs(INTERRUPTED)
            restart = True
        milvus = MilvusStore.connect(settings, encoder, VECTORS_PER_ITEM)
        stack.push_async_callback(milvus.close)
        return await reindex(settings, metadata, milvus, on_progress, restart)
    raise AssertionError("unreachable: the exit stack swallows nothing")


async def close_services(services: Services) -> None:
    try:
        await services.ingestor.shutdown()
        await services.searcher.close()
        await services.milvus.close()
        await services.metadata.close()
    finally:
        if services.lock:
            services.lock.release()
