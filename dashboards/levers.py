"""The levers a strategist can pull before a run, and the forms of the interventions during it.

Nothing here is written twice: labels, help texts, units and allowed ranges come from the
``param(...)`` declarations of :mod:`simulation.config` and :mod:`simulation.events`, so the
dashboard says exactly what the validator enforces. This module only chooses *which* values
matter to a strategist and groups them (market, brand strategy, departments, agencies, crisis).

Values typed in a form are parsed leniently (``1,5`` and ``20 000`` are read as a French user
means them) and then validated by the model's own loader; a refused value produces a one-line
message and changes nothing.
"""

from __future__ import annotations

import dataclasses
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from simulation.config import (
    DEPARTMENTS,
    NAMED_MIXES,
    ScenarioConfig,
)
from simulation.events import INTERVENTIONS
from simulation.i18n import parse_number as parse_typed_number
from simulation.schema import allowed_text

# (group, description, keys). "{brand}", "{department}" and "{agency}" are filled in from the
# brand, department and agency chosen at the top of the panel.
LEVER_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("Run", "Length of the run.", ("horizon_days",)),
    ("Market", "The customers and their social network.", (
        "market.n_customers",
        "market.network",
        "market.mean_degree",
        "market.share_engaging",
        "market.attention_posts_per_day",
        "market.other_brand_posts_per_day",
    )),
    ("Brand strategy", "What the chosen brand posts, how it is organised, its means.", (
        "brands.{brand}.content.posts_per_day",
        "brands.{brand}.content.mix",
        "brands.{brand}.content.push_share",
        "brands.{brand}.organisational_model",
        "brands.{brand}.hub_department",
        "brands.{brand}.budget",
        "brands.{brand}.training_budget",
        "brands.{brand}.listening_coverage",
        "brands.{brand}.crm_integration",
        "brands.{brand}.culture.resistance",
        "brands.{brand}.culture.turf_war",
    )),
    ("Departments", "Where the chosen department of the chosen brand starts.", (
        "brands.{brand}.departments.{department}.adoption",
        "brands.{brand}.departments.{department}.trained_share",
        "brands.{brand}.departments.{department}.capacity_hours",
        "brands.{brand}.departments.{department}.awareness",
        "brands.{brand}.departments.{department}.resistance",
        "brands.{brand}.departments.{department}.headcount",
    )),
    ("Agencies", "The chosen brand's agencies, and how the chosen agency works.", (
        "brands.{brand}.agencies",
        "agencies.{agency}.push_orientation",
        "agencies.{agency}.inertia_days",
        "agencies.{agency}.campaigns_per_year",
        "agencies.{agency}.campaign_posts_per_day",
        "agencies.{agency}.monthly_fee",
    )),
    ("Crisis", "Exposure to crises and preparation for them.", (
        "brands.{brand}.crisis_preparedness",
        "brands.{brand}.incident_rate",
        "word_of_mouth.exogenous_crises_per_year",
        "word_of_mouth.p_reshare",
        "word_of_mouth.crisis_response_days_unprepared",
        "word_of_mouth.p_backfire_unprepared",
    )),
)

LABELS = {
    "horizon_days": "Days to simulate",
    "n_customers": "Customers simulated",
    "network": "Network shape",
    "mean_degree": "Friends per customer",
    "share_engaging": "Share engaging with brands",
    "attention_posts_per_day": "Brand stories read per day",
    "other_brand_posts_per_day": "Competing stories per day",
    "posts_per_day": "Posts per day",
    "mix": "Content mix",
    "push_share": "Push share",
    "organisational_model": "Organisational model",
    "hub_department": "Hub department",
    "budget": "Yearly social-media budget",
    "training_budget": "Training budget",
    "listening_coverage": "Listening coverage",
    "crm_integration": "Social CRM integration",
    "resistance": "Resistance to change",
    "turf_war": "Marketing/communication turf war",
    "trained_share": "Trained staff",
    "capacity_hours": "Social-media hours per day",
    "awareness": "Awareness",
    "headcount": "Headcount",
    "agencies": "Agencies under contract",
    "push_orientation": "Push orientation",
    "inertia_days": "Inertia",
    "campaigns_per_year": "Campaigns per year",
    "campaign_posts_per_day": "Campaign posts per day",
    "monthly_fee": "Monthly fee",
    "crisis_preparedness": "Crisis preparedness",
    "incident_rate": "Incident rate",
    "exogenous_crises_per_year": "External crises per year",
    "p_reshare": "Chance a complaint is passed on",
    "crisis_response_days_unprepared": "Days to respond, unprepared",
    "p_backfire_unprepared": "Chance a response backfires",
    "departments": "Departments",
    "coverage": "Coverage",
    "duration_days": "Duration",
    "level": "Sponsorship level",
    "department": "Department",
    "hours": "Hours per day",
    "agency": "Sign with",
    "replaces": "End contract with",
    "cause": "Cause",
    "virality": "Virality",
    "n_seeds": "First posters",
}


