"""Reading an experiment's results into pandas, summarising replicates, plotting them.

- :func:`load_runs`, :func:`load_timeseries`, :func:`load_events` read the partitioned tables of
  a results folder into DataFrames sorted by run id (then brand, then day), whatever order runs
  finished in. Time series and events can be joined to their run's parameters.
- :func:`summarise` gives, per design point (or per any grouping of parameter columns) and
  brand, the replicates' mean, standard deviation and a Student-t confidence interval of the
  mean: ``mean ± t(1 - alpha/2, n - 1) * sd / sqrt(n)``.
- :func:`plot_metric` draws a metric's daily mean and confidence band across replicates, one
  line per design point (or group); :func:`plot_outcome` draws an output of the runs table
  against a parameter, with confidence intervals. Figures are ``matplotlib.figure.Figure``
  objects (no pyplot state).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import _, format_percent
from ..scenario import ScenarioError
from .outputs import OBSERVED_SUFFIX, kaplan_meier, km_median
from .spec import REDUCERS

TIMING_COLUMNS = ("wall_time_s", "started", "host", "pid")
NULLABLE_INT_COLUMNS = ("days_simulated", "n_events")


def _dataset(folder: Path):
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(folder), format="parquet")  # ignores .tmp files (dot prefix)
    return dataset


class DamagedResults(ScenarioError):
    """A file of a results folder that cannot be read (one line naming it)."""


def damaged_parts(folder: Path, names: Sequence[str] | None = None) -> list[Path]:
    """The Parquet files of ``folder`` (or those ``names``) whose footer cannot be read."""
    import pyarrow.parquet as pq

    bad = []
    for name in names if names is not None else sorted(os.listdir(folder)):
        path = folder / name
        if not name.endswith(".parquet") or name.startswith("."):
            continue
        try:
            pq.read_metadata(path)
        except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
            bad.append(path)
    return bad


def read_table(folder: str | os.PathLike, columns: Sequence[str] | None = None,
               run_ids: Sequence[int] | None = None):
    """One table of a results folder as an Arrow table (partitions with different but
    compatible column types, e.g. from an older version, are promoted to a common type).
    A partition that cannot be read raises DamagedResults naming it."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    folder = Path(folder)
    if not folder.is_dir() or not any(p.suffix == ".parquet" for p in folder.iterdir()):
        return None
    flt = ds.field("run_id").isin(list(run_ids)) if run_ids is not None else None
    cols = list(columns) if columns is not None else None
    try:
        dataset = _dataset(folder)
        try:
            return dataset.to_table(columns=cols, filter=flt)
        except (pa.ArrowInvalid, pa.ArrowTypeError):
            schemas = [f.physical_schema for f in dataset.get_fragments()]
            unified = pa.unify_schemas(schemas, promote_options="permissive")
            return ds.dataset(str(folder), format="parquet", schema=unified).to_table(
                columns=cols, filter=flt)
    except (pa.ArrowException, OSError, ValueError) as error:
        bad = damaged_parts(folder)
        if not bad:
            raise
        raise DamagedResults(_("{path}: a damaged results file ({n} in {folder}): delete it "
                               "and resume the sweep to run it again").format(
            path=bad[0], n=len(bad), folder=folder)) from error


def read_experiment(out: str | os.PathLike) -> dict[str, Any]:
    """``OUT/experiment.json`` as a dict."""
    path = Path(out) / "experiment.json"
    if not path.is_file():
        raise FileNotFoundError(_("{path}: not a socbiz results folder").format(path=path))
    return json.loads(path.read_text())


def parameter_columns(out: str | os.PathLike) -> list[str]:
    """The parameter columns of an experiment's runs table, in design order."""
    return [p["column"] for p in read_experiment(out)["design"]["parameters"]]


