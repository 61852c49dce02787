"""The page's state: every field of the search and profile forms, read from and written to the
query string, so that a link restores the page and the forms work without JavaScript."""

from __future__ import annotations

import enum
import functools
import operator
import types
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args, get_origin
from urllib.parse import urlencode

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    create_model,
    field_validator,
)

from app.aids.lines import Sector
from app.aids.schemas import ProfileIn
from app.errors import french_message
from app.places.schemas import MAX_MINUTES, Classes, SortKey

Insee = Annotated[str, Field(pattern=r"^([0-9]{5}|2[AB][0-9]{3})$")]
MAX_COMPARED = 5
# The profile's fields the page asks, as the aids API declares them (aids/schemas.ProfileIn):
# the page asks a percentage for the opposable share, and no held contracts.
API_ONLY = ("opposable_share", "contracts")
PROFILE_FIELDS = tuple(name for name in ProfileIn.model_fields if name not in API_ONLY)
PROFILE_FORM = (*PROFILE_FIELDS, "as_of", "opposable_pct", "zone_class")
PAGE_DEFAULTS = {"sector": Sector.secteur_1}  # the most common, preselected


class PlaceState(BaseModel):
    """What the query string may hold beside the profile; every field optional so that a bare
    ``/`` is valid."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    q: str | None = Field(default=None, max_length=200)
    insee: Insee | None = None
    lat: float | None = Field(default=None, ge=-90, le=90, allow_inf_nan=False)
    lon: float | None = Field(default=None, ge=-180, le=180, allow_inf_nan=False)
    cmp: list[Insee] = Field(default_factory=list, max_length=MAX_COMPARED)
    embed: bool = False
    as_of: date | None = None
    opposable_pct: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)
    zone_class: Literal["ZIP", "ZAC", "hors zonage"] | None = None
    fte: Decimal | None = Field(default=None, gt=0, le=20, decimal_places=1)
    # Où m'installer : the places within ``within`` minutes of the place, filtered and ordered
    within: int | None = Field(default=None, ge=5, le=MAX_MINUTES)
    classes: list[Classes] = Field(default_factory=list, max_length=6)
    msp: bool = False
    order: SortKey = "class"
    start: int = Field(default=0, ge=0, le=10_000)
    territory: str | None = Field(default=None, max_length=9, pattern=r"^[0-9A-Za-z]+$")
    changes: bool = False  # what the last arrêté of the place's région changed

    @field_validator("q")
    @classmethod
    def _strip(cls, value: str | None) -> str | None:
        return value.strip() or None if value is not None else None

    @field_validator("cmp", "classes")
    @classmethod
    def _unique(cls, value: list[str]) -> list[str]:
        return list(dict.fromkeys(value))

    def asked(self, name: str) -> Any:
        """The profile's field ``name`` as the form gave it (the profile's fields are derived
        from the API's: see ``PageState``)."""
        return getattr(self, name)

    @property
    def has_profile(self) -> bool:
        """The profile form was sent: the age is its one required field."""
        return self.asked("age") is not None

    def pairs(self, *exclude: str, **changes: Any) -> list[tuple[str, str]]:
        """Name/value pairs of this state with ``changes``, without ``exclude``; defaults and
        empty values left out. For links, and for hidden inputs that carry the state through
        another form."""
        data = self.model_dump() | changes
        pairs: list[tuple[str, str]] = []
        for name, field in type(self).model_fields.items():
            value = data[name]
            if name in exclude or value in (None, field.get_default(call_default_factory=True)):
                continue
            for item in value if isinstance(value, list) else [value]:
                pairs.append((name, "1" if item is True else str(item)))
        return pairs

    def place_pairs(self) -> list[tuple[str, str]]:
        """The state the profile form carries unchanged: the place, the comparison, embed."""
        return self.pairs(*PROFILE_FORM)

    def query(self, **changes: Any) -> str:
        """The query string of this state with ``changes``."""
        return urlencode(self.pairs(**changes))


