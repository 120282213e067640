"""Global sensitivity analysis with SALib, run through the same executors and results store.

A sensitivity spec is an experiment file whose parameters are all ranges (``low``/``high``,
optionally ``scale = "log"`` or ``integer = true``) plus the method's settings:

- ``method = "morris"``: ``n`` trajectories of Morris elementary effects on a ``num_levels``
  grid (``SALib.sample.morris``), ``n x (D + 1)`` runs. Indices: ``mu``, ``mu_star`` (mean
  absolute effect: importance), ``sigma`` (spread: non-linearity or interactions) and
  ``mu_star_conf`` (bootstrap confidence interval). A screening method: cheap, ranks inputs.
- ``method = "sobol"``: Saltelli's extension of the Sobol' sequence (``SALib.sample.sobol``)
  with base sample ``n`` (a power of 2), ``n x (D + 2)`` runs (``n x (2D + 2)`` with
  ``calc_second_order``). Indices: first-order ``S1`` (share of the output's variance due to the
  input alone) and total ``ST`` (including all its interactions), each with its bootstrap
  confidence interval (``S1_conf``, ``ST_conf``); ``S2`` pairs with second order.

Every sample point is a design point of an ordinary sweep (so ``--resume``, the progress bar,
Dask and the runs table all work the same). The model is stochastic; the analysis assumes a
function of the inputs. Replicate seeds therefore use **common random numbers**: replicate r of
every sample point runs with the same seed, so differences between points are due to the inputs
and not to the draws, and an output is the mean over the ``replicates`` seeds. With
``replicates = 1`` the indices describe the model at one seed; raise it to average the noise
out (indices of inputs that do nothing then tend to 0).

Seeds: ``seed`` (default: the scenario's) seeds SALib's sampler, the model runs
(``SeedSequence(seed).spawn(replicates)``) and the bootstrap of the confidence intervals.
A ``scale = "log"`` input is sampled and analysed in log10 units; an ``integer`` input is
sampled on [low, high + 1) and floored.

Outputs: the indices of every output and brand in ``indices.csv`` (long format: method, brand,
output, parameter, indices, plus ``output_mean`` and ``output_sd`` of the analysed values: an
output that does not vary has zero indices), ``indices_s2.csv`` for second order, bar plots
``plots/<method>_<brand>_<output>.png``, and the SALib problem and sample in ``problem.json``
and ``samples.csv`` for re-analysis.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import _, format_number, format_percent
from ..scenario import ScenarioError
from ..schema import MAX_SEED, ConfigError, param
from .spec import (
    CATEGORICAL_METRICS,
    Design,
    Experiment,
    Parameter,
    StudySpec,
    build_spec,
    check_parameters,
    check_plan_size,
    check_points,
    outputs_of,
    parse_output,
    read_spec_file,
    resolve_base,
    spec_json,
)

METHODS = ("morris", "sobol")
DEFAULT_N = {"morris": 10, "sobol": 64}
INDEX_COLUMNS = {
    "morris": ("mu", "mu_star", "mu_star_conf", "sigma"),
    "sobol": ("S1", "S1_conf", "ST", "ST_conf"),
}


@dataclass(frozen=True)
class SensitivitySpec(StudySpec):
    """A global sensitivity analysis of the model."""

    outputs: tuple[str, ...] = param(("maturity", "followers", "net_sentiment", "roi"),
                                     "Metrics analysed per brand: 'metric' or 'metric:reduce'.")
    method: str = param("morris", "morris (screening) or sobol (variance decomposition); the "
                        "command line's --method wins.", choices=METHODS)
    n: int | None = param(None, "Morris: trajectories (default 10). Sobol: base sample size, a "
                          "power of 2 (default 64).", lo=2, hi=2**24)
    seed: int | None = param(None, "Seed of the sample, the model runs and the bootstrap "
                             "(default: the scenario's seed).", lo=0, hi=MAX_SEED)
    brand: str = param("", "Analyse this brand only (default: every brand).")
    num_levels: int = param(4, "Morris: levels of the grid.", lo=2, hi=1000)
    calc_second_order: bool = param(False, "Sobol: second-order indices too (about twice the "
                                    "runs).")
    conf_level: float = param(0.95, "Confidence level of the intervals.", lo=0.5, hi=0.999)
    num_resamples: int = param(1000, "Bootstrap resamples for the intervals.", lo=10,
                               hi=1_000_000)
    timeseries: bool = param(False, "Keep every run's daily time series.")
    events: bool = param(False, "Keep every run's event log.")

    def __post_init__(self):
        super().__post_init__()
        if not self.parameters:
            raise ConfigError("parameters", [], _("a sensitivity analysis needs at least one "
                                                  "parameter"))
        for i, p in enumerate(self.parameters):
            if not p.is_range:
                raise ConfigError(f"parameters[{i}].values", list(p.values),
                                  _("sensitivity parameters are ranges: give low and high"))
            if p.n_levels is not None:
                raise ConfigError(f"parameters[{i}].n_levels", p.n_levels,
                                  _("not used by sensitivity analysis"))
        n = self.n if self.n is not None else DEFAULT_N[self.method]
        if self.method == "sobol" and n & (n - 1):
            raise ConfigError("n", n, _("must be a power of 2 for method = 'sobol' (e.g. 64, "
                                        "128, 256)"))
        # Checks of the hardening issue (#14): categorical outputs, and the plan's size counted
        # before SALib builds the sample.
        for i, text in enumerate(self.outputs):
            output = parse_output(text, self.reduce, f"outputs[{i}]")
            if output.metric in CATEGORICAL_METRICS and not (
                    output.metric == "help_desk" and output.reduce == "mean"):
                raise ConfigError(f"outputs[{i}]", text, _(
                    "a category, not a quantity: no sensitivity index; use {instead}").format(
                    instead=CATEGORICAL_METRICS[output.metric]))
        d = len(self.parameters)
        per_n = (d + 1 if self.method == "morris"
                 else 2 * d + 2 if self.calc_second_order else d + 2)
        check_plan_size(n * per_n, self.replicates)


def salib_problem(parameters: Sequence[Parameter]) -> dict[str, Any]:
    """SALib's problem: names are the result columns; log-scale inputs in log10 units;
    integer inputs on [low, high + 1)."""
    bounds = []
    for p in parameters:
        lo, hi = float(p.low), float(p.high) + (1.0 if p.integer else 0.0)
        if p.scale == "log":
            lo, hi = np.log10(lo), np.log10(hi)
        bounds.append([float(lo), float(hi)])
    return {"num_vars": len(parameters), "names": [p.column for p in parameters],
            "bounds": bounds}


def to_values(parameters: Sequence[Parameter], X: np.ndarray) -> list[tuple]:
    """SALib sample rows as parameter values for the model."""
    columns = []
    for j, p in enumerate(parameters):
        x = X[:, j].astype(float)
        if p.scale == "log":
            x = 10.0 ** x
        if p.integer:
            columns.append([int(v) for v in np.clip(np.floor(x), p.low, p.high)])
        else:
            columns.append([float(v) for v in np.clip(x, p.low, p.high)])
    return list(zip(*columns, strict=True))


def sample(problem: Mapping[str, Any], method: str, n: int, seed: int, *, num_levels: int = 4,
           calc_second_order: bool = False) -> np.ndarray:
    """SALib's sample for ``method`` (rows in the problem's units)."""
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(dict(problem), n, num_levels=num_levels, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(dict(problem), n, calc_second_order=calc_second_order, seed=seed)


def analysis_seed(seed: int) -> int:
    # SALib's sobol.analyze ignores a seed of 0 ("if seed:"): derive a non-zero one.
    return int(np.random.SeedSequence([0x53414C, seed]).generate_state(1)[0]) or 1


def analyze(problem: Mapping[str, Any], X: np.ndarray, Y: np.ndarray, method: str, *,
            seed: int, conf_level: float = 0.95, num_resamples: int = 1000,
            num_levels: int = 4, calc_second_order: bool = False,
            ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Indices of one output: one row per parameter (and the S2 pairs for second order)."""
    Y = np.asarray(Y, dtype=float)
    names = list(problem["names"])
    frame = pd.DataFrame({"parameter": names})
    s2 = None
    if not np.all(np.isfinite(Y)):
        raise ValueError(_("the output has missing or infinite values"))
    constant = np.ptp(Y) == 0
    if method == "morris":
        from SALib.analyze import morris

        si = morris.analyze(dict(problem), X, Y, num_resamples=num_resamples,
                            conf_level=conf_level, num_levels=num_levels,
                            seed=analysis_seed(seed))
        for key in INDEX_COLUMNS["morris"]:
            frame[key] = np.asarray(si[key], dtype=float)
    elif constant:  # variance-based indices of a constant: nothing to apportion
        for key in INDEX_COLUMNS["sobol"]:
            frame[key] = 0.0
    else:
        from SALib.analyze import sobol

        si = sobol.analyze(dict(problem), Y, calc_second_order=calc_second_order,
                           num_resamples=num_resamples, conf_level=conf_level,
                           seed=analysis_seed(seed))
        for key in INDEX_COLUMNS["sobol"]:
            frame[key] = np.asarray(si[key], dtype=float)
        if calc_second_order:
            rows = []
            for i in range(len(names)):
                for j in range(i + 1, len(names)):
                    rows.append({"parameter_i": names[i], "parameter_j": names[j],
                                 "S2": float(si["S2"][i, j]),
                                 "S2_conf": float(si["S2_conf"][i, j])})
            s2 = pd.DataFrame(rows)
    frame["output_mean"] = float(Y.mean())
    frame["output_sd"] = float(Y.std())
    return frame, s2


