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


# --------------------------------------------------------------------------------------------
# Every cue's claim, on (or near) its own day, with the preset's own seed
#
# A trainer pauses the dashboard at a cue and the room looks at what the cue says: so each
# claim must hold in the run the trainer shows (the preset as shipped, its own seed), at the
# cue's day. Events must happen within CUE_WINDOW days of it (two weeks: about as long as the
# room looks at the screen before Play again, and the 7-day confirmation of phase and
# help-desk changes fits in it); levels are read as means over that window around the day.
# Every cue of every preset must have a claim below, so a new cue cannot go untested.

CUE_WINDOW = 14


class Cue:
    """What a claim can read: the run's series and events around the cue's day."""

    def __init__(self, frame, events, day):
        self.frame, self.events, self.day = frame, events, day

    def rows(self, brand_name):
        return brand(self.frame, brand_name)

    def at(self, brand_name, column, day=None):
        """Mean of a column over the window around ``day`` (default: the cue's day)."""
        day = self.day if day is None else day
        return window(self.rows(brand_name), column, max(0, day - CUE_WINDOW // 2),
                      day + CUE_WINDOW // 2)

    def on(self, brand_name, column, day=None):
        return self.rows(brand_name).loc[self.day if day is None else day, column]

    def event_days(self, brand_name, kind, cause=None):
        e = self.events[(self.events["brand"] == brand_name) & (self.events["kind"] == kind)]
        if cause is not None:
            e = e[e["cause"] == cause]
        return list(e["day"])

    def happens(self, brand_name, kind, cause=None):
        """The event is logged within CUE_WINDOW days of the cue's day."""
        return any(abs(d - self.day) <= CUE_WINDOW
                   for d in self.event_days(brand_name, kind, cause))

    def brands(self):
        return list(self.frame["brand"].unique())

    def first_phase3(self, brand_name):
        rows = self.rows(brand_name)
        days = rows.index[rows["phase"] == 3]
        return int(days[0]) if len(days) else None


NON_HUB = ("customer_service", "crm", "pr", "hr", "quality", "rnd")

CUE_CLAIMS = {
    "baseline": {
        0: lambda c: all(c.on(b, "phase") == 2 and c.on(b, "adoption_marketing") >= 0.5
                         and c.on(b, "adoption_communication") >= 0.5
                         and all(c.on(b, f"adoption_{k}") < 0.3 for k in NON_HUB)
                         for b in c.brands()),
        90: lambda c: 0.12 <= c.at("acme", "organic_reach") <= 0.28
        and 0.01 <= c.at("acme", "weekly_engaged_share") <= 0.03,
        365: lambda c: all(
            (c.on(b, "sponsorship") > c.on(b, "sponsorship", 0) + 0.1)
            == bool([d for d in c.event_days(b, "crisis_start") if d <= 365])
            and (bool([d for d in c.event_days(b, "crisis_start") if d <= 365])
                 or c.on(b, "maturity") < c.on(b, "maturity", 0) + 0.05)
            for b in c.brands()),
        730: lambda c: all(c.on(b, "phase") == 2 for b in c.brands()),
    },
    "saturation": {
        30: lambda c: c.at("acme", "organic_reach") < 0.19,
        120: lambda c: c.at("acme", "mean_fatigue") > c.at("acme", "mean_fatigue", 30)
        and c.at("brio", "unfollows") >= 0.8 * c.at("brio", "new_follows"),
        180: lambda c: c.happens("acme", "agency_dropped")
        and c.on("acme", "posts", 181) < c.on("acme", "posts", 179),
        365: lambda c: all(
            c.at("acme", "posts") < c.at(b, "posts")
            and c.at("acme", "engagement_per_post") > c.at(b, "engagement_per_post")
            and c.at("acme", "unfollows") < c.at(b, "unfollows")
            for b in c.brands() if b != "acme"),
    },
    "crisis-wakeup": {
        45: lambda c: c.happens("acme", "crisis_start")
        and c.rows("acme").loc[45:52, "crisis_level"].max() >= 2,
        50: lambda c: c.happens("acme", "crisis_response"),
        60: lambda c: c.on("acme", "sponsorship", 90) > c.on("acme", "sponsorship", 44) + 0.2
        and c.on("brio", "sponsorship", 90) < c.on("brio", "sponsorship", 44) + 0.05,
        365: lambda c: c.on("acme", "maturity") > c.on("brio", "maturity") + 0.1
        and c.on("brio", "phase") == 2,
    },
    "social-business": {
        30: lambda c: c.on("acme", "sponsorship", 90) > c.on("acme", "sponsorship", 30) + 0.2,
        60: lambda c: c.happens("acme", "intervention", "training"),
        90: lambda c: c.rows("acme").loc[90:150, "social_sales"].sum()
        > 2 * c.rows("acme").loc[30:89, "social_sales"].sum(),
        330: lambda c: c.first_phase3("acme") is not None
        and abs(c.first_phase3("acme") - c.day) <= CUE_WINDOW
        and c.on("brio", "phase") == 2
        and all(c.on("acme", f"adoption_{k}") >= 0.5 for k in ("customer_service", "crm", "pr")),
    },
    "help-desk-trap": {
        30: lambda c: c.on("acme", "listening_coverage", 31) == 1.0,
        200: lambda c: c.happens("acme", "help_desk", "entered")
        and c.at("acme", "proactive_share") < 0.05,
        300: lambda c: c.at("brio", "proactive_share") > c.at("acme", "proactive_share") + 0.2
        and c.at("brio", "backlog") < c.at("acme", "backlog")
        and c.on("brio", "adoption_customer_service") > c.on("acme", "adoption_customer_service"),
    },
    "agency-inertia": {
        10: lambda c: c.happens("acme", "intervention", "sponsorship")
        and c.happens("brio", "intervention", "sponsorship")
        and c.at("acme", "push_share", 120) > c.at("brio", "push_share", 120) + 0.1,
        120: lambda c: c.at("acme", "push_share") > c.at("brio", "push_share") + 0.1
        and c.at("acme", "mean_fatigue") > c.at("brio", "mean_fatigue"),
        180: lambda c: c.happens("acme", "agency_dropped"),
        360: lambda c: c.first_phase3("brio") is not None
        and c.first_phase3("brio") <= c.day + CUE_WINDOW
        and (c.first_phase3("acme") is None or c.first_phase3("acme") > c.first_phase3("brio")),
    },
    "turf-war": {
        60: lambda c: (c.on("acme", "adoption_marketing", 180) - c.on("acme", "adoption_marketing"))
        < (c.on("brio", "adoption_marketing", 180) - c.on("brio", "adoption_marketing")),
        660: lambda c: c.on("brio", "maturity") > c.on("acme", "maturity") + 0.05
        and c.first_phase3("brio") is not None
        and abs(c.first_phase3("brio") - c.day) <= CUE_WINDOW
        and (c.first_phase3("acme") is None or c.first_phase3("acme") > c.day),
    },
    "sme": {
        0: lambda c: c.on("atelier", "customers") < 0.1 * c.on("acme", "customers"),
        365: lambda c: [d for d in c.event_days("acme", "crisis_start") if d <= 365]
        and not [d for d in c.event_days("atelier", "crisis_start") if d <= 365],
    },
    "perception-gap": {
        30: lambda c: c.at("listener", "engagement_per_post")
        > 1.5 * c.at("believer", "engagement_per_post"),
        180: lambda c: c.at("listener", "engagements") > 1.25 * c.at("believer", "engagements")
        and abs((c.on("listener", "followers") - c.on("listener", "followers", 0))
                - (c.on("believer", "followers") - c.on("believer", "followers", 0)))
        < 0.5 * (c.on("believer", "followers") - c.on("believer", "followers", 0)) + 50,
        365: lambda c: c.on("listener", "visible_results") > c.on("believer", "visible_results")
        and c.rows("listener")["engagements"].sum() > c.rows("believer")["engagements"].sum(),
    },
}


def test_every_cue_has_a_claim():
    for name in list_scenarios():
        days = sorted(cue.day for cue in load_scenario(name).narrative)
        assert days == sorted(CUE_CLAIMS.get(name, {})), (
            f"{name}: cues on days {days}, claims for {sorted(CUE_CLAIMS.get(name, {}))}")


def _own_seed_run(name):
    result = run_scenario(name)  # the preset as shipped, with its own seed
    return result.timeseries, result.events


@pytest.fixture(scope="module")
def own_seed_runs():
    names = list_scenarios()
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("forkserver")) as pool:
        return dict(zip(names, pool.map(_own_seed_run, names), strict=True))


@pytest.mark.parametrize("name", sorted(CUE_CLAIMS))
def test_each_cue_holds_on_its_day_with_the_presets_own_seed(own_seed_runs, name):
    frame, events = own_seed_runs[name]
    failed = [(cue.day, cue.watch) for cue in load_scenario(name).narrative
              if not CUE_CLAIMS[name][cue.day](Cue(frame, events, cue.day))]
    assert not failed, f"{name}: cues that do not hold on their day: {failed}"
