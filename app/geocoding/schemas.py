"""Response models of the geocoder."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class GeocodeMatch(BaseModel):
    """A candidate place for a typed query."""

    label: str
    kind: Literal["adresse", "commune"]
    score: float = Field(ge=0, le=1, description="Part des mots de la requête retrouvés")
    insee: str = Field(description="Commune de l'adresse selon la BAN (elle prime sur le contour)")
    commune: str
    postcode: str | None
    lon: float
    lat: float


class GeocodeResults(BaseModel):
    query: str
    provider: Literal["hors ligne", "Géoplateforme"]
    results: list[GeocodeMatch]