def evaluate_function(fn: Callable[[np.ndarray], np.ndarray], X: np.ndarray, *,
                      workers: int | None = None, scheduler: str | None = None,
                      executor: Any = None, chunks: int | None = None) -> np.ndarray:
    """``fn`` (rows -> values, vectorised, importable by workers) on the rows of ``X``,
    computed in chunks through the executor seam; values in row order."""
    from .executors import make_executor

    pool = make_executor(workers=workers, scheduler=scheduler, executor=executor)
    try:
        n_chunks = chunks or max(1, min(len(X), 4 * pool.slots))
        parts = pool.map(fn, np.array_split(np.asarray(X), n_chunks))
    finally:
        if executor is None:
            pool.shutdown()
    return np.concatenate([np.asarray(p, dtype=float).ravel() for p in parts])


def analyze_function(fn: Callable[[np.ndarray], np.ndarray], problem: Mapping[str, Any],
                     method: str, n: int, *, seed: int, num_levels: int = 4,
                     calc_second_order: bool = False, conf_level: float = 0.95,
                     num_resamples: int = 1000, **execution: Any) -> pd.DataFrame:
    """Sample, evaluate ``fn`` through an executor, analyse: the indices of a plain function
    (used to check the pipeline on functions with known indices, e.g. Ishigami)."""
    X = sample(problem, method, n, seed, num_levels=num_levels,
               calc_second_order=calc_second_order)
    Y = evaluate_function(fn, X, **execution)
    frame, _ = analyze(problem, X, Y, method, seed=seed, conf_level=conf_level,
                       num_resamples=num_resamples, num_levels=num_levels,
                       calc_second_order=calc_second_order)
    return frame


