"""Calibration to data: ABC-SMC (pyabc) fits chosen parameters to target statistics or series.

Rules:
- A calibration spec is an experiment file (scenario, overrides, days, outputs,
  output_definitions) whose ``[[parameters]]`` are ranges (the priors: uniform on ``[low,
  high]``, or uniform in log10 with ``scale = "log"``), plus ``[[targets]]``: each a published
  figure compared with one output of the runs table for one brand (``output``, ``value``,
  ``scale``) or a daily series (``metric``, ``days``, ``values``, ``scale``). ``scale`` is the
  tolerance unit: the distance is the Euclidean norm of ``(simulated - target) / scale`` over the
  fitted targets. ``holdout = true`` keeps a target out of the fit: it is simulated and reported
  beside the others, a check the fit did not see.
- The inference is pyabc's ABC-SMC (``pyabc.ABCSMC``: adaptive median epsilon, multivariate
  normal perturbation kernels, importance weights). Its history is pyabc's own SQLite database,
  ``OUT/abc.db``; a killed calibration resumes from the last complete generation (``--resume``).
- Simulations run through the sweep machinery: every particle is a run of the experiment's
  :class:`~simulation.experiments.worker.RunContext` by the same worker function as a sweep
  (config validated, outputs reduced by the output registry, Parquet partitions written to
  ``OUT/abc/``), on the same executors (local processes, Dask). pyabc's ``MappingSampler`` is
  given the executor's ``map``: one task per particle slot, which draws until one particle is
  accepted (static scheduling).
- Reproducible: particle slot ``s`` of generation ``t`` seeds numpy's global generator (pyabc
  draws from it) with ``SeedSequence([seed, t, s])``, and its k-th attempt runs the model with a
  seed derived from ``(seed, t, s, k)``, so the posterior does not depend on the executor or the
  number of workers. A resumed generation redraws the same attempts and reuses their runs.
- After the fit, ``posterior_predictive`` parameter sets are drawn from the last generation (by
  weight) and run as an ordinary sweep into ``OUT/ppc`` (fresh seeds): the posterior predictive
  check of every target, fitted and held out.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import _, ngettext
from ..scenario import ScenarioError
from ..schema import MAX_SEED, ConfigError, param
from .particles import next_attempt, particle_seed
from .spec import (
    METRICS,
    Design,
    Experiment,
    StudySpec,
    build_spec,
    check_parameters,
    check_points,
    outputs_of,
    read_spec_file,
    resolve_base,
    spec_json,
)
from .store import StoreError, part_name

FORMAT = 1
#: run ids of the ABC runs: generation block, particle slot, attempt
_SLOT, _ATTEMPT = 10**6, 10**6


@dataclass(frozen=True)
class Target:
    """A published figure the model should reproduce."""

    name: str = param("", "Label of the target (default: the output or metric).")
    output: str = param("", "Column of the runs table compared with value (an output of "
                        "'outputs' or 'output_definitions').")
    value: float | None = param(None, "The figure (with output).")
    metric: str = param("", "A daily metric compared at the given days (a series target).")
    days: tuple[int, ...] = param((), "Days of a series target.", unit="days")
    values: tuple[float, ...] = param((), "The series' values at those days.")
    scale: float = param(1.0, "Tolerance unit: the distance counts (simulated - target) / "
                         "scale.", lo=1e-12, hi=1e12)
    brand: str = param("", "Brand whose row is compared (default: the spec's brand).")
    holdout: bool = param(False, "Keep out of the fit: simulated and reported only.")
    source: str = param("", "Where the figure comes from.")

    @property
    def label(self) -> str:
        return self.name or self.output or self.metric

    def stat_keys(self) -> tuple[str, ...]:
        """Summary-statistic keys of this target (one per day for a series)."""
        if self.metric:
            return tuple(f"{self.label}@{d}" for d in self.days)
        return (self.label,)

    def observed(self) -> dict[str, float]:
        if self.metric:
            return dict(zip(self.stat_keys(), map(float, self.values), strict=True))
        return {self.label: float(self.value)}


@dataclass(frozen=True)
class CalibrationSpec(StudySpec):
    """An ABC-SMC calibration of the model to published figures."""

    outputs: tuple[str, ...] = param((), "Metrics kept per run and brand: 'metric' or "
                                     "'metric:reduce' (the targets' outputs).")
    targets: tuple[Target, ...] = param((), "The figures to fit (and to hold out).",
                                        max_items=1000)
    brand: str = param("", "Brand compared with the targets (default: the scenario's first).")
    population_size: int = param(40, "Particles per generation.", lo=2, hi=100_000)
    generations: int = param(4, "ABC-SMC generations (populations).", lo=1, hi=1000)
    min_epsilon: float = param(0.0, "Stop when the acceptance threshold falls below this.",
                               lo=0, hi=1e12)
    seed: int | None = param(None, "Seed of the inference and the model runs (default: the "
                             "scenario's seed).", lo=0, hi=MAX_SEED)
    posterior_predictive: int = param(20, "Runs of the posterior predictive check.", lo=0,
                                      hi=100_000)
    timeseries: bool = param(False, "Keep every run's daily time series.")
    events: bool = param(False, "Keep every run's event log.")

    def __post_init__(self):
        super().__post_init__()
        if not self.parameters:
            raise ConfigError("parameters", [], _("a calibration needs at least one parameter"))
        for i, p in enumerate(self.parameters):
            if not p.is_range:
                raise ConfigError(f"parameters[{i}].values", list(p.values or ()),
                                  _("calibrated parameters are ranges (the prior): give low "
                                    "and high"))
            if p.n_levels is not None or p.integer:
                raise ConfigError(f"parameters[{i}]." + ("n_levels" if p.n_levels is not None
                                                         else "integer"),
                                  p.n_levels if p.n_levels is not None else p.integer,
                                  _("not used by a calibration (continuous priors only)"))
        if self.replicates != 1:
            raise ConfigError("replicates", self.replicates, _("must be 1: ABC compares one run "
                                                               "per particle"))
        if not self.targets:
            raise ConfigError("targets", [], _("a calibration needs at least one target"))
        labels: list[str] = []
        for i, t in enumerate(self.targets):
            where = f"targets[{i}]"
            if bool(t.output) == bool(t.metric):
                raise ConfigError(where, t.label or "{}", _("give either output (a statistic) "
                                                            "or metric (a series)"))
            if t.output and t.value is None:
                raise ConfigError(f"{where}.value", None, _("the figure to fit is required"))
            if t.output and (t.days or t.values):
                raise ConfigError(f"{where}.days", list(t.days), _("goes with metric, not "
                                                                   "output"))
            if t.metric:
                if t.metric not in METRICS:
                    from ..schema import did_you_mean

                    raise ConfigError(f"{where}.metric", t.metric,
                                      did_you_mean(t.metric, list(METRICS)))
                if not t.days or len(t.days) != len(t.values):
                    raise ConfigError(f"{where}.values", list(t.values), _(
                        "a series target lists as many values as days (at least one)"))
                if any(d < 0 for d in t.days):
                    raise ConfigError(f"{where}.days", list(t.days), _("days are ≥ 0"))
            if t.label in labels:
                raise ConfigError(f"{where}.name", t.label, _("names a target twice"))
            labels.append(t.label)
        if all(t.holdout for t in self.targets):
            raise ConfigError("targets", len(self.targets), _("every target is held out: "
                                                              "nothing to fit"))


# --------------------------------------------------------------------------------------------
# Loading


@dataclass
class Calibration:
    """A calibration spec resolved: priors, targets, the brand and the runs' context."""

    spec: CalibrationSpec
    experiment: Experiment  # the base scenario, outputs and parameter keys of every run
    brand: str
    seed: int
    hash: str
    source: str = ""
    targets: tuple[Target, ...] = field(default=())

    @property
    def fitted(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if not t.holdout)

    @property
    def held_out(self) -> tuple[Target, ...]:
        return tuple(t for t in self.targets if t.holdout)

    def observed(self) -> dict[str, float]:
        return {k: v for t in self.targets for k, v in t.observed().items()}

    def describe(self) -> str:
        e = self.experiment
        s = self.spec
        lines = [
            _("{name}: ABC-SMC (pyabc), {n} particles x up to {g} generations, runs of {days} "
              "days; seed {seed}").format(name=e.name, n=s.population_size, g=s.generations,
                                          days=e.scenario.horizon_days, seed=self.seed),
            _("  priors: ") + ", ".join(
                f"{p.column} U[{p.low:g}, {p.high:g}]" + (" (log10)" if p.scale == "log" else "")
                for p in s.parameters),
            _("  fitted ({brand}): ").format(brand=self.brand) + ", ".join(
                _target_text(t) for t in self.fitted),
            _("  held out: ") + (", ".join(_target_text(t) for t in self.held_out) or "-"),
            _("  posterior predictive check: {n} runs").format(n=s.posterior_predictive),
        ]
        return "\n".join(lines)


