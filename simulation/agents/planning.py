"""Planning: how a brand turns its departments' practice and its agencies into a day's output.

Rules:

- Own posts. Marketing and communication produce the planned posts (posts_per_day, mix, push
  share) within their capacity (hours_per_post each), less the turf-war loss (turf_war x
  turf_war_capacity_loss of their hours).
- Contributed posts. Each other department contributes contribution_posts_per_day x adoption²
  conversational posts of its own type (customer service: customer service; CRM: discounts; PR:
  reviews; quality: product info; R&D: exclusive; HR: feel connected).
- Agencies add their campaigns (:mod:`.agencies`). Learning by doing: an agency that converses
  works with the brand's teams (its conversational posts count as in-house practice); one that
  pushes works instead of them, so the in-house share is 1 - posts pushed by agencies / all
  posts.
- Recruitment: the brand's own recruitment_p while its budget lasts, plus each running
  campaign's campaign_recruitment_p.
- The rest of the day's output comes from the other jobs: answering capacity
  (:mod:`.service`), listening, social CRM conversion, the incident cut from insights and
  preparedness (:mod:`.listening`). Then the day's cost is booked (:mod:`.money`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import cache
from typing import TYPE_CHECKING

import numpy as np

from ..config import mix_shares
from ..exchange import DailyOutput
from ..vocabulary import CONTENT_TYPES, CONTRIBUTED_TYPE
from .listening import act_on_insights, listening_coverage, preparedness
from .money import spend
from .service import hours_per_simulated_answer

# Where each contributing department's posts go (CONTENT_TYPES order); one type per department,
# so adding them at once is adding them one by one.
_CONTRIBUTED_AT = [CONTENT_TYPES.index(content) for content in CONTRIBUTED_TYPE.values()]
if len(set(_CONTRIBUTED_AT)) != len(_CONTRIBUTED_AT):  # a vocabulary edit broke the rule above
    raise RuntimeError("two departments contribute one type")


@cache
def _named_mix_shares(name: str) -> np.ndarray:
    """A named mix's shares, computed once (read-only: each day multiplies a copy)."""
    shares = mix_shares(name)
    shares.flags.writeable = False
    return shares


if TYPE_CHECKING:
    from ..config import BrandConfig, ScenarioConfig
    from .agencies import Agency
    from .brands import Brand
    from .departments import Department
    from .state import BrandState, Note


def plan_day(state: BrandState, departments: Mapping[str, Department],
             agencies: Sequence[Agency], client: Brand, brand: BrandConfig,
             cfg: ScenarioConfig, day: int) -> tuple[DailyOutput, list[Note]]:
    """Today's output, and the notes of the day's spending. ``client`` is the brand as its
    agencies see it (its name, whether it can pay for campaigns)."""
    o = cfg.organisation
    wom = cfg.word_of_mouth
    d = departments
    turf_loss = brand.culture.turf_war * o.turf_war_capacity_loss
    content_hours = (d["marketing"].capacity_hours + d["communication"].capacity_hours) * (
        1 - turf_loss)
    own_posts = min(state.posts_per_day, content_hours / o.hours_per_post)
    posts = own_posts * (_named_mix_shares(state.mix) if isinstance(state.mix, str)
                         else mix_shares(state.mix))
    push_posts = own_posts * state.push_share
    posts[_CONTRIBUTED_AT] += [o.contribution_posts_per_day * (d[kind].adoption ** 2)
                               for kind in CONTRIBUTED_TYPE]
    agency_posts = 0.0
    pushed = []  # posts pushed by each agency
    for agency in agencies:
        extra = agency.campaign_posts(client)
        posts += extra
        agency_posts += extra.sum()
        pushed.append(extra.sum() * agency.push_orientation)
        push_posts += pushed[-1]
    total = posts.sum()
    pushed_by_agencies = sum(pushed)
    state.in_house_share = 1 - pushed_by_agencies / total if total > 0 else 1.0
    recruitment = brand.recruitment_p if state.can_spend else 0.0
    recruitment += sum(a.config.campaign_recruitment_p for a in agencies
                       if a.campaign_running(client) and state.can_spend)
    cs = d["customer_service"]
    coverage = listening_coverage(state, d, o)  # the same all day: insights change neither input
    act_on_insights(state, d, o, wom, coverage)
    output = DailyOutput(
        posts_by_type=posts,
        push_share=float(push_posts / total) if total > 0 else 0.0,
        agency_posts=float(agency_posts),
        recruitment_p=recruitment,
        answer_capacity=cs.capacity_hours / hours_per_simulated_answer(cs, cfg),
        listening_coverage=coverage,
        conversion=(cfg.behaviour.p_conversion * state.crm_integration * d["crm"].adoption),
        incident_rate=brand.incident_rate * (1 - state.incident_cut),
        preparedness=preparedness(state, d, o, brand.crisis_preparedness, coverage),
    )
    notes = spend(state, d, agencies, brand, cfg, day, client.name)
    return output, notes
