"""Out-of-sample quantitative targets: published figures the model was not tuned to.

Rules:
- Each target is declared once in ``TARGETS``: the published figure and its source, the
  model quantity compared with it, the tolerance and why (written before any run of this
  module), the arms and the judge. The report prints the model's value with its 95% interval
  over seeds, the published figure and the verdict; a failing target stays failing.
- "Out of sample": no parameter default was chosen to reproduce the figure (the calibration
  record is in docs/ODD.md section "Calibration"). Where a target shares an input with a
  calibration (T2's 2012 level is the calibration of attention), the target says so and only
  its uncalibrated part is judged as out-of-sample.
- Time resolution: the model steps one day; hours are reported at the midpoint of the day in
  which something happens (an answer the same day counts as 12 h).
- Real people: the simulated customers stand for ``market.market_size`` people (2,000,000 by
  default); counts of people are scaled by ``people_per_customer`` before comparing with views.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

from . import Arm, Outcome
from .patterns import (
    PREPARED,
    QUIET,
    UNPREPARED,
    VIDEO,
    _crisis_lab,
    _frame,
    ci_text,
    lab,
    measure_damage,
    values,
)
from .stats import mean_ci, proportion_ci


@dataclass(frozen=True)
class Target:
    number: int
    title: str
    published: str  # the figure, as published
    source: str
    quantity: str  # what the model measures
    tolerance: str  # the band and why, fixed before results
    inputs: tuple[str, ...]
    arms: tuple[Arm, ...]
    judge: Any
    testable: bool = True

    @property
    def id(self) -> str:
        return f"T{self.number}"


# --------------------------------------------------------------------------------------------
# Measurements


def measure_reach_by_brand(model, start: int = 30) -> dict[str, float]:
    frame = model.brand_frame()
    late = frame[frame["day"] >= start]
    out = {}
    for name, rows in late.groupby("brand"):
        out[f"reach_{name}"] = float(rows["organic_reach"].mean())
        out[f"fans_{name}"] = float(rows["followers"].mean()
                                    * model.config.market.people_per_customer)
    return out


def measure_answers(model, brand: str = "acme") -> dict[str, float]:
    """Share of a brand's public complaints answered, and the mean time to an answer."""
    t = model.market.complaints.table
    b = list(model.brands).index(brand)
    patience = model.config.word_of_mouth.patience_days
    horizon = model.config.horizon_days
    mine = (t.origin == 0) & (t.brand == b) & (t.opened <= horizon - patience)
    opened = np.asarray(t.opened[mine])
    answered_day = np.asarray(t.answered[mine])
    answered = answered_day >= 0
    days = answered_day[answered] - opened[answered]
    return {"complaints": float(mine.sum()),
            "answered_share": float(answered.mean()) if mine.any() else float("nan"),
            "mean_hours": float(np.mean((days + 0.5) * 24)) if answered.any() else float("nan"),
            "same_day_share": float(np.mean(days == 0)) if answered.any() else float("nan")}


def measure_crisis_course(model, brand: str = "acme", crisis_day: int = 60
                          ) -> dict[str, float]:
    rows = _frame(model, brand)
    net = rows["net_sentiment"]
    before = float(net.loc[crisis_day - 1])
    after4 = float(net.loc[crisis_day + 4])
    after = net.loc[crisis_day:]
    trough_day = int(after.idxmin())
    trough = float(after.min())
    half = before - 0.5 * (before - trough)
    recovered = after.loc[trough_day:]
    hit = recovered[recovered >= half]
    exposed = rows["negative_exposures"].loc[crisis_day:].cumsum()
    people = model.config.market.people_per_customer
    return {"net_before": before, "net_after4": after4, "net_trough": trough,
            "trough_day": float(trough_day - crisis_day),
            "half_recovery_days": float(hit.index[0] - crisis_day) if len(hit) else float("nan"),
            "net_day_90": float(net.loc[min(crisis_day + 90, net.index[-1])]),
            "views_1": float(exposed.iloc[0] * people),
            "views_3": float(exposed.iloc[min(2, len(exposed) - 1)] * people),
            "views_9": float(exposed.iloc[min(8, len(exposed) - 1)] * people),
            "peak_level": float(rows["crisis_level"].loc[crisis_day:].max())}


