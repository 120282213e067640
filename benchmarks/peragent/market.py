"""The per-agent market: the same interface as :class:`simulation.customers.Market`.

``PerAgentMarket(config, rng)`` builds the same kind of population as the vectorised market --
the network from :func:`simulation.network.build_network`, relabelled at random so that
customers ``0 .. n_engaging - 1`` are the engaging ones and ``0 .. n_active - 1`` the active
ones, motivations, attention, awareness, customers and followers drawn with the scenario's
shares -- but as one :class:`Customer` agent per person, drawn one at a time, in a small Mesa
model of their own (:class:`Population`). Each day (``step``):

1. the brands' output is turned into what customers read (:class:`BrandsToday`);
2. ``customers.do("step")``: morning, rules 1-3 for every customer;
3. ``customers.do("advance")``: evening, rules 4-8 for every customer;
4. rule 9, complaints (:class:`PerAgentComplaints`), customer by customer;
5. the day's measurements, counted customer by customer.

See :mod:`benchmarks.peragent.customer` for why two passes make the two implementations
equivalent in distribution. Use it with ``SocialBusinessModel(..., market_factory=PerAgentMarket)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import mesa
import numpy as np

from simulation.complaints import NEVER
from simulation.config import CONTENT_TYPES, ScenarioConfig, mix_shares
from simulation.customers import CustomerRecord
from simulation.exchange import MarketDay
from simulation.network import build_network

from .complaints import PerAgentComplaints
from .customer import BrandsToday, Customer

if TYPE_CHECKING:
    from simulation.exchange import DailyOutput

# The stories of brands outside the scenario: written as literals in simulation/customers.py
# (Market.__init__ and _engage_elsewhere), not in the scenario config.
UNIFORM_BLOCK = 1 << 16


def uniform_stream(rng: np.random.Generator, block: int = UNIFORM_BLOCK):
    """``draw()`` returning the generator's uniforms one at a time (drawn in blocks)."""

    def stream():
        while True:
            yield from rng.random(block).tolist()

    return stream().__next__


@dataclass
class Tally:
    """Counts of the day, per brand, filled by the customers as they act."""

    n_brands: int
    engagements: list[int] = field(init=False)
    viral_views: list[int] = field(init=False)
    new_follows: list[int] = field(init=False)
    unfollows: list[int] = field(init=False)
    social_sales: list[int] = field(init=False)
    sales: list[int] = field(init=False)
    questions: list[int] = field(init=False)

    def __post_init__(self):
        for name in ("engagements", "viral_views", "new_follows", "unfollows", "social_sales",
                     "sales", "questions"):
            setattr(self, name, [0] * self.n_brands)


class Population(mesa.Model):
    """The customers as Mesa agents, and what all of them read each day."""

    def __init__(self, config: ScenarioConfig, rng: np.random.Generator, n_engaging: int,
                 fully_mixed: bool, contacts_per_node: int):
        super().__init__(rng=rng)
        self.config = config
        self.n = config.market.n_customers
        self.n_brands = len(config.brands)
        self.n_engaging = n_engaging
        self.fully_mixed = fully_mixed
        self.contacts_per_node = contacts_per_node
        self.uniform = uniform_stream(self.rng)
        self.day = 0
        self.by_index: list[Customer] = []
        self.brands_today: BrandsToday | None = None
        self.tally = Tally(self.n_brands)
        self.follower_count = [0] * self.n_brands
        self.followers_this_morning = [0] * self.n_brands
        self.customer_count = [0] * self.n_brands
        self.incident_rates = [0.0] * self.n_brands
        self.pending_notes: list[tuple[int, str, str, str]] = []
        bh = config.behaviour
        self.p_acquire = [bh.p_churn * b.market_share / max(b.awareness - b.market_share, 1e-9)
                          for b in config.brands.values()]
        self.other_brands_mix = mix_shares(config.market.other_brand_mix).tolist()
        push_over = max(0.0, config.market.other_brand_push_share - bh.push_tolerance)
        # Each page outside the scenario posts once a day: sat(1) = 1 / (1 + 1 / half).
        self.other_brands_rate = (config.market.other_brand_posts_per_day
                                  / (1 + 1 / bh.brand_attention_half_posts)
                                  * max(0.0, 1 - bh.push_engagement_penalty * push_over))
        self.complaints = PerAgentComplaints(self)

    @property
    def customers(self) -> mesa.agent.AgentSet:
        return self.agents_by_type[Customer]