# --------------------------------------------------------------------------------------------
# The model


@dataclass
class SensitivityStudy:
    """A sensitivity spec resolved: its SALib problem and sample, and the sweep running it."""

    spec: SensitivitySpec
    method: str
    n: int
    seed: int
    problem: dict[str, Any]
    X: np.ndarray
    experiment: Experiment

    def describe(self) -> str:
        e = self.experiment
        lines = [_("{name} ({method}, n = {n}): {samples} samples x {replicates} "
                   "replicate(s) = {runs} runs of {days} days; seed {seed}").format(
                     name=e.name, method=self.method, n=self.n, samples=len(self.X),
                     replicates=e.replicates, runs=e.n_runs, days=e.scenario.horizon_days,
                     seed=self.seed),
                 _("  parameters: {parameters}").format(parameters=", ".join(
                     f"{p.column} [{p.low:g}, {p.high:g}]"
                     + (" log" if p.scale == "log" else "") + (" integer" if p.integer else "")
                     for p in self.spec.parameters)),
                 _("  outputs: {outputs} for {brands}").format(
                     outputs=", ".join(o.column for o in e.outputs),
                     brands=self.spec.brand or _("every brand ({brands})").format(
                         brands=", ".join(e.brands)))]
        return "\n".join(lines)


def load_sensitivity(source: str | os.PathLike | Mapping[str, Any] | SensitivitySpec,
                     method: str | None = None, n: int | None = None) -> SensitivityStudy:
    """Load and validate a sensitivity spec and draw its sample (``method`` and ``n``
    override the spec's)."""
    data, where, folder = read_spec_file(source)
    if method is not None:
        data = {**data, "method": method}
    if n is not None:
        data = {**data, "n": n}
    spec = build_spec(SensitivitySpec, data, where)
    base, scenario_source = resolve_base(spec, where, folder)
    refused = check_parameters(spec, base, where)
    if spec.brand and spec.brand not in base.brands:
        raise ScenarioError(_("{where}: brand = {brand!r} (no such brand in the scenario; "
                              "known: {brands})").format(
                              where=where, brand=spec.brand, brands=', '.join(base.brands)))
    n = spec.n if spec.n is not None else DEFAULT_N[spec.method]
    seed = spec.seed if spec.seed is not None else base.seed
    problem = salib_problem(spec.parameters)
    X = sample(problem, spec.method, n, seed, num_levels=spec.num_levels,
               calc_second_order=spec.calc_second_order)
    design = Design(spec.method, tuple(p.column for p in spec.parameters),
                    tuple(p.key for p in spec.parameters),
                    tuple(p.dtype for p in spec.parameters),
                    tuple(to_values(spec.parameters, X)))
    check_points(design, base, where, spec.parameters, refused)
    settings = {"method": spec.method, "n": n, "seed": seed, "num_levels": spec.num_levels,
                "calc_second_order": spec.calc_second_order, "conf_level": spec.conf_level,
                "num_resamples": spec.num_resamples, "brand": spec.brand,
                "problem": problem}
    rule = None
    if spec.method == "sobol":
        # Sobol' sequences are extensible: the sample for 2n starts with the sample for n, so
        # the study is identified by its generating rule and grows without redoing a run.
        settings.pop("n")
        rule = {"sampler": "SALib.sample.sobol", "problem": problem, "seed": seed,
                "calc_second_order": spec.calc_second_order, "scramble": True,
                "skip_values": 0}
    experiment = Experiment(
        name=Path(where).stem if where != "experiment" else (spec.title or "sensitivity"),
        title=spec.title, source=where, kind="sensitivity",
        spec={**spec_json(spec), "method": spec.method, "n": n, "seed": seed},
        scenario=base, scenario_source=scenario_source, design=design,
        replicates=spec.replicates, base_seed=seed, common_random_numbers=True,
        outputs=outputs_of(spec), window_days=spec.window_days, timeseries=spec.timeseries,
        timeseries_columns=spec.timeseries_columns, events=spec.events, extra=settings,
        design_rule=rule)
    return SensitivityStudy(spec=spec, method=spec.method, n=n,
                            seed=seed, problem=problem, X=X, experiment=experiment)


