"""Experiment files: what to vary, how to sample it, how many replicates, what to keep.

An experiment is data (a TOML file, or the same mapping in Python), never code:

- ``scenario``: the base scenario, a preset name or a TOML path (relative paths are read from the
  experiment file's folder); ``[overrides]``: fixed changes to it (dotted key paths, as
  ``--set``); ``days``: the horizon of every run.
- ``[[parameters]]``: each varied input is a dotted ``key`` with either ``values = [...]`` or a
  range ``low``/``high`` (``scale = "log"`` for orders of magnitude, ``integer = true`` for counts,
  ``n_levels`` to grid a range).
- ``design``: ``"grid"`` is the full factorial of the parameters' values; ``"lhs"`` draws
  ``n_samples`` points by Latin hypercube sampling (each of the ``n_samples`` equal-probability
  strata of every parameter is hit exactly once; a ``values`` list is sampled as categories);
  ``"zip"`` pairs the i-th values of every parameter (equal-length lists).
- ``replicates``: runs per design point; ``base_seed``: the seed every run seed derives from.
- ``outputs``: the metrics kept per run and brand in the runs table, each ``"metric"`` or
  ``"metric:reduce"`` (final, mean, max or min over the run, or over its last ``window_days``);
  ``timeseries`` and ``events``: whether the daily series and the event log are kept.

Seeds (house rule: seeds are data). Run seeds come from ``numpy.random.SeedSequence(base_seed)``.
With common random numbers (the default) replicate r of every design point uses the same seed,
``SeedSequence(base_seed).spawn(replicates)[r]``, so that design points are compared under the
same draws; otherwise design point p's replicate r uses ``SeedSequence(base_seed).spawn(n_points)
[p].spawn(replicates)[r]``. Either way the integer seed (63 bits of ``generate_state``) is stored
with the run, and the run id is ``point * replicates + replicate``: neither depends on the
executor, the number of workers or the order in which runs finish.

Validation happens when the experiment is loaded, before anything runs: the experiment's own keys
(unknown keys with a did-you-mean, types, ranges), then every fixed override and every parameter
value applied to the base scenario, then every design point (some scenario rules link two values,
e.g. ``share_active <= share_engaging``). Errors are one line naming the experiment file:
``scenarios/experiments/x.toml: parameters[2].values = [] (must list at least one value)``.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import math
import os
import re
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, dataclass, field, fields, replace
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from ..config import MAX_HORIZON_DAYS, ScenarioConfig
from ..i18n import _, _l, format_number, ngettext
from ..metrics import BRAND_REPORTERS, MODEL_REPORTERS
from ..scenario import (
    ScenarioError,
    format_path,
    is_readable_file,
    read_toml,
    resolve_scenario_path,
    set_path,
)
from ..schema import (
    _NO_VALUE,
    MAX_KEY_LENGTH,
    MAX_SEED,
    ConfigError,
    build,
    did_you_mean,
    format_value,
    limit,
    param,
    to_mapping,
)
from .outputs import REDUCERS as REDUCER_REGISTRY
from .outputs import SIMPLE_REDUCERS, Output, OutputDefinition, build_output

DESIGNS = ("grid", "lhs", "zip")
REDUCERS = tuple(REDUCER_REGISTRY)  # every reducer; a string output may use SIMPLE_REDUCERS
SCALES = ("linear", "log")

#: Numeric columns of the daily time series that can be reduced to one value per run and brand.
METRICS = tuple(k for k in BRAND_REPORTERS if k != "brand") + tuple(MODEL_REPORTERS)
TIMESERIES_COLUMNS = ("day", "brand", *METRICS)

DEFAULT_OUTPUTS = (
    "phase", "maturity", "sponsorship", "followers", "weekly_engaged_share:mean",
    "engagement_per_post:mean", "net_sentiment", "customers", "cumulative_cost", "roi",
    "crisis_level:max", "complaints_total",
)

#: Columns of the runs table that are not parameters or outputs.
RESERVED_COLUMNS = (
    "run_id", "point", "replicate", "seed", "brand", "status", "error", "days_simulated",
    "n_events", "wall_time_s", "started", "host", "pid", "traceback",
)

#: Scenario keys an experiment may not vary: the run seed comes from base_seed and replicates.
FORBIDDEN_KEYS = {"seed": _l("run seeds come from base_seed and replicates"),
                  "name": _l("the scenario's name is not a model input"),
                  "title": _l("the scenario's title is not a model input"),
                  "description": _l("the scenario's description is not a model input")}

SEED_BITS_SHIFT = 1  # 64-bit state >> 1: a seed that fits a signed 64-bit column

#: Daily metrics that are categories, not quantities: a sensitivity index of them (or of
#: their final, max or min) means nothing. ``help_desk:mean`` (share of days) is a quantity.
CATEGORICAL_METRICS = {
    "phase": _l("maturity (a continuous score) or phase counts from a sweep"),
    "help_desk": _l("help_desk:mean (the share of days in the help-desk trap)")}

# Caps on the sizes an experiment controls (listed in the ODD's parameter table). The points
# are counted (a product of level counts) before any list of them is built.
MAX_DESIGN_POINTS = limit("MAX_DESIGN_POINTS", 1_000_000, _l(
    "Most design points of a sweep or samples of a sensitivity analysis."), "points")
MAX_RUNS = limit("MAX_RUNS", 10_000_000, _l("Most runs of an experiment (points × "
                 "replicates)."), "runs")
MAX_PARAMETERS = limit("MAX_PARAMETERS", 100, _l("Most parameters varied by an experiment."),
                       "parameters")


# --------------------------------------------------------------------------------------------
# The file's schema


@dataclass(frozen=True)
class Parameter:
    """One input the experiment varies."""

    key: str = param(MISSING, "Dotted key path into the scenario, e.g. "
                     "brands.acme.training_budget.", max_length=MAX_KEY_LENGTH,
                     single_line=True)
    name: str = param("", "Column name in the results (default: the key).",
                      max_length=MAX_KEY_LENGTH, single_line=True)
    values: tuple[int | float | str | bool, ...] | None = param(
        None, "Values to try (grid and zip designs; sampled as categories by lhs).")
    low: float | None = param(None, "Lower bound of a range (lhs, or a grid with n_levels).")
    high: float | None = param(None, "Upper bound of a range.")
    n_levels: int | None = param(None, "Grid design: evenly spaced values from low to high.",
                                 lo=2, hi=100_000)
    integer: bool = param(False, "Sample integers: each integer from low to high equally "
                          "likely.")
    scale: str = param("linear", "Sample uniformly on a linear or a log scale.", choices=SCALES)

    def __post_init__(self):
        parts = self.key.split(".")
        if not self.key or not all(p.strip() == p and p for p in parts):
            raise ConfigError("key", self.key, _("key paths look like market.n_customers"))
        if self.key in FORBIDDEN_KEYS:
            raise ConfigError("key", self.key, _("cannot be varied: {forbidden}").format(
                                                 forbidden=FORBIDDEN_KEYS[self.key]))
        has_range = self.low is not None or self.high is not None
        if self.values is not None and has_range:
            raise ConfigError("values", list(self.values), _("give either values or low and "
                                                             "high, not both"))
        if self.values is None and not has_range:
            raise ConfigError("values", _NO_VALUE, _("missing: give values = [...] or a range "
                                                     "with low and high"))
        if self.values is not None:
            self._check_values()
        else:
            self._check_range()

    def _check_values(self) -> None:
        values = list(self.values)
        if not values:
            raise ConfigError("values", values, _("must list at least one value"))
        kinds = {_kind_of(v) for v in values}
        if len(kinds) > 1:
            raise ConfigError("values", values, _("must be all numbers, all strings or all "
                                                  "true/false"))
        seen = set()
        for v in values:
            if (type(v) is bool, v) in seen:
                raise ConfigError("values", values, _(
                    "must be distinct; {v} is listed twice").format(
                                                      v=format_value(v)))
            seen.add((type(v) is bool, v))
        for name in ("n_levels", "integer", "scale"):
            spec = next(f for f in fields(self) if f.name == name)
            if getattr(self, name) != spec.default:
                raise ConfigError(name, getattr(self, name), _("applies to ranges (low and "
                                                               "high) only"))

    def _check_range(self) -> None:
        if self.low is None:
            raise ConfigError("low", _NO_VALUE, _("missing: a range needs low and high"))
        if self.high is None:
            raise ConfigError("high", _NO_VALUE, _("missing: a range needs low and high"))
        if not self.low < self.high:
            raise ConfigError("low", self.low, _("must be below high = {high}").format(
                                                 high=format_value(self.high)))
        if self.scale == "log" and self.low <= 0:
            raise ConfigError("low", self.low, _("must be > 0 with scale = 'log'"))
        if self.integer:
            for name in ("low", "high"):
                if not float(getattr(self, name)).is_integer():
                    raise ConfigError(name, getattr(self, name), _("must be an integer with "
                                                                   "integer = true"))
            if self.n_levels is not None and self.n_levels > self.high - self.low + 1:
                span = _int(self.high - self.low + 1)
                raise ConfigError("n_levels", self.n_levels, _(
                    "must be ≤ {span}, the number of integers from low to high").format(
                    span=span))

    @property
    def column(self) -> str:
        return self.name or self.key

    @property
    def is_range(self) -> bool:
        return self.values is None

    @property
    def dtype(self) -> str:
        """The column type in the results: int64, float64, bool or string."""
        if self.is_range:
            return "int64" if self.integer else "float64"
        kind = _kind_of(self.values[0])
        if kind == "number":
            return "int64" if all(isinstance(v, int) for v in self.values) else "float64"
        return kind

    def typed(self, value: Any) -> Any:
        """A value as the Python scalar of this parameter's column type."""
        dtype = self.dtype
        if dtype == "int64":
            return int(value)
        if dtype == "float64":
            return float(value)
        if dtype == "bool":
            return bool(value)
        return str(value)

    def from_unit(self, u: np.ndarray) -> list:
        """Map points of [0, 1) to values: stratum-preserving for ranges and categories."""
        u = np.asarray(u, dtype=float)
        if self.values is not None:
            index = np.minimum((u * len(self.values)).astype(int), len(self.values) - 1)
            return [self.values[i] for i in index]
        lo, hi = float(self.low), float(self.high)
        if self.integer:
            if self.scale == "log":
                # Log-uniform over [low, high + 1): every integer gets the mass of its interval.
                x = np.exp(np.log(lo) + u * (np.log(hi + 1) - np.log(lo)))
            else:
                x = lo + u * (hi - lo + 1)
            return [int(v) for v in np.clip(np.floor(x), lo, hi)]
        if self.scale == "log":
            return [float(v) for v in np.exp(np.log(lo) + u * (np.log(hi) - np.log(lo)))]
        return [float(v) for v in lo + u * (hi - lo)]

    def levels(self) -> list:
        """The values a grid or zip design uses."""
        if self.values is not None:
            return [self.typed(v) for v in self.values]
        if self.n_levels is None:
            raise ConfigError("n_levels", _NO_VALUE, _("missing: a range in a grid design "
                                                       "needs n_levels (or use design = 'lhs')"))
        space = np.geomspace if self.scale == "log" else np.linspace
        grid = space(float(self.low), float(self.high), self.n_levels)
        if self.integer:
            out = sorted({int(round(v)) for v in grid})
            if len(out) < self.n_levels:
                raise ConfigError("n_levels", self.n_levels, _("gives repeated integers; use "
                                                               "fewer levels"))
            return out
        return [float(f"{v:.12g}") for v in grid]


