"""The customers: a population on a social network, facing the brands' posts every day.

Every customer is an agent with individual state and individual rules, but the population is
held as vectorised numpy state (one entry per customer, and per brand where needed) so that a
run scales to a million customers. ``market.customers[i]`` returns a readable record of one customer.

State per customer
    engaging (45% of people engage with brands at all, IBM 2011) and active (5% of people post
    or respond regularly); motivations: for each content type, whether the customer interacts
    with brands for that reason (drawn with the IBM consumer shares); attention: brand stories
    read per day (lognormal); fatigue (0-1).
State per customer and brand
    following, sentiment (-1..1), being a customer, knowing the brand, the day a complaint about
    the brand last reached them. Open complaints are rows of the complaint table
    (:mod:`simulation.complaints`).

Daily rules, in this order (``Market.step``):

1. Exposure. A customer's feed offers C = other_brand_posts_per_day + the posts of the brands
   they follow; they read A of them (their attention), so each candidate post is seen with
   probability p_seen = min(1, A / C). Organic reach falls as brands post more, and as more
   brands post into the same attention.
2. Engagement. A follower engages with a brand on a given day with probability
   1 - exp(-lambda), lambda = engagement_scale x propensity x p_seen x sat(posts) x match x
   push_factor x (1 - fatigue) x (1 + sentiment_sensitivity x sentiment), where
   sat(P) = P / (1 + P / brand_attention_half_posts) (attention to one brand saturates, so a
   brand's second daily post adds less than its first), match is the share of the brand's posts
   whose type is one of the customer's motivations, and push_factor = 1 - push_engagement_penalty
   x max(0, push_share - push_tolerance). Active customers have propensity
   active_engagement_multiplier, casual ones 1, non-engaging ones 0. The perception gap is not
   coded: it emerges when a brand's mix follows its beliefs instead of customers' motivations.
   Customers also engage with the brands outside the scenario (other_brand_posts_per_day pages
   posting once a day with other_brand_mix and other_brand_push_share) under the same rule;
   only whether they ever engaged with any brand is kept.
3. Shares. An engagement is shared with probability p_share; each friend of the sharer sees the
   share with their own p_seen, comes to know the brand, and, if engaging and not following,
   follows with probability p_follow_per_viral_view.
4. Fatigue. Over-solicitation drive = max(0, C / (A x saturation_ratio) - 1) + push_fatigue_weight
   x max(0, share of push among the followed brands' posts - push_tolerance); fatigue moves
   toward 1 - exp(-drive) by 1 / fatigue_memory_days of the gap each day (so it decays when
   solicitation stops); on the first day it starts at its target (no empty history).
5. Following: an agent-based Bass process driven by exposure to the brand's activity. An
   engaging non-follower follows with daily probability (p_b + bass_q x share of their
   engaging friends who follow) x exposure_b x (1 + s x sentiment), where p_b is the brand's
   recruitment (ads, agency campaigns) and exposure_b = min(1, posts_b /
   follow_exposure_posts): ads promote posts and friends' follows show up through the page's
   activity, so a page that stops posting stops recruiting (its followers' word of mouth has
   nothing to carry). A follower
   unfollows with probability unfollow_base + unfollow_fatigue x fatigue + unfollow_frequency x
   max(0, posts - brand_attention_half_posts) + unfollow_push x max(0, push_share -
   push_tolerance) + unfollow_negative x max(0, -sentiment). With a fully mixed network, no
   shares, no unfollowing, neutral sentiment and at least follow_exposure_posts posts a day
   this is exactly the Bass model.
6. Sentiment returns toward its resting level by 1 / sentiment_memory_days of the gap per day:
   customer_satisfaction for the brand's customers, 0 for others. An engagement adds
   engagement_sentiment_gain.
7. Buying. Customers of a brand buy with p_purchase per day. An engagement becomes a sale with
   the brand's social-CRM conversion chance (a prospect who buys becomes a customer). Customers
   churn with p_churn + churn_negative x max(0, -sentiment); people who know the brand but do
   not buy it are acquired at the rate that keeps the initial market share in balance, scaled
   by (1 + s x sentiment): traditional marketing goes on outside social media.
8. Questions. An engagement by a customer motivated by customer service is a question needing
   an answer with probability p_question.
9. Incidents, complaints, word of mouth, answers and crises: :mod:`simulation.complaints`, on
   the same population state (:mod:`simulation.population`), which both rule sets receive.

Net sentiment, the indicator a brand reads (and the charts show), is what a brand-tracking
survey of the people who know the brand would report: each respondent answers "positive" with
probability max(0, s) and "negative" with probability max(0, -s) (s their sentiment, -1..1),
so the expected net score, share positive minus share negative, is the mean sentiment of the
people who know the brand. It moves continuously: a crisis pulls it down within days, and it
climbs back as sentiment returns to rest (sentiment_memory_days), not in a jump months later
when individuals cross an arbitrary cut.

Rare events (following, unfollowing, acquisition, churn, incidents) are drawn by thinning:
every (customer, brand) pair is a candidate with the largest possible rate, independently (the
candidates are found by drawing the geometric gaps between them), and each candidate is kept
with probability rate / largest rate. This is exactly distributed as one Bernoulli draw per
pair, at a cost that grows with the number of events, not of pairs. Engagement (rule 2) is
drawn only for the pairs where the customer follows the brand, the only pairs that can engage.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from .complaints import Complaints
from .config import CONTENT_TYPES, ScenarioConfig, mix_shares
from .exchange import DailyOutput, MarketDay
from .network import build_network
from .population import Population, thinning_block

CUSTOMER_SERVICE = CONTENT_TYPES.index("customer_service")
F32 = np.float32
# CODE_BITS[k, c]: whether motivation code c (one bit per content type) has content type k.
CODE_BITS = ((np.arange(256)[None, :] >> np.arange(len(CONTENT_TYPES))[:, None]) & 1).astype(F32)


@dataclass(frozen=True)
class CustomerRecord:
    """One customer, readable."""

    id: int
    engaging: bool
    active: bool
    motivations: tuple[str, ...]
    attention_posts_per_day: float
    fatigue: float
    friends: int
    brands: dict[str, dict[str, object]]


def _population(field: str) -> property:
    """A read-only view of one field of the market's population state."""
    return property(lambda self: getattr(self.population, field),
                    doc=f"``Population.{field}`` (read-only).")


