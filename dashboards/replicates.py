"""Compare arms with replicates: N seeds per arm, the same seeds in every arm, and the statistics.

No Solara here (the Compare tab, :mod:`dashboards.components.compare`, draws what this computes),
so a worker process imports only the model and pandas.

Rules:

- An *arm* is a scenario configuration with a label; the first arm is the baseline. Every arm
  runs with the same seeds ``first_seed, first_seed + 1, ..., first_seed + n - 1`` (common random
  numbers): run ``r`` of every arm meets the same draws, so what differs between arms on one
  seed is the arms' doing, not luck.
- Runs go through the project's executor seam (:mod:`simulation.experiments.executors`): the
  dashboard uses a local process pool, so a comparison never holds the server's interpreter
  and the page stays responsive; tests use the serial executor. Results do not depend on which:
  a run is a function of its configuration and seed only.
- Statistics reuse :func:`simulation.experiments.analysis.summarise` (the mean over seeds and
  its Student-t interval, ``mean ± t(0.975, n-1) · sd / sqrt(n)``), never a second copy:
  - *levels* (one arm's metric on one day): the t interval of the mean over the arm's seeds;
  - *differences* (arm minus baseline): the difference is taken **per seed** first (paired by
    seed, since the seeds are shared), then its mean and t interval over seeds. This is the
    right interval under common random numbers: the seed-to-seed spread that both arms share
    cancels, and the interval is usually much narrower than the two level bands suggest.
- A difference whose interval contains 0 is *not distinguishable from noise* at that level
  (two identical arms give exactly 0 on every seed: an interval [0, 0], not distinguishable).
- The chart's panels are the registry's ``compare`` panels. The phase is ordinal (1
  experimentation … 3 social business), so its mean over seeds means nothing: the chart shows
  instead the share of seeds in social business on each day (an *indicator* panel), with the
  Wilson score interval of a proportion (a t interval on 0/1 values leaves [0, 100] % and is [0, 0]
  when no seed got there).
- Outcomes are one value per run and brand at the last common day: the share of seeds that
  reached social business (phase 3) and the first day they did (the horizon when never:
  censored, said in the label), maturity, sponsorship, followers, engagement, sentiment,
  complaints, crises, cost and ROI. Percent-like metrics are shown in the charts' units
  (the registry's ``scale``), so the table, the charts and the brand cards agree.
"""

from __future__ import annotations

import contextlib
import math
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from simulation import SocialBusinessModel
from simulation.i18n import _l

from . import registry

CONF_LEVEL = 0.95
DEFAULT_SEEDS = 8
MIN_SEEDS, MAX_SEEDS = 2, 32
MAX_ARMS = 4

#: The panels overlaid in the Compare tab's chart: the registry's ``compare`` panels (title,
#: unit, scale, smoothing declared there once).
COMPARE_PANELS = {p.column: p for p in registry.compare_panels()}
CHART_COLUMNS = tuple(COMPARE_PANELS)
#: Indicator panels: column -> (the reported column it is computed from, threshold).
INDICATORS = {c: p.indicator for c, p in COMPARE_PANELS.items() if p.indicator}
KEPT_COLUMNS = tuple(dict.fromkeys((
    "day", "brand", *(INDICATORS.get(c, (c,))[0] for c in CHART_COLUMNS), "phase", "maturity", "sponsorship", "followers",
    "engagement_per_post", "weekly_engaged_share", "net_sentiment", "complaints_new", "backlog",
    "crisis_level", "cumulative_cost", "roi")))


def panel_of(column: str) -> registry.Panel:
    return COMPARE_PANELS[column]


@dataclass(frozen=True)
class Outcome:
    """One value per run and brand for the differences table."""

    key: str
    label: object  # a lazy string of the catalogue
    unit: object
    higher_is_better: bool
    scale: float = 1.0


