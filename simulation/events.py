"""Interventions and crises as data, and the event log a trainer reads aloud.

An intervention is a small frozen dataclass with a day, a brand and its parameters. It can be
scheduled in a scenario's ``[[timeline]]`` (``kind = "training"`` ...) or applied to a running
model with ``model.apply(intervention)``; either way it acts at the start of its day, before the
departments and customers move, and writes one line in the event log.

The kinds:
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
- ``crisis``: an exogenous crisis (product defect, employee video, NGO attack): a complaint of
  high virality seeded at well-connected customers; a product defect also multiplies incidents
  for a while.

The event log records these, and what the model itself notices: phase changes, crises starting,
escalating and ending, the help-desk trap, agencies dropped, budgets exhausted.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from .schema import ConfigError, param

if TYPE_CHECKING:
    from .config import ScenarioConfig
    from .model import SocialBusinessModel


@dataclass(frozen=True)
class Intervention:
    kind: ClassVar[str] = ""
    label: ClassVar[str] = ""

    day: int = param(0, "Day the intervention takes effect.", unit="day", lo=0)
    brand: str = param("", "Brand concerned.")

    def check_references(self, scenario: ScenarioConfig, path: str) -> None:
        if self.brand not in scenario.brands:
            raise ConfigError(f"{path}.brand", self.brand,
                              "no such brand; known: " + ", ".join(scenario.brands))

    def apply(self, model: SocialBusinessModel) -> str:
        """Act on the model; return the sentence for the event log."""
        raise NotImplementedError


def _check_departments(names, path: str) -> None:
    from .config import DEPARTMENTS
    from .schema import did_you_mean

    if not names:
        raise ConfigError(path, list(names), "name at least one department")
    for i, name in enumerate(names):
        if name not in DEPARTMENTS:
            raise ConfigError(f"{path}[{i}]", name, did_you_mean(name, list(DEPARTMENTS))
                              .replace("unknown key", "unknown department"))
        if name in names[:i]:
            raise ConfigError(f"{path}[{i}]", name, "department listed twice")


@dataclass(frozen=True)
class Training(Intervention):
    kind: ClassVar[str] = "training"
    label: ClassVar[str] = "Training programme"

    departments: tuple[str, ...] = param(("marketing",), "Departments trained.")
    coverage: float = param(0.6, "Share of each department's staff trained by the end.",
                            lo=0, hi=1)
    duration_days: int = param(90, "Length of the programme.", unit="days", lo=1, hi=3650)

    def check_references(self, scenario, path):
        super().check_references(scenario, path)
        _check_departments(self.departments, f"{path}.departments")

    def apply(self, model):
        return model.brands[self.brand].start_training(self)


@dataclass(frozen=True)
class Sponsorship(Intervention):
    kind: ClassVar[str] = "sponsorship"
    label: ClassVar[str] = "Executive sponsorship"

    level: float = param(0.8, "Executive commitment.", lo=0, hi=1)

    def apply(self, model):
        return model.brands[self.brand].commit_executive(self.level)


@dataclass(frozen=True)
class Hiring(Intervention):
    kind: ClassVar[str] = "hiring"
    label: ClassVar[str] = "Hiring"

    department: str = param("customer_service", "Department that hires.")
    hours: float = param(8.0, "Daily social-media hours added (8 = one full-time person).",
                         unit="hours/day", lo=0, hi=10_000)

    def check_references(self, scenario, path):
        super().check_references(scenario, path)
        from .config import DEPARTMENTS
        from .schema import did_you_mean

        if self.department not in DEPARTMENTS:
            raise ConfigError(f"{path}.department", self.department,
                              did_you_mean(self.department, list(DEPARTMENTS))
                              .replace("unknown key", "unknown department"))

    def apply(self, model):
        return model.brands[self.brand].hire(self.department, self.hours)


@dataclass(frozen=True)
class ContentChange(Intervention):
    kind: ClassVar[str] = "content"
    label: ClassVar[str] = "Content strategy change"

    posts_per_day: float | None = param(None, "New posting frequency (unchanged if unset).",
                                        unit="posts/day", lo=0, hi=100)
    mix: dict[str, float] | str | None = param(None, "New content mix (unchanged if unset).",
                                               lo=0)
    push_share: float | None = param(None, "New push share (unchanged if unset).", lo=0, hi=1)

    def __post_init__(self):
        if self.mix is not None:
            from .config import _check_mix

            _check_mix(self.mix, "mix")

    def apply(self, model):
        return model.brands[self.brand].change_content(self.posts_per_day, self.mix,
                                                       self.push_share)


@dataclass(frozen=True)
class Listening(Intervention):
    kind: ClassVar[str] = "listening"
    label: ClassVar[str] = "Listening / social CRM"

    coverage: float = param(0.8, "Share of public mentions caught.", lo=0, hi=1)
    crm_integration: float = param(0.8, "Integration of listening with CRM.", lo=0, hi=1)

    def apply(self, model):
        return model.brands[self.brand].deploy_listening(self.coverage, self.crm_integration)


@dataclass(frozen=True)
class SwitchAgency(Intervention):
    kind: ClassVar[str] = "switch_agency"
    label: ClassVar[str] = "Agency switch"

    agency: str = param("", "Agency to sign with (empty: none).")
    replaces: str = param("", "Agency whose contract ends (empty: all current ones).")

    def check_references(self, scenario, path):
        super().check_references(scenario, path)
        for key in ("agency", "replaces"):
            name = getattr(self, key)
            if name and name not in scenario.agencies:
                known = ", ".join(scenario.agencies) or "none defined"
                raise ConfigError(f"{path}.{key}", name, f"no such agency; known: {known}")

    def apply(self, model):
        return model.brands[self.brand].switch_agency(self.agency, self.replaces)


@dataclass(frozen=True)
class Crisis(Intervention):
    kind: ClassVar[str] = "crisis"
    label: ClassVar[str] = "Crisis"

    cause: str = param("employee_video", "What starts it.",
                       choices=("product_defect", "employee_video", "ngo_attack"))
    virality: float = param(8.0, "How shareable it is, relative to a median complaint.",
                            lo=0, hi=1000)
    n_seeds: int = param(5, "Well-connected customers who post it first.", unit="people",
                         lo=1, hi=100_000)

    def apply(self, model):
        return model.market.inject_crisis(model.brands[self.brand], self.cause, self.virality,
                                          self.n_seeds, self.day)


INTERVENTIONS: dict[str, type[Intervention]] = {
    cls.kind: cls
    for cls in (Training, Sponsorship, Hiring, ContentChange, Listening, SwitchAgency, Crisis)
}

# The type of a timeline entry: the dataclass is chosen by the entry's ``kind``.
TimelineEvent = (
    Training | Sponsorship | Hiring | ContentChange | Listening | SwitchAgency | Crisis
)


def intervention_from_mapping(data: dict[str, Any], path: str = "intervention") -> Intervention:
    """Build and validate an intervention from a plain mapping with a ``kind`` key."""
    from .schema import convert

    return convert(TimelineEvent, data, path, {})


# --------------------------------------------------------------------------------------------
# The event log


@dataclass(frozen=True)
class LoggedEvent:
    day: int
    brand: str
    kind: str
    cause: str
    text: str

    def as_row(self) -> dict[str, Any]:
        return asdict(self)


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