# --------------------------------------------------------------------------------------------
# Judges


def judge_big_pages(runs) -> Outcome:
    ratio, lo, hi = mean_ci(values(runs, "two pages", "reach_big")
                            / np.maximum(values(runs, "two pages", "reach_small"), 1e-12))
    big = mean_ci(values(runs, "two pages", "reach_big"))
    fans = float(np.mean(values(runs, "two pages", "fans_big")))
    return Outcome(ratio, lo, hi, passed=0.2 <= ratio <= 0.5,
                   statement=(f"reach per post of a page with {fans:,.0f} fans ÷ that of a "
                              f"small page in the same market: × {ci_text(ratio, lo, hi)} "
                              f"(big page {ci_text(*big, '{:.1%}')}); published 2% ÷ 6% = × 0.33"))


def judge_competition(runs) -> Outcome:
    level = mean_ci(values(runs, "2012 competition", "reach_acme"))
    ratio, lo, hi = mean_ci(values(runs, "2014 competition", "reach_acme")
                            / np.maximum(values(runs, "2012 competition", "reach_acme"), 1e-12))
    later = mean_ci(values(runs, "2014 competition", "reach_acme"))
    return Outcome(ratio, lo, hi, passed=0.12 <= level[0] <= 0.20 and 0.3 <= ratio <= 0.45,
                   statement=(f"reach per post {ci_text(*level, '{:.1%}')} at the default "
                              f"competition (calibrated to 16%), {ci_text(*later, '{:.1%}')} with "
                              f"× 8/3 competing stories: ratio × {ci_text(ratio, lo, hi)}; "
                              "published 6% ÷ 16% = × 0.375"))


def judge_answers(runs) -> Outcome:
    share = mean_ci(values(runs, "baseline", "answered_share"))
    hours = mean_ci(values(runs, "baseline", "mean_hours"))
    same_day = float(np.nanmean(values(runs, "baseline", "same_day_share")))
    return Outcome(share[0], share[1], share[2],
                   passed=0.28 <= share[0] <= 0.48 and 3.25 <= hours[0] <= 13.0,
                   statement=(f"public complaints answered: {ci_text(*share, '{:.0%}')} "
                              f"(published 38%); mean time to an answer "
                              f"{ci_text(*hours, '{:.1f}')} h with same-day answers at 12 h "
                              f"({same_day:.0%} answered the same day; published 6.5 h)"))


def judge_buzz(runs) -> Outcome:
    before = values(runs, "level-3 video", "net_before")
    after = values(runs, "level-3 video", "net_after4")
    change = (after - before) / np.maximum(np.abs(before), 1e-9)
    est, lo, hi = mean_ci(change)
    half = values(runs, "level-3 video", "half_recovery_days")
    level3 = int(np.sum(values(runs, "level-3 video", "peak_level") >= 3))
    h = mean_ci(half)
    return Outcome(est, lo, hi, passed=-0.60 <= est <= -0.20,
                   statement=(f"net sentiment 4 days after a level-3 video (reached in "
                              f"{level3}/{len(before)} seeds) changes by "
                              f"{ci_text(est, lo, hi, '{:+.0%}')} (from "
                              f"{np.mean(before):+.3f} to {np.mean(after):+.3f}); published "
                              f"buzz 22.5 → 13.6 = −40%. Recovery (described, not judged): "
                              f"half the fall recovered after {ci_text(*h, '{:.0f}')} days "
                              f"({int(np.sum(np.isfinite(half)))}/{len(half)} seeds within the "
                              "run)"))


def judge_views_shape(runs) -> Outcome:
    ratio = values(runs, "level-3 video", "views_1") / np.maximum(
        values(runs, "level-3 video", "views_3"), 1e-9)
    est, lo, hi = mean_ci(ratio)
    return Outcome(est, lo, hi, passed=0.55 <= est <= 0.80,
                   statement=(f"people reached in the first day ÷ in three days: "
                              f"{ci_text(est, lo, hi, '{:.2f}')}; published 760k ÷ >1M ≤ 0.76"))


