"""Command line: ``zonage db upgrade``, ``zonage data load``, ``zonage serve``."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, cast

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app import migrate
from app.aids import service as aids_service
from app.aids.schemas import SimulationRequest
from app.datasets.fetch import DataFileError, fetch
from app.datasets.manifest import ManifestError, read_manifest, read_manifests, write_pinned
from app.datasets.pin import pin_rpps
from app.datasets.snapshot import LoadInProgress, active_snapshot, load
from app.db import make_engine
from app.errors import AppError
from app.exports import service as exports_service
from app.exports.service import MEDIA_TYPES, Format
from app.geocoding import service as geocoding_service
from app.settings import Settings
from app.zones import service as zones_service
from app.zones.classify import Caps
from app.zones.data import IndexCache
from app.zones.loaders import SourceFormatError
from app.zones.network import regional_check

cli = typer.Typer(
    help="zonage : zones d'installation des médecins généralistes.", no_args_is_help=True
)
db_cli = typer.Typer(help="Schéma de la base.", no_args_is_help=True)
data_cli = typer.Typer(help="Données ouvertes : chargement et état.", no_args_is_help=True)
cli.add_typer(db_cli, name="db")
cli.add_typer(data_cli, name="data")
zones_cli = typer.Typer(help="Zonage : analyses régionales.", no_args_is_help=True)
cli.add_typer(zones_cli, name="zones")
aids_cli = typer.Typer(help="Aides à l'installation.", no_args_is_help=True)
cli.add_typer(aids_cli, name="aids")
geocode_cli = typer.Typer(help="Géocodage des adresses.", no_args_is_help=True)
apl_cli = typer.Typer(help="APL : moteur E2SFCA et ses vérifications.", no_args_is_help=True)
cli.add_typer(apl_cli, name="apl")
# Regional lists of GPs per commune that the manifest holds, by région code.
CHECK_LISTS = {"28": "ps-liberaux-normandie"}
cli.add_typer(geocode_cli, name="geocode")
console = Console(stderr=True)


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    """A migrated engine, disposed on exit."""
    engine = make_engine(settings.sqlalchemy_url)
    try:
        migrate.upgrade(engine)
        yield engine
    finally:
        engine.dispose()


@db_cli.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Applique les migrations Alembic (crée la base au premier lancement)."""
    settings = Settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        migrate.upgrade(engine, revision)
    finally:
        engine.dispose()
    console.print(f"Base à jour ({settings.sqlalchemy_url.split('@')[-1]}).")


def _load(settings: Settings, engine: Engine, mirror: Path | None) -> None:
    entries = read_manifests(settings.manifest_path, settings.local_manifest_path)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, int] = {}

        def report(label: str, done: int, total: int) -> None:
            if label not in tasks:
                tasks[label] = progress.add_task(label, total=total)
            progress.update(tasks[label], completed=done, total=total)

        snapshot = load(
            engine,
            entries,
            mirror,
            settings.download_dir,
            report,
            allow_download=settings.allow_download,
        )
    table = Table(title=f"Instantané {snapshot.id} activé")
    for column in ("table", "lignes", "ignorées", "incomplètes", "raisons"):
        table.add_column(column)
    for name, summary in snapshot.tables.items():
        skipped, incomplete = summary["skipped"], summary["incomplete"]
        reasons = "\n".join(f"{n} : {r}" for r, n in (skipped | incomplete).items())
        table.add_row(
            name,
            str(summary["rows"]),
            str(sum(skipped.values())),
            str(sum(incomplete.values())),
            reasons,
        )
    Console().print(table)