class CustomerView:
    """``market.customers[i]``: a record per customer, built on demand."""

    def __init__(self, market: Market):
        self._market = market

    def __len__(self) -> int:
        return self._market.n

    def __getitem__(self, i: int) -> CustomerRecord:
        m = self._market
        i = int(i)
        if not -m.n <= i < m.n:
            raise IndexError(f"customer {i} out of range (0..{m.n - 1})")
        i %= m.n
        open_by_brand = m.complaints.open_complaint_brands(i)
        brands = {
            name: {
                "following": bool(m.follows_bn[b, i]),
                "sentiment": round(float(m.sentiment_bn[b, i]), 4),
                "customer": bool(m.customer_bn[b, i]),
                "knows": bool(m.knows_bn[b, i]),
                "open_complaint": b in open_by_brand,
            }
            for b, name in enumerate(m.brand_names)
        }
        return CustomerRecord(
            id=i,
            engaging=bool(i < m.n_engaging),
            active=bool(i < m.n_active),
            motivations=tuple(k for j, k in enumerate(CONTENT_TYPES)
                              if m.motivation_code[i] >> j & 1),
            attention_posts_per_day=round(float(m.attention[i]), 3),
            fatigue=round(float(m.fatigue[i]), 4),
            friends=int(m.network.degree_of(np.array([i]))[0]),
            brands=brands,
        )


