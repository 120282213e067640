"""Batch experiments: sweeps, replicates and sensitivity analysis, locally or on a Dask cluster.

    >>> from simulation.experiments import load_experiment, run_sweep, load_runs, summarise
    >>> exp = load_experiment("scenarios/experiments/content_grid.toml")
    >>> summary = run_sweep(exp, "runs/content_grid", workers=2)
    >>> runs = load_runs("runs/content_grid", status="ok")
    >>> summarise(runs, ["followers_final"], by=["posts_per_day"])

Modules: :mod:`.spec` (experiment files, designs, seeds), :mod:`.executors` (the executor
seam), :mod:`.worker` (one run on a worker), :mod:`.store` (the results folder),
:mod:`.sweep` (the driver), :mod:`.analysis` (loading and plotting), :mod:`.sensitivity`
(SALib), :mod:`.calibration` (ABC-SMC with pyabc, ``socbiz calibrate``), :mod:`.cli`
(``socbiz sweep``, ``socbiz sensitivity``, ``socbiz calibrate``, ``socbiz sweep-plot``).
"""

from .analysis import (
    load_events,
    load_runs,
    load_timeseries,
    plot_metric,
    plot_outcome,
    read_experiment,
    summarise,
)
from .executors import (
    DaskExecutor,
    Executor,
    FuturesExecutor,
    LocalExecutor,
    SerialExecutor,
    make_executor,
)
from .spec import Experiment, ExperimentSpec, Parameter, load_experiment
from .sweep import SweepSummary, run_sweep

__all__ = [
    "DaskExecutor",
    "Executor",
    "Experiment",
    "ExperimentSpec",
    "FuturesExecutor",
    "LocalExecutor",
    "Parameter",
    "SerialExecutor",
    "SweepSummary",
    "load_events",
    "load_experiment",
    "load_runs",
    "load_timeseries",
    "make_executor",
    "plot_metric",
    "plot_outcome",
    "read_experiment",
    "run_sweep",
    "summarise",
]
