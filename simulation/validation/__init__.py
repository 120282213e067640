"""Validation: patterns, out-of-sample targets, null models, robustness and scale, over seeds.

Rules:
- Declare once. Every validation pattern is one :class:`Pattern` in the registry
  ``simulation.validation.patterns.PATTERNS``: its id, title, claim, kind (``emergent``: the
  mechanism produces the effect; ``calibrated``: the figure is an input or the effect is the
  arithmetic of one), the inputs it uses, its arms, the discriminating statistic, the
  threshold with its justification (written before any result, in the same declaration), and
  the ablations that remove its mechanism (where it must die). ``socbiz validate --only``, the
  report, the null-model and robustness tables and the tests all walk that registry. The
  out-of-sample targets (``targets.TARGETS``), the null models (``ablations.ABLATIONS``) and the
  scale study (``scale.SCALE_METRICS``) are registries of the same kind.
- Every run of an arm is a scenario (a preset name or a laboratory mapping) plus dotted
  overrides; the null models and the robustness study add their own overrides to every arm of
  every pattern and judge the same criterion again. Arms of one pattern differ in one lever.
- Every interval is over seeds (``stats``): the same seeds in every arm (common random numbers),
  differences and ratios per seed, t or Wilson intervals at 95%.
- Sections (``patterns``, ``targets``, ``ablations``, ``robustness``, ``scale``) write their raw
  per-run measurements to ``<out>/raw/<section>.json``; the report is built from whatever raw
  files exist (``socbiz validate --report-only``), so a long section can be rerun alone.

``socbiz validate [--seeds N] [--workers W] [--only P1,P5] [--sections ...] [--out DIR]``.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from .stats import mean_ci, point_estimates, proportion_ci  # noqa: F401  (re-exported)

KINDS = ("emergent", "calibrated")


@dataclass(frozen=True)
class Arm:
    """One kind of run a pattern needs: a scenario, changes to it, what to measure."""

    name: str
    scenario: str | dict[str, Any]
    measure: Callable[[Any], dict[str, Any]]
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
    criterion: str = ""  # optional detail of which sub-criterion failed
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Pattern:
    """One validation pattern, declared once (see the module docstring)."""

    number: int
    title: str
    claim: str
    kind: str
    inputs: tuple[str, ...]
    statistic: str
    threshold: str
    arms: tuple[Arm, ...]
    judge: Callable[[dict[str, list[dict[str, Any]]]], Outcome]
    figure: Callable[[dict[str, list[dict[str, Any]]], Any], None] | None = None
    mechanism: tuple[str, ...] = ()  # ablations that remove what the pattern claims
    note: str = ""  # what changed from the previous version of the suite, and why

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"pattern {self.number}: kind {self.kind!r} not in {KINDS}")

    @property
    def id(self) -> str:
        return f"P{self.number}"


@dataclass
class PatternResult:
    pattern: Pattern
    outcome: Outcome
    runs: dict[str, list[dict[str, Any]]]
    seeds: list[int]
    seconds: float


# --------------------------------------------------------------------------------------------
# Running


Job = tuple[tuple[Arm, ...], int, "int | None", "Mapping[str, Any] | None"]


def run_arm(job: Job) -> list[dict[str, Any]]:
    """One run (in a worker process) measured for each of the arms that share it.

    Arms that differ only in what they measure (the two brands of one preset) share a run:
    the scenario, overrides and timeline of the first arm are used.
    """
    from dataclasses import replace

    from ..events import intervention_from_mapping
    from ..model import SocialBusinessModel
    from ..scenario import load_scenario

    arms, seed, n_customers, extra = job
    arm = arms[0]
    overrides = dict(extra or {})
    overrides.update(arm.overrides)  # the arm's own design wins over a study's changes
    if n_customers is not None:
        overrides["market.n_customers"] = n_customers
    started = time.process_time()
    config = load_scenario(arm.scenario, overrides)
    if arm.timeline:
        added = tuple(intervention_from_mapping(e, f"timeline[{i}]")
                      for i, e in enumerate(arm.timeline))
        config = replace(config, timeline=config.timeline + added)
    model = SocialBusinessModel(config, rng=seed)
    model.run()
    cpu = time.process_time() - started
    return [{**a.measure(model), "_cpu_s": cpu / len(arms)} for a in arms]


def make_pool(workers: int | None = None) -> ProcessPoolExecutor:
    # forkserver: workers must not inherit a multi-threaded parent by fork.
    return ProcessPoolExecutor(workers or os.cpu_count() or 1,
                               mp_context=multiprocessing.get_context("forkserver"))


def _run_key(arm: Arm) -> str:
    return repr((arm.scenario, sorted(arm.overrides.items()), arm.timeline))


def collect_runs(pattern, seeds: Sequence[int], pool=None,
                 n_customers: int | None = None, extra: Mapping[str, Any] | None = None,
                 ) -> dict[str, list[dict[str, Any]]]:
    """Every arm of a pattern (or anything with ``arms``) for every seed, the same seeds in
    every arm; arms that share a scenario share its runs."""
    groups: dict[str, list[Arm]] = {}
    for arm in pattern.arms:
        groups.setdefault(_run_key(arm), []).append(arm)
    jobs = [(tuple(group), seed, n_customers, extra) for group in groups.values()
            for seed in seeds]
    results = list(pool.map(run_arm, jobs)) if pool is not None else list(map(run_arm, jobs))
    runs: dict[str, list[dict[str, Any]]] = {arm.name: [] for arm in pattern.arms}
    for (arms, *_), measured in zip(jobs, results, strict=True):
        for arm, result in zip(arms, measured, strict=True):
            runs[arm.name].append(result)
    return runs


def cpu_seconds(runs: Mapping[str, list[dict[str, Any]]]) -> float:
    """CPU time spent in the runs of one pattern (all arms, all seeds)."""
    return float(sum(r.get("_cpu_s", 0.0) for arm in runs.values() for r in arm))


def judge(pattern: Pattern, runs: dict[str, list[dict[str, Any]]],
          point: bool = False) -> Outcome:
    """The pattern's verdict; ``point``: with intervals collapsed onto the estimates."""
    if point:
        with point_estimates():
            return pattern.judge(runs)
    return pattern.judge(runs)


