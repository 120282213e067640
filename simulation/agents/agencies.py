"""Agencies: campaigns for hire, push-oriented by default, slow to change.

Rules:
- An agency under contract to a brand starts campaigns for it (contests, viral videos, blogger
  outreach) at random, campaigns_per_year on average, one at a time per client, while the
  client's budget lasts. A campaign lasts campaign_days and adds campaign_posts_per_day posts
  with the agency's campaign mix, a share push_orientation of them push, and raises the
  client's recruitment by campaign_recruitment_p (contests recruit fans).
- Its push orientation moves toward what its clients want (their own push share) by
  1 / inertia_days of the gap per day: agencies change, but slowly ("a century-old business
  model").
- Clients review their agencies (:func:`simulation.agents.contracts.review_agencies`) and may drop one whose
  content engages less than theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..config import AgencyConfig, mix_shares

if TYPE_CHECKING:
    from .brands import Brand


def _numpy_mean(values: list[float]) -> float:
    """np.mean of a short list, bit for bit, without making an array: below eight values numpy
    adds them one by one, left to right (not sum(), which compensates rounding since Python
    3.12); from eight on it adds in blocks, so numpy is asked."""
    if len(values) >= 8:
        return float(np.mean(values))
    total = 0.0
    for value in values:
        total += value
    return total / len(values)


class Agency(mesa.Agent):
    """An agency and its contracts."""

    def __init__(self, model: mesa.Model, name: str, config: AgencyConfig):
        super().__init__(model)
        self.name = name
        self.config = config
        self.push_orientation = config.push_orientation
        self.clients: list[Brand] = []
        self.campaign_until: dict[str, int] = {}  # client name -> last day of its campaign
        self.mix = mix_shares(config.campaign_mix)

    def sign(self, brand: Brand) -> None:
        if brand not in self.clients:
            self.clients.append(brand)

    def end_contract(self, brand: Brand) -> None:
        if brand in self.clients:
            self.clients.remove(brand)
        self.campaign_until.pop(brand.name, None)

    def step(self) -> None:
        day = self.model.time_day
        if self.clients:
            wanted = _numpy_mean([c.push_share for c in self.clients])
            self.push_orientation += (wanted - self.push_orientation) / self.config.inertia_days
        start_chance = self.config.campaigns_per_year / 365
        for client in self.clients:
            running = self.campaign_until.get(client.name, -1) >= day
            if not running and client.can_spend and self.model.org_rng.random() < start_chance:
                self.campaign_until[client.name] = day + self.config.campaign_days - 1

    def campaign_running(self, brand: Brand) -> bool:
        return self.campaign_until.get(brand.name, -1) >= self.model.time_day

    def campaign_posts(self, brand: Brand) -> np.ndarray:
        """Posts by content type this agency publishes for ``brand`` today."""
        if not (self.campaign_running(brand) and brand.can_spend):
            return np.zeros(len(self.mix))
        return self.config.campaign_posts_per_day * self.mix

    def daily_fee(self) -> float:
        return self.config.monthly_fee * 12 / 365
