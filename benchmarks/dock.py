"""Docking: the vectorised market against the per-agent Mesa reference, inside the full model.

    python benchmarks/dock.py [--seeds 8] [--customers 5000] [--days 180] [--jobs 2]
                              [--variant baseline|stress|both]

The organisation side is the same code in both runs (``SocialBusinessModel``); only the customer
side differs, through ``market_factory``: :class:`simulation.customers.Market` (vectorised) or
:class:`benchmarks.peragent.PerAgentMarket` (one Mesa agent per customer). Each implementation
runs over its own independent seeds (spawned from one ``SeedSequence``), so the two samples are
independent and the usual two-sample standard error applies.

Variants: ``baseline`` is the baseline scenario as shipped, with fewer customers; ``stress``
multiplies the rates of the rare events (engagement, shares, viral follows, incidents, public
complaints; factors in ``STRESS_FACTORS``, applied to the scenario's own values) and injects a
crisis (the ``crisis`` intervention with its default virality and seeds), so that engagement,
word of mouth, answers, crisis levels and the crisis response are all exercised with enough
events to be compared.

Compared, day by day, per brand: followers, engagements, mean fatigue (of followers), net
sentiment, new complaints, negative exposures, customers; and market-wide: complaints so far,
mean fatigue of engaging customers, share who ever engaged. Also derived series that remove most
of the seed-to-seed spread of the initial population, so the daily rules are compared more
sharply: followers and customers as changes since day 0, engagements per follower; and, over all
brands together, one direct observable of each rule (``RULE_METRICS``: organic reach for rule 1,
viral views for 3, new follows and unfollows for 5, sales for 7, questions for 8, incidents,
answers and backlog for 9).

Tolerances (``Tolerances``):

* Day by day: |mean_a - mean_b| <= 4 x sqrt(se_a^2 + se_b^2), se = between-seed standard
  deviation / sqrt(seeds). With 8 + 8 seeds the ratio is about Student's t with 14 degrees of
  freedom, so an honest pair exceeds 4 on a given day with probability ~0.13%. A series passes
  when at most 5% of its days exceed: days are strongly autocorrelated (one unusual seed in a
  persistent quantity such as followers moves several consecutive days together), and 5% of
  the days leaves room for one such episode per series while a systematic difference -- a rule
  coded differently -- shifts most days and fails.
* Summary: the time average of each series over the run, one value per seed, must agree within
  4 standard errors as well.
* Multiple comparisons: one variant compares ~45 series, so an honest pair fails one of them by
  chance with probability about 45 x 0.13% ~ 6% (more for heavy-tailed series, below). Hence a
  confirmation: when anything fails, the variant is run again on fresh seeds (the next
  ``SeedSequence``), and a series counts as a disagreement only if it fails both times with the
  difference of the same sign. By chance that happens with probability ~45 x 0.13%^2, under
  1e-4; a rule coded differently fails both times.
* Cascades: the sizes of all customer complaints' cascades, pooled over seeds, per brand, must
  not differ by a two-sample Kolmogorov-Smirnov test at p < 0.001. Cascade sizes are
  heavy-tailed, so seed-level averages of word-of-mouth series (negative exposures, and net
  sentiment when complaints are frequent) are dominated by a few large cascades and their
  standard errors are unreliable with a handful of seeds; the pooled distribution uses every
  complaint. (Complaints of one run share that run's state, so the KS p-value is somewhat
  optimistic: hence the small threshold.)
* A series identical in every seed of both implementations (e.g. no complaint at all) passes;
  a series with zero spread in one implementation and a different constant in the other fails.
"""

from __future__ import annotations

import argparse
import multiprocessing
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BRAND_METRICS = ("followers", "engagements", "mean_fatigue", "net_sentiment", "complaints_new",
                 "negative_exposures", "customers")
