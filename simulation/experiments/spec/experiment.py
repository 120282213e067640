"""The resolved experiment: base scenario, design, seeds and outputs, validated, and its plan.

An :class:`Experiment` is what a sweep or a sensitivity analysis runs. ``runs()`` yields the plan
lazily in run-id order (a plan of a million runs costs no memory). Its hash, by part (scenario,
design, seeds, outputs, analysis), says what determines the results, so a store can tell what
changed and reuse the runs already done.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from ...config import ScenarioConfig
from ...i18n import _, format_number
from ..outputs import Output
from .design import Design
from .seeds import seed_of


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
