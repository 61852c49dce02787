"""A commune's tax-zone statuses that several rooms read — its France Ruralités Revitalisation
(FRR) and ZRR classifications — declared once: the code the data holds, whether the commune is
in the exemption's zone (None: it depends on the address), what the card says and what an aid
line says. Pure: no web, no database."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Status:
    code: str
    in_zone: bool | None
    card: str  # the commune card's words
    line: str  # an aid line's words


def _declared(*statuses: Status) -> dict[str, Status]:
    return {s.code: s for s in statuses}


TAX_OFFICE = "à vérifier auprès du service des impôts des entreprises"
FRR = _declared(
    Status("socle", True, "commune classée en FRR", "commune classée en FRR"),
    Status("plus", True, "commune classée en FRR+ (niveau renforcé)", "commune classée en FRR+"),
    Status(
        "bénéficiaire",
        True,
        "ancienne commune ZRR bénéficiant des effets de la FRR (loi de finances 2025, art. 99)",
        "ancienne commune ZRR bénéficiant des effets de la FRR",
    ),
    Status(
        "partielle",
        None,
        "commune classée en partie : selon l'adresse",
        f"commune classée en partie en FRR : selon l'adresse, {TAX_OFFICE}",
    ),
    Status("non classée", False, "commune non classée en FRR", "commune non classée en FRR"),
    Status("absente", False, "commune absente de la liste FRR", "commune absente de la liste FRR"),
)
FRR_UNKNOWN = (
    "classement FRR de la commune non connu ici : à vérifier dans la liste des communes FRR de "
    "la DGCL (arrêtés du 19 juin 2024 et suivants)"
)
ZRR = _declared(
    Status("classée", True, "commune classée en ZRR", "commune classée en ZRR"),
    Status("non classée", False, "commune non classée en ZRR", "commune non classée en ZRR"),
    Status(
        "partiellement classée",
        None,
        "commune classée en partie en ZRR : selon l'adresse",
        f"commune classée en partie en ZRR : selon l'adresse, {TAX_OFFICE}",
    ),
)
ZRR_UNKNOWN = (
    "classement ZRR de la commune inconnu : à vérifier dans l'arrêté de classement ZRR ou "
    "auprès du service des impôts des entreprises"
)
