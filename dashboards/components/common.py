"""Small shared pieces: charts that never crash the page, the message bar, the page's CSS."""

from __future__ import annotations

import logging
from collections.abc import Callable

import solara
from matplotlib.figure import Figure

from simulation.i18n import _, current_language

from ..charts import DPI

log = logging.getLogger("socbiz.dashboard")

CSS = """
.socbiz-chart { width: 100%; }
.socbiz-chart img { width: 100%; max-width: 1400px; height: auto; display: block; margin: 0 auto; }
.socbiz-kpis { display: flex; flex-wrap: wrap; gap: 8px; margin-bottom: 4px; }
.socbiz-kpi { flex: 1 1 200px; border: 1px solid #e0e0e0; border-radius: 6px; padding: 6px 10px;
              background: #fafafa; font-size: 13px; line-height: 1.45; }
.socbiz-kpi .brand { font-weight: 600; font-size: 14px; }
.socbiz-kpi .phase { display: inline-block; padding: 0 6px; border-radius: 8px; font-size: 12px;
                     margin-left: 6px; }
.socbiz-kpi .crisis { color: #c1121f; font-weight: 600; }
.socbiz-day { font-size: 22px; font-weight: 600; }
.socbiz-progress { height: 4px; background: #e3e7ee; border-radius: 2px; margin: 2px 0 4px 0; }
.socbiz-progress div { height: 4px; background: #1976d2; border-radius: 2px; }
.socbiz-live { width: 100%; margin-bottom: 6px; }
.socbiz-live .widget-html, .socbiz-kpi-strip .widget-html { width: 100%; }
.socbiz-log { max-height: 520px; overflow-y: auto; padding-right: 4px; }
.socbiz-event { border-left: 4px solid #adb5bd; padding: 3px 8px; margin: 3px 0;
                font-size: 13px; line-height: 1.35; background: #fcfcfc; }
.socbiz-event .when { color: #555; font-weight: 600; margin-right: 6px; }
.socbiz-event .who { color: #333; font-style: italic; }
.socbiz-event.intervention { border-left-color: #1d3557; background: #eef3fb; }
.socbiz-event.crisis { border-left-color: #c1121f; background: #fdf0f0; }
.socbiz-event.phase { border-left-color: #2a9d8f; background: #eefaf7; }
.socbiz-event.notice { border-left-color: #e9c46a; background: #fdf8ec; }
.socbiz-cue { border-left: 4px solid #6a4c93; background: #f5f0fb; padding: 6px 10px;
              margin-bottom: 6px; font-size: 14px; }
.socbiz-help { color: #555; font-size: 12px; }
.socbiz-table table { border-collapse: collapse; font-size: 13px; }
.socbiz-table th, .socbiz-table td { padding: 2px 8px; border-bottom: 1px solid #eee;
                                     text-align: left; vertical-align: top; }
.socbiz-table .num { text-align: right; white-space: nowrap; }
.socbiz-narrative table { width: 100%; }
.socbiz-narrative td:nth-child(2) { width: 55%; }
.socbiz-table tr.group td { background: #f3f5f7; padding-top: 5px; }
.socbiz-better { color: #1b7f3b; }
.socbiz-worse { color: #b3261e; }
.socbiz-toml pre { white-space: pre-wrap; word-break: break-word; max-height: 480px;
                   overflow-y: auto; font-size: 12px; }
.socbiz-shortcuts ul { margin: 2px 0 0 0; padding-left: 0; list-style: none;
                      display: flex; flex-wrap: wrap; gap: 2px 12px; }
.socbiz-shortcuts kbd { background: #eef1f5; border: 1px solid #c9ced6; border-radius: 3px;
                        padding: 0 4px; font-size: 11px; color: #222; box-shadow: none; }
.socbiz-timeline .v-input { margin-top: 0; padding-top: 0; }
.v-expansion-panel-content__wrap { padding: 0 12px 8px 12px !important; }
"""


def build_figure(build: Callable[[], Figure]) -> Figure | str:
    """Build a figure, or return the error message to show in its place."""
    try:
        return build()
    except Exception as error:  # a chart must never take the page down
        log.exception("chart failed")
        return _("This chart could not be drawn: {kind}: {error}").format(
            kind=type(error).__name__, error=error)


@solara.component
def Chart(build: Callable[[], Figure], dependencies: list, name: str = "chart"):
    """A matplotlib figure as a PNG, rebuilt only when ``dependencies`` change (or the tab's
    language: its words are drawn into the picture)."""
    dependencies = [*dependencies, current_language()]
    figure = solara.use_memo(lambda: build_figure(build), dependencies)
    with solara.Div(classes=["socbiz-chart", f"socbiz-chart-{name}"]):
        if isinstance(figure, str):
            solara.Warning(figure, dense=True)
        else:
            solara.FigureMatplotlib(figure, dependencies=dependencies, format="png", dpi=DPI)


@solara.component
def MessageBar(message: solara.Reactive):
    """The last message (error, success, information), dismissible."""
    if message.value is None:
        return
    kind, text = message.value
    text = str(text)  # a Message speaks the tab's language of the moment
    alert = {"error": solara.Error, "success": solara.Success, "info": solara.Info,
             "warning": solara.Warning}.get(kind, solara.Info)
    with solara.Row(style={"align-items": "flex-start"}, classes=["socbiz-message"]):
        alert(text, dense=True, style={"flex": "1 1 auto", "margin-bottom": "6px"})
        solara.Button(icon_name="mdi-close", text=True, on_click=lambda: message.set(None),
                      style={"min-width": "0"})


def escape(text) -> str:
    import html

    return html.escape(str(text if text is not None else ""))


def html_table(headers: list[str], rows: list[list], classes: tuple[str, ...] = (),
               numeric: tuple[int, ...] = ()) -> str:
    """An HTML table of already formatted cells (escaped here); columns in ``numeric`` are
    right-aligned. Texts go through HTML, never Markdown: Solara's Markdown loads KaTeX (not
    bundled offline) and would read a '$' in a description as math."""
    def cell(tag, i, value):
        css = " class='num'" if i in numeric else ""
        return f"<{tag}{css}>{escape(value)}</{tag}>"

    head = "".join(cell("th", i, h) for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(cell("td", i, c) for i, c in enumerate(row)) + "</tr>" for row in rows)
    return (f"<div class='socbiz-table {' '.join(classes)}'><table><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table></div>")


@solara.component
def Paragraphs(text: str, classes: list[str] = []):  # noqa: B006 (solara props)
    """Plain text with blank-line paragraphs, escaped (never Markdown)."""
    # str(): a Localized text (a scenario's description) in the tab's language, not its English.
    parts = [" ".join(p.split()) for p in str(text or "").split("\n\n") if p.strip()]
    solara.HTML(tag="div", classes=classes,
                unsafe_innerHTML="".join(f"<p>{escape(p)}</p>" for p in parts))
