"""Imports go one way: router → service → pure core; pure modules import no framework."""

from __future__ import annotations

import ast
import os
import re
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
    "zones/statuses.py",
    "zones/arretes.py",
    *(f"aids/{m}.py" for m in ("lines", "rules", "catalog", "convention2016", "regime2026")),
    *(f"aids/{m}.py" for m in ("state", "tax", "local")),
    *(f"sources/{p.name}" for p in (APP / "sources").glob("*.py")),
    "geo.py",
    "datasets/manifest.py",
    "simulator/display.py",
    "exports/formats.py",
    "ogc/features.py",
    "places/core.py",
    "aids/bills.py",
]
FORBIDDEN_IN_PURE = {"fastapi", "sqlalchemy", "geoalchemy2", "starlette"}
# the zones service is split by what it reads: the snapshot in memory, a card, many communes
SERVICES = [
    *APP.glob("*/service.py"),
    *(
        APP / "zones" / f
        for f in ("data.py", "book.py", "card.py", "layers.py", "territory.py", "changes.py")
    ),
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


def test_parsers_import_no_models_or_snapshot() -> None:
    """A parser turns bytes into rows: what a table is, and how a load is made atomic, are the
    loader's (app/datasets/snapshot.py) and the models'."""
    for path in (APP / "sources").glob("*.py"):
        held = {
            name
            for name in _imports(path)
            if name.startswith("app.")
            and (name.endswith(".models") or name in {"app.datasets.snapshot", "app.zones.data"})
        }
        assert not held, f"{path.name} imports {held}"


def test_geocoding_answers_with_its_own_matches() -> None:
    """The geocoder finds addresses and communes; the zones make lookups and cards of them
    (the arrow goes zones → geocoding, never back)."""
    for path in (APP / "geocoding").glob("*.py"):
        zones = {n for n in _imports(path) if n.startswith("app.zones.")}
        assert zones <= {"app.zones.data", "app.zones.models", "app.zones.search"}, path.name


def _parameters(node: ast.FunctionDef | ast.AsyncFunctionDef) -> dict[str, str]:
    arguments = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
    return {a.arg: ast.unparse(a.annotation) if a.annotation else "" for a in arguments}


def test_one_composition_and_one_reader() -> None:
    """The context is built in app/context.py alone, and a request or a command reads through
    one ``Reader``: no function takes the snapshot cache beside a session or thresholds."""
    for path in APP.rglob("*.py"):
        rel = path.relative_to(APP).as_posix()
        text = path.read_text(encoding="utf-8")
        if rel not in {"context.py", "zones/data.py"}:
            assert "IndexCache(" not in text, f"{rel} builds the snapshot cache itself"
            assert "Estimate(" not in text, f"{rel} builds the estimate itself"
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                kinds = set(_parameters(node).values())
                clump = {"IndexCache", "Session"} <= kinds or (
                    kinds & {"IndexCache", "Session", "Reader"}
                    and kinds & {"Thresholds", "classify.Thresholds"}
                )
                assert not clump, f"{rel}:{node.lineno} {node.name} takes the clump"


def test_snapshot_memory_holds_no_answer_bodies() -> None:
    """HTTP bodies (gzipped, with their ETag) are the plumbing's, app/bodies.py; the snapshot's
    memory only keeps the stores the rooms declare."""
    assert not {"gzip", "hashlib"} & _imports(APP / "zones" / "data.py")
    assert not {"fastapi", "starlette", "sqlalchemy"} & {
        n.split(".")[0] for n in _imports(APP / "bodies.py")
    }


def test_tax_zone_statuses_are_declared_once() -> None:
    """The card's FRR status, the parser's and the aid lines' all come from
    app/zones/statuses.py."""
    from typing import get_args

    from app.sources.frr import STATUSES
    from app.zones.schemas import FrrStatus
    from app.zones.statuses import FRR

    assert get_args(FrrStatus) == tuple(FRR)
    assert set(STATUSES.values()) <= set(FRR)
    for rel in ("aids/tax.py", "zones/card.py", "sources/frr.py", "sources/zonage.py"):
        text = (APP / rel).read_text(encoding="utf-8")
        assert "commune classée en FRR" not in text and "en ZRR" not in text, rel


def _profile_reads(function: ast.FunctionDef, pools: list[dict[str, ast.FunctionDef]]) -> set[str]:
    """The inputs a rule reads (``profile[INPUT]``), through the helpers it calls."""
    read, todo, seen = set(), [function], {function.name}
    while todo:
        for node in ast.walk(todo.pop()):
            if isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "profile":
                assert isinstance(node.slice, ast.Name), ast.unparse(node)
                read.add(node.slice.id)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                for pool in pools:
                    if node.func.id in pool and node.func.id not in seen:
                        seen.add(node.func.id)
                        todo.append(pool[node.func.id])
    return read


def test_each_aid_declares_the_inputs_its_rule_reads() -> None:
    """An aid is one declaration in its regime's module: its catalog entry, its rule and the
    inputs the rule reads — all of them; the API's profile is those inputs, and the page asks
    each of them."""
    import app.aids.lines
    from app.aids.rules import DECLARED, INPUTS
    from app.aids.schemas import ProfileIn
    from app.simulator.forms import PROFILE_FIELDS

    def functions(path: Path) -> dict[str, ast.FunctionDef]:
        body = ast.parse(path.read_text(encoding="utf-8")).body
        return {n.name: n for n in body if isinstance(n, ast.FunctionDef)}

    kernel = functions(APP / "aids" / "lines.py")
    for declared in DECLARED:
        module = sys.modules[declared.rule.__module__]
        rule = functions(APP / "aids" / f"{module.__name__.rsplit('.', 1)[-1]}.py")
        read = {
            getattr(module, name, None) or getattr(app.aids.lines, name)
            for name in _profile_reads(rule[declared.rule.__name__], [rule, kernel])
        }
        assert set(declared.reads) == read, declared.aid.code
    assert [i.name for i in INPUTS] == list(ProfileIn.model_fields)
    on_the_page = set(PROFILE_FIELDS) | {"opposable_share", "contracts"}
    assert set(ProfileIn.model_fields) == on_the_page
    form = (APP / "simulator" / "templates" / "_profile.html").read_text(encoding="utf-8")
    asked = set(re.findall(r'f\.\w+\("(\w+)"', form))  # f.input("age", …), f.select(…)
    assert set(PROFILE_FIELDS) - asked == set()