def load_runs(out: str | os.PathLike, *, status: str | None = None,
              columns: Sequence[str] | None = None) -> pd.DataFrame:
    """The runs table: one row per run and brand, sorted by run id and brand.

    ``status="ok"`` keeps successful runs only, ``"failed"`` the failures.
    """
    table = read_table(Path(out) / "runs", columns=columns)
    if table is None:
        return pd.DataFrame(columns=list(columns or ["run_id", "brand", "status"]))
    frame = table.to_pandas()
    for column in NULLABLE_INT_COLUMNS:  # null for failed runs: keep them integers anyway
        if column in frame:
            frame[column] = frame[column].astype("Int64")
    if status is not None:
        frame = frame[frame["status"] == status]
    keys = [k for k in ("run_id", "brand") if k in frame]
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


def _join_parameters(frame: pd.DataFrame, out: Path, parameters: bool) -> pd.DataFrame:
    """Keep rows of successful runs only, with their point, replicate and parameters."""
    params = parameter_columns(out) if parameters else []
    runs = load_runs(out, status="ok", columns=["run_id", "point", "replicate", "seed",
                                                 "brand", "status", *params])
    runs = runs.drop(columns=["status", "brand"]).drop_duplicates("run_id")
    joined = frame.merge(runs, on="run_id", how="inner")
    front = ["run_id", "point", "replicate", "seed", *params]
    return joined[front + [c for c in joined.columns if c not in front]]


def load_timeseries(out: str | os.PathLike, *, columns: Sequence[str] | None = None,
                    run_ids: Sequence[int] | None = None, brand: str | None = None,
                    parameters: bool = True) -> pd.DataFrame:
    """Daily series of successful runs, sorted by run id, day and brand.

    ``columns``: metrics to read (default all); ``parameters``: add each run's point, replicate,
    seed and parameter values.
    """
    out = Path(out)
    cols = None if columns is None else list(dict.fromkeys(["run_id", "day", "brand",
                                                            *columns]))
    table = read_table(out / "timeseries", columns=cols, run_ids=run_ids)
    if table is None:
        raise FileNotFoundError(_("{out}: no daily time series (was the experiment run with "
                                  "timeseries = false?)").format(out=out))
    frame = table.to_pandas()
    if brand is not None:
        frame = frame[frame["brand"] == brand]
    frame = _join_parameters(frame, out, parameters)
    return frame.sort_values(["run_id", "day", "brand"], kind="stable").reset_index(drop=True)


def load_events(out: str | os.PathLike, *, run_ids: Sequence[int] | None = None,
                parameters: bool = True) -> pd.DataFrame:
    """Event logs of successful runs, sorted by run id (each run's events in log order)."""
    out = Path(out)
    table = read_table(out / "events", run_ids=run_ids)
    if table is None:
        return pd.DataFrame(columns=["run_id", "day", "brand", "kind", "cause", "text"])
    frame = _join_parameters(table.to_pandas(), out, parameters)
    return frame.sort_values("run_id", kind="stable").reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Replicate statistics


def mean_ci(values: pd.Series, conf_level: float = 0.95) -> dict[str, float]:
    """Mean, sd, n and the Student-t confidence interval of the mean (NaN with one value)."""
    from scipy import stats

    x = values.dropna().to_numpy(dtype=float)
    n = len(x)
    mean = float(x.mean()) if n else float("nan")
    sd = float(x.std(ddof=1)) if n > 1 else float("nan")
    half = float(stats.t.ppf(0.5 + conf_level / 2, n - 1) * sd / np.sqrt(n)) if n > 1 \
        else float("nan")
    return {"n": n, "mean": mean, "sd": sd, "low": mean - half, "high": mean + half}


def _ci_frame(frame: pd.DataFrame, value: str, keys: list[str], conf_level: float
              ) -> pd.DataFrame:
    from scipy import stats

    grouped = frame.groupby(keys, sort=True, dropna=False)[value]
    agg = grouped.agg(n="count", mean="mean", sd="std").reset_index()
    t = stats.t.ppf(0.5 + conf_level / 2, np.maximum(agg["n"] - 1, 1))
    half = np.where(agg["n"] > 1, t * agg["sd"] / np.sqrt(agg["n"]), np.nan)
    agg["low"], agg["high"] = agg["mean"] - half, agg["mean"] + half
    return agg


