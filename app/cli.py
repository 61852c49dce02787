"""Command line: ``zonage db upgrade``, ``zonage data load``, ``zonage serve``…

Each command imports the modules it needs when it runs: ``zonage --help`` answers at once,
without the data libraries and the numeric core (≈ 2.4 s of imports)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table
from typer import rich_utils
from typer.core import TyperCommand, TyperGroup, TyperOption

from app import cli_french
from app.settings import Settings

if TYPE_CHECKING:
    from pydantic import ValidationError
    from sqlalchemy import Engine

    from app.datasets.fetch import DataFileError
    from app.datasets.manifest import DatasetEntry, ManifestError
    from app.zones.data import Reader

# Typer's own words, in French where it lets us change them (Click's parse errors stay English).
rich_utils.ARGUMENTS_PANEL_TITLE = "Arguments"
rich_utils.OPTIONS_PANEL_TITLE = "Options"
rich_utils.COMMANDS_PANEL_TITLE = "Commandes"
rich_utils.ERRORS_PANEL_TITLE = "Erreur"
rich_utils.DEFAULT_STRING = "[défaut : {}]"
rich_utils.ENVVAR_STRING = "[variable : {}]"
rich_utils.REQUIRED_LONG_STRING = "[obligatoire]"
rich_utils.ABORTED_TEXT = "Interrompu."
rich_utils.RICH_HELP = "Essayez [blue]« {command_path} {help_option} »[/] pour l'aide."
cli_french.install()
OWN_OPTIONS = {
    "help": "Affiche cette aide et quitte.",
    "install_completion": "Installe la complétion de la commande dans le shell courant.",
    "show_completion": "Affiche le script de complétion du shell courant, à copier ou adapter.",
}


class _French:
    """Typer's own options (help, completion) described in French; a flag shows no
    ``<bool>`` placeholder, since it takes no value."""

    def get_params(self, ctx: Any) -> list[Any]:
        params: list[Any] = super().get_params(ctx)  # type: ignore[misc]  # a mixin: the Typer class after it has get_params
        for param in params:
            if isinstance(param, TyperOption):
                param.help = OWN_OPTIONS.get(param.name or "", param.help)
                if param.is_flag:
                    param.metavar = ""
        return params


class Group(_French, TyperGroup):
    pass


class Command(_French, TyperCommand):
    pass


def _typer(help: str, **kwargs: Any) -> typer.Typer:
    return typer.Typer(
        help=help, cls=Group, no_args_is_help=True, rich_markup_mode="markdown", **kwargs
    )


cli = _typer("zonage : zones d'installation des médecins généralistes, APL et aides.")
db_cli = _typer("Schéma de la base.")
data_cli = _typer("Données ouvertes : chargement, épinglage et état.")
zones_cli = _typer("Zonage : analyses régionales.")
aids_cli = _typer("Aides à l'installation.")
geocode_cli = _typer("Géocodage des adresses.")
apl_cli = _typer("APL : moteur E2SFCA et ses vérifications.")
for sub, name in (
    (db_cli, "db"),
    (data_cli, "data"),
    (zones_cli, "zones"),
    (aids_cli, "aids"),
    (geocode_cli, "geocode"),
    (apl_cli, "apl"),
):
    cli.add_typer(sub, name=name)
# Regional lists of GPs per commune that the manifest holds, by région code.
CHECK_LISTS = {"28": "ps-liberaux-normandie"}
console = Console(stderr=True)
MIRROR_HINT = (
    "Indiquez où sont les fichiers : « zonage data load --from DOSSIER » ou la variable "
    "ZONAGE_DATA_MIRROR=DOSSIER (le dossier shared/data d'un miroir des données)."
)


@contextmanager
def _engine(settings: Settings) -> Iterator[Engine]:
    """A migrated engine, disposed on exit."""
    from app import migrate
    from app.db import make_engine
    from app.errors import AppError

    engine = make_engine(settings.sqlalchemy_url)
    try:
        migrate.upgrade(engine)
        yield engine
    except AppError as exc:  # the database cannot be used (PostGIS missing)
        _fail(exc.detail, exc)
    finally:
        engine.dispose()


@contextmanager
def _reading(settings: Settings, failure: int = 1) -> Iterator[Reader]:
    """A reader on the migrated database, composed as the application composes its own
    (``app.context``); a domain error inside ends the command with its French detail."""
    from app.context import reading
    from app.errors import AppError

    try:
        with reading(settings) as reader:
            yield reader
    except AppError as exc:
        console.print(f"[red]{shown(exc.detail)}[/red]")
        raise typer.Exit(failure) from exc


def _served(engine: Engine) -> bool:
    """Whether a snapshot is being served (what a refused load leaves in place)."""
    from sqlalchemy.orm import Session

    from app.datasets.snapshot import active_snapshot

    with Session(engine) as session:
        return active_snapshot(session) is not None


@db_cli.command("upgrade", cls=Command)
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Révision Alembic visée")] = "head",
) -> None:
    """Applique les migrations Alembic (crée la base au premier lancement)."""
    from alembic.util import CommandError

    from app import migrate
    from app.db import make_engine
    from app.errors import AppError

    settings = Settings()
    engine = make_engine(settings.sqlalchemy_url)
    try:
        migrate.upgrade(engine, revision)
    except CommandError as exc:
        _fail(f"Révision inconnue : « {revision} » (« head » pour la dernière).", exc)
    except AppError as exc:
        _fail(exc.detail, exc)
    finally:
        engine.dispose()
    console.print(f"Base à jour ({settings.sqlalchemy_url.split('@')[-1]}).")


def _load(settings: Settings, engine: Engine, mirror: Path | None) -> None:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TaskID,
        TextColumn,
        TimeElapsedColumn,
    )

    from app.datasets.manifest import read_manifests
    from app.datasets.snapshot import load

    entries = read_manifests(settings.manifest_path, settings.local_manifest_path)
    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, TaskID] = {}

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
        reasons = "\n".join(f"{n} : {shown(r)}" for r, n in (skipped | incomplete).items())
        table.add_row(
            name,
            str(summary["rows"]),
            str(sum(skipped.values())),
            str(sum(incomplete.values())),
            reasons,
        )
    Console().print(table)


CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def shown(text: object) -> str:
    """Text from a file or a request, for the terminal: its rich markup escaped and its control
    characters (terminal escape codes) written out, never run."""
    return escape(CONTROL.sub(lambda m: f"\\x{ord(m[0]):02x}", str(text)))


def _fail(message: str, cause: BaseException | None = None) -> NoReturn:
    """A user's mistake: one French line on standard error, exit 2."""
    console.print(f"[red]Erreur[/red] : {shown(message)}", highlight=False, soft_wrap=True)
    raise typer.Exit(2) from cause


