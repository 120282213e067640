"""Workshop files and the decisions teams submit, declared like every other parameter.

Rules:
- A workshop file (``scenarios/workshops/*.toml``) names a scenario (the market), how many teams
  play, how long a round is, how many rounds, the seed, the decision budget per round and the
  scorecard weights. It is read with the standard TOML parser and validated through
  :func:`simulation.schema.build`: a bad value is a one-line error naming the file, the key, the
  value and what is allowed.
- Teams steer brands. With ``template_brand`` set, the market holds ``teams`` identical copies of
  that brand (a fair start for everyone); with it empty, the teams take the scenario's brands in
  order and the scenario's other brands stay on autopilot.
- A decision is a :class:`Decision`: every field is a ``param()`` with range, unit and help, so
  the browser form, the server-side check and the error message come from the same declaration.
  Whatever a browser sends goes through :func:`parse_decision`; nothing else reaches the model.
- The decision budget counts the new spending a round's decision commits: customer-service hours
  hired (hours x hourly_cost x round days), training (cost_per_trainee x coverage x headcount of
  the departments trained) and the listening tool (listening_cost_per_year x coverage x round
  days / 365). Posting and sponsorship use existing staff and cost nothing extra here (the model
  still charges staff time in each brand's own cost).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..config import DEPARTMENTS, NAMED_MIXES, ScenarioConfig
from ..i18n import Localized, _, format_currency
from ..scenario import (
    ScenarioError,
    load_scenario,
    presets_dir,
    read_toml,
    resolve_scenario_path,
)
from ..schema import ConfigError, build, format_value, param

# The shipped example workshops: scenarios/workshops in the repository, package data of
# simulation.presets in an installed wheel.
WORKSHOP_DIR = presets_dir() / "workshops"
DEFAULT_WORKSHOP = "launch"
LANGUAGES = ("en", "fr")
AGENCY_KEEP = "keep"
AGENCY_NONE = "none"
# Brand names for template copies: short, distinct, easy to say aloud in a room.
SLOT_NAMES = ("aurora", "boreal", "cobalt", "delta", "ember", "fjord", "garnet", "harbor",
              "indigo", "jasper", "kestrel", "lumen")


def slot_name(i: int) -> str:
    return SLOT_NAMES[i] if i < len(SLOT_NAMES) else f"brand{i + 1:02d}"


@dataclass(frozen=True)
class Scorecard:
    """Weights of the leaderboard. Each indicator is ranked within the round's market run
    (0 = the worst team, 1 = the best), then the weighted mean is scaled to 0-100."""

    followers: float = param(1.0, "Weight of followers at the end of the round.", lo=0, hi=100)
    engagement: float = param(1.0, "Weight of engagements during the round.", lo=0, hi=100)
    sentiment: float = param(1.0, "Weight of net sentiment at the end of the round.", lo=0,
                             hi=100)
    social_revenue: float = param(1.0, "Weight of social revenue since the start.", lo=0,
                                  hi=100)
    cost: float = param(0.5, "Weight of low cumulative cost (cheaper is better).", lo=0, hi=100)
    maturity: float = param(1.0, "Weight of the maturity index (mean adoption).", lo=0, hi=100)
    crises: float = param(1.0, "Weight of few crises since the start (fewer is better).", lo=0,
                          hi=100)

    def weights(self) -> dict[str, float]:
        return {f.name: float(getattr(self, f.name)) for f in fields(self)}


@dataclass(frozen=True)
class RoundBrief:
    """What the facilitator says when a round opens, and asks when its results are out."""

    title: Localized = param(Localized(""), "Title of the round on every screen.",
                             max_length=200)
    brief: Localized = param(Localized(""), "What is happening in the market this round.",
                             max_length=2000)
    ask: Localized = param(Localized(""), "Question for the room when results are released.",
                           max_length=2000)


@dataclass(frozen=True)
class WorkshopConfig:
    """A workshop: a market, teams, rounds, a budget and a scorecard."""

    title: Localized = param(Localized({"en": "socbiz workshop", "fr": "Atelier socbiz"}),
                             "Title shown on every screen (one text, or one per language: "
                             "title = { en = \"...\", fr = \"...\" }).", max_length=200)
    description: Localized = param(Localized(""), "What the session is about (facilitator's "
                                   "brief).", max_length=4000)
    scenario: str = param("baseline", "Scenario of the market: a preset name or a TOML path "
                          "(relative to the workshop file).")
    template_brand: str = param("acme", "Brand copied once per team (empty: teams take the "
                                "scenario's brands in order).")
    teams: int = param(4, "Teams (brands steered from browsers).", lo=1, hi=60)
    round_days: int = param(90, "Days simulated per round.", unit="days", lo=1, hi=730)
    rounds: int = param(4, "Rounds in the session.", lo=1, hi=20)
    seed: int = param(2011, "Seed of the shared market: one seed for every team and round.",
                      lo=0, hi=2**63 - 1)
    customers: int = param(10_000, "Simulated customers in the market.", unit="people",
                           lo=100, hi=1_000_000)
    budget_per_round: float = param(150_000.0, "Decision budget per team and round (hiring, "
                                    "training, listening).", unit="€", lo=0, hi=1e10)
    lang: str = param("en", "Language of the screens.", choices=LANGUAGES)
    scorecard: Scorecard = field(default_factory=Scorecard)
    briefs: tuple[RoundBrief, ...] = param((), "One brief per round (optional).")


@dataclass(frozen=True)
class Decision:
    """What a team decides for one round. One-off actions (hiring, training, agency switch)
    act once; the strategy (posting, mix, push, listening, sponsorship) stays until changed."""

    posts_per_day: float = param(1.0, "Posts per day on the brand's own pages.",
                                 unit="posts/day", lo=0, hi=10)
    mix: str = param("beliefs", "Content mix: what the brand believes customers want "
                     "(beliefs), what they say they want (motivations), the same of each "
                     "(balanced) or contests and viral campaigns (campaign).",
                     choices=tuple(NAMED_MIXES))
    push_share: float = param(0.5, "Share of push posts (interruptive, promotional).", lo=0,
                              hi=1)
    service_hours: float = param(0.0, "Customer-service hours per day hired this round "
                                 "(8 = one full-time person).", unit="hours/day", lo=0, hi=80)
    training_departments: tuple[str, ...] = param((), "Departments trained this round "
                                                  "(none: no training).")
    training_coverage: float = param(0.6, "Share of each trained department's staff trained "
                                     "by the end of the round.", lo=0, hi=1)
    listening_coverage: float = param(0.1, "Share of public mentions the listening tool "
                                      "catches.", lo=0, hi=1)
    crm_integration: float = param(0.0, "Integration of listening with CRM (social CRM).",
                                   lo=0, hi=1)
    agency: str = param(AGENCY_KEEP, "Agency: keep the current contracts, 'none' to end them, "
                        "or the name of an agency to switch to.")
    sponsorship: float = param(0.0, "Executive commitment (0: the executive committee is not "
                               "involved).", lo=0, hi=1)

    def as_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out["training_departments"] = list(self.training_departments)
        return out

    def carried(self) -> Decision:
        """The decision a team that did not submit plays next: same strategy, no one-offs."""
        from dataclasses import replace

        return replace(self, service_hours=0.0, training_departments=(), agency=AGENCY_KEEP)


DECISION_FIELDS = {f.name: f for f in fields(Decision)}


class DecisionError(ValueError):
    """A decision that cannot be played; the message is one line for the team's screen."""