def output_kinds(out: str | os.PathLike | None = None, columns: Sequence[str] = ()
                 ) -> dict[str, str]:
    """Kind of every output column: from ``experiment.json`` when there is one (declared
    kinds), else derived from a ``metric_reduce`` column name."""
    from .outputs import OBSERVED_SUFFIX, Output

    kinds: dict[str, str] = {}
    if out is not None:
        for o in read_experiment(out)["outputs"]:
            if "kind" in o:
                kinds[o["column"]] = o["kind"]
            else:  # written by an older version
                kinds[o["column"]] = Output(o["metric"], o["reduce"]).result_kind
    for c in columns:
        if c in kinds or c.endswith(OBSERVED_SUFFIX):
            continue
        metric, _, how = c.rpartition("_")
        if how in REDUCERS and metric:
            kinds[c] = Output(metric, how).result_kind
    return kinds


def wilson_interval(k, n, conf_level: float) -> tuple[np.ndarray, np.ndarray]:
    """The Wilson score interval of a proportion, ``k`` successes in ``n`` runs (arrays): inside
    [0, 1], and not empty when every run agrees (0 of 8 gives [0, 0.32])."""
    from scipy import stats

    z = stats.norm.ppf(0.5 + conf_level / 2)
    n = np.asarray(n, dtype=float)
    p = np.asarray(k, dtype=float) / np.where(n > 0, n, np.nan)
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    # exactly 0 (1) when no (every) run is there: the formula leaves a rounding error of 1e-16
    return (np.where(p <= 0, 0.0, np.clip(centre - half, 0, 1)),
            np.where(p >= 1, 1.0, np.clip(centre + half, 0, 1)))


def _shares_seeds(frame: pd.DataFrame, keys: list[str]) -> bool:
    """Do several design points of one group share a seed (common random numbers)?"""
    if "seed" not in frame or "point" not in frame:
        return False
    per = frame.groupby([*keys, "seed"], sort=False, dropna=False)["point"].nunique()
    return bool((per > 1).any())


def summarise(runs: pd.DataFrame | str | os.PathLike, metrics: Sequence[str] | None = None, *,
              by: Sequence[str] | None = None, brand: str | None = None,
              conf_level: float = 0.95) -> pd.DataFrame:
    """Replicate statistics of outputs, per group and brand (long format).

    ``runs``: a runs table or a results folder. ``metrics``: output columns (default: all).
    ``by``: grouping columns (default: every parameter column, i.e. one group per design
    point). Returns columns ``brand, *by, metric, n, mean, sd, low, high, statistic, n_runs,
    interval``:

    - numeric outputs: the mean and a Student-t interval. When a group pools design points
      that share seeds (common random numbers, ``by`` a subset of the parameters), runs with
      the same seed are not independent: the runs are first averaged per seed and the interval
      is over those seed means (``n`` = seeds, ``interval = "t over seed means"``).
    - ordinal and categorical outputs (``phase``): one row per level with the share of runs at
      that level (``statistic = "share at 3"``) and a Wilson interval (over seed means, as
      above, when points share seeds); never a mean of levels.
    - time-to-event outputs: the mean is of times censored at the horizon, biased low
      (``statistic`` says so); use :func:`survival_summary` for Kaplan-Meier.
    """
    params: list[str] | None = None
    if not isinstance(runs, pd.DataFrame):
        info = read_experiment(runs)
        params = [p["column"] for p in info["design"]["parameters"]]
        outputs = [o["column"] for o in info["outputs"]]
        kinds = output_kinds(runs)
        runs = load_runs(runs, status="ok")
    else:
        outputs = [c for c in runs.columns if c.rsplit("_", 1)[-1] in REDUCERS
                   and runs[c].dtype.kind == "f"]
        kinds = output_kinds(None, list(runs.columns))
    runs = runs[runs["status"] == "ok"] if "status" in runs else runs
    if brand is not None:
        runs = runs[runs["brand"] == brand]
    if by is None:
        by = params if params is not None else ["point"]
    metrics = list(metrics) if metrics is not None else outputs
    keys = ["brand", *by] if "brand" in runs else list(by)
    if not keys:
        runs, keys, drop = runs.assign(_all=0), ["_all"], True
    else:
        drop = False
    clustered = _shares_seeds(runs, keys)
    parts = []
    for metric in metrics:
        kind = kinds.get(metric, "numeric")
        if kind in ("ordinal", "categorical"):
            agg = _level_frame(runs, metric, keys, conf_level, clustered)
        else:
            agg = _numeric_frame(runs, metric, keys, conf_level, clustered)
            if kind == "time-to-event":
                agg["statistic"] = "mean (censored at the horizon: biased low)"
        agg.insert(len(keys), "metric", metric)
        parts.append(agg.drop(columns="_all") if drop else agg)
    return pd.concat(parts, ignore_index=True)


