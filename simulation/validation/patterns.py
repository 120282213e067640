"""The registry of validation patterns: the twelve patterns of docs/domain.md section 4.

Rules:
- Each pattern is declared once, below, as a :class:`~simulation.validation.Pattern`: claim,
  kind (emergent or calibrated), the inputs its effect rests on, the discriminating statistic,
  the threshold and its justification, the arms, and the ablations that remove its mechanism.
  ``PATTERNS`` is the registry; nothing else lists patterns.
- Every pattern runs the default parameters (no pattern tunes the model for itself); arms differ
  in one lever, or, where the claim is about a bundle (pattern 1's levers, pattern 6's
  preparation), the bundle is decomposed lever by lever in arms of its own. Arms marked
  ``DECOMPOSITION`` in their name are reported but not judged, and are skipped by the null-model
  and robustness studies.
- Populations are smaller than in the presets (10,000 customers unless said) to keep the suite
  fast; the scale study (``scale``) checks that this does not change the organisation.
- Kinds. *Emergent*: the effect is produced by a mechanism of the model and is not written in
  any single rule or input. *Calibrated*: the effect restates an input figure, a calibration
  target or the arithmetic of one rule; it verifies the code, it is not evidence for the model.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import numpy as np

from ..config import DEPARTMENTS
from . import Arm, Outcome, Pattern
from .stats import mean_ci, proportion_ci, tail_test

QUIET = {"word_of_mouth.exogenous_crises_per_year": 0.0}
QUIET_WOM = {"exogenous_crises_per_year": 0.0}
NON_EXECUTIVE = [d for d in DEPARTMENTS if d != "executive"]
ALL_TRAINED = {"kind": "training", "day": 60, "brand": "acme", "departments": NON_EXECUTIVE,
               "coverage": 0.6, "duration_days": 180}


def lab(brands: dict[str, dict[str, Any]], horizon: int = 365, n_customers: int = 10_000,
        **sections: Any) -> dict[str, Any]:
    """A laboratory scenario: only what is given differs from the defaults."""
    return {"name": "lab", "horizon_days": horizon, "market": {"n_customers": n_customers},
            "brands": brands, **sections}


# --------------------------------------------------------------------------------------------
# Measurements (module-level functions so that worker processes can receive them)


def _frame(model, brand: str):
    frame = model.brand_frame()
    return frame[frame["brand"] == brand].set_index("day")


def measure_phases(model, brand: str = "acme") -> dict[str, float]:
    rows = _frame(model, brand)
    phase = rows["phase"].to_numpy()
    days = rows.index.to_numpy()

    def first(p):
        hit = np.flatnonzero(phase >= p)
        return float(days[hit[0]]) if len(hit) else np.nan

    in_house = rows[["adoption_marketing", "adoption_communication"]].mean(axis=1)
    return {"start": float(phase[0]), "final": float(phase[-1]), "first2": first(2),
            "marketing_communication_year": float(in_house.iloc[:366].mean()),
            "first3": first(3), "ordered": float(np.all(np.diff(phase) >= 0)),
            "maturity_365": float(rows["maturity"].iloc[min(365, len(rows) - 1)]),
            "sponsorship_120": float(rows["sponsorship"].iloc[min(120, len(rows) - 1)]),
            "sponsorship_0": float(rows["sponsorship"].iloc[0])}


def measure_window(model, brand: str = "acme", start: int = 180) -> dict[str, float]:
    rows = _frame(model, brand).loc[start:]
    followers = rows["followers"].clip(lower=1)
    return {"engagement_per_post": float(rows["engagement_per_post"].mean()),
            "engagements": float(rows["engagements"].mean()),
            "unfollow_rate": float((rows["unfollows"] / followers).mean()),
            "organic_reach": float(rows["organic_reach"].mean()),
            "fatigue": float(rows["mean_fatigue"].mean()),
            "weekly_engaged": float(rows["weekly_engaged_share"].mean()),
            "followers_final": float(rows["followers"].iloc[-1])}


def measure_market(model, start: int = 180) -> dict[str, float]:
    frame = model.brand_frame()
    late = frame[frame["day"] >= start]
    return {"organic_reach": float(late["organic_reach"].mean()),
            "fatigue_engaging": float(late["mean_fatigue_engaging"].mean()),
            "weekly_engaged": float(late["weekly_engaged_share"].mean()),
            "ever_engaged": float(frame["ever_engaged_share"].iloc[-1]),
            "share_engaging": float(model.config.market.share_engaging)}


def measure_cascades(model, brand: str = "acme", crisis_day: int | None = None,
                     ) -> dict[str, Any]:
    table = model.market.complaints.table
    own = table.origin == 0
    out: dict[str, Any] = {"sizes": table.size[own].astype(int).tolist()}
    if crisis_day is not None:
        rows = _frame(model, brand)
        exposed = rows["negative_exposures"].loc[crisis_day:].cumsum() / model.market.n
        out["reach_3"] = float(exposed.iloc[min(2, len(exposed) - 1)])
        out["reach_7"] = float(exposed.iloc[min(6, len(exposed) - 1)])
    return out


def measure_damage(model, brand: str = "acme", start: int = 30, days: int = 60
                   ) -> dict[str, float]:
    rows = _frame(model, brand).loc[start:start + days]
    customers_before = float(_frame(model, brand)["customers"].loc[max(start - 1, 0)])
    return {"exposed": float(rows["negative_exposures"].sum() / model.market.n),
            "peak_level": float(rows["crisis_level"].max()),
            "customers_lost": float(customers_before - rows["customers"].iloc[-1]),
            "min_sentiment": float(rows["net_sentiment"].min())}


def measure_help_desk(model, brand: str = "acme") -> dict[str, float]:
    rows = _frame(model, brand)
    early, late = rows.loc[1:29], rows.iloc[-90:]  # listening goes wide on day 30
    return {"backlog_early": float(early["backlog"].mean()),
            "backlog_late": float(late["backlog"].mean()),
            "proactive_early": float(early["proactive_share"].mean()),
            "proactive_late": float(late["proactive_share"].mean()),
            "help_desk_late": float(late["help_desk"].mean()),
            "demand_growth": float(late["questions_new"].mean()
                                   / max(early["questions_new"].mean(), 1e-9))}


def measure_adoption(model, brand: str = "acme") -> dict[str, Any]:
    rows = _frame(model, brand)
    out: dict[str, Any] = {}
    for kind in NON_EXECUTIVE:
        curve = rows[f"adoption_{kind}"].to_numpy()
        hit = np.flatnonzero(curve >= 0.5)
        out[f"t50_{kind}"] = float(hit[0]) if len(hit) else float(len(curve))
    out["curve_customer_service"] = rows["adoption_customer_service"].to_numpy().tolist()
    return out


def measure_crises(model) -> dict[str, float]:
    events = model.log_book.to_frame()
    starts = events[events["kind"] == "crisis_start"]
    return {f"crises_{b}": float((starts["brand"] == b).sum()) for b in model.brands}


# --------------------------------------------------------------------------------------------
# Helpers for judging


def paired(runs, a: str, b: str, key: str) -> np.ndarray:
    return np.array([x[key] - y[key] for x, y in zip(runs[a], runs[b], strict=True)])


def values(runs, arm: str, key: str) -> np.ndarray:
    return np.array([r[key] for r in runs[arm]], dtype=float)


def ratio_ci(runs, a: str, b: str, key: str) -> tuple[float, float, float]:
    """Mean of per-seed ratios a/b with its interval (paired by seed)."""
    return mean_ci(values(runs, a, key) / np.maximum(values(runs, b, key), 1e-12))


def ci_text(est, lo, hi, fmt="{:.3g}") -> str:
    return f"{fmt.format(est)} [{fmt.format(lo)}, {fmt.format(hi)}]"


def _bars(fig, labels, estimates, lows, highs, ylabel, title):
    ax = fig.subplots()
    estimates, lows, highs = map(np.asarray, (estimates, lows, highs))
    ax.bar(labels, estimates, color="#2a9d8f", alpha=0.8)
    ax.errorbar(labels, estimates, yerr=[estimates - lows, highs - estimates], fmt="none",
                color="black", capsize=4)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.grid(axis="y", alpha=0.3)


# --------------------------------------------------------------------------------------------
# Ablations a pattern's mechanism claims (ids of simulation.validation.ablations.ABLATIONS)

MIXED, NO_FATIGUE, FROZEN = "mixed", "no-fatigue", "frozen-organisation"
DECOMPOSITION = "decomposition:"  # prefix of arms that are reported, not judged


def judged_arms(pattern: Pattern) -> tuple[Arm, ...]:
    """The arms the verdict uses (the null-model and robustness studies run only these)."""
    return tuple(a for a in pattern.arms if not a.name.startswith(DECOMPOSITION))


# --------------------------------------------------------------------------------------------
# 1. Phases 1 -> 2 -> 3 with levers, stall in phase 2 without

PHASE1_BRAND = {"departments": {"marketing": {"adoption": 0.25, "trained_share": 0.15},
                                "communication": {"adoption": 0.15, "trained_share": 0.05},
                                "pr": {"adoption": 0.1}}}
SPONSOR_LEVER = {"kind": "sponsorship", "day": 30, "brand": "acme", "level": 0.8}
LISTENING_LEVER = {"kind": "listening", "day": 90, "brand": "acme", "coverage": 0.8,
                   "crm_integration": 0.7}
LEVERS = (SPONSOR_LEVER, ALL_TRAINED, LISTENING_LEVER)


def judge_phases(runs) -> Outcome:
    with_levers, without = runs["levers"], runs["no levers"]
    n = len(with_levers)
    full = sum(r["start"] == 1 and r["final"] == 3 and r["ordered"] == 1
               and r["first2"] < r["first3"] for r in with_levers)
    stalled = sum(r["start"] == 1 and r["final"] == 2 for r in without)
    p_full, lo_full, hi_full = proportion_ci(full, n)
    p_stall, lo_stall, hi_stall = proportion_ci(stalled, n)
    t3 = np.array([r["first3"] for r in with_levers])
    details = {"median day of phase 2 (levers)":
               float(np.nanmedian([r["first2"] for r in with_levers])),
               "median day of phase 3 (levers)": float(np.nanmedian(t3)),
               "interquartile range of the phase-3 day (levers)":
               f"{np.nanquantile(t3, 0.25):.0f}-{np.nanquantile(t3, 0.75):.0f}",
               "seeds reaching phase 3 without levers":
               int(sum(r["final"] == 3 for r in without))}
    for arm in runs:
        if arm.startswith(DECOMPOSITION):
            reached = sum(r["final"] == 3 for r in runs[arm])
            details[f"{arm[len(DECOMPOSITION):]}: seeds in phase 3 at the end"] = (
                f"{reached}/{len(runs[arm])}")
    return Outcome(
        estimate=p_full, low=lo_full, high=hi_full,
        passed=p_full >= 0.9 and p_stall >= 0.9,
        statement=(f"with levers {p_full:.0%} of seeds go 1→2→3 "
                   f"({ci_text(p_full, lo_full, hi_full, '{:.0%}')}); without, "
                   f"{p_stall:.0%} stall in phase 2 ({ci_text(p_stall, lo_stall, hi_stall, '{:.0%}')})"),
        details=details,
    )


def figure_phases(runs, fig) -> None:
    ax = fig.subplots()
    labels = []
    for arm, colour in (("levers", "#2a9d8f"), ("no levers", "#e76f51")):
        for key, marker in (("first2", "o"), ("first3", "s")):
            days = np.array([r[key] for r in runs[arm]], dtype=float)
            reached = days[np.isfinite(days)]
            row = len(labels)
            labels.append(f"{arm}: phase {key[-1]} ({len(reached)}/{len(days)} seeds)")
            ax.scatter(reached, np.full(len(reached), row), marker=marker, color=colour,
                       alpha=0.6)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set_ylim(-0.5, len(labels) - 0.5)
    ax.set_xlabel("first day in phase")
    ax.set_title("Day each seed first reaches phase 2 and 3", fontsize=10)


def _phase_lab() -> dict[str, Any]:
    return lab({"acme": PHASE1_BRAND}, horizon=1095)


P1 = Pattern(
    1, "Phases 1 → 2 → 3 with levers; stall in phase 2 without",
    "Brands move through phases 1 → 2 → 3 over time when transformation levers are on; without "
    "them they stall in phase 2.",
    kind="emergent",
    inputs=("organisation.adoption_p", "organisation.adoption_q", "organisation.erosion_rate",
            "organisation.peer_threshold", "classifier.phase2_adoption",
            "classifier.phase3_breadth", "classifier.phase3_sponsorship",
            "classifier.phase3_integration", "levers: sponsorship 0.8 (day 30), training 60% "
            "of eight departments (day 60), listening 0.8 × CRM 0.7 (day 90)"),
    statistic="share of seeds with the ordered sequence 1→2→3 (levers) and share ending in "
              "phase 2 (no levers), Wilson intervals",
    threshold="≥ 90% of seeds each way: the brief states both as the typical course; a tenth "
              "of exceptions allows for random crises waking executives up. The bundle of "
              "three levers is the claim itself; leave-one-out arms decompose it (reported, "
              "not judged)",
    arms=(
        Arm("levers", _phase_lab(), measure_phases, timeline=LEVERS),
        Arm("no levers", _phase_lab(), measure_phases),
        Arm(DECOMPOSITION + "levers without sponsorship", _phase_lab(), measure_phases,
            timeline=(ALL_TRAINED, LISTENING_LEVER)),
        Arm(DECOMPOSITION + "levers without training", _phase_lab(), measure_phases,
            timeline=(SPONSOR_LEVER, LISTENING_LEVER)),
        Arm(DECOMPOSITION + "levers without listening", _phase_lab(), measure_phases,
            timeline=(SPONSOR_LEVER, ALL_TRAINED)),
    ),
    judge=judge_phases, figure=figure_phases, mechanism=(FROZEN,),
    note="leave-one-out arms added: the bundle is decomposed lever by lever",
)


# --------------------------------------------------------------------------------------------
# 2. Posting frequency and push share


def _one_brand(posts: float, push: float, mix: Any = "beliefs") -> dict[str, Any]:
    return lab({"acme": {"content": {"posts_per_day": posts, "push_share": push, "mix": mix},
                         "initial_follower_share": 0.3}}, horizon=365, word_of_mouth=QUIET_WOM)


def judge_frequency(runs) -> Outcome:
    per_post, lo, hi = ratio_ci(runs, "2 posts/day", "1 post/day", "engagement_per_post")
    per_post4, _, hi4 = ratio_ci(runs, "4 posts/day", "2 posts/day", "engagement_per_post")
    unfollow, ulo, _ = ratio_ci(runs, "4 posts/day", "1 post/day", "unfollow_rate")
    total, tlo, _ = ratio_ci(runs, "2 posts/day", "1 post/day", "engagements")
    push_pp, _, push_hi = ratio_ci(runs, "push 80%", "push 20%", "engagement_per_post")
    push_unf, push_ulo, _ = ratio_ci(runs, "push 80%", "push 20%", "unfollow_rate")
    followers, f_lo, f_hi = ratio_ci(runs, "4 posts/day", "1 post/day", "followers_final")
    passed = (0.45 <= per_post <= 0.8 and hi4 < 1 and ulo > 1.1 and tlo > 1.0
              and push_hi < 0.9 and push_ulo > 1.1)
    return Outcome(
        estimate=per_post, low=lo, high=hi, passed=passed,
        statement=(f"engagement per post at 2 vs 1 posts/day × {ci_text(per_post, lo, hi)}; "
                   f"4 vs 2 × {per_post4:.2f}; unfollow rate at 4 vs 1 × {unfollow:.2f}; "
                   f"total engagement at 2 vs 1 × {total:.2f}; push 80% vs 20%: per post × "
                   f"{push_pp:.2f}, unfollows × {push_unf:.2f}"),
        details={"unfollow ratio 4 vs 1 (lower CI)": ulo,
                 "total engagement ratio 2 vs 1 (lower CI)": tlo,
                 "emergent consequence (not judged): followers after a year, 4 vs 1 posts/day":
                 ci_text(followers, f_lo, f_hi)},
    )


def figure_frequency(runs, fig) -> None:
    arms = ["1 post/day", "2 posts/day", "4 posts/day"]
    ax1, ax2 = fig.subplots(1, 2)
    for ax, key, label in ((ax1, "engagement_per_post", "engagements per post"),
                           (ax2, "unfollow_rate", "daily unfollow rate")):
        est = [mean_ci(values(runs, a, key)) for a in arms]
        ax.errorbar(range(3), [e[0] for e in est],
                    yerr=[[e[0] - e[1] for e in est], [e[2] - e[0] for e in est]],
                    marker="o", capsize=4, color="#264653")
        ax.set_xticks(range(3), arms, fontsize=8)
        ax.set_ylabel(label)
        ax.grid(alpha=0.3)
    fig.suptitle("Posting more: less engagement per post, more unfollowing", fontsize=10)


P2 = Pattern(
    2, "Posting more or pushing more lowers engagement per post and raises unfollowing",
    "Raising posting frequency or promotional share past a threshold lowers engagement per "
    "post and raises unfollowing (total engagement may still rise).",
    kind="calibrated",
    inputs=("behaviour.brand_attention_half_posts (calibrated: 2-vs-1 ratio ≈ 0.6, brief, "
            "assumed)", "behaviour.push_tolerance", "behaviour.push_engagement_penalty",
            "behaviour.unfollow_frequency", "behaviour.unfollow_push",
            "behaviour.unfollow_fatigue"),
    statistic="per-seed ratios of engagement per post and of the unfollow rate between arms "
              "that differ in posts per day or in push share only",
    threshold="2-vs-1 ratio within [0.45, 0.8] (the brief's assumed 0.6 ± 0.15 plus noise); "
              "4-vs-2 per-post ratio upper CI < 1; push 80%-vs-20% per-post ratio upper CI < "
              "0.9; unfollow ratios lower CI > 1.1; total engagement 2 vs 1 lower CI > 1. "
              "Calibrated: the per-post decline is the saturation curve sat(P) = P / (1 + P / "
              "h) whose h was chosen for the 0.6 (with h = 100 it fails), and the unfollow "
              "rise is written in the unfollow rule; the pattern verifies the code",
    arms=(
        Arm("1 post/day", _one_brand(1, 0.3), measure_window),
        Arm("2 posts/day", _one_brand(2, 0.3), measure_window),
        Arm("4 posts/day", _one_brand(4, 0.3), measure_window),
        Arm("push 20%", _one_brand(1, 0.2), measure_window),
        Arm("push 80%", _one_brand(1, 0.8), measure_window),
    ),
    judge=judge_frequency, figure=figure_frequency,
    note="relabelled calibrated; followers after a year reported as an emergent consequence",
)


# --------------------------------------------------------------------------------------------
# 3. More brands in the same attention


def _brands(n: int) -> dict[str, Any]:
    names = ["acme", "brio", "cerise", "dune", "eclat", "fable", "gala", "hublot"][:n]
    brand = {"content": {"posts_per_day": 3.0, "push_share": 0.5},
             "initial_follower_share": 0.5}
    return lab({name: brand for name in names}, horizon=365, word_of_mouth=QUIET_WOM)


def judge_brands(runs) -> Outcome:
    reach, lo, hi = ratio_ci(runs, "6 brands", "2 brands", "organic_reach")
    fatigue_diff = paired(runs, "6 brands", "2 brands", "fatigue_engaging")
    f_est, f_lo, f_hi = mean_ci(fatigue_diff)
    return Outcome(
        estimate=reach, low=lo, high=hi, passed=hi < 0.95 and f_lo > 0,
        statement=(f"organic reach per post with 6 vs 2 brands × {ci_text(reach, lo, hi)}; "
                   f"mean fatigue of engaging customers +{ci_text(f_est, f_lo, f_hi)}"),
    )


def figure_brands(runs, fig) -> None:
    est = [mean_ci(values(runs, a, "organic_reach")) for a in ("2 brands", "6 brands")]
    _bars(fig, ["2 brands", "6 brands"], [e[0] for e in est], [e[1] for e in est],
          [e[2] for e in est], "organic reach per post", "More brands, less reach per post")


P3 = Pattern(
    3, "More brands in the same attention: lower reach, more fatigue",
    "More brands posting into the same attention budget lowers organic reach per post and "
    "raises average fatigue.",
    kind="calibrated",
    inputs=("market.attention_posts_per_day (calibrated: reach ≈ 16%, Ogilvy 2012)",
            "market.other_brand_posts_per_day", "behaviour.saturation_ratio",
            "behaviour.push_fatigue_weight"),
    statistic="per-seed ratio of organic reach per post and difference of the mean fatigue of "
              "engaging customers, 6 vs 2 identical brands",
    threshold="reach ratio upper CI < 0.95 (at least a twentieth lost) and fatigue difference "
              "lower CI > 0: both directions are what the brief states. Calibrated (a "
              "verification): both follow directly from exposure rule 1 (p_seen = A / C) and "
              "fatigue rule 4 (drive grows with C / A); the magnitude is emergent",
    arms=(Arm("2 brands", _brands(2), measure_market),
          Arm("6 brands", _brands(6), measure_market)),
    judge=judge_brands, figure=figure_brands, mechanism=(NO_FATIGUE,),
    note="relabelled calibrated (the direction is the exposure and fatigue rules); the "
         "no-fatigue null model must remove the fatigue half",
)


# --------------------------------------------------------------------------------------------
# 4. Content matched to motivations beats content matched to beliefs

MOTIVES = {"discounts": 1, "purchase": 1, "reviews": 1}
BELIEFS = {"community": 1, "feel_connected": 1}


def judge_content(runs) -> Outcome:
    ratio, lo, hi = ratio_ci(runs, "motivations", "beliefs", "engagement_per_post")
    return Outcome(
        estimate=ratio, low=lo, high=hi, passed=lo > 1.3,
        statement=f"engagement per post, motivation-matched vs belief-matched × "
                  f"{ci_text(ratio, lo, hi)}",
    )


def figure_content(runs, fig) -> None:
    est = [mean_ci(values(runs, a, "engagement_per_post")) for a in ("beliefs", "motivations")]
    _bars(fig, ["community + feel connected", "discounts + purchase + reviews"],
          [e[0] for e in est], [e[1] for e in est], [e[2] for e in est],
          "engagements per post", "Perception gap: what brands believe vs what customers want")


P4 = Pattern(
    4, "Content matched to motivations beats content matched to beliefs",
    "Content matched to customer motivations (discounts, purchase, reviews) beats content "
    "matched to the brands' beliefs (community, feeling connected) on engagement.",
    kind="calibrated",
    inputs=("market.motivations (IBM 2011 consumer shares: discounts 61, purchase 55, reviews "
            "53, feel connected 33, community 22)",),
    statistic="per-seed ratio of engagement per post, motivation-matched vs belief-matched mix",
    threshold="lower CI > 1.3. Calibrated: the ratio is the arithmetic of the IBM shares "
              "((61+55+53)/3 ÷ (22+33)/2 ≈ 2.0, and equal shares give × 1.02); the pattern "
              "checks that engagement follows the motivation match, not that the model "
              "explains the perception gap",
    arms=(Arm("motivations", _one_brand(1, 0.3, MOTIVES), measure_window),
          Arm("beliefs", _one_brand(1, 0.3, BELIEFS), measure_window)),
    judge=judge_content, figure=figure_content,
    note="relabelled calibrated",
)


# --------------------------------------------------------------------------------------------
# 5. Heavy-tailed complaint cascades

TAIL_XMIN = 3


def power_law_alpha(sizes: np.ndarray, xmin: int) -> float:
    """Discrete power-law exponent by maximum likelihood (Clauset et al. 2009 approximation)."""
    tail = sizes[sizes >= xmin].astype(float)
    if len(tail) < 10:
        return float("nan")
    return float(1 + len(tail) / np.sum(np.log(tail / (xmin - 0.5))))


def judge_cascades(runs) -> Outcome:
    sizes = np.concatenate([np.asarray(r["sizes"]) for r in runs["endogenous"]])
    test = tail_test(sizes, TAIL_XMIN)
    per_seed = [tail_test(np.asarray(r["sizes"]), TAIL_XMIN) for r in runs["endogenous"]]
    heavy_seeds = sum(t.heavy for t in per_seed)
    share, s_lo, s_hi = proportion_ci(heavy_seeds, len(per_seed))
    reach7 = values(runs, "employee video", "reach_7")
    r_est, r_lo, r_hi = mean_ci(reach7)
    spread = float(np.quantile(sizes, 0.999) / max(np.median(sizes), 1))
    passed = test.heavy and spread >= 50 and r_lo >= 0.1
    return Outcome(
        estimate=test.lr_exponential, low=s_lo, high=s_hi, passed=passed,
        statement=(f"pooled tail above {TAIL_XMIN}: power law vs exponential R = "
                   f"{test.lr_exponential:.1f} (p = {test.p_exponential:.2g}), vs lognormal R = "
                   f"{test.lr_lognormal:.1f} (p = {test.p_lognormal:.2g}), exponent "
                   f"{test.alpha:.2f} over {test.decades:.1f} decades; heavy in "
                   f"{ci_text(share, s_lo, s_hi, '{:.0%}')} of seeds; 99.9th percentile / median "
                   f"= {spread:.0f}; a viral employee video reaches "
                   f"{ci_text(r_est, r_lo, r_hi, '{:.1%}')} of the network in 7 days"),
        details={"complaints pooled": len(sizes), "largest reach": int(sizes.max()),
                 "median reach": float(np.median(sizes)),
                 "per-seed exponents (mean)": float(np.nanmean([t.alpha for t in per_seed]))},
    )


def figure_cascades(runs, fig) -> None:
    sizes = np.sort(np.concatenate([np.asarray(r["sizes"]) for r in runs["endogenous"]]))
    ccdf = 1 - np.arange(len(sizes)) / len(sizes)
    ax = fig.subplots()
    ax.loglog(sizes, ccdf, marker=".", linestyle="none", alpha=0.5, color="#c1121f")
    ax.set_xlabel("people reached by a complaint")
    ax.set_ylabel("share of complaints reaching at least that")
    ax.set_title("Complaint cascades are heavy-tailed", fontsize=10)
    ax.grid(alpha=0.3, which="both")


P5 = Pattern(
    5, "Heavy-tailed complaint cascades; the largest reach much of the network in days",
    "Complaint cascades have a heavy-tailed size distribution; the largest reach a large share "
    "of the network within days.",
    kind="emergent",
    inputs=("word_of_mouth.p_reshare", "word_of_mouth.virality_sigma",
            "word_of_mouth.p_see_friend_post", "word_of_mouth.influencer_amplification",
            "market.network", "market.mean_degree",
            "video arm: virality 15, 8 seeds (an input of the arm)"),
    statistic="Clauset-Shalizi-Newman: Vuong likelihood ratio of a power-law vs an "
              "exponential tail above xmin = 3 (pooled and per seed), tail span in decades; "
              "99.9th percentile / median; share of the network reached by an injected video "
              "in 7 days",
    threshold="heavy tail = power law beats exponential (R > 0, p < 0.05) over ≥ 1.5 decades "
              "in the sample pooled over seeds (a geometric or Poisson sample fails this test, a "
              "power-law or lognormal one passes: tests/validation/test_tail.py; the per-seed "
              "share is reported, not judged: a seed has too few large cascades); 99.9th percentile ≥ 50 × median; the video's "
              "7-day reach lower CI ≥ 10% (Domino's: over a million views in 3 days). xmin = "
              "3 excludes complaints seen only by their author and one friend, which the "
              "seeding rule, not the cascade, sets",
    arms=(
        Arm("endogenous", "baseline", partial(measure_cascades, brand="acme"),
            overrides={**QUIET, "horizon_days": 365}),
        Arm("employee video", "baseline", partial(measure_cascades, crisis_day=30),
            overrides={**QUIET, "horizon_days": 60},
            timeline=({"kind": "crisis", "day": 30, "brand": "acme",
                       "cause": "employee_video", "virality": 15.0, "n_seeds": 8},)),
    ),
    judge=judge_cascades, figure=figure_cascades, mechanism=(MIXED,),
    note="the exponent window [1.3, 3.5], which geometric and Poisson samples pass, is "
         "replaced by a likelihood-ratio test against an exponential tail",
)


# --------------------------------------------------------------------------------------------
# 6. Preparation cuts crisis damage, lever by lever

PREPARED_LEVERS = {
    "listening": {"listening_coverage": 0.9},
    "crisis plan": {"crisis_preparedness": 0.9},
    "customer service": {"departments": {"customer_service": {"capacity_hours": 80.0,
                                                              "adoption": 0.6,
                                                              "trained_share": 0.6}}},
    "PR": {"departments": {"pr": {"adoption": 0.6}}},
}
UNPREPARED = {"listening_coverage": 0.05, "crisis_preparedness": 0.0,
              "departments": {"customer_service": {"capacity_hours": 6.0}}}
VIDEO = ({"kind": "crisis", "day": 30, "brand": "acme", "cause": "employee_video",
          "virality": 10.0, "n_seeds": 5},)


def _merge(base: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merge(out[key], value) if isinstance(value, dict) and isinstance(
            out.get(key), dict) else value
    return out


PREPARED = UNPREPARED
for _lever in PREPARED_LEVERS.values():
    PREPARED = _merge(PREPARED, _lever)


def _cut(runs, arm: str, base: str = "unprepared", key: str = "exposed"):
    better, worse = values(runs, arm, key), values(runs, base, key)
    return mean_ci(1 - better / np.maximum(worse, 1e-12))


def judge_preparation(runs) -> Outcome:
    cut, lo, hi = _cut(runs, "prepared")
    y_cut, y_lo, y_hi = _cut(runs, "prepared, a year of complaints",
                             "unprepared, a year of complaints")
    cs_cut, cs_lo, cs_hi = _cut(runs, "customer service only")
    li_cut, li_lo, li_hi = _cut(runs, "listening only")
    lost = paired(runs, "unprepared", "prepared", "customers_lost")
    details = {"mean peak crisis level, unprepared":
               float(values(runs, "unprepared", "peak_level").mean()),
               "mean peak crisis level, prepared":
               float(values(runs, "prepared", "peak_level").mean()),
               "customers lost, unprepared minus prepared (simulated customers)":
               float(np.mean(lost))}
    for arm in runs:
        if arm.startswith(DECOMPOSITION):
            c = _cut(runs, arm)
            details[f"exposure cut, {arm[len(DECOMPOSITION):]}"] = ci_text(*c, "{:.0%}")
    return Outcome(
        estimate=cut, low=lo, high=hi,
        passed=lo >= 0.2 and y_lo >= 0.2 and cs_lo > 0 and li_lo > 0,
        statement=(f"against a viral video, the prepared brand sees "
                   f"{ci_text(cut, lo, hi, '{:.0%}')} fewer people exposed; customer service "
                   f"alone {ci_text(cs_cut, cs_lo, cs_hi, '{:.0%}')}, listening alone "
                   f"{ci_text(li_cut, li_lo, li_hi, '{:.0%}')}; over a year of ordinary "
                   f"complaints, prepared {ci_text(y_cut, y_lo, y_hi, '{:.0%}')} fewer exposures"),
        details=details,
    )


def figure_preparation(runs, fig) -> None:
    arms = [a for a in runs if not a.endswith("complaints")]
    est = [mean_ci(values(runs, a, "exposed")) for a in arms]
    labels = [a.replace(DECOMPOSITION, "").replace(" only", "") for a in arms]
    _bars(fig, labels, [e[0] for e in est], [e[1] for e in est], [e[2] for e in est],
          "share of network exposed (60 days)", "The same viral video, lever by lever")
    fig.axes[0].tick_params(axis="x", labelsize=7)


def _crisis_lab(brand: dict[str, Any], horizon: int = 95) -> dict[str, Any]:
    return lab({"acme": {"awareness": 0.8, "market_share": 0.2, **brand}}, horizon=horizon,
               n_customers=20_000, word_of_mouth=QUIET_WOM)


P6 = Pattern(
    6, "Preparation (staffed customer service, listening, a plan) cuts crisis damage",
    "Faster, better-staffed customer service and listening cut crisis damage; a brand with "
    "preparation avoids or reduces most crises.",
    kind="emergent",
    inputs=("brand levers: listening_coverage 0.05 → 0.9, crisis_preparedness 0 → 0.9, "
            "customer-service capacity 6 → 80 h/day (adoption and training 0.6), PR adoption "
            "0.6", "word_of_mouth.crisis_response_effect",
            "word_of_mouth.crisis_response_days_unprepared",
            "word_of_mouth.p_backfire_unprepared", "word_of_mouth.hours_per_answer"),
    statistic="per-seed cut in the share of the network exposed in 60 days after an injected "
              "video (and over a year of ordinary complaints), prepared vs unprepared; the "
              "same cut for each lever alone",
    threshold="full preparation: both cuts' lower CI ≥ 20% (a fifth, clearly more than "
              "noise); customer service alone and listening alone, the two levers the claim "
              "names: cut lower CI > 0. The crisis plan alone and PR alone are reported, not "
              "judged. Altimeter's 76% is a share of crises, not of exposures: it is tested "
              "as an out-of-sample target (targets.py), no longer reused here",
    arms=(Arm("prepared", _crisis_lab(PREPARED), measure_damage, timeline=VIDEO),
          Arm("unprepared", _crisis_lab(UNPREPARED), measure_damage, timeline=VIDEO),
          Arm("customer service only",
              _crisis_lab(_merge(UNPREPARED, PREPARED_LEVERS["customer service"])),
              measure_damage, timeline=VIDEO),
          Arm("listening only", _crisis_lab(_merge(UNPREPARED, PREPARED_LEVERS["listening"])),
              measure_damage, timeline=VIDEO),
          Arm(DECOMPOSITION + "crisis plan only",
              _crisis_lab(_merge(UNPREPARED, PREPARED_LEVERS["crisis plan"])),
              measure_damage, timeline=VIDEO),
          Arm(DECOMPOSITION + "PR only", _crisis_lab(_merge(UNPREPARED, PREPARED_LEVERS["PR"])),
              measure_damage, timeline=VIDEO),
          Arm("prepared, a year of complaints", _crisis_lab(PREPARED, 366),
              partial(measure_damage, start=1, days=365)),
          Arm("unprepared, a year of complaints", _crisis_lab(UNPREPARED, 366),
              partial(measure_damage, start=1, days=365))),
    judge=judge_preparation, figure=figure_preparation,
    note="the four-setting bundle is decomposed lever by lever; Altimeter's 76% moved to the "
         "out-of-sample targets, where it is compared with a share of crises",
)


# --------------------------------------------------------------------------------------------
# 7. A crisis raises sponsorship; hit early, phase 3 sooner

EARLY_CRISIS = ({"kind": "crisis", "day": 20, "brand": "acme", "cause": "employee_video",
                 "virality": 12.0, "n_seeds": 8},)
SELF_STARTER = (ALL_TRAINED,
                {"kind": "listening", "day": 60, "brand": "acme", "coverage": 0.7,
                 "crm_integration": 0.6})
HORIZON_3Y = 1096.0


def judge_wakeup(runs) -> Outcome:
    gain, lo, hi = mean_ci(paired(runs, "crisis", "no crisis", "sponsorship_120"))
    t_crisis = np.nan_to_num(values(runs, "levers + crisis", "first3"), nan=HORIZON_3Y)
    t_none = np.nan_to_num(values(runs, "levers", "first3"), nan=HORIZON_3Y)
    reached = int(np.sum(t_none < HORIZON_3Y))
    sooner = int(np.sum(t_crisis < t_none))
    share, s_lo, _ = proportion_ci(sooner, len(t_crisis))
    d_est, d_lo, d_hi = mean_ci(t_none - t_crisis)
    return Outcome(
        estimate=gain, low=lo, high=hi,
        passed=lo > 0.1 and share >= 0.75 and d_lo > 0 and reached >= 0.9 * len(t_none),
        statement=(f"sponsorship on day 120 +{ci_text(gain, lo, hi)} after a crisis on day 20 "
                   f"(no sponsorship lever); with the levers of pattern 1, which reach phase 3 "
                   f"without a crisis in {reached}/{len(t_none)} seeds, phase 3 comes sooner "
                   f"after the crisis in {share:.0%} of seeds, by {ci_text(d_est, d_lo, d_hi, '{:.0f}')}"
                   f" days (median day {np.median(t_crisis):.0f} vs {np.median(t_none):.0f})"),
    )


def figure_wakeup(runs, fig) -> None:
    ax = fig.subplots()
    for arm, colour in (("levers", "#e76f51"), ("levers + crisis", "#2a9d8f")):
        t = np.nan_to_num(values(runs, arm, "first3"), nan=HORIZON_3Y)
        ax.hist(t, bins=15, alpha=0.6, color=colour, label=arm)
    ax.set_xlabel("first day in phase 3 (1096 = not within 3 years)")
    ax.set_ylabel("seeds")
    ax.legend()
    ax.set_title("Hit early by a crisis, phase 3 sooner", fontsize=10)


_LAB_3Y = lab({"acme": {}}, horizon=1095, word_of_mouth=QUIET_WOM)
_LAB_3Y_PHASE1 = lab({"acme": PHASE1_BRAND}, horizon=1095, word_of_mouth=QUIET_WOM)

P7 = Pattern(
    7, "A crisis raises executive sponsorship; brands hit early reach phase 3 sooner",
    "A crisis raises executive sponsorship, and brands hit early by a crisis reach phase 3 "
    "sooner.",
    kind="emergent",
    inputs=("word_of_mouth.crisis_awareness_boost", "organisation.sponsorship_days",
            "organisation.awareness_decay_days", "injected crisis: employee video, virality "
            "12, day 20"),
    statistic="paired difference of sponsorship on day 120 (crisis vs none, no sponsorship "
              "lever); paired difference of the first phase-3 day, with the levers of pattern 1 "
              "(which reach phase 3 without any crisis)",
    threshold="sponsorship gain lower CI > 0.1 (a tenth of the scale); phase 3 sooner in ≥ 75% "
              "of paired seeds and the mean gain in days lower CI > 0; the comparison arm must "
              "reach phase 3 in ≥ 90% of seeds, else 'sooner' is trivially true (the previous "
              "arm never reached it). The article: 'a cataclysm accelerates awareness and "
              "executive engagement'",
    arms=(
        Arm("crisis", _LAB_3Y, measure_phases, timeline=SELF_STARTER + EARLY_CRISIS),
        Arm("no crisis", _LAB_3Y, measure_phases, timeline=SELF_STARTER),
        Arm("levers + crisis", _LAB_3Y_PHASE1, measure_phases, timeline=LEVERS + EARLY_CRISIS),
        Arm("levers", _LAB_3Y_PHASE1, measure_phases, timeline=LEVERS),
    ),
    judge=judge_wakeup, figure=figure_wakeup, mechanism=(FROZEN,),
    note="the phase-3 comparison now uses an arm that reaches phase 3 without a crisis",
)


# --------------------------------------------------------------------------------------------
# 8. The help-desk trap


def judge_help_desk(runs) -> Outcome:
    fixed = runs["fixed team"]
    growth = np.array([r["backlog_late"] / max(r["backlog_early"], 0.05) for r in fixed])
    drop = np.array([r["proactive_early"] - r["proactive_late"] for r in fixed])
    g_est, g_lo, g_hi = mean_ci(np.log(growth))
    d_est, d_lo, d_hi = mean_ci(drop)
    trapped = sum(r["help_desk_late"] > 0.5 for r in fixed)
    hired = sum(r["help_desk_late"] > 0.5 for r in runs["hiring team"])
    return Outcome(
        estimate=float(np.exp(g_est)), low=float(np.exp(g_lo)), high=float(np.exp(g_hi)),
        passed=np.exp(g_lo) > 1.5 and d_lo > 0.2 and trapped >= 0.8 * len(fixed),
        statement=(f"with a fixed team the backlog grows × {np.exp(g_est):.1f} "
                   f"[{np.exp(g_lo):.1f}, {np.exp(g_hi):.1f}] (geometric mean) and the "
                   f"proactive share falls by {ci_text(d_est, d_lo, d_hi, '{:.2f}')}; "
                   f"help desk in {trapped}/{len(fixed)} seeds (with hiring: {hired})"),
    )


def figure_help_desk(runs, fig) -> None:
    ax = fig.subplots()
    for arm, colour in (("fixed team", "#e76f51"), ("hiring team", "#2a9d8f")):
        early = values(runs, arm, "proactive_early")
        late = values(runs, arm, "proactive_late")
        for e, lt in zip(early, late, strict=True):
            ax.plot([0, 1], [e, lt], color=colour, alpha=0.4)
        ax.plot([], [], color=colour, label=arm)
    ax.set_xticks([0, 1], ["days 1-29", "last 90 days"])
    ax.set_ylabel("proactive share of customer service")
    ax.legend()
    ax.set_title("Demand outgrows a fixed team: proactive work dies", fontsize=10)


P8 = Pattern(
    8, "The help-desk trap",
    "When inbound demand outgrows a fixed customer service team, backlog grows and proactive "
    "work falls: the help-desk trap.",
    kind="emergent",
    inputs=("help-desk-trap preset (listening 1.0 on day 30, agency campaigns recruiting)",
            "word_of_mouth.hours_per_answer", "word_of_mouth.p_question",
            "word_of_mouth.patience_days", "classifier.help_desk_backlog_days",
            "classifier.help_desk_proactive_share"),
    statistic="per-seed backlog growth (last 90 days vs days 1-29, geometric mean), drop of the "
              "proactive share, share of seeds with the help-desk flag on; the hiring brand "
              "(brio, one lever: hiring) as the contrast",
    threshold="backlog growth lower CI > 1.5 ×, proactive share drop lower CI > 0.2, and the "
              "help-desk flag on in ≥ 80% of seeds by the end (Altimeter's help-desk path)",
    arms=(Arm("fixed team", "help-desk-trap", partial(measure_help_desk, brand="acme")),
          Arm("hiring team", "help-desk-trap", partial(measure_help_desk, brand="brio"))),
    judge=judge_help_desk, figure=figure_help_desk,
)


# --------------------------------------------------------------------------------------------
# 9. Training shortens adoption; adoption is S-shaped

SPONSOR = ({"kind": "sponsorship", "day": 0, "brand": "acme", "level": 0.6},)
# Customer service staffed for its queue: one hour a day of social work per agent (120 agents).
# With the default 24 h the queue of this market takes all of customer service's time (the
# help-desk trap of pattern 8), its practice cannot grow whatever the training, and the S-shape
# judged on it would measure pattern 8 again.
_LAB_3Y_STAFFED = lab({"acme": {"departments": {"customer_service": {"capacity_hours": 120.0}}}},
                      horizon=1095, word_of_mouth=QUIET_WOM)


def s_shaped(curve: np.ndarray) -> bool:
    """Growth speeds up then slows down: the peak of the smoothed daily increase is inside."""
    increase = np.convolve(np.diff(curve), np.ones(15) / 15, mode="valid")
    if increase.max() <= 0:
        return False
    peak = int(np.argmax(increase))
    return 0.05 * len(increase) < peak < 0.95 * len(increase) and curve[-1] > 0.5


def judge_training(runs) -> Outcome:
    kinds = [k for k in NON_EXECUTIVE if k not in ("marketing", "communication")]
    trained = np.array([[r[f"t50_{k}"] for k in kinds] for r in runs["training"]]).mean(axis=1)
    untrained = np.array([[r[f"t50_{k}"] for k in kinds] for r in runs["no training"]]
                         ).mean(axis=1)
    cut, lo, hi = mean_ci(1 - trained / untrained)
    s = sum(s_shaped(np.asarray(r["curve_customer_service"])) for r in runs["training"])
    share, _, _ = proportion_ci(s, len(runs["training"]))
    return Outcome(
        estimate=cut, low=lo, high=hi, passed=lo > 0.2 and share >= 0.8,
        statement=(f"training cuts the mean time for departments to reach adoption 0.5 by "
                   f"{ci_text(cut, lo, hi, '{:.0%}')}; customer service's adoption is S-shaped in "
                   f"{share:.0%} of seeds"),
        details={"mean days to 0.5, trained": float(trained.mean()),
                 "mean days to 0.5, not trained (capped at the horizon)":
                 float(untrained.mean())},
    )


def figure_training(runs, fig) -> None:
    ax = fig.subplots()
    for arm, colour in (("training", "#2a9d8f"), ("no training", "#e76f51")):
        for r in runs[arm][:10]:
            ax.plot(r["curve_customer_service"], color=colour, alpha=0.5)
        ax.plot([], [], color=colour, label=arm)
    ax.set_xlabel("day")
    ax.set_ylabel("customer-service adoption")
    ax.legend()
    ax.set_title("Training shortens an S-shaped adoption", fontsize=10)


P9 = Pattern(
    9, "Training shortens adoption; departmental adoption is S-shaped",
    "Training shortens the time for departments to adopt; departmental adoption is S-shaped.",
    kind="emergent",
    inputs=("organisation.adoption_p", "organisation.adoption_q",
            "organisation.untrained_skill", "organisation.training_awareness_gain",
            "training: 60% of eight departments from day 60 over 180 days"),
    statistic="per-seed relative cut in the mean day six departments first reach adoption 0.5 "
              "(trained vs not, the same sponsorship); share of seeds whose customer-service "
              "curve accelerates then decelerates",
    threshold="time cut lower CI > 20% (a fifth: a programme worth its cost) and an S-shape in "
              "≥ 80% of seeds. The S is written in the growth rule (adoption_q × a × (1 - a)), "
              "so only its timing is emergent; the training effect goes through skill, "
              "awareness and capacity",
    arms=(
        Arm("training", _LAB_3Y_STAFFED, measure_adoption, timeline=SPONSOR + (ALL_TRAINED,)),
        Arm("no training", _LAB_3Y_STAFFED, measure_adoption, timeline=SPONSOR),
    ),
    judge=judge_training, figure=figure_training, mechanism=(FROZEN,),
    note="the lab's customer service is staffed for its queue (120 h/day instead of 24): with "
         "24 h the queue took all its time (pattern 8's help-desk trap) and its adoption fell in "
         "every seed, so the S-shape test measured pattern 8, not adoption. Changed after the "
         "previous report showed 0% S-shaped; the threshold is unchanged",
)


# --------------------------------------------------------------------------------------------
# 10. Agency inertia and the turf war slow the transformation


def judge_slowdown(runs) -> Outcome:
    inertia, i_lo, i_hi = mean_ci(paired(runs, "agile agency", "inert agency", "maturity_365"))
    turf, t_lo, t_hi = mean_ci(paired(runs, "no turf war", "turf war", "maturity_365"))
    in_house, h_lo, h_hi = mean_ci(paired(runs, "agile agency", "inert agency",
                                          "marketing_communication_year"))
    return Outcome(
        estimate=turf, low=t_lo, high=t_hi, passed=i_lo > 0 and t_lo > 0,
        statement=(f"maturity after a year is higher by {ci_text(inertia, i_lo, i_hi)} with an "
                   f"agile agency and by {ci_text(turf, t_lo, t_hi)} without a turf war"),
        details={"secondary (not judged): marketing and communication adoption, first-year "
                 "mean, agile minus inert agency": ci_text(in_house, h_lo, h_hi)},
    )


def figure_slowdown(runs, fig) -> None:
    ax = fig.subplots()
    labels = ["inert agency", "agile agency", "turf war", "no turf war"]
    e = np.array([mean_ci(values(runs, a, "maturity_365")) for a in labels])
    ax.bar(labels, e[:, 0], color=["#e76f51", "#2a9d8f"] * 2, alpha=0.8)
    ax.errorbar(labels, e[:, 0], yerr=[e[:, 0] - e[:, 1], e[:, 2] - e[:, 0]], fmt="none",
                color="black", capsize=4)
    ax.set_ylabel("maturity, day 365")
    ax.grid(axis="y", alpha=0.3)
    ax.set_title("Agency inertia and the turf war slow the transformation", fontsize=10)


# One lever: the two agencies differ only in inertia (the preset also gives the agile one a
# motivation-matched campaign mix, a second lever).
_ONE_YEAR_AGENCIES = {"horizon_days": 365, "organisation.agency_review_days": 3650,
                      "agencies.nimble.campaign_mix": "campaign"}

P10 = Pattern(
    10, "Agency inertia and the marketing/communication turf war slow the transformation",
    "Agency inertia and the marketing/communication turf war slow the transformation.",
    kind="emergent",
    inputs=("agency inertia_days 2000 vs 60 (agency-inertia preset, campaign mix equalised)",
            "culture.turf_war 0.9 vs 0 (turf-war preset)",
            "organisation.turf_war_capacity_loss"),
    statistic="paired difference (same seed, same market) of the maturity index on day 365 "
              "between the two brands of each preset, which differ in that one lever",
    threshold="both differences' lower CI > 0 (the brief: both slow the transformation). The "
              "measured quantity is the maturity index, the claim's 'transformation', stated "
              "here before this run; the department-level adoption the previous version "
              "switched to after the overall effect came out small is reported as secondary",
    arms=(
        # No agency reviews: dropping the inert agency is the brand's way out, measured by the
        # preset itself; this pattern isolates the slowdown while the contract lasts.
        Arm("inert agency", "agency-inertia", partial(measure_phases, brand="acme"),
            overrides=_ONE_YEAR_AGENCIES),
        Arm("agile agency", "agency-inertia", partial(measure_phases, brand="brio"),
            overrides=_ONE_YEAR_AGENCIES),
        Arm("turf war", "turf-war", partial(measure_phases, brand="acme"),
            overrides={"horizon_days": 365}),
        Arm("no turf war", "turf-war", partial(measure_phases, brand="brio"),
            overrides={"horizon_days": 365}),
    ),
    judge=judge_slowdown, figure=figure_slowdown, mechanism=(FROZEN,),
    note="the measured quantity is back to the maturity index (stated before results); the "
         "agencies differ in inertia only",
)


# --------------------------------------------------------------------------------------------
# 11. Small firms rarely meet a crisis that matters


def judge_sme(runs) -> Outcome:
    sme = values(runs, "sme", "crises_atelier")
    large = values(runs, "sme", "crises_acme")
    p_sme, lo, hi = proportion_ci(int(np.sum(sme > 0)), len(sme))
    p_large, l_lo, l_hi = proportion_ci(int(np.sum(large > 0)), len(large))
    return Outcome(
        estimate=p_sme, low=lo, high=hi, passed=hi <= 0.25 and l_lo >= 0.3,
        statement=(f"share of seeds with a crisis in two years: SME "
                   f"{ci_text(p_sme, lo, hi, '{:.0%}')}, large brand "
                   f"{ci_text(p_large, l_lo, l_hi, '{:.0%}')}"),
    )


def figure_sme(runs, fig) -> None:
    counts = [values(runs, "sme", "crises_atelier"), values(runs, "sme", "crises_acme")]
    ax = fig.subplots()
    ax.boxplot(counts, tick_labels=["SME (atelier)", "large brand (acme)"])
    ax.set_ylabel("crises in two years")
    ax.set_title("Small firms rarely meet a crisis that matters", fontsize=10)


P11 = Pattern(
    11, "Small firms rarely meet a crisis large enough to matter",
    "A small firm with few followers rarely meets a crisis large enough to matter.",
    kind="emergent",
    inputs=("sme preset (atelier: 1% market share, 4% awareness)",
            "word_of_mouth.exogenous_crises_per_year × awareness² (an input rule: the "
            "exogenous half of the effect is written in it)", "word_of_mouth.crisis_l1"),
    statistic="share of seeds in which each brand has at least one crisis in two years, in "
              "the same market",
    threshold="SME upper CI ≤ 25% and large brand lower CI ≥ 30% ('rarely' vs 'regularly', in "
              "the same market). Partly by construction: unscheduled crises scale with "
              "awareness², and crisis levels are shares of the whole market",
    arms=(Arm("sme", "sme", measure_crises),),
    judge=judge_sme, figure=figure_sme,
)


# --------------------------------------------------------------------------------------------
# 12. Most never engage; a few percent engage weekly

WEEKLY_TARGET = 0.013  # Ehrenberg-Bass 2012, the figure engagement_scale was calibrated to


def judge_aggregate(runs) -> Outcome:
    ever = values(runs, "baseline", "ever_engaged")
    weekly = values(runs, "baseline", "weekly_engaged")
    reach = values(runs, "baseline", "organic_reach")
    e_est, e_lo, e_hi = mean_ci(ever)
    w_est, w_lo, w_hi = mean_ci(weekly)
    r_est, _, _ = mean_ci(reach)
    realised, x_lo, x_hi = mean_ci(ever / values(runs, "baseline", "share_engaging"))
    passed = (realised >= 0.8 and w_lo >= 0.8 * WEEKLY_TARGET and w_hi <= 1.2 * WEEKLY_TARGET)
    return Outcome(
        estimate=w_est, low=w_lo, high=w_hi, passed=passed,
        statement=(f"followers engaging in a week: {ci_text(w_est, w_lo, w_hi, '{:.2%}')}; "
                   f"customers who ever engaged with a brand in a year: "
                   f"{ci_text(e_est, e_lo, e_hi, '{:.1%}')}, i.e. "
                   f"{ci_text(realised, x_lo, x_hi, '{:.0%}')} of the 45% who engage at all; "
                   f"organic reach per post {r_est:.1%}"),
    )


def figure_aggregate(runs, fig) -> None:
    ever = mean_ci(values(runs, "baseline", "ever_engaged"))
    weekly = mean_ci(values(runs, "baseline", "weekly_engaged"))
    _bars(fig, ["ever engaged (customers)", "engaged this week (followers)"],
          [ever[0], weekly[0]], [ever[1], weekly[1]], [ever[2], weekly[2]], "share",
          "Most never engage; a few percent of fans engage weekly")


P12 = Pattern(
    12, "Most customers never engage; a few percent engage weekly",
    "In the aggregate, most customers never engage; a few percent engage weekly.",
    kind="calibrated",
    inputs=("market.share_engaging = 0.45 (IBM 2011: an upper bound of 'ever engaged', so "
            "'most never engage' holds by construction)",
            "behaviour.engagement_scale (calibrated to 1.3% weekly engaged fans, Ehrenberg-Bass "
            "2012)", "market.share_active"),
    statistic="mean over seeds of the weekly engaged share of followers (days 30-365, "
              "baseline) and of the share of the 45% engaging customers who engage at least "
              "once in the year",
    threshold="weekly engaged within 1.3% ± 20% ([1.04%, 1.56%], CI inside): the calibration "
              "target with a fifth of tolerance for the market noise between the calibration "
              "run and this one (the former [0.5%, 5%] was four times wider than the figure); "
              "at least 80% of the customers who engage at all engage within a year (else the "
              "45% of IBM is not what the model shows). 'Most never engage' is not tested: "
              "ever engaged ≤ share_engaging = 45% by construction",
    arms=(Arm("baseline", "baseline", partial(measure_market, start=30),
              overrides={"horizon_days": 365}),),
    judge=judge_aggregate, figure=figure_aggregate,
    note="relabelled calibrated; weekly window tightened around the calibration figure; the "
         "tested quantity is the realised share of the engaging 45%",
)

PATTERNS = (P1, P2, P3, P4, P5, P6, P7, P8, P9, P10, P11, P12)