class PerAgentMarket:
    """Per-agent reference implementation of the customer side (same interface as Market)."""

    def __init__(self, config: ScenarioConfig, rng: np.random.Generator):
        market = config.market
        self.config = config
        self.behaviour = config.behaviour
        self.brand_names = list(config.brands)
        self.n = n = market.n_customers
        self.n_brands = len(self.brand_names)
        network_rng, population_rng, agent_rng = rng.spawn(3)
        self.n_engaging = ne = int(round(n * market.share_engaging))
        self.n_active = int(round(n * market.share_active))
        network = build_network(market.network, n, market.mean_degree, network_rng,
                                p_rewire=market.p_rewire, p_triangle=market.p_triangle)
        self.network = network.relabel(population_rng.permutation(n))
        self.population = p = Population(config, agent_rng, ne, self.network.is_fully_mixed,
                                          self.network.contacts_per_node)
        self.complaints = p.complaints
        self.pending_notes = p.pending_notes

        # Customers, one at a time.
        draw = uniform_stream(population_rng)
        shares = [market.motivations.get(k, 0.0) for k in CONTENT_TYPES]
        cumulative = np.cumsum(shares) / sum(shares) if sum(shares) > 0 else None
        sigma = market.attention_sigma
        mu = math.log(market.attention_posts_per_day) - sigma**2 / 2
        degree = self.network.degree.tolist()
        mean_degree = max(sum(degree) / n, 1e-9)
        wom = config.word_of_mouth
        brands = list(config.brands.values())
        for i in range(n):
            engaging = i < ne
            reasons = [k for k, s in enumerate(shares) if draw() < s] if engaging else []
            if engaging and not reasons and cumulative is not None:
                # Everyone who engages has at least one reason: pick one with the same shares.
                reasons = [min(int(np.searchsorted(cumulative, draw(), side="right")),
                               len(shares) - 1)]
            see_share = min(1.0, wom.p_see_friend_post
                            * (degree[i] / mean_degree) ** wom.influencer_amplification)
            customer = Customer(p, i, engaging, i < self.n_active, reasons,
                                float(population_rng.lognormal(mu, sigma)), see_share)
            for b, brand in enumerate(brands):
                customer.knows[b] = draw() < brand.awareness
                buy_given_know = brand.market_share / brand.awareness if brand.awareness else 0.0
                customer.customer[b] = customer.knows[b] and draw() < buy_given_know
                customer.following[b] = engaging and draw() < brand.initial_follower_share
                customer.knows[b] = customer.knows[b] or customer.following[b]
                p.follower_count[b] += customer.following[b]
                p.customer_count[b] += customer.customer[b]
            p.by_index.append(customer)
        if not self.network.is_fully_mixed:
            for customer in p.by_index:
                customer.friends = [p.by_index[j]
                                    for j in self.network.neighbours(customer.index).tolist()]
                customer.n_engaging_friends = sum(f.engaging for f in customer.friends)

        self.customers = PerAgentCustomerView(self)
        sample_size = min(market.sample_size, n)
        self.sample_ids = np.sort(population_rng.choice(n, size=sample_size, replace=False))
        self._sample_rows: list[dict[str, np.ndarray]] = []
        self.record_sample(0)

    # ------------------------------------------------------------------------------------
    def step(self, day: int, outputs: list[DailyOutput]) -> list[MarketDay]:
        """One day of customer rules given the brands' outputs."""
        p, bh = self.population, self.behaviour
        p.day = day
        posts, push, mix = [], [], []
        for o in outputs:
            by_type = [float(x) for x in o.posts_by_type]
            total = sum(by_type)
            posts.append(total)
            push.append(float(o.push_share))
            mix.append([x / total for x in by_type] if total > 0 else [0.0] * len(by_type))
        half = bh.brand_attention_half_posts
        p.brands_today = BrandsToday(
            posts=posts,
            push=push,
            mix=mix,
            saturation=[x / (1 + x / half) for x in posts],
            push_factor=[max(0.0, 1 - bh.push_engagement_penalty * max(0.0, s - bh.push_tolerance))
                         for s in push],
            recruitment=[o.recruitment_p for o in outputs],
            exposure=[min(1.0, x / bh.follow_exposure_posts) for x in posts],
            unfollow_brand=[bh.unfollow_frequency * max(0.0, x - half)
                            + bh.unfollow_push * max(0.0, s - bh.push_tolerance)
                            for x, s in zip(posts, push, strict=True)],
            conversion=[o.conversion for o in outputs],
        )
        p.tally = tally = Tally(self.n_brands)
        p.followers_this_morning = list(p.follower_count)

        p.customers.do("step")  # morning: rules 1-3
        p.customers.do("advance")  # evening: rules 4-8
        results = [MarketDay() for _ in range(self.n_brands)]
        self.complaints.step(day, outputs, tally.questions, results)  # rule 9

        nb = self.n_brands
        reach_sum, fatigue_sum, weekly = [0.0] * nb, [0.0] * nb, [0] * nb
        known, sentiment_sum = [0] * nb, [0.0] * nb
        for c in p.by_index:
            for b in range(nb):
                if c.following[b]:
                    reach_sum[b] += c.p_seen
                    fatigue_sum[b] += c.fatigue
                    weekly[b] += c.last_engaged[b] >= day - 6
                if c.knows[b]:
                    known[b] += 1
                    sentiment_sum[b] += c.sentiment[b]
        for b, r in enumerate(results):
            f = p.follower_count[b]
            r.followers = f
            r.new_follows = tally.new_follows[b]
            r.unfollows = tally.unfollows[b]
            r.organic_reach = reach_sum[b] / f if f else 0.0
            r.impressions = reach_sum[b] * posts[b]
            r.engagements = tally.engagements[b]
            r.engagement_per_post = tally.engagements[b] / posts[b] if posts[b] > 0 else 0.0
            r.weekly_engaged_share = weekly[b] / f if f else 0.0
            r.viral_views = tally.viral_views[b]
            r.mean_fatigue = fatigue_sum[b] / f if f else 0.0
            r.customers = p.customer_count[b]
            r.sales = tally.sales[b]
            r.social_sales = tally.social_sales[b]
            r.questions_new = tally.questions[b]
            r.net_sentiment = sentiment_sum[b] / known[b] if known[b] else 0.0
        self.record_sample(day)
        return results

    def initial_day(self, b: int) -> MarketDay:
        p = self.population
        return MarketDay(followers=p.follower_count[b], customers=p.customer_count[b])

    def inject_crisis(self, brand, cause: str, virality: float, n_seeds: int,
                      day: int | None = None) -> str:
        """A crisis injected on ``day`` (default: the model's current day); the log sentence."""
        day = brand.model.time_day if day is None else day
        self.complaints.inject(brand.index, cause, virality, n_seeds, day)
        what = {
            "product_defect": "A product defect goes public",
            "employee_video": "An employee video goes viral",
            "ngo_attack": "An NGO campaign targets the brand",
        }[cause]
        activists = self.config.word_of_mouth.activists_per_seed
        posters = activists * n_seeds if cause == "ngo_attack" else n_seeds
        return f"{what} (virality {virality:g}, first posted by {posters} people)."

    # ------------------------------------------------------------------------------------
    # What reporters and tools read, as arrays
    @property
    def ever_engaged(self) -> np.ndarray:
        return np.array([c.ever_engaged for c in self.population.by_index], bool)

    @property
    def fatigue(self) -> np.ndarray:
        return np.array([c.fatigue for c in self.population.by_index], np.float32)

    @property
    def follower_count(self) -> np.ndarray:
        return np.array(self.population.follower_count, np.int64)

    @property
    def customer_count(self) -> np.ndarray:
        return np.array(self.population.customer_count, np.int64)

    def record_sample(self, day: int) -> None:
        ids = self.sample_ids
        if not len(ids):
            return
        people = [self.population.by_index[i] for i in ids.tolist()]
        row = {"day": np.full(len(ids), day, np.int32), "customer": ids,
               "engaging": ids < self.n_engaging, "active": ids < self.n_active,
               "fatigue": np.array([c.fatigue for c in people], np.float32)}
        for b, name in enumerate(self.brand_names):
            row[f"follows_{name}"] = np.array([c.following[b] for c in people])
            row[f"sentiment_{name}"] = np.array([c.sentiment[b] for c in people], np.float32)
            row[f"customer_{name}"] = np.array([c.customer[b] for c in people])
        self._sample_rows.append(row)

    def sample_frame(self):
        import pandas as pd

        if not self._sample_rows:
            return pd.DataFrame()
        columns = self._sample_rows[0].keys()
        return pd.DataFrame({c: np.concatenate([r[c] for r in self._sample_rows])
                             for c in columns})


