"""Compare two runs with the same seed: key charts overlaid and a table of differences.

Both runs are simulated here in the server process, in a background thread, with a progress
bar; the live simulation of the tab is not touched.
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import pandas as pd
import solara
import solara.lab

from simulation import SocialBusinessModel, list_scenarios, load_scenario

from .. import charts
from ..controller import Controller
from ..state import check_seed, to_csv_bytes
from .common import Chart, escape

CURRENT = "Your what-if (levers and interventions so far)"
AS_LOADED = "The scenario as loaded (no lever changed)"
HIGHER_IS_BETTER = {
    "final phase": True, "first day in phase 3": False, "adoption maturity": True,
    "executive sponsorship": True, "followers": True,
    "engagement per post (last 30 days)": True, "weekly engaged share": True,
    "net sentiment": True, "complaints (total)": False, "customer-service backlog": False,
    "crises": False, "days in crisis": False, "customers": True, "cumulative cost (€)": False,
    "ROI": True,
}


@dataclass(frozen=True)
class Comparison:
    label_a: str
    label_b: str
    seed: int
    day: int
    frame_a: pd.DataFrame
    frame_b: pd.DataFrame
    events_a: pd.DataFrame
    events_b: pd.DataFrame

    @property
    def table(self) -> pd.DataFrame:
        return charts.differences(self.frame_a, self.frame_b, self.events_a, self.events_b)


def resolve_option(ctl: Controller, option: str):
    if option == CURRENT:
        return ctl.session.whatif_config()
    if option == AS_LOADED:
        return ctl.session.base
    return load_scenario(option)


def run_comparison(config_a, config_b, label_a: str, label_b: str, seed: int, days: int,
                   progress=None, cancel: threading.Event | None = None) -> Comparison | None:
    """Run both scenarios with the same seed up to ``days`` (or their horizons)."""
    results = []
    for index, config in enumerate((config_a, config_b)):
        model = SocialBusinessModel(config, rng=seed)
        target = min(days, config.horizon_days)
        while model.time_day < target and model.running:
            if cancel is not None and cancel.is_set():
                return None
            model.step()
            if progress is not None and model.time_day % 10 == 0:
                progress((index + model.time_day / max(target, 1)) / 2)
        results.append((model.brand_frame(), model.log_book.to_frame(), model.time_day))
    if progress is not None:
        progress(1.0)
    (frame_a, events_a, day_a), (frame_b, events_b, day_b) = results
    return Comparison(label_a, label_b, seed, min(day_a, day_b), frame_a, frame_b, events_a,
                      events_b)


SHOWN_OUTCOMES = ("final phase", "first day in phase 3", "adoption maturity",
                  "executive sponsorship", "followers", "engagement per post (last 30 days)",
                  "net sentiment", "complaints (total)", "crises", "cumulative cost (€)")


def format_cell(value, signed: bool = False) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    value = float(value)
    sign = "+" if signed and value > 0 else ""
    if value == 0:
        return "0"
    if abs(value) >= 1000 or value.is_integer():
        return f"{sign}{value:,.0f}"
    if abs(value) >= 1:
        return f"{sign}{value:.3g}"
    if abs(value) < 0.0005:
        return "≈0"
    return f"{sign}{value:.3f}"


def differences_html(table: pd.DataFrame, outcomes=SHOWN_OUTCOMES) -> str:
    """One block of rows per brand: outcome, A, B, B - A (green better, red worse)."""
    rows = []
    for brand, group in table.groupby("brand", sort=False):
        rows.append(f"<tr class='group'><td colspan='4'><b>{escape(brand)}</b></td></tr>")
        for row in group.itertuples(index=False):
            _brand, outcome, a, b, diff = row
            if outcomes and outcome not in outcomes:
                continue
            css = ""
            if diff is not None and not (isinstance(diff, float) and math.isnan(diff)) and (
                    abs(diff) > 1e-9 and format_cell(diff) != "≈0"):
                better = (diff > 0) == HIGHER_IS_BETTER.get(outcome, True)
                css = "socbiz-better" if better else "socbiz-worse"
            rows.append(f"<tr><td>{escape(outcome)}</td><td class='num'>{format_cell(a)}</td>"
                        f"<td class='num'>{format_cell(b)}</td>"
                        f"<td class='num {css}'>{format_cell(diff, signed=True)}</td></tr>")
    return ("<div class='socbiz-table socbiz-differences'><table><thead><tr><th>outcome</th>"
            "<th class='num'>A</th><th class='num'>B</th><th class='num'>B − A</th></tr></thead>"
            "<tbody>" + "".join(rows) + "</tbody></table></div>")


@solara.component
def CompareResult(result: Comparison):
    solara.HTML(tag="div", unsafe_innerHTML=(
        f"<b>A</b> = {escape(result.label_a)} · <b>B</b> = {escape(result.label_b)} · seed "
        f"{result.seed} · day {result.day}. Solid lines: A; dashed lines: B."))
    deps = [id(result)]
    Chart(lambda: charts.compare_figure(result.frame_a, result.frame_b, "solid", "dashed",
                                        result.day),
          deps, name="compare")
    Chart(lambda: charts.compare_phase_figure(result.frame_a, result.frame_b, result.events_a,
                                              result.events_b, result.day), deps,
          name="compare-phases")
    solara.HTML(tag="h3", unsafe_innerHTML=f"Differences on day {result.day}")
    table = solara.use_memo(lambda: result.table, deps)
    solara.HTML(tag="div", unsafe_innerHTML=differences_html(table))
    solara.Text("Green: better for the brand; red: worse. One seed only: differences smaller "
                "than the run-to-run noise mean nothing (the CSV has every outcome).",
                classes=["socbiz-help"])
    download = solara.use_memo(lambda: (lambda: to_csv_bytes(table)), deps)
    solara.FileDownload(download, filename="comparison.csv",
                        label="Download the differences (CSV)")


@solara.component
def CompareView(ctl: Controller):
    snap = ctl.snap.value
    presets = list(list_scenarios())
    options = [CURRENT, AS_LOADED, *presets]
    choice_a, set_a = solara.use_state(AS_LOADED)
    choice_b, set_b = solara.use_state(CURRENT)
    seed_text, set_seed_text = solara.use_state(str(snap.seed))
    days_text, set_days_text = solara.use_state(str(snap.horizon))
    progress = solara.use_reactive(0.0)
    problem, set_problem = solara.use_state("")
    cancel = solara.use_memo(threading.Event, [])

    def compute():
        cancel.clear()
        progress.set(0.0)
        seed = check_seed(seed_text)
        try:
            days = int(days_text.strip())
        except ValueError:
            raise ValueError(f"run to day: '{days_text}' is not a whole number") from None
        if days < 1:
            raise ValueError(f"run to day: {days} (must be at least 1)")
        config_a = resolve_option(ctl, choice_a)
        config_b = resolve_option(ctl, choice_b)
        return run_comparison(config_a, config_b, choice_a, choice_b, seed, days,
                              progress=progress.set, cancel=cancel)

    task = solara.lab.use_task(compute, dependencies=None, raise_error=False)

    solara.HTML(tag="div", unsafe_innerHTML=(
        "Run two scenarios <b>with the same seed</b> and see what differs. Your what-if includes "
        "the levers you changed and the interventions made so far, on the days they acted."))
    with solara.Row(gap="10px", style={"flex-wrap": "wrap"}):
        solara.Select("A", value=choice_a, values=options, on_value=set_a,
                      style={"min-width": "320px"})
        solara.Select("B", value=choice_b, values=options, on_value=set_b,
                      style={"min-width": "320px"})
        solara.InputText("Seed", value=seed_text, on_value=set_seed_text,
                         continuous_update=True, style={"max-width": "120px"})
        solara.InputText("Run to day", value=days_text, on_value=set_days_text,
                         continuous_update=True, style={"max-width": "120px"})
    with solara.Row(gap="6px"):
        solara.Button("Run comparison", icon_name="mdi-compare", color="primary",
                      on_click=lambda: (set_problem(""), task()), disabled=task.pending)
        if task.pending:
            solara.Button("Cancel", on_click=cancel.set, outlined=True)
    if task.pending:
        solara.ProgressLinear(value=100 * progress.value)
        solara.Text(f"Simulating… {progress.value:.0%}", classes=["socbiz-help"])
    if task.error:
        solara.Error(str(task.exception) if hasattr(task, "exception") else "failed", dense=True)
    if problem:
        solara.Error(problem, dense=True)
    if task.finished and task.value is not None:
        CompareResult(task.value)
    elif task.finished and task.value is None and not task.pending:
        solara.Info("Comparison cancelled.", dense=True)