def initial_decision(scenario: ScenarioConfig, brand: str) -> Decision:
    """The brand's starting strategy, as a decision (what a silent team plays in round 1)."""
    b = scenario.brands[brand]
    mix = b.content.mix if isinstance(b.content.mix, str) else "beliefs"
    return Decision(posts_per_day=min(10.0, b.content.posts_per_day), mix=mix,
                    push_share=b.content.push_share, listening_coverage=b.listening_coverage,
                    crm_integration=b.crm_integration)


def decision_cost(decision: Decision, scenario: ScenarioConfig, brand: str,
                  round_days: int) -> float:
    """New spending the decision commits this round (see the module rules)."""
    o = scenario.organisation
    departments = scenario.brands[brand].departments
    hiring = decision.service_hours * o.hourly_cost * round_days
    headcount = sum(departments[d].headcount for d in decision.training_departments)
    training = o.cost_per_trainee * decision.training_coverage * headcount
    listening = o.listening_cost_per_year * decision.listening_coverage * round_days / 365
    return float(hiring + training + listening)


def parse_decision(data: Any, scenario: ScenarioConfig, brand: str, round_days: int,
                   budget: float) -> Decision:
    """Validate what a browser (or a test) sent; raise :class:`DecisionError` if refused."""
    if isinstance(data, Decision):
        data = data.as_dict()
    try:
        decision = build(Decision, data, "decision")
    except ConfigError as error:
        raise DecisionError(error.message()) from None
    for i, name in enumerate(decision.training_departments):
        if name not in DEPARTMENTS:
            raise DecisionError(_("decision.training_departments[{i}] = {value} (must be one "
                                  "of {choices})").format(i=i, value=format_value(name),
                                                          choices=", ".join(DEPARTMENTS)))
    if len(set(decision.training_departments)) != len(decision.training_departments):
        raise DecisionError(_("decision.training_departments: a department is named twice"))
    allowed_agencies = (AGENCY_KEEP, AGENCY_NONE, *scenario.agencies)
    if decision.agency not in allowed_agencies:
        raise DecisionError(_("decision.agency = {value} (must be one of {choices})").format(
            value=format_value(decision.agency), choices=", ".join(allowed_agencies)))
    cost = decision_cost(decision, scenario, brand, round_days)
    if cost > budget + 1e-6:
        raise DecisionError(_("decision costs {cost} (must be within the round's budget of "
                              "{budget})").format(cost=format_currency(cost, digits=0),
                                                  budget=format_currency(budget, digits=0)))
    return decision


