"""Pattern-oriented validation: the twelve patterns of the domain brief, measured over seeds.

Each pattern (``simulation.validation.patterns``) declares the runs it needs (scenario, changes,
horizon) and how to turn each run into a few numbers; this module runs them over many seeds in a
process pool, computes the effect with a confidence interval, compares it with the threshold
written in the pattern (and the reason for it), and writes a report: ``report.md`` plus one PNG
per pattern.

``socbiz validate [--seeds N] [--workers W] [--only 1,5] [--out DIR]`` is the command; the same
functions back the slow tests in ``tests/validation``.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Arm:
    """One kind of run a pattern needs: a scenario, changes to it, what to measure."""

    name: str
    scenario: str | dict[str, Any]
    measure: Callable[[Any], dict[str, float]]
    overrides: dict[str, Any] = field(default_factory=dict)
    timeline: tuple[dict[str, Any], ...] = ()


@dataclass
class Outcome:
    """The verdict on one pattern."""

    estimate: float
    low: float
    high: float
    passed: bool
    statement: str  # the measured effect in words, with its interval
    criterion: str  # the threshold and why
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pattern:
    number: int
    title: str
    claim: str
    arms: tuple[Arm, ...]
    judge: Callable[[dict[str, list[dict[str, float]]]], Outcome]
    figure: Callable[[dict[str, list[dict[str, float]]], Any], None] | None = None


@dataclass
class PatternResult:
    pattern: Pattern
    outcome: Outcome
    runs: dict[str, list[dict[str, float]]]
    seeds: list[int]
    seconds: float


# --------------------------------------------------------------------------------------------
# Statistics


def mean_ci(values: Sequence[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean and t-based confidence interval."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return math.nan, math.nan, math.nan
    if len(x) == 1:
        return float(x[0]), float(x[0]), float(x[0])
    half = stats.t.ppf(0.5 + level / 2, len(x) - 1) * x.std(ddof=1) / math.sqrt(len(x))
    return float(x.mean()), float(x.mean() - half), float(x.mean() + half)


def proportion_ci(successes: int, n: int, level: float = 0.95) -> tuple[float, float, float]:
    """Share and Wilson score interval."""
    from scipy import stats

    if n == 0:
        return math.nan, math.nan, math.nan
    z = stats.norm.ppf(0.5 + level / 2)
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return p, max(0.0, centre - half), min(1.0, centre + half)


# --------------------------------------------------------------------------------------------
# Running


def _run_arm(job: tuple[Arm, int, int | None]) -> dict[str, float]:
    from ..model import SocialBusinessModel
    from ..scenario import load_scenario

    arm, seed, n_customers = job
    overrides = dict(arm.overrides)
    if n_customers is not None:
        overrides["market.n_customers"] = n_customers
    config = load_scenario(arm.scenario, overrides)
    if arm.timeline:
        from dataclasses import replace

        from ..events import intervention_from_mapping

        extra = tuple(intervention_from_mapping(e, f"timeline[{i}]")
                      for i, e in enumerate(arm.timeline))
        config = replace(config, timeline=config.timeline + extra)
    model = SocialBusinessModel(config, rng=seed)
    model.run()
    return arm.measure(model)


def run_pattern(pattern: Pattern, seeds: Sequence[int], pool=None,
                n_customers: int | None = None) -> PatternResult:
    """Run every arm of a pattern for every seed (same seeds across arms) and judge it."""
    started = time.perf_counter()
    jobs = [(arm, seed, n_customers) for arm in pattern.arms for seed in seeds]
    results = list(pool.map(_run_arm, jobs)) if pool is not None else list(map(_run_arm, jobs))
    runs: dict[str, list[dict[str, float]]] = {arm.name: [] for arm in pattern.arms}
    for (arm, _seed, _n), result in zip(jobs, results, strict=True):
        runs[arm.name].append(result)
    outcome = pattern.judge(runs)
    return PatternResult(pattern, outcome, runs, list(seeds), time.perf_counter() - started)


def run_suite(n_seeds: int = 20, workers: int | None = None, only: Sequence[int] | None = None,
              base_seed: int = 1, progress: Callable[[PatternResult], None] | None = None,
              ) -> list[PatternResult]:
    """Run the patterns (all, or the numbers in ``only``) with ``n_seeds`` seeds each."""
    from .patterns import PATTERNS

    seeds = list(range(base_seed, base_seed + n_seeds))
    chosen = [p for p in PATTERNS if not only or p.number in only]
    workers = workers or os.cpu_count() or 1
    results = []
    # forkserver: workers must not inherit a multi-threaded parent by fork.
    context = multiprocessing.get_context("forkserver")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        for pattern in chosen:
            result = run_pattern(pattern, seeds, pool)
            results.append(result)
            if progress:
                progress(result)
    return results


# --------------------------------------------------------------------------------------------
# Report


def write_report(results: Sequence[PatternResult], out: str | Path, seeds: int,
                 wall_time: float) -> Path:
    """``report.md`` and one PNG per pattern in ``out``."""
    from matplotlib.figure import Figure

    from ..runner import versions

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    passed = sum(r.outcome.passed for r in results)
    lines = [
        "# Pattern-oriented validation report",
        "",
        f"{passed} of {len(results)} patterns reproduced, {seeds} seeds each, "
        f"{wall_time / 60:.1f} minutes. Software: "
        + ", ".join(f"{k} {v}" for k, v in versions().items()) + ".",
        "",
        "Each pattern of `docs/domain.md` section 4 is run over the same seeds in every "
        "arm (common random numbers); the effect is given with its 95% confidence interval and "
        "compared with the threshold stated in the pattern. Regenerate with "
        "`socbiz validate --out docs/validation`.",
        "",
        "| # | pattern | measured effect (95% CI) | threshold | verdict |",
        "|---|---|---|---|---|",
    ]
    for r in results:
        o = r.outcome
        lines.append(f"| {r.pattern.number} | {r.pattern.title} | {o.statement} | "
                     f"{o.criterion.split(' — ')[0]} | {'pass' if o.passed else '**FAIL**'} |")
    lines.append("")
    for r in results:
        p, o = r.pattern, r.outcome
        lines += [f"## {p.number}. {p.title}", "", f"*Claim.* {p.claim}", "",
                  f"*Measured.* {o.statement}", "", f"*Criterion.* {o.criterion}", "",
                  f"*Verdict.* {'reproduced' if o.passed else 'NOT reproduced'} "
                  f"({len(r.seeds)} seeds, {r.seconds:.0f} s).", ""]
        if o.details:
            lines += ["| quantity | value |", "|---|---|"]
            lines += [f"| {k} | {_fmt(v)} |" for k, v in o.details.items()]
            lines.append("")
        if p.figure is not None:
            fig = Figure(figsize=(7, 3.6), layout="constrained")
            p.figure(r.runs, fig)
            name = f"pattern{p.number:02d}.png"
            fig.savefig(out / name, dpi=100)
            lines += [f"![pattern {p.number}]({name})", ""]
    (out / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out / "report.md"


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.4g}"
    return str(value)
