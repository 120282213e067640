"""Sweeps on local executors: identical results whatever the number of workers, the results
folder (layout, schema, atomicity, refusals), failed runs, resume after SIGKILL and Ctrl-C,
and the analysis helpers."""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import time
from pathlib import Path

import numpy as np
import pandas as pd
import psutil
import pytest
from experiments_support import PYTHON, ROOT, comparable, socbiz, tiny_experiment, write
from matplotlib.figure import Figure

from simulation.cli import main
from simulation.experiments import (
    load_events,
    load_experiment,
    load_runs,
    load_timeseries,
    plot_metric,
    plot_outcome,
    run_sweep,
    summarise,
)
from simulation.experiments.store import ResultStore, StoreError
from simulation.experiments.worker import FAIL_ENV, RunSummary

RESUME_EXPERIMENT = """
scenario = "tiny.toml"
days = 120
replicates = 2
base_seed = 11
timeseries_columns = ["followers", "maturity"]

[overrides]
market.n_customers = 4000

[[parameters]]
key = "brands.acme.content.posts_per_day"
name = "frequency"
values = [0.5, 1, 2, 4]

[[parameters]]
key = "brands.acme.content.push_share"
name = "push"
values = [0.2, 0.8]
"""


@pytest.fixture(scope="module")
def grid(tmp_path_factory):
    """The same small grid (4 points x 2 replicates, 2 brands) swept three ways."""
    folder = tmp_path_factory.mktemp("grid")
    path = tiny_experiment(folder)
    experiment = load_experiment(path)
    outs = {}
    for label, workers in (("serial", 0), ("one", 1), ("two", 2)):
        outs[label] = folder / label
        summary = run_sweep(experiment, outs[label], workers=workers, progress=False)
        assert (summary.ok, summary.failed, summary.missing) == (8, 0, 0)
    return experiment, outs


def test_serial_one_and_two_workers_give_identical_results(grid):
    _, outs = grid
    reference = outs["serial"]
    for other in (outs["one"], outs["two"]):
        pd.testing.assert_frame_equal(comparable(load_runs(reference)),
                                      comparable(load_runs(other)))
        pd.testing.assert_frame_equal(load_timeseries(reference), load_timeseries(other))
        pd.testing.assert_frame_equal(load_events(reference), load_events(other))


def test_runs_table_has_one_row_per_run_and_brand(grid):
    experiment, outs = grid
    runs = load_runs(outs["two"])
    assert len(runs) == experiment.n_runs * 2
    assert list(runs[["run_id", "brand"]].itertuples(index=False, name=None)) == [
        (r, b) for r in range(8) for b in ("acme", "rival")]
    assert runs.columns[:8].tolist() == ["run_id", "point", "replicate", "seed", "brand",
                                         "status", "frequency", "push"]
    for column in ("followers_final", "weekly_engaged_share_mean", "crisis_level_max",
                   "error", "wall_time_s", "host", "pid", "traceback"):
        assert column in runs
    assert (runs["status"] == "ok").all() and runs["error"].isna().all()
    expected = {(r.run_id, r.seed, r.values) for r in experiment.runs()}
    assert {(int(row.run_id), int(row.seed), (row.frequency, row.push))
            for row in runs.itertuples()} == expected
    assert runs["frequency"].dtype == np.float64 and runs["seed"].dtype == np.int64
    # Parameters reach the model: acme posts more at frequency 3.
    acme = runs[runs["brand"] == "acme"].groupby("frequency")["followers_final"].mean()
    assert acme.index.tolist() == [0.5, 3.0]


def test_results_folder_layout_and_experiment_json(grid):
    experiment, outs = grid
    out = outs["two"]
    names = {p.name for p in out.iterdir()}
    assert {"experiment.json", "design.parquet", "runs", "timeseries", "events"} <= names
    for table in ("runs", "timeseries", "events"):
        assert sorted(p.name for p in (out / table).iterdir()) == [
            f"part-{i:07d}.parquet" for i in range(8)]
    info = json.loads((out / "experiment.json").read_text())
    assert info["experiment_hash"] == experiment.hash
    assert info["status"] == "complete" and info["runs"] == {"total": 8, "recorded": 8,
                                                             "missing": 0}
    assert info["versions"]["socbiz"] and info["versions"]["mesa"]
    assert info["sessions"][0]["executor"] == "2 local worker processes"
    assert info["scenario"]["market"]["n_customers"] == 2000
    assert info["scenario"]["brands"]["rival"]["content"]["posts_per_day"] == 2.0
    design = pd.read_parquet(out / "design.parquet")
    assert design["run_id"].tolist() == list(range(8))


