"""The sweep driver: plan, submit, watch, summarise. It never holds results.

Rules:
- The driver opens the results folder (refusing a non-empty one unless resuming, and a folder of
  another experiment), records the experiment and the plan, then submits the runs still missing
  in run-id order through the executor, keeping at most about two runs per worker slot in
  flight: futures are created as slots free up, so the driver's memory stays flat however many
  runs there are.
- Workers write results; the driver receives a :class:`~.worker.RunSummary` per run and only
  counts: runs ok, failed (recorded by the worker with their error) and lost (the executor
  itself failed: a worker process died, the cluster went away; nothing recorded, a resume redoes
  them).
- Ctrl-C stops the workers and ends the session cleanly; every run already written stays valid
  and ``--resume`` finishes the rest. A SIGKILL of the driver has the same effect on the results
  (atomic writes), and local workers exit by themselves.
- ``experiment.json`` gets one entry per session (start, end, wall time, executor, counts).
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from ..i18n import _, format_number
from .executors import Executor, ExecutorError, make_executor
from .outputs import metrics_read
from .spec import Experiment, load_experiment
from .spec.columns import METRICS
from .store import FORMAT, ResultStore
from .worker import FAIL_ENV, RunContext, RunTask, code_fingerprint, execute_run


@dataclass
class SweepSummary:
    """What a sweep (one session) did."""

    out: Path
    name: str
    n_runs: int
    skipped: int = 0
    ok: int = 0
    failed: int = 0
    lost: int = 0
    wall_time_s: float = 0.0
    executor: str = ""
    interrupted: bool = False
    failures: list[tuple[int, str]] = field(default_factory=list)
    lost_errors: list[str] = field(default_factory=list)

    @property
    def done_now(self) -> int:
        return self.ok + self.failed

    @property
    def runs_per_minute(self) -> float:
        return 60.0 * self.done_now / self.wall_time_s if self.wall_time_s > 0 else 0.0

    @property
    def missing(self) -> int:
        return self.n_runs - self.skipped - self.done_now

    @property
    def status(self) -> str:
        if self.interrupted:
            return "interrupted"
        return "complete" if self.missing == 0 else "incomplete"

    def __str__(self) -> str:
        head = (_("{name}: {ok} run(s) ok, {failed} failed").format(
                    name=self.name, ok=self.ok, failed=self.failed)
                + (_(", {n} lost").format(n=self.lost) if self.lost else "")
                + (_(" ({n} already done)").format(n=self.skipped) if self.skipped else "")
                + _(" in {seconds} s ({rate} runs/min, {executor})").format(
                    seconds=format_number(self.wall_time_s, 1),
                    rate=format_number(self.runs_per_minute, 0), executor=self.executor))
        lines = [head]
        if self.interrupted:
            lines.append(_("interrupted: {missing} of {runs} runs still to do; rerun with "
                           "--resume to finish them").format(missing=self.missing,
                                                             runs=self.n_runs))
        elif self.missing:
            lines.append(_("{missing} of {runs} runs not done; rerun with --resume to finish "
                           "them").format(missing=self.missing, runs=self.n_runs))
        for run_id, error in self.failures[:5]:
            lines.append(_("  run {run} failed: {error}").format(run=run_id, error=error))
        if self.failed > 5:
            lines.append(_("  ... {n} more failed runs (runs table, status 'failed')").format(
                n=self.failed - 5))
        for error in self.lost_errors[:3]:
            lines.append(_("  lost: {error}").format(error=error))
        kept = [f"{t}/" for t in ("runs", "timeseries", "events")
                if (self.out / t).is_dir() and any((self.out / t).iterdir())]
        lines.append(_("results in {out} ({files})").format(
            out=self.out, files=", ".join([*kept, "experiment.json"])))
        return "\n".join(lines)


def failures_to_inject() -> set[int]:
    """Run ids listed in SOCBIZ_SWEEP_FAIL_RUNS (a test hook, see worker.py)."""
    text = os.environ.get(FAIL_ENV, "").strip()
    if not text:
        return set()
    try:
        return {int(x) for x in text.replace(" ", "").split(",") if x}
    except ValueError:
        raise ExecutorError(_("{FAIL_ENV}={text!r}: expected run ids like '3,7'").format(
                              FAIL_ENV=FAIL_ENV, text=text)) from None


def reporters_kept(experiment: Experiment) -> tuple[str, ...] | None:
    """The brand columns a run must collect: the metrics its outputs read (their conditions'
    too) and the time-series columns it keeps; None (every column) when it keeps the whole
    series or an output is user-defined (its function may read any column)."""
    if experiment.timeseries and not experiment.timeseries_columns:
        return None
    read = metrics_read(experiment.outputs, METRICS)
    if read is None:
        return None
    if experiment.timeseries:
        read |= set(experiment.timeseries_columns)
    return tuple(sorted(read - {"day", "brand"}))


def context_of(experiment: Experiment, out: Path) -> RunContext:
    return RunContext(
        scenario=experiment.scenario.to_dict(),
        brands=experiment.brands,
        columns=experiment.design.columns,
        keys=experiment.design.keys,
        dtypes=experiment.design.dtypes,
        outputs=experiment.outputs,
        window_days=experiment.window_days,
        timeseries=experiment.timeseries,
        timeseries_columns=experiment.timeseries_columns,
        events=experiment.events,
        out=str(out.resolve()),
        variants=experiment.variants,
        reporters=reporters_kept(experiment),
    )


def run_sweep(
    experiment: Experiment | str | os.PathLike | dict,
    out: str | os.PathLike,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    executor: Any = None,
    resume: bool = False,
    retry_failed: bool = False,
    progress: bool = True,
    announce: Callable[[SweepSummary], None] | None = None,
) -> SweepSummary:
    """Run every run of ``experiment`` not yet in ``out``; return what this session did.

    ``workers``: local processes (default: the number of cores; 0 runs in this process).
    ``scheduler``: a Dask scheduler address. ``executor``: an :class:`Executor`, a
    ``distributed.Client`` or any ``concurrent.futures.Executor``: not shut down here (a Dask
    client's queued runs of this sweep are cancelled if it is interrupted).
    ``announce(summary)`` is called once the executor is up and the runs already done are
    known, just before the first run is submitted (the CLI prints its header line there).
    """
    if not isinstance(experiment, Experiment):
        experiment = load_experiment(experiment)
    out = Path(out)
    store = ResultStore(out)
    summary = SweepSummary(out=out, name=experiment.name, n_runs=experiment.n_runs)
    started_at = datetime.now(UTC).isoformat(timespec="seconds")
    clock = time.perf_counter()
    store.check(experiment, resume=resume)  # refuse early, before starting workers
    pool = make_executor(workers=workers, scheduler=scheduler, executor=executor)
    try:
        existing = store.open(experiment, resume=resume)
    except BaseException:
        pool.shutdown(cancel=True)
        raise
    info: dict[str, Any] = {}
    session: dict[str, Any] = {}
    bar = None
    try:
        done = store.completed()
        damaged = store.damaged(done) if resume else set()
        if damaged:  # unreadable runs files (a disk error, an edit): those runs again
            print(_("socbiz: warning: {n} run file(s) in {out} cannot be read: run(s) {ids} "
                    "will run again").format(n=len(damaged), out=out,
                                             ids=", ".join(map(str, sorted(damaged)[:10]))),
                  file=sys.stderr)
            done -= damaged
        if retry_failed:
            done -= store.failed()
        done &= set(range(experiment.n_runs))
        summary.skipped = len(done)
        inject = failures_to_inject()
        from ..runner import versions

        # A grown design (more Sobol' samples) keeps its hash: the record follows the plan.
        info = ({**existing, **experiment.to_json()} if existing else
                {"format": FORMAT, **experiment.to_json(), "created": started_at,
                 "sessions": []})
        for earlier in info["sessions"]:
            if earlier.get("status") == "running":  # that driver was killed
                earlier["status"] = "stopped (no end recorded: killed?)"
        info["versions"] = {**versions(), **library_versions(),
                            "socbiz_code": code_fingerprint()}
        info["environment"] = environment()
        if existing and existing.get("versions") != info["versions"]:
            print(_("socbiz: warning: {out} was started with {before}; this session runs "
                    "{now}").format(out=out, before=existing.get("versions"),
                                    now=info["versions"]), file=sys.stderr)
        summary.executor = pool.description
        if pool.checks_shared_folder:  # before anything is recorded: nothing to resume if not
            pool.check_folder(str(out.resolve()))
        session = {"started": started_at, "host": socket.gethostname(), "pid": os.getpid(),
                   "executor": pool.description, "resume": bool(existing),
                   "runs_to_do": experiment.n_runs - len(done), "status": "running"}
        info["sessions"] = [*info.get("sessions", []), session]
        info["status"] = "running"
        store.write_json(info)
        store.write_design(experiment)
        context = context_of(experiment, out)
        if announce is not None:
            announce(summary)
        if progress:
            from tqdm import tqdm

            tty = sys.stderr.isatty()
            bar = tqdm(total=experiment.n_runs, initial=len(done), unit="run",
                       desc=experiment.name, file=sys.stderr, dynamic_ncols=True,
                       mininterval=0.5 if tty else 30.0, smoothing=0.05)
            bar.set_postfix(failed=0)
        tasks = (RunTask(r.run_id, r.point, r.replicate, r.seed, r.values,
                         r.run_id in inject) for r in experiment.runs(skip=done))
        with _interrupt_flag() as interrupted:
            _drive(pool, context, tasks, summary, store, bar, interrupted)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        if bar is not None:
            bar.close()
        if not isinstance(executor, Executor):  # ours, or our wrapper of the caller's pool
            pool.shutdown(cancel=summary.interrupted or summary.missing > 0)
        summary.wall_time_s = time.perf_counter() - clock
        if session:
            session.update({"finished": datetime.now(UTC).isoformat(timespec="seconds"),
                            "wall_time_s": round(summary.wall_time_s, 3),
                            "runs_ok": summary.ok, "runs_failed": summary.failed,
                            "runs_lost": summary.lost, "status": summary.status})
            recorded = len(store.completed() & set(range(experiment.n_runs)))
            info["runs"] = {"total": experiment.n_runs, "recorded": recorded,
                            "missing": experiment.n_runs - recorded}
            info["status"] = "complete" if recorded == experiment.n_runs else summary.status
            store.write_json(info)
        store.close()
    return summary


#: Libraries whose versions can change results or their analysis (recorded when installed).
RECORDED_LIBRARIES = ("scipy", "pandas", "pyarrow", "SALib", "matplotlib", "dask",
                      "distributed", "scikit-learn", "ema_workbench", "dask-jobqueue")


def library_versions() -> dict[str, str]:
    """Versions of :data:`RECORDED_LIBRARIES` that are installed."""
    from importlib import metadata

    out = {}
    for name in RECORDED_LIBRARIES:
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return out


def environment() -> dict[str, Any]:
    """Where the driver ran: platform, CPU count, and the git commit of the checkout the
    ``simulation`` package comes from (with a flag when it has uncommitted changes)."""
    import platform
    import subprocess

    record: dict[str, Any] = {"platform": platform.platform(), "machine": platform.machine(),
                              "python": sys.version.split()[0],
                              "python_implementation": platform.python_implementation(),
                              "cpu_count": os.cpu_count()}
    root = Path(__file__).resolve().parents[2]
    if (root / ".git").exists():
        try:
            commit = subprocess.run(["git", "-C", str(root), "rev-parse", "HEAD"],
                                    capture_output=True, text=True, timeout=10)
            dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain",
                                    "--untracked-files=no"], capture_output=True, text=True,
                                   timeout=10)
            if commit.returncode == 0:
                record["git_commit"] = commit.stdout.strip()
                record["git_dirty"] = bool(dirty.stdout.strip())
        except (OSError, subprocess.SubprocessError):
            pass
    return record


@contextmanager
def _interrupt_flag():
    """Remember a Ctrl-C even if some library call on the way swallows its KeyboardInterrupt:
    the driver loop checks the flag between batches of results."""
    interrupted = threading.Event()
    if threading.current_thread() is not threading.main_thread():
        yield interrupted
        return
    previous = signal.getsignal(signal.SIGINT)

    def handler(_signum, _frame):  # the signal handler signature; neither is needed
        interrupted.set()
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, handler)
    try:
        yield interrupted
    finally:
        signal.signal(signal.SIGINT, previous)


def _drive(pool: Executor, context: RunContext, tasks, summary: SweepSummary,
           store: ResultStore, bar, interrupted: threading.Event | None = None) -> None:
    pending: set = set()
    checked_folder = not pool.checks_shared_folder
    exhausted = False
    while True:
        if interrupted is not None and interrupted.is_set():
            raise KeyboardInterrupt
        window = max(2 * pool.refresh_slots(), 4)
        while not exhausted and len(pending) < window:
            task = next(tasks, None)
            if task is None:
                exhausted = True
                break
            pending.add(pool.submit(execute_run, context, task))
        if not pending:
            return
        done, pending = pool.wait_first(pending)
        for future in done:
            try:
                result = future.result()
            except Exception as error:  # the executor failed, not the run
                summary.lost += 1
                if len(summary.lost_errors) < 20:
                    summary.lost_errors.append(f"{type(error).__name__}: {error}"[:300])
                if _pool_is_broken(error):
                    raise ExecutorError(_("the worker pool broke ({error}); {n} runs were "
                                          "written; rerun with --resume").format(
                        error=f"{type(error).__name__}: {error}", n=summary.done_now)
                    ) from None
                continue
            if not checked_folder:
                checked_folder = True
                if not store.has_run(result.run_id):
                    raise ExecutorError(_(
                        "run {run} was written by {host} but {out} does not have it: the "
                        "results folder must be on a filesystem shared by the driver and "
                        "every worker").format(run=result.run_id, host=result.host,
                                               out=store.out))
            if result.status == "ok":
                summary.ok += 1
            else:
                summary.failed += 1
                if len(summary.failures) < 20:
                    summary.failures.append((result.run_id, result.error))
            if bar is not None:
                bar.update(1)
                if result.status != "ok":
                    bar.set_postfix(failed=summary.failed, refresh=False)


def _pool_is_broken(error: BaseException) -> bool:
    from concurrent.futures.process import BrokenProcessPool

    return isinstance(error, BrokenProcessPool)
