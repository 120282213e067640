"""The scenario configuration: one frozen object holding every input of a run.

A scenario is a market (customers on a social network, with IBM's motivations), brands (each with
nine departments, a content strategy, a budget, an organisational model and a culture), agencies
under contract to brands, and a timeline of interventions and crises. The constants of the
customers' and the departments' rules live here too, in their own sections, so that every number
the model uses is visible, documented (unit, allowed range, source) and changeable from a file.

Sources are written as "verified: ..." for a figure read in a public source and "assumed" for a
reasonable value nobody has checked (see docs/domain.md). Probabilities are per day
unless said otherwise: one step is one day.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .events import TimelineEvent
from .events import check_mix as _check_mix
from .i18n import Localized, _, _l
from .schema import MAX_SEED, ConfigError, did_you_mean, limit, param, to_mapping
from .vocabulary import (
    CONTENT_TYPES,
    DEPARTMENTS,
    MIX_NAMES,
    NETWORK_KINDS,
    ORGANISATIONAL_MODELS,
)

# --------------------------------------------------------------------------------------------
# Caps on the sizes a scenario controls (listed in the ODD's parameter table). The customer cap
# is the one place to change when the model is made to scale further.

MAX_CUSTOMERS = limit("MAX_CUSTOMERS", 10_000_000, _l("Most simulated customers "
                      "(market.n_customers)."), "people")
MAX_BRANDS = limit("MAX_BRANDS", 50, _l("Most brands in a scenario."), "brands")
MAX_AGENCIES = limit("MAX_AGENCIES", 50, _l("Most agencies in a scenario."), "agencies")
MAX_TIMELINE_ENTRIES = limit("MAX_TIMELINE_ENTRIES", 10_000, _l("Most timeline entries in a "
                             "scenario."), "entries")
MAX_NARRATIVE_CUES = limit("MAX_NARRATIVE_CUES", 1000, _l("Most narrative cues and references "
                           "in a scenario."), "entries")
MAX_HORIZON_DAYS = limit("MAX_HORIZON_DAYS", 36_500, _l("Longest run (horizon_days, --days), "
                         "and latest day of a timeline entry or a cue."), "days")

# --------------------------------------------------------------------------------------------
# Vocabulary: the names live in simulation.vocabulary; they are re-exported here so that
# ``from simulation.config import DEPARTMENTS`` keeps working.

# Share of consumers citing each reason (IBM 2011). Discounts 61 and feel connected 33 are
# verified; community ~22 verified as "about 20%"; the others are the brief's assumed recollection
# of the same table; customer service for consumers is not in the brief (assumed 40).
CONSUMER_MOTIVATIONS = {
    "discounts": 0.61,
    "purchase": 0.55,
    "reviews": 0.53,
    "product_info": 0.52,
    "exclusive": 0.52,
    "customer_service": 0.40,
    "feel_connected": 0.33,
    "community": 0.22,
}

MOTIVATION_SOURCES = {
    "discounts": "verified: IBM 2011 consumers, 61% (rank 1)",
    "feel_connected": "verified: IBM 2011 consumers, 33%",
    "community": "verified: IBM 2011 consumers, about 20% (last)",
    "customer_service": "assumed (not in the brief)",
}

# What businesses believe consumers want (IBM 2011). Feel connected 64 and community 61 are
# verified; product info 73, exclusive 67, reviews 67 and customer service 63 are assumed
# recollection; purchase (rank 11) and discounts (rank 12, last) have no figure in the brief:
# assumed 55 and 53, just below community's rank 9.
BUSINESS_BELIEFS = {
    "discounts": 0.53,
    "purchase": 0.55,
    "reviews": 0.67,
    "product_info": 0.73,
    "exclusive": 0.67,
    "customer_service": 0.63,
    "feel_connected": 0.64,
    "community": 0.61,
}

NAMED_MIXES = {
    # A brand that posts in proportion to what it believes customers want.
    "beliefs": BUSINESS_BELIEFS,
    # A brand that posts in proportion to what customers say they want.
    "motivations": CONSUMER_MOTIVATIONS,
    # The same share of every type.
    "balanced": dict.fromkeys(CONTENT_TYPES, 1.0),
    # Contests and viral campaigns: what push-oriented agencies sell.
    "campaign": {"discounts": 0.4, "feel_connected": 0.3, "community": 0.3},
}

# Altimeter's organisational models (2010 shares: decentralised 10.8%, centralised 28.8%, hub and
# spoke 41%, multiple hub and spoke 18%, holistic 1.4%: verified) are named in the vocabulary.
# Every named mix of the vocabulary needs its shares here, in the same order.
assert tuple(NAMED_MIXES) == MIX_NAMES


def mix_shares(mix: dict[str, float] | str) -> np.ndarray:
    """A content mix (named or explicit) as normalised shares in CONTENT_TYPES order."""
    table = NAMED_MIXES[mix] if isinstance(mix, str) else mix
    shares = np.array([float(table.get(k, 0.0)) for k in CONTENT_TYPES])
    return shares / shares.sum()


# --------------------------------------------------------------------------------------------
# Market and customers


@dataclass(frozen=True)
class MarketConfig:
    """The customer population and its social network."""

    n_customers: int = param(20_000, "Customers (and prospects) on the social platform.",
                             unit="people", lo=10, hi=MAX_CUSTOMERS)
    network: str = param("scale_free", "Shape of the customers' social network.",
                         choices=NETWORK_KINDS)
    mean_degree: float = param(10.0, "Average number of friends per customer.", unit="people",
                               lo=2, hi=200)
    p_rewire: float = param(0.1, "Small-world only: share of ring links rewired at random.",
                            lo=0, hi=1)
    p_triangle: float = param(0.5, "Scale-free only: chance that a new link closes a triangle "
                              "(friend of a friend), giving clustering.", lo=0, hi=1)
    share_engaging: float = param(0.45, "Share of customers who engage with brands on social "
                                  "media at all.", lo=0, hi=1,
                                  source="verified: IBM 2011 (55% do not engage)")
    share_active: float = param(0.05, "Share of all customers who regularly post or respond "
                                "(the rest of the engaging ones are casual).", lo=0, hi=1,
                                source="verified: IBM 2011 (about 5%); IBM's '75% casual' "
                                "is not an input: casual customers are what is left of the "
                                "engaging share, 40% of all, 89% of the engaging ones")
    motivations: dict[str, float] = param(CONSUMER_MOTIVATIONS, "Chance that an engaging "
                                          "customer has each reason to interact with a brand.",
                                          lo=0, hi=1, source="IBM 2011 consumers (see ODD)")
    attention_posts_per_day: float = param(5.0, "Brand stories an average customer actually "
                                           "reads per day (lognormal across customers).",
                                           unit="posts/day", lo=0.1, hi=1000,
                                           source="assumed; with other_brand_posts_per_day gives "
                                           "organic reach ≈ 16% (Ogilvy 2014, 2012 level)")
    attention_sigma: float = param(0.5, "Spread (log-sd) of attention across customers.",
                                   lo=0, hi=3)
    other_brand_posts_per_day: float = param(25.0, "Stories per day from brands outside the "
                                             "scenario competing for the same attention.",
                                             unit="posts/day", lo=0, hi=10_000)
    other_brand_push_share: float = param(0.5, "Push share of the brands outside the "
                                          "scenario.", lo=0, hi=1)
    other_brand_mix: dict[str, float] | str = param("beliefs", "Content mix of the brands "
                                                    "outside the scenario.", lo=0)
    market_size: float = param(2_000_000.0, "Real people the simulated customers stand for: "
                               "money and value are counted for them, so results do not "
                               "depend on how many customers are simulated.", unit="people",
                               lo=1, hi=1e10)
    sample_size: int = param(200, "Customers whose daily state is recorded individually.",
                             unit="people", lo=0, hi=100_000)

    @property
    def people_per_customer(self) -> float:
        """Real people one simulated customer stands for."""
        return self.market_size / self.n_customers

    def __post_init__(self):
        _check_mix(self.other_brand_mix, "other_brand_mix")
        for key in self.motivations:
            if key not in CONTENT_TYPES:
                raise ConfigError(f"motivations.{key}", self.motivations[key],
                                  did_you_mean(key, list(CONTENT_TYPES)))
        if self.mean_degree >= self.n_customers:
            raise ConfigError("mean_degree", self.mean_degree,
                              _("must be below n_customers = {n}").format(n=self.n_customers))
        if self.share_active > self.share_engaging:
            raise ConfigError("share_active", self.share_active,
                              _("must be ≤ share_engaging = {share}").format(
                                  share=self.share_engaging))


@dataclass(frozen=True)
class BehaviourConfig:
    """Constants of the customers' daily rules: exposure, engagement, fatigue, following."""

    engagement_scale: float = param(0.05, "Chance that a casual customer engages with a seen "
                                    "post whose type matches one of their motivations.",
                                    lo=0, hi=1, source="assumed; calibrated so that about 1.3% "
                                    "of fans engage in a week (Ehrenberg-Bass 2012)")
    active_engagement_multiplier: float = param(6.0, "How much more often active customers "
                                                "engage than casual ones.", lo=1, hi=100)
    brand_attention_half_posts: float = param(1.0, "A brand's daily posts at which a customer's "
                                              "attention to that brand is half saturated.",
                                              unit="posts/day", lo=0.01, hi=100,
                                              source="assumed: engagement per post at 2 posts/day "
                                              "≈ 0.6 × that at 1 post/day")
    push_tolerance: float = param(0.3, "Share of push (interruptive, promotional) posts "
                                  "customers accept before engagement falls.", lo=0, hi=1,
                                  source="assumed")
    push_engagement_penalty: float = param(1.0, "Loss of engagement per unit of push share "
                                           "above tolerance.", lo=0, hi=10)
    saturation_ratio: float = param(6.0, "Candidate brand stories per story read above which a "
                                    "customer feels over-solicited.", lo=1, hi=1000,
                                    source="assumed")
    push_fatigue_weight: float = param(1.0, "Fatigue drive per unit of push share above "
                                       "tolerance in a customer's brand feed.", lo=0, hi=10)
    fatigue_memory_days: float = param(14.0, "Time for fatigue to move most of the way to its "
                                       "current drive (and to decay when solicitation stops).",
                                       unit="days", lo=1, hi=365)
    p_share: float = param(0.1, "Chance that an engagement is shared to the customer's "
                           "friends.", lo=0, hi=1, source="assumed")
    p_follow_per_viral_view: float = param(0.002, "Chance that a non-follower follows after "
                                           "seeing a friend's share of the brand's post.",
                                           lo=0, hi=1)
    bass_q: float = param(0.38 / 365, "Imitation coefficient: follow chance per day per unit "
                          "share of following friends.", unit="1/day", lo=0, hi=1,
                          source="verified: Bass meta-analysis q ≈ 0.38/year")
    follow_exposure_posts: float = param(0.5, "Daily posts at which a brand is fully visible "
                                         "to people who might follow it; below, the follow "
                                         "hazard falls in proportion (a silent page gains no "
                                         "followers).", unit="posts/day", lo=0.01, hi=100,
                                         source="assumed")
    sentiment_sensitivity: float = param(1.0, "How strongly sentiment toward a brand scales "
                                         "following and engagement (factor 1 + s × sentiment).",
                                         lo=0, hi=1)
    sentiment_memory_days: float = param(90.0, "Time for sentiment to return most of the way "
                                         "to its resting level.", unit="days", lo=1, hi=3650)
    customer_satisfaction: float = param(0.2, "Resting sentiment of a brand's customers (a "
                                         "satisfied customer base); others rest at 0.", lo=-1,
                                         hi=1)
    engagement_sentiment_gain: float = param(0.02, "Sentiment gained by an engagement.",
                                             lo=0, hi=1)
    unfollow_base: float = param(0.0002, "Daily chance a follower unfollows with no reason.",
                                 unit="1/day", lo=0, hi=1)
    unfollow_fatigue: float = param(0.002, "Extra daily unfollow chance at full fatigue.",
                                    unit="1/day", lo=0, hi=1,
                                    source="assumed; the ordering of the unfollow weights "
                                    "(frequency > fatigue > push) follows ExactTarget 2011's "
                                    "reasons (too frequent 44%, boring 38%, too promotional "
                                    "24%), the values are not derived from them")
    unfollow_frequency: float = param(0.0005, "Extra daily unfollow chance per daily post "
                                      "above the customer's half-saturation.", unit="1/day",
                                      lo=0, hi=1)
    unfollow_push: float = param(0.001, "Extra daily unfollow chance per unit of push share "
                                 "above tolerance.", unit="1/day", lo=0, hi=1)
    unfollow_negative: float = param(0.003, "Extra daily unfollow chance at fully negative "
                                     "sentiment.", unit="1/day", lo=0, hi=1)
    p_purchase: float = param(0.01, "Daily chance that a customer of a brand buys.",
                              unit="1/day", lo=0, hi=1)
    p_conversion: float = param(0.1, "Chance that an engagement becomes a sale when social "
                                "CRM is fully integrated and the CRM department fully "
                                "adopting.", lo=0, hi=1, source="assumed")
    p_churn: float = param(0.0005, "Daily chance a customer stops buying (more with negative "
                           "sentiment).", unit="1/day", lo=0, hi=1)
    churn_negative: float = param(0.003, "Extra daily churn at fully negative sentiment.",
                                  unit="1/day", lo=0, hi=1)


