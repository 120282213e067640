"""Helpers shared by the tests of simulation.experiments (not a test module).

A tiny self-contained scenario (2,000 customers, two brands, 40 days: about 0.05 s a run), so
the tests do not depend on the presets' contents, and writers for experiment files.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
TIMING = ["wall_time_s", "started", "host", "pid"]

TINY_SCENARIO = """
title = "Tiny test market"
horizon_days = 40
seed = 5

[market]
n_customers = 2000
sample_size = 0

[brands.acme]
market_share = 0.2
awareness = 0.6

[brands.rival]
market_share = 0.1
awareness = 0.4
"""

GRID_EXPERIMENT = """
scenario = "tiny.toml"
replicates = 2
base_seed = 3

[overrides]
brands.rival.content.posts_per_day = 2

[[parameters]]
key = "brands.acme.content.posts_per_day"
name = "frequency"
values = [0.5, 3]

[[parameters]]
key = "brands.acme.content.push_share"
name = "push"
values = [0.2, 0.8]
"""


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(text))
    return path


def tiny_experiment(folder: Path, text: str = GRID_EXPERIMENT, name: str = "grid.toml") -> Path:
    """An experiment file next to the tiny scenario."""
    write(folder, "tiny.toml", TINY_SCENARIO)
    return write(folder, name, text)


def socbiz(*args: str, env: dict | None = None, timeout: float = 120,
           cwd: Path | None = None) -> subprocess.CompletedProcess:
    """``python -m simulation ARGS`` in a subprocess (stdout, stderr captured)."""
    return subprocess.run([PYTHON, "-m", "simulation", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout, cwd=cwd or ROOT,
                          env={**os.environ, **(env or {})})


def comparable(frame: pd.DataFrame) -> pd.DataFrame:
    """A results table without the columns that legitimately differ between executions."""
    return frame.drop(columns=[c for c in TIMING if c in frame]).reset_index(drop=True)


def peak_day(series: pd.DataFrame, output) -> float:
    """A user-defined reducer (``reduce = "experiments_support:peak_day"``): the day the
    output's metric peaks (the first such day)."""
    return float(series["day"].iloc[int(series[output.metric].to_numpy().argmax())])
