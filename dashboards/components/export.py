"""Export the run: time series (CSV, Parquet), the event log, the charts (PNG, zipped), the
what-if scenario as TOML with the interventions made (so ``socbiz run`` reruns it), and all of it
in one zip laid out like the output folder of ``socbiz run``."""

from __future__ import annotations

import io
import logging
import tempfile
import time
import zipfile
from pathlib import Path

import solara

from simulation.i18n import _, format_number, ngettext
from simulation.views import RunView

from .. import charts, registry
from ..controller import Controller
from ..state import Session, to_csv_bytes, to_parquet_bytes
from .common import escape

log = logging.getLogger("socbiz.dashboard")


def chart_pngs(session: Session, run: RunView | None = None) -> dict[str, bytes]:
    """Every exported chart of the registry for the run as it is now, as PNG files."""
    run = run or session.run_view()
    frame, events = run.series, run.event_frame()
    days = charts.shown_days(run.day, run.horizon)
    return {name: charts.png_bytes(charts.draw(figure, frame, events, days, brand, run=run),
                                   dpi=120)
            for name, figure, brand in registry.exports(run.brands)}


def zip_bytes(files: dict[str, bytes | str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def charts_zip(session: Session) -> bytes:
    return zip_bytes(chart_pngs(session))


def run_zip(session: Session, stem: str) -> bytes:
    """The run as ``socbiz run`` writes it, plus the what-if TOML and the dashboard's charts."""
    from simulation.runner import result_from_view, write_outputs

    run, toml = session.export()  # one moment: the files, the charts and the TOML agree
    pngs = chart_pngs(session, run)
    with tempfile.TemporaryDirectory() as tmp:
        out = write_outputs(result_from_view(run), Path(tmp) / stem, plots=True)
        (out / f"{stem}.toml").write_text(toml, encoding="utf-8")
        for name, content in pngs.items():
            (out / "plots" / f"dashboard_{name}").write_bytes(content)
        files = {str(p.relative_to(out.parent)): p.read_bytes()
                 for p in sorted(out.rglob("*")) if p.is_file()}
    return zip_bytes(files)


def file_stem(session: Session) -> str:
    return f"{session.config.name}-seed{session.seed}-day{session.day}"


@solara.component
def ExportView(ctl: Controller):
    snap = ctl.snap.value
    session = ctl.session
    stem = f"{snap.config.name}-seed{snap.seed}-day{snap.day}"
    toml_name = f"whatif-{snap.config.name}-day{snap.day}.toml"
    toml_text = solara.use_memo(lambda: _toml_or_error(session), [snap.version])

    # Stable callbacks (read the session when clicked): a new callback at every render would
    # reset a download in progress while the simulation plays.
    downloads = solara.use_memo(lambda: make_downloads(ctl), [])

    solara.HTML(tag="div", unsafe_innerHTML=_(
        "Everything below is the run <b>as it is now, at day {day}</b> (seed {seed}). Files are "
        "prepared when you click.").format(day=format_number(snap.day), seed=snap.seed))
    with solara.Card(_("Data"), margin=0):
        with solara.Row(gap="8px", style={"flex-wrap": "wrap"}):
            solara.FileDownload(downloads["timeseries_csv"],
                                filename=f"{stem}-timeseries.csv",
                                label=_("Time series (CSV)"), mime_type="text/csv")
            solara.FileDownload(downloads["timeseries_parquet"],
                                filename=f"{stem}-timeseries.parquet",
                                label=_("Time series (Parquet)"))
            solara.FileDownload(downloads["events_csv"],
                                filename=f"{stem}-events.csv", label=_("Event log (CSV)"),
                                mime_type="text/csv")
        solara.Text(_("One row per day and brand with every reporter (phase, adoption by "
                      "department, followers, reach, engagement, fatigue, sentiment, complaints, "
                      "backlog, crisis level, sales, cost, ROI …), as written by socbiz run. "
                      "Column names stay English identifiers; data_dictionary.csv of the whole "
                      "run's zip says what each means, in English and French."),
                    classes=["socbiz-help"])
    with solara.Card(_("Charts"), margin=0):
        solara.FileDownload(downloads["charts_zip"], filename=f"{stem}-charts.zip",
                            label=_("All charts (PNG, zip)"), mime_type="application/zip")
    with solara.Card(_("Scenario with your interventions"), margin=0):
        solara.FileDownload(downloads["toml"], filename=toml_name,
                            label=_("What-if scenario (TOML)"), mime_type="application/toml")
        levers = ngettext("your {n} lever change", "your {n} lever changes",
                          len(snap.overrides)).format(n=format_number(len(snap.overrides)))
        interventions = ngettext("your {n} intervention", "your {n} interventions",
                                 len(snap.live)).format(n=format_number(len(snap.live)))
        solara.HTML(tag="div", classes=["socbiz-help"], unsafe_innerHTML=_(
            "Rerun it from a terminal: <code>socbiz run {file}</code>. It holds the scenario "
            "with {levers}, seed {seed} and {interventions} in its timeline, on the days they "
            "acted: the rerun is this run.").format(
                file=escape(toml_name), levers=levers, seed=snap.seed,
                interventions=interventions))
        if snap.live:
            solara.HTML(tag="ul", unsafe_innerHTML="".join(
                "<li>" + escape(_("day {day}: {text}").format(day=format_number(item.day),
                                                            text=item.text)) + "</li>"
                for item in snap.live))
        with solara.Details(_("Show the TOML")), solara.Div(classes=["socbiz-toml"]):
            solara.Preformatted(toml_text)
    with solara.Card(_("Everything"), margin=0):
        solara.FileDownload(downloads["run_zip"], filename=f"{stem}.zip",
                            label=_("The whole run (zip)"), mime_type="application/zip")
        solara.Text(_("Laid out like the output folder of socbiz run (time series, events, "
                      "complaints, customer sample, metadata.json, data dictionary, plots) plus "
                      "the what-if TOML and the dashboard's charts."), classes=["socbiz-help"])


def make_downloads(ctl: Controller) -> dict:
    """Download callbacks that never raise (a failed export must not crash the page)."""
    session = ctl.session

    def safe(fn, report_time: bool = False):
        def run():
            started = time.perf_counter()
            try:
                data = fn()
            except Exception as error:
                log.exception("export failed")
                text = _("Export failed: {error}").format(error=error)
                ctl.say("error", text)
                return text + "\n"
            if report_time:
                ctl.say("success", _("Prepared in {seconds} s.").format(
                    seconds=format_number(time.perf_counter() - started, 1)))
            return data
        return run

    return {
        "timeseries_csv": safe(lambda: to_csv_bytes(session.snapshot().frame)),
        "timeseries_parquet": safe(lambda: to_parquet_bytes(session.snapshot().frame)),
        "events_csv": safe(lambda: to_csv_bytes(session.snapshot().events)),
        "charts_zip": safe(lambda: charts_zip(session), True),
        "toml": safe(session.whatif_toml),
        "run_zip": safe(lambda: run_zip(session, file_stem(session)), True),
    }


def _toml_or_error(session: Session) -> str:
    try:
        return session.whatif_toml()
    except Exception as error:  # shown in place of the file, never a traceback
        return "# " + _("The what-if cannot be exported: {error}").format(error=error)
