"""The network view: a sample of customers coloured by their state toward a brand, and the
brand's organisation (departments coloured by adoption, linked by their internal network)."""

from __future__ import annotations

import numpy as np
import solara

from simulation.config import DEPARTMENTS
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
        solara.Select("Brand", value=brand, values=brands, on_value=set_brand,
                      style={"max-width": "260px"})
        counts = np.bincount(states, minlength=len(CUSTOMER_STATES))
        solara.Text(f"Day {snap.day}: of the {len(states)} customers drawn, {counts[2:4].sum()} "
                    f"follow {brand}, {counts[4]} feel negative about it, {counts[5]} have an "
                    "open complaint.", classes=["socbiz-help"])
    pictures = [f for f in registry.FIGURES if f.tab == "network"]
    with solara.ColumnsResponsive(default=[12], large=[12 // len(pictures)] * len(pictures)):
        for figure in pictures:
            Chart(lambda figure=figure: charts.draw(figure, snap.frame, snap.events, snap.day,
                                                    brand, run=snap, size=(5.8, 5.4)),
                  deps, name=f"{figure.id}-large")
    org = snap.organisation[brand]
    rows = [[str(org.departments[kind].label), f"{org.adoption[i]:.0%}",
             f"{org.trained[i]:.0%}", f"{int((org.peer_weights[i] > 0).sum())}"]
            for i, kind in enumerate(DEPARTMENTS)]
    solara.HTML(tag="div", unsafe_innerHTML=html_table(
        ["department", "adoption", "trained staff", "linked departments"], rows,
        numeric=(1, 2, 3)))
    solara.Text("The sample is drawn once per run (a snowball from a random customer through "
                "their friendships) and laid out once, so the picture only changes colour as "
                "the run goes on.", classes=["socbiz-help"])
