"""Real ../shared/data loaded into each backend: counts, known values, validity, atomic reloads."""

from __future__ import annotations

import csv
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from app.datasets.models import Snapshot, SnapshotStatus
from app.datasets.snapshot import TABLES, active_snapshot_id
from app.db import is_sqlite
from app.main import create_app
from app.settings import REPO_ROOT, Settings
from app.zones.models import Accessibility


def _counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        sid = active_snapshot_id(session)
        return {
            name: session.scalar(
                select(func.count()).select_from(model).where(model.snapshot_id == sid)
            )
            for name, model in TABLES.items()
        }


def _apl_row(shared_data: Path, code: str, file: str = "apl-drees-2021/apl_mg_2021.csv") -> dict:
    with open(shared_data / file, encoding="utf-8") as f:
        return next(
            r for r in csv.DictReader(f) if (r.get("Code commune") or r["code_commune"]) == code
        )


def test_counts(loaded: tuple[str, Engine]) -> None:
    counts = _counts(loaded[1])
    # COG 2026: 34,875 communes of metropolitan France and the DROM + 45 arrondissements
    assert counts["commune"] == 34_920
    assert counts["region"] == 18 and counts["departement"] == 101
    # five professions and three GP vintages, every commune of each APL file mapped onto the
    # COG 2026
    assert 7 * 34_900 < counts["accessibility"] <= 7 * 34_920
    # the APL 2015-2019 of nearly every commune (some years are missing for a few hundred)
    assert 5 * 34_400 < counts["apl_history"] <= 5 * 34_920
    assert counts["hospital"] == 5_368


def test_toulouse_card(client: TestClient, shared_data: Path) -> None:
    source = _apl_row(shared_data, "31555", "apl-drees-2022-2023/apl_mg_2023.csv")
    source_2021 = _apl_row(shared_data, "31555")
    card = client.get("/api/v1/communes/31555").json()
    assert card["name"] == "Toulouse"
    assert card["departement"] == {"code": "31", "name": "Haute-Garonne"}
    assert card["region"] == {"code": "76", "name": "Occitanie"}
    assert card["population"] == 514_819
    apl = card["apl"]
    # the latest DREES vintage, APL 2023
    assert apl["all_ages"] == float(source["apl_mg"]) == 4.569
    assert apl["le65"] == float(source["apl_mg_moins65"]) == 3.887
    assert apl["le62"] is None  # no ≤ 62 variant after 2021
    assert apl["derivation"] == "source" and apl["provenance"]["vintage"] == "APL 2023"
    le62 = next(f for f in card["figures"] if f["key"] == "apl_mg_le62")
    assert le62["value"] == float(source_2021["APL aux médecins généralistes de 62 ans et moins"])
    assert le62["provenance"]["vintage"] == "APL 2021"
    west, south, east, north = card["bbox"]
    assert west < card["centroid"]["lon"] < east and south < card["centroid"]["lat"] < north
    assert 110 < card["area_km2"] < 125  # Toulouse: 118.3 km²
    # Toulouse is not in the unofficial zonage file's ZIP/ZAC lists: its class is published there
    assert card["zone"]["status"] == "publié"
    assert card["zone"]["provenance"]["official"] is False


def test_corsica_and_published_zip(client: TestClient) -> None:
    ajaccio = client.get("/api/v1/communes/2A004").json()
    assert ajaccio["departement"]["code"] == "2A" and ajaccio["region"]["code"] == "94"
    assert client.get("/api/v1/communes/2a004").json()["insee"] == "2A004"
    gap = client.get("/api/v1/communes/05061").json()  # Gap: APL 2023 5.169 in the source
    assert gap["apl"]["all_ages"] == 5.169


def test_paris_gets_its_arrondissements_mean(
    client: TestClient, loaded: tuple[str, Engine]
) -> None:
    with Session(loaded[1]) as session:
        sid = active_snapshot_id(session)
        rows = session.execute(
            select(Accessibility.value, Accessibility.std_population).where(
                Accessibility.snapshot_id == sid,
                Accessibility.profession == "medecin_generaliste",
                Accessibility.insee.between("75101", "75120"),
            )
        ).all()
    expected = sum(v * w for v, w in rows) / sum(w for _, w in rows)
    paris = client.get("/api/v1/communes/75056").json()["apl"]
    assert paris["derivation"] == "arrondissements" and len(paris["source_codes"]) == 20
    assert paris["all_ages"] == pytest.approx(expected, abs=1e-3)


def test_every_geometry_valid(loaded: tuple[str, Engine]) -> None:
    engine = loaded[1]
    valid = "ST_IsValid(geom) = 1" if is_sqlite(engine) else "ST_IsValid(geom)"
    with engine.connect() as conn:
        total, good = conn.execute(
            text(
                f"SELECT count(*), sum(CASE WHEN {valid} THEN 1 ELSE 0 END) FROM commune "
                "WHERE geom IS NOT NULL AND snapshot_id = "
                "(SELECT id FROM snapshot WHERE status = 'active')"
            )
        ).one()
    assert total == 34_916 and good == total


