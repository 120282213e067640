"""Strategy and sponsorship: what the brand's management decides, and how executives follow.

Rules:

- Interventions change the strategy: executive commitment (sponsorship: the executive
  committee's awareness jumps to at least the committed level), hiring (hours a day of
  social-media staff added to a department), content (posts a day, mix, push share: each given
  field replaces the current one), listening (the tool's coverage; a CRM project lifts
  integration to at least its level, it does not undo what practice has built). Each returns
  the sentence of the event log.
- Sponsorship follows the larger of executive awareness and any explicit commitment, closing
  1 / sponsorship_days of the gap per day.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from ..i18n import Join, Number, Percent, msg, term
from ..vocabulary import MIX_TERMS, label_of

if TYPE_CHECKING:
    from .departments import Department
    from .state import BrandState


def commit_executive(state: BrandState, executive: Department, level: float, name: str) -> str:
    state.commitment = level
    executive.raise_awareness(max(0.0, level - executive.awareness))
    return msg("{brand}'s executive committee sponsors the transformation (level {level}).",
               brand=name, level=Number(level))


def hire(departments: Mapping[str, Department], kind: str, hours: float, name: str) -> str:
    departments[kind].capacity_hours += hours
    return msg("{brand} adds {hours} hours a day of social-media staff to {department}.",
               brand=name, hours=Number(hours), department=term("department", kind))


def change_content(state: BrandState, posts_per_day, mix, push_share, name: str) -> str:
    changes = []
    if posts_per_day is not None:
        state.posts_per_day = posts_per_day
        changes.append(msg("{n} posts a day", n=Number(posts_per_day)))
    if mix is not None:
        state.mix = mix
        # The mix's name, not its id (MIX_TERMS' label, read in the reader's language).
        changes.append(msg("mix '{mix}'", mix=label_of(MIX_TERMS, mix)) if isinstance(mix, str)
                       else msg("a new content mix"))
    if push_share is not None:
        state.push_share = push_share
        changes.append(msg("{share} push posts", share=Percent(push_share)))
    return msg("{brand} changes its content strategy: {changes}.", brand=name,
               changes=Join(changes) if changes else msg("no change"))


def deploy_listening(state: BrandState, coverage: float, crm_integration: float,
                     name: str) -> str:
    state.listening_tool = coverage
    # A CRM project accelerates integration; it does not undo what practice has built.
    state.crm_integration = max(state.crm_integration, crm_integration)
    return msg("{brand} deploys listening ({coverage} of mentions) and integrates it with "
               "CRM at {crm} (social CRM).", brand=name, coverage=Percent(coverage),
               crm=Percent(crm_integration))


def update_sponsorship(state: BrandState, executive: Department, sponsorship_days: float) -> None:
    target = max(executive.awareness, state.commitment)
    state.sponsorship += (target - state.sponsorship) / sponsorship_days
