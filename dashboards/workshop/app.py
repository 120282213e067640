"""The workshop server's pages, as served by ``socbiz workshop`` (Solara, offline).

Routes: ``/`` the participant page (join, then ``/?team=TOKEN``), ``/console?token=T`` the
facilitator console, ``/projector?token=T`` the projector view. Every page reads the one shared
:class:`simulation.workshop.engine.Workshop` of this server (:mod:`dashboards.workshop.shared`);
what a page shows is decided server-side from its token.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import solara  # noqa: E402

from dashboards.workshop.console import Console, Projector  # noqa: E402
from dashboards.workshop.participant import Participant  # noqa: E402
from dashboards.workshop.texts import t  # noqa: E402
from simulation.i18n import _l  # noqa: E402


@solara.component
def PlainLayout(children=[]):  # noqa: B006 (solara props)
    return solara.AppLayout(children=children, navigation=False,
                            title=t(_l("socbiz workshop")))


routes = [
    solara.Route(path="/", component=Participant, label="workshop", layout=PlainLayout),
    solara.Route(path="console", component=Console, label="console", layout=PlainLayout),
    solara.Route(path="projector", component=Projector, label="projector", layout=PlainLayout),
]