def _numeric_frame(runs: pd.DataFrame, metric: str, keys: list[str], conf_level: float,
                   clustered: bool) -> pd.DataFrame:
    n_runs = runs.groupby(keys, sort=True, dropna=False)[metric].count().to_numpy()
    if clustered:
        means = runs.groupby([*keys, "seed"], sort=True, dropna=False)[metric].mean()
        agg = _ci_frame(means.reset_index(), metric, keys, conf_level)
        agg["interval"] = "t over seed means"
    else:
        agg = _ci_frame(runs, metric, keys, conf_level)
        agg["interval"] = "t"
    agg["statistic"] = "mean"
    agg["n_runs"] = n_runs
    return agg[[*keys, "n", "mean", "sd", "low", "high", "statistic", "n_runs", "interval"]]


def _level_frame(runs: pd.DataFrame, metric: str, keys: list[str], conf_level: float,
                 clustered: bool) -> pd.DataFrame:
    levels = sorted(runs[metric].dropna().unique())
    frames = []
    for level in levels:
        hit = runs.assign(_hit=(runs[metric] == level).astype(float))
        hit.loc[runs[metric].isna(), "_hit"] = np.nan
        if clustered:
            agg = _numeric_frame(hit, "_hit", keys, conf_level, True)
            # The share is the mean of seed means; its interval is the t interval over them,
            # clipped to [0, 1].
            agg["low"], agg["high"] = agg["low"].clip(0, 1), agg["high"].clip(0, 1)
            agg["interval"] = "t over seed means"
        else:
            agg = _ci_frame(hit, "_hit", keys, conf_level)
            k = np.round(agg["mean"] * agg["n"])
            agg["low"], agg["high"] = wilson_interval(k, agg["n"], conf_level)
            agg["n_runs"] = agg["n"]
            agg["interval"] = "Wilson"
        agg["statistic"] = f"share at {_short(level)}"
        frames.append(agg[[*keys, "n", "mean", "sd", "low", "high", "statistic", "n_runs",
                           "interval"]])
    return pd.concat(frames, ignore_index=True).sort_values(keys, kind="stable")


def _label(keys: Sequence[str], values: Any) -> str:
    values = values if isinstance(values, tuple) else (values,)
    return ", ".join(f"{k.split('.')[-1]}={_short(v)}" for k, v in zip(keys, values,
                                                                        strict=True))


def _short(v: Any) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


# --------------------------------------------------------------------------------------------
# Plots


