"""The Mesa SolaraViz view of the model, served at ``/mesa`` next to the main dashboard (``/``).

This page is Mesa's own ``SolaraViz``: its Play/Pause/Step/Reset controls, play and render
intervals, model parameters and "Page N" tabs of draggable tiles, drawing the dashboard's
matplotlib charts (:mod:`dashboards.charts`, itself built on :mod:`simulation.plots`). It is for
users who know Mesa's interface; the main page adds what SolaraViz cannot do (interventions while
the model runs, validated levers, speed in days per second, compare, export).

Rules (Mesa 3.5.1, see /work/shared/docs/platform-notes.md):

- One model per browser tab: it is created inside :func:`MesaPage` (``use_memo``), never at
  module level, and handed to SolaraViz as a ``solara.Reactive`` so the page sees Reset's new
  model.
- Reset rebuilds ``type(model)(**widget values)``: :class:`MesaDashboardModel` takes exactly the
  widget names (the scenario, the seed and the registry's ``/mesa`` levers) and never raises for
  anything the widgets can send. A seed that is not a whole
  number ≥ 0, a scenario file that no longer loads, or a lever the scenario refuses fall back
  (the scenario's seed, the default scenario, the scenario's value) with a notice on the page.
- The scenario widget is ``scenario_name``, not ``scenario``: on Reset, Mesa 3.5.1 passes its
  own ``mesa.experimental.scenarios.Scenario`` object as ``scenario=`` to any model whose
  ``__init__`` takes that keyword, which would replace the chosen preset.
- Brand levers act on the chosen scenario's *first* brand (brand names differ between
  scenarios), and each one offers "scenario's value", its default, so switching scenario never
  silently imposes another scenario's values.
- Every chart component calls ``update_counter.get()`` (Mesa's refresh signal after each step)
  and redraws only when the day or the model changed; ComponentsView draws only the open page.
"""

from __future__ import annotations

import inspect
import itertools
import logging
import math
import os
from collections.abc import Callable, Sequence
from typing import Any

import solara
from matplotlib.figure import Figure

from simulation import ScenarioError, SocialBusinessModel, list_scenarios, load_scenario
from simulation.i18n import _, _l, current_language, format_number, msg, ngettext
from simulation.scenario import DEFAULT_SCENARIO

from . import charts, labels, levers, registry
from .components.common import CSS, build_figure, escape
from .components.eventlog import EventLog
from .components.language import LanguageSwitch
from .components.page import SCENARIO_ENV, SEED_ENV
from .components.scenario import preset_title
from .state import check_seed

try:  # Mesa's visualisation needs altair (mesa[viz]); the main page must work without it.
    from mesa.visualization import SolaraViz
    from mesa.visualization.utils import update_counter
    MESA_VIZ_ERROR: str | None = None
except ImportError as _error:  # pragma: no cover - depends on the installation
    SolaraViz = None
    update_counter = solara.reactive(0)
    MESA_VIZ_ERROR = msg("Mesa's SolaraViz cannot be imported ({error}): install Mesa's "
                         "visualisation dependencies, e.g. pip install altair", error=str(_error))

log = logging.getLogger("socbiz.dashboard")

TITLE = _l("socbiz — Mesa SolaraViz view")
KEEP = "scenario's value"  # the value (an identifier) of every lever's "keep" choice
KEEP_LABEL = _l("scenario's value")
# The levers this page offers come from the one lever registry (dashboards.levers.LEVERS):
# those with a ``mesa`` widget name, each a Select of its ``mesa_choices``.
MESA_LEVERS = levers.MESA_LEVERS
# Play interval (ms) and render interval (days) at start. Drawing one page takes 0.1-0.5 s,
# far more than a simulated day (2-10 ms): a play interval shorter than a render breaks
# SolaraViz ("Too many renders triggered"), so speed comes from drawing every few days.
PLAY_INTERVAL_MS = 201  # on the slider's grid (1, 11, 21, ...)
RENDER_INTERVAL = 5  # on the slider's grid (1, 3, 5, ...)
CHART_DPI = 100
MESA_CSS = """
.socbiz-mesa-chart img { max-width: 100%; max-height: 370px; width: auto; height: auto;
                         display: block; margin: 0 auto; }
.socbiz-mesa-log .socbiz-log { max-height: 330px; }
.socbiz-mesa-header { font-size: 14px; line-height: 1.5; margin: 4px 0 2px 0; }
.socbiz-mesa-header .day { font-size: 20px; font-weight: 600; margin-right: 10px; }
/* The sidebar is as wide as its widest content: a long scenario title (longer in French) in
   the Scenario select would widen it over the page; the title is ellipsed instead. */
.v-navigation-drawer .v-select { max-width: 320px; }
"""
_builds = itertools.count(1)