def _money(amount: Decimal) -> str:
    """Euros as a French reader writes them: « 50 000,00 € »."""
    from app.simulator.display import NNBSP, number

    return f"{number(amount, 2)}{NNBSP}€"


def _refused(title: str, exc: DataFileError | ManifestError, engine: Engine) -> typer.Exit:
    """Says why a load was refused, how to give it its files, and what is served now."""
    from app.datasets.fetch import MissingFiles

    console.print(f"[red]{title}[/red] : {shown(exc)}", highlight=False)
    if isinstance(exc, MissingFiles):
        console.print(MIRROR_HINT)
    if _served(engine):
        console.print("Les données servies jusqu'ici restent en place.")
    else:
        console.print("Aucune donnée n'est chargée : le service n'a rien à servir.")
    return typer.Exit(2)


@data_cli.command("load", cls=Command)
def data_load(
    source: Annotated[
        Path | None,
        typer.Option(
            "--from",
            help="Miroir local des fichiers (ZONAGE_DATA_MIRROR ; à défaut ../shared/data "
            "s'il existe)",
        ),
    ] = None,
) -> None:
    """Vérifie les sommes de contrôle, charge un nouvel instantané et le bascule atomiquement."""
    from app.datasets.fetch import DataFileError
    from app.datasets.manifest import ManifestError
    from app.datasets.snapshot import LoadInProgress

    settings = Settings()
    mirror = source or settings.data_mirror
    if source is not None and not source.is_dir():
        raise typer.BadParameter(f"répertoire introuvable : {source}", param_hint="--from")
    with _engine(settings) as engine:
        try:
            _load(settings, engine, mirror)
        except (DataFileError, ManifestError) as exc:
            raise _refused("Chargement refusé", exc, engine) from exc
        except LoadInProgress as exc:
            console.print("[red]Chargement refusé[/red] : un autre chargement est en cours.")
            raise typer.Exit(2) from exc


