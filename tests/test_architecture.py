"""Imports go one way: router → service → pure core; pure modules import no framework."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

from app.settings import REPO_ROOT

APP = REPO_ROOT / "app"
PURE = [
    "zones/classify.py",
    "zones/accessibility.py",
    "zones/figures.py",
    "zones/search.py",
    "aids/rules.py",
    "aids/catalog.py",
    *(f"sources/{p.name}" for p in (APP / "sources").glob("*.py")),
    "geo.py",
    "datasets/manifest.py",
    "simulator/display.py",
    "exports/formats.py",
    "ogc/features.py",
]
FORBIDDEN_IN_PURE = {"fastapi", "sqlalchemy", "geoalchemy2", "starlette"}
# the zones service is split by what it reads: the snapshot in memory, a card, many communes
SERVICES = [
    *APP.glob("*/service.py"),
    *(APP / "zones" / f for f in ("data.py", "card.py", "layers.py")),
]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_pure_modules_import_no_framework() -> None:
    for rel in PURE:
        roots = {name.split(".")[0] for name in _imports(APP / rel)}
        assert not roots & FORBIDDEN_IN_PURE, f"{rel} imports {roots & FORBIDDEN_IN_PURE}"


def test_services_do_not_import_routers() -> None:
    for service in SERVICES:
        assert not any(name.endswith(".router") for name in _imports(service)), service


def test_services_never_commit() -> None:
    for service in SERVICES:
        assert ".commit(" not in service.read_text(encoding="utf-8"), service


def test_every_imported_package_is_a_declared_dependency() -> None:
    """deptry: what app/ and migrations/ import is in [project].dependencies (not only in an
    extra or pulled in by another package), and nothing declared goes unused; a fresh
    ``pip install .`` would otherwise crash where CI, with the test extras, passes."""
    result = subprocess.run(
        [sys.executable, "-m", "deptry", "."],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_settings_hold_plain_values() -> None:
    """The settings module imports no domain module: the numeric core is built from it in
    app/zones/parameters.py, so the CLI's help and the settings load without scipy."""
    assert not {name for name in _imports(APP / "settings.py") if name.startswith("app.")}
