"""The command line's usage errors in French. Typer (and the Click it vendors) writes them in
English, as f-strings no catalogue reaches (« No such command », « Invalid value for »);
``install`` puts a French rendering in place of Typer's, which translates the message by the
patterns below and keeps whatever it does not recognise."""

from __future__ import annotations

import re
from typing import Any

from rich.console import Console
from rich.markup import escape
from typer import rich_utils

# the outer sentence of each usage error, then the reasons a value is refused
SENTENCES = (
    (r"No such command '(.+?)'\.(?: Did you mean (.+)\?)?", "Commande inconnue : « \\1 ».{0}"),
    (r"No such option:? '?(.+?)'?\.?(?: Did you mean (.+)\?)?", "Option inconnue : « \\1 ».{0}"),
    (r"Missing argument '(.+?)'\..*", "Argument manquant : « \\1 »."),
    (r"Missing option '(.+?)'\..*", "Option manquante : « \\1 »."),
    (r"Missing parameter:? '?(.+?)'?\.?", "Paramètre manquant : « \\1 »."),
    (r"Option '(.+?)' requires .*", "L'option « \\1 » attend une valeur."),
    (r"Option '(.+?)' does not take a value\.", "L'option « \\1 » ne prend pas de valeur."),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.+)\)", "Argument en trop : « \\1 »."),
    (r"Invalid value for '?(.+?)'?: (.*)", "Valeur invalide pour « \\1 » : {1}"),
    (r"Invalid value: (.*)", "Valeur invalide : {1}"),
)
REASONS = (
    (r"Input should be a valid integer.*|.* is not a valid int(?:eger)?\.?", "entier attendu"),
    (r"Input should be a valid number.*|.* is not a valid float\.?", "nombre attendu"),
    (r"Input should be a valid boolean.*", "oui ou non attendu"),
    (r"Input should be greater than or equal to (.+)", "valeur minimale : \\1"),
    (r"Input should be less than or equal to (.+)", "valeur maximale : \\1"),
    (r"'?(.+?)'? is not one of (.+)\.", "« \\1 » n'est pas l'une des valeurs \\2"),
    (r"(?:File|Directory|Path) '(.+)' does not exist\.", "« \\1 » n'existe pas"),
    (r"(?:File|Directory|Path) '?(.+?)'? is a file\.", "« \\1 » est un fichier, pas un dossier"),
    (r"(?:File|Directory|Path) '?(.+?)'? is a directory\.", "« \\1 » est un dossier"),
    (r"(?:File|Directory|Path) '?(.+?)'? is not readable\.", "« \\1 » n'est pas lisible"),
    (r"(.+) is not in the range (.+)\.", "\\1 est hors de l'intervalle \\2"),
    (r"(.+) is (?:smaller|larger) than the \w+ valid value (.+)\.", "\\1 : borne \\2"),
)


def _first(patterns: tuple[tuple[str, str], ...], text: str) -> tuple[re.Match[str], str] | None:
    for pattern, french in patterns:
        if found := re.fullmatch(pattern, text, re.DOTALL):
            return found, french
    return None


def translate(message: str) -> str:
    """A Click or Typer usage error in French; an unknown one is kept as it is."""
    message = message.strip()
    matched = _first(SENTENCES, message)
    if matched is None:
        return message
    found, french = matched
    suggestion = ""
    if "{0}" in french and found.lastindex and found.lastindex >= 2 and found[2]:
        suggestion = f" Vouliez-vous dire {found[2]} ?"
    reason = ""
    if "{1}" in french:
        said = found[found.lastindex or 1]
        reasoned = _first(REASONS, said)
        reason = said if reasoned is None else reasoned[0].expand(reasoned[1])
        reason = reason[:1].lower() + reason[1:] + ("" if reason.endswith(".") else ".")
    return found.expand(french.replace("{0}", suggestion).replace("{1}", reason.replace("\\", "")))


def _format_error(error: Any) -> None:
    """Typer's rendering of a usage error, in French and on one line: the usage, the error,
    where to find help."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        usage = ctx.get_usage().replace("Usage:", "Usage :", 1)
        console.print(escape(usage))
    console.print(f"[red]Erreur[/red] : {escape(translate(error.format_message()))}")
    if ctx is not None:
        console.print(escape(f"Aide : « {ctx.command_path} --help »."))


def install() -> None:
    rich_utils.rich_format_error = _format_error  # type: ignore[assignment]  # any usage error
