"""Run a scenario to its horizon and write what it produced.

``run_scenario`` builds the model, steps it (with an optional progress bar) and returns a
:class:`RunResult`; ``write_outputs`` writes into a folder:

- ``timeseries.parquet`` and ``timeseries.csv``: one row per day and brand, every reporter of
  :mod:`simulation.metrics`;
- ``events.csv``: the event log (day, brand, kind, cause, text);
- ``complaints.csv``: every public complaint (brand, complainant, days opened, detected and
  answered, people reached, origin);
- ``customers_sample.parquet``: the recorded sample of customers, one row per day and customer;
- ``metadata.json``: the resolved scenario, the seed, a config hash, software versions, wall
  time and whether the run finished;
- ``plots/*.png``: adoption by department, phase timeline, market, complaints and crises;
- ``data_dictionary.csv``: every column of these files with its description in English and
  French (:mod:`simulation.data_dictionary`).

A run interrupted with Ctrl-C still writes everything computed so far (``status`` says where
it stopped).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import views
from .config import ScenarioConfig
from .model import SocialBusinessModel
from .scenario import load_scenario


@dataclass
class RunResult:
    """Everything one run produced."""

    model: SocialBusinessModel
    timeseries: pd.DataFrame
    events: pd.DataFrame
    metadata: dict[str, Any]
    customers_sample: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def complaints(self) -> pd.DataFrame:
        return self.model.market.complaints.table.to_frame()


def versions() -> dict[str, str]:
    return views.versions()


def run_scenario(
    scenario: str | Path | ScenarioConfig | dict | None = None,
    *,
    seed: int | None = None,
    days: int | None = None,
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
) -> RunResult:
    """Run a scenario (name, path, mapping or config) and return its results.

    ``days`` replaces the scenario's horizon; ``seed`` its seed. Ctrl-C stops the run early and
    still returns what was computed (``metadata["status"]`` says so).
    """
    overrides = dict(overrides or {})
    if days is not None:
        overrides["horizon_days"] = days
    config = load_scenario(scenario, overrides)
    started = time.perf_counter()
    model = SocialBusinessModel(config, rng=seed)
    status = "complete"
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=config.horizon_days, unit="day", desc=config.name, file=sys.stderr,
                   dynamic_ncols=True)
    try:
        model.run(progress=(lambda _day: bar.update(1)) if bar else None)
    except KeyboardInterrupt:
        status = f"interrupted at day {model.time_day}"
    finally:
        if bar:
            bar.close()
    return collect_result(model, status, time.perf_counter() - started)


def collect_result(model: SocialBusinessModel, status: str, wall_time: float) -> RunResult:
    metadata = views.metadata(model, status, wall_time)
    return RunResult(
        model=model,
        timeseries=model.brand_frame(),
        events=model.log_book.to_frame(),
        metadata=metadata,
        customers_sample=model.market.sample_frame(),
    )


def write_outputs(result: RunResult, out: str | Path, plots: bool = True) -> Path:
    """Write a run's files into ``out`` (created if needed)."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    result.timeseries.to_parquet(out / "timeseries.parquet", index=False)
    result.timeseries.to_csv(out / "timeseries.csv", index=False)
    result.events.to_csv(out / "events.csv", index=False)
    result.complaints.to_csv(out / "complaints.csv", index=False)
    if len(result.customers_sample):
        result.customers_sample.to_parquet(out / "customers_sample.parquet", index=False)
    (out / "metadata.json").write_text(json.dumps(result.metadata, indent=2, default=str) + "\n")
    from .data_dictionary import write_data_dictionary

    write_data_dictionary(out, {  # what each column means, in English and French
        "timeseries": result.timeseries.columns, "events": result.events.columns,
        "complaints": result.complaints.columns,
        "customers_sample": result.customers_sample.columns})
    if plots:
        from .plots import save_run_plots

        save_run_plots(result.timeseries, result.events, out / "plots")
    return out