def _target_text(t: Target) -> str:
    if t.metric:
        return f"{t.label} ({len(t.days)} days) ± {t.scale:g}"
    return f"{t.label} = {t.value:g} ± {t.scale:g}"


def load_calibration(source: str | os.PathLike | Mapping[str, Any] | CalibrationSpec,
                     ) -> Calibration:
    """Load and validate a calibration spec (one-line :class:`ScenarioError` otherwise)."""
    data, where, folder = read_spec_file(source)
    spec = build_spec(CalibrationSpec, data, where)
    base, scenario_source = resolve_base(spec, where, folder)
    refused = check_parameters(spec, base, where)
    brand = spec.brand or base.brand_names[0]
    for label, name in [("brand", spec.brand)] + [(f"targets[{i}].brand", t.brand)
                                                  for i, t in enumerate(spec.targets)]:
        if name and name not in base.brands:
            raise ScenarioError(_("{file}: {key} = {value!r} (no such brand in the scenario; "
                                  "known: {known})").format(file=where, key=label, value=name,
                                                           known=", ".join(base.brands)))
    outputs = outputs_of(spec)
    columns = [c for o in outputs for c in o.columns]
    series_metrics: list[str] = []
    for i, t in enumerate(spec.targets):
        if t.output and t.output not in columns:
            from ..schema import did_you_mean

            raise ScenarioError(_("{file}: targets[{i}].output = {value!r} ({why}; add it to "
                                  "outputs or output_definitions)").format(
                file=where, i=i, value=t.output,
                why=did_you_mean(t.output, columns) if columns else _("no outputs declared")))
        if t.metric:
            horizon = spec.days or base.horizon_days
            if max(t.days) > horizon:
                raise ScenarioError(_("{file}: targets[{i}].days = {days} (past the horizon, "
                                      "day {horizon})").format(file=where, i=i,
                                                               days=list(t.days),
                                                               horizon=horizon))
            if t.metric not in series_metrics:
                series_metrics.append(t.metric)
    # Both corners of the prior box are checked as scenarios, like a sweep's design points.
    corners = (tuple(float(p.low) for p in spec.parameters),
               tuple(float(p.high) for p in spec.parameters))
    design = Design("calibration", tuple(p.column for p in spec.parameters),
                    tuple(p.key for p in spec.parameters), tuple(p.dtype for p in spec.parameters),
                    corners)
    check_points(design, base, where, spec.parameters, refused)
    seed = spec.seed if spec.seed is not None else base.seed
    timeseries = spec.timeseries or bool(series_metrics)
    experiment = Experiment(
        name=Path(where).stem if where != "experiment" else (spec.title or "calibration"),
        title=spec.title, source=where, kind="calibration",
        spec={**spec_json(spec), "seed": seed}, scenario=base, scenario_source=scenario_source,
        design=design, replicates=1, base_seed=seed, common_random_numbers=False,
        outputs=outputs, window_days=spec.window_days, timeseries=timeseries,
        timeseries_columns=(tuple(series_metrics) if not spec.timeseries else
                            spec.timeseries_columns),
        events=spec.events)
    digest = hashlib.sha256(json.dumps(
        {"experiment": experiment.hash, "spec": experiment.spec, "brand": brand},
        sort_keys=True, default=str).encode()).hexdigest()[:16]
    return Calibration(spec=spec, experiment=experiment, brand=brand, seed=seed, hash=digest,
                       source=where, targets=spec.targets)