@data_cli.command("load")
def data_load(
    source: Annotated[
        Path | None,
        typer.Option(
            "--from", help="Miroir local des fichiers (défaut : ../shared/data s'il existe)"
        ),
    ] = None,
) -> None:
    """Vérifie les sommes de contrôle, charge un nouvel instantané et le bascule atomiquement."""
    settings = Settings()
    mirror = source or settings.data_mirror
    if source is not None and not source.is_dir():
        raise typer.BadParameter(f"répertoire introuvable : {source}", param_hint="--from")
    try:
        with _engine(settings) as engine:
            _load(settings, engine, mirror)
    except (DataFileError, ManifestError) as exc:
        console.print(f"[red]Chargement refusé[/red] : {exc}")
        console.print("Les données servies jusqu'ici restent en place.")
        raise typer.Exit(2) from exc
    except LoadInProgress as exc:
        console.print("[red]Chargement refusé[/red] : un autre chargement est en cours.")
        raise typer.Exit(2) from exc


@data_cli.command("rpps")
def data_rpps(
    source: Annotated[
        Path,
        typer.Argument(help="PS_LibreAcces_Personne_activite_*.txt, ou l'archive .zip de l'ANS"),
    ],
    vintage: Annotated[
        str | None,
        typer.Option("--millesime", help="ex. « RPPS 2025-04-04 » (défaut : nom du fichier)"),
    ] = None,
) -> None:
    """Épingle une extraction RPPS nationale ; le prochain « data load » la charge."""
    settings = Settings()
    if not source.is_file():
        raise typer.BadParameter(f"fichier introuvable : {source}", param_hint="SOURCE")
    try:
        template = read_manifest(settings.manifest_path)["rpps-activite"]
        entry = pin_rpps(source, template, settings.pinned_dir, vintage)
    except (ManifestError, SourceFormatError) as exc:
        console.print(f"[red]Extraction refusée[/red] : {exc}")
        raise typer.Exit(2) from exc
    write_pinned(settings.local_manifest_path, entry)
    console.print(f"{entry.vintage} épinglé ({entry.note}) : lancez « zonage data load ».")


@data_cli.command("status")
def data_status() -> None:
    """Affiche l'instantané servi : jeux de données, millésimes, sommes de contrôle."""
    settings = Settings()
    with _engine(settings) as engine, Session(engine) as session:
        snapshot = active_snapshot(session)
        if snapshot is None:
            console.print("Aucune donnée chargée : lancez « zonage data load ».")
            raise typer.Exit(1)
        table = Table(title=f"Instantané {snapshot.id}, activé le {snapshot.activated_at}")
        for column in ("jeu", "millésime", "licence", "sha256"):
            table.add_column(column)
        for d in snapshot.datasets:
            table.add_row(d["name"], d["vintage"], d["licence"], d["sha256"][:16])
        Console().print(table)


@zones_cli.command("classify")
def zones_classify(
    region: Annotated[str, typer.Option(help="Code de la région, ex. 76")],
    zip_cap: Annotated[float, typer.Option(help="Part maximale de la population en ZIP")],
    zac_cap: Annotated[float, typer.Option(help="Part maximale de la population en ZAC")],
) -> None:
    """Remplit ZIP puis ZAC depuis le vivier par APL croissante ; matrice de confusion."""
    settings = Settings()
    try:
        caps = Caps(zip_cap, zac_cap)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with _engine(settings) as engine, Session(engine) as session:
        try:
            result = zones_service.classify_region(
                session,
                IndexCache(settings.apl_model()),
                region,
                caps,
                settings.thresholds(),
            )
        except AppError as exc:
            console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
    out = Console()
    out.print(f"{result.region.name} ({result.region.code}) — {result.method}")
    shares = ", ".join(f"{k} {v:.1%}" for k, v in result.population_shares.items())
    out.print(f"Population : {shares} (plafonds ZIP {zip_cap:.1%}, ZAC {zac_cap:.1%})")
    table = Table(title="Communes : classe estimée (lignes) × classe publiée (colonnes)")
    columns = list(next(iter(result.confusion_communes.values())))
    table.add_column("estimée")
    for column in columns:
        table.add_column(column, justify="right")
    for zone, row in result.confusion_communes.items():
        table.add_row(zone, *(str(row[c]) for c in columns))
    out.print(table)
    out.print(
        f"Accord avec les classes publiées : {result.agreement_communes:.1%} des communes, "
        f"{result.agreement_population:.1%} de la population "
        f"(source : {result.published_provenance.title})"
    )