def _kind_of(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "string"


def _int(x: float) -> str:
    return str(int(x))


@dataclass(frozen=True)
class StudySpec:
    """Fields shared by sweeps and sensitivity analyses."""

    title: str = param("", "Title shown in summaries.")
    description: str = param("", "What the experiment is for.")
    scenario: str = param("baseline", "Base scenario: a preset name or a TOML file (relative to "
                          "the experiment file's folder).")
    parameters: tuple[Parameter, ...] = param((), "The inputs varied.",
                                              max_items=MAX_PARAMETERS)
    replicates: int = param(1, "Runs per design point, with different seeds.", lo=1,
                            hi=1_000_000)
    days: int | None = param(None, "Days simulated by every run (default: the scenario's "
                             "horizon).", unit="days", lo=1, hi=MAX_HORIZON_DAYS)
    outputs: tuple[str, ...] = param(DEFAULT_OUTPUTS, "Metrics kept per run and brand: "
                                     "'metric' or 'metric:reduce'.")
    reduce: str = param("final", "Reduction for outputs given without one.",
                        choices=SIMPLE_REDUCERS)
    output_definitions: tuple[OutputDefinition, ...] = param(
        (), "Declared outputs (name, metric, reduce, condition, kind, unit, help): time to an "
        "event, days above a threshold, user-defined reducers. Always kept.")
    window_days: int | None = param(None, "Mean, max and min over the last window_days days "
                                    "(default: every simulated day); at most the run's "
                                    "length.", unit="days", lo=1, hi=MAX_HORIZON_DAYS)
    timeseries: bool = param(True, "Keep every run's daily time series.")
    timeseries_columns: tuple[str, ...] = param((), "Columns of the daily series to keep "
                                                "(default: all).")
    events: bool = param(True, "Keep every run's event log.")
    # Filled from the [overrides] table by the loader (dotted keys, flattened): not built by
    # the schema because its keys are scenario paths, not field names.
    overrides: Mapping[str, Any] = field(default_factory=dict)
    # Filled from the [variants.NAME] tables the same way: named bundles of overrides, picked
    # by a parameter with key = "variant".
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self):
        columns = [p.column for p in self.parameters]
        for i, p in enumerate(self.parameters):
            if p.key in [q.key for q in self.parameters[:i]]:
                raise ConfigError(f"parameters[{i}].key", p.key, _("is varied twice"))
            if p.column.casefold() in [c.casefold() for c in columns[:i]]:
                raise ConfigError(f"parameters[{i}].name", p.column, _("names a column twice "
                                                                       "(column names must "
                                                                       "differ by more than "
                                                                       "upper/lower case)"))
            if p.column in RESERVED_COLUMNS or p.column in METRICS:
                what = "a daily metric" if p.column in METRICS else "a column of the runs table"
                raise ConfigError(f"parameters[{i}].name" if p.name else f"parameters[{i}].key",
                                  p.column, _("is also {what}; choose another name").format(
                                              what=what))
        for i, text in enumerate(self.outputs):
            parse_output(text, self.reduce, f"outputs[{i}]")
        if not self.outputs and not self.output_definitions:
            raise ConfigError("outputs", [], _("must name at least one metric"))
        names = [parse_output(t, self.reduce).column for t in self.outputs]
        for i, definition in enumerate(self.output_definitions):
            try:
                output = build_output(definition, METRICS)
            except ConfigError as error:
                raise ConfigError(f"output_definitions[{i}].{error.path}", error.value,
                                  error.allowed) from None
            clash = set(output.columns) & (set(names) | set(RESERVED_COLUMNS) | set(
                p.column for p in self.parameters))
            if clash:
                raise ConfigError(f"output_definitions[{i}].name", definition.name,
                                  _("names the column {clash!r} twice; choose another name").format(
                                    clash=sorted(clash)[0]))
            names += list(output.columns)
        for i, column in enumerate(self.timeseries_columns):
            if column not in TIMESERIES_COLUMNS:
                raise ConfigError(f"timeseries_columns[{i}]", column,
                                  did_you_mean(column, list(TIMESERIES_COLUMNS)))
            if column in self.timeseries_columns[:i]:
                raise ConfigError(f"timeseries_columns[{i}]", column, _("listed twice"))