MARKET_METRICS = ("complaints_total", "mean_fatigue_engaging", "ever_engaged_share")
# Derived series with most of the between-seed spread of the initial population removed, so the
# daily rules are compared more sharply: stocks as changes since day 0, engagement per follower.
CHANGE_METRICS = ("followers", "customers")
# One direct observable per rule, over all brands (sum, or mean for shares): name -> how.
RULE_METRICS = {
    "organic_reach": "mean",  # rule 1
    "weekly_engaged_share": "mean",  # rule 2
    "viral_views": "sum",  # rule 3
    "new_follows": "sum",  # rule 5
    "unfollows": "sum",  # rule 5
    "sales": "sum",  # rule 7
    "questions_new": "sum",  # rule 8
    "incidents": "sum",  # rule 9
    "complaints_answered": "sum",  # rule 9
    "backlog": "sum",  # rule 9
}
# Multipliers applied to the scenario's own values in the stress variant (not model constants:
# they only raise event counts so that the comparison has power).
STRESS_FACTORS = {
    "behaviour.engagement_scale": 4.0,
    "behaviour.p_share": 3.0,
    "behaviour.p_follow_per_viral_view": 10.0,
    "word_of_mouth.p_complain_public": 4.0,
}
STRESS_INCIDENT_FACTOR = 3.0
STRESS_CRISIS_DAY_SHARE = 0.25  # the crisis is injected a quarter of the way through the run


@dataclass(frozen=True)
class Tolerances:
    z_day: float = 4.0  # day by day, in standard errors of the difference of seed-means
    allowed_day_share: float = 0.05  # share of days a series may exceed z_day
    z_summary: float = 4.0  # time average over the run, in standard errors
    p_cascades: float = 0.001  # two-sample KS test of cascade sizes, per brand


def scenario_overrides(variant: str, n_customers: int, days: int) -> dict:
    """Overrides of the baseline scenario for a docking variant."""
    from simulation.scenario import load_scenario

    overrides: dict = {"market.n_customers": n_customers, "horizon_days": days}
    if variant == "baseline":
        return overrides
    if variant != "stress":
        raise ValueError(f"variant must be 'baseline' or 'stress', got {variant!r}")
    base = load_scenario("baseline")
    for key, factor in STRESS_FACTORS.items():
        section, name = key.split(".")
        overrides[key] = min(1.0, getattr(getattr(base, section), name) * factor)
    for brand_name, brand in base.brands.items():
        overrides[f"brands.{brand_name}.incident_rate"] = min(
            1.0, brand.incident_rate * STRESS_INCIDENT_FACTOR)
    first = next(iter(base.brands))
    overrides["timeline"] = [{"kind": "crisis", "day": max(1, int(days * STRESS_CRISIS_DAY_SHARE)),
                              "brand": first}]
    return overrides


@dataclass
class Run:
    """One run: the daily series (one row per day, columns (metric, brand)) and the size of
    every customer complaint's cascade (people reached), by brand."""

    series: pd.DataFrame
    cascades: pd.DataFrame


def run_one(implementation: str, overrides: dict, seed: int, days: int) -> Run:
    """One run of the full model with the given customer implementation."""
    from simulation.model import SocialBusinessModel

    factory = None
    if implementation == "peragent":
        from benchmarks.peragent import PerAgentMarket

        factory = PerAgentMarket
    elif implementation != "vectorised":
        raise ValueError(f"implementation must be 'vectorised' or 'peragent', got "
                         f"{implementation!r}")
    model = SocialBusinessModel("baseline", rng=seed, overrides=overrides,
                                market_factory=factory)
    model.run(days)
    frame = model.brand_frame()
    wide = frame.pivot(index="day", columns="brand", values=list(BRAND_METRICS)).astype(float)
    derived = {}
    for metric in CHANGE_METRICS:
        for brand in wide[metric].columns:
            series = wide[(metric, brand)]
            derived[(f"{metric}_change", brand)] = series - series.iloc[0]
    for brand in wide["engagements"].columns:
        followers = wide[("followers", brand)].where(wide[("followers", brand)] > 0)
        derived[("engagements_per_follower", brand)] = (
            wide[("engagements", brand)] / followers).fillna(0.0)
    for metric, how in RULE_METRICS.items():
        derived[(metric, "all")] = frame.groupby("day")[metric].agg(how).astype(float)
    market = frame.groupby("day")[list(MARKET_METRICS)].first()
    market.columns = pd.MultiIndex.from_tuples([(m, "market") for m in MARKET_METRICS])
    complaints = model.market.complaints.table.to_frame()
    own = complaints[complaints["origin"] == "customer"]
    cascades = pd.DataFrame({"brand": [model.market.brand_names[b] for b in own["brand"]],
                             "size": own["size"].to_numpy()})
    return Run(pd.concat([wide, pd.DataFrame(derived), market], axis=1).astype(float), cascades)


