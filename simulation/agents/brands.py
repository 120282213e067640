"""Brands: the organisation that turns departments' practice into a daily social-media output.

Each day a brand (1) plans its output from its departments and agencies, (2) sees the market's
answer, and (3) reacts. A brand is a Mesa agent that owns its departments, its agencies'
contracts and one :class:`~simulation.agents.state.BrandState`; each of its jobs is a module of
its own, with its rules at the top, handed that state explicitly:

- planning the day's output (posts, recruitment, answering capacity, ...): :mod:`.planning`;
- money (the day's cost, the yearly budget, revenue, visible results): :mod:`.money`;
- customer service (answering capacity, load, proactive share): :mod:`.service`;
- listening, social CRM, insights and preparedness: :mod:`.listening`;
- the reaction to a crisis (executives wake up): :mod:`.crisis`;
- sponsorship and the strategy the interventions change: :mod:`.strategy`;
- training programmes: :mod:`.training`;
- its agencies (switching, reviewing): :mod:`.contracts`;
- the confirmed phase and help-desk flag: :mod:`.phase`;
- the internal network between departments: :func:`.departments.internal_network`.

The brand only wires them in the day's order and records in the event log the notes they
return. Everything outside (metrics, views, the classifier) reads the brand through read-only
properties; only the brand's own jobs change its state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..classifier import maturity_index
from ..config import BrandConfig
from ..exchange import DailyOutput, MarketDay
from ..vocabulary import DEPARTMENTS
from . import contracts, crisis, listening, money, phase, planning, service, strategy, training
from .contracts import content_quality
from .departments import Department, internal_network, turf_factor
from .phase import Confirmed
from .state import BrandState, Note

if TYPE_CHECKING:
    from ..events import Training
    from .agencies import Agency

__all__ = ["Brand", "Confirmed", "content_quality", "internal_network"]


def _read(field: str, doc: str = "") -> property:
    """A read-only view of one field of the brand's state."""
    return property(lambda self: getattr(self.state, field),
                    doc=doc or f"``BrandState.{field}`` (read-only).")