@dataclass(frozen=True)
class WordOfMouthConfig:
    """Incidents, complaints, negative word of mouth, customer service and crises."""

    p_complain_public: float = param(0.05, "Chance that an engaging customer hit by an "
                                     "incident complains publicly.", lo=0, hi=1)
    active_complaint_multiplier: float = param(4.0, "How much more often active customers "
                                               "complain publicly.", lo=1, hi=100)
    p_reshare: float = param(0.04, "Chance that someone who sees a complaint passes it on, "
                             "for a complaint of median virality that knows the brand.",
                             lo=0, hi=1, source="assumed; gives heavy-tailed cascades")
    virality_sigma: float = param(1.0, "Spread (log-sd) of complaints' virality: a few are "
                                  "far more shareable than the rest.", lo=0, hi=5)
    wom_decay_days: float = param(2.0, "Time for a complaint's passing-on chance to fall to "
                                  "37% (news gets old).", unit="days", lo=0.1, hi=365)
    p_see_friend_post: float = param(0.3, "Chance that a friend sees a complaint someone "
                                     "passed on (friends' posts rank high in feeds).", lo=0,
                                     hi=1, source="assumed")
    influencer_amplification: float = param(0.3, "Exponent on (degree / mean degree) for how "
                                            "much more a well-connected sharer reaches.",
                                            lo=0, hi=3)
    unaware_reshare_factor: float = param(0.2, "Passing-on chance of people who do not know "
                                          "the brand, relative to those who do.", lo=0, hi=1)
    wom_sentiment_impact: float = param(0.15, "Sentiment lost when seeing a complaint.",
                                        lo=0, hi=2)
    incident_sentiment_impact: float = param(0.4, "Sentiment lost by a customer who meets an "
                                             "incident.", lo=0, hi=2)
    answer_win_back: float = param(0.5, "Sentiment regained by a complainant whose complaint "
                                   "is answered.", lo=0, hi=2)
    refractory_days: int = param(30, "Days during which a customer who saw a complaint about a "
                                 "brand is not counted or hit again by another one.",
                                 unit="days", lo=1, hi=3650)
    patience_days: int = param(7, "Days a complainant or a customer with a question waits for"
                               " an answer before giving up.", unit="days", lo=1, hi=365,
                               source="assumed; 42-53% expect an answer within the hour "
                               "(verified, 2012-2013 surveys)")
    p_question: float = param(0.2, "Chance that an engagement from a customer motivated by "
                              "customer service is a question needing an answer.", lo=0, hi=1)
    hours_per_answer: float = param(0.25, "Staff time to answer one complaint or question.",
                                    unit="hours", lo=0.01, hi=100, source="assumed")
    crisis_window_days: int = param(3, "Window over which new negative exposures are summed to "
                                    "detect a crisis.", unit="days", lo=1, hi=60,
                                    source="verified: crises unfold in days (Domino's 2009)")
    crisis_l1: float = param(0.05, "Share of customers newly exposed within the window that "
                             "makes a level-1 crisis (negative mainstream coverage).", lo=0, hi=1,
                             source="Altimeter 2011 levels; threshold assumed")
    crisis_l2: float = param(0.15, "Same, level 2 (significant company change).", lo=0, hi=1)
    crisis_l3: float = param(0.3, "Same, level 3 (short-term financial impact).", lo=0, hi=1)
    crisis_alert_share: float = param(0.005, "Share of customers newly exposed in one day "
                                      "that listening flags as a surge (before it is a "
                                      "crisis).", lo=0, hi=1)
    crisis_awareness_boost: float = param(0.3, "Executive awareness gained per crisis level "
                                          "(a level-3 crisis gives 3 ×).", lo=0, hi=1,
                                          source="assumed: article, 'a cataclysm accelerates "
                                          "awareness'")
    crisis_churn: float = param(0.02, "Share of the brand's customers lost per crisis level.",
                                lo=0, hi=1)
    crisis_response_days_unprepared: float = param(4.0, "Days to a public crisis response "
                                                   "without preparation.", unit="days", lo=0,
                                                   hi=60, source="assumed: between Domino's"
                                                   " CEO apology (~2 days) and Kryptonite "
                                                   "(~10 days)")
    crisis_response_effect: float = param(0.8, "Cut in passing-on of a brand's complaints after "
                                          "a good public response.", lo=0, hi=1)
    p_backfire_unprepared: float = param(0.3, "Chance that an unprepared brand's response "
                                         "backfires (heavy-handed moderation) and doubles "
                                         "virality.", lo=0, hi=1,
                                         source="verified case: Nestlé/Greenpeace 2010")
    exogenous_virality: float = param(8.0, "Median virality of an exogenous crisis, relative "
                                      "to a median complaint.", lo=0, hi=1000)
    exogenous_virality_sigma: float = param(0.5, "Spread (log-sd) of exogenous crises' "
                                            "virality.", lo=0, hi=5)
    exogenous_seeds: int = param(5, "People who first post an unscheduled exogenous crisis.",
                                 unit="people", lo=1, hi=100_000)
    influencer_share: float = param(0.01, "Share of best-connected customers among whom an "
                                    "employee video is first posted.", lo=0, hi=1)
    activists_per_seed: int = param(5, "Activists per seed who first post an NGO attack.",
                                    unit="people", lo=1, hi=1000)
    defect_incident_multiplier: float = param(5.0, "How many times more incidents during a "
                                              "product defect.", lo=1, hi=1000)
    exogenous_crises_per_year: float = param(0.3, "Expected exogenous crises per year for a "
                                             "brand known to everyone (scaled by awareness²).",
                                             unit="1/year", lo=0, hi=100)
    defect_days: int = param(30, "Days a product defect multiplies incidents.",
                             unit="days", lo=1, hi=3650)
    insight_effect: float = param(0.5, "Largest cut in incident rate that quality and R&D can "
                                  "reach by acting on insights from listening.", lo=0, hi=1)
    insight_days: float = param(365.0, "Time for insights to build most of their effect at full"
                                " listening and adoption.", unit="days", lo=1, hi=36500)

    # Checks between fields --------------------------------------------------------------
    def __post_init__(self):
        if not self.crisis_l1 < self.crisis_l2:
            raise ConfigError("crisis_l2", self.crisis_l2, _(
                "must be above crisis_l1 = {value}: crisis levels need growing thresholds")
                .format(value=f"{self.crisis_l1:g}"))
        if not self.crisis_l2 < self.crisis_l3:
            raise ConfigError("crisis_l3", self.crisis_l3, _(
                "must be above crisis_l2 = {value}: crisis levels need growing thresholds")
                .format(value=f"{self.crisis_l2:g}"))
        if self.crisis_alert_share > self.crisis_l1:
            raise ConfigError("crisis_alert_share", self.crisis_alert_share, _(
                "must be ≤ crisis_l1 = {value}: a surge is flagged before it is a crisis")
                .format(value=f"{self.crisis_l1:g}"))


