"""The Géoplateforme geocoder, on responses in the service's documented format (respx): no call
ever leaves the machine."""

from __future__ import annotations

import httpx
import pytest
import respx

from app.context import reading
from app.geocoding.geoplateforme import Geoplateforme, Unavailable
from app.geocoding.service import geocode
from app.settings import Settings

URL = "https://data.geopf.fr/geocodage/search"
RESPONSE = {  # shape of GET /geocodage/search?q=12+avenue+jean+jaures+gap&limit=2
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [6.0812, 44.5589]},
            "properties": {
                "label": "12 Avenue Jean Jaurès 05000 Gap",
                "score": 0.97,
                "housenumber": "12",
                "id": "05061_1950_00012",
                "name": "12 Avenue Jean Jaurès",
                "postcode": "05000",
                "citycode": "05061",
                "x": 944853.5,
                "y": 6386425.1,
                "city": "Gap",
                "context": "05, Hautes-Alpes, Provence-Alpes-Côte d'Azur",
                "type": "housenumber",
                "importance": 0.62,
                "street": "Avenue Jean Jaurès",
            },
        },
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [6.0786, 44.5594]},
            "properties": {
                "label": "Gap",
                "score": 0.41,
                "id": "05061",
                "name": "Gap",
                "postcode": "05000",
                "citycode": "05061",
                "city": "Gap",
                "type": "municipality",
                "importance": 0.7,
            },
        },
    ],
}


def _provider(**kwargs) -> Geoplateforme:
    return Geoplateforme(URL, sleep=lambda s: None, **kwargs)


@respx.mock
def test_answers_are_mapped_and_cached() -> None:
    route = respx.get(URL).mock(return_value=httpx.Response(200, json=RESPONSE))
    provider = _provider()
    first = provider.search("12 avenue jean jaures gap", 2)
    assert [(m.kind, m.insee, m.score) for m in first] == [
        ("adresse", "05061", 0.97),
        ("commune", "05061", 0.41),
    ]
    assert (first[0].lon, first[0].lat) == (6.0812, 44.5589)
    assert provider.search("12 Avenue Jean Jaures Gap ", 2) == first
    assert route.call_count == 1
    assert route.calls[0].request.url.params["limit"] == "2"


@respx.mock
def test_429_and_5xx_are_retried_with_backoff() -> None:
    waits: list[float] = []
    route = respx.get(URL).mock(
        side_effect=[httpx.Response(429), httpx.Response(503), httpx.Response(200, json=RESPONSE)]
    )
    provider = Geoplateforme(URL, sleep=waits.append, backoff_s=0.5)
    assert provider.search("gap", 2)[1].label == "Gap"
    assert route.call_count == 3 and waits == [0.5, 1.0]


@respx.mock
def test_gives_up_after_retries_or_on_a_client_error() -> None:
    respx.get(URL).mock(return_value=httpx.Response(500))
    with pytest.raises(Unavailable):
        _provider(retries=2).search("gap", 2)
    respx.get(URL).mock(return_value=httpx.Response(400))
    with pytest.raises(Unavailable, match="400"):
        _provider().search("gap", 2)
    respx.get(URL).mock(side_effect=httpx.ConnectTimeout("timeout"))
    with pytest.raises(Unavailable):
        _provider().search("gap", 2)


@respx.mock
def test_falls_back_to_the_offline_gazetteer(loaded) -> None:
    respx.get(URL).mock(side_effect=httpx.ConnectError("unreachable"))
    with reading(Settings(database_url=loaded[0], _env_file=None)) as reader:
        result = geocode(reader, "12 av jean jaures gap", 3, _provider(retries=1))
    assert result.provider == "hors ligne"
    assert result.results[0].label == "12 Avenue Jean Jaurès 05000 Gap"
    respx.get(URL).mock(return_value=httpx.Response(200, json=RESPONSE))
    with reading(Settings(database_url=loaded[0], _env_file=None)) as reader:
        online = geocode(reader, "12 av jean jaures gap", 2, _provider())
    assert online.provider == "Géoplateforme"


@respx.mock
def test_auto_mode_tries_once_then_rests_then_tries_again(loaded) -> None:
    """Unreachable: one short try, then the offline gazetteer at once for reprobe_s; answering
    again after that: the national geocoder."""
    now = [1000.0]
    route = respx.get(URL).mock(side_effect=httpx.ConnectTimeout("timeout"))
    auto = Geoplateforme(URL, retries=1, reprobe_s=300, clock=lambda: now[0])
    with reading(Settings(database_url=loaded[0], _env_file=None)) as reader:
        first = geocode(reader, "12 av jean jaures gap", 2, auto)
        assert first.provider == "hors ligne" and route.call_count == 1
        now[0] += 299
        rested = geocode(reader, "1 rue de la republique gap", 2, auto)
        assert rested.provider == "hors ligne" and route.call_count == 1  # not asked again
        route.mock(return_value=httpx.Response(503))
        now[0] += 2
        assert geocode(reader, "gap", 2, auto).provider == "hors ligne"
        assert route.call_count == 2  # one try, no retries in auto mode
        route.mock(return_value=httpx.Response(200, json=RESPONSE))
        now[0] += 301
        online = geocode(reader, "12 avenue jean jaures gap", 2, auto)
    assert online.provider == "Géoplateforme" and route.call_count == 3


def test_auto_is_the_default_and_each_mode_builds_its_geocoder(monkeypatch) -> None:
    from app.context import _national_geocoder

    monkeypatch.delenv("ZONAGE_GEOCODER", raising=False)
    settings = Settings(_env_file=None)
    assert settings.geocoder == "auto"
    auto = _national_geocoder(settings)
    assert auto is not None and (auto.retries, auto.reprobe_s) == (1, 300)
    assert auto.client.timeout.connect == 1.0
    asked = _national_geocoder(Settings(geocoder="geoplateforme", _env_file=None))
    assert asked is not None and (asked.retries, asked.reprobe_s) == (3, None)
    assert _national_geocoder(Settings(geocoder="offline", _env_file=None)) is None
