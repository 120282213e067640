"""One customer as one Mesa agent: rules 1-8 of :mod:`simulation.customers`, in plain Python.

Each :class:`Customer` holds its own state (engaging, active, motivations, attention, fatigue and,
per brand, following, sentiment, being a customer, knowing the brand, the last day a complaint
about it reached them) and its list of friends (other ``Customer`` objects). The rules are those
of the module docstring of :mod:`simulation.customers`; every constant comes from the scenario
config. What the brands post today is read from ``model.brands_today`` (:class:`BrandsToday`),
filled by the market before the customers move.

Update scheme (why two passes). The vectorised ``Market`` computes every customer's day from
the same start-of-day state: all customers engage (rules 1-2) and share (3) before anyone's
following changes (5), and the Bass term of rule 5 counts the friends who followed at the start
of the day. Stepping customers one at a time with everything in one ``step`` would let a
customer see friends who already (un)followed today, and would let a share arrive after the
friend's own buying rule ran: an order-dependent, different process. So a day has two passes
over the AgentSet, as in Mesa 2's SimultaneousActivation:

* ``step`` (morning, rules 1-3): a customer reads the world as it is at the start of the day --
  its own feed, its friends' following -- engages, and shows its shared engagements to its
  friends. The only writes to other customers are a friend's ``knows`` flag and a pending
  follow from a share, which no morning rule reads; following changes nobody's state yet.
* ``advance`` (evening, rules 4-8): fatigue, following (Bass, viral follows from the morning,
  unfollowing), sentiment memory, buying and questions, on the customer's own state only.

Within a pass no customer reads what another writes in the same pass, so the result does not
depend on the order of activation: ``AgentSet.do`` (fixed order, no draws from Python's
``random``) gives the same distribution as ``shuffle_do``. Complaints (rule 9) come after both
passes, customer by customer (:meth:`Customer.meet_incidents`, :meth:`Customer.see_complaint`),
run by :class:`benchmarks.peragent.complaints.PerAgentComplaints`.

Randomness: one numpy ``Generator`` stream, read as uniforms one at a time through
``model.uniform()`` (drawn from the generator in blocks, because a scalar call per draw costs
more than the rule itself).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import mesa

from simulation.complaints import NEVER
from simulation.config import CONTENT_TYPES

if TYPE_CHECKING:
    from .complaints import Complaint
    from .market import Population

CUSTOMER_SERVICE = CONTENT_TYPES.index("customer_service")


@dataclass
class BrandsToday:
    """What every customer needs to know about the brands' output today (one entry per brand)."""

    posts: list[float]
    push: list[float]
    mix: list[list[float]]  # share of each content type in the brand's posts
    saturation: list[float]  # sat(P) = P / (1 + P / brand_attention_half_posts)
    push_factor: list[float]  # 1 - push_engagement_penalty x max(0, push - tolerance)
    recruitment: list[float]
    exposure: list[float]  # min(1, posts / follow_exposure_posts)
    unfollow_brand: list[float]  # the brand's part of the unfollow rate (frequency, push)
    conversion: list[float]


