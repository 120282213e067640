"""Listening, social CRM, insights and preparedness: what a brand hears and does with it.

Rules:

- Listening catches listening_coverage of public complaints per day: the larger of the tool's
  coverage (bought by the listening intervention, paid for by the year) and what practising
  departments catch by hand, practice_listening_coverage x m², m the mean adoption of
  marketing, communication, PR and customer service (squared like the departments' own posts:
  watching mentions by hand becomes systematic only once the practice is widespread).
- Social CRM is an adoption process of its own: integration grows each day by
  listening_coverage x mean(CRM, customer-service adoption) x (1 - integration) /
  social_crm_days, while the year's budget lasts (integration work stops when it is spent).
  The listening intervention accelerates it (integration jumps to at least the intervention's
  level, :mod:`.strategy`) but is not the only way in. Social CRM turns an engagement into a
  sale with p_conversion x crm_integration x CRM adoption (:mod:`.planning`).
- Insights: incidents fall as quality and R&D act on what listening hears: the cut grows toward
  insight_effect at a pace listening x mean(quality, R&D adoption) / insight_days.
- Preparedness for a crisis is the larger of the crisis plan and listening x mean(PR, customer
  service adoption).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..config import OrganisationConfig, WordOfMouthConfig
    from .departments import Department
    from .state import BrandState


def listening_coverage(state: BrandState, departments: Mapping[str, Department],
                       o: OrganisationConfig) -> float:
    """The tool's coverage, or what practising departments catch by hand if larger."""
    d = departments
    mean_adoption = (d["marketing"].adoption + d["communication"].adoption
                     + d["pr"].adoption + d["customer_service"].adoption) / 4
    practice = o.practice_listening_coverage * mean_adoption**2
    return max(state.listening_tool, practice)


def preparedness(state: BrandState, departments: Mapping[str, Department],
                 o: OrganisationConfig, crisis_plan: float,
                 coverage: float | None = None) -> float:
    """``coverage``: today's listening coverage, when the caller has computed it."""
    d = departments
    if coverage is None:
        coverage = listening_coverage(state, d, o)
    listening_readiness = coverage * (
        d["pr"].adoption + d["customer_service"].adoption) / 2
    return max(crisis_plan, listening_readiness)


def act_on_insights(state: BrandState, departments: Mapping[str, Department],
                    o: OrganisationConfig, wom: WordOfMouthConfig,
                    coverage: float | None = None) -> None:
    """One day of quality and R&D acting on insights: the incident cut grows. ``coverage``:
    today's listening coverage, when the caller has computed it."""
    d = departments
    if coverage is None:
        coverage = listening_coverage(state, d, o)
    insight_pace = coverage * (d["quality"].adoption
                                                      + d["rnd"].adoption) / 2
    state.incident_cut += insight_pace * (wom.insight_effect - state.incident_cut) / (
        wom.insight_days)


def grow_social_crm(state: BrandState, departments: Mapping[str, Department],
                    o: OrganisationConfig) -> None:
    """One day of integration work on social CRM, while the year's budget lasts."""
    if not state.can_spend:
        return
    d = departments
    pace = listening_coverage(state, d, o) * (d["crm"].adoption
                                              + d["customer_service"].adoption) / 2
    state.crm_integration += pace * (1 - state.crm_integration) / o.social_crm_days
