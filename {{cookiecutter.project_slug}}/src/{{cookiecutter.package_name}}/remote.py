"""A running service, driven through its HTTP API: what the command line uses with --url."""

import asyncio
from pathlib import Path
from typing import Any

import httpx

from .consistency import DriftReport
from .ingest import ProgressCallback
from .records import Hit, SearchRequest
from .reindex import Reindexed
from .schemas import Counts, Job, JobAccepted, JobState
from .uploads import files_at

# Where following a job stops: it ended, or nothing has moved it for a long while (say, no
# worker takes its chunks), which the person should hear about rather than wait on.
_FINISHED = {JobState.SUCCEEDED, JobState.FAILED, JobState.STALLED}


class RemoteError(RuntimeError):
    """The service refused a request; the message is its own explanation."""


class RemoteService:
    def __init__(self, client: httpx.AsyncClient, poll_seconds: float = 0.3) -> None:
        self._client = client
        self._poll_seconds = poll_seconds

    async def load(self, path: Path | None, on_progress: ProgressCallback) -> Job:
        """Upload a file or a folder's files (or start the sample load when `path` is None)
        and follow the job."""
        if path is None:
            response = await self._client.post("/items/sample")
        else:
            files = await asyncio.to_thread(files_at, path, path.name)
            parts = [("file", (file.name, await asyncio.to_thread(file.read))) for file in files]
            response = await self._client.post("/items", files=parts)
        accepted = JobAccepted.model_validate(self._ok(response))
        while True:
            job = Job.model_validate(self._ok(await self._client.get(f"/jobs/{accepted.job_id}")))
            on_progress(job)
            if job.state in _FINISHED:
                return job
            await asyncio.sleep(self._poll_seconds)

    async def search(self, request: SearchRequest) -> list[Hit]:
        found = self._ok(await self._client.post("/search", **request.http_body()))
        return [Hit.model_validate(hit) for hit in found["results"]]

    async def count(self) -> Counts:
        return Counts.model_validate(self._ok(await self._client.get("/items/count")))

    async def check(self) -> DriftReport:
        return DriftReport.model_validate(self._ok(await self._client.get("/admin/consistency")))

    async def repair(self) -> DriftReport:
        response = await self._client.post("/admin/consistency/repair")
        return DriftReport.model_validate(self._ok(response))

    async def reindex(self, restart: bool) -> Reindexed:
        # The service answers when the reindex is done: wait for it however long it takes.
        response = await self._client.post(
            "/admin/reindex", params={"restart": restart}, timeout=None
        )
        return Reindexed.model_validate(self._ok(response))

    @staticmethod
    def _ok(response: httpx.Response) -> dict[str, Any]:
        if response.is_error:
            try:
                detail = response.json()["detail"]
            except (ValueError, KeyError, TypeError):
                detail = response.text
            raise RemoteError(f"{response.status_code}: {detail}")
        body: dict[str, Any] = response.json()
        return body
