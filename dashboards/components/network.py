"""The network view: a sample of customers coloured by their state toward a brand, and the
brand's organisation (departments coloured by adoption, linked by their internal network)."""

from __future__ import annotations

import numpy as np
import solara

from simulation.config import DEPARTMENTS
from simulation.i18n import _, format_number, format_percent, ngettext

from .. import charts, labels
from ..controller import Controller
from ..state import CUSTOMER_STATES
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
    config = snap.config
    brand_config = config.brands[brand]
    deps = [snap.version, brand]
    states = snap.customer_states[brand]
    with solara.Row(style={"align-items": "center"}):
        solara.Select(_("Brand"), value=brand, values=brands, on_value=set_brand,
                      style={"max-width": "260px"})
        counts = np.bincount(states, minlength=len(CUSTOMER_STATES))
        # One sentence; the count that decides its plural is the number of customers drawn.
        solara.Text(ngettext(
            "Day {day}: of the {n} customer drawn, {followers} follow {brand}, {negative} feel "
            "negative about it, {complaints} have an open complaint.",
            "Day {day}: of the {n} customers drawn, {followers} follow {brand}, {negative} feel "
            "negative about it, {complaints} have an open complaint.", len(states)).format(
                day=snap.day, n=format_number(len(states)),
                followers=format_number(int(counts[2:4].sum())), brand=brand,
                negative=format_number(int(counts[4])), complaints=format_number(int(counts[5]))),
            classes=["socbiz-help"])
    with solara.ColumnsResponsive(default=[12], large=[6, 6]):
        Chart(lambda: charts.network_figure(snap.network, states, brand,
                                            config.market.n_customers), deps, name="network")
        with solara.Column():
            Chart(lambda: charts.organisation_figure(snap.organisations[brand], brand,
                                                     brand_config.organisational_model,
                                                     brand_config.hub_department,
                                                     size=(5.6, 5.2)),
                  deps, name="organisation-large")
            org = snap.organisations[brand]
            rows = [[labels.department(kind), format_percent(org.adoption[i], 0),
                     format_percent(org.trained[i], 0),
                     format_number(int((org.weights[i] > 0).sum()))]
                    for i, kind in enumerate(DEPARTMENTS)]
            solara.HTML(tag="div", unsafe_innerHTML=html_table(
                [_("department"), _("adoption"), _("trained staff"), _("linked departments")],
                rows, numeric=(1, 2, 3)))
    solara.Text(_("The sample is drawn once per run (a snowball from a random customer through "
                  "their friendships) and laid out once, so the picture only changes colour as "
                  "the run goes on."), classes=["socbiz-help"])
