"""The Dockerfile and compose.yaml: docker cannot run here, so what they ask of the package is
checked: the commands they run exist, the health check's path answers, the settings they set
are settings, the image is multi-stage and does not run as root."""

from __future__ import annotations

import json
import re

import typer
import yaml

from app.cli import cli
from app.main import create_app
from app.settings import REPO_ROOT, Settings

DOCKERFILE = (REPO_ROOT / "Dockerfile").read_text(encoding="utf-8")
COMPOSE = yaml.safe_load((REPO_ROOT / "compose.yaml").read_text(encoding="utf-8"))


def _instructions(name: str) -> list[str]:
    return re.findall(rf"^{name}\s+(.+)$", DOCKERFILE, flags=re.MULTILINE)


def _is_command(argv: list[str]) -> bool:
    """``zonage a b …`` names a command of the CLI."""
    if argv[0] != "zonage":
        return False
    group = typer.main.get_command(cli)
    for word in argv[1:]:
        sub = getattr(group, "commands", {}).get(word)
        if sub is None:
            return not hasattr(group, "commands") or word.startswith("-")
        group = sub
    return not hasattr(group, "commands")


def test_the_image_is_multi_stage_non_root_with_spatialite() -> None:
    assert len(_instructions("FROM")) >= 2
    user = _instructions("USER")[-1]
    assert user not in ("root", "0")
    assert "libsqlite3-mod-spatialite" in DOCKERFILE
    assert _is_command(json.loads(_instructions("CMD")[-1]))


def test_the_health_check_asks_a_real_route() -> None:
    check = next(line for line in DOCKERFILE.splitlines() if "/api/v1/" in line)
    path = re.search(r"http://127\.0\.0\.1:8000(/[\w/]+)", check).group(1)
    assert path == "/api/v1/health"
    assert path in create_app(Settings(_env_file=None)).openapi()["paths"]


def test_compose_runs_postgis_and_two_replicas_of_real_commands() -> None:
    services = COMPOSE["services"]
    assert services["db"]["image"].startswith("postgis/postgis:")
    assert services["app"]["deploy"]["replicas"] == 2
    for name in ("load", "app"):
        assert _is_command(services[name]["command"]), name
        environment = services[name]["environment"]
        assert environment["ZONAGE_DATABASE_URL"].startswith("postgresql://")
        fields = {f"ZONAGE_{field.upper()}" for field in Settings.model_fields}
        assert set(environment) <= fields, set(environment) - fields
    assert services["app"]["depends_on"]["load"]["condition"] == "service_completed_successfully"
    assert not _is_command(["zonage", "nope"]) and not _is_command(["zonage", "data"])


def test_compose_publishes_only_the_proxy_with_the_repository_s_configuration() -> None:
    services = COMPOSE["services"]
    assert [name for name, service in services.items() if "ports" in service] == ["proxy"]
    proxy = services["proxy"]
    mounted = proxy["volumes"][0].split(":")
    template = REPO_ROOT / mounted[0].removeprefix("./")
    assert template.is_file() and mounted[1].startswith("/etc/nginx/templates/")
    variables = set(re.findall(r"\$\{(\w+)\}", template.read_text(encoding="utf-8")))
    assert variables == set(proxy["environment"])  # nginx's own $variables are left alone
    upstream = proxy["environment"]["ZONAGE_UPSTREAM"].split(":")
    assert upstream[0] == "app" and upstream[1] in services["app"]["expose"]
    assert proxy["ports"] == [f"8000:{proxy['environment']['NGINX_PORT']}"]
