"""The baseline: a bare FastAPI app returning a constant JSON document."""

from __future__ import annotations

from fastapi import FastAPI

BODY = {"insee": "31555", "name": "Toulouse", "population": 514819, "apl": 4.68}


def create_app() -> FastAPI:
    app = FastAPI()

    @app.get("/constant")
    def constant() -> dict[str, object]:
        return BODY

    @app.get("/constant-async")
    async def constant_async() -> dict[str, object]:
        """The same without the worker-thread hop of a plain ``def``."""
        return BODY

    return app