class Customer(mesa.Agent):
    """One customer (or prospect) of the scenario's brands."""

    def __init__(self, model: Population, index: int, engaging: bool, active: bool,
                 reasons: list[int], attention: float, see_share: float):
        super().__init__(model)
        nb = model.n_brands
        self.index = index
        self.engaging = engaging
        self.active = active
        self.reasons = reasons  # content types this customer interacts with brands for
        bh = model.config.behaviour
        self.propensity = (bh.active_engagement_multiplier if active else 1.0) if engaging else 0.0
        self.attention = attention
        self.see_share = see_share  # chance a friend sees a complaint this customer passes on
        self.friends: list[Customer] = []
        self.n_engaging_friends = 0
        self.fatigue = 0.0
        self.fatigue_started = False
        self.ever_engaged = False
        self.following = [False] * nb
        self.sentiment = [0.0] * nb
        self.customer = [False] * nb
        self.knows = [False] * nb
        self.last_exposed = [NEVER] * nb
        self.last_engaged = [NEVER] * nb
        # Today's working state.
        self.reach_day = -1
        self.p_seen = 1.0
        self.feed = 0.0
        self.brand_stories = 0.0
        self.push_stories = 0.0
        self.engaged_today: list[int] = []
        self.viral_follow = [False] * nb
        self.friends_following = [0] * nb

    # ------------------------------------------------------------------------------------
    def contacts(self) -> list[Customer]:
        """Friends; in a fully mixed population, round(mean_degree) people met at random."""
        m = self.model
        if not m.fully_mixed:
            return self.friends
        out = []
        for _ in range(m.contacts_per_node):
            j = int(m.uniform() * (m.n - 1))
            out.append(m.by_index[j + (j >= self.index)])
        return out

    def reach(self) -> float:
        """Rule 1: today's chance to see a candidate post, from this morning's feed."""
        m = self.model
        if self.reach_day != m.day:
            self.reach_day = m.day
            today = m.brands_today
            stories = push_stories = 0.0
            for b in range(m.n_brands):
                if self.following[b]:
                    stories += today.posts[b]
                    push_stories += today.posts[b] * today.push[b]
            self.brand_stories, self.push_stories = stories, push_stories
            self.feed = m.config.market.other_brand_posts_per_day + stories
            self.p_seen = min(1.0, self.attention / max(self.feed, 1e-9))
        return self.p_seen

    def sentiment_factor(self, b: int) -> float:
        return min(2.0, max(0.0, 1 + self.model.config.behaviour.sentiment_sensitivity
                            * self.sentiment[b]))

    # ------------------------------------------------------------------------------------
    def step(self) -> None:
        """Morning: exposure (1), engagement (2) and shares (3), from the start-of-day state."""
        self.engaged_today = []
        if not self.engaging:
            return
        m = self.model
        bh = m.config.behaviour
        nb = m.n_brands
        today = m.brands_today
        uniform = m.uniform
        p_seen = self.reach()
        # What rule 5 will need: friends following each brand, as they are this morning.
        if not m.fully_mixed:
            counts = [0] * nb
            for friend in self.friends:
                following = friend.following
                for b in range(nb):
                    if following[b]:
                        counts[b] += 1
            self.friends_following = counts
        # 2. Engagement with each followed brand.
        per_customer = bh.engagement_scale * self.propensity * p_seen * (1 - self.fatigue)
        for b in range(nb):
            if not self.following[b]:
                continue
            mix = today.mix[b]
            match = sum(mix[k] for k in self.reasons)
            rate = per_customer * match * today.saturation[b] * today.push_factor[b]
            if bh.sentiment_sensitivity > 0:
                rate *= self.sentiment_factor(b)
            if uniform() < -math.expm1(-rate):
                self.engaged_today.append(b)
        for b in self.engaged_today:
            self.ever_engaged = True
            self.last_engaged[b] = m.day
            self.sentiment[b] = min(1.0, self.sentiment[b] + bh.engagement_sentiment_gain)
            m.tally.engagements[b] += 1
        # Brands outside the scenario: only whether the customer ever engaged is kept.
        pages = m.config.market.other_brand_posts_per_day
        if not self.ever_engaged and pages > 0:
            rate = per_customer * self.match_other() * m.other_brands_rate
            if uniform() < -math.expm1(-rate):
                self.ever_engaged = True
        # 3. Shares: friends see them with their own reach, learn the brand, may follow.
        for b in self.engaged_today:
            if uniform() < bh.p_share:
                for friend in self.contacts():
                    friend.receive_share(b)

    def match_other(self) -> float:
        return sum(self.model.other_brands_mix[k] for k in self.reasons)

    def receive_share(self, b: int) -> None:
        m = self.model
        if m.uniform() < self.reach():
            m.tally.viral_views[b] += 1
            self.knows[b] = True
            if (self.engaging and not self.following[b]
                    and m.uniform() < m.config.behaviour.p_follow_per_viral_view):
                self.viral_follow[b] = True

    # ------------------------------------------------------------------------------------
    def advance(self) -> None:
        """Evening: fatigue (4), following (5), sentiment (6), buying (7), questions (8)."""
        m = self.model
        bh = m.config.behaviour
        nb = m.n_brands
        today = m.brands_today
        uniform = m.uniform
        tally = m.tally
        if self.engaging:
            # 4. Fatigue moves toward the drive of this morning's feed.
            over = max(0.0, self.feed / (self.attention * bh.saturation_ratio) - 1)
            push_seen = self.push_stories / self.brand_stories if self.brand_stories > 0 else 0.0
            drive = over + bh.push_fatigue_weight * max(0.0, push_seen - bh.push_tolerance)
            target = -math.expm1(-drive)
            if self.fatigue_started:
                self.fatigue += (target - self.fatigue) / bh.fatigue_memory_days
            else:  # day one starts from its steady state, as the vectorised market does
                self.fatigue = target
                self.fatigue_started = True
            # 5. Following (Bass, plus viral follows from this morning) and unfollowing.
            for b in range(nb):
                if self.following[b]:
                    rate = (bh.unfollow_base + bh.unfollow_fatigue * self.fatigue
                            + today.unfollow_brand[b]
                            + bh.unfollow_negative * max(0.0, -self.sentiment[b]))
                    if uniform() < rate:
                        self.following[b] = False
                        tally.unfollows[b] += 1
                        m.follower_count[b] -= 1
                else:
                    if m.fully_mixed:
                        share = m.followers_this_morning[b] / max(m.n_engaging, 1)
                    else:
                        share = self.friends_following[b] / max(self.n_engaging_friends, 1)
                    rate = ((today.recruitment[b] + bh.bass_q * share) * today.exposure[b]
                            * self.sentiment_factor(b))
                    if uniform() < rate or self.viral_follow[b]:
                        self.following[b] = True
                        self.knows[b] = True
                        tally.new_follows[b] += 1
                        m.follower_count[b] += 1
                self.viral_follow[b] = False
        # 6. Sentiment returns toward its resting level.
        for b in range(nb):
            rest = bh.customer_satisfaction if self.customer[b] else 0.0
            self.sentiment[b] += (rest - self.sentiment[b]) / bh.sentiment_memory_days
        # 7. Social CRM conversions, churn, acquisition, purchases.
        for b in self.engaged_today:
            if uniform() < today.conversion[b]:
                tally.social_sales[b] += 1
                self.set_customer(b, True)
        for b in range(nb):
            if self.customer[b] and uniform() < bh.p_churn + bh.churn_negative * max(
                    0.0, -self.sentiment[b]):
                self.set_customer(b, False)
        for b in range(nb):
            if (self.knows[b] and not self.customer[b]
                    and uniform() < m.p_acquire[b] * self.sentiment_factor(b)):
                self.set_customer(b, True)
        for b in range(nb):
            if self.customer[b] and uniform() < bh.p_purchase:
                tally.sales[b] += 1
        # 8. Questions.
        if self.engaged_today and CUSTOMER_SERVICE in self.reasons:
            for b in self.engaged_today:
                if uniform() < m.config.word_of_mouth.p_question:
                    tally.questions[b] += 1

    def set_customer(self, b: int, value: bool) -> None:
        if self.customer[b] != value:
            self.customer[b] = value
            self.model.customer_count[b] += 1 if value else -1

    # ------------------------------------------------------------------------------------
    # Rule 9, the customer's part (see benchmarks.peragent.complaints)
    def meet_incidents(self) -> None:
        """Incidents with the brands this customer buys; public complaints."""
        m = self.model
        c = m.config.word_of_mouth
        for b in range(m.n_brands):
            if not self.customer[b] or not m.uniform() < m.incident_rates[b]:
                continue
            self.sentiment[b] = max(-1.0, self.sentiment[b] - c.incident_sentiment_impact)
            m.complaints.incidents[b] += 1
            p_public = c.p_complain_public * (c.active_complaint_multiplier if self.active else 1)
            if self.engaging and m.uniform() < p_public:
                m.complaints.open(self, b, origin=0)

    def post_complaint(self, complaint: Complaint) -> None:
        """The author's own post is out whatever they saw before; the author counts as newly
        exposed (and is hit) only without a complaint about the brand lately."""
        m = self.model
        m.complaints.frontier.append((self, complaint))
        if self.last_exposed[complaint.brand] > m.day - m.config.word_of_mouth.refractory_days:
            return
        self._hit_by(complaint)

    def see_complaint(self, complaint: Complaint) -> bool:
        """A friend shows a complaint; returns whether this customer passes it on."""
        m = self.model
        c = m.config.word_of_mouth
        b = complaint.brand
        if self.last_exposed[b] > m.day - c.refractory_days:
            return False  # seen one lately (or today): not counted or hit again
        knew = self.knows[b]
        self._hit_by(complaint)
        p = (c.p_reshare * complaint.virality
             * math.exp(-(m.day - complaint.opened) / c.wom_decay_days)
             * (1.0 if knew else c.unaware_reshare_factor)
             * (c.active_complaint_multiplier if self.active else 1.0)
             * m.complaints.response_factor[b])
        return m.uniform() < p

    def _hit_by(self, complaint: Complaint) -> None:
        m = self.model
        b = complaint.brand
        self.last_exposed[b] = m.day
        complaint.size += 1
        m.complaints.exposures[b] += 1
        self.sentiment[b] = max(-1.0,
                                self.sentiment[b] - m.config.word_of_mouth.wom_sentiment_impact)
        self.knows[b] = True
