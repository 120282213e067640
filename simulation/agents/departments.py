"""Departments: how social-media practice spreads inside a brand.

Each brand has nine departments (executive, marketing, communication, customer service, CRM, PR,
HR, quality, R&D). A department's state: adoption a (its social-media practice, 0-1), trained
share, capacity (staff-hours per day for social work), awareness, resistance, headcount.

Internal network. Departments are linked according to the brand's organisational model
(Altimeter): decentralised, a ring of departments with no centre; centralised, the hub
department linked to each other department and nothing else (so a department never has two
adopting neighbours: peer influence cannot spread); hub and spoke, the hub linked to all plus
natural affinities between departments (weight hub_affinity_weight); multiple hub and spoke,
three hubs (the hub department, communication, customer service) linked to all, and the
affinities at full weight; holistic, everyone linked to everyone. The turf war weakens the
marketing-communication link by (1 - turf_war).

Rules, applied every day to all departments at once (each decides from yesterday's state, then
all commit, so the order of departments does not matter):

- Drive. drive = weight_sponsorship x executive sponsorship + weight_awareness x awareness
  + weight_results x the brand's visible results + weight_peers x peer, where peer is 1 when the
  adopting neighbours in the brand's internal network (weighted, adoption >= adopted_threshold)
  reach peer_threshold, else 0. Peer influence is a complex contagion (Centola & Macy 2007): one
  adopting neighbour is not enough.
- Growth, a Bass process inside the firm:
  growth = (1 - resistance_eff) x skill x doing x (adoption_p x drive + adoption_q x a)
           x (1 - a) x capacity_factor x turf_factor
  where skill = untrained_skill + (1 - untrained_skill) x trained_share (people adopt what they
  know how to do: training multiplies both the response to the drive and the learning-by-doing
  momentum q x a, the S of the S-curve), doing = for marketing and communication, the share of
  the brand's posts not pushed by agencies (practice grows by practising: a brand whose agency
  pushes campaigns for it practises less, while an agency that converses works with its teams;
  1 for the other departments), capacity_factor = min(1, capacity / (practice_hours_per_employee x headcount))
  (for customer service, only the hours left after answering count: a help desk has no time to
  change), resistance_eff = min(1, resistance x (culture_resistance_floor +
  culture_resistance_slope x culture resistance)), and for
  marketing and communication turf_factor = 1 - turf_war x (1 - |a_marketing -
  a_communication|): the fight is worst when neither leads.
- Erosion. Without sponsorship practice fades: erosion = erosion_rate x a x (1 - sponsorship).
  So without levers departments settle where erosion balances growth (a stall); with
  sponsorship and training, growth wins and adoption follows an S-curve.
- Turnover. Each day staff_turnover_per_year / 365 of the staff are replaced by newcomers who
  are untrained and do not practise yet: adoption and trained share both lose that share.
- Heterogeneity. Departments of the same kind differ from brand to brand and run to run: each
  department's resistance is drawn once from a Beta distribution with the configured mean and
  concentration resistance_concentration (sceptics and open-minded teams), and with chance
  p_champion it has a champion, who adds champion_drive to its drive.
- Noise. Adoption is the share of headcount employees who practise, and each of them takes up
  or drops the practice on their own, so the day's change is the expected change plus a normal
  draw with the binomial variance (growth + erosion) / headcount, times adoption_noise (0 gives
  the deterministic mean-field rule). Small departments are the noisiest.
- Awareness gained from crises or training fades back toward the department's baseline over
  awareness_decay_days.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..config import DepartmentConfig
from ..vocabulary import CONTENT_DEPARTMENTS, DEPARTMENT_AFFINITIES, DEPARTMENTS

if TYPE_CHECKING:
    from .brands import Brand


class Department(mesa.Agent):
    """One department of one brand."""

    def __init__(self, model: mesa.Model, brand: Brand, kind: str, index: int,
                 config: DepartmentConfig, rng: np.random.Generator):
        super().__init__(model)
        o = model.config.organisation
        self.org_rng = rng
        self.brand = brand
        self.kind = kind
        self.index = index  # position in DEPARTMENTS, row of the brand's internal network
        self.adoption = config.adoption
        self.trained_share = config.trained_share
        self.capacity_hours = config.capacity_hours
        self.awareness = config.awareness
        self.baseline_awareness = config.awareness
        self.resistance = draw_resistance(config.resistance, o.resistance_concentration, rng)
        self.champion = bool(rng.random() < o.p_champion)
        self.headcount = config.headcount
        self._next_adoption = self.adoption

    @property
    def skill(self) -> float:
        untrained = self.model.config.organisation.untrained_skill
        return untrained + (1 - untrained) * self.trained_share

    @property
    def adopting(self) -> bool:
        return self.adoption >= self.model.config.organisation.adopted_threshold

    def practice_hours(self) -> float:
        """Hours available for practising social media (not answering the queue)."""
        if self.kind == "customer_service":
            return self.capacity_hours * self.brand.proactive_share
        return self.capacity_hours

    def decide(self) -> None:
        """Compute tomorrow's adoption from today's state (committed by :meth:`commit`)."""
        o = self.model.config.organisation
        brand = self.brand
        a = self.adoption
        adopting_peers = float(brand.peer_weights[self.index] @ brand.adopting_vector())
        peer = 1.0 if adopting_peers >= o.peer_threshold else 0.0
        drive = (o.weight_sponsorship * brand.sponsorship + o.weight_awareness * self.awareness
                 + o.weight_results * brand.results + o.weight_peers * peer
                 + (o.champion_drive if self.champion else 0.0))
        doing = brand.in_house_share if self.kind in CONTENT_DEPARTMENTS else 1.0
        needed = o.practice_hours_per_employee * self.headcount
        capacity_factor = min(1.0, self.practice_hours() / needed)
        resistance = min(1.0, self.resistance * (o.culture_resistance_floor
                                                 + o.culture_resistance_slope
                                                 * brand.config.culture.resistance))
        growth = ((1 - resistance) * self.skill * doing * (o.adoption_p * drive + o.adoption_q * a)
                  * (1 - a) * capacity_factor * brand.turf_factor(self.kind))
        erosion = o.erosion_rate * a * (1 - brand.sponsorship)
        turnover = o.staff_turnover_per_year / 365
        change = growth - erosion - turnover * a
        if o.adoption_noise > 0:
            sd = o.adoption_noise * np.sqrt((growth + erosion + turnover * a) / self.headcount)
            change += sd * self.org_rng.standard_normal()
        self._next_adoption = min(1.0, max(0.0, a + change))
        self.trained_share *= 1 - turnover

    def commit(self) -> None:
        self.adoption = self._next_adoption
        days = self.model.config.organisation.awareness_decay_days
        if self.awareness > self.baseline_awareness:
            self.awareness += (self.baseline_awareness - self.awareness) / days

    def raise_awareness(self, amount: float, lasting: float = 0.0) -> None:
        """Awareness jumps by ``amount``; ``lasting`` of it stays (a lesson learned)."""
        self.awareness = min(1.0, self.awareness + amount)
        self.baseline_awareness = min(1.0, self.baseline_awareness + lasting)


def draw_resistance(mean: float, concentration: float, rng: np.random.Generator) -> float:
    """A department's resistance: Beta with the given mean and concentration (0: the mean)."""
    if concentration <= 0 or mean <= 0 or mean >= 1:
        return float(mean)
    return float(rng.beta(mean * concentration, (1 - mean) * concentration))


