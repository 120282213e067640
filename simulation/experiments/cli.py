"""``socbiz sweep``, ``socbiz sensitivity`` and ``socbiz sweep-plot``.

Exit status: 0 when every run is recorded ok, 1 when some runs failed (they are recorded with
their error) or could not be run, 2 for a mistake in what was asked (one line on stderr), 130
when interrupted with Ctrl-C (``--resume`` finishes the sweep).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_commands(sub) -> None:
    from ..cli import probability_open

    sweep = sub.add_parser(
        "sweep", help="run an experiment: a design of scenarios x replicates",
        description="Run every design point and replicate of an experiment file on local worker "
                    "processes or a Dask cluster; write runs, daily series and event logs as "
                    "partitioned Parquet. See docs/experiments.md.")
    sweep.add_argument("experiment", help="experiment TOML file (e.g. "
                       "scenarios/experiments/content_grid.toml)")
    _add_execution_options(sweep, "runs/EXPERIMENT")
    sweep.add_argument("--retry-failed", action="store_true",
                       help="with --resume, run again the runs recorded as failed")
    sweep.add_argument("--dry-run", action="store_true",
                       help="validate the experiment and print the plan; run nothing")
    sweep.set_defaults(func=cmd_sweep)

    sens = sub.add_parser(
        "sensitivity", help="global sensitivity analysis (SALib: Morris or Sobol)",
        description="Sample the parameters of a sensitivity spec with SALib, run the model at "
                    "every sample through the same executors and store as 'socbiz sweep', then "
                    "write the indices (CSV, with confidence intervals) and bar plots (PNG).")
    sens.add_argument("spec", help="sensitivity TOML file (e.g. "
                      "scenarios/experiments/organisation_sensitivity.toml)")
    sens.add_argument("--method", choices=("morris", "sobol"),
                      help="Morris elementary effects (screening) or Sobol variance "
                           "decomposition (default: the spec's method)")
    _add_execution_options(sens, "runs/SPEC-METHOD")
    sens.add_argument("--dry-run", action="store_true",
                      help="validate the spec and print the sample size; run nothing")
    sens.set_defaults(func=cmd_sensitivity)

    plot = sub.add_parser(
        "sweep-plot", help="plot a metric's mean and confidence band from a sweep's results",
        description="Plot a daily metric (mean and confidence band across replicates, one line "
                    "per design point) or, with --x, an output of the runs table against a "
                    "parameter.")
    plot.add_argument("results", help="results folder of a sweep")
    plot.add_argument("metric", help="daily metric (e.g. followers) or, with --x, a runs-table "
                      "output (e.g. followers_final)")
    plot.add_argument("--x", help="parameter column for the horizontal axis (runs-table "
                      "output plot)")
    plot.add_argument("--by", action="append", help="parameter column(s) to group by "
                      "(default: every parameter, one line per design point)")
    plot.add_argument("--brand", help="only this brand")
    plot.add_argument("--conf-level", type=probability_open, default=0.95,
                      help="confidence level of the band, between 0 and 1 (default 0.95)")
    plot.add_argument("--png", help="output file (default: RESULTS/plots/METRIC.png)")
    plot.set_defaults(func=cmd_sweep_plot)


def _add_execution_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    from ..cli import MAX_LOCAL_WORKERS, scheduler_address, workers_int

    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=workers_int, metavar="N",
                       help="local worker processes (default: the number of cores; 0 runs "
                            f"in this process, for debugging; at most {MAX_LOCAL_WORKERS})")
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", type=scheduler_address,
                       help="run on a Dask cluster (started with 'dask scheduler' and "
                            "'dask worker', or dask-jobqueue)")
    parser.add_argument("--out", help=f"results folder (default: {default_out})")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run into --out: run only what is missing")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def _user_error(error: Exception):
    from ..cli import UserError

    return UserError(str(error))


def cmd_sweep(args: argparse.Namespace) -> int:
    from .executors import ExecutorError
    from .spec import load_experiment
    from .store import StoreError
    from .sweep import run_sweep

    experiment = load_experiment(args.experiment)
    if args.dry_run:
        print(experiment.describe())
        return 0
    out = Path(args.out) if args.out else Path("runs") / Path(args.experiment).stem
    if args.retry_failed and not args.resume:
        raise _user_error(ValueError("--retry-failed goes with --resume"))
    def announce(summary) -> None:
        if not args.quiet:
            done = f" ({summary.skipped} already done)" if summary.skipped else ""
            print(f"socbiz: sweep '{experiment.name}': {experiment.n_points} design point(s) x "
                  f"{experiment.replicates} replicate(s) = {experiment.n_runs} runs of "
                  f"{experiment.scenario.horizon_days} days{done} on {summary.executor}; "
                  f"results in {out}", file=sys.stderr)

    try:
        summary = run_sweep(experiment, out, workers=args.workers, scheduler=args.scheduler,
                            resume=args.resume, retry_failed=args.retry_failed,
                            progress=not args.quiet, announce=announce)
    except (StoreError, ExecutorError) as error:
        raise _user_error(error) from None
    print(f"socbiz: {summary}", file=sys.stderr)
    print(out)
    if summary.interrupted:
        return 130
    return 0 if summary.failed == 0 and summary.missing == 0 else 1


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .executors import ExecutorError
    from .sensitivity import load_sensitivity, run_sensitivity
    from .store import StoreError

    study = load_sensitivity(args.spec, method=args.method)
    if args.dry_run:
        print(study.describe())
        return 0
    out = Path(args.out) if args.out else Path("runs") / f"{Path(args.spec).stem}-{study.method}"
    def announce(summary) -> None:
        if not args.quiet:
            done = f" ({summary.skipped} already done)" if summary.skipped else ""
            print(f"socbiz: sensitivity '{study.experiment.name}' ({study.method}, n = "
                  f"{study.n}): {study.experiment.n_points} samples x "
                  f"{study.experiment.replicates} replicate(s) = {study.experiment.n_runs} runs"
                  f"{done} on {summary.executor}; results in {out}", file=sys.stderr)

    try:
        result = run_sensitivity(study, out, workers=args.workers, scheduler=args.scheduler,
                                 resume=args.resume, progress=not args.quiet,
                                 announce=announce)
    except (StoreError, ExecutorError) as error:
        raise _user_error(error) from None
    print(f"socbiz: {result.sweep}", file=sys.stderr)
    if result.sweep.interrupted:
        return 130
    if result.indices is None:
        print(f"socbiz: no indices: {result.problem}", file=sys.stderr)
        return 1
    print(result.report(), file=sys.stderr)
    print(out)
    return 0


def cmd_sweep_plot(args: argparse.Namespace) -> int:
    from .analysis import load_runs, parameter_columns, plot_metric, plot_outcome
    from .spec import METRICS

    results = Path(args.results)
    if not (results / "experiment.json").is_file():
        raise _user_error(ValueError(f"{results}: not a socbiz results folder (no "
                                     "experiment.json)"))
    png = Path(args.png) if args.png else results / "plots" / (
        f"{args.metric}{'-by-' + args.x if args.x else ''}.png")
    from ..runner import OutputError, check_output_folder

    try:  # before reading and plotting: a place the figure cannot go is refused now
        check_output_folder(png.parent, 1_000_000, option="--png")
    except OutputError as error:
        raise _user_error(error) from None
    params = parameter_columns(results)
    for column in [*(args.by or []), *([args.x] if args.x else [])]:
        if column not in params:
            raise _user_error(ValueError(f"{column!r} is not a parameter column of {results} "
                                         f"(columns: {', '.join(params) or 'none'})"))
    if args.x:
        runs = load_runs(results, status="ok")
        if args.metric not in runs.columns:
            outputs = [c for c in runs.columns if c.endswith(("_final", "_mean", "_max",
                                                              "_min"))]
            raise _user_error(ValueError(f"{args.metric!r} is not an output of the runs table "
                                         f"(outputs: {', '.join(outputs)})"))
        by = args.by[0] if args.by else None
        fig = plot_outcome(results, args.metric, x=args.x, by=by, brand=args.brand,
                           conf_level=args.conf_level, runs=runs)
    else:
        if args.metric not in METRICS:
            raise _user_error(ValueError(f"{args.metric!r} is not a daily metric; with --x, "
                                         "plot a runs-table output instead"))
        try:
            fig = plot_metric(results, args.metric, by=args.by, brand=args.brand,
                              conf_level=args.conf_level)
        except (ValueError, FileNotFoundError) as error:
            raise _user_error(error) from None
    try:
        png.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(png, dpi=120)
    except OSError as error:
        raise _user_error(ValueError(f"--png {png}: cannot write: {error.strerror or error}")
                          ) from None
    print(png)
    return 0