def label_of(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


@dataclass(frozen=True)
class FieldSpec:
    """One form field: what it is, what it accepts, how to explain it."""

    key: str  # dotted scenario key, or an intervention's field name
    name: str
    label: str
    kind: str  # "int", "float", "choice", "multi", "bool", "text"
    help: str
    unit: str
    allowed: str
    choices: tuple[str, ...] = ()
    optional: bool = False  # an empty value means "unchanged"
    meta: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def hint(self) -> str:
        parts = [self.help.rstrip(".") + "." if self.help else ""]
        if self.allowed and self.kind in ("int", "float"):
            allowed = re.sub(r"\d{5,}", lambda m: f"{int(m.group()):,}", self.allowed)
            parts.append(allowed.replace("must be ", "").capitalize() + ".")
        if self.optional:
            parts.append("Leave empty to keep the current value.")
        return " ".join(p for p in parts if p)


def _field_of(cls: type, name: str) -> tuple[Any, Mapping[str, Any]]:
    hints = typing.get_type_hints(cls)
    for spec in dataclasses.fields(cls):
        if spec.name == name:
            return hints[name], spec.metadata
    raise KeyError(f"{cls.__name__} has no field {name!r}")


def resolve(key: str) -> tuple[Any, Mapping[str, Any]]:
    """The declared type and metadata of a dotted scenario key."""
    node: Any = ScenarioConfig
    kind, meta = None, {}
    parts = key.split(".")
    i = 0
    while i < len(parts):
        kind, meta = _field_of(node, parts[i])
        origin = typing.get_origin(kind)
        if origin is dict and i + 1 < len(parts):
            node = typing.get_args(kind)[1]
            i += 2  # skip the table key (brand, department or agency name)
            continue
        if dataclasses.is_dataclass(kind):
            node = kind
        i += 1
    return kind, meta


def _spec(key: str, name: str, kind: Any, meta: Mapping[str, Any], *,
          choices: tuple[str, ...] = (), optional: bool = False) -> FieldSpec:
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(kind) if a is not type(None)]
        optional = optional or len(args) < len(typing.get_args(kind))
        kind = args[0] if len(args) == 1 else kind
        origin = typing.get_origin(kind)
    if origin in (tuple, list):
        form = "multi"
    elif choices:
        form = "choice"
    elif meta.get("choices") and kind is str:
        form, choices = "choice", tuple(meta["choices"])
    elif kind is bool:
        form = "bool"
    elif kind is int:
        form = "int"
    elif kind is float:
        form = "float"
    else:
        form = "text"
    numeric = kind if kind in (int, float) else None
    return FieldSpec(
        key=key, name=name, label=label_of(name), kind=form, help=meta.get("help", ""),
        unit=meta.get("unit", ""), allowed=allowed_text(meta, numeric) if numeric else "",
        choices=choices, optional=optional, meta=meta,
    )


def lever_spec(key: str, config: ScenarioConfig) -> FieldSpec:
    """The form field of a scenario lever (choices filled in from the scenario)."""
    kind, meta = resolve(key)
    name = key.rsplit(".", 1)[-1]
    if name == "mix":
        return _spec(key, name, str, meta, choices=tuple(NAMED_MIXES))
    if name == "agencies":
        return _spec(key, name, tuple[str, ...], meta, choices=tuple(config.agencies))
    return _spec(key, name, kind, meta)


def levers(group_keys: tuple[str, ...], config: ScenarioConfig, brand: str, department: str,
           agency: str | None) -> list[FieldSpec]:
    """The fields of one group for the chosen brand, department and agency."""
    specs = []
    for template in group_keys:
        if "{agency}" in template and not agency:
            continue
        key = template.format(brand=brand, department=department, agency=agency)
        specs.append(lever_spec(key, config))
    return specs


