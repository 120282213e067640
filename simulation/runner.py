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

Nothing computed is lost to a folder that cannot take it: :func:`check_output_folder` is called
before the run (the folder exists or can be created, is a folder, is writable, and its disk has
room for a rough estimate of the outputs), and if writing still fails at the end (the disk
filled up meanwhile), :func:`write_outputs_or_rescue` writes everything into a fresh temporary
folder instead and says where.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from . import views
from .config import ScenarioConfig
from .i18n import _, format_number, lazy_pgettext
from .model import SocialBusinessModel
from .scenario import load_scenario


@dataclass
class RunResult:
    """Everything one run produced: copies of its tables and metadata, and the model itself
    (for a script that wants to look further; ``None`` when made from a view)."""

    timeseries: pd.DataFrame
    events: pd.DataFrame
    metadata: dict[str, Any]
    customers_sample: pd.DataFrame = field(default_factory=pd.DataFrame)
    complaints: pd.DataFrame = field(default_factory=pd.DataFrame)
    model: SocialBusinessModel | None = None


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
    started = time.perf_counter()
    model, status = run_model(scenario, seed=seed, days=days, overrides=overrides,
                              progress=progress)
    return collect_result(model, status, time.perf_counter() - started)


def run_model(
    scenario: str | Path | ScenarioConfig | dict | None = None,
    *,
    seed: int | None = None,
    days: int | None = None,
    overrides: dict[str, Any] | None = None,
    progress: bool = False,
    customer_sample: bool = True,
    reporters: Sequence[str] | None = None,
) -> tuple[SocialBusinessModel, str]:
    """Build and run the model as :func:`run_scenario` does; the model and its status
    ("complete", or "interrupted at day d" after Ctrl-C), without the result's tables (a
    sweep's worker reads only the series and the event log, and passes
    ``customer_sample=False``: the sampled customers' daily rows are then not recorded, which
    changes no draw and no result; and ``reporters``, the columns its experiment keeps:
    see :class:`simulation.model.SocialBusinessModel`)."""
    overrides = dict(overrides or {})
    if days is not None:
        overrides["horizon_days"] = days
    config = load_scenario(scenario, overrides)
    model = SocialBusinessModel(config, rng=seed, reporters=reporters)
    model.market.record_customers = customer_sample
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
    return model, status


def collect_result(model: SocialBusinessModel, status: str, wall_time: float) -> RunResult:
    return result_from_view(views.run_view(model, status=status, wall_time_s=wall_time), model)


