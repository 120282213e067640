"""The live view: key figures per brand, phase timeline, adoption, organisation, audience and
customer-service charts, next to the intervention form and the event log."""

from __future__ import annotations

import solara

from simulation.metrics import PHASE_NAMES
from simulation.plots import PHASE_COLOURS, brand_colours

from .. import charts
from ..controller import Controller
from ..state import Snapshot
from .common import Chart, escape
from .eventlog import EventLog
from .interventions import InterventionForm
from .scenario import CueBanner


def kpi_html(snap: Snapshot) -> str:
    frame = snap.frame
    colours = brand_colours(snap.brands)
    cards = []
    for brand in snap.brands:
        rows = frame[frame["brand"] == brand]
        if not len(rows):
            continue
        last, first = rows.iloc[-1], rows.iloc[0]
        phase = int(last["phase"])
        engagement = rows["engagement_per_post"].tail(7).mean()
        followers_change = int(last["followers"]) - int(first["followers"])
        crisis = int(last["crisis_level"])
        crisis_text = (f"<span class='crisis'>crisis level {crisis}</span>" if crisis
                       else "no crisis")
        help_desk = " · <span class='crisis'>help desk</span>" if bool(last["help_desk"]) else ""
        cards.append(
            f"<div class='socbiz-kpi' style='border-top: 3px solid {colours[brand]}'>"
            f"<span class='brand'>{escape(brand)}</span>"
            f"<span class='phase' style='background:{PHASE_COLOURS.get(phase, '#eee')}'>"
            f"phase {phase} · {PHASE_NAMES.get(phase, '?')}</span><br>"
            f"maturity {last['maturity']:.0%} · sponsorship {last['sponsorship']:.2f}<br>"
            f"followers {int(last['followers']):,} ({followers_change:+,}) · "
            f"{last['weekly_engaged_share']:.1%} engaged this week<br>"
            f"engagement/post {engagement:.1f} · net sentiment {last['net_sentiment']:+.2f}<br>"
            f"backlog {last['backlog']:,.0f} · {crisis_text}{help_desk}</div>")
    return "<div class='socbiz-kpis'>" + "".join(cards) + "</div>"


@solara.component
def KpiStrip(snap: Snapshot):
    solara.HTML(tag="div", unsafe_innerHTML=kpi_html(snap), classes=["socbiz-kpi-strip"])


@solara.component
def LiveCharts(snap: Snapshot):
    brands = snap.brands
    brand, set_brand = solara.use_state(brands[0])
    if brand not in brands:
        brand = brands[0]
    deps = [snap.version]
    horizon = charts.shown_days(snap.day, snap.horizon)
    Chart(lambda: charts.phase_figure(snap.frame, snap.events, horizon), deps, name="phases")
    with solara.Row(style={"align-items": "center"}):
        solara.Select("Brand for adoption and organisation", value=brand, values=brands,
                      on_value=set_brand, style={"max-width": "320px"})
    brand_config = snap.config.brands[brand]
    with solara.ColumnsResponsive(default=[12], large=[7, 5]):
        Chart(lambda: charts.adoption_figure(snap.frame, brand, horizon, snap.events),
              [*deps, brand], name="adoption")
        Chart(lambda: charts.organisation_figure(snap.organisations[brand], brand,
                                                 brand_config.organisational_model,
                                                 brand_config.hub_department),
              [*deps, brand], name="organisation")
    Chart(lambda: charts.audience_figure(snap.frame, horizon, snap.events), deps,
          name="audience")
    Chart(lambda: charts.service_figure(snap.frame, horizon, snap.events), deps,
          name="service")


@solara.component
def LiveView(ctl: Controller):
    snap = ctl.snap.value
    CueBanner(ctl)
    KpiStrip(snap)
    with solara.ColumnsResponsive(default=[12], large=[8, 4]):
        with solara.Column():
            LiveCharts(snap)
        with solara.Column():
            with solara.Card("Intervene", margin=0):
                InterventionForm(ctl)
            with solara.Card("Event log", margin=0, classes=["socbiz-eventlog"]):
                EventLog(snap.events, snap.brands, snap.version)