def _run(args):
    return run_one(*args)


def run_many(tasks: list[tuple[str, dict, int, int]], jobs: int = 1) -> list[Run]:
    """Runs for (implementation, overrides, seed, days) tasks, on ``jobs`` processes."""
    if jobs <= 1:
        return [_run(t) for t in tasks]
    # spawn, not fork: the parent may be multi-threaded (BLAS, pytest plugins).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=jobs, mp_context=context) as pool:
        return list(pool.map(_run, tasks))


def replicate_seeds(n: int, base: int = 2011) -> tuple[list[int], list[int]]:
    """Independent seeds for the two implementations (house style: SeedSequence.spawn)."""
    children = np.random.SeedSequence(base).spawn(2 * n)
    seeds = [int(c.generate_state(1, np.uint64)[0] >> 1) for c in children]
    return seeds[:n], seeds[n:]


def compare(frames_a: list[pd.DataFrame], frames_b: list[pd.DataFrame],
            tol: Tolerances = Tolerances()) -> pd.DataFrame:
    """One row per series: seed-means, standard errors, summary z and share of days exceeding."""
    columns = frames_a[0].columns
    a = np.stack([f[columns].to_numpy() for f in frames_a])  # (seed, day, series)
    b = np.stack([f[columns].to_numpy() for f in frames_b])
    rows = []
    for j, (metric, brand) in enumerate(columns):
        xa, xb = a[:, :, j], b[:, :, j]
        # Day by day.
        diff = xa.mean(axis=0) - xb.mean(axis=0)
        se = np.sqrt(xa.var(axis=0, ddof=1) / len(xa) + xb.var(axis=0, ddof=1) / len(xb))
        scale = max(np.abs(xa).max(), np.abs(xb).max(), 1.0)
        exceed = np.abs(diff) > tol.z_day * se + 1e-9 * scale
        # Summary: the time average per seed.
        ta, tb = xa.mean(axis=1), xb.mean(axis=1)
        sd = np.sqrt(ta.var(ddof=1) / len(ta) + tb.var(ddof=1) / len(tb))
        d = ta.mean() - tb.mean()
        z = abs(d) / sd if sd > 0 else (0.0 if abs(d) <= 1e-9 * scale else np.inf)
        mean = (ta.mean() + tb.mean()) / 2
        rows.append({
            "metric": metric, "brand": brand,
            "vectorised": ta.mean(), "peragent": tb.mean(), "diff": d, "se": sd, "z": z,
            # The smallest relative difference of time averages this run could detect (left
            # out where the mean itself is within that margin of zero).
            "resolution": (tol.z_summary * sd / abs(mean) if abs(mean) > tol.z_summary * sd
                           else np.nan),
            "days_exceeding": float(exceed.mean()),
            "ok": bool(z <= tol.z_summary and exceed.mean() <= tol.allowed_day_share),
        })
    return pd.DataFrame(rows)


def compare_cascades(runs_a: list[Run], runs_b: list[Run],
                     tol: Tolerances = Tolerances()) -> pd.DataFrame:
    """Cascade sizes of customer complaints, pooled over seeds: two-sample KS test per brand."""
    from scipy.stats import ks_2samp

    a = pd.concat([r.cascades for r in runs_a])
    b = pd.concat([r.cascades for r in runs_b])
    rows = []
    for brand in sorted(set(a["brand"]) | set(b["brand"])):
        xa = a.loc[a["brand"] == brand, "size"].to_numpy()
        xb = b.loc[b["brand"] == brand, "size"].to_numpy()
        p = float(ks_2samp(xa, xb).pvalue) if len(xa) and len(xb) else float("nan")
        rows.append({"brand": brand, "complaints_v": len(xa), "complaints_p": len(xb),
                     "mean_v": xa.mean() if len(xa) else np.nan,
                     "mean_p": xb.mean() if len(xb) else np.nan,
                     "median_v": np.median(xa) if len(xa) else np.nan,
                     "median_p": np.median(xb) if len(xb) else np.nan,
                     "ks_p": p, "ok": bool(not p < tol.p_cascades)})
    return pd.DataFrame(rows)