def plot_metric(out: str | os.PathLike, metric: str, *, by: Sequence[str] | None = None,
                brand: str | None = None, conf_level: float = 0.95, max_groups: int = 12,
                timeseries: pd.DataFrame | None = None):
    """A metric's daily mean across replicates with its confidence band, one line per design
    point (or per group of ``by`` columns), one panel per brand.

    An ordinal metric (``phase``) is not averaged: the lines are the share of runs at or above
    each level but the lowest (solid: the top level), with Wilson bands. When a group pools
    design points that share seeds, the band is a t interval over seed means (the title says
    which band is drawn).
    """
    from matplotlib.figure import Figure

    from .outputs import ORDINAL_LEVELS, metric_kind

    out = Path(out)
    params = parameter_columns(out)
    by = list(by) if by is not None else params
    frame = timeseries if timeseries is not None else load_timeseries(
        out, columns=[metric], brand=brand)
    if brand is not None:
        frame = frame[frame["brand"] == brand]
    brands = list(dict.fromkeys(frame["brand"]))
    keys = list(by)
    n_groups = frame[keys].drop_duplicates().shape[0] if keys else 1
    if n_groups > max_groups:
        raise ValueError(_("{n_groups} groups to draw (by {keys}); pass by= fewer parameter "
                           "columns or raise max_groups").format(
                           n_groups=n_groups, keys=', '.join(keys)))
    ordinal = metric_kind(metric) == "ordinal"
    clustered = _shares_seeds(frame, [*keys, "day", "brand"])
    fig = Figure(figsize=(9, 3.6 * len(brands)), layout="constrained")
    axes = fig.subplots(len(brands), 1, squeeze=False)[:, 0]
    colours = _colours(n_groups)
    band = _("t over seed means") if clustered else ("Wilson" if ordinal else "t")
    for ax, b in zip(axes, brands, strict=True):
        rows = frame[frame["brand"] == b]
        if ordinal:
            levels = ORDINAL_LEVELS.get(metric) or tuple(sorted(rows[metric].unique()))
            series = [(f" ≥ {lv}", rows.assign(_v=(rows[metric] >= lv).astype(float)), lv)
                      for lv in levels[1:]]
        else:
            series = [("", rows.assign(_v=rows[metric].astype(float)), None)]
        for suffix, data, level in series:
            if clustered:
                data = data.groupby([*keys, "day", "seed"], sort=True)["_v"].mean().reset_index()
            stats = _ci_frame(data, "_v", [*keys, "day"], conf_level)
            if ordinal and not clustered:
                stats["low"], stats["high"] = wilson_interval(np.round(stats["mean"] * stats["n"]),
                                                      stats["n"], conf_level)
            groups = stats.groupby(keys, sort=True) if keys else [((), stats)]
            top = level is None or level == series[-1][2]
            for (values, g), colour in zip(groups, colours, strict=False):
                label = (_label(keys, values) if keys else _("all runs")) + suffix
                n = int(g["n"].max())
                ax.plot(g["day"], g["mean"], color=colour, lw=1.6 if top else 1.0,
                        ls="-" if top else "--", label=f"{label} (n={n})")
                if n > 1:
                    ax.fill_between(g["day"], g["low"].clip(*((0, 1) if ordinal else
                                                              (None, None))),
                                    g["high"].clip(*((0, 1) if ordinal else (None, None))),
                                    color=colour, alpha=0.18 if top else 0.08, lw=0)
        what = (_("share of runs at or above each {metric} level").format(metric=metric)
                if ordinal else _("mean across replicates"))
        ax.set_title(_("{metric}: {brand} — {what}; band: {level} {band} interval").format(
            metric=metric, brand=b, what=what, level=format_percent(conf_level, 0),
            band=band), fontsize=10)
        ax.set_xlabel(_("day"))
        ax.set_ylabel(_("share of runs ({metric} ≥ level)").format(metric=metric) if ordinal
                      else metric)
        localise_ticks(ax)
        if ordinal:
            ax.set_ylim(-0.02, 1.02)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2 if n_groups > 6 else 1, loc="best")
    return fig