class PerAgentCustomerView:
    """``market.customers[i]``: the record of one customer agent."""

    def __init__(self, market: PerAgentMarket):
        self._market = market

    def __len__(self) -> int:
        return self._market.n

    def __getitem__(self, i: int) -> CustomerRecord:
        m = self._market
        i = int(i)
        if not -m.n <= i < m.n:
            raise IndexError(f"customer {i} out of range (0..{m.n - 1})")
        c = m.population.by_index[i % m.n]
        complaints = m.complaints
        spreading = {id(x) for _, x in complaints.frontier}
        open_brands = {x.brand for x in complaints.table.rows
                       if x.complainant is c and x.answered == NEVER
                       and (id(x) in spreading or x.detected != NEVER)}
        brands = {
            name: {"following": c.following[b], "sentiment": round(c.sentiment[b], 4),
                   "customer": c.customer[b], "knows": c.knows[b],
                   "open_complaint": b in open_brands}
            for b, name in enumerate(m.brand_names)
        }
        return CustomerRecord(
            id=c.index, engaging=c.engaging, active=c.active,
            motivations=tuple(CONTENT_TYPES[k] for k in c.reasons),
            attention_posts_per_day=round(c.attention, 3), fatigue=round(c.fatigue, 4),
            friends=int(m.network.degree[c.index]), brands=brands,
        )