@dataclass
class SensitivityResult:
    sweep: Any
    out: Path
    method: str
    indices: pd.DataFrame | None = None
    s2: pd.DataFrame | None = None
    convergence: pd.DataFrame | None = None
    files: list[Path] = field(default_factory=list)
    problem: str = ""

    def report(self, top: int = 4) -> str:
        if self.indices is None:
            return _("no indices: {problem}").format(problem=self.problem)
        key, conf = ("mu_star", "mu_star_conf") if self.method == "morris" else ("ST", "ST_conf")
        wide: list[str] = []
        lines = [_("{method} indices in {indices}; plots in {plots} (ranked by {key} ± "
                   "{conf})").format(method=self.method, indices=self.out / "indices.csv",
                                     plots=self.out / "plots", key=key,
                                     conf=conf.split("_")[-1])]
        for (brand, output), rows in self.indices.groupby(["brand", "output"], sort=False):
            if (rows["output_sd"] == 0).all():
                lines.append(_("  {brand} {output}: constant over the sample ({value}): no "
                               "sensitivity to measure").format(
                               brand=brand, output=output,
                               value=format_number(rows['output_mean'].iloc[0])))
                continue
            ranked_rows = rows.sort_values(key, ascending=False)
            ranked = ", ".join(f"{r.parameter} {_significant(getattr(r, key), 3)} ± "
                               f"{_significant(getattr(r, conf), 2)}"
                               for r in ranked_rows.head(top).itertuples())
            lines.append(f"  {brand} {output}: {ranked}")
            share = rows["seed_variance_share"].iloc[0] if "seed_variance_share" in rows \
                else float("nan")
            if share == share:  # not NaN: several replicates
                lines.append(_("    {share} of the runs' variance is due to the seeds "
                               "(indices are of the mean of {int} replicates)").format(
                               share=format_percent(share, 0),
                               int=int(rows['replicates'].iloc[0])))
            scale = 1.0 if self.method == "sobol" else float(rows[key].max())
            if (rows[conf] > 0.25 * scale).any():
                wide.append(f"{brand} {output}")
        if wide:
            lines.append(_("  wide confidence intervals for {wide}: raise n (and replicates, "
                           "for a noisy output) for firmer indices").format(wide=', '.join(wide)))
        return "\n".join(lines)


def run_sensitivity(study: SensitivityStudy | str | os.PathLike | Mapping[str, Any],
                    out: str | os.PathLike, *, method: str | None = None,
                    workers: int | None = None, scheduler: str | None = None,
                    executor: Any = None, resume: bool = False,
                    progress: bool = True, announce: Any = None) -> SensitivityResult:
    """Run the model at every sample point (a sweep into ``out``), then write the indices."""
    from .sweep import run_sweep

    if not isinstance(study, SensitivityStudy):
        study = load_sensitivity(study, method=method)
    out = Path(out)
    if resume:
        _prepare_growth(study, out)
    summary = run_sweep(study.experiment, out, workers=workers, scheduler=scheduler,
                        executor=executor, resume=resume, retry_failed=resume,
                        progress=progress, announce=announce)
    result = SensitivityResult(sweep=summary, out=out, method=study.method)
    if summary.interrupted or summary.missing or summary.failed:
        result.problem = _("{failed} run(s) failed and {missing} are missing; the analysis "
                           "needs every run: fix the cause and rerun with --resume").format(
                               failed=summary.failed, missing=summary.missing)
        return result
    result.indices, result.s2 = indices_of(study, out)
    result.files = write_indices(study, out, result.indices, result.s2)
    if study.method == "sobol":
        result.convergence = convergence_of(study, out)
        result.files += write_convergence(study, out, result.convergence)
    return result