@data_cli.command("rpps", cls=Command)
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
    from app.datasets.pin import pin_rpps

    if not source.is_file():
        raise typer.BadParameter(f"fichier introuvable : {source}", param_hint="SOURCE")
    _pin(
        "rpps-activite",
        "Extraction refusée",
        lambda template, store: pin_rpps(source, template, store, vintage),
    )


def _pin(name: str, refused: str, build: Callable[[DatasetEntry, Path], DatasetEntry]) -> None:
    """Fill the manifest's ``name`` template with the file ``build`` keeps, in the local
    manifest; a file not in its documented format is refused (exit 2) and nothing is written."""
    from app.datasets.fetch import DataFileError
    from app.datasets.manifest import ManifestError, read_manifest, write_pinned
    from app.sources.common import SourceFormatError

    settings = Settings()
    try:
        entry = build(read_manifest(settings.manifest_path)[name], settings.pinned_dir)
    except (ManifestError, SourceFormatError, DataFileError) as exc:
        console.print(f"[red]{refused}[/red] : {shown(exc)}", highlight=False)
        raise typer.Exit(2) from exc
    write_pinned(settings.local_manifest_path, entry)
    console.print(
        f"Épinglé : {shown(entry.vintage)} ({shown(entry.note)}) ; lancez « zonage data load »."
    )


@data_cli.command("zonage", cls=Command)
def data_zonage(
    source: Annotated[
        Path | None,
        typer.Argument(help="La table « Zonages des professionnels de santé libéraux » (CSV)"),
    ] = None,
    download: Annotated[
        bool,
        typer.Option(
            "--telecharger", help="La télécharger depuis data.gouv.fr au lieu d'un fichier"
        ),
    ] = False,
) -> None:
    """Épingle la table officielle des zonages (DataSanté) ; au prochain « data load », elle
    prime sur la copie non officielle et donne le territoire de vie-santé de chaque commune."""
    import httpx

    from app.datasets.fetch import read_content
    from app.datasets.pin import PIN_MAX_BYTES, download_official_zonage, pin_official_zonage

    if (source is None) == (not download):
        raise typer.BadParameter("donnez un fichier, ou --telecharger", param_hint="SOURCE")
    if source is not None and not source.is_file():
        raise typer.BadParameter(f"fichier introuvable : {source}", param_hint="SOURCE")

    def build(template: DatasetEntry, store: Path) -> DatasetEntry:
        if source is not None:
            content, origin = read_content(source, PIN_MAX_BYTES["zonage-officiel"]), source.name
        else:
            with httpx.Client(timeout=60.0, follow_redirects=True) as client:
                content, origin = download_official_zonage(template, client)
        return pin_official_zonage(content, origin, template, store)

    _pin("zonage-officiel", "Table refusée", build)


@data_cli.command("frr", cls=Command)
def data_frr(
    source: Annotated[
        Path,
        typer.Argument(help="La liste des communes FRR et FRR+ de la DGCL (CSV)"),
    ],
) -> None:
    """Épingle la liste des communes France Ruralités Revitalisation ; au prochain « data
    load », l'exonération FRR lit le classement de la commune."""
    from app.datasets.pin import pin_frr

    _pin_file(source, "frr-communes", "Liste refusée", pin_frr)


@data_cli.command("zones-rouges", cls=Command)
def data_zones_rouges(
    source: Annotated[
        Path,
        typer.Argument(help="La liste des EPCI « zones rouges » (CSV : epci_name, epci_siren)"),
    ],
) -> None:
    """Épingle la liste des 151 EPCI « zones rouges » de la mission de solidarité
    territoriale ; au prochain « data load », l'aide lit l'EPCI de la commune (tant que la
    liste n'est pas entière, un EPCI qu'elle ne nomme pas reste « non vérifié »)."""
    from datetime import date
    from functools import partial

    from app.datasets.pin import pin_zones_rouges

    _pin_file(
        source, "zones-rouges", "Liste refusée", partial(pin_zones_rouges, today=date.today())
    )