@dataclass(frozen=True)
class ExperimentSpec(StudySpec):
    """A sweep: a design over the parameters, replicated."""

    design: str = param("grid", "grid (full factorial), lhs (Latin hypercube) or zip (i-th "
                        "values together).", choices=DESIGNS)
    n_samples: int | None = param(None, "Points drawn by the lhs design.", lo=1,
                                  hi=MAX_DESIGN_POINTS)
    base_seed: int | None = param(None, "Seed every run seed derives from (default: the "
                                  "scenario's seed).", lo=0, hi=MAX_SEED)
    design_seed: int | None = param(None, "Seed of the lhs sample (default: base_seed).", lo=0,
                                    hi=MAX_SEED)
    common_random_numbers: bool = param(True, "Replicate r of every design point uses the same "
                                        "seed (common random numbers).")

    def __post_init__(self):
        super().__post_init__()
        if self.design == "lhs":
            if self.n_samples is None:
                raise ConfigError("n_samples", _NO_VALUE, _("missing: design = 'lhs' needs "
                                                            "n_samples"))
            for i, p in enumerate(self.parameters):
                if p.n_levels is not None:
                    raise ConfigError(f"parameters[{i}].n_levels", p.n_levels,
                                      _("applies to design = 'grid' only"))
        else:
            if self.n_samples is not None:
                raise ConfigError("n_samples", self.n_samples, _("applies to design = 'lhs' "
                                                                 "only"))
            if self.design_seed is not None:
                raise ConfigError("design_seed", self.design_seed, _("applies to design = "
                                                                     "'lhs' only"))
            for i, p in enumerate(self.parameters):
                if p.is_range and (self.design == "zip" or p.n_levels is None):
                    hint = ("give values" if self.design == "zip"
                            else "add n_levels, or use design = 'lhs'")
                    raise ConfigError(f"parameters[{i}]", {"low": p.low, "high": p.high},
                                      _("a range needs a sampled design: {hint}").format(hint=hint))
        if self.design == "zip" and self.parameters:
            sizes = {len(p.values) for p in self.parameters}
            if len(sizes) > 1:
                raise ConfigError("parameters", [len(p.values) for p in self.parameters],
                                  _("design = 'zip' needs lists of the same length"))
        check_plan_size(self.n_points(), self.replicates)

    def n_points(self) -> int:
        """The number of design points, counted without building them."""
        if self.design == "lhs":
            return self.n_samples or 0
        if self.design == "zip":
            return len(self.parameters[0].values) if self.parameters else 1
        return math.prod(len(p.values) if p.values is not None else (p.n_levels or 1)
                         for p in self.parameters)