def judge_comcast(runs) -> Outcome:
    views = values(runs, "default video", "views_9")
    est, lo, hi = mean_ci(views)
    return Outcome(est, lo, hi, passed=270_000 <= est <= 2_160_000,
                   statement=(f"real people reached in 9 days by an employee video of default "
                              f"virality: {est:,.0f} [{lo:,.0f}, {hi:,.0f}]; published >540k "
                              "views"))


def judge_avoidable(runs) -> Outcome:
    prepared = values(runs, "prepared", "peak_level")
    unprepared = values(runs, "unprepared", "peak_level")
    crises = unprepared >= 1
    avoided_or_reduced = int(np.sum(crises & (prepared < unprepared)))
    p, lo, hi = proportion_ci(avoided_or_reduced, int(crises.sum()))
    return Outcome(p, lo, hi, passed=0.61 <= p <= 0.91,
                   statement=(f"of {int(crises.sum())} crises of the unprepared brand, the "
                              f"prepared brand avoids or lowers {ci_text(p, lo, hi, '{:.0%}')} "
                              f"(same seed, same video); published 76%"))


def judge_untestable(runs) -> Outcome:
    return Outcome(float("nan"), float("nan"), float("nan"), passed=False,
                   statement="not testable: no rule of the model changes a brand's "
                             "organisational model, which is an input (default hub and "
                             "spoke); the 2010 shares are not used by any rule either")


# --------------------------------------------------------------------------------------------
# The registry

_TWO_PAGES = lab({"big": {"initial_follower_share": 0.6},
                  "small": {"initial_follower_share": 0.05}},
                 horizon=365, word_of_mouth={"exogenous_crises_per_year": 0.0})
_ONE_PAGE = lab({"acme": {}}, horizon=365, word_of_mouth={"exogenous_crises_per_year": 0.0})
_LEVEL3 = ({"kind": "crisis", "day": 60, "brand": "acme", "cause": "employee_video",
            "virality": 15.0, "n_seeds": 8},)
_DEFAULT_VIDEO = ({"kind": "crisis", "day": 30, "brand": "acme", "cause": "employee_video"},)