# --------------------------------------------------------------------------------------------
# What runs on a worker


@dataclass(frozen=True)
class ParticleModel:
    """pyabc's model: one run of the calibration's context at the particle's parameters,
    through the sweep's worker function; returns the targets' summary statistics."""

    context: Any  # RunContext
    columns: tuple[str, ...]
    log10: tuple[bool, ...]
    bounds: tuple[tuple[float, float], ...]
    targets: tuple[Target, ...]
    brand: str
    seed: int

    def values(self, parameters: Mapping[str, float]) -> tuple[float, ...]:
        out = []
        for name, log, (lo, hi) in zip(self.columns, self.log10, self.bounds, strict=True):
            x = float(parameters[name])
            out.append(float(np.clip(10.0 ** x if log else x, lo, hi)))
        return tuple(out)

    def __call__(self, parameters: Mapping[str, float]) -> dict[str, float]:
        block, slot, attempt = next_attempt()
        run_id = (block * _SLOT + slot) * _ATTEMPT + attempt
        seed = particle_seed(self.seed, block, slot, attempt)
        return self.simulate(run_id, seed, self.values(parameters))

    def simulate(self, run_id: int, seed: int, values: tuple) -> dict[str, float]:
        from .worker import RunTask, execute_run

        out = Path(self.context.out)
        row = _read_row(out, run_id, self.brand)
        if row is None or int(row["seed"]) != seed or tuple(
                float(row[c]) for c in self.columns) != values:
            execute_run(self.context, RunTask(run_id, run_id, 0, seed, values))
            row = _read_row(out, run_id, self.brand)
        return statistics(out, run_id, row, self.targets, self.brand)


