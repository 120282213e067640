"""Design points: which combinations of parameter values are run, and how many at most.

``design``: ``"grid"`` is the full factorial of the parameters' values; ``"lhs"`` draws
``n_samples`` points by Latin hypercube sampling (each of the ``n_samples`` equal-probability
strata of every parameter is hit exactly once; a ``values`` list is sampled as categories);
``"zip"`` pairs the i-th values of every parameter (equal-length lists). The Latin hypercube's
draws come from ``SeedSequence([0x4C4853, design_seed])``, a stream of their own, so the design
does not move when the run seeds do.

Plans are capped (listed in the ODD's parameter table); the points are counted (a product of
level counts) before any list of them is built, so an oversized plan costs no memory.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from ...i18n import _, _l, format_number
from ...schema import _NO_VALUE, ConfigError, limit

if TYPE_CHECKING:
    from .study import ExperimentSpec

DESIGNS = ("grid", "lhs", "zip")

MAX_DESIGN_POINTS = limit("MAX_DESIGN_POINTS", 1_000_000, _l(
    "Most design points of a sweep or samples of a sensitivity analysis."), "points")
MAX_RUNS = limit("MAX_RUNS", 10_000_000, _l("Most runs of an experiment (points × "
                 "replicates)."), "runs")
MAX_PARAMETERS = limit("MAX_PARAMETERS", 100, _l("Most parameters varied by an experiment."),
                       "parameters")


def check_plan_size(n_points: int, replicates: int) -> None:
    """Refuse plans above the caps (one line) before any list of points is built."""
    if n_points > MAX_DESIGN_POINTS:
        raise ConfigError("parameters", _NO_VALUE, _("the design has {n_points} points (at "
                                                     "most {most}); use fewer "
                                                     "levels or design = 'lhs'").format(
                                                     n_points=format_number(n_points),
                                                     most=format_number(MAX_DESIGN_POINTS)))
    if n_points * replicates > MAX_RUNS:
        raise ConfigError("replicates", replicates, _("{n_points} points × {replicates} "
                                                      "replicates = {n_points2} runs (at "
                                                      "most {most})").format(
                                                      n_points=format_number(n_points),
                                                      replicates=format_number(replicates),
                                                      n_points2=format_number(
                                                          n_points * replicates),
                                                      most=format_number(MAX_RUNS)))


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