def check_plan_size(n_points: int, replicates: int) -> None:
    """Refuse plans above the caps (one line) before any list of points is built."""
    if n_points > MAX_DESIGN_POINTS:
        raise ConfigError("parameters", _NO_VALUE, _("the design has {n_points:,} points (at "
                                                     "most {most:,}); use fewer "
                                                     "levels or design = 'lhs'").format(
                                                     n_points=n_points,
                                                     most=MAX_DESIGN_POINTS))
    if n_points * replicates > MAX_RUNS:
        raise ConfigError("replicates", replicates, _("{n_points:,} points × {replicates:,} "
                                                      "replicates = {n_points2:,} runs (at "
                                                      "most {most:,})").format(
                                                      n_points=n_points,
                                                      replicates=replicates,
                                                      n_points2=n_points * replicates,
                                                      most=MAX_RUNS))


# --------------------------------------------------------------------------------------------
# Outputs


def parse_output(text: str, default_reduce: str = "final", path: str = "outputs") -> Output:
    metric, _, how = text.partition(":")
    metric, how = metric.strip(), (how.strip() or default_reduce)
    if metric not in METRICS:
        raise ConfigError(path, text, did_you_mean(metric, list(METRICS)).replace(
            "unknown key", "unknown metric").replace("allowed keys", "metrics"))
    if how not in SIMPLE_REDUCERS:
        extra = (f"; {how} needs a condition: declare it in [[output_definitions]]"
                 if how in REDUCER_REGISTRY else "; reducers with a condition and "
                 "user-defined ones are declared in [[output_definitions]]")
        raise ConfigError(path, text, "reduce must be one of " + ", ".join(SIMPLE_REDUCERS)
                          + extra)
    return Output(metric, how)


def outputs_of(spec: StudySpec) -> tuple[Output, ...]:
    """The outputs kept: those named in ``outputs``, then the declared ones."""
    outs = [parse_output(t, spec.reduce) for t in spec.outputs]
    outs += [build_output(d, METRICS) for d in spec.output_definitions]
    return tuple(dict.fromkeys(outs))  # a metric named twice is kept once


# --------------------------------------------------------------------------------------------
# Design


@dataclass(frozen=True)
class Design:
    """The design points: one tuple of parameter values per point, in a fixed order."""

    kind: str
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    dtypes: tuple[str, ...]
    points: tuple[tuple, ...]

    def __len__(self) -> int:
        return len(self.points)

    def overrides(self, point: int) -> dict[str, Any]:
        return dict(zip(self.keys, self.points[point], strict=True))

    def frame(self):
        """The design as a DataFrame: one row per point."""
        import pandas as pd

        frame = pd.DataFrame(list(self.points), columns=list(self.columns))
        frame.insert(0, "point", np.arange(len(self.points), dtype=np.int64))
        return frame.astype({c: d if d != "string" else "str"
                             for c, d in zip(self.columns, self.dtypes, strict=True)})


def lhs_unit(n: int, d: int, rng: np.random.Generator) -> np.ndarray:
    """Latin hypercube on [0, 1)^d: in every dimension each stratum [k/n, (k+1)/n) holds one
    point, at a uniform position inside it; strata are paired across dimensions at random."""
    u = np.empty((n, d))
    for j in range(d):
        u[:, j] = (rng.permutation(n) + rng.random(n)) / n
    return u


def make_design(spec: ExperimentSpec, design_seed: int) -> Design:
    params = spec.parameters
    if spec.design == "grid":
        points = list(itertools.product(*(p.levels() for p in params)))
    elif spec.design == "zip":
        points = list(zip(*(p.levels() for p in params), strict=True)) if params else [()]
    else:
        rng = np.random.default_rng(np.random.SeedSequence([0x4C4853, design_seed]))
        u = lhs_unit(spec.n_samples, len(params), rng)
        columns = [p.from_unit(u[:, j]) for j, p in enumerate(params)]
        points = list(zip(*columns, strict=True)) if params else [()] * spec.n_samples
    typed = tuple(tuple(p.typed(v) for p, v in zip(params, point, strict=True))
                  for point in points)
    return Design(spec.design, tuple(p.column for p in params), tuple(p.key for p in params),
                  tuple(p.dtype for p in params), typed)


def seed_of(base_seed: int, point: int, replicate: int, common: bool) -> int:
    """The integer seed of one run (see the module docstring)."""
    key = (replicate,) if common else (point, replicate)
    state = np.random.SeedSequence(base_seed, spawn_key=key).generate_state(1, np.uint64)[0]
    return int(state >> np.uint64(SEED_BITS_SHIFT))


# --------------------------------------------------------------------------------------------
# The resolved experiment


@dataclass(frozen=True)
class RunSpec:
    """One run of the plan."""

    run_id: int
    point: int
    replicate: int
    seed: int
    values: tuple