def test_driver_receives_only_a_small_summary_per_run(grid):
    summary = RunSummary(7, "failed", "RuntimeError: " + "x" * 500, 1.5, "host", 123)
    assert len(pickle.dumps(summary)) < 1000


def test_daily_series_and_events_join_their_parameters(grid):
    _, outs = grid
    series = load_timeseries(outs["two"], columns=["followers"], brand="acme")
    assert series.columns.tolist() == ["run_id", "point", "replicate", "seed", "frequency",
                                       "push", "day", "brand", "followers"]
    assert len(series) == 8 * 41
    assert series.groupby("run_id")["day"].agg(["min", "max"]).eq([0, 40]).all().all()
    runs = load_runs(outs["two"])
    last = series[series["day"] == 40].set_index("run_id")["followers"]
    final = runs[runs["brand"] == "acme"].set_index("run_id")["followers_final"]
    pd.testing.assert_series_equal(last.astype(float), final, check_names=False)


def test_non_empty_folder_refused_without_resume(grid, tmp_path):
    experiment, outs = grid
    with pytest.raises(StoreError, match="add --resume"):
        run_sweep(experiment, outs["two"], workers=0, progress=False)
    (tmp_path / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match="is not empty"):
        run_sweep(experiment, tmp_path, workers=0, progress=False)


def test_resume_refuses_a_folder_of_another_experiment(grid, tmp_path):
    experiment, outs = grid
    other_path = tiny_experiment(tmp_path, (Path(experiment.source).read_text()
                                            .replace("replicates = 2", "replicates = 3")))
    with pytest.raises(StoreError) as caught:
        run_sweep(load_experiment(other_path), outs["two"], workers=0, resume=True,
                  progress=False)
    message = str(caught.value)
    assert "holds another experiment" in message and "differs in: design" not in message
    assert "differs in: seeds" in message and "\n" not in message


def test_second_sweep_into_a_folder_in_use_is_refused(grid, tmp_path):
    experiment, _ = grid
    first = ResultStore(tmp_path / "busy")
    first.open(experiment, resume=False)
    try:
        with pytest.raises(StoreError, match="another sweep is writing there"):
            run_sweep(experiment, tmp_path / "busy", workers=0, resume=True, progress=False)
    finally:
        first.close()


def test_resume_of_a_complete_sweep_runs_nothing(grid):
    experiment, outs = grid
    summary = run_sweep(experiment, outs["serial"], workers=0, resume=True, progress=False)
    assert (summary.skipped, summary.ok, summary.missing) == (8, 0, 0)


def test_failed_run_is_recorded_with_its_error_and_the_others_go_on(grid, tmp_path,
                                                                   monkeypatch):
    experiment, outs = grid
    monkeypatch.setenv(FAIL_ENV, "2,5")
    summary = run_sweep(experiment, tmp_path / "out", workers=2, progress=False)
    assert (summary.ok, summary.failed) == (6, 2)
    assert [run_id for run_id, _ in sorted(summary.failures)] == [2, 5]
    runs = load_runs(tmp_path / "out")
    failed = runs[runs["status"] == "failed"]
    assert sorted(failed["run_id"].unique()) == [2, 5]
    assert failed["error"].str.startswith("InjectedFailure: failure injected").all()
    assert failed["traceback"].str.contains("Traceback").all()
    assert failed["followers_final"].isna().all()
    assert not (tmp_path / "out" / "timeseries" / "part-0000002.parquet").exists()
    ok = comparable(runs[runs["status"] == "ok"])
    reference = comparable(load_runs(outs["serial"]))
    pd.testing.assert_frame_equal(ok, reference[~reference["run_id"].isin([2, 5])]
                                  .reset_index(drop=True))
    # --resume leaves recorded failures alone; --retry-failed runs them again.
    monkeypatch.delenv(FAIL_ENV)
    again = run_sweep(experiment, tmp_path / "out", workers=0, resume=True, progress=False)
    assert (again.ok, again.skipped) == (0, 8)
    retried = run_sweep(experiment, tmp_path / "out", workers=0, resume=True,
                        retry_failed=True, progress=False)
    assert (retried.ok, retried.failed, retried.skipped) == (2, 0, 6)
    pd.testing.assert_frame_equal(comparable(load_runs(tmp_path / "out")), reference)