def _read_row(out: Path, run_id: int, brand: str) -> dict[str, Any] | None:
    path = out / "runs" / part_name(run_id)
    if not path.is_file():
        return None
    frame = pd.read_parquet(path)
    rows = frame[frame["brand"] == brand]
    return rows.iloc[0].to_dict() if len(rows) else None


def statistics(out: Path, run_id: int, row: Mapping[str, Any] | None,
               targets: Sequence[Target], default_brand: str) -> dict[str, float]:
    """The targets' summary statistics of one recorded run (NaN when it failed)."""
    stats: dict[str, float] = {}
    series = None
    for t in targets:
        brand = t.brand or default_brand
        ok = row is not None and row.get("status") == "ok"
        if t.output:
            value = float("nan")
            if ok:
                if brand != default_brand:
                    other = _read_row(out, run_id, brand)
                    value = float(other[t.output]) if other is not None else value
                else:
                    value = float(row[t.output])
            stats[t.label] = value
            continue
        if ok and series is None:
            series = pd.read_parquet(out / "timeseries" / part_name(run_id))
        for key, day in zip(t.stat_keys(), t.days, strict=True):
            value = float("nan")
            if ok:
                hit = series[(series["brand"] == brand) & (series["day"] == day)]
                if len(hit):
                    value = float(hit[t.metric].iloc[0])
            stats[key] = value
    return stats


@dataclass(frozen=True)
class ScaledDistance:
    """Euclidean norm of (simulated - target) / scale over the fitted targets."""

    scales: Mapping[str, float]

    def __call__(self, x: Mapping[str, float], x0: Mapping[str, float]) -> float:
        total = 0.0
        for key, scale in self.scales.items():
            d = (float(x[key]) - float(x0[key])) / scale
            if not np.isfinite(d):
                return float("inf")
            total += d * d
        return float(np.sqrt(total))


def _sampler_class():
    from .calibration_sampler import SeededMappingSampler

    return SeededMappingSampler


# --------------------------------------------------------------------------------------------
# The driver


@dataclass
class CalibrationResult:
    out: Path
    generations: pd.DataFrame
    posterior: pd.DataFrame  # one row per particle of the last generation, with its weight
    summary: pd.DataFrame  # per parameter: prior, weighted mean, median, 5% and 95% quantiles
    checks: pd.DataFrame  # per target: value, posterior predictive mean and interval
    wall_time_s: float = 0.0
    simulations: int = 0
    resumed_from: int = 0

    def __str__(self) -> str:
        lines = [_("calibration: {g} generation(s), {n} simulations, {s:.0f} s; results in "
                   "{out}").format(g=len(self.generations), n=self.simulations,
                                   s=self.wall_time_s, out=self.out)]
        for r in self.summary.itertuples():
            lines.append(f"  {r.parameter}: {_('median')} {r.median:.4g} [90%: {r.q05:.4g}, "
                         f"{r.q95:.4g}] ({_('prior')} [{r.prior_low:g}, {r.prior_high:g}])")
        for r in self.checks.itertuples():
            verdict = _("inside") if r.inside else _("OUTSIDE")
            role = _("held out") if r.holdout else _("fitted")
            lines.append(f"  {r.target} ({role}): {_('target')} {r.value:.4g}, {_('predicted')} "
                         f"{r.ppc_mean:.4g} [90%: {r.ppc_q05:.4g}, {r.ppc_q95:.4g}] "
                         f"{verdict}")
        return "\n".join(lines)