@dataclass(frozen=True)
class OrganisationConfig:
    """Constants of the departments' and agencies' rules."""

    adoption_p: float = param(0.004, "External push on adoption per day at full drive "
                              "(sponsorship, awareness, results, peers).", unit="1/day", lo=0,
                              hi=1)
    adoption_q: float = param(0.02, "Learning-by-doing momentum per day for a fully trained "
                              "and fully adopting department (the S of the S-curve).", unit="1/day", lo=0, hi=1)
    untrained_skill: float = param(0.2, "Skill of untrained staff relative to trained staff.",
                                   lo=0, hi=1)
    erosion_rate: float = param(0.003, "Daily decay of practice without executive sponsorship.",
                                unit="1/day", lo=0, hi=1)
    adopted_threshold: float = param(0.5, "Adoption level from which a department counts as "
                                     "adopting (for peers and the phase classifier).", lo=0, hi=1)
    peer_threshold: float = param(2.0, "Adopting neighbour departments needed before peer "
                                  "influence acts (complex contagion).", unit="departments",
                                  lo=0, hi=8, source="Centola & Macy 2007 (rule); value assumed")
    weight_sponsorship: float = param(1.0, "Weight of executive sponsorship in the drive.",
                                      lo=0, hi=10)
    weight_awareness: float = param(0.5, "Weight of the department's own awareness.", lo=0,
                                    hi=10)
    weight_results: float = param(0.5, "Weight of visible results (return on social spend).",
                                  lo=0, hi=10)
    weight_peers: float = param(1.0, "Weight of adopting neighbour departments.", lo=0, hi=10)
    awareness_decay_days: float = param(180.0, "Time for awareness gained in a crisis or a "
                                        "training to fade most of the way.", unit="days", lo=1,
                                        hi=36500)
    sponsorship_days: float = param(60.0, "Time for executive sponsorship to catch up with "
                                    "executive awareness.", unit="days", lo=1, hi=3650)
    training_awareness_gain: float = param(0.3, "Awareness gained by a department fully "
                                           "trained.", lo=0, hi=1)
    results_memory_days: float = param(30.0, "Memory of the visible-results signal.",
                                       unit="days", lo=1, hi=3650)
    value_per_engagement: float = param(1.0, "Value departments see in one engagement "
                                        "(earned media).", unit="€", lo=0, hi=1e6)
    practice_hours_per_employee: float = param(0.05, "Daily social-media hours per employee "
                                               "a department needs to practise at full pace.",
                                               unit="hours/day", lo=0.0001, hi=24)
    contribution_posts_per_day: float = param(0.2, "Posts per day a fully adopting "
                                              "non-marketing department contributes (its own "
                                              "content type, conversational).",
                                              unit="posts/day", lo=0, hi=100)
    hours_per_post: float = param(1.5, "Staff time to produce one post.", unit="hours",
                                  lo=0.01, hi=100)
    hourly_cost: float = param(60.0, "Cost of one staff-hour.", unit="€/hour", lo=0, hi=10_000)
    cost_per_trainee: float = param(800.0, "Cost of training one employee.", unit="€", lo=0,
                                    hi=1_000_000, source="assumed")
    listening_cost_per_year: float = param(60_000.0, "Cost of a listening tool at full "
                                           "coverage.", unit="€/year", lo=0, hi=1e9)
    turf_war_capacity_loss: float = param(0.5, "Share of marketing and communication social "
                                          "capacity lost to the turf war at full intensity.",
                                          lo=0, hi=1)
    agency_review_days: int = param(180, "How often a brand reviews its agencies.",
                                    unit="days", lo=1, hi=3650)
    agency_drop_ratio: float = param(0.6, "A brand whose marketing has adopted drops an agency "
                                     "whose posts engage less than this share of its own.",
                                     lo=0, hi=10)
    # Social CRM and listening as practice (not only as a tool bought by an intervention).
    social_crm_days: float = param(180.0, "Time for social CRM integration to build most of "
                                   "the way at full listening and full CRM and customer-"
                                   "service practice.", unit="days", lo=1, hi=36500,
                                   source="assumed: integration projects take months "
                                   "(article: 'social CRM' is the last step)")
    practice_listening_coverage: float = param(0.8, "Share of public mentions that practising "
                                               "departments (marketing, communication, PR, "
                                               "customer service) catch by hand at full "
                                               "adoption, without a listening tool (times the "
                                               "square of their mean adoption).", lo=0,
                                               hi=1, source="assumed")
    # Heterogeneous, stochastic departments.
    resistance_concentration: float = param(8.0, "Concentration of each department's "
                                            "resistance around its configured value (Beta "
                                            "draw; higher: less spread between brands and "
                                            "runs; 0: no spread).", lo=0, hi=1e6,
                                            source="assumed")
    p_champion: float = param(0.2, "Chance that a department has a social-media champion "
                                   "who pushes it (drawn once per run).", lo=0, hi=1,
                              source="assumed")
    champion_drive: float = param(0.5, "Extra drive a champion gives their department.",
                                  lo=0, hi=10, source="assumed")
    adoption_noise: float = param(0.5, "Day-to-day noise of adoption, relative to the "
                                  "binomial noise of headcount employees each adopting or "
                                  "dropping the practice independently (0: deterministic).",
                                  lo=0, hi=10, source="assumed: half the independent "
                                  "binomial noise (colleagues coordinate, and adoption is also "
                                  "the intensity of practice, not only a head count)")
    staff_turnover_per_year: float = param(0.12, "Share of staff replaced each year by "
                                           "newcomers who are untrained and do not practise "
                                           "yet.", unit="1/year", lo=0, hi=5,
                                           source="assumed: typical voluntary turnover "
                                           "10-15% a year")
    # Constants of the rules, made explicit.
    culture_resistance_floor: float = param(0.5, "Multiplier of a department's resistance in "
                                            "a culture with no resistance.", lo=0, hi=10,
                                            source="assumed")
    culture_resistance_slope: float = param(1.5, "Added multiplier of a department's "
                                            "resistance per unit of cultural resistance (0.5 + "
                                            "1.5 = 2 x at full cultural resistance).", lo=0,
                                            hi=10, source="assumed")
    hub_affinity_weight: float = param(0.5, "Weight of the natural affinities between "
                                       "departments in a single hub-and-spoke organisation "
                                       "(1 in multiple hub and spoke).", lo=0, hi=1,
                                       source="assumed")
    untrained_answer_speed: float = param(0.5, "Answering speed of untrained customer-service "
                                          "staff relative to trained staff.", lo=0.01, hi=1,
                                          source="assumed")
    crisis_boost_other_departments: float = param(0.5, "Share of a crisis's awareness boost "
                                                  "that reaches departments other than the "
                                                  "executive.", lo=0, hi=1, source="assumed")
    crisis_lesson_share: float = param(0.5, "Share of a crisis's awareness boost that stays "
                                       "as a lasting lesson.", lo=0, hi=1, source="assumed")


