"""Compare with replicates (dashboards/replicates.py and the Compare tab), without a browser.

The statistics are checked against their definition (a paired t interval over seeds) and on two
cases whose answer is known before running: two identical arms share every seed, so every
per-seed difference is exactly 0 (never distinguishable); a brand recruiting followers 36 times
as fast moves its followers by far more than the seed-to-seed noise of a 20-day run
(distinguishable). A tiny
market (600 customers) keeps the file to a few seconds.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import solara
from scipy import stats

from simulation import load_scenario
from simulation.experiments.analysis import wilson_interval
from simulation.experiments.executors import SerialExecutor
from simulation.scenario import DEFAULT_SCENARIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from widget_support import button, commit, wait_for, walk  # noqa: E402

from dashboards import replicates as rep  # noqa: E402
from dashboards.components import compare  # noqa: E402
from dashboards.livechart import LiveChart  # noqa: E402
from dashboards.state import Session  # noqa: E402

TINY = {"market.n_customers": 600}


def test_paired_differences_are_a_t_interval_over_per_seed_differences():
    """Two arms sharing a large seed effect: the paired interval is the t interval of the
    per-seed differences (narrow), not the difference of two wide level intervals."""
    rng = np.random.default_rng(5)
    seeds = list(range(8))
    shared = rng.normal(0, 10, len(seeds))  # what a seed does to both arms
    effect = 1.0 + rng.normal(0, 0.2, len(seeds))
    rows = [{"arm": "A", "seed": s, "brand": "x", **{k: 0.0 for k in rep.OUTCOME_KEYS}}
            for s in seeds]
    rows += [{"arm": "B", "seed": s, "brand": "x", **{k: 0.0 for k in rep.OUTCOME_KEYS}}
             for s in seeds]
    frame = pd.DataFrame(rows)
    frame.loc[frame["arm"] == "A", "followers"] = shared
    frame.loc[frame["arm"] == "B", "followers"] = shared + effect
    table = rep.difference_table(frame.sample(frac=1, random_state=1), "A")  # any row order
    row = table[table["outcome"] == "followers"].iloc[0]
    half = stats.t.ppf(0.975, 7) * effect.std(ddof=1) / np.sqrt(8)
    assert row["difference"] == pytest.approx(effect.mean())
    assert (row["low"], row["high"]) == pytest.approx((effect.mean() - half,
                                                       effect.mean() + half))
    assert row["distinguishable"]
    # The level interval of the baseline is over its own seeds (wide: the shared effect).
    assert row["baseline_high"] - row["baseline_low"] > 10 * (row["high"] - row["low"])
    zero = table[table["outcome"] == "maturity"].iloc[0]
    assert zero["difference"] == 0 and not zero["distinguishable"]


def test_wilson_interval_matches_its_formula_and_stays_in_0_1():
    """The share-of-seeds band: the Wilson score interval, computed by hand for 3 of 8
    (z = 1.96), never outside [0, 1] and not empty when every seed agrees."""
    z = stats.norm.ppf(0.975)
    p, n = 3 / 8, 8
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    low, high = wilson_interval([3, 0, 8], [n, n, n], 0.95)
    assert (low[0], high[0]) == pytest.approx((centre - half, centre + half))
    assert low[1] == 0 and 0.25 < high[1] < 0.4  # 0 of 8: up to about a third
    assert high[2] == 1 and 0.6 < low[2] < 0.75


def test_the_phase_is_compared_as_a_share_of_seeds_not_a_mean():
    """The ordinal phase is not averaged: Compare shows the share of seeds in social business
    (0 or 100 % for one seed, a share of seeds in between), with a band inside [0, 100] %."""
    assert "phase" not in rep.CHART_COLUMNS and "social_business_share" in rep.CHART_COLUMNS
    base = load_scenario("crisis-wakeup", TINY)
    result = rep.run_arms([rep.Arm("A", base)], rep.seeds_for(1, 3), 30,
                          executor=SerialExecutor())
    share = result.series["social_business_share"]
    assert set(share.unique()) <= {0.0, 100.0}
    expected = (result.series["phase"] >= 3).astype(float) * 100
    assert (share == expected).all()
    levels = result.levels()
    rows = levels[levels["metric"] == "social_business_share"]
    assert len(rows) == 31 * len(base.brands)
    assert ((rows["low"] >= 0) & (rows["high"] <= 100) & (rows["low"] <= rows["mean"])
            & (rows["mean"] <= rows["high"])).all()
    assert (rows["high"] > rows["low"]).all()  # 3 seeds never pin a share to one value


def test_identical_arms_are_not_distinguishable_and_a_strong_lever_is():
    base = load_scenario(DEFAULT_SCENARIO, TINY)
    brand = next(iter(base.brands))
    # A lever that recruits followers directly (its daily recruitment probability 36 times the
    # baseline's): far more than a 20-day run's seed noise. (Tripling the posts, used before,
    # moves followers by less than their noise: posting saturates attention, it does not recruit.)
    louder = load_scenario(DEFAULT_SCENARIO, {**TINY, f"brands.{brand}.recruitment_p": 0.003})
    arms = [rep.Arm("A", base), rep.Arm("A again", base), rep.Arm("louder", louder)]
    seen = []
    result = rep.run_arms(arms, rep.seeds_for(11, 4), 20, executor=SerialExecutor(),
                          progress=lambda done, total: seen.append((done, total)))
    assert seen[-1] == (12, 12) and result.day == 20
    # The same seeds in every arm.
    assert (result.series.groupby("arm")["seed"].unique().map(tuple).nunique()) == 1
    table = result.table()
    same = table[table["arm"] == "A again"]
    assert len(same) == len(rep.OUTCOMES) * len(base.brands)
    assert (same["difference"] == 0).all() and not same["distinguishable"].any()
    followers = table[(table["arm"] == "louder") & (table["brand"] == brand)
                      & (table["outcome"] == "followers")].iloc[0]
    assert followers["distinguishable"], followers
    # Daily bands: the identical arm's paired band is [0, 0] on every day.
    daily = result.daily_differences()
    assert (daily.loc[daily["arm"] == "A again", ["low", "high"]].abs().max() == 0).all()
    levels = result.levels()
    known = levels.dropna(subset=["low"])  # flows have no value on day 0
    assert len(known) >= len(levels) - 3 * len(rep.CHART_COLUMNS) * len(base.brands)
    assert (known["low"] <= known["mean"] + 1e-9).all()
    assert (known["mean"] <= known["high"] + 1e-9).all()


def test_cancel_stops_between_runs():
    base = load_scenario(DEFAULT_SCENARIO, TINY)
    calls = []

    def cancelled():
        calls.append(1)
        return len(calls) > 2

    with pytest.raises(rep.Cancelled):
        rep.run_arms([rep.Arm("A", base), rep.Arm("B", base)], rep.seeds_for(1, 8), 5,
                     executor=SerialExecutor(), cancelled=cancelled)
    assert len(calls) == 3  # two runs made, not sixteen


def _find_input(rc, label_start: str):
    import ipyvuetify as v

    return next(w for w in walk(rc) if isinstance(w, v.TextField)
                and str(getattr(w, "label", "")).startswith(label_start))


def test_compare_tab_draws_bands_and_the_table(monkeypatch):
    monkeypatch.setattr(compare, "compare_executor", SerialExecutor)
    session = Session(DEFAULT_SCENARIO, overrides=TINY)
    from tests.test_dashboard_components import make_controller

    _box, rc = solara.render(compare.CompareView(make_controller(session)), handle_error=False)
    commit(_find_input(rc, "Run to day"), "10")
    commit(_find_input(rc, "Seeds per arm"), "3")
    button(rc, "Run comparison").click()

    def html():
        return "\n".join(w.unsafe_innerHTML for w in walk(rc)
                         if isinstance(getattr(w, "unsafe_innerHTML", None), str))

    def drawn() -> bool:  # the job's thread renders the result: wait until all of it is there
        try:
            return ("Differences on day 10" in html() and "not distinguishable" in html()
                    and len([w for w in walk(rc) if isinstance(w, LiveChart)]) == 1)
        except RuntimeError:  # the tree changed while walked
            return False

    wait_for(drawn, timeout=60)
    charts = [w for w in walk(rc) if isinstance(w, LiveChart)]
    assert len(charts) == 1
    spec, initial = charts[0].spec, charts[0].initial
    assert len(spec["series"]) == 2 * len(rep.CHART_COLUMNS)  # two arms, one line per panel
    assert all(len(r) == 11 for r in initial["ranges"])  # a band on every line, days 0-10
    shown = html()
    assert "t-interval" in shown and "not distinguishable from noise" in shown
    assert "3 runs each" in shown
    # Fewer seeds than allowed: a one-line message, nothing run. (The job's thread renders the
    # page last: it must be done before the next click, as a person's would be.)
    compare._JOBS[session].thread.join(timeout=30)
    commit(_find_input(rc, "Seeds per arm"), "1")
    button(rc, "Run comparison").click()
    assert "Seeds per arm: 1 (must be from 2 to 32)" in "\n".join(
        str(getattr(w, "children", "")) for w in walk(rc))
