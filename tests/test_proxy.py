"""The front proxy of compose.yaml, its configuration file as the repository holds it, run by
Debian's nginx on loopback before the app on the real data: slow clients are held and cut by
nginx, an export storm reaches the app once, answers keep their gzip and ETag."""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bench.common import free_port, nginx_conf

pytestmark = pytest.mark.realdata


@pytest.fixture(scope="module")
def proxy(live_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    if not Path(nginx).exists():
        if os.environ.get("CI"):
            pytest.fail("nginx manquant en CI (apt-get install nginx-light)")
        pytest.skip("nginx absent")
    tmp = tmp_path_factory.mktemp("nginx")
    port = free_port()
    main = nginx_conf(tmp, live_url.removeprefix("http://"), port)
    args = [nginx, "-p", str(tmp), "-c", str(main), "-e", str(tmp / "error.log")]
    subprocess.run([*args, "-t"], check=True, capture_output=True)
    process = subprocess.Popen([*args, "-g", "daemon off;"])
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            httpx.get(f"{url}/api/v1/health", timeout=1)
            break
        except httpx.TransportError:
            time.sleep(0.05)
    try:
        yield url
    finally:
        process.terminate()
        process.wait(10)


def test_answers_pass_with_their_gzip_and_etag(proxy: str) -> None:
    card = httpx.get(f"{proxy}/api/v1/communes/31555", headers={"Accept-Encoding": "gzip"})
    assert card.status_code == 200 and card.json()["name"] == "Toulouse"
    assert card.headers["content-encoding"] == "gzip"
    again = httpx.get(
        f"{proxy}/api/v1/communes/31555", headers={"If-None-Match": card.headers["etag"]}
    )
    assert again.status_code == 304
    refused = httpx.get(
        f"{proxy}/api/v1/exports/zones.csv?departement=05",
        headers={"Accept-Encoding": "gzip;q=0, identity"},
    )
    assert "content-encoding" not in refused.headers and refused.text.count("\n") == 163


def test_a_crafted_host_cannot_rewrite_the_cached_links_of_others(proxy: str) -> None:
    """The export's Link follows Host when no public address is set: the cache keeps the
    crafted Host's answer apart, and the others still get theirs."""
    url = f"{proxy}/api/v1/exports/zones.csv?departement=04"
    poisoned = httpx.get(url, headers={"Host": "evil.example"})
    assert "evil.example" in poisoned.headers["link"]
    host = proxy.removeprefix("http://")
    for _ in range(2):  # the first fills the cache, the second reads it
        honest = httpx.get(url)
        assert "evil.example" not in honest.headers["link"]
        assert honest.headers["link"].startswith(f"<http://{host}/api/v1/exports/")


def test_an_export_storm_reaches_the_app_once(proxy: str) -> None:
    url = f"{proxy}/api/v1/exports/zones.parquet?region=93"
    answers: list[httpx.Response] = []
    threads = [
        threading.Thread(target=lambda: answers.append(httpx.get(url, timeout=120)))
        for _ in range(16)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    statuses = sorted(a.headers["x-cache-status"] for a in answers)
    assert statuses.count("MISS") == 1 and len(answers) == 16, statuses
    assert len({a.content for a in answers}) == 1 and answers[0].content[:4] == b"PAR1"


SLOW = 2200  # what an attack run opened from one address: 1,024 connections gave way


def test_slow_clients_are_held_by_the_proxy_then_cut(
    proxy: str, loaded: tuple[str, object]
) -> None:
    if loaded[0].startswith("postgresql"):
        pytest.skip("les délais du proxy ne dépendent pas de la base : vérifiés sur SpatiaLite")
    host, port = proxy.removeprefix("http://").split(":")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < SLOW + 512:  # this process holds every slow client's socket
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(hard, SLOW + 1024), hard))
    slow = []
    for _ in range(SLOW):  # headers begun, never finished, all from one address
        sock = socket.create_connection((host, int(port)))
        sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: zonage\r\n")
        slow.append(sock)
    try:
        started = time.monotonic()
        health = httpx.get(f"{proxy}/api/v1/health", timeout=5)
        assert health.status_code == 200 and time.monotonic() - started < 2
        deadline = time.monotonic() + 15  # client_header_timeout is 10 s
        for sock in slow:
            sock.settimeout(max(0.1, deadline - time.monotonic()))
            assert sock.recv(1024) == b""  # closed by nginx, the app never saw it
    finally:
        for sock in slow:
            sock.close()