@aids_cli.command("simulate")
def aids_simulate(
    profile: Annotated[Path, typer.Option(help="Profil du médecin en JSON (champs de l'API)")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date de simulation, AAAA-MM-JJ")],
    insee: Annotated[str | None, typer.Option(help="Code INSEE de la commune")] = None,
    zone_class: Annotated[
        str | None, typer.Option(help="Classe imposée : ZIP, ZAC, hors zonage")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Écrit la trésorerie en CSV")
    ] = None,
) -> None:
    """Simule les aides d'un profil dans une commune à une date, avec leurs sources."""
    settings = Settings()
    try:
        request = SimulationRequest.model_validate(
            {
                "place": {"insee": insee, "zone_class": zone_class},
                "as_of": as_of,
                "profile": json.loads(profile.read_text(encoding="utf-8")),
            }
        )
    except (OSError, ValueError) as exc:
        console.print(f"[red]Entrée invalide[/red] : {exc}")
        raise typer.Exit(2) from exc
    with _engine(settings) as engine, Session(engine) as session:
        try:
            result = aids_service.simulate(
                session,
                IndexCache(settings.apl_model()),
                request,
                settings.thresholds(),
                settings.thresholds_method,
            )
        except AppError as exc:
            console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
    out = Console()
    where = result.place.name or "zone imposée"
    out.print(
        f"{where} — classe {result.place.zone_class} ({result.place.zone_status}), "
        f"au {result.as_of:%d/%m/%Y}"
    )
    table = Table()
    for column in ("aide", "éligible", "montant (€)", "raisons / échéances", "source"):
        table.add_column(column)
    for line in result.lines:
        detail = "\n".join(r.message for r in line.reasons) or "\n".join(
            f"{p.on:%d/%m/%Y} : {p.amount} €" for p in line.schedule
        )
        table.add_row(
            line.code,
            "oui" if line.eligible else "non",
            str(line.total or 0),
            detail,
            line.source.title,
        )
    out.print(table)
    for year in result.cash_flow:
        out.print(f"{year.year} : {year.amount} €")
    out.print(f"Total : {result.total} €")
    if csv_out is not None:
        csv_out.write_bytes(aids_service.cash_flow_csv(result))


@geocode_cli.command("check")
def geocode_check(
    sample: Annotated[
        int, typer.Option(min=1, help="Nombre d'adresses BAN tirées au hasard")
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Graine du tirage")] = 2026,
) -> None:
    """Exactitude du géocodeur hors ligne : commune retrouvée et distance au contour."""
    settings = Settings()
    with _engine(settings) as engine, Session(engine) as session:
        try:
            report = geocoding_service.check(
                session, IndexCache(settings.apl_model()), sample, seed
            )
        except AppError as exc:
            console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
    out = Console()
    out.print(
        f"{report.same_commune}/{report.sample} adresses retrouvées dans la commune de la "
        f"BAN ({report.rate:.2%})"
    )
    for typed, expected, found in report.misses:
        out.print(f"  raté : « {typed} » attendu {expected}, trouvé {found or 'rien'}")
    out.print(
        f"{len(report.far)} points à plus de {geocoding_service.FAR_M:.0f} m du contour de "
        "leur commune"
    )
    for label, insee, metres in report.far:
        out.print(f"  loin : {label} ({insee}) à {metres} m")


@cli.command("export")
def export_zones(
    output: Annotated[Path, typer.Argument(help="Fichier écrit : .geojson, .parquet ou .csv")],
    departement: Annotated[str | None, typer.Option(help="Code du département")] = None,
    region: Annotated[str | None, typer.Option(help="Code de la région")] = None,
) -> None:
    """Exporte les communes et leur zonage (France sans option) ; le CSV reçoit à côté un
    fichier .meta.json des sources et millésimes."""
    format = output.suffix.removeprefix(".")
    if format not in MEDIA_TYPES:
        raise typer.BadParameter(
            "extension .geojson, .parquet ou .csv attendue", param_hint="OUTPUT"
        )
    settings = Settings()
    thresholds, method = settings.thresholds(), settings.thresholds_method
    with _engine(settings) as engine, Session(engine) as session:
        cache = IndexCache(settings.apl_model())
        try:
            result = exports_service.export(
                session, cache, thresholds, method, cast(Format, format), departement, region
            )
        except AppError as exc:
            console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(1) from exc
    output.write_bytes(result.body)
    if format == "csv":
        sidecar = output.with_suffix(".meta.json")
        sidecar.write_text(json.dumps(result.meta, ensure_ascii=False, indent=2), "utf-8")
    console.print(f"{result.meta['count']} communes ({result.meta['scope']}) → {output}")


# Python's own event loop, not uvloop: under saturation uvloop left some requests waiting for
# seconds (200 connections over the realistic mix: max 5.0 s and 10 timeouts against 1.1 s and
# none, at the same throughput; bench/RESULTS.md).
EVENT_LOOP = "asyncio"


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Adresse d'écoute")] = None,
    port: Annotated[int | None, typer.Option(help="Port")] = None,
    workers: Annotated[int, typer.Option(help="Processus uvicorn")] = 1,
) -> None:
    """Migre la base, charge les données si elle est vide, puis lance le service HTTP."""
    import uvicorn

    settings = Settings()
    with _engine(settings) as engine:
        with Session(engine) as session:
            empty = active_snapshot(session) is None
        if empty:
            console.print("Base vide : chargement des données ouvertes…")
            try:
                _load(settings, engine, settings.data_mirror)
            except (DataFileError, ManifestError) as exc:
                console.print(f"[red]Chargement impossible[/red] : {exc}")
                raise typer.Exit(2) from exc
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        loop=EVENT_LOOP,
    )