def result_from_view(view: views.RunView, model: SocialBusinessModel | None = None) -> RunResult:
    """The files of a run from its read-only view (what the dashboard's export writes)."""
    return RunResult(
        timeseries=view.series,
        events=view.event_frame(),
        metadata=dict(view.metadata),
        customers_sample=view.customers_sample,
        complaints=view.complaints,
        model=model,
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


# --------------------------------------------------------------------------------------------
# Where outputs go: checked before the work, rescued after it


class OutputError(Exception):
    """An output location that cannot take the outputs (one-line message)."""


def _describe_os_error(error: BaseException) -> str:
    if isinstance(error, OSError):
        return error.strerror or str(error)
    return str(error)


def check_output_folder(folder: str | os.PathLike, needed_bytes: int = 0,
                        option: str = "--out") -> Path:
    """Refuse, before any work, a folder the outputs could not be written to.

    ``folder`` must be an existing folder or creatable (its nearest existing parent is a
    folder), writable (a probe file is created and removed: permissions, read-only
    filesystems and ``root`` are all covered), and its filesystem must have ``needed_bytes``
    free (a rough estimate). Nothing is created. Raises :class:`OutputError`.
    """
    from .scenario import format_path

    text = str(folder)
    shown = format_path(text)
    if not text.strip():
        raise OutputError(_("{option} {text!r}: empty folder name").format(
                            option=option, text=text))
    if "\0" in text:
        raise OutputError(_("{option} {shown}: a path cannot contain NUL characters").format(
                            option=option, shown=shown))
    path = parent = Path(text)
    try:
        if path.exists() and not path.is_dir():
            raise OutputError(_("{option} {shown}: is a file, not a folder").format(
                                option=option, shown=shown))
        parent = path
        while not parent.exists():
            if parent.parent == parent:
                break
            parent = parent.parent
        if not parent.is_dir():
            raise OutputError(_("{option} {shown}: cannot be created: {path} is a file, "
                                "not a folder").format(
                                option=option, shown=shown, path=format_path(parent)))
        name_max = os.pathconf(parent, "PC_NAME_MAX") if hasattr(os, "pathconf") else 255
        for part in path.parts:
            if len(part.encode()) > name_max:
                raise OutputError(_("{option} {shown}: a folder name is longer than {name_max} "
                                    "bytes").format(
                                    option=option, shown=shown, name_max=name_max))
        probe = parent / f".socbiz-write-test-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        try:
            probe.write_bytes(b"")
        finally:
            with contextlib.suppress(OSError):
                probe.unlink()
        free = shutil.disk_usage(parent).free
    except OutputError:
        raise
    except OSError as error:
        where = "" if parent == path else f" (in {format_path(parent)})"
        raise OutputError(_("{option} {shown}: not writable{where}: {reason}").format(
                            option=option, shown=shown, where=where,
                            reason=_describe_os_error(error))) from None
    if needed_bytes and free < needed_bytes:
        raise OutputError(_("{option} {shown}: not enough free space ({size} free, the outputs "
                            "need about {size2})").format(
                            option=option, shown=shown, size=_size(free),
                            size2=_size(needed_bytes)))
    return path


SIZE_UNITS = {"bytes": lazy_pgettext("unit", "bytes"), "KB": lazy_pgettext("unit", "KB"),
              "MB": lazy_pgettext("unit", "MB"), "GB": lazy_pgettext("unit", "GB"),
              "TB": lazy_pgettext("unit", "TB")}


def _size(n: float) -> str:
    """``12.3 MB`` / ``12,3 Mo``: the number and the unit in the language of the moment."""
    for unit, word in SIZE_UNITS.items():
        if n < 1000 or unit == "TB":
            return f"{format_number(n, 0 if unit == 'bytes' else 1)} {word}"
        n /= 1000
    return f"{n:.1f} TB"


def estimate_output_bytes(config: ScenarioConfig, plots: bool = True) -> int:
    """A rough upper estimate of what :func:`write_outputs` writes for ``config``.

    Daily series: (days + 1) × brands rows of about 60 numbers, in Parquet (~8 bytes each)
    and CSV (~12 characters each); the customer sample: (days + 1) × sample rows of 3 columns
    per brand; events and complaints: a few hundred bytes per brand and day at most; plots:
    about 1 MB. Doubled for safety: the check only needs to catch a disk that is clearly too
    small, not to be exact.
    """
    days = config.horizon_days + 1
    brands = len(config.brands)
    series = days * brands * 60 * (8 + 12)
    sample = days * min(config.market.sample_size, config.market.n_customers) * (2 + 3 * brands) * 8
    logs = days * brands * 300
    return 2 * (series + sample + logs + (1_000_000 if plots else 0))


def write_outputs_or_rescue(result: RunResult, out: str | os.PathLike, plots: bool = True
                            ) -> tuple[Path, OSError | None]:
    """Write the outputs into ``out``; if that fails, into a new temporary folder.

    Returns the folder written and the error that sent the files elsewhere (None if ``out``
    took them). Raises :class:`OutputError` only if the rescue folder fails too (then the
    results are still in ``result``, in memory, for a caller that can keep them).
    """
    try:
        return write_outputs(result, out, plots=plots), None
    except OSError as error:
        first = error
    for base in _rescue_bases(Path(out)):
        try:
            rescue = Path(tempfile.mkdtemp(prefix=f"socbiz-rescue-{result.metadata['scenario']}-",
                                           dir=base))
            # Plots last and optional: the data files are what matters.
            write_outputs(result, rescue, plots=False)
        except OSError:
            continue
        if plots:
            with contextlib.suppress(Exception):
                from .plots import save_run_plots

                save_run_plots(result.timeseries, result.events, rescue / "plots")
        return rescue, first
    raise OutputError(_("could not write the results to {out} ({reason}) nor to a "
                        "temporary folder; free some space and run again").format(
                        out=out, reason=_describe_os_error(first)))


def _rescue_bases(out: Path) -> list[str | None]:
    """Where a rescue folder may go: the system's temporary folder, then the home folder."""
    bases: list[str | None] = [None]
    home = Path.home()
    if home.is_dir():
        bases.append(str(home))
    return bases


def is_disk_full(error: OSError) -> bool:
    return getattr(error, "errno", None) in (errno.ENOSPC, errno.EDQUOT)
