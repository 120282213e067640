"""The levers a strategist can pull before a run, and the forms of the interventions during it.

Nothing here is written twice. Each lever is declared once in ``LEVERS`` (its key, label,
group, and whether ``/mesa`` offers it, with which values); the main page's panels
(``LEVER_GROUPS``) and ``/mesa``'s widgets (``MESA_LEVERS``) derive from it. Help texts, units
and allowed ranges come from the ``param(...)`` declarations of :mod:`simulation.config` and
:mod:`simulation.events`, so the dashboard says exactly what the validator enforces.

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
from simulation.events import REGISTRY
from simulation.i18n import LazyString, _, _l, current_language, format_number
from simulation.i18n import parse_number as parse_typed_number
from simulation.schema import allowed_text

# ----------------------------------------------------------------------------------------------
# The lever registry: every lever declared once


@dataclass(frozen=True)
class Lever:
    """A value a strategist may set before a run, declared once.

    ``key`` is a dotted scenario key; ``{brand}``, ``{department}`` and ``{agency}`` are filled
    in from the brand, department and agency chosen at the top of the main page's panel (on
    ``/mesa``, ``{brand}`` is the scenario's first brand). The help text, unit and allowed range
    are not written here: they come from the key's ``param(...)`` declaration (:meth:`field`),
    so the dashboard says exactly what the validator enforces. ``mesa`` names the lever's widget
    on ``/mesa`` (empty: the main page only) and ``mesa_choices`` the values that page offers.
    """

    key: str
    label: str | LazyString
    group: str | LazyString
    mesa: str = ""
    mesa_choices: tuple[float, ...] = ()

    @property
    def name(self) -> str:
        return self.key.rsplit(".", 1)[-1]

    def field(self, config: ScenarioConfig, **names: str) -> FieldSpec:
        """The lever's form field (label, help, unit, range, choices) for chosen names."""
        return lever_spec(self.key.format(**names), config)


# The groups' names, as lazy strings of the catalogue (a lever names its group with one).
RUN, MARKET, STRATEGY = _l("Run"), _l("Market"), _l("Brand strategy")
DEPARTMENTS_GROUP, AGENCIES, CRISIS = _l("Departments"), _l("Agencies"), _l("Crisis")
#: The groups of the main page's lever panel, in order: (name, description).
GROUPS: tuple[tuple[LazyString, LazyString], ...] = (
    (RUN, _l("Length of the run.")),
    (MARKET, _l("The customers and their social network.")),
    (STRATEGY, _l("What the chosen brand posts, how it is organised, its means.")),
    (DEPARTMENTS_GROUP, _l("Where the chosen department of the chosen brand starts.")),
    (AGENCIES, _l("The chosen brand's agencies, and how the chosen agency works.")),
    (CRISIS, _l("Exposure to crises and preparation for them.")),
)

