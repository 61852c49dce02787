"""The attacks of issue 23 replayed against a served app, each case bounded to 60 s.

The app runs as `zonage serve` runs it (uvicorn's limits, the raised file limit) on the loaded
data; with ``--proxy`` the same cases go through nginx and the repository's configuration
(deploy/nginx/zonage.conf.template), as compose.yaml runs it. Each case prints what came back;
its timings are given as ratios to the baseline of the same run, a warm commune card.

    python -m bench.attacks [--proxy]

The exit status is 1 when a case did not answer as it should (a 5xx, a hang, a link of the
client's, memory that keeps growing).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import resource
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from app.datasets.manifest import read_manifest
from app.settings import REPO_ROOT
from app.sources.rpps import RPPS_COLUMNS
from bench.common import SETTINGS, free_port, nginx_conf, p50, per_call

BOUND_S = 60
PUBLIC_URL = "https://zonage.example.fr"
ZONAGE = str(Path(sys.executable).with_name("zonage"))
failures: list[str] = []


def check(ok: bool, case: str, what: str) -> None:
    print(f"  {'ok ' if ok else 'KO '} {what}")
    if not ok:
        failures.append(f"{case}: {what}")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def serve_app(port: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ZONAGE_GEOCODER": "offline",
        "ZONAGE_PUBLIC_URL": PUBLIC_URL,
    }
    process = subprocess.Popen(
        [ZONAGE, "serve", "--port", str(port)],
        env=env,
        cwd=REPO_ROOT,
        stdout=subprocess.DEVNULL,
        stderr=open(Path(tempfile.gettempdir()) / "zonage-attacks.log", "wb"),  # noqa: SIM115
    )
    wait_for(f"http://127.0.0.1:{port}")
    return process


def serve_proxy(upstream: str, tmp: Path) -> tuple[subprocess.Popen[bytes], str]:
    """nginx with the repository's configuration, its limits those deploy/nginx ships."""
    port = free_port()
    main = nginx_conf(tmp, upstream, port)
    nginx = shutil.which("nginx") or "/usr/sbin/nginx"
    process = subprocess.Popen(
        [
            nginx,
            "-p",
            str(tmp),
            "-c",
            str(main),
            "-e",
            str(tmp / "error.log"),
            "-g",
            "daemon off;",
        ]  # fmt: skip
    )
    url = f"http://127.0.0.1:{port}"
    wait_for(url)
    return process, url


def wait_for(url: str) -> None:
    deadline = time.monotonic() + 600  # a first start on an empty database loads the data
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise RuntimeError(f"{url} did not start")


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def simulations(url: str, baseline: float) -> None:
    """Île-de-France ZIP+ with fewer than 2.5 days a week or none (KeyError before), far dates."""
    rng = random.Random(23)
    statuses: Counter[int] = Counter()
    deadline = time.monotonic() + BOUND_S
    with httpx.Client(base_url=url, timeout=10) as client:
        for _ in range(300):
            if time.monotonic() > deadline:
                break
            profile = {
                "age": rng.randint(25, 70),
                "sector": rng.choice(["1", "2_optam"]),
                "first_installation": rng.random() < 0.5,
                "installation_date": rng.choice(["2025-09-01", "9999-12-31", "2100-12-31", None]),
                "days_per_week": rng.choice(["0", "1", "2", "2.4", "2.5", "4"]),
                "ars_majoration": True,
            }
            place = rng.choice([{"insee": "75056"}, {"zone_class": "ZIP", "region": "11"}])
            as_of = rng.choice(["2025-06-01", "2026-03-01", "2100-12-31", "9999-01-01"])
            body = {"place": place, "as_of": as_of, "profile": profile}
            statuses[client.post("/api/v1/aids/simulations", json=body).status_code] += 1
    print(f"  statuses of {sum(statuses.values())} simulations: {dict(statuses)}")
    check(not any(s >= 500 for s in statuses), "simulations", "no 5xx")


def query_parsing(url: str, baseline: float) -> None:
    """16,000 distinct parameter names in a 64 KB URL (8.5 s of CPU before); sent by
    http.client, which unlike httpx does not refuse such a URL."""
    query = "&".join(f"{i:x}" for i in range(16_000))[:65_000]
    host, port = url.removeprefix("http://").split(":")
    for path in ("/", "/simulateur/tresorerie.csv"):
        connection = http.client.HTTPConnection(host, int(port), timeout=BOUND_S)
        start = time.perf_counter()
        connection.request("GET", f"{path}?{query}")
        status = connection.getresponse().status
        seconds = time.perf_counter() - start
        connection.close()
        print(f"  {path}: {status} in {seconds * 1000:.0f} ms "
              f"(RATIO {seconds / baseline:.0f}× a card)")  # fmt: skip
        check(status < 500 and seconds < 1, "query", f"{path} under 1 s")


