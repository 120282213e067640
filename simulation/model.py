"""The Mesa model: wiring and the order of each day, nothing else.

One step is one day. Day 0 is the initial state (interventions scheduled for day 0 act on it);
step d simulates day d:

1. interventions and crises scheduled for day d act (and are logged);
2. agencies start or continue campaigns and drift toward their clients' wishes;
3. brands train their staff and plan their output (posts, answering capacity, listening, ...);
4. the customers react (:class:`simulation.customers.Market`): exposure, engagement, fatigue,
   following, buying, incidents, complaints, word of mouth, answers, crises;
5. brands read the market's answer (visible results, proactive time, crises wake executives);
6. departments update their adoption, all at once, then social CRM integration and executive
   sponsorship follow;
7. brands record phase changes and the help-desk flag; every agency_review_days they review
   their agencies;
8. the DataCollector records the reporters of :mod:`simulation.metrics`.

All randomness comes from the model's one seed: ``rng`` (or the scenario's seed) seeds
``model.rng``, from which independent streams are spawned for the market and the organisation,
so a change on one side does not reshuffle the other's draws.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from typing import Any

import mesa
import numpy as np

from .agents import Agency, Brand
from .agents.departments import Workforce
from .config import ScenarioConfig
from .customers import Market
from .events import (
    REGISTRY,
    ContentChange,
    Crisis,
    EventLog,
    Hiring,
    Intervention,
    Listening,
    ReachChange,
    Sponsorship,
    SwitchAgency,
    Training,
    intervention_from_mapping,
)
from .i18n import Message, Percent, msg
from .metrics import MODEL_REPORTERS, Collector, brand_reporters
from .scenario import load_scenario

# Who acts on each built-in intervention: the method of the agent it concerns (the brand, or the
# market for a crisis). Interventions are data; this table is where they meet behaviour. A kind
# declared in a module of its own brings its handler with it (@intervention(handler=...)).
# Each handler returns the sentence of the event log.
Handler = Callable[["SocialBusinessModel", Any], str]
HANDLERS: dict[type[Intervention], Handler] = {
    Training: lambda model, e: model.brands[e.brand].start_training(e),
    Sponsorship: lambda model, e: model.brands[e.brand].commit_executive(e.level),
    Hiring: lambda model, e: model.brands[e.brand].hire(e.department, e.hours),
    ContentChange: lambda model, e: model.brands[e.brand].change_content(
        e.posts_per_day, e.mix, e.push_share),
    Listening: lambda model, e: model.brands[e.brand].deploy_listening(
        e.coverage, e.crm_integration),
    SwitchAgency: lambda model, e: model.brands[e.brand].switch_agency(e.agency, e.replaces),
    Crisis: lambda model, e: model.market.inject_crisis(
        model.brands[e.brand], e.cause, e.virality, e.n_seeds, e.day),
    ReachChange: lambda model, e: _change_reach(model, e.factor),
}


def _change_reach(model: SocialBusinessModel, factor: float) -> Message:
    # Relative to the first draw (kept at the first change), so successive changes do not
    # compound rounding and a factor of 1 restores the start exactly; no random numbers.
    market = model.market
    if model._initial_attention is None:
        model._initial_attention = market.attention.copy()
    market.attention = model._initial_attention * market.attention.dtype.type(factor)
    return msg("Platform change: brand stories now get {share} of the attention they had at "
               "the start.", share=Percent(factor))


class SocialBusinessModel(mesa.Model):
    """Brands transforming themselves on social media.

    ``scenario``: a preset name, a TOML path, a mapping or a :class:`ScenarioConfig` (default:
    the default preset). ``rng``: seed (int, or a numeric string as the dashboard sends), default
    the scenario's seed. ``overrides``: dotted keys to change, e.g.
    ``{"market.n_customers": 5000}``; flat keyword arguments do the same with ``__`` for dots
    (``market__n_customers=5000``), which is how SolaraViz rebuilds a model.
    ``market_factory``: ``(config, rng) -> market`` building the customer side (default
    :class:`Market`), e.g. the per-agent reference implementation in ``benchmarks/peragent``.
    ``reporters``: the brand columns of the daily series to collect (default all; see
    :func:`simulation.metrics.brand_reporters`): reporters only read the state, so the columns
    collected are the same numbers either way.
    """

    def __init__(
        self,
        scenario: str | Mapping[str, Any] | ScenarioConfig | None = None,
        *,
        rng: int | str | None = None,
        overrides: Mapping[str, Any] | None = None,
        market_factory: Callable[[ScenarioConfig, np.random.Generator], Any] | None = None,
        reporters: Iterable[str] | None = None,
        **flat_overrides: Any,
    ):
        started = time.perf_counter()
        merged = dict(overrides or {})
        merged.update({key.replace("__", "."): value for key, value in flat_overrides.items()})
        config = load_scenario(scenario, merged)
        seed = config.seed if rng is None or (isinstance(rng, str) and not rng.strip()) else rng
        seed = int(seed)
        super().__init__(rng=seed)
        self.config = config
        self.seed = seed
        self.log_book = EventLog()
        market_rng, self.org_rng = self.rng.spawn(2)

        self.market = (market_factory or Market)(config, market_rng)
        self.applied: list[Intervention] = []  # scheduled and live, in the order they acted
        self._initial_attention: np.ndarray | None = None  # kept at the first reach change
        # Every department of every brand, one table (the Department agents are its cells).
        self.workforce = Workforce(len(config.brands))
        self.brands: dict[str, Brand] = {
            name: Brand(self, name, i, brand_config)
            for i, (name, brand_config) in enumerate(config.brands.items())
        }
        self.agencies: dict[str, Agency] = {
            name: Agency(self, name, agency_config)
            for name, agency_config in config.agencies.items()
        }
        for brand in self.brands.values():
            for agency_name in brand.config.agencies:
                brand.contract(self.agencies[agency_name])
        for brand in self.brands.values():
            brand.today = self.market.initial_day(brand.index)

        self._pending = sorted(config.timeline, key=lambda e: e.day)
        self._apply_due()
        self.datacollector = Collector(
            model_reporters=dict(MODEL_REPORTERS),
            agenttype_reporters={Brand: brand_reporters(reporters)},
        )
        self.datacollector.collect(self)
        # Wall time spent building and stepping, for the run's metadata (simulation.views).
        self.wall_time_s = time.perf_counter() - started

    # ------------------------------------------------------------------------------------
    @property
    def time_day(self) -> int:
        """The current day: 0 before the first step, d during and after step d."""
        return int(round(self.time))

    @property
    def horizon_days(self) -> int:
        return self.config.horizon_days

    def step(self) -> None:
        started = time.perf_counter()
        day = self.time_day
        self._apply_due()
        for agency in self.agencies.values():
            agency.step()
        brands = list(self.brands.values())
        for brand in brands:
            brand.progress_training()
        outputs = [brand.plan_day() for brand in brands]
        results = self.market.step(day, outputs)
        for brand, result in zip(brands, results, strict=True):
            for kind, cause, text in result.notes:
                self.log(brand, kind, cause, text)
        for brand, result in zip(brands, results, strict=True):
            brand.absorb(result)
        self.workforce.decide(brands, self.config.organisation)
        self.workforce.commit(self.config.organisation)
        for brand in brands:
            brand.update_social_crm()
            brand.update_sponsorship()
            brand.update_phase()
            if day % self.config.organisation.agency_review_days == 0:
                brand.review_agencies()
        self.datacollector.collect(self)
        if day >= self.config.horizon_days:
            self.running = False
        self.wall_time_s += time.perf_counter() - started

    # ------------------------------------------------------------------------------------
    def apply(self, intervention: Intervention | Mapping[str, Any]) -> str:
        """Apply an intervention now (from the dashboard or a script); returns the log text.

        A mapping is validated like a timeline entry: ``{"kind": "training", "brand": "acme",
        "departments": ["hr"]}``. Between two steps, day ``time_day`` is over, so the
        intervention counts as acting at the start of the next day: its day becomes
        ``time_day + 1``, and a scenario whose timeline holds it on that day replays the run
        exactly (``model.applied`` keeps it with that day).
        """
        if isinstance(intervention, Mapping):
            data = {**intervention, "day": self.time_day + 1}
            intervention = intervention_from_mapping(data)
        else:
            intervention = replace(intervention, day=self.time_day + 1)
        intervention.check_references(self.config, "intervention")
        return self._act(intervention)

    def _apply_due(self) -> None:
        # In step d the model time is already d, so this applies the events of day d, and in
        # the constructor (time 0) those of day 0.
        while self._pending and self._pending[0].day <= self.time_day:
            self._act(self._pending.pop(0))

    def _act(self, intervention: Intervention) -> str:
        entry = REGISTRY[intervention.kind]
        handler = HANDLERS.get(type(intervention)) or entry.handler
        if handler is None:
            raise TypeError(f"no handler for {type(intervention).__name__}: give handler= to "
                            "its @intervention, or add it to simulation.model.HANDLERS")
        text = handler(self, intervention)
        self.applied.append(intervention)
        self.log_book.add(intervention.day, intervention.brand, entry.log_kind,
                          intervention.kind, text)
        return str(text)  # the log keeps the sentence as data; callers get it in words

    def log(self, brand: Brand | None, kind: str, cause: str, text: str) -> None:
        self.log_book.add(self.time_day, brand.name if brand else "", kind, cause, text)

    # ------------------------------------------------------------------------------------
    def run(self, days: int | None = None, progress=None) -> None:
        """Step until the horizon (or ``days`` more days); ``progress(day)`` after each step."""
        target = self.time_day + days if days is not None else self.config.horizon_days
        while self.time_day < target:
            self.step()
            if progress is not None:
                progress(self.time_day)

    def brand_frame(self):
        """Tidy daily time series: one row per day and brand."""
        frame = self.datacollector.get_agenttype_vars_dataframe(Brand).reset_index()
        frame = frame.rename(columns={"Step": "day"}).drop(columns=["AgentID"])
        frame["day"] = frame["day"].round().astype(int)
        market = self.datacollector.get_model_vars_dataframe().reset_index(drop=True)
        market["day"] = np.arange(len(market))
        return frame.merge(market, on="day", how="left")

    @property
    def customers(self):
        """``model.customers[i]``: a readable record of customer i."""
        return self.market.customers