def plot_outcome(out: str | os.PathLike, output: str, *, x: str,
                 by: str | Sequence[str] | None = None, brand: str | None = None,
                 conf_level: float = 0.95, runs: pd.DataFrame | None = None):
    """An output of the runs table (e.g. ``followers_final``) against parameter ``x``: each
    replicate as a dot, the mean and its confidence interval per value of ``x`` (and of the
    ``by`` columns, one line per combination). An ordinal or categorical output is drawn as
    the share of runs at each level (Wilson intervals), not as a mean."""
    from matplotlib.figure import Figure

    runs = runs if runs is not None else load_runs(out, status="ok")
    if brand is not None:
        runs = runs[runs["brand"] == brand]
    by_keys = [by] if isinstance(by, str) else list(by or [])
    brands = list(dict.fromkeys(runs["brand"]))
    info = read_experiment(out)
    kind = output_kinds(out, [output]).get(output, "numeric")
    spec = info.get("spec", {})
    # Lines join the means along x only on a grid; sampled points are not a curve.
    line = "-" if info.get("design", {}).get("kind") == "grid" else "none"
    log_columns = {p.get("name") or p["key"] for p in spec.get("parameters", [])
                   if p.get("scale") == "log"}
    fig = Figure(figsize=(8, 3.6 * len(brands)), layout="constrained")
    axes = fig.subplots(len(brands), 1, squeeze=False)[:, 0]
    for ax, b in zip(axes, brands, strict=True):
        rows = runs[runs["brand"] == b]
        groups = list(rows.groupby(by_keys, sort=True)) if by_keys else [(None, rows)]
        if kind in ("ordinal", "categorical"):
            levels = sorted(rows[output].dropna().unique())
            colours = _colours(len(levels))
            styles = ["-", "--", ":", "-."]
            for gi, (value, g) in enumerate(groups):
                stats = _level_frame(g, output, [x], conf_level, clustered=False)
                for level, colour in zip(levels, colours, strict=False):
                    st = stats[stats["statistic"] == f"share at {_short(level)}"]
                    err = np.vstack([st["mean"] - st["low"], st["high"] - st["mean"]])
                    label = f"{output} = {_short(level)}" + (
                        f", {_label(by_keys, value)}" if by_keys else "")
                    ax.errorbar(st[x], st["mean"], yerr=np.nan_to_num(err), color=colour,
                                marker="o", ms=4, lw=1.2, capsize=3, label=label,
                                ls=styles[gi % 4] if line == "-" else "none")
            ax.set_ylim(-0.02, 1.02)
            ax.set_ylabel(_("share of runs at each level of {output}").format(output=output))
            ax.set_title(_("{output} by {x}: {brand} (share of runs per level; bars: {level} "
                           "Wilson interval)").format(output=output, x=x, brand=b,
                                                      level=format_percent(conf_level, 0)),
                         fontsize=10)
            ax.legend(fontsize=7)
        else:
            colours = _colours(len(groups))
            for (value, g), colour in zip(groups, colours, strict=False):
                label = _label(by_keys, value) if by_keys else None
                clustered = _shares_seeds(g, [x])
                stats = _numeric_frame(g, output, [x], conf_level, clustered)
                ax.scatter(g[x], g[output], s=8, color=colour, alpha=0.35, lw=0)
                err = np.vstack([stats["mean"] - stats["low"], stats["high"] - stats["mean"]])
                ax.errorbar(stats[x], stats["mean"], yerr=np.nan_to_num(err), color=colour,
                            marker="o", ms=4, lw=1.4, ls=line, capsize=3, label=label)
            interval = _("t over seed means") if _shares_seeds(rows, [x, *by_keys]) else "t"
            ax.set_ylabel(output)
            ax.set_title(_("{output} by {x}: {brand} (dots: replicates; bars: {level} "
                           "{interval} interval of the mean)").format(
                output=output, x=x, brand=b, level=format_percent(conf_level, 0),
                interval=interval), fontsize=10)
            if by_keys:
                ax.legend(fontsize=7)
        if x in log_columns:
            ax.set_xscale("log")
        ax.set_xlabel(_("{x} (log scale)").format(x=x) if x in log_columns else x)
        localise_ticks(ax, x_too=x not in log_columns)
        ax.grid(alpha=0.3)
    return fig