@dataclass(frozen=True)
class ClassifierConfig:
    """Thresholds of the maturity-phase classifier and the help-desk flag."""

    phase2_adoption: float = param(0.35, "Marketing or communication adoption from which a "
                                   "brand does social marketing (phase 2).", lo=0, hi=1)
    phase3_breadth: float = param(0.6, "Share of the eight non-executive departments adopting "
                                  "needed for social business (phase 3).", lo=0, hi=1)
    phase3_sponsorship: float = param(0.5, "Executive sponsorship needed for phase 3.", lo=0,
                                      hi=1)
    phase3_integration: float = param(0.2, "Listening coverage × CRM integration needed for "
                                      "phase 3 (social CRM).", lo=0, hi=1)
    confirm_days: int = param(7, "Days a new phase must hold before the change is recorded "
                              "(avoids flapping at a threshold).", unit="days", lo=1, hi=365)
    exit_margin: float = param(0.1, "Hysteresis: how far (relative) below the thresholds of "
                               "its recorded phase, or of the help-desk flag once on, a brand "
                               "must fall to leave it.", lo=0, hi=0.9,
                               source="assumed: a tenth keeps staff-turnover noise of a few "
                               "hundredths from flipping a phase")
    help_desk_backlog_days: float = param(2.0, "Backlog, in days of answering capacity, above "
                                          "which customer service is swamped.", unit="days",
                                          lo=0, hi=365)
    help_desk_memory_days: float = param(14.0, "Memory of the moving averages of "
                                         "customer-service backlog and proactive share.",
                                         unit="days", lo=1, hi=365)
    help_desk_proactive_share: float = param(0.2, "Share of customer-service time left for "
                                             "proactive work below which it is a help desk.",
                                             lo=0, hi=1, source="Altimeter 2010 two career "
                                             "paths; threshold assumed")


