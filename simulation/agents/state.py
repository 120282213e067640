"""A brand's state: one plain record that the brand's collaborators receive explicitly.

The brand's jobs (planning, money, customer service, listening, crisis reaction, phase,
training, agencies, and the interventions that change its strategy) are functions in their own
modules, each with its rules at the top. None of them holds the brand or writes another object's
attributes: each is handed this state (and the departments, agencies and configuration it
reads) and changes only the state's fields its rules name. :class:`simulation.agents.Brand`
owns one ``BrandState`` and reads it out, read-only, for metrics, views and the classifier.

The fields, by who changes them:

- strategy (interventions, :mod:`.strategy`): posts a day, content mix, push share, the
  listening tool's coverage, social CRM integration (also grown by practice, :mod:`.listening`),
  the executive commitment;
- the brand's reading of the market (:mod:`.money`, :mod:`.service`, :mod:`.listening`,
  :mod:`.strategy`): sponsorship, visible results and their moving averages, customer
  service's load and proactive share, the incident cut from insights, the in-house share of the
  output (:mod:`.planning`);
- money (:mod:`.money`, :mod:`.training`): the year's spending, the budget flag, costs and
  revenue of the day and cumulated, the training budget and today's training cost;
- training programmes under way (:mod:`.training`);
- the confirmed phase and help-desk flag (:mod:`.phase`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..events import Training
    from .phase import Confirmed

#: One event-log entry a collaborator asks the brand to record: (kind, cause, sentence).
Note = tuple[str, str, Any]


@dataclass
class BrandState:
    """Everything about one brand that changes during a run (departments aside)."""

    # Strategy (changed by interventions).
    posts_per_day: float
    mix: Any  # a named mix or shares by content type (simulation.config.mix_shares reads it)
    push_share: float
    listening_tool: float  # coverage of the listening tool bought
    crm_integration: float
    training_budget_left: float
    sponsorship: float
    commitment: float = 0.0
    # The brand's reading of the market.
    results: float = 0.0
    incident_cut: float = 0.0
    mean_value: float = 0.0  # moving averages over results_memory_days
    mean_cost: float = 0.0
    mean_requests: float = 0.0  # moving average over help_desk_memory_days
    service_load: float = 0.0  # min(1, mean_requests / answering capacity)
    proactive_share: float = 1.0  # 1 - service_load
    mean_backlog: float = 0.0  # moving average over help_desk_memory_days
    in_house_share: float = 1.0
    # Training programmes under way: (programme, first day, target trained share by department).
    trainings: list[tuple[Training, int, dict[str, float]]] = field(default_factory=list)
    # Money.
    spent_this_year: float = 0.0
    budget_exhausted: bool = False
    cost_today: float = 0.0
    cumulative_cost: float = 0.0
    social_revenue_today: float = 0.0
    cumulative_social_revenue: float = 0.0
    training_cost_today: float = 0.0
    # Confirmed phase and help-desk flag (set by the brand once it can classify itself).
    phase: Confirmed | None = None
    help_desk: Confirmed | None = None

    @property
    def can_spend(self) -> bool:
        return not self.budget_exhausted