def _pin_file(
    source: Path,
    name: str,
    refused: str,
    pin: Callable[[bytes, str, DatasetEntry, Path], DatasetEntry],
) -> None:
    """Pin the file ``source`` as the manifest's ``name``, read no further than its bound."""
    from app.datasets.fetch import read_content
    from app.datasets.pin import PIN_MAX_BYTES

    if not source.is_file():
        raise typer.BadParameter(f"fichier introuvable : {source}", param_hint="SOURCE")
    _pin(
        name,
        refused,
        lambda template, store: pin(
            read_content(source, PIN_MAX_BYTES[name]), source.name, template, store
        ),
    )


@data_cli.command("ban", cls=Command)
def data_ban(
    departements: Annotated[
        list[str] | None, typer.Argument(help="Codes des départements, ex. 31 69 75")
    ] = None,
    every: Annotated[bool, typer.Option("--all", help="Tous les départements")] = False,
    source: Annotated[
        Path | None,
        typer.Option("--from", help="Miroir local des fichiers (défaut : ZONAGE_DATA_MIRROR)"),
    ] = None,
) -> None:
    """Épingle le fichier BAN (adresses-XX.csv.gz) de départements, pris dans le miroir ou
    téléchargé ; le prochain « data load » construit leur répertoire d'adresses hors ligne."""
    from datetime import date

    import httpx

    from app.datasets.fetch import DataFileError, fetch
    from app.datasets.manifest import read_manifest
    from app.datasets.pin import ban_file, pin_ban
    from app.sources.areas import parse_areas

    settings = Settings()
    mirror = source or settings.data_mirror
    codes = [c.strip().upper() for c in departements or []]
    if every:
        entries = read_manifest(settings.manifest_path)
        try:
            files = [
                fetch(entries[n], mirror, settings.download_dir)
                for n in ("departements", "regions")
            ]
        except DataFileError as exc:
            console.print(f"[red]{shown(exc)}[/red]", highlight=False)
            raise typer.Exit(2) from exc
        codes = [row["code"] for row in parse_areas(*files)[1]]
    if not codes or any(not re.fullmatch(r"\d{2}|2[AB]|97\d", c) for c in codes):
        raise typer.BadParameter(
            "donnez des codes de département (ex. 31 69 2A 974), ou --all",
            param_hint="DEPARTEMENTS",
        )
    project = read_manifest(settings.manifest_path)
    with httpx.Client(timeout=120.0, follow_redirects=True) as client:
        for code in codes:
            if f"ban-{code}" in project:
                console.print(f"ban-{code} : déjà chargé par le manifeste du projet.")
                continue

            def build(template: DatasetEntry, store: Path, code: str = code) -> DatasetEntry:
                content, origin = ban_file(code, template, mirror, client)
                return pin_ban(code, content, origin, template, store, date.today())

            _pin("ban", "Adresses refusées", build)


@data_cli.command("status", cls=Command)
def data_status() -> None:
    """Affiche l'instantané servi : jeux de données, millésimes, sommes de contrôle."""
    from sqlalchemy.orm import Session

    from app.datasets.snapshot import active_snapshot

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
            table.add_row(*(shown(d[k]) for k in ("name", "vintage", "licence")), d["sha256"][:16])
        Console().print(table)


@zones_cli.command("classify", cls=Command)
def zones_classify(
    region: Annotated[str, typer.Option(help="Code de la région, ex. 76")],
    zip_cap: Annotated[float, typer.Option(help="Part maximale de la population en ZIP")],
    zac_cap: Annotated[float, typer.Option(help="Part maximale de la population en ZAC")],
) -> None:
    """Remplit ZIP puis ZAC depuis le vivier par APL croissante ; matrice de confusion."""
    from app.zones import service as zones_service
    from app.zones.classify import Caps

    try:
        caps = Caps(zip_cap, zac_cap)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with _reading(Settings()) as reader:
        result = zones_service.classify_region(reader, region, caps)
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


