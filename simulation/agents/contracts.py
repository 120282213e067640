"""A brand's agencies: signing, ending and reviewing contracts.

Rules:

- Switching (the switch-agency intervention) ends the contracts named (all of them when no
  agency is named as replaced) and signs with the new agency, if any.
- Review: every agency_review_days, a brand whose marketing has adopted compares what its
  agencies publish with its own posts, by :func:`content_quality` (how well a mix matches the
  population's stated motivations, times the loss from push beyond customers' tolerance), and
  drops an agency whose campaigns engage less than agency_drop_ratio of its own posts.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np

from ..config import mix_shares
from ..i18n import Join, Percent, msg
from ..vocabulary import CONTENT_TYPES

if TYPE_CHECKING:
    from ..config import ScenarioConfig
    from .agencies import Agency
    from .brands import Brand
    from .departments import Department
    from .state import BrandState, Note


def review_agencies(state: BrandState, agencies: list[Agency],
                    departments: Mapping[str, Department], client: Brand,
                    cfg: ScenarioConfig) -> list[Note]:
    """Drop the agencies whose content engages less than the brand's own (module docstring)."""
    if not agencies or not departments["marketing"].adopting:
        return []
    notes: list[Note] = []
    own = content_quality(mix_shares(state.mix), state.push_share, cfg)
    for agency in list(agencies):
        theirs = content_quality(agency.mix, agency.push_orientation, cfg)
        if own > 0 and theirs < cfg.organisation.agency_drop_ratio * own:
            agency.end_contract(client)
            agencies.remove(agency)
            notes.append(("agency_dropped", agency.name,
                          msg("{brand} drops {agency}: its campaigns engage {ratio} as "
                              "well as the brand's own posts.", brand=client.name,
                              agency=agency.name, ratio=Percent(theirs / own))))
    return notes


def switch_agency(agencies: list[Agency], known: Mapping[str, Agency], new: str,
                  replaces: str, client: Brand) -> str:
    ended = [a for a in agencies if not replaces or a.name == replaces]
    for agency in ended:
        agency.end_contract(client)
        agencies.remove(agency)
    names = Join(a.name for a in ended) if ended else msg("no one")
    if new:
        agency = known[new]
        agency.sign(client)
        if agency not in agencies:
            agencies.append(agency)
        return msg("{brand} ends its contract with {ended} and signs with {new}.",
                   brand=client.name, ended=names, new=new)
    return msg("{brand} ends its contract with {ended}.", brand=client.name, ended=names)


def content_quality(mix: np.ndarray, push_share: float, config) -> float:
    """Expected engagement of a content mix relative to a perfectly matched one.

    What a brand can read in its listening: how well a mix matches the population's stated
    motivations, times the loss from push beyond customers' tolerance.
    """
    b = config.behaviour
    motivations = np.array([config.market.motivations.get(k, 0.0) for k in CONTENT_TYPES])
    push_factor = max(0.0, 1 - b.push_engagement_penalty * max(0.0, push_share - b.push_tolerance))
    return float(mix @ motivations) * push_factor
