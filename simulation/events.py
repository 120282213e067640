"""Interventions and crises as pure data, their registry, and the event log.

An intervention is a small frozen dataclass with a day, a brand and its parameters: it says
*what* happens, never *how* (msprime's demographic events are the model). The model owns the
handlers (``simulation.model.HANDLERS`` maps each class to the method of the agent it acts on:
the brand, or the market for a crisis). An intervention can be scheduled in a scenario's
``[[timeline]]`` (``kind = "training"`` ...) or applied to a running model with
``model.apply(intervention)``; either way it acts at the start of its day, before the departments
and customers move, and writes one line in the event log.

The kinds (labels and help texts in :mod:`simulation.vocabulary`):
- ``training``: a training programme raises the trained share of the named departments toward
  ``coverage`` over ``duration_days``, and their awareness. It costs ``cost_per_trainee`` per
  trained employee from the brand's training budget; if the budget is short, coverage is cut to
  what it pays for (and the log says so).
- ``sponsorship``: the executive commits at ``level``: executive awareness is raised to at least
  that level, and sponsorship moves toward the commitment over the following weeks
  (sponsorship_days). A later sponsorship entry replaces the commitment, even a lower one.
- ``hiring``: adds ``hours`` of daily social-media capacity to a department.
- ``content``: changes posting frequency, content mix and/or push share (unset keys unchanged).
- ``listening``: deploys listening (coverage) and social CRM (integration with CRM).
- ``switch_agency``: ends the contract with ``replaces`` (or every agency if empty) and, unless
  ``agency`` is empty, signs with ``agency``.
- ``crisis``: an exogenous crisis (one of the vocabulary's crisis causes): a complaint of high
  virality first posted by the people its seeding rule picks; a product defect also multiplies
  incidents for a while.

The registry (:data:`REGISTRY`) is the one place a kind is declared: its class, label, help,
the fields users fill in (and where their choices come from) and the surfaces it appears on.
The timeline union (:data:`TimelineEvent`), :func:`intervention_from_mapping`, the ODD table,
the CLI help and the dashboard's forms are all derived from it; ``tests/test_registries.py``
walks it and fails if a kind is missing anywhere it must appear.

The event log records these, and what the model itself notices: phase changes, crises starting,
escalating and ending, the help-desk trap, agencies dropped, budgets exhausted.

This module sits below :mod:`simulation.config` (a scenario holds a timeline of these), so it
imports only the vocabulary and the schema at run time; the scenario it checks references
against is named for type checkers only.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Mapping
from dataclasses import MISSING, dataclass, fields
from typing import TYPE_CHECKING, Any, ClassVar

from .i18n import Message, _
from .schema import ConfigError, convert, did_you_mean, param, to_mapping
from .vocabulary import (
    CONTENT_TYPES,
    CRISIS_CAUSE_TERMS,
    CRISIS_CAUSES,
    DEFAULT_CRISIS_CAUSE,
    DEPARTMENT_TERMS,
    DEPARTMENTS,
    INTERVENTION_TERMS,
    MIX_NAMES,
    MIX_TERMS,
    Term,
    mix_problem,
)

if TYPE_CHECKING:
    from .config import ScenarioConfig

# Where a kind can appear: a scenario's timeline, the dashboard's live form, the ODD table, the
# CLI help. Every kind appears on all of them unless its entry says otherwise.
SURFACES = ("timeline", "live", "odd", "cli")


@dataclass(frozen=True)
class Intervention:
    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""

    day: int = param(0, "Day the intervention takes effect.", unit="day", lo=0)
    brand: str = param("", "Brand concerned.")

    def check_references(self, scenario: ScenarioConfig, path: str) -> None:
        if self.brand not in scenario.brands:
            raise ConfigError(f"{path}.brand", self.brand, _(
                "no such brand; known: {known}").format(known=", ".join(scenario.brands)))


def _check_department(name: str, path: str) -> None:
    if name not in DEPARTMENTS:
        raise ConfigError(path, name, did_you_mean(name, list(DEPARTMENTS), what="department"))


def _check_departments(names, path: str) -> None:
    if not names:
        raise ConfigError(path, list(names), _("name at least one department"))
    for i, name in enumerate(names):
        _check_department(name, f"{path}[{i}]")
        if name in names[:i]:
            raise ConfigError(f"{path}[{i}]", name, _("department listed twice"))


def check_mix(mix: Mapping[str, float] | str, path: str) -> None:
    """A content mix: one of the named mixes, or shares ≥ 0 per content type, not all zero."""
    problem = mix_problem(mix)
    if problem is None:
        return
    key, value, what = problem
    allowed = {
        "unknown_name": lambda: _("must be one of {choices}").format(
            choices=", ".join(map(repr, MIX_NAMES))),
        "unknown_type": lambda: did_you_mean(key, list(CONTENT_TYPES)),
        "negative": lambda: _("must be a number ≥ 0"),
        "all_zero": lambda: _("at least one content type must have a share > 0"),
    }[what]()
    raise ConfigError(f"{path}.{key}" if key else path, value, allowed)


# --------------------------------------------------------------------------------------------
# The registry


@dataclass(frozen=True)
class InterventionField:
    """One field a user fills in for an intervention (``day`` and ``brand`` excluded).

    ``choices_from`` names where the allowed values come from: ``"departments"``, ``"mixes"``,
    ``"causes"`` (the vocabulary) or ``"agencies"`` (the scenario's); ``multiple``: a list of
    them; ``optional``: may be left unset (unchanged).
    """

    name: str
    type: Any
    default: Any
    help: str
    unit: str
    meta: Mapping[str, Any]
    choices_from: str | None = None
    multiple: bool = False
    optional: bool = False

    @property
    def label(self) -> str:
        return self.name.replace("_", " ").capitalize()


# Allowed values and their labels, by ``choices_from`` (agencies come from the scenario).
CHOICE_SOURCES: Mapping[str, Mapping[str, Term]] = {
    "departments": DEPARTMENT_TERMS,
    "mixes": MIX_TERMS,
    "causes": CRISIS_CAUSE_TERMS,
}


@dataclass(frozen=True)
class InterventionKind:
    """A registry entry: everything the loader, the model, the docs and the dashboard need."""

    kind: str
    cls: type[Intervention]
    term: Term
    choices_from: Mapping[str, str]
    surfaces: frozenset[str]
    log_kind: str = "intervention"

    @property
    def label(self) -> str:
        return self.term.label

    @property
    def help(self) -> str:
        return self.term.help

    @functools.cached_property
    def fields(self) -> tuple[InterventionField, ...]:
        hints = typing.get_type_hints(self.cls)
        out = []
        for spec in fields(self.cls):
            if spec.name in ("day", "brand"):
                continue
            kind = hints[spec.name]
            default = (spec.default if spec.default is not MISSING else
                       spec.default_factory() if spec.default_factory is not MISSING else None)
            optional = type(None) in typing.get_args(kind)
            multiple = typing.get_origin(kind) in (tuple, list)
            out.append(InterventionField(
                spec.name, kind, default, spec.metadata.get("help", ""),
                spec.metadata.get("unit", ""), spec.metadata,
                self.choices_from.get(spec.name), multiple, optional))
        return tuple(out)

    def field(self, name: str) -> InterventionField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(f"{self.kind} has no field {name!r}")

    def choices(self, name: str, agencies: tuple[str, ...] = ()) -> tuple[str, ...]:
        """Allowed values of field ``name`` (empty tuple: free value); ``agencies`` are the
        scenario's, for the agency fields (where "" means none / all)."""
        source = self.choices_from.get(name)
        if source is None:
            return ()
        if source == "agencies":
            return ("", *agencies)
        return tuple(CHOICE_SOURCES[source])

    def choice_label(self, name: str, value: str) -> str:
        """The label users see for one allowed value of field ``name``."""
        source = self.choices_from.get(name)
        if source in CHOICE_SOURCES and value in CHOICE_SOURCES[source]:
            return CHOICE_SOURCES[source][value].label
        return value or "(none)"

    def defaults(self) -> dict[str, Any]:
        """Default value of each user field (lists for tuples), as a form starts."""
        return {f.name: list(f.default) if isinstance(f.default, tuple) else f.default
                for f in self.fields}

    def example(self, brand: str = "acme", day: int = 0) -> dict[str, Any]:
        """A timeline entry with every default, as written in a scenario file."""
        return {**to_mapping(self.cls(day=day, brand=brand)), "kind": self.kind}


REGISTRY: dict[str, InterventionKind] = {}


def intervention(kind: str, *, choices_from: Mapping[str, str] | None = None,
                 surfaces: tuple[str, ...] = SURFACES, log_kind: str = "intervention"):
    """Class decorator declaring an intervention kind: ``kind`` must be a term of the
    vocabulary (its label and help); ``choices_from`` says where each field's allowed values
    come from; ``surfaces`` where it appears."""

    def register(cls: type[Intervention]) -> type[Intervention]:
        if kind not in INTERVENTION_TERMS:
            raise ValueError(f"intervention kind {kind!r} is not in "
                             "simulation.vocabulary.INTERVENTION_TERMS")
        unknown = set(surfaces) - set(SURFACES)
        if unknown:
            raise ValueError(f"{kind}: unknown surfaces {sorted(unknown)}; known: {SURFACES}")
        cls.kind = kind
        cls.label = INTERVENTION_TERMS[kind].label
        REGISTRY[kind] = InterventionKind(kind, cls, INTERVENTION_TERMS[kind],
                                          dict(choices_from or {}), frozenset(surfaces),
                                          log_kind)
        return cls

    return register


# --------------------------------------------------------------------------------------------
# The kinds


@intervention("training", choices_from={"departments": "departments"})
@dataclass(frozen=True)
class Training(Intervention):
    departments: tuple[str, ...] = param(("marketing",), "Departments trained.")
    coverage: float = param(0.6, "Share of each department's staff trained by the end.",
                            lo=0, hi=1)
    duration_days: int = param(90, "Length of the programme.", unit="days", lo=1, hi=3650)

    def check_references(self, scenario, path):
        super().check_references(scenario, path)
        _check_departments(self.departments, f"{path}.departments")


@intervention("sponsorship")
@dataclass(frozen=True)
class Sponsorship(Intervention):
    level: float = param(0.8, "Executive commitment.", lo=0, hi=1)


@intervention("hiring", choices_from={"department": "departments"})
@dataclass(frozen=True)
class Hiring(Intervention):
    department: str = param("customer_service", "Department that hires.")
    hours: float = param(8.0, "Daily social-media hours added (8 = one full-time person).",
                         unit="hours/day", lo=0, hi=10_000)

    def check_references(self, scenario, path):
        super().check_references(scenario, path)
        _check_department(self.department, f"{path}.department")


@intervention("content", choices_from={"mix": "mixes"})
@dataclass(frozen=True)
class ContentChange(Intervention):
    posts_per_day: float | None = param(None, "New posting frequency (unchanged if unset).",
                                        unit="posts/day", lo=0, hi=100)
    mix: dict[str, float] | str | None = param(None, "New content mix (unchanged if unset).",
                                               lo=0)
    push_share: float | None = param(None, "New push share (unchanged if unset).", lo=0, hi=1)

    def __post_init__(self):
        if self.mix is not None:
            check_mix(self.mix, "mix")


@intervention("listening")
@dataclass(frozen=True)
class Listening(Intervention):
    coverage: float = param(0.8, "Share of public mentions caught.", lo=0, hi=1)
    crm_integration: float = param(0.8, "Integration of listening with CRM.", lo=0, hi=1)


@intervention("switch_agency", choices_from={"agency": "agencies", "replaces": "agencies"})
@dataclass(frozen=True)
class SwitchAgency(Intervention):
    agency: str = param("", "Agency to sign with (empty: none).")
    replaces: str = param("", "Agency whose contract ends (empty: all current ones).")

    def check_references(self, scenario, path):
        super().check_references(scenario, path)
        for key in ("agency", "replaces"):
            name = getattr(self, key)
            if name and name not in scenario.agencies:
                known = ", ".join(scenario.agencies) or _("none defined")
                raise ConfigError(f"{path}.{key}", name,
                                  _("no such agency; known: {known}").format(known=known))


@intervention("crisis", choices_from={"cause": "causes"}, log_kind="crisis_injected")
@dataclass(frozen=True)
class Crisis(Intervention):
    cause: str = param(DEFAULT_CRISIS_CAUSE, "What starts it.", choices=CRISIS_CAUSES)
    virality: float = param(8.0, "How shareable it is, relative to a median complaint.",
                            lo=0, hi=1000)
    n_seeds: int = param(5, "Well-connected customers who post it first.", unit="people",
                         lo=1, hi=100_000)


@intervention("reach", surfaces=("timeline", "odd", "cli"))
@dataclass(frozen=True)
class ReachChange(Intervention):
    # Market-wide (a platform's decision): ``brand`` is not used. The workshop's platform and
    # contest incidents are this kind (simulation/workshop/market.py).
    factor: float = param(1.0, "Attention to brand stories, relative to the start of the run.",
                          lo=0.05, hi=3)

    def check_references(self, scenario, path):
        return None


# --------------------------------------------------------------------------------------------
# Derived from the registry

# Kind -> class (what older code and the dashboard look up).
INTERVENTIONS: dict[str, type[Intervention]] = {kind: e.cls for kind, e in REGISTRY.items()}

# The type of a timeline entry: the dataclass is chosen by the entry's ``kind``.
TimelineEvent = typing.Union[tuple(e.cls for e in REGISTRY.values())]  # noqa: UP007


def intervention_from_mapping(data: Mapping[str, Any], path: str = "intervention") -> Intervention:
    """Build and validate an intervention from a plain mapping with a ``kind`` key."""
    return convert(TimelineEvent, data, path, {})


def kinds_help(surface: str = "cli") -> str:
    """One line per kind that appears on ``surface``: kind, label and fields (CLI help, docs)."""
    lines = []
    for kind, entry in REGISTRY.items():
        if surface in entry.surfaces:
            names = ", ".join(f.name for f in entry.fields)
            lines.append(f"{kind} ({entry.label}): {names}")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# The event log


@dataclass(frozen=True)
class LoggedEvent:
    day: int
    brand: str
    kind: str
    cause: str
    # The sentence as data (an i18n Message: template and values), rendered when read, so one
    # log reads in English or French; a plain str is kept as written.
    message: str | Message

    @property
    def text(self) -> str:
        """The sentence, in the language of the moment."""
        return str(self.message)

    def as_row(self) -> dict[str, Any]:
        return {"day": self.day, "brand": self.brand, "kind": self.kind, "cause": self.cause,
                "text": self.text}


class EventLog:
    """Everything worth telling, in the order it happened."""

    COLUMNS = ("day", "brand", "kind", "cause", "text")

    def __init__(self):
        self.events: list[LoggedEvent] = []

    def add(self, day: int, brand: str, kind: str, cause: str, text: str) -> LoggedEvent:
        event = LoggedEvent(int(day), brand, kind, cause, text)
        self.events.append(event)
        return event

    def __len__(self) -> int:
        return len(self.events)

    def __iter__(self):
        return iter(self.events)

    def of_kind(self, kind: str) -> list[LoggedEvent]:
        return [e for e in self.events if e.kind == kind]

    def to_frame(self):
        import pandas as pd

        return pd.DataFrame([e.as_row() for e in self.events], columns=list(self.COLUMNS))