def _quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cum = np.cumsum(w[order]) / w.sum()
    return float(x[order][min(np.searchsorted(cum, q), len(x) - 1)])


def run_calibration(calibration: Calibration | str | os.PathLike | Mapping[str, Any],
                    out: str | os.PathLike, *, workers: int | None = None,
                    scheduler: str | None = None, executor: Any = None, resume: bool = False,
                    progress: bool = True) -> CalibrationResult:
    """Fit, check and report; ``--resume`` continues a killed calibration in ``out``."""
    import time

    from .executors import Executor, make_executor
    from .store import ResultStore
    from .sweep import context_of

    if not isinstance(calibration, Calibration):
        calibration = load_calibration(calibration)
    out = Path(out)
    clock = time.perf_counter()
    record_path = out / "calibration.json"
    if out.exists() and not out.is_dir():
        raise StoreError(_("--out {out}: is a file, not a folder").format(out=out))
    if out.is_dir() and any(p.name != ".lock" for p in out.iterdir()):
        if not resume:
            raise StoreError(_("--out {out}: folder is not empty (add --resume to continue a "
                               "calibration, or choose another folder)").format(out=out))
        try:
            existing = json.loads(record_path.read_text())
        except (OSError, ValueError):
            raise StoreError(_("--out {out}: not a socbiz calibration folder (no "
                               "calibration.json); choose another folder").format(out=out)
                             ) from None
        if existing.get("hash") != calibration.hash:
            raise StoreError(_("--out {out}: holds another calibration (hash {theirs}, this "
                               "one is {ours}); resume with the same spec, or choose another "
                               "folder").format(out=out, theirs=existing.get("hash"),
                                                ours=calibration.hash))
    abc_dir = out / "abc"
    e = calibration.experiment
    for table, kept in (("runs", True), ("timeseries", e.timeseries), ("events", e.events)):
        if kept:
            (abc_dir / table).mkdir(parents=True, exist_ok=True)
    store = ResultStore(out)
    store.lock()
    pool = make_executor(workers=workers, scheduler=scheduler, executor=executor)
    try:
        from ..runner import versions
        from .sweep import library_versions

        record = {"format": FORMAT, "kind": "calibration", "hash": calibration.hash,
                  "source": calibration.source, "brand": calibration.brand,
                  "seed": calibration.seed, "spec": calibration.experiment.spec,
                  "experiment_hash": calibration.experiment.hash,
                  "versions": {**versions(), **library_versions(), "pyabc": _version("pyabc")},
                  "executor": pool.description,
                  "started": datetime.now(UTC).isoformat(timespec="seconds")}
        record_path.write_text(json.dumps(record, indent=2, default=str))
        if pool.checks_shared_folder:
            pool.check_folder(str(out.resolve()))
        context = context_of(calibration.experiment, abc_dir)
        history, resumed_from = _fit(calibration, context, pool, out, progress)
        result = _report(calibration, history, pool, out, resume, progress)
        result.resumed_from = resumed_from
    finally:
        if not isinstance(executor, Executor):
            pool.shutdown()
        store.close()
    result.wall_time_s = time.perf_counter() - clock
    record["finished"] = datetime.now(UTC).isoformat(timespec="seconds")
    record["wall_time_s"] = round(result.wall_time_s, 1)
    record["simulations"] = result.simulations
    record_path.write_text(json.dumps(record, indent=2, default=str))
    return result


def _version(name: str) -> str | None:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return None  # recorded as null in calibration.json