def _prepare_growth(study: SensitivityStudy, out: Path) -> None:
    """Before resuming a grown Sobol study into ``out``: the points already planned there must
    be the first points of the new plan (same rule, same SALib and scipy), then the recorded
    plan is replaced by the larger one."""
    design = out / "design.parquet"
    record = out / "experiment.json"
    if study.method != "sobol" or not design.is_file() or not record.is_file():
        return
    if json.loads(record.read_text()).get("experiment_hash") != study.experiment.hash:
        return  # another experiment: the store refuses it with the reason
    old = pd.read_parquet(design)
    e = study.experiment
    new = e.design.frame()
    columns = list(e.design.columns)
    first = old.drop_duplicates("point").sort_values("point")
    common = min(len(first), len(new))
    same = np.allclose(first[columns].to_numpy(dtype=float)[:common],
                       new[columns].to_numpy(dtype=float)[:common], rtol=0, atol=1e-12)
    if not same or old["replicate"].max() + 1 != e.replicates:
        raise ScenarioError(_("{out}: its recorded Sobol' points are not the first points of "
                              "this sample (another SALib or scipy version?); use another "
                              "folder").format(out=out))
    if len(first) != e.n_points:
        design.unlink()  # rewritten with the new plan by the sweep


def outputs_matrix(study: SensitivityStudy, out: Path, *, replicates: bool = False
                   ) -> dict[tuple[str, str], np.ndarray]:
    """Per (brand, output column): the output at every sample point, averaged over the
    replicates, in sample order (``replicates=True``: the points x replicates matrix)."""
    from .analysis import load_runs

    e = study.experiment
    columns = [o.column for o in e.outputs]
    runs = load_runs(out, columns=["run_id", "point", "replicate", "brand", "status",
                                   *columns])
    brands = [study.spec.brand] if study.spec.brand else list(e.brands)
    matrix = {}
    for brand in brands:
        rows = runs[runs["brand"] == brand].sort_values("run_id")
        if len(rows) != e.n_runs or (rows["status"] != "ok").any():
            raise ScenarioError(_("{out}: the runs table does not hold every run ok for "
                                  "{brand}; rerun with --resume").format(out=out, brand=brand))
        for column in columns:
            values = rows[column].to_numpy(dtype=float).reshape(e.n_points, e.replicates)
            matrix[(brand, column)] = values if replicates else values.mean(axis=1)
    return matrix


def seed_variance_share(values: np.ndarray) -> float:
    """Share of the runs' output variance due to the seeds: the variance across replicates of
    one point over that plus the variance between points (NaN with one replicate). The
    indices describe the replicate mean; a large share says the seeds matter as much as the
    inputs (raise replicates, or analyse a less noisy output)."""
    n_points, n_rep = values.shape
    if n_rep < 2:
        return float("nan")
    # One-way random-effects variance components (ANOVA): within = MS_within, between =
    # (MS_between - MS_within) / replicates, clipped at 0; the share is within / (sum).
    within = float(values.var(axis=1, ddof=1).mean())
    between_ms = float(n_rep * values.mean(axis=1).var(ddof=1)) if n_points > 1 else 0.0
    between = max(0.0, (between_ms - within) / n_rep)
    total = within + between
    return within / total if total > 0 else 0.0


def convergence_of(study: SensitivityStudy, out: Path) -> pd.DataFrame:
    """Sobol indices and intervals against the base sample size: the first N points for N =
    8, 16, ... up to n (powers of 2). Stable indices with shrinking intervals say n is
    enough."""
    spec = study.spec
    per_n = len(study.X) // study.n
    sizes = [m for m in (2 ** k for k in range(3, 31)) if m <= study.n]
    if not sizes or sizes[-1] != study.n:
        sizes.append(study.n)
    frames = []
    for (brand, column), Y in outputs_matrix(study, out).items():
        for m in sizes:
            rows = m * per_n
            frame, _ = analyze(study.problem, study.X[:rows], Y[:rows], "sobol",
                               seed=study.seed, conf_level=spec.conf_level,
                               num_resamples=min(spec.num_resamples, 300),
                               calc_second_order=spec.calc_second_order)
            frames.append(frame.assign(brand=brand, output=column, N=m, runs=rows *
                                       study.experiment.replicates))
    return pd.concat(frames, ignore_index=True)