@dataclass
class Experiment:
    """An experiment resolved and validated: base scenario, design points, seeds, outputs.

    Build it with :func:`load_experiment`. ``runs()`` yields the plan lazily, so a plan of a
    million runs costs no memory.
    """

    name: str
    title: str
    source: str
    kind: str  # "sweep" or "sensitivity"
    spec: dict[str, Any]
    scenario: ScenarioConfig
    scenario_source: str
    design: Design
    replicates: int
    base_seed: int
    common_random_numbers: bool
    outputs: tuple[Output, ...]
    window_days: int | None = None
    timeseries: bool = True
    timeseries_columns: tuple[str, ...] = ()
    events: bool = True
    extra: dict[str, Any] = field(default_factory=dict)
    variants: dict[str, dict[str, Any]] = field(default_factory=dict)
    # An extensible design (Sobol' sequences) is identified by the rule that generates it, not
    # by its points: growing it keeps the hash, so the runs already done are reused (their run
    # ids, points and seeds do not change).
    design_rule: dict[str, Any] | None = None

    @property
    def n_points(self) -> int:
        return len(self.design)

    @property
    def n_runs(self) -> int:
        return self.n_points * self.replicates

    @property
    def brands(self) -> tuple[str, ...]:
        return self.scenario.brand_names

    def run_id(self, point: int, replicate: int) -> int:
        return point * self.replicates + replicate

    def seed(self, point: int, replicate: int) -> int:
        return seed_of(self.base_seed, point, replicate, self.common_random_numbers)

    def run(self, run_id: int) -> RunSpec:
        point, replicate = divmod(run_id, self.replicates)
        return RunSpec(run_id, point, replicate, self.seed(point, replicate),
                       self.design.points[point])

    def runs(self, skip: set[int] | frozenset[int] = frozenset()) -> Iterator[RunSpec]:
        """The plan in run-id order, leaving out the ids in ``skip``."""
        crn_seeds = ([self.seed(0, r) for r in range(self.replicates)]
                     if self.common_random_numbers else None)
        for point, values in enumerate(self.design.points):
            for replicate in range(self.replicates):
                run_id = self.run_id(point, replicate)
                if run_id in skip:
                    continue
                seed = crn_seeds[replicate] if crn_seeds else self.seed(point, replicate)
                yield RunSpec(run_id, point, replicate, seed, values)

    def hash_parts(self) -> dict[str, str]:
        """Short hashes of what determines the results, by part (to say what changed)."""
        parts = {
            "scenario": self.scenario.config_hash(),
            "design": _digest({"columns": self.design.columns, "keys": self.design.keys,
                               "dtypes": self.design.dtypes,
                               **({"rule": self.design_rule} if self.design_rule is not None
                                  else {"points": self.design.points}),
                               **({"variants": self.variants} if self.variants else {})}),
            "seeds": _digest({"base_seed": self.base_seed, "replicates": self.replicates,
                              "common_random_numbers": self.common_random_numbers}),
            # Declared outputs by their whole definition; named ones by column, as before.
            "outputs": _digest({"outputs": [o.describe() if o.name else o.column
                                            for o in self.outputs],
                                "window_days": self.window_days,
                                "timeseries": self.timeseries,
                                "timeseries_columns": self.timeseries_columns,
                                "events": self.events}),
        }
        if self.extra:
            parts["analysis"] = _digest(self.extra)
        return parts

    @cached_property
    def hash(self) -> str:
        return _digest(self.hash_parts())

    def describe(self, max_rows: int = 10) -> str:
        """A few lines on the plan (``socbiz sweep --dry-run``)."""
        lines = [f"{self.name}: {self.title}" if self.title else self.name,
                 _("  base scenario {source} ({days} days, {customers} customers, brands "
                   "{brands})").format(
                     source=self.scenario_source, days=self.scenario.horizon_days,
                     customers=format_number(self.scenario.market.n_customers),
                     brands=", ".join(self.brands)),
                 _("  design {kind}: {points} point(s) x {replicates} replicate(s) = {runs} "
                   "runs; base seed {seed}").format(
                     kind=self.design.kind, points=self.n_points, replicates=self.replicates,
                     runs=self.n_runs, seed=self.base_seed)
                 + (_(" (common random numbers)") if self.common_random_numbers else ""),
                 _("  outputs per run and brand: {outputs}").format(
                     outputs=", ".join(o.column for o in self.outputs)),
                 _("  keeps: {tables}; experiment hash {hash}").format(
                     tables=", ".join([_("runs table"),
                                       *([_("daily time series")] if self.timeseries else []),
                                       *([_("event logs")] if self.events else [])]),
                     hash=self.hash)]
        if self.design.columns:
            frame = self.design.frame()
            with _pandas_wide():
                body = frame.head(max_rows).to_string(index=False)
            lines += ["", body]
            if len(frame) > max_rows:
                lines.append(_("... ({frame} more points)").format(frame=len(frame) - max_rows))
        return "\n".join(lines)

    def to_json(self) -> dict[str, Any]:
        """What experiment.json records about the experiment itself."""
        return {
            "name": self.name,
            "title": self.title,
            "kind": self.kind,
            "source": self.source,
            "experiment_hash": self.hash,
            "hash_parts": self.hash_parts(),
            "spec": self.spec,
            "scenario_source": self.scenario_source,
            "scenario": self.scenario.to_dict(),
            "scenario_hash": self.scenario.config_hash(),
            "design": {"kind": self.design.kind, "n_points": self.n_points,
                       "replicates": self.replicates, "n_runs": self.n_runs,
                       "parameters": [{"column": c, "key": k, "dtype": d} for c, k, d in zip(
                           self.design.columns, self.design.keys, self.design.dtypes,
                           strict=True)]},
            "seeds": {"base_seed": self.base_seed,
                      "common_random_numbers": self.common_random_numbers,
                      "rule": ("seed(point, r) = SeedSequence(base_seed).spawn(replicates)[r]"
                               if self.common_random_numbers else
                               "seed(point, r) = SeedSequence(base_seed).spawn(n_points)"
                               "[point].spawn(replicates)[r]")
                      + ".generate_state(1, uint64)[0] >> 1",
                      "run_id": "point * replicates + replicate"},
            "outputs": [o.describe() for o in self.outputs],
            "window_days": self.window_days,
            "timeseries": self.timeseries,
            "timeseries_columns": list(self.timeseries_columns),
            "events": self.events,
            **({"analysis": self.extra} if self.extra else {}),
        }


