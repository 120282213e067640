"""Outputs as data: what one run is reduced to, declared once and used by every analysis.

An output is one number per run and brand, kept as a column of the runs table. It is either
named by a string in ``outputs`` (``"metric"`` or ``"metric:reduce"``, with a reducer that needs
no condition) or declared in a ``[[output_definitions]]`` table of the experiment file::

    [[output_definitions]]
    name = "phase3_day"             # the column in the runs table
    metric = "phase"
    reduce = "first_day"
    condition = "phase >= 3"        # for first_day and time_above
    help = "First day the brand is in phase 3 (censored at the horizon)"

Rules:
- :data:`REDUCERS` is the registry of reducers (name, help, unit, kind of the result, whether
  a condition is needed). ``final``, ``mean``, ``max``, ``min`` and ``auc`` (sum of the daily
  values, a metric-days area) need no condition; ``first_day`` (first simulated day on which the
  condition holds) and ``time_above`` (number of days on which it holds) need one.
- ``first_day`` is a time-to-event output: a run in which the condition never holds is
  *censored* at its last day; its value is that day and a companion column
  ``<name>_observed`` is 0 (1 when the event happened). :func:`kaplan_meier` summarises such
  columns; a mean of censored times would be biased low.
- Conditions are data, never code: ``metric OP number`` joined by ``and``, with OP one of
  ``>= > <= < == !=``. The metrics are the daily series' columns.
- Kinds: ``numeric``, ``ordinal`` (ordered levels, e.g. ``phase``: summarised by proportions
  per level, not a mean), ``categorical``, ``time-to-event``. :data:`METRIC_KINDS` gives the
  daily metrics' kinds; a reducer's result kind derives from it (the max of an ordinal stays
  ordinal, its mean is numeric).
- User-defined reducers: ``reduce = "package.module:function"``. This is the **one place where
  an experiment file names code**, and only code from an *installed* module: file paths are
  refused, and so is a module that cannot be imported here. The function receives one brand's
  daily series (a DataFrame sorted by day, the days of the window, day 0 left out) and the
  :class:`Output`, and returns a float. Workers import the module by name, so it must be
  installed on them too.
- Mean, max, min, auc and time_above use the last ``window_days`` days when given (default every
  simulated day from day 1); final is the last day; first_day looks from day 1.
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import MISSING, dataclass
from typing import Any

import numpy as np

from ..i18n import _, _l
from ..schema import ConfigError, param

KINDS = ("numeric", "ordinal", "categorical", "time-to-event")


@dataclass(frozen=True)
class Reducer:
    """One way to reduce a daily series to a number (an entry of :data:`REDUCERS`)."""

    name: str
    help: str
    needs_condition: bool = False
    kind: str = "same"  # "same": the metric's kind; else the result's kind
    unit: str = ""  # "" : the metric's unit


REDUCERS: dict[str, Reducer] = {r.name: r for r in (
    Reducer("final", _l("value on the last simulated day")),
    Reducer("mean", _l("mean over the simulated days (or the last window_days)"),
            kind="numeric"),
    Reducer("max", _l("maximum over the simulated days (or the last window_days)")),
    Reducer("min", _l("minimum over the simulated days (or the last window_days)")),
    Reducer("auc", _l("sum of the daily values over the simulated days (or the last "
                      "window_days): the area under the curve, in metric-days"),
            kind="numeric", unit="metric-days"),
    Reducer("first_day", _l("first simulated day on which the condition holds; censored at "
                            "the last day when it never does (companion column "
                            "<name>_observed = 0)"),
            needs_condition=True, kind="time-to-event", unit="days"),
    Reducer("time_above", _l("number of simulated days (or of the last window_days) on which "
                             "the condition holds"), needs_condition=True, kind="numeric",
            unit="days"),
)}

#: Reducers a string output ("metric:reduce") may use.
SIMPLE_REDUCERS = tuple(name for name, r in REDUCERS.items() if not r.needs_condition)

#: Kinds of the daily metrics that are not plain numbers.
METRIC_KINDS: dict[str, str] = {"phase": "ordinal"}
ORDINAL_LEVELS: dict[str, tuple[int, ...]] = {"phase": (1, 2, 3)}

OBSERVED_SUFFIX = "_observed"
COMPARATORS: dict[str, Callable] = {">=": operator.ge, "<=": operator.le, "==": operator.eq,
                                    "!=": operator.ne, ">": operator.gt, "<": operator.lt}
_CLAUSE = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$")
_FUNCTION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*:"
                       r"[A-Za-z_][A-Za-z0-9_]*$")


def unknown_metric(metric: str, metrics: Sequence[str]) -> str:
    """'unknown metric; did you mean ...?' (the schema's did_you_mean, worded for metrics)."""
    import difflib

    close = difflib.get_close_matches(metric, list(metrics), n=1, cutoff=0.6)
    if close:
        return _("unknown metric; did you mean '{key}'?").format(key=close[0])
    return _("unknown metric; metrics: {keys}").format(keys=", ".join(metrics))


def metric_kind(metric: str) -> str:
    return METRIC_KINDS.get(metric, "numeric")


# --------------------------------------------------------------------------------------------
# Conditions


@dataclass(frozen=True)
class Clause:
    metric: str
    op: str
    value: float

    def __str__(self) -> str:
        return f"{self.metric} {self.op} {self.value:g}"


def parse_condition(text: str, metrics: Sequence[str], path: str = "condition"
                    ) -> tuple[Clause, ...]:
    """``"phase >= 3 and crisis_level < 0.2"`` as clauses; ConfigError naming the problem."""

    if not isinstance(text, str) or not text.strip():
        raise ConfigError(path, text, _("a condition looks like 'phase >= 3' (metric, one of "
                          ">= > <= < == !=, a number; clauses joined by 'and')"))
    clauses = []
    for part in re.split(r"\s+and\s+", text.strip()):
        match = _CLAUSE.match(part)
        if not match:
            raise ConfigError(path, text, _("cannot read {strip!r}: a condition looks like "
                                            "'phase >= 3' (metric, one of >= > <= < == !=, a "
                                            "number; clauses joined by 'and')").format(
                                            strip=part.strip()))
        metric, op, raw = match.groups()
        if metric not in metrics:
            raise ConfigError(path, text, unknown_metric(metric, metrics))
        try:
            value = float(raw)
        except ValueError:
            raise ConfigError(path, text, _("{raw!r} is not a number").format(raw=raw)) from None
        if not math.isfinite(value):
            raise ConfigError(path, text, _("{raw!r} is not a finite number").format(raw=raw))
        clauses.append(Clause(metric, op, value))
    return tuple(clauses)


def condition_mask(columns: Mapping[str, np.ndarray], clauses: Sequence[Clause]) -> np.ndarray:
    mask = None
    for c in clauses:
        hit = COMPARATORS[c.op](columns[c.metric], c.value)
        mask = hit if mask is None else mask & hit
    return mask


# --------------------------------------------------------------------------------------------
# User-defined reducers


def check_function(text: str, path: str = "reduce") -> Callable:
    """The callable a ``module:function`` reducer names, imported; ConfigError if the text is
    a path, the module is not importable here or the attribute is not a function."""
    if "/" in text or "\\" in text or text.endswith(".py") or not _FUNCTION.match(text):
        raise ConfigError(path, text, _("a user-defined reducer is 'package.module:function' "
                          "from an installed module (file paths are not allowed)"))
    module_name, _sep, attr = text.partition(":")
    try:
        found = importlib.util.find_spec(module_name)
    except (ImportError, ValueError):
        found = None
    if found is None:
        raise ConfigError(path, text, _("module {module_name!r} is not importable here: "
                                        "install it (pip install -e) on the driver and on "
                                        "every worker").format(module_name=module_name))
    try:
        module = importlib.import_module(module_name)
    except Exception as error:  # the user's module failed to import
        raise ConfigError(path, text, _(
            "importing {module_name!r} failed: {error_type}: {error}").format(
            module_name=module_name, error_type=type(error).__name__, error=error)) from None
    function = getattr(module, attr, None)
    if not callable(function):
        raise ConfigError(path, text, _("{module_name} has no function {attr!r}").format(
                                        module_name=module_name, attr=attr))
    return function


def _user_function(text: str) -> Callable:
    module_name, _sep, attr = text.partition(":")
    return getattr(importlib.import_module(module_name), attr)


# --------------------------------------------------------------------------------------------
# The declared output


@dataclass(frozen=True)
class Output:
    """One value kept per run and brand: a metric reduced over the run.

    Outputs named by a string (``"followers:mean"``) have the column ``followers_mean``;
    declared outputs name their column.
    """

    metric: str
    reduce: str
    name: str = ""
    condition: str = ""
    kind: str = ""
    unit: str = ""
    help: str = ""

    @property
    def column(self) -> str:
        return self.name or f"{self.metric}_{self.reduce}"

    @property
    def is_user_defined(self) -> bool:
        return ":" in self.reduce

    @property
    def result_kind(self) -> str:
        if self.kind:
            return self.kind
        if self.is_user_defined:
            return "numeric"
        kind = REDUCERS[self.reduce].kind
        return metric_kind(self.metric) if kind == "same" else kind

    @property
    def columns(self) -> tuple[str, ...]:
        """The runs-table columns this output fills (a time-to-event output adds its flag)."""
        if self.result_kind == "time-to-event" and not self.is_user_defined:
            return (self.column, self.column + OBSERVED_SUFFIX)
        return (self.column,)

    def clauses(self, metrics: Sequence[str]) -> tuple[Clause, ...]:
        return parse_condition(self.condition, metrics) if self.condition else ()

    def describe(self) -> dict[str, Any]:
        reducer = REDUCERS.get(self.reduce)
        return {"column": self.column, "metric": self.metric, "reduce": self.reduce,
                "condition": self.condition, "kind": self.result_kind,
                "unit": self.unit or (reducer.unit if reducer else ""),
                "help": str(self.help or (reducer.help if reducer else
                                          _("user-defined reducer"))),
                "columns": list(self.columns)}


@dataclass(frozen=True)
class OutputDefinition:
    """An ``[[output_definitions]]`` table of an experiment file."""

    name: str = param(MISSING, "Column name in the runs table.")
    metric: str = param("", "Daily metric reduced (not needed by a user-defined reducer).")
    reduce: str = param("final", "Reducer: final, mean, max, min, auc, first_day, time_above, "
                        "or 'package.module:function' from an installed module.")
    condition: str = param("", "For first_day and time_above: e.g. 'phase >= 3' (clauses "
                           "joined by 'and').")
    kind: str = param("", "numeric, ordinal, categorical or time-to-event (default: derived "
                      "from the metric and reducer).", choices=("", *KINDS))
    unit: str = param("", "Unit of the value (default: derived).")
    help: str = param("", "What the output measures.")

    def __post_init__(self):
        if not re.match(r"^[A-Za-z_][A-Za-z0-9_]*$", self.name):
            raise ConfigError("name", self.name, _("must be a column name: letters, digits and _"))


def build_output(definition: OutputDefinition, metrics: Sequence[str]) -> Output:
    """Check a definition against the metrics and the reducer registry."""
    from ..schema import did_you_mean

    d = definition
    if ":" in d.reduce:
        check_function(d.reduce)
        if d.metric and d.metric not in metrics:
            raise ConfigError("metric", d.metric, did_you_mean(d.metric, list(metrics)))
        if d.kind == "time-to-event":
            raise ConfigError("kind", d.kind, _("a user-defined reducer cannot be time-to-event "
                              "(it has no censoring flag); use reduce = 'first_day'"))
        return Output(d.metric, d.reduce, d.name, d.condition, d.kind, d.unit, d.help)
    if d.reduce not in REDUCERS:
        raise ConfigError("reduce", d.reduce, _("must be one of {choices} or "
                                                "'package.module:function'").format(
                                                    choices=", ".join(REDUCERS)))
    reducer = REDUCERS[d.reduce]
    if not d.metric and d.condition and reducer.needs_condition:
        metric = parse_condition(d.condition, metrics)[0].metric
    else:
        metric = d.metric
    if metric not in metrics:
        raise ConfigError("metric", metric, unknown_metric(metric, metrics))
    if reducer.needs_condition and not d.condition:
        raise ConfigError("condition", d.condition, _("reduce = '{reduce}' needs a condition, "
                                                      "e.g. 'phase >= 3'").format(
                                                          reduce=d.reduce))
    if d.condition and not reducer.needs_condition:
        raise ConfigError("condition", d.condition, _("reduce = '{reduce}' takes no condition "
                                                      "(first_day and time_above do)").format(
                                                      reduce=d.reduce))
    if d.condition:
        parse_condition(d.condition, metrics)
    return Output(metric, d.reduce, d.name, d.condition, d.kind, d.unit, d.help)


# --------------------------------------------------------------------------------------------
# Reducing a run (on the workers)


def metrics_read(outputs: Sequence[Output], metrics: Sequence[str]) -> set[str] | None:
    """The daily metrics ``outputs`` read: each one's metric and its condition's; None when
    one is user-defined (its function receives the whole series)."""
    if any(o.is_user_defined for o in outputs):
        return None
    read = {o.metric for o in outputs if o.metric}
    for o in outputs:
        read |= {clause.metric for clause in o.clauses(metrics)}
    return read


def reduce_outputs(series, outputs: Sequence[Output], window_days: int | None
                   ) -> dict[str, dict[str, float]]:
    """Each output reduced over the run, per brand (see the module's rules)."""
    days = series["day"].to_numpy()
    brands = series["brand"].to_numpy()
    last = int(days.max())
    first = max(1, last - window_days + 1) if window_days else 1
    needed = {o.metric for o in outputs if o.metric}
    parsed = {o.column: o.clauses(list(series.columns)) for o in outputs
              if o.condition and not o.is_user_defined}
    for clauses in parsed.values():
        needed |= {c.metric for c in clauses}
    columns_all = {m: series[m].to_numpy(dtype=float) for m in needed}
    functions = {o.reduce: _user_function(o.reduce) for o in outputs if o.is_user_defined}
    out: dict[str, dict[str, float]] = {}
    for brand in dict.fromkeys(brands):
        rows = np.flatnonzero(brands == brand)
        rows = rows[np.argsort(days[rows], kind="stable")]
        simulated = rows[days[rows] >= 1] if last >= 1 else rows
        span = rows[days[rows] >= first] if last >= 1 else rows
        values: dict[str, float] = {}
        for o in outputs:
            if o.is_user_defined:
                frame = series.iloc[span].reset_index(drop=True)
                values[o.column] = float(functions[o.reduce](frame, o))
                continue
            if o.reduce == "final":
                values[o.column] = float(columns_all[o.metric][rows[-1]])
            elif o.reduce in ("mean", "max", "min"):
                values[o.column] = float(getattr(np, o.reduce)(columns_all[o.metric][span]))
            elif o.reduce == "auc":
                values[o.column] = float(np.sum(columns_all[o.metric][span]))
            elif o.reduce == "time_above":
                mask = condition_mask({m: v[span] for m, v in columns_all.items()},
                                      parsed[o.column])
                values[o.column] = float(np.count_nonzero(mask))
            elif o.reduce == "first_day":
                mask = condition_mask({m: v[simulated] for m, v in columns_all.items()},
                                      parsed[o.column])
                hits = np.flatnonzero(mask)
                if len(hits):
                    values[o.column] = float(days[simulated][hits[0]])
                    values[o.column + OBSERVED_SUFFIX] = 1.0
                else:  # censored at the last simulated day
                    values[o.column] = float(last)
                    values[o.column + OBSERVED_SUFFIX] = 0.0
            else:  # pragma: no cover - guarded when the experiment is loaded
                raise ValueError(_("unknown reducer {reduce!r}").format(reduce=o.reduce))
        out[str(brand)] = values
    return out


# --------------------------------------------------------------------------------------------
# Kaplan-Meier


def kaplan_meier(durations, observed, conf_level: float = 0.95):
    """The Kaplan-Meier estimate of S(t) = P(T > t) with pointwise log-log confidence bands.

    Variance by Greenwood's formula; the band is the Kalbfleisch-Prentice log(-log) transform,
    which stays inside [0, 1]: ``S^exp(±z·se)`` with ``se = sqrt(Σ d/(n(n-d))) / |log S|``.
    Returns a DataFrame with columns ``time, at_risk, events, censored, survival, low, high``
    (one row per distinct time, starting with time 0, S = 1).
    """
    import pandas as pd
    from scipy import stats

    t = np.asarray(durations, dtype=float)
    e = np.asarray(observed, dtype=float) > 0.5
    if t.shape != e.shape:
        raise ValueError(_("durations and observed must have the same length"))
    z = float(stats.norm.ppf(0.5 + conf_level / 2))
    times = np.unique(t)
    rows = [{"time": 0.0, "at_risk": len(t), "events": 0, "censored": 0, "survival": 1.0,
             "low": 1.0, "high": 1.0}]
    s, greenwood = 1.0, 0.0
    for time in times:
        n = int(np.count_nonzero(t >= time))
        d = int(np.count_nonzero((t == time) & e))
        c = int(np.count_nonzero((t == time) & ~e))
        if d:
            s *= 1.0 - d / n
            greenwood = greenwood + d / (n * (n - d)) if n > d else math.inf
        if 0 < s < 1 and math.isfinite(greenwood):
            se = math.sqrt(greenwood) / abs(math.log(s))
            low, high = s ** math.exp(z * se), s ** math.exp(-z * se)
        elif s >= 1:
            low = high = 1.0
        else:
            low = high = 0.0
        rows.append({"time": float(time), "at_risk": n, "events": d, "censored": c,
                     "survival": s, "low": low, "high": high})
    frame = pd.DataFrame(rows)
    if frame["time"].iloc[1:].eq(0).any():  # an event at time 0: merge with the start row
        frame = frame.iloc[1:].reset_index(drop=True)
    return frame


def _first_time_below(frame, column: str) -> float:
    below = frame.loc[frame[column] <= 0.5, "time"]
    return float(below.iloc[0]) if len(below) else math.inf


def km_median(frame) -> tuple[float, float, float]:
    """The median time (first time S(t) ≤ 0.5) and its confidence interval, read where the
    band's bounds cross 0.5 (Brookmeyer-Crowley style). ``inf``: not reached in the data."""
    return (_first_time_below(frame, "survival"), _first_time_below(frame, "low"),
            _first_time_below(frame, "high"))