def write_convergence(study: SensitivityStudy, out: Path, frame: pd.DataFrame) -> list[Path]:
    from matplotlib.figure import Figure

    files = [out / "convergence.csv"]
    frame.to_csv(files[0], index=False)
    for (brand, output), rows in frame.groupby(["brand", "output"], sort=False):
        fig = Figure(figsize=(10, 3.8), layout="constrained")
        axes = fig.subplots(1, 2, sharey=True)
        for ax, key in zip(axes, ("S1", "ST"), strict=True):
            for k, (name, g) in enumerate(rows.groupby("parameter", sort=False)):
                shift = 1 + 0.03 * (k - 2)  # side by side at each N
                ax.errorbar(g["N"] * shift, g[key], yerr=g[f"{key}_conf"], marker="o",
                            ms=3, capsize=2, lw=1, label=name)
            ax.set_xscale("log", base=2)
            ax.set_xlabel(_("base sample size N (runs = N x (D + 2) x replicates)"))
            ax.set_title(_("{index} ± {level} bootstrap interval").format(
                index=key, level=format_percent(study.spec.conf_level, 0)), fontsize=10)
            ax.axhline(0, color="black", lw=0.5)
            ax.grid(alpha=0.3)
            _localise_y(ax)
        axes[0].set_ylabel(_("index"))
        axes[1].legend(fontsize=7, loc="best")
        fig.suptitle(_("Convergence of the Sobol indices of {output} ({brand})").format(
            output=output, brand=brand), fontsize=10)
        path = out / "plots" / f"convergence_{brand}_{output}.png"
        path.parent.mkdir(exist_ok=True)
        fig.savefig(path, dpi=120)
        files.append(path)
    return files


def indices_of(study: SensitivityStudy, out: Path) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    spec = study.spec
    frames, s2_frames = [], []
    for (brand, column), runs in outputs_matrix(study, out, replicates=True).items():
        Y = runs.mean(axis=1)
        frame, s2 = analyze(study.problem, study.X, Y, study.method, seed=study.seed,
                            conf_level=spec.conf_level, num_resamples=spec.num_resamples,
                            num_levels=spec.num_levels,
                            calc_second_order=spec.calc_second_order)
        head = {"method": study.method, "brand": brand, "output": column}
        frame["replicates"] = runs.shape[1]
        frame["seed_variance_share"] = seed_variance_share(runs)
        frames.append(frame.assign(**head)[[*head, *frame.columns]])
        if s2 is not None:
            s2_frames.append(s2.assign(**head)[[*head, *s2.columns]])
    indices = pd.concat(frames, ignore_index=True)
    return indices, (pd.concat(s2_frames, ignore_index=True) if s2_frames else None)


def write_indices(study: SensitivityStudy, out: Path, indices: pd.DataFrame,
                  s2: pd.DataFrame | None) -> list[Path]:
    files = [out / "indices.csv"]
    indices.to_csv(files[0], index=False)
    if s2 is not None:
        files.append(out / "indices_s2.csv")
        s2.to_csv(files[-1], index=False)
    (out / "problem.json").write_text(json.dumps(
        {**study.problem, "method": study.method, "n": study.n, "seed": study.seed,
         "num_levels": study.spec.num_levels,
         "calc_second_order": study.spec.calc_second_order}, indent=2) + "\n")
    pd.DataFrame(study.X, columns=study.problem["names"]).to_csv(out / "samples.csv",
                                                                  index=False)
    plots = out / "plots"
    plots.mkdir(exist_ok=True)
    n_runs = study.experiment.n_runs
    for (brand, output), rows in indices.groupby(["brand", "output"], sort=False):
        fig = plot_indices(rows, study.method, title=_(
            "{output} of {brand}: {method}, {runs} runs, {level} CI").format(
                output=output, brand=brand, method=study.method, runs=format_number(n_runs),
                level=format_percent(study.spec.conf_level, 0)),
            conf_level=study.spec.conf_level)
        path = plots / f"{study.method}_{brand}_{output}.png"
        fig.savefig(path, dpi=120)
        files.append(path)
    return files


def _significant(value: float, figures: int) -> str:
    """``value`` with ``figures`` significant digits in the language's format (0,123)."""
    import math

    value = float(value)
    if value == 0 or not math.isfinite(value):
        return format_number(value) if math.isfinite(value) else str(value)
    digits = max(0, figures - 1 - math.floor(math.log10(abs(value))))
    return format_number(round(value, digits), digits)


