"""Sweeps on a real Dask cluster: a ``dask scheduler`` and two ``dask worker`` processes started
on 127.0.0.1 by the fixture (random free ports, one thread each, no dashboards), torn down
whatever happens."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from experiments_support import ROOT, comparable, socbiz, tiny_experiment

from simulation.experiments import (
    load_events,
    load_experiment,
    load_runs,
    load_timeseries,
    run_sweep,
)
from simulation.experiments.executors import DaskExecutor, ExecutorError
from simulation.experiments.sensitivity import analyze_function
from simulation.experiments.worker import FAIL_ENV

distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.dask

DASK = [sys.executable, "-m", "dask"]


def _stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def dask_cluster(tmp_path_factory):
    """Address of a scheduler with two single-threaded workers on 127.0.0.1."""
    folder = tmp_path_factory.mktemp("dask")
    scheduler_file = folder / "scheduler.json"
    env = dict(os.environ)
    processes = [subprocess.Popen(
        [*DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
         "--scheduler-file", str(scheduler_file)],
        cwd=folder, env=env, stdout=subprocess.DEVNULL, stderr=folder.joinpath(
            "scheduler.log").open("w"))]
    try:
        deadline = time.monotonic() + 60
        while not scheduler_file.is_file() and time.monotonic() < deadline:
            assert processes[0].poll() is None, (folder / "scheduler.log").read_text()
            time.sleep(0.1)
        address = json.loads(scheduler_file.read_text())["address"]
        for i in range(2):
            processes.append(subprocess.Popen(
                [*DASK, "worker", address, "--nthreads", "1", "--nworkers", "1",
                 "--no-dashboard", "--host", "127.0.0.1", "--name", f"socbiz-test-{i}",
                 "--local-directory", str(folder / f"w{i}")],
                cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                stderr=folder.joinpath(f"worker{i}.log").open("w")))
        with distributed.Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
            assert len(client.nthreads()) == 2
        yield address
    finally:
        _stop(processes[1:])
        _stop(processes[:1])


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    folder = tmp_path_factory.mktemp("reference")
    path = tiny_experiment(folder)
    run_sweep(load_experiment(path), folder / "serial", workers=0, progress=False)
    run_sweep(load_experiment(path), folder / "two", workers=2, progress=False)
    return path, folder


def test_dask_sweep_gives_the_same_results_as_local_executors(dask_cluster, reference,
                                                              tmp_path):
    path, folder = reference
    out = tmp_path / "dask"
    result = socbiz("sweep", path, "--scheduler", dask_cluster, "--out", out, "--quiet")
    assert result.returncode == 0, result.stderr
    assert "Dask cluster at" in result.stderr and "8 run(s) ok" in result.stderr
    runs = load_runs(out)
    for local in (folder / "serial", folder / "two"):
        pd.testing.assert_frame_equal(comparable(runs), comparable(load_runs(local)))
        pd.testing.assert_frame_equal(load_timeseries(out), load_timeseries(local))
        pd.testing.assert_frame_equal(load_events(out), load_events(local))
    # The runs were written by the Dask worker processes, not by the driver.
    assert os.getpid() not in set(runs["pid"])
    info = json.loads((out / "experiment.json").read_text())
    assert info["sessions"][0]["executor"].startswith(f"Dask cluster at {dask_cluster}")


def test_dask_failed_run_recorded_and_resume_retries_it(dask_cluster, reference, tmp_path,
                                                        monkeypatch):
    path, folder = reference
    out = tmp_path / "failing"
    monkeypatch.setenv(FAIL_ENV, "4")  # read by the driver, raised inside the Dask worker
    summary = run_sweep(load_experiment(path), out, scheduler=dask_cluster, progress=False)
    monkeypatch.delenv(FAIL_ENV)
    assert (summary.ok, summary.failed) == (7, 1)
    runs = load_runs(out)
    assert set(runs.loc[runs["status"] == "failed", "run_id"]) == {4}
    retried = run_sweep(load_experiment(path), out, scheduler=dask_cluster, resume=True,
                        retry_failed=True, progress=False)
    assert (retried.ok, retried.skipped) == (1, 7)
    pd.testing.assert_frame_equal(comparable(load_runs(out)),
                                  comparable(load_runs(folder / "serial")))


def test_dask_executor_runs_salib_function_evaluations(dask_cluster):
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    with distributed.Client(dask_cluster, set_as_default=False) as client:
        on_dask = analyze_function(Ishigami.evaluate, problem, "sobol", 256, seed=2,
                                   executor=DaskExecutor(client))
    in_process = analyze_function(Ishigami.evaluate, problem, "sobol", 256, seed=2, workers=0)
    pd.testing.assert_frame_equal(on_dask, in_process)


def test_unreachable_scheduler_is_a_one_line_error():
    with pytest.raises(ExecutorError) as caught:
        DaskExecutor("tcp://127.0.0.1:9", timeout=1)
    message = str(caught.value)
    assert message.startswith("--scheduler tcp://127.0.0.1:9: cannot connect to a Dask "
                              "scheduler")
    assert "\n" not in message


def test_results_folder_not_visible_to_workers_is_refused(dask_cluster, reference):
    path, _ = reference
    with distributed.Client(dask_cluster, set_as_default=False) as client:
        executor = DaskExecutor(client)
        with pytest.raises(ExecutorError, match="must be on a filesystem shared"):
            executor.check_folder(str(Path("/nonexistent/socbiz-results")))