def _fit(calibration: Calibration, context, pool, out: Path, progress: bool):
    import logging

    import pyabc

    spec = calibration.spec
    # pyabc logs each generation (threshold, acceptance, timing) on stderr at level INFO.
    level = logging.INFO if progress else logging.WARNING
    for name in ("ABC", "ABC.History", "ABC.Sampler", "ABC.Epsilon", "ABC.Distance"):
        logging.getLogger(name).setLevel(level)
    priors, log10, bounds = {}, [], []
    for p in spec.parameters:
        lo, hi = float(p.low), float(p.high)
        bounds.append((lo, hi))
        log10.append(p.scale == "log")
        if p.scale == "log":
            lo, hi = float(np.log10(lo)), float(np.log10(hi))
        priors[p.column] = pyabc.RV("uniform", lo, hi - lo)
    model = ParticleModel(context=context, columns=tuple(priors), log10=tuple(log10),
                          bounds=tuple(bounds), targets=calibration.targets,
                          brand=calibration.brand, seed=calibration.seed)
    scales = {k: t.scale for t in calibration.fitted for k in t.stat_keys()}
    sampler = _sampler_class()(pool.map, calibration.seed)
    abc = pyabc.ABCSMC(model, pyabc.Distribution(**priors), ScaledDistance(scales),
                       population_size=spec.population_size, sampler=sampler)
    db_path = (out / "abc.db").resolve()
    db = f"sqlite:///{db_path}"
    done = 0
    if db_path.is_file():
        try:
            history = abc.load(db, 1, observed_sum_stat=calibration.observed())
            done = history.max_t + 1
        except Exception:  # an empty database left by a session killed at its very start
            db_path.unlink()
    if not db_path.is_file():
        abc.new(db, calibration.observed(), meta_info={"socbiz_hash": calibration.hash})
    remaining = spec.generations - done
    if remaining > 0:
        # The driver's own draws (thresholds, kernels) use numpy's global generator too.
        state = np.random.SeedSequence([calibration.seed, 0xABC, done]).generate_state(2)
        np.random.seed(state)  # noqa: NPY002
        history = abc.run(minimum_epsilon=spec.min_epsilon, max_nr_populations=remaining)
    else:
        history = abc.history
    return history, done