def _localise_y(ax, *, x: bool = False, y: bool = True) -> None:
    """Tick labels in the language's number format (0,5 in French)."""
    from matplotlib.ticker import FuncFormatter

    formatter = FuncFormatter(lambda value, _pos: format_number(value))
    if y:
        ax.yaxis.set_major_formatter(formatter)
    if x:
        ax.xaxis.set_major_formatter(formatter)


def plot_indices(rows: pd.DataFrame, method: str, *, title: str = "",
                 conf_level: float = 0.95):
    """Bar plot of one output's indices with their confidence intervals (a matplotlib Figure).

    Morris: mu* bars ranked, and sigma against mu* (points above the diagonal act mostly
    through non-linearity or interactions). Sobol: S1 and ST bars side by side, ranked by ST.
    """
    from matplotlib.figure import Figure

    if method == "morris":
        rows = rows.sort_values("mu_star")
        height = 1.6 + 0.38 * len(rows)
        fig = Figure(figsize=(10, max(3.2, height)), layout="constrained")
        left, right = fig.subplots(1, 2, width_ratios=[1.3, 1])
        y = np.arange(len(rows))
        left.barh(y, rows["mu_star"], xerr=rows["mu_star_conf"], color="#2a9d8f",
                  capsize=3, ecolor="#264653")
        left.set_yticks(y, rows["parameter"], fontsize=8)
        left.set_xlabel(_("μ* (mean |elementary effect|), bars: {level} CI").format(
            level=format_percent(conf_level, 0)))
        left.grid(axis="x", alpha=0.3)
        # Colours and a legend rather than text labels, which overlap when points cluster.
        from matplotlib import colormaps

        cmap = colormaps["tab10" if len(rows) <= 10 else "tab20"]
        for k, r in enumerate(rows[::-1].itertuples()):  # legend in rank order
            right.scatter(r.mu_star, r.sigma, color=cmap(k % cmap.N), s=36, zorder=3,
                          label=r.parameter, edgecolor="white", lw=0.5)
        top = float(max(rows["mu_star"].max(), rows["sigma"].max(), 1e-12)) * 1.1
        right.plot([0, top], [0, top], ls="--", lw=0.8, color="grey", label="σ = μ*")
        right.set_xlim(0, top)
        right.set_ylim(0, top)
        right.set_xlabel("μ*")
        right.set_ylabel(_("σ (non-linearity, interactions)"))
        _localise_y(left, x=True, y=False)
        _localise_y(right, x=True)
        right.legend(fontsize=7, loc="upper left")
        right.grid(alpha=0.3)
    else:
        rows = rows.sort_values("ST")
        height = 1.6 + 0.5 * len(rows)
        fig = Figure(figsize=(8, max(3.2, height)), layout="constrained")
        ax = fig.subplots()
        y = np.arange(len(rows))
        ax.barh(y + 0.2, rows["ST"], height=0.38, xerr=rows["ST_conf"], color="#264653",
                capsize=3, label=_("ST (total)"))
        ax.barh(y - 0.2, rows["S1"], height=0.38, xerr=rows["S1_conf"], color="#e9c46a",
                capsize=3, label=_("S1 (first order)"))
        ax.set_yticks(y, rows["parameter"], fontsize=8)
        ax.axvline(0, color="black", lw=0.6)
        ax.set_xlabel(_("share of output variance, bars: {level} CI").format(
            level=format_percent(conf_level, 0)))
        ax.legend(fontsize=8, loc="lower right")
        _localise_y(ax, x=True, y=False)
        ax.grid(axis="x", alpha=0.3)
    fig.suptitle(title, fontsize=10)
    return fig


# --------------------------------------------------------------------------------------------
# Indices from an existing sample (an LHS sweep)

SAMPLE_METHODS = ("delta", "pawn", "rbd_fast")


