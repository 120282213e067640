"""No internal id on screen: every select of the dashboard shows human labels.

The whole page is rendered (no browser) with every lever group open and every intervention
form shown in turn; the texts and labels of every select must hold none of the vocabulary's
ids (customer_service, hub_and_spoke, employee_video ... : every term id with an underscore,
which no label has) nor a preset's file name, while the select's value stays the id.
"""

from __future__ import annotations

import sys
from pathlib import Path

import ipyvuetify as v
import solara

from simulation import list_scenarios, load_scenario, vocabulary
from simulation.scenario import DEFAULT_SCENARIO

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from widget_support import walk  # noqa: E402

from dashboards.components.page import Dashboard  # noqa: E402
from dashboards.levers import LEVER_GROUPS  # noqa: E402
from dashboards.state import Session  # noqa: E402

TABLES = [getattr(vocabulary, name) for name in dir(vocabulary) if name.endswith("_TERMS")]
IDS = {term_id for table in TABLES for term_id in table if "_" in term_id}


def shown_in_selects(rc) -> list[str]:
    shown = []
    for widget in walk(rc):
        if isinstance(widget, v.Select | v.Autocomplete):
            shown.append(str(widget.label))
            for item in widget.items or []:
                shown.append(str(item.get("text", item) if isinstance(item, dict) else item))
    return shown


def test_no_select_shows_an_internal_id():
    assert {"customer_service", "hub_and_spoke", "employee_video"} <= IDS
    session = Session(DEFAULT_SCENARIO, overrides={"market.n_customers": 1500})
    _box, rc = solara.render(solara.AppLayout(children=[Dashboard(session)]),
                             handle_error=False)
    panels = next(w for w in walk(rc) if isinstance(w, v.ExpansionPanels) and w.multiple)
    panels.v_model = list(range(len(LEVER_GROUPS)))
    shown = shown_in_selects(rc)
    kind_select = next(w for w in walk(rc) if isinstance(w, v.Select)
                       and w.label == "Intervention")
    for label in [item["value"] for item in kind_select.items]:
        kind_select.v_model = label
        shown += shown_in_selects(rc)
    assert len(shown) > 100  # the lever and intervention forms were really there
    leaked = sorted({s for s in shown for term_id in IDS if term_id in s})
    assert not leaked, leaked
    presets = [p for p in list_scenarios() if "-" in p]  # "help-desk-trap" is no title
    assert not {p for p in presets if p in shown}
    assert load_scenario(DEFAULT_SCENARIO).title in shown
    # The select keeps the id as its value and shows the label.
    department = next(w for w in walk(rc) if isinstance(w, v.Select) and w.label == "Department")
    assert department.v_model == "customer_service"
    assert {"text": "Customer service", "value": "customer_service"} in department.items