# --------------------------------------------------------------------------------------------
# Brands, departments, agencies


@dataclass(frozen=True)
class DepartmentConfig:
    """Initial state of one department's social-media practice."""

    adoption: float = param(0.05, "Social-media practice, from none (0) to fully integrated "
                            "in daily work (1).", lo=0, hi=1)
    trained_share: float = param(0.02, "Share of the department's staff trained in social "
                                 "media.", lo=0, hi=1)
    capacity_hours: float = param(1.0, "Staff-hours per day available for social-media work.",
                                  unit="hours/day", lo=0, hi=10_000)
    awareness: float = param(0.1, "How much the department sees social media as its business.",
                             lo=0, hi=1)
    resistance: float = param(0.5, "Resistance to changing habits and processes.", lo=0, hi=1)
    headcount: int = param(20, "Employees in the department (for training costs).",
                           unit="people", lo=1, hi=1_000_000)


def _dept(adoption, trained, hours, awareness, resistance, headcount) -> DepartmentConfig:
    return DepartmentConfig(adoption, trained, hours, awareness, resistance, headcount)


# A large French brand in 2011 (phase 2): marketing and communication have moved in, customer
# service answers a little, the others have not started. Assumed values.
DEFAULT_DEPARTMENTS = {
    "executive": _dept(0.10, 0.05, 0.5, 0.20, 0.50, 10),
    "marketing": _dept(0.55, 0.30, 16.0, 0.70, 0.20, 40),
    "communication": _dept(0.50, 0.25, 12.0, 0.60, 0.25, 30),
    "customer_service": _dept(0.15, 0.05, 24.0, 0.30, 0.40, 120),
    "crm": _dept(0.10, 0.05, 2.0, 0.20, 0.50, 25),
    "pr": _dept(0.25, 0.10, 3.0, 0.40, 0.35, 10),
    "hr": _dept(0.05, 0.02, 1.0, 0.10, 0.60, 30),
    "quality": _dept(0.05, 0.02, 1.0, 0.10, 0.60, 25),
    "rnd": _dept(0.05, 0.02, 1.0, 0.15, 0.50, 40),
}


