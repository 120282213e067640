"""One input an experiment varies: a ``[[parameters]]`` entry of the file.

Each varied input is a dotted scenario ``key`` (``brands.acme.training_budget``) with either
``values = [...]`` or a range ``low``/``high`` (``scale = "log"`` for orders of magnitude,
``integer = true`` for counts, ``n_levels`` to grid a range). A parameter checks itself on its own
(values distinct and of one kind, a range ordered and positive on a log scale); whether the base
scenario accepts its values is decided later, by :mod:`.checks`.

It maps points of the unit interval to values (``from_unit``, stratum-preserving, for Latin
hypercube and Sobol' designs) and lists its grid (``levels``). The seed, the scenario's name and
texts cannot be varied (``FORBIDDEN_KEYS``): run seeds come from ``base_seed`` and replicates.
"""

from __future__ import annotations

from dataclasses import MISSING, dataclass, fields
from typing import Any

import numpy as np

from ...i18n import _, _l
from ...schema import _NO_VALUE, MAX_KEY_LENGTH, ConfigError, format_value, param

SCALES = ("linear", "log")

#: Scenario keys an experiment may not vary: the run seed comes from base_seed and replicates.
FORBIDDEN_KEYS = {"seed": _l("run seeds come from base_seed and replicates"),
                  "name": _l("the scenario's name is not a model input"),
                  "title": _l("the scenario's title is not a model input"),
                  "description": _l("the scenario's description is not a model input")}


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