OUTCOMES: tuple[Outcome, ...] = (
    Outcome("reached_phase3", _l("Reached social business (phase 3)"), _l("share of seeds (%)"), True,
            100),
    Outcome("phase3_day", _l("First day in social business (the horizon if never)"), _l("day"),
            False),
    Outcome("maturity", _l("Adoption maturity"), "%", True, 100),
    Outcome("sponsorship", _l("Executive sponsorship"), "%", True, 100),
    Outcome("followers", _l("Followers"), _l("people"), True),
    Outcome("engagement_30", _l("Engagement per post (last 30 days)"), _l("engagements"), True),
    Outcome("weekly_engaged_share", _l("Followers engaged this week"), "%", True, 100),
    Outcome("net_sentiment", _l("Net sentiment"), _l("points"), True, 100),
    Outcome("complaints_total", _l("Public complaints (total)"), _l("complaints"), False),
    Outcome("backlog", _l("Customer-service backlog"), _l("people waiting"), False),
    Outcome("crises", _l("Crises"), _l("crises"), False),
    Outcome("crisis_days", _l("Days in crisis"), _l("days"), False),
    Outcome("cumulative_cost", _l("Cumulative cost"), "€", False),
    Outcome("roi", _l("Return on investment"), "", True),
)
OUTCOME_KEYS = tuple(o.key for o in OUTCOMES)
BY_KEY = {o.key: o for o in OUTCOMES}


@dataclass(frozen=True)
class Arm:
    label: str
    config: object  # ScenarioConfig


def seeds_for(first_seed: int, n: int) -> list[int]:
    """The seeds every arm runs with (the same in every arm: common random numbers)."""
    return [first_seed + r for r in range(n)]


def run_replicate(config, seed: int, days: int) -> pd.DataFrame:
    """One run up to ``days`` (or its horizon): the daily rows the comparison needs.

    Top-level, so a worker process can run it (only the model and pandas are imported)."""
    model = SocialBusinessModel(config, rng=seed)
    target = min(days, config.horizon_days)
    while model.time_day < target and model.running:
        model.step()
    frame = model.brand_frame()
    return frame[[c for c in KEPT_COLUMNS if c in frame.columns]].reset_index(drop=True)


def outcomes_of(series: pd.DataFrame, horizon: int) -> dict[str, float]:
    """The outcomes of one brand's run (its daily rows, day 0 to the last day)."""
    last = series.iloc[-1]
    phase3 = series.loc[series["phase"] >= 3, "day"]
    crisis = series["crisis_level"].to_numpy() > 0
    starts = int(crisis[0]) + int(np.sum(crisis[1:] & ~crisis[:-1])) if len(crisis) else 0
    return {
        "reached_phase3": float(len(phase3) > 0),
        "phase3_day": float(phase3.iloc[0]) if len(phase3) else float(horizon),
        "maturity": float(last["maturity"]),
        "sponsorship": float(last["sponsorship"]),
        "followers": float(last["followers"]),
        "engagement_30": float(series["engagement_per_post"].tail(30).mean()),
        "weekly_engaged_share": float(last["weekly_engaged_share"]),
        "net_sentiment": float(last["net_sentiment"]),
        "complaints_total": float(series["complaints_new"].sum()),
        "backlog": float(last["backlog"]),
        "crises": float(starts),
        "crisis_days": float(crisis.sum()),
        "cumulative_cost": float(last["cumulative_cost"]),
        "roi": float(last["roi"]),
    }


@dataclass(frozen=True)
class Replicates:
    """Every run of a comparison: ``series`` (arm, seed, brand, day, metrics) and ``outcomes``
    (arm, seed, brand, one column per outcome), both cut at the last day every run reached."""

    arms: tuple[str, ...]
    seeds: tuple[int, ...]
    day: int
    brands: tuple[str, ...]
    series: pd.DataFrame
    outcomes: pd.DataFrame
    conf_level: float = CONF_LEVEL
    _cache: dict = field(default_factory=dict, compare=False, repr=False)

    @property
    def baseline(self) -> str:
        return self.arms[0]

    def levels(self) -> pd.DataFrame:
        """Per brand, arm, day and metric: mean over seeds and its t interval (chart units)."""
        if "levels" not in self._cache:
            levels = _summary(self.series, CHART_COLUMNS, ["arm", "day"], self.conf_level)
            shares = levels["metric"].isin(list(INDICATORS))
            if shares.any():
                from simulation.experiments.analysis import wilson_interval

                n = levels.loc[shares, "n"].to_numpy(float)
                low, high = wilson_interval(levels.loc[shares, "mean"].to_numpy() / 100 * n, n,
                                            self.conf_level)
                levels.loc[shares, "low"], levels.loc[shares, "high"] = 100 * low, 100 * high
            self._cache["levels"] = levels
        return self._cache["levels"]

    def daily_differences(self) -> pd.DataFrame:
        """Per brand, arm (not the baseline), day and metric: the mean of the per-seed
        differences arm minus baseline and its paired t interval."""
        if "daily" not in self._cache:
            diff = paired_differences(self.series, self.baseline, CHART_COLUMNS,
                                      ["brand", "day"])
            self._cache["daily"] = _summary(diff, CHART_COLUMNS, ["arm", "day"],
                                            self.conf_level)
        return self._cache["daily"]

    def table(self) -> pd.DataFrame:
        """The differences table (long): brand, outcome, arm, baseline mean and interval, the
        mean paired difference and its interval, and whether it is distinguishable from 0."""
        if "table" not in self._cache:
            self._cache["table"] = difference_table(self.outcomes, self.baseline,
                                                    self.conf_level)
        return self._cache["table"]


