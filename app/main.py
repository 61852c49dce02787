"""Assemble the application: settings, database, error handlers and routers."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from app import __version__, errors, migrate
from app.aids.router import router as aids_router
from app.apidocs import router as apidocs
from app.bodies import GZIP_LEVEL
from app.context import build
from app.datasets.router import admin as admin_router
from app.datasets.router import router as service_router
from app.errors import DataUnavailable
from app.exports.router import router as exports_router
from app.geocoding.router import router as geocoding_router
from app.middleware import Guard, Head
from app.ogc.router import router as ogc_router
from app.places.router import router as places_router
from app.settings import Settings
from app.simulator import router as simulator
from app.zones.router import router as zones_router

API_PREFIX = "/api/v1"


def create_app(settings: Settings | None = None) -> FastAPI:
    """A configured application; it migrates the database on start-up."""
    settings = settings or Settings()
    context = build(
        settings,
        pool_size=settings.db_pool_size,
        max_overflow=0,
        pool_timeout=settings.db_pool_timeout_s,
    )
    engine = context.engine

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        migrate.upgrade(engine)
        with context.reader() as reader, suppress(DataUnavailable):
            reader.cache.current(reader.session)  # the in-memory indexes, before any request
        yield
        engine.dispose()

    app = FastAPI(
        lifespan=lifespan,
        title="zonage",
        version=__version__,
        description="Zones d'installation des médecins généralistes : classe de zonage, "
        "accessibilité (APL), chiffres clés et aides, avec la source et le millésime de chaque "
        "donnée.",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=None,
        redoc_url=None,
    )
    app.state.context = context
    app.state.engine = engine
    errors.install(app)
    # Routes are tried in order, the API's busiest first: each one passed costs ≈ 1 µs
    routers = (
        zones_router,
        aids_router,
        places_router,
        geocoding_router,
        exports_router,
        service_router,
        admin_router,
    )
    for router in routers:
        app.include_router(router, prefix=API_PREFIX)
    app.include_router(ogc_router)
    app.include_router(simulator.router)
    app.include_router(apidocs.router)
    for path, directory in (simulator.STATIC | apidocs.STATIC).items():
        app.mount(path, StaticFiles(directory=directory), name=path.removeprefix("/static/"))

    app.add_middleware(
        CORSMiddleware,
        allow_origins=settings.cors_origins,
        allow_methods=["GET", "POST"],
        allow_headers=["Content-Type"],
        max_age=3600,
    )
    # the page's scripts and styles, the cards and simulations: a third to a tenth on the wire;
    # map layers arrive gzipped already and pass through
    app.add_middleware(GZipMiddleware, minimum_size=1024, compresslevel=GZIP_LEVEL)
    app.add_middleware(Head)
    app.add_middleware(
        Guard,
        max_body=settings.max_body_bytes,
        hosts=settings.trusted_hosts,
        public_url=settings.public_url,
    )
    return app