class Brand(mesa.Agent):
    """A brand: departments, strategy, means, and its reading of the market."""

    def __init__(self, model: mesa.Model, name: str, index: int, config: BrandConfig):
        super().__init__(model)
        self.name = name
        self.index = index
        self.config = config
        # The brand's own stream of the organisation's randomness (departments' draws), spawned
        # so that adding a brand does not reshuffle the others' draws or the agencies'.
        self.org_rng = model.org_rng.spawn(1)[0]
        self.departments = {
            kind: Department(model, self, kind, i, config.departments[kind], self.org_rng)
            for i, kind in enumerate(DEPARTMENTS)
        }
        self.workforce = model.workforce
        o = model.config.organisation
        self.workforce.culture_factor[index] = (o.culture_resistance_floor
                                                + o.culture_resistance_slope
                                                * config.culture.resistance)
        self.workforce.turf_war[index] = config.culture.turf_war
        self.peer_weights = internal_network(config.organisational_model, config.hub_department,
                                             config.culture.turf_war,
                                             model.config.organisation.hub_affinity_weight)
        self._agencies: list[Agency] = []
        self.state = BrandState(
            posts_per_day=config.content.posts_per_day,
            mix=config.content.mix,
            push_share=config.content.push_share,
            listening_tool=config.listening_coverage,
            crm_integration=config.crm_integration,
            training_budget_left=config.training_budget,
            sponsorship=self.departments["executive"].awareness,
        )
        self.output: DailyOutput | None = None
        self.today = MarketDay()
        phase.start_phase(self.state, self, model.config)

    # ------------------------------------------------------------------------------------
    # Read-only views of the state
    posts_per_day = _read("posts_per_day")
    mix = _read("mix")
    push_share = _read("push_share")
    listening_tool = _read("listening_tool", "Coverage of the listening tool bought.")
    crm_integration = _read("crm_integration")
    commitment = _read("commitment")
    sponsorship = _read("sponsorship")
    results = _read("results")
    incident_cut = _read("incident_cut")
    mean_value = _read("mean_value")
    mean_cost = _read("mean_cost")
    mean_requests = _read("mean_requests")
    service_load = _read("service_load")
    proactive_share = _read("proactive_share")
    mean_backlog = _read("mean_backlog")
    in_house_share = _read("in_house_share")
    trainings = _read("trainings")
    training_budget_left = _read("training_budget_left")
    spent_this_year = _read("spent_this_year")
    budget_exhausted = _read("budget_exhausted")
    cost_today = _read("cost_today")
    cumulative_cost = _read("cumulative_cost")
    social_revenue_today = _read("social_revenue_today")
    cumulative_social_revenue = _read("cumulative_social_revenue")
    training_cost_today = _read("training_cost_today")
    can_spend = _read("can_spend")

    @property
    def peer_weights(self) -> np.ndarray:
        """The internal network (DEPARTMENTS order): the brand's slice of the workforce's."""
        return self.workforce.peer_weights[self.index]

    @peer_weights.setter
    def peer_weights(self, weights: np.ndarray) -> None:
        self.workforce.peer_weights[self.index] = weights

    @property
    def agencies(self) -> list[Agency]:
        """The agencies under contract, a copy (contracts change through :mod:`.contracts`)."""
        return list(self._agencies)

    @property
    def phase(self) -> int:
        """The confirmed phase (1 while the brand is being built, before its first reading)."""
        return self.state.phase.value if self.state.phase is not None else 1

    @property
    def help_desk(self) -> bool:
        return self.state.help_desk.value if self.state.help_desk is not None else False

    @property
    def listening_coverage(self) -> float:
        """The tool's coverage, or what practising departments catch by hand if larger."""
        return listening.listening_coverage(self.state, self.departments,
                                            self.model.config.organisation)

    @property
    def integration(self) -> float:
        return self.listening_coverage * self.crm_integration

    @property
    def preparedness(self) -> float:
        return listening.preparedness(self.state, self.departments,
                                      self.model.config.organisation,
                                      self.config.crisis_preparedness)

    @property
    def maturity(self) -> float:
        return maturity_index(self)

    def adopting_vector(self) -> np.ndarray:
        threshold = self.model.config.organisation.adopted_threshold
        return (self.workforce.adoption[self.index] >= threshold).astype(float)

    def adoption_by_department(self) -> dict[str, float]:
        """Each department's adoption, in DEPARTMENTS order (one read of the workforce)."""
        return dict(zip(DEPARTMENTS, self.workforce.adoption[self.index].tolist(), strict=True))

    def adoption(self, kind: str) -> float:
        return self.departments[kind].adoption

    def turf_factor(self, kind: str) -> float:
        return turf_factor(self.departments, kind, self.config.culture.turf_war)

    def hours_per_simulated_answer(self) -> float:
        return service.hours_per_simulated_answer(self.departments["customer_service"],
                                                  self.model.config)

    def _record(self, notes: list[Note]) -> None:
        for kind, cause, text in notes:
            self.model.log(self, kind, cause, text)

    # ------------------------------------------------------------------------------------
    # The day, in the model's order
    def contract(self, agency: Agency) -> None:
        """A contract of the scenario (day 0): the agency works for the brand."""
        agency.sign(self)
        if agency not in self._agencies:
            self._agencies.append(agency)

    def progress_training(self) -> None:
        training.progress_training(self.state, self.departments, self.model.config.organisation,
                                   self.model.time_day)

    def plan_day(self) -> DailyOutput:
        self.output, notes = planning.plan_day(self.state, self.departments, self._agencies,
                                               self, self.config, self.model.config,
                                               self.model.time_day)
        self._record(notes)
        return self.output

    def absorb(self, day: MarketDay) -> None:
        """Read the market's answer: visible results, customer service's load, a crisis."""
        cfg = self.model.config
        self.today = day
        money.read_results(self.state, day, self.config, cfg)
        capacity = self.output.answer_capacity if self.output else 0.0
        service.read_service_load(self.state, day, capacity,
                                  cfg.classifier.help_desk_memory_days)
        self._record(crisis.react_to_crisis(self.departments, day, cfg, self.name))

    def update_social_crm(self) -> None:
        listening.grow_social_crm(self.state, self.departments, self.model.config.organisation)

    def update_sponsorship(self) -> None:
        strategy.update_sponsorship(self.state, self.departments["executive"],
                                    self.model.config.organisation.sponsorship_days)

    def update_phase(self) -> None:
        self._record(phase.update_phase(self.state, self, self.model.config))

    def review_agencies(self) -> None:
        """A brand whose marketing has adopted drops agencies whose content engages less."""
        self._record(contracts.review_agencies(self.state, self._agencies, self.departments,
                                               self, self.model.config))

    # ------------------------------------------------------------------------------------
    # Interventions (called through simulation.model.HANDLERS); each returns the log sentence
    def start_training(self, programme: Training) -> str:
        return training.start_training(self.state, self.departments, programme,
                                       self.model.config.organisation, self.name)

    def commit_executive(self, level: float) -> str:
        return strategy.commit_executive(self.state, self.departments["executive"], level,
                                         self.name)

    def hire(self, kind: str, hours: float) -> str:
        return strategy.hire(self.departments, kind, hours, self.name)

    def change_content(self, posts_per_day, mix, push_share) -> str:
        return strategy.change_content(self.state, posts_per_day, mix, push_share, self.name)

    def deploy_listening(self, coverage: float, crm_integration: float) -> str:
        return strategy.deploy_listening(self.state, coverage, crm_integration, self.name)

    def switch_agency(self, new: str, replaces: str) -> str:
        return contracts.switch_agency(self._agencies, self.model.agencies, new, replaces, self)
