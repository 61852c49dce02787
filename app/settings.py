"""Service settings, read from the environment (prefix ``ZONAGE_``) or a ``.env`` file.

Plain values only: the domain objects they parametrise are built in ``app.zones.parameters``."""

from __future__ import annotations

import os
import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, NonNegativeFloat, PositiveFloat, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent
_PACKAGED = Path(__file__).resolve().parent / "_resources"


def _first_existing(*candidates: Path) -> Path:
    return next((p for p in candidates if p.exists()), candidates[0])


def _default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "zonage"


def _default_mirror() -> Path | None:
    """``../shared/data`` beside the checkout (or the working directory) when it exists."""
    for root in (REPO_ROOT, Path.cwd()):
        candidate = root.parent / "shared" / "data"
        if candidate.is_dir():
            return candidate
    return None


class Settings(BaseSettings):
    """Everything an operator may change; defaults give a working embedded service."""

    model_config = SettingsConfigDict(env_prefix="ZONAGE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(default_factory=_default_data_dir)
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; PostgreSQL+PostGIS when set, else a SpatiaLite file "
        "under data_dir.",
    )
    data_mirror: Path | None = Field(default_factory=_default_mirror)
    manifest_path: Path = Field(
        default_factory=lambda: _first_existing(
            REPO_ROOT / "data" / "geo" / "manifest.toml", _PACKAGED / "manifest.toml"
        )
    )
    allow_download: bool = Field(
        default=True, description="Fetch files missing from the mirror from their exact URL."
    )
    # Zonage estimate (rules.md, "Corrections"): APL of GPs aged 65 or less, 2017 method;
    # the method's text is written from these numbers (classify.Thresholds.describe).
    zip_max_apl: float = 2.5
    zip_inclusive: bool = True
    vivier_max_apl: float = 4.0
    vivier_inclusive: bool = True
    # APL engine: the DREES method's parameters, sheet « Paramètres » of its APL 2022-2023
    # workbook (shared/data/apl-drees-2022-2023); every estimate names them.
    apl_decay: list[tuple[PositiveFloat, NonNegativeFloat]] = Field(
        default=[(10.0, 1.0), (15.0, 2 / 3), (20.0, 1 / 3)],
        description="Bandes de décroissance [[minutes, poids], ...] (borne incluse) : moins de "
        "10 min → 1, 10 à 15 → 2/3, 15 à 20 → 1/3, au-delà 0 (DREES, paramètres de l'APL "
        "2022-2023).",
    )
    # Travel times without a distancier: an affine function of the crow-fly distance, the
    # least-squares fit on 2,429 pairs of INSEE Metric road times (shared/data/travel-time-
    # calibration-gironde; `zonage apl calibrate`). Against ×1.3 at 60 km/h it cuts the mean
    # error from 16.8 to 5.9 min and brings our APL closer to the DREES's on Normandie
    # (bench/RESULTS.md).
    travel_start_minutes: float = Field(
        default=8.17,
        ge=0,
        description="Minutes de trajet entre deux communes distinctes avant tout kilomètre "
        "(ordonnée à l'origine de l'ajustement sur le distancier Metric de l'Insee).",
    )
    travel_minutes_per_km: float = Field(
        default=0.841,
        gt=0,
        description="Minutes de trajet par km à vol d'oiseau (pente de l'ajustement sur le "
        "distancier Metric de l'Insee).",
    )
    travel_times_csv: Path | None = Field(
        default=None,
        description="Distancier commune à commune (CSV origine;destination;minutes, codes "
        "INSEE) qui remplace l'estimation à vol d'oiseau.",
    )
    gp_activity_zero_below: int = Field(
        default=250,
        description="Activité d'un médecin en dessous de laquelle elle compte pour 0 (actes/an ; "
        "DREES, paramètres de l'APL 2022-2023).",
    )
    gp_activity_floor: int = Field(
        default=3600,
        description="Activité comptée au moins pour un médecin au-dessus du seuil précédent "
        "(actes/an ; DREES, paramètres de l'APL 2022-2023).",
    )
    gp_activity_ceiling: int = Field(
        default=6000,
        description="Activité comptée au plus par médecin (actes/an ; DREES, paramètres de "
        "l'APL 2022-2023).",
    )
    gp_activity: int = Field(
        default=5400,
        description="Actes par an d'un médecin quand seul l'effectif est connu : l'activité que "
        "la DREES impute à un médecin libéral nouvellement installé (paramètres de l'APL "
        "2022-2023).",
    )
    geocoder: Literal["auto", "offline", "geoplateforme"] = Field(
        default="auto",
        description="auto: the national geocoder when it answers (one try with a short "
        "timeout; unreachable, it is left alone for geoplateforme_reprobe_s), else the offline "
        "gazetteer; geoplateforme: the national geocoder first on every request, with retries; "
        "offline: the gazetteer only",
    )
    geoplateforme_url: str = "https://data.geopf.fr/geocodage/search"
    geoplateforme_timeout_s: float = Field(
        default=3.0, gt=0, description="Timeout of one request (geoplateforme mode)"
    )
    geoplateforme_probe_timeout_s: float = Field(
        default=1.0, gt=0, description="Timeout of one request in auto mode"
    )
    geoplateforme_reprobe_s: float = Field(
        default=300, gt=0, description="Auto mode: how long an unreachable geocoder is left alone"
    )
    public_url: str | None = Field(
        default=None,
        pattern=r"^https?://[^/?#\s]+(/[^?#\s]*)?$",
        description="The service's public address (https://zonage.example.fr), from which the "
        "answers' links are written; unset, they follow the request's Host, which a front proxy "
        "must then pin",
    )
    embed_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins allowed to frame the page in embed mode (?embed=1), comma-separated, "
        "e.g. https://www.paps.sante.fr",
    )
    cors_origins: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Origins whose scripts may call the API (CORS), comma-separated; none by "
        "default",
    )
    admin_token: SecretStr | None = Field(
        default=None,
        description="Bearer token of the administration endpoints (reload, cache purge); they "
        "are closed when unset",
    )
    max_body_bytes: int = Field(
        default=64 * 1024, gt=0, description="Largest request body accepted (413 beyond)"
    )
    db_pool_size: int = Field(
        default=20,
        gt=0,
        description="Database connections per process, kept open (a SpatiaLite connection "
        "costs milliseconds to open)",
    )
    db_pool_timeout_s: float = Field(
        default=10, gt=0, description="Wait for a free connection before answering 503"
    )
    host: str = "127.0.0.1"
    port: int = 8000
    limit_concurrency: int = Field(
        default=1000,
        gt=0,
        description="Connections a process holds at once; past them uvicorn answers 503 "
        "instead of running out of file descriptors",
    )
    timeout_keep_alive_s: int = Field(
        default=5, gt=0, description="An idle keep-alive connection is closed after this"
    )
    trusted_hosts: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Host names the service answers to (« zonage.example.fr », "
        "« *.example.fr »), comma-separated; any other Host gets a 400. Unset: every Host, "
        "which the front proxy must then pin",
    )

    @field_validator("apl_decay")
    @classmethod
    def _decay(cls, value: list[tuple[float, float]]) -> list[tuple[float, float]]:
        bounds = [minutes for minutes, _ in value]
        if not bounds or bounds != sorted(bounds):
            raise ValueError("bandes de décroissance attendues par durée croissante")
        return value

    @field_validator("trusted_hosts", mode="before")
    @classmethod
    def _hosts(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip().lower() for part in value.split(",") if part.strip()]
        for host in value if isinstance(value, list) else []:
            if not re.fullmatch(r"(\*\.)?[a-z0-9.-]+|\[[0-9a-f:]+\]", str(host)):
                raise ValueError(f"nom d'hôte invalide : {host!r}")
        return value

    @field_validator("embed_origins", "cors_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        for origin in value if isinstance(value, list) else []:
            if not re.fullmatch(r"https?://[A-Za-z0-9.-]+(:\d+)?", str(origin)):
                raise ValueError(f"origine invalide : {origin!r}")
        return value

    @cached_property
    def sqlalchemy_url(self) -> str:
        """The configured URL, or the default SpatiaLite file."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'zonage.sqlite'}"

    @property
    def download_dir(self) -> Path:
        """Where files fetched from their official URL are kept between loads."""
        return self.data_dir / "downloads"

    @property
    def local_manifest_path(self) -> Path:
        """Files the operator pinned (``zonage data rpps``), read with the project's manifest."""
        return self.data_dir / "manifest.local.toml"

    @property
    def pinned_dir(self) -> Path:
        return self.data_dir / "pinned"


def migrations_dir() -> Path:
    """Alembic scripts: the checkout's ``migrations/`` or the copy packed in the wheel."""
    return _first_existing(REPO_ROOT / "migrations", _PACKAGED / "migrations")