def slow_clients(url: str, health_url: str, behind_proxy: bool) -> None:
    """Half-sent requests held open; the health check meanwhile; whether they are cut."""
    host, port = url.removeprefix("http://").split(":")
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    count = min(5_000, hard // 4)
    held = []
    try:
        for _ in range(count):
            sock = socket.create_connection((host, int(port)), timeout=5)
            sock.sendall(b"GET /api/v1/health HTTP/1.1\r\nHost: zonage\r\n")
            held.append(sock)
        start = time.perf_counter()
        health = httpx.get(f"{health_url}/api/v1/health", timeout=10)
        seconds = time.perf_counter() - start
        print(f"  {count} half-sent requests held; health: {health.status_code} "
              f"in {seconds * 1000:.0f} ms")  # fmt: skip
        # uvicorn past ZONAGE_LIMIT_CONCURRENCY answers 503 at once rather than failing accept
        expected = (200,) if behind_proxy else (200, 503)
        check(seconds < 2 and health.status_code in expected, "slow clients", "health answered")
        deadline = time.monotonic() + 15
        closed = 0
        for sock in held:
            sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                sock.recv(64)  # end of stream, or an answer that ends it (408)
                closed += 1
            except TimeoutError:
                pass
            except OSError:
                closed += 1
        print(f"  closed by the server within 15 s: {closed}/{count}")
        if behind_proxy:
            check(closed == count, "slow clients", "nginx cut them (client_header_timeout)")
        else:
            print("  (uvicorn has no header timeout: the front proxy is there for them)")
    finally:
        for sock in held:
            sock.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))


def export_storm(url: str, pid: int, baseline: float) -> None:
    """16 clients asking France's GeoParquet at once, three times (2 GB of RSS before)."""
    before = rss_mb(pid)
    sizes = []
    for _ in range(3):
        with ThreadPoolExecutor(16) as pool:
            seconds = timed(
                lambda: list(
                    pool.map(
                        lambda _: httpx.get(f"{url}/api/v1/exports/zones.parquet", timeout=BOUND_S),
                        range(16),
                    )
                )
            )
        sizes.append(rss_mb(pid))
        print(f"  16 × France GeoParquet in {seconds:.1f} s; app RSS {sizes[-1]:.0f} MB")
    print(f"  RSS before {before:.0f} MB, after each storm {', '.join(f'{s:.0f}' for s in sizes)}")
    check(sizes[-1] - sizes[0] < 50, "export storm", "memory flat after the first storm")


def many_words(url: str, baseline: float) -> None:
    """Repeated words (905 ms and 460 ms before): against the same query written once."""
    with httpx.Client(base_url=url, timeout=10) as client:
        for path, query, once in (
            ("/api/v1/geocode/autocomplete", "sa " * 66, "sa"),
            ("/api/v1/communes", "s " * 100, "s"),
            ("/api/v1/geocode", " ".join(f"mot{i}" for i in range(60)), "mot0"),
        ):
            times = [
                p50(per_call(lambda p=path, q=q: client.get(p, params={"q": q}), 7))
                for q in (query, once)
            ]
            ratio = times[0] / times[1]
            print(f"  {path} ({len(query.split())} words): p50 {times[0] * 1000:.1f} ms, "
                  f"written once {times[1] * 1000:.1f} ms (RATIO {ratio:.1f}×)")  # fmt: skip
            check(times[0] < 2 * times[1] + 0.005, "many words", f"{path}: as the word once")