# ----------------------------------------------------------------------------------------------
# The model SolaraViz rebuilds on Reset


def format_choice(value: float) -> str:
    return f"{value:,}" if float(value).is_integer() and value >= 1000 else f"{value:g}"


def parse_choice(value: Any, lever: levers.Lever | None = None) -> float | None:
    """A widget value: None for the scenario's value, else the number (``"30,000"`` too).

    Read by the dashboard's one number parser (:func:`dashboards.levers.parse_number`); this
    page is in English, as its choices are written (``30,000``), so ``1,500`` reads 1500."""
    if value is None or value == KEEP or (isinstance(value, str) and not value.strip()):
        return None
    spec = levers.FieldSpec(key=lever.key if lever else "", name=lever.name if lever else "",
                            label=lever.label if lever else str(value), kind="float", help="",
                            unit="", allowed="")
    number = levers.parse_number(value, spec, lang="en")
    if not math.isfinite(number):
        raise ValueError(_("{value} is not a finite number").format(value=repr(value)))
    return number


def scenario_choices(initial: str | None = None) -> list[str]:
    """The presets, plus the scenario given to ``socbiz dashboard`` if it is a file."""
    names = list(list_scenarios())
    if initial and initial not in names:
        names.append(initial)
    return names


class MesaDashboardModel(SocialBusinessModel):
    """:class:`~simulation.SocialBusinessModel` built from the Mesa view's widget values.

    ``scenario_name``: a preset name or a TOML path. ``rng``: the Seed box's text (empty: the
    scenario's seed). The other keywords are the levers of ``MESA_LEVERS`` (the lever registry,
    :mod:`dashboards.levers`): market size, and levers of the scenario's first brand. Every
    value may also be "scenario's value"
    (or None), which keeps the scenario's own. Never raises for a bad value: it falls back and
    says so in ``notices``.
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, rng: Any = None,
                 **lever_values: Any):
        unknown = sorted(set(lever_values) - set(MESA_LEVERS))
        if unknown:  # a programming error (a widget the registry does not declare), not a user's
            raise TypeError(f"MesaDashboardModel: unknown lever(s) {', '.join(unknown)}; "
                            f"known: {', '.join(MESA_LEVERS)}")
        notices: list[Any] = []  # Messages: shown in the language of whoever reads them
        try:
            base = load_scenario(scenario_name or DEFAULT_SCENARIO)
        except Exception as error:  # a file that changed or vanished since the server started
            notices.append(msg("Scenario {name} could not be loaded ({error}); showing "
                               "{default}.", name=repr(scenario_name), error=str(error),
                               default=repr(DEFAULT_SCENARIO)))
            scenario_name, base = DEFAULT_SCENARIO, load_scenario(DEFAULT_SCENARIO)
        brand = next(iter(base.brands))
        wanted: dict[str, tuple[levers.Lever, Any]] = {
            lever.key.format(brand=brand): (lever, lever_values.get(name, KEEP))
            for name, lever in MESA_LEVERS.items()}
        overrides: dict[str, Any] = {}
        for key, (lever, value) in wanted.items():
            try:
                number = parse_choice(value, lever)
            except ValueError:
                notices.append(msg("{key} = {value} is not a number: the scenario's value is "
                                   "used.", key=key, value=repr(value)))
                continue
            if number is not None:
                integer = levers.resolve(lever.key)[0] is int
                overrides[key] = int(number) if integer else number
        config = base
        if overrides:
            try:
                config = load_scenario(base, overrides)
            except ScenarioError as error:
                kept = {}
                for key, value in overrides.items():  # keep every lever the scenario accepts
                    try:
                        config = load_scenario(base, {**kept, key: value})
                        kept[key] = value
                    except ScenarioError:
                        pass
                config = load_scenario(base, kept) if kept else base
                notices.append(msg("Refused: {error}; the scenario's value is used instead.",
                                   error=str(error)))
                overrides = kept
        seed = config.seed
        text = "" if rng is None else str(rng).strip()
        if text:
            try:
                seed = check_seed(text)
            except ScenarioError:
                notices.append(msg("Seed {text} is not a whole number ≥ 0: the scenario's seed "
                                   "({seed}) is used.", text=repr(text), seed=config.seed))
        super().__init__(config, rng=seed)
        self.scenario_name = scenario_name
        self.first_brand = brand
        self.levers = overrides
        self.notices = notices
        self.build = next(_builds)  # tells charts that Reset replaced the model
        self._view: tuple | None = None

    def view_data(self):
        """(brand time series, event log) as of the current day, computed once per day."""
        day = self.time_day
        if self._view is None or self._view[0] != day:
            try:
                self._view = (day, self.brand_frame(), self.log_book.to_frame())
            except Exception:  # SolaraViz's "Use Threads" draws while the model steps
                if self._view is None:
                    raise
                log.warning("Mesa view: data of day %s not readable yet", day, exc_info=True)
        return self._view[1], self._view[2]


def _widget_signature() -> inspect.Signature:
    """``__init__``'s signature as Mesa reads it: the scenario, the seed and one keyword per
    registry lever, each defaulting to the scenario's value. Declared explicitly (not as
    ``**kwargs``) because Mesa 3.5.1 passes its own ``scenario=`` object on Reset to any model
    whose ``__init__`` takes arbitrary keywords, and checks widget names against this list."""
    p = inspect.Parameter
    return inspect.Signature([
        p("self", p.POSITIONAL_OR_KEYWORD),
        p("scenario_name", p.POSITIONAL_OR_KEYWORD, default=DEFAULT_SCENARIO),
        p("rng", p.POSITIONAL_OR_KEYWORD, default=None),
        *(p(name, p.KEYWORD_ONLY, default=KEEP) for name in MESA_LEVERS),
    ])


MesaDashboardModel.__init__.__signature__ = _widget_signature()


def initial_values() -> dict[str, Any]:
    """The scenario and seed given to ``socbiz dashboard`` (environment), else the defaults."""
    return {"scenario_name": os.environ.get(SCENARIO_ENV) or DEFAULT_SCENARIO,
            "rng": os.environ.get(SEED_ENV) or ""}


def model_params(scenario_name: str = DEFAULT_SCENARIO, seed: str = "") -> dict[str, Any]:
    """SolaraViz's ``model_params``: Select widgets and the Seed box, nothing else typed."""
    # Labels in the language of the moment (MesaPage builds these again when it changes); the
    # selects' values stay identifiers and English-written numbers (parse_choice reads them),
    # their texts are labels and numbers written for the language.
    presets = list_scenarios()
    params: dict[str, Any] = {
        "scenario_name": {"type": "Select", "label": _("Scenario"), "value": scenario_name,
                          "values": labels.choices(
                              scenario_choices(scenario_name),
                              lambda n: preset_title(n) if n in presets else n)},
        "rng": {"type": "InputText", "label": _("Seed (empty: the scenario's own)"),
                "value": seed},
    }
    for name, lever in MESA_LEVERS.items():
        label = (_("{lever} (first brand)").format(lever=lever.label) if "{brand}" in lever.key
                 else str(lever.label))
        items = [{"text": str(KEEP_LABEL), "value": KEEP}, *(
            {"text": format_number(choice), "value": format_choice(choice)}
            for choice in lever.mesa_choices)]
        params[name] = {"type": "Select", "label": label, "value": KEEP, "values": items}
    return params