def _lenient(kind: Any) -> Any:
    """``kind`` without its strictness, wherever it is (``StrictInt | None``)."""
    if get_origin(kind) is Annotated:
        base, *metadata = get_args(kind)
        kept = [m for m in metadata if not isinstance(m, Strict)]
        return Annotated[_lenient(base), *kept] if kept else _lenient(base)
    if get_origin(kind) in (Union, types.UnionType):
        return functools.reduce(operator.or_, map(_lenient, get_args(kind)))
    return kind


def _asked(name: str) -> tuple[Any, Any]:
    """A profile field as the page reads it: the API's type and bounds, read leniently from a
    query string (« 34 », « 1 »), blank by default — a box unticked, a choice preselected."""
    field = ProfileIn.model_fields[name]
    bounds = [m for m in field.metadata if not isinstance(m, Strict)]
    kind = _lenient(field.annotation)
    if name in PAGE_DEFAULTS:  # never blank
        kind = functools.reduce(operator.or_, (a for a in get_args(kind) if a is not type(None)))
        default = PAGE_DEFAULTS[name]
    elif kind is bool or field.default is None or isinstance(field.default, enum.Enum):
        default = field.default
    else:  # a number the API defaults, or a required one: blank on the page
        kind, default = kind | None, None
    return Annotated[kind, *bounds] if bounds else kind, Field(default=default)


if TYPE_CHECKING:
    PageState = PlaceState
else:  # the place's fields and the profile's, as one flat query string
    PageState = create_model(
        "PageState", __base__=PlaceState, **{name: _asked(name) for name in PROFILE_FIELDS}
    )
CHECKBOXES = tuple(n for n, f in PageState.model_fields.items() if f.annotation is bool)


def _number(name: str) -> str | None:
    """A number's bounds and keyboard on the page, as the API declares them; None for what is
    not a number."""
    field = ProfileIn.model_fields[name]
    kinds = set(get_args(_lenient(field.annotation)) or [field.annotation]) - {type(None)}
    if not kinds <= {int, Decimal}:
        return None
    attrs = [
        f'{html}="{getattr(m, bound)}"'
        for bound, html in (("ge", "min"), ("le", "max"))
        for m in field.metadata
        if hasattr(m, bound)
    ]
    return " ".join([*attrs, f'inputmode="{"numeric" if kinds == {int} else "decimal"}"'])


# the attributes of the profile's number inputs
NUMBERS = {name: attrs for name in PROFILE_FIELDS if (attrs := _number(name))}


def grouped(items: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """The values of each field the page knows, in one pass: asking the query string for each
    name's values scanned it once per name (8.5 s of CPU for 16,000 names)."""
    values: dict[str, list[str]] = {}
    for name, value in items:
        if name in PageState.model_fields:
            values.setdefault(name, []).append(value)
    return values


def _raw(params: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Query parameters as the model reads them: empty fields absent, ticked boxes true."""
    raw: dict[str, Any] = {}
    for name, values in params.items():
        values = [v for v in values if v.strip()]
        if not values:
            continue
        if name == "cmp":
            raw[name] = [v.strip().upper() for v in values]
        elif name == "classes":
            raw[name] = [v.strip() for v in values]
        elif name in CHECKBOXES:
            raw[name] = values[-1] not in ("0", "false")
        else:
            raw[name] = values[-1] if name == "q" else "".join(values[-1].split()).replace(",", ".")
    if "insee" in raw:
        raw["insee"] = raw["insee"].upper()
    return raw


def parse(params: Mapping[str, Sequence[str]]) -> tuple[PageState, dict[str, str]]:
    """The state and a French message per invalid field; invalid fields are dropped so that the
    rest of the page still renders."""
    raw = _raw(params)
    errors: dict[str, str] = {}
    while True:
        try:
            return PageState.model_validate(raw), errors
        except ValidationError as exc:
            for error in exc.errors():
                name = str(error["loc"][0]) if error["loc"] else "q"
                errors.setdefault(name, french_message(error))
                raw.pop(name, None)