class Market:
    """The customer population, its network, and the daily customer rules.

    Per-brand state is stored brand-major, shape (brands, customers), so that everything done
    for one brand (counts, sums, updates) runs over contiguous memory; ``follows``,
    ``sentiment``, ``is_customer`` and ``knows`` are (customers, brands) views of it.
    """

    def __init__(self, config: ScenarioConfig, rng: np.random.Generator):
        market = config.market
        self.config = config
        self.behaviour = config.behaviour
        self.brand_names = list(config.brands)
        n = market.n_customers
        nb = len(self.brand_names)
        network_rng, population_rng, self.rng = rng.spawn(3)

        # Customers 0 .. n_active-1 are active, 0 .. n_engaging-1 engaging. The network is
        # relabelled at random first, so these id ranges are random with respect to structure,
        # and the engagement arithmetic can work on a contiguous slice.
        ne = int(round(n * market.share_engaging))
        n_active = int(round(n * market.share_active))
        network = build_network(market.network, n, market.mean_degree, network_rng,
                                p_rewire=market.p_rewire, p_triangle=market.p_triangle,
                                relabel=population_rng.permutation(n))

        shares = np.array([market.motivations.get(k, 0.0) for k in CONTENT_TYPES])
        motivations = population_rng.random((len(CONTENT_TYPES), n)) < shares[:, None]
        motivations[:, ne:] = False
        # An engaging customer with no drawn reason still has one: the survey's respondents all
        # named at least one. Pick it with the same shares.
        empty = np.flatnonzero(~motivations[:, :ne].any(axis=0))
        if len(empty) and shares.sum() > 0:
            picks = population_rng.choice(len(shares), size=len(empty), p=shares / shares.sum())
            motivations[picks, empty] = True
        # A customer's motivations as one byte, bit k for content type k: the match of a brand's
        # mix with every possible set of motivations is a small table (brands x 256), read at
        # each follower pair, instead of a float per content type and customer.
        self.motivation_code = np.zeros(n, np.uint8)
        for k in range(len(CONTENT_TYPES)):
            self.motivation_code[motivations[k]] |= np.uint8(1 << k)
        del motivations
        sigma = market.attention_sigma
        mu = np.log(market.attention_posts_per_day) - sigma**2 / 2
        self.attention = population_rng.lognormal(mu, sigma, n).astype(F32)
        self.fatigue = np.zeros(n, F32)
        self._fatigue_started = False

        knows_bn = np.zeros((nb, n), bool)
        customer_bn = np.zeros((nb, n), bool)
        follows_bn = np.zeros((nb, n), bool)
        for b, brand in enumerate(config.brands.values()):
            knows_bn[b] = population_rng.random(n) < brand.awareness
            buy_given_know = brand.market_share / brand.awareness if brand.awareness else 0.0
            customer_bn[b] = knows_bn[b] & (population_rng.random(n) < buy_given_know)
            follows_bn[b, :ne] = population_rng.random(ne) < brand.initial_follower_share
        knows_bn |= follows_bn
        # The population state both rule sets receive (simulation.population).
        self.population = Population(network, nb, ne, n_active, knows_bn, customer_bn,
                                     follows_bn)
        # Acquisition rate that balances base churn at the initial market share.
        self.p_acquire = np.array(
            [
                self.behaviour.p_churn * b.market_share / max(b.awareness - b.market_share, 1e-9)
                for b in config.brands.values()
            ]
        )

        self._match_other = mix_shares(market.other_brand_mix).astype(F32) @ CODE_BITS
        bh = self.behaviour
        # The other brands' engagement factor: other_brand_posts_per_day pages posting once a
        # day (saturation of one post), with their push share's penalty.
        other_push_factor = max(0.0, 1 - bh.push_engagement_penalty * max(
            0.0, market.other_brand_push_share - bh.push_tolerance))
        self._other_factor = F32(market.other_brand_posts_per_day / (
            1 + 1 / bh.brand_attention_half_posts) * other_push_factor)
        self.ever_engaged = np.zeros(n, bool)
        bh = self.behaviour
        self._feed_constants = np.array(
            [1e-9, bh.engagement_scale, bh.active_engagement_multiplier, bh.saturation_ratio,
             bh.push_fatigue_weight, bh.push_tolerance], F32)
        self._engaged_recent: list[np.ndarray] = []  # flat (brand*n + customer), last 7 days
        self.p_seen = np.ones(n, F32)
        self._p_seen_rest_of: np.ndarray | None = None  # the attention array p_seen[ne:] is of
        self.complaints = Complaints(self.population, config.word_of_mouth, self.rng,
                                     [b.awareness for b in config.brands.values()])
        self.customers = CustomerView(self)
        kernels.warm_up(n * nb)
        # Whether the rules with a compiled twin run compiled (simulation.kernels), and the
        # addresses those draw from self.rng with.
        self._compiled_rules = kernels.use_numba_pairs(n * nb, self.population.compiled)
        self._rng_addresses = kernels.GeneratorAddresses()
        sample_size = min(market.sample_size, n)
        self.sample_ids = np.sort(population_rng.choice(n, size=sample_size, replace=False))
        self._sample_rows: list[tuple] = []  # (day, fatigue, follows, sentiment, customer)
        # False: the sample is not recorded (a sweep's run writes only its series and events).
        self.record_customers = True
        self.record_sample(0)

    # The population state (simulation.population), read-only from here -----------------
    n = _population("n")
    n_brands = _population("n_brands")
    n_engaging = _population("n_engaging")
    n_active = _population("n_active")
    network = _population("network")
    follows_bn = _population("follows_bn")
    sentiment_bn = _population("sentiment_bn")
    customer_bn = _population("customer_bn")
    knows_bn = _population("knows_bn")
    follower_count = _population("follower_count")
    customer_count = _population("customer_count")

    # (customers, brands) views of the brand-major state ----------------------------------
    @property
    def follows(self) -> np.ndarray:
        return self.follows_bn.T

    @property
    def sentiment(self) -> np.ndarray:
        return self.sentiment_bn.T

    @property
    def is_customer(self) -> np.ndarray:
        return self.customer_bn.T

    @property
    def knows(self) -> np.ndarray:
        return self.knows_bn.T

    @property
    def motivations(self) -> np.ndarray:
        """(customers, content types) bool, unpacked from the motivation codes."""
        return CODE_BITS.T[self.motivation_code] > 0

    # ------------------------------------------------------------------------------------
    def step(self, day: int, outputs: list[DailyOutput]) -> list[MarketDay]:
        """Apply one day of customer rules given the brands' outputs."""
        bh = self.behaviour
        nb = self.n_brands
        results = [MarketDay() for _ in range(nb)]
        self.population.known_sums = None  # none yet today (rule 6 counts them)
        posts_by_type = np.array([o.posts_by_type for o in outputs], dtype=F32)  # (B, K)
        posts = posts_by_type.sum(axis=1)
        push = np.array([o.push_share for o in outputs], dtype=F32)
        ne = self.n_engaging
        other_posts = self.config.market.other_brand_posts_per_day

        # 1. Exposure (only engaging customers follow brands), and the per-customer factors of
        # rules 2 and 4, in one pass over the follower matrix (simulation.kernels.feed).
        # Customers who never engage read only other brands' stories: their chance to see one
        # changes only when the attention array is replaced (a platform change, see
        # simulation.model), so it is computed again only then (0.5 ms a day at 1M customers).
        if self._p_seen_rest_of is not self.attention:
            self.p_seen[ne:] = np.minimum(1.0, self.attention[ne:] / max(other_posts, 1e-9))
            self._p_seen_rest_of = self.attention
        p_seen, per_customer, drive = kernels.feed(
            self.follows_bn, ne, self.n_active, posts, posts * push, self.attention,
            self.fatigue, F32(other_posts), self._feed_constants, self.population.compiled,
            p_seen=self.p_seen[:ne])

        # 2. Engagement.
        # Each brand's mix: its posts by type over its posts, 0 for a brand that posts nothing
        # (divided only where there are posts: no 0/0 to silence).
        mix = np.divide(posts_by_type, posts[:, None], out=np.zeros_like(posts_by_type),
                        where=posts[:, None] > 0)
        saturation = posts / (1 + posts / F32(bh.brand_attention_half_posts))
        push_over = np.maximum(0, push - F32(bh.push_tolerance))
        push_factor = np.maximum(0, 1 - F32(bh.push_engagement_penalty) * push_over)
        # Only followers can engage, so the rate is computed for follower pairs alone (about a
        # tenth of all brand x engaging-customer pairs); pair k engages when a standard
        # exponential draw is below its rate lambda (probability 1 - exp(-lambda)).
        match = mix @ CODE_BITS  # (brands, motivation codes)
        brand_factor = (saturation * push_factor).astype(F32)
        if self._compiled_rules:
            eng_b, eng_i = kernels.kernels().engagement(
                self._rng_addresses.of(self.rng), self.follows_bn, ne,
                int(self.follower_count.sum()), self.sentiment_bn,
                self.motivation_code, match, per_customer, brand_factor,
                F32(bh.sentiment_sensitivity), F32(bh.engagement_sentiment_gain),
                self.ever_engaged, self._match_other, self._other_factor, other_posts > 0)
        else:
            draws = self.rng.standard_exponential(int(self.follower_count.sum()), dtype=F32)
            eng_b, eng_i = kernels.engage(
                self.follows_bn, ne, self.sentiment_bn, self.motivation_code, match,
                per_customer, brand_factor, F32(bh.sentiment_sensitivity), draws)
            del draws
            self.ever_engaged[eng_i] = True
            self._engage_elsewhere(per_customer)
            self.sentiment_bn[eng_b, eng_i] = np.minimum(
                1.0, self.sentiment_bn[eng_b, eng_i] + F32(bh.engagement_sentiment_gain))
        engagements = np.bincount(eng_b, minlength=nb)
        self._engaged_recent.append(eng_b.astype(np.int64) * self.n + eng_i)
        del self._engaged_recent[:-7]

        # 3. Shares.
        viral_follows, viral_views = self._shares(eng_i, eng_b)

        # 4. Fatigue: toward 1 - exp(-drive).
        target = drive  # 1 - exp(-drive), in place (drive is not used after this)
        np.negative(target, out=target)
        np.exp(target, out=target)  # numpy's exp in both paths: the same bits
        if self._fatigue_started:
            kernels.fatigue_toward(self.fatigue[:ne], target, F32(bh.fatigue_memory_days),
                                   self._compiled_rules)
        else:  # start from the steady state of day one's feeds, not from an empty history
            self.fatigue[:ne] = np.subtract(F32(1), target, out=target)
            self._fatigue_started = True
        del drive, target

        # 5. Following (Bass) and unfollowing.
        recruitment = np.array([o.recruitment_p for o in outputs])
        exposure = np.minimum(1.0, posts / bh.follow_exposure_posts)
        new_i, new_b, gone_i, gone_b = self._follow_changes(recruitment, exposure, posts, push)
        new_i = np.concatenate([new_i, viral_follows[0]])
        new_b = np.concatenate([new_b, viral_follows[1]])
        new_follow_counts = self.population.set_following(new_i, new_b, True)
        unfollow_counts = self.population.set_following(gone_i, gone_b, False)

        # 6. Sentiment memory: back toward satisfaction for customers, neutral for others.
        # s += (rest - s) / d, as s * (1 - 1/d) + rest / d: in place, about half the memory
        # traffic of forming rest - s (a masked np.add(..., where=) is slower still).
        keep = F32(1 - 1 / bh.sentiment_memory_days)
        rest = F32(bh.customer_satisfaction / bh.sentiment_memory_days)
        if self._compiled_rules:  # with the counts of the net sentiment, kept true till then
            self.population.known_sums = kernels.kernels().decay_and_count(
                self.sentiment_bn, self.customer_bn, self.knows_bn, keep, rest,
                kernels.SENTIMENT_SCALE)
        else:
            kernels.decay_sentiment(self.population.sentiment_bn, self.customer_bn, keep, rest,
                                    self.population.compiled)

        # 7. Buying, conversions, churn, acquisition.
        # 8. Questions from engagements by customers motivated by customer service.
        sales, social_sales, questions = self._buying_and_questions(eng_i, eng_b, outputs)

        # 9. Incidents, complaints, word of mouth, answers, crises.
        self.complaints.step(day, outputs, questions, results)

        # Measurements for the brands.
        reach_sum, fatigue_sum = kernels.follower_sums(self.follows_bn, ne, p_seen, self.fatigue,
                                                       self.population.compiled)
        weekly = self._weekly_engaged()
        # Python numbers, converted once per array (a numpy scalar per field costs more).
        columns = zip(results, self.follower_count.tolist(), new_follow_counts.tolist(),
                      unfollow_counts.tolist(), reach_sum.tolist(), posts.tolist(),
                      engagements.tolist(), weekly.tolist(), viral_views.tolist(),
                      fatigue_sum.tolist(), self.customer_count.tolist(), sales.tolist(),
                      social_sales.tolist(), questions.tolist(), strict=True)
        for (r, f, follows, unfollows, reach, posted, engaged, weekly_b, viral, fatigue_b,
             customers, sold, sold_social, asked) in columns:
            r.followers = f
            r.new_follows = follows
            r.unfollows = unfollows
            r.organic_reach = reach / f if f else 0.0
            r.impressions = reach * posted
            r.engagements = engaged
            r.engagement_per_post = engaged / posted if posted > 0 else 0.0
            r.weekly_engaged_share = weekly_b / f if f else 0.0
            r.viral_views = viral
            r.mean_fatigue = fatigue_b / f if f else 0.0
            r.customers = customers
            r.sales = sold
            r.social_sales = sold_social
            r.questions_new = asked
        self._net_sentiment(results)
        self.record_sample(day)
        return results

    def _engage_elsewhere(self, per_customer: np.ndarray) -> None:
        """Engagement with the brands outside the scenario, for 'ever engaged with a brand'.

        The other brands' stories come from other_brand_posts_per_day pages posting once a day
        with other_brand_mix and other_brand_push_share, under the same engagement rule as the
        scenario's brands; only whether a customer ever engages is kept.
        """
        if self.config.market.other_brand_posts_per_day <= 0:
            return
        ne = self.n_engaging
        # Probability 1 - exp(-rate): a standard exponential draw below the rate, one per
        # engaging customer who never engaged, in id order.
        draws = self.rng.standard_exponential(
            ne - int(np.count_nonzero(self.ever_engaged[:ne])), dtype=F32)
        kernels.engage_elsewhere(self.ever_engaged, ne, self.motivation_code, self._match_other,
                                 per_customer, self._other_factor, draws)

    # ------------------------------------------------------------------------------------
    def _sentiment_factor(self, sentiment: np.ndarray) -> np.ndarray:
        s = F32(self.behaviour.sentiment_sensitivity)
        return np.clip(1 + s * sentiment, 0, 2)

    def _follow_changes(self, recruitment: np.ndarray, exposure: np.ndarray, posts: np.ndarray,
                        push: np.ndarray) -> tuple[np.ndarray, ...]:
        """The day's new follows and unfollows (rule 5), both judged on the follows of the
        start of the day: (new customers, their brands, unfollowing customers, their brands)."""
        bh = self.behaviour
        new_max = float(((recruitment + bh.bass_q) * exposure).max(initial=0)) * (
            1 + bh.sentiment_sensitivity)
        brand_term = (bh.unfollow_frequency * np.maximum(0, posts - bh.brand_attention_half_posts)
                      + bh.unfollow_push * np.maximum(0, push - bh.push_tolerance))
        gone_max = bh.unfollow_base + bh.unfollow_fatigue + brand_term.max(initial=0) + (
            bh.unfollow_negative)
        pairs = self.n_engaging * self.n_brands
        blocks = (thinning_block(pairs, new_max), thinning_block(pairs, gone_max))
        if not self._compiled_rules or None in blocks:
            return (*self._new_follows(recruitment, exposure, new_max),
                    *self._unfollows(brand_term, gone_max))
        (new_p, new_size), (gone_p, gone_size) = blocks
        network = self.network
        mixed = network.is_fully_mixed  # no friend lists: the share is the brand's followers'
        no_friends = np.zeros(1, np.int64), np.zeros(0, np.int32)
        indptr, indices = no_friends if mixed else (network.indptr, network.indices)
        return kernels.kernels().follow_changes(
            self._rng_addresses.of(self.rng), self.n_engaging, self.follows_bn,
            self.sentiment_bn, self.fatigue, self.follower_count, indptr, indices, mixed,
            recruitment, float(bh.bass_q),
            exposure, F32(bh.sentiment_sensitivity), new_max, new_p, new_size,
            F32(bh.unfollow_base), F32(bh.unfollow_fatigue), brand_term,
            F32(bh.unfollow_negative), float(gone_max), gone_p, gone_size)

    def _new_follows(self, recruitment: np.ndarray, exposure: np.ndarray,
                     rate_max: float) -> tuple[np.ndarray, np.ndarray]:
        bh = self.behaviour
        i, b = self.population.candidates(self.n_engaging, rate_max, self.rng)
        if not len(i):
            return i, b
        keep = ~self.follows_bn[b, i]
        i, b = i[keep], b[keep]
        if self.network.is_fully_mixed:
            share = self.follower_count[b] / max(self.n_engaging, 1)
        else:
            share = self.population.following_share(i, b)
        rate = (recruitment[b] + bh.bass_q * share) * exposure[b] * self._sentiment_factor(
            self.sentiment_bn[b, i])
        accept = self.rng.random(len(i)) * rate_max < rate
        return i[accept], b[accept]

    def _unfollows(self, brand_term: np.ndarray,
                   rate_max: float) -> tuple[np.ndarray, np.ndarray]:
        bh = self.behaviour
        i, b = self.population.candidates(self.n_engaging, rate_max, self.rng)
        keep = self.follows_bn[b, i]
        i, b = i[keep], b[keep]
        rate = (bh.unfollow_base + bh.unfollow_fatigue * self.fatigue[i] + brand_term[b]
                + bh.unfollow_negative * np.maximum(0, -self.sentiment_bn[b, i]))
        accept = self.rng.random(len(i)) * rate_max < rate
        return i[accept], b[accept]

    def _shares(self, eng_i: np.ndarray, eng_b: np.ndarray):
        """Shared engagements: friends see them, learn the brand, and may follow."""
        bh = self.behaviour
        if self._compiled_rules and not self.network.is_fully_mixed:
            network = self.network
            follow_i, follow_b, views = kernels.kernels().shares(
                self._rng_addresses.of(self.rng), eng_i, eng_b, self.n_brands, self.n_engaging,
                network.indptr, network.indices, self.p_seen, self.knows_bn, self.follows_bn,
                float(bh.p_share), float(bh.p_follow_per_viral_view))
            return (follow_i, follow_b), views
        views = np.zeros(self.n_brands, np.int64)
        sharing = self.rng.random(len(eng_i)) < bh.p_share
        sharers, brands = eng_i[sharing], eng_b[sharing]
        empty = (np.empty(0, np.int64), np.empty(0, np.int64))
        if not len(sharers):
            return empty, views
        owner, friend = self.network.gather(sharers, self.rng)
        brand = brands[owner]
        seen = self.rng.random(len(friend)) < self.p_seen[friend]
        friend, brand = friend[seen], brand[seen]
        views += np.bincount(brand, minlength=self.n_brands)
        self.knows_bn[brand, friend] = True
        candidates = (friend < self.n_engaging) & ~self.follows_bn[brand, friend]
        follow = candidates & (self.rng.random(len(friend)) < bh.p_follow_per_viral_view)
        return (friend[follow].astype(np.int64), brand[follow].astype(np.int64)), views

    def _conversions(self, eng_i, eng_b, conversion: np.ndarray) -> np.ndarray:
        """Social CRM: an engagement becomes a sale; a prospect who buys becomes a customer."""
        sold = self.rng.random(len(eng_i)) < conversion[eng_b]
        i, b = eng_i[sold], eng_b[sold]
        self.population.set_customer(i, b, True)
        return np.bincount(b, minlength=self.n_brands)

    def _buying_and_questions(self, eng_i, eng_b, outputs) -> tuple[np.ndarray, ...]:
        """Rules 7 and 8: conversions, churn and acquisition, purchases, then questions.
        Returns the sales, the social sales and the new questions, per brand."""
        bh = self.behaviour
        conversion = np.array([o.conversion for o in outputs])
        churn_max = bh.p_churn + bh.churn_negative
        acquire_max = float(self.p_acquire.max(initial=0)) * (1 + bh.sentiment_sensitivity)
        pairs = self.n * self.n_brands
        blocks = (thinning_block(pairs, churn_max), thinning_block(pairs, acquire_max))
        p_question = self.config.word_of_mouth.p_question
        if self._compiled_rules and None not in blocks:
            (churn_p, churn_size), (acquire_p, acquire_size) = blocks
            return kernels.kernels().buying(
                self._rng_addresses.of(self.rng), eng_i, eng_b, conversion, self.n,
                self.customer_bn, self.knows_bn, self.sentiment_bn,
                self.population.customer_count, F32(bh.p_churn), F32(bh.churn_negative),
                float(churn_max), churn_p, churn_size, self.p_acquire,
                F32(bh.sentiment_sensitivity), acquire_max, acquire_p, acquire_size,
                float(bh.p_purchase), self.motivation_code, CUSTOMER_SERVICE, float(p_question))
        social_sales = self._conversions(eng_i, eng_b, conversion)
        self._churn_and_acquire(churn_max, acquire_max)
        sales = self.rng.binomial(self.customer_count, bh.p_purchase) + social_sales
        asks = (self.motivation_code[eng_i] >> CUSTOMER_SERVICE & 1).astype(bool) & (
            self.rng.random(len(eng_i)) < p_question)
        return sales, social_sales, np.bincount(eng_b[asks], minlength=self.n_brands)

    def _churn_and_acquire(self, rate_max: float, acquire_max: float) -> None:
        bh = self.behaviour
        i, b = self.population.candidates(self.n, rate_max, self.rng)
        keep = self.customer_bn[b, i]
        i, b = i[keep], b[keep]
        rate = bh.p_churn + bh.churn_negative * np.maximum(0, -self.sentiment_bn[b, i])
        lost = self.rng.random(len(i)) * rate_max < rate
        self.population.set_customer(i[lost], b[lost], False)

        i, b = self.population.candidates(self.n, acquire_max, self.rng)
        keep = self.knows_bn[b, i] & ~self.customer_bn[b, i]
        i, b = i[keep], b[keep]
        rate = self.p_acquire[b] * self._sentiment_factor(self.sentiment_bn[b, i])
        won = self.rng.random(len(i)) * acquire_max < rate
        self.population.set_customer(i[won], b[won], True)

    def _weekly_engaged(self) -> np.ndarray:
        """Followers who engaged at least once in the last seven days, per brand."""
        if not self._engaged_recent:
            return np.zeros(self.n_brands, np.int64)
        if self._compiled_rules:
            return kernels.kernels().weekly_engaged(np.concatenate(self._engaged_recent),
                                                    self.follows_bn, self.n)
        flat = np.unique(np.concatenate(self._engaged_recent))
        b, i = flat // self.n, flat % self.n
        still = self.follows_bn[b, i]
        return np.bincount(b[still], minlength=self.n_brands)

    def _net_sentiment(self, results: list[MarketDay]) -> None:
        """Expected net score of a survey of the people who know the brand (module docstring)."""
        # Counted exactly, in fixed point (simulation.kernels): as the compiled decay pass
        # counted them and the day's later changes kept them, or anew.
        sums = self.population.known_sums
        if sums is None:
            known, total = kernels.known_sentiment(self.sentiment_bn, self.knows_bn,
                                                   self.population.compiled)
        else:
            known, total = sums[0], sums[1] / float(kernels.SENTIMENT_SCALE)
        for b, r in enumerate(results):
            if known[b]:
                r.net_sentiment = float(total[b] / known[b])

    def initial_day(self, b: int) -> MarketDay:
        """Day 0 as the brands see it: who follows and buys, nothing happened yet."""
        return MarketDay(followers=int(self.follower_count[b]),
                         customers=int(self.customer_count[b]))

    # ------------------------------------------------------------------------------------
    def inject_crisis(self, brand, cause: str, virality: float, n_seeds: int, day: int) -> str:
        return self.complaints.inject(brand, cause, virality, n_seeds, day)

    def record_sample(self, day: int) -> None:
        """Record today's state of the sampled customers (agent-level output): the day and
        what changes (fatigue; following, sentiment and buying for every brand), four reads
        a day; the frame is laid out when asked for (sample_frame)."""
        ids = self.sample_ids
        if not len(ids) or not self.record_customers:
            return
        self._sample_rows.append((day, self.fatigue[ids], self.follows_bn[:, ids],
                                  self.sentiment_bn[:, ids], self.customer_bn[:, ids]))

    def sample_frame(self):
        """The recorded sample: one row per day and sampled customer."""
        import pandas as pd

        if not self._sample_rows:
            return pd.DataFrame()
        ids, days = self.sample_ids, len(self._sample_rows)
        day, fatigue, follows, sentiment, customer = zip(*self._sample_rows, strict=True)
        columns = {"day": np.repeat(np.array(day, np.int32), len(ids)),
                   "customer": np.tile(ids, days),
                   "engaging": np.tile(ids < self.n_engaging, days),
                   "active": np.tile(ids < self.n_active, days),
                   "fatigue": np.concatenate(fatigue)}
        follows, sentiment, customer = (np.concatenate(state, axis=1)
                                        for state in (follows, sentiment, customer))
        for b, name in enumerate(self.brand_names):
            columns[f"follows_{name}"] = follows[b]
            columns[f"sentiment_{name}"] = sentiment[b]
            columns[f"customer_{name}"] = customer[b]
        return pd.DataFrame(columns)
