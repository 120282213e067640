"""The socbiz dashboard, as served by Solara: ``socbiz dashboard [SCENARIO]``.

This file stays thin: the page and its components live in :mod:`dashboards.components`, the
per-tab simulation in :mod:`dashboards.state`. Solara runs this file as a script, so the
repository root is put on ``sys.path`` first (the ``dashboards`` folder is not an installed
package).

Two routes: ``/``, the dashboard, and ``/mesa``, the same model in Mesa's standard SolaraViz
page (:mod:`dashboards.mesa_view`). Each page links to the other, so Solara's route tabs are
turned off (``navigation=False``) and ``/`` looks as it did with a single route.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import solara  # noqa: E402

from dashboards.components import page as main_page  # noqa: E402
from dashboards.mesa_view import MesaPage  # noqa: E402


@solara.component
def PlainLayout(children=[]):  # noqa: B006 (solara props)
    return solara.AppLayout(children=children, navigation=False)


routes = [
    solara.Route(path="/", component=main_page.Page, label="socbiz", layout=PlainLayout),
    # Route labels are not shown (navigation=False): they name the routes for developers.
    solara.Route(path="mesa", component=MesaPage, label="mesa"),
]

__all__ = ["routes"]