@dataclass
class Docking:
    series: pd.DataFrame  # one row per compared series (see compare)
    cascades: pd.DataFrame  # one row per brand (see compare_cascades)
    confirmation: Docking | None = None  # the re-run on fresh seeds, when something failed

    def _failed(self) -> dict[str, float]:
        """Failing comparisons and the sign of their difference."""
        bad = {f"{r.metric}/{r.brand}": np.sign(r.diff)
               for r in self.series.itertuples() if not r.ok}
        bad.update({f"cascade sizes/{r.brand}": np.sign(r.mean_v - r.mean_p)
                    for r in self.cascades.itertuples() if not r.ok})
        return bad

    def failures(self) -> list[str]:
        """Disagreements: failed here and, if re-run, again on fresh seeds with the same sign."""
        bad = self._failed()
        if self.confirmation is None:
            return list(bad)
        again = self.confirmation._failed()
        return [name for name, sign in bad.items() if again.get(name) == sign]

    @property
    def ok(self) -> bool:
        return not self.failures()


def dock(variant: str, n_seeds: int, n_customers: int, days: int, jobs: int = 1,
         tol: Tolerances = Tolerances(), base_seed: int = 2011, confirm: bool = True
         ) -> Docking:
    """Run both implementations over independent seeds and compare them (see the module
    docstring); with ``confirm``, failures are re-checked once on fresh seeds."""
    overrides = scenario_overrides(variant, n_customers, days)
    seeds_a, seeds_b = replicate_seeds(n_seeds, base_seed)
    # One pool for both; the slow per-agent runs first, so the two processes finish together.
    tasks = ([("peragent", overrides, seed, days) for seed in seeds_b]
             + [("vectorised", overrides, seed, days) for seed in seeds_a])
    runs = run_many(tasks, jobs)
    runs_b, runs_a = runs[:n_seeds], runs[n_seeds:]
    result = Docking(compare([r.series for r in runs_a], [r.series for r in runs_b], tol),
                     compare_cascades(runs_a, runs_b, tol))
    if confirm and result._failed():
        result.confirmation = dock(variant, n_seeds, n_customers, days, jobs, tol,
                                   base_seed + 1, confirm=False)
    return result


def _print(result: Docking, tol: Tolerances) -> None:
    with pd.option_context("display.width", 150, "display.max_rows", 200,
                           "display.float_format", "{:.4g}".format):
        print(result.series.drop(columns="diff").to_string(index=False))
        print(f"   cascade sizes of customer complaints (pooled over seeds; KS p >= "
              f"{tol.p_cascades}):")
        print(result.cascades.to_string(index=False))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=8)
    parser.add_argument("--customers", type=int, default=5000)
    parser.add_argument("--days", type=int, default=180)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--variant", choices=("baseline", "stress", "both"), default="both")
    parser.add_argument("--base-seed", type=int, default=2011,
                        help="entropy of the SeedSequence the replicate seeds are spawned from")
    parser.add_argument("--no-confirm", action="store_true",
                        help="do not re-run failures on fresh seeds")
    args = parser.parse_args(argv)
    variants = ("baseline", "stress") if args.variant == "both" else (args.variant,)
    tol = Tolerances()
    failed = 0
    for variant in variants:
        start = time.perf_counter()
        result = dock(variant, args.seeds, args.customers, args.days, args.jobs, tol,
                      args.base_seed, confirm=not args.no_confirm)
        table = result.series
        elapsed = time.perf_counter() - start
        print(f"\n== {variant}: {args.seeds} + {args.seeds} seeds, {args.customers:,} customers, "
              f"{args.days} days ({elapsed:.0f} s)")
        print(f"   tolerance: |diff| <= {tol.z_day} SE on at least "
              f"{1 - tol.allowed_day_share:.0%} of days; time average within "
              f"{tol.z_summary} SE")
        _print(result, tol)
        if result.confirmation is not None:
            print(f"   failed: {', '.join(result._failed())}; re-run on fresh seeds "
                  f"(base seed {args.base_seed + 1}):")
            _print(result.confirmation, tol)
        bad = result.failures()
        failed += len(bad)
        print(f"   {len(table) + len(result.cascades) - len(bad)} of "
              f"{len(table) + len(result.cascades)} comparisons agree"
              + (": DISAGREE " + ", ".join(bad) if bad else ""))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
