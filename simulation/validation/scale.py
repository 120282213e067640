"""Scale convergence: do results depend on how many customers are simulated?

Rules:
- The same presets (help-desk-trap, baseline, social-business) run unchanged except for
  ``market.n_customers`` at each size (10,000, 30,000 and 100,000 by default; the real
  population ``market_size`` stays the same, so one simulated customer stands for fewer real
  people as the size grows), with the same seeds at every size.
- Metrics of the first brand (acme), each declared once in ``SCALE_METRICS`` with its tolerance,
  written before results: per-capita market metrics (followers and engagements per simulated
  customer, backlog in real people per real person) and every organisation metric (proactive
  share of customer service and share of help-desk days over the last 90 days, customer-service adoption and the maturity
  index at the end, the first day in phase 3).
- A metric agrees across sizes when the mean over seeds at every size is within the tolerance
  of the mean at the largest size (absolute for shares and levels, relative for per-capita
  counts). The tolerances are a small fraction of each metric's range of interest: what a user
  would read as the same result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from . import Arm

SCENARIOS = ("help-desk-trap", "baseline", "social-business")
SIZES = (10_000, 30_000, 100_000)
LAST = 90


@dataclass(frozen=True)
class ScaleMetric:
    key: str
    title: str
    tolerance: float
    relative: bool  # tolerance relative to the largest size's mean
    why: str


SCALE_METRICS = (
    ScaleMetric("followers_pc", "followers per customer (end)", 0.10, True,
                "per-capita counts: a tenth, more than the seed noise of a 10k market"),
    ScaleMetric("engagements_pc", "engagements per customer per day (mean)", 0.10, True,
                "as above"),
    ScaleMetric("backlog_pc", "backlog per person (last 90 days)", 0.15, True,
                "a queue amplifies small differences in demand: 15%"),
    ScaleMetric("proactive_share", "proactive share of customer service (last 90 days)", 0.05,
                False, "the help-desk threshold is 0.2: 0.05 cannot cross it unnoticed"),
    ScaleMetric("help_desk_days", "share of help-desk days (last 90 days)", 0.10, False,
                "nine days in ninety"),
    ScaleMetric("cs_adoption", "customer-service adoption (end)", 0.03, False,
                "the adoption threshold is 0.5; 0.03 is about one year of stalled drift"),
    ScaleMetric("maturity", "maturity index (end)", 0.03, False, "as above"),
    ScaleMetric("phase3_day", "first day in phase 3 (horizon + 1 if never)", 30.0, False,
                "a month, four times the classifier's confirmation window"),
)


def measure_scale(model, brand: str = "acme") -> dict[str, float]:
    frame = model.brand_frame()
    rows = frame[frame["brand"] == brand].set_index("day")
    n = model.market.n
    late = rows.iloc[-LAST:]
    phase = rows["phase"].to_numpy()
    hit = np.flatnonzero(phase >= 3)
    return {"followers_pc": float(rows["followers"].iloc[-1] / n),
            "engagements_pc": float(rows["engagements"].mean() / n),
            # The backlog reporter counts real people: per real person, like the others.
            "backlog_pc": float(late["backlog"].mean() / model.config.market.market_size),
            "proactive_share": float(late["proactive_share"].mean()),
            "help_desk_days": float(late["help_desk"].mean()),
            "cs_adoption": float(rows["adoption_customer_service"].iloc[-1]),
            "maturity": float(rows["maturity"].iloc[-1]),
            "phase3_day": float(rows.index[hit[0]]) if len(hit) else float(len(rows))}


@dataclass(frozen=True)
class _Study:
    arms: tuple[Arm, ...]


def run_scale(seeds, pool, sizes=SIZES, scenarios=SCENARIOS, progress=None, save=None
              ) -> dict:
    """Raw runs: {scenario: {size: [measures per seed]}}."""
    from . import collect_runs

    raw: dict = {}
    for scenario in scenarios:
        raw[scenario] = {}
        for size in sizes:
            study = _Study((Arm(scenario, scenario, measure_scale),))
            try:
                raw[scenario][str(size)] = collect_runs(study, seeds, pool, size)[scenario]
            except Exception as error:  # a size that cannot run is reported, not fatal
                if progress:
                    progress(f"scale: {scenario} at {size:,} failed: {error}")
                continue
            if save:
                save(raw)
            if progress:
                progress(f"scale: {scenario} at {size:,} done")
    return raw


def summarise(raw: dict) -> list[dict]:
    """One row per scenario and metric: mean [CI] per size, the largest gap, the verdict."""
    from .stats import mean_ci

    rows = []
    for scenario, by_size in raw.items():
        sizes = sorted(by_size, key=int)
        if len(sizes) < 2:  # an interrupted study: nothing to compare yet
            continue
        for metric in SCALE_METRICS:
            cells = {s: mean_ci([r[metric.key] for r in by_size[s]]) for s in sizes}
            ref = cells[sizes[-1]][0]
            gaps = [abs(cells[s][0] - ref) for s in sizes[:-1]]
            gap = max(gaps) if gaps else 0.0
            scale = abs(ref) if metric.relative else 1.0
            rel_gap = gap / scale if scale > 0 else (0.0 if gap == 0 else math.inf)
            rows.append({"scenario": scenario, "metric": metric, "cells": cells,
                         "gap": rel_gap, "agrees": rel_gap <= metric.tolerance})
    return rows