TARGETS = (
    Target(1, "Organic reach of pages above 500k fans (Ogilvy 2014)",
           "organic reach ≈ 6% of fans per post overall, ≈ 2% for pages above 500k fans "
           "(Feb 2014)", "Ogilvy, 'Facebook Zero', 2014 (verified)",
           "ratio of reach per post, a page with ≈ 540k real fans vs a page with ≈ 45k, same "
           "market and posting",
           "ratio within [0.2, 0.5]: the published 2% and 6% are rounded (1.5-2.5 over 5.5-6.5 "
           "gives 0.23-0.45), widened a little for the model's seed noise",
           ("market.attention_posts_per_day", "market.other_brand_posts_per_day",
            "brand initial_follower_share 0.6 vs 0.05"),
           (Arm("two pages", _TWO_PAGES, measure_reach_by_brand),), judge_big_pages),
    Target(2, "Organic reach falls as competition grows (Ogilvy 2014)",
           "≈ 16% (2012) → 6% (Feb 2014)", "Ogilvy 2014 (verified)",
           "reach per post at the default competition, and its ratio when the competing "
           "stories grow by 16/6 = 8/3 (the growth that a reach inversely proportional to "
           "competition would need)",
           "2012 level within [12%, 20%] (a calibration check: attention was set for 16%); "
           "ratio within [0.30, 0.45] around 6/16 = 0.375, a fifth either way: the "
           "out-of-sample part is whether reach responds to competition as Ogilvy's fall "
           "implies when the growth of competition explains it, through the followed brands' "
           "own posts, heterogeneous attention and unfollowing",
           ("market.attention_posts_per_day (calibrated)", "market.other_brand_posts_per_day"),
           (Arm("2012 competition", _ONE_PAGE, measure_reach_by_brand),
            Arm("2014 competition", _ONE_PAGE, measure_reach_by_brand,
                overrides={"market.other_brand_posts_per_day": 25.0 * 8 / 3})),
           judge_competition),
    Target(3, "Questions answered and response time (2012-2013 surveys)",
           "brands answered 38% of questions, in 6.5 h on average",
           "2012-2013 surveys quoted in the brief (verified)",
           "share of acme's public complaints answered (opened at least patience_days before "
           "the end) and mean time to an answer, baseline preset, one year",
           "answered share within [28%, 48%] (± 10 points: survey samples of large brands, and "
           "complaints rather than all questions); mean time within [3.25, 13] h (a factor 2: "
           "a daily step puts a same-day answer at 12 h)",
           ("word_of_mouth.hours_per_answer", "word_of_mouth.patience_days",
            "brand listening_coverage", "customer-service capacity_hours"),
           (Arm("baseline", "baseline", measure_answers, overrides={"horizon_days": 365}),),
           judge_answers),
    Target(4, "Domino's 2009: buzz −40% in four days",
           "YouGov BrandIndex buzz 22.5 → 13.6 in 4 days (−40%)", "brief, crises (verified)",
           "relative change of acme's net sentiment from the day before a level-3 employee "
           "video to 4 days after (baseline preset); the recovery of half the fall, described",
           "change within [−60%, −20%] (± 20 points, half the published effect: BrandIndex "
           "buzz is a daily survey score and the model's indicator is not the same survey)",
           ("word_of_mouth.wom_sentiment_impact", "behaviour.sentiment_memory_days",
            "injected video: virality 15, 8 seeds, day 60"),
           (Arm("level-3 video", "baseline", measure_crisis_course,
                overrides={**QUIET, "horizon_days": 330}, timeline=_LEVEL3),),
           judge_buzz),
    Target(5, "Domino's 2009: views in the first day vs three days",
           "≈ 760k views in 24 h, > 1M in 3 days (day-1 share ≤ 0.76)",
           "brief, crises (verified)",
           "people first reached on the day of a level-3 video ÷ people reached in its "
           "first three days",
           "within [0.55, 0.80]: the published ratio is at most 0.76 ('over a million'), and "
           "a cascade reaching a large share of the network cannot keep most of it for days "
           "2-3 either",
           ("word_of_mouth.wom_decay_days", "word_of_mouth.p_reshare",
            "injected video: virality 15, 8 seeds"),
           (Arm("level-3 video", "baseline", measure_crisis_course,
                overrides={**QUIET, "horizon_days": 330}, timeline=_LEVEL3),),
           judge_views_shape),
    Target(6, "Comcast 2006: views in nine days",
           "> 540k views in 9 days", "brief, crises (verified)",
           "real people reached in 9 days by an employee video of the default exogenous "
           "virality and seeds, baseline preset (2M people)",
           "within [270k, 2.16M]: half the figure (views are not people, and the model's "
           "market is 2M people where the video's audience was the web) to four times it "
           "(the published figure is a lower bound)",
           ("word_of_mouth.exogenous_virality", "word_of_mouth.exogenous_seeds",
            "market.market_size"),
           (Arm("default video", "baseline", partial(measure_crisis_course, crisis_day=30),
                overrides={**QUIET, "horizon_days": 60}, timeline=_DEFAULT_VIDEO),),
           judge_comcast),
    Target(7, "Altimeter 2011: crises avoidable or reducible with preparation",
           "76% of 50 crises could have been avoided or reduced with preparation",
           "Altimeter, 'Social Business Readiness', Aug 2011 (verified)",
           "share of seeds in which the unprepared brand of pattern 6 has a crisis and the "
           "prepared brand (same seed, same video) has none or a lower peak level",
           "within [61%, 91%]: 76% ± 15 points (50 crises give a binomial standard error of 6 "
           "points; 'reduced' is a judgement in the source)",
           ("pattern 6's preparation bundle",),
           (Arm("prepared", _crisis_lab(PREPARED), measure_damage, timeline=VIDEO),
            Arm("unprepared", _crisis_lab(UNPREPARED), measure_damage, timeline=VIDEO)),
           judge_avoidable),
    Target(8, "Altimeter organisation models 2010 → 2012",
           "decentralised 10.8 → 9.4%, centralised 28.8 → 29.1%, hub and spoke 41 → 35.4%, "
           "multiple hub and spoke 18 → 23.6%, holistic 1.4 → ~2%",
           "Altimeter 2010, 2012 (verified)", "shares of organisational models after two years",
           "within 5 points of each 2012 share", ("brand organisational_model (an input)",),
           (), judge_untestable, testable=False),
)