def corrupt_archives() -> None:
    """A truncated archive and a gzip bomb in a copy of the mirror: refused, memory bounded."""
    entry = next(
        e
        for e in read_manifest(SETTINGS.manifest_path).values()
        if e.role == "load" and not e.optional and e.path.endswith(".gz")
    )
    mirror = SETTINGS.data_mirror
    assert mirror is not None
    for kind in ("truncated", "bomb"):
        with tempfile.TemporaryDirectory() as tmp:
            root = Path(tmp) / "mirror"
            for path in mirror.rglob("*"):
                if path.is_file():
                    (root / path.relative_to(mirror)).parent.mkdir(parents=True, exist_ok=True)
                    (root / path.relative_to(mirror)).symlink_to(path)
            target = root / entry.path
            target.unlink()
            if kind == "truncated":
                target.write_bytes((mirror / entry.path).read_bytes()[:100_000])
            else:  # 3 GiB of zeros in ≈ 3 MB
                with subprocess.Popen(["gzip", "-1"], stdin=subprocess.PIPE,
                                      stdout=target.open("wb")) as gz:  # fmt: skip
                    assert gz.stdin is not None
                    zeros = bytes(1 << 24)
                    for _ in range(192):
                        gz.stdin.write(zeros)
            env = {**os.environ, "ZONAGE_DATABASE_URL": f"sqlite:///{tmp}/z.sqlite",
                   "ZONAGE_ALLOW_DOWNLOAD": "false", "COLUMNS": "300"}  # fmt: skip
            start = time.perf_counter()
            done = subprocess.run(
                [ZONAGE, "data", "load", "--from", str(root)],
                env=env, capture_output=True, text=True, timeout=BOUND_S, cwd=REPO_ROOT,
            )  # fmt: skip
            peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
            said = " ".join((done.stdout + done.stderr).split())
            print(f"  {kind}: exit {done.returncode} in {time.perf_counter() - start:.1f} s, "
                  f"peak RSS of the loaders so far {peak:.0f} MB: {said[:160]}")  # fmt: skip
            check(
                done.returncode == 2 and "Chargement refusé" in said and peak < 1500,
                "archives",
                f"{kind}: refused with exit 2, memory bounded",
            )


def hostile_pins() -> None:
    """Files an operator is handed, pinned by the CLI as a new user would: each refused with
    one French line and exit 2, memory bounded, terminal escapes written out."""
    header = "Code_insee;Departement;Commune;Classement FRR et FRR+ au 10 juillet 2025\n"
    with subprocess.Popen(["gzip", "-1"], stdin=subprocess.PIPE, stdout=subprocess.PIPE) as gz:
        stdin, stdout = gz.stdin, gz.stdout
        assert stdin is not None and stdout is not None

        def feed() -> None:  # 1 GiB of digits once unpacked, ≈ 1 MB packed
            stdin.write(header.encode())
            for _ in range(64):
                stdin.write(b"0" * (1 << 24))
            stdin.close()

        writer = threading.Thread(target=feed)
        writer.start()
        bomb = stdout.read()
        writer.join()
    cases = {
        "frr bomb (1 GiB unpacked)": ("frr", "liste.csv.gz", bomb),
        "rpps line of 256 MiB": (
            "rpps",
            "PS_LibreAcces_Personne_activite_202504040839.txt",
            "|".join(RPPS_COLUMNS.values()).encode() + b"\n" + b"x" * (256 << 20),
        ),
        "impossible date": (
            "frr",
            "l.csv",
            (header.replace("10 juillet", "31 février") + "05001;05;X;FRR socle\n").encode(),
        ),
        "byte 0x81": ("zonage", "t.csv", b"code,niveau\n05061,\x81\n"),
        "markup and escapes in a column": (
            "frr",
            "m.csv",
            b"Code_insee;[/red]\x1b]0;pwned\x07Statut\n05001;x\n",
        ),
    }
    for name, (command, file_name, content) in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            source = Path(tmp) / file_name
            source.write_bytes(content)
            env = {**os.environ, "ZONAGE_DATA_DIR": f"{tmp}/data", "COLUMNS": "300"}
            start = time.perf_counter()
            done = subprocess.run(
                ["/usr/bin/time", "-f", "%M", ZONAGE, "data", command, str(source)],
                env=env, capture_output=True, text=True, timeout=BOUND_S, cwd=REPO_ROOT,
            )  # fmt: skip
            *lines, peak_kb = (done.stdout + done.stderr).strip().splitlines()
            said = " ".join(lines)
            peak = int(peak_kb) / 1024 if peak_kb.isdigit() else float("inf")
            print(f"  {name}: exit {done.returncode} in {time.perf_counter() - start:.1f} s, "
                  f"peak RSS {peak:.0f} MB: {' '.join(said.split())[:140]}")  # fmt: skip
            check(
                done.returncode == 2
                and "Traceback" not in said
                and "\x1b" not in said
                and peak < 400,
                "pins",
                f"{name}: refused with exit 2, one French line, memory bounded",
            )


