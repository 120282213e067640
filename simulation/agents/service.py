"""Customer service: how many requests it can answer, and how much of its time they take.

Rules:

- Answering capacity. Customer service answers capacity x (u + (1 - u) x skill) /
  hours_per_answer complaints or questions a day in the real market (u =
  untrained_answer_speed: trained staff answer faster, up to 1 / u times), that is divided by
  market_size / n_customers in simulated requests.
- Load. Customer service's load is the requests it could work on (answered today + waiting),
  as a moving average over help_desk_memory_days, divided by its answering capacity and capped
  at 1; its proactive share (the time left to practise social media) is 1 - load. The cap
  comes after the average: at a small population the simulated queue of a swamped team still
  empties on some days by chance, when the real one never would. The backlog's own moving
  average feeds the help-desk flag (:mod:`.phase`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import ScenarioConfig
    from ..exchange import MarketDay
    from .departments import Department
    from .state import BrandState


def hours_per_simulated_answer(customer_service: Department, cfg: ScenarioConfig) -> float:
    """Staff time for one simulated request: trained staff answer faster (up to twice), and
    one simulated request stands for market_size / n_customers real ones."""
    skill = customer_service.skill
    u = cfg.organisation.untrained_answer_speed
    return (cfg.word_of_mouth.hours_per_answer / (u + (1 - u) * skill)
            * cfg.market.people_per_customer)


def read_service_load(state: BrandState, day: MarketDay, capacity: float,
                      memory_days: int) -> None:
    """Today's answers and backlog into the moving averages, then the load and proactive share."""
    state.mean_requests += (day.answers + day.backlog - state.mean_requests) / memory_days
    state.service_load = (min(1.0, state.mean_requests / capacity) if capacity > 0 else 1.0)
    state.proactive_share = 1 - state.service_load
    state.mean_backlog += (day.backlog - state.mean_backlog) / memory_days
