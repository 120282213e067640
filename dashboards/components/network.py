"""The network view: a sample of customers coloured by their state toward a brand, and the
brand's organisation (departments coloured by adoption, linked by their internal network)."""

from __future__ import annotations

import numpy as np
import solara

from simulation.config import DEPARTMENTS
from simulation.i18n import _, format_number, format_percent, ngettext
from simulation.views import CUSTOMER_STATES

from .. import charts, registry
from ..controller import Controller
from .common import Chart, html_table


@solara.component
def NetworkView(ctl: Controller):
    shown = ctl.snap.value
    # The customers' states are read only here, when this tab is open (not at every frame).
    snap = solara.use_memo(lambda: ctl.session.snapshot(network=True), [shown.version])
    brands = snap.brands
    brand, set_brand = solara.use_state(brands[0])
    if brand not in brands:
        brand = brands[0]
    deps = [snap.version, brand]
    states = snap.customer_states[brand]
    with solara.Row(style={"align-items": "center"}):
        solara.Select(_("Brand"), value=brand, values=brands, on_value=set_brand,
                      style={"max-width": "260px"})
        counts = np.bincount(states, minlength=len(CUSTOMER_STATES))
        # One sentence; the count that decides its plural is the number of customers drawn (the
        # other counts are given as "label: number", so no verb has to agree with them).
        solara.Text(ngettext(
            "Day {day}: of the {n} customer drawn, following {brand}: {followers}; negative "
            "about it: {negative}; with an open complaint: {complaints}.",
            "Day {day}: of the {n} customers drawn, following {brand}: {followers}; negative "
            "about it: {negative}; with an open complaint: {complaints}.", len(states)).format(
                day=snap.day, n=format_number(len(states)),
                followers=format_number(int(counts[2:4].sum())), brand=brand,
                negative=format_number(int(counts[4])), complaints=format_number(int(counts[5]))),
            classes=["socbiz-help"])
    pictures = [f for f in registry.FIGURES if f.tab == "network"]
    with solara.ColumnsResponsive(default=[12], large=[12 // len(pictures)] * len(pictures)):
        for figure in pictures:
            Chart(lambda figure=figure: charts.draw(figure, snap.frame, snap.events, snap.day,
                                                    brand, run=snap, size=(5.8, 5.4)),
                  deps, name=f"{figure.id}-large")
    org = snap.organisation[brand]
    rows = [[str(org.departments[kind].label), format_percent(org.adoption[i], 0),
             format_percent(org.trained[i], 0),
             format_number(int((org.peer_weights[i] > 0).sum()))]
            for i, kind in enumerate(DEPARTMENTS)]
    solara.HTML(tag="div", unsafe_innerHTML=html_table(
        [_("department"), _("adoption"), _("trained staff"), _("linked departments")],
        rows, numeric=(1, 2, 3)))
    solara.Text(_("The sample is drawn once per run (a snowball from a random customer through "
                  "their friendships) and laid out once, so the picture only changes colour as "
                  "the run goes on."), classes=["socbiz-help"])
