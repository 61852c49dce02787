"""More clients than connections and worker threads: requests wait their turn for a connection
and never lock each other out; a connection that does not come in time is a 503 that says when
to come back."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from app.main import create_app
from app.settings import Settings


async def _one_worker_thread() -> None:
    anyio.to_thread.current_default_thread_limiter().total_tokens = 1


@pytest.fixture
def narrow(loaded: tuple[str, Engine]) -> Iterator[TestClient]:
    """One connection, one worker thread."""
    settings = Settings(database_url=loaded[0], db_pool_size=1, db_pool_timeout_s=1, _env_file=None)
    with TestClient(create_app(settings)) as client:
        client.portal.call(_one_worker_thread)
        yield client


def test_requests_take_turns_on_the_only_connection(narrow: TestClient) -> None:
    """A sync endpoint's response is validated in a second worker thread: holding the connection
    until then would leave every request waiting for the other's resource."""
    with ThreadPoolExecutor(8) as clients:
        answers = list(clients.map(lambda _: narrow.get("/api/v1/meta"), range(24)))
    assert [a.status_code for a in answers] == [200] * 24
    assert len({a.json()["snapshot_id"] for a in answers}) == 1


def test_no_free_connection_in_time_is_a_503_with_retry_after(narrow: TestClient) -> None:
    engine: Engine = narrow.app.state.engine
    with engine.connect():  # the pool's only connection
        busy = narrow.get("/api/v1/meta")
    assert busy.status_code == 503
    assert busy.headers["content-type"] == "application/problem+json"
    assert busy.headers["retry-after"] == "5"
    assert "surchargé" in busy.json()["detail"]
    assert narrow.get("/api/v1/meta").status_code == 200