def main() -> None:
    """Console-script entry point."""
    cli()


@apl_cli.command("check")
def apl_check(
    region: Annotated[str, typer.Option("--region", help="Code de la région")] = "28",
) -> None:
    """Recalcule l'APL d'une région à partir de la liste de ses médecins et la compare à l'APL
    DREES de la même année (Spearman, Pearson), hors communes proches d'une offre inconnue."""
    settings = Settings()
    if region not in CHECK_LISTS:
        console.print(
            f"[red]Aucune liste de médecins par commune pour la région {region}[/red] "
            f"(disponibles : {', '.join(CHECK_LISTS)})."
        )
        raise typer.Exit(2)
    entry = read_manifest(settings.manifest_path)[CHECK_LISTS[region]]
    try:
        content = fetch(entry, settings.data_mirror, settings.download_dir)
    except DataFileError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    with _engine(settings) as engine, Session(engine) as session:
        try:
            data = IndexCache(settings.apl_model()).current(session)
            result = regional_check(session, data.id, data.network(session), region, content)
        except AppError as exc:
            console.print(f"[red]{exc.detail}[/red]")
            raise typer.Exit(2) from exc
    print(
        json.dumps(
            {
                "region": result.region,
                "liste": f"{entry.title} — {entry.attribution} ({entry.vintage})",
                "communes_comparees": result.compared,
                "communes_ecartees_offre_inconnue_a_moins_de_20_min": result.near_unknown,
                "spearman": round(result.spearman, 3),
                "pearson": round(result.pearson, 3),
                "apl_moyenne_calculee": round(result.mean_ours, 3),
                "apl_moyenne_drees_2021": round(result.mean_drees, 3),
                "methode": result.method,
            },
            ensure_ascii=False,
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