@aids_cli.command("simulate", cls=Command)
def aids_simulate(
    profile: Annotated[Path, typer.Option(help="Profil du médecin en JSON (champs de l'API)")],
    as_of: Annotated[str, typer.Option("--as-of", help="Date de simulation, AAAA-MM-JJ")],
    insee: Annotated[str | None, typer.Option(help="Code INSEE de la commune")] = None,
    zone_class: Annotated[
        str | None, typer.Option(help="Classe imposée : ZIP, ZAC, hors zonage")
    ] = None,
    csv_out: Annotated[
        Path | None, typer.Option("--csv", help="Écrit la trésorerie en CSV dans ce fichier")
    ] = None,
) -> None:
    """Simule les aides d'un profil dans une commune à une date, avec leurs sources."""
    from pydantic import ValidationError

    from app.aids import service as aids_service
    from app.aids.schemas import SimulationRequest

    if insee is None and zone_class is None:
        _fail("indiquez la commune (--insee) ou une classe imposée (--zone-class)")
    settings = Settings()
    try:
        body = json.loads(profile.read_text(encoding="utf-8"))
    except OSError as exc:
        _fail(f"profil illisible : {profile} ({exc.strerror or exc})", exc)
    except ValueError as exc:
        _fail(f"profil {profile} : JSON invalide ({exc})", exc)
    try:
        request = SimulationRequest.model_validate(
            {"place": {"insee": insee, "zone_class": zone_class}, "as_of": as_of, "profile": body}
        )
    except ValidationError as exc:
        _fail(_invalid(exc), exc)
    with _reading(settings) as reader:
        result = aids_service.simulate(reader, request)
    from app.simulator.display import ZONE_LABELS

    out = Console()
    where = result.place.name or "zone imposée"
    out.print(
        f"{where} — {ZONE_LABELS.get(result.place.zone_class, result.place.zone_class)} "
        f"({result.place.zone_status}), au {result.as_of:%d/%m/%Y}",
        highlight=False,
    )
    table = Table()
    for column in ("aide", "éligible", "montant", "raisons / échéances", "source"):
        table.add_column(column)
    for line in result.lines:
        detail = (
            "\n".join(r.message for r in line.reasons)
            or "\n".join(f"{p.on:%d/%m/%Y} : {_money(p.amount)}" for p in line.schedule)
            or "\n".join(e.label for e in line.exemptions)
            or "\n".join(a.label for a in line.allowances)
        )
        table.add_row(
            line.name,
            line.status,
            KIND_WORDS[line.kind] if line.total is None else _money(line.total),
            escape(detail),
            escape(line.source.citation),
        )
    out.print(table, highlight=False)
    for year in result.cash_flow:
        out.print(f"{year.year} : {_money(year.amount)}", highlight=False)
    out.print(f"Total des aides dues : {_money(result.total)}", highlight=False)
    if result.to_check:
        names = {line.code: line.name for line in result.lines}
        out.print(
            "À vérifier, non comptées : " + " ; ".join(names[c] for c in result.to_check),
            highlight=False,
        )
    if csv_out is not None:
        try:
            csv_out.write_bytes(aids_service.cash_flow_csv(result))
        except OSError as exc:
            _fail(f"impossible d'écrire {csv_out} ({exc.strerror or exc})", exc)


KIND_WORDS = {"aide": "–", "exonération": "exonération d'impôt", "information": "information"}
# a request field, as the command line names it
OPTION_NAMES = {"as_of": "--as-of", "place.insee": "--insee", "place.zone_class": "--zone-class"}


def _invalid(exc: ValidationError) -> str:
    """A pydantic refusal as one French line: the option or profile field, and why."""
    from app.errors import french_message

    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error["loc"])
        where = OPTION_NAMES.get(where, where.replace("profile.", "profil, champ ")) or "profil"
        parts.append(f"{where} : {french_message(error)}")
    return "entrée invalide — " + " ; ".join(parts)


