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

from .spec import REDUCERS

TIMING_COLUMNS = ("wall_time_s", "started", "host", "pid")
NULLABLE_INT_COLUMNS = ("days_simulated", "n_events")


def _dataset(folder: Path):
    import pyarrow.dataset as ds

    dataset = ds.dataset(str(folder), format="parquet")  # ignores .tmp files (dot prefix)
    return dataset


def read_table(folder: str | os.PathLike, columns: Sequence[str] | None = None,
               run_ids: Sequence[int] | None = None):
    """One table of a results folder as an Arrow table (partitions with different but
    compatible column types, e.g. from an older version, are promoted to a common type)."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    folder = Path(folder)
    if not folder.is_dir() or not any(p.suffix == ".parquet" for p in folder.iterdir()):
        return None
    dataset = _dataset(folder)
    flt = ds.field("run_id").isin(list(run_ids)) if run_ids is not None else None
    cols = list(columns) if columns is not None else None
    try:
        return dataset.to_table(columns=cols, filter=flt)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        schemas = [f.physical_schema for f in dataset.get_fragments()]
        unified = pa.unify_schemas(schemas, promote_options="permissive")
        return ds.dataset(str(folder), format="parquet", schema=unified).to_table(
            columns=cols, filter=flt)


def read_experiment(out: str | os.PathLike) -> dict[str, Any]:
    """``OUT/experiment.json`` as a dict."""
    path = Path(out) / "experiment.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path}: not a socbiz results folder")
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
        raise FileNotFoundError(f"{out}: no daily time series (was the experiment run with "
                                "timeseries = false?)")
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


def summarise(runs: pd.DataFrame | str | os.PathLike, metrics: Sequence[str] | None = None, *,
              by: Sequence[str] | None = None, brand: str | None = None,
              conf_level: float = 0.95) -> pd.DataFrame:
    """Replicate statistics of outputs, per group and brand (long format).

    ``runs``: a runs table or a results folder. ``metrics``: output columns (default: all).
    ``by``: grouping columns (default: every parameter column, i.e. one group per design
    point). Returns columns ``brand, *by, metric, n, mean, sd, low, high``.
    """
    params: list[str] | None = None
    if not isinstance(runs, pd.DataFrame):
        info = read_experiment(runs)
        params = [p["column"] for p in info["design"]["parameters"]]
        outputs = [o["column"] for o in info["outputs"]]
        runs = load_runs(runs, status="ok")
    else:
        outputs = [c for c in runs.columns if c.rsplit("_", 1)[-1] in REDUCERS
                   and runs[c].dtype.kind == "f"]
    runs = runs[runs["status"] == "ok"] if "status" in runs else runs
    if brand is not None:
        runs = runs[runs["brand"] == brand]
    if by is None:
        by = params if params is not None else ["point"]
    metrics = list(metrics) if metrics is not None else outputs
    keys = ["brand", *by] if "brand" in runs else list(by)
    parts = []
    for metric in metrics:
        agg = _ci_frame(runs, metric, keys, conf_level) if keys else _ci_frame(
            runs.assign(_all=0), metric, ["_all"], conf_level).drop(columns="_all")
        agg.insert(len(keys), "metric", metric)
        parts.append(agg)
    return pd.concat(parts, ignore_index=True)


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
    point (or per group of ``by`` columns), one panel per brand."""
    from matplotlib.figure import Figure

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
        raise ValueError(f"{n_groups} groups to draw (by {', '.join(keys)}); pass by= fewer "
                         f"parameter columns or raise max_groups")
    fig = Figure(figsize=(9, 3.6 * len(brands)), layout="constrained")
    axes = fig.subplots(len(brands), 1, squeeze=False)[:, 0]
    colours = _colours(n_groups)
    for ax, b in zip(axes, brands, strict=True):
        rows = frame[frame["brand"] == b]
        stats = _ci_frame(rows, metric, [*keys, "day"], conf_level)
        groups = stats.groupby(keys, sort=True) if keys else [((), stats)]
        for (values, g), colour in zip(groups, colours, strict=False):
            label = _label(keys, values) if keys else "all runs"
            n = int(g["n"].max())
            ax.plot(g["day"], g["mean"], color=colour, lw=1.6, label=f"{label} (n={n})")
            if n > 1:
                ax.fill_between(g["day"], g["low"], g["high"], color=colour, alpha=0.18,
                                lw=0)
        ax.set_title(f"{metric}: {b} — mean and {conf_level:.0%} confidence band across "
                     "replicates", fontsize=10)
        ax.set_xlabel("day")
        ax.set_ylabel(metric)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7, ncol=2 if n_groups > 6 else 1, loc="best")
    return fig


def plot_outcome(out: str | os.PathLike, output: str, *, x: str,
                 by: str | None = None, brand: str | None = None,
                 conf_level: float = 0.95, runs: pd.DataFrame | None = None):
    """An output of the runs table (e.g. ``followers_final``) against parameter ``x``: each
    replicate as a dot, the mean and its confidence interval per value of ``x`` (and ``by``)."""
    from matplotlib.figure import Figure

    runs = runs if runs is not None else load_runs(out, status="ok")
    if brand is not None:
        runs = runs[runs["brand"] == brand]
    brands = list(dict.fromkeys(runs["brand"]))
    info = read_experiment(out)
    spec = info.get("spec", {})
    # Lines join the means along x only on a grid; sampled points are not a curve.
    line = "-" if info.get("design", {}).get("kind") == "grid" else "none"
    log_columns = {p.get("name") or p["key"] for p in spec.get("parameters", [])
                   if p.get("scale") == "log"}
    fig = Figure(figsize=(8, 3.6 * len(brands)), layout="constrained")
    axes = fig.subplots(len(brands), 1, squeeze=False)[:, 0]
    for ax, b in zip(axes, brands, strict=True):
        rows = runs[runs["brand"] == b]
        groups = rows.groupby(by, sort=True) if by else [(None, rows)]
        colours = _colours(rows[by].nunique() if by else 1)
        for (value, g), colour in zip(groups, colours, strict=False):
            label = _label([by], value) if by else None
            stats = _ci_frame(g, output, [x], conf_level)
            ax.scatter(g[x], g[output], s=8, color=colour, alpha=0.35, lw=0)
            err = np.vstack([stats["mean"] - stats["low"], stats["high"] - stats["mean"]])
            ax.errorbar(stats[x], stats["mean"], yerr=np.nan_to_num(err), color=colour,
                        marker="o", ms=4, lw=1.4, ls=line, capsize=3, label=label)
        if x in log_columns:
            ax.set_xscale("log")
        ax.set_xlabel(x + (" (log scale)" if x in log_columns else ""))
        ax.set_ylabel(output)
        ax.set_title(f"{output} by {x}: {b} (dots: replicates; bars: {conf_level:.0%} CI of "
                     "the mean)", fontsize=10)
        ax.grid(alpha=0.3)
        if by:
            ax.legend(fontsize=7)
    return fig


def _colours(n: int) -> list:
    from matplotlib import colormaps

    cmap = colormaps["tab10" if n <= 10 else "tab20"]
    return [cmap(i % cmap.N) for i in range(max(n, 1))]
