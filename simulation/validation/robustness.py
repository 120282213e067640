"""Robustness over the assumed parameters: a Latin hypercube, every pattern judged at each point.

Rules:
- The space. Every numeric ``param()`` of the rule sections (market, behaviour, word_of_mouth,
  organisation, classifier) whose source starts with "assumed" is varied (the list is derived
  from the declarations by :func:`assumed_parameters`, so a new assumed parameter joins the
  study by itself). Excluded, and said in the report: scale and bookkeeping values
  (n_customers, market_size, sample_size), values a pattern sets by design
  (exogenous_crises_per_year, which patterns silence to isolate their lever) and defaults of 0
  (no multiplicative range). A parameter's declared range (lo, hi) is what the schema accepts,
  far wider than what is plausible; each parameter varies from half to twice its default
  (log-uniform), clipped to the declared range; integers are rounded.
- The design is the sweep machinery's Latin hypercube (``simulation.experiments.spec``:
  ``Parameter`` ranges with ``scale = "log"`` and ``make_design`` with ``design = "lhs"``), a
  fixed design seed, ``points`` points; every judged arm of every pattern runs at every point
  with ``seeds`` seeds and ``n_customers`` customers (small, for time: the scale study checks
  what population size changes).
- At a point, a pattern holds when its criterion holds with the intervals collapsed onto the
  estimates (two seeds give no useful interval: ``stats.point_estimates``). Points where a
  combination is refused by the configuration's own checks are counted as invalid.
- Sensitivity: Spearman's rank correlation between each parameter and the pattern's main
  estimate over the valid points; the report lists the three largest in absolute value.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

EXCLUDED = {"market.n_customers": "population size (studied by the scale study)",
            "market.market_size": "the real population the customers stand for (a scale)",
            "market.sample_size": "bookkeeping: customers recorded individually",
            "word_of_mouth.exogenous_crises_per_year": "set to 0 by patterns to isolate "
                                                       "their lever"}
SECTIONS = ("market", "behaviour", "word_of_mouth", "organisation", "classifier")


def assumed_parameters() -> list[dict[str, Any]]:
    """Every assumed numeric parameter of the rule sections, with its study range."""
    from ..config import ScenarioConfig

    defaults = ScenarioConfig()
    out = []
    for section in SECTIONS:
        block = getattr(defaults, section)
        for f in dataclasses.fields(block):
            key = f"{section}.{f.name}"
            source = str(f.metadata.get("source", ""))
            value = getattr(block, f.name)
            if not source.startswith("assumed") or key in EXCLUDED:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or value == 0:
                continue
            lo, hi = f.metadata.get("lo"), f.metadata.get("hi")
            low, high = value / 2, value * 2
            if lo is not None:
                low = max(low, lo)
            if hi is not None:
                high = min(high, hi)
            integer = isinstance(value, int)
            if integer:
                low, high = math.ceil(low), math.floor(high)
            if not low < high:
                continue
            out.append({"key": key, "default": value, "low": low, "high": high,
                        "integer": integer})
    return out


def excluded_parameters() -> dict[str, str]:
    """Assumed parameters left out of the hypercube, and why."""
    from ..config import ScenarioConfig

    defaults = ScenarioConfig()
    chosen = {p["key"] for p in assumed_parameters()}
    out = dict(EXCLUDED)
    for section in SECTIONS:
        block = getattr(defaults, section)
        for f in dataclasses.fields(block):
            key = f"{section}.{f.name}"
            if (str(f.metadata.get("source", "")).startswith("assumed") and key not in chosen
                    and key not in out):
                value = getattr(block, f.name)
                out[key] = ("default 0: no multiplicative range" if value == 0 else
                            "not a number" if not isinstance(value, int | float) else
                            "no room between half and twice the default in its range")
    return out


def design(points: int, design_seed: int = 20261201):
    """The Latin hypercube, built by the sweep machinery."""
    from ..experiments.spec import ExperimentSpec, Parameter, make_design

    parameters = tuple(
        Parameter(key=p["key"], low=p["low"], high=p["high"], integer=p["integer"],
                  scale="log") for p in assumed_parameters())
    spec = ExperimentSpec(scenario="baseline", parameters=parameters, design="lhs",
                          n_samples=points, design_seed=design_seed)
    return make_design(spec, design_seed)


def run_robustness(patterns, points: int, seeds, pool, n_customers: int = 3000,
                   progress=None, save=None) -> dict[str, Any]:
    """Raw runs: {"design": [overrides per point], "runs": {pattern id: [runs per point]}}."""
    from . import collect_runs
    from .ablations import ablated

    lhs = design(points)
    overrides = [lhs.overrides(i) for i in range(len(lhs))]
    raw: dict[str, Any] = {"design": overrides, "n_customers": n_customers,
                           "seeds": list(seeds), "runs": {}}
    for pattern in patterns:
        per_point = []
        for point in overrides:
            try:
                per_point.append(collect_runs(ablated(pattern), seeds, pool, n_customers,
                                              extra=point))
            except Exception as error:  # a combination the configuration refuses
                per_point.append({"_invalid": f"{type(error).__name__}: {error}"})
        raw["runs"][pattern.id] = per_point
        if save:
            save(raw)
        if progress:
            progress(f"robustness: {pattern.id} done ({len(overrides)} points)")
    return raw


def summarise(pattern, per_point: list, overrides: list[dict[str, Any]]) -> dict[str, Any]:
    """Share of valid points where the pattern holds, and its most influential parameters."""
    from . import judge
    from .stats import proportion_ci, spearman

    held, estimates, used = [], [], []
    invalid = 0
    for runs, point in zip(per_point, overrides, strict=True):
        if "_invalid" in runs:
            invalid += 1
            continue
        try:
            outcome = judge(pattern, runs, point=True)
        except Exception:
            invalid += 1
            continue
        held.append(bool(outcome.passed))
        estimates.append(float(outcome.estimate))
        used.append(point)
    share = proportion_ci(sum(held), len(held)) if held else (math.nan,) * 3
    ranked = []
    if used:
        for key in used[0]:
            rho = spearman([p[key] for p in used], estimates)
            if math.isfinite(rho):
                ranked.append((key, rho))
        ranked.sort(key=lambda kv: -abs(kv[1]))
    return {"holds": share, "n_valid": len(held), "n_invalid": invalid,
            "top": ranked[:3]}