@geocode_cli.command("check", cls=Command)
def geocode_check(
    sample: Annotated[
        int, typer.Option(min=1, help="Nombre d'adresses BAN tirées au hasard")
    ] = 2000,
    seed: Annotated[int, typer.Option(help="Graine du tirage")] = 2026,
) -> None:
    """Exactitude du géocodeur hors ligne, par département chargé : commune retrouvée et
    distance au contour."""
    from app.geocoding import service as geocoding_service

    with _reading(Settings()) as reader:
        report = geocoding_service.check(reader, sample, seed)
    out = Console()
    out.print(
        f"{report.same_commune}/{report.sample} adresses retrouvées dans la commune de la "
        f"BAN ({report.rate:.2%})"
    )
    for departement, (drawn, found_here) in sorted(report.by_departement.items()):
        out.print(f"  département {departement} : {found_here}/{drawn} ({found_here / drawn:.2%})")
    for typed, expected, found in report.misses:
        out.print(f"  raté : « {typed} » attendu {expected}, trouvé {found or 'rien'}")
    out.print(
        f"{len(report.far)} points à plus de {geocoding_service.FAR_M:.0f} m du contour de "
        "leur commune"
    )
    for label, insee, metres in report.far:
        out.print(f"  loin : {label} ({insee}) à {metres} m")


@cli.command("export", cls=Command)
def export_zones(
    output: Annotated[Path, typer.Argument(help="Fichier écrit : .geojson, .parquet ou .csv")],
    departement: Annotated[str | None, typer.Option(help="Code du département")] = None,
    region: Annotated[str | None, typer.Option(help="Code de la région")] = None,
) -> None:
    """Exporte les communes et leur zonage (toute la France sans option) ; un CSV reçoit à
    côté un fichier .meta.json des sources et millésimes."""
    from typing import cast

    from app.exports import service as exports_service
    from app.exports.service import MEDIA_TYPES, Format

    format = output.suffix.removeprefix(".")
    if format not in MEDIA_TYPES:
        _fail(f"{output} : extension .geojson, .parquet ou .csv attendue")
    if not output.parent.is_dir():
        _fail(f"dossier introuvable : {output.parent}")
    with _reading(Settings()) as reader:
        result = exports_service.export(reader, cast(Format, format), departement, region)
        meta = exports_service.meta(reader, departement, region)
    try:
        output.write_bytes(result.file.body)
        if format == "csv":
            sidecar = output.with_suffix(".meta.json")
            sidecar.write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
    except OSError as exc:
        _fail(f"impossible d'écrire {output} ({exc.strerror or exc})", exc)
    console.print(f"{meta['count']} communes ({meta['scope']}) → {output}")


# Python's own event loop, not uvloop: under saturation uvloop left some requests waiting for
# seconds (200 connections over the realistic mix: max 5.0 s and 10 timeouts against 1.1 s and
# none, at the same throughput; bench/RESULTS.md).
EVENT_LOOP = "asyncio"


def _setting_default(name: str) -> str:
    """How Typer marks a default, for an option whose default is a setting."""
    return escape(f"[défaut : ZONAGE_{name.upper()}, sinon {Settings.model_fields[name].default}]")


@cli.command(cls=Command)
def serve(
    host: Annotated[
        str | None, typer.Option(help=f"Adresse d'écoute {_setting_default('host')}")
    ] = None,
    port: Annotated[int | None, typer.Option(help=f"Port {_setting_default('port')}")] = None,
    workers: Annotated[int, typer.Option(min=1, help="Processus uvicorn")] = 1,
) -> None:
    """Migre la base, charge les données si elle est vide, puis lance le service HTTP."""
    import uvicorn

    from app.datasets.fetch import DataFileError
    from app.datasets.manifest import ManifestError

    settings = Settings()
    host, port = host or settings.host, port or settings.port
    _check_port(host, port)
    with _engine(settings) as engine:
        if not _served(engine):
            console.print("Base vide : chargement des données ouvertes…")
            try:
                _load(settings, engine, settings.data_mirror)
            except (DataFileError, ManifestError) as exc:
                raise _refused("Chargement impossible", exc, engine) from exc
    _more_file_descriptors()
    uvicorn.run(
        "app.main:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        loop=EVENT_LOOP,
        limit_concurrency=settings.limit_concurrency,
        timeout_keep_alive=settings.timeout_keep_alive_s,
    )


