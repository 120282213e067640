"""``socbiz sweep``, ``socbiz sensitivity`` and ``socbiz sweep-plot``.

Exit status: 0 when every run is recorded ok, 1 when some runs failed (they are recorded with
their error) or could not be run, 2 for a mistake in what was asked (one line on stderr), 130
when interrupted with Ctrl-C (``--resume`` finishes the sweep).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..i18n import _


def share_closed(text: str) -> float:
    """An argparse type: a number from 0 to 1, both included (a PRIM box's density)."""
    import math

    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value <= 1:
        from ..schema import format_value

        raise argparse.ArgumentTypeError(_("{text} (must be a number between 0 and 1, "
                                           "inclusive, e.g. 0.8)").format(
            text=format_value(text)))
    return value


def add_commands(sub) -> None:
    from ..cli import probability_open

    sweep = sub.add_parser(
        "sweep", help=_("run an experiment: a design of scenarios x replicates"),
        description=_("Run every design point and replicate of an experiment file on local worker "
                    "processes or a Dask cluster; write runs, daily series and event logs as "
                    "partitioned Parquet. See docs/experiments.md."))
    sweep.add_argument("experiment", help=_("experiment TOML file (e.g. "
                       "scenarios/experiments/content_grid.toml)"))
    _add_execution_options(sweep, "runs/EXPERIMENT")
    sweep.add_argument("--retry-failed", action="store_true",
                       help=_("with --resume, run again the runs recorded as failed"))
    sweep.add_argument("--dry-run", action="store_true",
                       help=_("validate the experiment and print the plan; run nothing"))
    sweep.set_defaults(func=cmd_sweep)

    sens = sub.add_parser(
        "sensitivity", help=_("global sensitivity analysis (SALib: Morris or Sobol)"),
        description=_("Sample the parameters of a sensitivity spec with SALib, run the model at "
                    "every sample through the same executors and store as 'socbiz sweep', then "
                    "write the indices (CSV, with confidence intervals) and bar plots (PNG)."))
    sens.add_argument("spec", help=_("sensitivity TOML file (e.g. "
                      "scenarios/experiments/organisation_sensitivity.toml)"))
    sens.add_argument("--method", choices=("morris", "sobol"),
                      help=_("Morris elementary effects (screening) or Sobol variance "
                           "decomposition (default: the spec's method)"))
    sens.add_argument("--n", type=_positive, metavar="N",
                      help=_("Morris trajectories or Sobol base sample size (default: the spec's)."
                           " A Sobol study grows: rerun with a larger --n and --resume into the "
                           "same --out, and only the new samples are run"))
    _add_execution_options(sens, "runs/SPEC-METHOD")
    sens.add_argument("--dry-run", action="store_true",
                      help=_("validate the spec and print the sample size; run nothing"))
    sens.set_defaults(func=cmd_sensitivity)

    lhs = sub.add_parser(
        "sensitivity-lhs", help=_("delta, PAWN and RBD-FAST indices from an existing sweep"),
        description=_("Sensitivity indices (SALib: Borgonovo's delta, PAWN, RBD-FAST) computed "
                    "from a finished sweep whose parameters are ranges (an LHS design), "
                    "without new runs. Each design point's output is its replicates' mean; the "
                    "share of the variance due to seeds is reported beside. Writes "
                    "RESULTS/sensitivity/indices.csv."))
    lhs.add_argument("results", help=_("results folder of a sweep (design = 'lhs')"))
    lhs.add_argument("--method", nargs="+", default=["delta", "pawn", "rbd_fast"],
                     choices=("delta", "pawn", "rbd_fast"), help=_("methods (default: all three)"))
    lhs.add_argument("--output", nargs="+", help=_("output columns (default: every output)"))
    lhs.add_argument("--brand", help=_("only this brand"))
    lhs.set_defaults(func=cmd_sensitivity_lhs)

    plot = sub.add_parser(
        "sweep-plot", help=_("plot a metric's mean and confidence band from a sweep's results"),
        description=_("Plot a daily metric (mean and confidence band across replicates, one line "
                    "per design point) or, with --x, an output of the runs table against a "
                    "parameter."))
    plot.add_argument("results", help=_("results folder of a sweep"))
    plot.add_argument("metric", help=_("daily metric (e.g. followers) or, with --x, a runs-table "
                      "output (e.g. followers_final)"))
    plot.add_argument("--x", help=_("parameter column for the horizontal axis (runs-table "
                      "output plot)"))
    plot.add_argument("--by", action="extend", nargs="+", metavar="COLUMN",
                      help=_("parameter column(s) to group by, e.g. --by a b (default: every "
                           "parameter, one line per design point)"))
    plot.add_argument("--brand", help=_("only this brand"))
    plot.add_argument("--conf-level", type=probability_open, default=0.95,
                      help=_("confidence level of the band, between 0 and 1 (default 0.95)"))
    plot.add_argument("--png", help=_("output file (default: RESULTS/plots/METRIC.png)"))
    plot.set_defaults(func=cmd_sweep_plot)

    surv = sub.add_parser(
        "survival", help=_("Kaplan-Meier summary of a time-to-event output of a sweep"),
        description=_("Kaplan-Meier curves (log-log Greenwood bands) and the median time with "
                    "its interval, per group, of a time-to-event output (a first_day output "
                    "declared in the experiment's [[output_definitions]]); censored runs (the "
                    "event never happened by the horizon) are counted as such, not as times."))
    surv.add_argument("results", help=_("results folder of a sweep"))
    surv.add_argument("output", help=_("time-to-event output column (e.g. phase3_day)"))
    surv.add_argument("--by", action="extend", nargs="+", metavar="COLUMN",
                      help=_("parameter column(s) to group by (default: none, every run "
                           "pooled)"))
    surv.add_argument("--brand", help=_("only this brand"))
    surv.add_argument("--conf-level", type=probability_open, default=0.95,
                      help=_("confidence level (default 0.95)"))
    surv.add_argument("--png", help=_("plot file (default: RESULTS/plots/survival-OUTPUT.png)"))
    surv.set_defaults(func=cmd_survival)

    disc = sub.add_parser(
        "discover", help=_("scenario discovery: PRIM boxes, CART rules, feature scores"),
        description=_("Mark the runs of a sweep where a condition on an output holds (cases of "
                    "interest) and find which inputs lead there: PRIM (EMA Workbench; peeling "
                    "trajectory, the chosen box's limits with quasi-p-values), a CART tree and "
                    "extra-trees feature scores (scikit-learn). Writes a markdown summary, CSV "
                    "and PNG into RESULTS/discovery/OUTPUT."))
    disc.add_argument("results", help=_("results folder of a sweep (an LHS design is best)"))
    disc.add_argument("--output", required=True, help=_("output column, e.g. phase_final"))
    disc.add_argument("--condition", required=True,
                      help=_("what makes a run a case, e.g. \"phase_final >= 3\" or \">= 3\" "
                           "(clauses joined by 'and')"))
    disc.add_argument("--brand", help=_("brand analysed (default: the scenario's first)"))
    disc.add_argument("--min-density", type=share_closed, default=0.8,
                      help=_("PRIM box chosen: highest coverage with at least this density "
                           "(default 0.8)"))
    disc.add_argument("--out", help=_("folder (default: RESULTS/discovery/OUTPUT)"))
    disc.set_defaults(func=cmd_discover)

    cal = sub.add_parser(
        "calibrate", help=_("fit parameters to published figures (ABC-SMC with pyabc)"),
        description=_("Fit the parameters of a calibration spec to target statistics or "
                      "series with ABC-SMC (pyabc), running every simulation through the sweep "
                      "machinery (local processes or Dask); then run a posterior predictive "
                      "check of every target, fitted and held out, and write the posterior, "
                      "the checks, plots and a summary. See docs/experiments.md."))
    cal.add_argument("spec", help=_("calibration TOML file (e.g. "
                                    "scenarios/experiments/market_calibration.toml)"))
    _add_execution_options(cal, "runs/SPEC")
    cal.add_argument("--dry-run", action="store_true",
                     help=_("validate the spec and print the priors and targets; run nothing"))
    cal.set_defaults(func=cmd_calibrate)

    export = sub.add_parser(
        "export", help=_("export a sweep's tables as CSV"),
        description=_("Write the runs table (and optionally the daily series and event logs) "
                    "of a results folder as CSV files, for tools that do not read Parquet."))
    export.add_argument("results", help=_("results folder of a sweep"))
    export.add_argument("--csv", action="store_true", required=True,
                        help=_("write CSV (the only format for now)"))
    export.add_argument("--tables", nargs="+", default=["runs"],
                        choices=("runs", "design", "timeseries", "events"),
                        help=_("tables to export (default: runs)"))
    export.add_argument("--out", help=_("folder for the CSV files (default: RESULTS/csv)"))
    export.set_defaults(func=cmd_export)


def _add_execution_options(parser: argparse.ArgumentParser, default_out: str) -> None:
    from ..cli import MAX_LOCAL_WORKERS, scheduler_address, workers_int

    where = parser.add_mutually_exclusive_group()
    where.add_argument("--workers", type=workers_int, metavar="N",
                       help=_("local worker processes (default: the number of cores; 0 runs "
                              "in this process, for debugging; at most {most})").format(
                                  most=MAX_LOCAL_WORKERS))
    where.add_argument("--scheduler", metavar="tcp://HOST:PORT", type=scheduler_address,
                       help=_("run on a Dask cluster (started with 'dask scheduler' and "
                            "'dask worker', or dask-jobqueue)"))
    where.add_argument("--scheduler-file", metavar="FILE",
                       help=_("run on the Dask cluster whose scheduler wrote FILE ('dask "
                            "scheduler --scheduler-file FILE', usual on HPC clusters)"))
    parser.add_argument("--out", help=_("results folder (default: {folder})").format(
        folder=default_out))
    parser.add_argument("--resume", action="store_true",
                        help=_("continue an interrupted run into --out: run only what is missing"))
    parser.add_argument("--quiet", action="store_true", help=_("no progress bar"))


def scheduler_of(args: argparse.Namespace) -> str | None:
    """``--scheduler``, or the address in ``--scheduler-file`` (Dask's JSON file)."""
    path = getattr(args, "scheduler_file", None)
    if not path:
        return args.scheduler
    import json

    try:
        address = json.loads(Path(path).read_text())["address"]
    except FileNotFoundError:
        raise _user_error(ValueError(_("--scheduler-file {path}: no such file").format(
            path=path))) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise _user_error(ValueError(_("--scheduler-file {path}: not a Dask scheduler file (a "
                                       "JSON object with an 'address')").format(path=path))
                          ) from None
    return str(address)


def _user_error(error: Exception):
    from ..cli import UserError

    return UserError(str(error))


def _checked_folder(folder: Path, option: str = "--out", needed_bytes: int = 0) -> Path:
    """``folder`` if the outputs can be written there; otherwise OutputError, a one-line
    error (exit 2) before any work (simulation.runner.check_output_folder)."""
    from ..runner import check_output_folder

    return check_output_folder(folder, needed_bytes, option=option)


def _checked_figure(path: Path, option: str = "--png") -> Path:
    """A figure's file, checked before the figure is drawn: a format matplotlib writes (no
    suffix: PNG, and the suffix is added so the path printed is the file written), not a
    folder, in a folder the figure can be written to."""
    from matplotlib.backend_bases import FigureCanvasBase

    given = path
    if not path.suffix:
        path = path.with_name(path.name + ".png")
    for place in dict.fromkeys((given, path)):  # "figure" or "figure.png" may be a folder
        if place.is_dir():
            raise _user_error(ValueError(_("{option} {path}: is a folder, not a file").format(
                option=option, path=place)))
    formats = FigureCanvasBase.get_supported_filetypes()
    if path.suffix[1:].lower() not in formats:
        raise _user_error(ValueError(_("{option} {path}: {suffix!r} is not a figure format; "
                                       "use one of {formats}").format(
            option=option, path=path, suffix=path.suffix, formats=", ".join(sorted(formats)))))
    _checked_folder(path.parent, option, 1_000_000)
    return path


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
        raise _user_error(ValueError(_("--retry-failed goes with --resume")))
    def announce(summary) -> None:
        if not args.quiet:
            done = _(" ({n} already done)").format(n=summary.skipped) if summary.skipped else ""
            print(_("socbiz: sweep '{name}': {points} design point(s) x {replicates} "
                    "replicate(s) = {runs} runs of {days} days{done} on {executor}; results "
                    "in {out}").format(
                      name=experiment.name, points=experiment.n_points,
                      replicates=experiment.replicates, runs=experiment.n_runs,
                      days=experiment.scenario.horizon_days, done=done,
                      executor=summary.executor, out=out), file=sys.stderr)

    try:
        summary = run_sweep(experiment, out, workers=args.workers,
                            scheduler=scheduler_of(args),
                            resume=args.resume, retry_failed=args.retry_failed,
                            progress=not args.quiet, announce=announce)
    except (StoreError, ExecutorError) as error:
        raise _user_error(error) from None
    print(f"socbiz: {summary}", file=sys.stderr)
    print(out)
    if summary.interrupted:
        return 130
    return 0 if summary.failed == 0 and summary.missing == 0 else 1


def cmd_calibrate(args: argparse.Namespace) -> int:
    from .calibration import load_calibration, run_calibration
    from .executors import ExecutorError
    from .store import StoreError

    calibration = load_calibration(args.spec)
    if args.dry_run:
        print(calibration.describe())
        return 0
    out = _checked_folder(Path(args.out) if args.out else Path("runs") / Path(args.spec).stem)
    if not args.quiet:
        print(_("socbiz: calibrate '{name}': results in {out}").format(
            name=calibration.experiment.name, out=out), file=sys.stderr)
    try:
        result = run_calibration(calibration, out, workers=args.workers,
                                 scheduler=scheduler_of(args), resume=args.resume,
                                 progress=not args.quiet)
    except (StoreError, ExecutorError) as error:
        raise _user_error(error) from None
    print(f"socbiz: {result}", file=sys.stderr)
    print(out)
    return 0


def cmd_sensitivity(args: argparse.Namespace) -> int:
    from .executors import ExecutorError
    from .sensitivity import load_sensitivity, run_sensitivity
    from .store import StoreError

    study = load_sensitivity(args.spec, method=args.method, n=args.n)
    if args.dry_run:
        print(study.describe())
        return 0
    out = Path(args.out) if args.out else Path("runs") / f"{Path(args.spec).stem}-{study.method}"
    def announce(summary) -> None:
        if not args.quiet:
            done = _(" ({n} already done)").format(n=summary.skipped) if summary.skipped else ""
            print(_("socbiz: sensitivity '{name}' ({method}, n = {n}): {points} samples x "
                    "{replicates} replicate(s) = {runs} runs{done} on {executor}; results in "
                    "{out}").format(
                      name=study.experiment.name, method=study.method, n=study.n,
                      points=study.experiment.n_points, replicates=study.experiment.replicates,
                      runs=study.experiment.n_runs, done=done, executor=summary.executor,
                      out=out), file=sys.stderr)

    try:
        result = run_sensitivity(study, out, workers=args.workers,
                                 scheduler=scheduler_of(args),
                                 resume=args.resume, progress=not args.quiet,
                                 announce=announce)
    except (StoreError, ExecutorError) as error:
        raise _user_error(error) from None
    print(f"socbiz: {result.sweep}", file=sys.stderr)
    if result.sweep.interrupted:
        return 130
    if result.indices is None:
        print(_("socbiz: no indices: {problem}").format(problem=result.problem),
              file=sys.stderr)
        return 1
    print(result.report(), file=sys.stderr)
    print(out)
    return 0


def cmd_sweep_plot(args: argparse.Namespace) -> int:
    from .analysis import load_runs, parameter_columns, plot_metric, plot_outcome
    from .spec import METRICS

    results = Path(args.results)
    if not (results / "experiment.json").is_file():
        raise _user_error(ValueError(_("{folder}: not a socbiz results folder (no "
                                       "experiment.json)").format(folder=results)))
    png = Path(args.png) if args.png else results / "plots" / (
        f"{args.metric}{'-by-' + args.x if args.x else ''}"
        f"{'-' + '-'.join(args.by) if args.by else ''}.png")
    png = _checked_figure(png)  # before reading and plotting
    params = parameter_columns(results)
    _check_brand(results, args.brand)
    for column in [*(args.by or []), *([args.x] if args.x else [])]:
        if column not in params:
            raise _user_error(ValueError(_("{column} is not a parameter column of {folder} "
                                           "(columns: {columns})").format(
                column=repr(column), folder=results, columns=", ".join(params) or _("none"))))
    if args.x:
        runs = load_runs(results, status="ok")
        if args.metric not in runs.columns:
            outputs = [c for c in runs.columns if c.endswith(("_final", "_mean", "_max",
                                                              "_min"))]
            raise _user_error(ValueError(_("{metric} is not an output of the runs table "
                                           "(outputs: {outputs})").format(
                metric=repr(args.metric), outputs=", ".join(outputs))))
        by = list(args.by or [])
        fig = plot_outcome(results, args.metric, x=args.x, by=by, brand=args.brand,
                           conf_level=args.conf_level, runs=runs)
    else:
        if args.metric not in METRICS:
            raise _user_error(ValueError(_("{metric} is not a daily metric; with --x, plot a "
                                           "runs-table output instead").format(
                metric=repr(args.metric))))
        try:
            fig = plot_metric(results, args.metric, by=args.by, brand=args.brand,
                              conf_level=args.conf_level)
        except (ValueError, FileNotFoundError) as error:
            raise _user_error(error) from None
    try:
        png.parent.mkdir(parents=True, exist_ok=True)
        fig.savefig(png, dpi=120)
    except OSError as error:
        raise _user_error(ValueError(_("--png {path}: cannot write: {error}").format(
            path=png, error=error.strerror or error))) from None
    print(png)
    return 0


def _results_folder(text: str) -> Path:
    results = Path(text)
    if not (results / "experiment.json").is_file():
        raise _user_error(ValueError(_("{folder}: not a socbiz results folder (no "
                                       "experiment.json)").format(folder=results)))
    return results


def _check_brand(results: Path, brand: str | None) -> None:
    if brand is None:
        return
    from .analysis import read_experiment

    brands = list(read_experiment(results)["scenario"].get("brands", {}))
    if brand not in brands:
        raise _user_error(ValueError(_("--brand {brand}: unknown brand in {folder} (brands: "
                                       "{brands})").format(
            brand=brand, folder=results, brands=", ".join(brands))))


def cmd_survival(args: argparse.Namespace) -> int:
    from .analysis import load_runs, parameter_columns, plot_survival, survival_summary
    from .outputs import OBSERVED_SUFFIX

    results = _results_folder(args.results)
    _check_brand(results, args.brand)
    png = _checked_figure(Path(args.png) if args.png
                          else results / "plots" / f"survival-{args.output}.png")
    params = parameter_columns(results)
    for column in args.by or []:
        if column not in params:
            raise _user_error(ValueError(_("{column} is not a parameter column of {folder} "
                                           "(columns: {columns})").format(
                column=repr(column), folder=results, columns=", ".join(params) or _("none"))))
    runs = load_runs(results, status="ok")
    if args.brand:
        runs = runs[runs["brand"] == args.brand]
    if args.output + OBSERVED_SUFFIX not in runs:
        tte = [c.removesuffix(OBSERVED_SUFFIX) for c in runs.columns
               if c.endswith(OBSERVED_SUFFIX)]
        raise _user_error(ValueError(_("{output} is not a time-to-event output of {folder} "
                                       "(time-to-event outputs: {outputs})").format(
            output=repr(args.output), folder=results,
            outputs=", ".join(tte) or _("none; declare a first_day output"))))
    by = list(args.by or [])
    table = survival_summary(runs, args.output, by=by, conf_level=args.conf_level)
    with __import__("pandas").option_context("display.width", 200, "display.max_columns", 30):
        print(table.to_string(index=False))
    runs_plot = runs
    if len(by) > 1:  # one curve per combination
        label = "_".join(by)
        runs_plot = runs.assign(**{label: runs[by].astype(str).agg(", ".join, axis=1)})
        by = [label]
    fig = plot_survival(runs_plot, args.output, by=by[0] if by else None,
                        conf_level=args.conf_level)
    png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(png, dpi=120)
    print(png)
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import pandas as pd

    from .analysis import load_events, load_runs, load_timeseries

    results = _results_folder(args.results)
    out = _checked_folder(Path(args.out) if args.out else results / "csv")
    out.mkdir(parents=True, exist_ok=True)
    for table in args.tables:
        if table == "runs":
            frame = load_runs(results)
        elif table == "design":
            frame = pd.read_parquet(results / "design.parquet")
        elif table == "timeseries":
            try:
                frame = load_timeseries(results)
            except FileNotFoundError as error:
                raise _user_error(error) from None
        else:
            frame = load_events(results)
        path = out / f"{table}.csv"
        frame.to_csv(path, index=False)
        print(path)
    return 0


def cmd_discover(args: argparse.Namespace) -> int:
    from .discovery import DiscoveryError, discover

    results = _results_folder(args.results)
    if args.out:
        _checked_folder(Path(args.out))  # before the analysis
    try:
        found = discover(results, args.output, args.condition, brand=args.brand,
                         min_density=args.min_density, out=args.out)
    except DiscoveryError as error:
        raise _user_error(error) from None
    print(found.summary())
    for path in found.files:
        print(path)
    return 0


def _positive(text: str) -> int:
    from ..cli import positive_int

    return positive_int(text)


def cmd_sensitivity_lhs(args: argparse.Namespace) -> int:
    from .sensitivity import analyze_sweep

    results = _results_folder(args.results)
    table = analyze_sweep(results, methods=args.method, outputs=args.output, brand=args.brand)
    import pandas as pd

    with pd.option_context("display.width", 200, "display.max_columns", 30,
                           "display.float_format", "{:.3g}".format):
        print(table.to_string(index=False))
    print(results / "sensitivity" / "indices.csv")
    return 0
