"""The experiment file's schema: the fields of a sweep (and those it shares with a sensitivity
analysis), each a ``param()`` with help and range.

- ``scenario``: the base scenario, a preset name or a TOML path (relative paths are read from the
  experiment file's folder); ``[overrides]``: fixed changes to it (dotted key paths, as
  ``--set``); ``[variants.NAME]``: named bundles of overrides; ``days``: the horizon of every run.
- ``[[parameters]]`` (:mod:`.parameters`), ``design`` (:mod:`.design`), ``replicates`` and
  ``base_seed`` (:mod:`.seeds`), ``outputs`` (:mod:`.columns`); ``timeseries`` and ``events``:
  whether the daily series and the event log are kept.

A spec checks what it can alone: names of columns distinct and free, outputs known, a design's
own needs (``n_samples`` for lhs, levels for a grid, equal lengths for zip) and the plan's size.
What needs the base scenario is checked by :mod:`.checks`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ...config import MAX_HORIZON_DAYS
from ...i18n import _, _l
from ...schema import _NO_VALUE, MAX_SEED, ConfigError, did_you_mean, limit, param
from ..outputs import SIMPLE_REDUCERS, OutputDefinition, build_output
from .columns import DEFAULT_OUTPUTS, METRICS, RESERVED_COLUMNS, TIMESERIES_COLUMNS, parse_output
from .design import DESIGNS, MAX_DESIGN_POINTS, check_plan_size
from .parameters import Parameter

MAX_PARAMETERS = limit("MAX_PARAMETERS", 100, _l("Most parameters varied by an experiment."),
                       "parameters")


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
                what = (_("a daily metric") if p.column in METRICS
                        else _("a column of the runs table"))
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
                    hint = (_("give values") if self.design == "zip"
                            else _("add n_levels, or use design = 'lhs'"))
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
