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
    # No CSS transitions on the workshop's pages. Vuetify eases every control's colours when
    # it changes, so locking a round (thirty controls disabled at once) or releasing one
    # repainted a page for about 28 frames: 85-100 ms of a participant browser's main thread,
    # against 17-45 ms without (Chromium's Performance.getMetrics, one page, 2026-12-04).
    # Forty pages in a room, or forty contexts of the benchmark on two cores, pay that at
    # every lock and release.
    no_transitions = solara.Style("*, *::before, *::after { transition: none !important; }")
    return solara.AppLayout(children=[no_transitions, *children], navigation=False,
                            title=t(_l("socbiz workshop")))


routes = [
    solara.Route(path="/", component=Participant, label="workshop", layout=PlainLayout),
    solara.Route(path="console", component=Console, label="console", layout=PlainLayout),
    solara.Route(path="projector", component=Projector, label="projector", layout=PlainLayout),
]
