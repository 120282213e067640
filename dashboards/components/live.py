"""The live view: key figures per brand, phase timeline, adoption, organisation, audience and
customer-service charts, next to the intervention form and the event log."""

from __future__ import annotations

import solara

from simulation.i18n import _, current_language, format_number, format_percent
from simulation.metrics import PHASE_NAMES
from simulation.plots import PHASE_COLOURS, brand_colours

from .. import charts, registry
from ..controller import Controller
from ..livechart import ChartFeed
from ..state import Snapshot
from . import layout
from .common import escape
from .eventlog import LiveEventLog
from .frame import FrameHtml
from .interventions import InterventionForm
from .scenario import CueBanner


def kpi_html(snap: Snapshot, day: int | None = None) -> str:
    """The brand cards, for the snapshot's day or a past ``day`` (the timeline scrubber)."""
    colours = brand_colours(snap.brands)
    cards = []
    if not snap.n_days:
        return "<div class='socbiz-kpis'></div>"
    for brand in snap.brands:
        def value(column, brand=brand):
            return snap.value(brand, column, day)

        phase = int(value("phase"))
        engagement = snap.recent_mean(brand, "engagement_per_post", 7, day)
        followers_change = int(value("followers")) - int(snap.value(brand, "followers", 0))
        crisis = int(value("crisis_level"))
        crisis_text = (f"<span class='crisis'>"
                       f"{escape(_('crisis level {level}').format(level=crisis))}</span>"
                       if crisis else escape(_("no crisis")))
        help_desk = (f" · <span class='crisis'>{escape(_('help desk'))}</span>"
                     if bool(value("help_desk")) else "")
        # One template per line of the card (numbers formatted for the tab's language).
        lines = (
            _("maturity {maturity} · sponsorship {sponsorship}").format(
                maturity=format_percent(value("maturity"), 0),
                sponsorship=format_number(value("sponsorship"), 2)),
            _("followers {followers} ({change}) · {engaged} engaged this week").format(
                followers=format_number(int(value("followers"))),
                change=format_number(followers_change, 0, signed=True),
                engaged=format_percent(value("weekly_engaged_share"), 1)),
            _("engagement/post {engagement} · net sentiment {sentiment} %").format(
                engagement=format_number(engagement, 1),
                sentiment=format_number(100 * value("net_sentiment"), 0, signed=True)),
            _("backlog {backlog}").format(backlog=format_number(value("backlog"), 0)),
        )
        phase_text = _("phase {phase} · {name}").format(
            phase=phase, name=PHASE_NAMES.get(phase, "?"))
        cards.append(
            f"<div class='socbiz-kpi' style='border-top: 3px solid {colours[brand]}'>"
            f"<span class='brand'>{escape(brand)}</span>"
            f"<span class='phase' style='background:{PHASE_COLOURS.get(phase, '#eee')}'>"
            f"{escape(phase_text)}</span><br>"
            + "<br>".join(escape(line) for line in lines)
            + f" · {crisis_text}{help_desk}</div>")
    return "<div class='socbiz-kpis'>" + "".join(cards) + "</div>"


def shown_days(snap: Snapshot) -> int:
    """The time axis: it grows with the run (and covers the original run after a branch)."""
    day = max(snap.model_day, snap.day)
    if snap.original is not None:
        day = max(day, snap.original.n_days - 1)
    return charts.shown_days(day, snap.horizon)


@solara.component
def KpiStrip(ctl: Controller):
    FrameHtml(ctl, "kpis", kpi_html, classes=["socbiz-kpi-strip"])


@solara.component
def InteractiveChart(ctl: Controller, figure_id: str, brand: str | None = None,
                     font_size: int = 12, height: int | None = None):
    """A registry figure drawn in the browser: built once, then fed only the new days at every
    frame (see :class:`~dashboards.livechart.ChartFeed`)."""
    figure = registry.figure(figure_id)
    snap = ctl.shown
    brands = tuple(snap.brands)
    # Its words are written when it is built: a switch of language builds it again.
    lang = current_language()

    def build():
        feed = ChartFeed(figure, brands, brand, height=height, font_size=font_size)
        feed.make_widget(snap.history, snap.n_days, shown_days(snap), snap.original)
        return feed

    feed = solara.use_memo(build, [figure_id, brands, brand, font_size, height, lang])
    solara.use_effect(lambda: feed.widget.close, [feed])  # freed when the tab or page closes

    def follow():
        def draw(snap):
            feed.update(snap.history, snap.n_days, shown_days(snap), snap.original)
        stop_watching = ctl.watch(f"chart-{figure_id}", draw)
        stop_tracking = ctl.track(f"chart-{figure_id}", feed)

        def stop():
            stop_watching()
            stop_tracking()
        return stop

    solara.use_effect(follow, [feed])
    solara.Div(classes=["socbiz-live", f"socbiz-live-{figure_id}"], children=[feed.widget])


