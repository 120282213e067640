"""Money: what a brand spends, what its social-media activity brings, and how it reads that.

Rules:

- Daily cost: staff hours x hourly_cost, agency fees, the listening tool (listening_cost_per_year
  x the tool's coverage, by the day), ads, and the training paid today. When the year's spending
  reaches the budget, ads and agency campaigns stop until the next year (day 365, 730, ...): the
  year's spending is reset on those days.
- Revenue and value. Simulated customers stand for market_size real people, so money is counted
  for them: social revenue = social sales x revenue_per_sale x (market_size / n_customers), and
  the day's value adds engagements x value_per_engagement on the same scale.
- Visible results follow return on social spend r = mean value / mean cost, read through
  r / (1 + r), both means moving averages over results_memory_days. Averages first, the
  non-linear reading after: one simulated sale stands for many real ones, so daily values are
  lumpy at small populations, and a concave function of a lumpy day is biased by the population
  size (Jensen's inequality): reading each day first would make the organisation depend on how
  many customers are simulated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

from ..i18n import Money, msg

if TYPE_CHECKING:
    from ..config import BrandConfig, ScenarioConfig
    from ..exchange import MarketDay
    from .agencies import Agency
    from .departments import Department
    from .state import BrandState, Note


def spend(state: BrandState, departments: Mapping[str, Department], agencies: Iterable[Agency],
          brand: BrandConfig, cfg: ScenarioConfig, day: int, name: str) -> list[Note]:
    """Book today's cost; a note on the day the year's budget runs out."""
    o = cfg.organisation
    if day % 365 == 0 and day > 0:
        state.spent_this_year = 0.0
        state.budget_exhausted = False
    staff = sum(dep.capacity_hours for dep in departments.values()) * o.hourly_cost
    fees = sum(a.daily_fee() for a in agencies)
    tools = o.listening_cost_per_year / 365 * state.listening_tool
    ads = brand.ads_per_day if state.can_spend else 0.0
    state.cost_today = staff + fees + tools + ads + state.training_cost_today
    state.training_cost_today = 0.0
    state.cumulative_cost += state.cost_today
    state.spent_this_year += state.cost_today
    if not state.budget_exhausted and state.spent_this_year >= brand.budget:
        state.budget_exhausted = True
        return [("budget", "budget", msg(
            "{brand} has spent its yearly budget of {budget}: ads and agency campaigns "
            "stop until the next year.", brand=name, budget=Money(brand.budget)))]
    return []


def read_results(state: BrandState, day: MarketDay, brand: BrandConfig,
                 cfg: ScenarioConfig) -> None:
    """Today's revenue and value into the moving averages, then the visible results."""
    o = cfg.organisation
    scale = cfg.market.people_per_customer
    state.social_revenue_today = day.social_sales * brand.revenue_per_sale * scale
    state.cumulative_social_revenue += state.social_revenue_today
    value = state.social_revenue_today + day.engagements * o.value_per_engagement * scale
    memory = o.results_memory_days
    state.mean_value += (value - state.mean_value) / memory
    state.mean_cost += (state.cost_today - state.mean_cost) / memory
    ratio = state.mean_value / state.mean_cost if state.mean_cost > 0 else 0.0
    state.results = ratio / (1 + ratio)