def _digest(data: Any) -> str:
    text = json.dumps(data, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class _pandas_wide:
    def __enter__(self):
        import pandas as pd

        self._ctx = pd.option_context("display.width", 200, "display.max_columns", 30)
        self._ctx.__enter__()

    def __exit__(self, *exc):
        self._ctx.__exit__(*exc)


# --------------------------------------------------------------------------------------------
# Loading


def read_spec_file(source: str | os.PathLike | Mapping[str, Any] | StudySpec,
                   ) -> tuple[dict[str, Any], str, Path]:
    """The raw mapping of an experiment, where it came from, and the folder paths are read from."""
    if isinstance(source, StudySpec):
        data = to_mapping(source)
        data.pop("overrides", None)
        if source.overrides:
            data["overrides"] = dict(source.overrides)
        data.pop("variants", None)
        if source.variants:
            data["variants"] = {k: dict(v) for k, v in source.variants.items()}
        return data, "experiment", Path.cwd()
    if isinstance(source, Mapping):
        return dict(source), "experiment", Path.cwd()
    path = Path(source)
    if not is_readable_file(path):
        raise ScenarioError(_("{path}: no such experiment file").format(
                              path=format_path(path)))
    return read_toml(path), format_path(path), path.resolve().parent


def flatten_overrides(table: Any, source: str, prefix: str = "overrides") -> dict[str, Any]:
    """``[overrides]`` as dotted keys: nested TOML tables and quoted dotted keys both work."""
    if not isinstance(table, Mapping):
        raise ScenarioError(_("{source}: {prefix} = {table} (must be a table of scenario keys, "
                              "e.g. market.n_customers = 5000)").format(
                              source=source, prefix=prefix, table=format_value(table)))
    flat: dict[str, Any] = {}

    def walk(node: Mapping[str, Any], path: str) -> None:
        for key, value in node.items():
            here = f"{path}.{key}" if path else str(key)
            if isinstance(value, Mapping) and value:
                walk(value, here)
            elif here in flat:
                raise ScenarioError(_("{source}: {prefix}.{here} is given twice").format(
                                      source=source, prefix=prefix, here=here))
            else:
                flat[here] = value

    walk(table, "")
    for key in flat:
        if key in FORBIDDEN_KEYS:
            raise ScenarioError(_("{source}: {prefix}.{key} (cannot be set here: "
                                  "{forbidden})").format(
                                  source=source, prefix=prefix, key=key,
                                  forbidden=FORBIDDEN_KEYS[key]))
    return flat


def build_spec(cls: type[StudySpec], data: dict[str, Any], source: str) -> StudySpec:
    data = dict(data)
    overrides = flatten_overrides(data.pop("overrides", {}), source)
    variants_table = data.pop("variants", {})
    if not isinstance(variants_table, Mapping):
        raise ScenarioError(_("{source}: variants = {variants_table} (must be tables "
                              "[variants.NAME] of scenario keys)").format(
                              source=source, variants_table=format_value(variants_table)))
    variants = {str(name): flatten_overrides(table, source, f"variants.{name}")
                for name, table in variants_table.items()}
    for name, bundle in variants.items():
        if VARIANT_KEY in bundle:
            raise ScenarioError(_("{source}: variants.{name}.{variant_key} (a variant cannot "
                                  "pick another variant)").format(
                                  source=source, name=name, variant_key=VARIANT_KEY))
    try:
        spec = build(cls, data)
        spec = replace(spec, overrides=overrides, variants=variants)
        check_variant_parameters(spec)
    except ConfigError as error:
        raise ScenarioError(error.with_source(source).message()) from None
    return spec


def check_variant_parameters(spec: StudySpec) -> None:
    """A ``key = "variant"`` parameter lists names of ``[variants.NAME]`` tables."""
    self = spec
    for i, p in enumerate(self.parameters):
        if p.key != VARIANT_KEY:
            continue
        if not self.variants:
            raise ConfigError(f"parameters[{i}].key", p.key, _("picks among [variants.NAME] "
                                                               "tables, and the file has none"))
        if p.values is None:
            raise ConfigError(f"parameters[{i}]", {"low": p.low, "high": p.high},
                              "a variant parameter lists variant names: values = "
                              + format_value(list(self.variants)))
        for v in p.values:
            if v not in self.variants:
                raise ConfigError(f"parameters[{i}].values", list(p.values),
                                  f"{format_value(v)} is not a variant; variants: "
                                  + ", ".join(self.variants))


def base_scenario(spec: StudySpec, source: str, folder: Path
                  ) -> tuple[dict[str, Any], str]:
    """The base scenario's raw mapping and a readable name of where it came from."""
    text = spec.scenario
    looks_like_path = text.endswith(".toml") or "/" in text or os.sep in text
    if looks_like_path:
        path = Path(text)
        if not path.is_absolute():
            path = folder / path
        if not is_readable_file(path):
            raise ScenarioError(_(
                "{source}: scenario = {text} (no such file: {path})").format(
                                  source=source, text=format_value(text),
                                  path=format_path(path)))
    else:
        try:
            path = resolve_scenario_path(text)
        except ScenarioError as error:
            raise ScenarioError(f"{source}: scenario = {format_value(text)} ({error})") from None
    from ..scenario import load_scenario

    config = load_scenario(path)  # errors inside the scenario file name that file
    return config.to_dict(), str(path)


_INDEXED = re.compile(r"^([^\[\]]+)((?:\[\d+\])+)$")


def key_segments(dotted: str) -> list[str | int]:
    """``timeline[1].day`` (or ``timeline.1.day``) as ``["timeline", 1, "day"]``."""
    out: list[str | int] = []
    for part in dotted.split("."):
        match = _INDEXED.match(part)
        if match:
            out.append(match.group(1))
            out += [int(i) for i in re.findall(r"\d+", match.group(2))]
        elif part.isdigit():
            out.append(int(part))
        else:
            out.append(part)
    return out


def set_key(data: dict[str, Any], dotted: str, value: Any) -> None:
    """``set_path`` that also reaches into lists of tables: ``timeline[0].day = 30``."""
    segments = key_segments(dotted)
    if not any(isinstance(s, int) for s in segments) and not isinstance(
            data.get(segments[0]), list | tuple):
        set_path(data, dotted, value)
        return
    node: Any = data
    for depth, seg in enumerate(segments[:-1]):
        here = _path_text(segments[: depth + 1])
        if isinstance(seg, int):
            if not isinstance(node, list):
                raise ConfigError(here, _NO_VALUE, _("is not a list: indexes like [0] are for "
                                                     "lists of tables such as timeline"))
            if seg >= len(node):
                raise ConfigError(here, _NO_VALUE, ngettext(
                    "no such entry (the list has {n} entry, from [0])",
                    "no such entry (the list has {n} entries, from [0])", len(node)).format(
                    n=len(node)))
            node[seg] = dict(node[seg])
            node = node[seg]
        else:
            if isinstance(node, list):
                parent = _path_text(segments[:depth])
                raise ConfigError(parent, _NO_VALUE, _("is a list: write {parent}[0].{seg}").format(
                                                       parent=parent, seg=seg))
            if seg not in node:
                raise ConfigError(here, _NO_VALUE, _("no such key in the scenario"))
            child = node[seg]
            node[seg] = list(child) if isinstance(child, list | tuple) else (
                dict(child) if isinstance(child, Mapping) else child)
            node = node[seg]
            if not isinstance(node, list | dict):
                raise ConfigError(here, node, _("is not a table"))
    last = segments[-1]
    if isinstance(node, list) and not isinstance(last, int):
        parent = _path_text(segments[:-1])
        raise ConfigError(parent, _NO_VALUE, _("is a list: write {parent}[0].{last}").format(
                                               parent=parent, last=last))
    if isinstance(last, int) or isinstance(node, list):
        raise ConfigError(_path_text(segments), _NO_VALUE, _("set a field of an entry, e.g. "
                                                             "timeline[0].day"))
    node[last] = value


def _path_text(segments: list[str | int]) -> str:
    text = ""
    for seg in segments:
        text += f"[{seg}]" if isinstance(seg, int) else (f".{seg}" if text else seg)
    return text


#: The parameter key that picks a named variant of the scenario (``[variants.NAME]``).
VARIANT_KEY = "variant"


def expand_variants(overrides: Mapping[str, Any], variants: Mapping[str, Mapping[str, Any]]
                    ) -> dict[str, Any]:
    """Overrides with ``variant = NAME`` replaced by that variant's bundle of overrides (the
    bundle first, so that other parameters of the same point win)."""
    if VARIANT_KEY not in overrides:
        return dict(overrides)
    rest = {k: v for k, v in overrides.items() if k != VARIANT_KEY}
    return {**variants[overrides[VARIANT_KEY]], **rest}


def apply_overrides(data: dict[str, Any], overrides: Mapping[str, Any],
                    variants: Mapping[str, Mapping[str, Any]] | None = None) -> ScenarioConfig:
    """The scenario with ``overrides`` applied; raises ConfigError (path, value, allowed)."""
    data = dict(data)
    if variants:
        overrides = expand_variants(overrides, variants)
    for key, value in overrides.items():
        set_key(data, key, value)
    return build(ScenarioConfig, data)


def resolve_base(spec: StudySpec, source: str, folder: Path) -> tuple[ScenarioConfig, str]:
    """The base scenario with the fixed overrides and ``days`` applied, validated."""
    data, scenario_source = base_scenario(spec, source, folder)
    fixed = dict(spec.overrides)
    if spec.days is not None:
        if "horizon_days" in fixed:
            raise ScenarioError(_("{source}: days = {days} and overrides.horizon_days = "
                                  "{horizon_days} (give one of them)").format(
                                  source=source, days=spec.days,
                                  horizon_days=fixed['horizon_days']))
        fixed["horizon_days"] = spec.days
    try:
        base = apply_overrides(data, fixed)
    except ConfigError as error:
        where = next((k for k in fixed if error.path == k or error.path.startswith(k + ".")
                      or k.startswith(error.path + ".")), None)
        label = ("days" if where == "horizon_days" and spec.days is not None
                 else f"overrides.{where}" if where else "overrides")
        raise ScenarioError(f"{source}: {label} = {format_value(fixed.get(where, _NO_VALUE))}"
                            f" ({_scenario_problem(error, where)})") from None
    if spec.window_days is not None and spec.window_days > base.horizon_days:
        raise ScenarioError(_("{source}: window_days = {window_days} (must be ≤ the run's "
                              "length, {horizon_days} days)").format(
                              source=source, window_days=spec.window_days,
                              horizon_days=base.horizon_days))
    return base, scenario_source


def _scenario_problem(error: ConfigError, key: str | None = None) -> str:
    """What the scenario's validation said, without repeating the value just shown."""
    if error.path == key or error.path == "":
        return error.allowed
    if error.value is _NO_VALUE:
        return f"{error.path}: {error.allowed}"
    return f"{error.path} = {format_value(error.value)}: {error.allowed}"


def _is_key_error(error: ConfigError) -> bool:
    return (error.value is _NO_VALUE or "unknown key" in error.allowed
            or error.allowed.startswith("no such") or error.allowed == "is not a table")


def check_parameters(spec: StudySpec, base: ScenarioConfig, source: str
                     ) -> dict[tuple[int, Any], tuple[str, ConfigError]]:
    """Every parameter's key path, and every value (both ends of a range) on the base.

    A wrong key path is an error at once. A value the base scenario refuses is only returned:
    it may be allowed together with another parameter's value (``share_active`` with a larger
    ``share_engaging``), which :func:`check_points` decides.
    """
    data = base.to_dict()
    refused: dict[tuple[int, Any], tuple[str, ConfigError]] = {}
    for i, p in enumerate(spec.parameters):
        if p.is_range:
            probes = [("low", p.typed(p.low)), ("high", p.typed(p.high))]
        else:
            probes = [(f"values[{j}]", p.typed(v)) for j, v in enumerate(p.values)]
        for label, value in probes:
            try:
                apply_overrides(data, {p.key: value}, spec.variants)
            except ConfigError as error:
                if p.key == VARIANT_KEY:
                    raise ScenarioError(_("{source}: variants.{value} is not a valid scenario "
                                          "({why})").format(
                                          source=source, value=value, why=_why(error))) from None
                if _is_key_error(error):
                    raise ScenarioError(f"{source}: parameters[{i}].key = {format_value(p.key)}"
                                        f" ({error.path}: {error.allowed})") from None
                refused[(i, value)] = (label, error)
    return refused


def check_points(design: Design, base: ScenarioConfig, source: str,
                 parameters: tuple[Parameter, ...] = (),
                 refused: dict[tuple[int, Any], tuple[str, ConfigError]] | None = None,
                 variants: Mapping[str, Mapping[str, Any]] | None = None) -> None:
    """Every design point applied to the base scenario. The first invalid point is reported as
    the parameter value at fault when that value alone is refused for the same reason."""
    if not design.keys:
        return
    data = base.to_dict()
    refused = refused or {}
    seen: set[tuple] = set()
    for i, point in enumerate(design.points):
        if point in seen:
            continue
        seen.add(point)
        try:
            apply_overrides(data, design.overrides(i), variants)
        except ConfigError as error:
            why = _why(error)
            for j, value in enumerate(point):
                label, alone = refused.get((j, value), (None, None))
                if alone is not None and (alone.path, alone.allowed) == (error.path,
                                                                         error.allowed):
                    raise ScenarioError(f"{source}: parameters[{j}].{label} = "
                                        f"{format_value(value)} ({why})") from None
            values = ", ".join(f"{k} = {format_value(v)}" for k, v in zip(
                design.keys, point, strict=True))
            hint = ""
            if "must be an integer" in error.allowed and error.path in design.keys:
                j = design.keys.index(error.path)
                if j < len(parameters) and parameters[j].is_range:
                    hint = f"; add integer = true to parameters[{j}]"
            raise ScenarioError(_("{source}: design point {i} ({values}) is not a valid "
                                  "scenario ({why}){hint}").format(
                                  source=source, i=i, values=values, why=why, hint=hint)) from None


def _why(error: ConfigError) -> str:
    """'brands.acme.content.push_share must be a number between 0 and 1'."""
    if error.value is _NO_VALUE or not error.allowed.startswith("must"):
        return f"{error.path}: {error.allowed}"
    return f"{error.path} {error.allowed}"


def load_experiment(source: str | os.PathLike | Mapping[str, Any] | ExperimentSpec,
                    ) -> Experiment:
    """Load and validate an experiment: a TOML path, a mapping or an :class:`ExperimentSpec`.

    >>> exp = load_experiment({"scenario": "baseline", "days": 90,
    ...                        "overrides": {"market.n_customers": 3000},
    ...                        "parameters": [{"key": "brands.acme.content.posts_per_day",
    ...                                        "values": [0.5, 1, 2]}],
    ...                        "replicates": 5, "base_seed": 1})
    >>> exp.n_runs
    15
    """
    data, where, folder = read_spec_file(source)
    spec = build_spec(ExperimentSpec, data, where)
    base, scenario_source = resolve_base(spec, where, folder)
    refused = check_parameters(spec, base, where)
    base_seed = spec.base_seed if spec.base_seed is not None else base.seed
    design_seed = spec.design_seed if spec.design_seed is not None else base_seed
    try:
        design = make_design(spec, design_seed)
    except ConfigError as error:  # a range without n_levels in a grid
        raise ScenarioError(error.with_source(where).message()) from None
    check_points(design, base, where, spec.parameters, refused, spec.variants)
    return Experiment(
        name=Path(where).stem if where != "experiment" else (spec.title or "experiment"),
        title=spec.title,
        source=where,
        kind="sweep",
        spec=spec_json(spec, base_seed),
        scenario=base,
        scenario_source=scenario_source,
        design=design,
        replicates=spec.replicates,
        base_seed=base_seed,
        common_random_numbers=spec.common_random_numbers,
        outputs=outputs_of(spec),
        window_days=spec.window_days,
        timeseries=spec.timeseries,
        timeseries_columns=spec.timeseries_columns,
        events=spec.events,
        variants={k: dict(v) for k, v in spec.variants.items()},
    )


def spec_json(spec: StudySpec, base_seed: int | None = None) -> dict[str, Any]:
    """The spec as resolved (defaults filled in), JSON-ready."""
    data = to_mapping(spec)
    data["overrides"] = dict(spec.overrides)
    if spec.variants:
        data["variants"] = {k: dict(v) for k, v in spec.variants.items()}
    if base_seed is not None and "base_seed" in {f.name for f in fields(spec)}:
        data["base_seed"] = base_seed
    return data