def _report(calibration: Calibration, history, pool, out: Path, resume: bool,
            progress: bool) -> CalibrationResult:
    from .spec import Design
    from .sweep import run_sweep

    spec = calibration.spec
    populations = history.get_all_populations()
    generations = populations[populations["t"] >= 0].rename(columns={
        "samples": "simulations", "epsilon": "epsilon", "particles": "particles"})
    generations = generations[[c for c in ("t", "epsilon", "particles", "simulations")
                               if c in generations]].reset_index(drop=True)
    generations["acceptance_rate"] = generations["particles"] / generations["simulations"]
    generations.to_csv(out / "generations.csv", index=False)
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    w = np.asarray(weights, dtype=float)
    names = [p.column for p in spec.parameters]
    posterior = pd.DataFrame({
        name: (10.0 ** frame[name].to_numpy() if p.scale == "log" else frame[name].to_numpy())
        for name, p in zip(names, spec.parameters, strict=True)})
    posterior["weight"] = w / w.sum()
    posterior.to_csv(out / "posterior.csv", index=False)
    rows = []
    for name, p in zip(names, spec.parameters, strict=True):
        x = posterior[name].to_numpy()
        rows.append({"parameter": name, "key": p.key, "prior_low": float(p.low),
                     "prior_high": float(p.high), "prior_scale": p.scale,
                     "mean": float(np.average(x, weights=w)),
                     "median": _quantile(x, w, 0.5), "q05": _quantile(x, w, 0.05),
                     "q95": _quantile(x, w, 0.95)})
    summary = pd.DataFrame(rows)
    summary.to_csv(out / "posterior_summary.csv", index=False)
    # Posterior predictive check: parameter sets drawn by weight, fresh seeds, an ordinary sweep.
    k = spec.posterior_predictive
    checks = pd.DataFrame(columns=["target", "holdout", "value", "scale", "ppc_mean",
                                   "ppc_q05", "ppc_q95", "inside", "source"])
    simulations = int(generations["simulations"].sum())
    if k > 0:
        rng = np.random.default_rng(np.random.SeedSequence([calibration.seed, 0x99C]))
        picks = rng.choice(len(posterior), size=k, replace=True, p=posterior["weight"])
        points = tuple(tuple(float(posterior[n].iloc[i]) for n in names) for i in picks)
        e = calibration.experiment
        design = Design("posterior", e.design.columns, e.design.keys, e.design.dtypes, points)
        ppc = Experiment(name=f"{e.name}-ppc", title=e.title, source=e.source,
                         kind="posterior-predictive", spec={**e.spec, "calibration":
                                                            calibration.hash},
                         scenario=e.scenario, scenario_source=e.scenario_source, design=design,
                         replicates=1, base_seed=int(np.random.SeedSequence(
                             [calibration.seed, 0x99D]).generate_state(1)[0] >> 1),
                         common_random_numbers=False, outputs=e.outputs,
                         window_days=e.window_days, timeseries=e.timeseries,
                         timeseries_columns=e.timeseries_columns, events=e.events)
        sweep = run_sweep(ppc, out / "ppc", executor=pool, resume=resume or (out / "ppc").is_dir(),
                          progress=progress)
        simulations += sweep.ok + sweep.failed
        stats = [statistics(out / "ppc", run_id, _read_row(out / "ppc", run_id,
                                                           calibration.brand),
                            calibration.targets, calibration.brand)
                 for run_id in range(ppc.n_runs)]
        predicted = pd.DataFrame(stats)
        predicted.insert(0, "run_id", range(ppc.n_runs))
        predicted.to_csv(out / "ppc.csv", index=False)
        rows = []
        for t in calibration.targets:
            for key, value in t.observed().items():
                x = predicted[key].to_numpy(dtype=float)
                x = x[np.isfinite(x)]
                lo, hi = (np.quantile(x, [0.05, 0.95]) if len(x) else (np.nan, np.nan))
                rows.append({"target": key, "holdout": t.holdout, "value": value,
                             "scale": t.scale, "ppc_mean": float(x.mean()) if len(x) else np.nan,
                             "ppc_q05": float(lo), "ppc_q95": float(hi),
                             "inside": bool(lo <= value <= hi), "source": t.source})
        checks = pd.DataFrame(rows)
    checks.to_csv(out / "checks.csv", index=False)
    result = CalibrationResult(out=out, generations=generations, posterior=posterior,
                               summary=summary, checks=checks, simulations=simulations)
    (out / "plots").mkdir(exist_ok=True)
    plot_posterior(result, calibration).savefig(out / "plots" / "posterior.png", dpi=110)
    if len(checks):
        plot_checks(result, out / "ppc.csv").savefig(out / "plots" / "ppc.png", dpi=110)
    write_overrides(result, calibration, out / "calibrated_overrides.toml")
    (out / "summary.md").write_text(summary_markdown(result, calibration))
    return result


def plot_posterior(result: CalibrationResult, calibration: Calibration):
    from matplotlib.figure import Figure

    params = calibration.spec.parameters
    fig = Figure(figsize=(4.2 * len(params), 3.4), layout="constrained")
    axes = fig.subplots(1, len(params), squeeze=False)[0]
    w = result.posterior["weight"].to_numpy()
    for ax, p in zip(axes, params, strict=True):
        x = result.posterior[p.column].to_numpy()
        lo, hi = float(p.low), float(p.high)
        if p.scale == "log":
            bins = np.logspace(np.log10(lo), np.log10(hi), 21)
            ax.set_xscale("log")
        else:
            bins = np.linspace(lo, hi, 21)
        ax.hist(x, bins=bins, weights=w, color="#2a9d8f", alpha=0.85, label=_("posterior"))
        ax.axhline(1 / 20, color="#888", linestyle=":", label=_("prior (uniform)"))
        row = result.summary[result.summary["parameter"] == p.column].iloc[0]
        ax.axvspan(row["q05"], row["q95"], color="#e9c46a", alpha=0.3,
                   label=_("90% credible interval"))
        ax.axvline(row["median"], color="#264653", label=_("median"))
        ax.set_xlim(lo, hi)
        ax.set_xlabel(p.column)
        ax.set_ylabel(_("posterior weight per bin"))
    axes[0].legend(fontsize=7)
    fig.suptitle(_("ABC-SMC posterior (last generation, {n} particles); band: 90% credible "
                   "interval").format(n=len(result.posterior)), fontsize=10)
    return fig


