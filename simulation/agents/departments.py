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

The state of every department of every brand is one table, :class:`Workforce`: arrays of brands
x departments (row = the brand's index, column = the position in DEPARTMENTS), so the day's
rules above run once on the whole table (:meth:`Workforce.decide`, :meth:`Workforce.commit`),
element by element in the order the formulas are written. A :class:`Department` agent is that
table's cell: reading or setting ``dep.adoption`` reads or sets its entry, and ``dep.decide()``
/ ``dep.commit()`` apply the same rules to that department alone.
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import TYPE_CHECKING

import mesa
import numpy as np

from ..config import DepartmentConfig
from ..vocabulary import CONTENT_DEPARTMENTS, DEPARTMENT_AFFINITIES, DEPARTMENTS

if TYPE_CHECKING:
    from ..config import OrganisationConfig
    from .brands import Brand

N_DEPARTMENTS = len(DEPARTMENTS)
_MARKETING = DEPARTMENTS.index("marketing")
_COMMUNICATION = DEPARTMENTS.index("communication")
#: Marketing and communication: their practice depends on the in-house share of the output
#: and on the turf war.
_CONTENT = np.array([d in CONTENT_DEPARTMENTS for d in DEPARTMENTS])
_SERVICE = np.arange(N_DEPARTMENTS) == DEPARTMENTS.index("customer_service")


class Workforce:
    """Every department of every brand: one array per field, brands x departments.

    Fields: adoption, trained_share, capacity_hours, awareness, baseline_awareness, resistance,
    headcount, champion, the next adoption decided and not yet committed, and the brands'
    internal networks (brands x departments x departments)."""

    FIELDS = ("adoption", "trained_share", "capacity_hours", "awareness", "baseline_awareness",
              "resistance", "headcount", "next_adoption")

    def __init__(self, n_brands: int):
        shape = (n_brands, N_DEPARTMENTS)
        for name in self.FIELDS:
            setattr(self, name, np.zeros(shape))
        self.champion = np.zeros(shape, dtype=bool)
        self.peer_weights = np.zeros((n_brands, N_DEPARTMENTS, N_DEPARTMENTS))
        # Of each brand's culture (one column): the factor of its departments' resistance,
        # culture_resistance_floor + culture_resistance_slope x culture resistance, and the
        # turf war.
        self.culture_factor = np.zeros((n_brands, 1))
        self.turf_war = np.zeros((n_brands, 1))

    def next_adoption_of(self, brands: Sequence[Brand], o: OrganisationConfig,
                         noise: np.ndarray | None) -> np.ndarray:
        """Tomorrow's adoption of every department of ``brands`` (rows of the table in the
        same order), from today's state: the rules of the module docstring, each formula
        computed element-wise in the order it is written. ``noise``: the standard normal draws
        (one per department), or None when adoption_noise is 0."""
        rows: list[int] | slice = [brand.index for brand in brands]
        if rows == list(range(len(self.adoption))):
            rows = slice(None)  # every brand, in index order: views, not copies
        a = self.adoption[rows]
        # The brands' readings, one column each: sponsorship, results, in-house share,
        # proactive share.
        read = np.array([(b.state.sponsorship, b.state.results, b.state.in_house_share,
                          b.state.proactive_share) for b in brands])
        sponsorship, results = read[:, 0:1], read[:, 1:2]
        # Adopting neighbours: a sum over each row of the internal network, left to right.
        adopting_peers = np.cumsum(self.peer_weights[rows] * (a >= o.adopted_threshold)[:, None],
                                   axis=2)[..., -1]
        drive = (o.weight_sponsorship * sponsorship + o.weight_awareness * self.awareness[rows]
                 + o.weight_results * results
                 + np.where(adopting_peers >= o.peer_threshold, o.weight_peers * 1.0, 0.0)
                 + np.where(self.champion[rows], o.champion_drive, 0.0))
        doing = np.where(_CONTENT, read[:, 2:3], 1.0)
        # Customer service practises only in the time left after answering.
        hours = self.capacity_hours[rows] * np.where(_SERVICE, read[:, 3:4], 1.0)
        capacity_factor = np.minimum(1.0, hours / (o.practice_hours_per_employee
                                                   * self.headcount[rows]))
        resistance = np.minimum(1.0, self.resistance[rows] * self.culture_factor[rows])
        skill = o.untrained_skill + (1 - o.untrained_skill) * self.trained_share[rows]
        gap = np.abs(a[:, _MARKETING:_MARKETING + 1] - a[:, _COMMUNICATION:_COMMUNICATION + 1])
        turf = np.where(_CONTENT, 1 - self.turf_war[rows] * (1 - gap), 1.0)
        growth = ((1 - resistance) * skill * doing * (o.adoption_p * drive + o.adoption_q * a)
                  * (1 - a) * capacity_factor * turf)
        erosion = o.erosion_rate * a * (1 - sponsorship)
        turnover = o.staff_turnover_per_year / 365
        change = growth - erosion - turnover * a
        if noise is not None:
            sd = o.adoption_noise * np.sqrt((growth + erosion + turnover * a)
                                            / self.headcount[rows])
            change += sd * noise
        return np.minimum(1.0, np.maximum(0.0, a + change))

    def decide(self, brands: Sequence[Brand], o: OrganisationConfig) -> None:
        """Every department of ``brands`` decides tomorrow's adoption (committed by
        :meth:`commit`); turnover thins the trained share. Each brand's departments draw their
        noise from the brand's stream, in DEPARTMENTS order."""
        noise = (np.array([b.org_rng.standard_normal(N_DEPARTMENTS) for b in brands])
                 if o.adoption_noise > 0 else None)
        self.next_adoption[:] = self.next_adoption_of(brands, o, noise)
        self.trained_share *= 1 - o.staff_turnover_per_year / 365

    def commit(self, o: OrganisationConfig) -> None:
        """Tomorrow's adoption becomes today's; raised awareness fades toward the baseline."""
        self.adoption[:] = self.next_adoption
        above = self.awareness > self.baseline_awareness
        if above.any():
            self.awareness[above] += ((self.baseline_awareness[above] - self.awareness[above])
                                      / o.awareness_decay_days)


def _cell(field: str, kind: type | None = None, doc: str = "") -> property:
    """A department's entry in one field of the workforce table."""
    array_of = operator.attrgetter(field)

    if kind is None:  # a float: ``item`` gives the Python float
        def get(self):
            return array_of(self.workforce).item(self._at)
    else:
        def get(self):
            return kind(array_of(self.workforce).item(self._at))

    def set_(self, value) -> None:
        array_of(self.workforce)[self._at] = value

    return property(get, set_, doc=doc or f"``Workforce.{field}`` of this department.")


class Department(mesa.Agent):
    """One department of one brand: its cell of the model's :class:`Workforce`."""

    adoption = _cell("adoption")
    trained_share = _cell("trained_share")
    capacity_hours = _cell("capacity_hours")
    awareness = _cell("awareness")
    baseline_awareness = _cell("baseline_awareness")
    resistance = _cell("resistance")
    headcount = _cell("headcount", int)
    champion = _cell("champion", bool)
    _next_adoption = _cell("next_adoption")

    def __init__(self, model: mesa.Model, brand: Brand, kind: str, index: int,
                 config: DepartmentConfig, rng: np.random.Generator):
        super().__init__(model)
        o = model.config.organisation
        self.org_rng = rng
        self.workforce: Workforce = model.workforce
        self.brand = brand
        self.kind = kind
        self.index = index  # position in DEPARTMENTS, row of the brand's internal network
        self._at = (brand.index, index)  # its cell in the workforce table
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
        """Compute tomorrow's adoption of this department alone from today's state (committed
        by :meth:`commit`); the model decides for all departments at once
        (:meth:`Workforce.decide`), by the same rules."""
        o = self.model.config.organisation
        noise = None
        if o.adoption_noise > 0:
            noise = np.zeros((1, N_DEPARTMENTS))
            noise[0, self.index] = self.org_rng.standard_normal()
        self._next_adoption = self.workforce.next_adoption_of([self.brand], o,
                                                              noise)[0, self.index]
        self.trained_share *= 1 - o.staff_turnover_per_year / 365

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