def test_temporary_files_of_killed_writes_are_ignored_then_cleaned(grid, tmp_path):
    experiment, outs = grid
    out = tmp_path / "copy"
    run_sweep(experiment, out, workers=0, progress=False)
    (out / "runs" / "part-0000003.parquet").unlink()
    stale = out / "runs" / ".part-0000003.parquet.999-dead.tmp"
    stale.write_bytes(b"half a parquet file")
    assert set(load_runs(out)["run_id"]) == set(range(8)) - {3}
    summary = run_sweep(experiment, out, workers=0, resume=True, progress=False)
    assert (summary.ok, summary.skipped) == (1, 7)
    assert not stale.exists()
    pd.testing.assert_frame_equal(comparable(load_runs(out)),
                                  comparable(load_runs(outs["serial"])))


# --------------------------------------------------------------------------------------------
# The command line: kill and resume


def _start_sweep(path: Path, out: Path, *extra: str) -> subprocess.Popen:
    return subprocess.Popen([PYTHON, "-m", "simulation", "sweep", str(path), "--out", str(out),
                             "--workers", "2", *extra], cwd=ROOT, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _wait_for_runs(out: Path, n: int, process: subprocess.Popen, timeout: float = 60) -> int:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = len(list((out / "runs").glob("part-*.parquet"))) if (out / "runs").is_dir() \
            else 0
        if done >= n:
            return done
        assert process.poll() is None, process.communicate()
        time.sleep(0.02)
    raise AssertionError(f"fewer than {n} runs after {timeout} s")


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


@pytest.fixture(scope="module")
def resume_case(tmp_path_factory):
    """A 16-run experiment and its uninterrupted results (in-process)."""
    folder = tmp_path_factory.mktemp("resume")
    path = tiny_experiment(folder, RESUME_EXPERIMENT, "resume.toml")
    reference = folder / "reference"
    run_sweep(load_experiment(path), reference, workers=0, progress=False)
    return path, reference


def test_resume_after_sigkill_runs_only_what_is_missing(resume_case, tmp_path):
    path, reference = resume_case
    out = tmp_path / "killed"
    process = _start_sweep(path, out)
    _wait_for_runs(out, 4, process)
    process.kill()  # SIGKILL: no cleanup in the driver at all
    process.communicate()
    done_before = {int(p.stem[5:]) for p in (out / "runs").glob("part-*.parquet")}
    assert 4 <= len(done_before) < 16, "the sweep finished before it could be killed"
    # Local workers notice their driver is gone and exit.
    writers = set(load_runs(out)["pid"])
    deadline = time.monotonic() + 10
    while any(map(_alive, writers)) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(map(_alive, writers))

    result = socbiz("sweep", path, "--out", out, "--workers", "2", "--resume", "--quiet")
    assert result.returncode == 0, result.stderr
    info = json.loads((out / "experiment.json").read_text())
    assert info["sessions"][0]["status"].startswith("stopped")
    assert info["sessions"][1]["runs_to_do"] == 16 - len(done_before)
    assert info["sessions"][1]["runs_ok"] == 16 - len(done_before)
    runs = load_runs(out)
    assert runs.groupby("run_id").size().eq(2).all() and runs["run_id"].nunique() == 16
    assert not any(out.glob("*/.*.tmp"))
    pd.testing.assert_frame_equal(comparable(runs), comparable(load_runs(reference)))
    pd.testing.assert_frame_equal(load_timeseries(out), load_timeseries(reference))
    pd.testing.assert_frame_equal(load_events(out), load_events(reference))


def test_ctrl_c_stops_workers_and_resume_finishes(resume_case, tmp_path):
    path, reference = resume_case
    out = tmp_path / "interrupted"
    process = _start_sweep(path, out)
    _wait_for_runs(out, 2, process)
    os.killpg(process.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130
    assert "Traceback" not in stderr
    assert "rerun with --resume" in stderr
    info = json.loads((out / "experiment.json").read_text())
    assert info["sessions"][-1]["status"] == "interrupted"
    finished = run_sweep(load_experiment(path), out, workers=0, resume=True, progress=False)
    assert finished.ok == 16 - finished.skipped and finished.missing == 0
    pd.testing.assert_frame_equal(comparable(load_runs(out)), comparable(load_runs(reference)))


def test_cli_sweep_prints_summary_and_refuses_to_overwrite(grid, tmp_path, capsys):
    experiment, _ = grid
    out = tmp_path / "cli"
    assert main(["sweep", experiment.source, "--out", str(out), "--workers", "0",
                 "--quiet"]) == 0
    printed = capsys.readouterr()
    assert printed.out.strip() == str(out)
    assert "8 run(s) ok, 0 failed" in printed.err and "runs/min" in printed.err
    assert main(["sweep", experiment.source, "--out", str(out)]) == 2
    assert capsys.readouterr().err.strip().splitlines() == [
        f"socbiz: error: --out {out}: folder holds results of this experiment (add --resume to "
        "finish the runs that are missing, or choose another folder)"]
    assert main(["sweep", experiment.source, "--dry-run"]) == 0
    assert "4 point(s) x 2 replicate(s) = 8 runs" in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# Analysis helpers


def test_summarise_gives_the_student_t_interval_of_the_replicates():
    runs = pd.DataFrame({"brand": "a", "status": "ok", "x": [1, 1, 1, 2, 2],
                         "y_final": [1.0, 2.0, 6.0, 5.0, 5.0]})
    table = summarise(runs, ["y_final"], by=["x"]).set_index("x")
    assert table.loc[1, "n"] == 3 and table.loc[1, "mean"] == pytest.approx(3.0)
    half = 4.302652729749464 * np.std([1, 2, 6], ddof=1) / np.sqrt(3)  # t(0.975, 2)
    assert table.loc[1, "low"] == pytest.approx(3.0 - half)
    assert table.loc[1, "high"] == pytest.approx(3.0 + half)
    assert table.loc[2, "sd"] == 0 and table.loc[2, "low"] == table.loc[2, "high"] == 5


def test_summarise_a_results_folder_groups_by_design_point(grid):
    experiment, outs = grid
    table = summarise(outs["two"], ["followers_final"], brand="acme")
    assert len(table) == experiment.n_points
    assert table["n"].eq(2).all()
    assert table[["frequency", "push"]].apply(tuple, axis=1).tolist() == list(
        experiment.design.points)


def test_plots_draw_a_band_per_design_point(grid, tmp_path, capsys):
    _, outs = grid
    fig = plot_metric(outs["two"], "followers", brand="acme")
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    assert len(ax.lines) == 4 and len(ax.collections) == 4  # mean lines, confidence bands
    assert "frequency=3" in ax.get_legend().get_texts()[-1].get_text()
    fig = plot_outcome(outs["two"], "followers_final", x="frequency", by="push")
    assert len(fig.axes) == 2  # one panel per brand
    assert main(["sweep-plot", str(outs["two"]), "followers", "--brand", "acme", "--png",
                 str(tmp_path / "f.png")]) == 0
    assert (tmp_path / "f.png").read_bytes()[:4] == b"\x89PNG"
    assert main(["sweep-plot", str(outs["two"]), "followers", "--by", "nope"]) == 2
    assert "'nope' is not a parameter column" in capsys.readouterr().err


def test_outputs_reduce_over_the_simulated_days(grid, tmp_path):
    experiment, _ = grid
    path = write(Path(experiment.source).parent, "reduce.toml", """
        scenario = "tiny.toml"
        outputs = ["followers", "followers:mean", "followers:max", "followers:min"]
        window_days = 10
        """)
    run_sweep(load_experiment(path), tmp_path / "r", workers=0, progress=False)
    runs = load_runs(tmp_path / "r").set_index("brand")
    series = load_timeseries(tmp_path / "r")
    for brand, rows in series.groupby("brand"):
        window = rows[rows["day"] > 30]["followers"]
        assert runs.loc[brand, "followers_final"] == rows["followers"].iloc[-1]
        assert runs.loc[brand, "followers_mean"] == pytest.approx(window.mean())
        assert runs.loc[brand, "followers_max"] == window.max()
        assert runs.loc[brand, "followers_min"] == window.min()