@solara.component
def LiveCharts(ctl: Controller):
    brands = ctl.setup.value.config.brands
    brands = list(brands)
    brand, set_brand = solara.use_state(brands[0])
    if brand not in brands:
        brand = brands[0]
    for figure in registry.live_figures():
        if figure.per == "department":
            with solara.Row(style={"align-items": "center"}):
                solara.Select(_("Brand for adoption by department"), value=brand, values=brands,
                              on_value=set_brand, style={"max-width": "320px"})
            InteractiveChart(ctl, figure.id, brand=brand)
        else:
            InteractiveChart(ctl, figure.id)


@solara.component
def Timeline(ctl: Controller):
    """Look back at any past day (cards and charts show that day) and branch a what-if from
    it; the original run stays drawn, dashed."""
    snap = ctl.snap.value
    playing = ctl.playing.value
    last = max(snap.model_day, snap.day)
    if last < 1 and snap.original is None:
        return

    def hide_original():
        ctl.session.forget_original()
        ctl.attempt(ctl.publish)

    with solara.Row(gap="8px", style={"align-items": "center", "flex-wrap": "wrap"},
                    classes=["socbiz-timeline"]):
        with solara.Div(style={"flex": "1 1 260px", "min-width": "220px"}):
            solara.SliderInt(_("Look back at day"), value=snap.day, min=0, max=max(last, 1),
                             on_value=ctl.look_back, disabled=playing)
        if snap.looking_back:
            solara.Button(_("Back to day {day}").format(day=last), icon_name="mdi-skip-next",
                          on_click=lambda: ctl.look_back(None), text=True, disabled=playing)
            solara.Button(_("Branch from day {day}").format(day=snap.day),
                          icon_name="mdi-source-branch", on_click=ctl.branch, outlined=True,
                          disabled=playing, classes=["socbiz-branch"])
        if snap.original is not None and not playing:
            solara.Button(_("Hide the original run"), on_click=hide_original, text=True)
    if snap.looking_back:
        solara.Info(_("Looking back at day {day} (the run is at day {last}). Play or Step "
                      "replay the days from here; an intervention, or Branch, starts a what-if "
                      "from this day with the same seed, drawn against the original run "
                      "(dashed).").format(day=snap.day, last=last), dense=True)
    elif snap.original is not None:
        solara.Text(_("What-if branched from day {day}: solid lines; the original run: dashed "
                      "lines.").format(day=snap.original.branched_at),
                    classes=["socbiz-help", "socbiz-branch-note"])


def projector_day_html(snap: Snapshot) -> str:
    """The day, for the projector (the sidebar with the day counter is folded away)."""
    return ("<div class='socbiz-projector-day'>"
            + escape(_("Day {day} of {horizon}").format(day=format_number(snap.day),
                                                        horizon=format_number(snap.horizon)))
            + "</div>")


@solara.component
def ProjectorView(ctl: Controller):
    """Projector mode (components/layout.py): cards with phase badges, then the story figures
    side by side above the fold; everything else below."""
    snap = ctl.snap.value
    FrameHtml(ctl, "projday", projector_day_html)
    CueBanner(ctl)
    KpiStrip(ctl)
    story = layout.story_figures()
    with solara.Div(classes=["socbiz-story"]):
        for figure in story:
            InteractiveChart(ctl, figure.id, font_size=layout.PROJECTOR_FONT,
                             height=layout.projector_chart_height())
    for figure in registry.live_figures():
        if figure not in story and figure.per != "department":
            InteractiveChart(ctl, figure.id, font_size=layout.PROJECTOR_FONT)
    with solara.ColumnsResponsive(default=[12], large=[6, 6]):
        with solara.Card(_("Intervene"), margin=0):
            InterventionForm(ctl)
        with solara.Card(_("Event log"), margin=0, classes=["socbiz-eventlog"]):
            LiveEventLog(ctl, snap.brands)


@solara.component
def LiveView(ctl: Controller):
    if layout.PROJECTOR.value:
        ProjectorView(ctl)
        return
    snap = ctl.snap.value
    Timeline(ctl)
    CueBanner(ctl)
    KpiStrip(ctl)
    with solara.ColumnsResponsive(default=[12], large=[8, 4]):
        with solara.Column():
            LiveCharts(ctl)
        with solara.Column():
            with solara.Card(_("Intervene"), margin=0):
                # Its fields hold text written for the language: a new form when it changes.
                InterventionForm(ctl).key(f"interventions-{current_language()}")
            with solara.Card(_("Event log"), margin=0, classes=["socbiz-eventlog"]):
                LiveEventLog(ctl, snap.brands)