def localise_ticks(ax, x_too: bool = True) -> None:
    """Tick labels in the language's number format (20 000 / 20,000; 0,5 / 0.5)."""
    from matplotlib.ticker import FuncFormatter

    from ..i18n import format_number

    formatter = FuncFormatter(lambda value, _pos: format_number(value))
    ax.yaxis.set_major_formatter(formatter)
    if x_too:
        ax.xaxis.set_major_formatter(formatter)


def _colours(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(max(n, 1))]


# Kaplan-Meier summaries of time-to-event outputs (the estimator is in .outputs)


def survival_summary(runs, output: str, *, by: Sequence[str] = (), conf_level: float = 0.95):
    """Kaplan-Meier median and interval of a time-to-event output per group and brand.

    ``runs``: a runs table (with ``<output>_observed``) or a results folder. Columns: ``brand,
    *by, n, events, censored, median, median_low, median_high, survival_at_end`` (a median of
    ``inf`` means fewer than half the runs had the event by the horizon).
    """
    if not isinstance(runs, pd.DataFrame):
        runs = load_runs(runs, status="ok")
    flag = output + OBSERVED_SUFFIX
    if flag not in runs:
        raise ValueError(_("{output!r} is not a time-to-event output (no {flag} column)").format(
                           output=output, flag=flag))
    keys = ["brand", *by] if "brand" in runs else list(by)
    rows = []
    groups = runs.groupby(keys, sort=True) if keys else [((), runs)]
    for values, g in groups:
        values = values if isinstance(values, tuple) else (values,)
        frame = kaplan_meier(g[output], g[flag], conf_level)
        median, low, high = km_median(frame)
        rows.append({**dict(zip(keys, values, strict=True)), "n": len(g),
                     "events": int(g[flag].sum()), "censored": int(len(g) - g[flag].sum()),
                     "median": median, "median_low": low, "median_high": high,
                     "survival_at_end": float(frame["survival"].iloc[-1])})
    return pd.DataFrame(rows)


def plot_survival(runs, output: str, *, by: str | None = None, brand: str | None = None,
                  conf_level: float = 0.95):
    """Kaplan-Meier curves of a time-to-event output (step lines, log-log bands, + at
    censored times), one panel per brand, one curve per value of ``by``."""
    from matplotlib.figure import Figure

    if brand is not None:
        runs = runs[runs["brand"] == brand]
    flag = output + OBSERVED_SUFFIX
    brands = list(dict.fromkeys(runs["brand"]))
    fig = Figure(figsize=(8, 3.4 * len(brands)), layout="constrained")
    axes = fig.subplots(len(brands), 1, squeeze=False)[:, 0]
    for ax, b in zip(axes, brands, strict=True):
        rows = runs[runs["brand"] == b]
        groups = list(rows.groupby(by, sort=True)) if by else [(None, rows)]
        for (value, g), colour in zip(groups, _colours(len(groups)), strict=False):
            frame = kaplan_meier(g[output], g[flag], conf_level)
            label = (_label([by], value) if by else _("all runs")) + f" (n={len(g)})"
            ax.step(frame["time"], frame["survival"], where="post", color=colour, label=label)
            ax.fill_between(frame["time"], frame["low"], frame["high"], step="post",
                            color=colour, alpha=0.15, lw=0)
            censored = g[g[flag] < 0.5][output]
            if len(censored):
                s_at = np.interp(censored, frame["time"], frame["survival"])
                ax.plot(censored, s_at, "+", color=colour, ms=6)
        ax.axhline(0.5, color="grey", lw=0.6, ls=":")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel(_("{output} (days)").format(output=output))
        ax.set_ylabel(_("share without the event yet"))
        ax.set_title(_("{output}: {brand} — Kaplan-Meier, band: {level} pointwise log-log "
                       "(Greenwood); +: censored").format(
            output=output, brand=b, level=format_percent(conf_level, 0)), fontsize=10)
        localise_ticks(ax)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig
