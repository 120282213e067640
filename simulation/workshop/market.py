"""The shared market of a workshop: one SocialBusinessModel, played round by round.

Rules:
- One model, one seed, for the whole session. Round r covers days (r-1)·D+1 .. r·D (D =
  round_days). At the start of the round, every team's decision becomes interventions
  (:func:`decision_interventions`), applied in team order with ``model.apply`` before the
  round's first day; the facilitator's incidents act on the day of the round they name. Then the
  model runs D days.
- Fairness: every team plays in the same market run, so all brands share the same customers, the
  same draws of the market and organisation streams, and the same incidents; the leaderboard only
  compares teams within that run. A counterfactual re-runs the whole session with the same seed
  and one decision changed, so the difference is that decision, not luck.
- Replay is exact: the same scenario, seed and list of interventions (with their days) give the
  same trajectory. :meth:`MarketRun.timeline` is that list as scenario ``[[timeline]]`` entries,
  so a plain ``SocialBusinessModel`` (or ``socbiz run``) reproduces a workshop.
- Incidents are data: ``crisis`` (one brand or all, a model Crisis), ``platform`` (organic reach
  multiplied by ``factor`` from this round on: the platform shows fewer brand stories) and
  ``contest`` (a competitor outside the market runs a viral contest this round: customers' brand
  attention multiplied by ``factor`` for the round). Both are the model's own ``reach``
  intervention (:class:`simulation.events.ReachChange`, declared in the intervention registry
  with its handler in the model): customers' attention to brand stories relative to its initial
  draw, with no random numbers, so other streams are untouched. Every incident is therefore a
  timeline kind, and :meth:`MarketRun.timeline` replays the whole workshop in ``socbiz run``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .. import vocabulary
from ..config import ScenarioConfig
from ..events import (
    ContentChange,
    Crisis,
    Hiring,
    Intervention,
    Listening,
    ReachChange,
    Sponsorship,
    SwitchAgency,
    Training,
)
from ..i18n import _, format_number
from ..model import SocialBusinessModel
from ..schema import ConfigError, build, param
from .config import AGENCY_KEEP, AGENCY_NONE, Decision

INCIDENT_KINDS = ("crisis", "platform", "contest")


@dataclass(frozen=True)
class Incident:
    """What the facilitator injects into a round."""

    kind: str = param("crisis", "crisis (one brand or all), platform (reach from now on) or "
                      "contest (a competitor's viral contest this round).",
                      choices=INCIDENT_KINDS)
    brand: str = param("*", "Brand hit by a crisis ('*': every team's brand).")
    cause: str = param("employee_video", "Cause of a crisis.",
                       choices=("product_defect", "employee_video", "ngo_attack"))
    virality: float = param(8.0, "Virality of a crisis, relative to a median complaint.",
                            lo=0.5, hi=100)
    factor: float = param(0.7, "Platform or contest: attention to brand stories multiplied "
                          "by this.", lo=0.1, hi=2)
    day_in_round: int = param(1, "Day of the round it happens on (1 = the first day).",
                              unit="day", lo=1, hi=730)

    def as_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def describe(self) -> str:
        """One line for the console, in the language of the moment."""
        if self.kind == "crisis":
            who = _("every brand") if self.brand == "*" else self.brand
            cause = str(vocabulary.label_of(vocabulary.CRISIS_CAUSE_TERMS, self.cause))
            if cause[1:2].islower():  # mid-sentence: "employee video", but "NGO attack"
                cause = cause[:1].lower() + cause[1:]
            return _("crisis ({cause}) for {who}, day {day}").format(
                cause=cause, who=who, day=self.day_in_round)
        if self.kind == "platform":
            return _("platform change: reach × {factor} from day {day}").format(
                factor=format_number(self.factor), day=self.day_in_round)
        return _("competitor's viral contest: attention × {factor} this round").format(
            factor=format_number(self.factor))


def parse_incident(data: Any, brands: tuple[str, ...], round_days: int) -> Incident:
    incident = build(Incident, data, "incident")
    if incident.brand != "*" and incident.brand not in brands:
        raise ConfigError("incident.brand", incident.brand,
                          _("must be '*' or one of {choices}").format(choices=", ".join(brands)))
    if incident.day_in_round > round_days:
        raise ConfigError("incident.day_in_round", incident.day_in_round,
                          _("must be between 1 and {last}").format(last=round_days))
    return incident


def decision_interventions(brand: str, decision: Decision, previous: Decision,
                           round_days: int, current_agencies: tuple[str, ...]
                           ) -> list[Intervention]:
    """The interventions a decision makes, given the strategy the brand played until now."""
    out: list[Intervention] = []
    if (decision.posts_per_day, decision.mix, decision.push_share) != (
            previous.posts_per_day, previous.mix, previous.push_share):
        out.append(ContentChange(brand=brand, posts_per_day=decision.posts_per_day,
                                 mix=decision.mix, push_share=decision.push_share))
    if decision.service_hours > 0:
        out.append(Hiring(brand=brand, department="customer_service",
                          hours=decision.service_hours))
    if decision.training_departments and decision.training_coverage > 0:
        out.append(Training(brand=brand, departments=tuple(decision.training_departments),
                            coverage=decision.training_coverage, duration_days=round_days))
    if (decision.listening_coverage, decision.crm_integration) != (
            previous.listening_coverage, previous.crm_integration):
        out.append(Listening(brand=brand, coverage=decision.listening_coverage,
                             crm_integration=decision.crm_integration))
    if decision.sponsorship != previous.sponsorship:
        out.append(Sponsorship(brand=brand, level=decision.sponsorship))
    if decision.agency == AGENCY_NONE and current_agencies:
        out.append(SwitchAgency(brand=brand, agency="", replaces=""))
    elif decision.agency not in (AGENCY_KEEP, AGENCY_NONE) and (
            tuple(current_agencies) != (decision.agency,)):
        out.append(SwitchAgency(brand=brand, agency=decision.agency, replaces=""))
    return out


def incident_interventions(incident: Incident, brands: tuple[str, ...]) -> list[Intervention]:
    if incident.kind != "crisis":
        return []
    targets = brands if incident.brand == "*" else (incident.brand,)
    return [Crisis(brand=b, cause=incident.cause, virality=incident.virality) for b in targets]


@dataclass
class RoundOutcome:
    """What one round produced: per-brand summary rows, its events and a digest for replay."""

    number: int
    first_day: int
    last_day: int
    summary: dict[str, dict[str, float]]
    events: list[dict[str, Any]]
    digest: str
    seconds: float = 0.0


@dataclass
class MarketRun:
    """The model of a session and what was applied to it, round by round."""

    scenario: ScenarioConfig
    seed: int
    round_days: int
    team_brands: tuple[str, ...]
    model: SocialBusinessModel = field(init=False)
    strategies: dict[str, Decision] = field(init=False)
    reach: float = field(init=False, default=1.0)
    platform_factor: float = field(init=False, default=1.0)
    rounds_played: int = field(init=False, default=0)
    frame: Any = field(init=False, default=None)  # the brand frame after the last round

    def __post_init__(self):
        self.model = SocialBusinessModel(self.scenario, rng=self.seed)
        from .config import initial_decision

        self.strategies = {b: initial_decision(self.scenario, b) for b in self.team_brands}

    def play_round(self, decisions: dict[str, Decision], incidents: list[Incident]
                   ) -> RoundOutcome:
        """Apply the round's decisions and incidents, run round_days days, summarise."""
        import time

        started = time.perf_counter()
        model = self.model
        number = self.rounds_played + 1
        first_day = model.time_day + 1
        n_events = len(model.log_book)
        # Reach for this round: every platform change so far, and this round's contests.
        platform = self.platform_factor
        contest = 1.0
        schedule: list[tuple[int, Intervention]] = []
        for incident in incidents:
            if incident.kind == "platform":
                platform *= incident.factor
            elif incident.kind == "contest":
                contest *= incident.factor
        reach = platform * contest
        if abs(reach - self.reach) > 1e-12:
            schedule.append((1, ReachChange(brand="", factor=reach)))
        for brand in self.team_brands:
            decision = decisions.get(brand, self.strategies[brand].carried())
            agencies = tuple(a.name for a in model.brands[brand].agencies)
            for intervention in decision_interventions(brand, decision, self.strategies[brand],
                                                       self.round_days, agencies):
                schedule.append((1, intervention))
            self.strategies[brand] = decision
        for incident in incidents:
            for intervention in incident_interventions(incident, self.team_brands):
                schedule.append((incident.day_in_round, intervention))
        schedule.sort(key=lambda item: item[0])  # stable: same-day items keep their order
        done = 0
        for day_in_round, intervention in schedule:
            if day_in_round - 1 > done:
                model.run(day_in_round - 1 - done)
                done = day_in_round - 1
            model.apply(intervention)
        model.run(self.round_days - done)
        self.platform_factor = platform
        self.reach = reach
        self.rounds_played = number
        # "index": where the event is in the model's log book, so a screen can tell it again
        # in its own language (the stored "text" is in the language of the simulation).
        events = [{**e.as_row(), "index": n_events + i}
                  for i, e in enumerate(model.log_book.events[n_events:])]
        full = self.frame = model.brand_frame()  # the engine's pages read it (no second copy)
        frame = full[(full["day"] >= first_day) & (full["day"] <= model.time_day)]
        summary = self.summary(full)
        return RoundOutcome(number, first_day, model.time_day, summary, events,
                            frame_digest(frame), time.perf_counter() - started)

    def summary(self, frame=None) -> dict[str, dict[str, float]]:
        """The scorecard's indicators and the public ones, per brand, now."""
        model = self.model
        crises = {}
        for e in model.log_book.of_kind("crisis_start"):
            crises[e.brand] = crises.get(e.brand, 0) + 1
        if frame is None:
            frame = model.brand_frame()
        out = {}
        for name, brand in model.brands.items():
            rows = frame[frame["brand"] == name]
            recent = rows[rows["day"] > model.time_day - self.round_days]
            out[name] = {
                "followers": float(brand.today.followers),
                "engagement": float(recent["engagements"].sum()),
                "sentiment": float(brand.today.net_sentiment),
                "social_revenue": float(brand.cumulative_social_revenue),
                "cost": float(brand.cumulative_cost),
                "maturity": float(brand.maturity if not callable(brand.maturity)
                                  else brand.maturity()),
                "crises": float(crises.get(name, 0)),
                "phase": float(brand.phase),
                "help_desk": float(bool(brand.help_desk)),
                "sponsorship": float(brand.sponsorship),
                "crisis_level": float(brand.today.crisis_level),
            }
        return out

    def timeline(self) -> list[dict[str, Any]]:
        """Everything applied so far, as scenario ``[[timeline]]`` entries."""
        from dataclasses import asdict

        out = []
        for intervention in self.model.applied:
            row = {"kind": intervention.kind, **asdict(intervention)}
            for key, value in list(row.items()):
                if isinstance(value, tuple):
                    row[key] = list(value)
            out.append(row)
        return out


def frame_digest(frame) -> str:
    """A hash of a slice of the brand frame (rounded, so float printing cannot differ)."""
    digest = hashlib.sha256()
    numeric = frame.select_dtypes(include=["number", "bool"]).astype(float).round(9)
    digest.update(np.ascontiguousarray(numeric.to_numpy()).tobytes())
    digest.update("|".join(map(str, frame["brand"].tolist())).encode())
    return digest.hexdigest()[:20]
