"""What runs on a worker: one model run, reduced and written to the results folder.

Rules:
- A worker receives a :class:`RunContext` (the same for every run of an experiment: the base
  scenario, the parameter keys, what to keep, where to write) and a :class:`RunTask` (run id,
  seed, parameter values). It runs the scenario, reduces each output over the run for every
  brand, and writes the run's partitions itself; the driver only gets a :class:`RunSummary` of a
  few hundred bytes back, so its memory does not grow with the number of runs.
- Each partition is written to a temporary file and renamed into place (atomic on POSIX), and
  the runs-table partition is written last: a run counts as done exactly when
  ``runs/part-<run_id>.parquet`` exists (and can be read: a resume runs an unreadable one
  again), so a sweep killed at any moment leaves nothing a resume would mistake for a finished
  run.
- An exception raised by the run is caught and recorded: the run's rows in the runs table have
  status ``failed``, the one-line error and the traceback; other runs go on.
- Test hook: the driver marks the run ids listed in the environment variable
  ``SOCBIZ_SWEEP_FAIL_RUNS`` (e.g. ``"3,7"``) and the worker raises inside the run for them, so
  the failure path is exercised on any executor. It is read by the driver, not by workers.
"""

from __future__ import annotations

import functools
import hashlib
import os
import socket
import time
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from .outputs import Output, reduce_outputs
from .spec import apply_overrides, expand_variants
from .store import RunWriter

FAIL_ENV = "SOCBIZ_SWEEP_FAIL_RUNS"


@dataclass(frozen=True)
class RunContext:
    """Everything shared by the runs of one experiment."""

    scenario: dict[str, Any]  # the resolved base scenario, as a mapping
    brands: tuple[str, ...]
    columns: tuple[str, ...]
    keys: tuple[str, ...]
    dtypes: tuple[str, ...]
    outputs: tuple[Output, ...]
    window_days: int | None
    timeseries: bool
    timeseries_columns: tuple[str, ...]
    events: bool
    out: str
    variants: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # The brand columns a run collects (None: all): what the outputs read and the time series
    # keeps (simulation.experiments.sweep.reporters_kept).
    reporters: tuple[str, ...] | None = None


@dataclass(frozen=True)
class RunTask:
    run_id: int
    point: int
    replicate: int
    seed: int
    values: tuple
    inject_failure: bool = False


@dataclass(frozen=True)
class RunSummary:
    """What a worker sends back: enough for the progress bar and the summary, nothing more."""

    run_id: int
    status: str  # "ok" or "failed"
    error: str | None
    wall_time_s: float
    host: str
    pid: int


class InjectedFailure(RuntimeError):
    """Raised inside a run whose id is listed in SOCBIZ_SWEEP_FAIL_RUNS."""


def execute_run(context: RunContext, task: RunTask) -> RunSummary:
    """Run one design point and replicate, write its partitions, return a small summary."""
    from ..runner import run_model

    started = datetime.now(UTC).isoformat(timespec="milliseconds")
    clock = time.perf_counter()
    writer = RunWriter(context.out)
    metrics: dict[str, dict[str, float]] = {}
    n_events: dict[str, int] = {}
    days_simulated = None
    error = tb = None
    try:
        if task.inject_failure:
            raise InjectedFailure(f"failure injected by {FAIL_ENV} for run {task.run_id}")
        overrides = expand_variants(dict(zip(context.keys, task.values, strict=True)),
                                    context.variants)
        scenario = context.scenario
        if any("[" in k or k.split(".")[0] == "timeline" for k in overrides):
            # run_scenario's --set style paths cannot index lists: apply them here.
            scenario = apply_overrides(scenario, overrides).to_dict()
            overrides = {}
        # Only the series and the event log: none of the other tables of a run's result
        # (customers' sample, complaints, metadata, organisation), which a run does not write;
        # and of the series only the columns the experiment keeps.
        model, run_status = run_model(scenario, seed=task.seed, overrides=overrides,
                                      customer_sample=False, reporters=context.reporters)
        if run_status != "complete":
            # run_model turns Ctrl-C into a partial run; a partial run is never written.
            raise KeyboardInterrupt
        series = model.brand_frame()
        metrics = reduce_outputs(series, context.outputs, context.window_days)
        events = model.log_book.to_frame()
        n_events = events["brand"].value_counts().to_dict() if len(events) else {}
        days_simulated = int(model.time_day)
        wall = time.perf_counter() - clock
        if context.timeseries:
            if context.timeseries_columns:
                keep = ["day", "brand"] + [c for c in context.timeseries_columns
                                           if c not in ("day", "brand")]
                series = series[keep]
            writer.write_timeseries(task.run_id, series)
        if context.events:
            writer.write_events(task.run_id, events)
        status = "ok"
    except Exception as exc:  # recorded, and the sweep goes on
        wall = time.perf_counter() - clock
        status = "failed"
        error = one_line(f"{type(exc).__name__}: {exc}")
        tb = traceback.format_exc()
        writer.discard(task.run_id)  # partitions of an earlier, interrupted attempt
    host, pid = socket.gethostname(), os.getpid()
    rows = [{
        "run_id": task.run_id, "point": task.point, "replicate": task.replicate,
        "seed": task.seed, "brand": brand, "status": status,
        **dict(zip(context.columns, task.values, strict=True)),
        **{c: metrics.get(brand, {}).get(c) for o in context.outputs for c in o.columns},
        "error": error, "days_simulated": days_simulated,
        "n_events": int(n_events.get(brand, 0)) if status == "ok" else None,
        "wall_time_s": round(wall, 6), "started": started, "host": host, "pid": pid,
        "traceback": tb,
    } for brand in context.brands]
    writer.write_runs(task.run_id, rows, context)
    return RunSummary(task.run_id, status, error, round(wall, 6), host, pid)


@functools.cache
def code_fingerprint() -> str:
    """A hash of the ``simulation`` package's source: tells apart two checkouts of the same
    version (an editable install edited while workers are running, a cluster node out of
    date)."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def one_line(text: str, limit: int = 500) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


# --------------------------------------------------------------------------------------------
# Local worker processes


def init_local_worker() -> None:
    """Initializer of local pool processes.

    Ctrl-C is the driver's business: it stops the pool itself, so workers ignore SIGINT
    (otherwise every worker would print a traceback and the pool would break mid-write). And a
    worker whose driver died (SIGKILL, OOM killer) exits at once instead of waiting forever for
    work: a thread watches the parent's sentinel.
    """
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    import multiprocessing
    from multiprocessing.connection import wait

    parent = multiprocessing.parent_process()
    if parent is None or parent.sentinel is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(70)

    threading.Thread(target=watch, name="socbiz-parent-watchdog", daemon=True).start()
