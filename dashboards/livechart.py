"""Interactive charts drawn in the browser: a figure of the registry as one ECharts chart.

Why ECharts (measured in /work/shared/docs/platform-notes.md, last section): its front-end file
already ships in ``solara-assets`` (``echarts@5.4.0``, served by the Solara server: nothing from
a CDN and no new dependency), it has hover values, zoom, pan and legend toggles built in, and a
component that *merges* updates keeps them across live updates (8.4 ms of server time per
update). Plotly's FigureWidget resends every trace in full and sends a 4.8 MB bundle per page;
bqplot has no legend toggle and per-point hover costs the browser a core.

Rules:

- A figure is built once per page (``solara.use_memo``): :class:`LiveChart` holds its layout
  (``spec``) and the data at creation (``initial``); afterwards :meth:`ChartFeed.update` sends
  only the days the browser does not have yet, as an ``append`` message that says at which day
  index it starts. The browser asks for the whole series again if a message does not follow on
  (``resync``), so nothing is ever lost or drawn twice.
- A new run (Reset, another scenario, other levers) sends the whole series once (``reset``).
- Values are scaled to the panel's unit here (the registry's ``scale``), so the hover value, the
  axis and the brand cards agree.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import ipyvuetify
import numpy as np
import traitlets

from simulation.i18n import _, _l, babel_locale, ngettext
from simulation.plots import DEPARTMENT_COLOURS, EVENT_STYLE, brand_colours

from . import labels
from .registry import Figure, Panel
from .state import History

MARKED_KINDS = ("intervention", "crisis_injected", "crisis_start", "phase_change")
PHASE_TICKS = {"1": _l("1 experim."), "2": _l("2 marketing"), "3": _l("3 business")}


class LiveChart(ipyvuetify.VuetifyTemplate):
    template_file = (__file__, "livechart.vue")

    spec = traitlets.Dict().tag(sync=True)
    initial = traitlets.Dict().tag(sync=True)
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self):
        import solara.settings

        if not solara.settings.assets.proxy:
            return solara.settings.assets.cdn
        return None

    feed: ChartFeed | None = None

    def vue_resync(self, _data=None):
        if self.feed is not None:
            self.feed.resend()

    def vue_drawn(self, n_days=None):
        if self.feed is not None and isinstance(n_days, int):
            self.feed.drawn_days = n_days
            if self.feed.on_drawn is not None:
                self.feed.on_drawn()


def chart_words() -> dict[str, str]:
    """What livechart.vue writes on screen, translated here (the browser has no catalogue).

    ``moreEvents`` holds both plural templates: the browser picks ``one`` for n == 1 (n is at
    least 1 there, where English and French agree), ``other`` otherwise.
    """
    return {
        "day": _("day"),
        "zoom": _("Zoom (drag a range)"),
        "undoZoom": _("Undo zoom"),
        "savePng": _("Save as PNG"),
        "tooltipDay": _("Day {day} · {title}"),
        "seriesValue": _("{name}: {value}"),
        "moreEventsOne": ngettext("… and {n} more event that day",
                                  "… and {n} more events that day", 1),
        "moreEventsOther": ngettext("… and {n} more event that day",
                                    "… and {n} more events that day", 2),
    }


def panel_spec(panel: Panel) -> dict:
    spec = {"title": str(panel.title), "unit": str(panel.unit), "step": panel.step,
            "floor": panel.floor, "percent": panel.percent,
            "min": 0 if panel.floor else None, "max": panel.top}
    if panel.column == "phase":
        spec.update(min=1, max=3, interval=1, floor=False,
                    labels={tick: str(label) for tick, label in PHASE_TICKS.items()})
    if panel.column == "crisis_level":
        spec.update(interval=1)
    return spec


class ChartFeed:
    """What one browser chart has been sent, and the messages that bring it up to date."""

    def __init__(self, figure: Figure, brands: Sequence[str], brand: str | None = None,
                 height: int | None = None, font_size: int = 12):
        self.figure = figure
        self.brands = list(brands)
        self.brand = brand or self.brands[0]
        if figure.per == "department":
            self.lines = [(self.brand, panel.column, str(labels.department(panel.title)),
                           DEPARTMENT_COLOURS.get(panel.title, "#444"), 0)
                          for panel in figure.panels]
            panels = [Panel("adoption", _("Adoption by department: {brand}").format(
                brand=self.brand), _("share of staff (%)"), scale=100, top=100, percent=True)]
            legend = [str(labels.department(p.title)) for p in figure.panels]
        else:
            colours = brand_colours(self.brands)
            self.lines = [(brand, panel.column, brand, colours[brand], i)
                          for i, panel in enumerate(figure.panels) for brand in self.brands]
            panels = list(figure.panels)
            legend = list(self.brands)
        self.panels = panels
        self.line_panels = [figure.panels[i] if figure.per == "department" else panels[p]
                            for i, (_b, _c, _n, _col, p) in enumerate(self.lines)]
        rows = math.ceil(len(panels) / figure.columns)
        legend_height = 30
        self.spec = {
            "id": figure.id, "columns": figure.columns, "fontSize": font_size,
            "legendHeight": legend_height, "crisisBands": figure.crisis_bands,
            "height": height or (legend_height + 26 + rows * (230 if rows == 1 else 200)),
            "panels": [panel_spec(p) for p in panels],
            "series": [{"name": name, "color": colour, "panel": p}
                       for (_b, _c, name, colour, p) in self.lines],
            "legend": legend,
            "originalLabel": _("original run"),
            # The words the browser writes itself (chart toolbox, axis, hover box), in the
            # language of the tab when the chart was built (a switch of language rebuilds it).
            "locale": babel_locale().replace("_", "-"),
            "words": chart_words(),
        }
        self.history: History | None = None
        self.original = None  # state.Original: the run before a branch, drawn dashed
        self.sent_days = 0
        self.sent_events = 0
        self.widget: LiveChart | None = None
        self.messages = 0
        self.drawn_days = -1  # days the browser has drawn (-1: it never said)
        self.on_drawn = None

    # -- building --------------------------------------------------------------------------------
    def make_widget(self, history: History, upto: int, xmax: int,
                    original=None) -> LiveChart:
        self.history = history
        self.original = original
        full = self.full(upto, xmax)
        self.widget = LiveChart(spec=self.spec, initial=full)
        self.widget.feed = self
        return self.widget

    def full(self, upto: int, xmax: int) -> dict:
        history = self.history
        self.sent_days = min(upto, history.n_days)
        self.sent_events = history.n_events
        self.xmax = xmax
        return {"days": list(range(self.sent_days)), "values": self.values(0, self.sent_days),
                "events": self.events(0, history.n_events), "bands": self.bands(self.sent_days),
                "xmax": xmax, "ghosts": self.ghosts()}

    def ghosts(self) -> list[list[list[float | None]]] | None:
        """The original run's series (the run before a branch), as [day, value] pairs from
        the day it was branched at; None when there was no branch."""
        original = self.original
        if original is None:
            return None
        start, stop = original.branched_at, original.n_days
        out = []
        for (brand, column, _n, _c, _p), panel in zip(self.lines, self.line_panels, strict=True):
            try:
                series = original.history.column(brand, column)
            except KeyError:
                out.append([])
                continue
            values = scaled(series, 0, stop, panel)[start:]
            out.append([[start + k, v] for k, v in enumerate(values)])
        return out

    def values(self, start: int, stop: int) -> list[list[float | None]]:
        out = []
        for (brand, column, _n, _c, _p), panel in zip(self.lines, self.line_panels, strict=True):
            series = self.history.column(brand, column)
            out.append(scaled(series, start, stop, panel))
        return out

    def events(self, start: int, stop: int) -> list[dict]:
        chosen = []
        for event in self.history.events[start:stop]:
            if event.kind not in MARKED_KINDS:
                continue
            if self.figure.per == "department" and event.brand not in ("", self.brand):
                continue
            chosen.append({"day": int(event.day), "text": labels.event_text(event),
                           "color": EVENT_STYLE.get(event.kind, ("", "#1d3557"))[1]})
        return chosen

    def bands(self, upto: int) -> list[list[int]]:
        if not self.figure.crisis_bands:
            return []
        spans = []
        for brand in self.brands:
            levels = self.history.column(brand, "crisis_level")[:upto]
            start = None
            for day, level in enumerate(levels):
                if level and start is None:
                    start = day
                elif not level and start is not None:
                    spans.append([start, day])
                    start = None
            if start is not None:
                spans.append([start, upto])
        return spans

    # -- updating --------------------------------------------------------------------------------
    def update(self, history: History, upto: int, xmax: int, original=None) -> None:
        """Bring the browser's chart to day index ``upto`` (exclusive) of ``history``."""
        if self.widget is None:
            return
        if (history is not self.history or upto < self.sent_days
                or original is not self.original):
            self.history = history
            self.original = original
            self.widget.send({"method": "reset", "args": [self.full(upto, xmax)]})
            self.messages += 1
            return
        upto = min(upto, history.n_days)
        if upto == self.sent_days and history.n_events == self.sent_events and xmax == self.xmax:
            return
        start = self.sent_days
        delta = {"start": start, "days": list(range(start, upto)),
                 "values": self.values(start, upto),
                 "events": self.events(self.sent_events, history.n_events), "xmax": xmax}
        if self.figure.crisis_bands:
            delta["bands"] = self.bands(upto)
        self.sent_days, self.sent_events, self.xmax = upto, history.n_events, xmax
        self.widget.send({"method": "append", "args": [delta]})
        self.messages += 1

    def resend(self) -> None:
        if self.widget is not None and self.history is not None:
            self.widget.send({"method": "reset", "args": [self.full(self.sent_days, self.xmax)]})

    def settle(self) -> None:
        """The run stopped: the browser draws the newest day whole at once (at slow speeds it
        grows the last segment towards it, see livechart.vue)."""
        if self.widget is not None:
            self.widget.send({"method": "settle", "args": []})

    def cursor(self, day: int | None) -> None:
        """A vertical line on a day looked back at (None: no line)."""
        if self.widget is not None:
            self.widget.send({"method": "cursor", "args": [day]})


def scaled(series: Sequence[float], start: int, stop: int, panel: Panel) -> list[float | None]:
    """Values ``start:stop`` of a series in the panel's unit (trailing mean if smoothed). A
    flow (a quantity of the day) has no value on day 0, before anything happened: a gap, not a
    zero followed by a jump."""
    if stop <= start:
        return []
    lo = max(0, start - panel.smooth + 1)
    window = np.asarray(series[lo:stop], dtype=float)
    if panel.flow and lo == 0:
        window[0] = np.nan
    if panel.smooth > 1:
        finite = np.isfinite(window)
        sums = np.cumsum(np.insert(np.where(finite, window, 0.0), 0, 0.0))
        counts = np.cumsum(np.insert(finite, 0, False).astype(int))
        ends = np.arange(start - lo + 1, len(window) + 1)
        begins = np.maximum(ends - panel.smooth, 0)
        n = counts[ends] - counts[begins]
        with np.errstate(invalid="ignore", divide="ignore"):
            values = np.where(n > 0, (sums[ends] - sums[begins]) / np.maximum(n, 1), np.nan)
    else:
        values = window[start - lo:]
    values = values * panel.scale
    return [None if not np.isfinite(v) else round(float(v), 6) for v in values]
