"""HPC recipes: dask-jobqueue builds the SLURM job script of the documented recipe (the worker
command it would run uses the socbiz environment's Python, single-threaded workers, the
scheduler's address), and ``--scheduler-file`` reads Dask's scheduler file."""

from __future__ import annotations

import json
import shlex

import pytest

from simulation.cli import main


def test_slurm_job_script_runs_single_threaded_workers_of_this_environment():
    jobqueue = pytest.importorskip("dask_jobqueue")
    python = "/path/to/venv/bin/python"
    with jobqueue.SLURMCluster(cores=32, processes=32, memory="64GB", walltime="04:00:00",
                               account="myproject", queue="standard", python=python,
                               scheduler_options={"port": 8911, "dashboard_address": ":8912",
                                                  "host": "127.0.0.1"}) as cluster:
        script = cluster.job_script()
        address = cluster.scheduler_address
    assert script.startswith("#!/usr/bin/env bash")
    assert "#SBATCH -A myproject" in script and "#SBATCH -p standard" in script
    assert "#SBATCH -t 04:00:00" in script
    command = next(line for line in script.splitlines() if "distributed.cli.dask_worker" in line)
    argv = shlex.split(command)
    assert argv[0] == python and argv[1:3] == ["-m", "distributed.cli.dask_worker"]
    assert argv[3] == address and address.endswith(":8911")
    assert argv[argv.index("--nthreads") + 1] == "1"  # 32 cores / 32 processes
    assert argv[argv.index("--nworkers") + 1] == "32"


def test_scheduler_file_errors_are_one_line(tmp_path, capsys):
    experiment = tmp_path / "x.toml"
    experiment.write_text('scenario = "baseline"\ndays = 2\n')
    missing = tmp_path / "none.json"
    assert main(["sweep", str(experiment), "--scheduler-file", str(missing), "--quiet",
                 "--out", str(tmp_path / "o")]) == 2
    assert f"--scheduler-file {missing}: no such file" in capsys.readouterr().err
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"type": "Scheduler"}))
    assert main(["sweep", str(experiment), "--scheduler-file", str(bad), "--quiet",
                 "--out", str(tmp_path / "o")]) == 2
    assert "not a Dask scheduler file" in capsys.readouterr().err
