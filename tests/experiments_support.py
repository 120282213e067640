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


#: The inputs the tests of the analyses (discovery, growth, sensitivity) vary, by name: key, low,
#: high. acme's posting frequency drives its posts; the rival's push share does not.
RANGES = {
    "frequency": ("brands.acme.content.posts_per_day", 0.2, 4.0),
    "push": ("brands.acme.content.push_share", 0.1, 0.9),
    "rival_push": ("brands.rival.content.push_share", 0.1, 0.9),
}


def ranges(*names: str) -> str:
    """``[[parameters]]`` tables of an experiment file for these RANGES."""
    return "".join(f'\n[[parameters]]\nkey = "{RANGES[name][0]}"\nname = "{name}"\n'
                   f"low = {RANGES[name][1]}\nhigh = {RANGES[name][2]}\n" for name in names)


def lhs_sweep(n_samples: int, replicates: int, base_seed: int, outputs: list[str],
              *inputs: str, days: int | None = None, customers: int | None = None) -> str:
    """A Latin hypercube sweep of the tiny scenario over ``inputs`` (names of RANGES), without
    daily series or events (the analyses read the runs table only)."""
    text = (f'scenario = "tiny.toml"\ndesign = "lhs"\nn_samples = {n_samples}\n'
            f"replicates = {replicates}\nbase_seed = {base_seed}\n"
            f"timeseries = false\nevents = false\noutputs = {outputs!r}\n".replace("'", '"'))
    if days is not None:
        text += f"days = {days}\n"
    if customers is not None:
        text += f"\n[overrides]\nmarket.n_customers = {customers}\n"
    return text + ranges(*inputs)


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