@dataclass(frozen=True)
class ContentConfig:
    """What a brand posts on social media."""

    posts_per_day: float = param(1.0, "Posts per day on the brand's own pages.",
                                 unit="posts/day", lo=0, hi=100)
    mix: dict[str, float] | str = param("beliefs", "Content mix by type: a name (beliefs, "
                                        "motivations, balanced, campaign) or shares per type.",
                                        lo=0)
    push_share: float = param(0.5, "Share of push posts (interruptive, promotional) as "
                              "opposed to conversation.", lo=0, hi=1)

    def __post_init__(self):
        _check_mix(self.mix, "mix")


@dataclass(frozen=True)
class CultureConfig:
    """The brand's culture."""

    resistance: float = param(0.3, "Cultural resistance to innovation; scales every "
                              "department's resistance (x 2 at 1).", lo=0, hi=1,
                              source="article comments: French firms resist innovation")
    turf_war: float = param(0.2, "Intensity of the marketing/communication fight over who "
                            "owns social media.", lo=0, hi=1,
                            source="article comments; intensity assumed")


@dataclass(frozen=True)
class BrandConfig:
    """One brand: its market position, organisation, strategy and means."""

    market_share: float = param(0.2, "Share of all people who are the brand's customers at "
                                "the start (people may buy several brands: shares across "
                                "brands may add up to more than 1).", lo=0, hi=1)
    awareness: float = param(0.6, "Share of all people who know the brand.", lo=0, hi=1)
    initial_follower_share: float = param(0.1, "Share of engaging customers who follow the "
                                          "brand at the start.", lo=0, hi=1)
    recruitment_p: float = param(0.03 / 365, "Innovation coefficient: daily chance a "
                                 "non-follower follows because of the brand's own recruitment "
                                 "(ads, page promotion).", unit="1/day", lo=0, hi=1,
                                 source="verified: Bass meta-analysis p ≈ 0.03/year")
    ads_per_day: float = param(500.0, "Paid recruitment spend that buys recruitment_p.",
                               unit="€/day", lo=0, hi=1e9)
    organisational_model: str = param("hub_and_spoke", "How social media is organised "
                                      "(Altimeter).", choices=ORGANISATIONAL_MODELS,
                                      source="verified: Altimeter 2010 (hub and spoke 41%)")
    hub_department: str = param("marketing", "Department hosting the social-media team (the "
                                "hub, or the centre of a centralised model).",
                                choices=DEPARTMENTS,
                                source="verified: Altimeter 2010 (41% report to marketing)")
    culture: CultureConfig = field(default_factory=CultureConfig)
    content: ContentConfig = field(default_factory=ContentConfig)
    departments: dict[str, DepartmentConfig] = param(
        default_factory=lambda: dict(DEFAULT_DEPARTMENTS),
        help="Initial state of each department.",
        choices=DEPARTMENTS,
    )
    budget: float = param(2_000_000.0, "Yearly social-media budget: staff, agencies, tools and "
                          "ads. When spent, ads and agency campaigns stop until the next year.",
                          unit="€/year", lo=0, hi=1e12)
    training_budget: float = param(100_000.0, "Money available for training programmes.",
                                   unit="€", lo=0, hi=1e12)
    listening_coverage: float = param(0.1, "Share of public mentions the brand's listening "
                                      "catches.", lo=0, hi=1)
    crm_integration: float = param(0.0, "How far listening is integrated with CRM (social "
                                   "CRM), from none (0) to fully (1).", lo=0, hi=1)
    crisis_preparedness: float = param(0.2, "Crisis plan and response process, from none (0) to"
                                       " fully rehearsed (1).", lo=0, hi=1,
                                       source="assumed (Altimeter 2011's '22% of firms without "
                                       "a plan feel prepared' is a share of firms, not a "
                                       "level)")
    agencies: tuple[str, ...] = param((), "Agencies under contract to the brand.",
                                      max_items=MAX_AGENCIES)
    incident_rate: float = param(0.002, "Daily chance a customer meets a problem with the "
                                 "product or service.", unit="1/day", lo=0, hi=1)
    revenue_per_sale: float = param(50.0, "Revenue of one sale.", unit="€", lo=0, hi=1e9)

    def __post_init__(self):
        missing = [d for d in DEPARTMENTS if d not in self.departments]
        if missing:
            full = {**DEFAULT_DEPARTMENTS, **self.departments}
            object.__setattr__(self, "departments", {d: full[d] for d in DEPARTMENTS})
        if self.awareness < self.market_share:
            raise ConfigError("awareness", self.awareness,
                              _("must be ≥ market_share = {share}: customers know their "
                                "brand").format(share=self.market_share))


