"""The application's composition, built once the same way by the web application and by the
command line: settings, database, the active snapshot's memory, the estimate and the national
geocoder. Each request or command then reads through one ``Reader``."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from app import __version__, migrate
from app.db import make_engine
from app.geocoding.geoplateforme import Geoplateforme
from app.settings import Settings
from app.zones import parameters
from app.zones.data import Estimate, IndexCache, Reader


@dataclass(frozen=True)
class Context:
    """What the routes and commands read from the application. The routes get it as one
    dependency: FastAPI spends ≈ 8 µs a request on each dependency it resolves."""

    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    indexes: IndexCache  # the in-memory data of the active snapshot
    online: Geoplateforme | None  # the national geocoder when settings ask for it
    estimate: Estimate

    @functools.cached_property
    def fingerprint(self) -> str:
        """What, besides the snapshot and the URL, an answer depends on: the code's version and
        the settings of the estimates."""
        return f"{__version__}|{self.estimate.thresholds!r}|{self.estimate.model!r}"

    def reader(self) -> Reader:
        """A reader for one request or command; close it (or use it in ``with``) in the thread
        that used its session."""
        return Reader(self.sessions, self.indexes, self.estimate)


def build(settings: Settings, **engine_options: Any) -> Context:
    """The context of ``settings``; the engine's pool takes ``engine_options``."""
    engine = make_engine(settings.sqlalchemy_url, **engine_options)
    estimate = Estimate(parameters.thresholds(settings), parameters.apl_model(settings))
    return Context(
        settings,
        engine,
        sessionmaker(engine, expire_on_commit=False),
        IndexCache(estimate.model),
        _national_geocoder(settings),
        estimate,
    )


@contextmanager
def reading(settings: Settings) -> Iterator[Reader]:
    """A reader on the migrated database of ``settings``, for a command or a script: the
    context is built, then disposed of with its engine."""
    context = build(settings)
    try:
        migrate.upgrade(context.engine)
        with context.reader() as reader:
            yield reader
    finally:
        context.engine.dispose()


def _national_geocoder(settings: Settings) -> Geoplateforme | None:
    """The national geocoder the settings ask for: tried on every request, or in auto mode
    once with a short timeout and left alone for a while when it does not answer."""
    if settings.geocoder == "offline":
        return None
    if settings.geocoder == "geoplateforme":
        return Geoplateforme(settings.geoplateforme_url, settings.geoplateforme_timeout_s)
    return Geoplateforme(
        settings.geoplateforme_url,
        settings.geoplateforme_probe_timeout_s,
        retries=1,
        reprobe_s=settings.geoplateforme_reprobe_s,
    )