def internal_network(model_name: str, hub: str, turf_war: float,
                     hub_affinity: float = 0.5) -> np.ndarray:
    """Weights between departments (DEPARTMENTS order) for an organisational model."""
    n = len(DEPARTMENTS)
    idx = {d: i for i, d in enumerate(DEPARTMENTS)}
    w = np.zeros((n, n))

    def link(a: str, b: str, weight: float) -> None:
        if a != b:
            w[idx[a], idx[b]] = w[idx[b], idx[a]] = max(w[idx[a], idx[b]], weight)

    if model_name == "decentralised":
        for i in range(n):
            link(DEPARTMENTS[i], DEPARTMENTS[(i + 1) % n], 1.0)
    elif model_name == "centralised":
        for d in DEPARTMENTS:
            link(hub, d, 1.0)
    elif model_name in ("hub_and_spoke", "multiple_hub_and_spoke"):
        hubs = [hub] if model_name == "hub_and_spoke" else [hub, "communication",
                                                              "customer_service"]
        affinity = hub_affinity if model_name == "hub_and_spoke" else 1.0
        for h in hubs:
            for d in DEPARTMENTS:
                link(h, d, 1.0)
        for a, b in DEPARTMENT_AFFINITIES:
            link(a, b, affinity)
    else:  # holistic
        w[:] = 1.0
        np.fill_diagonal(w, 0.0)
    m, c = idx["marketing"], idx["communication"]
    w[m, c] = w[c, m] = w[m, c] * (1 - turf_war)
    return w


def turf_factor(departments, kind: str, turf_war: float) -> float:
    """Marketing's and communication's growth factor in the turf war: 1 - turf_war x (1 -
    |a_marketing - a_communication|), the fight worst when neither leads; 1 for the others."""
    if kind not in ("marketing", "communication"):
        return 1.0
    gap = abs(departments["marketing"].adoption - departments["communication"].adoption)
    return 1 - turf_war * (1 - gap)