# ----------------------------------------------------------------------------------------------
# Interventions


def intervention_specs(kind: str, agencies: tuple[str, ...] = ()) -> list[FieldSpec]:
    """The form fields of one kind of intervention (its day and brand excluded)."""
    cls = INTERVENTIONS[kind]
    hints = typing.get_type_hints(cls)
    specs = []
    for spec in dataclasses.fields(cls):
        if spec.name in ("day", "brand"):
            continue
        kind_ = hints[spec.name]
        meta = spec.metadata
        if spec.name == "departments":
            specs.append(_spec(spec.name, spec.name, tuple[str, ...], meta,
                               choices=DEPARTMENTS))
        elif spec.name == "department":
            specs.append(_spec(spec.name, spec.name, str, meta, choices=DEPARTMENTS))
        elif spec.name in ("agency", "replaces"):
            specs.append(_spec(spec.name, spec.name, str, meta, choices=("",) + agencies))
        elif spec.name == "mix":
            specs.append(_spec(spec.name, spec.name, str, meta, choices=("",) + tuple(NAMED_MIXES),
                               optional=True))
        else:
            specs.append(_spec(spec.name, spec.name, kind_, meta))
    return specs


def intervention_defaults(kind: str) -> dict[str, Any]:
    cls = INTERVENTIONS[kind]
    values = {}
    for spec in dataclasses.fields(cls):
        if spec.name in ("day", "brand"):
            continue
        default = spec.default if spec.default is not dataclasses.MISSING else (
            spec.default_factory() if spec.default_factory is not dataclasses.MISSING else None)
        values[spec.name] = list(default) if isinstance(default, tuple) else default
    return values


# ----------------------------------------------------------------------------------------------
# Parsing what people type


def parse_number(text: Any, spec: FieldSpec) -> Any:
    """Read a typed number; raises ValueError with a message for the user."""
    if isinstance(text, bool):
        raise ValueError(f"{spec.label}: expected a number")
    if isinstance(text, int | float):
        value = text
    else:
        if not str(text).strip():
            if spec.optional:
                return None
            raise ValueError(f"{spec.label}: a value is needed ({spec.allowed or 'a number'})")
        try:
            value = parse_typed_number(text)  # French or English, see simulation.i18n
        except ValueError:
            raise ValueError(f"{spec.label}: '{str(text).strip()}' is not a number "
                             f"({spec.allowed or 'a number'})") from None
    if spec.kind == "int":
        if not float(value).is_integer():
            raise ValueError(f"{spec.label}: {text} is not a whole number ({spec.allowed})")
        return int(value)
    return float(value)


def check_range(value: Any, spec: FieldSpec) -> None:
    """Raise ValueError if a number is outside the declared range."""
    if value is None or spec.kind not in ("int", "float"):
        return
    lo, hi = spec.meta.get("lo"), spec.meta.get("hi")
    too_low = lo is not None and (value <= lo if spec.meta.get("lo_open") else value < lo)
    if too_low or (hi is not None and value > hi):
        raise ValueError(f"{spec.label} = {value:g} ({spec.allowed})")


def format_value(value: Any) -> str:
    """A value as it is shown in a text field."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)) if abs(value) >= 1000 else f"{value:g}"
        return f"{value:.6g}"
    return str(value)


def build_request(kind: str, brand: str, values: Mapping[str, Any],
                  agencies: tuple[str, ...] = ()) -> dict[str, Any]:
    """An intervention request from form values; raises ValueError listing what is wrong."""
    request: dict[str, Any] = {"kind": kind, "brand": brand}
    problems = []
    for spec in intervention_specs(kind, agencies):
        raw = values.get(spec.name)
        try:
            if spec.kind in ("int", "float"):
                value = parse_number(raw if raw is not None else "", spec)
                check_range(value, spec)
            elif spec.kind == "multi":
                value = list(raw or [])
                if not value:
                    raise ValueError(f"{spec.label}: choose at least one")
            elif spec.kind == "choice":
                value = raw if raw not in (None, "") else ("" if spec.name in (
                    "agency", "replaces") else None)
            else:
                value = raw
        except ValueError as error:
            problems.append(str(error))
            continue
        if value is not None:
            request[spec.name] = value
    if problems:
        raise ValueError("; ".join(problems))
    return request