# --------------------------------------------------------------------------------------------
# Files


def resolve_workshop_path(text: str | os.PathLike | None) -> Path:
    text = str(text or DEFAULT_WORKSHOP)
    path = Path(text)
    if path.suffix == ".toml" or "/" in text or os.sep in text:
        if not path.is_file():
            raise ScenarioError(_("{path}: no such workshop file").format(path=text))
        return path
    candidate = WORKSHOP_DIR / f"{text}.toml"
    if candidate.is_file():
        return candidate
    known = ", ".join(sorted(p.stem for p in WORKSHOP_DIR.glob("*.toml"))) or _("none")
    raise ScenarioError(_("workshop '{name}' not found (known: {known})").format(name=text,
                                                                                known=known))


def load_workshop(source: str | os.PathLike | Mapping[str, Any] | None = None,
                  overrides: Mapping[str, Any] | None = None) -> tuple[WorkshopConfig, Path]:
    """A workshop file (or a scenario name: a workshop with default settings on it).

    Returns the config and the directory relative paths in it are read from.
    """
    base_dir = WORKSHOP_DIR
    if isinstance(source, Mapping):
        data, where = dict(source), "workshop"
    else:
        try:
            path = resolve_workshop_path(source)
        except ScenarioError:
            # Not a workshop: maybe a scenario, played with the default workshop settings.
            resolve_scenario_path(source)
            path = None
        if path is None:
            data, where = {"scenario": str(source)}, f"scenario {source}"
        else:
            data, where, base_dir = read_toml(path), str(path), path.parent
    given = {k: v for k, v in (overrides or {}).items() if v is not None}
    data.update(given)
    try:
        config = build(WorkshopConfig, data)
    except ConfigError as error:
        if error.path in given:  # the command line's value, not the file's: name the option
            raise ScenarioError(_("--{option} {value} ({allowed})").format(
                option=error.path.replace("_", "-"), value=format_value(error.value),
                allowed=error.allowed)) from None
        raise ScenarioError(error.with_source(where).message()) from None
    return config, base_dir


def market_scenario(config: WorkshopConfig, base_dir: Path | None = None) -> ScenarioConfig:
    """The shared market: the scenario with one brand per team (see the module rules)."""
    text = config.scenario
    candidate = (base_dir or WORKSHOP_DIR) / text
    source = candidate if text.endswith(".toml") and candidate.is_file() else text
    scenario = load_scenario(source)
    data = scenario.to_dict()
    data["market"] = {**data.get("market", {}), "n_customers": config.customers}
    data["timeline"] = []  # the teams write the timeline
    data["horizon_days"] = max(scenario.horizon_days, config.round_days * config.rounds)
    if config.template_brand:
        if config.template_brand not in scenario.brands:
            raise ScenarioError(_("workshop: template_brand = {value} (no such brand in "
                                  "scenario {scenario}; known: {known})").format(
                value=repr(config.template_brand), scenario=scenario.name,
                known=", ".join(scenario.brands)))
        template = data["brands"][config.template_brand]
        share = min(float(template.get("market_share", 0.2)), 0.9 / config.teams)
        awareness = max(share, float(template.get("awareness", 0.6)))
        data["brands"] = {
            slot_name(i): {**template, "market_share": share, "awareness": awareness}
            for i in range(config.teams)
        }
    elif config.teams > len(scenario.brands):
        raise ScenarioError(_("workshop: teams = {teams} (scenario {scenario} has {brands} "
                              "brands; set template_brand to copy one)").format(
            teams=config.teams, scenario=scenario.name, brands=len(scenario.brands)))
    return load_scenario(data)


def team_brands(config: WorkshopConfig, scenario: ScenarioConfig) -> tuple[str, ...]:
    """The brands teams steer, in the order they are handed out."""
    return tuple(scenario.brands)[: config.teams]