def paired_differences(frame: pd.DataFrame, baseline: str, columns: Sequence[str],
                       keys: Sequence[str]) -> pd.DataFrame:
    """Rows ``arm - baseline`` for each arm other than the baseline, matched on the seed and
    ``keys`` (common random numbers: one difference per seed)."""
    keys = ["seed", *keys]
    base = frame[frame["arm"] == baseline].set_index(keys)[list(columns)]
    parts = []
    for arm, rows in frame[frame["arm"] != baseline].groupby("arm", sort=False):
        values = rows.set_index(keys)[list(columns)]
        matched = values.merge(base, left_index=True, right_index=True, how="inner",
                               suffixes=("", "__base"))
        diff = pd.DataFrame({c: matched[c] - matched[c + "__base"] for c in columns},
                            index=matched.index)
        parts.append(diff.reset_index().assign(arm=arm))
    if not parts:
        return pd.DataFrame(columns=["arm", *keys, *columns])
    return pd.concat(parts, ignore_index=True)


def _summary(frame: pd.DataFrame, metrics: Sequence[str], by: list[str],
             conf_level: float) -> pd.DataFrame:
    from simulation.experiments.analysis import summarise

    if frame.empty:
        return pd.DataFrame(columns=["brand", *by, "metric", "n", "mean", "sd", "low", "high"])
    out = summarise(frame, list(metrics), by=by, conf_level=conf_level)
    return out[["brand", *by, "metric", "n", "mean", "sd", "low", "high"]]


def difference_table(outcomes: pd.DataFrame, baseline: str,
                     conf_level: float = CONF_LEVEL) -> pd.DataFrame:
    base = _summary(outcomes[outcomes["arm"] == baseline], OUTCOME_KEYS, ["arm"], conf_level)
    diff = paired_differences(outcomes, baseline, OUTCOME_KEYS, ["brand"])
    paired = _summary(diff, OUTCOME_KEYS, ["arm"], conf_level)
    base = base.drop(columns="arm").rename(columns={
        "mean": "baseline", "low": "baseline_low", "high": "baseline_high", "n": "n_baseline",
        "sd": "baseline_sd"})
    if paired.empty:
        return base.assign(arm=None, difference=np.nan, low=np.nan, high=np.nan, n=0,
                           distinguishable=False)
    paired = paired.rename(columns={"mean": "difference"})
    table = paired.merge(base, on=["brand", "metric"], how="left")
    table["distinguishable"] = (table["low"] > 0) | (table["high"] < 0)
    table = table.rename(columns={"metric": "outcome"})
    return table[["brand", "outcome", "arm", "n", "baseline", "baseline_low", "baseline_high",
                  "difference", "low", "high", "distinguishable"]]


class Cancelled(Exception):
    """The comparison was cancelled (the Cancel button, or the tab closed)."""


def run_arms(arms: Sequence[Arm], seeds: Sequence[int], days: int, *, executor=None,
             progress: Callable[[int, int], None] | None = None,
             cancelled: Callable[[], bool] = lambda: False) -> Replicates:
    """Run every arm with every seed (seed-major order, so an early look is balanced) and
    gather the series and outcomes. ``progress(done, total)`` after each run; ``cancelled()``
    is checked while waiting, and raises :class:`Cancelled` (the executor's runs are stopped).
    """
    from simulation.experiments.executors import SerialExecutor

    executor = executor or SerialExecutor()
    tasks = [(a, s) for s in range(len(seeds)) for a in range(len(arms))]
    total = len(tasks)
    results: dict[tuple[int, int], pd.DataFrame] = {}
    futures = {}
    try:
        for a, s in tasks:
            if cancelled():
                raise Cancelled()
            futures[executor.submit(run_replicate, arms[a].config, seeds[s], days)] = (a, s)
        pending = set(futures)
        while pending:
            done, pending = _wait(executor, pending, cancelled)
            for future in done:
                results[futures[future]] = future.result()
            if progress is not None:
                progress(len(results), total)
    except BaseException:
        executor.shutdown(cancel=True)
        raise
    executor.shutdown()
    return gather(arms, seeds, results)