_B, _D, _A = "brands.{brand}", "brands.{brand}.departments.{department}", "agencies.{agency}"
#: Every lever, in the order of its group's panel. The main page shows them all; /mesa the
#: ones with a ``mesa`` widget name (tests/test_registries.py walks this list).
LEVERS: tuple[Lever, ...] = (
    Lever("horizon_days", _l("Days to simulate"), RUN),
    Lever("market.n_customers", _l("Customers simulated"), MARKET, mesa="n_customers",
          mesa_choices=(5_000, 10_000, 30_000, 100_000)),
    Lever("market.network", _l("Network shape"), MARKET),
    Lever("market.mean_degree", _l("Friends per customer"), MARKET),
    Lever("market.share_engaging", _l("Share engaging with brands"), MARKET),
    Lever("market.attention_posts_per_day", _l("Brand stories read per day"), MARKET),
    Lever("market.other_brand_posts_per_day", _l("Competing stories per day"), MARKET),
    Lever(f"{_B}.content.posts_per_day", _l("Posts per day"), STRATEGY,
          mesa="posts_per_day", mesa_choices=(0.5, 1, 2, 3, 5, 8)),
    Lever(f"{_B}.content.mix", _l("Content mix"), STRATEGY),
    Lever(f"{_B}.content.push_share", _l("Push share"), STRATEGY, mesa="push_share",
          mesa_choices=(0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1)),
    Lever(f"{_B}.organisational_model", _l("Organisational model"), STRATEGY),
    Lever(f"{_B}.hub_department", _l("Hub department"), STRATEGY),
    Lever(f"{_B}.budget", _l("Yearly social-media budget"), STRATEGY),
    Lever(f"{_B}.training_budget", _l("Training budget"), STRATEGY),
    Lever(f"{_B}.listening_coverage", _l("Listening coverage"), STRATEGY,
          mesa="listening", mesa_choices=(0, 0.05, 0.1, 0.25, 0.5, 0.75, 1)),
    Lever(f"{_B}.crm_integration", _l("Social CRM integration"), STRATEGY, mesa="crm",
          mesa_choices=(0, 0.25, 0.5, 0.75, 1)),
    Lever(f"{_B}.culture.resistance", _l("Resistance to change"), STRATEGY),
    Lever(f"{_B}.culture.turf_war", _l("Marketing/communication turf war"), STRATEGY,
          mesa="turf_war", mesa_choices=(0, 0.2, 0.5, 0.9, 1)),
    Lever(f"{_D}.adoption", _l("Adoption"), DEPARTMENTS_GROUP),
    Lever(f"{_D}.trained_share", _l("Trained staff"), DEPARTMENTS_GROUP),
    Lever(f"{_D}.capacity_hours", _l("Social-media hours per day"), DEPARTMENTS_GROUP),
    Lever(f"{_D}.awareness", _l("Awareness"), DEPARTMENTS_GROUP),
    Lever(f"{_D}.resistance", _l("Resistance to change"), DEPARTMENTS_GROUP),
    Lever(f"{_D}.headcount", _l("Headcount"), DEPARTMENTS_GROUP),
    Lever(f"{_B}.agencies", _l("Agencies under contract"), AGENCIES),
    Lever(f"{_A}.push_orientation", _l("Push orientation"), AGENCIES),
    Lever(f"{_A}.inertia_days", _l("Inertia"), AGENCIES),
    Lever(f"{_A}.campaigns_per_year", _l("Campaigns per year"), AGENCIES),
    Lever(f"{_A}.campaign_posts_per_day", _l("Campaign posts per day"), AGENCIES),
    Lever(f"{_A}.monthly_fee", _l("Monthly fee"), AGENCIES),
    Lever(f"{_B}.crisis_preparedness", _l("Crisis preparedness"), CRISIS),
    Lever(f"{_B}.incident_rate", _l("Incident rate"), CRISIS),
    Lever("word_of_mouth.exogenous_crises_per_year", _l("External crises per year"), CRISIS),
    Lever("word_of_mouth.p_reshare", _l("Chance a complaint is passed on"), CRISIS),
    Lever("word_of_mouth.crisis_response_days_unprepared", _l("Days to respond, unprepared"),
          CRISIS),
    Lever("word_of_mouth.p_backfire_unprepared", _l("Chance a response backfires"), CRISIS),
)
LEVERS_BY_KEY: Mapping[str, Lever] = {lever.key: lever for lever in LEVERS}
#: The levers /mesa offers, by widget name.
MESA_LEVERS: Mapping[str, Lever] = {lever.mesa: lever for lever in LEVERS if lever.mesa}

#: (group, description, key templates), derived from LEVERS: the main page's panels.
LEVER_GROUPS: tuple[tuple[str, str, tuple[str, ...]], ...] = tuple(
    (group, description, tuple(lever.key for lever in LEVERS if lever.group == group))
    for group, description in GROUPS)

#: Labels of the interventions' form fields (the levers carry their own).
FIELD_LABELS = {
    "departments": _l("Departments"),
    "coverage": _l("Coverage"),
    "duration_days": _l("Duration"),
    "level": _l("Sponsorship level"),
    "department": _l("Department"),
    "hours": _l("Hours per day"),
    "agency": _l("Sign with"),
    "replaces": _l("End contract with"),
    "cause": _l("Cause"),
    "virality": _l("Virality"),
    "n_seeds": _l("First posters"),
    "posts_per_day": _l("Posts per day"),
    "mix": _l("Content mix"),
    "push_share": _l("Push share"),
    "crm_integration": _l("Social CRM integration"),
    "factor": _l("Reach factor"),
}
LABELS = {**{lever.name: lever.label for lever in LEVERS}, **FIELD_LABELS}


def label_of(name: str) -> str:
    return LABELS.get(name, name.replace("_", " ").capitalize())


