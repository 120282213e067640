"""Every preset runs to its horizon and shows what its narrative promises.

Each preset runs as shipped, over 4 seeds; a claim holds when it holds in at least 3 of the 4
runs (a narrative is about the typical course, not every draw). Slow: `make validate`.
"""

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pytest

from simulation import list_scenarios, load_scenario, run_scenario

pytestmark = pytest.mark.validation
SEEDS = (1, 2, 3, 4)


def _run(args):
    name, seed = args
    result = run_scenario(name, seed=seed)
    return result.timeseries, result.events


@pytest.fixture(scope="module")
def runs():
    jobs = [(name, seed) for name in list_scenarios() for seed in SEEDS]
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        results = list(pool.map(_run, jobs))
    out: dict[str, list] = {}
    for (name, _seed), result in zip(jobs, results, strict=True):
        out.setdefault(name, []).append(result)
    return out


def typical(flags) -> bool:
    return sum(bool(f) for f in flags) >= 3


def brand(frame, name):
    return frame[frame["brand"] == name].set_index("day")


def window(rows, column, start, end):
    return rows.loc[start:end, column].mean()


def test_every_preset_runs_to_its_horizon(runs):
    for name, results in runs.items():
        horizon = load_scenario(name).horizon_days
        for frame, _events in results:
            assert frame["day"].max() == horizon, name
            assert frame["day"].nunique() == horizon + 1, name


def test_baseline_every_brand_stays_in_phase_2(runs):
    assert typical((frame.groupby("brand")["phase"].last() == 2).all()
                   for frame, _ in runs["baseline"])


def test_saturation_acme_changes_course_and_gains_engagement_per_post_and_loses_fewer_fans(runs):
    flags = []
    for frame, _ in runs["saturation"]:
        acme, brio = brand(frame, "acme"), brand(frame, "brio")
        before = window(acme, "engagement_per_post", 120, 179)
        after = window(acme, "engagement_per_post", 240, 365)
        flags.append(after > 2 * before
                     and after > window(brio, "engagement_per_post", 240, 365)
                     and window(acme, "unfollows", 240, 365) < window(brio, "unfollows", 240, 365)
                     and window(acme, "organic_reach", 1, 179) < 0.19)
    assert typical(flags)


def test_crisis_wakeup_video_becomes_a_crisis_within_days_and_wakes_executives(runs):
    flags = []
    for frame, events in runs["crisis-wakeup"]:
        starts = events[(events["kind"] == "crisis_start") & (events["brand"] == "acme")]
        acme, brio = brand(frame, "acme"), brand(frame, "brio")
        flags.append(len(starts) and 45 <= starts["day"].min() <= 50
                     and acme.loc[90, "sponsorship"] > acme.loc[44, "sponsorship"] + 0.2
                     and acme["phase"].iloc[-1] == 3 and brio["phase"].iloc[-1] == 2)
    assert typical(flags)


def test_social_business_acme_reaches_phase_3_while_brio_stalls(runs):
    flags = []
    for frame, _ in runs["social-business"]:
        acme, brio = brand(frame, "acme"), brand(frame, "brio")
        first3 = acme.index[acme["phase"] == 3]
        flags.append(len(first3) and first3[0] <= 600 and brio["phase"].iloc[-1] == 2
                     and acme["social_sales"].iloc[-180:].sum() > 0)
    assert typical(flags)


def test_help_desk_trap_catches_the_fixed_team_not_the_one_that_hires(runs):
    flags = []
    for frame, _ in runs["help-desk-trap"]:
        acme, brio = brand(frame, "acme"), brand(frame, "brio")
        flags.append(acme["help_desk"].iloc[-90:].mean() > 0.5
                     and brio["help_desk"].iloc[-90:].mean() < 0.1
                     and window(acme, "proactive_share", 400, 540)
                     < window(brio, "proactive_share", 400, 540))
    assert typical(flags)


def test_agency_inertia_keeps_acme_pushing_longer(runs):
    flags = []
    for frame, _events in runs["agency-inertia"]:
        acme, brio = brand(frame, "acme"), brand(frame, "brio")
        flags.append(window(acme, "push_share", 60, 180) > window(brio, "push_share", 60, 180)
                     and window(acme, "mean_fatigue", 60, 180)
                     > window(brio, "mean_fatigue", 60, 180))
    assert typical(flags)


def test_turf_war_slows_acme(runs):
    flags = []
    for frame, _ in runs["turf-war"]:
        acme, brio = brand(frame, "acme"), brand(frame, "brio")
        flags.append(acme.loc[360, "maturity"] < brio.loc[360, "maturity"] - 0.05)
    assert typical(flags)


def test_sme_rarely_meets_a_crisis_while_the_large_brand_does(runs):
    sme_crises = [((e["kind"] == "crisis_start") & (e["brand"] == "atelier")).sum()
                  for _, e in runs["sme"]]
    large_crises = [((e["kind"] == "crisis_start") & (e["brand"] == "acme")).sum()
                    for _, e in runs["sme"]]
    assert sum(sme_crises) == 0
    assert sum(large_crises) >= 1


def test_perception_gap_listener_engages_more_per_post(runs):
    ratios = []
    for frame, _ in runs["perception-gap"]:
        believer, listener = brand(frame, "believer"), brand(frame, "listener")
        ratios.append(window(listener, "engagement_per_post", 1, 365)
                      / window(believer, "engagement_per_post", 1, 365))
    assert np.mean(ratios) > 1.4 and typical(r > 1.2 for r in ratios)