def _check_port(host: str, port: int) -> None:
    """Refuse a port another program holds before loading anything: uvicorn would say so in
    English after the load, and the process then died on a segmentation fault."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        _fail(f"adresse d'écoute inconnue : {host}", exc)
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind(address)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                _fail(
                    f"le port {port} de {host} est déjà pris : arrêtez l'autre service ou "
                    "choisissez --port",
                    exc,
                )
            _fail(f"impossible d'écouter sur {host}:{port} (droits, adresse)", exc)


def _more_file_descriptors() -> None:
    """The soft limit of open files raised to the hard one (often 1,024 → 524,288): each client
    holds one, and past the limit every accept fails and is logged. uvicorn has no timeout for
    a request's headers: before slow clients, the front proxy of compose.yaml holds them."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


@apl_cli.command("check", cls=Command)
def apl_check(
    region: Annotated[str, typer.Option("--region", help="Code de la région")] = "28",
) -> None:
    """Recalcule l'APL d'une région à partir de la liste de ses médecins et la compare à l'APL
    DREES de la même année (Spearman, Pearson), hors communes proches d'une offre inconnue."""
    from app.datasets.fetch import DataFileError, fetch
    from app.datasets.manifest import read_manifest
    from app.zones.network import regional_check

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
        console.print(f"[red]{shown(exc)}[/red]", highlight=False)
        raise typer.Exit(2) from exc
    with _reading(settings, failure=2) as reader:
        data, session = reader.data, reader.session
        result = regional_check(session, data.id, data.network(session), region, content)
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


@apl_cli.command("calibrate", cls=Command)
def apl_calibrate(
    within_km: Annotated[
        float, typer.Option(min=1, help="Paires retenues pour l'ajustement : à vol d'oiseau")
    ] = 25.0,
) -> None:
    """Mesure le modèle de temps de trajet à vol d'oiseau contre les temps routiers Metric de
    l'Insee (Gironde) et l'ajuste sur les paires proches, celles que la décroissance voit."""
    import numpy as np

    from app.datasets.fetch import DataFileError, fetch
    from app.datasets.manifest import read_manifest
    from app.zones import calibration, parameters
    from app.zones.accessibility import CrowFly

    settings = Settings()
    entry = read_manifest(settings.manifest_path)["metric-calibration-gironde"]
    try:
        content = fetch(entry, settings.data_mirror, settings.download_dir)
    except DataFileError as exc:
        console.print(f"[red]{shown(exc)}[/red]", highlight=False)
        raise typer.Exit(2) from exc
    table = np.genfromtxt(content.splitlines(), delimiter=",", names=True)
    km, minutes = table["crow_km"], table["metric_hc_min"]
    near = km <= within_km
    setting = parameters.apl_model(settings)
    named: dict[CrowFly, list[str]] = {}  # a fit equal to the setting shares its row
    for name, model in (
        ("réglage actuel", setting.travel),
        ("×1,3 à 60 km/h (avant)", CrowFly(0.0, 1.3)),
        ("ajusté sur toutes les paires", calibration.fit(km, minutes)),
        (f"ajusté sur les paires ≤ {within_km:g} km", calibration.fit(km[near], minutes[near])),
    ):
        named.setdefault(model, []).append(name)
    models = {" = ".join(names): model for model, names in named.items()}
    out = Table(title=f"{entry.title} — {entry.attribution} ({entry.vintage})")
    for column in (
        "modèle",
        "min",
        "min/km",
        "paires",
        "écart moyen (min)",
        "biais (min)",
        "même bande",
        "écart de poids",
    ):
        out.add_column(column)
    for name, model in models.items():
        for label, where in (("toutes", slice(None)), (f"≤ {within_km:g} km", near)):
            e = calibration.errors(model, km[where], minutes[where], setting.decay)
            out.add_row(
                name,
                f"{model.start_minutes:g}",
                f"{model.minutes_per_km:g}",
                f"{label} ({e.pairs})",
                f"{e.mean_abs_error:.2f}",
                f"{e.bias:+.2f}",
                f"{e.same_band:.1%}",
                f"{e.weight_error:.3f}",
            )
    Console().print(out)


def main() -> None:
    """Console-script entry point."""
    cli()


if __name__ == "__main__":
    main()