@dataclass(frozen=True)
class AgencyConfig:
    """An agency running campaigns for its client brands."""

    push_orientation: float = param(0.8, "Share of push (interruptive) posts in its campaigns.",
                                    lo=0, hi=1, source="article comments: agencies push by "
                                    "default")
    inertia_days: float = param(365.0, "Time for the agency to move most of the way toward "
                                "the conversation its client wants.", unit="days", lo=1,
                                hi=36500, source="article comments: 'a century-old business "
                                "model'; value assumed")
    campaigns_per_year: float = param(6.0, "Campaigns (contests, viral videos, blogger "
                                      "outreach) per client and year.", unit="1/year", lo=0,
                                      hi=365)
    campaign_days: int = param(21, "Length of a campaign.", unit="days", lo=1, hi=365)
    campaign_posts_per_day: float = param(1.5, "Extra posts per day while a campaign runs.",
                                          unit="posts/day", lo=0, hi=100)
    campaign_recruitment_p: float = param(0.0008, "Extra daily follow chance for "
                                          "non-followers while a campaign runs (contests "
                                          "recruit).", unit="1/day", lo=0, hi=1)
    campaign_mix: dict[str, float] | str = param("campaign", "Content mix of its campaigns.",
                                                 lo=0)
    monthly_fee: float = param(10_000.0, "Fee per client and month.", unit="€/month", lo=0,
                               hi=1e9)

    def __post_init__(self):
        _check_mix(self.campaign_mix, "campaign_mix")


@dataclass(frozen=True)
class NarrativeCue:
    """One moment a trainer points at: when, what to watch, what to ask the room."""

    day: int = param(0, "Day of the cue.", unit="day", lo=0, hi=MAX_HORIZON_DAYS)
    watch: Localized = param(Localized(""), "What to watch.", max_length=2000)
    ask: Localized = param(Localized(""), "Question for the room.", max_length=2000)