def run_pattern(pattern: Pattern, seeds: Sequence[int], pool=None,
                n_customers: int | None = None, extra: Mapping[str, Any] | None = None,
                ) -> PatternResult:
    """Run every arm of a pattern for every seed and judge it."""
    started = time.perf_counter()
    runs = collect_runs(pattern, seeds, pool, n_customers, extra)
    return PatternResult(pattern, judge(pattern, runs), runs, list(seeds),
                         time.perf_counter() - started)


def select_patterns(only: Sequence[str] | None = None):
    """The registry's patterns: all, in registry order, or those of ``only`` in its order."""
    from .patterns import PATTERNS

    if not only:
        return list(PATTERNS)
    by_id = {p.id: p for p in PATTERNS}
    return [by_id[i] for i in only]


def run_suite(n_seeds: int = 20, workers: int | None = None, only: Sequence[str] | None = None,
              base_seed: int = 1, progress: Callable[[PatternResult], None] | None = None,
              pool=None) -> list[PatternResult]:
    """Run the patterns (all, or the ids in ``only``) with ``n_seeds`` seeds each."""
    seeds = list(range(base_seed, base_seed + n_seeds))
    own = pool is None
    pool = pool or make_pool(workers)
    results = []
    try:
        for pattern in select_patterns(only):
            result = run_pattern(pattern, seeds, pool)
            results.append(result)
            if progress:
                progress(result)
    finally:
        if own:
            pool.shutdown()
    return results


def write_report(*args, **kwargs):
    """``report.md`` and the figures (see :mod:`.report`)."""
    from .report import write_report as write

    return write(*args, **kwargs)