def headers_and_links(url: str) -> None:
    with httpx.Client(base_url=url, timeout=10) as client:
        landing = client.get("/ogc", headers={"Host": "evil.example"}).json()
        check(
            all(link["href"].startswith(PUBLIC_URL) for link in landing["links"]),
            "links",
            "OGC links from ZONAGE_PUBLIC_URL whatever the Host",
        )
        crafted = client.get(
            "/api/v1/exports/zones.csv?departement=05&x=a>,<https://evil.example/>;rel=x"
        )
        check(crafted.status_code == 400, "links", "a parameter the export does not read: 400")
        export = client.get("/api/v1/exports/zones.csv?departement=05")
        check(export.headers["link"].count("<") == 1, "links", "one Link, ours")
        plain = client.get("/api/v1/communes/31555", headers={"Accept-Encoding": "gzip;q=0"})
        check("content-encoding" not in plain.headers, "headers", "gzip;q=0 honoured")
        check(
            plain.headers.get_list("x-content-type-options") == ["nosniff"],
            "headers",
            "X-Content-Type-Options once",
        )
        docs = client.get("/docs")
        check(
            "frame-ancestors 'none'" in docs.headers.get("content-security-policy", ""),
            "headers",
            "/docs with a CSP that forbids framing",
        )
        head = client.head("/api/v1/communes/31555")
        check(head.status_code == 200 and head.content == b"", "headers", "HEAD like GET")
        again = client.get(
            "/api/v1/communes/31555", headers={"If-None-Match": plain.headers["etag"]}
        )
        check(again.status_code == 304, "headers", "304 on If-None-Match")


def ogc(url: str) -> None:
    items = "/ogc/collections/communes/items"
    with httpx.Client(base_url=url, timeout=30) as client:
        cases = {
            "unknown parameter": (client.get(items, params={"filtre": "x"}).status_code, 400),
            "limit=0": (client.get(items, params={"limit": 0}).status_code, 400),
            "bbox=1_0,…": (client.get(items, params={"bbox": "1_0,44,7,45"}).status_code, 400),
        }
        for case, (got, expected) in cases.items():
            check(got == expected, "ogc", f"{case}: {got}")
        capped = client.get(items, params={"limit": 5000}).json()["numberReturned"]
        check(capped == 1000, "ogc", f"limit=5000 capped: {capped}")
        lower = client.get(items, params={"zone_class": "zip", "limit": 1}).json()
        upper = client.get(items, params={"zone_class": "ZIP", "limit": 1}).json()
        check(
            lower["numberMatched"] == upper["numberMatched"] > 0,
            "ogc",
            f"zone_class=zip matches ZIP: {lower['numberMatched']}",
        )


def guarded(name: str, case: Callable[[], None]) -> None:
    try:
        case()
    except Exception as exc:  # a case that breaks is a failed case, and the others still run
        check(False, name, f"{type(exc).__name__}: {exc}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proxy", action="store_true", help="through nginx, as in compose")
    args = parser.parse_args()
    port = free_port()
    app = serve_app(port)
    direct = f"http://127.0.0.1:{port}"
    proxy = None
    tmp = Path(tempfile.mkdtemp(prefix="zonage-nginx-"))
    try:
        url = direct
        if args.proxy:
            proxy, url = serve_proxy(f"127.0.0.1:{port}", tmp)
        with httpx.Client(base_url=url) as client:  # one client: httpx builds a TLS context each
            client.get("/api/v1/communes/31555")
            baseline = p50(per_call(lambda: client.get("/api/v1/communes/31555"), 50))
        print(f"baseline: a warm card p50 {baseline * 1000:.1f} ms ({url})")
        cases: list[tuple[str, Callable[[], None]]] = [
            ("1-2 simulations and far dates", lambda: simulations(url, baseline)),
            ("3 query parsing", lambda: query_parsing(url, baseline)),
            ("4 slow clients", lambda: slow_clients(url, url, args.proxy)),
            ("5 export storm", lambda: export_storm(url, app.pid, baseline)),
            ("6 many words", lambda: many_words(url, baseline)),
            ("7 corrupt archives", corrupt_archives),
            ("8, 10 links and headers", lambda: headers_and_links(url)),
            ("9 OGC parameters", lambda: ogc(url)),
            ("11 hostile pins", hostile_pins),
        ]
        for name, case in cases:
            print(name)
            worker = threading.Thread(target=guarded, args=(name, case), daemon=True)
            worker.start()
            worker.join(BOUND_S + 30)
            check(not worker.is_alive(), name, f"done within {BOUND_S + 30} s")
    finally:
        if proxy is not None:
            proxy.terminate()
        app.terminate()
        app.wait(10)
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"VERDICT: {'all cases answered as they should' if not failures else failures}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