def _wait(executor, pending: set, cancelled: Callable[[], bool]) -> tuple[set, set]:
    import concurrent.futures as cf

    while True:
        if cancelled():
            raise Cancelled()
        done, rest = cf.wait(pending, timeout=0.25, return_when=cf.FIRST_COMPLETED)
        if done:
            return set(done), set(rest)


def gather(arms: Sequence[Arm], seeds: Sequence[int],
           results: dict[tuple[int, int], pd.DataFrame]) -> Replicates:
    day = min(int(frame["day"].max()) for frame in results.values())
    series_parts, outcome_rows = [], []
    brands = list(dict.fromkeys(b for frame in results.values() for b in frame["brand"]))
    for (a, s), frame in sorted(results.items()):
        frame = frame[frame["day"] <= day]
        label, seed = arms[a].label, seeds[s]
        series_parts.append(frame.assign(arm=label, seed=seed))
        horizon = getattr(arms[a].config, "horizon_days", day)
        for brand, rows in frame.groupby("brand", sort=False):
            outcome_rows.append({"arm": label, "seed": seed, "brand": brand,
                                 **outcomes_of(rows, min(day, horizon))})
    series = pd.concat(series_parts, ignore_index=True).sort_values(
        ["arm", "seed", "brand", "day"], kind="stable", ignore_index=True)
    for column, (source, threshold) in INDICATORS.items():
        series[column] = (series[source] >= threshold).astype(float)
    for column in CHART_COLUMNS:  # as the Live tab draws them (units, smoothing, no day-0 flow)
        panel = panel_of(column)
        values = series[column].astype(float) * panel.scale
        if panel.flow:
            values = values.where(series["day"] > 0)
        if panel.smooth > 1:
            values = values.groupby([series["arm"], series["seed"], series["brand"]],
                                    sort=False).transform(
                lambda v, w=panel.smooth: v.rolling(w, min_periods=1).mean())
        series[column] = values
    outcomes = pd.DataFrame(outcome_rows)
    for o in OUTCOMES:
        outcomes[o.key] = outcomes[o.key] * o.scale
    return Replicates(tuple(a.label for a in arms), tuple(seeds), day, tuple(brands), series,
                      outcomes)


class CompareJob:
    """One comparison running in the background for a tab, kept across tab switches.

    The page reads its fields (``done``, ``total``, ``result``, ``error``, ``cancelled``) and is
    told of every change through ``listener`` (set by the Compare tab while it is shown)."""

    def __init__(self, arms: Sequence[Arm], seeds: Sequence[int], days: int, *,
                 make_executor=None, gone: Callable[[], bool] = lambda: False):
        self.arms, self.seeds, self.days = list(arms), list(seeds), days
        self.total = len(self.arms) * len(self.seeds)
        self.done = 0
        self.started = time.monotonic()
        self.result: Replicates | None = None
        self.error: str | None = None
        self.cancel_event = threading.Event()
        self.finished = threading.Event()
        self.listener: Callable[[], None] | None = None
        self._make_executor = make_executor
        self._gone = gone
        self.thread = threading.Thread(target=self._run, daemon=True, name="socbiz-compare")

    @property
    def running(self) -> bool:
        return not self.finished.is_set()

    @property
    def was_cancelled(self) -> bool:
        return self.cancel_event.is_set()

    def seconds_left(self) -> float | None:
        if not self.done or self.done >= self.total:
            return None
        elapsed = time.monotonic() - self.started
        return elapsed / self.done * (self.total - self.done)

    def start(self) -> CompareJob:
        self.thread.start()
        return self

    def cancel(self) -> None:
        self.cancel_event.set()
        self._notify()

    def _notify(self) -> None:
        listener = self.listener
        if listener is not None:
            with contextlib.suppress(Exception):  # a page that went away: nothing to tell
                listener()

    def _progress(self, done: int, total: int) -> None:
        self.done = done
        self._notify()

    def _run(self) -> None:
        try:
            executor = self._make_executor() if self._make_executor else None
            self.result = run_arms(self.arms, self.seeds, self.days, executor=executor,
                                   progress=self._progress,
                                   cancelled=lambda: self.cancel_event.is_set() or self._gone())
        except Cancelled:
            self.cancel_event.set()
        except Exception as error:  # shown on the page in one line, never a traceback
            self.error = " ".join(str(error).split()) or type(error).__name__
        finally:
            self.finished.set()
            self._notify()


def finite(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value))