@dataclass(frozen=True)
class FieldSpec:
    """One form field: what it is, what it accepts, how to explain it."""

    key: str  # dotted scenario key, or an intervention's field name
    name: str
    label: str | LazyString
    kind: str  # "int", "float", "choice", "multi", "bool", "text"
    help: str | LazyString
    unit: str | LazyString
    allowed: str
    choices: tuple[str, ...] = ()
    optional: bool = False  # an empty value means "unchanged"
    meta: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def hint(self) -> str:
        # Whole sentences, each from the catalogue, shown one after the other.
        parts = [str(self.help).rstrip(".") + "." if self.help else ""]
        if self.allowed and self.kind in ("int", "float"):
            allowed = re.sub(r"\d{5,}", lambda m: format_number(int(m.group())), self.allowed)
            must_be = _("must be {noun}").split("{noun}")[0]  # "must be " / "doit être "
            allowed = allowed.removeprefix(must_be)
            parts.append(allowed[:1].upper() + allowed[1:] + ".")
        if self.optional:
            parts.append(_("Leave empty to keep the current value."))
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
    spec = _lever_field(key, name, kind, meta, config)
    lever = _lever_of(key)
    return dataclasses.replace(spec, label=lever.label) if lever else spec


def lever_title(key: str) -> str:
    """A scenario key in words, for messages and tables: the lever's label, with the brand,
    department or agency it is about ("Adoption (acme, HR)"); the key itself if no lever
    declares it."""
    from . import labels

    lever = _lever_of(key)
    if lever is None:
        return key
    names = []
    for template, part in zip(lever.key.split("."), key.split("."), strict=True):
        if template == "{department}":
            names.append(str(labels.department(part)))
        elif template.startswith("{"):
            names.append(part)
    if not names:
        return str(lever.label)
    return _("{lever} ({names})").format(lever=lever.label, names=", ".join(names))


def _lever_of(key: str) -> Lever | None:
    """The declared lever a concrete key comes from (brand, department, agency filled in)."""
    parts = key.split(".")
    for lever in LEVERS:
        template = lever.key.split(".")
        if len(template) == len(parts) and all(
                t == p or (t.startswith("{") and t.endswith("}"))
                for t, p in zip(template, parts, strict=True)):
            return lever
    return None


def _lever_field(key: str, name: str, kind: Any, meta: Mapping[str, Any],
                 config: ScenarioConfig) -> FieldSpec:
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
    cls = REGISTRY[kind].cls  # the live registry: a kind declared in its own module too
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
    cls = REGISTRY[kind].cls  # the live registry: a kind declared in its own module too
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


def parse_number(text: Any, spec: FieldSpec, lang: str | None = None) -> Any:
    """Read a typed number; raises ValueError with a message for the user.

    The one number parser of the dashboard (main page and /mesa): French or English as
    :func:`simulation.i18n.parse_number` reads them (``1,5``, ``20 000``); ``lang`` settles
    ``1,500`` (default: the current language)."""
    if isinstance(text, bool):
        raise ValueError(_("{label}: expected a number").format(label=spec.label))
    allowed = spec.allowed or _("a number")
    if isinstance(text, int | float):
        value = text
    else:
        if not str(text).strip():
            if spec.optional:
                return None
            raise ValueError(_("{label}: a value is needed ({allowed})").format(
                label=spec.label, allowed=allowed))
        try:
            value = parse_typed_number(text, lang=lang)  # French or English (simulation.i18n)
        except ValueError:
            raise ValueError(_("{label}: {text} is not a number ({allowed})").format(
                label=spec.label, text=repr(str(text).strip()), allowed=allowed)) from None
    if spec.kind == "int":
        if not float(value).is_integer():
            raise ValueError(_("{label}: {text} is not a whole number ({allowed})").format(
                label=spec.label, text=text, allowed=spec.allowed))
        return int(value)
    return float(value)


def check_range(value: Any, spec: FieldSpec) -> None:
    """Raise ValueError if a number is outside the declared range."""
    if value is None or spec.kind not in ("int", "float"):
        return
    lo, hi = spec.meta.get("lo"), spec.meta.get("hi")
    too_low = lo is not None and (value <= lo if spec.meta.get("lo_open") else value < lo)
    if too_low or (hi is not None and value > hi):
        raise ValueError(_("{label} = {value} ({allowed})").format(
            label=spec.label, value=format_number(value), allowed=spec.allowed))


def format_value(value: Any) -> str:
    """A value as it is shown in a text field (a decimal comma in French: ``0,5``; no
    grouping, so the text reads back the same in either language)."""
    if value is None:
        return ""
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value)) if abs(value) >= 1000 else f"{value:g}"
        text = f"{value:.6g}"
        return text.replace(".", ",") if current_language() == "fr" else text
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
                    raise ValueError(_("{label}: choose at least one").format(
                        label=spec.label))
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