def test_reload_over_http_while_readers_read(
    loaded: tuple[str, Engine], data_dir: Path, shared_data: Path
) -> None:
    """The token-protected reload builds the same data; readers meanwhile always get whole
    answers, from the old snapshot then from the new one, never back."""
    url, engine = loaded
    before = _counts(engine)
    settings = Settings(
        database_url=url,
        data_dir=data_dir,
        data_mirror=shared_data,
        admin_token="jeton-de-test",
        _env_file=None,
    )
    with TestClient(create_app(settings)) as client:
        card = client.get("/api/v1/communes/05061").content
        first = client.get("/api/v1/meta").json()["snapshot_id"]
        seen: list[list[int]] = [[] for _ in range(3)]
        failures: list[str] = []
        done = threading.Event()

        def read(ids: list[int]) -> None:
            # paced: readers spinning flat out took the GIL from the load (140 s instead of 40)
            while not done.wait(0.05):
                meta = client.get("/api/v1/meta")
                again = client.get("/api/v1/communes/05061")
                if meta.status_code != 200 or again.content != card:
                    failures.append(f"{meta.status_code} {again.status_code}")
                ids.append(meta.json()["snapshot_id"])

        readers = [threading.Thread(target=read, args=(ids,)) for ids in seen]
        for reader in readers:
            reader.start()
        try:
            reloaded = client.post(
                "/api/v1/admin/reload", headers={"Authorization": "Bearer jeton-de-test"}
            )
        finally:
            done.set()
            for reader in readers:
                reader.join()
    assert reloaded.status_code == 200, reloaded.text
    last = reloaded.json()["snapshot_id"]
    assert last > first and failures == []
    for ids in seen:
        assert ids and set(ids) <= {first, last} and ids == sorted(ids)
    assert _counts(engine) == before


def test_killed_load_leaves_previous_snapshot(
    loaded: tuple[str, Engine], client: TestClient
) -> None:
    url, engine = loaded
    before = _counts(engine)
    with Session(engine) as session:
        served = active_snapshot_id(session)
    env = dict(os.environ, ZONAGE_DATABASE_URL=url)
    process = subprocess.Popen(
        [sys.executable, "-m", "app.cli", "data", "load"],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            with Session(engine) as session:
                building = session.scalar(
                    select(Snapshot.id).where(Snapshot.status == SnapshotStatus.building)
                )
            if building is not None:
                break
            time.sleep(0.05)
        assert building is not None, "the load never started writing"
        time.sleep(1.0)  # mid-way through the inserts
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    with Session(engine) as session:
        assert active_snapshot_id(session) == served
    assert _counts(engine) == before
    assert client.get("/api/v1/communes/31555").json()["apl"]["all_ages"] == 4.569


@pytest.mark.parametrize(
    ("insee", "series"),
    [
        # DREES series 2015-2019 (2 decimals), then the DREES files 2021, 2022, 2023
        ("05061", [5.7, 5.6, 5.54, 5.42, 5.66, 5.341, 5.617, 5.169]),
        ("23096", [3.93, 3.92, 4.0, 3.71, 3.54, 3.375, 3.204, 2.95]),
        ("31555", [5.12, 5.0, 4.89, 4.91, 4.76, 4.68, 4.609, 4.569]),
    ],
)
def test_apl_history_2015_2023(client: TestClient, insee: str, series: list[float]) -> None:
    apl = client.get(f"/api/v1/communes/{insee}").json()["apl"]
    assert [p["year"] for p in apl["history"]] == [2015, 2016, 2017, 2018, 2019, 2021, 2022, 2023]
    assert [p["value"] for p in apl["history"]] == series
    assert [p["dataset"] for p in apl["history"]][-4:] == [
        "apl-mg-historique",
        "apl-mg-2021",
        "apl-mg-2022",
        "apl-mg",
    ]
    vintages = [p["vintage"] for p in apl["history_provenance"]]
    assert vintages == ["APL 2015 à 2019", "APL 2021", "APL 2022", "APL 2023"]


def test_ageing_share_keeps_the_apl_2021(client: TestClient, shared_data: Path) -> None:
    """Later vintages have no ≤ 62 variant: the share of GPs near retirement stays on 2021."""
    source = _apl_row(shared_data, "23096")
    ageing = client.get("/api/v1/communes/23096").json()["ageing"]
    commune = next(s for s in ageing["shares"] if s["scope"] == "commune")
    all_ages = float(source["APL aux médecins généralistes (sans borne d'âge)"])
    le62 = float(source["APL aux médecins généralistes de 62 ans et moins"])
    assert commune["over62"] == pytest.approx(1 - le62 / all_ages, abs=1e-3)  # 1 − 2.16/3.375
    assert ageing["provenance"]["vintage"] == "APL 2021" and "2021" in ageing["method"]


def test_national_cards_are_the_json_their_schema_declares(
    loaded: tuple[str, Engine], client: TestClient
) -> None:
    """The cards written without pydantic (app/zones/card.py), for 300 communes drawn across
    France and every kind of them (arrondissements, DROM, Corsica):
    read back through ``CommuneCard``, the same JSON."""
    import json
    import random

    from app.zones.models import Commune
    from app.zones.schemas import CommuneCard

    _, engine = loaded
    with Session(engine) as session:
        codes = sorted(session.scalars(select(Commune.insee)))
    drawn = random.Random(34).sample(codes, 300) + ["75101", "13201", "97411", "2A004", "23096"]
    for insee in drawn:
        answer = client.get(f"/api/v1/communes/{insee}")
        assert answer.status_code == 200, insee
        shown = json.loads(answer.content)
        assert CommuneCard.model_validate(shown).model_dump(mode="json") == shown, insee