@dataclass(frozen=True)
class ScenarioConfig:
    """Everything a run needs. Build it with :func:`simulation.load_scenario`."""

    name: str = param("custom", "Scenario name (the file name without .toml).")
    title: Localized = param(Localized(""), "Title shown to users.", max_length=200,
                             single_line=True)
    description: Localized = param(Localized(""), "What the scenario represents.",
                                   max_length=100_000)
    narrative: tuple[NarrativeCue, ...] = param((), "Trainer's cues: what to watch and when.",
                                                max_items=MAX_NARRATIVE_CUES)
    references: tuple[str, ...] = param((), "Sources the scenario draws on.",
                                        max_items=MAX_NARRATIVE_CUES, max_length=2000)
    horizon_days: int = param(730, "Days simulated (one step is one day).", unit="days", lo=1,
                              hi=MAX_HORIZON_DAYS)
    seed: int = param(42, "Random seed: the same scenario and seed give the same results.",
                      lo=0, hi=MAX_SEED)
    market: MarketConfig = field(default_factory=MarketConfig)
    behaviour: BehaviourConfig = field(default_factory=BehaviourConfig)
    word_of_mouth: WordOfMouthConfig = field(default_factory=WordOfMouthConfig)
    organisation: OrganisationConfig = field(default_factory=OrganisationConfig)
    classifier: ClassifierConfig = field(default_factory=ClassifierConfig)
    brands: dict[str, BrandConfig] = param(default_factory=lambda: {"acme": BrandConfig()},
                                           help="The brands, by name.", max_items=MAX_BRANDS)
    agencies: dict[str, AgencyConfig] = param(default_factory=dict, help="The agencies, by "
                                              "name.", max_items=MAX_AGENCIES)
    timeline: tuple[TimelineEvent, ...] = param((), "Scheduled interventions and crises.",
                                                max_items=MAX_TIMELINE_ENTRIES)

    def __post_init__(self):
        if not self.brands:
            raise ConfigError("brands", self.brands, _("at least one brand is needed"))
        for name, brand in self.brands.items():
            for i, agency in enumerate(brand.agencies):
                if agency not in self.agencies:
                    raise ConfigError(f"brands.{name}.agencies[{i}]", agency,
                                      _known("agency", self.agencies))
            if len(set(brand.agencies)) != len(brand.agencies):
                raise ConfigError(f"brands.{name}.agencies", list(brand.agencies),
                                  _("an agency is named twice"))
        # Events and cues after the horizon are allowed: a shorter run (--days) just ends first.
        for i, event in enumerate(self.timeline):
            event.check_references(self, f"timeline[{i}]")
        self._check_across_sections()

    def _check_across_sections(self) -> None:
        """Constraints between sections (market, brands, word of mouth, timeline)."""
        # Market shares are not checked to sum to at most 1: a person may buy several brands
        # (memberships are drawn independently per brand; see market_share's help).
        n = self.market.n_customers
        wom = self.word_of_mouth
        if wom.exogenous_seeds > n:
            raise ConfigError("word_of_mouth.exogenous_seeds", wom.exogenous_seeds,
                              _("must be ≤ market.n_customers = {n}").format(n=n))
        if wom.activists_per_seed * wom.exogenous_seeds > n:
            raise ConfigError("word_of_mouth.activists_per_seed", wom.activists_per_seed, _(
                "× exogenous_seeds {seeds} = {people} activists; must be ≤ market.n_customers = "
                "{n}").format(seeds=wom.exogenous_seeds,
                              people=wom.activists_per_seed * wom.exogenous_seeds, n=n))
        for i, event in enumerate(self.timeline):
            if event.day > MAX_HORIZON_DAYS:
                raise ConfigError(f"timeline[{i}].day", event.day, _(
                    "must be {noun} between {lo} and {hi}").format(noun=_("an integer"), lo=0,
                                                                   hi=MAX_HORIZON_DAYS))
            n_seeds = getattr(event, "n_seeds", None)
            if event.kind == "crisis" and n_seeds is not None:
                posters = n_seeds * (wom.activists_per_seed if event.cause == "ngo_attack"
                                     else 1)
                if posters > n:
                    allowed = (_("× activists_per_seed {per_seed} = {people} activists; must be ≤ "
                                 "market.n_customers = {n}").format(
                        per_seed=wom.activists_per_seed, people=posters, n=n)
                               if event.cause == "ngo_attack"
                               else _("must be ≤ market.n_customers = {n}").format(n=n))
                    raise ConfigError(f"timeline[{i}].n_seeds", n_seeds, allowed)

    # Derived views -----------------------------------------------------------------------
    @property
    def brand_names(self) -> tuple[str, ...]:
        return tuple(self.brands)

    def to_dict(self) -> dict[str, Any]:
        """A plain, TOML-ready mapping that loads back into an equal config."""
        return to_mapping(self)

    def config_hash(self) -> str:
        """Short hash of everything that affects results (not the name, texts or seed)."""
        data = self.to_dict()
        for key in ("name", "title", "description", "narrative", "references", "seed"):
            data.pop(key, None)
        text = json.dumps(data, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()[:16]


def _known(what: str, names) -> str:
    """What is allowed when ``what`` (only "agency" so far: one sentence per kind, so that
    translators can make it agree) names nothing known."""
    names = list(names)
    if not names:
        return _("no agency is defined in the scenario")
    return _("no such agency; known: {known}").format(known=", ".join(names))