def default_model(params: dict[str, Any]) -> MesaDashboardModel:
    """The model the widgets describe at start, so that Reset without changes rebuilds it."""
    return MesaDashboardModel(**{name: spec["value"] for name, spec in params.items()})


# ----------------------------------------------------------------------------------------------
# Components: (component, page) tuples for SolaraViz


@solara.component
def MesaChart(model: MesaDashboardModel, build: Callable[[Any, Any, int], Figure], name: str):
    """One matplotlib figure, redrawn when the day or the model changes."""
    update_counter.get()
    day = model.time_day

    def draw():
        frame, events = model.view_data()
        return build(frame, events, charts.shown_days(day, model.config.horizon_days))

    lang = current_language()  # the figure's words: redrawn when the tab's language changes
    figure = solara.use_memo(lambda: build_figure(draw), [model.build, day, lang])
    with solara.Div(classes=["socbiz-mesa-chart", f"socbiz-mesa-{name}"]):
        if isinstance(figure, str):
            solara.Warning(figure, dense=True)
        else:
            solara.FigureMatplotlib(figure, dependencies=[model.build, day, lang], format="png",
                                    dpi=CHART_DPI)


def _phases(frame, events, days, width: float = 6.4, height: float = 4.0):
    """The phase bands of :func:`charts.phase_figure`, with a legend in three columns (the
    tile is narrower than the main page's chart) and stretched to fill a tile."""
    figure = charts.phase_figure(frame, events, days, width=width)
    legend = figure.legends[0]
    handles, labels = legend.legend_handles, [text.get_text() for text in legend.texts]
    figure.legends.clear()
    ncol = 3
    top, below = 0.32, 0.48 + 0.22 * -(-len(handles) // ncol)
    brands = frame["brand"].nunique()
    height = max(height, top + below + 0.32 * brands + 0.12)
    figure.set_size_inches(width, height)
    figure.legend(handles=handles, labels=labels, loc="lower center", ncol=ncol,
                  fontsize=charts.FONT["legend"] - 0.5, frameon=False, borderaxespad=0.2)
    figure.subplots_adjust(top=1 - top / height, bottom=below / height, right=0.96)
    return figure


@solara.component
def PhasesView(model: MesaDashboardModel):
    MesaChart(model, _phases, "phases")


@solara.component
def AdoptionView(model: MesaDashboardModel):
    brands = list(model.config.brands)
    brand, set_brand = solara.use_state(brands[0])
    if brand not in brands:  # Reset switched to a scenario without this brand
        brand = brands[0]
    solara.Select(_("Brand"), value=brand, values=brands, on_value=set_brand, dense=True,
                  style={"max-width": "240px"})

    def build(frame, events, days):
        return charts.adoption_figure(frame, brand, days, events, size=(6.4, 4.0))

    MesaChart(model, build, f"adoption-{brand}")


def panel_view(panel: tuple, crisis_bands: bool = False):
    """A component drawing one time-series panel of :mod:`dashboards.charts` (one per tile)."""
    column = panel[0]

    def build(frame, events, days):
        figure = charts.panels_figure(frame, (panel,), days, events, ncols=1,
                                      crisis_bands=crisis_bands, width=6.4, panel_height=3.7)
        # Room for 5-digit ticks and the unit, and for the last day's tick on the right.
        figure.subplots_adjust(left=0.12, right=0.96)
        return figure

    @solara.component
    def PanelView(model: MesaDashboardModel):
        MesaChart(model, build, column)

    PanelView.__name__ = f"Panel_{column}"
    return PanelView


@solara.component
def EventLogView(model: MesaDashboardModel):
    update_counter.get()
    _frame, events = model.view_data()
    with solara.Div(classes=["socbiz-mesa-log"]):
        EventLog(events, list(model.config.brands), model.build * 100_000 + model.time_day)


@solara.component
def RunView(model: MesaDashboardModel):
    """What this run is: scenario, seed, the levers set, and why a value was not used."""
    update_counter.get()
    config = model.config
    horizon = config.horizon_days
    rows = [(_("Scenario"), _("{title} ({name})").format(title=config.title or config.name,
                                                         name=model.scenario_name)),
            (_("Seed"), str(model.seed)),
            (_("Brands"), ", ".join(config.brands)),
            (_("Customers"), format_number(config.market.n_customers)),
            (_("Horizon"), ngettext("{n} day", "{n} days", horizon).format(
                n=format_number(horizon)))]
    rows += [(key, format_number(value)) for key, value in model.levers.items()
             if key != "market.n_customers"]
    table = "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows)
    solara.HTML(tag="div", classes=["socbiz-table"],
                unsafe_innerHTML=f"<table><tbody>{table}</tbody></table>")
    solara.Text(_("Brand levers act on the scenario's first brand ({brand}); interventions, "
                  "compare and export are on the main dashboard.").format(
                      brand=model.first_brand), classes=["socbiz-help"])


def components() -> list[tuple[Any, int]]:
    """SolaraViz's (component, page) list, from the chart registry: each ``/mesa`` page of the
    registry in order (a ``lines`` figure gives one tile per panel), then the event log."""
    pages = registry.mesa_pages()
    out: list[tuple[Any, int]] = []
    for page, figures in enumerate(pages.values()):
        for figure in figures:
            if figure.kind == "phase_bands":
                out.append((PhasesView, page))
            elif figure.per == "department":
                out.append((AdoptionView, page))
            elif figure.kind == "lines":
                out += [(panel_view(panel, figure.crisis_bands), page)
                        for panel in registry.as_tuples(figure.panels)]
            else:  # the organisation and network pictures need the whole run (main page only)
                raise TypeError(f"chart {figure.id!r}: a {figure.kind} figure cannot be shown "
                                 "on /mesa")
    out += [(EventLogView, len(pages)), (RunView, len(pages))]
    return out


def pages() -> tuple[str, ...]:
    """The titles of the ``/mesa`` pages (in the language of the moment), in the order of
    :func:`components`."""
    return (*registry.mesa_pages(), _("Event log & run"))


@solara.component
def Header(model: MesaDashboardModel):
    """Above SolaraViz's tabs: the day, what runs, the notices, what each page shows."""
    update_counter.get()
    config = model.config
    changed = ", ".join(f"{levers.label_of(key.rsplit('.', 1)[-1])} {format_number(value)}"
                        for key, value in model.levers.items())
    day = _("Day {day} of {horizon}").format(day=format_number(model.time_day),
                                             horizon=format_number(config.horizon_days))
    about = _("{title} · seed {seed}").format(title=config.title or config.name, seed=model.seed)
    if changed:
        about = _("{about} · changed: {levers}").format(about=about, levers=changed)
    if not model.running:
        about = _("{about} · horizon reached: Reset to start again").format(about=about)
    solara.HTML(tag="div", classes=["socbiz-mesa-header"], unsafe_innerHTML=(
        f"<span class='day'>{escape(day)}</span>{escape(about)}"))
    for notice in model.notices:
        solara.Warning(str(notice), dense=True)
    shown = " · ".join(_("Page {number}: {name}").format(number=i, name=name)
                       for i, name in enumerate(pages()))
    solara.Text(_("{pages}. Step advances by the render interval.").format(pages=shown),
                classes=["socbiz-help"])
    if current_language() != "en":
        solara.Text(_("The run controls and the page tabs are Mesa's own SolaraViz widgets, "
                      "in English: Play (▶), Step, Reset, Play Interval, Render Interval, "
                      "Use Threads, Model Parameters."), classes=["socbiz-help"])


@solara.component
def MesaView(params: dict[str, Any], play_interval: int = PLAY_INTERVAL_MS,
             render_interval: int = RENDER_INTERVAL,
             model: solara.Reactive | None = None):
    """SolaraViz on a model of this tab's own (``params``: SolaraViz's ``model_params``).

    ``model``: a reactive holding the model, for tests that want to look at it; by default the
    component makes its own from ``params``.
    """
    first = solara.use_memo(lambda: default_model(params) if model is None else None, [])
    own = solara.use_reactive(first)
    model = own if model is None else model
    solara.Style(CSS + MESA_CSS)
    solara.Title(str(TITLE))
    with solara.AppBar():
        solara.Button(_("Main dashboard"), icon_name="mdi-arrow-left", text=True, href="./",
                      classes=["socbiz-main-link"])
        LanguageSwitch()
    Header(model.value)
    # Built once per tab: a new list would remount every tile at each render.
    tiles = solara.use_memo(components, [])
    SolaraViz(model, components=list(tiles), model_params=params, name=str(TITLE),
              play_interval=play_interval, render_interval=render_interval)


@solara.component
def MesaPage():
    """The ``/mesa`` route: the scenario and seed given to ``socbiz dashboard``."""
    values = solara.use_memo(initial_values, [])
    lang = current_language()  # the widgets' labels follow the tab's language
    params = solara.use_memo(lambda: model_params(values["scenario_name"], values["rng"]),
                             [lang])
    if SolaraViz is None:
        solara.Error(str(MESA_VIZ_ERROR))
    else:
        MesaView(params)


__all__: Sequence[str] = ("MesaDashboardModel", "MesaPage", "MesaView", "model_params")
