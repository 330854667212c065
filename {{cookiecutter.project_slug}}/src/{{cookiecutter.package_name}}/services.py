"""The service's parts, opened together and closed together: by the app's lifespan or the CLI."""

import asyncio
from dataclasses import dataclass

from .config import Settings
from .encoders import Encoder, load_encoder
from .ingest import INTERRUPTED, Ingestor
from .metadata_store import MetadataStore
from .milvus_store import MilvusStore
from .records import item_columns
from .search import Searcher


@dataclass
class Services:
    settings: Settings
    encoder: Encoder
    milvus: MilvusStore
    metadata: MetadataStore
    ingestor: Ingestor
    searcher: Searcher


async def open_services(settings: Settings, encoder: Encoder | None = None) -> Services:
    """Open both stores and the encoder; `encoder` lets tests share one loaded model."""
    if encoder is None:
        # Loading a model takes seconds of CPU: keep the event loop free meanwhile.
        encoder = await asyncio.to_thread(load_encoder, settings.encoder, settings.encoder_options)
    metadata = await MetadataStore.open(settings, item_columns)
    if settings.uses_milvus_lite:
        # Milvus Lite means one process: a job still marked running died with an earlier one.
        await metadata.fail_unfinished_jobs(INTERRUPTED)
    try:
        milvus = await MilvusStore.open(settings, encoder)
    except BaseException:
        await metadata.close()
        raise
    return Services(
        settings=settings,
        encoder=encoder,
        milvus=milvus,
        metadata=metadata,
        ingestor=Ingestor(metadata, milvus, encoder, settings.batch_size),
        searcher=Searcher(encoder, milvus, metadata, settings.default_top_k, settings.max_top_k),
    )


async def close_services(services: Services) -> None:
    await services.ingestor.shutdown()
    await services.milvus.close()
    await services.metadata.close()