def analyze_sweep(results: str | os.PathLike, *, methods: Sequence[str] = SAMPLE_METHODS,
                  outputs: Sequence[str] | None = None, brand: str | None = None,
                  seed: int = 0, conf_level: float = 0.95, num_resamples: int = 200,
                  write: bool = True) -> pd.DataFrame:
    """Borgonovo's delta, PAWN and RBD-FAST indices (SALib) from a finished sweep whose
    parameters are ranges (an LHS design is the natural sample): no new run. Each design
    point's output is the mean of its replicates; the share of variance due to seeds is
    reported beside. Categorical (``values``) parameters are left out (named in the error if
    none remains). Written to ``RESULTS/sensitivity/indices.csv`` with ``write``."""
    from SALib.analyze import delta, pawn, rbd_fast

    from .analysis import load_runs, read_experiment

    results = Path(results)
    info = read_experiment(results)
    spec_params = [p for p in info["spec"].get("parameters", []) if p.get("low") is not None]
    if not spec_params:
        raise ScenarioError(_("{results}: no parameter is a range (low/high): delta, PAWN and "
                              "RBD-FAST need a sampled continuous design such as an LHS").format(
                              results=results))
    unknown = [m for m in methods if m not in SAMPLE_METHODS]
    if unknown:
        raise ScenarioError(_("--method {unknown}: must be one of {methods}").format(
                              unknown=unknown[0], methods=', '.join(SAMPLE_METHODS)))
    names = [p.get("name") or p["key"] for p in spec_params]
    bounds = []
    for p in spec_params:
        lo, hi = float(p["low"]), float(p["high"]) + (1.0 if p.get("integer") else 0.0)
        if p.get("scale") == "log":
            lo, hi = np.log10(lo), np.log10(hi)
        bounds.append([lo, hi])
    problem = {"num_vars": len(names), "names": names, "bounds": bounds}
    runs = load_runs(results, status="ok")
    brands = list(info["scenario"].get("brands", {}))
    if brand is not None and brand not in brands:
        raise ScenarioError(_(
            "--brand {brand}: unknown brand in {results} (brands: {brands})").format(
                              brand=brand, results=results, brands=', '.join(brands)))
    all_outputs = [o["column"] for o in info["outputs"]]
    outputs = list(outputs) if outputs else all_outputs
    for o in outputs:
        if o not in runs:
            raise ScenarioError(_("--output {o}: not an output of {results} (outputs: "
                                  "{all_outputs})").format(
                                  o=o, results=results, all_outputs=', '.join(all_outputs)))
    frames = []
    for b in [brand] if brand else brands:
        rows = runs[runs["brand"] == b]
        per_point = rows.groupby("point", sort=True)
        X = per_point[names].first().to_numpy(dtype=float, copy=True)  # written below
        for j, p in enumerate(spec_params):
            if p.get("scale") == "log":
                X[:, j] = np.log10(X[:, j])
        for column in outputs:
            Y = per_point[column].mean().to_numpy(dtype=float)
            matrix = rows.pivot_table(index="point", columns="replicate", values=column)
            share = seed_variance_share(matrix.to_numpy(dtype=float))
            if np.ptp(Y) == 0 or not np.all(np.isfinite(Y)):
                continue
            for method in methods:
                frame = pd.DataFrame({"parameter": names})
                with np.errstate(all="ignore"):
                    if method == "delta":
                        si = delta.analyze(problem, X, Y, num_resamples=num_resamples,
                                           conf_level=conf_level, seed=analysis_seed(seed))
                        # SALib >= 1.5.2 names the estimate by its binning; balanced bins
                        # are its recommended default (older versions: plain "delta").
                        key = "delta_balanced" if "delta_balanced" in si else "delta"
                        frame["delta"] = np.asarray(si[key], dtype=float)
                        frame["delta_conf"] = np.asarray(si[f"{key}_conf"], dtype=float)
                        for k in ("S1", "S1_conf"):
                            frame[k] = np.asarray(si[k], dtype=float)
                    elif method == "pawn":
                        si = pawn.analyze(problem, X, Y, S=max(3, min(10, len(Y) // 5)),
                                          seed=analysis_seed(seed))
                        for k in ("minimum", "mean", "median", "maximum", "CV"):
                            frame[f"pawn_{k}"] = np.asarray(si[k], dtype=float)
                    else:
                        si = rbd_fast.analyze(problem, X, Y, M=min(10, max(1, len(Y) // 10)),
                                              num_resamples=num_resamples,
                                              conf_level=conf_level, seed=analysis_seed(seed))
                        for k in ("S1", "S1_conf"):
                            frame[k] = np.asarray(si[k], dtype=float)
                frames.append(frame.assign(method=method, brand=b, output=column,
                                           n_points=len(Y), seed_variance_share=share))
    if not frames:
        raise ScenarioError(_("{results}: every output is constant over the sample: no "
                              "sensitivity to measure").format(results=results))
    table = pd.concat(frames, ignore_index=True)
    front = ["method", "brand", "output", "parameter"]
    table = table[front + [c for c in table.columns if c not in front]]
    if write:
        folder = results / "sensitivity"
        folder.mkdir(exist_ok=True)
        table.to_csv(folder / "indices.csv", index=False)
    return table


__all__ = [
    "SAMPLE_METHODS",
    "SensitivityResult",
    "SensitivitySpec",
    "SensitivityStudy",
    "analyze",
    "analyze_function",
    "analyze_sweep",
    "convergence_of",
    "evaluate_function",
    "load_sensitivity",
    "plot_indices",
    "run_sensitivity",
    "salib_problem",
    "sample",
]