def plot_checks(result: CalibrationResult, ppc_csv: Path):
    from matplotlib.figure import Figure

    predicted = pd.read_csv(ppc_csv)
    checks = result.checks
    fig = Figure(figsize=(3.6 * len(checks), 3.2), layout="constrained")
    axes = fig.subplots(1, len(checks), squeeze=False)[0]
    for ax, r in zip(axes, checks.itertuples(), strict=True):
        x = predicted[r.target].dropna().to_numpy()
        ax.hist(x, bins=15, color="#8ab17d" if not r.holdout else "#9b5de5", alpha=0.85)
        ax.axvspan(r.ppc_q05, r.ppc_q95, color="#e9c46a", alpha=0.3)
        ax.axvline(r.value, color="#e76f51", linewidth=2)
        role = _("held out") if r.holdout else _("fitted")
        ax.set_title(f"{r.target} ({role})", fontsize=9)
        ax.set_xlabel(_("simulated (line: published figure)"), fontsize=8)
    fig.suptitle(_("Posterior predictive check ({n} runs); band: 90% predictive "
                   "interval").format(n=len(predicted)), fontsize=10)
    return fig


def write_overrides(result: CalibrationResult, calibration: Calibration, path: Path) -> None:
    lines = ["# " + _("Calibrated by socbiz calibrate {source} (hash {hash}):").format(
                 source=calibration.source, hash=calibration.hash),
             "# " + _("posterior medians of pyabc's ABC-SMC, last generation; credible "
                      "intervals at 90%, in the comments."),
             "# " + _("Targets:")]
    for t in calibration.targets:
        figure = t.value if t.output else dict(zip(t.days, t.values, strict=True))
        lines.append(f"#   {t.label} = {figure}" + (f" ({_('held out')})" if t.holdout else "")
                     + (f": {t.source}" if t.source else ""))
    for r in result.summary.itertuples():
        lines.append(f"{r.key} = {r.median:.6g}   # " + _(
            "90%: [{low}, {high}], prior [{prior_low}, {prior_high}]").format(
            low=f"{r.q05:.4g}", high=f"{r.q95:.4g}", prior_low=f"{r.prior_low:g}",
            prior_high=f"{r.prior_high:g}"))
    path.write_text("\n".join(lines) + "\n")


def _row(*cells) -> str:
    """A row of a markdown table."""
    return "| " + " | ".join(str(c) for c in cells) + " |"


def summary_markdown(result: CalibrationResult, calibration: Calibration) -> str:
    s = calibration.spec
    lines = [f"# {_('Calibration')}: {calibration.experiment.name}", "",
             calibration.describe().replace("\n", "  \n"), "",
             f"## {_('Generations')}", "",
             _row("t", _("threshold (epsilon)"), _("particles"), _("simulations"),
                  _("acceptance")), "|---|---|---|---|---|"]
    for g in result.generations.itertuples():
        lines.append(f"| {g.t} | {g.epsilon:.4g} | {g.particles} | {g.simulations} | "
                     f"{g.acceptance_rate:.2f} |")
    lines += ["", f"## {_('Posterior')}", "",
              _row(_("parameter"), _("key"), _("prior"), _("median"), _("90% credible interval"),
                   _("mean")), "|---|---|---|---|---|---|"]
    for r in result.summary.itertuples():
        lines.append(f"| {r.parameter} | `{r.key}` | [{r.prior_low:g}, {r.prior_high:g}]"
                     f"{' log' if r.prior_scale == 'log' else ''} | {r.median:.4g} | "
                     f"[{r.q05:.4g}, {r.q95:.4g}] | {r.mean:.4g} |")
    runs = ngettext("{n} run", "{n} runs", s.posterior_predictive).format(
        n=s.posterior_predictive)
    lines += ["", f"## {_('Posterior predictive check')} ({runs})", "",
              _row(_("target"), _("role"), _("published"), _("predicted mean"),
                   _("90% predictive interval"), _("inside"), _("source")),
              "|---|---|---|---|---|---|---|"]
    for r in result.checks.itertuples():
        lines.append(_row(r.target, _("held out") if r.holdout else _("fitted"),
                          f"{r.value:.4g}", f"{r.ppc_mean:.4g}",
                          f"[{r.ppc_q05:.4g}, {r.ppc_q95:.4g}]",
                          _("yes") if r.inside else _("NO"), r.source))
    lines += ["", "![posterior](plots/posterior.png)", "", "![checks](plots/ppc.png)", ""]
    return "\n".join(lines)
